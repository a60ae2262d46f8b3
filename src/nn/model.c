/* The model: buffers and their named views, init, forward/backward over the layers and
 * the trainable mask (gradient clipping and AdamW: optim.c). */
#include "nn_internal.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const tensor_names[P_COUNT] = {
    "wte", "wpe", "ln1w", "ln1b", "qkvw", "qkvb", "attprojw", "attprojb",
    "ln2w", "ln2b", "fcw", "fcb", "fcprojw", "fcprojb", "lnfw", "lnfb"};

int xl_nn_config_check(const xl_nn_config *c, xl_error *err)
{
    if (c->vocab_size < 2 || c->vocab_size > 65536)
        return xl_error_set(err, XL_EINVAL, "field 'vocab_size': %d is outside [2, 65536]",
                            c->vocab_size);
    if (c->ctx < 1 || c->ctx > 65536)
        return xl_error_set(err, XL_EINVAL, "field 'ctx': %d is outside [1, 65536]", c->ctx);
    if (c->n_layer < 1 || c->n_layer > 1024)
        return xl_error_set(err, XL_EINVAL, "field 'n_layer': %d is outside [1, 1024]",
                            c->n_layer);
    if (c->d_model < 1 || c->d_model > 65536)
        return xl_error_set(err, XL_EINVAL, "field 'd_model': %d is outside [1, 65536]",
                            c->d_model);
    if (c->n_head < 1 || c->d_model % c->n_head != 0)
        return xl_error_set(err, XL_EINVAL,
                            "field 'n_head': %d must be >= 1 and divide d_model %d",
                            c->n_head, c->d_model);
    return XL_OK;
}

uint64_t xl_nn_n_params_nonembedding(const xl_nn_config *c)
{
    uint64_t d = (uint64_t)c->d_model;
    return (uint64_t)c->n_layer * (12 * d * d + 13 * d) + 2 * d;
}

uint64_t xl_nn_n_params_total(const xl_nn_config *c)
{
    return xl_nn_n_params_nonembedding(c) +
           ((uint64_t)c->vocab_size + (uint64_t)c->ctx) * (uint64_t)c->d_model;
}

double xl_nn_flops_per_token(const xl_nn_config *c, int T)
{
    return 6.0 * (double)xl_nn_n_params_nonembedding(c) +
           6.0 * (double)c->vocab_size * c->d_model + 6.0 * c->n_layer * (double)T * c->d_model;
}

static void param_sizes(const xl_nn_config *c, size_t *s)
{
    size_t V = c->vocab_size, T = c->ctx, L = c->n_layer, C = c->d_model;
    s[P_WTE] = V * C;
    s[P_WPE] = T * C;
    s[P_LN1W] = s[P_LN1B] = L * C;
    s[P_QKVW] = L * 3 * C * C;
    s[P_QKVB] = L * 3 * C;
    s[P_ATTPROJW] = L * C * C;
    s[P_ATTPROJB] = L * C;
    s[P_LN2W] = s[P_LN2B] = L * C;
    s[P_FCW] = L * 4 * C * C;
    s[P_FCB] = L * 4 * C;
    s[P_FCPROJW] = L * C * 4 * C;
    s[P_FCPROJB] = L * C;
    s[P_LNFW] = s[P_LNFB] = C;
}

static void act_sizes(const xl_nn_config *c, int B, int T, size_t *s)
{
    size_t L = c->n_layer, C = c->d_model, H = c->n_head, V = c->vocab_size;
    size_t BT = (size_t)B * T;
    s[A_ENCODED] = BT * C;
    s[A_LN1] = L * BT * C;
    s[A_LN1_MEAN] = s[A_LN1_RSTD] = L * BT;
    s[A_QKV] = L * BT * 3 * C;
    s[A_ATTY] = L * BT * C;
    s[A_ATT] = L * B * H * (size_t)xl_att_rows(T) * xl_att_cols(T);
    s[A_RES2] = L * BT * C;
    s[A_LN2] = L * BT * C;
    s[A_LN2_MEAN] = s[A_LN2_RSTD] = L * BT;
    s[A_FCH] = s[A_FCH_GELU] = L * BT * 4 * C;
    s[A_RES3] = L * BT * C;
    s[A_LNF] = BT * C;
    s[A_LNF_MEAN] = s[A_LNF_RSTD] = BT;
    s[A_LOGITS] = (BT < HEAD_ROWS ? BT : HEAD_ROWS) * V;
    s[A_DWTE] = V * C;
    s[A_DRES] = s[A_DLNF] = BT * C;
    /* tile scratch: a tile is tile_seqs(T') sequences of T' <= T tokens */
    size_t R = (size_t)(TILE_ROWS > T ? TILE_ROWS : T);
    R = R < BT ? R : BT;
    s[A_DLN] = s[A_DATTY] = R * C;
    s[A_DQKV] = R * 3 * C;
    s[A_DFCH] = R * 4 * C;
    s[A_DATT] = xl_attention_scratch_floats(T, (int)(C / H));
}

