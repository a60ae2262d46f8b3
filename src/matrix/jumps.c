/* Capability jumps: a smooth power law against a broken power law (bnsl:1) on error
 * (1 - accuracy) or loss against scale, in log space.
 *
 * The break position d is the hard parameter: the fit engine's default starts place it at
 * two quantiles of the x range only, so d is first profiled over a log grid inside the
 * data (every other parameter refitted at each d).  The profile gives the estimate and a
 * likelihood-ratio interval; a free fit with d bounded to the data range, refined from
 * the engine's starts, is bootstrapped (cases resampled) for the percentile interval. */
#include "xferlaw/matrix.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void xl_jumps_options_init(xl_jumps_options *o)
{
    memset(o, 0, sizeof *o);
    o->kind = XL_JUMPS_ACC;
    o->floor = 1e-3;
    o->grid = 24;
    o->bootstrap = 200;
    o->folds = 5;
    o->seed = 1;
    o->bic_threshold = 6;
    o->smooth_law = "power";
}

void xl_jumps_result_free(xl_jumps_result *r)
{
    xl_fit_result_free(r->smooth);
    xl_fit_result_free(r->broken);
    free(r->profile_d);
    free(r->profile_rss);
    memset(r, 0, sizeof *r);
}

double xl_jumps_transform(const xl_jumps_options *o, double y, double scale)
{
    double e = o->kind == XL_JUMPS_ACC ? 1 - y / scale : y;
    return e > o->floor ? e : o->floor;
}

/* RSS in log space over the rows that were fitted. */
static double rss_of(const xl_fit_result *r)
{
    double s = 0;
    for (size_t i = 0; i < r->n_rows; i++)
        if (!r->row_heldout[i])
            s += r->row_resid[i] * r->row_resid[i];
    return s;
}

#define C1_MAX "10"

static int fit(size_t n, const double *const *cols, const char *law, const char *fix,
               const char *bound, const char *holdout, size_t B, const xl_jumps_options *jo,
               xl_fit_result **out, xl_error *err)
{
    static const char *const names[3] = {"x", "y", "fold"};
    xl_fit_options o;
    xl_fit_options_init(&o);
    o.law = law;
    o.y = "y";
    o.space = XL_FIT_SPACE_LOG;
    o.seed = jo->seed;
    o.threads = jo->threads;
    o.bootstrap = B;
    o.holdout = holdout;
    int rc = XL_OK;
    if (fix)
        rc = xl_fit_options_add_fixed(&o, fix, err);
    if (!rc && bound)
        rc = xl_fit_options_add_bound(&o, bound, err);
    /* With c1 free, a step (an offset plus a term that dies) is fitted with c1 -> 1e9 and
     * the visible break at d1 (c1 f1)^(-f1), far below d1: d1 stops being the break and
     * its profile goes flat.  |c1| <= C_MAX still drops the term by 10^C_MAX per decade. */
    if (!rc && strcmp(law, "bnsl:1") == 0)
        rc = xl_fit_options_add_bound(&o, "c1=-" C1_MAX ":" C1_MAX, err);
    if (!rc)
        rc = xl_fit_arrays(n, 3, names, cols, &o, out, err);
    return rc;
}

/* Best d over a log grid in [lo, hi] with every other bnsl parameter refitted.  Returns
 * the index of the best grid point; d[] and rss[] are filled (rss NaN where a fit
 * failed).  Where the profile is flat (grid points within PROFILE_TIE of the minimum,
 * e.g. a sharp step anywhere between the same two data points), the middle of the flat
 * run: the data do not place the break there, and the first minimum would be picked by
 * rounding (the verdict of a planted step flipped with OpenBLAS's kernel family). */
#define PROFILE_TIE 1e-6
static long flat_middle(const double *rss, size_t G, long best)
{
    double tol = rss[best] * PROFILE_TIE + 1e-300;
    long a = best, b = best;
    while (a > 0 && isfinite(rss[a - 1]) && rss[a - 1] <= rss[best] + tol)
        a--;
    while (b + 1 < (long)G && isfinite(rss[b + 1]) && rss[b + 1] <= rss[best] + tol)
        b++;
    return a + (b - a) / 2;
}

