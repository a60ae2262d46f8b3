/* Sweep spec: JSON in, validated struct out.  Every error names the file and the
 * field path ("models[2].d_model"), because specs are written by hand. */
#include "xferlaw/sweep.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *file;
    xl_error *err;
} ctx;

static int fail(ctx *c, const char *field, const char *fmt, const char *detail)
{
    return xl_error_at(c->err, XL_EINVAL, c->file, 0, field, fmt, detail ? detail : "");
}

static const char *const TOP_KEYS[] = {"name", "target", "corpora", "models", "curricula",
    "pretrain", "finetune", "scratch", "seeds", "lr", "batch", "early_stopping",
    "train_args", "flops_per_s", "warmup", "vocab", NULL};
static const char *const MODEL_KEYS[] = {"n_layer", "d_model", "n_head", "ctx", "lr", "batch",
    "pretrain_tokens", "pretrain_steps", "lr_finetune", "lr_scratch", "D_F", "D", NULL};
static const char *const BUDGET_KEYS[] = {"D_F", "D", "epochs", "min_tokens", "max_tokens",
    "max_steps", "lr_mult", "trainable", "schedule", "patience_steps", "patience_frac",
    "min_delta", "eval_growth", "cooldown_frac", "cooldown_min_steps", NULL};

/* Typos must not be silently ignored: an unknown key is an error. */
static int check_keys(ctx *c, const cJSON *obj, const char *const *keys, const char *where)
{
    return xl_json_check_keys(obj, keys, where, c->file, c->err);
}

static int get_num(ctx *c, const cJSON *obj, const char *key, const char *where, double *out,
                   int required, int integer, double min)
{
    char f[160];
    snprintf(f, sizeof f, "%s%s%s", where, *where ? "." : "", key);
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it)
        return required ? fail(c, f, "missing required field%s", NULL) : XL_OK;
    const char *what = integer ? (min > 0 ? "must be a positive integer%s"
                                          : "must be a non-negative integer%s")
                               : (min > 0 ? "must be a positive number%s"
                                          : "must be a non-negative number%s");
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < min ||
        (integer && (it->valuedouble != floor(it->valuedouble) || it->valuedouble > 9e15)))
        return fail(c, f, what, NULL);
    *out = it->valuedouble;
    return XL_OK;
}

static int get_long(ctx *c, const cJSON *obj, const char *key, const char *where, long *out,
                    int required, long min)
{
    double v = (double)*out;
    int rc = get_num(c, obj, key, where, &v, required, 1, (double)min);
    if (rc == XL_OK)
        *out = (long)v;
    return rc;
}

static int get_str(ctx *c, const cJSON *obj, const char *key, const char *where, char **out,
                   int required)
{
    char f[160];
    snprintf(f, sizeof f, "%s%s%s", where, *where ? "." : "", key);
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it)
        return required ? fail(c, f, "missing required field%s", NULL) : XL_OK;
    if (!cJSON_IsString(it) || !it->valuestring[0])
        return fail(c, f, "must be a non-empty string%s", NULL);
    free(*out);
    *out = xl_strdup(it->valuestring, c->err);
    return *out ? XL_OK : XL_ENOMEM;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A list of sizes [a, b, ...] or a geometric {from, to, count}, rounded to whole
 * tokens, sorted, de-duplicated. */
