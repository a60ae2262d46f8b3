/* Options shared by transfer, compare, plot, report and reproduce. */
#ifndef CMD_TRANSFER_ARGS_H
#define CMD_TRANSFER_ARGS_H

#include "xferlaw/transfer.h"

typedef struct xfer_args {
    const char *input;
    xl_xfer_opts opts;
    const char *defines[32], *wheres[32];
    size_t n_defines, n_wheres;
    int quiet;
} xfer_args;

void xfer_args_init(xfer_args *a);
/* Consume argv[*i] (and its value) when it is a shared option: returns 1 when consumed,
 * 0 when not a shared option, -1 after printing a usage error. */
int xfer_args_parse(xfer_args *a, const char *cmd, int argc, char **argv, int *i);
/* Help text for the shared options. */
extern const char XFER_ARGS_HELP[];
/* Load runs and analyse; prints the error and returns 1 on failure. */
int xfer_args_run(xfer_args *a, const char *cmd, xl_xfer_runs **runs, xl_transfer_result **res);



#include "xferlaw/plot.h"
/* The full analysis bundle in outdir: transfer.json, transfer.csv, plots/, report.html.
 * Prints a summary on stdout; returns the exit code. */
int xfer_bundle(xfer_args *a, const char *cmd, const char *outdir, const xl_plot_opts *po,
                const char *html, const char *note, int argc, char **argv);
#endif
