/* xferlaw transfer: effective data transferred (Hernandez et al. 2021).
 *
 * A model of size N fine-tuned on D_F tokens reaches loss L_ft.  The same N trained from
 * scratch reaches L_ft with D_E tokens; D_T = D_E - D_F is the data transferred, and the
 * law is D_T = k * D_F^alpha * N^beta, fitted in the low-data regime D_F <= frac * D(N).
 *
 * Pipeline (xl_transfer_analyze):
 *   runs (curriculum, N, D, loss) -> from-scratch model per N (monotone curve in log D,
 *   per-N fit L = Linf + (Dc/D)^aD, joint Kaplan L(N,D)) -> D_E two ways (interpolation of
 *   the measured curve; inversion of the fitted L(N,D)) -> fits per curriculum (log-linear
 *   D_T law with a pipeline bootstrap, Hernandez's "fit the fits", loss-space fit) ->
 *   curricula comparison (nested least squares, F-tests). */
#ifndef XFERLAW_TRANSFER_H
#define XFERLAW_TRANSFER_H

#include "xferlaw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

struct xl_table;
struct cJSON;

/* ---- measurements ---------------------------------------------------------------- */
typedef struct xl_xfer_runs {
    size_t n, cap;
    char **curriculum;   /* [n] "scratch" marks from-scratch runs */
    double *N, *D, *loss;
    long *line;          /* source line (0 when built in memory) */
    unsigned *ended_by_cap; /* 1: the run record's `end` is "cap" (still improving when
                             * the trainer's safety cap stopped it) */
    double *unigram;     /* the record's val_unigram_loss (NaN when absent) */
    /* pre-training runs of a sweep (kind "pretrain"): not measurements of the target,
     * reported beside them (their val loss on their own corpus should fall with N) */
    size_t n_pre;
    char **pre_curriculum;
    double *pre_N, *pre_loss, *pre_tokens;
    char *path;          /* source ("" in memory) */
    char sha256[65];     /* of the source file ("" in memory) */
    /* what the source held beside the measurements (for the report's sweep summary) */
    size_t rows_in;          /* rows read (after --where) */
    size_t rows_pretrain;    /* kind "pretrain": skipped (their loss is on another task) */
    double flops, seconds;   /* sums of the `flops` and `seconds` columns (NaN: no column) */
    double seconds_pretrain; /* the part of `seconds` spent on kind "pretrain" rows */
    char sweep[64];          /* the `sweep` column of the first row ("" when none) */
} xl_xfer_runs;

xl_xfer_runs *xl_xfer_runs_alloc(xl_error *err);
void xl_xfer_runs_free(xl_xfer_runs *r);
int xl_xfer_runs_add(xl_xfer_runs *r, const char *curriculum, double N, double D, double loss,
                     long line, xl_error *err);
/* From a measurement table (see xl_xfer_runs_load for the columns). */
int xl_xfer_runs_from_table(const struct xl_table *t, xl_xfer_runs **out, xl_error *err);
/* FILE (CSV/JSONL) or SWEEPDIR (reads SWEEPDIR/runs.jsonl): columns curriculum, N, loss
 * (JSONL: or best_val_loss) and D (or D_F).  Rows whose `kind` is "pretrain" are skipped
 * (their loss is on another task); rows of kind "scratch" count as from scratch whatever
 * their curriculum (a sweep's runs.jsonl).  Errors name FILE:LINE: field.  defines then
 * wheres ("NAME=EXPR" / "EXPR", see xferlaw/table.h) are applied before the columns are
 * read, e.g. --define 'D=tokens_seen' --where 'seed == 1'. */
int xl_xfer_runs_load(const char *path, const char *const *defines, size_t n_defines,
                      const char *const *wheres, size_t n_wheres, xl_xfer_runs **out,
                      xl_error *err);
/* Write as CSV: curriculum,N,D,loss */
int xl_xfer_runs_write_csv(const xl_xfer_runs *r, const char *path, xl_error *err);