static int get_sizes(ctx *c, const cJSON *it, const char *f, double **out, size_t *n)
{
    double *v = NULL;
    size_t k = 0;
    char g[200];
    if (cJSON_IsArray(it)) {
        int m = cJSON_GetArraySize(it);
        if (m == 0)
            return fail(c, f, "must not be empty%s", NULL);
        v = xl_calloc((size_t)m, sizeof *v, c->err);
        if (!v)
            return XL_ENOMEM;
        for (const cJSON *e = it->child; e; e = e->next, k++) {
            if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) || e->valuedouble < 1) {
                snprintf(g, sizeof g, "%s[%zu]", f, k);
                free(v);
                return fail(c, g, "must be a positive number of tokens%s", NULL);
            }
            v[k] = round(e->valuedouble);
        }
    } else if (cJSON_IsObject(it)) {
        double from = 0, to = 0, count = 0;
        const char *const keys[] = {"from", "to", "count", NULL};
        int rc = check_keys(c, it, keys, f);
        if (!rc)
            rc = get_num(c, it, "from", f, &from, 1, 0, 1);
        if (!rc)
            rc = get_num(c, it, "to", f, &to, 1, 0, 1);
        if (!rc)
            rc = get_num(c, it, "count", f, &count, 1, 1, 1);
        if (rc)
            return rc;
        if (to < from) {
            snprintf(g, sizeof g, "%s.to", f);
            return fail(c, g, "must be >= 'from'%s", NULL);
        }
        /* a grid of data sizes, not an allocation size: bounded (found by fuzz_spec) */
        if (count > 10000 || count != floor(count)) {
            snprintf(g, sizeof g, "%s.count", f);
            return fail(c, g, "must be a whole number of sizes in [1, 10000]%s", NULL);
        }
        v = xl_calloc((size_t)count, sizeof *v, c->err);
        if (!v)
            return XL_ENOMEM;
        for (; k < (size_t)count; k++)
            v[k] = round(count == 1 ? from
                                    : from * pow(to / from, (double)k / (count - 1)));
    } else {
        return fail(c, f, "must be a list of sizes or {\"from\", \"to\", \"count\"}%s", NULL);
    }
    qsort(v, k, sizeof *v, cmp_double);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || v[i] != v[u - 1])
            v[u++] = v[i];
    *out = v;
    *n = u;
    return XL_OK;
}

/* "lr": number, or {"base", "ref_d_model", "exponent"}: lr = base (C/ref)^exponent. */
static int resolve_lr(ctx *c, const cJSON *rule, long d_model, double *lr)
{
    if (!rule) {
        *lr = 3e-3;
        return XL_OK;
    }
    if (cJSON_IsNumber(rule)) {
        if (!(rule->valuedouble > 0) || !isfinite(rule->valuedouble))
            return fail(c, "lr", "must be a positive number%s", NULL);
        *lr = rule->valuedouble;
        return XL_OK;
    }
    if (!cJSON_IsObject(rule))
        return fail(c, "lr", "must be a number or {\"base\", \"ref_d_model\", \"exponent\"}%s",
                    NULL);
    const char *const keys[] = {"base", "ref_d_model", "exponent", NULL};
    double base = 0, ref = 64, ex = 0;
    int rc = check_keys(c, rule, keys, "lr");
    if (!rc)
        rc = get_num(c, rule, "base", "lr", &base, 1, 0, 1e-300);
    if (!rc)
        rc = get_num(c, rule, "ref_d_model", "lr", &ref, 0, 0, 1e-300);
    if (!rc) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(rule, "exponent");
        if (e && (!cJSON_IsNumber(e) || !isfinite(e->valuedouble)))
            return fail(c, "lr.exponent", "must be a number%s", NULL);
        ex = e ? e->valuedouble : 0;
    }
    if (rc)
        return rc;
    *lr = base * pow((double)d_model / ref, ex);
    return XL_OK;
}

