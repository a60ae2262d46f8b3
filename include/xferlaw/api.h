/* xferlaw api: opaque handles and accessors for bindings (Python ctypes, other FFIs).
 *
 * The module headers expose structs whose layout changes as fields are added; a binding
 * that mirrors them breaks silently.  Everything here takes and returns pointers, sizes,
 * doubles and NUL-terminated strings only, so a binding needs no struct layout:
 *
 *   xl_error *e = xl_error_alloc();
 *   xl_fit_options *o = xl_fit_options_alloc(e);
 *   xl_fit_options_set(o, "law", "chinchilla", e);      same names as `xferlaw fit --NAME`
 *   xl_table *t = xl_table_from_columns("data", n, 3, names, num, NULL, e);
 *   xl_fit_result *r;  xl_fit_table(t, o, &r, e);
 *   for (i < xl_fit_result_nparams(r)) xl_fit_result_param_name(r, i), ..._value(r, i)
 *   xl_fit_result_free(r); xl_table_free(t); xl_fit_options_free(o); xl_error_free(e);
 *
 * Conventions: functions returning int return 0 (XL_OK) or an XL_E* code and fill the
 * xl_error (its one-line message through xl_error_message); an index out of range is
 * XL_EINVAL (or NULL / NaN for the plain getters, which say so).  Strings returned as
 * const char * belong to the object they came from; char * results are the caller's, to
 * release with xl_free.  Scalars are reached by name (xl_fit_result_number) so that new
 * fields need no new entry points; the whole record is also available as JSON text. */
#ifndef XFERLAW_API_H
#define XFERLAW_API_H

#include "xferlaw/fit.h"
#include "xferlaw/table.h"
#include "xferlaw/transfer.h"
#include "xferlaw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- library ------------------------------------------------------------------------ */
const char *xl_version(void);          /* "0.1.0" */
void xl_free(void *p);                 /* for char * results below */

/* ---- errors ------------------------------------------------------------------------- */
xl_error *xl_error_alloc(void);        /* cleared; NULL when out of memory */
void xl_error_free(xl_error *e);
int xl_error_code(const xl_error *e);
const char *xl_error_message(const xl_error *e);   /* "" when no error */

/* ---- tables from columns ------------------------------------------------------------ */
/* A table of n_rows rows: column c is numeric when num[c] != NULL (num[c][i], NaN = empty
 * cell) and text otherwise (text[c][i], NULL = empty cell).  num or text may be NULL when
 * no column uses it.  `name` stands for the file in error messages, and row i (from 0)
 * is line i+1, e.g. "data:3: field 'loss': ...". */
xl_table *xl_table_from_columns(const char *name, size_t n_rows, size_t n_cols,
                                const char *const *names, const double *const *num,
                                const char *const *const *text, xl_error *err);
size_t xl_table_nrows(const xl_table *t);
size_t xl_table_ncols(const xl_table *t);
const char *xl_table_col_name(const xl_table *t, size_t c);     /* NULL out of range */

/* ---- fit options ------------------------------------------------------------------------ */
xl_fit_options *xl_fit_options_alloc(xl_error *err);   /* defaults, as xl_fit_options_init */
void xl_fit_options_free(xl_fit_options *o);
/* Set an option by the name of `xferlaw fit`'s flag, value as text (copied):
 *   law, y, loss (lsq|huber:D), space (log|linear), weight, holdout, starts, bootstrap,
 *   seed, threads, max-iter, fix (NAME=VALUE, adds one), bound (NAME=LO:HI, adds one).
 * Only for options from xl_fit_options_alloc (they own the copies). */
int xl_fit_options_set(xl_fit_options *o, const char *key, const char *value, xl_error *err);

