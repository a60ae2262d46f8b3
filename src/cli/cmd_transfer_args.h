/* Options shared by transfer, compare, plot, report and reproduce. */
#ifndef CMD_TRANSFER_ARGS_H
#define CMD_TRANSFER_ARGS_H

#include "opts.h"
#include "xferlaw/transfer.h"

typedef struct xfer_args {
    const char *input;
    xl_xfer_opts opts;
    cli_list defines, wheres;
    int quiet, bootstrap;
    const char *cmd;   /* for messages of the option callbacks */
} xfer_args;

void xfer_args_init(xfer_args *a);
/* Parses argv with the command's own options OWN (ended by CLI_OPT_END; callbacks get A as
 * their context) followed by the shared analysis options, and at most one positional input
 * (FILE, SWEEPDIR or - for standard input) when take_input.  Returns 0, CLI_HELP or 2. */
int xfer_args_parse(xfer_args *a, const char *cmd, const cli_opt *own, int take_input,
                    int argc, char **argv);
/* Help text for the shared options: the whole block (transfer), or one paragraph naming
 * them for the commands that take them too (with the input line when with_input). */
extern const char XFER_ARGS_HELP[];
void xfer_args_brief(FILE *fp, int with_input);
/* Load runs and analyse; prints the error and returns 1 on failure. */
int xfer_args_run(xfer_args *a, const char *cmd, xl_xfer_runs **runs, xl_transfer_result **res);



#include "xferlaw/plot.h"
/* The full analysis bundle in outdir: transfer.json, transfer.csv, plots/ and the page
 * HTML (NULL: outdir/report.html), all or nothing (staged; a failure leaves outdir as it
 * was).  Prints a summary on stdout; returns the exit code. */
int xfer_bundle(xfer_args *a, const char *cmd, const char *outdir, const xl_plot_opts *po,
                const char *html, const char *note, int argc, char **argv);
#endif
