/* xferlaw tasks: list the procedural tasks, generate examples, score predictions. */
#include "cli.h"
#include "xferlaw/matrix.h"
#include "xferlaw/tasks.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *USAGE =
    "usage: xferlaw tasks list\n"
    "       xferlaw tasks gen TASK --n N [--seed S] [--split train|test] -o FILE.jsonl\n"
    "                         [--text FILE.txt]\n"
    "       xferlaw tasks score GOLD.jsonl PRED.jsonl [--json]\n"
    "       xferlaw tasks tune --task A --out DIR [--n-examples 200] [--steps 200]\n"
    "                          [--batch 8] [--seq 64] [--lr 1e-3] [--seed 1]\n"
    "                          [--stage source|target] [--tokenizer PATH]\n"
    "                          [--base CKPT | --init-from CKPT | --n-layer L --d-model C\n"
    "                           --n-head H --ctx T] [--eval-task B --n-eval 100]\n"
    "                          [--no-checkpoint] [--threads K] [--quiet]\n"
    "\n"
    "Procedural tasks with exact-match answers.  An example is a prompt and an answer;\n"
    "a model is trained on the text PROMPT ANSWER\\n and scored by greedy decoding after\n"
    "PROMPT up to the first newline.  Train and test questions are disjoint by construction\n"
    "(a hash of the prompt decides the split: 20% test).\n"
    "\n"
    "  gen     N distinct examples, deterministic in (TASK, N, seed, split), written as\n"
    "          JSONL {\"task\",\"prompt\",\"answer\"}; --text also writes the training text.\n"
    "  score   GOLD is a gen output; PRED has one {\"pred\": \"...\"} per line in the same\n"
    "          order (a \"prompt\" field, if present, must match).  Prints the accuracy.\n";

static int do_list(void)
{
    for (size_t i = 0; i < xl_tasks_count(); i++)
        printf("%-6s %s\n", xl_tasks_name(i), xl_tasks_describe(i));
    return 0;
}

static int do_gen(int argc, char **argv)
{
    const char *task = NULL, *out = NULL, *text = NULL;
    long n = -1, seed = 1;
    int split = XL_SPLIT_TRAIN;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (strcmp(a, "--n") == 0 && has) {
            if (xl_parse_long(argv[++i], &n) || n <= 0 || n > 10000000)
                return cli_usage_error("tasks", "--n: expected a positive integer, got '%s'", argv[i]);
        } else if (strcmp(a, "--seed") == 0 && has) {
            if (xl_parse_long(argv[++i], &seed))
                return cli_usage_error("tasks", "--seed: expected an integer, got '%s'", argv[i]);
        } else if (strcmp(a, "--split") == 0 && has) {
            split = xl_tasks_parse_split(argv[++i]);
            if (split < 0)
                return cli_usage_error("tasks", "--split: expected train or test, got '%s'", argv[i]);
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--out") == 0) && has) {
            out = argv[++i];
        } else if (strcmp(a, "--text") == 0 && has) {
            text = argv[++i];
        } else if (a[0] == '-') {
            return cli_usage_error("tasks", "unknown or incomplete option '%s'", a);
        } else if (!task) {
            task = a;
        } else {
            return cli_usage_error("tasks", "unexpected argument '%s'", a);
        }
    }
    if (!task || n < 0 || !out)
        return cli_usage_error("tasks", "gen needs TASK, --n and -o");
    if (xl_tasks_find(task) < 0)
        return cli_usage_error("tasks", "unknown task '%s' (see 'xferlaw tasks list')", task);
    xl_error err;
    xl_error_clear(&err);
    xl_task_example *ex = xl_calloc((size_t)n, sizeof *ex, &err);
    if (!ex)
        return cli_fail("tasks", &err);
    int rc = xl_tasks_generate(task, (size_t)n, (uint64_t)seed, split, ex, &err);
    if (!rc)
        rc = xl_tasks_write_jsonl(out, task, ex, (size_t)n, &err);
    if (!rc && text)
        rc = xl_tasks_write_text(text, ex, (size_t)n, &err);
    free(ex);
    if (rc)
        return cli_fail("tasks", &err);
    return 0;
}

/* Predictions: one JSON object with a string "pred" per line, in the gold order. */
static int read_preds(const char *path, const xl_task_example *gold, size_t n_gold,
                      size_t *correct, xl_error *err)
{
    char *data;
    size_t len;
    int rc = xl_read_file(path, &data, &len, err);
    if (rc)
        return rc;
    size_t k = 0;
    long line = 0;
    *correct = 0;
    char *cursor = data;
    for (char *p; (p = xl_next_line(&cursor, &line, XL_LINE_SKIP_BLANK));) {
        cJSON *o = cJSON_Parse(p);
        const cJSON *pr = cJSON_GetObjectItemCaseSensitive(o, "pred");
        const cJSON *pp = cJSON_GetObjectItemCaseSensitive(o, "prompt");
        if (!cJSON_IsString(pr))
            rc = xl_error_at(err, XL_EPARSE, path, line, "pred", "missing or not a string");
        else if (k >= n_gold)
            rc = xl_error_at(err, XL_EPARSE, path, line, NULL, "more predictions than the "
                             "%zu gold examples", n_gold);
        else if (cJSON_IsString(pp) && strcmp(pp->valuestring, gold[k].prompt) != 0)
            rc = xl_error_at(err, XL_EPARSE, path, line, "prompt", "'%s' does not match gold "
                             "line %zu '%s'", pp->valuestring, k + 1, gold[k].prompt);
        else
            *correct += (size_t)xl_tasks_match(pr->valuestring, gold[k++].answer);
        cJSON_Delete(o);
        if (rc)
            break;
    }
    free(data);
    if (!rc && k != n_gold)
        rc = xl_error_at(err, XL_EPARSE, path, line, NULL, "%zu predictions for %zu gold "
                         "examples", k, n_gold);
    return rc;
}

