/* The training loop on tiny generated corpora (fast; also under ASan): schedule, run
 * record, determinism, resume reproducing the curve, init-from, trainable, early
 * stopping, refusals. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation" /* test paths are short */
#endif
#include "xl_test.h"
#include "xferlaw/corpus.h"
#include "xferlaw/nn.h"
#include "xferlaw/train.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp[256];

/* Documents of a tiny language: repeated "words" over an alphabet, so a model learns. */
static void build_corpus(const char *name, char first, const xl_tokenizer *tok)
{
    int n = 300;
    char **texts = calloc((size_t)n, sizeof *texts);
    size_t *lens = calloc((size_t)n, sizeof *lens);
    xl_rng r;
    xl_rng_seed(&r, (uint64_t)first);
    const char *words[6] = {"lorem", "ipsum", "dolor", "sit", "amet", "elit"};
    for (int i = 0; i < n; i++) {
        char *s = malloc(400);
        size_t w = 0;
        while (w < 300) {
            const char *wd = words[xl_rng_below(&r, 6)];
            for (const char *p = wd; *p; p++) s[w++] = (char)(first + (*p - 'a'));
            s[w++] = xl_rng_below(&r, 8) ? ' ' : '\n';
        }
        texts[i] = s;
        lens[i] = w;
    }
    xl_corpus_build_opts o = {.root = tmp, .name = name, .val_frac = 0.1, .test_frac = 0.05, .threads = 1};
    xl_corpus_stats st;
    xl_error err;
    CHECK(xl_corpus_build_docs(&o, tok, texts, lens, (size_t)n, &st, &err) == 0);
    for (int i = 0; i < n; i++) free(texts[i]);
    free(texts);
    free(lens);
}

static void tiny(xl_train_config *c, const char *data, const char *out)
{
    xl_train_config_default(c);
    snprintf(c->data, sizeof c->data, "%s", data);
    snprintf(c->corpora, sizeof c->corpora, "%s", tmp);
    snprintf(c->out, sizeof c->out, "%s/%s", tmp, out);
    c->n_layer = 1;
    c->d_model = 16;
    c->n_head = 2;
    c->ctx = 16;
    c->batch = 4;
    c->max_steps = 40;
    c->eval_every = 10;
    c->eval_tokens = 256;
    c->warmup = 5;
    c->lr = 1e-2;
    c->patience = 0;
}

/* the curve without the wall-clock field */
static char *curve_of(const char *out)
{
    char path[1200], *data = NULL;
    size_t n;
    xl_error err;
    snprintf(path, sizeof path, "%s/curve.jsonl", out);
    if (xl_read_file(path, &data, &n, &err)) return NULL;
    for (char *p = data; (p = strstr(p, ",\"seconds\":"));) {
        char *e = strchr(p, '}');
        memmove(p, e, strlen(e) + 1);
    }
    return data;
}

static void test_schedule(void)
{
    xl_train_config c;
    xl_train_config_default(&c);
    c.lr = 1e-3;
    c.warmup = 10;
    c.min_lr_frac = 0.1;
    CHECK_NEAR(xl_train_lr(&c, 1, 110), 1e-4, 1e-12);
    CHECK_NEAR(xl_train_lr(&c, 10, 110), 1e-3, 1e-12);
    CHECK_NEAR(xl_train_lr(&c, 60, 110), 0.55e-3, 1e-12);   /* half way: mean of ends */
    CHECK_NEAR(xl_train_lr(&c, 110, 110), 1e-4, 1e-12);
    CHECK(xl_train_lr(&c, 30, 110) > xl_train_lr(&c, 31, 110));
}

static void test_constant_schedule(void)
{
    xl_train_config c;
    xl_train_config_default(&c);
    c.lr = 1e-3;
    c.warmup = 10;
    snprintf(c.schedule, sizeof c.schedule, "constant");
    CHECK_NEAR(xl_train_lr(&c, 5, 110), 0.5e-3, 1e-12);
    CHECK_NEAR(xl_train_lr(&c, 11, 110), 1e-3, 1e-15);
    CHECK_NEAR(xl_train_lr(&c, 110, 110), 1e-3, 1e-15);   /* the budget is only a cap */
}