static long profile(size_t n, const double *const *cols, double lo, double hi, size_t G,
                    const char *holdout, const xl_jumps_options *jo, double *d, double *rss,
                    xl_error *err)
{
    long best = -1;
    for (size_t g = 0; g < G; g++) {
        d[g] = exp(log(lo) + (log(hi) - log(lo)) * (double)g / (double)(G - 1));
        char fix[96];
        snprintf(fix, sizeof fix, "d1=%.17g", d[g]);
        xl_fit_result *r = NULL;
        xl_error e2;
        rss[g] = fit(n, cols, "bnsl:1", fix, NULL, holdout, 0, jo, &r, &e2) ? NAN : rss_of(r);
        xl_fit_result_free(r);
        if (isfinite(rss[g]) && (best < 0 || rss[g] < rss[best]))
            best = (long)g;
    }
    if (best < 0)
        xl_error_set(err, XL_ENOCONV, "no broken-power-law fit converged at any break position");
    return best < 0 ? best : flat_middle(rss, G, best);
}

static double ic(size_t n, double rss, int k, int bic)
{
    double r = rss > 1e-300 ? rss : 1e-300;
    return (double)n * log(r / (double)n) + (bic ? log((double)n) : 2.0) * k;
}

/* Pooled RMSLE over folds (folds interleaved by rank of x). */
static int cross_validate(size_t n, double *const *cols, const xl_jumps_options *jo,
                          double lo, double hi, double *cv_smooth, double *cv_broken,
                          xl_error *err)
{
    size_t K = jo->folds;
    double s2[2] = {0, 0};
    size_t nh[2] = {0, 0};
    /* the per-fold profiles below use max(grid / 2, 6) points: at least 6, even when
     * --grid is 3 to 5 */
    size_t cap = jo->grid > 6 ? jo->grid : 6;
    double *d = xl_calloc(cap, sizeof *d, err), *rss = xl_calloc(cap, sizeof *rss, err);
    int rc = d && rss ? XL_OK : XL_ENOMEM;
    for (size_t k = 0; k < K && !rc; k++) {
        char hold[64];
        snprintf(hold, sizeof hold, "fold == %zu", k);
        for (int law = 0; law < 2 && !rc; law++) {
            xl_fit_result *r = NULL;
            if (law == 0) {
                rc = fit(n, (const double *const *)cols, jo->smooth_law, NULL, NULL, hold, 0,
                         jo, &r, err);
            } else {
                /* a coarser profile per fold, then a fine one a coarse step either side
                 * of its best (as the full fit): a break left at a coarse grid point can
                 * sit a data point off the step, and the held-out point there decides */
                size_t G = jo->grid / 2 > 6 ? jo->grid / 2 : 6;
                long b = profile(n, (const double *const *)cols, lo, hi, G, hold, jo, d, rss,
                                 err);
                double best_d = b >= 0 ? d[b] : sqrt(lo * hi);
                if (b >= 0) {
                    double step = d[1] / d[0], best_rss = rss[b];
                    long fb = profile(n, (const double *const *)cols, fmax(best_d / step, lo),
                                      fmin(best_d * step, hi), G, hold, jo, d, rss, err);
                    if (fb >= 0 && rss[fb] <= best_rss)
                        best_d = d[fb];
                }
                char fix[96];
                snprintf(fix, sizeof fix, "d1=%.17g", best_d);
                rc = b < 0 ? XL_ENOCONV
                           : fit(n, (const double *const *)cols, "bnsl:1", fix, NULL, hold, 0,
                                 jo, &r, err);
            }
            if (!rc && r->diag.n_holdout) {
                s2[law] += r->diag.holdout_rmsle * r->diag.holdout_rmsle * (double)r->diag.n_holdout;
                nh[law] += r->diag.n_holdout;
            }
            xl_fit_result_free(r);
        }
    }
    free(d);
    free(rss);
    *cv_smooth = nh[0] ? sqrt(s2[0] / (double)nh[0]) : NAN;
    *cv_broken = nh[1] ? sqrt(s2[1] / (double)nh[1]) : NAN;
    return rc;
}

static int cmp_idx(const void *a, const void *b, void *ctx)
{
    const double *x = ctx;
    double u = x[*(const size_t *)a], v = x[*(const size_t *)b];
    return (u > v) - (u < v);
}