/* ---- planted data ------------------------------------------------------------------ */
/* Kaplan et al. (2020) L(N,D) = [(Nc/N)^(aN/aD) + Dc/D]^aD. */
typedef struct xl_kaplan {
    double Nc, Dc, aN, aD;
} xl_kaplan;
#define XL_KAPLAN_2020 ((xl_kaplan){6.4e13, 1.8e13, 0.076, 0.103})
double xl_kaplan_loss(const xl_kaplan *k, double N, double D);
/* Infinite-data loss (Nc/N)^aN. */
double xl_kaplan_linf(const xl_kaplan *k, double N);
/* D with L(N,D) = loss; +inf when loss <= Linf(N) (unbounded), NaN for bad input. */
double xl_kaplan_invert(const xl_kaplan *k, double N, double loss);
/* D(N): data bringing the model within `within` (0.01 = 1%) of its infinite-data loss. */
double xl_kaplan_dn(const xl_kaplan *k, double N, double within);

typedef struct xl_planted_curriculum {
    const char *name;
    double k, alpha, beta;     /* D_T = k D_F^alpha N^beta */
} xl_planted_curriculum;

typedef struct xl_planted_spec {
    xl_kaplan scratch;
    size_t n_sizes;
    double N_min, N_max;           /* log-spaced sizes */
    size_t n_scratch_D;            /* from-scratch grid, log-spaced per N */
    double D_min, D_max;
    size_t n_ft_D;                 /* D_F grid, log-spaced, per N kept only in low data */
    double DF_min, DF_max;
    double low_data_frac;          /* keep D_F <= frac * D(N) (0: keep all) */
    double noise;                  /* multiplicative: loss *= exp(noise * z) */
    size_t n_curricula;
    xl_planted_curriculum curricula[8];
    uint64_t seed;
} xl_planted_spec;

/* Hernandez's text->python numbers on Kaplan's L(N,D), 6 sizes 1e6..1e8, 0.3% noise. */
void xl_planted_default(xl_planted_spec *s);
int xl_planted_generate(const xl_planted_spec *s, xl_xfer_runs **out, xl_error *err);

/* ---- analysis ------------------------------------------------------------------------ */
enum { XL_EST_INTERP = 0, XL_EST_FIT = 1, XL_N_EST = 2 };
const char *xl_estimator_name(int est);    /* "interp", "fit" */

/* Per-run flags (bit set). */
enum {
    XL_XF_ABOVE_RANGE = 1 << 0,   /* L_ft above the measured scratch curve: D_E < min D */
    XL_XF_BELOW_RANGE = 1 << 1,   /* L_ft below the measured curve: D_E beyond max D */
    XL_XF_UNBOUNDED = 1 << 2,     /* L_ft at/below the fitted asymptote: D_E infinite */
    XL_XF_NO_CURVE = 1 << 3,      /* no from-scratch curve for this N */
    XL_XF_NONPOSITIVE = 1 << 4,   /* D_T <= 0 (no or negative transfer) */
    XL_XF_HIGH_DATA = 1 << 5,     /* D_F > frac * D(N): outside the low-data regime */
    XL_XF_DISAGREE = 1 << 6,      /* the two estimators differ by more than the factor */
    XL_XF_FLAT = 1 << 7,          /* D_E > D(N): the scratch curve is within `within` of its
                                   * asymptote there, so loss noise swamps the inverse */
    XL_XF_CAP = 1 << 8,           /* the run (or, for a fine-tune, nothing else) ended at
                                   * the trainer's step cap, not at its data limit */
    XL_XF_PRE_TRANSITION = 1 << 9 /* below the unigram transition: a from-scratch run whose
                                   * loss is not clearly below the unigram level, or a
                                   * fine-tune whose D_F is at or below such a run's D */
};
#define XL_XF_NFLAGS 10
/* Comma-separated names of the flags, e.g. "below_range,high_data" ("" for none). */
void xl_xfer_flags_str(unsigned flags, char *buf, size_t n);

