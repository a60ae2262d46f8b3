/* xferlaw matrix: task-to-task transfer matrices (asymmetry, similarity, clustering,
 * two-matrix comparison, heatmaps and dendrograms), and capability jumps with scale.
 *
 * A transfer matrix T has one row per SOURCE task (fine-tuned on first) and one column
 * per TARGET task (evaluated); T[i][j] is the gain on j from first training on i
 * (percentage points, or any unit).  Matrices come from CSV in either of two shapes:
 *   long:   header with columns source,target,VALUE[,seed] (VALUE defaults to "gain"),
 *           several rows per (source,target) are replicates (seeds);
 *   square: header "LABEL,t1,t2,..", then one row per source "s,v1,v2,..".
 * Empty cells and "nan" are missing values. */
#ifndef XFERLAW_MATRIX_H
#define XFERLAW_MATRIX_H

#include "xferlaw/fit.h"
#include "xferlaw/gnuplot.h"
#include "xferlaw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xl_tmatrix {
    size_t n;          /* tasks */
    char **labels;     /* [n] */
    double *mean;      /* [n*n] row-major, mean[i*n+j] = source i -> target j; NaN missing */
    double *sd;        /* [n*n] sample SD over replicates (NaN when fewer than 2) */
    int *count;        /* [n*n] replicates */
    char *path;        /* where it came from */
} xl_tmatrix;

xl_tmatrix *xl_tmatrix_alloc(size_t n, const char *const *labels, xl_error *err);
void xl_tmatrix_free(xl_tmatrix *m);
/* value_col: the long format's value column (NULL = "gain"). */
int xl_tmatrix_read(const char *path, const char *value_col, xl_tmatrix **out, xl_error *err);
/* Long CSV: source,target,mean,sd,count (atomically). */
int xl_tmatrix_write_long(const xl_tmatrix *m, const char *path, xl_error *err);
/* Square CSV of the means (or any n*n array v with m's labels), atomically. */
int xl_tmatrix_write_square(const xl_tmatrix *m, const double *v, const char *path,
                            xl_error *err);
long xl_tmatrix_find(const xl_tmatrix *m, const char *label);
/* Half-width of the 95% CI of mean[k] (t quantile, count-1 df); NaN without replicates. */
double xl_tmatrix_ci95(const xl_tmatrix *m, size_t k);

/* ---- analysis ------------------------------------------------------------------ */
typedef struct xl_asym_pair {
    size_t i, j;        /* i < j */
    double diff;        /* T[i][j] - T[j][i] */
    double ci95;        /* half-width (Welch), NaN without replicates */
    int beyond_ci;      /* |diff| > ci95 (0 when ci95 is NaN) */
} xl_asym_pair;

/* All pairs i<j with both directions present, sorted by |diff| descending.
 * *pairs is malloc'ed. */
int xl_matrix_asymmetry(const xl_tmatrix *m, xl_asym_pair **pairs, size_t *n_pairs,
                        xl_error *err);
/* S[i][j] = sqrt(max(T[i][j],0) * max(T[j][i],0)); the diagonal is T[i][i] clipped at 0.
 * S is [n*n]; a missing direction gives NaN. */
void xl_matrix_similarity(const xl_tmatrix *m, double *S);

/* Average-linkage (UPGMA) agglomerative clustering on a distance matrix D [n*n].
 * merge k (0..n-2) joins clusters a[k], b[k] at height h[k]; clusters 0..n-1 are the
 * leaves, n+k is the cluster made by merge k (scipy's linkage convention).
 * order[n] is a leaf order with no crossing branches. */
typedef struct xl_linkage {
    size_t n;
    size_t *a, *b, *size;   /* [n-1] */
    double *h;              /* [n-1] */
    size_t *order;          /* [n] */
} xl_linkage;

int xl_linkage_average(const double *D, size_t n, xl_linkage *L, xl_error *err);
void xl_linkage_free(xl_linkage *L);
/* Flat clusters: cut so that k clusters remain; labels[n] in 0..k-1, numbered by first
 * appearance in leaf index order. */
int xl_linkage_cut(const xl_linkage *L, size_t k, int *labels, xl_error *err);
/* Mean silhouette of a flat clustering (labels 0..n-1) on distances D [n*n]; singletons
 * score 0. */