static int parse_models(ctx *c, const cJSON *root, xl_sweep_spec *s)
{
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(root, "models");
    if (!ms)
        return fail(c, "models", "missing required field%s", NULL);
    if (!cJSON_IsArray(ms) || cJSON_GetArraySize(ms) == 0)
        return fail(c, "models", "must be a non-empty list of model shapes%s", NULL);
    s->n_models = (size_t)cJSON_GetArraySize(ms);
    s->models = xl_calloc(s->n_models, sizeof *s->models, c->err);
    if (!s->models)
        return XL_ENOMEM;
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(root, "pretrain");
    double pre_tokens = 0, pre_tpp = 0, pre_min = 0, pre_max = 0;
    long pre_steps = 0, batch = 16;
    int rc = XL_OK;
    if (pre) {
        const char *const keys[] = {"tokens", "steps", "tokens_per_param", "min_tokens",
                                    "max_tokens", NULL};
        if (!cJSON_IsObject(pre))
            return fail(c, "pretrain", "must be an object {\"tokens\"|\"steps\"|"
                                       "\"tokens_per_param\"}%s", NULL);
        rc = check_keys(c, pre, keys, "pretrain");
        if (!rc)
            rc = get_num(c, pre, "tokens", "pretrain", &pre_tokens, 0, 0, 1);
        if (!rc)
            rc = get_long(c, pre, "steps", "pretrain", &pre_steps, 0, 1);
        if (!rc)
            rc = get_num(c, pre, "tokens_per_param", "pretrain", &pre_tpp, 0, 0, 1e-300);
        if (!rc)
            rc = get_num(c, pre, "min_tokens", "pretrain", &pre_min, 0, 0, 0);
        if (!rc)
            rc = get_num(c, pre, "max_tokens", "pretrain", &pre_max, 0, 0, 0);
        if (rc)
            return rc;
        if ((pre_min > 0 || pre_max > 0) && pre_tpp == 0)
            return fail(c, "pretrain", "'min_tokens' and 'max_tokens' bound 'tokens_per_param'%s",
                        NULL);
        if ((pre_tokens > 0) + (pre_steps > 0) + (pre_tpp > 0) > 1)
            return fail(c, "pretrain", "give one of 'tokens', 'steps', 'tokens_per_param'%s",
                        NULL);
    }
    rc = get_long(c, root, "batch", "", &batch, 0, 1);
    if (rc)
        return rc;
    const cJSON *lr_rule = cJSON_GetObjectItemCaseSensitive(root, "lr");
    size_t i = 0;
    for (const cJSON *m = ms->child; m; m = m->next, i++) {
        char w[64];
        snprintf(w, sizeof w, "models[%zu]", i);
        if (!cJSON_IsObject(m))
            return fail(c, w, "must be an object {n_layer, d_model, n_head, ctx}%s", NULL);
        xl_sweep_model *md = &s->models[i];
        md->batch = batch;
        if ((rc = check_keys(c, m, MODEL_KEYS, w)) ||
            (rc = get_long(c, m, "n_layer", w, &md->n_layer, 1, 1)) ||
            (rc = get_long(c, m, "d_model", w, &md->d_model, 1, 1)) ||
            (rc = get_long(c, m, "n_head", w, &md->n_head, 1, 1)) ||
            (rc = get_long(c, m, "ctx", w, &md->ctx, 1, 1)) ||
            (rc = get_long(c, m, "batch", w, &md->batch, 0, 1)) ||
            (rc = get_num(c, m, "pretrain_tokens", w, &md->pretrain_tokens, 0, 0, 1)) ||
            (rc = get_long(c, m, "pretrain_steps", w, &md->pretrain_steps, 0, 1)))
            return rc;
        if (md->d_model % md->n_head) {
            char f[96];
            snprintf(f, sizeof f, "%s.n_head", w);
            return fail(c, f, "must divide d_model%s", NULL);
        }
        /* the trainer's limits (xl_nn_config_check), here rather than hours into a sweep */
        const struct { const char *k; long v, max; } lim[] = {
            {"n_layer", md->n_layer, 1024}, {"d_model", md->d_model, 65536},
            {"ctx", md->ctx, 65536}};
        for (int q = 0; q < 3; q++)
            if (lim[q].v > lim[q].max) {
                char f[96];
                snprintf(f, sizeof f, "%s.%s", w, lim[q].k);
                return xl_error_at(c->err, XL_EINVAL, c->file, 0, f,
                                   "%ld is above the trainer's limit of %ld", lim[q].v,
                                   lim[q].max);
            }
        if (cJSON_GetObjectItemCaseSensitive(m, "lr")) {
            double lr = 0;
            if ((rc = get_num(c, m, "lr", w, &lr, 1, 0, 1e-300)))
                return rc;
            md->lr = lr;
        } else if ((rc = resolve_lr(c, lr_rule, md->d_model, &md->lr))) {
            return rc;
        }
        if (md->pretrain_tokens > 0 && md->pretrain_steps > 0) {
            char f[96];
            snprintf(f, sizeof f, "%s.pretrain_steps", w);
            return fail(c, f, "give pretrain_tokens or pretrain_steps, not both%s", NULL);
        }
        if (md->pretrain_tokens == 0 && md->pretrain_steps == 0) {
            md->pretrain_tokens = pre_tokens;
            md->pretrain_steps = pre_steps;
            if (pre_tpp > 0)
            if (pre_tpp > 0) {
                /* larger models are pre-trained on more (tokens per parameter, Kaplan N as
                 * xl_nn counts it), within what the corpus holds (max_tokens) */
                double t = round(pre_tpp * ((double)md->n_layer * (12.0 * (double)md->d_model *
                                 (double)md->d_model + 13.0 * (double)md->d_model) +
                                 2.0 * (double)md->d_model));
                if (pre_max > 0 && t > pre_max) t = pre_max;
                if (t < pre_min) t = pre_min;
                md->pretrain_tokens = t;
            }
        }
        if ((rc = get_num(c, m, "lr_finetune", w, &md->lr_finetune, 0, 0, 1e-300)) ||
            (rc = get_num(c, m, "lr_scratch", w, &md->lr_scratch, 0, 0, 1e-300)))
            return rc;
        const cJSON *g;
        char f[96];
        if ((g = cJSON_GetObjectItemCaseSensitive(m, "D_F"))) {
            snprintf(f, sizeof f, "%s.D_F", w);
            if ((rc = get_sizes(c, g, f, &md->d_f, &md->n_d_f)))
                return rc;
        }
        if ((g = cJSON_GetObjectItemCaseSensitive(m, "D"))) {
            snprintf(f, sizeof f, "%s.D", w);
            if ((rc = get_sizes(c, g, f, &md->d_scratch, &md->n_d_scratch)))
                return rc;
        }
    }
    return XL_OK;
}

