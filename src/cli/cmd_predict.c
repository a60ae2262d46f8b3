/* xferlaw predict: a saved fit at new points, with 95% intervals (CSV). */
#include "cli.h"
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
"  -o OUT.csv            write there (atomically) instead of stdout\n"
"\n"
"See docs/fitting.md.\n");
}

int cmd_predict(int argc, char **argv)
{
    const char *fit = NULL, *data = NULL, *reps = NULL, *out = NULL, *at[256];
    size_t n_at = 0;
    double level = 0.95;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            usage(stdout);
            return 0;
        }
        if (a[0] != '-') {
            if (!fit)
                fit = a;
            else if (!data)
                data = a;
            else
                return cli_usage_error("predict", "unexpected argument '%s'", a);
            continue;
        }
        if (i + 1 >= argc)
            return cli_usage_error("predict", "option %s needs a value", a);
        const char *v = argv[++i];
        if (strcmp(a, "--at") == 0) {
            if (n_at >= 256)
                return cli_usage_error("predict", "too many --at");
            at[n_at++] = v;
        } else if (strcmp(a, "--replicates") == 0)
            reps = v;
        else if (strcmp(a, "-o") == 0)
            out = v;
        else if (strcmp(a, "--level") == 0) {
            if (xl_parse_double(v, &level) || !(level > 0 && level < 1))
                return cli_usage_error("predict", "--level '%s': expected a number in (0, 1)", v);
        } else
            return cli_usage_error("predict", "unknown option '%s'", a);
    }
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
    fprintf(out ? stdout : stderr, "%zu points, %g%% intervals by the %s method%s%s\n", n,
            100 * level, method, out ? ", written to " : "", out ? out : "");
    rc = 0;
done:
    if (rc)
        cli_fail("predict", &err);
    free(buf);
    xl_table_free(t);
    xl_fit_result_free(r);
    return rc;
}
