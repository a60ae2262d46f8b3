/* Sweep spec: the "finetune" and "scratch" budget sections (data-size grids, token and
 * step caps, schedule, early-stopping protocol) and the check that every run the
 * curricula ask for has sizes and a budget. */
#include "spec_dropout.h"
#include "spec_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const BUDGET_KEYS[] = {"D_F", "D", "epochs", "min_tokens", "max_tokens",
    "max_steps", "lr_mult", "trainable", "schedule", "patience_steps", "patience_frac",
    "min_delta", "eval_growth", "dropout", "attn_dropout", "cooldown_frac", "cooldown_min_steps",
    NULL};

/* One budget section: KEY ("finetune" or "scratch") into b, its SIZE_KEY grid ("D_F" or
 * "D") into sizes; trainable is NULL for a section that must not take one. */
static int parse_budget(xl__spec_ctx *c, const cJSON *root, const char *key,
                        xl_sweep_budget *b, double **sizes, size_t *n_sizes,
                        const char *size_key, char **trainable)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, key);
    b->lr_mult = 1;
    if (!o)
        return XL_OK;
    if (!cJSON_IsObject(o))
        return xl__spec_fail(c, key, "must be an object%s", NULL);
    int rc;
    if ((rc = xl__spec_keys(c, o, BUDGET_KEYS, key)))
        return rc;
    const char *other = strcmp(size_key, "D") == 0 ? "D_F" : "D";
    if (cJSON_GetObjectItemCaseSensitive(o, other)) {
        char f[64];
        snprintf(f, sizeof f, "%s.%s", key, other);
        return xl__spec_fail(c, f, "belongs to the other section (fine-tunes use D_F, scratch"
                                   " uses D)%s", NULL);
    }
    if (!trainable && cJSON_GetObjectItemCaseSensitive(o, "trainable"))
        return xl__spec_fail(c, "scratch.trainable", "only fine-tunes take 'trainable'%s", NULL);
    const cJSON *sz = cJSON_GetObjectItemCaseSensitive(o, size_key);
    if (sz) {
        char f[64];
        snprintf(f, sizeof f, "%s.%s", key, size_key);
        if ((rc = xl__spec_sizes(c, sz, f, sizes, n_sizes)))
            return rc;
    }
    char *sched = NULL;
    if ((rc = xl__spec_num(c, o, "epochs", key, &b->epochs, 0, 0, 1e-300)) ||
        (rc = xl__spec_num(c, o, "min_tokens", key, &b->min_tokens, 0, 0, 0)) ||
        (rc = xl__spec_num(c, o, "max_tokens", key, &b->max_tokens, 0, 0, 1)) ||
        (rc = xl__spec_long(c, o, "max_steps", key, &b->max_steps, 0, 1)) ||
        (rc = xl__spec_num(c, o, "lr_mult", key, &b->lr_mult, 0, 0, 1e-300)) ||
        (rc = xl__spec_long(c, o, "patience_steps", key, &b->patience_steps, 0, 0)) ||
        (rc = xl__spec_num(c, o, "patience_frac", key, &b->patience_frac, 0, 0, 0)) ||
        (rc = xl__spec_num(c, o, "min_delta", key, &b->min_delta, 0, 0, 0)) ||
        (rc = xl__spec_num(c, o, "eval_growth", key, &b->eval_growth, 0, 0, 0)) ||
        (rc = xl__spec_dropout(o, key, c->file, &b->dropout, &b->attn_dropout, NULL, NULL,
                               c->err)) ||
        (rc = xl__spec_num(c, o, "cooldown_frac", key, &b->cooldown_frac, 0, 0, 0)) ||
        (rc = xl__spec_long(c, o, "cooldown_min_steps", key, &b->cooldown_min_steps, 0, 1)) ||
        (rc = xl__spec_str(c, o, "schedule", key, &sched, 0)))
        return rc;
    if (sched) {
        int ok = !strcmp(sched, "cosine") || !strcmp(sched, "constant");
        if (ok) snprintf(b->schedule, sizeof b->schedule, "%s", sched);
        free(sched);
        if (!ok) {
            char f[64];
            snprintf(f, sizeof f, "%s.schedule", key);
            return xl__spec_fail(c, f, "must be \"cosine\" or \"constant\"%s", NULL);
        }
    }
    if (!strcmp(b->schedule, "constant") && b->max_tokens == 0 && b->max_steps == 0) {
        char f[64];
        snprintf(f, sizeof f, "%s.max_tokens", key);
        return xl__spec_fail(c, f, "the constant schedule trains to the data limit: give a"
                                   " safety cap ('max_tokens' or 'max_steps')%s", NULL);
    }
    if (b->eval_growth > 10) {
        char f[64];
        snprintf(f, sizeof f, "%s.eval_growth", key);
        return xl__spec_fail(c, f, "must be in [0, 10]%s", NULL);
    }
    if (b->cooldown_frac > 10) {
        char f[64];
        snprintf(f, sizeof f, "%s.cooldown_frac", key);
        return xl__spec_fail(c, f, "must be in [0, 10]%s", NULL);
    }
    if (b->cooldown_frac > 0 && strcmp(b->schedule, "constant")) {
        char f[64];
        snprintf(f, sizeof f, "%s.cooldown_frac", key);
        return xl__spec_fail(c, f, "needs \"schedule\": \"constant\" (a cosine schedule decays"
                                   " already)%s", NULL);
    }
    if (trainable && (rc = xl__spec_str(c, o, "trainable", key, trainable, 0)))
        return rc;
    return XL_OK;
}

