/* xferlaw compare: curricula side by side, with tests of shared exponents. */
#include "cli.h"
#include "cmd_transfer_args.h"

#include <string.h>

static void help(void)
{
    printf("usage: xferlaw compare FILE|SWEEPDIR [-o OUT.json] [--at N,DF]... [options]\n\n"
           "k, alpha, beta of D_T = k D_F^alpha N^beta per curriculum with 95%% intervals; a joint\n"
           "fit with beta shared; F-tests (nested least squares on log D_T) of beta, alpha and\n"
           "both differing between curricula, with p-values; each curriculum's data multiplier\n"
           "D_E/D_F at the --at points.\n\n"
           "  -o OUT.json   the whole analysis as JSON\n\n%s",
           XFER_ARGS_HELP);
}

int cmd_compare(int argc, char **argv)
{
    xfer_args a;
    xfer_args_init(&a);
    const char *json = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            help();
            return 0;
        }
        int r = xfer_args_parse(&a, "compare", argc, argv, &i);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            json = argv[++i];
        else
            return cli_usage_error("compare", "unknown option '%s'", argv[i]);
    }
    if (!a.input)
        return cli_usage_error("compare", "missing FILE or SWEEPDIR");
    xl_xfer_runs *runs;
    xl_transfer_result *res;
    if (xfer_args_run(&a, "compare", &runs, &res))
        return 1;
    xl_compare_print(res, stdout);
    xl_error err;
    xl_error_clear(&err);
    int rc = 0;
    if (json && xl_transfer_write_json(res, json, &err))
        rc = cli_fail("compare", &err);
    xl_transfer_result_free(res);
    xl_xfer_runs_free(runs);
    return rc;
}
