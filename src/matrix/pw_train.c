/* Pairwise protocol internals: encoding, example sets, fine-tuning and greedy scoring. */
#include "pw_internal.h"
#include "xferlaw/corpus.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int pw_enc_open(pw_enc *e, const char *tokenizer_path, xl_error *err)
{
    memset(e, 0, sizeof *e);
    if (tokenizer_path && tokenizer_path[0]) {
        xl_tokenizer *t;
        int rc = xl_tokenizer_load(tokenizer_path, &t, err);
        if (rc)
            return rc;
        e->tok = t;
        e->vocab = xl_tokenizer_vocab_size(t);
        e->eot = xl_tokenizer_eot(t);
        snprintf(e->id, sizeof e->id, "%s", xl_tokenizer_id(t));
        return XL_OK;
    }
    e->vocab = 257;
    e->eot = 256;
    strcpy(e->id, "bytes");
    return XL_OK;
}

void pw_enc_close(pw_enc *e)
{
    if (e->tok)
        xl_tokenizer_free(e->tok);
    memset(e, 0, sizeof *e);
}

int pw_encode(const pw_enc *e, const char *text, uint16_t **ids, size_t *n, xl_error *err)
{
    size_t len = strlen(text);
    if (e->tok)
        return xl_tokenizer_encode(e->tok, text, len, ids, n, err);
    *ids = xl_calloc(len + 1, sizeof **ids, err);
    if (!*ids)
        return XL_ENOMEM;
    for (size_t i = 0; i < len; i++)
        (*ids)[i] = (unsigned char)text[i];
    *n = len;
    return XL_OK;
}

void pw_decode(const pw_enc *e, const uint16_t *ids, size_t n, char *out, size_t cap)
{
    if (e->tok) {
        xl_tokenizer_decode(e->tok, ids, n, out, cap);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++)
        if (ids[i] < 256)
            out[k++] = (char)ids[i];
        else if (ids[i] == e->eot)
            break;
    out[k] = '\0';
}

void pw_examples_free(pw_examples *x)
{
    for (size_t i = 0; i < x->n; i++) {
        if (x->prompt)
            free(x->prompt[i]);
        if (x->answer)
            free(x->answer[i]);
    }
    free(x->ex);
    free(x->prompt);
    free(x->answer);
    free(x->n_prompt);
    free(x->n_answer);
    memset(x, 0, sizeof *x);
}

int pw_examples_make(const pw_enc *e, const char *task, size_t n, uint64_t seed, int split,
                     pw_examples *x, xl_error *err)
{
    memset(x, 0, sizeof *x);
    x->ex = xl_calloc(n, sizeof *x->ex, err);
    x->prompt = xl_calloc(n, sizeof *x->prompt, err);
    x->answer = xl_calloc(n, sizeof *x->answer, err);
    x->n_prompt = xl_calloc(n, sizeof *x->n_prompt, err);
    x->n_answer = xl_calloc(n, sizeof *x->n_answer, err);
    x->n = n;
    if (!x->ex || !x->prompt || !x->answer || !x->n_prompt || !x->n_answer) {
        pw_examples_free(x);
        return XL_ENOMEM;
    }
    int rc = xl_tasks_generate(task, n, seed, split, x->ex, err);
    for (size_t i = 0; i < n && !rc; i++) {
        char ans[XL_TASK_ANSWER_MAX + 2];
        snprintf(ans, sizeof ans, "%s\n", x->ex[i].answer);
        rc = pw_encode(e, x->ex[i].prompt, &x->prompt[i], &x->n_prompt[i], err);
        if (!rc)
            rc = pw_encode(e, ans, &x->answer[i], &x->n_answer[i], err);
    }
    if (rc)
        pw_examples_free(x);
    return rc;
}

