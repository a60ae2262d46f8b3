/* sweep: grids of training runs (N x D_F x curricula, plus from-scratch runs),
 * planned as a dependency graph, executed by child processes that survive kills.
 *
 *   spec (JSON)  --xl_sweep_spec_read-->  xl_sweep_spec
 *   spec         --xl_sweep_plan_build--> xl_sweep_plan (runs with stable ids, deps)
 *   plan         --xl_sweep_exec_local--> SWEEPDIR/runs/ID/{run.json,...}
 *                                         SWEEPDIR/runs.jsonl (one line per finished run)
 *
 * A run is done exactly when its id has a line in the results file.  Restarting an
 * executor on the same SWEEPDIR finishes what is missing and never duplicates a line
 * (see xl_sweep_store_*).  The trainer is any command honouring the `xferlaw train`
 * contract; by default this very binary's `train`. */
#ifndef XFERLAW_SWEEP_H
#define XFERLAW_SWEEP_H

#include "xferlaw/util.h"

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

/* ---- spec -------------------------------------------------------------------- */
typedef struct xl_sweep_model {
    long n_layer, d_model, n_head, ctx;
    double lr;               /* resolved: the model's own "lr" or the spec's lr rule */
    long batch;
    double pretrain_tokens;  /* budget of the pre-training: tokens, or ... */
    long pretrain_steps;     /* ... steps (exactly one is > 0) */
    double lr_finetune, lr_scratch; /* > 0: this model's own rates (else lr * lr_mult) */
    double dropout, attn_dropout; /* this model's own, for all its runs, when has_... */
    int has_dropout, has_attn_dropout; /* ... (else each section's) */
    double *d_f, *d_scratch; /* this model's own grids (NULL: the spec's), ascending */
    size_t n_d_f, n_d_scratch;
    long warmup;             /* >= 0: warmup steps of this model's runs from a random init
                              * (pre-training, from scratch); -1: the spec's "warmup" */
    long *seeds;             /* this model's own seeds for its fine-tunes and from-scratch
                              * runs (NULL: the spec's); its pre-training keeps the spec's
                              * first, so adding seeds to one model reruns nothing */
    size_t n_seeds;
} xl_sweep_model;

typedef struct xl_sweep_curriculum {
    char *name;              /* what records call it: "scratch", "text", "text+code" */
    char *data;              /* trainer --data for the pre-training; NULL for scratch */
} xl_sweep_curriculum;

/* Budget of a fine-tune or from-scratch run on D tokens: max tokens seen is
 * clamp(epochs * D, min_tokens, max_tokens) when epochs > 0, else max_tokens;
 * or max_steps when given.  Early stopping usually ends runs sooner.
 * With schedule "constant" (the data-limit protocol, docs/protocol.md) the run trains at a
 * constant rate until patience_steps/patience_frac end it; max_tokens/max_steps is only a
 * safety cap, and epochs/min_tokens only shape the time estimate. */
typedef struct xl_sweep_budget {
    double epochs, min_tokens, max_tokens;
    long max_steps;
    double lr_mult;          /* learning rate = model lr * lr_mult */
    char schedule[16];       /* "" (trainer default: cosine) or "constant" */
    long patience_steps;     /* trainer --patience-steps etc. (0 = not passed) */
    double patience_frac, min_delta, eval_growth;
    double dropout, attn_dropout; /* trainer --dropout, --attn-dropout (0 = not passed);
                                   * the section's own, not inherited by "scratch" */
    double cooldown_frac;    /* trainer --cooldown-frac (0 = not passed) */
    long cooldown_min_steps; /* trainer --cooldown-min-steps (0 = not passed) */
} xl_sweep_budget;

typedef struct xl_sweep_spec {
    char *path;              /* file it came from (for messages) */
    char *name;              /* "name" or the file's base name */
    char *target;            /* target corpus (trainer --data) */
    char *corpora;           /* corpora root or NULL (trainer default) */
    xl_sweep_model *models;
    size_t n_models;
    xl_sweep_curriculum *curricula;
    size_t n_curricula;
    double *d_f;             /* fine-tune data sizes, ascending */
    size_t n_d_f;
    double *d_scratch;       /* from-scratch data sizes, ascending */
    size_t n_d_scratch;
    long *seeds;
    size_t n_seeds;
    xl_sweep_budget finetune, scratch;
    double pretrain_dropout, pretrain_attn_dropout; /* the "pretrain" section's */
    char *trainable;         /* fine-tune --trainable (NULL = trainer default) */
    long eval_every, eval_tokens, patience, warmup;
    double flops_per_s;      /* per job, for time estimates; 0 = default */
    long vocab;              /* tokenizer size for FLOP estimates (default 1024) */
    char **train_args;       /* extra options passed to every run */
    size_t n_train_args;
} xl_sweep_spec;

