/* xferlaw fit: scaling-law fitting.  Laws registry, objectives (least squares or Huber,
 * on residuals in log or linear space, optional weights), GSL minimisers with exact
 * Jacobians, multi-start over a grid or random starts (in parallel), standard errors,
 * bootstrap percentile intervals, diagnostics and hold-out extrapolation error.
 *
 * A law is a formula (xferlaw/expr.h) plus a target column y.  Symbols of the formula that
 * are columns of the table are data; every other symbol is a parameter.  A named law
 * ("chinchilla", "power", "bnsl:2", ...) is a formula with fixed column names, a default
 * start grid and bounds; any other text given as the law is parsed as a formula.
 *
 * Parameters marked log_scale (scales such as E, A, B, k, Nc, Dc, a) are optimised as
 * their logarithm; results are always reported in natural units (SE by the delta method).
 *
 * Objective (residual r_i for row i, weight w_i, default 1):
 *   space log:    r_i = log f(x_i; p) - log y_i        (needs y > 0 and f > 0)
 *   space linear: r_i = f(x_i; p) - y_i
 *   loss lsq:     sum_i w_i r_i^2 / 2
 *   loss huber:   sum_i w_i H_delta(r_i),  H = r^2/2 if |r| <= delta else delta(|r| - delta/2)
 */
#ifndef XFERLAW_FIT_H
#define XFERLAW_FIT_H

#include "xferlaw/expr.h"
#include "xferlaw/table.h"
#include "xferlaw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

#define XL_FIT_MAX_PARAMS 16
#define XL_FIT_MAX_GRID 16
#define XL_FIT_NAME_MAX 64

/* ---- laws registry ---------------------------------------------------------------- */
typedef struct xl_law_param {
    const char *name;
    int log_scale;        /* optimised as log(value); value must stay > 0 */
    double lo, hi;        /* bounds in natural units (-HUGE_VAL/HUGE_VAL when free) */
    size_t n_grid;        /* default start values, in INTERNAL units (log value when */
    double grid[XL_FIT_MAX_GRID]; /* log_scale), e.g. chinchilla A: log A in {0,5,...,25} */
} xl_law_param;

typedef struct xl_law_info {
    const char *name;          /* "chinchilla", "bnsl:2", ... */
    const char *formula;       /* expr text, e.g. "E + A/N^alpha + B/D^beta" */
    const char *target;        /* default y column, e.g. "loss" */
    size_t n_columns;
    const char *columns[4];    /* data columns the formula uses, e.g. {"N", "D"} */
    size_t n_params;
    xl_law_param params[XL_FIT_MAX_PARAMS];
    const char *space;         /* default residual space: "log" or "linear" */
    const char *description;   /* one line for --help */
} xl_law_info;

size_t xl_law_count(void);
const xl_law_info *xl_law_get(size_t i);
/* By name ("bnsl" = "bnsl:1"); NULL when not a named law (then it is a formula). */
const xl_law_info *xl_law_find(const char *name);

/* ---- options ------------------------------------------------------------------------ */
typedef enum { XL_FIT_LSQ = 0, XL_FIT_HUBER = 1 } xl_fit_loss;
typedef enum { XL_FIT_SPACE_DEFAULT = 0, XL_FIT_SPACE_LOG = 1, XL_FIT_SPACE_LINEAR = 2 } xl_fit_space;

typedef struct xl_fit_pspec {   /* a --fix or a bound on one parameter */
    char name[XL_FIT_NAME_MAX];
    double value;               /* --fix */
    double lo, hi;              /* bound (natural units) */
} xl_fit_pspec;

typedef struct xl_fit_options {
    const char *law;          /* named law or formula (required) */
    const char *y;            /* target column; NULL = the law's target, else "loss" */
    xl_fit_loss loss;         /* default XL_FIT_LSQ */
    double huber_delta;       /* default 1e-3 */
    xl_fit_space space;       /* default: the law's, log for formulas */
    const char *weight;       /* weight column, NULL = unweighted */
    size_t n_starts;          /* 0 = the law's default grid (formulas: 64 random starts in
                                 a box from the data's scales, see docs/fitting.md);
                                 N = N random starts drawn inside the grid's box */
    size_t bootstrap;         /* B resamples (0 = none) */
    uint64_t seed;            /* default 1 */
    int threads;              /* 0 = all cores */
    const char *holdout;      /* rows where this expr is non-zero are held out, NULL = none */
    size_t n_fixed;
    xl_fit_pspec fixed[XL_FIT_MAX_PARAMS];   /* parameters held at a value */
    size_t n_bounds;
    xl_fit_pspec bounds[XL_FIT_MAX_PARAMS];  /* override a law's bounds */
    size_t n_start_values;
    xl_fit_pspec start_values[XL_FIT_MAX_PARAMS];   /* --start: one extra first start */
    size_t n_start_box;
    xl_fit_pspec start_box[XL_FIT_MAX_PARAMS];      /* --start-box: lo, hi of random starts */
    int max_iter;             /* per start, default 500 */
    FILE *progress;           /* progress lines for long grids/bootstraps; NULL = quiet */
} xl_fit_options;

