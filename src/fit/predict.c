/* A fitted law at new points with 95% (or other) intervals for the law's value there
 * (the mean curve, not a new observation's scatter):
 *   bootstrap: the fit's expanded percentile levels (r->ci_tail) of f(x; p_b) over the
 *              replicates p_b, when the result holds them;
 *   delta:     f +/- t se_f with se_f^2 = g' C g, g = df/dp, C the covariance; in log
 *              space on log f (f e^(+/- t se_log)), so intervals stay positive; t is
 *              Student's at n - p degrees of freedom.
 * Also the replicates file (CSV, one row per refit, a column per parameter). */
#include "fit_internal.h"

#include "xferlaw/table.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

long xl_fit_n_free(const xl_fit_result *r)
{
    long k = 0;
    for (size_t i = 0; i < r->n_params; i++)
        k += !r->params[i].fixed;
    return k;
}

/* f and df/dp (all parameters) at natural parameters p. */
static double eval_dp(const xl_fit_result *r, const double *p, const double *x, double *dfdp,
                      double *scratch, double *vals, double *grad)
{
    size_t ns = xl_expr_n_symbols(r->expr);
    for (size_t s = 0; s < ns; s++)
        vals[s] = r->sym_map[s] >= 0 ? x[r->sym_map[s]] : p[-r->sym_map[s] - 1];
    double f = xl_expr_eval_grad(r->expr, vals, grad, scratch);
    for (size_t k = 0; k < r->n_params; k++)
        dfdp[k] = 0;
    for (size_t s = 0; s < ns; s++)
        if (r->sym_map[s] < 0)
            dfdp[-r->sym_map[s] - 1] += grad[s];
    return f;
}

int xl_fit_predict(const xl_fit_result *r, size_t n, const double *const *x, double level,
                   double *value, double *lo, double *hi, const char **method, xl_error *err)
{
    size_t ns = xl_expr_n_symbols(r->expr), np = r->n_params;
    int boot = r->boot && r->bootstrap_converged >= 20;
    if (!boot && !r->cov)
        return xl_error_set(err, XL_EINVAL,
                            "the fit has neither bootstrap replicates nor a covariance matrix "
                            "(refit with this version, or give --replicates)");
    double *scratch = calloc(xl_expr_scratch_size(r->expr) + 1, sizeof(double));
    double *vals = calloc(ns + 1, sizeof(double)), *grad = calloc(ns + 1, sizeof(double));
    double *fb = calloc(r->bootstrap_converged + 1, sizeof(double));
    double p[XL_FIT_MAX_PARAMS], g[XL_FIT_MAX_PARAMS], xi[8];
    if (!scratch || !vals || !grad || !fb) {
        free(scratch), free(vals), free(grad), free(fb);
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    }
    /* the fit's expanded tail at 95%, else the plain one at the level asked */
    double tail = (1 - level) / 2;
    if (fabs(level - 0.95) < 1e-12 && r->ci_tail > 0 && r->ci_tail < 0.5)
        tail = r->ci_tail;
    double dof = (double)r->n - (double)xl_fit_n_free(r);
    double t = dof >= 1 ? gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, dof)
                        : gsl_cdf_ugaussian_Pinv(1 - (1 - level) / 2);
    for (size_t k = 0; k < np; k++)
        p[k] = r->params[k].value;
    *method = boot ? "bootstrap" : "delta";
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < r->n_columns && c < 8; c++)
            xi[c] = x[c][i];
        double f = eval_dp(r, p, xi, g, scratch, vals, grad);
        value[i] = f;
        lo[i] = hi[i] = NAN;
        if (!isfinite(f))
            continue;
        if (boot) {
            size_t m = 0;
            for (size_t b = 0; b < r->bootstrap_converged; b++) {
                double fv = xl_fit_eval_params(r, r->boot + b * np, xi, NULL);
                if (isfinite(fv))
                    fb[m++] = fv;
            }
            if (m >= 2) {
                qsort(fb, m, sizeof *fb, fit_cmp_double);
                lo[i] = fit_percentile(fb, m, tail);
                hi[i] = fit_percentile(fb, m, 1 - tail);
            }
            continue;
        }
        double v = 0;
        for (size_t a = 0; a < np; a++)
            for (size_t b = 0; b < np; b++)
                v += g[a] * r->cov[a * np + b] * g[b];
        if (!(v >= 0))
            continue;
        if (r->space == XL_FIT_SPACE_LOG && f > 0) {
            double s = sqrt(v) / f;
            lo[i] = f * exp(-t * s);
            hi[i] = f * exp(t * s);
        } else {
            lo[i] = f - t * sqrt(v);
            hi[i] = f + t * sqrt(v);
        }
    }
    free(scratch), free(vals), free(grad), free(fb);
    return XL_OK;
}

