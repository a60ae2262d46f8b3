/* xferlaw compare: curricula side by side, with tests of shared exponents. */
#include "cli.h"
#include "cmd_transfer_args.h"

#include <string.h>

static void help(void)
{
    printf("usage: xferlaw compare FILE|SWEEPDIR [--out OUT.json] [--at N,DF]... [options]\n\n"
           "k, alpha, beta of D_T = k D_F^alpha N^beta per curriculum with 95%% intervals; a joint\n"
           "fit with beta shared; F-tests (nested least squares on log D_T) of beta, alpha and\n"
           "both differing between curricula, with p-values; each curriculum's data multiplier\n"
           "D_E/D_F at the --at points.\n\n"
           "  --out OUT.json, -o   the whole analysis as JSON (- : stdout, the tables then go\n"
           "                       to stderr)\n\n");
    xfer_args_brief(stdout, 1);
}

int cmd_compare(int argc, char **argv)
{
    xfer_args a;
    xfer_args_init(&a);
    const char *json = NULL;
    const cli_opt own[] = {CLI_OUT(&json), CLI_OPT_END};
    int rc = xfer_args_parse(&a, "compare", own, 1, argc, argv);
    if (rc == CLI_HELP) {
        help();
        return 0;
    }
    if (rc)
        return rc;
    if (!a.input)
        return cli_usage_error("compare", "missing FILE or SWEEPDIR (- for standard input)");
    xl_xfer_runs *runs;
    xl_transfer_result *res;
    if (xfer_args_run(&a, "compare", &runs, &res))
        return 1;
    xl_compare_print(res, json && !strcmp(json, "-") ? stderr : stdout);
    xl_error err;
    xl_error_clear(&err);
    if (json && xl_transfer_write_json(res, json, &err))
        rc = cli_fail("compare", &err);
    xl_transfer_result_free(res);
    xl_xfer_runs_free(runs);
    return rc;
}