static int budget_given(const xl_sweep_budget *b)
{
    return b->epochs > 0 || b->max_tokens > 0 || b->max_steps > 0;
}

int xl__spec_budgets(xl__spec_ctx *c, const cJSON *root, xl_sweep_spec *s)
{
    int rc = parse_budget(c, root, "finetune", &s->finetune, &s->d_f, &s->n_d_f, "D_F",
                          &s->trainable);
    if (!rc)
        rc = parse_budget(c, root, "scratch", &s->scratch, &s->d_scratch, &s->n_d_scratch, "D",
                          NULL);
    return rc;
}

int xl__spec_budgets_complete(xl__spec_ctx *c, const cJSON *root, xl_sweep_spec *s)
{
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
            if (!s->n_d_f && !s->models[i].n_d_f)
                return xl__spec_fail(c, "finetune.D_F", "missing: curricula with pre-training"
                                     " need fine-tune sizes (here or in every model)%s", NULL);
        if (!budget_given(&s->finetune))
            return xl__spec_fail(c, "finetune", "needs a budget: 'epochs', 'max_tokens' or"
                                                " 'max_steps'%s", NULL);
    }
    for (size_t i = 0; has_pre && i < s->n_models; i++)
        if (s->models[i].pretrain_tokens == 0 && s->models[i].pretrain_steps == 0) {
            char f[64];
            snprintf(f, sizeof f, "models[%zu].pretrain_tokens", i);
            return xl__spec_fail(c, f, "no pre-training budget (set it here or in"
                                       " 'pretrain')%s", NULL);
        }
    if (!has_scratch)
        return XL_OK;
    if (!s->n_d_scratch && s->n_d_f) {
        if (!(s->d_scratch = xl_calloc(s->n_d_f, sizeof *s->d_scratch, c->err)))
            return XL_ENOMEM;
        s->n_d_scratch = s->n_d_f;
        memcpy(s->d_scratch, s->d_f, s->n_d_f * sizeof *s->d_f);
    }
    for (size_t i = 0; i < s->n_models; i++)
        if (!s->n_d_scratch && !s->models[i].n_d_scratch && !s->models[i].n_d_f)
            return xl__spec_fail(c, "scratch.D", "missing: the 'scratch' curriculum needs data"
                                                 " sizes (here or in every model)%s", NULL);
    if (!budget_given(&s->scratch)) {
        if (!budget_given(&s->finetune))
            return xl__spec_fail(c, "scratch", "needs a budget: 'epochs', 'max_tokens' or"
                                               " 'max_steps'%s", NULL);
        xl_sweep_budget own = s->scratch; /* the rate and the dropout stay its own */
        s->scratch = s->finetune;
        s->scratch.lr_mult = own.lr_mult;
        s->scratch.dropout = own.dropout;
        s->scratch.attn_dropout = own.attn_dropout;
    }
    return XL_OK;
}
