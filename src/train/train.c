/* The training loop.  Determinism: the model init, the training windows and the eval
 * windows depend only on the seed, the data and the config, and nn is deterministic for
 * a thread count; last.ckpt holds everything the loop carries between steps (weights,
 * AdamW moments, the window rng, best-so-far and patience), saved right after an eval,
 * so a resumed run replays exactly the steps the uninterrupted one would have taken. */
#include "train_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BETA1 0.9f
#define BETA2 0.95f
#define ADAM_EPS 1e-8f

void xl_train_config_default(xl_train_config *c)
{
    memset(c, 0, sizeof *c);
    c->n_layer = 2;
    c->d_model = 64;
    c->n_head = 4;
    c->ctx = 64;
    c->batch = 16;
    c->lr = 3e-3;
    c->min_lr_frac = 0.1;
    c->warmup = 20;
    c->weight_decay = 0.1;
    c->clip = 1.0;
    c->max_steps = 1000;
    c->eval_every = 100;
    c->eval_tokens = 16384;
    c->patience = 5;
    c->cooldown_min_steps = 50;
    snprintf(c->schedule, sizeof c->schedule, "cosine");
    snprintf(c->trainable, sizeof c->trainable, "all");
    c->seed = 1;
    c->threads = 1;
}

double xl_train_lr(const xl_train_config *c, long s, long S)
{
    if (c->warmup > 0 && s <= c->warmup) return c->lr * (double)s / (double)c->warmup;
    if (!strcmp(c->schedule, "constant")) return c->lr;
    long decay = S - c->warmup;
    if (decay <= 0) return c->lr;
    double t = (double)(s - c->warmup) / (double)decay;
    if (t > 1) t = 1;
    double lo = c->lr * c->min_lr_frac;
    return lo + 0.5 * (c->lr - lo) * (1.0 + cos(M_PI * t));
}

static int check_config(const xl_train_config *c, xl_error *err)
{
#define BAD(field, ...) return xl_error_set(err, XL_EINVAL, "field '" field "': " __VA_ARGS__)
    if (!c->data[0]) BAD("data", "required");
    if (!c->out[0]) BAD("out", "required");
    if (c->batch <= 0) BAD("batch", "must be > 0, got %d", c->batch);
    if (!(c->lr > 0) || !isfinite(c->lr)) BAD("lr", "must be > 0");
    if (!(c->min_lr_frac >= 0 && c->min_lr_frac <= 1)) BAD("min-lr-frac", "must be in [0, 1]");
    if (c->warmup < 0) BAD("warmup", "must be >= 0");
    if (!(c->weight_decay >= 0)) BAD("weight-decay", "must be >= 0");
    if (!(c->clip >= 0)) BAD("clip", "must be >= 0 (0 = off)");
    if (!(c->dropout >= 0 && c->dropout < 1)) BAD("dropout", "must be in [0, 1)");
    if (!(c->attn_dropout >= 0 && c->attn_dropout < 1)) BAD("attn-dropout", "must be in [0, 1)");
    if (c->max_steps <= 0 && c->max_tokens == 0) BAD("max-steps", "must be > 0");
    if (c->eval_every <= 0) BAD("eval-every", "must be > 0");
    if (c->eval_tokens <= 0) BAD("eval-tokens", "must be > 0");
    if (c->patience < 0) BAD("patience", "must be >= 0");
    if (c->threads < 0) BAD("threads", "must be >= 0");
    if (strcmp(c->schedule, "cosine") && strcmp(c->schedule, "constant"))
        BAD("schedule", "must be 'cosine' or 'constant', got '%s'", c->schedule);
    if (c->patience_steps < 0) BAD("patience-steps", "must be >= 0");
    if (!(c->patience_frac >= 0) || !isfinite(c->patience_frac)) BAD("patience-frac", "must be >= 0");
    if (!(c->min_delta >= 0) || !isfinite(c->min_delta)) BAD("min-delta", "must be >= 0");
    if (!(c->eval_growth >= 0) || c->eval_growth > 10) BAD("eval-growth", "must be in [0, 10]");
    if (!(c->cooldown_frac >= 0) || c->cooldown_frac > 10) BAD("cooldown-frac", "must be in [0, 10]");
    if (c->cooldown_min_steps < 0) BAD("cooldown-min-steps", "must be >= 0");
    if (c->cooldown_frac > 0 && strcmp(c->schedule, "constant"))
        BAD("cooldown-frac", "needs --schedule constant (a cosine schedule decays already)");
#undef BAD
    return XL_OK;
}

