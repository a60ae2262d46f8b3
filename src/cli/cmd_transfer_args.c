/* Options shared by the analysis subcommands. */
#include "cmd_transfer_args.h"
#include "cli.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>

const char XFER_ARGS_HELP[] =
    "Input: FILE (CSV/JSONL: curriculum, N, D or D_F, loss; curriculum 'scratch' for\n"
    "from-scratch runs; - reads standard input) or SWEEPDIR (its runs.jsonl).\n"
    "Analysis options:\n"
    "  --define NAME=EXPR      add a derived column (repeatable)\n"
    "  --where EXPR            keep only rows where EXPR is true (repeatable)\n"
    "  --low-data FRAC         fit runs with D_F <= FRAC * D(N) (default 0.1)\n"
    "  --within F              D(N): data within F of the infinite-data loss (default 0.01)\n"
    "  --disagree FACTOR       report runs whose two D_T estimates differ more (default 2)\n"
    "  --include-extrapolated  fit D_T that needed extrapolation beyond the scratch curve\n"
    "  --include-high-data     fit runs outside the low-data regime too\n"
    "  --include-flat          fit D_T whose D_E lies beyond D(N), where the scratch curve\n"
    "                          is within 1% of its asymptote (ill-conditioned inverse)\n"
    "  --include-cap           keep runs whose record says end = cap (stopped by the\n"
    "                          step cap while still improving)\n"
    "  --include-pre-transition  keep runs below the unigram transition: from-scratch\n"
    "                          runs with loss > unigram - MARGIN, fine-tunes with D_F at\n"
    "                          or below such a run's D\n"
    "  --transition-margin M   MARGIN in nats (default 0.5)\n"
    "  --unigram-loss U        the target's unigram level (default: each record's\n"
    "                          val_unigram_loss; without either, no run is screened)\n"
    "  --bootstrap B           bootstrap replicates (seeded resamples of the rows, each\n"
    "                          fitted again) for the 95% intervals; 0 = none (default 400:\n"
    "                          the pipeline bootstrap, runs resampled within each N and\n"
    "                          curriculum and every step redone; no other interval exists)\n"
    "  --seed S                bootstrap seed (default 1)\n"
    "  --threads K             worker threads (default 0: all cores)\n"
    "  --at N,DF               report the data multiplier D_E/D_F there (repeatable)\n"
    "  --estimator interp|fit  D_T used by the comparison (default interp unless it lost\n"
    "                          most runs to its flags)\n"
    "  --verdict-width W       widest 95% interval on alpha and beta that the verdict\n"
    "                          reads as a measurement (default 0.25; 0.2 means +-0.1)\n"
    "  --target-loss L         compute accounting: FLOPs to reach L\n"
    "  --compute-curriculum C  fine-tuning law used there (default: the first)\n"
    "  --pretrain-tokens D     count 6*N*D pre-training FLOPs as well\n"
    "  --quiet                 no progress on stderr\n";

void xfer_args_init(xfer_args *a)
{
    memset(a, 0, sizeof *a);
    xl_xfer_opts_default(&a->opts);
    a->bootstrap = (int)a->opts.bootstrap;
}

static int set_at(void *ctx, const char *name, const char *v)
{
    xfer_args *a = ctx;
    xl_xfer_opts *op = &a->opts;
    char *end;
    double N = strtod(v, &end), DF = 0;
    if (*end != ',' || xl_parse_double(end + 1, &DF) || !(N > 0) || !(DF > 0))
        return cli_usage_error(a->cmd, "%s needs N,DF (two positive numbers), got '%s'", name, v);
    if (op->n_at >= 16)
        return cli_usage_error(a->cmd, "at most 16 %s points", name);
    op->at_N[op->n_at] = N;
    op->at_DF[op->n_at++] = DF;
    return 0;
}

static int set_estimator(void *ctx, const char *name, const char *v)
{
    xfer_args *a = ctx;
    xl_xfer_opts *op = &a->opts;
    const char *known[] = {"interp", "fit"};
    char buf[64];
    if (strcmp(v, "interp") && strcmp(v, "fit"))
        return cli_usage_error(a->cmd, "%s is interp or fit, not '%s'%s", name, v,
                               cli_did_you_mean(v, known, 2, buf, sizeof buf));
    op->estimator = strcmp(v, "interp") ? XL_EST_FIT : XL_EST_INTERP;
    return 0;
}

