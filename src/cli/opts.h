/* One option parser for every command: a table of options per command, parsed by
 * cli_parse().  The same name means the same thing everywhere (CLI_OUT, CLI_QUIET,
 * CLI_THREADS, CLI_SEED, CLI_BOOTSTRAP below); an unknown option is a usage error (exit 2)
 * with a "did you mean" from the table. */
#ifndef XFERLAW_CLI_OPTS_H
#define XFERLAW_CLI_OPTS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    CLI_END = 0, /* terminates a table */
    CLI_FLAG,    /* int *: set to 1 */
    CLI_STR,     /* const char **: the value */
    CLI_BUF,     /* char * of cap bytes (hi): a copy of the value */
    CLI_INT,     /* int *, integer in [lo, hi] */
    CLI_LONG,    /* long * */
    CLI_U64,     /* uint64_t * */
    CLI_DOUBLE,  /* double *, finite, in [lo, hi] (lo excluded when open_lo) */
    CLI_LIST,    /* cli_list *: repeatable, values collected */
    CLI_FN       /* fn(ctx, name, value): returns 0, or prints a usage error and returns 2 */
} cli_kind;

typedef struct {
    const char *v[64];
    size_t n;
} cli_list;

typedef struct cli_opt {
    const char *name;  /* "--out" */
    const char *alias; /* "-o", or NULL: accepted, not a separate option */
    cli_kind kind;
    void *dst;
    double lo, hi;     /* numeric range (both 0: lo 0, no upper bound); CLI_BUF: hi = capacity */
    int open_lo;       /* the value must be > lo */
    int (*fn)(void *ctx, const char *name, const char *value);
    int takes_value;   /* CLI_FN only: 1 when it takes a value */
} cli_opt;

/* Shared options: the same name and meaning in every command that has them. */
#define CLI_OUT(dst) {"--out", "-o", CLI_STR, (dst), 0, 0, 0, NULL, 0}
#define CLI_QUIET(dst) {"--quiet", NULL, CLI_FLAG, (dst), 0, 0, 0, NULL, 0}
/* threads above the work available are clamped by the library, not refused here */
#define CLI_THREADS(dst) {"--threads", NULL, CLI_INT, (dst), 0, 1e6, 0, NULL, 0}
#define CLI_SEED(dst) {"--seed", NULL, CLI_U64, (dst), 0, 9e15, 0, NULL, 0}
/* the bound is the int; what fits in memory is the library's estimate (XL_MEM_LIMIT) */
#define CLI_BOOTSTRAP(dst) {"--bootstrap", NULL, CLI_INT, (dst), 0, 1e9, 0, NULL, 0}
#define CLI_OPT_END {NULL, NULL, CLI_END, NULL, 0, 0, 0, NULL, 0}

#define CLI_HELP (-1)

/* Parses argv[1..argc-1] against OPTS (ended by CLI_OPT_END): "--name VALUE",
 * "--name=VALUE", the alias, and up to max_pos positionals into pos[] ("-" is a
 * positional: standard input or output; "--" ends the options).  *n_pos gets the count.
 * Returns 0, CLI_HELP when -h/--help is present (nothing else checked), or 2 after printing
 * a one-line usage error naming CMD ("xferlaw CMD: ..."). */
int cli_parse(const char *cmd, const cli_opt *opts, void *ctx, int argc, char **argv,
              const char **pos, int max_pos, int *n_pos);

#endif
