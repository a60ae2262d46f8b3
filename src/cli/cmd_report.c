/* xferlaw report: one self-contained HTML page of a transfer analysis. */
#include "cli.h"
#include "cmd_transfer_args.h"

#include <string.h>
#include <sys/stat.h>

static void help(void)
{
    printf("usage: xferlaw report SWEEPDIR|FILE [--out DIR] [--html REPORT.html] [options]\n\n"
           "Runs the transfer analysis and writes, in DIR, transfer.json, transfer.csv, plots/\n"
           "and one self-contained HTML page (figures inline as base64 PNG, fit tables with 95%%\n"
           "intervals, the comparison of curricula, every run behind the fits, provenance:\n"
           "input sha256, versions, date).\n\n"
           "  --out DIR, -o      output directory (default: SWEEPDIR, or 'report' for a file)\n"
           "  --html FILE        the page (default DIR/report.html)\n"
           "  --logit            figure b on a logit axis\n\n");
    xfer_args_brief(stdout, 1);
}

int cmd_report(int argc, char **argv)
{
    xfer_args a;
    xfer_args_init(&a);
    xl_plot_opts po;
    xl_plot_opts_default(&po);
    const char *html = NULL, *out = NULL;
    const cli_opt own[] = {CLI_OUT(&out), {"--html", NULL, CLI_STR, &html, 0, 0, 0, NULL, 0},
                           {"--logit", NULL, CLI_FLAG, &po.logit, 0, 0, 0, NULL, 0}, CLI_OPT_END};
    int rc = xfer_args_parse(&a, "report", own, 1, argc, argv);
    if (rc == CLI_HELP) {
        help();
        return 0;
    }
    if (rc)
        return rc;
    if (!a.input)
        return cli_usage_error("report", "missing SWEEPDIR or FILE");
    struct stat st;
    int is_dir = stat(a.input, &st) == 0 && S_ISDIR(st.st_mode);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", out ? out : is_dir ? a.input : "report");
    return xfer_bundle(&a, "report", dir, &po, html, NULL, argc, argv);
}
