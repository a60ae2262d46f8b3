/* Sweep spec: the model list, with what each model resolves from the rules above it
 * ("pretrain" budget, "batch", the "lr" rule) and its own D_F / D grids. */
#include "spec_dropout.h"
#include "spec_internal.h"

#include <math.h>
#include <string.h>

static const char *const MODEL_KEYS[] = {"n_layer", "d_model", "n_head", "ctx", "lr", "batch",
    "pretrain_tokens", "pretrain_steps", "lr_finetune", "lr_scratch", "D_F", "D", "dropout",
    "attn_dropout", "warmup", "seeds", NULL};

/* The "pretrain" section: one of tokens, steps, tokens_per_param (bounded by min/max). */
typedef struct {
    double tokens, tpp, min, max;
    double dropout, attn_dropout;
    long steps;
} pretrain_rule;

static int parse_pretrain(xl__spec_ctx *c, const cJSON *root, pretrain_rule *p)
{
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(root, "pretrain");
    memset(p, 0, sizeof *p);
    if (!pre)
        return XL_OK;
    const char *const keys[] = {"tokens", "steps", "tokens_per_param", "min_tokens",
                                "max_tokens", "dropout", "attn_dropout", NULL};
    if (!cJSON_IsObject(pre))
        return xl__spec_fail(c, "pretrain", "must be an object {\"tokens\"|\"steps\"|"
                                            "\"tokens_per_param\"}%s", NULL);
    int rc = xl__spec_keys(c, pre, keys, "pretrain");
    if (!rc)
        rc = xl__spec_num(c, pre, "tokens", "pretrain", &p->tokens, 0, 0, 1);
    if (!rc)
        rc = xl__spec_long(c, pre, "steps", "pretrain", &p->steps, 0, 1);
    if (!rc)
        rc = xl__spec_num(c, pre, "tokens_per_param", "pretrain", &p->tpp, 0, 0, 1e-300);
    if (!rc)
        rc = xl__spec_num(c, pre, "min_tokens", "pretrain", &p->min, 0, 0, 0);
    if (!rc)
        rc = xl__spec_num(c, pre, "max_tokens", "pretrain", &p->max, 0, 0, 0);
    if (!rc)
        rc = xl__spec_dropout(pre, "pretrain", c->file, &p->dropout, &p->attn_dropout, NULL,
                              NULL, c->err);
    if (rc)
        return rc;
    if ((p->min > 0 || p->max > 0) && p->tpp == 0)
        return xl__spec_fail(c, "pretrain",
                             "'min_tokens' and 'max_tokens' bound 'tokens_per_param'%s", NULL);
    if ((p->tokens > 0) + (p->steps > 0) + (p->tpp > 0) > 1)
        return xl__spec_fail(c, "pretrain",
                             "give one of 'tokens', 'steps', 'tokens_per_param'%s", NULL);
    return XL_OK;
}

/* "lr": number, or {"base", "ref_d_model", "exponent"}: lr = base (C/ref)^exponent. */
static int resolve_lr(xl__spec_ctx *c, const cJSON *rule, long d_model, double *lr)
{
    if (!rule) {
        *lr = 3e-3;
        return XL_OK;
    }
    if (cJSON_IsNumber(rule)) {
        if (!(rule->valuedouble > 0) || !isfinite(rule->valuedouble))
            return xl__spec_fail(c, "lr", "must be a positive number%s", NULL);
        *lr = rule->valuedouble;
        return XL_OK;
    }
    if (!cJSON_IsObject(rule))
        return xl__spec_fail(c, "lr",
                             "must be a number or {\"base\", \"ref_d_model\", \"exponent\"}%s",
                             NULL);
    const char *const keys[] = {"base", "ref_d_model", "exponent", NULL};
    double base = 0, ref = 64, ex = 0;
    int rc = xl__spec_keys(c, rule, keys, "lr");
    if (!rc)
        rc = xl__spec_num(c, rule, "base", "lr", &base, 1, 0, 1e-300);
    if (!rc)
        rc = xl__spec_num(c, rule, "ref_d_model", "lr", &ref, 0, 0, 1e-300);
    if (!rc) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(rule, "exponent");
        if (e && (!cJSON_IsNumber(e) || !isfinite(e->valuedouble)))
            return xl__spec_fail(c, "lr.exponent", "must be a number%s", NULL);
        ex = e ? e->valuedouble : 0;
    }
    if (rc)
        return rc;
    *lr = base * pow((double)d_model / ref, ex);
    return XL_OK;
}

/* The shape fields of models[i] (w names it), checked against the trainer's limits. */
static int parse_shape(xl__spec_ctx *c, const cJSON *m, const char *w, xl_sweep_model *md)
{
    int rc;
    if ((rc = xl__spec_keys(c, m, MODEL_KEYS, w)) ||
        (rc = xl__spec_long(c, m, "n_layer", w, &md->n_layer, 1, 1)) ||
        (rc = xl__spec_long(c, m, "d_model", w, &md->d_model, 1, 1)) ||
        (rc = xl__spec_long(c, m, "n_head", w, &md->n_head, 1, 1)) ||
        (rc = xl__spec_long(c, m, "ctx", w, &md->ctx, 1, 1)) ||
        (rc = xl__spec_long(c, m, "batch", w, &md->batch, 0, 1)) ||
        (rc = xl__spec_num(c, m, "pretrain_tokens", w, &md->pretrain_tokens, 0, 0, 1)) ||
        (rc = xl__spec_long(c, m, "pretrain_steps", w, &md->pretrain_steps, 0, 1)))
        return rc;
    md->warmup = -1;
    if (cJSON_GetObjectItemCaseSensitive(m, "warmup") &&
        (rc = xl__spec_long(c, m, "warmup", w, &md->warmup, 1, 0)))
        return rc;
    char f[96];
    if (md->d_model % md->n_head) {
        snprintf(f, sizeof f, "%s.n_head", w);
        return xl__spec_fail(c, f, "must divide d_model%s", NULL);
    }
    /* the trainer's limits (xl_nn_config_check), here rather than hours into a sweep */
    const struct { const char *k; long v, max; } lim[] = {
        {"n_layer", md->n_layer, 1024}, {"d_model", md->d_model, 65536},
        {"ctx", md->ctx, 65536}};
    for (int q = 0; q < 3; q++)
        if (lim[q].v > lim[q].max) {
            snprintf(f, sizeof f, "%s.%s", w, lim[q].k);
            return xl_error_at(c->err, XL_EINVAL, c->file, 0, f,
                               "%ld is above the trainer's limit of %ld", lim[q].v, lim[q].max);
        }
    return XL_OK;
}

