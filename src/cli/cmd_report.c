/* xferlaw report: one self-contained HTML page of a transfer analysis. */
#include "cli.h"
#include "cmd_transfer_args.h"

#include <string.h>
#include <sys/stat.h>

static void help(void)
{
    printf("usage: xferlaw report SWEEPDIR|FILE [-o REPORT.html] [--out DIR] [options]\n\n"
           "Runs the transfer analysis and writes, in DIR (default: SWEEPDIR, or 'report' for a\n"
           "file), transfer.json, transfer.csv, plots/ and one self-contained HTML page (figures\n"
           "inline as base64 PNG, fit tables with 95%% intervals, the comparison of curricula,\n"
           "every run behind the fits, provenance: input sha256, versions, date).\n"
           "  -o REPORT.html   the page (default DIR/report.html)\n"
           "  --logit          figure b on a logit axis\n\n%s",
           XFER_ARGS_HELP);
}

int cmd_report(int argc, char **argv)
{
    xfer_args a;
    xfer_args_init(&a);
    xl_plot_opts po;
    xl_plot_opts_default(&po);
    const char *html = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            help();
            return 0;
        }
        int r = xfer_args_parse(&a, "report", argc, argv, &i);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (!strcmp(argv[i], "--logit"))
            po.logit = 1;
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            html = argv[++i];
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else
            return cli_usage_error("report", "unknown option '%s' or missing value", argv[i]);
    }
    if (!a.input)
        return cli_usage_error("report", "missing SWEEPDIR or FILE");
    struct stat st;
    int is_dir = stat(a.input, &st) == 0 && S_ISDIR(st.st_mode);
    char dir[4096], page[4200];
    snprintf(dir, sizeof dir, "%s", out ? out : is_dir ? a.input : "report");
    snprintf(page, sizeof page, "%s", html ? html : "");
    if (!html)
        snprintf(page, sizeof page, "%s/report.html", dir);
    return xfer_bundle(&a, "report", dir, &po, page, NULL, argc, argv);
}