int xl_fit_write_replicates(const xl_fit_result *r, const char *path, xl_error *err)
{
    if (!r->boot)
        return xl_error_set(err, XL_EINVAL, "--replicates needs --bootstrap B");
    xl_afile af;
    if (xl_afile_open(&af, path, err))
        return err->code;
    for (size_t k = 0; k < r->n_params; k++)
        fprintf(af.fp, "%s%s", k ? "," : "", r->params[k].name);
    fprintf(af.fp, "\n");
    for (size_t b = 0; b < r->bootstrap_converged; b++)
        for (size_t k = 0; k < r->n_params; k++)
            fprintf(af.fp, "%.17g%s", r->boot[b * r->n_params + k], k + 1 < r->n_params ? "," : "\n");
    return xl_afile_commit(&af, err);
}

int xl_fit_read_replicates(xl_fit_result *r, const char *path, xl_error *err)
{
    xl_table *t = NULL;
    if (xl_table_read(path, &t, err))
        return err->code;
    double *boot = calloc(t->n_rows * r->n_params + 1, sizeof(double));
    int rc = XL_OK;
    if (!boot) {
        rc = xl_error_set(err, XL_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < r->n_params; k++) {
        const double *col;
        if (xl_table_col(t, r->params[k].name) < 0) {
            rc = xl_error_at(err, XL_EFORMAT, path, 0, r->params[k].name,
                             "column not found (the replicates need one per parameter)");
            goto out;
        }
        if ((rc = xl_table_numeric(t, r->params[k].name, &col, err)))
            goto out;
        for (size_t b = 0; b < t->n_rows; b++)
            boot[b * r->n_params + k] = col[b];
    }
    free(r->boot);
    r->boot = boot;
    boot = NULL;
    r->bootstrap_converged = t->n_rows;
    if (r->bootstrap < t->n_rows)
        r->bootstrap = t->n_rows;
out:
    free(boot);
    xl_table_free(t);
    return rc;
}

size_t xl_fit_result_n_warnings(const xl_fit_result *r) { return r->n_warnings; }
const char *xl_fit_result_warning(const xl_fit_result *r, size_t i)
{
    return i < r->n_warnings ? r->warnings[i] : NULL;
}
size_t xl_fit_result_best_starts(const xl_fit_result *r) { return r->n_best; }
double xl_fit_result_covariance(const xl_fit_result *r, size_t a, size_t b)
{
    return r->cov && a < r->n_params && b < r->n_params ? r->cov[a * r->n_params + b] : NAN;
}

int xl_fit_parse_point(const xl_fit_result *r, const char *spec, double *x, xl_error *err)
{
    for (size_t c = 0; c < r->n_columns; c++)
        x[c] = NAN;
    char buf[1024];
    if (strlen(spec) >= sizeof buf)
        return xl_error_set(err, XL_EINVAL, "--at: too long");
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return xl_error_set(err, XL_EINVAL, "--at '%s': expected COL=VALUE,...", spec);
        *eq = '\0';
        long c = -1;
        for (size_t q = 0; q < r->n_columns; q++)
            if (strcmp(r->columns[q], tok) == 0)
                c = (long)q;
        if (c < 0)
            return xl_error_set(err, XL_EINVAL, "--at '%s': '%s' is not a column of the law", spec, tok);
        if (xl_parse_double(eq + 1, &x[c]) || !isfinite(x[c]))
            return xl_error_set(err, XL_EINVAL, "--at '%s': '%s' is not a finite number", spec, eq + 1);
    }
    for (size_t c = 0; c < r->n_columns; c++)
        if (isnan(x[c]))
            return xl_error_set(err, XL_EINVAL, "--at '%s': no value for column '%s'", spec,
                                r->columns[c]);
    return XL_OK;
}

int xl_fit_write_predictions(const xl_fit_result *r, size_t n, const double *const *x,
                             const double *value, const double *lo, const double *hi,
                             const char *path, xl_error *err)
{
    xl_afile af;
    FILE *fp = stdout;
    if (path) {
        if (xl_afile_open(&af, path, err))
            return err->code;
        fp = af.fp;
    }
    for (size_t c = 0; c < r->n_columns; c++) {
        xl_table_csv_cell(fp, r->columns[c], 0);
        fputc(',', fp);
    }
    fprintf(fp, "pred,lo,hi\n");
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < r->n_columns; c++)
            fprintf(fp, "%.10g,", x[c][i]);
        fprintf(fp, "%.10g,%.10g,%.10g\n", value[i], lo[i], hi[i]);
    }
    return path ? xl_afile_commit(&af, err) : XL_OK;
}