int xl_nn_alloc(const xl_nn_config *cfg, int max_B, int max_T, xl_nn_model **out,
                xl_error *err)
{
    *out = NULL;
    int rc = xl_nn_config_check(cfg, err);
    if (rc)
        return rc;
    if (max_B < 1 || max_B > 1 << 20)
        return xl_error_set(err, XL_EINVAL, "field 'batch': %d is outside [1, 1048576]",
                            max_B);
    if (max_T < 1 || max_T > cfg->ctx)
        return xl_error_set(err, XL_EINVAL, "field 'T': %d is outside [1, ctx=%d]", max_T,
                            cfg->ctx);
    /* weights, gradients and two Adam moments: 16 bytes a parameter */
    uint64_t need = xl_nn_n_params_total(cfg) * 16, lim = xl_mem_limit();
    if (need > lim)
        return xl_error_set(err, XL_EINVAL,
                            "a model of %llu parameters needs %.3g GB for weights, gradients "
                            "and optimizer state, above the memory limit of %.3g GB (XL_MEM_LIMIT)",
                            (unsigned long long)xl_nn_n_params_total(cfg), (double)need / 1e9,
                            (double)lim / 1e9);
    xl_nn_model *m = xl_calloc(1, sizeof *m, err);
    if (!m)
        return XL_ENOMEM;
    m->cfg = *cfg;
    m->max_B = max_B;
    m->max_T = max_T;
    param_sizes(cfg, m->param_sizes);
    size_t off = 0;
    for (int i = 0; i < P_COUNT; i++) {
        m->param_offsets[i] = off;
        off += m->param_sizes[i];
    }
    m->n_floats = off;
    act_sizes(cfg, max_B, max_T, m->act_sizes);
    size_t n_act = 0;
    for (int i = 0; i < A_COUNT; i++)
        n_act += m->act_sizes[i];
    m->params = calloc(off, sizeof(float));
    m->grads = calloc(off, sizeof(float));
    m->m = calloc(off, sizeof(float));
    m->v = calloc(off, sizeof(float));
    m->acts_mem = calloc(n_act, sizeof(float));
    m->inputs = calloc((size_t)max_B * max_T, sizeof(uint16_t));
    if (!m->params || !m->grads || !m->m || !m->v || !m->acts_mem || !m->inputs) {
        xl_nn_free(m);
        return xl_error_set(err, XL_ENOMEM, "out of memory allocating a model of %zu + %zu floats",
                            4 * off, n_act);
    }
    float *p = m->acts_mem;
    for (int i = 0; i < A_COUNT; i++) {
        m->acts[i] = p;
        p += m->act_sizes[i];
    }
    m->bytes = sizeof *m + (4 * off + n_act) * sizeof(float) +
               (size_t)max_B * max_T * sizeof(uint16_t);
    strcpy(m->trainable, "all");
    memset(m->train_mask, 1, sizeof m->train_mask);
    *out = m;
    return XL_OK;
}

void xl_nn_free(xl_nn_model *m)
{
    if (!m)
        return;
    free(m->params);
    free(m->grads);
    free(m->m);
    free(m->v);
    free(m->acts_mem);
    free(m->inputs);
    free(m->logits_full);
    free(m);
}

const xl_nn_config *xl_nn_get_config(const xl_nn_model *m) { return &m->cfg; }
size_t xl_nn_memory_bytes(const xl_nn_model *m) { return m->bytes; }
float *xl_nn_params(xl_nn_model *m) { return m->params; }
float *xl_nn_grads(xl_nn_model *m)
{
    m->grads_zero = 0; /* the caller may write them */
    return m->grads;
}
size_t xl_nn_n_floats(const xl_nn_model *m) { return m->n_floats; }
const float *xl_nn_logits(const xl_nn_model *m) { return m->logits_full; }

