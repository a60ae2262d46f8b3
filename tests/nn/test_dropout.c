/* nn dropout: the masks (rate, scale, keyed by row so tiles and slices agree), finite
 * differences of the backward with the masks held fixed (every site, the padded and the
 * direct attention paths, several tiles), evaluation untouched by dropout, p = 0 the
 * model without dropout bit for bit, refusals. */
#include "../../src/nn/nn_internal.h" /* white box: the mask itself */
#include "nn_fd.h"
#include "xl_test.h"

#include <stdlib.h>
#include <string.h>

/* rate and scale of one site's mask; a slice at row0 is the same rows of the whole */
static void test_masks(void)
{
    enum { N = 1000, C = 64 };
    float *one = malloc(N * C * sizeof *one), *a = malloc(N * C * sizeof *a);
    float *b = malloc(N * C * sizeof *b);
    for (int i = 0; i < N * C; i++)
        one[i] = 1.0f;
    const float ps[3] = {0.1f, 0.5f, 0.9f};
    for (int k = 0; k < 3; k++) {
        float p = ps[k];
        xl_drop d = xl_drop_site(xl_drop_step_key(1, 7), p, 1, DROP_MLP_OUT);
        xl_dropout_forward(a, one, NULL, &d, 0, N, C);
        long zeros = 0, other = 0, same_as_next_row = 0;
        for (int i = 0; i < N * C; i++) {
            zeros += a[i] == 0.0f;
            other += a[i] != 0.0f && a[i] != 1.0f / (1.0f - p);
            if (i + C < N * C)
                same_as_next_row += (a[i] == 0.0f) == (a[i + C] == 0.0f);
        }
        double n = (double)N * C, sd = sqrt(p * (1 - p) / n);
        CHECK_MSG(fabs((double)zeros / n - p) < 5 * sd, "p %g: dropped %g", p, zeros / n);
        CHECK_MSG(other == 0, "p %g: %ld kept entries not scaled by 1/(1-p)", p, other);
        /* rows are independent: agreement with the next row as for independent draws */
        double agree = p * p + (1 - p) * (1 - p), m = n - C;
        CHECK_MSG(fabs(same_as_next_row / m - agree) < 5 * sqrt(agree * (1 - agree) / m),
                  "p %g: next-row agreement %g, independent %g", p, same_as_next_row / m,
                  agree);
        /* the rows of a tile (row0 = 400) are the same rows of the whole batch */
        xl_dropout_forward(b, one, NULL, &d, 400, 300, C);
        CHECK(memcmp(b, a + 400 * C, 300 * C * sizeof *a) == 0);
        /* residual form: resid + mask * scale * x */
        xl_dropout_forward(b, one, one, &d, 0, N, C);
        int ok = 1;
        for (int i = 0; i < N * C; i++)
            ok &= b[i] == 1.0f + a[i];
        CHECK(ok);
    }
    /* another step, another site, another layer: another mask */
    xl_drop d0 = xl_drop_site(xl_drop_step_key(1, 7), 0.5f, 1, DROP_MLP_OUT);
    xl_drop ds[3] = {xl_drop_site(xl_drop_step_key(1, 8), 0.5f, 1, DROP_MLP_OUT),
                     xl_drop_site(xl_drop_step_key(1, 7), 0.5f, 1, DROP_ATTN_OUT),
                     xl_drop_site(xl_drop_step_key(1, 7), 0.5f, 0, DROP_MLP_OUT)};
    xl_dropout_forward(a, one, NULL, &d0, 0, N, C);
    for (int k = 0; k < 3; k++) {
        xl_dropout_forward(b, one, NULL, &ds[k], 0, N, C);
        long same = 0;
        for (int i = 0; i < N * C; i++)
            same += a[i] == b[i];
        CHECK_MSG(fabs(same / (double)(N * C) - 0.5) < 0.01, "key %d: %ld equal of %d", k,
                  same, N * C);
    }
    free(one);
    free(a);
    free(b);
}

