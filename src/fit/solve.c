/* One local minimisation with gsl_multifit_nlinear (trust region, Levenberg-Marquardt,
 * Cholesky).  Huber is solved as an exact least-squares problem: H_delta(r) = s(r)^2/2
 * with s(r) = sign(r) sqrt(2 delta |r| - delta^2) outside [-delta, delta] and r inside.
 * s is C^1, so the stationary points of sum s^2/2 are those of the Huber objective, the
 * same points L-BFGS finds; the trust region sees the true objective at every step. */
#include "fit_internal.h"

#include <gsl/gsl_blas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BAD_RESID 1e100   /* residual of a row outside the law's domain: rejects the step */

fit_work *fit_work_alloc(const fit_problem *pb, xl_error *err)
{
    fit_work *w = xl_calloc(1, sizeof *w, err);
    if (!w)
        return NULL;
    w->pb = pb;
    size_t n = pb->n, np = pb->np, nf = pb->nf ? pb->nf : 1;
    size_t ns = pb->expr ? xl_expr_scratch_size(pb->expr) : 0;
    w->scratch = calloc(ns + 1, sizeof(double));
    w->vals = calloc(pb->n_sym + 1, sizeof(double));
    w->grad = calloc(pb->n_sym + 1, sizeof(double));
    w->gf = calloc(n, sizeof(double));
    w->dg = calloc(n * np + 1, sizeof(double));
    w->col = calloc((np + 1) * n + 1, sizeof(double));
    w->cache_x = calloc(nf, sizeof(double));
    if (pb->nf) {
        gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
        fp.trs = gsl_multifit_nlinear_trs_lm;
        fp.solver = gsl_multifit_nlinear_solver_cholesky;
        w->w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, n, pb->nf);
    }
    if (!w->scratch || !w->vals || !w->grad || !w->gf || !w->dg || !w->col || !w->cache_x || (pb->nf && !w->w)) {
        fit_work_free(w);
        xl_error_set(err, XL_ENOMEM, "out of memory for a fit workspace");
        return NULL;
    }
    return w;
}

void fit_work_free(fit_work *w)
{
    if (!w)
        return;
    if (w->w)
        gsl_multifit_nlinear_free(w->w);
    free(w->scratch);
    free(w->vals);
    free(w->grad);
    free(w->gf);
    free(w->dg);
    free(w->col);
    free(w->cache_x);
    free(w);
}

/* Residuals at free vector th; the model's derivatives (w->dg) stay valid for th, which is
 * remembered in cache_x, so a Jacobian request at the same point costs no evaluation. */
static void resid(fit_work *w, const double *th, double *fv)
{
    const fit_problem *pb = w->pb;
    double u[XL_FIT_MAX_PARAMS];
    fit_full_u(pb, th, u);
    fit_model_eval(w, u, 1);
    const double delta = pb->delta;
    for (size_t i = 0; i < pb->n; i++) {
        double m = pb->w[i];
        double sw = m == 1.0 ? 1.0 : sqrt(m), r = w->gf[i] - pb->gy[i], ds, s = r;
        if (!isfinite(r)) {
            fv[i] = m > 0 ? BAD_RESID : 0;
            continue;
        }
        if (pb->huber)
            s = fit_huber_s(r, delta, &ds);
        fv[i] = sw * s;
    }
    memcpy(w->cache_x, th, pb->nf * sizeof *th);
    w->cache_ok = 1;
}

/* Jacobian rows (n x nf, row stride tda) from the last evaluation. */
static void jac_from_cache(fit_work *w, double *J0, size_t tda)
{
    const fit_problem *pb = w->pb;
    const size_t np = pb->np, nf = pb->nf;
    for (size_t i = 0; i < pb->n; i++) {
        double m = pb->w[i];
        double sw = m == 1.0 ? 1.0 : sqrt(m), r = w->gf[i] - pb->gy[i], ds = 1.0;
        double *J = J0 + i * tda;
        if (!isfinite(r)) {
            memset(J, 0, nf * sizeof(double));
            continue;
        }
        if (pb->huber)
            fit_huber_s(r, pb->delta, &ds);
        const double *d = w->dg + i * np;
        double sc = sw * ds, bad = 0;
        for (size_t k = 0; k < nf; k++) {
            J[k] = sc * d[pb->free_idx[k]];
            bad += J[k] - J[k];   /* NaN when any entry is not finite */
        }
        if (bad != 0 || isnan(bad))
            memset(J, 0, nf * sizeof(double));
    }
}

/* A row whose derivatives are not finite (e.g. a break sharper than the data resolve) is
 * outside the domain: its residual becomes BAD_RESID so that steps there are rejected. */
