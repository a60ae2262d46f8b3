/* Private helpers of the transfer module: small least-squares solvers over GSL. */
#ifndef XFER_INTERNAL_H
#define XFER_INTERNAL_H

#include "xferlaw/transfer.h"

#include <gsl/gsl_vector.h>

/* Residual function for xl__nls: fill f (n) from parameters x (p); return 0. */
typedef int (*xl__resid_fn)(const gsl_vector *x, void *ctx, gsl_vector *f);

/* Levenberg-Marquardt (trust region, finite-difference Jacobian).  x holds the start
 * and receives the solution; se (may be NULL) standard errors from the covariance
 * scaled by rss/(n-p).  Returns 0 when converged to finite values. */
int xl__nls(size_t n, size_t p, xl__resid_fn fn, void *ctx, double *x, double *se,
            double *rss, size_t max_iter);

/* Ordinary least squares y = X b with X row-major [n][p].  b (p), se (p, may be NULL),
 * rss (may be NULL).  Returns 0, or XL_EINVAL when n <= p or X is rank deficient. */
int xl__ols(size_t n, size_t p, const double *X, const double *y, double *b, double *se,
            double *rss);

/* Percentile of a sorted array, linear between order statistics. */
double xl__quantile_sorted(const double *v, size_t n, double q);
int xl__cmp_double(const void *a, const void *b);

/* Internal pipeline pieces (also used by the bootstrap on resampled rows). */
int xl__scratch_build_idx(const xl_xfer_runs *runs, const size_t *idx, size_t n_idx,
                          const xl_kaplan *start, const xl_xfer_opts *o,
                          xl_scratch_model **out, xl_error *err);
/* screen (may be NULL): xl_xfer_runs_screen's flags per row, copied into est[].common */
void xl__estimate_runs(const xl_xfer_runs *runs, const size_t *idx, size_t n_idx,
                       const xl_scratch_model *m, const xl_xfer_opts *o,
                       const unsigned *screen, xl_xfer_est *est);
/* The from-scratch model over the rows of `screen` (xl_xfer_runs_screen's flags) that the
 * options keep: xl_scratch_model_build without screening again. */
int xl__scratch_build_screened(const xl_xfer_runs *runs, const unsigned *screen,
                               const xl_xfer_opts *o, xl_scratch_model **out, xl_error *err);
/* The screen flags that keep a run out of the curves and fits under these options. */
unsigned xl__screen_excluded(const xl_xfer_opts *o);
/* Fits for one curriculum over est[] (only rows with that curriculum are used).
 * start (may be NULL) seeds the loss-space fit; light skips standard errors. */
void xl__fit_curriculum(const xl_xfer_est *est, size_t n_est, const char *name,
                        const xl_scratch_model *m, const xl_curriculum_result *start,
                        xl_curriculum_result *cr);
void xl__curriculum_free(xl_curriculum_result *cr);
int xl__is_scratch(const char *curriculum);

#endif