/* steps of the evals in a curve.jsonl text */
static int eval_steps(const char *curve, long *steps, int max)
{
    int n = 0;
    for (const char *p = curve; p && (p = strstr(p, "{\"step\":")) && n < max; p++)
        steps[n++] = strtol(p + 8, NULL, 10);
    return n;
}

/* The data-limit protocol: on 40 tokens the model memorises, val rises, and patience in
 * steps (a floor, or a fraction of the best step) ends the run: end = overfit.  Evals
 * thin out with --eval-growth.  The step cap with patience on says end = cap. */
/* 40 tokens at a high constant rate: memorised fast, then val rises */
static void overfit_config(xl_train_config *c, const char *out)
{
    tiny(c, "alpha", out);
    c->data_size = 40;
    c->max_steps = 2000;
    c->eval_every = 5;
    c->lr = 3e-2;
    snprintf(c->schedule, sizeof c->schedule, "constant");
}

static void test_data_limit(void)
{
    xl_train_config c;
    xl_train_result r, r2;
    xl_error err;
    overfit_config(&c, "dl");
    c.patience_steps = 30;
    CHECK(xl_train_run(&c, &r, NULL, &err) == 0);
    CHECK_MSG(r.stopped_early && r.steps < 2000 && r.steps - r.best_step >= 30 &&
              r.steps - r.best_step < 35, "steps %ld best %ld", r.steps, r.best_step);
    CHECK_MSG(r.end && !strcmp(r.end, "overfit"), "end %s", r.end ? r.end : "(null)");
    CHECK(r.last_val_loss > r.best_val_loss);
    CHECK(r.val_unigram > 1 && r.val_unigram < log(1024.0));
    char path[1200];
    snprintf(path, sizeof path, "%s/dl/run.json", tmp);
    cJSON *j = NULL;
    CHECK(xl_json_read_file(path, &j, &err) == 0);
    if (j) {
        CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(j, "end")), "overfit"));
        CHECK_NEAR(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "val_unigram_loss")),
                   r.val_unigram, 1e-12);
        cJSON_Delete(j);
    }
    /* a fraction of the best step widens the window past the floor */
    overfit_config(&c, "dl_frac");
    c.patience_steps = 10;
    c.patience_frac = 2.0;
    CHECK(xl_train_run(&c, &r2, NULL, &err) == 0);
    CHECK_MSG(r2.steps - r2.best_step >= 2 * r2.best_step && r2.steps - r2.best_step >= 10,
              "steps %ld best %ld", r2.steps, r2.best_step);
    /* evals dense early, sparse late: gaps max(5, 0.5 * step) */
    tiny(&c, "alpha", "grow");
    c.max_steps = 100;
    c.eval_every = 5;
    c.eval_growth = 0.5;
    c.patience = 0;
    CHECK(xl_train_run(&c, &r, NULL, &err) == 0);
    char *cv = curve_of(c.out);
    long st[64];
    int n = eval_steps(cv, st, 64);
    long want[] = {5, 10, 15, 22, 33, 49, 73, 100};
    CHECK_MSG(n == 8, "%d evals", n);
    for (int i = 0; i < n && i < 8; i++)
        CHECK_MSG(st[i] == want[i], "eval %d at %ld, want %ld", i, st[i], want[i]);
    CHECK(!strcmp(r.end, "budget"));
    free(cv);
    /* patience on, still improving at the cap: end = cap */
    tiny(&c, "alpha", "cap");
    c.max_steps = 30;
    c.lr = 3e-3;
    snprintf(c.schedule, sizeof c.schedule, "constant");
    c.patience_steps = 1000;
    CHECK(xl_train_run(&c, &r, NULL, &err) == 0);
    CHECK_MSG(!strcmp(r.end, "cap") && r.steps == 30, "end %s steps %ld", r.end, r.steps);
    /* resumed after a kill: the same curve, the same end */
    overfit_config(&c, "dl_resume");
    c.eval_growth = 0.2;
    c.patience_steps = 30;
    c.min_delta = 0.01;
    CHECK(xl_train_run(&c, &r, NULL, &err) == 0);
    char *whole = curve_of(c.out);
    c.halt_at_step = r.best_step;
    snprintf(c.out, sizeof c.out, "%s/dl_resume2", tmp);
    CHECK(xl_train_run(&c, &r2, NULL, &err) == 0 && r2.halted);
    c.halt_at_step = 0;
    c.resume = 1;
    CHECK(xl_train_run(&c, &r2, NULL, &err) == 0);
    char *resumed = curve_of(c.out);
    CHECK_MSG(whole && resumed && !strcmp(whole, resumed), "resumed:\n%s\nwhole:\n%s",
              resumed, whole);
    CHECK(r2.steps == r.steps && !strcmp(r2.end, r.end) && r2.best_step == r.best_step);
    free(whole);
    free(resumed);
    /* bad values are refused with the field's name */
    tiny(&c, "alpha", "bad");
    snprintf(c.schedule, sizeof c.schedule, "linear");
    CHECK(xl_train_run(&c, &r, NULL, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "field 'schedule': must be 'cosine' or 'constant', got 'linear'");
    tiny(&c, "alpha", "bad");
    c.eval_growth = -1;
    CHECK(xl_train_run(&c, &r, NULL, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "field 'eval-growth'");
}

/* Warmup-stable-decay: the stable phase of a run with a cooldown is the run without one,
 * bit for bit (same curve, best, end); then the cooldown's lines: the rate falling to
 * lr/K, evals counted from its start, the best over both phases reported; a kill inside
 * the cooldown (or right at the stable phase's end) resumes to the same curve. */
static void cooldown_config(xl_train_config *c, const char *out, double frac)
{
    overfit_config(c, out);
    c->patience_steps = 30;
    c->eval_growth = 0.2;
    c->min_delta = 0.01;
    c->cooldown_frac = frac;
    c->cooldown_min_steps = 12;
}

static double field_of(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    return p ? strtod(p + strlen(key), NULL) : NAN;
}

static void test_cooldown(void)
{
    xl_train_config c;
    xl_train_result r0, r, r2;
    xl_error err;
    cooldown_config(&c, "cd0", 0);
    CHECK(xl_train_run(&c, &r0, NULL, &err) == 0);
    CHECK(r0.cooldown_steps == 0 && r0.stable_best_val_loss == r0.best_val_loss &&
          r0.stable_best_step == r0.best_step);
    char *stable = curve_of(c.out), path[1200];
    snprintf(path, sizeof path, "%s/stable_best.ckpt", c.out);
    CHECK(!xl_file_exists(path)); /* nothing new without a cooldown */
    cooldown_config(&c, "cd", 1.0);
    CHECK(xl_train_run(&c, &r, NULL, &err) == 0);
    char *whole = curve_of(c.out);
    CHECK_MSG(stable && whole && !strncmp(whole, stable, strlen(stable)),
              "stable phase:\n%s\nwith cooldown:\n%s", stable, whole);
    CHECK(r.stable_best_val_loss == r0.best_val_loss && r.stable_best_step == r0.best_step);
    CHECK(!strcmp(r.end, r0.end) && r.stopped_early == r0.stopped_early);
    long K = r0.best_step > 12 ? r0.best_step : 12;
    CHECK_MSG(r.cooldown_steps == K && r.steps == r0.steps + K, "cooldown %ld steps %ld, K %ld",
              r.cooldown_steps, r.steps, K);
    CHECK(strcmp(r.id, r0.id) != 0);
    /* the cooldown's evals: every 5 steps from its start (then max(5, 0.2 k)), and at its end */
    double best = r0.best_val_loss, last_lr = NAN; /* the curve has 9 digits */
    long best_step = r0.best_step, n = 0, prev = r0.steps;
    for (const char *p = whole ? whole + strlen(stable ? stable : "") : NULL; p && *p;
         p = strchr(p, '\n') + 1, n++) {
        long s = (long)field_of(p, "\"step\":"), k = prev - r0.steps;
        long gap = 0.2 * (double)k > 5 ? (long)(0.2 * (double)k) : 5;
        CHECK_MSG(s == prev + gap || s == r.steps, "cooldown eval at %ld after %ld", s, prev);
        double v = field_of(p, "\"val_loss\":"), lr = field_of(p, "\"lr\":");
        CHECK(lr < c.lr && (isnan(last_lr) || lr < last_lr));
        last_lr = lr;
        if (v < best) { best = v; best_step = s; }
        prev = s;
    }
    CHECK(n >= 3 && prev == r.steps);
    CHECK_NEAR(last_lr, c.lr / (double)K, 1e-9 * c.lr);
    /* never worse than the stable phase: the best over both */
    CHECK_MSG(fabs(r.best_val_loss - best) < 1e-8 && r.best_step == best_step &&
              r.best_val_loss <= r0.best_val_loss, "best %.9g at %ld, curve's %.9g at %ld",
              r.best_val_loss, r.best_step, best, best_step);
    snprintf(path, sizeof path, "%s/run.json", c.out);
    cJSON *j = NULL;
    CHECK(xl_json_read_file(path, &j, &err) == 0);
    if (j) {
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "stable_best_val_loss")) == r0.best_val_loss);
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "stable_best_step")) == r0.best_step);
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "cooldown_steps")) == K);
        cJSON *cf = cJSON_GetObjectItem(j, "config");
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(cf, "cooldown_frac")) == 1.0);
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(cf, "cooldown_min_steps")) == 12);
        cJSON_Delete(j);
    }
    /* killed inside the cooldown, and right after the stable phase's last eval */
    long halts[2] = {r0.steps + 10, r0.steps};
    for (int h = 0; h < 2; h++) {
        cooldown_config(&c, h ? "cd_r1" : "cd_r0", 1.0);
        c.halt_at_step = halts[h];
        CHECK(xl_train_run(&c, &r2, NULL, &err) == 0 && r2.halted && r2.steps == halts[h]);
        c.halt_at_step = 0;
        c.resume = 1;
        CHECK(xl_train_run(&c, &r2, NULL, &err) == 0);
        char *resumed = curve_of(c.out);
        CHECK_MSG(whole && resumed && !strcmp(whole, resumed), "resumed at %ld:\n%s\nwhole:\n%s",
                  halts[h], resumed, whole);
        CHECK(r2.best_val_loss == r.best_val_loss && r2.best_step == r.best_step &&
              r2.cooldown_steps == K && r2.stable_best_val_loss == r.stable_best_val_loss);
        free(resumed);
    }
    /* the minimum alone does not join the id when the cooldown is off */
    cooldown_config(&c, "cd0b", 0);
    c.cooldown_min_steps = 99;
    c.max_steps = 10;
    CHECK(xl_train_run(&c, &r2, NULL, &err) == 0);
    c.cooldown_min_steps = 12;
    xl_train_result r3;
    snprintf(c.out, sizeof c.out, "%s/cd0c", tmp);
    CHECK(xl_train_run(&c, &r3, NULL, &err) == 0 && !strcmp(r2.id, r3.id));
    /* bad values are refused with the option's name */
    cooldown_config(&c, "cdbad", -0.5);
    CHECK(xl_train_run(&c, &r2, NULL, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "field 'cooldown-frac': must be in [0, 10]");
    cooldown_config(&c, "cdbad", 0.2);
    c.cooldown_min_steps = -1;
    CHECK(xl_train_run(&c, &r2, NULL, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "field 'cooldown-min-steps': must be >= 0");
    cooldown_config(&c, "cdbad", 0.2);
    snprintf(c.schedule, sizeof c.schedule, "cosine");
    CHECK(xl_train_run(&c, &r2, NULL, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "field 'cooldown-frac': needs --schedule constant");
    free(stable);
    free(whole);
}

static void test_runs(void)
{
    xl_train_config c;
    xl_train_result r, r2;
    xl_error err;
    tiny(&c, "alpha", "a");
    CHECK(xl_train_run(&c, &r, NULL, &err) == 0);
    CHECK(r.steps == 40 && r.tokens_seen == 40 * 64);
    CHECK(r.best_val_loss < log(1024.0) - 1.0);       /* learned something */
    CHECK(r.N == xl_nn_n_params_nonembedding(&(xl_nn_config){1024, 16, 1, 2, 16}));
    CHECK_NEAR(r.flops, (6.0 * (double)r.N + 6.0 * 16 * 16) * 2560, 1e-12);
    char path[1200];
    snprintf(path, sizeof path, "%s/run.json", c.out);
    cJSON *j = NULL;
    CHECK(xl_json_read_file(path, &j, &err) == 0);
    if (j) {
        CHECK_NEAR(cJSON_GetObjectItem(j, "best_val_loss")->valuedouble, r.best_val_loss, 1e-12);
        CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "data"), "D")->valuedouble > 1000);
        CHECK(strcmp(cJSON_GetObjectItem(j, "id")->valuestring, r.id) == 0);
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(j, "init_from")));
        /* the record names the kernel family OpenBLAS runs (curves are bitwise
         * reproducible only within one) */
        cJSON *blas = cJSON_GetObjectItem(j, "blas");
        cJSON *core = cJSON_GetObjectItem(blas, "core");
        CHECK(cJSON_IsString(core) && strcmp(core->valuestring, xl_nn_blas_core()) == 0 &&
              core->valuestring[0]);
        cJSON *bc = cJSON_GetObjectItem(blas, "config");
        CHECK(cJSON_IsString(bc) && strstr(bc->valuestring, "OpenBLAS"));
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(blas, "threads")) == c.threads);
        cJSON_Delete(j);
    }
    char *ca = curve_of(c.out);
    CHECK(ca && strstr(ca, "\"step\":40,") && !strstr(ca, "\"step\":50,"));

    /* same seed: identical curve; different seed: different */
    tiny(&c, "alpha", "a2");
    CHECK(xl_train_run(&c, &r2, NULL, &err) == 0);
    char *cb = curve_of(c.out);
    CHECK(ca && cb && strcmp(ca, cb) == 0);
    CHECK(strcmp(r.id, r2.id) == 0);
    free(cb);
    tiny(&c, "alpha", "a3");
    c.seed = 2;
    CHECK(xl_train_run(&c, &r2, NULL, &err) == 0);
    cb = curve_of(c.out);
    CHECK(ca && cb && strcmp(ca, cb) != 0);
    CHECK(strcmp(r.id, r2.id) != 0);
    free(cb);

    /* halted at step 20 (as if killed), then resumed: the same curve */
    tiny(&c, "alpha", "r");
    c.halt_at_step = 20;
    CHECK(xl_train_run(&c, &r2, NULL, &err) == 0 && r2.halted);
    snprintf(path, sizeof path, "%s/run.json", c.out);
    CHECK(!xl_file_exists(path));
    /* a line written after last.ckpt (killed mid-way) must not survive the resume */
    snprintf(path, sizeof path, "%s/curve.jsonl", c.out);
    xl_append_line(path, "{\"step\":30,\"junk\":1}\n", &err);
    c.halt_at_step = 0;
    c.resume = 1;
    CHECK(xl_train_run(&c, &r2, NULL, &err) == 0);
    cb = curve_of(c.out);
    CHECK_MSG(ca && cb && strcmp(ca, cb) == 0, "resumed curve:\n%s\nuninterrupted:\n%s", cb, ca);
    CHECK(r2.best_val_loss == r.best_val_loss && r2.best_step == r.best_step);
    free(cb);
    /* resuming with other options is refused */
    c.lr = 5e-3;
    CHECK(xl_train_run(&c, &r2, NULL, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "resume with the same options");

    /* fine-tune from a's best checkpoint on beta: shape from the checkpoint */
    char ck[1200];
    snprintf(ck, sizeof ck, "%s/a/best.ckpt", tmp);
    tiny(&c, "beta", "ft");
    snprintf(c.init_from, sizeof c.init_from, "%s", ck);
    c.d_model = 999; /* ignored */
    c.max_steps = 20;
    CHECK(xl_train_run(&c, &r2, NULL, &err) == 0);
    CHECK(r2.N == r.N);
    xl_train_result r3;
    tiny(&c, "beta", "ft_ln");
    snprintf(c.init_from, sizeof c.init_from, "%s", ck);
    c.max_steps = 20;
    snprintf(c.trainable, sizeof c.trainable, "ln");
    CHECK(xl_train_run(&c, &r3, NULL, &err) == 0);
    CHECK(r3.trainable_fraction > 0 && r3.trainable_fraction < 0.05);
    CHECK(r2.trainable_fraction == 1.0);
    /* a foreign checkpoint is refused with nn's error */
    snprintf(path, sizeof path, "%s/junk.ckpt", tmp);
    xl_write_file_atomic(path, "hello, world, this is not a checkpoint", 38, &err);
    snprintf(c.init_from, sizeof c.init_from, "%s", path);
    CHECK(xl_train_run(&c, &r3, NULL, &err) == XL_EFORMAT);
    free(ca);
}

