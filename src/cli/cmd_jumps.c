/* xferlaw jumps: smooth against broken power laws of accuracy (or loss) with scale. */
#include "cli.h"
#include "opts.h"
#include "xferlaw/matrix.h"
#include "xferlaw/table.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

/* Axis titles for the columns the pairwise protocol writes (data/tasks_scale.csv); any
 * other column is shown by its name. */
static const char *axis_label(const char *col)
{
    static const struct {
        const char *col, *label;
    } L[] = {
        {"N", "non-embedding parameters N"},
        {"acc_diag", "accuracy on the task after fine-tuning on it (fraction correct)"},
        {"acc_alone", "accuracy on the task, target data only (fraction correct)"},
        {"nll_diag", "NLL on the task after fine-tuning on it (nats)"},
        {"nll_alone", "NLL on the task, target data only (nats)"},
    };
    for (size_t i = 0; i < sizeof L / sizeof L[0]; i++)
        if (!strcmp(col, L[i].col))
            return L[i].label;
    return col;
}

static const char *USAGE =
    "usage: xferlaw jumps FILE --x COL --y COL [--by COL] [--kind acc|loss] [--where EXPR]\n"
    "                     [--bootstrap B] [--grid G] [--folds K] [--bic-threshold T]\n"
    "                     [--smooth LAW] [--seed S] [--threads K] [--out DIR] [--quiet]\n"
    "\n"
    "Is there a capability jump?  Fits the measured y against x (model size N, steps, ...)\n"
    "with a smooth law (--smooth, default 'power': e = a*x^b) and with a broken power law\n"
    "(bnsl:1, Caballero et al. 2022), in log space on e = 1 - accuracy (--kind acc, the\n"
    "default when the y column's name contains 'acc'; percent when values exceed 1) or on\n"
    "the loss (--kind loss).  The break position is profiled over G log-spaced points inside\n"
    "the data (default 24) and a finer grid around the best (likelihood-ratio interval),\n"
    "and bootstrapped (--bootstrap, below; percentile interval); the 95% CI reported is\n"
    "the union of the two.  The break is supported when BIC prefers it by more than T\n"
    "(default 6), the K-fold (default 5) cross-validated RMSLE is lower with it, and it\n"
    "lies inside the data.  --by runs one analysis per value of a column (e.g. task).\n"
    "Writes DIR (--out, -o; default FILE_jumps/): jumps.csv, jumps.json (both fits per\n"
    "group) and jump_GROUP.png plots (with their gnuplot scripts).  FILE - reads standard\n"
    "input.  --where is repeatable; --seed S (default 1), --threads K (default 0: all\n"
    "cores); progress (a line per group) goes to stderr unless --quiet.\n"
    "  --bootstrap B  bootstrap replicates (seeded resamples of the rows, each fitted again)\n"
    "                 for the 95% intervals; 0 = none (default 200: each replicate profiles\n"
    "                 the break again, most of the run time)\n";

typedef struct {
    const char *file, *xcol, *ycol, *by, *out, *smooth, *kind_name;
    cli_list wheres;
    int kind; /* -1 = from the column name */
    int bootstrap, grid, folds, threads, quiet;
    uint64_t seed;
    double bic;
} jopts;

