/* xferlaw transfer: effective data transferred from measurements. */
#include "cli.h"
#include "cmd_transfer_args.h"

#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("usage: xferlaw transfer FILE|SWEEPDIR [--out OUT.json] [--csv OUT.csv] [options]\n"
           "       xferlaw transfer --make-planted OUT.csv [--curricula 1|2] [--noise F] [--seed S]\n\n"
           "Effective data transferred (Hernandez et al. 2021): for each fine-tuned run, the\n"
           "from-scratch data D_E reaching its loss, by interpolation of the measured scratch\n"
           "curve and by inversion of the fitted Kaplan L(N,D); D_T = D_E - D_F; fits of\n"
           "D_T = k D_F^alpha N^beta per curriculum (log-linear, fit-the-fits, loss space) with\n"
           "pipeline-bootstrap intervals, in the low-data regime D_F <= 10%% of D(N).\n\n"
           "  --out OUT.json, -o      everything as JSON (- : stdout, the tables then go to stderr)\n"
           "  --csv OUT.csv           per-run table (D_E, D_T both ways, flags; - : stdout)\n"
           "  --make-planted OUT.csv  write planted measurements (Kaplan scratch losses,\n"
           "                          D_T = 1.9e4 D_F^0.18 N^0.38; with --curricula 2 also\n"
           "                          'mix': 2.1e5 D_F^0.096 N^0.38) and exit\n"
           "  --curricula 1|2         planted curricula (default 1)\n"
           "  --noise F               planted relative loss noise (default 0.003)\n\n%s",
           XFER_ARGS_HELP);
}

static int make_planted(const char *out, int n_cur, double noise, uint64_t seed)
{
    xl_planted_spec s;
    xl_planted_default(&s);
    s.seed = seed;
    if (noise >= 0)
        s.noise = noise;
    if (n_cur >= 2) {
        s.n_curricula = 2;
        s.curricula[1] = (xl_planted_curriculum){"mix", 2.1e5, 0.096, 0.38};
    }
    xl_xfer_runs *r;
    xl_error err;
    xl_error_clear(&err);
    if (xl_planted_generate(&s, &r, &err) || xl_xfer_runs_write_csv(r, out, &err))
        return cli_fail("transfer", &err);
    fprintf(stderr, "xferlaw transfer: wrote %zu planted rows to %s\n", r->n, out);
    xl_xfer_runs_free(r);
    return 0;
}

int cmd_transfer(int argc, char **argv)
{
    xfer_args a;
    xfer_args_init(&a);
    const char *json = NULL, *csv = NULL, *planted = NULL;
    int n_cur = 1;
    double noise = -1;
    const cli_opt own[] = {
        CLI_OUT(&json), {"--csv", NULL, CLI_STR, &csv, 0, 0, 0, NULL, 0},
        {"--make-planted", NULL, CLI_STR, &planted, 0, 0, 0, NULL, 0},
        {"--curricula", NULL, CLI_INT, &n_cur, 1, 2, 0, NULL, 0},
        {"--noise", NULL, CLI_DOUBLE, &noise, 0, 0, 0, NULL, 0}, CLI_OPT_END};
    int rc = xfer_args_parse(&a, "transfer", own, 1, argc, argv);
    if (rc == CLI_HELP) {
        help();
        return 0;
    }
    if (rc)
        return rc;
    if (planted)
        return make_planted(planted, n_cur, noise, a.opts.seed);
    if (!a.input)
        return cli_usage_error("transfer", "missing FILE or SWEEPDIR (- for standard input)");
    if (json && csv && !strcmp(json, "-") && !strcmp(csv, "-"))
        return cli_usage_error("transfer", "--out and --csv cannot both be - (stdout)");
    /* a table or JSON on stdout goes alone: the human tables move to stderr */
    FILE *human = (json && !strcmp(json, "-")) || (csv && !strcmp(csv, "-")) ? stderr : stdout;
    xl_xfer_runs *runs;
    xl_transfer_result *res;
    if (xfer_args_run(&a, "transfer", &runs, &res))
        return 1;
    xl_error err;
    xl_error_clear(&err);
    xl_transfer_print(res, human);
    if (res->n_curricula > 1) {
        fprintf(human, "\n");
        xl_compare_print(res, human);
    }
    /* --out and --csv appear together or not at all */
    xl_afile_defer_begin();
    if ((json && xl_transfer_write_json(res, json, &err)) ||
        (csv && xl_transfer_write_csv(res, csv, &err)) || xl_afile_defer_end(1, &err)) {
        xl_afile_defer_end(0, NULL);
        rc = cli_fail("transfer", &err);
    }
    xl_transfer_result_free(res);
    xl_xfer_runs_free(runs);
    return rc;
}
