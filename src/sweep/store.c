/* The results store: SWEEPDIR/runs.jsonl, one line per finished run, appended with a
 * single write(2) (xl_append_line).  A line is the run's run.json plus the sweep's
 * fields, so the file is directly a measurement table (curriculum, N, D, loss). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif
#include "xferlaw/sweep.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Calls fn on each complete line; cuts a torn tail (a kill mid-append) off first. */
static int each_line(const char *path, int repair, int (*fn)(void *, const char *, long),
                     void *ctx, xl_error *err)
{
    if (!xl_file_exists(path))
        return XL_OK;
    char *text;
    size_t n;
    int rc = xl_read_file(path, &text, &n, err);
    if (rc)
        return rc;
    if (n > 0 && text[n - 1] != '\n') {
        char *nl = strrchr(text, '\n');
        size_t keep = nl ? (size_t)(nl - text) + 1 : 0;
        if (repair && (rc = xl_write_file_atomic(path, text, keep, err))) {
            free(text);
            return rc;
        }
        text[keep] = '\0';
    }
    long lineno = 0;
    char *cursor = text;
    for (char *p; !rc && (p = xl_next_line(&cursor, &lineno, XL_LINE_COMPLETE));)
        if (*p)
            rc = fn(ctx, p, lineno);
    free(text);
    return rc;
}

typedef struct {
    const char *path;
    const xl_sweep_plan *plan;
    unsigned char *done;
    xl_error *err;
} load_ctx;

static int parse_record(const char *path, const char *line, long lineno, cJSON **out,
                        const char **id, xl_error *err)
{
    cJSON *j = cJSON_Parse(line);
    const cJSON *it = j ? cJSON_GetObjectItemCaseSensitive(j, "id") : NULL;
    if (!j || !cJSON_IsObject(j) || !cJSON_IsString(it)) {
        cJSON_Delete(j);
        return xl_error_at(err, XL_EPARSE, path, lineno, j ? "id" : NULL,
                           j ? "record without a string id" : "not a JSON object");
    }
    *out = j;
    *id = it->valuestring;
    return XL_OK;
}

/* The plan index of a record line's id (-1 when the id is not planned). */
static int record_index(const char *path, const xl_sweep_plan *plan, const char *line,
                        long lineno, long *index, xl_error *err)
{
    cJSON *j = NULL;
    const char *id = NULL;
    int rc = parse_record(path, line, lineno, &j, &id, err);
    if (rc)
        return rc;
    *index = xl_sweep_plan_find(plan, id);
    cJSON_Delete(j);
    return XL_OK;
}

static int load_line(void *vc, const char *line, long lineno)
{
    load_ctx *c = vc;
    long i;
    int rc = record_index(c->path, c->plan, line, lineno, &i, c->err);
    if (!rc && i >= 0)
        c->done[i] = 1;
    return rc;
}

int xl_sweep_store_load(const char *path, const xl_sweep_plan *plan, unsigned char *done,
                        xl_error *err)
{
    load_ctx c = {path, plan, done, err};
    return each_line(path, 1, load_line, &c, err);
}

static void put(cJSON *o, const char *key, cJSON *v)
{
    if (cJSON_GetObjectItemCaseSensitive(o, key))
        cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
    else
        cJSON_AddItemToObject(o, key, v);
}

