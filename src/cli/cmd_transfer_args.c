/* Options shared by the analysis subcommands. */
#include "cmd_transfer_args.h"
#include "cli.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>

const char XFER_ARGS_HELP[] =
    "Input: FILE (CSV/JSONL: curriculum, N, D or D_F, loss; curriculum 'scratch' for\n"
    "from-scratch runs) or SWEEPDIR (its runs.jsonl).\n"
    "Analysis options:\n"
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
    "  --bootstrap B           pipeline bootstrap replicates for intervals (default 400)\n"
    "  --seed S, --threads K   bootstrap seed (default 1), threads (default all cores)\n"
    "  --at N,DF               report the data multiplier D_E/D_F there (repeatable)\n"
    "  --estimator interp|fit  D_T used by the comparison (default interp unless it lost\n"
    "                          most runs to its flags)\n"
    "  --target-loss L         compute accounting: FLOPs to reach L\n"
    "  --compute-curriculum C  fine-tuning law used there (default: the first)\n"
    "  --pretrain-tokens D     count 6*N*D pre-training FLOPs as well\n"
    "  --quiet                 no progress on stderr\n";

void xfer_args_init(xfer_args *a)
{
    memset(a, 0, sizeof *a);
    xl_xfer_opts_default(&a->opts);
}

static int num(const char *cmd, const char *opt, const char *s, double *v, double lo,
               double hi)
{
    /* hi: counts stay within what their integer type holds */
    if (!s || xl_parse_double(s, v) || !(*v >= lo) || !(*v <= hi)) {
        cli_usage_error(cmd, "%s needs a number in [%g, %g], got '%s'", opt, lo, hi, s ? s : "");
        return -1;
    }
    return 1;
}

int xfer_args_parse(xfer_args *a, const char *cmd, int argc, char **argv, int *i)
{
    const char *o = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    double d;
    xl_xfer_opts *op = &a->opts;
#define TAKE(var, lo) TAKE_IN(var, lo, HUGE_VAL)
#define TAKE_IN(var, lo, hi)                                                               \
    do {                                                                                   \
        if (num(cmd, o, v, &d, lo, hi) < 0)                                                \
            return -1;                                                                     \
        var = d;                                                                           \
        (*i)++;                                                                            \
        return 1;                                                                          \
    } while (0)
    if (!strcmp(o, "--low-data"))
        TAKE(op->low_data_frac, 1e-12);
    if (!strcmp(o, "--within"))
        TAKE(op->within, 1e-12);
    if (!strcmp(o, "--disagree"))
        TAKE(op->disagree, 1);
    if (!strcmp(o, "--bootstrap"))
        TAKE_IN(op->bootstrap, 0, 1e12);
    if (!strcmp(o, "--seed"))
        TAKE_IN(op->seed, 0, 9007199254740992.0);
    if (!strcmp(o, "--threads"))
        TAKE_IN(op->threads, 0, 1e6);
    if (!strcmp(o, "--target-loss"))
        TAKE(op->target_loss, 1e-300);
    if (!strcmp(o, "--pretrain-tokens"))
        TAKE(op->pretrain_tokens, 0);
    if (!strcmp(o, "--transition-margin"))
        TAKE(op->transition_margin, 1e-12);
    if (!strcmp(o, "--unigram-loss"))
        TAKE(op->unigram_loss, 1e-12);
#undef TAKE
#undef TAKE_IN
    if (!strcmp(o, "--include-extrapolated")) {
        op->include_extrapolated = 1;
        return 1;
    }
    if (!strcmp(o, "--include-flat")) {
        op->include_flat = 1;
        return 1;
    }
    if (!strcmp(o, "--include-cap")) {
        op->include_cap = 1;
        return 1;
    }
    if (!strcmp(o, "--include-pre-transition")) {
        op->include_pre_transition = 1;
        return 1;
    }
    if (!strcmp(o, "--include-high-data")) {
        op->include_high_data = 1;
        return 1;
    }
    if (!strcmp(o, "--quiet")) {
        op->no_progress = 1;
        a->quiet = 1;
        return 1;
    }
    if (!strcmp(o, "--at")) {
        char *end;
        double N = v ? strtod(v, &end) : 0, DF = 0;
        if (!v || *end != ',' || xl_parse_double(end + 1, &DF) || !(N > 0) || !(DF > 0)) {
            cli_usage_error(cmd, "--at needs N,DF (two positive numbers), got '%s'", v ? v : "");
            return -1;
        }
        if (op->n_at >= 16) {
            cli_usage_error(cmd, "at most 16 --at points");
            return -1;
        }
        op->at_N[op->n_at] = N;
        op->at_DF[op->n_at++] = DF;
        (*i)++;
        return 1;
    }
    if (!strcmp(o, "--estimator")) {
        if (!v || (strcmp(v, "interp") && strcmp(v, "fit"))) {
            cli_usage_error(cmd, "--estimator is interp or fit");
            return -1;
        }
        op->estimator = strcmp(v, "interp") ? XL_EST_FIT : XL_EST_INTERP;
        (*i)++;
        return 1;
    }
    if (!strcmp(o, "--compute-curriculum")) {
        if (!v) {
            cli_usage_error(cmd, "--compute-curriculum needs a name");
            return -1;
        }
        op->compute_curriculum = v;
        (*i)++;
        return 1;
    }
    if (!strcmp(o, "--define") || !strcmp(o, "--where")) {
        if (!v) {
            cli_usage_error(cmd, "%s needs a value", o);
            return -1;
        }
        if (o[2] == 'd' && a->n_defines < 32)
            a->defines[a->n_defines++] = v;
        else if (o[2] == 'w' && a->n_wheres < 32)
            a->wheres[a->n_wheres++] = v;
        (*i)++;
        return 1;
    }
    if (o[0] != '-' && !a->input) {
        a->input = o;
        return 1;
    }
    return 0;
}