static int parse(int argc, char **argv, jopts *o)
{
    *o = (jopts){.kind = -1, .bootstrap = 200, .grid = 24, .folds = 5, .seed = 1, .bic = 6};
    const cli_opt opts[] = {
        {"--x", NULL, CLI_STR, &o->xcol, 0, 0, 0, NULL, 0},
        {"--y", NULL, CLI_STR, &o->ycol, 0, 0, 0, NULL, 0},
        {"--by", NULL, CLI_STR, &o->by, 0, 0, 0, NULL, 0},
        {"--where", NULL, CLI_LIST, &o->wheres, 0, 0, 0, NULL, 0},
        {"--smooth", NULL, CLI_STR, &o->smooth, 0, 0, 0, NULL, 0},
        {"--kind", NULL, CLI_STR, &o->kind_name, 0, 0, 0, NULL, 0},
        {"--bic-threshold", NULL, CLI_DOUBLE, &o->bic, -1e300, 1e300, 0, NULL, 0},
        {"--grid", NULL, CLI_INT, &o->grid, 0, 1000000, 0, NULL, 0},
        {"--folds", NULL, CLI_INT, &o->folds, 2, 1e6, 0, NULL, 0},   /* < 2: no CV criterion */
        CLI_OUT(&o->out), CLI_BOOTSTRAP(&o->bootstrap), CLI_SEED(&o->seed),
        CLI_THREADS(&o->threads), CLI_QUIET(&o->quiet), CLI_OPT_END};
    int n_pos, rc = cli_parse("jumps", opts, NULL, argc, argv, &o->file, 1, &n_pos);
    if (rc == CLI_HELP) {
        fputs(USAGE, stdout);
        return CLI_HELP;
    }
    if (rc)
        return rc;
    if (o->kind_name) {
        if (strcmp(o->kind_name, "acc") == 0)
            o->kind = XL_JUMPS_ACC;
        else if (strcmp(o->kind_name, "loss") == 0)
            o->kind = XL_JUMPS_LOSS;
        else
            return cli_usage_error("jumps", "--kind: expected acc or loss, got '%s'", o->kind_name);
    }
    if (!o->file || !o->xcol || !o->ycol)
        return cli_usage_error("jumps", "needs FILE, --x COL and --y COL");
    if (o->kind < 0)
        o->kind = strstr(o->ycol, "acc") ? XL_JUMPS_ACC : XL_JUMPS_LOSS;
    return 0;
}

/* A group name as a file name: letters, digits, '-', '.' and '_' only (the plot script
 * names its data files, and only text that passes xl_gp_quote unchanged may do that). */
static void safe_name(const char *s, char *out, size_t cap)
{
    size_t k = 0;
    for (; *s && k + 1 < cap; s++)
        out[k++] = (isalnum((unsigned char)*s) || strchr("-._", *s)) ? *s : '_';
    out[k] = '\0';
}

static int run_group(const jopts *jo, const xl_jumps_options *o, const char *group,
                     const double *x, const double *y, size_t n, const char *dir, FILE *csv,
                     cJSON *jgroups, xl_error *err)
{
    xl_jumps_result r;
    int rc = xl_jumps_fit(x, y, n, o, &r, err);
    if (rc)
        return xl_error_prefix(err, "group '%s'", group), rc;
    const double *ci = r.d_ci;
    printf("%-12.12s %4zu %10.4g  [%9.4g, %9.4g] %-9s %8.1f %8.1f %9.4f %9.4f  %s\n", group,
           r.n, r.d, ci[0], ci[1], r.boot_ok ? "both" : "profile",
           r.aic_smooth - r.aic_broken, r.bic_smooth - r.bic_broken, r.cv_smooth, r.cv_broken,
           r.supported ? "YES" : "no");
    fprintf(csv, "%s,%zu,%.8g,%.8g,%.8g,%s,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%d\n", group, r.n, r.d,
            ci[0], ci[1], r.boot_ok ? "both" : "profile", r.d_ci_profile[0],
            r.d_ci_profile[1], r.aic_smooth - r.aic_broken, r.bic_smooth - r.bic_broken,
            r.cv_smooth, r.cv_broken, r.supported);
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "group", group);
    cJSON_AddNumberToObject(g, "n", (double)r.n);
    cJSON_AddItemToObject(g, "break", xl_json_number(r.d));
    cJSON *a = cJSON_AddArrayToObject(g, "break_ci95");
    cJSON_AddItemToArray(a, xl_json_number(r.d_ci[0]));
    cJSON_AddItemToArray(a, xl_json_number(r.d_ci[1]));
    a = cJSON_AddArrayToObject(g, "break_ci95_bootstrap");
    cJSON_AddItemToArray(a, xl_json_number(r.d_ci_boot[0]));
    cJSON_AddItemToArray(a, xl_json_number(r.d_ci_boot[1]));
    a = cJSON_AddArrayToObject(g, "break_ci95_profile");
    cJSON_AddItemToArray(a, xl_json_number(r.d_ci_profile[0]));
    cJSON_AddItemToArray(a, xl_json_number(r.d_ci_profile[1]));
    cJSON_AddItemToObject(g, "aic_smooth", xl_json_number(r.aic_smooth));
    cJSON_AddItemToObject(g, "aic_broken", xl_json_number(r.aic_broken));
    cJSON_AddItemToObject(g, "bic_smooth", xl_json_number(r.bic_smooth));
    cJSON_AddItemToObject(g, "bic_broken", xl_json_number(r.bic_broken));
    cJSON_AddItemToObject(g, "cv_rmsle_smooth", xl_json_number(r.cv_smooth));
    cJSON_AddItemToObject(g, "cv_rmsle_broken", xl_json_number(r.cv_broken));
    cJSON_AddBoolToObject(g, "supported", r.supported);
    cJSON_AddStringToObject(g, "reason", r.reason);
    cJSON_AddItemToObject(g, "smooth_fit", xl_fit_result_to_json(r.smooth));
    cJSON_AddItemToObject(g, "broken_fit", xl_fit_result_to_json(r.broken));
    cJSON_AddItemToArray(jgroups, g);
    char base[4400], name[256], title[512];
    safe_name(group, name, sizeof name);
    snprintf(base, sizeof base, "%s/jump_%s", dir, name);
    snprintf(title, sizeof title, "%s: %s against %s", group, jo->ycol, jo->xcol);
    int rendered;
    rc = xl_jumps_plot(base, title, axis_label(jo->xcol), axis_label(jo->ycol), x, y, n, o, &r,
                       &rendered, err);
    xl_jumps_result_free(&r);
    return rc;
}

