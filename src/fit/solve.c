/* A thread's fit workspace, the objective, and the minimiser: a dense Levenberg-Marquardt
 * for the few parameters of a law (at most XL_FIT_MAX_PARAMS).
 *
 * Huber is minimised through its least-squares form: H_delta(r) = s(r)^2/2 with
 * s(r) = sign(r) sqrt(2 delta |r| - delta^2) outside [-delta, delta] and r inside; s is C^1,
 * so the stationary points of sum s^2/2 are those of the Huber objective, the same points
 * L-BFGS finds.  The method is that of gsl_multifit_nlinear's trust region with the LM
 * subproblem, Moré scaling and Nielsen's update of mu: the step solves
 * (A + mu D'D) dx = -g with A = J'J, a step is taken when it lowers the objective, more
 * than 15 rejected steps in a row mean no progress (machine precision), and convergence
 * is GSL's test (|dx_k| < xtol (|x_k| + xtol) for every k, or
 * max_k |g_k| max(x_k, 1) <= gtol max(objective, 1)).  A and g are summed in one pass over
 * the rows from the model's derivatives (J is never stored) and the p x p system is
 * factorised on the stack: a bootstrap refit costs the model evaluations and little else. */
#include "fit_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

fit_work *fit_work_alloc(const fit_problem *pb, xl_error *err)
{
    fit_work *w = xl_calloc(1, sizeof *w, err);
    if (!w)
        return NULL;
    w->pb = pb;
    size_t n = pb->n, np = pb->np;
    size_t ns = pb->expr ? xl_expr_scratch_size(pb->expr) : 0;
    w->scratch = calloc(ns + 1, sizeof(double));
    w->vals = calloc(pb->n_sym + 1, sizeof(double));
    w->grad = calloc(pb->n_sym + 1, sizeof(double));
    w->gf = calloc(n, sizeof(double));
    w->dg = calloc(n * np + 1, sizeof(double));
    w->col = calloc((np + 1) * n + 1, sizeof(double));
    if (!w->scratch || !w->vals || !w->grad || !w->gf || !w->dg || !w->col) {
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
    free(w->scratch);
    free(w->vals);
    free(w->grad);
    free(w->gf);
    free(w->dg);
    free(w->col);
    free(w);
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

#define LM_MAX_REJECT 15
#define LM_TAU 1e-3

/* One pass over the rows at th: returns the objective (HUGE_VAL when a weighted row is
 * outside the law's domain: a non-finite value or derivative), and fills the gradient g,
 * the curvature A (p x p) and the squared column norms cs of the Jacobian of the
 * least-squares residuals s_i.  In those terms (w_i the weight, r_i the residual):
 *   objective = sum w_i rho(r_i)                    (= |s|^2 / 2)
 *   g         = sum w_i psi(r_i) grad r_i           (= J_s' s)
 *   A         = sum w_i c_i grad r_i grad r_i'      (c_i = ds_i^2: A = J_s' J_s)
 *   cs_k      = sum w_i ds_i^2 (d r_i / d th_k)^2
 * where ds_i = 1 inside Huber's delta and delta/|s_i| outside.  With w->huber_exact,
 * c_i = psi'(r_i): rows in the linear zone add no curvature, as in the objective itself
 * (the least-squares form credits them with ds^2 > 0, which makes the steps near an
 * optimum too short: about 3x more iterations on the Chinchilla refits). */
static double row_pass(fit_work *w, const double *th, double *A, double *g, double *cs)
{
    const fit_problem *pb = w->pb;
    const size_t nf = pb->nf, np = pb->np;
    const int huber = pb->huber, exact = w->huber_exact;
    const double delta = pb->delta;
    double u[XL_FIT_MAX_PARAMS];
    fit_full_u(pb, th, u);
    fit_model_eval(w, u, 1);
    memset(A, 0, nf * nf * sizeof *A);
    memset(g, 0, nf * sizeof *g);
    memset(cs, 0, nf * sizeof *cs);
    double obj = 0, ca[XL_FIT_MAX_PARAMS] = {0};
    for (size_t i = 0; i < pb->n; i++) {
        const double m = pb->w[i];
        if (m == 0)
            continue;
        const double r = w->gf[i] - pb->gy[i], *d = w->dg + i * np;
        double J[XL_FIT_MAX_PARAMS], bad = r - r;
        for (size_t k = 0; k < nf; k++) {
            J[k] = d[pb->free_idx[k]];
            bad += J[k] - J[k];   /* NaN when any value is not finite */
        }
        if (bad != 0 || isnan(bad))
            return HUGE_VAL;
        double ar = fabs(r), psi = r, ds2 = 1, c = 1, rho = 0.5 * r * r;
        if (huber && ar > delta) {
            psi = r > 0 ? delta : -delta;
            rho = delta * (ar - 0.5 * delta);
            ds2 = delta / (2 * ar - delta);
            c = exact ? 0 : ds2;
        }
        obj += m * rho;
        const double mp = m * psi, md = m * ds2, mc = m * c;
        for (size_t a = 0; a < nf; a++) {
            g[a] += mp * J[a];
            cs[a] += md * J[a] * J[a];
            ca[a] += fabs(J[a]);
            if (mc != 0)
                for (size_t b = a; b < nf; b++)
                    A[a * nf + b] += mc * J[a] * J[b];
        }
    }
    for (size_t a = 0; a < nf; a++) {
        for (size_t b = 0; b < a; b++)
            A[a * nf + b] = A[b * nf + a];
        if (cs[a] == 0 && ca[a] > 0)
            cs[a] = -1;   /* not zero, but its square underflows: no scale (see scale()) */
    }
    return isfinite(obj) ? obj : HUGE_VAL;
}

/* Solves M x = b for symmetric M (p x p, overwritten by its Cholesky factor).  -1 when M
 * is not positive definite in floating point. */
static int chol_solve(double *M, size_t p, const double *b, double *x)
{
    for (size_t j = 0; j < p; j++) {
        double s = M[j * p + j];
        for (size_t k = 0; k < j; k++)
            s -= M[j * p + k] * M[j * p + k];
        if (!(s > 0) || !isfinite(s))
            return -1;
        double l = sqrt(s);
        M[j * p + j] = l;
        for (size_t i = j + 1; i < p; i++) {
            double t = M[i * p + j];
            for (size_t k = 0; k < j; k++)
                t -= M[i * p + k] * M[j * p + k];
            M[i * p + j] = t / l;
        }
    }
    for (size_t i = 0; i < p; i++) {   /* L y = b */
        double t = b[i];
        for (size_t k = 0; k < i; k++)
            t -= M[i * p + k] * x[k];
        x[i] = t / M[i * p + i];
    }
    for (size_t i = p; i-- > 0;) {      /* L' x = y */
        double t = x[i];
        for (size_t k = i + 1; k < p; k++)
            t -= M[k * p + i] * x[k];
        x[i] = t / M[i * p + i];
    }
    return 0;
}

/* D_k^2 from a column's squared norm: 1 for a zero column, 0 for a column too small to
 * square (a parameter whose term has underflowed, e.g. E = e^-781): then no step moves it
 * and LM stops with no progress, where a unit scale would let it wander through the
 * flat region; as GSL's Moré scaling does with the column norm itself. */
static double scale(double cs) { return cs > 0 ? cs : cs == 0 ? 1.0 : 0.0; }

int fit_minimise(fit_work *w, double *th, int max_iter, double *obj)
{
    const fit_problem *pb = w->pb;
    const size_t nf = pb->nf;
    if (nf == 0) {
        *obj = fit_objective(w, th);
        return isfinite(*obj);
    }
    const double xtol = w->xtol > 0 ? w->xtol : 1e-11, gtol = w->xtol > 0 ? w->xtol : 1e-12;
    /* the current point (A, g, cs) and a trial (A1, g1, cs1) */
    double A[XL_FIT_MAX_PARAMS * XL_FIT_MAX_PARAMS], A1[XL_FIT_MAX_PARAMS * XL_FIT_MAX_PARAMS],
        M[XL_FIT_MAX_PARAMS * XL_FIT_MAX_PARAMS];
    double g[XL_FIT_MAX_PARAMS], g1[XL_FIT_MAX_PARAMS], cs[XL_FIT_MAX_PARAMS],
        cs1[XL_FIT_MAX_PARAMS], D2[XL_FIT_MAX_PARAMS], dx[XL_FIT_MAX_PARAMS],
        x1[XL_FIT_MAX_PARAMS], rhs[XL_FIT_MAX_PARAMS];
    *obj = HUGE_VAL;
    double f0 = row_pass(w, th, A, g, cs);
    if (!isfinite(f0))
        return 0;   /* the start is outside the law's domain */
    for (size_t k = 0; k < nf; k++)   /* Moré scaling: D_k = |column k of J|, never shrinking */
        D2[k] = scale(cs[k]);
    double mu = LM_TAU, nu = 2;
    int converged = 0;
    for (int it = 0; it < max_iter && !converged; it++) {
        int rejected = 0, accepted = 0;
        double f1 = HUGE_VAL;
        while (!accepted) {
            memcpy(M, A, nf * nf * sizeof *M);
            for (size_t k = 0; k < nf; k++) {
                M[k * nf + k] += mu * D2[k];
                rhs[k] = -g[k];
            }
            double rho = -1;
            if (chol_solve(M, nf, rhs, dx) == 0) {
                /* reduction predicted by the quadratic model: -(g'dx + dx'A dx / 2) */
                double gd = 0, q = 0;
                for (size_t a = 0; a < nf; a++) {
                    double t = 0;
                    for (size_t b = 0; b < nf; b++)
                        t += A[a * nf + b] * dx[b];
                    gd += g[a] * dx[a];
                    q += dx[a] * t;
                    x1[a] = th[a] + dx[a];
                }
                double pred = -(gd + 0.5 * q);
                f1 = row_pass(w, x1, A1, g1, cs1);
                if (f1 < f0 && pred > 0)
                    rho = (f0 - f1) / pred;
            }
            if (rho > 0) {
                double b = 2 * rho - 1;
                mu *= fmax(1.0 / 3, 1 - b * b * b);
                nu = 2;
                accepted = 1;
            } else {
                mu *= nu;
                nu = nu < 1e15 ? 2 * nu : nu;
                if (++rejected > LM_MAX_REJECT || !isfinite(mu))
                    break;
            }
        }
        if (!accepted) {
            converged = 1;   /* no step reduces the objective any more: machine precision */
            break;
        }
        memcpy(th, x1, nf * sizeof *th);
        memcpy(A, A1, nf * nf * sizeof *A);
        memcpy(g, g1, nf * sizeof *g);
        f0 = f1;
        int small = 1;
        double gn = 0;
        for (size_t k = 0; k < nf; k++) {
            D2[k] = fmax(D2[k], scale(cs1[k]));
            small &= fabs(dx[k]) < xtol * (fabs(th[k]) + xtol);
            gn = fmax(gn, fabs(g[k]) * fmax(th[k], 1.0));
        }
        converged = small || gn <= gtol * fmax(f0, 1.0);
    }
    *obj = f0;
    return converged;
}