/* Dropout: recorded, in the id only when on, a resumed run replays the uninterrupted
 * one bit for bit (masks keyed by seed and step), and bad values are refused. */
static void test_dropout(void)
{
    xl_train_config c;
    xl_train_result r, r2;
    xl_error err;
    char path[1200];
    tiny(&c, "alpha", "drop0");
    c.dropout = 0;
    CHECK(xl_train_run(&c, &r, NULL, &err) == 0);
    char *plain = curve_of(c.out);
    snprintf(path, sizeof path, "%s/a/run.json", tmp);
    cJSON *j = NULL;
    CHECK(xl_json_read_file(path, &j, &err) == 0);
    CHECK(j && !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(j, "id")), r.id));
    cJSON_Delete(j);
    tiny(&c, "alpha", "drop");
    c.dropout = 0.2;
    c.attn_dropout = 0.1;
    CHECK(xl_train_run(&c, &r, NULL, &err) == 0);
    char *whole = curve_of(c.out);
    CHECK(whole && plain && strcmp(whole, plain) != 0);
    snprintf(path, sizeof path, "%s/drop/run.json", tmp);
    j = NULL;
    CHECK(xl_json_read_file(path, &j, &err) == 0);
    if (j) {
        cJSON *cf = cJSON_GetObjectItem(j, "config");
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(cf, "dropout")) == 0.2);
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(cf, "attn_dropout")) == 0.1);
        CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(j, "id")), r.id) == 0);
        cJSON_Delete(j);
    }
    /* halted (as if killed) at step 20, resumed: the same curve, the same weights */
    tiny(&c, "alpha", "drop_r");
    c.dropout = 0.2;
    c.attn_dropout = 0.1;
    c.halt_at_step = 20;
    CHECK(xl_train_run(&c, &r2, NULL, &err) == 0 && r2.halted);
    c.halt_at_step = 0;
    c.resume = 1;
    CHECK(xl_train_run(&c, &r2, NULL, &err) == 0);
    char *resumed = curve_of(c.out);
    CHECK_MSG(whole && resumed && !strcmp(whole, resumed), "resumed:\n%s\nwhole:\n%s", resumed,
              whole);
    CHECK(r2.best_val_loss == r.best_val_loss && !strcmp(r2.id, r.id));
    char a[1200], b[1200];
    snprintf(a, sizeof a, "%s/drop/best.ckpt", tmp);
    snprintf(b, sizeof b, "%s/drop_r/best.ckpt", tmp);
    char *da = NULL, *db = NULL;
    size_t na = 0, nb = 0;
    CHECK(xl_read_file(a, &da, &na, &err) == 0 && xl_read_file(b, &db, &nb, &err) == 0);
    CHECK(da && db && na == nb && memcmp(da, db, na) == 0);
    free(da);
    free(db);
    /* resuming with another rate is another run */
    c.dropout = 0.3;
    CHECK(xl_train_run(&c, &r2, NULL, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "resume with the same options");
    free(whole);
    free(resumed);
    free(plain);
    const double bad[3] = {-0.1, 1.0, NAN};
    for (int k = 0; k < 3; k++) {
        tiny(&c, "alpha", "drop_bad");
        c.dropout = bad[k];
        CHECK(xl_train_run(&c, &r, NULL, &err) == XL_EINVAL);
        CHECK_STR_CONTAINS(err.msg, "field 'dropout': must be in [0, 1)");
        tiny(&c, "alpha", "drop_bad");
        c.attn_dropout = bad[k];
        CHECK(xl_train_run(&c, &r, NULL, &err) == XL_EINVAL);
        CHECK_STR_CONTAINS(err.msg, "field 'attn-dropout': must be in [0, 1)");
    }
}

