/* Run identity, the resumable loop state and the run record (run.json). */
#include "train_internal.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

char *xl_train_state_to_json(const xl_train_state *st)
{
    cJSON *o = cJSON_CreateObject();
    char buf[64];
    cJSON_AddStringToObject(o, "id", st->id);
    cJSON_AddNumberToObject(o, "step", (double)st->step);
    cJSON *r = cJSON_AddArrayToObject(o, "data_rng");
    for (int i = 0; i < 4; i++) {
        snprintf(buf, sizeof buf, "%016" PRIx64, st->data_rng.s[i]);
        cJSON_AddItemToArray(r, cJSON_CreateString(buf));
    }
    /* doubles as hex floats so they come back bit for bit */
    snprintf(buf, sizeof buf, "%a", st->best_val_loss);
    cJSON_AddStringToObject(o, "best_val_loss", buf);
    cJSON_AddNumberToObject(o, "best_step", (double)st->best_step);
    cJSON_AddNumberToObject(o, "best_tokens", (double)st->best_tokens);
    cJSON_AddNumberToObject(o, "bad_evals", st->bad_evals);
    snprintf(buf, sizeof buf, "%a", st->seconds);
    cJSON_AddStringToObject(o, "seconds", buf);
    cJSON_AddNumberToObject(o, "stopped_early", st->stopped_early);
    snprintf(buf, sizeof buf, "%a", st->ref_val_loss);
    cJSON_AddStringToObject(o, "ref_val_loss", buf);
    cJSON_AddNumberToObject(o, "ref_step", (double)st->ref_step);
    snprintf(buf, sizeof buf, "%a", st->last_val_loss);
    cJSON_AddStringToObject(o, "last_val_loss", buf);
    xl_train_cooldown_to_json(st, o);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

int xl_train_state_from_json(const char *json, const char *where, xl_train_state *st,
                             xl_error *err)
{
    cJSON *o = cJSON_Parse(json);
    if (!o) return xl_error_at(err, XL_EFORMAT, where, 0, NULL, "loop state is not JSON");
    const char *id = NULL, *bvl = NULL, *sec = NULL;
    long step = 0, bstep = 0, bad = 0, stop = 0;
    double btok = 0;
    int rc = xl_json_get_string(o, "id", &id, 1, where, err);
    if (!rc) rc = xl_json_get_int(o, "step", &step, 1, where, err);
    if (!rc) rc = xl_json_get_string(o, "best_val_loss", &bvl, 1, where, err);
    if (!rc) rc = xl_json_get_int(o, "best_step", &bstep, 1, where, err);
    if (!rc) rc = xl_json_get_double(o, "best_tokens", &btok, 1, where, err);
    if (!rc) rc = xl_json_get_int(o, "bad_evals", &bad, 1, where, err);
    if (!rc) rc = xl_json_get_string(o, "seconds", &sec, 1, where, err);
    if (!rc) rc = xl_json_get_int(o, "stopped_early", &stop, 1, where, err);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "data_rng");
    if (!rc && (!cJSON_IsArray(r) || cJSON_GetArraySize(r) != 4))
        rc = xl_error_at(err, XL_EFORMAT, where, 0, "data_rng", "expected 4 hex strings");
    if (!rc) {
        memset(st, 0, sizeof *st);
        snprintf(st->id, sizeof st->id, "%s", id);
        st->step = step;
        st->best_val_loss = strtod(bvl, NULL);
        st->best_step = bstep;
        st->best_tokens = (uint64_t)btok;
        st->bad_evals = (int)bad;
        st->seconds = strtod(sec, NULL);
        st->stopped_early = (int)stop;
        /* absent in checkpoints of older versions: patience then counts from the best */
        const cJSON *rv = cJSON_GetObjectItemCaseSensitive(o, "ref_val_loss");
        const cJSON *rs = cJSON_GetObjectItemCaseSensitive(o, "ref_step");
        const cJSON *lv = cJSON_GetObjectItemCaseSensitive(o, "last_val_loss");
        st->ref_val_loss = cJSON_IsString(rv) ? strtod(rv->valuestring, NULL) : st->best_val_loss;
        st->ref_step = cJSON_IsNumber(rs) ? (long)rs->valuedouble : st->best_step;
        st->last_val_loss = cJSON_IsString(lv) ? strtod(lv->valuestring, NULL) : NAN;
        for (int i = 0; i < 4; i++) {
            const cJSON *x = cJSON_GetArrayItem(r, i);
            st->data_rng.s[i] = cJSON_IsString(x) ? strtoull(x->valuestring, NULL, 16) : 0;
        }
        rc = xl_train_cooldown_from_json(o, where, st, err);
    }
    cJSON_Delete(o);
    return rc;
}

