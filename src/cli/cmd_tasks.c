/* xferlaw tasks: list the procedural tasks, generate examples, score predictions. */
#include "cli.h"
#include "opts.h"
#include "xferlaw/matrix.h"
#include "xferlaw/tasks.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *USAGE =
    "usage: xferlaw tasks list\n"
    "       xferlaw tasks gen TASK --n-examples N [--seed S] [--split train|test]\n"
    "                         --out FILE.jsonl [--text FILE.txt]\n"
    "       xferlaw tasks score GOLD.jsonl PRED.jsonl [--json]\n"
    "       xferlaw tasks tune --task A --out DIR [--n-examples 200] [--max-steps 200]\n"
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
    "          order (a \"prompt\" field, if present, must match).  Prints the accuracy.\n"
    "  tune    one stage of 'xferlaw matrix run': fine-tune on examples of A (from a base\n"
    "          checkpoint, or a fresh model of the given shape), optionally score B; writes\n"
    "          DIR/best.ckpt and DIR/run.json (acc, nll, N).  A start and a final line go to\n"
    "          stderr unless --quiet.  --out takes the alias -o; --threads 0 = all cores.\n";

static int do_list(void)
{
    for (size_t i = 0; i < xl_tasks_count(); i++)
        printf("%-6s %s\n", xl_tasks_name(i), xl_tasks_describe(i));
    return 0;
}

static int unknown_task(const char *task)
{
    const char *s = xl_tasks_closest(task);
    return cli_usage_error("tasks", "unknown task '%s'%s%s%s", task, s ? ", did you mean '" : "",
                           s ? s : "", s ? "'?" : "");
}

static int do_gen(int argc, char **argv)
{
    const char *task = NULL, *out = NULL, *text = NULL, *split_name = NULL;
    int n = 0;
    uint64_t seed = 1;
    /* --n-examples as in 'tasks tune' ('--n' is kept: it was the first spelling) */
    const cli_opt opts[] = {
        {"--n-examples", "--n", CLI_INT, &n, 1, 1e7, 0, NULL, 0}, CLI_SEED(&seed),
        {"--split", NULL, CLI_STR, &split_name, 0, 0, 0, NULL, 0}, CLI_OUT(&out),
        {"--text", NULL, CLI_STR, &text, 0, 0, 0, NULL, 0}, CLI_OPT_END};
    int n_pos, rc = cli_parse("tasks", opts, NULL, argc, argv, &task, 1, &n_pos);
    if (rc)
        return rc == CLI_HELP ? (fputs(USAGE, stdout), 0) : rc;
    int split = split_name ? xl_tasks_parse_split(split_name) : XL_SPLIT_TRAIN;
    if (split < 0)
        return cli_usage_error("tasks", "--split: expected train or test, got '%s'", split_name);
    if (!task || !n || !out)
        return cli_usage_error("tasks", "gen needs TASK, --n-examples N and --out FILE");
    if (xl_tasks_find(task) < 0)
        return unknown_task(task);
    xl_error err;
    xl_error_clear(&err);
    xl_task_example *ex = xl_calloc((size_t)n, sizeof *ex, &err);
    if (!ex)
        return cli_fail("tasks", &err);
    rc = xl_tasks_generate(task, (size_t)n, seed, split, ex, &err);
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
    const char *paths[2] = {NULL, NULL};
    int json = 0, n_pos;
    const cli_opt opts[] = {{"--json", NULL, CLI_FLAG, &json, 0, 0, 0, NULL, 0}, CLI_OPT_END};
    int prc = cli_parse("tasks", opts, NULL, argc, argv, paths, 2, &n_pos);
    if (prc)
        return prc == CLI_HELP ? (fputs(USAGE, stdout), 0) : prc;
    const char *gold_path = paths[0], *pred_path = paths[1];
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
    int quiet = 0, resume = 0;
#define TSTR(name, field) {name, NULL, CLI_STR, &o.field, 0, 0, 0, NULL, 0}
#define TINT(name, alias, field) {name, alias, CLI_INT, &o.field, 0, 1e8, 0, NULL, 0}
    /* --size, --source, --resume and --corpora are the trainer contract of the sweep
     * executor (labels, and what a stage of seconds has no use for); not in the help */
    const cli_opt opts[] = {
        TSTR("--task", task), TSTR("--eval-task", eval_task), TSTR("--tokenizer", tokenizer),
        TSTR("--base", base), TSTR("--init-from", init_from), TSTR("--stage", stage),
        TSTR("--size", size), TSTR("--source", source),
        {"--corpora", NULL, CLI_STR, &ignored, 0, 0, 0, NULL, 0},
        TINT("--n-examples", NULL, n_examples), TINT("--n-eval", NULL, n_eval),
        TINT("--max-steps", "--steps", steps), TINT("--batch", NULL, batch),
        TINT("--seq", NULL, seq), TINT("--n-layer", NULL, n_layer),
        TINT("--d-model", NULL, d_model), TINT("--n-head", NULL, n_head), TINT("--ctx", NULL, ctx),
        {"--lr", NULL, CLI_DOUBLE, &o.lr, 0, 0, 1, NULL, 0},
        {"--no-checkpoint", NULL, CLI_FLAG, &o.no_checkpoint, 0, 0, 0, NULL, 0},
        {"--resume", NULL, CLI_FLAG, &resume, 0, 0, 0, NULL, 0},
        {"--out", "-o", CLI_STR, &o.out, 0, 0, 0, NULL, 0}, CLI_SEED(&o.seed),
        CLI_THREADS(&o.threads), CLI_QUIET(&quiet), CLI_OPT_END};
#undef TSTR
#undef TINT
    const char *pos[1];
    int n_pos, rc = cli_parse("tasks", opts, NULL, argc, argv, pos, 0, &n_pos);
    if (rc)
        return rc == CLI_HELP ? (fputs(USAGE, stdout), 0) : rc;
    (void)ignored;
    (void)resume;   /* nothing to resume: a stage is rerun whole */
    if (!o.task || !o.out)
        return cli_usage_error("tasks", "tune needs --task and --out");
    if (xl_tasks_find(o.task) < 0)
        return unknown_task(o.task);
    if (o.eval_task && xl_tasks_find(o.eval_task) < 0)
        return unknown_task(o.eval_task);
    double t0 = xl_now();
    if (!quiet)
        fprintf(stderr, "xferlaw tasks tune: %d examples of %s, %d steps%s%s -> %s\n", o.n_examples,
                o.task, o.steps, o.eval_task ? ", then score " : "", o.eval_task ? o.eval_task : "",
                o.out);
    xl_error err;
    xl_error_clear(&err);
    if (xl_pw_tune(&o, &err))
        return cli_fail("tasks", &err);
    if (!quiet)
        fprintf(stderr, "xferlaw tasks tune: done in %.1f s, %s/run.json\n", xl_now() - t0, o.out);
    return 0;
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
    static const char *const subs[] = {"list", "gen", "score", "tune"};
    return cli_unknown_subcommand("tasks", argv[1], subs, 4);
}