int cmd_jumps(int argc, char **argv)
{
    jopts jo;
    int u = parse(argc, argv, &jo);
    if (u)
        return u == CLI_HELP ? 0 : u;
    xl_jumps_options o;
    xl_jumps_options_init(&o);
    o.kind = jo.kind;
    o.bootstrap = (size_t)jo.bootstrap;
    o.grid = (size_t)jo.grid;
    o.folds = (size_t)jo.folds;
    o.seed = (uint64_t)jo.seed;
    o.threads = (int)jo.threads;
    o.bic_threshold = jo.bic;
    if (jo.smooth)
        o.smooth_law = jo.smooth;
    xl_error err;
    xl_error_clear(&err);
    xl_table *t = NULL;
    const double *x, *y;
    long bc = -1;
    int bad = xl_table_read(jo.file, &t, &err);
    for (size_t w = 0; w < jo.wheres.n && !bad; w++)
        bad = xl_table_where(t, jo.wheres.v[w], &err);
    if (bad || xl_table_numeric(t, jo.xcol, &x, &err) || xl_table_numeric(t, jo.ycol, &y, &err)) {
        xl_table_free(t);
        return cli_fail("jumps", &err);
    }
    if (jo.by && (bc = xl_table_col(t, jo.by)) < 0) {
        xl_table_free(t);
        xl_error_at(&err, XL_EINVAL, jo.file, 1, jo.by, "no such column (--by)");
        return cli_fail("jumps", &err);
    }
    char dir[2048];
    if (jo.out)
        snprintf(dir, sizeof dir, "%s", jo.out);
    else if (!strcmp(jo.file, "-"))
        snprintf(dir, sizeof dir, "stdin_jumps");
    else {
        size_t len = strlen(jo.file);
        const char *dot = strrchr(jo.file, '.');
        if (dot && !strchr(dot, '/'))
            len = (size_t)(dot - jo.file);
        snprintf(dir, sizeof dir, "%.*s_jumps", (int)len, jo.file);
    }
    double *gx = xl_calloc(t->n_rows + 1, sizeof *gx, &err);
    double *gy = xl_calloc(t->n_rows + 1, sizeof *gy, &err);
    unsigned char *seen = xl_calloc(t->n_rows + 1, 1, &err);
    xl_afile csv = {0};
    int rc = gx && gy && seen ? XL_OK : XL_ENOMEM;
    if (!rc)
        rc = xl_mkdirs(dir, &err);
    char path[2200];
    snprintf(path, sizeof path, "%s/jumps.csv", dir);
    if (!rc)
        rc = xl_afile_open(&csv, path, &err);
    cJSON *root = cJSON_CreateObject(), *groups = cJSON_AddArrayToObject(root, "groups");
    cJSON_AddStringToObject(root, "input", jo.file);
    cJSON_AddStringToObject(root, "x", jo.xcol);
    cJSON_AddStringToObject(root, "y", jo.ycol);
    cJSON_AddStringToObject(root, "kind", o.kind == XL_JUMPS_ACC ? "acc" : "loss");
    cJSON_AddStringToObject(root, "smooth_law", o.smooth_law);
    if (!rc) {
        fprintf(csv.fp, "group,n,break,ci_lo,ci_hi,ci_method,profile_ci_lo,profile_ci_hi,"
                        "dAIC,dBIC,cv_rmsle_smooth,cv_rmsle_broken,supported\n");
        printf("%-12s %4s %10s  %-22s %-9s %8s %8s %9s %9s  %s\n", "group", "n", "break",
               "95% CI", "CI from", "dAIC", "dBIC", "cv_smooth", "cv_broken", "jump?");
    }
    /* a group takes seconds to minutes (profile, bootstrap, cross-validation): say so */
    size_t n_groups = 0, done = 0;
    for (size_t i = 0; i < t->n_rows && !rc; i++)   /* O(rows x groups), as the fits below */
        if (!seen[i] && ++n_groups)
            for (size_t k = i; k < t->n_rows; k++)
                seen[k] |= bc < 0 || strcmp(t->text[bc][k], t->text[bc][i]) == 0;
    if (!rc)
        memset(seen, 0, t->n_rows);
    double t0 = xl_now();
    if (!jo.quiet)
        fprintf(stderr, "xferlaw jumps: %zu group%s of %s, %d bootstrap resamples and %d folds "
                        "each\n", n_groups, n_groups == 1 ? "" : "s",
                strcmp(jo.file, "-") ? jo.file : "stdin", jo.bootstrap, jo.folds);
    for (size_t i = 0; i < t->n_rows && !rc; i++) {
        if (seen[i])
            continue;
        const char *g = bc >= 0 ? t->text[bc][i] : "all";
        size_t n = 0;
        for (size_t k = i; k < t->n_rows; k++)
            if (!seen[k] && (bc < 0 || strcmp(t->text[bc][k], g) == 0)) {
                seen[k] = 1;
                gx[n] = x[k];
                gy[n++] = y[k];
            }
        fflush(stdout);
        rc = run_group(&jo, &o, g, gx, gy, n, dir, csv.fp, groups, &err);
        if (!rc && !jo.quiet)
            fprintf(stderr, "xferlaw jumps: [%zu/%zu] %s done, %.0f s\n", ++done, n_groups, g,
                    xl_now() - t0);
    }
    if (!rc)
        rc = xl_afile_commit(&csv, &err);
    else if (csv.fp)
        xl_afile_abort(&csv);
    snprintf(path, sizeof path, "%s/jumps.json", dir);
    if (!rc)
        rc = xl_json_write_file(path, root, &err);
    if (!rc)
        printf("(dAIC, dBIC: smooth minus broken; > 0 favours the break.  cv: held-out "
               "RMSLE.)\nwrote %s/ (jumps.csv, jumps.json, plots)\n", dir);
    if (!rc && !jo.quiet)
        fprintf(stderr, "xferlaw jumps: done in %.1f s\n", xl_now() - t0);
    cJSON_Delete(root);
    free(gx);
    free(gy);
    free(seen);
    xl_table_free(t);
    return rc ? cli_fail("jumps", &err) : 0;
}
