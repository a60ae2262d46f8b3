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

#endif