static void reject_bad_rows(fit_work *w, double *fv)
{
    const fit_problem *pb = w->pb;
    for (size_t i = 0; i < pb->n; i++) {
        const double *d = w->dg + i * pb->np;
        double bad = 0;
        for (size_t k = 0; k < pb->nf; k++)
            bad += d[pb->free_idx[k]] - d[pb->free_idx[k]];
        if ((bad != 0 || isnan(bad)) && fv[i] != 0)
            fv[i] = BAD_RESID;
    }
}

static int cb_f(const gsl_vector *x, void *params, gsl_vector *f)
{
    fit_work *w = params;
    double th[XL_FIT_MAX_PARAMS];
    for (size_t k = 0; k < w->pb->nf; k++)
        th[k] = gsl_vector_get(x, k);
    double *fv = f->stride == 1 ? f->data : malloc(w->pb->n * sizeof *fv);
    if (!fv)
        return GSL_ENOMEM;
    resid(w, th, fv);
    reject_bad_rows(w, fv);
    if (f->stride != 1) {
        for (size_t i = 0; i < w->pb->n; i++)
            gsl_vector_set(f, i, fv[i]);
        free(fv);
    }
    return GSL_SUCCESS;
}

static int cb_df(const gsl_vector *x, void *params, gsl_matrix *J)
{
    fit_work *w = params;
    const fit_problem *pb = w->pb;
    double th[XL_FIT_MAX_PARAMS];
    for (size_t k = 0; k < pb->nf; k++)
        th[k] = gsl_vector_get(x, k);
    int same = w->cache_ok;
    for (size_t k = 0; same && k < pb->nf; k++)
        same = w->cache_x[k] == th[k];
    if (!same) {
        double *tmp = malloc(pb->n * sizeof *tmp);
        if (!tmp)
            return GSL_ENOMEM;
        resid(w, th, tmp);
        free(tmp);
    }
    jac_from_cache(w, J->data, J->tda);
    return GSL_SUCCESS;
}

double fit_objective(fit_work *w, const double *th)
{
    const fit_problem *pb = w->pb;
    double u[XL_FIT_MAX_PARAMS];
    fit_full_u(pb, th, u);
    fit_model_eval(w, u, 0);
    double obj = 0;
    for (size_t i = 0; i < pb->n; i++) {
        double m = pb->w[i];
        if (m == 0)
            continue;
        double r = w->gf[i] - pb->gy[i];
        if (!isfinite(r))
            return HUGE_VAL;
        double a = fabs(r);
        obj += m * (pb->huber && a > pb->delta ? pb->delta * (a - 0.5 * pb->delta) : 0.5 * r * r);
    }
    return obj;
}

int fit_minimise(fit_work *w, double *th, int max_iter, double *obj)
{
    const fit_problem *pb = w->pb;
    if (pb->nf == 0) {
        *obj = fit_objective(w, th);
        return isfinite(*obj);
    }
    gsl_multifit_nlinear_fdf fdf = {.f = cb_f, .df = cb_df, .fvv = NULL, .n = pb->n,
                                    .p = pb->nf, .params = w};
    gsl_vector_view xv = gsl_vector_view_array(th, pb->nf);
    w->cache_ok = 0;
    *obj = HUGE_VAL;
    if (gsl_multifit_nlinear_init(&xv.vector, &fdf, w->w) != GSL_SUCCESS)
        return 0;
    /* the objective is |f|^2/2 of the scaled residuals (Huber included, see above) */
    double f0 = gsl_blas_dnrm2(gsl_multifit_nlinear_residual(w->w));
    if (!isfinite(f0) || f0 >= BAD_RESID)
        return 0;   /* the start is outside the law's domain */
    int converged = 0;
    for (int it = 0; it < max_iter; it++) {
        int st = gsl_multifit_nlinear_iterate(w->w);
        if (st == GSL_ENOPROG) {
            /* no step reduces the objective any more: at machine precision */
            converged = 1;
            break;
        }
        if (st != GSL_SUCCESS)
            break;
        int info = 0;
        if (gsl_multifit_nlinear_test(w->xtol > 0 ? w->xtol : 1e-11, w->xtol > 0 ? w->xtol : 1e-12, 0.0,
                                      &info, w->w) == GSL_SUCCESS) {
            converged = 1;
            break;
        }
    }
    const gsl_vector *x = gsl_multifit_nlinear_position(w->w);
    for (size_t k = 0; k < pb->nf; k++)
        th[k] = gsl_vector_get(x, k);
    double fn = gsl_blas_dnrm2(gsl_multifit_nlinear_residual(w->w));
    *obj = 0.5 * fn * fn;
    if (!isfinite(*obj) || fn >= BAD_RESID) {
        *obj = HUGE_VAL;
        converged = 0;
    }
    return converged;
}