void xl_train_run_id(const xl_train_config *c, const xl_nn_config *m, const xl_dataset *ds,
                     const char *init_sha256, char id[17])
{
    char buf[2048];
    snprintf(buf, sizeof buf,
             "xferlaw-train-1|data=%s|D=%zu|train=%s|tok=%s|V=%d|L=%d|C=%d|H=%d|T=%d|B=%d|"
             "lr=%a|minlr=%a|warmup=%ld|wd=%a|clip=%a|steps=%ld|tokens=%" PRIu64 "|"
             "eval=%ld,%ld,%d|trainable=%s|seed=%" PRIu64 "|init=%s",
             ds->spec, ds->n_train, ds->train_sha256, ds->tokenizer_id, m->vocab_size,
             m->n_layer, m->d_model, m->n_head, m->ctx, c->batch, c->lr, c->min_lr_frac,
             c->warmup, c->weight_decay, c->clip, c->max_steps, c->max_tokens, c->eval_every,
             c->eval_tokens, c->patience, c->trainable, c->seed,
             init_sha256 ? init_sha256 : "none");
    /* protocol options join the id only when set, so ids of earlier runs stay as they were */
    size_t len = strlen(buf);
    if (strcmp(c->schedule, "cosine") || c->patience_steps || c->eval_growth > 0 || c->min_delta > 0)
        snprintf(buf + len, sizeof buf - len, "|sched=%s|pst=%ld,%a,%a|egrow=%a", c->schedule,
                 c->patience_steps, c->patience_frac, c->min_delta, c->eval_growth);
    len = strlen(buf);
    if (c->dropout > 0 || c->attn_dropout > 0)
        snprintf(buf + len, sizeof buf - len, "|drop=%a,%a", c->dropout, c->attn_dropout);
    if (c->cooldown_frac > 0)
        snprintf(buf + len, sizeof buf - len, "|cool=%a,%ld", c->cooldown_frac,
                 c->cooldown_min_steps);
    char hex[65];
    xl_sha256_hex(buf, strlen(buf), hex);
    memcpy(id, hex, 16);
    id[16] = 0;
}