xl_nn_tensor xl_nn_get_tensor(xl_nn_model *m, int i)
{
    xl_nn_tensor t = {NULL, NULL, NULL, 0};
    if (i < 0 || i >= P_COUNT)
        return t;
    t.name = tensor_names[i];
    t.data = xl_nn_p(m, i);
    t.grad = xl_nn_g(m, i);
    t.size = m->param_sizes[i];
    m->grads_zero = 0;
    return t;
}

void xl_nn_set_threads(int n_threads)
{
    openblas_set_num_threads(n_threads > 0 ? n_threads : xl_num_cores());
}

const char *xl_nn_blas_config(void) { return openblas_get_config(); }
const char *xl_nn_blas_core(void) { return openblas_get_corename(); }
int xl_nn_blas_threads(void) { return openblas_get_num_threads(); }

void xl_nn_init(xl_nn_model *m, uint64_t seed)
{
    xl_rng rng;
    xl_rng_seed(&rng, seed);
    float resid_std = 0.02f / sqrtf(2.0f * (float)m->cfg.n_layer);
    for (int t = 0; t < P_COUNT; t++) {
        float *p = xl_nn_p(m, t);
        size_t n = m->param_sizes[t];
        float std = 0.0f, fill = 0.0f;
        switch (t) {
        case P_WTE: case P_WPE: case P_QKVW: case P_FCW: std = 0.02f; break;
        case P_ATTPROJW: case P_FCPROJW: std = resid_std; break;
        case P_LN1W: case P_LN2W: case P_LNFW: fill = 1.0f; break;
        default: break;
        }
        for (size_t i = 0; i < n; i++)
            p[i] = std > 0.0f ? (float)(std * xl_rng_normal(&rng)) : fill;
    }
    memset(m->grads, 0, m->n_floats * sizeof(float));
    m->grads_zero = 1;
    memset(m->m, 0, m->n_floats * sizeof(float));
    memset(m->v, 0, m->n_floats * sizeof(float));
}

/* Sequences per tile: a block runs tile by tile so that a tile's intermediates (qkv,
 * fch, its GELU, their gradients) are still in L2 when the next operation reads them;
 * across the whole batch they are 10-20 MB and came back from memory. */
static int tile_seqs(int T)
{
    return TILE_ROWS > T ? TILE_ROWS / T : 1;
}

/* Per-layer views advance by the max (B, T) strides; a tile of S sequences from b0
 * covers rows [b0*T, (b0+S)*T) of each. */
typedef struct {
    const float *res;
    float *ln1, *ln1m, *ln1r, *qkv, *atty, *att, *res2, *ln2, *ln2m, *ln2r, *fch, *fchg,
        *res3;
} block_views;

static block_views views(const xl_nn_model *m, int l, int b0, int T)
{
    int C = m->cfg.d_model, H = m->cfg.n_head;
    size_t sC = (size_t)m->max_B * m->max_T * C, sN = (size_t)m->max_B * m->max_T;
    size_t sAtt = (size_t)m->max_B * H * xl_att_rows(m->max_T) * xl_att_cols(m->max_T);
    size_t r0 = (size_t)b0 * T;
    float *const *a = m->acts;
    block_views v;
    v.res = (l == 0 ? a[A_ENCODED] : a[A_RES3] + (l - 1) * sC) + r0 * C;
    v.ln1 = a[A_LN1] + l * sC + r0 * C;
    v.ln1m = a[A_LN1_MEAN] + l * sN + r0;
    v.ln1r = a[A_LN1_RSTD] + l * sN + r0;
    v.qkv = a[A_QKV] + 3 * (l * sC + r0 * C);
    v.atty = a[A_ATTY] + l * sC + r0 * C;
    v.att = a[A_ATT] + l * sAtt + (size_t)b0 * H * xl_att_rows(T) * xl_att_cols(T);
    v.res2 = a[A_RES2] + l * sC + r0 * C;
    v.ln2 = a[A_LN2] + l * sC + r0 * C;
    v.ln2m = a[A_LN2_MEAN] + l * sN + r0;
    v.ln2r = a[A_LN2_RSTD] + l * sN + r0;
    v.fch = a[A_FCH] + 4 * (l * sC + r0 * C);
    v.fchg = a[A_FCH_GELU] + 4 * (l * sC + r0 * C);
    v.res3 = a[A_RES3] + l * sC + r0 * C;
    return v;
}