int xl_sweep_record_line(const xl_sweep_plan *plan, size_t i, const char *sweepdir, char **line,
                         xl_error *err)
{
    const xl_sweep_run *r = &plan->runs[i];
    char path[4096], rel[64];
    snprintf(rel, sizeof rel, "runs/%s", r->id);
    snprintf(path, sizeof path, "%s/%s/run.json", sweepdir, rel);
    cJSON *j;
    int rc = xl_json_read_file(path, &j, err);
    if (rc)
        return rc;
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return xl_error_at(err, XL_EFORMAT, path, 0, NULL, "run record is not a JSON object");
    }
    const cJSON *loss = cJSON_GetObjectItemCaseSensitive(j, "best_val_loss");
    if (!cJSON_IsNumber(loss)) {
        cJSON_Delete(j);
        return xl_error_at(err, XL_EFORMAT, path, 0, "best_val_loss", "missing or not a number");
    }
    const cJSON *tid = cJSON_GetObjectItemCaseSensitive(j, "id");
    put(j, "train_id", tid && cJSON_IsString(tid) ? cJSON_CreateString(tid->valuestring)
                                                   : cJSON_CreateNull());
    put(j, "id", cJSON_CreateString(r->id));
    put(j, "sweep", cJSON_CreateString(plan->spec->name));
    put(j, "kind", cJSON_CreateString(xl_sweep_kind_name(r->kind)));
    put(j, "curriculum", cJSON_CreateString(plan->spec->curricula[r->curriculum].name));
    const cJSON *N = cJSON_GetObjectItemCaseSensitive(j, "N");
    if (!cJSON_IsNumber(N))
        put(j, "N", cJSON_CreateNumber(r->N));
    /* D: unique tokens actually used when the trainer says so (a corpus smaller than
     * the cap gives less), else the planned cap. */
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data");
    const cJSON *dD = data ? cJSON_GetObjectItemCaseSensitive(data, "D") : NULL;
    put(j, "D", cJSON_IsNumber(dD) && dD->valuedouble > 0 ? cJSON_CreateNumber(dD->valuedouble)
                                                          : cJSON_CreateNumber(r->D));
    put(j, "loss", xl_json_number(loss->valuedouble));
    put(j, "seed", cJSON_CreateNumber((double)r->seed));
    put(j, "dir", cJSON_CreateString(rel));
    char p2[96];
    snprintf(p2, sizeof p2, "%s/curve.jsonl", rel);
    put(j, "curve", cJSON_CreateString(p2));
    snprintf(p2, sizeof p2, "%s/best.ckpt", rel);
    put(j, "checkpoint", cJSON_CreateString(p2));
    put(j, "init_from_id", r->dep >= 0 ? cJSON_CreateString(plan->runs[r->dep].id)
                                       : cJSON_CreateNull());
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!s)
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    size_t n = strlen(s);
    *line = malloc(n + 2);
    if (!*line) {
        cJSON_free(s);
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    }
    memcpy(*line, s, n);
    (*line)[n] = '\n';
    (*line)[n + 1] = '\0';
    cJSON_free(s);
    return XL_OK;
}

typedef struct {
    const char *path;
    const xl_sweep_plan *plan;
    char **lines;            /* per planned run: first line seen */
    char **extra;            /* lines of ids outside the plan, in order */
    size_t n_extra, cap_extra;
    xl_error *err;
} merge_ctx;

static int merge_line(void *vc, const char *line, long lineno)
{
    merge_ctx *c = vc;
    long i;
    int rc = record_index(c->path, c->plan, line, lineno, &i, c->err);
    if (rc)
        return rc;
    if (i >= 0 && c->lines[i])
        return XL_OK;
    char *copy = strdup(line);
    if (!copy)
        return xl_error_set(c->err, XL_ENOMEM, "out of memory");
    if (i >= 0) {
        c->lines[i] = copy;
        return XL_OK;
    }
    for (size_t k = 0; k < c->n_extra; k++)
        if (strcmp(c->extra[k], copy) == 0) {
            free(copy);
            return XL_OK;
        }
    if (c->n_extra == c->cap_extra) {
        size_t cap = c->cap_extra ? 2 * c->cap_extra : 16;
        char **v = realloc(c->extra, cap * sizeof *v);
        if (!v) {
            free(copy);
            return xl_error_set(c->err, XL_ENOMEM, "out of memory");
        }
        c->extra = v;
        c->cap_extra = cap;
    }
    c->extra[c->n_extra++] = copy;
    return XL_OK;
}

int xl_sweep_store_merge(const xl_sweep_plan *plan, const char *const *inputs, size_t n_inputs,
                         const char *out, size_t *missing, xl_error *err)
{
    merge_ctx c = {.plan = plan, .err = err};
    c.lines = xl_calloc(plan->n ? plan->n : 1, sizeof *c.lines, err);
    if (!c.lines)
        return XL_ENOMEM;
    int rc = XL_OK;
    for (size_t k = 0; k < n_inputs && !rc; k++) {
        c.path = inputs[k];
        rc = each_line(inputs[k], 0, merge_line, &c, err);
    }
    xl_afile af;
    if (!rc && !(rc = xl_afile_open(&af, out, err))) {
        *missing = 0;
        for (size_t i = 0; i < plan->n; i++) {
            if (c.lines[i])
                fprintf(af.fp, "%s\n", c.lines[i]);
            else
                (*missing)++;
        }
        for (size_t k = 0; k < c.n_extra; k++)
            fprintf(af.fp, "%s\n", c.extra[k]);
        rc = xl_afile_commit(&af, err);
    }
    for (size_t i = 0; i < plan->n; i++)
        free(c.lines[i]);
    for (size_t k = 0; k < c.n_extra; k++)
        free(c.extra[k]);
    free(c.lines);
    free(c.extra);
    return rc;
}

