/* Internals of the fit module shared by its files (not installed). */
#ifndef XL_FIT_INTERNAL_H
#define XL_FIT_INTERNAL_H

#include "xferlaw/fit.h"

/* How a parameter p is mapped to the optimiser's unconstrained u. */
enum { TR_IDENT = 0, TR_LOG, TR_LOWER, TR_UPPER, TR_BOX };

typedef struct fit_ptrans {
    int kind;
    double lo, hi;
} fit_ptrans;

double fit_p_from_u(const fit_ptrans *t, double u);
double fit_u_from_p(const fit_ptrans *t, double p);
double fit_dp_du(const fit_ptrans *t, double u);

/* Native kernels for named laws (skip the expression interpreter in the hot loop). */
enum { KERNEL_EXPR = 0, KERNEL_CHINCHILLA, KERNEL_BNSL };

/* The problem as the optimiser sees it: rows, residual space, loss, parameterisation. */
typedef struct fit_problem {
    size_t n;                 /* rows fitted */
    size_t n_cols;            /* data columns the formula uses */
    double **x;               /* [n_cols][n] */
    double **logx;            /* [n_cols][n] log of x (kernels), NULL entries if unused */
    double *gy;               /* [n] g(y): log y or y */
    double *w;                /* [n] weights (1 when none) */
    int space_log;
    int huber;
    double delta;
    int kernel;
    const xl_expr *expr;
    size_t n_sym;
    long *sym_map;            /* like xl_fit_result.sym_map */
    size_t np;                /* all parameters */
    size_t nf;                /* free parameters */
    size_t free_idx[XL_FIT_MAX_PARAMS];
    fit_ptrans tr[XL_FIT_MAX_PARAMS];
    double u_fixed[XL_FIT_MAX_PARAMS];  /* internal values (used for fixed ones) */
    int max_iter;
} fit_problem;

/* One thread's scratch. */
typedef struct fit_work {
    const fit_problem *pb;
    double *scratch;          /* expr scratch */
    double *vals, *grad;      /* [n_sym] */
    double *gf;               /* [n] g(f) */
    double *dg;               /* [n][np] d g(f) / d u (all params) */
    double *col;              /* [np + 1][n] kernel scratch */
    long n_eval;
    double xtol;              /* step/gradient tolerance; 0 = the default (1e-11, 1e-12) */
    int huber_exact;          /* curvature of Huber's linear zone taken as 0 (see solve.c) */
} fit_work;

fit_work *fit_work_alloc(const fit_problem *pb, xl_error *err);
void fit_work_free(fit_work *w);

/* g(f) and dg/du for every row at the full internal vector u[np]; returns 0, or -1 when
 * some value is not finite (outside the law's domain). */
int fit_model_eval(fit_work *w, const double *u, int want_grad);

/* Objective (per the header of fit.h) at free vector th[nf]. */
double fit_objective(fit_work *w, const double *th);

/* Minimise from th (in/out) by Levenberg-Marquardt (solve.c).  max_iter limits
 * iterations.  Returns 1 when converged (small step or gradient, or no step reduces the
 * objective), 0 otherwise; *obj receives the objective (inf when the start is outside the
 * domain). */
int fit_minimise(fit_work *w, double *th, int max_iter, double *obj);

/* qsort comparison of doubles; linear-interpolated quantile q of sorted[n] (run.c). */
int fit_cmp_double(const void *a, const void *b);
double fit_percentile(const double *sorted, size_t n, double q);

/* Full u from free th. */
void fit_full_u(const fit_problem *pb, const double *th, double *u);

#endif