int xl_jumps_fit(const double *x, const double *y, size_t n, const xl_jumps_options *o,
                 xl_jumps_result *r, xl_error *err)
{
    memset(r, 0, sizeof *r);
    if (n < 8)
        return xl_error_set(err, XL_EINVAL, "%zu points: a broken power law (6 parameters) "
                            "against a smooth one needs at least 8", n);
    if (o->grid < 3)
        return xl_error_set(err, XL_EINVAL, "field 'grid': need at least 3 break positions");
    /* fewer than 2 folds would drop the cross-validation criterion and flip the verdict */
    if (o->folds < 2 || o->folds > n)
        return xl_error_set(err, XL_EINVAL,
                            "field 'folds': %zu, need between 2 and the %zu points", o->folds, n);
    double *cols[3];
    size_t *idx = xl_calloc(n, sizeof *idx, err);
    for (int c = 0; c < 3; c++)
        cols[c] = xl_calloc(n, sizeof *cols[c], err);
    r->profile_d = xl_calloc(o->grid, sizeof *r->profile_d, err);
    r->profile_rss = xl_calloc(o->grid, sizeof *r->profile_rss, err);
    int rc = idx && cols[0] && cols[1] && cols[2] && r->profile_d && r->profile_rss ? XL_OK
                                                                                  : XL_ENOMEM;
    double scale = 1;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!(x[i] > 0) || !isfinite(x[i]) || !isfinite(y[i]))
            rc = xl_error_set(err, XL_EDOM, "row %zu: x must be positive and y finite", i + 1);
        if (o->kind == XL_JUMPS_ACC && y[i] > 1)
            scale = 100; /* accuracy in percent */
    }
    r->xmin = HUGE_VAL;
    r->xmax = -HUGE_VAL;
    for (size_t i = 0; i < n && !rc; i++) {
        idx[i] = i;
        cols[0][i] = x[i];
        cols[1][i] = xl_jumps_transform(o, y[i], scale);
        r->xmin = fmin(r->xmin, x[i]);
        r->xmax = fmax(r->xmax, x[i]);
        if (o->kind == XL_JUMPS_LOSS && !(y[i] > 0))
            rc = xl_error_set(err, XL_EDOM, "row %zu: loss %g is not positive", i + 1, y[i]);
    }
    if (!rc && !(r->xmax > r->xmin))
        rc = xl_error_set(err, XL_EINVAL, "x takes a single value");
    if (rc)
        goto done;
    r->n = n;
    r->scale = scale;
    qsort_r(idx, n, sizeof *idx, cmp_idx, (void *)x);
    for (size_t i = 0; i < n; i++)
        cols[2][idx[i]] = (double)(i % (o->folds ? o->folds : 1));

    if ((rc = fit(n, (const double *const *)cols, o->smooth_law, NULL, NULL, NULL, 0, o,
                  &r->smooth, err)))
        goto done;
    r->n_profile = o->grid;
    long b = profile(n, (const double *const *)cols, r->xmin, r->xmax, o->grid, NULL, o,
                     r->profile_d, r->profile_rss, err);
    if (b < 0) {
        rc = XL_ENOCONV;
        goto done;
    }
    r->rss_smooth = rss_of(r->smooth);
    r->k_smooth = (int)r->smooth->n_params;
    r->rss_broken = r->profile_rss[b];
    r->k_broken = 6;
    r->d = r->profile_d[b];
    /* likelihood-ratio interval, n log(RSS(d)/RSS_min) <= chi2_1(0.95): bracketed on the
     * coarse grid, then resolved on a fine grid spanning it and one coarse step beyond */
    double lim = gsl_cdf_chisq_Pinv(0.95, 1), step = r->profile_d[1] / r->profile_d[0];
    double wlo = r->d, whi = r->d;
    for (size_t g = 0; g < o->grid; g++) {
        double v = r->profile_rss[g];
        if (isfinite(v) && (double)n * log(v / r->rss_broken) <= lim) {
            wlo = fmin(wlo, r->profile_d[g]);
            whi = fmax(whi, r->profile_d[g]);
        }
    }
    wlo = fmax(wlo / step, r->xmin);
    whi = fmin(whi * step, r->xmax);
    size_t F = 2 * o->grid;
    double *fd = xl_calloc(F, sizeof *fd, err), *fr2 = xl_calloc(F, sizeof *fr2, err);
    long fb = fd && fr2 ? profile(n, (const double *const *)cols, wlo, whi, F, NULL, o, fd,
                                  fr2, err)
                        : -1;
    if (fb >= 0 && fr2[fb] < r->rss_broken) {
        r->rss_broken = fr2[fb];
        r->d = fd[fb];
    }
    r->d_ci_profile[0] = r->d_ci_profile[1] = r->d;
    for (size_t g = 0; fb >= 0 && g < F; g++)
        if (isfinite(fr2[g]) && (double)n * log(fr2[g] / r->rss_broken) <= lim) {
            r->d_ci_profile[0] = fmin(r->d_ci_profile[0], fd[g]);
            r->d_ci_profile[1] = fmax(r->d_ci_profile[1], fd[g]);
        }
    free(fd);
    free(fr2);
    /* free fit of d inside the data range, bootstrapped; kept when it reaches the
     * profile's optimum (else the profile's fit is reported and the CI is the profile's) */
    char bound[128], fix[96];
    snprintf(bound, sizeof bound, "d1=%.17g:%.17g", r->xmin, r->xmax);
    xl_fit_result *fr = NULL;
    xl_error e2;
    int frc = fit(n, (const double *const *)cols, "bnsl:1", NULL, bound, NULL, o->bootstrap, o,
                  &fr, &e2);
    const xl_fit_param *pd = frc ? NULL : xl_fit_param_get(fr, "d1");
    if (pd && rss_of(fr) <= r->rss_broken * (1 + 1e-6) + 1e-12) {
        r->broken = fr;
        r->rss_broken = rss_of(fr);
        r->d = pd->value;
        r->d_ci_boot[0] = pd->ci_lo;
        r->d_ci_boot[1] = pd->ci_hi;
        /* resamples that never leave the optimum give a zero-width interval: not a CI */
        r->boot_ok = isfinite(pd->ci_lo) && isfinite(pd->ci_hi) &&
                     pd->ci_hi > pd->ci_lo * (1 + 1e-9);
        if (r->d < r->d_ci_profile[0] || r->d > r->d_ci_profile[1]) /* optimum off the grid */
            r->d_ci_profile[0] = fmin(r->d_ci_profile[0], r->d),
            r->d_ci_profile[1] = fmax(r->d_ci_profile[1], r->d);
    } else {
        xl_fit_result_free(fr);
        snprintf(fix, sizeof fix, "d1=%.17g", r->d);
        if ((rc = fit(n, (const double *const *)cols, "bnsl:1", fix, NULL, NULL, 0, o,
                      &r->broken, err)))
            goto done;
        r->d_ci_boot[0] = r->d_ci_boot[1] = NAN;
    }
    r->aic_smooth = ic(n, r->rss_smooth, r->k_smooth, 0);
    r->aic_broken = ic(n, r->rss_broken, r->k_broken, 0);
    r->bic_smooth = ic(n, r->rss_smooth, r->k_smooth, 1);
    r->bic_broken = ic(n, r->rss_broken, r->k_broken, 1);
    r->cv_smooth = r->cv_broken = NAN;
    if (o->folds >= 2 && (rc = cross_validate(n, cols, o, r->xmin, r->xmax, &r->cv_smooth,
                                              &r->cv_broken, err)))
        goto done;
    /* supported: strong BIC evidence, better held-out error, and the break inside the
     * data, away from its ends (a break at an end is a change of slope we cannot see) */
    /* the reported interval: the union of both (case resampling of a few points can be
     * too narrow, a grid profile too coarse) */
    r->d_ci[0] = r->d_ci_profile[0];
    r->d_ci[1] = r->d_ci_profile[1];
    if (r->boot_ok) {
        r->d_ci[0] = fmin(r->d_ci[0], r->d_ci_boot[0]);
        r->d_ci[1] = fmax(r->d_ci[1], r->d_ci_boot[1]);
    }
    double dbic = r->bic_smooth - r->bic_broken;
    int inside = r->d > r->profile_d[1] && r->d < r->profile_d[o->grid - 2];
    int cv_ok = !(o->folds >= 2) || r->cv_broken < r->cv_smooth;
    r->supported = dbic > o->bic_threshold && cv_ok && inside;
    snprintf(r->reason, sizeof r->reason, "dBIC %.1f %s %.0f; held-out RMSLE %s; break %s",
             dbic, dbic > o->bic_threshold ? ">" : "<=", o->bic_threshold,
             o->folds < 2 ? "not computed"
                          : cv_ok ? "lower with the break" : "not lower with the break",
             inside ? "inside the data" : "at the edge of the data");
done:
    free(idx);
    for (int c = 0; c < 3; c++)
        free(cols[c]);
    if (rc)
        xl_jumps_result_free(r);
    return rc;
}