static int do_score(int argc, char **argv)
{
    const char *gold_path = NULL, *pred_path = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-')
            return cli_usage_error("tasks", "unknown option '%s'", argv[i]);
        else if (!gold_path)
            gold_path = argv[i];
        else if (!pred_path)
            pred_path = argv[i];
        else
            return cli_usage_error("tasks", "unexpected argument '%s'", argv[i]);
    }
    if (!gold_path || !pred_path)
        return cli_usage_error("tasks", "score needs GOLD.jsonl and PRED.jsonl");
    xl_error err;
    xl_error_clear(&err);
    xl_task_example *gold;
    size_t n;
    char *task = NULL;
    if (xl_tasks_read_jsonl(gold_path, &gold, &n, &task, &err))
        return cli_fail("tasks", &err);
    size_t correct = 0;
    int rc = read_preds(pred_path, gold, n, &correct, &err);
    if (!rc) {
        double acc = (double)correct / (double)n;
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "task", task ? task : "");
            cJSON_AddNumberToObject(o, "n", (double)n);
            cJSON_AddNumberToObject(o, "correct", (double)correct);
            cJSON_AddNumberToObject(o, "accuracy", acc);
            char *s = cJSON_PrintUnformatted(o);
            printf("%s\n", s ? s : "{}");
            cJSON_free(s);
            cJSON_Delete(o);
        } else
            printf("%s: %zu/%zu correct, accuracy %.4f\n", task ? task : "?", correct, n, acc);
    }
    free(gold);
    free(task);
    return rc ? cli_fail("tasks", &err) : 0;
}

static int do_tune(int argc, char **argv)
{
    xl_pw_tune_opts o;
    xl_pw_tune_opts_init(&o);
    const char *ignored = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc, *ip = NULL;
        long v;
        const char **sp = NULL;
        if (!strcmp(a, "--quiet") || !strcmp(a, "--resume"))
            continue;   /* nothing to show or resume: a stage takes seconds */
        if (!strcmp(a, "--no-checkpoint")) {
            o.no_checkpoint = 1;
            continue;
        }
        if (!has)
            return cli_usage_error("tasks", "unknown or incomplete option '%s'", a);
        if (!strcmp(a, "--task")) sp = &o.task;
        else if (!strcmp(a, "--eval-task")) sp = &o.eval_task;
        else if (!strcmp(a, "--out")) sp = &o.out;
        else if (!strcmp(a, "--tokenizer")) sp = &o.tokenizer;
        else if (!strcmp(a, "--base")) sp = &o.base;
        else if (!strcmp(a, "--init-from")) sp = &o.init_from;
        else if (!strcmp(a, "--stage")) sp = &o.stage;
        else if (!strcmp(a, "--size")) sp = &o.size;
        else if (!strcmp(a, "--source")) sp = &o.source;
        else if (!strcmp(a, "--corpora")) sp = &ignored;   /* tasks need no corpus */
        else if (!strcmp(a, "--n-examples")) ip = &o.n_examples;
        else if (!strcmp(a, "--n-eval")) ip = &o.n_eval;
        else if (!strcmp(a, "--steps")) ip = &o.steps;
        else if (!strcmp(a, "--batch")) ip = &o.batch;
        else if (!strcmp(a, "--seq")) ip = &o.seq;
        else if (!strcmp(a, "--threads")) ip = &o.threads;
        else if (!strcmp(a, "--n-layer")) ip = &o.n_layer;
        else if (!strcmp(a, "--d-model")) ip = &o.d_model;
        else if (!strcmp(a, "--n-head")) ip = &o.n_head;
        else if (!strcmp(a, "--ctx")) ip = &o.ctx;
        else if (!strcmp(a, "--lr")) {
            if (xl_parse_double(argv[++i], &o.lr) || !(o.lr > 0))
                return cli_usage_error("tasks", "--lr: expected a positive number, got '%s'",
                                       argv[i]);
            continue;
        } else if (!strcmp(a, "--seed")) {
            if (xl_parse_long(argv[++i], &v) || v < 0)
                return cli_usage_error("tasks", "--seed: expected an integer >= 0, got '%s'",
                                       argv[i]);
            o.seed = (uint64_t)v;
            continue;
        } else
            return cli_usage_error("tasks", "unknown option '%s'", a);
        if (sp) {
            *sp = argv[++i];
        } else {
            if (xl_parse_long(argv[++i], &v) || v < 0 || v > 100000000)
                return cli_usage_error("tasks", "%s: expected a non-negative integer, got '%s'",
                                       a, argv[i]);
            *ip = (int)v;
        }
    }
    (void)ignored;
    if (!o.task || !o.out)
        return cli_usage_error("tasks", "tune needs --task and --out");
    xl_error err;
    xl_error_clear(&err);
    return xl_pw_tune(&o, &err) ? cli_fail("tasks", &err) : 0;
}

int cmd_tasks(int argc, char **argv)
{
    int code;
    if (cli_subcommand_help(argc, argv, USAGE, &code))
        return code;
    if (strcmp(argv[1], "list") == 0)
        return do_list();
    if (strcmp(argv[1], "gen") == 0)
        return do_gen(argc - 1, argv + 1);
    if (strcmp(argv[1], "score") == 0)
        return do_score(argc - 1, argv + 1);
    if (strcmp(argv[1], "tune") == 0)
        return do_tune(argc - 1, argv + 1);
    return cli_usage_error("tasks", "unknown subcommand '%s'", argv[1]);
}
