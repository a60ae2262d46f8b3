/* The cooldown of a warmup-stable-decay run (--cooldown-frac > 0 with the constant
 * schedule).  At a constant rate the val loss jitters between evals by SGD noise, so the
 * best eval of the stable phase sits above what the data allows; a short decay of the
 * rate to 0 from the best point removes most of that noise.  When patience (or the cap)
 * ends the stable phase, the loop reloads the weights AND AdamW moments of its best eval
 * (stable_best.ckpt, written at every improvement of the stable phase), then trains
 * max(cooldown_min_steps, cooldown_frac * best_step) steps with the rate falling
 * linearly to 0, evaluating on the usual dense-early spacing counted from the start of
 * the cooldown, without patience.  The training windows keep coming from the same rng
 * (fresh windows, not a replay of the stable phase's).  Steps are numbered on from the
 * stable phase's last one, so curve.jsonl stays monotone and tokens/FLOPs count all the
 * work done; AdamW's bias correction counts from the restored best step. */
#include "train_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long xl_train_cooldown_len(const xl_train_config *c, long best_step)
{
    double k = c->cooldown_frac * (double)best_step;
    return k > (double)c->cooldown_min_steps ? (long)llround(k) : c->cooldown_min_steps;
}

/* Step k (1-based) of K: the constant rate at the first step, down by lr/K per step,
 * so it would reach 0 at step K + 1 (no wasted step at rate 0). */
double xl_train_cooldown_lr(const xl_train_config *c, long k, long K)
{
    return c->lr * (double)(K - k + 1) / (double)K;
}

static void stable_best_path(const char *out, char *path, size_t n)
{
    snprintf(path, n, "%s/stable_best.ckpt", out);
}

int xl_train_cooldown_save_best(const xl_nn_model *m, const char *out, const char *tokenizer_id,
                                long step, xl_error *err)
{
    char path[1100];
    stable_best_path(out, path, sizeof path);
    return xl_nn_checkpoint_save(m, path, tokenizer_id, step, 1, NULL, 0, err);
}

int xl_train_cooldown_begin(const xl_train_config *c, xl_nn_model *m, const char *tokenizer_id,
                            xl_train_state *st, xl_error *err)
{
    char path[1100];
    stable_best_path(c->out, path, sizeof path);
    int rc = xl_nn_checkpoint_load(m, path, tokenizer_id, 1, NULL, NULL, NULL, err);
    if (rc) return rc;
    st->stable_best_val_loss = st->best_val_loss;
    st->stable_best_step = st->best_step;
    st->stable_last_val_loss = st->last_val_loss;
    st->cd_start = st->step;
    st->cd_from = st->best_step;
    st->cd_len = xl_train_cooldown_len(c, st->best_step);
    st->phase = 1;
    return XL_OK;
}

void xl_train_stable_summary(const xl_train_state *st, double *best, long *best_step,
                             double *last)
{
    *best = st->phase ? st->stable_best_val_loss : st->best_val_loss;
    *best_step = st->phase ? st->stable_best_step : st->best_step;
    *last = st->phase ? st->stable_last_val_loss : st->last_val_loss;
}

/* In last.ckpt's loop state only for runs with a cooldown, so that the checkpoints of
 * runs without one stay byte for byte what they were. */
void xl_train_cooldown_to_json(const xl_train_state *st, cJSON *o)
{
    if (!st->cooldown) return;
    cJSON *cd = cJSON_AddObjectToObject(o, "cooldown");
    char buf[64];
    cJSON_AddNumberToObject(cd, "phase", st->phase);
    cJSON_AddNumberToObject(cd, "start", (double)st->cd_start);
    cJSON_AddNumberToObject(cd, "from", (double)st->cd_from);
    cJSON_AddNumberToObject(cd, "len", (double)st->cd_len);
    snprintf(buf, sizeof buf, "%a", st->stable_best_val_loss);
    cJSON_AddStringToObject(cd, "stable_best_val_loss", buf);
    cJSON_AddNumberToObject(cd, "stable_best_step", (double)st->stable_best_step);
    snprintf(buf, sizeof buf, "%a", st->stable_last_val_loss);
    cJSON_AddStringToObject(cd, "stable_last_val_loss", buf);
}

int xl_train_cooldown_from_json(const cJSON *o, const char *where, xl_train_state *st,
                                xl_error *err)
{
    const cJSON *cd = cJSON_GetObjectItemCaseSensitive(o, "cooldown");
    if (!cd) return XL_OK;
    long phase = 0, start = 0, from = 0, len = 0, sbs = 0;
    const char *sb = NULL, *sl = NULL;
    int rc = xl_json_get_int(cd, "phase", &phase, 1, where, err);
    if (!rc) rc = xl_json_get_int(cd, "start", &start, 1, where, err);
    if (!rc) rc = xl_json_get_int(cd, "from", &from, 1, where, err);
    if (!rc) rc = xl_json_get_int(cd, "len", &len, 1, where, err);
    if (!rc) rc = xl_json_get_string(cd, "stable_best_val_loss", &sb, 1, where, err);
    if (!rc) rc = xl_json_get_int(cd, "stable_best_step", &sbs, 1, where, err);
    if (!rc) rc = xl_json_get_string(cd, "stable_last_val_loss", &sl, 1, where, err);
    if (rc) return rc;
    st->cooldown = 1;
    st->phase = phase != 0;
    st->cd_start = start;
    st->cd_from = from;
    st->cd_len = len;
    st->stable_best_val_loss = strtod(sb, NULL);
    st->stable_best_step = sbs;
    st->stable_last_val_loss = strtod(sl, NULL);
    return XL_OK;
}
