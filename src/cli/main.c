/* xferlaw: scaling laws of transfer learning.  Dispatches to one subcommand. */
#include "cli.h"

#include <string.h>

typedef struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} subcommand;

static const subcommand COMMANDS[] = {
    {"fit", cmd_fit, "fit a scaling law to measurements (CSV/JSONL)"},
    {"predict", cmd_predict, "a saved fit at new points, with 95% intervals"},
    {"train", cmd_train, "train a decoder-only transformer (pre-train, fine-tune, scratch)"},
    {"sweep", cmd_sweep, "run a grid of N x D_F x curricula, resumable and parallel"},
    {"transfer", cmd_transfer, "effective data transferred D_T from measurements"},
    {"compare", cmd_compare, "compare curricula: k, alpha, beta side by side"},
    {"plot", cmd_plot, "Hernandez-style figures (gnuplot scripts, PNG/SVG)"},
    {"report", cmd_report, "one self-contained HTML report of a sweep"},
    {"reproduce", cmd_reproduce, "sweep + transfer + fits + plots + report in one go"},
    {"matrix", cmd_matrix, "task-to-task transfer matrices"},
    {"jumps", cmd_jumps, "capability jumps with scale (smooth vs broken power law)"},
    {"corpus", cmd_corpus, "build the bundled corpora and the tokenizer"},
    {"tasks", cmd_tasks, "procedural tasks: generate examples, score answers"},
};
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *fp)
{
    fprintf(fp, "usage: xferlaw COMMAND [OPTIONS]\n\n"
                "How much is pre-training worth, in data?  Commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(fp, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(fp, "  %-10s %s\n  %-10s %s\n", "help", "this list, or 'help COMMAND': one command's options",
            "version", "print the version");
    fprintf(fp, "\n'xferlaw help COMMAND' (or 'xferlaw COMMAND --help') describes one command;\n"
                "docs/commands/COMMAND.md is its manual page.\n");
}

static const subcommand *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(name, COMMANDS[i].name) == 0)
            return &COMMANDS[i];
    return NULL;
}

static int unknown_command(const char *name)
{
    const char *names[N_COMMANDS + 2] = {"help", "version"};
    for (size_t i = 0; i < N_COMMANDS; i++)
        names[i + 2] = COMMANDS[i].name;
    char buf[64];
    fprintf(stderr, "xferlaw: unknown command '%s'%s (see 'xferlaw help')\n", name,
            cli_did_you_mean(name, names, N_COMMANDS + 2, buf, sizeof buf));
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *verb = argv[1];
    if (cli_is_help(verb) || strcmp(verb, "help") == 0) {
        if (argc > 3)
            return cli_usage_error("help", "takes at most one COMMAND");
        if (argc == 3 && !cli_is_help(argv[2])) {
            const subcommand *c = find_command(argv[2]);
            if (!c)
                return unknown_command(argv[2]);
            char *av[] = {argv[2], "--help", NULL};
            return c->fn(2, av);
        }
        usage(stdout);
        return 0;
    }
    if (strcmp(verb, "--version") == 0 || strcmp(verb, "version") == 0) {
        if (argc > 2)
            return cli_usage_error("version", "takes no arguments");
        printf("xferlaw %s\n", XL_VERSION);
        return 0;
    }
    const subcommand *c = find_command(verb);
    return c ? c->fn(argc - 1, argv + 1) : unknown_command(verb);
}
