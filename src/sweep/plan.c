/* Planner: spec -> runs with stable ids and dependencies.
 *
 * One pre-training per (curriculum, N) whose best.ckpt every fine-tune of that pair
 * starts from; one fine-tune per (curriculum, N, seed, D_F); one from-scratch run per
 * (N, seed, D).  A run's id hashes what determines its result (kind, data, shape,
 * optimiser, budget, seed, and the id of the run it starts from) and nothing about
 * where or how it is executed (paths, threads), so a re-plan finds the same ids. */
#include "xferlaw/sweep.h"
#include "xferlaw/nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *xl_sweep_kind_name(xl_sweep_kind k)
{
    return k == XL_SWEEP_PRETRAIN ? "pretrain" : k == XL_SWEEP_FINETUNE ? "finetune" : "scratch";
}

typedef struct {
    char **v;
    size_t n, cap;
    int oom;
} argvec;

static void add(argvec *a, const char *opt, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add(argvec *a, const char *opt, const char *fmt, ...)
{
    if (a->oom)
        return;
    if (a->n + 3 > a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 32;
        char **v = realloc(a->v, cap * sizeof *v);
        if (!v) {
            a->oom = 1;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    if (!(a->v[a->n] = strdup(opt))) {
        a->oom = 1;
        return;
    }
    a->n++;
    if (!fmt)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (!(a->v[a->n] = strdup(buf))) {
        a->oom = 1;
        return;
    }
    a->n++;
}

/* Tokens a fine-tune/scratch run may see at most (early stopping may end it sooner). */
static void budget_args(argvec *a, const xl_sweep_budget *b, double D, const xl_sweep_model *m,
                        double *tokens)
{
    double per_step = (double)m->batch * (double)m->ctx;
    if (!strcmp(b->schedule, "constant")) {
        /* the data-limit protocol: the cap is only a safety net, patience ends the run;
         * the time estimate is epochs * D (at least min_tokens) when epochs is given, plus
         * the cooldown's share */
        double cap = b->max_tokens > 0 ? b->max_tokens : (double)b->max_steps * per_step;
        if (b->max_tokens > 0 && b->max_steps > 0)
            cap = fmin(cap, (double)b->max_steps * per_step);
        cap = fmax(per_step, round(cap));
        add(a, "--max-tokens", "%.0f", cap);
        *tokens = b->epochs > 0 ? fmin(cap, fmax(b->epochs * D, b->min_tokens)) : cap;
        *tokens *= 1 + b->cooldown_frac; /* the cooldown after the stable phase */
        return;
    }
    if (b->epochs > 0 || b->max_tokens > 0) {
        double t = b->epochs > 0 ? b->epochs * D : b->max_tokens;
        if (b->epochs > 0 && b->max_tokens > 0 && t > b->max_tokens)
            t = b->max_tokens;
        if (t < b->min_tokens)
            t = b->min_tokens;
        if (b->max_steps > 0 && t > (double)b->max_steps * per_step)
            t = (double)b->max_steps * per_step;
        t = fmax(per_step, round(t));
        add(a, "--max-tokens", "%.0f", t);
        *tokens = t;
    } else {
        add(a, "--max-steps", "%ld", b->max_steps);
        *tokens = (double)b->max_steps * per_step;
    }
}

/* The data-limit protocol's trainer options (only those set, so that ids of runs
 * planned without them stay as they were). */
static void protocol_args(argvec *a, const xl_sweep_budget *b)
{
    if (b->schedule[0])
        add(a, "--schedule", "%s", b->schedule);
    if (b->patience_steps > 0)
        add(a, "--patience-steps", "%ld", b->patience_steps);
    if (b->patience_frac > 0)
        add(a, "--patience-frac", "%.6g", b->patience_frac);
    if (b->min_delta > 0)
        add(a, "--min-delta", "%.6g", b->min_delta);
    if (b->eval_growth > 0)
        add(a, "--eval-growth", "%.6g", b->eval_growth);
    if (b->cooldown_frac > 0)
        add(a, "--cooldown-frac", "%.6g", b->cooldown_frac);
    if (b->cooldown_frac > 0 && b->cooldown_min_steps > 0)
        add(a, "--cooldown-min-steps", "%ld", b->cooldown_min_steps);
}

/* Dropout of model m's runs of a kind (the section's p, attn unless the model has its
 * own), passed only when non-zero so that ids of runs without it stay as they were. */
static void dropout_args(argvec *a, const xl_sweep_model *m, double p, double attn)
{
    p = m->has_dropout ? m->dropout : p;
    attn = m->has_attn_dropout ? m->attn_dropout : attn;
    if (p > 0)
        add(a, "--dropout", "%.6g", p);
    if (attn > 0)
        add(a, "--attn-dropout", "%.6g", attn);
}

/* warmup: the model's own for runs from a random init (a deep model at a high rate can
 * settle in a worse basin when warmed up briefly; docs/protocol.md), else the spec's */
static void common_args(argvec *a, const xl_sweep_spec *s, long seed, long warmup)
{
    add(a, "--eval-every", "%ld", s->eval_every);
    add(a, "--patience", "%ld", s->patience);
    if (s->eval_tokens > 0)
        add(a, "--eval-tokens", "%ld", s->eval_tokens);
    if (warmup < 0)
        warmup = s->warmup;
    if (warmup >= 0)
        add(a, "--warmup", "%ld", warmup);
    add(a, "--seed", "%ld", seed);
    for (size_t i = 0; i < s->n_train_args; i++)
        add(a, s->train_args[i], NULL);
}

static void shape_args(argvec *a, const xl_sweep_model *m)
{
    add(a, "--n-layer", "%ld", m->n_layer);
    add(a, "--d-model", "%ld", m->d_model);
    add(a, "--n-head", "%ld", m->n_head);
    add(a, "--ctx", "%ld", m->ctx);
}

static xl_nn_config nn_config(const xl_sweep_spec *s, const xl_sweep_model *m)
{
    xl_nn_config c = {.vocab_size = (int)s->vocab, .ctx = (int)m->ctx, .n_layer = (int)m->n_layer,
                      .n_head = (int)m->n_head, .d_model = (int)m->d_model};
    return c;
}

/* FLOPs as the trainer records them (6N + 6LTC per trained token, Kaplan), and the
 * cost that sets the time: the tied head's 6VC per token too (xl_nn_flops_per_token),
 * which dominates small models, plus a forward pass (a third) per evaluated token. */
static void estimate(const xl_sweep_spec *s, const xl_sweep_model *m, xl_sweep_run *r)
{
    xl_nn_config c = nn_config(s, m);
    double N = (double)xl_nn_n_params_nonembedding(&c);
    double attn = 6.0 * (double)m->n_layer * (double)m->ctx * (double)m->d_model;
    double full = xl_nn_flops_per_token(&c, (int)m->ctx);
    double per_eval = s->eval_tokens > 0 ? (double)s->eval_tokens : 16384.0;
    double n_evals = r->est_tokens / ((double)m->batch * (double)m->ctx * (double)s->eval_every) + 1;
    r->est_flops = r->est_tokens * (6.0 * N + attn);
    r->est_cost = r->est_tokens * full + n_evals * per_eval * full / 3;
}

double xl_sweep_cost_per_token(const xl_sweep_spec *s, size_t model)
{
    xl_nn_config c = nn_config(s, &s->models[model]);
    return xl_nn_flops_per_token(&c, (int)s->models[model].ctx);
}

static void make_id(xl_sweep_run *r, const xl_sweep_spec *s, const char *dep_id)
{
    xl_sha256 h;
    xl_sha256_init(&h);
    const char *parts[] = {"xferlaw-sweep/1", xl_sweep_kind_name(r->kind),
                           s->curricula[r->curriculum].name, dep_id ? dep_id : "-"};
    for (size_t i = 0; i < 4; i++)
        xl_sha256_update(&h, parts[i], strlen(parts[i]) + 1);
    for (size_t i = 0; i < r->n_args; i++)
        xl_sha256_update(&h, r->args[i], strlen(r->args[i]) + 1);
    uint8_t d[32];
    xl_sha256_final(&h, d);
    for (int i = 0; i < 8; i++)
        snprintf(r->id + 2 * i, 3, "%02x", d[i]);
}

static int push(xl_sweep_plan *p, size_t *cap, argvec *a, xl_sweep_run *r, xl_error *err)
{
    if (a->oom) {
        for (size_t i = 0; i < a->n; i++)
            free(a->v[i]);
        free(a->v);
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    }
    if (p->n == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        xl_sweep_run *v = realloc(p->runs, nc * sizeof *v);
        if (!v)
            return xl_error_set(err, XL_ENOMEM, "out of memory");
        p->runs = v;
        *cap = nc;
    }
    r->args = a->v;
    r->n_args = a->n;
    make_id(r, p->spec, r->dep >= 0 ? p->runs[r->dep].id : NULL);
    p->runs[p->n++] = *r;
    return XL_OK;
}

static int cmp_id(const void *a, const void *b, void *ctx)
{
    const xl_sweep_run *r = ctx;
    return strcmp(r[*(const size_t *)a].id, r[*(const size_t *)b].id);
}

static int index_ids(xl_sweep_plan *p, xl_error *err)
{
    free(p->by_id);
    p->by_id = xl_calloc(p->n + 1, sizeof *p->by_id, err);
    if (!p->by_id)
        return XL_ENOMEM;
    for (size_t i = 0; i < p->n; i++)
        p->by_id[i] = i;
    qsort_r(p->by_id, p->n, sizeof *p->by_id, cmp_id, p->runs);
    for (size_t k = 0; k + 1 < p->n; k++)
        if (strcmp(p->runs[p->by_id[k]].id, p->runs[p->by_id[k + 1]].id) == 0) {
            size_t i = p->by_id[k], j = p->by_id[k + 1];
            return xl_error_at(err, XL_EINVAL, p->spec->path, 0, NULL,
                               "runs %zu and %zu of the plan are identical (id %s): "
                               "duplicate model shapes?", i < j ? i : j, i < j ? j : i,
                               p->runs[i].id);
        }
    return XL_OK;
}

int xl_sweep_plan_build(const xl_sweep_spec *s, xl_sweep_plan *p, xl_error *err)
{
    memset(p, 0, sizeof *p);
    p->spec = s;
    size_t cap = 0;
    int rc = XL_OK;
    /* pre-training chains first: they are long and gate their fine-tunes */
    for (size_t pass = 0; pass < 2 * s->n_curricula && !rc; pass++) {
        size_t c = pass % s->n_curricula;
        const xl_sweep_curriculum *cu = &s->curricula[c];
        if ((pass < s->n_curricula) != (cu->data != NULL))
            continue;
        for (size_t mi = 0; mi < s->n_models && !rc; mi++) {
            const xl_sweep_model *m = &s->models[mi];
            xl_nn_config nc = nn_config(s, m);
            const long *seeds = m->n_seeds ? m->seeds : s->seeds;
            size_t n_seeds = m->n_seeds ? m->n_seeds : s->n_seeds;
            double N = (double)xl_nn_n_params_nonembedding(&nc);
            if (cu->data) {
                argvec a = {0};
                xl_sweep_run r = {.kind = XL_SWEEP_PRETRAIN, .curriculum = c, .model = mi,
                                  .N = N, .seed = s->seeds[0], .dep = -1, .group = p->n_groups};
                add(&a, "--data", "%s", cu->data);
                shape_args(&a, m);
                add(&a, "--batch", "%ld", m->batch);
                add(&a, "--lr", "%.6g", m->lr);
                if (m->pretrain_steps > 0) {
                    add(&a, "--max-steps", "%ld", m->pretrain_steps);
                    r.est_tokens = (double)m->pretrain_steps * (double)m->batch * (double)m->ctx;
                } else {
                    add(&a, "--max-tokens", "%.0f", m->pretrain_tokens);
                    r.est_tokens = m->pretrain_tokens;
                }
                dropout_args(&a, m, s->pretrain_dropout, s->pretrain_attn_dropout);
                common_args(&a, s, r.seed, m->warmup);
                estimate(s, m, &r);
                long pre = (long)p->n;
                if ((rc = push(p, &cap, &a, &r, err)))
                    break;
                const double *dfs = m->n_d_f ? m->d_f : s->d_f;
                size_t n_dfs = m->n_d_f ? m->n_d_f : s->n_d_f;
                for (size_t si = 0; si < n_seeds && !rc; si++)
                    for (size_t k = 0; k < n_dfs && !rc; k++) {
                        argvec f = {0};
                        xl_sweep_run q = {.kind = XL_SWEEP_FINETUNE, .curriculum = c,
                                          .model = mi, .N = N, .D = dfs[k],
                                          .seed = seeds[si], .dep = pre,
                                          .group = p->n_groups};
                        add(&f, "--data", "%s", s->target);
                        add(&f, "--data-size", "%.0f", q.D);
                        add(&f, "--batch", "%ld", m->batch);
                        add(&f, "--lr", "%.6g", m->lr_finetune > 0 ? m->lr_finetune
                                                                   : m->lr * s->finetune.lr_mult);
                        budget_args(&f, &s->finetune, q.D, m, &q.est_tokens);
                        protocol_args(&f, &s->finetune);
                        dropout_args(&f, m, s->finetune.dropout, s->finetune.attn_dropout);
                        if (s->trainable)
                            add(&f, "--trainable", "%s", s->trainable);
                        common_args(&f, s, q.seed, -1);
                        estimate(s, m, &q);
                        rc = push(p, &cap, &f, &q, err);
                    }
                p->n_groups++;
            } else {
                /* the model's own grid, else the spec's (which defaults to D_F) */
                const double *ds = m->n_d_scratch ? m->d_scratch
                                 : s->n_d_scratch ? s->d_scratch : m->d_f;
                size_t n_ds = m->n_d_scratch ? m->n_d_scratch
                            : s->n_d_scratch ? s->n_d_scratch : m->n_d_f;
                for (size_t si = 0; si < n_seeds && !rc; si++)
                    for (size_t k = 0; k < n_ds && !rc; k++) {
                        argvec a = {0};
                        xl_sweep_run r = {.kind = XL_SWEEP_SCRATCH, .curriculum = c,
                                          .model = mi, .N = N, .D = ds[k],
                                          .seed = seeds[si], .dep = -1,
                                          .group = p->n_groups++};
                        add(&a, "--data", "%s", s->target);
                        add(&a, "--data-size", "%.0f", r.D);
                        shape_args(&a, m);
                        add(&a, "--batch", "%ld", m->batch);
                        add(&a, "--lr", "%.6g", m->lr_scratch > 0 ? m->lr_scratch
                                                                  : m->lr * s->scratch.lr_mult);
                        budget_args(&a, &s->scratch, r.D, m, &r.est_tokens);
                        protocol_args(&a, &s->scratch);
                        dropout_args(&a, m, s->scratch.dropout, s->scratch.attn_dropout);
                        common_args(&a, s, r.seed, m->warmup);
                        estimate(s, m, &r);
                        rc = push(p, &cap, &a, &r, err);
                    }
            }
        }
    }
    if (rc) {
        xl_sweep_plan_free(p);
        return rc;
    }
    /* Two runs with one id would be one run: say so rather than overwrite.  Sorting the
       ids finds it in O(n log n) and gives xl_sweep_plan_find its index. */
    if ((rc = index_ids(p, err))) {
        xl_sweep_plan_free(p);
        return rc;
    }
    return XL_OK;
}

void xl_sweep_plan_init(const xl_sweep_spec *s, xl_sweep_plan *p)
{
    memset(p, 0, sizeof *p);
    p->spec = s;
}

int xl_sweep_plan_add(xl_sweep_plan *p, const xl_sweep_run *r, const char *const *args,
                      size_t n_args, xl_error *err)
{
    argvec a = {0};
    for (size_t i = 0; i < n_args; i++)
        add(&a, args[i], NULL);
    xl_sweep_run q = *r;
    size_t cap = p->n;   /* push reallocates on every add: such plans are small */
    int rc = push(p, &cap, &a, &q, err);
    if (rc)
        return rc;
    const char *id = p->runs[p->n - 1].id;
    for (size_t i = 0; i + 1 < p->n; i++)
        if (strcmp(p->runs[i].id, id) == 0) {
            xl_sweep_run *last = &p->runs[--p->n];
            for (size_t k = 0; k < last->n_args; k++)
                free(last->args[k]);
            free(last->args);
            return xl_error_set(err, XL_EINVAL, "runs %zu and %zu of the plan are identical "
                                "(id %s)", i, p->n, id);
        }
    if (q.group + 1 > p->n_groups)
        p->n_groups = q.group + 1;
    free(p->by_id); /* find() scans until the plan is indexed again */
    p->by_id = NULL;
    return XL_OK;
}

void xl_sweep_plan_free(xl_sweep_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        for (size_t k = 0; k < p->runs[i].n_args; k++)
            free(p->runs[i].args[k]);
        free(p->runs[i].args);
    }
    free(p->runs);
    free(p->by_id);
    memset(p, 0, sizeof *p);
}

long xl_sweep_plan_find(const xl_sweep_plan *p, const char *id)
{
    if (p->by_id) {
        size_t lo = 0, hi = p->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = strcmp(p->runs[p->by_id[mid]].id, id);
            if (c == 0)
                return (long)p->by_id[mid];
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        return -1;
    }
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->runs[i].id, id) == 0)
            return (long)i;
    return -1;
}

