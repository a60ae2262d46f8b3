/* xferlaw fit: read a table, derive/filter columns, fit a law, print and save. */
#include "cli.h"
#include "opts.h"
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
"Fit a scaling law to measurements (CSV with a header row, or JSONL; FILE - reads\n"
"standard input).\n"
"Symbols of the formula that are columns are data, the others are parameters.\n"
"\n"
"  --law NAME|FORMULA   a named law (below) or a formula, e.g. 'E + A/N^alpha + B/D^beta'\n"
"  --y COL              target column (default: the law's, e.g. loss; formulas: loss)\n"
"  --define NAME=EXPR   add a derived column, e.g. --define 'D=C/(6*N)' (repeatable)\n"
"  --where EXPR         keep only rows where EXPR is true, e.g. --where 'loss < 3.44'\n"
"                       (repeatable: every one must hold)\n"
"  --loss lsq|huber:D   least squares (default) or Huber with threshold D on residuals\n"
"  --space log|linear   residuals log f - log y (default) or f - y\n"
"  --weight COL         weight each row's loss term by COL (>= 0)\n"
"  --starts N           N random starts in the law's start box (default: its grid;\n"
"                       formulas: 64 random starts in a box from the data's scales,\n"
"                       see docs/fitting.md)\n"
"  --start NAME=VALUE   also start from this value (one extra first start; repeatable)\n"
"  --start-box NAME=LO:HI  draw NAME's random starts in [LO, HI] (repeatable)\n"
"  --bootstrap B        bootstrap replicates (seeded resamples of the rows, each fitted\n"
"                       again) for the 95%% intervals; 0 = none (default 0: standard\n"
"                       errors alone, from the covariance; a replicate costs a fit).\n"
"                       The interval is the expanded percentile one; refits in parallel\n"
"  --seed S             seed for random starts and the bootstrap (default 1)\n"
"  --threads K          worker threads (default: all cores)\n"
"  --max-iter N         iterations per local minimisation (default 500)\n"
"  --holdout EXPR       fit the rows where EXPR is false; report RMSLE on the others\n"
"  --fix NAME=VALUE     hold a parameter at a value (repeatable)\n"
"  --bound NAME=LO:HI   constrain a parameter (either side may be empty; repeatable)\n"
"  --out OUT.json, -o   save the fit as JSON (atomically); - writes it to stdout\n"
"                       (the summary then goes to stderr)\n"
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
"      --law chinchilla --loss huber:1e-3 --bootstrap 4000 --out chinchilla.json\n");
}