/* Mean loss over the fixed val windows: n = n_batches*B windows spread evenly over the
 * whole val split (window j starts at j*span/n), so the subset samples every part of it
 * and every eval of every run on this data sees the same tokens. */
static int evaluate(xl_nn_model *m, const xl_dataset *ds, int B, int T, int n_batches,
                    uint16_t *in, uint16_t *tg, double *out, xl_error *err)
{
    uint64_t span = ds->n_val - (size_t)T - 1, nw = (uint64_t)n_batches * (uint64_t)B;
    double sum = 0;
    for (int b = 0; b < n_batches; b++) {
        for (int i = 0; i < B; i++) {
            uint64_t j = (uint64_t)b * (uint64_t)B + (uint64_t)i;
            size_t st = (size_t)(j * span / nw);
            memcpy(in + (size_t)i * T, ds->val + st, (size_t)T * sizeof *in);
            memcpy(tg + (size_t)i * T, ds->val + st + 1, (size_t)T * sizeof *tg);
        }
        float loss;
        int rc = xl_nn_loss(m, in, tg, B, T, &loss, err);
        if (rc) return rc;
        sum += loss;
    }
    *out = sum / n_batches;
    return XL_OK;
}

/* Evals are dense early and sparse late with eval_growth > 0; the next eval depends only
 * on the step of the last one, so a resumed run (saved right after an eval) keeps it. */
static long next_eval_after(const xl_train_config *c, long s)
{
    long gap = c->eval_every;
    if (c->eval_growth > 0 && (double)s * c->eval_growth > (double)gap)
        gap = (long)((double)s * c->eval_growth);
    return s + gap;
}

/* Patience window in steps (patience_steps > 0): a run that took best_step steps to reach
 * its best gets a proportional wait, never less than the floor. */
static long patience_window(const xl_train_config *c, long best_step)
{
    double w = c->patience_frac * (double)best_step;
    return w > (double)c->patience_steps ? (long)w : c->patience_steps;
}

/* The loss of predicting val with its own unigram distribution: the level a model reaches
 * before it has learned anything beyond token frequencies. */
static double unigram_entropy(const uint16_t *tok, size_t n, int vocab)
{
    double *cnt = calloc((size_t)vocab, sizeof *cnt), h = 0;
    if (!cnt || n == 0) { free(cnt); return NAN; }
    for (size_t i = 0; i < n; i++)
        if (tok[i] < vocab) cnt[tok[i]] += 1;
    for (int v = 0; v < vocab; v++)
        if (cnt[v] > 0) h -= cnt[v] / (double)n * log(cnt[v] / (double)n);
    free(cnt);
    return h;
}

static int save_last(xl_nn_model *m, const char *out, const xl_dataset *ds,
                     const xl_train_state *st, xl_error *err)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/last.ckpt", out);
    char *json = xl_train_state_to_json(st);
    if (!json) return xl_error_set(err, XL_ENOMEM, "out of memory");
    int rc = xl_nn_checkpoint_save(m, path, ds->tokenizer_id, st->step, 1, json, strlen(json), err);
    free(json);
    return rc;
}

typedef struct loop {
    const xl_train_config *cfg;
    xl_dataset ds;
    xl_nn_config shape;
    xl_nn_model *m;
    uint16_t *in, *tg;
    int B, T, n_eval_batches;
    long S;
    char init_sha[65];
} loop;

