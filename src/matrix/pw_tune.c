/* One stage of the pairwise protocol as a trainer process (`xferlaw tasks tune`): the unit
 * the sweep executor runs, so the protocol inherits its parallelism and kill safety.
 * run.json is written last: its presence is what marks the run finished. */
#include "pw_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void xl_pw_tune_opts_init(xl_pw_tune_opts *o)
{
    *o = (xl_pw_tune_opts){.stage = "source", .n_examples = 200, .n_eval = 100, .steps = 200,
                           .batch = 8, .seq = 64, .threads = 1, .n_layer = 2, .d_model = 64,
                           .n_head = 4, .ctx = 64, .lr = 1e-3, .seed = 1};
}

/* ", did you mean 'X'?" as three printf arguments (empty when there is no close task) */
#define DYM(name)                                                                          \
    (name) && xl_tasks_closest(name) ? ", did you mean '" : "",                             \
        (name) && xl_tasks_closest(name) ? xl_tasks_closest(name) : "",                    \
        (name) && xl_tasks_closest(name) ? "'?" : ""

static int check(const xl_pw_tune_opts *o, xl_error *err)
{
    if (!o->out || !o->out[0])
        return xl_error_set(err, XL_EINVAL, "--out: required");
    if (!o->task || xl_tasks_find(o->task) < 0)
        return xl_error_set(err, XL_EINVAL, "--task: '%s' is not a task%s%s%s (see 'xferlaw tasks "
                            "list')", o->task ? o->task : "", DYM(o->task));
    if (o->eval_task && xl_tasks_find(o->eval_task) < 0)
        return xl_error_set(err, XL_EINVAL, "--eval-task: '%s' is not a task%s%s%s", o->eval_task,
                            DYM(o->eval_task));
    if (!o->stage || (strcmp(o->stage, "source") != 0 && strcmp(o->stage, "target") != 0))
        return xl_error_set(err, XL_EINVAL, "--stage: expected source or target");
    if (o->n_examples < 1 || o->n_eval < 1 || o->steps < 0 || o->batch < 1 || o->seq < 2 ||
        !(o->lr > 0))
        return xl_error_set(err, XL_EINVAL, "--n-examples, --n-eval, --batch, --lr must be "
                            "positive, --steps >= 0, --seq >= 2");
    return XL_OK;
}

/* The model: shape from the starting checkpoint, else from the options. */
static int make_model(const xl_pw_tune_opts *o, const pw_enc *enc, const char *start,
                      xl_nn_model **m, xl_error *err)
{
    xl_nn_config cfg = {.vocab_size = enc->vocab, .ctx = o->ctx, .n_layer = o->n_layer,
                        .n_head = o->n_head, .d_model = o->d_model};
    if (start) {
        xl_nn_checkpoint_header h;
        int rc = xl_nn_checkpoint_read_header(start, &h, err);
        if (rc)
            return rc;
        cfg = h.cfg;
        if (strcmp(h.tokenizer_id, enc->id) != 0)
            return xl_error_set(err, XL_EFORMAT, "%s: trained with tokenizer %.12s, given "
                                "%.12s (--tokenizer)", start, h.tokenizer_id, enc->id);
    }
    if (o->seq > cfg.ctx)
        return xl_error_set(err, XL_EINVAL, "--seq %d exceeds the model's context %d", o->seq,
                            cfg.ctx);
    int rc = xl_nn_alloc(&cfg, o->batch, o->seq, m, err);
    if (rc)
        return rc;
    if (!start) {
        xl_nn_init(*m, o->seed);
        return XL_OK;
    }
    return xl_nn_checkpoint_load(*m, start, enc->id, 0, NULL, NULL, NULL, err);
}