/* Parse and validate.  Errors name the file and the field path, e.g.
 * "spec.json: field 'models[2].d_model': must be a positive integer". */
int xl_sweep_spec_read(const char *path, xl_sweep_spec *spec, xl_error *err);
int xl_sweep_spec_parse(const char *json_text, const char *path, xl_sweep_spec *spec,
                        xl_error *err);
void xl_sweep_spec_free(xl_sweep_spec *spec);

/* ---- plan -------------------------------------------------------------------- */
typedef enum { XL_SWEEP_PRETRAIN = 0, XL_SWEEP_FINETUNE = 1, XL_SWEEP_SCRATCH = 2 } xl_sweep_kind;
const char *xl_sweep_kind_name(xl_sweep_kind k);

typedef struct xl_sweep_run {
    char id[17];             /* 16 hex digits: sha256 of the run's configuration */
    xl_sweep_kind kind;
    size_t curriculum, model;
    double N;                /* non-embedding parameters (Kaplan, as xl_nn counts them) */
    double D;                /* data cap (D_F for fine-tunes, D for scratch, 0 = all) */
    long seed;
    long dep;                /* index of the run this one starts from, or -1 */
    double est_tokens;       /* full budget (early stopping usually ends runs sooner) */
    double est_flops;        /* as the trainer records them: (6N + 6LTC) per token */
    double est_cost;         /* what sets the time: + 6VC per token (tied head), evals */
    size_t group;            /* runs of a group share a shard: (curriculum, N) chains */
    char **args;             /* trainer options, without --out/--init-from/--resume/
                              * --threads/--quiet (those depend on where it runs) */
    size_t n_args;
} xl_sweep_run;

typedef struct xl_sweep_plan {
    const xl_sweep_spec *spec;
    xl_sweep_run *runs;      /* dependencies come before their dependants */
    size_t n;
    size_t n_groups;
    size_t *by_id;           /* run indices sorted by id (NULL: not indexed, find() scans) */
} xl_sweep_plan;

int xl_sweep_plan_build(const xl_sweep_spec *spec, xl_sweep_plan *plan, xl_error *err);
/* For protocols that plan their own runs (the pairwise matrix, src/matrix/pairwise.c):
 * start with an empty plan over a synthesized spec (what the executors and the store read
 * of it: name, corpora, curricula[].name as the run's label, models[] for cost per token),
 * then append runs in dependency order.  r gives kind, curriculum, model, N, D, seed, dep,
 * est_* and group; args (copied) are the trainer options; the id hashes them as
 * xl_sweep_plan_build does.  A run identical to one already planned is an error. */
void xl_sweep_plan_init(const xl_sweep_spec *spec, xl_sweep_plan *plan);
int xl_sweep_plan_add(xl_sweep_plan *plan, const xl_sweep_run *r, const char *const *args,
                      size_t n_args, xl_error *err);
void xl_sweep_plan_free(xl_sweep_plan *plan);
/* Index of the run with this id, or -1. */
long xl_sweep_plan_find(const xl_sweep_plan *plan, const char *id);
/* Deterministic partition into n shards: whole groups, balanced by estimated FLOPs
 * (largest first onto the lightest shard).  shard_of[i] in [0, n). */
int xl_sweep_plan_shard(const xl_sweep_plan *plan, int n, int *shard_of, xl_error *err);
/* Sum of est_flops / est_cost over runs with include[i] (NULL = all). */
double xl_sweep_plan_flops(const xl_sweep_plan *plan, const unsigned char *include);
double xl_sweep_plan_cost(const xl_sweep_plan *plan, const unsigned char *include);
/* Cost (FLOPs, head included) per trained token of spec model i. */
double xl_sweep_cost_per_token(const xl_sweep_spec *spec, size_t model);
/* Wall time of the included runs on `jobs` workers doing flops_per_s (of est_cost) each,
 * simulating
 * the executor (plan order, dependencies first).  Skips runs with done[i] (may be NULL). */
