/* The sweep spec's dropout keys (trainer --dropout, --attn-dropout). */
#include "spec_dropout.h"

#include <math.h>
#include <stdio.h>

static int get_prob(const cJSON *obj, const char *key, const char *where, const char *file,
                    double *out, int *has, xl_error *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (has)
        *has = it != NULL;
    if (!it)
        return XL_OK;
    /* 1 would drop every activation: a probability below 1 */
    if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0 && it->valuedouble < 1)) {
        char f[160];
        snprintf(f, sizeof f, "%s%s%s", where, *where ? "." : "", key);
        return xl_error_at(err, XL_EINVAL, file, 0, f, "must be a number in [0, 1)");
    }
    *out = it->valuedouble;
    return XL_OK;
}

int xl__spec_dropout(const cJSON *obj, const char *where, const char *file, double *p,
                     double *attn, int *has_p, int *has_attn, xl_error *err)
{
    int rc = get_prob(obj, "dropout", where, file, p, has_p, err);
    return rc ? rc : get_prob(obj, "attn_dropout", where, file, attn, has_attn, err);
}