static void test_early_stop_and_errors(void)
{
    xl_train_config c;
    xl_train_result r;
    xl_error err;
    /* 40 tokens of data: memorised fast, then val gets worse and patience stops it */
    tiny(&c, "alpha", "es");
    c.data_size = 40;
    c.max_steps = 400;
    c.eval_every = 10;
    c.patience = 2;
    c.lr = 3e-2;
    CHECK(xl_train_run(&c, &r, NULL, &err) == 0);
    CHECK_MSG(r.stopped_early && r.steps < 400 && r.best_step == r.steps - 20,
              "stopped %d at %ld, best %ld", r.stopped_early, r.steps, r.best_step);
    CHECK(r.D == 40);

    tiny(&c, "nope", "e1");
    CHECK(xl_train_run(&c, &r, NULL, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "unknown corpus 'nope'");
    tiny(&c, "alpha", "e2");
    c.data_size = 100000000;
    CHECK(xl_train_run(&c, &r, NULL, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "larger than corpus 'alpha'");
    tiny(&c, "alpha", "e3");
    c.data_size = 10;
    CHECK(xl_train_run(&c, &r, NULL, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "shorter than one window");
    tiny(&c, "alpha", "e4");
    c.n_head = 3;
    CHECK(xl_train_run(&c, &r, NULL, &err) == XL_EINVAL);
    tiny(&c, "alpha", "e5");
    c.resume = 1;
    CHECK(xl_train_run(&c, &r, NULL, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "no ");
    tiny(&c, "alpha", "e6");
    snprintf(c.trainable, sizeof c.trainable, "wings");
    CHECK(xl_train_run(&c, &r, NULL, &err) != 0);
    /* a checkpoint made with another tokenizer */
    tiny(&c, "gamma", "e7");
    snprintf(c.init_from, sizeof c.init_from, "%s/a/best.ckpt", tmp);
    CHECK(xl_train_run(&c, &r, NULL, &err) == XL_EFORMAT);
    CHECK_STR_CONTAINS(err.msg, "tokenizer");
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/xl_test_train_%d", (int)getpid());
    xl_error err;
    xl_mkdirs(tmp, &err);
    char path[4096];
    xl_test_srcpath(path, sizeof path, "data/tokenizer.txt");
    xl_tokenizer *tok = NULL, *tok2 = NULL;
    CHECK(xl_tokenizer_load(path, &tok, &err) == 0);
    if (!tok) TEST_MAIN_END();
    build_corpus("alpha", 'a', tok);
    build_corpus("beta", 'j', tok);
    /* gamma: same vocab size, another tokenizer */
    const char *t = "some other sample text for another tokenizer, another sample";
    size_t tl = strlen(t);
    CHECK(xl_tokenizer_train(&t, &tl, 1, 300, &tok2, &err) != 0); /* too few merges */
    uint16_t merges[2 * 767];
    for (int i = 0; i < 767; i++) { merges[2 * i] = (uint16_t)('a' + i % 20); merges[2 * i + 1] = (uint16_t)(256 + i - 1 >= 256 ? 256 + i - 1 : 'b'); }
    snprintf(path, sizeof path, "%s/tok2.txt", tmp);
    FILE *f = fopen(path, "w");
    fprintf(f, "xferlaw-bpe 1\nvocab 1024\neot 1023\n");
    for (int i = 0; i < 767; i++) fprintf(f, "%d %d\n", merges[2 * i], merges[2 * i + 1]);
    fclose(f);
    CHECK(xl_tokenizer_load(path, &tok2, &err) == 0);
    if (tok2) build_corpus("gamma", 'a', tok2);
    test_schedule();
    test_constant_schedule();
    test_runs();
    test_data_limit();
    test_dropout();
    test_cooldown();
    test_early_stop_and_errors();
    xl_tokenizer_free(tok);
    xl_tokenizer_free(tok2);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (system(cmd)) {}
    TEST_MAIN_END();
}
