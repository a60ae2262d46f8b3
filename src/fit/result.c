/* Fit results: lookup, evaluation at new points, JSON in and out, residual table. */
#include "fit_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void xl_fit_result_free(xl_fit_result *r)
{
    if (!r)
        return;
    free(r->law);
    free(r->formula);
    free(r->y);
    for (size_t c = 0; r->columns && c < r->n_columns; c++)
        free(r->columns[c]);
    free(r->columns);
    free(r->params);
    free(r->boot);
    free(r->cov);
    for (size_t w = 0; r->warnings && w < r->n_warnings; w++)
        free(r->warnings[w]);
    free(r->warnings);
    free(r->row_line);
    free(r->row_y);
    free(r->row_pred);
    free(r->row_resid);
    free(r->row_heldout);
    free(r->input_path);
    xl_expr_free(r->expr);
    free(r->sym_map);
    free(r);
}

long xl_fit_param_index(const xl_fit_result *r, const char *name)
{
    for (size_t k = 0; k < r->n_params; k++)
        if (strcmp(r->params[k].name, name) == 0)
            return (long)k;
    return -1;
}

const xl_fit_param *xl_fit_param_get(const xl_fit_result *r, const char *name)
{
    long k = xl_fit_param_index(r, name);
    return k < 0 ? NULL : &r->params[k];
}

/* bnsl:K in log space, as the fit's kernel: log of the b-term T = log b - c0 L -
 * sum_i c_i f_i softplus((L - log d_i)/f_i).  The formula's (x/d)^(1/f) overflows to inf
 * for a sharp break and (1 + inf)^(-c f) = 0 would drop the b-term: a false step in every
 * curve drawn from the fit.  NAN when the parameters leave the kernel's domain. */
static double bnsl_eval(size_t np, const double *p, double x, double *dfdx)
{
    if (!(x > 0 && p[1] > 0))
        return NAN;
    double L = log(x), T = log(p[1]) - p[2] * L, dT = -p[2];
    for (size_t k = 3; k + 2 < np; k += 3) {
        double c = p[k], d = p[k + 1], f = p[k + 2];
        if (!(d > 0 && f > 0))
            return NAN;
        double z = (L - log(d)) / f, q = exp(-fabs(z));
        T -= c * f * ((z > 0 ? z : 0) + log1p(q));
        dT -= c * (z >= 0 ? 1 / (1 + q) : q / (1 + q));
    }
    double bt = exp(T);
    if (dfdx)
        dfdx[0] = bt * dT / x;
    return p[0] + bt;
}

static int is_bnsl(const xl_fit_result *r)
{
    const xl_law_info *info = xl_law_find(r->law);
    if (!info || strncmp(info->name, "bnsl:", 5) != 0 || r->n_params != info->n_params ||
        !r->formula || strcmp(r->formula, info->formula) != 0)
        return 0;
    for (size_t k = 0; k < r->n_params; k++)
        if (strcmp(r->params[k].name, info->params[k].name) != 0)
            return 0;
    return 1;
}

double xl_fit_eval_params(const xl_fit_result *r, const double *params, const double *x,
                          double *dfdx)
{
    if (is_bnsl(r))
        return bnsl_eval(r->n_params, params, x[0], dfdx);
    size_t ns = xl_expr_n_symbols(r->expr);
    double vals_s[32], grad_s[32];
    double *vals = ns <= 32 ? vals_s : malloc(ns * sizeof *vals);
    double *grad = ns <= 32 ? grad_s : malloc(ns * sizeof *grad);
    if (!vals || !grad) {
        if (vals != vals_s)
            free(vals);
        if (grad != grad_s)
            free(grad);
        return NAN;
    }
    for (size_t s = 0; s < ns; s++)
        vals[s] = r->sym_map[s] >= 0 ? x[r->sym_map[s]] : params[-r->sym_map[s] - 1];
    double f;
    if (dfdx) {
        double *scratch = malloc((xl_expr_scratch_size(r->expr) + 1) * sizeof *scratch);
        f = scratch ? xl_expr_eval_grad(r->expr, vals, grad, scratch) : NAN;
        free(scratch);
        for (size_t c = 0; c < r->n_columns; c++)
            dfdx[c] = 0;
        for (size_t s = 0; s < ns; s++)
            if (r->sym_map[s] >= 0)
                dfdx[r->sym_map[s]] += grad[s];
    } else {
        f = xl_expr_eval(r->expr, vals);
    }
    if (vals != vals_s)
        free(vals);
    if (grad != grad_s)
        free(grad);
    return f;
}