typedef struct xl_xfer_opts {
    double low_data_frac;       /* 0.10 */
    double within;              /* 0.01: D(N) definition */
    double disagree;            /* 2.0: estimators' ratio that is reported */
    int include_extrapolated;   /* use flagged D_E (out of range) in fits when possible */
    int include_high_data;      /* fit runs outside the low-data regime too */
    int include_flat;           /* fit D_T whose D_E lies beyond D(N) too */
    int include_cap;            /* keep runs that ended at the step cap */
    int include_pre_transition; /* keep runs below the unigram transition */
    double transition_margin;   /* 0.5 nats: "clearly below the unigram level" */
    double unigram_loss;        /* > 0: the target's unigram level, overriding the records'
                                 * val_unigram_loss (for tables from elsewhere) */
    size_t bootstrap;           /* 400 pipeline bootstrap replicates (0 = none) */
    uint64_t seed;
    int threads;                /* 0 = all cores */
    int no_progress;
    double target_loss;         /* > 0: compute accounting for this loss */
    double pretrain_tokens;     /* > 0: pre-training tokens counted in compute */
    const char *compute_curriculum; /* law used by the compute accounting (NULL: first) */
    int estimator;              /* -1 auto; XL_EST_INTERP / XL_EST_FIT: D_T of compare */
    /* the verdict (xl_verdict): a law counts as measured when the intervals of the
     * comparison estimator's log-linear fit are finite, k's spans at most verdict_decades
     * decades, alpha's and beta's are at most verdict_width wide, and at least
     * verdict_min_clean fitted runs (and half of the fitted runs) carry no flag */
    double verdict_decades;     /* 2 */
    double verdict_width;       /* 0.25 */
    size_t verdict_min_clean;   /* 8 */
    size_t n_at;                /* multipliers reported at (N, D_F) points */
    double at_N[16], at_DF[16];
} xl_xfer_opts;
void xl_xfer_opts_default(xl_xfer_opts *o);
/* Screening of the data-limit protocol (docs/protocol.md): per row, XL_XF_CAP and
 * XL_XF_PRE_TRANSITION as defined above, into flags[runs->n].  The transition of size N
 * is the largest D of a from-scratch run of N whose loss is above unigram - margin. */
void xl_xfer_runs_screen(const xl_xfer_runs *runs, const xl_xfer_opts *o, unsigned *flags);

typedef struct xl_param {
    double value, se, lo, hi;   /* lo/hi: 95% interval (bootstrap percentile or +-1.96 se) */
} xl_param;

/* From-scratch measured curve and fits for one N. */
typedef struct xl_scratch_curve {
    double N;
    size_t n;                   /* points after averaging seeds and isotonic pooling */
    double *logD, *loss;        /* strictly increasing logD, strictly decreasing loss */
    size_t n_raw;
    int fit_ok;
    double Linf, Dc, aD;        /* per-N fit L = Linf + (Dc/D)^aD */
    double DN_perN;             /* D(N) from the per-N fit (NaN when not fitted) */
    void *interp, *acc;         /* gsl_interp (Steffen), gsl_interp_accel */
} xl_scratch_curve;

typedef struct xl_scratch_model {
    size_t n_sizes;
    xl_scratch_curve *c;        /* [n_sizes], sorted by N */
    xl_kaplan kap;              /* joint fit */
    xl_param kap_p[4];          /* Nc, Dc, aN, aD with se (covariance) */
    double kap_rms;             /* rms of log-loss residuals */
    int kap_ok;
    int kap_engine;             /* the start came from the fit engine's "kaplan" law */
    size_t n_points;
} xl_scratch_model;

/* Build from the rows with curriculum "scratch". */
int xl_scratch_model_build(const xl_xfer_runs *runs, const xl_xfer_opts *o,
                           xl_scratch_model **out, xl_error *err);
void xl_scratch_model_free(xl_scratch_model *m);
/* Curve for N (exact match, relative 1e-9), or NULL. */
const xl_scratch_curve *xl_scratch_curve_for(const xl_scratch_model *m, double N);
/* Interpolation inverse: D with curve(D) = loss by bisection on the Steffen interpolant
 * in log D.  Returns 0, or XL_ERANGE with *flag XL_XF_ABOVE_RANGE/XL_XF_BELOW_RANGE. */
int xl_scratch_curve_invert(const xl_scratch_curve *c, double loss, double *D, unsigned *flag);
double xl_scratch_curve_eval(const xl_scratch_curve *c, double D);
/* D(N) from the joint fit. */
double xl_scratch_dn(const xl_scratch_model *m, double N, double within);

/* One fine-tuned run. */
typedef struct xl_xfer_est {
    size_t run;                 /* index into runs */
    const char *curriculum;
    double N, DF, loss, DN;
    double DE[XL_N_EST], DT[XL_N_EST];   /* NaN when unavailable */
    unsigned flags[XL_N_EST];
    unsigned common;            /* HIGH_DATA, DISAGREE, NO_CURVE, CAP, PRE_TRANSITION */
    int used[XL_N_EST];         /* entered the fits */
} xl_xfer_est;

