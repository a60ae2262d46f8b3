/* The pairwise protocol: fine-tune on n_source examples of A, then n_target of B, score
 * greedy decoding on held-out B; baseline n_target of B alone.  One work unit is
 * (size, seed, source); units run in parallel, each with its own model; every finished
 * cell is appended to OUT/cells.jsonl, which is also what a rerun skips. */
#include "pw_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const xl_pw_spec *s;
    pw_enc enc;
    char **done;          /* keys of finished cells */
    size_t n_done;
    size_t total_cells, finished;
    pthread_mutex_t mu;
    xl_progress prog;
    FILE *progress;
    int failed;
    xl_error err;
} run_ctx;

static void cell_key(char *buf, size_t cap, const char *size, uint64_t seed, const char *src,
                     const char *dst)
{
    snprintf(buf, cap, "%s/%llu/%s/%s", size, (unsigned long long)seed, src, dst);
}

static int is_done(const run_ctx *c, const char *key)
{
    for (size_t i = 0; i < c->n_done; i++)
        if (strcmp(c->done[i], key) == 0)
            return 1;
    return 0;
}

static int load_done(run_ctx *c, const char *path, xl_error *err)
{
    if (!xl_file_exists(path))
        return XL_OK;
    char *data;
    size_t n;
    int rc = xl_read_file(path, &data, &n, err);
    if (rc)
        return rc;
    size_t cap = 0;
    long line = 0;
    char *cursor = data;
    /* a last line without its newline was never committed: XL_LINE_COMPLETE drops it */
    for (char *p; !rc && (p = xl_next_line(&cursor, &line, XL_LINE_COMPLETE));) {
        cJSON *o = cJSON_Parse(p);
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "key");
        if (!cJSON_IsString(k)) {
            rc = xl_error_at(err, XL_EPARSE, path, line, "key", "missing; not a cells file?");
        } else {
            if (c->n_done == cap) {
                cap = cap ? 2 * cap : 64;
                char **g = realloc(c->done, cap * sizeof *g);
                if (!g)
                    rc = xl_error_set(err, XL_ENOMEM, "out of memory");
                else
                    c->done = g;
            }
            if (!rc && !(c->done[c->n_done++] = xl_strdup(k->valuestring, err)))
                rc = XL_ENOMEM;
        }
        cJSON_Delete(o);
    }
    free(data);
    return rc;
}

static void fail(run_ctx *c, const xl_error *e)
{
    pthread_mutex_lock(&c->mu);
    if (!c->failed) {
        c->failed = 1;
        c->err = *e;
    }
    pthread_mutex_unlock(&c->mu);
}

/* Model for a size: shape from the base checkpoint or the spec. */
static int model_for(const run_ctx *c, const xl_pw_size *z, xl_nn_model **m, xl_error *err)
{
    xl_nn_config cfg = {.vocab_size = c->enc.vocab, .ctx = z->ctx, .n_layer = z->n_layer,
                        .n_head = z->n_head, .d_model = z->d_model};
    if (z->base[0]) {
        xl_nn_checkpoint_header h;
        int rc = xl_nn_checkpoint_read_header(z->base, &h, err);
        if (rc)
            return rc;
        cfg = h.cfg;
        if (cfg.vocab_size != c->enc.vocab)
            return xl_error_set(err, XL_EFORMAT, "%s: vocabulary %d, the tokenizer has %d",
                                z->base, cfg.vocab_size, c->enc.vocab);
    }
    if (c->s->seq > cfg.ctx)
        return xl_error_set(err, XL_EINVAL, "field 'seq': %d exceeds the context %d of size "
                            "'%s'", c->s->seq, cfg.ctx, z->name);
    return xl_nn_alloc(&cfg, c->s->batch, c->s->seq, m, err);
}

static int load_base(const run_ctx *c, const xl_pw_size *z, uint64_t seed, xl_nn_model *m,
                     xl_error *err)
{
    if (!z->base[0]) {
        xl_nn_init(m, seed);
        return XL_OK;
    }
    return xl_nn_checkpoint_load(m, z->base, c->enc.id, 0, NULL, NULL, NULL, err);
}