static int parse_curricula(ctx *c, const cJSON *root, xl_sweep_spec *s)
{
    const cJSON *cs = cJSON_GetObjectItemCaseSensitive(root, "curricula");
    if (!cs)
        return fail(c, "curricula", "missing required field%s", NULL);
    if (!cJSON_IsArray(cs) || cJSON_GetArraySize(cs) == 0)
        return fail(c, "curricula", "must be a non-empty list%s", NULL);
    s->n_curricula = (size_t)cJSON_GetArraySize(cs);
    s->curricula = xl_calloc(s->n_curricula, sizeof *s->curricula, c->err);
    if (!s->curricula)
        return XL_ENOMEM;
    size_t i = 0;
    for (const cJSON *e = cs->child; e; e = e->next, i++) {
        char w[64];
        snprintf(w, sizeof w, "curricula[%zu]", i);
        xl_sweep_curriculum *cu = &s->curricula[i];
        int rc = XL_OK;
        if (cJSON_IsString(e) && e->valuestring[0]) {
            cu->name = xl_strdup(e->valuestring, c->err);
            if (!cu->name)
                return XL_ENOMEM;
            if (strcmp(cu->name, "scratch") != 0 && !(cu->data = xl_strdup(cu->name, c->err)))
                return XL_ENOMEM;
        } else if (cJSON_IsObject(e)) {
            const char *const keys[] = {"name", "data", NULL};
            if ((rc = check_keys(c, e, keys, w)) || (rc = get_str(c, e, "name", w, &cu->name, 1)))
                return rc;
            if (strcmp(cu->name, "scratch") != 0 && (rc = get_str(c, e, "data", w, &cu->data, 1)))
                return rc;
        } else {
            return fail(c, w, "must be \"scratch\", a corpus/mixture like \"text:0.5,code:0.5\","
                              " or {\"name\", \"data\"}%s", NULL);
        }
        /* the name becomes a directory under the sweep */
        const char *why = xl_path_segment_problem(cu->name);
        if (why)
            return fail(c, w, "name %s", why);
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->curricula[j].name, cu->name) == 0)
                return fail(c, w, "duplicate curriculum '%s'", cu->name);
    }
    return XL_OK;
}