/* Dropout at a site of layer l in the last forward: 1 and *d set, or 0 (none). */
static int dropping(const xl_nn_model *m, int l, int site, xl_drop *d)
{
    float p = site == DROP_ATT_PROBS ? m->drop_attn : m->drop_p;
    if (!m->dropping || p <= 0.0f)
        return 0;
    *d = xl_drop_site(m->drop_key, p, l, site);
    return 1;
}

/* out = resid + branch (fused into the sgemm), or with dropout resid + dropped branch */
static void branch_forward(xl_nn_model *m, int l, int site, float *out, const float *inp,
                           const float *w, const float *b, const float *resid, int b0, int R,
                           int C, int OC, int T)
{
    xl_drop d;
    if (!dropping(m, l, site, &d)) {
        xl_matmul_forward(out, inp, w, b, resid, R, C, OC);
        return;
    }
    xl_matmul_forward(out, inp, w, b, NULL, R, C, OC);
    xl_dropout_forward(out, out, resid, &d, (size_t)b0 * T, R, OC);
}

/* layer l on sequences [b0, b0+S) */
static void block_forward(xl_nn_model *m, int l, int b0, int S, int T)
{
    int C = m->cfg.d_model, H = m->cfg.n_head, R = S * T;
    size_t C2 = (size_t)C * C;
    block_views v = views(m, l, b0, T);
    xl_drop da;
    int att_drop = dropping(m, l, DROP_ATT_PROBS, &da);
    xl_layernorm_forward(v.ln1, v.ln1m, v.ln1r, v.res, xl_nn_p(m, P_LN1W) + l * C,
                         xl_nn_p(m, P_LN1B) + l * C, R, C);
    xl_matmul_forward(v.qkv, v.ln1, xl_nn_p(m, P_QKVW) + l * 3 * C2,
                      xl_nn_p(m, P_QKVB) + l * 3 * C, NULL, R, C, 3 * C);
    xl_attention_forward(v.atty, v.att, m->acts[A_DATT], v.qkv, S, T, C, H,
                         att_drop ? &da : NULL, b0);
    branch_forward(m, l, DROP_ATTN_OUT, v.res2, v.atty, xl_nn_p(m, P_ATTPROJW) + l * C2,
                   xl_nn_p(m, P_ATTPROJB) + l * C, v.res, b0, R, C, C, T);
    xl_layernorm_forward(v.ln2, v.ln2m, v.ln2r, v.res2, xl_nn_p(m, P_LN2W) + l * C,
                         xl_nn_p(m, P_LN2B) + l * C, R, C);
    xl_matmul_forward(v.fch, v.ln2, xl_nn_p(m, P_FCW) + l * 4 * C2,
                      xl_nn_p(m, P_FCB) + l * 4 * C, NULL, R, C, 4 * C);
    xl_gelu_forward(v.fchg, v.fch, (size_t)R * 4 * C);
    branch_forward(m, l, DROP_MLP_OUT, v.res3, v.fchg, xl_nn_p(m, P_FCPROJW) + l * 4 * C2,
                   xl_nn_p(m, P_FCPROJB) + l * C, v.res2, b0, R, 4 * C, C, T);
}

/* gradients of parameters outside the trainable mask are not computed (stay 0): the
 * weight-gradient sgemms are a third of the work, skipped in partial fine-tuning */
#define GO(t, off) (m->train_mask[t] ? xl_nn_g(m, t) + (off) : NULL)

/* Backward of half of layer l (the MLP or the attention) on sequences [b0, b0+S): rows
 * of dres (d loss / d output on entry, / d input on return) depend only on the same
 * rows, so tiles are independent; weight gradients accumulate over the tiles in order,
 * except the projections' (layer_backward).  dbr: d loss / d branch output, whole
 * batch (dres itself, or its dropped copy). */
