/* The pairwise protocol's SPEC file (JSON). */
#include "xferlaw/matrix.h"
#include "xferlaw/tasks.h"

#include <cjson/cJSON.h>
#include <string.h>

static int get_int(const cJSON *o, const char *key, int *out, int lo, int hi, const char *path,
                   xl_error *err)
{
    long v = *out;
    int rc = xl_json_get_int(o, key, &v, 0, path, err);
    if (rc)
        return rc;
    if (v < lo || v > hi)
        return xl_error_at(err, XL_EINVAL, path, 0, key, "%ld is outside [%d, %d]", v, lo, hi);
    *out = (int)v;
    return XL_OK;
}

static int get_str(const cJSON *o, const char *key, char *dst, size_t cap, int required,
                   const char *path, xl_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v)) {
        if (required)
            return xl_error_at(err, XL_EINVAL, path, 0, key, "required");
        return XL_OK;
    }
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= cap)
        return xl_error_at(err, XL_EINVAL, path, 0, key, "expected a string under %zu bytes",
                           cap);
    strcpy(dst, v->valuestring);
    return XL_OK;
}

int xl_pw_spec_read(const char *path, xl_pw_spec *s, xl_error *err)
{
    memset(s, 0, sizeof *s);
    s->n_source = 200;
    s->n_target = 10;
    s->n_eval = 100;
    s->steps_source = 200;
    s->steps_target = 40;
    s->batch = 8;
    s->seq = 64;
    s->lr = 1e-3;
    cJSON *j;
    int rc = xl_json_read_file(path, &j, err);
    if (rc)
        return rc;
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return xl_error_at(err, XL_EPARSE, path, 1, NULL, "expected a JSON object");
    }
    if ((rc = get_str(j, "out", s->out, sizeof s->out, 1, path, err)) ||
        (rc = get_str(j, "tokenizer", s->tokenizer, sizeof s->tokenizer, 0, path, err)) ||
        (rc = get_int(j, "n_source", &s->n_source, 1, 100000, path, err)) ||
        (rc = get_int(j, "n_target", &s->n_target, 1, 100000, path, err)) ||
        (rc = get_int(j, "n_eval", &s->n_eval, 1, 100000, path, err)) ||
        (rc = get_int(j, "steps_source", &s->steps_source, 0, 10000000, path, err)) ||
        (rc = get_int(j, "steps_target", &s->steps_target, 0, 10000000, path, err)) ||
        (rc = get_int(j, "batch", &s->batch, 1, 4096, path, err)) ||
        (rc = get_int(j, "seq", &s->seq, 2, 65536, path, err)) ||
        (rc = get_int(j, "threads", &s->threads, 0, 1024, path, err)) ||
        (rc = xl_json_get_double(j, "lr", &s->lr, 0, path, err)))
        goto done;
    if (!(s->lr > 0)) {
        rc = xl_error_at(err, XL_EINVAL, path, 0, "lr", "must be positive");
        goto done;
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "tasks");
    if (!cJSON_IsArray(t) || cJSON_GetArraySize(t) < 1 ||
        cJSON_GetArraySize(t) > XL_PW_MAX_TASKS) {
        rc = xl_error_at(err, XL_EINVAL, path, 0, "tasks", "expected 1 to %d task names",
                         XL_PW_MAX_TASKS);
        goto done;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, t)
    {
        if (!cJSON_IsString(e) || xl_tasks_find(e->valuestring) < 0) {
            rc = xl_error_at(err, XL_EINVAL, path, 0, "tasks", "'%s' is not a task (see "
                             "'xferlaw tasks list')", cJSON_IsString(e) ? e->valuestring : "?");
            goto done;
        }
        for (size_t k = 0; k < s->n_tasks; k++)
            if (strcmp(s->tasks[k], e->valuestring) == 0) {
                rc = xl_error_at(err, XL_EINVAL, path, 0, "tasks", "'%s' given twice",
                                 e->valuestring);
                goto done;
            }
        snprintf(s->tasks[s->n_tasks++], sizeof s->tasks[0], "%s", e->valuestring);
    }
    const cJSON *sd = cJSON_GetObjectItemCaseSensitive(j, "seeds");
    if (!sd) {
        s->seeds[s->n_seeds++] = 1;
    } else if (!cJSON_IsArray(sd) || cJSON_GetArraySize(sd) < 1 ||
               cJSON_GetArraySize(sd) > XL_PW_MAX_SEEDS) {
        rc = xl_error_at(err, XL_EINVAL, path, 0, "seeds", "expected 1 to %d integers",
                         XL_PW_MAX_SEEDS);
        goto done;
    } else {
        cJSON_ArrayForEach(e, sd)
        {
            if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble != (double)(long)e->valuedouble) {
                rc = xl_error_at(err, XL_EINVAL, path, 0, "seeds", "expected integers >= 0");
                goto done;
            }
            s->seeds[s->n_seeds++] = (uint64_t)e->valuedouble;
        }
    }
    const cJSON *z = cJSON_GetObjectItemCaseSensitive(j, "sizes");
    if (!cJSON_IsArray(z) || cJSON_GetArraySize(z) < 1 ||
        cJSON_GetArraySize(z) > XL_PW_MAX_SIZES) {
        rc = xl_error_at(err, XL_EINVAL, path, 0, "sizes", "expected 1 to %d objects",
                         XL_PW_MAX_SIZES);
        goto done;
    }
    cJSON_ArrayForEach(e, z)
    {
        xl_pw_size *q = &s->sizes[s->n_sizes];
        *q = (xl_pw_size){.n_layer = 2, .d_model = 64, .n_head = 4, .ctx = 64};
        if (!cJSON_IsObject(e)) {
            rc = xl_error_at(err, XL_EINVAL, path, 0, "sizes", "expected objects");
            goto done;
        }
        if ((rc = get_str(e, "name", q->name, sizeof q->name, 1, path, err)) ||
            (rc = get_str(e, "base", q->base, sizeof q->base, 0, path, err)) ||
            (rc = get_int(e, "n_layer", &q->n_layer, 1, 64, path, err)) ||
            (rc = get_int(e, "d_model", &q->d_model, 1, 8192, path, err)) ||
            (rc = get_int(e, "n_head", &q->n_head, 1, 256, path, err)) ||
            (rc = get_int(e, "ctx", &q->ctx, 2, 65536, path, err)))
            goto done;
        if (strspn(q->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
                strlen(q->name) || q->name[0] == '.') {
            rc = xl_error_at(err, XL_EINVAL, path, 0, "name", "'%s': use letters, digits, _ - .",
                             q->name);
            goto done;
        }
        s->n_sizes++;
    }
done:
    cJSON_Delete(j);
    return rc;
}
