/* JSON helpers over cJSON: file I/O with positioned errors, typed getters. */
#include "xferlaw/util.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int xl_json_read_file(const char *path, cJSON **out, xl_error *err)
{
    *out = NULL;
    char *text;
    size_t n;
    int rc = xl_read_file(path, &text, &n, err);
    if (rc)
        return rc;
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithOpts(text, &end, 1);
    if (!j) {
        long line = 1;
        const char *stop = end && end >= text && end <= text + n ? end : text;
        for (const char *c = text; c < stop; c++)
            line += *c == '\n';
        xl_error_at(err, XL_EPARSE, path, line, NULL, "malformed JSON near '%.20s'", stop);
        free(text);
        return XL_EPARSE;
    }
    free(text);
    *out = j;
    return XL_OK;
}

int xl_json_write_file(const char *path, const cJSON *json, xl_error *err)
{
    char *s = cJSON_Print(json);
    if (!s)
        return xl_error_set(err, XL_ENOMEM, "%s: cannot serialise JSON", path);
    size_t n = strlen(s);
    char *t = malloc(n + 2);
    if (!t) {
        cJSON_free(s);
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    }
    memcpy(t, s, n);
    t[n] = '\n';
    t[n + 1] = '\0';
    cJSON_free(s);
    int rc = xl_write_file_atomic(path, t, n + 1, err);
    free(t);
    return rc;
}

cJSON *xl_json_number(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static const cJSON *lookup(const cJSON *obj, const char *key, int required,
                           const char *where, xl_error *err, int *rc)
{
    *rc = XL_OK;
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it && required)
        *rc = xl_error_at(err, XL_EINVAL, where, 0, key, "missing required field");
    return it;
}

int xl_json_get_double(const cJSON *obj, const char *key, double *out, int required,
                       const char *where, xl_error *err)
{
    int rc;
    const cJSON *it = lookup(obj, key, required, where, err, &rc);
    if (!it)
        return rc;
    if (!cJSON_IsNumber(it))
        return xl_error_at(err, XL_EINVAL, where, 0, key, "expected a number");
    if (!isfinite(it->valuedouble))
        return xl_error_at(err, XL_EINVAL, where, 0, key, "number is not finite");
    *out = it->valuedouble;
    return XL_OK;
}

int xl_json_get_int(const cJSON *obj, const char *key, long *out, int required,
                    const char *where, xl_error *err)
{
    double v = 0;
    int rc;
    const cJSON *it = lookup(obj, key, required, where, err, &rc);
    if (!it)
        return rc;
    rc = xl_json_get_double(obj, key, &v, required, where, err);
    if (rc)
        return rc;
    if (v != floor(v) || fabs(v) > 9e15)
        return xl_error_at(err, XL_EINVAL, where, 0, key, "expected an integer, got %g", v);
    *out = (long)v;
    return XL_OK;
}

int xl_json_check_keys(const cJSON *obj, const char *const *keys, const char *prefix,
                       const char *where, xl_error *err)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        size_t k = 0;
        while (keys[k] && strcmp(keys[k], it->string) != 0)
            k++;
        if (!keys[k]) {
            char f[160];
            snprintf(f, sizeof f, "%s%s%s", prefix, *prefix ? "." : "", it->string);
            return xl_error_at(err, XL_EINVAL, where, 0, f, "unknown field");
        }
    }
    return XL_OK;
}

int xl_json_get_string(const cJSON *obj, const char *key, const char **out, int required,
                       const char *where, xl_error *err)
{
    int rc;
    const cJSON *it = lookup(obj, key, required, where, err, &rc);
    if (!it)
        return rc;
    if (!cJSON_IsString(it))
        return xl_error_at(err, XL_EINVAL, where, 0, key, "expected a string");
    *out = it->valuestring;
    return XL_OK;
}