/* D_T = k D_F^alpha N^beta fitted one way. */
typedef struct xl_law_fit {
    int ok;
    size_t n;
    xl_param lk, k, alpha, beta;
    double rms;                 /* residual rms (log space) */
    double *resid;              /* [n_est]: residual per estimate (NaN if unused) */
} xl_law_fit;

/* "Fit the fits": logit(D_T/D_E) = c_j + beta log N per D_F group j. */
typedef struct xl_fitfits {
    int ok;
    int est;                    /* estimator whose D_T it used */
    size_t n_groups, n;
    double *DF, *c;             /* [n_groups] */
    xl_param beta, alpha, k;    /* alpha, k from regressing c_j on log D_F_j */
} xl_fitfits;

typedef struct xl_curriculum_result {
    char *name;
    size_t n_runs, n_used[XL_N_EST];
    xl_law_fit law[XL_N_EST];   /* log-linear fit on D_T from each estimator */
    xl_fitfits ff;              /* on the interp estimator (fit estimator when none) */
    xl_law_fit loss_fit;        /* loss space: L_ft = L_kaplan(N, D_F + k D_F^a N^b) */
    /* D_E/D_F (with bootstrap 95% interval) and D_T/D_E at opts.at_*, from the
     * log-linear fit of the comparison's estimator */
    double at_mult[16], at_mult_lo[16], at_mult_hi[16], at_frac[16];
} xl_curriculum_result;

typedef struct xl_compare_test {
    const char *what;           /* "beta", "alpha", "alpha+beta" */
    double F, df1, df2, p;
} xl_compare_test;

typedef struct xl_compute_row {
    double N, D_scratch, DF, flops_scratch, flops_ft, flops_ft_pre;
} xl_compute_row;

/* ---- degenerate numbers ------------------------------------------------------------ */
/* Flags of a printed number that must not be read as a measurement. */
enum {
    XL_PF_NONFINITE = 1 << 0,    /* value or interval end infinite or missing */
    XL_PF_WIDE = 1 << 1,         /* interval spans > 2 decades (scale) or is wider than the
                                  * verdict width (exponent) */
    XL_PF_AT_BOUND = 1 << 2,     /* the fit ran to the edge of the parameter's domain
                                  * (a positive exponent whose interval reaches 0) */
    XL_PF_NEAR_ZERO = 1 << 3,    /* an asymptote below 1% of the smallest measured loss */
    XL_PF_BEYOND = 1 << 4        /* beyond the measured range by > 2 decades */
};
/* "wide,at_bound" ("" for none). */
void xl_param_flags_str(unsigned flags, char *buf, size_t n);
/* A positive scale parameter (k, Nc, Dc): interval finite, positive, <= decades wide. */
unsigned xl_param_flags_scale(const xl_param *p, double decades);
/* An exponent: interval finite and at most width wide. */
unsigned xl_param_flags_exponent(const xl_param *p, double width);

/* Hernandez et al. (2021), fine-tuning on python: text k 1.9e4, alpha 0.18, beta 0.38;
 * 50/50 text+code k 2.1e5, alpha 0.096, beta 0.38. */
typedef struct xl_reference_law {
    const char *name;
    double k, alpha, beta;
} xl_reference_law;
/* The reference for a curriculum named like "text" or "text+code"/"mix"/"*code*";
 * NULL when the name matches neither. */
const xl_reference_law *xl_reference_for(const char *curriculum);

/* ---- the verdict ----------------------------------------------------------------------- */
typedef struct xl_transfer_result xl_transfer_result;
typedef struct xl_verdict_cur {
    const char *name;
    int measured, fit_ok;
    size_t n_runs, n_used, n_clean;     /* fine-tuned, fitted, fitted without any flag */
    size_t n_sizes, n_DF;               /* distinct N and D_F among the fitted runs */
    int runs_enough;                    /* enough unflagged runs, sizes and D_F to read a fit */
    xl_param k, alpha, beta;            /* log-linear fit, comparison estimator */
    unsigned k_flags, alpha_flags, beta_flags;
    int alpha_sign, beta_sign;          /* +1/-1: interval above/below 0; 0: contains 0 */
    size_t flag_count[XL_XF_NFLAGS];    /* runs carrying each per-run flag (bit index) */
    size_t n_ossified;                  /* runs with L_ft > 1.01 L_scratch(D = D_F) */
    double oss_N, oss_DF, oss_excess;   /* the worst one (relative excess) */
    /* How many times the runs a law would need: (width / limit)^2 for the interval furthest
     * beyond its limit (k in decades), since an interval narrows about as 1/sqrt(runs) when
     * every run is repeated with more seeds (tests/transfer/test_verdict.c checks this on
     * planted data).  0 when no interval is too wide, NAN when one is not finite. */
    double runs_factor;
    int runs_factor_param;              /* the interval that sets it: 0 k, 1 alpha, 2 beta */
    const xl_reference_law *ref;
} xl_verdict_cur;

