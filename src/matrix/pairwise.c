/* The pairwise protocol planned as a sweep: per size and seed, one stage-one run per source
 * task (base -> n_source of A), one stage-two run per cell (stage one of A -> n_target of
 * B, scored on held-out B) and per target a baseline (base -> n_target of B).  The sweep
 * executor runs them as `xferlaw tasks tune` processes: parallel, resumable after a kill,
 * one line of OUT/runs.jsonl per finished run.  Run ids hash the runs' options, not OUT,
 * so the same protocol in two directories has the same ids. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif
#include "pw_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    char buf[40][1100];
    const char *v[40];
    size_t n;
} argv_t;

static void arg(argv_t *a, const char *opt, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void arg(argv_t *a, const char *opt, const char *fmt, ...)
{
    if (a->n + 2 > 40)
        return;   /* cannot happen: at most 34 words below */
    snprintf(a->buf[a->n], sizeof a->buf[0], "%s", opt);
    a->v[a->n] = a->buf[a->n];
    a->n++;
    if (!fmt)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->buf[a->n], sizeof a->buf[0], fmt, ap);
    va_end(ap);
    a->v[a->n] = a->buf[a->n];
    a->n++;
}

/* Shape of a size (its base checkpoint's when given) and N. */
static int size_config(const xl_pw_spec *s, size_t z, const pw_enc *enc, xl_nn_config *cfg,
                       xl_error *err)
{
    const xl_pw_size *q = &s->sizes[z];
    *cfg = (xl_nn_config){.vocab_size = enc->vocab, .ctx = q->ctx, .n_layer = q->n_layer,
                          .n_head = q->n_head, .d_model = q->d_model};
    if (q->base[0]) {
        xl_nn_checkpoint_header h;
        int rc = xl_nn_checkpoint_read_header(q->base, &h, err);
        if (rc)
            return rc;
        *cfg = h.cfg;
        if (strcmp(h.tokenizer_id, enc->id) != 0)
            return xl_error_at(err, XL_EINVAL, s->path, 0, "tokenizer", "size '%s': %s was "
                               "trained with tokenizer %.12s, not %.12s (%s)", q->name, q->base,
                               h.tokenizer_id, enc->id, s->tokenizer[0] ? s->tokenizer : "bytes");
    }
    if (s->seq > cfg->ctx)
        return xl_error_at(err, XL_EINVAL, s->path, 0, "seq", "%d exceeds the context %d of "
                           "size '%s'", s->seq, cfg->ctx, q->name);
    return XL_OK;
}

static void common(argv_t *a, const xl_pw_spec *s, size_t z, size_t q, const char *stage,
                   const char *task, int n, int steps)
{
    arg(a, "--stage", "%s", stage);
    arg(a, "--task", "%s", task);
    arg(a, "--n-examples", "%d", n);
    arg(a, "--steps", "%d", steps);
    arg(a, "--batch", "%d", s->batch);
    arg(a, "--seq", "%d", s->seq);
    arg(a, "--lr", "%.6g", s->lr);
    arg(a, "--seed", "%llu", (unsigned long long)s->seeds[q]);
    arg(a, "--size", "%s", s->sizes[z].name);
    if (s->tokenizer[0])
        arg(a, "--tokenizer", "%s", s->tokenizer);
}

static void start_args(argv_t *a, const xl_pw_spec *s, size_t z)
{
    const xl_pw_size *q = &s->sizes[z];
    if (q->base[0]) {
        arg(a, "--base", "%s", q->base);
        return;
    }
    arg(a, "--n-layer", "%d", q->n_layer);
    arg(a, "--d-model", "%d", q->d_model);
    arg(a, "--n-head", "%d", q->n_head);
    arg(a, "--ctx", "%d", q->ctx);
}

static int add(xl_pw_plan *p, const xl_pw_spec *s, const argv_t *a, pw_cell c, long dep,
               size_t group, const xl_nn_config *cfg, xl_error *err)
{
    int steps = c.target < 0 ? s->steps_source : s->steps_target;
    double tokens = (double)steps * s->batch * s->seq;
    double fpt = xl_nn_flops_per_token(cfg, s->seq);
    /* greedy decoding: about a dozen forward passes of up to seq tokens per question */
    double eval = c.target < 0 ? 0 : (double)s->n_eval * 12 * s->seq / 3;
    xl_sweep_run r = {.kind = XL_SWEEP_FINETUNE, .curriculum = (size_t)c.source,
                      .model = (size_t)c.size, .N = p->N[c.size],
                      .D = c.target < 0 ? s->n_source : s->n_target,
                      .seed = (long)s->seeds[c.seed], .dep = dep, .est_tokens = tokens,
                      .est_flops = tokens * 6 * p->N[c.size], .est_cost = (tokens + eval) * fpt,
                      .group = group};
    int rc = xl_sweep_plan_add(&p->plan, &r, a->v, a->n, err);
    if (!rc)
        p->cell[p->plan.n - 1] = c;
    return rc;
}