typedef struct {
    const char *path;
    const xl_sweep_plan *plan;
    unsigned char *seen;
    double flops, seconds, tokens;
    size_t by_kind[3], n;
    double cost;             /* sum of tokens_seen x cost per token */
    xl_error *err;
} sum_ctx;

static double num(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(it) && isfinite(it->valuedouble) ? it->valuedouble : 0;
}

static int sum_line(void *vc, const char *line, long lineno)
{
    sum_ctx *c = vc;
    cJSON *j = NULL;
    const char *id = NULL;
    int rc = parse_record(c->path, line, lineno, &j, &id, c->err);
    if (rc)
        return rc;
    long i = c->plan ? xl_sweep_plan_find(c->plan, id) : -1;
    if (!c->plan || (i >= 0 && !c->seen[i])) {
        if (i >= 0) {
            c->seen[i] = 1;
            c->by_kind[c->plan->runs[i].kind]++;
        }
        c->n++;
        c->flops += num(j, "flops");
        c->seconds += num(j, "seconds");
        c->tokens += num(j, "tokens_seen");
        if (i >= 0)
            c->cost += num(j, "tokens_seen") *
                       xl_sweep_cost_per_token(c->plan->spec, c->plan->runs[i].model);
    }
    cJSON_Delete(j);
    return XL_OK;
}

int xl_sweep_summary(const xl_sweep_plan *plan, const char *jsonl_path, double wall_seconds,
                     const char *summary_path, cJSON **summary, xl_error *err)
{
    sum_ctx c = {.path = jsonl_path, .plan = plan, .err = err};
    c.seen = xl_calloc(plan->n ? plan->n : 1, 1, err);
    if (!c.seen)
        return XL_ENOMEM;
    int rc = each_line(jsonl_path, 0, sum_line, &c, err);
    free(c.seen);
    if (rc)
        return rc;
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "sweep", plan->spec->name);
    cJSON_AddStringToObject(s, "spec", plan->spec->path);
    cJSON_AddNumberToObject(s, "runs_planned", (double)plan->n);
    cJSON_AddNumberToObject(s, "runs_done", (double)c.n);
    cJSON *bk = cJSON_AddObjectToObject(s, "runs_by_kind");
    for (int k = 0; k < 3; k++)
        cJSON_AddNumberToObject(bk, xl_sweep_kind_name((xl_sweep_kind)k), (double)c.by_kind[k]);
    cJSON_AddItemToObject(s, "total_flops", xl_json_number(c.flops));
    cJSON_AddItemToObject(s, "total_tokens", xl_json_number(c.tokens));
    cJSON_AddItemToObject(s, "total_run_seconds", xl_json_number(c.seconds));
    cJSON_AddItemToObject(s, "mean_tokens_per_s",
                          xl_json_number(c.seconds > 0 ? c.tokens / c.seconds : NAN));
    cJSON_AddItemToObject(s, "flops_per_s_per_run",
                          xl_json_number(c.seconds > 0 ? c.flops / c.seconds : NAN));
    cJSON_AddItemToObject(s, "wall_seconds", xl_json_number(wall_seconds));
    cJSON_AddItemToObject(s, "estimated_flops", xl_json_number(xl_sweep_plan_flops(plan, NULL)));
    if (summary_path && (rc = xl_json_write_file(summary_path, s, err))) {
        cJSON_Delete(s);
        return rc;
    }
    if (summary)
        *summary = s;
    else
        cJSON_Delete(s);
    return XL_OK;
}

double xl_sweep_store_speed(const char *jsonl_path, const xl_sweep_plan *plan)
{
    sum_ctx c = {.path = jsonl_path, .plan = plan};
    xl_error e;
    c.seen = calloc(plan->n + 1, 1);
    if (!c.seen || each_line(jsonl_path, 0, sum_line, &c, &e)) {
        free(c.seen);
        return 0;
    }
    free(c.seen);
    return c.seconds > 0 && c.cost > 0 ? c.cost / c.seconds : 0;
}
