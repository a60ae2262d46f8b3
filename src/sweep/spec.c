/* Sweep spec: JSON in, validated struct out.  Every error names the file and the
 * field path ("models[2].d_model"), because specs are written by hand.  This file holds
 * the top level, the curricula and the run-wide settings; the field readers are in
 * spec_fields.c, the models in spec_models.c, the budgets in spec_budget.c. */
#include "spec_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const TOP_KEYS[] = {"name", "target", "corpora", "models", "curricula",
    "pretrain", "finetune", "scratch", "seeds", "lr", "batch", "early_stopping",
    "train_args", "flops_per_s", "warmup", "vocab", NULL};

static int parse_curricula(xl__spec_ctx *c, const cJSON *root, xl_sweep_spec *s)
{
    const cJSON *cs = cJSON_GetObjectItemCaseSensitive(root, "curricula");
    if (!cs)
        return xl__spec_fail(c, "curricula", "missing required field%s", NULL);
    if (!cJSON_IsArray(cs) || cJSON_GetArraySize(cs) == 0)
        return xl__spec_fail(c, "curricula", "must be a non-empty list%s", NULL);
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
            if ((rc = xl__spec_keys(c, e, keys, w)) ||
                (rc = xl__spec_str(c, e, "name", w, &cu->name, 1)))
                return rc;
            if (strcmp(cu->name, "scratch") != 0 &&
                (rc = xl__spec_str(c, e, "data", w, &cu->data, 1)))
                return rc;
        } else {
            return xl__spec_fail(c, w, "must be \"scratch\", a corpus/mixture like"
                                       " \"text:0.5,code:0.5\", or {\"name\", \"data\"}%s",
                                 NULL);
        }
        /* the name becomes a directory under the sweep */
        const char *why = xl_path_segment_problem(cu->name);
        if (why)
            return xl__spec_fail(c, w, "name %s", why);
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->curricula[j].name, cu->name) == 0)
                return xl__spec_fail(c, w, "duplicate curriculum '%s'", cu->name);
    }
    return XL_OK;
}

/* A non-empty list of non-negative whole numbers at field path f, malloc'd into *out. */
int xl__spec_seeds(xl__spec_ctx *c, const cJSON *it, const char *f, long **out, size_t *n)
{
    if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) == 0)
        return xl__spec_fail(c, f, "must be a non-empty list of integers%s", NULL);
    *n = (size_t)cJSON_GetArraySize(it);
    if (!(*out = xl_calloc(*n, sizeof **out, c->err)))
        return XL_ENOMEM;
    size_t i = 0;
    for (const cJSON *e = it->child; e; e = e->next, i++) {
        if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) ||
            e->valuedouble < 0 || e->valuedouble > 9e15) {
            char g[112];
            snprintf(g, sizeof g, "%s[%zu]", f, i);
            return xl__spec_fail(c, g, "must be a non-negative integer%s", NULL);
        }
        (*out)[i] = (long)e->valuedouble;
    }
    return XL_OK;
}

static int parse_misc(xl__spec_ctx *c, const cJSON *root, xl_sweep_spec *s)
{
    int rc;
    const cJSON *seeds = cJSON_GetObjectItemCaseSensitive(root, "seeds");
    if (seeds) {
        if ((rc = xl__spec_seeds(c, seeds, "seeds", &s->seeds, &s->n_seeds)))
            return rc;
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
            return xl__spec_fail(c, "early_stopping", "must be an object {eval_every,"
                                                      " patience, eval_tokens}%s", NULL);
        if ((rc = xl__spec_keys(c, es, keys, "early_stopping")) ||
            (rc = xl__spec_long(c, es, "eval_every", "early_stopping", &s->eval_every, 0, 1)) ||
            (rc = xl__spec_long(c, es, "patience", "early_stopping", &s->patience, 0, 0)) ||
            (rc = xl__spec_long(c, es, "eval_tokens", "early_stopping", &s->eval_tokens, 0, 1)))
            return rc;
    }
    if ((rc = xl__spec_long(c, root, "warmup", "", &s->warmup, 0, 0)) ||
        (rc = xl__spec_num(c, root, "flops_per_s", "", &s->flops_per_s, 0, 0, 1)))
        return rc;
    s->vocab = 1024;
    if ((rc = xl__spec_long(c, root, "vocab", "", &s->vocab, 0, 2)))
        return rc;
    s->warmup = cJSON_GetObjectItemCaseSensitive(root, "warmup") ? s->warmup : -1;
    const cJSON *ta = cJSON_GetObjectItemCaseSensitive(root, "train_args");
    if (ta) {
        if (!cJSON_IsArray(ta))
            return xl__spec_fail(c, "train_args", "must be a list of strings%s", NULL);
        s->n_train_args = (size_t)cJSON_GetArraySize(ta);
        s->train_args = xl_calloc(s->n_train_args + 1, sizeof *s->train_args, c->err);
        if (!s->train_args)
            return XL_ENOMEM;
        size_t i = 0;
        for (const cJSON *e = ta->child; e; e = e->next, i++) {
            char f[64];
            snprintf(f, sizeof f, "train_args[%zu]", i);
            if (!cJSON_IsString(e))
                return xl__spec_fail(c, f, "must be a string%s", NULL);
            static const char *const owned[] = {"--out", "--data", "--init-from", "--resume",
                "--threads", "--seed", "--data-size", NULL};
            for (size_t k = 0; owned[k]; k++)
                if (strcmp(e->valuestring, owned[k]) == 0)
                    return xl__spec_fail(c, f, "'%s' is set by the sweep itself", owned[k]);
            if (!(s->train_args[i] = xl_strdup(e->valuestring, c->err)))
                return XL_ENOMEM;
        }
    }
    return XL_OK;
}

int xl_sweep_spec_parse(const char *text, const char *path, xl_sweep_spec *s, xl_error *err)
{
    memset(s, 0, sizeof *s);
    xl__spec_ctx c = {path ? path : "spec", err};
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
    if ((rc = xl__spec_keys(&c, root, TOP_KEYS, "")) ||
        (rc = xl__spec_str(&c, root, "name", "", &s->name, 0)) ||
        (rc = xl__spec_str(&c, root, "target", "", &s->target, 1)) ||
        (rc = xl__spec_str(&c, root, "corpora", "", &s->corpora, 0)) ||
        (rc = xl__spec_models(&c, root, s)) || (rc = parse_curricula(&c, root, s)) ||
        (rc = xl__spec_budgets(&c, root, s)) || (rc = parse_misc(&c, root, s)))
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
        rc = xl__spec_fail(&c, "name", "%s (it names the directory sweeps/NAME)", why);
        goto out;
    }
    rc = xl__spec_budgets_complete(&c, root, s);
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
        free(s->models[i].seeds);
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