static xl_nn_model *make(const xl_nn_config *cfg, int B, int T, float p, float pa)
{
    xl_error err;
    xl_nn_model *m = NULL;
    CHECK(xl_nn_alloc(cfg, B, T, &m, &err) == 0);
    if (!m)
        exit(1);
    xl_nn_init(m, 3);
    xl_rng r;
    xl_rng_seed(&r, 4);
    float *w = xl_nn_params(m);
    for (size_t i = 0; i < xl_nn_n_floats(m); i++)
        w[i] += (float)(0.3 * xl_rng_normal(&r));
    CHECK(xl_nn_set_dropout(m, p, pa, &err) == 0);
    xl_nn_set_dropout_key(m, 5, 17);
    return m;
}

static void tokens(uint16_t *in, uint16_t *tg, int n, int V, uint64_t seed)
{
    xl_rng r;
    xl_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        in[i] = (uint16_t)xl_rng_below(&r, (uint64_t)V);
        tg[i] = (uint16_t)xl_rng_below(&r, (uint64_t)V);
    }
}

static double train_loss(xl_nn_model *m, const uint16_t *in, const uint16_t *tg, int B, int T)
{
    float l;
    xl_error err;
    CHECK(xl_nn_forward(m, in, tg, B, T, &l, &err) == 0);
    return l;
}

typedef struct {
    const uint16_t *in, *tg;
    int B, T;
} batch;

static double batch_loss(xl_nn_model *m, void *ctx)
{
    const batch *b = ctx;
    return train_loss(m, b->in, b->tg, b->B, b->T);
}

/* Central differences of the training loss (the same key, so the same masks) along a
 * random direction in each tensor and in all of them at once, against the backward. */
static void fd_check(const char *what, const xl_nn_config *cfg, int B, int T, float p, float pa)
{
    xl_nn_model *m = make(cfg, B, T, p, pa);
    uint16_t *in = malloc((size_t)B * T * sizeof *in), *tg = malloc((size_t)B * T * sizeof *tg);
    tokens(in, tg, B * T, cfg->vocab_size, 9);
    xl_error err;
    train_loss(m, in, tg, B, T);
    xl_nn_zero_grad(m);
    CHECK(xl_nn_backward(m, &err) == 0);
    size_t n = xl_nn_n_floats(m);
    float *g = malloc(n * sizeof *g), *save = malloc(n * sizeof *save), *w = xl_nn_params(m);
    double *u = malloc(n * sizeof *u);
    memcpy(g, xl_nn_grads(m), n * sizeof *g);
    memcpy(save, w, n * sizeof *save);
    xl_rng r;
    xl_rng_seed(&r, 11);
    for (int t = -1; t < XL_NN_N_TENSORS; t++) {
        size_t lo = 0, hi = n;
        const char *name = "all";
        if (t >= 0) {
            xl_nn_tensor tt = xl_nn_get_tensor(m, t);
            lo = (size_t)(tt.data - w);
            hi = lo + tt.size;
            name = tt.name;
        }
        batch bt = {in, tg, B, T};
        double gu, fd = nn_directional_fd(m, save, g, u, lo, hi, &r, 1e-3, batch_loss, &bt, &gu);
        CHECK_MSG(fabs(fd - gu) <= 1e-3 * fabs(gu) + 5e-4, "%s, tensor %s: fd %.6g vs grad %.6g",
                  what, name, fd, gu);
    }
    free(u);
    free(save);
    free(g);
    free(in);
    free(tg);
    xl_nn_free(m);
}

/* Evaluation never drops: xl_nn_loss and the logits are those of the model without
 * dropout, whatever the key, while training forwards under two keys differ. */