double xl_fit_eval(const xl_fit_result *r, const double *x, double *dfdx)
{
    double p[XL_FIT_MAX_PARAMS];
    for (size_t k = 0; k < r->n_params; k++)
        p[k] = r->params[k].value;
    return xl_fit_eval_params(r, p, x, dfdx);
}

/* ---- JSON ----------------------------------------------------------------------------- */
static const char *space_name(xl_fit_space s) { return s == XL_FIT_SPACE_LINEAR ? "linear" : "log"; }

cJSON *xl_fit_result_to_json(const xl_fit_result *r)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "law", r->law);
    cJSON_AddStringToObject(j, "formula", r->formula);
    cJSON_AddStringToObject(j, "y", r->y);
    cJSON *cols = cJSON_AddArrayToObject(j, "columns");
    for (size_t c = 0; c < r->n_columns; c++)
        cJSON_AddItemToArray(cols, cJSON_CreateString(r->columns[c]));
    cJSON_AddStringToObject(j, "space", space_name(r->space));
    char loss[64];
    if (r->loss == XL_FIT_HUBER)
        snprintf(loss, sizeof loss, "huber:%g", r->huber_delta);
    else
        snprintf(loss, sizeof loss, "lsq");
    cJSON_AddStringToObject(j, "loss", loss);
    cJSON *ps = cJSON_AddObjectToObject(j, "params");
    for (size_t k = 0; k < r->n_params; k++) {
        const xl_fit_param *p = &r->params[k];
        cJSON *o = cJSON_AddObjectToObject(ps, p->name);
        cJSON_AddItemToObject(o, "value", xl_json_number(p->value));
        cJSON_AddItemToObject(o, "se", xl_json_number(p->se));
        cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
        cJSON_AddItemToArray(ci, xl_json_number(p->ci_lo));
        cJSON_AddItemToArray(ci, xl_json_number(p->ci_hi));
        if (p->fixed)
            cJSON_AddBoolToObject(o, "fixed", 1);
    }
    cJSON_AddItemToObject(j, "objective", xl_json_number(r->objective));
    cJSON_AddNumberToObject(j, "n", (double)r->n);
    cJSON_AddNumberToObject(j, "starts", (double)r->starts);
    cJSON_AddNumberToObject(j, "distinct_optima", (double)r->distinct_optima);
    cJSON_AddNumberToObject(j, "best_starts", (double)r->n_best);
    cJSON_AddBoolToObject(j, "converged", r->converged);
    cJSON_AddStringToObject(j, "se_method", r->se_method ? r->se_method : "");
    cJSON *b = cJSON_AddObjectToObject(j, "bootstrap");
    cJSON_AddNumberToObject(b, "B", (double)r->bootstrap);
    cJSON_AddNumberToObject(b, "converged", (double)r->bootstrap_converged);
    cJSON_AddItemToObject(b, "quantiles", cJSON_CreateDoubleArray((double[]){r->ci_tail, 1 - r->ci_tail}, 2));
    cJSON *d = cJSON_AddObjectToObject(j, "diagnostics");
    cJSON_AddItemToObject(d, "rmse_log", xl_json_number(r->diag.rmse_log));
    cJSON_AddItemToObject(d, "rmse", xl_json_number(r->diag.rmse));
    cJSON_AddItemToObject(d, "r2", xl_json_number(r->diag.r2));
    cJSON_AddItemToObject(d, "aic", xl_json_number(r->diag.aic));
    cJSON_AddItemToObject(d, "bic", xl_json_number(r->diag.bic));
    cJSON_AddItemToObject(d, "holdout_rmsle", xl_json_number(r->diag.holdout_rmsle));
    cJSON_AddNumberToObject(d, "n_holdout", (double)r->diag.n_holdout);
    cJSON *ws = cJSON_AddArrayToObject(j, "warnings");
    for (size_t w = 0; w < r->n_warnings; w++)
        cJSON_AddItemToArray(ws, cJSON_CreateString(r->warnings[w]));
    if (r->cov) {
        cJSON *cv = cJSON_AddObjectToObject(j, "covariance");
        cJSON *names = cJSON_AddArrayToObject(cv, "params"), *rows = cJSON_AddArrayToObject(cv, "matrix");
        for (size_t a = 0; a < r->n_params; a++) {
            cJSON_AddItemToArray(names, cJSON_CreateString(r->params[a].name));
            cJSON *row = cJSON_CreateArray();
            for (size_t b = 0; b < r->n_params; b++)
                cJSON_AddItemToArray(row, xl_json_number(r->cov[a * r->n_params + b]));
            cJSON_AddItemToArray(rows, row);
        }
    }
    cJSON *in = cJSON_AddObjectToObject(j, "input");
    cJSON_AddStringToObject(in, "path", r->input_path ? r->input_path : "");
    cJSON_AddStringToObject(in, "sha256", r->input_sha256);
    return j;
}

