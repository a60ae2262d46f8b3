/* Field readers of the sweep spec parser: each checks type and range and names the file
 * and the field path in its error, because specs are written by hand. */
#include "spec_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int xl__spec_fail(xl__spec_ctx *c, const char *field, const char *fmt, const char *detail)
{
    return xl_error_at(c->err, XL_EINVAL, c->file, 0, field, fmt, detail ? detail : "");
}

int xl__spec_keys(xl__spec_ctx *c, const cJSON *obj, const char *const *keys, const char *where)
{
    return xl_json_check_keys(obj, keys, where, c->file, c->err);
}

int xl__spec_num(xl__spec_ctx *c, const cJSON *obj, const char *key, const char *where,
                 double *out, int required, int integer, double min)
{
    char f[160];
    snprintf(f, sizeof f, "%s%s%s", where, *where ? "." : "", key);
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it)
        return required ? xl__spec_fail(c, f, "missing required field%s", NULL) : XL_OK;
    const char *what = integer ? (min > 0 ? "must be a positive integer%s"
                                          : "must be a non-negative integer%s")
                               : (min > 0 ? "must be a positive number%s"
                                          : "must be a non-negative number%s");
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < min ||
        (integer && (it->valuedouble != floor(it->valuedouble) || it->valuedouble > 9e15)))
        return xl__spec_fail(c, f, what, NULL);
    *out = it->valuedouble;
    return XL_OK;
}

int xl__spec_long(xl__spec_ctx *c, const cJSON *obj, const char *key, const char *where,
                  long *out, int required, long min)
{
    double v = (double)*out;
    int rc = xl__spec_num(c, obj, key, where, &v, required, 1, (double)min);
    if (rc == XL_OK)
        *out = (long)v;
    return rc;
}

int xl__spec_str(xl__spec_ctx *c, const cJSON *obj, const char *key, const char *where,
                 char **out, int required)
{
    char f[160];
    snprintf(f, sizeof f, "%s%s%s", where, *where ? "." : "", key);
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it)
        return required ? xl__spec_fail(c, f, "missing required field%s", NULL) : XL_OK;
    if (!cJSON_IsString(it) || !it->valuestring[0])
        return xl__spec_fail(c, f, "must be a non-empty string%s", NULL);
    free(*out);
    *out = xl_strdup(it->valuestring, c->err);
    return *out ? XL_OK : XL_ENOMEM;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int xl__spec_sizes(xl__spec_ctx *c, const cJSON *it, const char *f, double **out, size_t *n)
{
    double *v = NULL;
    size_t k = 0;
    char g[200];
    if (cJSON_IsArray(it)) {
        int m = cJSON_GetArraySize(it);
        if (m == 0)
            return xl__spec_fail(c, f, "must not be empty%s", NULL);
        v = xl_calloc((size_t)m, sizeof *v, c->err);
        if (!v)
            return XL_ENOMEM;
        for (const cJSON *e = it->child; e; e = e->next, k++) {
            if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) || e->valuedouble < 1) {
                snprintf(g, sizeof g, "%s[%zu]", f, k);
                free(v);
                return xl__spec_fail(c, g, "must be a positive number of tokens%s", NULL);
            }
            v[k] = round(e->valuedouble);
        }
    } else if (cJSON_IsObject(it)) {
        double from = 0, to = 0, count = 0;
        const char *const keys[] = {"from", "to", "count", NULL};
        int rc = xl__spec_keys(c, it, keys, f);
        if (!rc)
            rc = xl__spec_num(c, it, "from", f, &from, 1, 0, 1);
        if (!rc)
            rc = xl__spec_num(c, it, "to", f, &to, 1, 0, 1);
        if (!rc)
            rc = xl__spec_num(c, it, "count", f, &count, 1, 1, 1);
        if (rc)
            return rc;
        if (to < from) {
            snprintf(g, sizeof g, "%s.to", f);
            return xl__spec_fail(c, g, "must be >= 'from'%s", NULL);
        }
        /* a grid of data sizes, not an allocation size: bounded (found by fuzz_spec) */
        if (count > 10000 || count != floor(count)) {
            snprintf(g, sizeof g, "%s.count", f);
            return xl__spec_fail(c, g, "must be a whole number of sizes in [1, 10000]%s", NULL);
        }
        v = xl_calloc((size_t)count, sizeof *v, c->err);
        if (!v)
            return XL_ENOMEM;
        for (; k < (size_t)count; k++)
            v[k] = round(count == 1 ? from
                                    : from * pow(to / from, (double)k / (count - 1)));
    } else {
        return xl__spec_fail(c, f, "must be a list of sizes or {\"from\", \"to\", \"count\"}%s",
                             NULL);
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
