/* xferlaw fit: read a table, derive/filter columns, fit a law, print and save. */
#include "cli.h"
#include "xferlaw/fit.h"
#include "xferlaw/table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The fit's matrices are tiny; OpenBLAS threads would only fight our own workers. */
void openblas_set_num_threads(int n);

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: xferlaw fit FILE --law NAME|FORMULA [options]\n"
"\n"
"Fit a scaling law to measurements (CSV with a header row, or JSONL).\n"
"Symbols of the formula that are columns are data, the others are parameters.\n"
"\n"
"  --law NAME|FORMULA   a named law (below) or a formula, e.g. 'E + A/N^alpha + B/D^beta'\n"
"  --y COL              target column (default: the law's, e.g. loss; formulas: loss)\n"
"  --define NAME=EXPR   add a derived column, e.g. --define 'D=C/(6*N)' (repeatable)\n"
"  --where EXPR         keep only rows where EXPR is true, e.g. --where 'loss < 3.44'\n"
"  --loss lsq|huber:D   least squares (default) or Huber with threshold D on residuals\n"
"  --space log|linear   residuals log f - log y (default) or f - y\n"
"  --weight COL         weight each row's loss term by COL (>= 0)\n"
"  --starts N           N random starts in the law's start box (default: its grid;\n"
"                       formulas: 64 random starts in a box from the data's scales,\n"
"                       see docs/fitting.md)\n"
"  --start NAME=VALUE   also start from this value (one extra first start; repeatable)\n"
"  --start-box NAME=LO:HI  draw NAME's random starts in [LO, HI] (repeatable)\n"
"  --bootstrap B        B seeded resamples of the rows, refit in parallel; 95%% CI by the\n"
"                       expanded percentile method (see README)\n"
"  --seed S             seed for random starts and the bootstrap (default 1)\n"
"  --threads K          worker threads (default: all cores)\n"
"  --max-iter N         iterations per local minimisation (default 500)\n"
"  --holdout EXPR       fit the rows where EXPR is false; report RMSLE on the others\n"
"  --fix NAME=VALUE     hold a parameter at a value (repeatable)\n"
"  --bound NAME=LO:HI   constrain a parameter (either side may be empty; repeatable)\n"
"  -o OUT.json          save the fit (atomically); a bare name (no '/') goes to fits/,\n"
"                       and gets '.json' when it has no extension\n"
"  --residuals OUT.csv  write line,y,pred,resid,heldout for every row\n"
"  --replicates OUT.csv write the bootstrap refits (a column per parameter), for\n"
"                       xferlaw predict --replicates\n"
"  --by COL             one fit per group of rows with the same COL; one JSON with every\n"
"                       group (-o) and a summary table\n"
"  --melt COLS --into KEY=VALUE  read a wide table in long form first: each cell of\n"
"                       COLS (comma list; 'PREFIX*' selects by prefix) becomes a row with\n"
"                       KEY = its column's name (after the prefix) and VALUE = the cell\n"
"  --quiet              no progress on stderr\n"
"\n"
"Named laws:\n");
    for (size_t i = 0; i < xl_law_count(); i++) {
        const xl_law_info *l = xl_law_get(i);
        fprintf(fp, "  %-13s %s\n", l->name, l->description);
    }
    fprintf(fp,
"\n"
"Example (Epoch AI's Chinchilla replication):\n"
"  xferlaw fit data/chinchilla.csv --define 'D=C/(6*N)' --where 'loss < 3.44' \\\n"
"      --law chinchilla --loss huber:1e-3 --bootstrap 4000 -o chinchilla\n");
}

static void print_result(const xl_fit_result *r, const char *path)
{
    printf("law %s: %s = %s\n", r->law, r->y, r->formula);
    printf("%zu rows of %s, loss ", r->n, path);
    if (r->loss == XL_FIT_HUBER)
        printf("huber:%g", r->huber_delta);
    else
        printf("lsq");
    printf(" in %s space; %zu starts, %zu distinct optima, %zu reached the best, %s\n",
           r->space == XL_FIT_SPACE_LOG ? "log" : "linear", r->starts, r->distinct_optima,
           r->n_best, r->converged ? "converged" : "NOT converged");
    printf("\n%-10s %14s %12s   %s\n", "param", "value", "se", "95% CI");
    for (size_t k = 0; k < r->n_params; k++) {
        const xl_fit_param *p = &r->params[k];
        printf("%-10s %14.6g ", p->name, p->value);
        if (p->fixed)
            printf("%12s   (fixed)\n", "-");
        else if (isfinite(p->ci_lo))
            printf("%12.4g   [%.5g, %.5g]\n", p->se, p->ci_lo, p->ci_hi);
        else
            printf("%12.4g   -\n", p->se);
    }
    printf("\nobjective %.10g   rmse_log %.5g   R2 %.5f   AIC %.2f   BIC %.2f\n", r->objective,
           r->diag.rmse_log, r->diag.r2, r->diag.aic, r->diag.bic);
    printf("se: %s", r->se_method);
    if (r->bootstrap)
        printf("; CI: bootstrap expanded percentile (quantiles %.4g, %.4g), %zu of %zu refits converged",
               r->ci_tail, 1 - r->ci_tail, r->bootstrap_converged, r->bootstrap);
    printf("\n");
    if (r->diag.n_holdout)
        printf("holdout: %zu rows, RMSLE %.5g\n", r->diag.n_holdout, r->diag.holdout_rmsle);
    if (r->n_warnings)
        printf("\nWARNINGS (%zu):\n", r->n_warnings);
    for (size_t w = 0; w < r->n_warnings; w++) {
        printf("  ! %s\n", r->warnings[w]);
        fprintf(stderr, "xferlaw fit: warning: %s\n", r->warnings[w]);
    }
}