/* ---- fit results (xl_fit_table / xl_fit_arrays, xl_fit_result_free in fit.h) ----------- */
size_t xl_fit_result_nparams(const xl_fit_result *r);
const char *xl_fit_result_param_name(const xl_fit_result *r, size_t i);  /* NULL if no i */
double xl_fit_result_param_value(const xl_fit_result *r, size_t i);      /* NaN if no i */
double xl_fit_result_param_se(const xl_fit_result *r, size_t i);         /* NaN: none */
/* 95% bootstrap interval; NaN both sides without a bootstrap. */
int xl_fit_result_param_ci(const xl_fit_result *r, size_t i, double *lo, double *hi,
                           xl_error *err);
int xl_fit_result_param_fixed(const xl_fit_result *r, size_t i);        /* 1 held, 0 free */
/* A scalar by name: objective, n, starts, distinct_optima, converged, se_scale,
 * huber_delta, bootstrap, bootstrap_converged, ci_tail, seconds, rmse_log, rmse, r2,
 * aic, bic, holdout_rmsle, n_holdout, n_rows.  XL_EINVAL (naming the key) otherwise. */
int xl_fit_result_number(const xl_fit_result *r, const char *key, double *out,
                         xl_error *err);
/* A string by name: law, formula, y, space, loss, se_method, input_path; NULL otherwise. */
const char *xl_fit_result_string(const xl_fit_result *r, const char *key);
/* Data columns of the formula, in the order xl_fit_eval takes them. */
size_t xl_fit_result_ncolumns(const xl_fit_result *r);
const char *xl_fit_result_column(const xl_fit_result *r, size_t i);     /* NULL if no i */
/* The fitted law on n rows: cols[c][i] is row i of the column named names[c]; every
 * column of the formula must be among them (others are ignored).  out[i] is NaN outside
 * the law's domain. */
int xl_fit_result_predict(const xl_fit_result *r, size_t n, size_t n_cols,
                          const char *const *names, const double *const *cols, double *out,
                          xl_error *err);
/* Residual table, each array [n_rows] (xl_fit_result_number "n_rows"); any may be NULL:
 * y, prediction, residual in the fit space, 1 when held out. */
void xl_fit_result_rows(const xl_fit_result *r, double *y, double *pred, double *resid,
                        int *heldout);
/* Bootstrap replicates [bootstrap_converged][nparams] in natural units into out. */
void xl_fit_result_boot(const xl_fit_result *r, double *out);
/* The record `xferlaw fit -o` writes, as JSON text (xl_free it); NULL when out of memory. */
char *xl_fit_result_json(const xl_fit_result *r);

/* ---- transfer ------------------------------------------------------------------------- */
xl_xfer_opts *xl_xfer_opts_alloc(xl_error *err);       /* xl_xfer_opts_default, quiet */
void xl_xfer_opts_free(xl_xfer_opts *o);
/* By the name of `xferlaw transfer`'s flag: low-data, within, disagree, bootstrap, seed,
 * threads, target-loss, pretrain-tokens, estimator (interp|fit), include-extrapolated,
 * include-high-data, include-flat (0|1), at (N,DF, adds one), compute-curriculum. */
int xl_xfer_opts_set(xl_xfer_opts *o, const char *key, const char *value, xl_error *err);
/* The analysis keeps a pointer to runs: free the result before the runs. */
size_t xl_transfer_result_ncurricula(const xl_transfer_result *r);
const char *xl_transfer_result_curriculum(const xl_transfer_result *r, size_t c);
/* One parameter (k, alpha, beta) of one fit of curriculum c, named as in the JSON:
 * loglinear_interp, loglinear_fit, loss_space, fit_the_fits.  value, se and the 95%
 * interval (lo, hi); any pointer may be NULL.  *ok (may be NULL) is 0 when that fit failed
 * (the numbers are then NaN). */
int xl_transfer_result_param(const xl_transfer_result *r, size_t c, const char *fit,
                             const char *param, double *value, double *se, double *lo,
                             double *hi, int *ok, xl_error *err);
/* The record `xferlaw transfer --json` writes, as JSON text (xl_free it). */
char *xl_transfer_result_json(const xl_transfer_result *r);

#ifdef __cplusplus
}
#endif
#endif
