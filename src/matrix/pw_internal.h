/* Internals of the pairwise protocol: encoding, example sets, fine-tuning, scoring. */
#ifndef XL_PW_INTERNAL_H
#define XL_PW_INTERNAL_H

#include "xferlaw/matrix.h"
#include "xferlaw/nn.h"
#include "xferlaw/sweep.h"
#include "xferlaw/tasks.h"

/* Text <-> token ids: the corpus tokenizer when a path is given, else raw bytes
 * (ids 0..255, end-of-text 256, vocabulary 257). */
typedef struct pw_enc {
    void *tok;          /* xl_tokenizer * or NULL for bytes */
    int vocab, eot;
    char id[65];        /* tokenizer id stored in checkpoints ("bytes" for bytes) */
} pw_enc;

int pw_enc_open(pw_enc *e, const char *tokenizer_path, xl_error *err);
void pw_enc_close(pw_enc *e);
int pw_encode(const pw_enc *e, const char *text, uint16_t **ids, size_t *n, xl_error *err);
/* Decoded text of ids into out (NUL-terminated, truncated to cap). */
void pw_decode(const pw_enc *e, const uint16_t *ids, size_t n, char *out, size_t cap);

/* n examples, each as prompt ids then answer+"\n" ids (encoded separately, so decoding
 * after the prompt starts on a token boundary, in training and in evaluation alike). */
typedef struct pw_examples {
    size_t n;
    xl_task_example *ex;
    uint16_t **prompt, **answer;
    size_t *n_prompt, *n_answer;
} pw_examples;

int pw_examples_make(const pw_enc *e, const char *task, size_t n, uint64_t seed, int split,
                     pw_examples *out, xl_error *err);
void pw_examples_free(pw_examples *x);

/* steps of AdamW (constant lr, no weight decay, clip 1) on random windows of seq+1 tokens
 * from the examples concatenated in shuffled epochs.  final_loss (may be NULL): mean
 * training loss of the last tenth of the steps (NaN without steps). */
int pw_finetune(xl_nn_model *m, const pw_examples *x, int steps, int batch, int seq, float lr,
                uint64_t seed, double *final_loss, xl_error *err);

typedef struct pw_score {
    double acc;         /* exact match of greedy decoding */
    long correct, n;
    double nll;         /* mean over examples of the answer's NLL given the prompt (nats) */
} pw_score;

int pw_evaluate(xl_nn_model *m, const pw_enc *e, const pw_examples *x, int max_T,
                pw_score *out, xl_error *err);

/* The protocol's plan: a sweep plan over a synthesized spec whose curricula are the
 * source labels (tasks, then "none") and whose models are the sizes. */
typedef struct pw_cell {
    int size, seed;       /* indices into the spec */
    int source;           /* task index, n_tasks = "none" */
    int target;           /* task index; -1 for a stage-one run */
} pw_cell;

struct xl_pw_plan {
    xl_sweep_spec spec;
    xl_sweep_curriculum cur[XL_PW_MAX_TASKS + 1];
    xl_sweep_model models[XL_PW_MAX_SIZES];
    double N[XL_PW_MAX_SIZES];
    char name[256];
    xl_sweep_plan plan;
    pw_cell *cell;        /* [plan.n] */
};

#endif
