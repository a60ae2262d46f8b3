/* nn: finite differences of the backward pass, determinism, AdamW/trainable mask,
 * N formula, checkpoint round trip and refusal of bad files (exact messages). */
#include "nn_fd.h"
#include "xferlaw/nn.h"
#include "xl_test.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

static const xl_nn_config TINY = {.vocab_size = 11, .ctx = 7, .n_layer = 2, .n_head = 2,
                                  .d_model = 8};
enum { B = 2, T = 6 };

static xl_nn_model *make(const xl_nn_config *cfg, uint64_t seed, double jitter)
{
    xl_error err;
    xl_nn_model *m = NULL;
    int rc = xl_nn_alloc(cfg, B, T, &m, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    if (rc)
        exit(1);
    xl_nn_init(m, seed);
    xl_rng r;
    xl_rng_seed(&r, seed + 1);
    float *p = xl_nn_params(m);
    for (size_t i = 0; i < xl_nn_n_floats(m); i++)
        p[i] += (float)(jitter * xl_rng_normal(&r));
    return m;
}

static void batch(uint16_t *in, uint16_t *tg, int V, uint64_t seed)
{
    xl_rng r;
    xl_rng_seed(&r, seed);
    for (int i = 0; i < B * T; i++) {
        in[i] = (uint16_t)xl_rng_below(&r, (uint64_t)V);
        tg[i] = (uint16_t)xl_rng_below(&r, (uint64_t)V);
    }
}

static double loss_at(xl_nn_model *m, const uint16_t *in, const uint16_t *tg)
{
    float l;
    xl_error err;
    CHECK(xl_nn_forward(m, in, tg, B, T, &l, &err) == 0);
    return l;
}

/* Central differences along a random direction restricted to each tensor, and on the
 * single entry with the largest gradient: the float32 forward limits us to ~1e-3. */
static void test_finite_differences(void)
{
    xl_nn_model *m = make(&TINY, 7, 0.3);
    uint16_t in[B * T], tg[B * T];
    batch(in, tg, TINY.vocab_size, 3);
    xl_error err;
    float l0;
    CHECK(xl_nn_forward(m, in, tg, B, T, &l0, &err) == 0);
    xl_nn_zero_grad(m);
    CHECK(xl_nn_backward(m, &err) == 0);
    size_t n = xl_nn_n_floats(m);
    float *g = malloc(n * sizeof *g);
    memcpy(g, xl_nn_grads(m), n * sizeof *g);
    float *p = xl_nn_params(m);
    xl_rng r;
    xl_rng_seed(&r, 11);
    for (int t = 0; t < XL_NN_N_TENSORS; t++) {
        xl_nn_tensor tt = xl_nn_get_tensor(m, t);
        size_t off = (size_t)(tt.data - p);
        double *u = malloc(tt.size * sizeof *u);
        double gu = 0.0, uu = 0.0;
        for (size_t i = 0; i < tt.size; i++) {
            u[i] = xl_rng_normal(&r);
            gu += g[off + i] * u[i];
            uu += u[i] * u[i];
        }
        /* entries move by ~1e-3: small against the weights (~0.3), large against float
         * rounding of the loss (~3e-7 / 2e-3 = 1.5e-4 absolute in the quotient) */
        double h = 1e-3;
        (void)uu;
        float *save = malloc(tt.size * sizeof *save);
        memcpy(save, tt.data, tt.size * sizeof *save);
        for (size_t i = 0; i < tt.size; i++)
            tt.data[i] = (float)(save[i] + h * u[i]);
        double lp = loss_at(m, in, tg);
        for (size_t i = 0; i < tt.size; i++)
            tt.data[i] = (float)(save[i] - h * u[i]);
        double lm = loss_at(m, in, tg);
        memcpy(tt.data, save, tt.size * sizeof *save);
        double fd = (lp - lm) / (2 * h);
        if (getenv("XL_NN_FD_VERBOSE"))
            fprintf(stderr, "%-9s dir fd %.7f grad %.7f\n", tt.name, fd, gu);
        CHECK_MSG(fabs(fd - gu) <= 1e-3 * fabs(gu) + 5e-4, "tensor %s: fd %.6g vs grad %.6g",
                  tt.name, fd, gu);
        /* the largest single entry */
        size_t im = 0;
        for (size_t i = 1; i < tt.size; i++)
            if (fabsf(g[off + i]) > fabsf(g[off + im]))
                im = i;
        double he = 1e-2;
        tt.data[im] = (float)(save[im] + he);
        lp = loss_at(m, in, tg);
        tt.data[im] = (float)(save[im] - he);
        lm = loss_at(m, in, tg);
        tt.data[im] = save[im];
        fd = (lp - lm) / (2 * he);
        CHECK_MSG(fabs(fd - g[off + im]) <= 1e-2 * fabs(g[off + im]) + 1e-4,
                  "%s[%zu]: fd %.6g vs grad %.6g", tt.name, im, fd, (double)g[off + im]);
        free(save);
        free(u);
    }
    free(g);
    xl_nn_free(m);
}

typedef struct {
    const uint16_t *in, *tg;
    int T;
} seq_batch;

static double eval_loss(xl_nn_model *m, void *ctx)
{
    const seq_batch *sb = ctx;
    float l;
    xl_error err;
    CHECK(xl_nn_loss(m, sb->in, sb->tg, 1, sb->T, &l, &err) == 0);
    return l;
}

/* Directional FD of every tensor at once and of qkvw alone (the attention backward is
 * all that reaches it) on one sequence of LT tokens.  T = 70, head size 4: two causal
 * attention blocks, operands through the padded copies; T = 64, head size 16: operands
 * read in place (attention.c's direct path). */
static void test_long_sequence(int LT, int C, int H)
{
    xl_nn_config cfg = {.vocab_size = 11, .ctx = 72, .n_layer = 1, .n_head = H, .d_model = C};
    xl_error err;
    xl_nn_model *m;
    CHECK(xl_nn_alloc(&cfg, 1, LT, &m, &err) == 0);
    xl_nn_init(m, 3);
    xl_rng r;
    xl_rng_seed(&r, 4);
    float *p = xl_nn_params(m);
    size_t n = xl_nn_n_floats(m);
    for (size_t i = 0; i < n; i++)
        p[i] += (float)(0.3 * xl_rng_normal(&r));
    uint16_t in[72], tg[72];
    for (int i = 0; i < LT; i++) {
        in[i] = (uint16_t)xl_rng_below(&r, 11);
        tg[i] = (uint16_t)xl_rng_below(&r, 11);
    }
    float l;
    CHECK(xl_nn_forward(m, in, tg, 1, LT, &l, &err) == 0);
    xl_nn_zero_grad(m);
    CHECK(xl_nn_backward(m, &err) == 0);
    xl_nn_tensor qkv = xl_nn_get_tensor(m, 4);
    CHECK(strcmp(qkv.name, "qkvw") == 0);
    float *save = malloc(n * sizeof *save);
    memcpy(save, p, n * sizeof *save);
    double *u = malloc(n * sizeof *u);
    for (int pass = 0; pass < 2; pass++) {
        size_t lo = pass ? (size_t)(qkv.data - p) : 0, hi = pass ? lo + qkv.size : n;
        seq_batch sb = {in, tg, LT};
        double gu, fd = nn_directional_fd(m, save, xl_nn_grads(m), u, lo, hi, &r, 1e-3,
                                          eval_loss, &sb, &gu);
        CHECK_MSG(fabs(fd - gu) <= 1e-3 * fabs(gu) + 5e-4, "T=%d pass %d: fd %.6g vs grad %.6g",
                  LT, pass, fd, gu);
    }
    free(u);
    free(save);
    xl_nn_free(m);
}

/* n steps of clipped AdamW; returns losses in out */
static void train(xl_nn_model *m, int steps, float *out)
{
    uint16_t in[B * T], tg[B * T];
    xl_error err;
    for (int s = 1; s <= steps; s++) {
        batch(in, tg, xl_nn_get_config(m)->vocab_size, 100 + (uint64_t)s % 2);
        CHECK(xl_nn_forward(m, in, tg, B, T, &out[s - 1], &err) == 0);
        xl_nn_zero_grad(m);
        CHECK(xl_nn_backward(m, &err) == 0);
        xl_nn_clip_grad(m, 1.0f);
        xl_nn_adamw_step(m, 3e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, s);
    }
}

static void test_determinism_and_learning(void)
{
    for (int threads = 1; threads <= 2; threads++) {
        xl_nn_set_threads(threads);
        float a[8], b[8];
        xl_nn_model *m1 = make(&TINY, 5, 0.0), *m2 = make(&TINY, 5, 0.0);
        train(m1, 8, a);
        train(m2, 8, b);
        CHECK(memcmp(a, b, sizeof a) == 0);
        CHECK(memcmp(xl_nn_params(m1), xl_nn_params(m2),
                     xl_nn_n_floats(m1) * sizeof(float)) == 0);
        CHECK_MSG(a[7] < a[0] - 0.3, "loss %g -> %g", a[0], a[7]);
        xl_nn_free(m1);
        xl_nn_free(m2);
    }
    xl_nn_set_threads(1);
}

static void test_trainable_mask(void)
{
    xl_error err;
    xl_nn_model *m = make(&TINY, 9, 0.0);
    CHECK(xl_nn_set_trainable(m, "ln", &err) == 0);
    uint64_t C = 8, L = 2;
    CHECK(xl_nn_n_trainable(m) == 2 * C * (2 * L + 1));
    CHECK_NEAR(xl_nn_trainable_fraction(m),
               (double)(2 * C * (2 * L + 1)) / (double)xl_nn_n_params_total(&TINY), 1e-12);
    size_t n = xl_nn_n_floats(m);
    float *before = malloc(n * sizeof *before);
    memcpy(before, xl_nn_params(m), n * sizeof *before);
    float l[3];
    train(m, 3, l);
    for (int t = 0; t < XL_NN_N_TENSORS; t++) {
        xl_nn_tensor tt = xl_nn_get_tensor(m, t);
        int changed = memcmp(tt.data, before + (tt.data - xl_nn_params(m)),
                             tt.size * sizeof(float)) != 0;
        int is_ln = strstr(tt.name, "ln") == tt.name;
        CHECK_MSG(changed == is_ln, "tensor %s changed=%d", tt.name, changed);
    }
    /* masked gradients are the full ones restricted to the mask (others not computed) */
    {
        uint16_t in[B * T], tg[B * T];
        batch(in, tg, 11, 5);
        CHECK(xl_nn_set_trainable(m, "all", &err) == 0);
        xl_nn_forward(m, in, tg, B, T, NULL, &err);
        xl_nn_zero_grad(m);
        xl_nn_backward(m, &err);
        float *full = malloc(n * sizeof *full);
        memcpy(full, xl_nn_grads(m), n * sizeof *full);
        const char *masks[4] = {"ln", "head", "bias", "ln+head"};
        for (int k = 0; k < 4; k++) {
            CHECK(xl_nn_set_trainable(m, masks[k], &err) == 0);
            xl_nn_forward(m, in, tg, B, T, NULL, &err);
            xl_nn_zero_grad(m);
            xl_nn_backward(m, &err);
            uint64_t n_tr = 0;
            for (int t = 0; t < XL_NN_N_TENSORS; t++) {
                xl_nn_tensor tt = xl_nn_get_tensor(m, t);
                const float *ref = full + (tt.grad - xl_nn_grads(m));
                int in_mask = 0;
                for (size_t i = 0; i < tt.size; i++)
                    in_mask |= tt.grad[i] != 0.0f;
                if (in_mask) {
                    n_tr += tt.size;
                    CHECK_MSG(memcmp(tt.grad, ref, tt.size * sizeof(float)) == 0,
                              "mask %s tensor %s", masks[k], tt.name);
                }
            }
            CHECK_MSG(n_tr == xl_nn_n_trainable(m), "mask %s: %llu gradients, %llu trainable",
                      masks[k], (unsigned long long)n_tr,
                      (unsigned long long)xl_nn_n_trainable(m));
        }
        free(full);
    }
    CHECK(xl_nn_set_trainable(m, "bias", &err) == 0);
    CHECK(xl_nn_n_trainable(m) == L * (C + 3 * C + C + C + 4 * C + C) + C);
    CHECK(xl_nn_set_trainable(m, "ln+head", &err) == 0);
    CHECK(xl_nn_n_trainable(m) == 2 * C * (2 * L + 1) + 11 * C);
    CHECK(strcmp(xl_nn_get_trainable(m), "ln+head") == 0);
    CHECK(xl_nn_set_trainable(m, "lora", &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "field 'trainable': 'lora' is not one of all|ln|head|ln+head|bias");
    free(before);
    xl_nn_free(m);
}

static void test_counts_and_errors(void)
{
    xl_nn_config c = {.vocab_size = 4096, .ctx = 128, .n_layer = 4, .n_head = 4, .d_model = 128};
    CHECK(xl_nn_n_params_nonembedding(&c) == 4ull * (12 * 128 * 128 + 13 * 128) + 256);
    CHECK(xl_nn_n_params_total(&c) == xl_nn_n_params_nonembedding(&c) + (4096 + 128) * 128);
    xl_error err;
    xl_nn_model *m;
    c.n_head = 3;
    CHECK(xl_nn_alloc(&c, 1, 8, &m, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "field 'n_head': 3 must be >= 1 and divide d_model 128");
    m = make(&TINY, 1, 0.0);
    /* N is exactly what the model holds besides the two embeddings */
    CHECK(xl_nn_n_floats(m) - (11 + 7) * 8 == xl_nn_n_params_nonembedding(&TINY));
    CHECK(xl_nn_n_floats(m) == xl_nn_n_params_total(&TINY));
    uint16_t in[B * T] = {0}, tg[B * T] = {0};
    in[3] = 11;
    CHECK(xl_nn_forward(m, in, tg, B, T, NULL, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "field 'token': id 11 at position 3 is >= vocab_size 11");
    CHECK(xl_nn_backward(m, &err) == XL_EINVAL);
    CHECK(xl_nn_forward(m, in, tg, B, T + 1, NULL, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "field 'T': 7 is outside [1, 6]");
    /* evaluation: the same loss, and no backward after it */
    in[3] = 1;
    float lf, le;
    CHECK(xl_nn_forward(m, in, tg, B, T, &lf, &err) == 0);
    CHECK(xl_nn_loss(m, in, tg, B, T, &le, &err) == 0);
    CHECK(lf == le);
    CHECK(xl_nn_backward(m, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "no forward pass with targets");
    /* a shorter prefix works and matches the full run's first positions (causality) */
    in[3] = 1;
    CHECK(xl_nn_forward(m, in, NULL, 1, T, NULL, &err) == 0);
    float full[3 * 11];
    memcpy(full, xl_nn_logits(m), sizeof full);
    CHECK(xl_nn_forward(m, in, NULL, 1, 3, NULL, &err) == 0);
    CHECK(memcmp(full, xl_nn_logits(m), sizeof full) == 0 ||
          fabsf(full[32] - xl_nn_logits(m)[32]) < 1e-5f);
    xl_nn_free(m);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    fwrite(p, 1, n, fp);
    fclose(fp);
}

static void test_checkpoints(void)
{
    char dir[] = "/tmp/xl_nn_testXXXXXX", path[256], bad[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/a.ckpt", dir);
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    const char *tok = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    xl_error err;
    xl_nn_model *m = make(&TINY, 21, 0.0);
    float l[4];
    train(m, 4, l);
    const char *extra = "{\"step\":4}";
    CHECK_MSG(xl_nn_checkpoint_save(m, path, tok, 4, 1, extra, strlen(extra), &err) == 0, "%s",
              err.msg);
    xl_nn_checkpoint_header h;
    CHECK(xl_nn_checkpoint_read_header(path, &h, &err) == 0);
    CHECK(h.version == 1 && h.has_optimizer == 1 && h.step == 4);
    CHECK(h.cfg.d_model == 8 && h.cfg.n_head == 2 && h.cfg.vocab_size == 11 && h.cfg.ctx == 7);
    CHECK(strcmp(h.tokenizer_id, tok) == 0);

    /* resume: continuing from the file equals continuing in memory */
    xl_nn_model *r = make(&TINY, 999, 0.0);
    char *ex = NULL;
    size_t nex = 0;
    CHECK_MSG(xl_nn_checkpoint_load(r, path, tok, 1, &h, &ex, &nex, &err) == 0, "%s", err.msg);
    CHECK(ex && nex == strlen(extra) && strcmp(ex, extra) == 0);
    free(ex);
    CHECK(memcmp(xl_nn_params(r), xl_nn_params(m), xl_nn_n_floats(m) * sizeof(float)) == 0);
    float a[3], b[3];
    uint16_t in[B * T], tg[B * T];
    for (int s = 5; s <= 7; s++) {
        batch(in, tg, 11, (uint64_t)s);
        xl_nn_model *mm[2] = {m, r};
        float *out[2] = {a, b};
        for (int k = 0; k < 2; k++) {
            xl_nn_forward(mm[k], in, tg, B, T, &out[k][s - 5], &err);
            xl_nn_zero_grad(mm[k]);
            xl_nn_backward(mm[k], &err);
            /* the loaded copy steps with the fused clip + AdamW: bitwise the same */
            if (k == 0) {
                xl_nn_clip_grad(mm[k], 1.0f);
                xl_nn_adamw_step(mm[k], 3e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, s);
            } else {
                xl_nn_clip_adamw_step(mm[k], 1.0f, 3e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, s);
            }
        }
    }
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(memcmp(xl_nn_params(r), xl_nn_params(m), xl_nn_n_floats(m) * sizeof(float)) == 0);

    /* refusals */
    char *data;
    size_t n;
    CHECK(xl_read_file(path, &data, &n, &err) == 0);
    write_bytes(bad, data, n - 1);
    CHECK(xl_nn_checkpoint_load(r, bad, NULL, 0, NULL, NULL, NULL, &err) == XL_EFORMAT);
    char want[512];
    snprintf(want, sizeof want, "%s: truncated or padded checkpoint: %zu bytes, header implies %zu",
             bad, n - 1, n);
    CHECK_STR_CONTAINS(err.msg, want);
    write_bytes(bad, "hello, world\n", 13);
    CHECK(xl_nn_checkpoint_read_header(bad, &h, &err) == XL_EFORMAT);
    snprintf(want, sizeof want, "%s: not an xferlaw checkpoint (shorter than its header)", bad);
    CHECK_STR_CONTAINS(err.msg, want);
    char junk[300];
    memset(junk, 'x', sizeof junk);
    write_bytes(bad, junk, sizeof junk);
    CHECK(xl_nn_checkpoint_read_header(bad, &h, &err) == XL_EFORMAT);
    snprintf(want, sizeof want, "%s: not an xferlaw checkpoint (bad magic)", bad);
    CHECK_STR_CONTAINS(err.msg, want);
    data[8] = 2; /* version */
    write_bytes(bad, data, n);
    CHECK(xl_nn_checkpoint_read_header(bad, &h, &err) == XL_EFORMAT);
    CHECK_STR_CONTAINS(err.msg, "field 'version': checkpoint version 2, this build reads 1");
    data[8] = 1;
    data[300] ^= 0x40; /* a parameter bit */
    write_bytes(bad, data, n);
    CHECK(xl_nn_checkpoint_read_header(bad, &h, &err) == 0);
    CHECK(xl_nn_checkpoint_load(r, bad, NULL, 0, NULL, NULL, NULL, &err) == XL_EFORMAT);
    snprintf(want, sizeof want, "%s: corrupted checkpoint (hash mismatch)", bad);
    CHECK_STR_CONTAINS(err.msg, want);
    free(data);
    CHECK(xl_nn_checkpoint_load(r, path, "ffff", 0, NULL, NULL, NULL, &err) == XL_EFORMAT);
    CHECK_STR_CONTAINS(err.msg, "field 'tokenizer_id': checkpoint has '0123456789ab...', expected 'ffff...'");
    xl_nn_config other = TINY;
    other.d_model = 12;
    xl_nn_model *o = make(&other, 1, 0.0);
    CHECK(xl_nn_checkpoint_load(o, path, NULL, 0, NULL, NULL, NULL, &err) == XL_EFORMAT);
    snprintf(want, sizeof want, "%s: field 'd_model': checkpoint has 8, the model has 12", path);
    CHECK_STR_CONTAINS(err.msg, want);
    /* without optimizer state: smaller file, and resume is refused */
    CHECK(xl_nn_checkpoint_save(m, bad, tok, 7, 0, NULL, 0, &err) == 0);
    CHECK(xl_nn_checkpoint_load(r, bad, tok, 1, NULL, NULL, NULL, &err) == XL_EFORMAT);
    CHECK_STR_CONTAINS(err.msg, "field 'flags': checkpoint has no optimizer state to resume from");
    CHECK(xl_nn_checkpoint_load(r, bad, tok, 0, &h, NULL, NULL, &err) == 0);
    CHECK(h.step == 7 && h.has_optimizer == 0);
    CHECK(xl_nn_checkpoint_load(r, "/nonexistent/x.ckpt", NULL, 0, NULL, NULL, NULL, &err) == XL_EIO);
    /* a diverged run's weights (hash intact): named as such, not left to fail later as
     * "lower --lr" (issue 14) */
    float keep0 = xl_nn_params(m)[3];
    xl_nn_params(m)[3] = NAN;
    CHECK(xl_nn_checkpoint_save(m, bad, tok, 7, 0, NULL, 0, &err) == 0);
    xl_nn_params(m)[3] = keep0;
    CHECK(xl_nn_checkpoint_load(r, bad, tok, 0, NULL, NULL, NULL, &err) == XL_EFORMAT);
    snprintf(want, sizeof want, "%s: weight 3 of %zu is NaN: the run that wrote this checkpoint "
             "diverged", bad, xl_nn_n_floats(m));
    CHECK_STR_CONTAINS(err.msg, want);
    /* every mutation (a flipped byte anywhere, a cut anywhere) is refused, never crashes,
     * and leaves the model as it was */
    CHECK(xl_read_file(path, &data, &n, &err) == 0);
    size_t nf = xl_nn_n_floats(r);
    float *keep = malloc(nf * sizeof *keep);
    memcpy(keep, xl_nn_params(r), nf * sizeof *keep);
    xl_rng mr;
    xl_rng_seed(&mr, 77);
    int refused = 0;
    for (int k = 0; k < 300; k++) {
        size_t at = (size_t)xl_rng_below(&mr, n);
        int cut = k % 3 == 0;
        unsigned char old = (unsigned char)data[at];
        if (cut)
            write_bytes(bad, data, at);
        else {
            data[at] = (char)(old ^ (1u + xl_rng_below(&mr, 255)));
            write_bytes(bad, data, n);
            data[at] = (char)old;
        }
        char *ex2 = NULL;
        int rc = xl_nn_checkpoint_load(r, bad, NULL, 1, NULL, &ex2, NULL, &err);
        refused += rc == XL_EFORMAT;
        free(ex2);
    }
    CHECK_MSG(refused == 300, "%d of 300 mutated checkpoints refused", refused);
    CHECK(memcmp(keep, xl_nn_params(r), nf * sizeof *keep) == 0);
    free(keep);
    free(data);
    unlink(path);
    unlink(bad);
    rmdir(dir);
    xl_nn_free(o);
    xl_nn_free(r);
    xl_nn_free(m);
}

int main(void)
{
    xl_nn_set_threads(1);
    test_finite_differences();
    test_long_sequence(70, 8, 2);
    test_long_sequence(64, 32, 2);
    test_determinism_and_learning();
    test_trainable_mask();
    test_counts_and_errors();
    test_checkpoints();
    TEST_MAIN_END();
}
