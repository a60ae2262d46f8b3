/* Fit options and results through handles (xferlaw/api.h): what a binding needs without
 * knowing xl_fit_options' or xl_fit_result's layout. */
#include "xferlaw/api.h"
#include "api_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Options from xl_fit_options_alloc own the strings they point to: a binding's strings
 * live only as long as its call. */
enum { OWN_LAW, OWN_Y, OWN_WEIGHT, OWN_HOLDOUT, N_OWN };
typedef struct owned_opts {
    xl_fit_options o;         /* first: the handle is &owned->o */
    char *own[N_OWN];
} owned_opts;

xl_fit_options *xl_fit_options_alloc(xl_error *err)
{
    owned_opts *w = xl_calloc(1, sizeof *w, err);
    if (!w)
        return NULL;
    xl_fit_options_init(&w->o);
    return &w->o;
}

void xl_fit_options_free(xl_fit_options *o)
{
    owned_opts *w = (owned_opts *)o;
    if (!w)
        return;
    for (int k = 0; k < N_OWN; k++)
        free(w->own[k]);
    free(w);
}

static int set_owned(owned_opts *w, int slot, const char **field, const char *value,
                     xl_error *err)
{
    char *copy = xl_strdup(value, err);
    if (!copy)
        return XL_ENOMEM;
    free(w->own[slot]);
    w->own[slot] = copy;
    *field = copy;
    return XL_OK;
}

int xl_fit_options_set(xl_fit_options *o, const char *key, const char *value, xl_error *err)
{
    owned_opts *w = (owned_opts *)o;
    if (!o || !key || !value)
        return xl_error_set(err, XL_EINVAL, "fit option: NULL argument");
    static const char *const strs[N_OWN] = {"law", "y", "weight", "holdout"};
    for (int k = 0; k < N_OWN; k++)
        if (xl_api_key_is_(key, strs[k])) {
            const char **field[N_OWN] = {&o->law, &o->y, &o->weight, &o->holdout};
            return set_owned(w, k, field[k], value, err);
        }
    if (xl_api_key_is_(key, "loss"))
        return xl_fit_options_set_loss(o, value, err);
    if (xl_api_key_is_(key, "space"))
        return xl_fit_options_set_space(o, value, err);
    if (xl_api_key_is_(key, "fix"))
        return xl_fit_options_add_fixed(o, value, err);
    if (xl_api_key_is_(key, "bound"))
        return xl_fit_options_add_bound(o, value, err);
    static const char *const ints[] = {"starts", "bootstrap", "seed", "threads", "max-iter"};
    for (size_t k = 0; k < sizeof ints / sizeof *ints; k++) {
        if (!xl_api_key_is_(key, ints[k]))
            continue;
        long l;
        if (xl_parse_long(value, &l) || l < 0 || (k >= 3 && l > 1000000000L))
            return xl_error_set(err, XL_EINVAL, "%s '%s': expected an integer >= 0", ints[k],
                                value);
        switch (k) {
        case 0: o->n_starts = (size_t)l; break;
        case 1: o->bootstrap = (size_t)l; break;
        case 2: o->seed = (uint64_t)l; break;
        case 3: o->threads = (int)l; break;
        default: o->max_iter = (int)l; break;
        }
        return XL_OK;
    }
    return xl_error_set(err, XL_EINVAL,
                        "unknown fit option '%s' (law, y, loss, space, weight, holdout, starts, "
                        "bootstrap, seed, threads, max-iter, fix, bound)", key);
}

size_t xl_fit_result_nparams(const xl_fit_result *r) { return r->n_params; }

const char *xl_fit_result_param_name(const xl_fit_result *r, size_t i)
{
    return i < r->n_params ? r->params[i].name : NULL;
}

double xl_fit_result_param_value(const xl_fit_result *r, size_t i)
{
    return i < r->n_params ? r->params[i].value : NAN;
}

double xl_fit_result_param_se(const xl_fit_result *r, size_t i)
{
    return i < r->n_params ? r->params[i].se : NAN;
}

static int bad_index(xl_error *err, const xl_fit_result *r, size_t i)
{
    return xl_error_set(err, XL_EINVAL, "parameter index %zu out of range (%zu parameters)", i,
                        r->n_params);
}

int xl_fit_result_param_ci(const xl_fit_result *r, size_t i, double *lo, double *hi,
                           xl_error *err)
{
    if (i >= r->n_params)
        return bad_index(err, r, i);
    *lo = r->params[i].ci_lo;
    *hi = r->params[i].ci_hi;
    return XL_OK;
}

