/* The pairwise protocol's SPEC file (JSON). */
#include "xferlaw/corpus.h"
#include "xferlaw/matrix.h"
#include "xferlaw/nn.h"
#include "xferlaw/tasks.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
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

typedef struct {
    double N;
    char base[1024];
} sweep_size;

static int by_n(const void *a, const void *b)
{
    double x = ((const sweep_size *)a)->N, y = ((const sweep_size *)b)->N;
    return (x > y) - (x < y);
}

/* "sizes": {"sweep": DIR, "curriculum": C}: the pre-trainings of C in DIR/runs.jsonl. */
static int sizes_from_sweep(const cJSON *z, xl_pw_spec *s, const char *path, xl_error *err)
{
    char dir[1024] = "", cur[256] = "", jsonl[1100];
    int rc = get_str(z, "sweep", dir, sizeof dir, 1, path, err);
    if (!rc)
        rc = get_str(z, "curriculum", cur, sizeof cur, 1, path, err);
    if (rc)
        return rc;
    snprintf(jsonl, sizeof jsonl, "%s/runs.jsonl", dir);
    char *data;
    size_t len;
    if (!xl_file_exists(jsonl))
        return xl_error_at(err, XL_EINVAL, path, 0, "sizes.sweep", "%s: no such file (not a "
                           "sweep directory?)", jsonl);
    if ((rc = xl_read_file(jsonl, &data, &len, err)))
        return rc;
    sweep_size got[XL_PW_MAX_SIZES];
    size_t n = 0;
    long line = 0;
    char *cursor = data;
    for (char *p; !rc && (p = xl_next_line(&cursor, &line, XL_LINE_COMPLETE | XL_LINE_SKIP_BLANK));) {
        cJSON *o = cJSON_Parse(p);
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "kind");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "curriculum");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "dir");
        const cJSON *N = cJSON_GetObjectItemCaseSensitive(o, "N");
        if (!cJSON_IsObject(o))
            rc = xl_error_at(err, XL_EPARSE, jsonl, line, NULL, "not a JSON object");
        else if (!cJSON_IsString(k) || strcmp(k->valuestring, "pretrain") != 0 ||
                 !cJSON_IsString(c) || strcmp(c->valuestring, cur) != 0)
            ; /* other runs of the sweep */
        else if (!cJSON_IsString(d))
            rc = xl_error_at(err, XL_EPARSE, jsonl, line, "dir", "missing or not a string");
        else if (!cJSON_IsNumber(N) || !(N->valuedouble > 0))
            rc = xl_error_at(err, XL_EPARSE, jsonl, line, "N", "missing or not positive");
        else if (n == XL_PW_MAX_SIZES)
            rc = xl_error_at(err, XL_EINVAL, jsonl, line, NULL, "more than %d pre-trainings "
                             "of curriculum '%s'", XL_PW_MAX_SIZES, cur);
        else {
            got[n].N = N->valuedouble;
            snprintf(got[n].base, sizeof got[n].base, "%s/%s/best.ckpt", dir, d->valuestring);
            if (!xl_file_exists(got[n].base))
                rc = xl_error_at(err, XL_EINVAL, jsonl, line, "dir", "checkpoint %s does not "
                                 "exist", got[n].base);
            for (size_t i = 0; i < n && !rc; i++)
                if (got[i].N == got[n].N)
                    rc = xl_error_at(err, XL_EINVAL, jsonl, line, "N", "%.0f: two pre-trainings"
                                     " of that size (give the sizes as a list)", got[n].N);
            n++;
        }
        cJSON_Delete(o);
    }
    free(data);
    if (!rc && n == 0)
        rc = xl_error_at(err, XL_EINVAL, path, 0, "sizes.curriculum", "no pretrain record of "
                         "curriculum '%s' in %s", cur, jsonl);
    if (rc)
        return rc;
    qsort(got, n, sizeof *got, by_n);
    for (size_t i = 0; i < n; i++) {
        xl_pw_size *q = &s->sizes[i];
        memset(q, 0, sizeof *q);
        snprintf(q->name, sizeof q->name, "N%.0f", got[i].N);
        memcpy(q->base, got[i].base, sizeof q->base);
    }
    s->n_sizes = n;
    return XL_OK;
}

