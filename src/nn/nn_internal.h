/* Private to src/nn: the model struct and the layer forward/backward pairs.
 * Shapes in comments: B batch, T time, C d_model, OC output channels, H heads,
 * hs = C/H head size, V vocabulary, BT = B*T rows. */
#ifndef XL_NN_INTERNAL_H
#define XL_NN_INTERNAL_H

#include "xferlaw/nn.h"

/* Hot loops are compiled for AVX-512, AVX2 and baseline x86-64; the loader picks one
 * per machine (ifunc), so a given machine always runs the same code: determinism holds. */
#if defined(__clang__) || !defined(__x86_64__)
#define XL_SIMD /* clang resolves cross-file clones differently; only the fuzz build uses it */
#else
#define XL_SIMD __attribute__((target_clones("avx512f", "avx2", "default")))
#endif

/* Parameter tensors in storage order (must match xl_nn_tensor names in model.c). */
enum {
    P_WTE, P_WPE, P_LN1W, P_LN1B, P_QKVW, P_QKVB, P_ATTPROJW, P_ATTPROJB,
    P_LN2W, P_LN2B, P_FCW, P_FCB, P_FCPROJW, P_FCPROJB, P_LNFW, P_LNFB, P_COUNT
};

/* Forward activations kept for backward (per-layer ones have a leading L). */
enum {
    A_ENCODED,   /* (BT, C)  */
    A_LN1,       /* (L, BT, C) */
    A_LN1_MEAN,  /* (L, BT) */
    A_LN1_RSTD,  /* (L, BT) */
    A_QKV,       /* (L, BT, 3C) */
    A_ATTY,      /* (L, BT, C) */
    A_ATT,       /* (L, B, H, up8(T), up16(T)) softmax probabilities (see attention.c) */
    A_RES2,      /* (L, BT, C) */
    A_LN2,       /* (L, BT, C) */
    A_LN2_MEAN,  /* (L, BT) */
    A_LN2_RSTD,  /* (L, BT) */
    A_FCH,       /* (L, BT, 4C) pre-GELU */
    A_FCH_GELU,  /* (L, BT, 4C) */
    A_RES3,      /* (L, BT, C) */
    A_LNF,       /* (BT, C) */
    A_LNF_MEAN,  /* (BT) */
    A_LNF_RSTD,  /* (BT) */
    A_LOGITS,    /* (HEAD_ROWS, V): one chunk of logits, then of dloss/dlogits */
    A_DWTE,      /* (V, C): the head's part of dwte, computed during the forward */
    A_DLNF,      /* (BT, C): the head's d loss / d lnf, computed during the forward */
    /* backward scratch, not per layer; R = rows of a tile (see TILE_ROWS) */
    A_DRES,      /* (BT, C) */
    A_DLN,       /* (R, C) */
    A_DQKV,      /* (R, 3C) */
    A_DATTY,     /* (R, C) */
    A_DFCH,      /* (R, 4C) */
    A_DATT,      /* attention scratch (xl_attention_scratch_floats) */
    A_COUNT
};

struct xl_nn_model {
    xl_nn_config cfg;
    int max_B, max_T;
    size_t param_sizes[P_COUNT];
    size_t param_offsets[P_COUNT];
    size_t n_floats;
    float *params, *grads, *m, *v;
    size_t act_sizes[A_COUNT];
    float *acts_mem;
    float *acts[A_COUNT];
    int B, T;                 /* of the last forward */
    int have_targets;         /* last forward had targets: backward allowed */
    uint16_t *inputs;         /* (max_B * max_T) copy of the last inputs */
    float *logits_full;       /* (max_B, max_T, V), allocated on the first forward
                                 without targets */
    int grads_zero;           /* grads known to be all 0 (xl_nn_zero_grad may skip) */
    char trainable[16];
    unsigned char train_mask[P_COUNT];
    size_t bytes;
    float drop_p, drop_attn;  /* dropout (xl_nn_set_dropout); 0 = none */
    uint64_t drop_key;        /* the masks' step key (xl_nn_set_dropout_key) */
    int dropping;             /* the last forward dropped (a training forward) */
};

/* The head (logits, cross-entropy and its gradient) runs over chunks of rows so that
 * the (rows, V) logits stay in cache instead of a (B*T, V) buffer in memory. */
enum { HEAD_ROWS = 256 };
/* The blocks run over tiles of whole sequences of about this many rows (model.c). */
enum { TILE_ROWS = 256 };

static inline float *xl_nn_p(const struct xl_nn_model *m, int t)
{
    return m->params + m->param_offsets[t];
}
static inline float *xl_nn_g(const struct xl_nn_model *m, int t)
{
    return m->grads + m->param_offsets[t];
}

/* ---- layers (layers.c, attention.c) ---- */
/* out (BT, C) = wte[inp] + wpe[t] */
void xl_encoder_forward(float *out, const uint16_t *inp, const float *wte, const float *wpe,
                        int B, int T, int C);
