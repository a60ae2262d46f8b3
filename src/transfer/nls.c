/* Small least-squares solvers: GSL's trust-region Levenberg-Marquardt and linear OLS. */
#include "xfer_internal.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <stdlib.h>

int xl__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double xl__quantile_sorted(const double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double h = q * (double)(n - 1);
    size_t i = (size_t)floor(h);
    if (i + 1 >= n)
        return v[n - 1];
    return v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}

typedef struct {
    xl__resid_fn fn;
    void *ctx;
} nls_ctx;

static int nls_f(const gsl_vector *x, void *params, gsl_vector *f)
{
    nls_ctx *c = params;
    int rc = c->fn(x, c->ctx, f);
    /* a step into a region where the model is undefined is rejected, not fatal */
    for (size_t i = 0; i < f->size; i++)
        if (!isfinite(gsl_vector_get(f, i)))
            gsl_vector_set(f, i, 1e6);
    return rc ? GSL_EDOM : GSL_SUCCESS;
}

int xl__nls(size_t n, size_t p, xl__resid_fn fn, void *ctx, double *x, double *se,
            double *rss, size_t max_iter)
{
    if (n < p || p == 0)
        return XL_EINVAL;
    gsl_set_error_handler_off();
    nls_ctx c = {fn, ctx};
    gsl_multifit_nlinear_fdf fdf = {0};
    fdf.f = nls_f;
    fdf.df = NULL;
    fdf.n = n;
    fdf.p = p;
    fdf.params = &c;
    gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, n, p);
    if (!w)
        return XL_ENOMEM;
    gsl_vector_view x0 = gsl_vector_view_array(x, p);
    int rc = XL_OK, info = 0;
    if (gsl_multifit_nlinear_init(&x0.vector, &fdf, w) != GSL_SUCCESS) {
        rc = XL_ENOCONV;
        goto done;
    }
    int st = gsl_multifit_nlinear_driver(max_iter, 1e-10, 1e-10, 1e-12, NULL, NULL, &info, w);
    if (st != GSL_SUCCESS && st != GSL_EMAXITER && st != GSL_ENOPROG)
        rc = XL_ENOCONV;
    gsl_vector *sol = gsl_multifit_nlinear_position(w);
    for (size_t i = 0; i < p; i++) {
        x[i] = gsl_vector_get(sol, i);
        if (!isfinite(x[i]))
            rc = XL_ENOCONV;
    }
    double chisq;
    gsl_blas_ddot(w->f, w->f, &chisq);
    if (rss)
        *rss = chisq;
    if (se) {
        gsl_matrix *cov = gsl_matrix_alloc(p, p);
        gsl_matrix *J = gsl_multifit_nlinear_jac(w);
        double s2 = n > p ? chisq / (double)(n - p) : NAN;
        if (cov && gsl_multifit_nlinear_covar(J, 1e-12, cov) == GSL_SUCCESS) {
            for (size_t i = 0; i < p; i++)
                se[i] = sqrt(s2 * gsl_matrix_get(cov, i, i));
        } else {
            for (size_t i = 0; i < p; i++)
                se[i] = NAN;
        }
        gsl_matrix_free(cov);
    }
done:
    gsl_multifit_nlinear_free(w);
    return rc;
}

int xl__ols(size_t n, size_t p, const double *X, const double *y, double *b, double *se,
            double *rss)
{
    if (n <= p || p == 0)
        return XL_EINVAL;
    gsl_set_error_handler_off();
    gsl_matrix_const_view Xv = gsl_matrix_const_view_array(X, n, p);
    gsl_vector_const_view yv = gsl_vector_const_view_array(y, n);
    gsl_vector *c = gsl_vector_alloc(p);
    gsl_matrix *cov = gsl_matrix_alloc(p, p);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, p);
    int rc = XL_OK;
    if (!c || !cov || !w) {
        rc = XL_ENOMEM;
        goto done;
    }
    double chisq;
    size_t rank;
    /* tsvd with a tolerance detects collinear designs (one N, one D_F) instead of
     * returning enormous coefficients */
    if (gsl_multifit_linear_tsvd(&Xv.matrix, &yv.vector, 1e-10, c, cov, &chisq, &rank, w) !=
            GSL_SUCCESS ||
        rank < p) {
        rc = XL_EINVAL;
        goto done;
    }
    /* GSL scales cov by chisq/(n-p) already (residual variance) */
    for (size_t i = 0; i < p; i++) {
        b[i] = gsl_vector_get(c, i);
        if (se)
            se[i] = sqrt(gsl_matrix_get(cov, i, i));
    }
    if (rss)
        *rss = chisq;
done:
    gsl_vector_free(c);
    gsl_matrix_free(cov);
    if (w)
        gsl_multifit_linear_free(w);
    return rc;
}