static int parse_budget(ctx *c, const cJSON *root, const char *key, xl_sweep_budget *b,
                        double **sizes, size_t *n_sizes, const char *size_key, char **trainable)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, key);
    b->lr_mult = 1;
    if (!o)
        return XL_OK;
    if (!cJSON_IsObject(o))
        return fail(c, key, "must be an object%s", NULL);
    int rc;
    if ((rc = check_keys(c, o, BUDGET_KEYS, key)))
        return rc;
    const char *other = strcmp(size_key, "D") == 0 ? "D_F" : "D";
    if (cJSON_GetObjectItemCaseSensitive(o, other)) {
        char f[64];
        snprintf(f, sizeof f, "%s.%s", key, other);
        return fail(c, f, "belongs to the other section (fine-tunes use D_F, scratch uses D)%s",
                    NULL);
    }
    if (!trainable && cJSON_GetObjectItemCaseSensitive(o, "trainable"))
        return fail(c, "scratch.trainable", "only fine-tunes take 'trainable'%s", NULL);
    const cJSON *sz = cJSON_GetObjectItemCaseSensitive(o, size_key);
    if (sz) {
        char f[64];
        snprintf(f, sizeof f, "%s.%s", key, size_key);
        if ((rc = get_sizes(c, sz, f, sizes, n_sizes)))
            return rc;
    }
    char *sched = NULL;
    if ((rc = get_num(c, o, "epochs", key, &b->epochs, 0, 0, 1e-300)) ||
        (rc = get_num(c, o, "min_tokens", key, &b->min_tokens, 0, 0, 0)) ||
        (rc = get_num(c, o, "max_tokens", key, &b->max_tokens, 0, 0, 1)) ||
        (rc = get_long(c, o, "max_steps", key, &b->max_steps, 0, 1)) ||
        (rc = get_num(c, o, "lr_mult", key, &b->lr_mult, 0, 0, 1e-300)) ||
        (rc = get_long(c, o, "patience_steps", key, &b->patience_steps, 0, 0)) ||
        (rc = get_num(c, o, "patience_frac", key, &b->patience_frac, 0, 0, 0)) ||
        (rc = get_num(c, o, "min_delta", key, &b->min_delta, 0, 0, 0)) ||
        (rc = get_num(c, o, "eval_growth", key, &b->eval_growth, 0, 0, 0)) ||
        (rc = get_num(c, o, "cooldown_frac", key, &b->cooldown_frac, 0, 0, 0)) ||
        (rc = get_long(c, o, "cooldown_min_steps", key, &b->cooldown_min_steps, 0, 1)) ||
        (rc = get_str(c, o, "schedule", key, &sched, 0)))
        return rc;
    if (sched) {
        int ok = !strcmp(sched, "cosine") || !strcmp(sched, "constant");
        if (ok) snprintf(b->schedule, sizeof b->schedule, "%s", sched);
        free(sched);
        if (!ok) {
            char f[64];
            snprintf(f, sizeof f, "%s.schedule", key);
            return fail(c, f, "must be \"cosine\" or \"constant\"%s", NULL);
        }
    }
    if (!strcmp(b->schedule, "constant") && b->max_tokens == 0 && b->max_steps == 0) {
        char f[64];
        snprintf(f, sizeof f, "%s.max_tokens", key);
        return fail(c, f, "the constant schedule trains to the data limit: give a safety cap"
                          " ('max_tokens' or 'max_steps')%s", NULL);
    }
    if (b->eval_growth > 10) {
        char f[64];
        snprintf(f, sizeof f, "%s.eval_growth", key);
        return fail(c, f, "must be in [0, 10]%s", NULL);
    }
    if (b->cooldown_frac > 10) {
        char f[64];
        snprintf(f, sizeof f, "%s.cooldown_frac", key);
        return fail(c, f, "must be in [0, 10]%s", NULL);
    }
    if (b->cooldown_frac > 0 && strcmp(b->schedule, "constant")) {
        char f[64];
        snprintf(f, sizeof f, "%s.cooldown_frac", key);
        return fail(c, f, "needs \"schedule\": \"constant\" (a cosine schedule decays already)%s",
                    NULL);
    }
    if (trainable && (rc = get_str(c, o, "trainable", key, trainable, 0)))
        return rc;
    return XL_OK;
}