static void test_eval_and_p0(void)
{
    const xl_nn_config cfg = {.vocab_size = 11, .ctx = 7, .n_layer = 2, .n_head = 2, .d_model = 8};
    enum { B = 3, T = 7 };
    uint16_t in[B * T], tg[B * T];
    tokens(in, tg, B * T, 11, 2);
    xl_error err;
    xl_nn_model *plain = make(&cfg, B, T, 0.0f, 0.0f), *m = make(&cfg, B, T, 0.5f, 0.5f);
    float e0, e1, e2, t1, t2;
    CHECK(xl_nn_loss(plain, in, tg, B, T, &e0, &err) == 0);
    CHECK(xl_nn_loss(m, in, tg, B, T, &e1, &err) == 0);
    t1 = (float)train_loss(m, in, tg, B, T);
    xl_nn_set_dropout_key(m, 6, 17);
    CHECK(xl_nn_loss(m, in, tg, B, T, &e2, &err) == 0);
    t2 = (float)train_loss(m, in, tg, B, T);
    CHECK_MSG(e1 == e0 && e2 == e0, "eval loss %.9g %.9g, without dropout %.9g", e1, e2, e0);
    CHECK_MSG(t1 != t2 && t1 != e0, "training losses %.9g %.9g under two keys", t1, t2);
    /* repeated under one key: the same masks */
    CHECK(train_loss(m, in, tg, B, T) == t2);
    CHECK(xl_nn_forward(plain, in, NULL, B, T, NULL, &err) == 0);
    size_t nl = (size_t)B * T * 11;
    float *logits = malloc(nl * sizeof *logits);
    memcpy(logits, xl_nn_logits(plain), nl * sizeof *logits);
    CHECK(xl_nn_forward(m, in, NULL, B, T, NULL, &err) == 0);
    CHECK(memcmp(logits, xl_nn_logits(m), nl * sizeof *logits) == 0);
    free(logits);
    /* set back to 0: the training forward and backward of the model without dropout */
    CHECK(xl_nn_set_dropout(m, 0.0f, 0.0f, &err) == 0);
    float a = (float)train_loss(m, in, tg, B, T), b = (float)train_loss(plain, in, tg, B, T);
    CHECK(a == b);
    xl_nn_zero_grad(m);
    xl_nn_zero_grad(plain);
    CHECK(xl_nn_backward(m, &err) == 0 && xl_nn_backward(plain, &err) == 0);
    CHECK(memcmp(xl_nn_grads(m), xl_nn_grads(plain), xl_nn_n_floats(m) * sizeof(float)) == 0);
    /* refusals name the field */
    CHECK(xl_nn_set_dropout(m, -0.1f, 0.0f, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "field 'dropout': -0.1 is outside [0, 1)");
    CHECK(xl_nn_set_dropout(m, 1.0f, 0.0f, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "field 'dropout': 1 is outside [0, 1)");
    CHECK(xl_nn_set_dropout(m, 0.1f, NAN, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "field 'attn_dropout': nan is outside [0, 1)");
    xl_nn_free(m);
    xl_nn_free(plain);
}

int main(void)
{
    xl_nn_set_threads(1);
    test_masks();
    test_eval_and_p0();
    const xl_nn_config tiny = {.vocab_size = 11, .ctx = 7, .n_layer = 2, .n_head = 2, .d_model = 8};
    fd_check("residual", &tiny, 2, 6, 0.3f, 0.0f);
    fd_check("attention", &tiny, 2, 6, 0.0f, 0.3f);
    fd_check("both", &tiny, 2, 6, 0.3f, 0.3f);
    /* 100 sequences of 6: three tiles of 42 (masks keyed by the batch's sequence) */
    fd_check("tiles", &tiny, 100, 6, 0.2f, 0.2f);
    /* T = 70, head size 4: padded attention operands, a partial last row block */
    const xl_nn_config pad = {.vocab_size = 11, .ctx = 72, .n_layer = 1, .n_head = 2, .d_model = 8};
    fd_check("padded", &pad, 1, 70, 0.2f, 0.3f);
    /* T = 64, head size 16: operands in place; 9 sequences, three tiles of 4 */
    const xl_nn_config dir = {.vocab_size = 11, .ctx = 64, .n_layer = 1, .n_head = 2, .d_model = 32};
    fd_check("direct", &dir, 9, 64, 0.2f, 0.3f);
    TEST_MAIN_END();
}