int xl_fit_result_save(const xl_fit_result *r, const char *path, xl_error *err)
{
    cJSON *j = xl_fit_result_to_json(r);
    if (!j)
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    int rc = xl_json_write_file(path, j, err);
    cJSON_Delete(j);
    return rc;
}

int xl_fit_result_load(const char *path, xl_fit_result **out, xl_error *err)
{
    *out = NULL;
    cJSON *j = NULL;
    if (xl_json_read_file(path, &j, err))
        return err->code;
    xl_fit_result *r = xl_calloc(1, sizeof *r, err);
    const char *law = NULL, *formula = NULL, *y = NULL, *space = "log";
    int rc = XL_OK;
    if (!r || xl_json_get_string(j, "law", &law, 1, path, err) ||
        xl_json_get_string(j, "formula", &formula, 1, path, err) ||
        xl_json_get_string(j, "y", &y, 0, path, err) ||
        xl_json_get_string(j, "space", &space, 0, path, err)) {
        rc = err->code ? err->code : XL_ENOMEM;
        goto fail;
    }
    r->law = xl_strdup(law, err);
    r->formula = xl_strdup(formula, err);
    r->y = xl_strdup(y ? y : "", err);
    r->input_path = xl_strdup("", err);
    r->space = strcmp(space, "linear") == 0 ? XL_FIT_SPACE_LINEAR : XL_FIT_SPACE_LOG;
    if (!r->law || !r->formula || !r->y || !r->input_path ||
        (rc = xl_expr_parse(r->formula, &r->expr, err)))
        goto fail;
    size_t ns = xl_expr_n_symbols(r->expr);
    r->sym_map = xl_calloc(ns + 1, sizeof(long), err);
    r->columns = xl_calloc(ns + 1, sizeof(char *), err);
    r->params = xl_calloc(ns + 1, sizeof(xl_fit_param), err);
    if (!r->sym_map || !r->columns || !r->params) {
        rc = XL_ENOMEM;
        goto fail;
    }
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(j, "columns");
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(j, "params");
    if (!cJSON_IsArray(cols) || !cJSON_IsObject(ps)) {
        rc = xl_error_at(err, XL_EFORMAT, path, 0, "columns", "missing 'columns' or 'params'");
        goto fail;
    }
    for (size_t s = 0; s < ns; s++) {
        const char *sym = xl_expr_symbol(r->expr, s);
        const cJSON *c;
        long idx = 0, found = -1;
        cJSON_ArrayForEach(c, cols)
        {
            if (cJSON_IsString(c) && strcmp(c->valuestring, sym) == 0)
                found = idx;
            idx++;
        }
        if (found >= 0) {
            r->sym_map[s] = (long)r->n_columns;
            r->columns[r->n_columns++] = xl_strdup(sym, err);
            continue;
        }
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(ps, sym);
        xl_fit_param *fp = &r->params[r->n_params];
        snprintf(fp->name, XL_FIT_NAME_MAX, "%s", sym);
        if (!p || xl_json_get_double(p, "value", &fp->value, 1, path, err)) {
            rc = xl_error_at(err, XL_EFORMAT, path, 0, sym, "parameter value missing");
            goto fail;
        }
        fp->se = fp->ci_lo = fp->ci_hi = NAN;
        xl_json_get_double(p, "se", &fp->se, 0, path, NULL);
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(p, "ci95");
        if (cJSON_GetArraySize(ci) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) &&
            cJSON_IsNumber(cJSON_GetArrayItem(ci, 1))) {
            fp->ci_lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
            fp->ci_hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
        }
        r->sym_map[s] = -(long)(r->n_params + 1);
        r->n_params++;
    }
    /* columns in the saved order, so xl_fit_eval takes x like the fit did */
    {
        size_t k = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, cols)
        {
            for (size_t q = k; cJSON_IsString(c) && q < r->n_columns; q++)
                if (strcmp(r->columns[q], c->valuestring) == 0) {
                    char *t = r->columns[k];
                    r->columns[k] = r->columns[q];
                    r->columns[q] = t;
                    for (size_t s = 0; s < ns; s++) {
                        if (r->sym_map[s] == (long)q)
                            r->sym_map[s] = (long)k;
                        else if (r->sym_map[s] == (long)k)
                            r->sym_map[s] = (long)q;
                    }
                    k++;
                    break;
                }
        }
    }
    xl_json_get_double(j, "objective", &r->objective, 0, path, NULL);
    double d = 0;
    if (xl_json_get_double(j, "n", &d, 0, path, NULL) == 0 && d >= 0 && d < 1e15)
        r->n = (size_t)d;
    /* fixed parameters (not free for the degrees of freedom) and the covariance */
    for (size_t k = 0; k < r->n_params; k++) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(ps, r->params[k].name);
        r->params[k].fixed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "fixed"));
    }
    const cJSON *bt = cJSON_GetObjectItemCaseSensitive(j, "bootstrap");
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(bt, "quantiles");
    if (cJSON_IsNumber(cJSON_GetArrayItem(qs, 0)))
        r->ci_tail = cJSON_GetArrayItem(qs, 0)->valuedouble;
    const cJSON *cv = cJSON_GetObjectItemCaseSensitive(j, "covariance");
    const cJSON *cn = cJSON_GetObjectItemCaseSensitive(cv, "params");
    const cJSON *cm = cJSON_GetObjectItemCaseSensitive(cv, "matrix");
    if (cJSON_IsArray(cn) && cJSON_IsArray(cm) && r->n_params > 0) {
        size_t np = r->n_params, m = (size_t)cJSON_GetArraySize(cn);
        long map[XL_FIT_MAX_PARAMS + 1];
        int ok = m <= XL_FIT_MAX_PARAMS && (size_t)cJSON_GetArraySize(cm) == m;
        for (size_t a = 0; ok && a < m; a++) {
            const cJSON *nm = cJSON_GetArrayItem(cn, (int)a);
            map[a] = cJSON_IsString(nm) ? xl_fit_param_index(r, nm->valuestring) : -1;
            ok = cJSON_GetArraySize(cJSON_GetArrayItem(cm, (int)a)) == (int)m;
        }
        if (ok && (r->cov = xl_calloc(np * np + 1, sizeof(double), err))) {
            for (size_t a = 0; a < m; a++)
                for (size_t b = 0; b < m; b++) {
                    const cJSON *v = cJSON_GetArrayItem(cJSON_GetArrayItem(cm, (int)a), (int)b);
                    if (map[a] >= 0 && map[b] >= 0)
                        r->cov[map[a] * np + map[b]] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
                }
        }
    }
    r->converged = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "converged"));
    cJSON_Delete(j);
    *out = r;
    return XL_OK;
fail:
    cJSON_Delete(j);
    xl_fit_result_free(r);
    return rc ? rc : XL_EFORMAT;
}

int xl_fit_write_residuals(const xl_fit_result *r, const char *path, xl_error *err)
{
    xl_afile af;
    if (xl_afile_open(&af, path, err))
        return err->code;
    fprintf(af.fp, "line,%s,pred,resid,heldout\n", r->y);
    for (size_t i = 0; i < r->n_rows; i++)
        fprintf(af.fp, "%ld,%.17g,%.17g,%.17g,%d\n", r->row_line[i], r->row_y[i], r->row_pred[i],
                r->row_resid[i], r->row_heldout[i]);
    return xl_afile_commit(&af, err);
}