double xl_silhouette(const double *D, size_t n, const int *labels);
/* The default number of groups: the cut (2..n-1 clusters) with the largest mean
 * silhouette on D, ties to fewer clusters; 1 when even that is below
 * XL_GROUPS_MIN_SILHOUETTE (no clear groups).  Unlike the largest gap in merge heights it
 * is not decided by merges at height 0 (tied or zero similarities).  *score (may be NULL)
 * receives the best silhouette. */
#define XL_GROUPS_MIN_SILHOUETTE 0.25
size_t xl_linkage_auto_k(const double *D, const xl_linkage *L, double *score, xl_error *err);
/* A raw-accuracy matrix with a baseline row (source `label`, e.g. "none": the target
 * trained alone) becomes gains: every cell minus its target's baseline, replicate SDs
 * added in quadrature; the baseline task is removed. */
int xl_tmatrix_subtract_baseline(xl_tmatrix *m, const char *label, xl_error *err);
/* Distance from similarity for clustering: D = smax - S off the diagonal (smax = largest
 * off-diagonal S; NaN taken as 0 similarity), 0 on the diagonal. */
void xl_matrix_similarity_distance(const double *S, size_t n, double *D);

/* Two matrices on their common labels. */
typedef struct xl_matrix_cmp {
    size_t n_common;
    double total_offdiag[2];      /* sum of off-diagonal means present in both */
    double mean_offdiag[2];
    size_t n_offdiag;             /* cells counted */
    size_t asym_beyond_ci[2];     /* pairs whose |T-T^T| exceeds its CI */
    size_t asym_pairs;            /* pairs compared */
    size_t cells_differ_ci;       /* cells where |B-A| exceeds the Welch CI of the difference */
    double corr_offdiag;          /* Pearson correlation of the off-diagonal cells */
} xl_matrix_cmp;

/* idx_a/idx_b (may be NULL) receive, for common label c, its index in a and b
 * (arrays of a->n entries; n_common used). */
int xl_matrix_compare(const xl_tmatrix *a, const xl_tmatrix *b, xl_matrix_cmp *out,
                      size_t *idx_a, size_t *idx_b, xl_error *err);

/* ---- plots (gnuplot) ------------------------------------------------------------- */
/* Heatmap of v [n*n] with values printed in cells, rows/cols permuted by order (NULL =
 * identity), a colour-blind-safe diverging palette centred at 0.  Writes BASE.gp and
 * BASE.dat and, when gnuplot is on PATH, renders BASE.png (*rendered = 1). */
int xl_matrix_heatmap(const char *base, const char *title, const double *v, size_t n,
                      char *const *labels, const size_t *order, const char *unit,
                      int *rendered, xl_error *err);
int xl_matrix_dendrogram(const char *base, const char *title, const xl_linkage *L,
                         char *const *labels, int *rendered, xl_error *err);
/* The same with the cut into k clusters drawn (dashed line) and each cluster's branches
 * in its colour (k < 2: no cut); leaves hang below 0 so merges at height 0 show. */
int xl_matrix_dendrogram_cut(const char *base, const char *title, const xl_linkage *L,
                             char *const *labels, size_t k, int *rendered, xl_error *err);
/* symmetric: a task-by-task matrix (similarity): both axes say "task". */
int xl_matrix_heatmap_axes(const char *base, const char *title, const double *v, size_t n,
                           char *const *labels, const size_t *order, const char *unit,
                           int symmetric, int *rendered, xl_error *err);


