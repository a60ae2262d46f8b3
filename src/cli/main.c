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
    fprintf(fp, "\n'xferlaw COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (cli_is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("xferlaw %s\n", XL_VERSION);
        return 0;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0)
            return COMMANDS[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "xferlaw: unknown command '%s' (see 'xferlaw --help')\n", argv[1]);
    return 2;
}
