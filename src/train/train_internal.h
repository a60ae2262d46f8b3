/* Private to src/train. */
#ifndef XL_TRAIN_INTERNAL_H
#define XL_TRAIN_INTERNAL_H

#include "xferlaw/corpus.h"
#include "xferlaw/nn.h"
#include "xferlaw/train.h"

/* The loop's state that --resume needs besides the model and the optimizer; stored as
 * JSON in last.ckpt's extra bytes. */
typedef struct xl_train_state {
    char id[17];
    long step;                 /* steps done */
    xl_rng data_rng;           /* draws the training windows */
    double best_val_loss;
    long best_step;
    uint64_t best_tokens;
    int bad_evals;
    double seconds;            /* wall time spent before this process */
    int stopped_early;
    double ref_val_loss;       /* best loss at the last improvement by >= min_delta ... */
    long ref_step;             /* ... and its step: the patience window counts from here */
    double last_val_loss;      /* the last eval's */
    /* the cooldown (cooldown.c); all 0 without one */
    int cooldown;              /* the run has one (cooldown_frac > 0) */
    int phase;                 /* 0 stable, 1 cooldown */
    long cd_start, cd_from, cd_len; /* step it began at, best step it restored, length */
    double stable_best_val_loss, stable_last_val_loss; /* the stable phase's, at its end */
    long stable_best_step;
} xl_train_state;

char *xl_train_state_to_json(const xl_train_state *st);
int xl_train_state_from_json(const char *json, const char *where, xl_train_state *st,
                             xl_error *err);
/* Stable id: config (shape as trained, without paths and cosmetics) + data identity +
 * the init checkpoint's content. */
void xl_train_run_id(const xl_train_config *cfg, const xl_nn_config *shape,
                     const xl_dataset *ds, const char *init_sha256, char id[17]);
int xl_train_write_record(const xl_train_config *cfg, const xl_nn_config *shape,
                          const xl_dataset *ds, const xl_train_result *res, int n_eval_tokens,
                          xl_error *err);
/* Keep the curve lines with step <= step (after a kill, lines past last.ckpt go). */
int xl_train_truncate_curve(const char *path, long step, xl_error *err);

/* cooldown.c */
struct cJSON;
long xl_train_cooldown_len(const xl_train_config *c, long best_step);
double xl_train_cooldown_lr(const xl_train_config *c, long k, long K);
/* stable_best.ckpt: the weights and AdamW moments of the stable phase's best eval */
int xl_train_cooldown_save_best(const xl_nn_model *m, const char *out, const char *tokenizer_id,
                                long step, xl_error *err);
/* reload stable_best.ckpt, remember the stable phase's results, enter phase 1 */
int xl_train_cooldown_begin(const xl_train_config *c, xl_nn_model *m, const char *tokenizer_id,
                            xl_train_state *st, xl_error *err);
/* best, its step and the last eval of the stable phase (the whole run without a cooldown) */
void xl_train_stable_summary(const xl_train_state *st, double *best, long *best_step,
                             double *last);
void xl_train_cooldown_to_json(const xl_train_state *st, struct cJSON *o);
int xl_train_cooldown_from_json(const struct cJSON *o, const char *where, xl_train_state *st,
                                xl_error *err);

#endif