/* ---- the pairwise protocol ----------------------------------------------------------
 * For each model size and seed: from the base model, fine-tune on n_source examples of
 * task A, then on n_target examples of task B, and score greedy decoding on n_eval
 * held-out B questions; the baseline row (source "none") fine-tunes on the n_target B
 * examples alone.  gain[A][B] = 100 (acc[A][B] - acc[none][B]) percentage points; the
 * diagonal is then "n_source of B then n_target of B" against "n_target of B".
 *
 * It runs through the sweep machinery (sweep.h): each stage is one run of the trainer
 * `xferlaw tasks tune` (xl_pw_tune) in OUT/runs/ID, a stage-two run depends on its
 * stage-one run (--init-from its best.ckpt), and every finished run is one line of
 * OUT/runs.jsonl; a rerun after a kill finishes only what is missing.
 *
 * SPEC (JSON): {"out": DIR, "tasks": [..], "seeds": [..],
 *   "sizes": [{"name": "s", "base": CKPT | null, "n_layer": L, "d_model": C, "n_head": H,
 *              "ctx": T}, ..]          (shape fields only when base is null: random init)
 *          | {"sweep": DIR, "curriculum": "text"}  (one size per pretrain record of that
 *             curriculum in DIR/runs.jsonl, named N<N>, ordered by N),
 *   "pairs": "all" | "diagonal" (only the baseline row and the diagonal),
 *   "tokenizer": PATH | null (null: bytes, vocab 257, or the shipped tokenizer when the
 *                base checkpoints were trained with it),
 *   "n_source": 200, "n_target": 10, "n_eval": 100, "steps_source": 200,
 *   "steps_target": 40, "batch": 8, "seq": 64, "lr": 1e-3} */
#define XL_PW_MAX_TASKS 16
#define XL_PW_MAX_SIZES 32
#define XL_PW_MAX_SEEDS 16

enum { XL_PW_ALL = 0, XL_PW_DIAGONAL = 1 };

typedef struct xl_pw_size {
    char name[32];
    char base[1024];      /* checkpoint, "" = random init from the seed */
    int n_layer, d_model, n_head, ctx;
} xl_pw_size;

typedef struct xl_pw_spec {
    char path[1024];      /* the spec file (for messages) */
    char out[1024];
    char tokenizer[1024];
    size_t n_tasks, n_sizes, n_seeds;
    char tasks[XL_PW_MAX_TASKS][16];
    xl_pw_size sizes[XL_PW_MAX_SIZES];
    uint64_t seeds[XL_PW_MAX_SEEDS];
    int n_source, n_target, n_eval, steps_source, steps_target, batch, seq;
    int pairs;            /* XL_PW_ALL or XL_PW_DIAGONAL */
    int jobs, threads;    /* defaults for the CLI's --jobs/--threads (0 = not given) */
    double lr;
} xl_pw_spec;

int xl_pw_spec_read(const char *path, xl_pw_spec *spec, xl_error *err);

/* How to run the protocol's runs (see xl_sweep_opts). */
typedef struct xl_pw_exec {
    char **trainer;       /* argv prefix of `xferlaw tasks tune`, NULL-terminated */
    int jobs, threads;
    FILE *log;            /* progress; NULL = silent */
    int dry_run;          /* only count: *planned, *done */
} xl_pw_exec;

/* Plans the runs, takes OUT/.lock and runs every unfinished one with the local executor.
 * planned/done (may be NULL) receive the numbers of runs. */
int xl_pw_run(const xl_pw_spec *spec, const xl_pw_exec *x, size_t *planned, size_t *done,
              xl_error *err);
/* The protocol's plan as a sweep plan (for other executors, e.g. MPI): *plan refers to
 * *state, which owns the synthesized sweep spec; free both with xl_pw_plan_free. */
typedef struct xl_pw_plan xl_pw_plan;
int xl_pw_plan_build(const xl_pw_spec *spec, xl_pw_plan **state, xl_error *err);
const struct xl_sweep_plan *xl_pw_plan_sweep(const xl_pw_plan *state);
void xl_pw_plan_free(xl_pw_plan *state);

/* From OUT/runs.jsonl (records of this spec's plan only), per size: OUT/SIZE/raw_acc.csv
 * (long, with "none" rows), gain.csv (long: source,target,gain,seed), gain_nll.csv
 * (answer NLL reduction, nats), and square means gain_square.csv, normalised.csv
 * (gain / diagonal gain of the target; empty when that diagonal gain is under 1 point);
 * and OUT/scale.csv (long: size,N,seed,task,acc_alone,acc_diag,nll_alone,nll_diag). */
int xl_pw_collect(const xl_pw_spec *spec, xl_error *err);