static void half_backward(xl_nn_model *m, int l, int b0, int S, int T, int mlp,
                          const float *dbr)
{
    int C = m->cfg.d_model, H = m->cfg.n_head, R = S * T;
    size_t C2 = (size_t)C * C;
    block_views v = views(m, l, b0, T);
    float **a = m->acts;
    float *dres = a[A_DRES] + (size_t)b0 * T * C, *dln = a[A_DLN], *dqkv = a[A_DQKV];
    float *datty = a[A_DATTY], *dfch = a[A_DFCH];
    dbr += (size_t)b0 * T * C;
    if (mlp) { /* res3 = res2 + drop(fcproj(gelu(fc(ln2(res2))))) */
        xl_matmul_backward(dfch, NULL, NULL, dbr, v.fchg, xl_nn_p(m, P_FCPROJW) + l * 4 * C2,
                           R, 4 * C, C);
        xl_gelu_backward(dfch, v.fch, (size_t)R * 4 * C);
        xl_matmul_backward(dln, GO(P_FCW, l * 4 * C2), GO(P_FCB, l * 4 * C), dfch, v.ln2,
                           xl_nn_p(m, P_FCW) + l * 4 * C2, R, C, 4 * C);
        xl_layernorm_backward(dres, GO(P_LN2W, l * C), GO(P_LN2B, l * C), dln, v.res2,
                              xl_nn_p(m, P_LN2W) + l * C, v.ln2m, v.ln2r, R, C);
        return;
    }
    /* res2 = res + drop(attproj(attn(qkv(ln1(res))))) */
    xl_matmul_backward(datty, NULL, NULL, dbr, v.atty, xl_nn_p(m, P_ATTPROJW) + l * C2, R, C,
                       C);
    xl_drop da;
    int att_drop = dropping(m, l, DROP_ATT_PROBS, &da);
    xl_attention_backward(dqkv, a[A_DATT], datty, v.att, v.qkv, S, T, C, H,
                          att_drop ? &da : NULL, b0);
    xl_matmul_backward(dln, GO(P_QKVW, l * 3 * C2), GO(P_QKVB, l * 3 * C), dqkv, v.ln1,
                       xl_nn_p(m, P_QKVW) + l * 3 * C2, R, C, 3 * C);
    xl_layernorm_backward(dres, GO(P_LN1W, l * C), GO(P_LN1B, l * C), dln, v.res,
                          xl_nn_p(m, P_LN1W) + l * C, v.ln1m, v.ln1r, R, C);
}

/* d loss / d branch output of a site: dres, or with dropout its dropped copy in A_DLNF
 * (free once the final LayerNorm's backward has read it) */
static const float *branch_grad(xl_nn_model *m, int l, int site, int BT)
{
    xl_drop d;
    float *dres = m->acts[A_DRES];
    if (!dropping(m, l, site, &d))
        return dres;
    xl_dropout_backward(m->acts[A_DLNF], dres, &d, 0, BT, m->cfg.d_model);
    return m->acts[A_DLNF];
}

/* The projections' weight gradients read dres, which is whole-batch: one sgemm over
 * all B*T rows before the half changes dres, 2-5% faster backward at 1M than one per
 * tile (fc and qkv the same way, through whole-batch dfch/dqkv, gained nothing). */
static void layer_backward(xl_nn_model *m, int l, int B, int T)
{
    int S = tile_seqs(T), C = m->cfg.d_model, BT = B * T;
    size_t C2 = (size_t)C * C;
    block_views v = views(m, l, 0, T);
    const float *dbr = branch_grad(m, l, DROP_MLP_OUT, BT);
    xl_matmul_backward(NULL, GO(P_FCPROJW, l * 4 * C2), GO(P_FCPROJB, l * C), dbr, v.fchg,
                       NULL, BT, 4 * C, C);
    for (int b0 = 0; b0 < B; b0 += S)
        half_backward(m, l, b0, B - b0 < S ? B - b0 : S, T, 1, dbr);
    dbr = branch_grad(m, l, DROP_ATTN_OUT, BT);
    xl_matmul_backward(NULL, GO(P_ATTPROJW, l * C2), GO(P_ATTPROJB, l * C), dbr, v.atty,
                       NULL, BT, C, C);
    for (int b0 = 0; b0 < B; b0 += S)
        half_backward(m, l, b0, B - b0 < S ? B - b0 : S, T, 0, dbr);
}
#undef GO