int pw_finetune(xl_nn_model *m, const pw_examples *x, int steps, int batch, int seq, float lr,
                uint64_t seed, double *final_loss, xl_error *err)
{
    if (final_loss)
        *final_loss = NAN;
    if (steps <= 0)
        return XL_OK;
    double tail = 0;
    int tail_n = 0, tail_from = steps - (steps >= 10 ? steps / 10 : 1) + 1;
    size_t per_epoch = 0;
    for (size_t i = 0; i < x->n; i++)
        per_epoch += x->n_prompt[i] + x->n_answer[i];
    size_t epochs = 1 + (4 * ((size_t)seq + 1)) / (per_epoch ? per_epoch : 1);
    size_t len = epochs * per_epoch;
    uint16_t *stream = xl_calloc(len, sizeof *stream, err);
    size_t *perm = xl_calloc(x->n, sizeof *perm, err);
    uint16_t *in = xl_calloc((size_t)batch * seq, sizeof *in, err);
    uint16_t *tg = xl_calloc((size_t)batch * seq, sizeof *tg, err);
    int rc = XL_OK;
    if (!stream || !perm || !in || !tg) {
        rc = XL_ENOMEM;
        goto done;
    }
    xl_rng r;
    xl_rng_seed(&r, seed);
    size_t k = 0;
    for (size_t ep = 0; ep < epochs; ep++) {
        for (size_t i = 0; i < x->n; i++)
            perm[i] = i;
        for (size_t i = x->n; i > 1; i--) {
            size_t j = (size_t)xl_rng_below(&r, i), t = perm[i - 1];
            perm[i - 1] = perm[j];
            perm[j] = t;
        }
        for (size_t i = 0; i < x->n; i++) {
            size_t q = perm[i];
            memcpy(stream + k, x->prompt[q], x->n_prompt[q] * sizeof *stream);
            k += x->n_prompt[q];
            memcpy(stream + k, x->answer[q], x->n_answer[q] * sizeof *stream);
            k += x->n_answer[q];
        }
    }
    for (int step = 1; step <= steps && !rc; step++) {
        for (int b = 0; b < batch; b++) {
            size_t start = (size_t)xl_rng_below(&r, len - (size_t)seq);
            memcpy(in + (size_t)b * seq, stream + start, (size_t)seq * sizeof *in);
            memcpy(tg + (size_t)b * seq, stream + start + 1, (size_t)seq * sizeof *tg);
        }
        float loss;
        xl_nn_zero_grad(m);
        rc = xl_nn_forward(m, in, tg, batch, seq, &loss, err);
        if (!rc)
            rc = xl_nn_backward(m, err);
        if (!rc && !isfinite(loss))
            rc = xl_error_set(err, XL_ENOCONV, "fine-tuning diverged (loss %g at step %d)",
                              (double)loss, step);
        if (!rc && step >= tail_from) {
            tail += (double)loss;
            tail_n++;
        }
        if (!rc) {
            xl_nn_clip_grad(m, 1.0f);
            xl_nn_adamw_step(m, lr, 0.9f, 0.999f, 1e-8f, 0.0f, step);
        }
    }
    if (!rc && final_loss && tail_n)
        *final_loss = tail / tail_n;
done:
    free(stream);
    free(perm);
    free(in);
    free(tg);
    return rc;
}

static int argmax(const float *v, int n)
{
    int b = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[b])
            b = i;
    return b;
}

int pw_evaluate(xl_nn_model *m, const pw_enc *e, const pw_examples *x, int max_T,
                pw_score *out, xl_error *err)
{
    int V = xl_nn_get_config(m)->vocab_size;
    uint16_t *buf = xl_calloc((size_t)max_T + 64, sizeof *buf, err);
    if (!buf)
        return XL_ENOMEM;
    memset(out, 0, sizeof *out);
    double nll_sum = 0;
    int rc = XL_OK;
    for (size_t i = 0; i < x->n && !rc; i++) {
        size_t np = x->n_prompt[i], na = x->n_answer[i];
        /* answer NLL by teacher forcing; keep the last max_T + 1 tokens */
        size_t L = np + na, off = L > (size_t)max_T + 1 ? L - (size_t)max_T - 1 : 0;
        for (size_t t = off; t < L; t++)
            buf[t - off] = t < np ? x->prompt[i][t - 0] : x->answer[i][t - np];
        int T = (int)(L - off - 1);
        rc = xl_nn_forward(m, buf, NULL, 1, T, NULL, err);
        if (rc)
            break;
        const float *lg = xl_nn_logits(m);
        double nll = 0;
        for (size_t t = np; t < L; t++) {
            int pos = (int)(t - off) - 1;
            const float *row = lg + (size_t)pos * V;
            double mx = row[argmax(row, V)], s = 0;
            for (int v = 0; v < V; v++)
                s += exp((double)row[v] - mx);
            nll += -((double)row[buf[pos + 1]] - mx - log(s));
        }
        nll_sum += nll;
        /* greedy decoding after the prompt until a newline (or the budget) */
        size_t budget = na + 4 > 8 ? na + 4 : 8, n = np;
        size_t p_off = np > (size_t)max_T ? np - (size_t)max_T : 0;
        memcpy(buf, x->prompt[i] + p_off, (np - p_off) * sizeof *buf);
        n = np - p_off;
        size_t gen0 = n;
        char text[256] = "";
        for (size_t g = 0; g < budget && !rc; g++) {
            if (n >= (size_t)max_T) { /* slide the window */
                memmove(buf, buf + 1, (n - 1) * sizeof *buf);
                n--;
                gen0 = gen0 ? gen0 - 1 : 0;
            }
            rc = xl_nn_forward(m, buf, NULL, 1, (int)n, NULL, err);
            if (rc)
                break;
            int tok = argmax(xl_nn_logits(m) + (n - 1) * (size_t)V, V);
            if (tok == e->eot)
                break;
            buf[n++] = (uint16_t)tok;
            pw_decode(e, buf + gen0, n - gen0, text, sizeof text);
            if (strchr(text, '\n'))
                break;
        }
        if (!rc && strchr(text, '\n') && xl_tasks_match(text, x->ex[i].answer))
            out->correct++;
    }
    free(buf);
    if (rc)
        return rc;
    out->n = (long)x->n;
    out->acc = x->n ? (double)out->correct / (double)x->n : NAN;
    out->nll = x->n ? nll_sum / (double)x->n : NAN;
    return XL_OK;
}