static int record(run_ctx *c, const char *key, const xl_pw_size *z, uint64_t seed,
                  const char *src, const char *dst, const pw_score *sc, long n_params,
                  double seconds, xl_error *err)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "key", key);
    cJSON_AddStringToObject(o, "size", z->name);
    cJSON_AddNumberToObject(o, "N", (double)n_params);
    cJSON_AddNumberToObject(o, "seed", (double)seed);
    cJSON_AddStringToObject(o, "source", src);
    cJSON_AddStringToObject(o, "target", dst);
    cJSON_AddNumberToObject(o, "acc", sc->acc);
    cJSON_AddNumberToObject(o, "correct", sc->correct);
    cJSON_AddNumberToObject(o, "n_eval", sc->n);
    cJSON_AddItemToObject(o, "nll", xl_json_number(sc->nll));
    cJSON_AddNumberToObject(o, "n_source", strcmp(src, "none") ? c->s->n_source : 0);
    cJSON_AddNumberToObject(o, "n_target", c->s->n_target);
    cJSON_AddNumberToObject(o, "seconds", seconds);
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!line)
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    size_t n = strlen(line);
    char *l2 = realloc(line, n + 2);
    if (!l2) {
        free(line);
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    }
    l2[n] = '\n';
    l2[n + 1] = '\0';
    char path[1100];
    snprintf(path, sizeof path, "%s/cells.jsonl", c->s->out);
    int rc = xl_append_line(path, l2, err);
    free(l2);
    return rc;
}

static void unit(void *ctx, size_t u, int worker)
{
    (void)worker;
    run_ctx *c = ctx;
    const xl_pw_spec *s = c->s;
    size_t nt = s->n_tasks, src_i = u % (nt + 1), rest = u / (nt + 1);
    size_t seed_i = rest % s->n_seeds, size_i = rest / s->n_seeds;
    const xl_pw_size *z = &s->sizes[size_i];
    uint64_t seed = s->seeds[seed_i];
    const char *src = src_i < nt ? s->tasks[src_i] : "none";
    char key[256], dir[1200], ckpt[1300];
    size_t todo = 0;
    for (size_t b = 0; b < nt; b++) {
        cell_key(key, sizeof key, z->name, seed, src, s->tasks[b]);
        todo += !is_done(c, key);
    }
    if (todo == 0 || c->failed)
        return;
    xl_error err;
    xl_error_clear(&err);
    xl_nn_model *m = NULL;
    pw_examples ex_src = {0}, ex_tgt = {0}, ex_eval = {0};
    int rc = model_for(c, z, &m, &err);
    snprintf(dir, sizeof dir, "%s/%s/seed%llu", s->out, z->name, (unsigned long long)seed);
    snprintf(ckpt, sizeof ckpt, "%s/after_%s.ckpt", dir, src);
    long n_params = m ? (long)xl_nn_n_params_nonembedding(xl_nn_get_config(m)) : 0;
    /* stage one: n_source examples of the source task (checkpointed for reruns) */
    if (!rc && src_i < nt && !xl_file_exists(ckpt)) {
        rc = load_base(c, z, seed, m, &err);
        if (!rc)
            rc = pw_examples_make(&c->enc, src, (size_t)s->n_source, seed, XL_SPLIT_TRAIN,
                                  &ex_src, &err);
        if (!rc)
            rc = pw_finetune(m, &ex_src, s->steps_source, s->batch, s->seq, (float)s->lr,
                             seed * 1000003u + 17 * src_i + 1, &err);
        if (!rc)
            rc = xl_mkdirs(dir, &err);
        if (!rc)
            rc = xl_nn_checkpoint_save(m, ckpt, c->enc.id, s->steps_source, 0, NULL, 0, &err);
    }
    for (size_t b = 0; b < nt && !rc && !c->failed; b++) {
        cell_key(key, sizeof key, z->name, seed, src, s->tasks[b]);
        if (is_done(c, key))
            continue;
        double t0 = xl_now();
        rc = src_i < nt ? xl_nn_checkpoint_load(m, ckpt, c->enc.id, 0, NULL, NULL, NULL, &err)
                        : load_base(c, z, seed, m, &err);
        /* the same n_target examples and batch order for every source (common random
         * numbers: differences between rows come from the source task, not the draw) */
        if (!rc)
            rc = pw_examples_make(&c->enc, s->tasks[b], (size_t)s->n_target, seed + 7919,
                                  XL_SPLIT_TRAIN, &ex_tgt, &err);
        if (!rc)
            rc = pw_finetune(m, &ex_tgt, s->steps_target, s->batch, s->seq, (float)s->lr,
                             seed * 1000003u + 7777 + b, &err);
        if (!rc)
            rc = pw_examples_make(&c->enc, s->tasks[b], (size_t)s->n_eval, 424242,
                                  XL_SPLIT_TEST, &ex_eval, &err);
        pw_score sc = {0};
        if (!rc)
            rc = pw_evaluate(m, &c->enc, &ex_eval, s->seq, &sc, &err);
        if (!rc)
            rc = record(c, key, z, seed, src, s->tasks[b], &sc, n_params, xl_now() - t0, &err);
        pw_examples_free(&ex_tgt);
        pw_examples_free(&ex_eval);
        if (!rc) {
            pthread_mutex_lock(&c->mu);
            c->finished++;
            if (c->progress) {
                char extra[128];
                snprintf(extra, sizeof extra, "%s %s->%s acc %.2f", z->name, src,
                         s->tasks[b], sc.acc);
                xl_progress_update(&c->prog, (double)c->finished, extra);
            }
            pthread_mutex_unlock(&c->mu);
        }
    }
    pw_examples_free(&ex_src);
    xl_nn_free(m);
    if (rc)
        fail(c, &err);
}