static void print_result(FILE *fp, const xl_fit_result *r, const char *path)
{
    fprintf(fp, "law %s: %s = %s\n", r->law, r->y, r->formula);
    fprintf(fp, "%zu rows of %s, loss ", r->n, path);
    if (r->loss == XL_FIT_HUBER)
        fprintf(fp, "huber:%g", r->huber_delta);
    else
        fprintf(fp, "lsq");
    fprintf(fp, " in %s space; %zu starts, %zu distinct optima, %s\n",
           r->space == XL_FIT_SPACE_LOG ? "log" : "linear", r->starts, r->distinct_optima,
           r->converged ? "converged" : "NOT converged");
    fprintf(fp, "\n%-10s %14s %12s   %s\n", "param", "value", "se", "95% CI");
    for (size_t k = 0; k < r->n_params; k++) {
        const xl_fit_param *p = &r->params[k];
        fprintf(fp, "%-10s %14.6g ", p->name, p->value);
        if (p->fixed)
            fprintf(fp, "%12s   (fixed)\n", "-");
        else if (isfinite(p->ci_lo))
            fprintf(fp, "%12.4g   [%.5g, %.5g]\n", p->se, p->ci_lo, p->ci_hi);
        else
            fprintf(fp, "%12.4g   -\n", p->se);
    }
    fprintf(fp, "\nobjective %.10g   rmse_log %.5g   R2 %.5f   AIC %.2f   BIC %.2f\n", r->objective,
           r->diag.rmse_log, r->diag.r2, r->diag.aic, r->diag.bic);
    fprintf(fp, "se: %s", r->se_method);
    if (r->bootstrap)
        fprintf(fp, "; CI: bootstrap expanded percentile (quantiles %.4g, %.4g), %zu of %zu refits converged",
               r->ci_tail, 1 - r->ci_tail, r->bootstrap_converged, r->bootstrap);
    fprintf(fp, "\n");
    if (r->diag.n_holdout)
        fprintf(fp, "holdout: %zu rows, RMSLE %.5g\n", r->diag.n_holdout, r->diag.holdout_rmsle);
    if (r->n_warnings)
        fprintf(fp, "\nWARNINGS (%zu):\n", r->n_warnings);
    for (size_t w = 0; w < r->n_warnings; w++) {
        fprintf(fp, "  ! %s\n", r->warnings[w]);
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
    if (outpath && xl_fit_groups_save(g, outpath, err))
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
    if (outpath && strcmp(outpath, "-"))
        printf("saved %s\n", outpath);
    rc = 0;
done:
    xl_fit_groups_free(g);
    return rc;
}

typedef struct {
    xl_fit_options *o;
    xl_error err;
} fit_ctx;

static int set_loss(void *ctx, const char *name, const char *v)
{
    fit_ctx *c = ctx;
    int rc = !strcmp(name, "--loss")    ? xl_fit_options_set_loss(c->o, v, &c->err)
             : !strcmp(name, "--space") ? xl_fit_options_set_space(c->o, v, &c->err)
             : !strcmp(name, "--fix")   ? xl_fit_options_add_fixed(c->o, v, &c->err)
             : !strcmp(name, "--start") ? xl_fit_options_add_start(c->o, v, &c->err)
             : !strcmp(name, "--start-box") ? xl_fit_options_add_start_box(c->o, v, &c->err)
                                        : xl_fit_options_add_bound(c->o, v, &c->err);
    return rc ? cli_usage_error("fit", "%s", c->err.msg) : 0;
}

/* A bare word that is not a named law but is one edit from one is a typo, not a formula. */
static int check_law(const char *law)
{
    if (xl_law_find(law) || strspn(law, "abcdefghijklmnopqrstuvwxyz0123456789_:-") != strlen(law))
        return 0;
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; i < xl_law_count() && n < 64; i++)
        names[n++] = xl_law_get(i)->name;
    const char *s = cli_suggest(law, names, n);
    return s ? cli_usage_error("fit", "--law '%s' is not a named law, did you mean '%s'?", law, s)
             : 0;
}