void xl_fit_options_init(xl_fit_options *o);
/* "lsq" or "huber:DELTA" */
int xl_fit_options_set_loss(xl_fit_options *o, const char *spec, xl_error *err);
/* "log" or "linear" */
int xl_fit_options_set_space(xl_fit_options *o, const char *spec, xl_error *err);
/* "NAME=VALUE" */
int xl_fit_options_add_fixed(xl_fit_options *o, const char *name_eq_value, xl_error *err);
/* "NAME=LO:HI" (either side may be empty) */
int xl_fit_options_add_bound(xl_fit_options *o, const char *spec, xl_error *err);
/* "NAME=VALUE": a start at this value (natural units) ahead of the others */
int xl_fit_options_add_start(xl_fit_options *o, const char *spec, xl_error *err);
/* "NAME=LO:HI" (both finite): random starts of NAME in [LO, HI] */
int xl_fit_options_add_start_box(xl_fit_options *o, const char *spec, xl_error *err);

/* ---- result ------------------------------------------------------------------------- */
typedef struct xl_fit_param {
    char name[XL_FIT_NAME_MAX];
    double value;             /* natural units */
    double se;                /* NaN when not available (e.g. fixed) */
    double ci_lo, ci_hi;      /* bootstrap (expanded) percentile 95%; NaN without --bootstrap */
    int fixed;
    int log_scale;
} xl_fit_param;

typedef struct xl_fit_diagnostics {
    double rmse_log;          /* sqrt(mean (log f - log y)^2) over fitted rows (NaN if y<=0) */
    double rmse;              /* in the fit space */
    double r2;                /* 1 - RSS/TSS in the fit space */
    double aic, bic;          /* Gaussian likelihood from the RSS: n log(RSS/n) + 2k, + k log n */
    double holdout_rmsle;     /* sqrt(mean (log f - log y)^2) over held-out rows; NaN if none */
    size_t n_holdout;
} xl_fit_diagnostics;

typedef struct xl_fit_result {
    char *law;                /* registry name, or "formula" */
    char *formula;
    char *y;                  /* target column */
    size_t n_columns;
    char **columns;           /* data columns used by the formula, in the order that
                                 xl_fit_eval takes them */
    size_t n_params;
    xl_fit_param *params;     /* free and fixed parameters: registry order for named laws,
                                 first appearance in the formula otherwise */
    xl_fit_loss loss;
    double huber_delta;
    xl_fit_space space;       /* resolved (never DEFAULT) */
    double objective;         /* at the optimum, per the header comment */
    size_t n;                 /* rows fitted */
    size_t starts;            /* starts tried */
    size_t distinct_optima;   /* different end points of converged starts (objectives more
                                 than 1e-6 apart, relative) */
    size_t n_best;            /* converged starts that reached the best objective (1e-6) */
    int converged;
    double se_scale;          /* sigma^2 used for the covariance */
    const char *se_method;    /* "jacobian" (lsq) or "huber-sandwich" (huber) */
    size_t bootstrap;         /* B requested */
    size_t bootstrap_converged;
    double ci_tail;           /* quantile level used for ci_lo (1 - it for ci_hi): 0.025
                                 expanded for small samples, see README */
    double *boot;             /* [bootstrap_converged][n_params], natural units, or NULL */
    double *cov;              /* [n_params][n_params] covariance in natural units (delta
                                 method, scaled by se_scale); 0 rows/columns for fixed
                                 parameters; NULL when not available */
    size_t n_warnings;
    char **warnings;          /* one sentence each, see docs/fitting.md */
    xl_fit_diagnostics diag;
    /* residual table over every row (fitted and held out) */
    size_t n_rows;
    long *row_line;           /* source line */
    double *row_y, *row_pred, *row_resid;   /* resid in fit space */
    unsigned char *row_heldout;
    char *input_path;         /* "" when fitted from arrays */
    char input_sha256[65];    /* "" when not from a file */
    double seconds;           /* wall time of the fit */
    xl_expr *expr;            /* the parsed formula (owned) */
    long *sym_map;            /* [n_symbols]: >= 0 column index into columns[],
                                 < 0: parameter -(k+1) */
} xl_fit_result;

/* Fit a table (after any --define / --where the caller applied). */
int xl_fit_table(const xl_table *t, const xl_fit_options *o, xl_fit_result **out, xl_error *err);
/* Fit plain arrays: cols[c][i] is row i of the column named names[c]. */
int xl_fit_arrays(size_t n_rows, size_t n_cols, const char *const *names,
                  const double *const *cols, const xl_fit_options *o,
                  xl_fit_result **out, xl_error *err);