/* The pre-training budget of md: its own, else the "pretrain" rule's. */
static int resolve_pretrain(xl__spec_ctx *c, const char *w, const pretrain_rule *p,
                            xl_sweep_model *md)
{
    if (md->pretrain_tokens > 0 && md->pretrain_steps > 0) {
        char f[96];
        snprintf(f, sizeof f, "%s.pretrain_steps", w);
        return xl__spec_fail(c, f, "give pretrain_tokens or pretrain_steps, not both%s", NULL);
    }
    if (md->pretrain_tokens > 0 || md->pretrain_steps > 0)
        return XL_OK;
    md->pretrain_tokens = p->tokens;
    md->pretrain_steps = p->steps;
    if (p->tpp > 0) {
        /* larger models are pre-trained on more (tokens per parameter, Kaplan N as xl_nn
         * counts it), within what the corpus holds (max_tokens) */
        double C = (double)md->d_model;
        double t = round(p->tpp * ((double)md->n_layer * (12.0 * C * C + 13.0 * C) + 2.0 * C));
        if (p->max > 0 && t > p->max) t = p->max;
        if (t < p->min) t = p->min;
        md->pretrain_tokens = t;
    }
    return XL_OK;
}

int xl__spec_models(xl__spec_ctx *c, const cJSON *root, xl_sweep_spec *s)
{
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(root, "models");
    if (!ms)
        return xl__spec_fail(c, "models", "missing required field%s", NULL);
    if (!cJSON_IsArray(ms) || cJSON_GetArraySize(ms) == 0)
        return xl__spec_fail(c, "models", "must be a non-empty list of model shapes%s", NULL);
    s->n_models = (size_t)cJSON_GetArraySize(ms);
    s->models = xl_calloc(s->n_models, sizeof *s->models, c->err);
    if (!s->models)
        return XL_ENOMEM;
    pretrain_rule pre;
    long batch = 16;
    int rc = parse_pretrain(c, root, &pre);
    s->pretrain_dropout = pre.dropout;
    s->pretrain_attn_dropout = pre.attn_dropout;
    if (!rc)
        rc = xl__spec_long(c, root, "batch", "", &batch, 0, 1);
    if (rc)
        return rc;
    const cJSON *lr_rule = cJSON_GetObjectItemCaseSensitive(root, "lr");
    size_t i = 0;
    for (const cJSON *m = ms->child; m; m = m->next, i++) {
        char w[64], f[96];
        snprintf(w, sizeof w, "models[%zu]", i);
        if (!cJSON_IsObject(m))
            return xl__spec_fail(c, w, "must be an object {n_layer, d_model, n_head, ctx}%s",
                                 NULL);
        xl_sweep_model *md = &s->models[i];
        md->batch = batch;
        if ((rc = parse_shape(c, m, w, md)))
            return rc;
        if (cJSON_GetObjectItemCaseSensitive(m, "lr")) {
            double lr = 0;
            if ((rc = xl__spec_num(c, m, "lr", w, &lr, 1, 0, 1e-300)))
                return rc;
            md->lr = lr;
        } else if ((rc = resolve_lr(c, lr_rule, md->d_model, &md->lr))) {
            return rc;
        }
        if ((rc = resolve_pretrain(c, w, &pre, md)) ||
            (rc = xl__spec_num(c, m, "lr_finetune", w, &md->lr_finetune, 0, 0, 1e-300)) ||
            (rc = xl__spec_num(c, m, "lr_scratch", w, &md->lr_scratch, 0, 0, 1e-300)) ||
            (rc = xl__spec_dropout(m, w, c->file, &md->dropout, &md->attn_dropout,
                                   &md->has_dropout, &md->has_attn_dropout, c->err)))
            return rc;
        const cJSON *g;
        if ((g = cJSON_GetObjectItemCaseSensitive(m, "D_F"))) {
            snprintf(f, sizeof f, "%s.D_F", w);
            if ((rc = xl__spec_sizes(c, g, f, &md->d_f, &md->n_d_f)))
                return rc;
        }
        if ((g = cJSON_GetObjectItemCaseSensitive(m, "D"))) {
            snprintf(f, sizeof f, "%s.D", w);
            if ((rc = xl__spec_sizes(c, g, f, &md->d_scratch, &md->n_d_scratch)))
                return rc;
        }
        if ((g = cJSON_GetObjectItemCaseSensitive(m, "seeds"))) {
            snprintf(f, sizeof f, "%s.seeds", w);
            if ((rc = xl__spec_seeds(c, g, f, &md->seeds, &md->n_seeds)))
                return rc;
        }
    }
    return XL_OK;
}