int xl_fit_result_param_fixed(const xl_fit_result *r, size_t i)
{
    return i < r->n_params && r->params[i].fixed;
}

int xl_fit_result_number(const xl_fit_result *r, const char *key, double *out, xl_error *err)
{
    const xl_fit_diagnostics *d = &r->diag;
    const struct { const char *name; double v; } tab[] = {
        {"objective", r->objective}, {"n", (double)r->n}, {"starts", (double)r->starts},
        {"distinct_optima", (double)r->distinct_optima}, {"converged", r->converged},
        {"se_scale", r->se_scale}, {"huber_delta", r->loss == XL_FIT_HUBER ? r->huber_delta : NAN},
        {"bootstrap", (double)r->bootstrap},
        {"bootstrap_converged", (double)r->bootstrap_converged}, {"ci_tail", r->ci_tail},
        {"seconds", r->seconds}, {"rmse_log", d->rmse_log}, {"rmse", d->rmse}, {"r2", d->r2},
        {"aic", d->aic}, {"bic", d->bic}, {"holdout_rmsle", d->holdout_rmsle},
        {"n_holdout", (double)d->n_holdout}, {"n_rows", (double)r->n_rows},
    };
    for (size_t k = 0; key && k < sizeof tab / sizeof *tab; k++)
        if (strcmp(key, tab[k].name) == 0) {
            *out = tab[k].v;
            return XL_OK;
        }
    *out = NAN;
    return xl_error_set(err, XL_EINVAL, "fit result has no number '%s'", key ? key : "");
}

const char *xl_fit_result_string(const xl_fit_result *r, const char *key)
{
    if (!key)
        return NULL;
    if (!strcmp(key, "law")) return r->law;
    if (!strcmp(key, "formula")) return r->formula;
    if (!strcmp(key, "y")) return r->y;
    if (!strcmp(key, "space")) return r->space == XL_FIT_SPACE_LINEAR ? "linear" : "log";
    if (!strcmp(key, "loss")) return r->loss == XL_FIT_HUBER ? "huber" : "lsq";
    if (!strcmp(key, "se_method")) return r->se_method;
    if (!strcmp(key, "input_path")) return r->input_path;
    return NULL;
}

size_t xl_fit_result_ncolumns(const xl_fit_result *r) { return r->n_columns; }

const char *xl_fit_result_column(const xl_fit_result *r, size_t i)
{
    return i < r->n_columns ? r->columns[i] : NULL;
}

int xl_fit_result_predict(const xl_fit_result *r, size_t n, size_t n_cols,
                          const char *const *names, const double *const *cols, double *out,
                          xl_error *err)
{
    size_t map[XL_FIT_MAX_PARAMS + 8];
    if (r->n_columns > sizeof map / sizeof *map)
        return xl_error_set(err, XL_EINVAL, "predict: the law has too many columns");
    for (size_t c = 0; c < r->n_columns; c++) {
        size_t k = 0;
        while (k < n_cols && strcmp(names[k], r->columns[c]) != 0)
            k++;
        if (k == n_cols) {
            char need[256] = "";
            for (size_t d = 0, at = 0; d < r->n_columns && at < sizeof need; d++)
                at += (size_t)snprintf(need + at, sizeof need - at, "%s%s", d ? ", " : "",
                                       r->columns[d]);
            return xl_error_set(err, XL_EINVAL, "predict: no column '%s' (the law needs %s)",
                                r->columns[c], need);
        }
        map[c] = k;
    }
    double x[XL_FIT_MAX_PARAMS + 8];
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < r->n_columns; c++)
            x[c] = cols[map[c]][i];
        out[i] = xl_fit_eval(r, x, NULL);
    }
    return XL_OK;
}

void xl_fit_result_rows(const xl_fit_result *r, double *y, double *pred, double *resid,
                        int *heldout)
{
    for (size_t i = 0; i < r->n_rows; i++) {
        if (y) y[i] = r->row_y[i];
        if (pred) pred[i] = r->row_pred[i];
        if (resid) resid[i] = r->row_resid[i];
        if (heldout) heldout[i] = r->row_heldout ? r->row_heldout[i] != 0 : 0;
    }
}

void xl_fit_result_boot(const xl_fit_result *r, double *out)
{
    if (r->boot)
        memcpy(out, r->boot, r->bootstrap_converged * r->n_params * sizeof *out);
}

char *xl_fit_result_json(const xl_fit_result *r)
{
    cJSON *j = xl_fit_result_to_json(r);
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    return s;
}