static int write_record(const xl_pw_tune_opts *o, const xl_nn_model *m, double train_loss,
                        const pw_score *sc, double seconds, xl_error *err)
{
    cJSON *j = cJSON_CreateObject();
    double loss = sc->n ? sc->nll : train_loss;
    cJSON_AddStringToObject(j, "stage", o->stage);
    cJSON_AddStringToObject(j, "task", o->task);
    if (o->eval_task)
        cJSON_AddStringToObject(j, "eval_task", o->eval_task);
    else
        cJSON_AddNullToObject(j, "eval_task");
    if (o->size)
        cJSON_AddStringToObject(j, "size", o->size);
    if (o->source)
        cJSON_AddStringToObject(j, "source", o->source);
    cJSON_AddNumberToObject(j, "N", (double)xl_nn_n_params_nonembedding(xl_nn_get_config(m)));
    cJSON_AddNumberToObject(j, "seed", (double)o->seed);
    cJSON_AddNumberToObject(j, "n_examples", o->n_examples);
    cJSON_AddNumberToObject(j, "steps", o->steps);
    cJSON_AddItemToObject(j, "best_val_loss", xl_json_number(loss));
    cJSON_AddItemToObject(j, "train_loss", xl_json_number(train_loss));
    cJSON_AddItemToObject(j, "acc", sc->n ? xl_json_number(sc->acc) : cJSON_CreateNull());
    cJSON_AddNumberToObject(j, "correct", (double)sc->correct);
    cJSON_AddNumberToObject(j, "n_eval", (double)sc->n);
    cJSON_AddItemToObject(j, "nll", sc->n ? xl_json_number(sc->nll) : cJSON_CreateNull());
    cJSON_AddNumberToObject(j, "tokens_seen", (double)o->steps * o->batch * o->seq);
    cJSON_AddNumberToObject(j, "seconds", seconds);
    cJSON_AddStringToObject(j, "init_from", o->init_from ? o->init_from :
                                            o->base ? o->base : "random");
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", o->out);
    int rc = xl_json_write_file(path, j, err);
    cJSON_Delete(j);
    return rc;
}

int xl_pw_tune(const xl_pw_tune_opts *o, xl_error *err)
{
    int rc = check(o, err);
    if (rc)
        return rc;
    double t0 = xl_now();
    pw_enc enc;
    if ((rc = pw_enc_open(&enc, o->tokenizer, err)))
        return rc;
    xl_nn_set_threads(o->threads > 0 ? o->threads : 1);
    const char *start = o->init_from ? o->init_from : o->base;
    xl_nn_model *m = NULL;
    pw_examples ex = {0}, ev = {0};
    pw_score sc = {0};
    double train_loss = NAN;
    int target = strcmp(o->stage, "target") == 0;
    uint64_t ti = (uint64_t)xl_tasks_find(o->task);
    char path[4200];
    rc = make_model(o, &enc, start, &m, err);
    /* the target stage draws the same examples in the same order whatever came before
     * (common random numbers: rows of the matrix differ by their source task only) */
    if (!rc)
        rc = pw_examples_make(&enc, o->task, (size_t)o->n_examples, o->seed + (target ? 7919 : 0),
                              XL_SPLIT_TRAIN, &ex, err);
    if (!rc)
        rc = pw_finetune(m, &ex, o->steps, o->batch, o->seq, (float)o->lr,
                         o->seed * 1000003u + (target ? 7777 : 1) + 17 * ti, &train_loss, err);
    if (!rc)
        rc = xl_mkdirs(o->out, err);
    snprintf(path, sizeof path, "%s/best.ckpt", o->out);
    if (!rc && !o->no_checkpoint)
        rc = xl_nn_checkpoint_save(m, path, enc.id, o->steps, 0, NULL, 0, err);
    /* the held-out set is the same for every seed: seeds vary the training only */
    if (!rc && o->eval_task)
        rc = pw_examples_make(&enc, o->eval_task, (size_t)o->n_eval, 424242, XL_SPLIT_TEST, &ev,
                              err);
    if (!rc && o->eval_task)
        rc = pw_evaluate(m, &enc, &ev, o->seq, &sc, err);
    if (!rc && !o->eval_task && !isfinite(train_loss)) {   /* no steps: the start's loss */
        pw_score s0;
        if (!(rc = pw_evaluate(m, &enc, &ex, o->seq, &s0, err)))
            train_loss = s0.nll;
    }
    if (!rc)
        rc = write_record(o, m, train_loss, &sc, xl_now() - t0, err);
    pw_examples_free(&ex);
    pw_examples_free(&ev);
    xl_nn_free(m);
    pw_enc_close(&enc);
    return rc;
}