int xl_pw_run(const xl_pw_spec *s, FILE *progress, xl_error *err)
{
    run_ctx c = {.s = s, .progress = progress};
    int rc = pw_enc_open(&c.enc, s->tokenizer, err);
    if (rc)
        return rc;
    char path[1100];
    snprintf(path, sizeof path, "%s/cells.jsonl", s->out);
    if ((rc = xl_mkdirs(s->out, err)) || (rc = load_done(&c, path, err))) {
        pw_enc_close(&c.enc);
        return rc;
    }
    size_t units = s->n_sizes * s->n_seeds * (s->n_tasks + 1);
    c.total_cells = units * s->n_tasks;
    char key[256];
    size_t already = 0;
    for (size_t z = 0; z < s->n_sizes; z++)
        for (size_t q = 0; q < s->n_seeds; q++)
            for (size_t a = 0; a <= s->n_tasks; a++)
                for (size_t b = 0; b < s->n_tasks; b++) {
                    cell_key(key, sizeof key, s->sizes[z].name, s->seeds[q],
                             a < s->n_tasks ? s->tasks[a] : "none", s->tasks[b]);
                    already += is_done(&c, key);
                }
    pthread_mutex_init(&c.mu, NULL);
    if (progress)
        xl_progress_init(&c.prog, progress, "matrix", (double)(c.total_cells - already));
    /* one BLAS thread per model; parallelism comes from running units side by side */
    xl_nn_set_threads(1);
    int threads = s->threads > 0 ? s->threads : xl_num_cores();
    rc = xl_parallel_for(units, threads, unit, &c, err);
    if (progress)
        xl_progress_finish(&c.prog, NULL);
    if (!rc && c.failed) {
        *err = c.err;
        rc = c.err.code ? c.err.code : XL_EINVAL;
    }
    pthread_mutex_destroy(&c.mu);
    for (size_t i = 0; i < c.n_done; i++)
        free(c.done[i]);
    free(c.done);
    pw_enc_close(&c.enc);
    return rc;
}