static int parse_misc(ctx *c, const cJSON *root, xl_sweep_spec *s)
{
    int rc;
    const cJSON *seeds = cJSON_GetObjectItemCaseSensitive(root, "seeds");
    if (seeds) {
        if (!cJSON_IsArray(seeds) || cJSON_GetArraySize(seeds) == 0)
            return fail(c, "seeds", "must be a non-empty list of integers%s", NULL);
        s->n_seeds = (size_t)cJSON_GetArraySize(seeds);
        s->seeds = xl_calloc(s->n_seeds, sizeof *s->seeds, c->err);
        if (!s->seeds)
            return XL_ENOMEM;
        size_t i = 0;
        for (const cJSON *e = seeds->child; e; e = e->next, i++) {
            if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) ||
                e->valuedouble < 0 || e->valuedouble > 9e15) {
                char f[64];
                snprintf(f, sizeof f, "seeds[%zu]", i);
                return fail(c, f, "must be a non-negative integer%s", NULL);
            }
            s->seeds[i] = (long)e->valuedouble;
        }
    } else {
        s->n_seeds = 1;
        if (!(s->seeds = xl_calloc(1, sizeof *s->seeds, c->err)))
            return XL_ENOMEM;
        s->seeds[0] = 1;
    }
    const cJSON *es = cJSON_GetObjectItemCaseSensitive(root, "early_stopping");
    s->eval_every = 50;
    s->patience = 4;
    if (es) {
        const char *const keys[] = {"eval_every", "patience", "eval_tokens", NULL};
        if (!cJSON_IsObject(es))
            return fail(c, "early_stopping", "must be an object {eval_every, patience,"
                                             " eval_tokens}%s", NULL);
        if ((rc = check_keys(c, es, keys, "early_stopping")) ||
            (rc = get_long(c, es, "eval_every", "early_stopping", &s->eval_every, 0, 1)) ||
            (rc = get_long(c, es, "patience", "early_stopping", &s->patience, 0, 0)) ||
            (rc = get_long(c, es, "eval_tokens", "early_stopping", &s->eval_tokens, 0, 1)))
            return rc;
    }
    if ((rc = get_long(c, root, "warmup", "", &s->warmup, 0, 0)) ||
        (rc = get_num(c, root, "flops_per_s", "", &s->flops_per_s, 0, 0, 1)))
        return rc;
    s->vocab = 1024;
    if ((rc = get_long(c, root, "vocab", "", &s->vocab, 0, 2)))
        return rc;
    s->warmup = cJSON_GetObjectItemCaseSensitive(root, "warmup") ? s->warmup : -1;
    const cJSON *ta = cJSON_GetObjectItemCaseSensitive(root, "train_args");
    if (ta) {
        if (!cJSON_IsArray(ta))
            return fail(c, "train_args", "must be a list of strings%s", NULL);
        s->n_train_args = (size_t)cJSON_GetArraySize(ta);
        s->train_args = xl_calloc(s->n_train_args + 1, sizeof *s->train_args, c->err);
        if (!s->train_args)
            return XL_ENOMEM;
        size_t i = 0;
        for (const cJSON *e = ta->child; e; e = e->next, i++) {
            char f[64];
            snprintf(f, sizeof f, "train_args[%zu]", i);
            if (!cJSON_IsString(e))
                return fail(c, f, "must be a string%s", NULL);
            static const char *const owned[] = {"--out", "--data", "--init-from", "--resume",
                "--threads", "--seed", "--data-size", NULL};
            for (size_t k = 0; owned[k]; k++)
                if (strcmp(e->valuestring, owned[k]) == 0)
                    return fail(c, f, "'%s' is set by the sweep itself", owned[k]);
            if (!(s->train_args[i] = xl_strdup(e->valuestring, c->err)))
                return XL_ENOMEM;
        }
    }
    return XL_OK;
}

static int budget_given(const xl_sweep_budget *b)
{
    return b->epochs > 0 || b->max_tokens > 0 || b->max_steps > 0;
}