/* One stage of the protocol, the trainer of its runs: from a checkpoint (init_from, else
 * base) or a random init (shape, seed), fine-tune on n_examples of task (training split),
 * then, when eval_task is set, score n_eval held-out examples of it.  Writes OUT/best.ckpt
 * (unless no_checkpoint) and, last and atomically, OUT/run.json: best_val_loss (answer NLL
 * on the eval set, else the final training loss), acc, correct, n_eval, nll, N, task,
 * eval_task, stage, size, source, seed, seconds.  Deterministic in its options. */
typedef struct xl_pw_tune_opts {
    const char *out, *task, *eval_task, *tokenizer, *base, *init_from;
    const char *stage;        /* "source" or "target": picks the example draw and the
                               * batch order (the same n_target draw for every source) */
    const char *size, *source; /* labels copied into run.json */
    int n_examples, n_eval, steps, batch, seq, threads, no_checkpoint;
    int n_layer, d_model, n_head, ctx;   /* random init (no checkpoint) */
    double lr;
    uint64_t seed;
} xl_pw_tune_opts;

void xl_pw_tune_opts_init(xl_pw_tune_opts *o);
int xl_pw_tune(const xl_pw_tune_opts *o, xl_error *err);

/* ---- capability jumps ------------------------------------------------------------------
 * Accuracy (or loss) against scale x: a smooth law (default "power": e = a x^b) against a
 * broken power law (the fit engine's bnsl:1) on e = max(1 - acc, floor) (accuracy in
 * percent when any value exceeds 1) or on the loss, least squares in log space.
 * The break d is profiled over a log grid inside the data, then on a finer grid around
 * the optimum (estimate and likelihood-ratio 95% interval); a free fit of d within the
 * data range is bootstrapped (cases) for a percentile interval; the reported interval is
 * the union of the two.  The break is "supported" when BIC prefers it by more than bic_threshold,
 * cross-validated RMSLE (folds interleaved in x) is lower with it, and it lies inside the
 * data (not on the first or last grid point). */
enum { XL_JUMPS_ACC = 0, XL_JUMPS_LOSS = 1 };

typedef struct xl_jumps_options {
    int kind;               /* XL_JUMPS_ACC (fit 1 - acc) or XL_JUMPS_LOSS */
    double floor;           /* smallest error after the transform (default 1e-3) */
    size_t grid;            /* break positions profiled (default 24) */
    size_t bootstrap;       /* resamples for the break's CI (default 200; 0 = none) */
    size_t folds;           /* cross-validation folds (default 5; < 2 = none) */
    uint64_t seed;
    int threads;
    double bic_threshold;   /* default 6 ("strong" evidence) */
    const char *smooth_law; /* default "power" */
} xl_jumps_options;

typedef struct xl_jumps_result {
    size_t n;
    double xmin, xmax, scale;          /* scale: 100 when accuracy was in percent */
    struct xl_fit_result *smooth, *broken;
    double rss_smooth, rss_broken;     /* log space */
    int k_smooth, k_broken;            /* parameters counted (the break d included) */
    double aic_smooth, aic_broken, bic_smooth, bic_broken;
    double cv_smooth, cv_broken;       /* cross-validated RMSLE */
    double d;                          /* break position */
    double d_ci[2];                    /* reported 95% interval: union of the two below */
    double d_ci_profile[2], d_ci_boot[2];
    int boot_ok;
    size_t n_profile;
    double *profile_d, *profile_rss;
    int supported;
    char reason[256];
} xl_jumps_result;

void xl_jumps_options_init(xl_jumps_options *o);
int xl_jumps_fit(const double *x, const double *y, size_t n, const xl_jumps_options *o,
                 xl_jumps_result *r, xl_error *err);
void xl_jumps_result_free(xl_jumps_result *r);
/* The quantity fitted for a measured y. */
double xl_jumps_transform(const xl_jumps_options *o, double y, double scale);
/* Plot data, both fits (back on the y scale) and the break with its CI: BASE.gp, BASE.dat,
 * BASE.png when gnuplot exists. */
int xl_jumps_plot(const char *base, const char *title, const char *xlabel, const char *ylabel,
                  const double *x, const double *y, size_t n, const xl_jumps_options *o,
                  const xl_jumps_result *r, int *rendered, xl_error *err);

#ifdef __cplusplus
}
#endif
#endif
