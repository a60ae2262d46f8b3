/* xferlaw train: the training loop over nn and corpus.
 *
 * One run: load a dataset (corpus or mixture, D-capped), build or load a model, train
 * with AdamW under a warmup + cosine schedule on seeded random windows of the training
 * stream, evaluate every K steps on a fixed val subset, early-stop with patience, and
 * write into OUT (each file atomically): curve.jsonl (one line per eval), best.ckpt,
 * last.ckpt (with optimizer and loop state, for --resume), and run.json LAST.
 * The contract for the CLI and the files is in README.md, "xferlaw train". */
#ifndef XFERLAW_TRAIN_H
#define XFERLAW_TRAIN_H

#include "xferlaw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xl_train_config {
    char data[256];         /* corpus name, mixture "a:0.5,b:0.5", or corpus dir path */
    char corpora[1024];     /* corpora root; "" = xl_corpora_root() */
    uint64_t data_size;     /* D cap on unique training tokens; 0 = all */
    int n_layer, d_model, n_head, ctx;
    int batch;
    double lr, min_lr_frac, weight_decay, clip;
    double dropout;         /* GPT-2 dropout on the embeddings and the residual branches */
    double attn_dropout;    /* ... and on the attention probabilities (0 = off, default) */
    long warmup;            /* steps of linear warmup */
    long max_steps;         /* budget in steps, or ... */
    uint64_t max_tokens;    /* ... in training tokens (if > 0, overrides max_steps) */
    long eval_every;        /* steps between evaluations */
    long eval_tokens;       /* size of the fixed val subset (rounded up to whole batches) */
    int patience;           /* evals without improvement before stopping; 0 = off */
    /* Running to the data limit (the transfer protocol, docs/protocol.md): */
    char schedule[16];      /* "cosine" (decay to the budget) | "constant" (after warmup) */
    long patience_steps;    /* > 0: patience in steps instead of evals: stop when no eval
                             * has improved on the best by min_delta for
                             * max(patience_steps, patience_frac * best_step) steps */
    double patience_frac;
    double min_delta;       /* improvement (nats) that resets the patience */
    double eval_growth;     /* > 0: next eval at s + max(eval_every, eval_growth * s) */
    double cooldown_frac;   /* > 0 (constant schedule): after the stable phase, reload its
                             * best weights and moments and train max(cooldown_min_steps,
                             * cooldown_frac * best_step) steps with the rate decaying
                             * linearly to 0 (warmup-stable-decay); 0 = off */
    long cooldown_min_steps;
    char init_from[1024];   /* checkpoint to fine-tune from; "" = from scratch */
    int resume;             /* continue OUT/last.ckpt */
    char trainable[16];     /* all | ln | head | ln+head | bias */
    uint64_t seed;
    int threads;
    char out[1024];         /* output directory */
    long halt_at_step;      /* testing aid: stop (as if killed) after this step's eval; 0 = off */
} xl_train_config;

void xl_train_config_default(xl_train_config *cfg);

typedef struct xl_train_result {
    char id[17];
    uint64_t N, n_params_total, D;
    double trainable_fraction;
    double best_val_loss, best_val_bpb;
    long best_step, steps;
    uint64_t best_tokens, tokens_seen;
    long steps_budget;      /* the step budget (from max_steps or max_tokens) */
    double flops;           /* 6*N*tokens + 6*L*T*C*tokens (attention) */
    double flops_with_head; /* plus the tied head, 6*V*C per token */
    double tokens_per_s, seconds;
    int stopped_early;      /* patience ran out */
    const char *end;        /* why the (stable phase of the) run ended: "overfit" (patience ran out and the last eval
                             * is clearly above the best), "converged" (patience ran out
                             * on a plateau), "cap" (constant schedule: the step cap was
                             * reached while still improving), "budget" (cosine schedule:
                             * its planned end) */
    double last_val_loss;   /* val loss at the last eval */
    double stable_best_val_loss; /* the stable phase's best (= best_val_loss without a
                                  * cooldown), and its step */
    long stable_best_step;
    long cooldown_steps;    /* steps of the cooldown (0 without one) */
    double val_unigram;     /* entropy of the val split's unigram distribution (nats) */
    int halted;             /* halt_at_step reached: no run.json written */
} xl_train_result;

/* Learning rate at step s (1-based) of S: linear warmup to lr over `warmup` steps, then
 * cosine decay to lr * min_lr_frac at step S. */
double xl_train_lr(const xl_train_config *cfg, long s, long S);

/* Runs the whole thing.  progress: where the progress bar goes (NULL = none). */
int xl_train_run(const xl_train_config *cfg, xl_train_result *res, FILE *progress,
                 xl_error *err);

#ifdef __cplusplus
}
#endif
#endif