int xfer_args_run(xfer_args *a, const char *cmd, xl_xfer_runs **runs, xl_transfer_result **res)
{
    xl_error err;
    xl_error_clear(&err);
    *runs = NULL;
    *res = NULL;
    if (xl_xfer_runs_load(a->input, a->defines, a->n_defines, a->wheres, a->n_wheres, runs, &err))
        return cli_fail(cmd, &err);
    if (xl_transfer_analyze(*runs, &a->opts, res, &err)) {
        xl_xfer_runs_free(*runs);
        *runs = NULL;
        return cli_fail(cmd, &err);
    }
    return 0;
}

#include "xferlaw/report.h"

int xfer_bundle(xfer_args *a, const char *cmd, const char *outdir, const xl_plot_opts *po_in,
                const char *html, const char *note, int argc, char **argv)
{
    xl_error err;
    xl_error_clear(&err);
    if (xl_mkdirs(outdir, &err))
        return cli_fail(cmd, &err);
    xl_xfer_runs *runs;
    xl_transfer_result *res;
    if (xfer_args_run(a, cmd, &runs, &res))
        return 1;
    char p[4096], pdir[4096], cmdline[2048] = "xferlaw";
    for (int i = 0; i < argc; i++) {
        size_t u = strlen(cmdline);
        snprintf(cmdline + u, sizeof cmdline - u, " %s", argv[i]);
    }
    int rc = 0;
    snprintf(p, sizeof p, "%s/transfer.json", outdir);
    if (xl_transfer_write_json(res, p, &err))
        goto fail;
    snprintf(p, sizeof p, "%s/transfer.csv", outdir);
    if (xl_transfer_write_csv(res, p, &err))
        goto fail;
    xl_plot_opts po = *po_in;
    snprintf(pdir, sizeof pdir, "%s/plots", outdir);
    po.dir = pdir;
    xl_plot_output plots;
    if (xl_plot_all(res, &po, &plots, &err))
        goto fail;
    xl_report_opts ro = {NULL, XL_VERSION, cmdline, pdir, note};
    if (xl_report_write(html, res, &plots, &ro, &err))
        goto fail;
    xl_compare_print(res, stdout);
    size_t nr = 0;
    for (size_t i = 0; i < plots.n; i++)
        nr += plots.rendered[i];
    printf("\nwrote %s/transfer.json, %s/transfer.csv, %zu figures in %s (%zu rendered%s), %s\n",
           outdir, outdir, plots.n, pdir, nr, plots.gnuplot ? "" : ": gnuplot not found", html);
    goto done;
fail:
    rc = cli_fail(cmd, &err);
done:
    xl_transfer_result_free(res);
    xl_xfer_runs_free(runs);
    return rc;
}
