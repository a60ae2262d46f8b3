/* Transfer options and results through handles (xferlaw/api.h). */
#include "xferlaw/api.h"
#include "api_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct owned_xopts {
    xl_xfer_opts o;             /* first: the handle is &owned->o */
    char *compute_curriculum;
} owned_xopts;

xl_xfer_opts *xl_xfer_opts_alloc(xl_error *err)
{
    owned_xopts *w = xl_calloc(1, sizeof *w, err);
    if (!w)
        return NULL;
    xl_xfer_opts_default(&w->o);
    w->o.no_progress = 1;       /* a library call does not draw on the caller's stderr */
    return &w->o;
}

void xl_xfer_opts_free(xl_xfer_opts *o)
{
    owned_xopts *w = (owned_xopts *)o;
    if (w)
        free(w->compute_curriculum);
    free(w);
}

int xl_xfer_opts_set(xl_xfer_opts *o, const char *key, const char *value, xl_error *err)
{
    if (!o || !key || !value)
        return xl_error_set(err, XL_EINVAL, "transfer option: NULL argument");
    /* numbers, with the lower bounds `xferlaw transfer` enforces */
    static const struct { const char *name; double lo, hi; } nums[] = {
        {"low-data", 1e-12, HUGE_VAL}, {"within", 1e-12, HUGE_VAL}, {"disagree", 1, HUGE_VAL},
        {"bootstrap", 0, 1e9}, {"seed", 0, 1.8e19}, {"threads", 0, 4096},
        {"target-loss", 1e-300, HUGE_VAL}, {"pretrain-tokens", 0, HUGE_VAL},
        {"include-extrapolated", 0, 1}, {"include-high-data", 0, 1}, {"include-flat", 0, 1},
    };
    for (size_t k = 0; k < sizeof nums / sizeof *nums; k++) {
        if (!xl_api_key_is_(key, nums[k].name))
            continue;
        double d;
        if (xl_parse_double(value, &d) || !(d >= nums[k].lo && d <= nums[k].hi))
            return xl_error_set(err, XL_EINVAL, "%s needs a number in [%g, %g], got '%s'",
                                nums[k].name, nums[k].lo, nums[k].hi, value);
        switch (k) {
        case 0: o->low_data_frac = d; break;
        case 1: o->within = d; break;
        case 2: o->disagree = d; break;
        case 3: o->bootstrap = (size_t)d; break;
        case 4: o->seed = (uint64_t)d; break;
        case 5: o->threads = (int)d; break;
        case 6: o->target_loss = d; break;
        case 7: o->pretrain_tokens = d; break;
        case 8: o->include_extrapolated = d != 0; break;
        case 9: o->include_high_data = d != 0; break;
        default: o->include_flat = d != 0; break;
        }
        return XL_OK;
    }
    if (xl_api_key_is_(key, "estimator")) {
        if (strcmp(value, "interp") && strcmp(value, "fit"))
            return xl_error_set(err, XL_EINVAL, "estimator is interp or fit, got '%s'", value);
        o->estimator = strcmp(value, "interp") ? XL_EST_FIT : XL_EST_INTERP;
        return XL_OK;
    }
    if (xl_api_key_is_(key, "at")) {
        char *end;
        double N = strtod(value, &end), DF = 0;
        if (*end != ',' || xl_parse_double(end + 1, &DF) || !(N > 0) || !(DF > 0))
            return xl_error_set(err, XL_EINVAL, "at needs N,DF (two positive numbers), got '%s'",
                                value);
        if (o->n_at >= sizeof o->at_N / sizeof *o->at_N)
            return xl_error_set(err, XL_EINVAL, "at most %zu 'at' points",
                                sizeof o->at_N / sizeof *o->at_N);
        o->at_N[o->n_at] = N;
        o->at_DF[o->n_at++] = DF;
        return XL_OK;
    }
    if (xl_api_key_is_(key, "compute-curriculum")) {
        owned_xopts *w = (owned_xopts *)o;
        char *copy = xl_strdup(value, err);
        if (!copy)
            return XL_ENOMEM;
        free(w->compute_curriculum);
        o->compute_curriculum = w->compute_curriculum = copy;
        return XL_OK;
    }
    return xl_error_set(err, XL_EINVAL,
                        "unknown transfer option '%s' (low-data, within, disagree, bootstrap, "
                        "seed, threads, target-loss, pretrain-tokens, estimator, at, "
                        "compute-curriculum, include-extrapolated, include-high-data, "
                        "include-flat)", key);
}

size_t xl_transfer_result_ncurricula(const xl_transfer_result *r) { return r->n_curricula; }

const char *xl_transfer_result_curriculum(const xl_transfer_result *r, size_t c)
{
    return c < r->n_curricula ? r->cur[c].name : NULL;
}

int xl_transfer_result_param(const xl_transfer_result *r, size_t c, const char *fit,
                             const char *param, double *value, double *se, double *lo,
                             double *hi, int *ok, xl_error *err)
{
    if (c >= r->n_curricula)
        return xl_error_set(err, XL_EINVAL, "curriculum index %zu out of range (%zu curricula)",
                            c, r->n_curricula);
    const xl_curriculum_result *cr = &r->cur[c];
    const xl_param *k, *alpha, *beta;
    int fit_ok;
    const xl_law_fit *lf = NULL;
    if (fit && !strcmp(fit, "loglinear_interp")) lf = &cr->law[XL_EST_INTERP];
    else if (fit && !strcmp(fit, "loglinear_fit")) lf = &cr->law[XL_EST_FIT];
    else if (fit && !strcmp(fit, "loss_space")) lf = &cr->loss_fit;
    if (lf) {
        k = &lf->k, alpha = &lf->alpha, beta = &lf->beta, fit_ok = lf->ok;
    } else if (fit && !strcmp(fit, "fit_the_fits")) {
        k = &cr->ff.k, alpha = &cr->ff.alpha, beta = &cr->ff.beta, fit_ok = cr->ff.ok;
    } else {
        return xl_error_set(err, XL_EINVAL, "unknown transfer fit '%s' (loglinear_interp, "
                            "loglinear_fit, loss_space, fit_the_fits)", fit ? fit : "");
    }
    const xl_param *p = NULL;
    if (param && !strcmp(param, "k")) p = k;
    else if (param && !strcmp(param, "alpha")) p = alpha;
    else if (param && !strcmp(param, "beta")) p = beta;
    else
        return xl_error_set(err, XL_EINVAL, "unknown transfer parameter '%s' (k, alpha, beta)",
                            param ? param : "");
    if (value) *value = fit_ok ? p->value : NAN;
    if (se) *se = fit_ok ? p->se : NAN;
    if (lo) *lo = fit_ok ? p->lo : NAN;
    if (hi) *hi = fit_ok ? p->hi : NAN;
    if (ok) *ok = fit_ok;
    return XL_OK;
}

char *xl_transfer_result_json(const xl_transfer_result *r)
{
    cJSON *j = xl_transfer_to_json(r);
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    return s;
}
