/* xferlaw tasks: procedurally generated tasks with exact-match answers, for task-to-task
 * transfer matrices and capability jumps.
 *
 * An example is a prompt and an answer; a language model sees the text
 *     PROMPT ANSWER "\n"        e.g.  "Q: 123+45=" "168" "\n"
 * and is scored by greedy decoding after PROMPT up to the first newline, compared with
 * ANSWER byte for byte.
 *
 * Train and test sets are disjoint by construction: a question belongs to the test split
 * when a hash of its prompt text falls in the lowest XL_TASKS_TEST_PERCENT of the hash
 * range, otherwise to train.  Generation samples questions from the task's input space
 * and keeps those of the requested split, so the split never depends on seed or order.
 * Within one generated set, prompts are distinct. */
#ifndef XFERLAW_TASKS_H
#define XFERLAW_TASKS_H

#include "xferlaw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XL_TASKS_TEST_PERCENT 20
#define XL_TASK_PROMPT_MAX 96
#define XL_TASK_ANSWER_MAX 48

enum { XL_SPLIT_TRAIN = 0, XL_SPLIT_TEST = 1 };

typedef struct xl_task_example {
    char prompt[XL_TASK_PROMPT_MAX];
    char answer[XL_TASK_ANSWER_MAX];
} xl_task_example;

/* Registered tasks, in a fixed order. */
size_t xl_tasks_count(void);
const char *xl_tasks_name(size_t i);
/* One-line description, e.g. "3-digit + 2-digit addition: Q: 123+45= -> 168". */
const char *xl_tasks_describe(size_t i);
/* Index of a task by name, or -1. */
long xl_tasks_find(const char *name);
/* The task one typo away from NAME ("ad" -> "add"), or NULL: for "did you mean". */
const char *xl_tasks_closest(const char *name);

/* Split of a prompt (XL_SPLIT_TRAIN / XL_SPLIT_TEST), a pure function of its text. */
int xl_tasks_split_of(const char *prompt);
/* "train" / "test" -> split; -1 otherwise. */
int xl_tasks_parse_split(const char *s);

/* n distinct examples of task for split, deterministic in (task, n, seed, split).
 * out has room for n.  XL_ERANGE when the split holds fewer than n distinct questions. */
int xl_tasks_generate(const char *task, size_t n, uint64_t seed, int split,
                      xl_task_example *out, xl_error *err);

/* Write examples as JSONL, one {"task","prompt","answer"} object per line (atomically). */
int xl_tasks_write_jsonl(const char *path, const char *task, const xl_task_example *ex,
                         size_t n, xl_error *err);
/* Read examples from such a JSONL file; *out is malloc'ed.  task_out (may be NULL)
 * receives the task name of the first line (malloc'ed). */
int xl_tasks_read_jsonl(const char *path, xl_task_example **out, size_t *n, char **task_out,
                        xl_error *err);
/* Write the training text PROMPT ANSWER "\n" for every example (atomically). */
int xl_tasks_write_text(const char *path, const xl_task_example *ex, size_t n, xl_error *err);

/* Exact match of a prediction: pred up to its first newline (trailing '\r' and spaces
 * dropped) must equal the answer. */
int xl_tasks_match(const char *pred, const char *answer);

#ifdef __cplusplus
}
#endif
#endif