static int forward(xl_nn_model *m, const uint16_t *inputs, const uint16_t *targets, int B,
                   int T, float *loss, int grad, xl_error *err)
{
    const xl_nn_config *c = &m->cfg;
    int L = c->n_layer, C = c->d_model, V = c->vocab_size;
    if (loss)
        *loss = 0.0f;
    m->have_targets = 0;
    if (B < 1 || B > m->max_B)
        return xl_error_set(err, XL_EINVAL, "field 'batch': %d is outside [1, %d]", B,
                            m->max_B);
    if (T < 1 || T > m->max_T)
        return xl_error_set(err, XL_EINVAL, "field 'T': %d is outside [1, %d]", T, m->max_T);
    size_t BT = (size_t)B * T;
    for (size_t i = 0; i < BT; i++)
        if (inputs[i] >= V || (targets && targets[i] >= V))
            return xl_error_set(err, XL_EINVAL, "field 'token': id %u at position %zu is >= vocab_size %d",
                                (unsigned)(inputs[i] >= V ? inputs[i] : targets[i]), i, V);
    memcpy(m->inputs, inputs, BT * sizeof *inputs);
    m->B = B;
    m->T = T;
    /* only a training forward drops (evaluation and logits never do) */
    m->dropping = grad && targets && (m->drop_p > 0.0f || m->drop_attn > 0.0f);
    float **a = m->acts;
    size_t sC = (size_t)m->max_B * m->max_T * C;
    xl_encoder_forward(a[A_ENCODED], inputs, xl_nn_p(m, P_WTE), xl_nn_p(m, P_WPE), B, T, C);
    xl_drop d;
    if (dropping(m, 0, DROP_EMBED, &d))
        xl_dropout_forward(a[A_ENCODED], a[A_ENCODED], NULL, &d, 0, (int)BT, C);
    int S = tile_seqs(T);
    for (int l = 0; l < L; l++)
        for (int b0 = 0; b0 < B; b0 += S)
            block_forward(m, l, b0, B - b0 < S ? B - b0 : S, T);
    xl_layernorm_forward(a[A_LNF], a[A_LNF_MEAN], a[A_LNF_RSTD], a[A_RES3] + (L - 1) * sC,
                         xl_nn_p(m, P_LNFW), xl_nn_p(m, P_LNFB), (int)BT, C);
    if (!targets) {
        if (!m->logits_full) {
            m->logits_full = malloc((size_t)m->max_B * m->max_T * V * sizeof(float));
            if (!m->logits_full)
                return xl_error_set(err, XL_ENOMEM, "out of memory for (%d, %d, %d) logits",
                                    m->max_B, m->max_T, V);
            m->bytes += (size_t)m->max_B * m->max_T * V * sizeof(float);
        }
        xl_matmul_forward(m->logits_full, a[A_LNF], xl_nn_p(m, P_WTE), NULL, NULL, (int)BT, C,
                          V);
        return XL_OK;
    }
    /* chunks of rows: logits, loss, and (training) the head's backward while the chunk
     * is in cache: dlnf rows into A_DLNF, dwte into A_DWTE */
    double total = 0.0;
    float scale = 1.0f / (float)BT;
    const float *wte = xl_nn_p(m, P_WTE);
    for (size_t r0 = 0; r0 < BT; r0 += HEAD_ROWS) {
        int R = (int)(BT - r0 < HEAD_ROWS ? BT - r0 : HEAD_ROWS);
        const float *lnf = a[A_LNF] + r0 * C;
        xl_matmul_forward(a[A_LOGITS], lnf, wte, NULL, NULL, R, C, V);
        total += xl_crossentropy_forward(a[A_LOGITS], targets + r0, R, V, scale, grad);
        if (!grad)
            continue;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, R, C, V, 1.0f, a[A_LOGITS], V,
                    wte, C, 0.0f, a[A_DLNF] + r0 * C, C);
        if (m->train_mask[P_WTE])
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, V, C, R, 1.0f, a[A_LOGITS], V,
                    lnf, C, r0 ? 1.0f : 0.0f, a[A_DWTE], C);
    }
    if (loss)
        *loss = (float)(total / (double)BT);
    m->have_targets = grad;
    return XL_OK;
}