int xl_train_write_record(const xl_train_config *c, const xl_nn_config *m, const xl_dataset *ds,
                          const xl_train_result *r, int n_eval_tokens, xl_error *err)
{
    cJSON *o = cJSON_CreateObject(), *cf = cJSON_CreateObject(), *d = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", r->id);
    cJSON_AddStringToObject(cf, "data", c->data);
    cJSON_AddStringToObject(cf, "corpora", c->corpora[0] ? c->corpora : xl_corpora_root());
    cJSON_AddNumberToObject(cf, "data_size", (double)c->data_size);
    cJSON_AddNumberToObject(cf, "n_layer", m->n_layer);
    cJSON_AddNumberToObject(cf, "d_model", m->d_model);
    cJSON_AddNumberToObject(cf, "n_head", m->n_head);
    cJSON_AddNumberToObject(cf, "ctx", m->ctx);
    cJSON_AddNumberToObject(cf, "vocab_size", m->vocab_size);
    cJSON_AddNumberToObject(cf, "batch", c->batch);
    cJSON_AddNumberToObject(cf, "lr", c->lr);
    cJSON_AddNumberToObject(cf, "min_lr_frac", c->min_lr_frac);
    cJSON_AddNumberToObject(cf, "warmup", (double)c->warmup);
    cJSON_AddNumberToObject(cf, "weight_decay", c->weight_decay);
    cJSON_AddNumberToObject(cf, "clip", c->clip);
    cJSON_AddNumberToObject(cf, "dropout", c->dropout);
    cJSON_AddNumberToObject(cf, "attn_dropout", c->attn_dropout);
    cJSON_AddNumberToObject(cf, "max_steps", (double)r->steps_budget);
    cJSON_AddNumberToObject(cf, "max_tokens", (double)c->max_tokens);
    cJSON_AddNumberToObject(cf, "eval_every", (double)c->eval_every);
    cJSON_AddNumberToObject(cf, "eval_tokens", (double)c->eval_tokens);
    cJSON_AddNumberToObject(cf, "patience", c->patience);
    cJSON_AddStringToObject(cf, "schedule", c->schedule);
    cJSON_AddNumberToObject(cf, "patience_steps", (double)c->patience_steps);
    cJSON_AddNumberToObject(cf, "patience_frac", c->patience_frac);
    cJSON_AddNumberToObject(cf, "min_delta", c->min_delta);
    cJSON_AddNumberToObject(cf, "eval_growth", c->eval_growth);
    cJSON_AddNumberToObject(cf, "cooldown_frac", c->cooldown_frac);
    cJSON_AddNumberToObject(cf, "cooldown_min_steps", (double)c->cooldown_min_steps);
    if (c->init_from[0]) cJSON_AddStringToObject(cf, "init_from", c->init_from);
    else cJSON_AddNullToObject(cf, "init_from");
    cJSON_AddBoolToObject(cf, "resume", c->resume);
    cJSON_AddStringToObject(cf, "trainable", c->trainable);
    cJSON_AddNumberToObject(cf, "seed", (double)c->seed);
    cJSON_AddNumberToObject(cf, "threads", c->threads);
    cJSON_AddItemToObject(o, "config", cf);
    cJSON_AddStringToObject(d, "spec", ds->spec);
    cJSON_AddNumberToObject(d, "D", (double)ds->n_train);
    cJSON_AddStringToObject(d, "train_sha256", ds->train_sha256);
    cJSON_AddStringToObject(d, "tokenizer_id", ds->tokenizer_id);
    cJSON_AddStringToObject(d, "split", "val");
    cJSON_AddNumberToObject(d, "val_tokens", n_eval_tokens);
    cJSON_AddNumberToObject(d, "val_bytes_per_token", ds->val_bytes_per_token);
    cJSON_AddItemToObject(o, "data", d);
    cJSON_AddNumberToObject(o, "N", (double)r->N);
    cJSON_AddNumberToObject(o, "D", (double)r->D);
    cJSON_AddNumberToObject(o, "n_params_total", (double)r->n_params_total);
    cJSON_AddNumberToObject(o, "trainable_fraction", r->trainable_fraction);
    cJSON_AddItemToObject(o, "best_val_loss", xl_json_number(r->best_val_loss));
    cJSON_AddItemToObject(o, "best_val_bpb", xl_json_number(r->best_val_bpb));
    cJSON_AddNumberToObject(o, "best_step", (double)r->best_step);
    cJSON_AddNumberToObject(o, "best_tokens", (double)r->best_tokens);
    cJSON_AddNumberToObject(o, "steps", (double)r->steps);
    cJSON_AddNumberToObject(o, "tokens_seen", (double)r->tokens_seen);
    cJSON_AddBoolToObject(o, "stopped_early", r->stopped_early);
    cJSON_AddStringToObject(o, "end", r->end);
    cJSON_AddItemToObject(o, "stable_best_val_loss", xl_json_number(r->stable_best_val_loss));
    cJSON_AddNumberToObject(o, "stable_best_step", (double)r->stable_best_step);
    cJSON_AddNumberToObject(o, "cooldown_steps", (double)r->cooldown_steps);
    cJSON_AddItemToObject(o, "last_val_loss", xl_json_number(r->last_val_loss));
    cJSON_AddItemToObject(o, "val_unigram_loss", xl_json_number(r->val_unigram));
    cJSON_AddNumberToObject(o, "flops", r->flops);
    cJSON_AddStringToObject(o, "flops_convention",
                            "6*N*tokens + 6*n_layer*ctx*d_model*tokens (attention); "
                            "the tied head's 6*V*d_model per token is in flops_with_head");
    cJSON_AddNumberToObject(o, "flops_with_head", r->flops_with_head);
    cJSON_AddNumberToObject(o, "tokens_per_s", r->tokens_per_s);
    cJSON *blas = cJSON_AddObjectToObject(o, "blas");
    cJSON_AddStringToObject(blas, "config", xl_nn_blas_config());
    cJSON_AddStringToObject(blas, "core", xl_nn_blas_core());
    cJSON_AddNumberToObject(blas, "threads", xl_nn_blas_threads());
    cJSON_AddNumberToObject(o, "seconds", r->seconds);
    cJSON_AddStringToObject(o, "curve", "curve.jsonl");
    cJSON_AddStringToObject(o, "checkpoint", "best.ckpt");
    if (c->init_from[0]) cJSON_AddStringToObject(o, "init_from", c->init_from);
    else cJSON_AddNullToObject(o, "init_from");
    char path[1100];
    snprintf(path, sizeof path, "%s/run.json", c->out);
    int rc = xl_json_write_file(path, o, err);
    cJSON_Delete(o);
    return rc;
}

int xl_train_truncate_curve(const char *path, long step, xl_error *err)
{
    if (!xl_file_exists(path)) return XL_OK;
    char *data;
    size_t n;
    int rc = xl_read_file(path, &data, &n, err);
    if (rc) return rc;
    char *out = malloc(n + 1);
    size_t w = 0;
    if (!out) { free(data); return xl_error_set(err, XL_ENOMEM, "out of memory"); }
    for (char *p = data; p < data + n;) {
        char *e = memchr(p, '\n', (size_t)(data + n - p));
        if (!e) break; /* a partial last line (killed mid-write) goes */
        long s = -1;
        if (sscanf(p, "{\"step\":%ld", &s) == 1 && s <= step) {
            memcpy(out + w, p, (size_t)(e + 1 - p));
            w += (size_t)(e + 1 - p);
        }
        p = e + 1;
    }
    rc = xl_write_file_atomic(path, out, w, err);
    free(out);
    free(data);
    return rc;
}
