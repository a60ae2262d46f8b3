/* xferlaw predict: a saved fit at new points, with 95% intervals (CSV). */
#include "cli.h"
#include "opts.h"
#include "xferlaw/fit.h"
#include "xferlaw/table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: xferlaw predict FIT.json DATA.csv|--at COL=V,... [options]\n"
"\n"
"Evaluate a saved fit (xferlaw fit -o) at new points, with an interval for the law's\n"
"value there: percentiles of the bootstrap replicates when given (--replicates, saved\n"
"by 'xferlaw fit --bootstrap B --replicates FILE'), else the delta method from the\n"
"covariance in FIT.json.  Writes CSV: the law's columns, pred, lo, hi.\n"
"\n"
"  DATA.csv              points: a table with the law's columns (CSV or JSONL)\n"
"  --at COL=V,...        one point (repeatable), e.g. --at N=7e10,D=1.4e12\n"
"  --replicates FILE     bootstrap replicates (CSV, one column per parameter)\n"
"  --level L             interval level (default 0.95)\n"
"  --out OUT.csv, -o     write there (atomically) instead of stdout (- : stdout)\n"
"\n"
"See docs/fitting.md.\n");
}

typedef struct {
    const char *at[256];
    size_t n_at;
    double level;
} predict_args;

/* --at (repeatable, up to 256 points) and --level (strictly inside (0, 1)) */
static int set_arg(void *ctx, const char *name, const char *v)
{
    predict_args *a = ctx;
    if (!strcmp(name, "--level")) {
        if (xl_parse_double(v, &a->level) || !(a->level > 0 && a->level < 1))
            return cli_usage_error("predict", "%s: expected a number in (0, 1), got '%s'", name, v);
    } else if (a->n_at >= sizeof a->at / sizeof a->at[0]) {
        return cli_usage_error("predict", "%s: at most %zu points", name, sizeof a->at / sizeof a->at[0]);
    } else {
        a->at[a->n_at++] = v;
    }
    return 0;
}

int cmd_predict(int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL}, *reps = NULL, *out = NULL;
    predict_args pa = {.level = 0.95};
    const cli_opt opts[] = {
        {"--at", NULL, CLI_FN, NULL, 0, 0, 0, set_arg, 1},
        {"--replicates", NULL, CLI_STR, &reps, 0, 0, 0, NULL, 0},
        {"--level", NULL, CLI_FN, NULL, 0, 0, 0, set_arg, 1}, CLI_OUT(&out), CLI_OPT_END};
    int n_pos, prc = cli_parse("predict", opts, &pa, argc, argv, pos, 2, &n_pos);
    if (prc == CLI_HELP) {
        usage(stdout);
        return 0;
    }
    if (prc)
        return prc;
    const char *fit = pos[0], *data = pos[1], *const *at = pa.at;
    size_t n_at = pa.n_at;
    double level = pa.level;
    if (!fit)
        return cli_usage_error("predict", "no fit (FIT.json from xferlaw fit -o)");
    if (!data == !n_at)
        return cli_usage_error("predict", "give either DATA.csv or --at COL=V,...");
    xl_error err;
    xl_error_clear(&err);
    xl_fit_result *r = NULL;
    xl_table *t = NULL;
    double *buf = NULL;
    const double *x[8] = {0};
    const char *method = NULL;
    int rc = 1;
    if (xl_fit_result_load(fit, &r, &err) || (reps && xl_fit_read_replicates(r, reps, &err)))
        goto done;
    size_t n = n_at, nc = r->n_columns;
    if (data) {
        if (xl_table_read(data, &t, &err))
            goto done;
        n = t->n_rows;
    }
    if (nc > 8 || !(buf = calloc((nc + 3) * (n + 1), sizeof(double)))) {
        xl_error_set(&err, XL_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t c = 0; c < nc; c++) {
        if (t && xl_table_numeric(t, r->columns[c], &x[c], &err))
            goto done;
        if (!t)
            x[c] = buf + c * (n + 1);
    }
    for (size_t i = 0; i < n_at; i++) {
        double p[8];
        if (xl_fit_parse_point(r, at[i], p, &err))
            goto done;
        for (size_t c = 0; c < nc; c++)
            ((double *)x[c])[i] = p[c];
    }
    double *val = buf + nc * (n + 1), *lo = val + n + 1, *hi = lo + n + 1;
    if (xl_fit_predict(r, n, x, level, val, lo, hi, &method, &err) ||
        xl_fit_write_predictions(r, n, x, val, lo, hi, out, &err))
        goto done;
    /* with the CSV on stdout (no --out, or --out -), the summary goes to stderr */
    int to_file = out && strcmp(out, "-");
    fprintf(to_file ? stdout : stderr, "%zu points, %g%% intervals by the %s method%s%s\n", n,
            100 * level, method, to_file ? ", written to " : "", to_file ? out : "");
    rc = 0;
done:
    if (rc)
        cli_fail("predict", &err);
    free(buf);
    xl_table_free(t);
    xl_fit_result_free(r);
    return rc;
}