void xl_fit_result_free(xl_fit_result *r);

/* Index of a parameter, or -1; a pointer to it, or NULL. */
long xl_fit_param_index(const xl_fit_result *r, const char *name);
const xl_fit_param *xl_fit_param_get(const xl_fit_result *r, const char *name);

/* The fitted law at a point: x[c] is the value of columns[c].  When dfdx is not NULL it
 * receives df/dx[c] (exact).  NaN outside the law's domain. */
double xl_fit_eval(const xl_fit_result *r, const double *x, double *dfdx);
/* Same with other parameter values (natural units, [n_params], e.g. a bootstrap row). */
double xl_fit_eval_params(const xl_fit_result *r, const double *params, const double *x,
                          double *dfdx);

/* JSON: {law, formula, y, columns, space, loss, params:{NAME:{value,se,ci95:[lo,hi]}},
 * objective, n, starts, distinct_optima, converged, se_method, bootstrap:{B, converged, quantiles},
 * diagnostics:{rmse_log, rmse, r2, aic, bic, holdout_rmsle, n_holdout}, input:{path,sha256}} */
struct cJSON *xl_fit_result_to_json(const xl_fit_result *r);
/* Write the JSON atomically. */
int xl_fit_result_save(const xl_fit_result *r, const char *path, xl_error *err);
/* Read a saved fit back (enough to evaluate it: formula, columns, params). */
int xl_fit_result_load(const char *path, xl_fit_result **out, xl_error *err);
/* CSV: line,y,pred,resid,heldout (atomically). */
int xl_fit_write_residuals(const xl_fit_result *r, const char *path, xl_error *err);

/* ---- one fit per group (group.c) ------------------------------------------------------ */
typedef struct xl_fit_groups {
    char *by;                 /* the grouping column */
    size_t n, n_ok;           /* groups, and how many fitted */
    char **keys;              /* [n] the group's cell text, in order of first appearance */
    xl_fit_result **fits;     /* [n] NULL where the fit failed */
    char **errors;            /* [n] the failure's message, NULL where it fitted */
} xl_fit_groups;

/* Fit o's law to each group of rows with the same text in column `by`.  Fails only when
 * `by` is missing or memory runs out; a group's own failure is kept in errors[]. */
int xl_fit_table_by(const xl_table *t, const char *by, const xl_fit_options *o,
                    xl_fit_groups **out, xl_error *err);
void xl_fit_groups_free(xl_fit_groups *g);
/* {by, n_groups, n_failed, groups: [{group, fit: {...}} or {group, error}]} */
struct cJSON *xl_fit_groups_to_json(const xl_fit_groups *g);
int xl_fit_groups_save(const xl_fit_groups *g, const char *path, xl_error *err);

/* ---- prediction (predict.c, docs/fitting.md) ------------------------------------------ */
/* The law at n points (x[c][i] = value of columns[c] at point i) with an interval at
 * `level` (e.g. 0.95) for the law's value: from the bootstrap replicates when r has >= 20
 * (the fit's expanded percentile levels at 0.95), else by the delta method from r->cov
 * (in log space on log f).  *method is "bootstrap" or "delta".  value/lo/hi: [n]. */
int xl_fit_predict(const xl_fit_result *r, size_t n, const double *const *x, double level,
                   double *value, double *lo, double *hi, const char **method, xl_error *err);
/* "COL=V,COL=V,...": one point, every column of the law given; x: [n_columns]. */
int xl_fit_parse_point(const xl_fit_result *r, const char *spec, double *x, xl_error *err);
/* CSV COLS...,pred,lo,hi to path (atomically), or to stdout when path is NULL. */
int xl_fit_write_predictions(const xl_fit_result *r, size_t n, const double *const *x,
                             const double *value, const double *lo, const double *hi,
                             const char *path, xl_error *err);
/* The bootstrap replicates as CSV (a column per parameter, natural units), atomically. */
int xl_fit_write_replicates(const xl_fit_result *r, const char *path, xl_error *err);
/* Read replicates back into r (replaces r->boot). */
int xl_fit_read_replicates(xl_fit_result *r, const char *path, xl_error *err);

/* ---- accessors (stable for bindings that hold an opaque xl_fit_result *) ------------- */
long xl_fit_n_free(const xl_fit_result *r);
size_t xl_fit_result_n_warnings(const xl_fit_result *r);
const char *xl_fit_result_warning(const xl_fit_result *r, size_t i);   /* NULL past the end */
size_t xl_fit_result_best_starts(const xl_fit_result *r);
/* Covariance of parameters a and b (natural units), NaN when not available. */
double xl_fit_result_covariance(const xl_fit_result *r, size_t a, size_t b);

#ifdef __cplusplus
}
#endif
#endif