/* Shape and weights: from the config, from --init-from, or from OUT/last.ckpt. */
static int setup_model(loop *L, xl_train_state *st, xl_error *err)
{
    const xl_train_config *c = L->cfg;
    char last[1100];
    snprintf(last, sizeof last, "%s/last.ckpt", c->out);
    xl_nn_checkpoint_header h;
    int rc;
    L->shape = (xl_nn_config){L->ds.vocab_size, c->ctx, c->n_layer, c->n_head, c->d_model};
    const char *src = c->resume ? last : (c->init_from[0] ? c->init_from : NULL);
    if (c->resume && !xl_file_exists(last))
        return xl_error_set(err, XL_EINVAL, "field 'resume': no %s to resume from", last);
    if (src) {
        if ((rc = xl_nn_checkpoint_read_header(src, &h, err))) return rc;
        if (strcmp(h.tokenizer_id, L->ds.tokenizer_id) != 0)
            return xl_error_at(err, XL_EFORMAT, src, 0, "tokenizer_id",
                               "checkpoint was trained with tokenizer %.12s..., data '%s' uses %.12s...",
                               h.tokenizer_id, L->ds.spec, L->ds.tokenizer_id);
        L->shape = h.cfg;
    }
    if (c->init_from[0] && (rc = xl_sha256_file(c->init_from, L->init_sha, err))) return rc;
    if ((rc = xl_nn_config_check(&L->shape, err))) return rc;
    L->T = L->shape.ctx;
    L->B = c->batch;
    if (L->ds.n_train < (size_t)L->T + 1)
        return xl_error_set(err, XL_EINVAL,
                            "field 'data-size': D = %zu tokens is shorter than one window of ctx+1 = %d",
                            L->ds.n_train, L->T + 1);
    if (L->ds.n_val < (size_t)L->T + 1)
        return xl_error_set(err, XL_EINVAL, "field 'data': val split has only %zu tokens", L->ds.n_val);
    /* the eval windows are spread over the val split: more tokens than it has (or than
       the default 16384) only repeat windows, and a huge count never finishes */
    size_t eval_max = L->ds.n_val > 16384 ? L->ds.n_val : 16384;
    if ((size_t)c->eval_tokens > eval_max)
        return xl_error_set(err, XL_EINVAL,
                            "field 'eval-tokens': %ld is above the limit of %zu (the larger of "
                            "the val split's %zu tokens and 16384)",
                            c->eval_tokens, eval_max, L->ds.n_val);
    if ((rc = xl_nn_alloc(&L->shape, L->B, L->T, &L->m, err))) return rc;
    memset(st, 0, sizeof *st);
    st->best_val_loss = st->ref_val_loss = st->last_val_loss = INFINITY;
    xl_rng_seed_stream(&st->data_rng, c->seed, 1);
    st->cooldown = c->cooldown_frac > 0;
    xl_train_run_id(c, &L->shape, &L->ds, c->init_from[0] ? L->init_sha : NULL, st->id);
    if (c->resume) {
        char *extra = NULL;
        size_t n_extra = 0;
        rc = xl_nn_checkpoint_load(L->m, last, L->ds.tokenizer_id, 1, &h, &extra, &n_extra, err);
        xl_train_state saved;
        if (!rc) rc = extra ? xl_train_state_from_json(extra, last, &saved, err)
                            : xl_error_at(err, XL_EFORMAT, last, 0, NULL, "no loop state (not a last.ckpt)");
        free(extra);
        if (!rc && strcmp(saved.id, st->id) != 0)
            rc = xl_error_at(err, XL_EINVAL, last, 0, "id",
                             "belongs to run %s, these options make run %s (resume with the same options)",
                             saved.id, st->id);
        if (!rc) *st = saved;
    } else if (c->init_from[0]) {
        rc = xl_nn_checkpoint_load(L->m, c->init_from, L->ds.tokenizer_id, 0, NULL, NULL, NULL, err);
    } else {
        xl_nn_init(L->m, c->seed);
    }
    if (!rc) rc = xl_nn_set_trainable(L->m, c->trainable, err);
    if (!rc) rc = xl_nn_set_dropout(L->m, (float)c->dropout, (float)c->attn_dropout, err);
    return rc;
}

static void fmt_extra(char *buf, size_t n, double train, double val, double best, double tps)
{
    char v[32] = "-", b[32] = "-";
    if (isfinite(val)) snprintf(v, sizeof v, "%.3f", val);
    if (isfinite(best)) snprintf(b, sizeof b, "%.3f", best);
    snprintf(buf, n, "loss %.3f  val %s  best %s  %.0f tok/s", train, v, b, tps);
}

