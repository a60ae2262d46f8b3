/* The CLI: one file per subcommand, each a thin layer over the library. */
#ifndef XFERLAW_CLI_H
#define XFERLAW_CLI_H

#include "xferlaw/util.h"

/* Each returns the process exit code: 0 ok, 1 failure, 2 usage error. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

int cmd_fit(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_transfer(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_jumps(int argc, char **argv);
int cmd_corpus(int argc, char **argv);
int cmd_tasks(int argc, char **argv);

/* Print "xferlaw CMD: error: MESSAGE" (one line) to stderr; returns 1. */
int cli_fail(const char *cmd, const xl_error *err);
/* Print "xferlaw CMD: MESSAGE" plus a hint to run --help; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* xl_closest: the candidate one typo away from WORD, or NULL. */
const char *cli_suggest(const char *word, const char *const *cands, size_t n);
/* ", did you mean 'X'?" for cli_suggest's answer, or "" (for message formats). */
const char *cli_did_you_mean(const char *word, const char *const *cands, size_t n, char *buf,
                             size_t size);
/* "xferlaw CMD: unknown subcommand 'SUB'" with a did-you-mean from SUBS; returns 2. */
int cli_unknown_subcommand(const char *cmd, const char *sub, const char *const *subs, size_t n);
/* True when argv[i] is -h or --help. */
int cli_is_help(const char *arg);
/* For commands with sub-commands (xferlaw CMD SUB ...): with no SUB, prints usage to stderr
 * and sets *code = 2; with -h/--help anywhere, prints usage to stdout and sets *code = 0.
 * Returns 1 when the caller should return *code, 0 to go on. */
int cli_subcommand_help(int argc, char **argv, const char *usage, int *code);

#endif