int xl_nn_forward(xl_nn_model *m, const uint16_t *inputs, const uint16_t *targets, int B,
                  int T, float *loss, xl_error *err)
{
    return forward(m, inputs, targets, B, T, loss, 1, err);
}

int xl_nn_loss(xl_nn_model *m, const uint16_t *inputs, const uint16_t *targets, int B, int T,
               float *loss, xl_error *err)
{
    if (!targets)
        return xl_error_set(err, XL_EINVAL, "xl_nn_loss: targets are required");
    return forward(m, inputs, targets, B, T, loss, 0, err);
}

int xl_nn_backward(xl_nn_model *m, xl_error *err)
{
    if (!m->have_targets)
        return xl_error_set(err, XL_EINVAL,
                            "xl_nn_backward: no forward pass with targets to differentiate");
    const xl_nn_config *c = &m->cfg;
    int L = c->n_layer, C = c->d_model, V = c->vocab_size;
    int B = m->B, T = m->T, BT = B * T;
    float **a = m->acts;
    size_t sC = (size_t)m->max_B * m->max_T * C;
    float *dres = a[A_DRES];
    m->grads_zero = 0;
#define G(t) (m->train_mask[t] ? xl_nn_g(m, t) : NULL)
    /* the head's backward ran during the forward: dlnf is in A_DLNF, its dwte in A_DWTE */
    if (m->train_mask[P_WTE])
        xl_vadd(G(P_WTE), a[A_DWTE], (size_t)V * C);
    memset(dres, 0, (size_t)BT * C * sizeof(float));
    xl_layernorm_backward(dres, G(P_LNFW), G(P_LNFB), a[A_DLNF],
                          a[A_RES3] + (L - 1) * sC, xl_nn_p(m, P_LNFW), a[A_LNF_MEAN],
                          a[A_LNF_RSTD], BT, C);
    for (int l = L - 1; l >= 0; l--)
        layer_backward(m, l, B, T);
    xl_drop d;
    if (dropping(m, 0, DROP_EMBED, &d))
        xl_dropout_backward(dres, dres, &d, 0, BT, C);
    xl_encoder_backward(G(P_WTE), G(P_WPE), dres, m->inputs, B, T, C);
#undef G
    return XL_OK;
}

void xl_nn_zero_grad(xl_nn_model *m)
{
    if (!m->grads_zero) /* a fused clip + AdamW step already zeroed them */
        memset(m->grads, 0, m->n_floats * sizeof(float));
    m->grads_zero = 1;
}

int xl_nn_set_trainable(xl_nn_model *m, const char *spec, xl_error *err)
{
    unsigned char mask[P_COUNT] = {0};
    int ln = 0, head = 0, bias = 0;
    if (!strcmp(spec, "all"))
        memset(mask, 1, sizeof mask);
    else if (!strcmp(spec, "ln"))
        ln = 1;
    else if (!strcmp(spec, "head"))
        head = 1;
    else if (!strcmp(spec, "ln+head"))
        ln = head = 1;
    else if (!strcmp(spec, "bias"))
        bias = 1;
    else
        return xl_error_set(err, XL_EINVAL,
                            "field 'trainable': '%s' is not one of all|ln|head|ln+head|bias",
                            spec);
    if (ln)
        mask[P_LN1W] = mask[P_LN1B] = mask[P_LN2W] = mask[P_LN2B] = mask[P_LNFW] =
            mask[P_LNFB] = 1;
    if (head)
        mask[P_WTE] = 1;
    if (bias)
        mask[P_LN1B] = mask[P_QKVB] = mask[P_ATTPROJB] = mask[P_LN2B] = mask[P_FCB] =
            mask[P_FCPROJB] = mask[P_LNFB] = 1;
    memcpy(m->train_mask, mask, sizeof mask);
    snprintf(m->trainable, sizeof m->trainable, "%s", spec);
    return XL_OK;
}

const char *xl_nn_get_trainable(const xl_nn_model *m) { return m->trainable; }

uint64_t xl_nn_n_trainable(const xl_nn_model *m)
{
    uint64_t n = 0;
    for (int t = 0; t < P_COUNT; t++)
        if (m->train_mask[t])
            n += m->param_sizes[t];
    return n;
}

double xl_nn_trainable_fraction(const xl_nn_model *m)
{
    return (double)xl_nn_n_trainable(m) / (double)m->n_floats;
}