/* --by: every group's fit, a summary table (a row per group), one JSON. */
static int fit_by(const xl_table *t, const char *by, xl_fit_options *o, const char *outpath,
                  const char *path, xl_error *err)
{
    xl_fit_groups *g = NULL;
    o->progress = NULL;   /* one progress bar per group would drown the table */
    if (xl_fit_table_by(t, by, o, &g, err))
        return 1;
    int rc = 1;
    if (outpath[0] && ((strncmp(outpath, "fits/", 5) == 0 && xl_mkdirs("fits", err)) ||
                       xl_fit_groups_save(g, outpath, err)))
        goto done;
    const xl_fit_result *any = NULL;
    for (size_t q = 0; q < g->n && !any; q++)
        any = g->fits[q];
    printf("%zu groups by %s in %s: %zu fitted, %zu failed\n\n", g->n, by, path, g->n_ok,
           g->n - g->n_ok);
    printf("%-16s %5s %12s %9s", by, "n", "objective", "R2");
    for (size_t k = 0; any && k < any->n_params; k++)
        printf(" %12s", any->params[k].name);
    printf("  warnings\n");
    for (size_t q = 0; q < g->n; q++) {
        const xl_fit_result *r = g->fits[q];
        printf("%-16.16s ", g->keys[q]);
        if (!r) {
            printf("error: %s\n", g->errors[q]);
            fprintf(stderr, "xferlaw fit: warning: %s '%s': %s\n", by, g->keys[q], g->errors[q]);
            continue;
        }
        printf("%5zu %12.6g %9.5f", r->n, r->objective, r->diag.r2);
        for (size_t k = 0; k < r->n_params; k++)
            printf(" %12.6g", r->params[k].value);
        printf("  %zu\n", r->n_warnings);
        for (size_t w = 0; w < r->n_warnings; w++)
            fprintf(stderr, "xferlaw fit: warning: %s '%s': %s\n", by, g->keys[q], r->warnings[w]);
    }
    if (outpath[0])
        printf("saved %s\n", outpath);
    rc = 0;
done:
    xl_fit_groups_free(g);
    return rc;
}

static int need(int i, int argc, char **argv)
{
    if (i + 1 >= argc)
        return cli_usage_error("fit", "option %s needs a value", argv[i]);
    return 0;
}