int cmd_fit(int argc, char **argv)
{
    openblas_set_num_threads(1);
    const char *path = NULL, *out = NULL, *resid = NULL, *reps = NULL;
    const char *by = NULL, *melt = NULL, *into = NULL;
    cli_list defines = {0}, wheres = {0};
    int quiet = 0, threads = 0, bootstrap = 0, starts = 0, max_iter = 0;
    xl_fit_options o;
    xl_fit_options_init(&o);
    fit_ctx ctx = {&o, {0}};
    const cli_opt opts[] = {
        {"--law", NULL, CLI_STR, &o.law, 0, 0, 0, NULL, 0},
        {"--y", NULL, CLI_STR, &o.y, 0, 0, 0, NULL, 0},
        {"--define", NULL, CLI_LIST, &defines, 0, 0, 0, NULL, 0},
        {"--where", NULL, CLI_LIST, &wheres, 0, 0, 0, NULL, 0},
        {"--loss", NULL, CLI_FN, NULL, 0, 0, 0, set_loss, 1},
        {"--space", NULL, CLI_FN, NULL, 0, 0, 0, set_loss, 1},
        {"--weight", NULL, CLI_STR, &o.weight, 0, 0, 0, NULL, 0},
        {"--starts", NULL, CLI_INT, &starts, 0, 1e7, 0, NULL, 0},
        {"--max-iter", NULL, CLI_INT, &max_iter, 0, 1e7, 0, NULL, 0},
        {"--holdout", NULL, CLI_STR, &o.holdout, 0, 0, 0, NULL, 0},
        {"--fix", NULL, CLI_FN, NULL, 0, 0, 0, set_loss, 1},
        {"--bound", NULL, CLI_FN, NULL, 0, 0, 0, set_loss, 1},
        {"--residuals", NULL, CLI_STR, &resid, 0, 0, 0, NULL, 0},
        {"--start", NULL, CLI_FN, NULL, 0, 0, 0, set_loss, 1},
        {"--start-box", NULL, CLI_FN, NULL, 0, 0, 0, set_loss, 1},
        {"--replicates", NULL, CLI_STR, &reps, 0, 0, 0, NULL, 0},
        {"--by", NULL, CLI_STR, &by, 0, 0, 0, NULL, 0},
        {"--melt", NULL, CLI_STR, &melt, 0, 0, 0, NULL, 0},
        {"--into", NULL, CLI_STR, &into, 0, 0, 0, NULL, 0},
        CLI_OUT(&out), CLI_BOOTSTRAP(&bootstrap), CLI_SEED(&o.seed), CLI_THREADS(&threads),
        CLI_QUIET(&quiet), CLI_OPT_END};
    int n_pos, rc = cli_parse("fit", opts, &ctx, argc, argv, &path, 1, &n_pos);
    if (rc == CLI_HELP) {
        usage(stdout);
        return 0;
    }
    if (rc)
        return rc;
    o.bootstrap = (size_t)bootstrap;
    o.n_starts = (size_t)starts;
    o.threads = threads;
    if (max_iter)
        o.max_iter = max_iter;
    if (!path)
        return cli_usage_error("fit", "no input file (FILE, or - for standard input)");
    if (!o.law)
        return cli_usage_error("fit", "no --law (a name such as chinchilla, or a formula)");
    if (check_law(o.law))
        return 2;
    if (reps && !o.bootstrap)
        return cli_usage_error("fit", "--replicates needs --bootstrap B");
    if (!melt != !into)
        return cli_usage_error("fit", "--melt COLS and --into KEY=VALUE go together");
    if (by && (resid || reps))
        return cli_usage_error("fit", "--by: --residuals and --replicates are per fit; fit a group alone");
    if (!quiet)
        o.progress = stderr;
    /* with --out -, stdout carries the JSON alone and the summary goes to stderr */
    FILE *human = out && !strcmp(out, "-") ? stderr : stdout;
    xl_error err;
    xl_error_clear(&err);
    xl_table *t = NULL;
    xl_fit_result *r = NULL;
    rc = 1;
    if (xl_table_read(path, &t, &err))
        goto done;
    if (melt) {
        xl_table *long_t = NULL;
        if (xl_table_melt(t, melt, into, &long_t, &err))
            goto done;
        xl_table_free(t);
        t = long_t;
    }
    for (size_t d = 0; d < defines.n; d++)
        if (xl_table_define(t, defines.v[d], &err)) {
            xl_error_prefix(&err, "--define '%s'", defines.v[d]);
            goto done;
        }
    for (size_t w = 0; w < wheres.n; w++)
        if (xl_table_where(t, wheres.v[w], &err)) {
            xl_error_prefix(&err, "--where '%s'", wheres.v[w]);
            goto done;
        }
    if (by) {
        rc = fit_by(t, by, &o, out, strcmp(path, "-") ? path : "stdin", &err);
        goto done;
    }
    if (xl_fit_table(t, &o, &r, &err))
        goto done;
    /* the fit and its residuals appear together or not at all */
    xl_afile_defer_begin();
    if (out && xl_fit_result_save(r, out, &err))
        goto done;
    if (resid && xl_fit_write_residuals(r, resid, &err))
        goto done;
    if (reps && xl_fit_write_replicates(r, reps, &err))
        goto done;
    if (xl_afile_defer_end(1, &err))
        goto done;
    print_result(human, r, strcmp(path, "-") ? path : "stdin");
    if (out && strcmp(out, "-"))
        fprintf(human, "saved %s\n", out);
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