void xl_encoder_backward(float *dwte, float *dwpe, const float *dout, const uint16_t *inp,
                         int B, int T, int C);
/* out (N, C), mean/rstd (N) */
void xl_layernorm_forward(float *out, float *mean, float *rstd, const float *inp,
                          const float *w, const float *b, int N, int C);
/* dinp += ..., dw += ..., db += ... (dw, db may be NULL: not trainable) */
void xl_layernorm_backward(float *dinp, float *dw, float *db, const float *dout,
                           const float *inp, const float *w, const float *mean,
                           const float *rstd, int N, int C);
/* out (N, OC) = inp (N, C) . w(OC, C)^T + b (OC) [+ resid (N, OC)]; b, resid may be NULL */
void xl_matmul_forward(float *out, const float *inp, const float *w, const float *b,
                       const float *resid, int N, int C, int OC);
/* dinp (N, C) = dout . w (overwrites); dw (OC, C) += dout^T . inp; db (OC) += colsum;
 * any of the three may be NULL (not needed / not trainable) */
void xl_matmul_backward(float *dinp, float *dw, float *db, const float *dout,
                        const float *inp, const float *w, int N, int C, int OC);
void xl_gelu_forward(float *out, const float *inp, size_t n);
/* dinout: in = d/d(out), out = d/d(inp) */
void xl_gelu_backward(float *dinout, const float *inp, size_t n);
/* The kept probabilities of one (sequence, head) are (xl_att_rows(T), xl_att_cols(T)). */
static inline int xl_att_rows(int T) { return (T + 7) / 8 * 8; }
static inline int xl_att_cols(int T) { return (T + 15) / 16 * 16; }
/* ---- dropout (dropout.c): masks are a pure function of (step key, layer, site, row,
 * column), recomputed by the backward ---- */
typedef struct xl_drop {
    uint64_t key;      /* the site's key */
    uint32_t thresh;   /* an element is dropped when its 32 bits are below p * 2^32 */
    float scale;       /* 1 / (1 - p) on the kept ones */
} xl_drop;
/* Sites: the embedding sum; per layer the attention and MLP branches (before they join
 * the residual stream) and the attention probabilities. */
enum { DROP_EMBED, DROP_ATTN_OUT, DROP_MLP_OUT, DROP_ATT_PROBS };
uint64_t xl_drop_step_key(uint64_t seed, uint64_t step);
xl_drop xl_drop_site(uint64_t step_key, float p, int layer, int site);
uint64_t xl_drop_row_key(const xl_drop *d, uint64_t row);
/* y[0, n) = [resid +] mask * scale * x of the row with this key (y may be x; resid may
 * be NULL) */
void xl_dropout_row(float *y, const float *x, const float *resid, int n, uint64_t row_key,
                    uint32_t thresh, float scale);
/* out (N, C) = [resid (N, C) +] mask * scale * inp (N, C), rows row0.. of the site */
void xl_dropout_forward(float *out, const float *inp, const float *resid, const xl_drop *d,
                        size_t row0, int N, int C);
/* dinp (N, C) = mask * scale * dout (may be in place) */
void xl_dropout_backward(float *dinp, const float *dout, const xl_drop *d, size_t row0, int N,
                         int C);

/* floats of scratch that attention forward and backward need at (T, head size hs) */
size_t xl_attention_scratch_floats(int T, int hs);
/* qkv (B, T, 3C) -> out (B, T, C), att (B, H, rows, cols) probabilities (before dropout).
 * drop (NULL = none): dropout on the probabilities, the rows of sequence b keyed as
 * those of sequence seq0 + b of the batch. */
void xl_attention_forward(float *out, float *att, float *scratch, const float *qkv, int B,
                          int T, int C, int H, const xl_drop *drop, int seq0);
/* dqkv (B, T, 3C) overwritten; drop and seq0 as in the forward */
void xl_attention_backward(float *dqkv, float *scratch, const float *dout, const float *att,
                           const float *qkv, int B, int T, int C, int H, const xl_drop *drop,
                           int seq0);
/* logits (N, V): returns the summed loss; with want_grad, logits become dloss/dlogits
 * of (scale * summed loss) in place */
double xl_crossentropy_forward(float *logits, const uint16_t *targets, int N, int V,
                               float scale, int want_grad);
/* y[i] = exp(x[i]), vectorised, relative error ~1e-7 (y may be x) */
void xl_vexp(float *y, const float *x, int n);
/* y[i] = exp(x[i] - c), returns the sum; max of x; softmax in place */
float xl_vexp_sum(float *y, const float *x, float c, int n);
float xl_vmax(const float *x, int n);
/* attention rows padded to ncol (a multiple of 16): softmax of scale * row[0, n), zeros
 * after */
void xl_softmax_causal_row(float *row, int n, int ncol, float scale);
/* the same backward, times scale; P's row is 0 beyond the diagonal, so dr becomes 0 there */
void xl_softmax_backward_causal_row(float *dr, const float *pr, int ncol, float scale);
/* y += x */
void xl_vadd(float *y, const float *x, size_t n);

#endif