double xl_sweep_plan_makespan(const xl_sweep_plan *plan, const unsigned char *include,
                              const unsigned char *done, int jobs, double flops_per_s);

/* ---- store: SWEEPDIR/runs.jsonl and run directories ------------------------------ */
/* Ids that have a line in the results file.  A torn last line (no '\n') is cut off
 * first, rewriting the file atomically; lines that are not JSON objects with an "id"
 * are an error naming the line. */
int xl_sweep_store_load(const char *jsonl_path, const xl_sweep_plan *plan,
                        unsigned char *done, xl_error *err);
/* One line (with '\n') for run i: DIR/run.json plus sweep fields `id`, `kind`,
 * `curriculum`, `N`, `D`, `loss`, `seed`, `dir`, `init_from_id`, `train_id`
 * (the trainer's own id).  dir is relative to the sweep dir ("runs/ID"). */
int xl_sweep_record_line(const xl_sweep_plan *plan, size_t i, const char *sweepdir,
                         char **line, xl_error *err);
/* Join shard files into OUT (atomic; plan order; first line per id wins).  Returns the
 * number of planned runs still missing in *missing. */
int xl_sweep_store_merge(const xl_sweep_plan *plan, const char *const *inputs, size_t n_inputs,
                         const char *out, size_t *missing, xl_error *err);
/* Totals over the records of a results file, written as JSON to summary_path (atomic)
 * and returned in *summary (caller frees with cJSON_Delete). */
int xl_sweep_summary(const xl_sweep_plan *plan, const char *jsonl_path, double wall_seconds,
                     const char *summary_path, struct cJSON **summary, xl_error *err);
/* Speed per run measured by the finished planned runs of a results file, in est_cost
 * FLOP/s (tokens_seen x cost per token / seconds); 0 when none. */
double xl_sweep_store_speed(const char *jsonl_path, const xl_sweep_plan *plan);

/* ---- executors ------------------------------------------------------------------ */
typedef struct xl_sweep_opts {
    const char *sweepdir;
    char **trainer;          /* argv prefix, e.g. {"/path/xferlaw", "train", NULL} */
    int jobs;                /* concurrent runs */
    int threads;             /* --threads and OPENBLAS_NUM_THREADS of each run */
    int resume;              /* pass --resume when a partial run has last.ckpt */
    const unsigned char *include; /* runs of this executor (NULL = all) */
    const char *results;     /* results file (default SWEEPDIR/runs.jsonl) */
    FILE *log;               /* progress (bar on a tty, lines otherwise); NULL = silent */
    double flops_per_s;      /* per-run speed (of est_cost) for the ETA from the first
                              * second: the plan's makespan, corrected as runs finish;
                              * 0 = ETA from finished work only */
} xl_sweep_opts;

typedef struct xl_sweep_stats {
    size_t planned, already, finished, failed, blocked;
    double wall_seconds;
} xl_sweep_stats;

/* Exclusive lock on SWEEPDIR/NAME held by the returned fd; it is inherited by the
 * trainer processes so a restart waits until every child of a killed sweep is gone. */
int xl_sweep_lock(const char *sweepdir, const char *name, int *fd, xl_error *err);

/* Start the trainer for run i in SWEEPDIR/runs/ID (stdout+stderr to train.log there):
 * clears a partial run dir, or resumes it; the child is its own process group and dies
 * with its parent (PR_SET_PDEATHSIG). */
int xl_sweep_launch(const xl_sweep_plan *plan, size_t i, const xl_sweep_opts *opts,
                    pid_t *pid, xl_error *err);
/* Last line of a failed run's train.log, for the error message. */
void xl_sweep_log_tail(const char *sweepdir, const char *id, char *buf, size_t n);

/* Local pool of opts->jobs child processes.  Returns XL_OK when every included run
 * is done; XL_EINVAL (message lists the first failure) when some failed. */
int xl_sweep_exec_local(const xl_sweep_plan *plan, const xl_sweep_opts *opts,
                        xl_sweep_stats *stats, xl_error *err);
/* Set by SIGINT/SIGTERM handlers of the executors: stop, kill children, return. */
extern volatile int xl_sweep_interrupted;

/* Helpers shared by executors: finalise run i (read run.json, append its line). */
int xl_sweep_commit_run(const xl_sweep_plan *plan, size_t i, const xl_sweep_opts *opts,
                        xl_error *err);

#ifdef __cplusplus
}
#endif
#endif