/* tokenizer null with base checkpoints not trained on bytes: the shipped tokenizer. */
static int default_tokenizer(xl_pw_spec *s, xl_error *err)
{
    if (s->tokenizer[0])
        return XL_OK;
    for (size_t i = 0; i < s->n_sizes; i++) {
        if (!s->sizes[i].base[0])
            continue;
        xl_nn_checkpoint_header h;
        int rc = xl_nn_checkpoint_read_header(s->sizes[i].base, &h, err);
        if (rc)
            return rc;
        if (strcmp(h.tokenizer_id, "bytes") != 0) {
            snprintf(s->tokenizer, sizeof s->tokenizer, "%s", xl_tokenizer_default_path());
            return XL_OK;
        }
    }
    return XL_OK;
}

int xl_pw_spec_read(const char *path, xl_pw_spec *s, xl_error *err)
{
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
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
    /* a misspelt key would silently fall back to a default and change the experiment */
    static const char *const KEYS[] = {"out", "tokenizer", "tasks", "seeds", "sizes", "pairs",
                                       "n_source", "n_target", "n_eval", "steps_source",
                                       "steps_target", "batch", "seq", "lr", "jobs", "threads",
                                       NULL};
    if ((rc = xl_json_check_keys(j, KEYS, "", path, err)) ||
        (rc = get_int(j, "jobs", &s->jobs, 0, 4096, path, err)) ||
        (rc = get_int(j, "threads", &s->threads, 0, 4096, path, err)) ||
        (rc = get_str(j, "out", s->out, sizeof s->out, 1, path, err)) ||
        (rc = get_str(j, "tokenizer", s->tokenizer, sizeof s->tokenizer, 0, path, err)) ||
        (rc = get_int(j, "n_source", &s->n_source, 1, 100000, path, err)) ||
        (rc = get_int(j, "n_target", &s->n_target, 1, 100000, path, err)) ||
        (rc = get_int(j, "n_eval", &s->n_eval, 1, 100000, path, err)) ||
        (rc = get_int(j, "steps_source", &s->steps_source, 0, 10000000, path, err)) ||
        (rc = get_int(j, "steps_target", &s->steps_target, 0, 10000000, path, err)) ||
        (rc = get_int(j, "batch", &s->batch, 1, 4096, path, err)) ||
        (rc = get_int(j, "seq", &s->seq, 2, 65536, path, err)) ||
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
    char pairs[16] = "all";
    if ((rc = get_str(j, "pairs", pairs, sizeof pairs, 0, path, err)))
        goto done;
    if (strcmp(pairs, "all") == 0 || strcmp(pairs, "diagonal") == 0) {
        s->pairs = pairs[0] == 'd' ? XL_PW_DIAGONAL : XL_PW_ALL;
    } else {
        rc = xl_error_at(err, XL_EINVAL, path, 0, "pairs", "'%s': expected \"all\" or "
                         "\"diagonal\"", pairs);
        goto done;
    }
    const cJSON *z = cJSON_GetObjectItemCaseSensitive(j, "sizes");
    if (cJSON_IsObject(z)) {
        rc = sizes_from_sweep(z, s, path, err);
        goto names;
    }
    if (!cJSON_IsArray(z) || cJSON_GetArraySize(z) < 1 ||
        cJSON_GetArraySize(z) > XL_PW_MAX_SIZES) {
        rc = xl_error_at(err, XL_EINVAL, path, 0, "sizes", "expected 1 to %d objects or "
                         "{\"sweep\": DIR, \"curriculum\": NAME}", XL_PW_MAX_SIZES);
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
names:
    for (size_t a = 0; a < s->n_sizes && !rc; a++)
        for (size_t b = a + 1; b < s->n_sizes && !rc; b++)
            if (strcmp(s->sizes[a].name, s->sizes[b].name) == 0)
                rc = xl_error_at(err, XL_EINVAL, path, 0, "sizes", "name '%s' given twice",
                                 s->sizes[a].name);
    if (!rc)
        rc = default_tokenizer(s, err);
done:
    cJSON_Delete(j);
    return rc;
}