static const char *const SHARED_NAMES =
    "--define --where --low-data --within --disagree --include-extrapolated --include-high-data\n"
    "--include-flat --include-cap --include-pre-transition --transition-margin --unigram-loss\n"
    "--bootstrap --seed --threads --at --estimator --verdict-width --target-loss\n"
    "--compute-curriculum --pretrain-tokens --quiet";

void xfer_args_brief(FILE *fp, int with_input)
{
    if (with_input)
        fprintf(fp, "Input: FILE (CSV/JSONL; - reads standard input) or SWEEPDIR, as for transfer.\n");
    fprintf(fp, "Analysis options, as in 'xferlaw help transfer':\n%s\n", SHARED_NAMES);
    /* every help that takes --bootstrap states its default in the same words */
    fprintf(fp, "  --bootstrap B  bootstrap replicates (seeded resamples of the rows, each fitted\n"
                "                 again) for the 95%% intervals; 0 = none (default 400)\n");
}

int xfer_args_parse(xfer_args *a, const char *cmd, const cli_opt *own, int take_input,
                    int argc, char **argv)
{
    xl_xfer_opts *op = &a->opts;
    a->cmd = cmd;
    const cli_opt shared[] = {
        {"--define", NULL, CLI_LIST, &a->defines, 0, 0, 0, NULL, 0},
        {"--where", NULL, CLI_LIST, &a->wheres, 0, 0, 0, NULL, 0},
        {"--low-data", NULL, CLI_DOUBLE, &op->low_data_frac, 0, 0, 1, NULL, 0},
        {"--within", NULL, CLI_DOUBLE, &op->within, 0, 0, 1, NULL, 0},
        {"--disagree", NULL, CLI_DOUBLE, &op->disagree, 1, 0, 0, NULL, 0},
        {"--include-extrapolated", NULL, CLI_FLAG, &op->include_extrapolated, 0, 0, 0, NULL, 0},
        {"--include-high-data", NULL, CLI_FLAG, &op->include_high_data, 0, 0, 0, NULL, 0},
        {"--include-flat", NULL, CLI_FLAG, &op->include_flat, 0, 0, 0, NULL, 0},
        {"--at", NULL, CLI_FN, NULL, 0, 0, 0, set_at, 1},
        {"--estimator", NULL, CLI_FN, NULL, 0, 0, 0, set_estimator, 1},
        {"--verdict-width", NULL, CLI_DOUBLE, &op->verdict_width, 0, 10, 1, NULL, 0},
        {"--target-loss", NULL, CLI_DOUBLE, &op->target_loss, 0, 0, 1, NULL, 0},
        {"--compute-curriculum", NULL, CLI_STR, &op->compute_curriculum, 0, 0, 0, NULL, 0},
        {"--pretrain-tokens", NULL, CLI_DOUBLE, &op->pretrain_tokens, 0, 0, 0, NULL, 0},
        {"--include-cap", NULL, CLI_FLAG, &op->include_cap, 0, 0, 0, NULL, 0},
        {"--include-pre-transition", NULL, CLI_FLAG, &op->include_pre_transition, 0, 0, 0, NULL, 0},
        {"--transition-margin", NULL, CLI_DOUBLE, &op->transition_margin, 0, 0, 1, NULL, 0},
        {"--unigram-loss", NULL, CLI_DOUBLE, &op->unigram_loss, 0, 0, 1, NULL, 0},
        CLI_BOOTSTRAP(&a->bootstrap), CLI_SEED(&op->seed), CLI_THREADS(&op->threads),
        CLI_QUIET(&a->quiet)};
    size_t n_own = 0, n_shared = sizeof shared / sizeof shared[0];
    while (own && own[n_own].kind != CLI_END)
        n_own++;
    cli_opt all[96];
    if (n_own + n_shared + 1 > sizeof all / sizeof all[0])
        return cli_usage_error(cmd, "internal: too many options");
    if (n_own)
        memcpy(all, own, n_own * sizeof *own);
    memcpy(all + n_own, shared, sizeof shared);
    all[n_own + n_shared] = (cli_opt)CLI_OPT_END;
    int n_pos, rc = cli_parse(cmd, all, a, argc, argv, &a->input, take_input ? 1 : 0, &n_pos);
    op->bootstrap = (size_t)a->bootstrap;
    op->no_progress = a->quiet;
    return rc;
}

