/* xferlaw plot: the Hernandez-style figures of a transfer analysis. */
#include "cli.h"
#include "cmd_transfer_args.h"
#include "xferlaw/plot.h"

#include <string.h>
#include <sys/stat.h>

static void help(void)
{
    printf("usage: xferlaw plot FILE|SWEEPDIR [--out DIR] [--size N] [--df DF] [--curriculum C]\n"
           "                    [--logit] [--no-render] [options]\n\n"
           "Writes gnuplot scripts beside their data (DIR/fig_X.gp, DIR/fig_X.dat) and renders\n"
           "them to PNG and SVG when gnuplot is installed (the scripts alone otherwise):\n"
           "  fig_a loss vs data for one N (--size), D_F, D_T, D_E arrows (Hernandez Fig. 1)\n"
           "  fig_b fraction of effective data from transfer vs N per D_F (Fig. 2; --logit)\n"
           "  fig_c D_T vs D_F per N, log-log, with fit lines\n"
           "  fig_d loss vs N at fixed D_F (--df), scratch vs fine-tuned (Fig. 3)\n"
           "  fig_e ossification: fine-tuned minus scratch loss\n"
           "  fig_f curricula side by side: alpha and beta with intervals\n"
           "  fig_g residuals\n\n"
           "  --out DIR, -o     output directory (default: SWEEPDIR/plots for a sweep, else\n"
           "                    FILE_plots beside FILE)\n"
           "  --size N          model size of figure a (default: the one with most fine-tunes)\n"
           "  --df DF           fine-tuning data of figure d (default: the most common D_F)\n"
           "  --curriculum C    only this curriculum in figure g (default: every one)\n"
           "  --logit           figure b on a logit axis\n"
           "  --no-render       write the scripts and data only\n\n");
    xfer_args_brief(stdout, 1);
}

int cmd_plot(int argc, char **argv)
{
    xfer_args a;
    xfer_args_init(&a);
    xl_plot_opts po;
    xl_plot_opts_default(&po);
    const char *out = NULL;
    int no_render = 0;
    const cli_opt own[] = {
        CLI_OUT(&out), {"--size", "--n", CLI_DOUBLE, &po.N, 0, 0, 1, NULL, 0},
        {"--df", NULL, CLI_DOUBLE, &po.DF, 0, 0, 1, NULL, 0},
        {"--curriculum", NULL, CLI_STR, &po.curriculum, 0, 0, 0, NULL, 0},
        {"--logit", NULL, CLI_FLAG, &po.logit, 0, 0, 0, NULL, 0},
        {"--no-render", NULL, CLI_FLAG, &no_render, 0, 0, 0, NULL, 0}, CLI_OPT_END};
    int rc = xfer_args_parse(&a, "plot", own, 1, argc, argv);
    if (rc == CLI_HELP) {
        help();
        return 0;
    }
    if (rc)
        return rc;
    if (no_render)
        po.render = 0;
    if (!a.input)
        return cli_usage_error("plot", "missing FILE or SWEEPDIR");
    char dir[4096];
    struct stat st;
    if (out)
        snprintf(dir, sizeof dir, "%s", out);
    else if (stat(a.input, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(dir, sizeof dir, "%s/plots", a.input);
    else {
        /* beside the input, never ./plots (a checkout's templates live there) */
        const char *dot = strrchr(a.input, '.'), *sl = strrchr(a.input, '/');
        int n = dot && (!sl || dot > sl + 1) ? (int)(dot - a.input) : (int)strlen(a.input);
        snprintf(dir, sizeof dir, "%.*s_plots", n, a.input);
    }
    xl_xfer_runs *runs;
    xl_transfer_result *res;
    if (xfer_args_run(&a, "plot", &runs, &res))
        return 1;
    /* staged: the figures appear in DIR together, or (on any failure) not at all */
    xl_plot_output po_out;
    xl_error err;
    xl_error_clear(&err);
    xl_stage sg;
    if (xl_stage_open(&sg, dir, &err)) {
        rc = cli_fail("plot", &err);
    } else {
        po.dir = xl_stage_dir(&sg);
        po.final_dir = dir;
        if (xl_plot_all(res, &po, &po_out, &err)) {
            xl_stage_fail(&sg, &err);
            rc = cli_fail("plot", &err);
        } else if (xl_stage_commit(&sg, &err)) {
            rc = cli_fail("plot", &err);
        } else {
            for (size_t i = 0; i < po_out.n; i++)
                printf("%s/%s.gp  %s%s\n", dir, po_out.name[i], po_out.title[i],
                       po_out.rendered[i] ? "  [png, svg]" : "");
            if (!po_out.gnuplot)
                printf("(not rendered: %s; scripts only: run 'gnuplot fig_a.gp' in %s)\n",
                       po_out.why_not, dir);
        }
    }
    xl_transfer_result_free(res);
    xl_xfer_runs_free(runs);
    return rc;
}
