/* Between fit.c (setup) and run.c (multi-start, uncertainty, diagnostics). */
#ifndef XL_FIT_RUN_H
#define XL_FIT_RUN_H

#include "fit_internal.h"

typedef struct fit_src {
    const char *path;             /* for messages; "" for arrays */
    size_t n_rows, n_cols;
    const char *const *names;
    const double *const *cols;
    const long *lines;            /* source lines, or NULL (then row i is "row i+1") */
    const xl_table *table;        /* when fitting a table */
} fit_src;

static inline long src_line(const fit_src *s, size_t i)
{
    return s->lines ? s->lines[i] : (long)i + 1;
}

/* One start of the multi-start search, in internal units (free parameters only). */
typedef struct fit_start {
    double th[XL_FIT_MAX_PARAMS];
    double obj;
    int conv;
} fit_start;

/* Starts (starts.c): the law's grid, or random ones in the start box (data scales,
 * --start-box), after a start at --start values if any.  Start i depends only on i and
 * the seed, so the first N starts of a longer run are the N starts of a shorter one. */
fit_start *fit_make_starts(const fit_problem *pb, const xl_law_info *info, const xl_fit_result *r,
                           const xl_fit_options *o, size_t *n_out, xl_error *err);
/* Which screened starts to polish: per block of FIT_BLOCK starts (in start order), the
 * FIT_BLOCK_POLISH best unconverged ones whose end points differ.  Returns the count. */
size_t fit_select_polish(const fit_start *st, size_t n, size_t nf, size_t *todo);
/* Warnings (warn.c) at the best point th, after standard errors and diagnostics. */
int fit_warnings(fit_work *w, const double *th, xl_fit_result *r, xl_error *err);
/* The named law closest to text (edit distance <= 3), or NULL. */
const char *fit_nearest_law(const char *text);
#define FIT_BLOCK 64
#define FIT_BLOCK_POLISH 16
#define FIT_SCREEN_ITER 8

int fit_from_src(const fit_src *src, const xl_fit_options *o, xl_fit_result **out, xl_error *err);
/* Multi-start, covariance, bootstrap, fitted-row diagnostics. */
int fit_run(fit_problem *pb, const xl_law_info *info, const xl_fit_options *o,
            xl_fit_result *r, xl_error *err);
/* held[i] = 1 where the expression is non-zero. */
int fit_holdout_mask(const fit_src *src, const char *expr, unsigned char *held, xl_error *err);
/* Residual table over every row, hold-out RMSLE. */
int fit_fill_rows(const fit_src *src, xl_fit_result *r, const unsigned char *held,
                  const double *const *xc, const double *y, xl_error *err);

#endif