int xl_train_run(const xl_train_config *c, xl_train_result *res, FILE *progress, xl_error *err)
{
    memset(res, 0, sizeof *res);
    int rc = check_config(c, err);
    if (rc) return rc;
    double t0 = xl_now();
    loop L = {.cfg = c};
    xl_train_state st;
    xl_nn_set_threads(c->threads);
    rc = xl_dataset_load(c->corpora[0] ? c->corpora : xl_corpora_root(), c->data, c->data_size,
                         c->seed, &L.ds, err);
    if (!rc) rc = xl_mkdirs(c->out, err);
    struct stat sb;
    if (!rc && (stat(c->out, &sb) != 0 || !S_ISDIR(sb.st_mode)))
        rc = xl_error_set(err, XL_EIO, "field 'out': %s exists and is not a directory", c->out);
    if (!rc) rc = setup_model(&L, &st, err);
    char path[1100], curve[1100], best[1100];
    snprintf(path, sizeof path, "%s/run.json", c->out);
    snprintf(curve, sizeof curve, "%s/curve.jsonl", c->out);
    snprintf(best, sizeof best, "%s/best.ckpt", c->out);
    if (!rc) {
        unlink(path); /* run.json means "completed": not true any more */
        if (c->resume) rc = xl_train_truncate_curve(curve, st.step, err);
        else unlink(curve);
    }
    if (rc) goto done;
    size_t per_step = (size_t)L.B * (size_t)L.T;
    L.S = c->max_tokens ? (long)((c->max_tokens + per_step - 1) / per_step) : c->max_steps;
    L.n_eval_batches = (int)((c->eval_tokens + (long)per_step - 1) / (long)per_step);
    L.in = malloc(per_step * sizeof *L.in);
    L.tg = malloc(per_step * sizeof *L.tg);
    if (!L.in || !L.tg) { rc = xl_error_set(err, XL_ENOMEM, "out of memory"); goto done; }

    xl_progress pb;
    if (progress) xl_progress_init(&pb, progress, "train", (double)L.S);
    double t_start = xl_now(), train_sum = 0, last_val = NAN, last_loss = NAN, tps = 0;
    long train_n = 0, start_step = st.step;
    long next_eval = next_eval_after(c, st.step);
    if (c->eval_growth == 0) next_eval = (st.step / c->eval_every + 1) * c->eval_every;
    if (st.phase) next_eval = st.cd_start + next_eval_after(c, st.step - st.cd_start);
    size_t span = L.ds.n_train - (size_t)L.T; /* window starts in [0, span) */
    char extra[160];
    for (;;) {
        if (!st.phase && (st.step >= L.S || st.stopped_early)) {
            if (!st.cooldown) break;
            if ((rc = xl_train_cooldown_begin(c, L.m, L.ds.tokenizer_id, &st, err))) break;
            next_eval = st.cd_start + next_eval_after(c, 0);
        }
        if (st.phase && st.step >= st.cd_start + st.cd_len) break;
        long s = st.step + 1, adam_step = s, last_step = L.S;
        for (int i = 0; i < L.B; i++) {
            size_t at = (size_t)xl_rng_below(&st.data_rng, span);
            memcpy(L.in + (size_t)i * L.T, L.ds.train + at, (size_t)L.T * sizeof *L.in);
            memcpy(L.tg + (size_t)i * L.T, L.ds.train + at + 1, (size_t)L.T * sizeof *L.tg);
        }
        float loss;
        double lr = xl_train_lr(c, s, L.S);
        if (st.phase) {
            lr = xl_train_cooldown_lr(c, s - st.cd_start, st.cd_len);
            adam_step = st.cd_from + (s - st.cd_start);
            last_step = st.cd_start + st.cd_len;
        }
        xl_nn_zero_grad(L.m);
        /* the masks of step s depend on (seed, s) only: a resumed run replays them */
        xl_nn_set_dropout_key(L.m, c->seed, (uint64_t)s);
        if ((rc = xl_nn_forward(L.m, L.in, L.tg, L.B, L.T, &loss, err))) break;
        if ((rc = xl_nn_backward(L.m, err))) break;
        xl_nn_clip_adamw_step(L.m, c->clip > 0 ? (float)c->clip : 0.0f, (float)lr, BETA1, BETA2,
                              ADAM_EPS, (float)c->weight_decay, adam_step);
        st.step = s;
        last_loss = loss;
        train_sum += loss;
        train_n++;
        if (!isfinite(loss)) {
            rc = xl_error_set(err, XL_EDOM, "field 'lr': training diverged at step %ld (loss %g); lower --lr", s, loss);
            break;
        }
        double el = xl_now() - t_start;
        tps = el > 0 ? (double)(s - start_step) * (double)per_step / el : 0;
        if (s == next_eval || s == last_step) {
            next_eval = st.phase ? st.cd_start + next_eval_after(c, s - st.cd_start)
                                 : next_eval_after(c, s);
            double val;
            if ((rc = evaluate(L.m, &L.ds, L.B, L.T, L.n_eval_batches, L.in, L.tg, &val, err))) break;
            last_val = val;
            st.last_val_loss = val;
            double seconds = st.seconds + (xl_now() - t0);
            char line[512];
            snprintf(line, sizeof line,
                     "{\"step\":%ld,\"tokens\":%zu,\"lr\":%.9g,\"train_loss\":%.9g,\"val_loss\":%.9g,"
                     "\"val_bpb\":%.9g,\"seconds\":%.3f}\n",
                     s, (size_t)s * per_step, lr, train_sum / (double)train_n, val,
                     val / M_LN2 / L.ds.val_bytes_per_token, seconds);
            train_sum = 0;
            train_n = 0;
            if ((rc = xl_append_line(curve, line, err))) break;
            int improved = val < st.best_val_loss;
            if (val < st.ref_val_loss - c->min_delta) {
                st.ref_val_loss = val;
                st.ref_step = s;
            }
            if (improved) {
                st.best_val_loss = val;
                st.best_step = s;
                st.best_tokens = (uint64_t)s * per_step;
                st.bad_evals = 0;
                if ((rc = xl_nn_checkpoint_save(L.m, best, L.ds.tokenizer_id, s, 0, NULL, 0, err))) break;
                if (st.cooldown && !st.phase &&
                    (rc = xl_train_cooldown_save_best(L.m, c->out, L.ds.tokenizer_id, s, err)))
                    break;
            } else if (!st.phase && c->patience_steps == 0 && c->patience > 0 &&
                       ++st.bad_evals >= c->patience) {
                st.stopped_early = 1;
            }
            if (!st.phase && c->patience_steps > 0 && s - st.ref_step >= patience_window(c, st.best_step))
                st.stopped_early = 1;
            double keep = st.seconds;
            st.seconds = seconds;
            rc = save_last(L.m, c->out, &L.ds, &st, err);
            st.seconds = keep;
            if (rc) break;
            if (c->halt_at_step && s >= c->halt_at_step) { res->halted = 1; break; }
        }
        if (progress) {
            fmt_extra(extra, sizeof extra, loss, last_val, st.best_val_loss, tps);
            xl_progress_update(&pb, (double)s, extra);
        }
    }
    if (progress && !rc) {
        fmt_extra(extra, sizeof extra, last_loss, last_val, st.best_val_loss, tps);
        xl_progress_finish(&pb, extra);
    }
    if (rc) goto done;
    snprintf(res->id, sizeof res->id, "%s", st.id);
    res->N = xl_nn_n_params_nonembedding(&L.shape);
    res->n_params_total = xl_nn_n_params_total(&L.shape);
    res->D = L.ds.n_train;
    res->trainable_fraction = xl_nn_trainable_fraction(L.m);
    res->best_val_loss = st.best_val_loss;
    res->best_val_bpb = st.best_val_loss / M_LN2 / L.ds.val_bytes_per_token;
    res->best_step = st.best_step;
    res->best_tokens = st.best_tokens;
    res->steps = st.step;
    res->steps_budget = L.S;
    res->tokens_seen = (uint64_t)st.step * per_step;
    res->stopped_early = st.stopped_early;
    res->last_val_loss = st.last_val_loss;
    res->val_unigram = unigram_entropy(L.ds.val, L.ds.n_val, L.shape.vocab_size);
    double stable_last;
    xl_train_stable_summary(&st, &res->stable_best_val_loss, &res->stable_best_step, &stable_last);
    res->cooldown_steps = st.phase ? st.step - st.cd_start : 0;
    /* overfit: the stable phase's last eval sits clearly above its best (by min_delta, and
     * at least 0.2%) */
    if (st.stopped_early)
        res->end = stable_last - res->stable_best_val_loss >
                           fmax(c->min_delta, 0.002 * res->stable_best_val_loss)
                       ? "overfit" : "converged";
    else
        /* at a constant rate the budget is only a safety cap (the run was still improving);
         * a cosine schedule plans its end at the budget */
        res->end = !strcmp(c->schedule, "constant") ? "cap" : "budget";
    double att = 6.0 * L.shape.n_layer * (double)L.T * L.shape.d_model;
    res->flops = (6.0 * (double)res->N + att) * (double)res->tokens_seen;
    res->flops_with_head = xl_nn_flops_per_token(&L.shape, L.T) * (double)res->tokens_seen;
    res->seconds = st.seconds + (xl_now() - t0);
    res->tokens_per_s = res->seconds > 0 ? (double)res->tokens_seen / res->seconds : 0;
    if (!res->halted)
        rc = xl_train_write_record(c, &L.shape, &L.ds, res, L.n_eval_batches * L.B * L.T, err);
done:
    free(L.in);
    free(L.tg);
    xl_nn_free(L.m);
    xl_dataset_free(&L.ds);
    return rc;
}