int cmd_fit(int argc, char **argv)
{
    openblas_set_num_threads(1);
    const char *path = NULL, *out = NULL, *resid = NULL, *where = NULL, *reps = NULL;
    const char *by = NULL, *melt = NULL, *into = NULL;
    const char *defines[64];
    int n_def = 0, quiet = 0;
    xl_fit_options o;
    xl_fit_options_init(&o);
    xl_error err;
    xl_error_clear(&err);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            usage(stdout);
            return 0;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (path)
                return cli_usage_error("fit", "unexpected argument '%s'", a);
            path = a;
            continue;
        }
        if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
            continue;
        }
        if (need(i, argc, argv))
            return 2;
        const char *v = argv[++i];
        long l;
        if (strcmp(a, "--law") == 0)
            o.law = v;
        else if (strcmp(a, "--y") == 0)
            o.y = v;
        else if (strcmp(a, "--define") == 0) {
            if (n_def >= 64)
                return cli_usage_error("fit", "too many --define");
            defines[n_def++] = v;
        } else if (strcmp(a, "--where") == 0)
            where = v;
        else if (strcmp(a, "--loss") == 0) {
            if (xl_fit_options_set_loss(&o, v, &err))
                return cli_usage_error("fit", "%s", err.msg);
        } else if (strcmp(a, "--space") == 0) {
            if (xl_fit_options_set_space(&o, v, &err))
                return cli_usage_error("fit", "%s", err.msg);
        } else if (strcmp(a, "--weight") == 0)
            o.weight = v;
        else if (strcmp(a, "--starts") == 0 || strcmp(a, "--bootstrap") == 0 ||
                 strcmp(a, "--seed") == 0 || strcmp(a, "--threads") == 0 ||
                 strcmp(a, "--max-iter") == 0) {
            if (xl_parse_long(v, &l) || l < 0)
                return cli_usage_error("fit", "%s '%s': expected an integer >= 0", a, v);
            if (a[2] == 's' && a[3] == 't')
                o.n_starts = (size_t)l;
            else if (a[2] == 'b')
                o.bootstrap = (size_t)l;
            else if (a[2] == 's')
                o.seed = (uint64_t)l;
            else if (a[2] == 'm')
                o.max_iter = (int)l;
            else
                o.threads = (int)l;
        } else if (strcmp(a, "--holdout") == 0)
            o.holdout = v;
        else if (strcmp(a, "--fix") == 0) {
            if (xl_fit_options_add_fixed(&o, v, &err))
                return cli_usage_error("fit", "%s", err.msg);
        } else if (strcmp(a, "--bound") == 0) {
            if (xl_fit_options_add_bound(&o, v, &err))
                return cli_usage_error("fit", "%s", err.msg);
        } else if (strcmp(a, "--start") == 0) {
            if (xl_fit_options_add_start(&o, v, &err))
                return cli_usage_error("fit", "%s", err.msg);
        } else if (strcmp(a, "--start-box") == 0) {
            if (xl_fit_options_add_start_box(&o, v, &err))
                return cli_usage_error("fit", "%s", err.msg);
        } else if (strcmp(a, "-o") == 0)
            out = v;
        else if (strcmp(a, "--residuals") == 0)
            resid = v;
        else if (strcmp(a, "--replicates") == 0)
            reps = v;
        else if (strcmp(a, "--by") == 0)
            by = v;
        else if (strcmp(a, "--melt") == 0)
            melt = v;
        else if (strcmp(a, "--into") == 0)
            into = v;
        else
            return cli_usage_error("fit", "unknown option '%s'", a);
    }
    if (!path)
        return cli_usage_error("fit", "no input file");
    if (!o.law)
        return cli_usage_error("fit", "no --law (a name such as chinchilla, or a formula)");
    if (reps && !o.bootstrap)
        return cli_usage_error("fit", "--replicates needs --bootstrap B");
    if (!melt != !into)
        return cli_usage_error("fit", "--melt COLS and --into KEY=VALUE go together");
    if (by && (resid || reps))
        return cli_usage_error("fit", "--by: --residuals and --replicates are per fit; fit a group alone");
    if (!quiet)
        o.progress = stderr;

    char outpath[4096] = "";
    if (out) {
        int bare = strchr(out, '/') == NULL;
        const char *dot = strrchr(out, '.');
        snprintf(outpath, sizeof outpath, "%s%s%s", bare ? "fits/" : "", out,
                 bare && !dot ? ".json" : "");
    }
    xl_table *t = NULL;
    xl_fit_result *r = NULL;
    int rc = 1;
    if (xl_table_read(path, &t, &err))
        goto done;
    if (melt) {
        xl_table *long_t = NULL;
        if (xl_table_melt(t, melt, into, &long_t, &err))
            goto done;
        xl_table_free(t);
        t = long_t;
    }
    for (int d = 0; d < n_def; d++)
        if (xl_table_define(t, defines[d], &err)) {
            xl_error_prefix(&err, "--define '%s'", defines[d]);
            goto done;
        }
    if (where && xl_table_where(t, where, &err)) {
        xl_error_prefix(&err, "--where '%s'", where);
        goto done;
    }
    if (by) {
        rc = fit_by(t, by, &o, outpath, path, &err);
        goto done;
    }
    if (xl_fit_table(t, &o, &r, &err))
        goto done;
    /* the fit and its residuals appear together or not at all */
    xl_afile_defer_begin();
    if (outpath[0]) {
        if (strncmp(outpath, "fits/", 5) == 0 && xl_mkdirs("fits", &err))
            goto done;
        if (xl_fit_result_save(r, outpath, &err))
            goto done;
    }
    if (resid && xl_fit_write_residuals(r, resid, &err))
        goto done;
    if (reps && xl_fit_write_replicates(r, reps, &err))
        goto done;
    if (xl_afile_defer_end(1, &err))
        goto done;
    print_result(r, path);
    if (outpath[0])
        printf("saved %s\n", outpath);
    rc = 0;
done:
    if (rc) {
        xl_afile_defer_end(0, NULL);
        cli_fail("fit", &err);
    }
    xl_fit_result_free(r);
    xl_table_free(t);
    return rc;
}