static int plan_runs(xl_pw_plan *p, const xl_pw_spec *s, const pw_enc *enc, xl_error *err)
{
    size_t nt = s->n_tasks, group = 0;
    int rc = XL_OK;
    for (size_t z = 0; z < s->n_sizes && !rc; z++) {
        xl_nn_config cfg;
        if ((rc = size_config(s, z, enc, &cfg, err)))
            break;
        for (size_t q = 0; q < s->n_seeds && !rc; q++) {
            long first[XL_PW_MAX_TASKS];
            for (size_t a = 0; a < nt && !rc; a++) {
                argv_t v = {.n = 0};
                common(&v, s, z, q, "source", s->tasks[a], s->n_source, s->steps_source);
                start_args(&v, s, z);
                first[a] = (long)p->plan.n;
                rc = add(p, s, &v, (pw_cell){(int)z, (int)q, (int)a, -1}, -1, group + a, &cfg,
                         err);
            }
            for (size_t a = 0; a <= nt && !rc; a++)
                for (size_t b = 0; b < nt && !rc; b++) {
                    if (a < nt && s->pairs == XL_PW_DIAGONAL && a != b)
                        continue;
                    argv_t v = {.n = 0};
                    common(&v, s, z, q, "target", s->tasks[b], s->n_target, s->steps_target);
                    arg(&v, "--source", "%s", a < nt ? s->tasks[a] : "none");
                    arg(&v, "--eval-task", "%s", s->tasks[b]);
                    arg(&v, "--n-eval", "%d", s->n_eval);
                    arg(&v, "--no-checkpoint", NULL);
                    if (a == nt)
                        start_args(&v, s, z);
                    rc = add(p, s, &v, (pw_cell){(int)z, (int)q, (int)a, (int)b},
                             a < nt ? first[a] : -1, a < nt ? group + a : group + nt, &cfg, err);
                }
            group += nt + 1;
        }
    }
    return rc;
}

int xl_pw_plan_build(const xl_pw_spec *s, xl_pw_plan **out, xl_error *err)
{
    *out = NULL;
    xl_pw_plan *p = xl_calloc(1, sizeof *p, err);
    if (!p)
        return XL_ENOMEM;
    size_t nt = s->n_tasks;
    size_t per = nt + (s->pairs == XL_PW_DIAGONAL ? 2 * nt : (nt + 1) * nt);
    p->cell = xl_calloc(s->n_sizes * s->n_seeds * per + 1, sizeof *p->cell, err);
    pw_enc enc;
    int rc = p->cell ? pw_enc_open(&enc, s->tokenizer, err) : XL_ENOMEM;
    if (rc) {
        free(p->cell);
        free(p);
        return rc;
    }
    const char *base = strrchr(s->out, '/');
    snprintf(p->name, sizeof p->name, "%s", base && base[1] ? base + 1 : s->out);
    for (size_t a = 0; a <= nt; a++)
        p->cur[a].name = (char *)(a < nt ? s->tasks[a] : "none");
    for (size_t z = 0; z < s->n_sizes; z++) {
        xl_nn_config cfg;
        if ((rc = size_config(s, z, &enc, &cfg, err)))
            break;
        p->N[z] = (double)xl_nn_n_params_nonembedding(&cfg);
        p->models[z] = (xl_sweep_model){.n_layer = cfg.n_layer, .d_model = cfg.d_model,
                                        .n_head = cfg.n_head, .ctx = cfg.ctx, .lr = s->lr,
                                        .batch = s->batch, .pretrain_steps = 1, .warmup = -1};
    }
    p->spec = (xl_sweep_spec){.path = (char *)s->path, .name = p->name, .curricula = p->cur,
                              .n_curricula = nt + 1, .models = p->models,
                              .n_models = s->n_sizes, .vocab = enc.vocab, .eval_every = 1};
    xl_sweep_plan_init(&p->spec, &p->plan);
    if (!rc)
        rc = plan_runs(p, s, &enc, err);
    pw_enc_close(&enc);
    if (rc) {
        xl_pw_plan_free(p);
        return rc;
    }
    *out = p;
    return XL_OK;
}

const xl_sweep_plan *xl_pw_plan_sweep(const xl_pw_plan *p)
{
    return &p->plan;
}

void xl_pw_plan_free(xl_pw_plan *p)
{
    if (!p)
        return;
    xl_sweep_plan_free(&p->plan);
    free(p->cell);
    free(p);
}

int xl_pw_run(const xl_pw_spec *s, const xl_pw_exec *x, size_t *planned, size_t *done,
              xl_error *err)
{
    xl_pw_plan *p;
    int rc = xl_pw_plan_build(s, &p, err);
    if (rc)
        return rc;
    unsigned char *fin = xl_calloc(p->plan.n + 1, 1, err);
    int lock = -1;
    char res[1100];
    snprintf(res, sizeof res, "%s/runs.jsonl", s->out);
    if (!fin)
        rc = XL_ENOMEM;
    if (!rc && x->dry_run) {
        rc = xl_sweep_store_load(res, &p->plan, fin, err);
        size_t k = 0;
        for (size_t i = 0; i < p->plan.n; i++)
            k += fin[i];
        if (planned)
            *planned = p->plan.n;
        if (done)
            *done = k;
        goto out;
    }
    if (!rc)
        rc = xl_mkdirs(s->out, err);
    if (!rc)
        rc = xl_sweep_lock(s->out, ".lock", &lock, err);
    xl_sweep_opts o = {.sweepdir = s->out, .trainer = x->trainer, .jobs = x->jobs,
                       .threads = x->threads > 0 ? x->threads : 1, .log = x->log};
    xl_sweep_stats st = {0};
    if (!rc)
        rc = xl_sweep_exec_local(&p->plan, &o, &st, err);
    if (planned)
        *planned = st.planned;
    if (done)
        *done = st.already + st.finished;
out:
    if (lock >= 0)
        close(lock);
    free(fin);
    xl_pw_plan_free(p);
    return rc;
}