int xfer_args_run(xfer_args *a, const char *cmd, xl_xfer_runs **runs, xl_transfer_result **res)
{
    xl_error err;
    xl_error_clear(&err);
    *runs = NULL;
    *res = NULL;
    if (xl_xfer_runs_load(a->input, a->defines.v, a->defines.n, a->wheres.v, a->wheres.n, runs, &err))
        return cli_fail(cmd, &err);
    if (xl_transfer_analyze(*runs, &a->opts, res, &err)) {
        xl_xfer_runs_free(*runs);
        *runs = NULL;
        return cli_fail(cmd, &err);
    }
    return 0;
}

#include "xferlaw/report.h"

/* HTML inside OUTDIR ("OUTDIR/NAME"): its NAME, to be staged with the rest; else NULL */
static const char *inside(const char *outdir, const char *html)
{
    size_t n = strlen(outdir);
    while (n > 1 && outdir[n - 1] == '/')
        n--;
    if (strncmp(html, outdir, n) || html[n] != '/' || strchr(html + n + 1, '/'))
        return NULL;
    return html[n + 1] ? html + n + 1 : NULL;
}

int xfer_bundle(xfer_args *a, const char *cmd, const char *outdir, const xl_plot_opts *po_in,
                const char *html, const char *note, int argc, char **argv)
{
    xl_error err;
    xl_error_clear(&err);
    /* a page that can never be written (a device, a directory) fails before the analysis */
    if (html && xl_output_path_check(html, &err))
        return cli_fail(cmd, &err);
    xl_xfer_runs *runs;
    xl_transfer_result *res;
    if (xfer_args_run(a, cmd, &runs, &res))
        return 1;
    char p[4096], pdir[4096], page[4200], spdir[4096], cmdline[2048] = "xferlaw";
    for (int i = 0; i < argc; i++) {
        size_t u = strlen(cmdline);
        snprintf(cmdline + u, sizeof cmdline - u, " %s", argv[i]);
    }
    /* Everything goes into a staging folder and appears in OUTDIR only when all of it was
     * written; a page outside OUTDIR is written beside its target and renamed last. */
    xl_stage st;
    if (xl_stage_open(&st, outdir, &err)) {
        xl_transfer_result_free(res);
        xl_xfer_runs_free(runs);
        return cli_fail(cmd, &err);
    }
    const char *sd = xl_stage_dir(&st), *html_in = html ? inside(outdir, html) : "report.html";
    int rc = 0;
    snprintf(p, sizeof p, "%s/transfer.json", sd);
    if (xl_transfer_write_json(res, p, &err))
        goto fail;
    snprintf(p, sizeof p, "%s/transfer.csv", sd);
    if (xl_transfer_write_csv(res, p, &err))
        goto fail;
    xl_plot_opts po = *po_in;
    snprintf(pdir, sizeof pdir, "%s/plots", outdir);
    snprintf(spdir, sizeof spdir, "%s/plots", sd);
    po.dir = spdir;
    po.final_dir = pdir;
    xl_plot_output plots;
    if (xl_plot_all(res, &po, &plots, &err))
        goto fail;
    xl_report_opts ro = {NULL, XL_VERSION, cmdline, pdir, note, spdir};
    if (html_in)
        snprintf(p, sizeof p, "%s/%s", sd, html_in);
    else   /* the page outside OUTDIR: written now, renamed after the stage's commit */
        xl_afile_defer_begin();
    if (xl_report_write(html_in ? p : html, res, &plots, &ro, &err))
        goto fail;
    if (xl_stage_commit(&st, &err)) {
        xl_afile_defer_end(0, NULL);
        goto done_fail;
    }
    if (xl_afile_defer_end(1, &err))
        goto done_fail;
    snprintf(page, sizeof page, "%s%s%s", html_in ? outdir : html, html_in ? "/" : "",
             html_in ? html_in : "");
    xl_compare_print(res, stdout);
    size_t nr = 0;
    for (size_t i = 0; i < plots.n; i++)
        nr += plots.rendered[i];
    printf("\nwrote %s/transfer.json, %s/transfer.csv, %zu figures in %s (%zu rendered%s%s), %s\n",
           outdir, outdir, plots.n, pdir, nr, plots.gnuplot ? "" : ": ", plots.gnuplot ? "" : plots.why_not,
           page);
    goto done;
fail:
    xl_afile_defer_end(0, NULL);
    xl_stage_fail(&st, &err);
done_fail:
    rc = cli_fail(cmd, &err);
done:
    xl_transfer_result_free(res);
    xl_xfer_runs_free(runs);
    return rc;
}