double xl_sweep_plan_flops(const xl_sweep_plan *p, const unsigned char *include)
{
    double f = 0;
    for (size_t i = 0; i < p->n; i++)
        if (!include || include[i])
            f += p->runs[i].est_flops;
    return f;
}

double xl_sweep_plan_cost(const xl_sweep_plan *p, const unsigned char *include)
{
    double f = 0;
    for (size_t i = 0; i < p->n; i++)
        if (!include || include[i])
            f += p->runs[i].est_cost;
    return f;
}

typedef struct {
    size_t group;
    double flops;
} gload;

static int cmp_gload(const void *a, const void *b)
{
    const gload *x = a, *y = b;
    if (x->flops != y->flops)
        return x->flops < y->flops ? 1 : -1;
    return (x->group > y->group) - (x->group < y->group);
}

int xl_sweep_plan_shard(const xl_sweep_plan *p, int n, int *shard_of, xl_error *err)
{
    if (n < 1)
        return xl_error_set(err, XL_EINVAL, "number of shards must be >= 1");
    gload *g = xl_calloc(p->n_groups ? p->n_groups : 1, sizeof *g, err);
    double *load = xl_calloc((size_t)n, sizeof *load, err);
    int *gs = xl_calloc(p->n_groups ? p->n_groups : 1, sizeof *gs, err);
    if (!g || !load || !gs) {
        free(g);
        free(load);
        free(gs);
        return XL_ENOMEM;
    }
    for (size_t i = 0; i < p->n_groups; i++)
        g[i].group = i;
    for (size_t i = 0; i < p->n; i++)
        g[p->runs[i].group].flops += p->runs[i].est_cost;
    qsort(g, p->n_groups, sizeof *g, cmp_gload);
    for (size_t i = 0; i < p->n_groups; i++) {
        int best = 0;
        for (int k = 1; k < n; k++)
            if (load[k] < load[best])
                best = k;
        load[best] += g[i].flops;
        gs[g[i].group] = best;
    }
    for (size_t i = 0; i < p->n; i++)
        shard_of[i] = gs[p->runs[i].group];
    free(g);
    free(load);
    free(gs);
    return XL_OK;
}
