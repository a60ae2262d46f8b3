/* Private to src/nn: the model struct and the layer forward/backward pairs.
 * Shapes in comments: B batch, T time, C d_model, OC output channels, H heads,
 * hs = C/H head size, V vocabulary, BT = B*T rows. */
#ifndef XL_NN_INTERNAL_H
#define XL_NN_INTERNAL_H

#include "xferlaw/nn.h"

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
    A_ATT,       /* (L, B, H, T, T) softmax probabilities, upper triangle 0 */
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
    A_LOGITS,    /* (BT, V): logits, or dloss/dlogits after a forward with targets */
    /* backward scratch, not per layer */
    A_DRES,      /* (BT, C) */
    A_DLN,       /* (BT, C) */
    A_DQKV,      /* (BT, 3C) */
    A_DATTY,     /* (BT, C) */
    A_DFCH,      /* (BT, 4C) */
    A_DATT,      /* (T, T) */
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
    char trainable[16];
    unsigned char train_mask[P_COUNT];
    size_t bytes;
};

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
/* dinp += ..., dw += ..., db += ... */
void xl_layernorm_backward(float *dinp, float *dw, float *db, const float *dout,
                           const float *inp, const float *w, const float *mean,
                           const float *rstd, int N, int C);
/* out (N, OC) = inp (N, C) . w(OC, C)^T + b (OC); with accumulate, out += that. */
void xl_matmul_forward(float *out, const float *inp, const float *w, const float *b, int N,
                       int C, int OC, int accumulate);
/* dinp (N, C) = dout . w (overwrites); dw (OC, C) += dout^T . inp; db (OC) += colsum */
void xl_matmul_backward(float *dinp, float *dw, float *db, const float *dout,
                        const float *inp, const float *w, int N, int C, int OC);
void xl_gelu_forward(float *out, const float *inp, size_t n);
/* dinout: in = d/d(out), out = d/d(inp) */
void xl_gelu_backward(float *dinout, const float *inp, size_t n);
/* qkv (B, T, 3C) -> out (B, T, C), att (B, H, T, T) probabilities */
void xl_attention_forward(float *out, float *att, const float *qkv, int B, int T, int C,
                          int H);
/* dqkv (B, T, 3C) overwritten; scratch (T, T) */
void xl_attention_backward(float *dqkv, float *scratch, const float *dout, const float *att,
                           const float *qkv, int B, int T, int C, int H);
/* logits (BT, V) -> dlogits in place, scaled by 1/BT; returns the summed loss */
double xl_crossentropy_forward(float *logits, const uint16_t *targets, int BT, int V);
/* y[i] = exp(x[i]), vectorised, relative error ~1e-7 */
void xl_vexp(float *y, const float *x, int n);

#endif