int xl_sweep_spec_parse(const char *text, const char *path, xl_sweep_spec *s, xl_error *err)
{
    memset(s, 0, sizeof *s);
    ctx c = {path ? path : "spec", err};
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        long line = 1;
        for (const char *p = text; end && p < end; p++)
            line += *p == '\n';
        return xl_error_at(err, XL_EPARSE, c.file, line, NULL, "malformed JSON near '%.20s'",
                           end ? end : "");
    }
    int rc = XL_OK;
    if (!(s->path = xl_strdup(c.file, err))) {
        rc = XL_ENOMEM;
        goto out;
    }
    if (!cJSON_IsObject(root)) {
        rc = xl_error_at(err, XL_EINVAL, c.file, 0, NULL, "a sweep spec must be a JSON object");
        goto out;
    }
    if ((rc = check_keys(&c, root, TOP_KEYS, "")) || (rc = get_str(&c, root, "name", "", &s->name, 0)) ||
        (rc = get_str(&c, root, "target", "", &s->target, 1)) ||
        (rc = get_str(&c, root, "corpora", "", &s->corpora, 0)) ||
        (rc = parse_models(&c, root, s)) || (rc = parse_curricula(&c, root, s)) ||
        (rc = parse_budget(&c, root, "finetune", &s->finetune, &s->d_f, &s->n_d_f, "D_F",
                           &s->trainable)) ||
        (rc = parse_budget(&c, root, "scratch", &s->scratch, &s->d_scratch, &s->n_d_scratch, "D",
                           NULL)) ||
        (rc = parse_misc(&c, root, s)))
        goto out;
    if (!s->name) {
        const char *b = strrchr(c.file, '/');
        b = b ? b + 1 : c.file;
        size_t n = strlen(b);
        if (n > 5 && strcmp(b + n - 5, ".json") == 0)
            n -= 5;
        if (!(s->name = strndup(b, n))) {
            rc = xl_error_set(err, XL_ENOMEM, "out of memory");
            goto out;
        }
    }
    /* the name becomes the directory sweeps/NAME */
    const char *why = xl_path_segment_problem(s->name);
    if (why) {
        rc = fail(&c, "name", "%s (it names the directory sweeps/NAME)", why);
        goto out;
    }
    int has_scratch = 0, has_pre = 0;
    for (size_t i = 0; i < s->n_curricula; i++) {
        has_scratch |= s->curricula[i].data == NULL;
        has_pre |= s->curricula[i].data != NULL;
    }
    /* No "finetune" section at all: a pre-training-only sweep, whose runs are base
     * models for other protocols (the task suite of `xferlaw matrix`). */
    int pretrain_only = has_pre && !cJSON_GetObjectItemCaseSensitive(root, "finetune");
    if (has_pre && !pretrain_only) {
        for (size_t i = 0; i < s->n_models; i++)
            if (!s->n_d_f && !s->models[i].n_d_f) {
                rc = fail(&c, "finetune.D_F", "missing: curricula with pre-training need"
                                              " fine-tune sizes (here or in every model)%s", NULL);
                goto out;
            }
        if (!budget_given(&s->finetune)) {
            rc = fail(&c, "finetune", "needs a budget: 'epochs', 'max_tokens' or 'max_steps'%s",
                      NULL);
            goto out;
        }
    }
    for (size_t i = 0; has_pre && i < s->n_models; i++)
        if (s->models[i].pretrain_tokens == 0 && s->models[i].pretrain_steps == 0) {
            char f[64];
            snprintf(f, sizeof f, "models[%zu].pretrain_tokens", i);
            rc = fail(&c, f, "no pre-training budget (set it here or in 'pretrain')%s", NULL);
            goto out;
        }
    if (has_scratch) {
        if (!s->n_d_scratch && s->n_d_f) {
            s->n_d_scratch = s->n_d_f;
            if (!(s->d_scratch = xl_calloc(s->n_d_f, sizeof *s->d_scratch, err))) {
                rc = XL_ENOMEM;
                goto out;
            }
            memcpy(s->d_scratch, s->d_f, s->n_d_f * sizeof *s->d_f);
        }
        for (size_t i = 0; i < s->n_models; i++)
            if (!s->n_d_scratch && !s->models[i].n_d_scratch && !s->models[i].n_d_f) {
                rc = fail(&c, "scratch.D", "missing: the 'scratch' curriculum needs data sizes"
                                           " (here or in every model)%s", NULL);
                goto out;
            }
        if (!budget_given(&s->scratch)) {
            if (!budget_given(&s->finetune)) {
                rc = fail(&c, "scratch", "needs a budget: 'epochs', 'max_tokens' or"
                                         " 'max_steps'%s", NULL);
                goto out;
            }
            double m = s->scratch.lr_mult;
            s->scratch = s->finetune;
            s->scratch.lr_mult = m;
        }
    }
out:
    cJSON_Delete(root);
    if (rc)
        xl_sweep_spec_free(s);
    return rc;
}

int xl_sweep_spec_read(const char *path, xl_sweep_spec *spec, xl_error *err)
{
    char *text;
    memset(spec, 0, sizeof *spec);
    int rc = xl_read_file(path, &text, NULL, err);
    if (rc)
        return rc;
    rc = xl_sweep_spec_parse(text, path, spec, err);
    free(text);
    return rc;
}

void xl_sweep_spec_free(xl_sweep_spec *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_curricula && s->curricula; i++) {
        free(s->curricula[i].name);
        free(s->curricula[i].data);
    }
    for (size_t i = 0; i < s->n_train_args && s->train_args; i++)
        free(s->train_args[i]);
    free(s->train_args);
    free(s->curricula);
    for (size_t i = 0; i < s->n_models && s->models; i++) {
        free(s->models[i].d_f);
        free(s->models[i].d_scratch);
    }
    free(s->models);
    free(s->d_f);
    free(s->d_scratch);
    free(s->seeds);
    free(s->path);
    free(s->name);
    free(s->target);
    free(s->corpora);
    free(s->trainable);
    memset(s, 0, sizeof *s);
}