typedef struct xl_verdict {
    int est;                            /* estimator of the fits judged */
    double decades, width;
    size_t min_clean;
    size_t n_cur, n_measured;
    xl_verdict_cur *cur;
    int tested;                         /* an F-test of the curricula exists */
    int test_loss_space;                /* it is the loss-space one */
    double p_alpha, p_beta, p_both;
    size_t n_sizes, n_linf_zero, n_dn_beyond;   /* from-scratch per-N fits */
    double scratch_Dmin, scratch_Dmax;
    char *text;                         /* the verdict in sentences, one per line */
} xl_verdict;

/* Computed by xl_transfer_analyze into result->verdict; exposed for tests. */
int xl_verdict_compute(const xl_transfer_result *r, xl_verdict *v, xl_error *err);
void xl_verdict_free(xl_verdict *v);
/* Per-N flags of the from-scratch table: D(N) per-N fit and its asymptote. */
unsigned xl_scratch_dn_flags(const xl_scratch_curve *c, double DN);
unsigned xl_scratch_linf_flags(const xl_scratch_curve *c);

struct xl_transfer_result {
    xl_xfer_opts opts;
    const xl_xfer_runs *runs;
    xl_scratch_model *scratch;
    size_t n_est;
    xl_xfer_est *est;
    unsigned *screen;           /* [runs->n] xl_xfer_runs_screen's flags */
    size_t n_scratch_cap, n_scratch_pre;   /* from-scratch runs left out by the screen */
    size_t n_curricula;
    xl_curriculum_result *cur;
    int compare_est;            /* estimator used by the comparison */
    int compare_ok;
    xl_compare_test tests[3];   /* on log D_T (compare_est), nested OLS */
    double shared_beta, shared_beta_se;
    /* the same tests in loss space: nested nonlinear fits of the fine-tuned log loss
     * (L_scratch(N, D_F + k_c D_F^alpha_c N^beta_c), Kaplan fixed), where the noise is
     * the measurement's own rather than that of an inverted D_T */
    int compare_loss_ok;
    xl_compare_test tests_loss[3];
    double shared_beta_loss, shared_beta_loss_se;
    size_t n_compute;
    char compute_curriculum[64];
    xl_compute_row compute[64];
    size_t compute_best_flops, compute_best_flops_pre, compute_least_df, compute_best_scratch;
    xl_verdict verdict;
};

int xl_transfer_analyze(const xl_xfer_runs *runs, const xl_xfer_opts *o,
                        xl_transfer_result **out, xl_error *err);
void xl_transfer_result_free(xl_transfer_result *r);

/* Law values from a fit. */
double xl_law_dt(const xl_law_fit *f, double N, double DF);
/* Fine-tuned loss predicted by a loss-space fit on the scratch model. */
double xl_law_loss(const xl_law_fit *f, const xl_kaplan *kap, double N, double DF);

/* Outputs. */
struct cJSON *xl_transfer_to_json(const xl_transfer_result *r);
int xl_transfer_write_json(const xl_transfer_result *r, const char *path, xl_error *err);
/* Per-run CSV: curriculum,N,D_F,loss,D_N,D_E_interp,D_T_interp,D_E_fit,D_T_fit,flags,used */
int xl_transfer_write_csv(const xl_transfer_result *r, const char *path, xl_error *err);
/* Human-readable tables. */
void xl_transfer_print(const xl_transfer_result *r, FILE *fp);
void xl_compare_print(const xl_transfer_result *r, FILE *fp);
/* The verdict: sentences, then a table of k, alpha, beta beside Hernandez's values. */
void xl_verdict_print(const xl_transfer_result *r, FILE *fp);
struct cJSON *xl_verdict_to_json(const xl_transfer_result *r);

#ifdef __cplusplus
}
#endif
#endif
