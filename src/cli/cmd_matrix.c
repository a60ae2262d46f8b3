/* xferlaw matrix: analyse task-to-task transfer matrices; run the pairwise protocol. */
#include "cli.h"
#include "opts.h"
#include "xferlaw/matrix.h"
#include "xferlaw/sweep.h"
#include "xferlaw/table.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef XL_HAVE_MPI
#include "../sweep/sweep_mpi.h"
#include <mpi.h>
#endif

static const char *USAGE =
    "usage: xferlaw matrix analyze FILE.csv [--compare OTHER.csv] [--out|-o DIR] [--value COL]\n"
    "                              [--clusters K] [--top K] [--baseline LABEL]\n"
    "                              [--unit TEXT] [--quiet]\n"
    "       xferlaw matrix run SPEC.json [--jobs J] [--threads K] [--dry-run] [--quiet]\n"
    "                                    [--no-analyze]\n"
    "\n"
    "analyze  reads a transfer matrix: long CSV source,target,gain[,seed] (rows with the same\n"
    "         source,target are replicates; --value names another value column) or a square\n"
    "         CSV 'LABEL,t1,t2,..' with one row per source task.  Rows = source (trained\n"
    "         first), columns = target (evaluated).  Prints the matrix, the most asymmetric\n"
    "         pairs T-T^T (95% Welch CIs when there are replicates), the symmetric similarity\n"
    "         sqrt(max(T_ij,0)*max(T_ji,0)) and its average-linkage clustering (K clusters, or\n"
    "         the cut with the largest mean silhouette; 1 when below 0.25).  --baseline LABEL:\n"
    "         a raw-accuracy matrix whose source LABEL (e.g. none) is the target trained\n"
    "         alone becomes gains (cell minus its target's baseline).  --unit: of the values,\n"
    "         on the colour bars (default: percentage points).  --compare adds a second matrix\n"
    "         (e.g. another model size): total off-diagonal transfer, asymmetries beyond CI,\n"
    "         cells that differ beyond CI, correlation.  Writes into DIR (default\n"
    "         FILE_analysis/): summary.json, matrix.csv, asymmetry.csv, similarity.csv,\n"
    "         linkage.csv, gnuplot scripts and PNG heatmaps and a dendrogram.\n"
    "run      the pairwise protocol: per size and seed, fine-tune the base model on n_source\n"
    "         examples of task A, then n_target of B; score greedy decoding on held-out B;\n"
    "         baseline: n_target of B alone.  Runs through the sweep executor: each stage is\n"
    "         an 'xferlaw tasks tune' process in OUT/runs/ID, J at a time (default: cores),\n"
    "         K BLAS threads each (default 0: the spec's \"threads\", else 1), one line of\n"
    "         OUT/runs.jsonl per finished run;\n"
    "         kill it and run the same command again: only what is missing runs.  Under\n"
    "         'mpirun -np P' rank 0 schedules and ranks 1..P-1 run.  Writes\n"
    "         OUT/SIZE/{raw_acc,gain,gain_nll}.csv (long, per seed), gain_square.csv and\n"
    "         normalised.csv (gain / diagonal gain), OUT/scale.csv (per size, seed, task:\n"
    "         accuracy and NLL of B alone and of the diagonal), analyzes the first size\n"
    "         (against the second), and with >= 4 sizes (>= 8 points per task) fits\n"
    "         capability jumps of acc_diag against N into OUT/jumps/.\n"
    "         SPEC: {\"out\", \"tasks\": [..], \"seeds\": [..], \"sizes\": [{\"name\", \"base\":\n"
    "         CKPT|null, \"n_layer\", \"d_model\", \"n_head\", \"ctx\"}] | {\"sweep\": DIR,\n"
    "         \"curriculum\": C} (one size per pretrain record of C in DIR/runs.jsonl),\n"
    "         \"pairs\": \"all\"|\"diagonal\", \"tokenizer\": PATH|null, \"n_source\": 200,\n"
    "         \"n_target\": 10, \"n_eval\": 100, \"steps_source\": 200, \"steps_target\": 40,\n"
    "         \"batch\": 8, \"seq\": 64, \"lr\": 0.001}\n";

typedef struct {
    const char *file, *compare, *out, *value, *baseline, *unit;
    long clusters, top;
} analyze_opts;

static void print_matrix(const xl_tmatrix *m, const double *v, const char *title)
{
    printf("%s\n%-10s", title, "source\\tgt");
    for (size_t j = 0; j < m->n; j++)
        printf(" %8.8s", m->labels[j]);
    printf("\n");
    for (size_t i = 0; i < m->n; i++) {
        printf("%-10.10s", m->labels[i]);
        for (size_t j = 0; j < m->n; j++) {
            double x = v[i * m->n + j];
            if (isnan(x))
                printf(" %8s", "-");
            else
                printf(" %8.2f", x);
        }
        printf("\n");
    }
}

static int write_text(const char *dir, const char *name, const char *text, xl_error *err)
{
    char path[8800];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return xl_write_file_atomic(path, text, strlen(text), err);
}

/* asymmetry.csv and linkage.csv */
static char *asym_csv(const xl_tmatrix *m, const xl_asym_pair *p, size_t np)
{
    size_t cap = 128 + np * 160, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    len += (size_t)snprintf(s, cap, "task_i,task_j,t_ij,t_ji,diff,ci95,beyond_ci\n");
    for (size_t k = 0; k < np && len < cap; k++) {
        size_t ij = p[k].i * m->n + p[k].j, ji = p[k].j * m->n + p[k].i;
        len += (size_t)snprintf(s + len, cap - len, "%.60s,%.60s,%.6g,%.6g,%.6g,", m->labels[p[k].i],
                                m->labels[p[k].j], m->mean[ij], m->mean[ji], p[k].diff);
        if (isfinite(p[k].ci95))
            len += (size_t)snprintf(s + len, cap - len, "%.6g", p[k].ci95);
        len += (size_t)snprintf(s + len, cap - len, ",%d\n", p[k].beyond_ci);
    }
    return s;
}

static cJSON *analyze_one(const xl_tmatrix *m, const char *dir, const char *tag, long top,
                          long k_clusters, const char *unit, int quiet, xl_error *err, int *rc)
{
    size_t n = m->n;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "input", m->path);
    cJSON *labels = cJSON_AddArrayToObject(j, "tasks");
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(labels, cJSON_CreateString(m->labels[i]));
    int maxc = 0;
    for (size_t k = 0; k < n * n; k++)
        maxc = m->count[k] > maxc ? m->count[k] : maxc;
    cJSON_AddNumberToObject(j, "max_replicates", maxc);
    char name[4400];
    if (!quiet) {
        printf("%s: %zu tasks, up to %d replicate(s) per cell\n", m->path, n, maxc);
        print_matrix(m, m->mean, "transfer matrix (rows: source trained first, columns: target)");
    }
    snprintf(name, sizeof name, "%s/matrix%s.csv", dir, tag);
    if ((*rc = xl_tmatrix_write_long(m, name, err)))
        return j;
    xl_asym_pair *p;
    size_t np;
    if ((*rc = xl_matrix_asymmetry(m, &p, &np, err)))
        return j;
    char *csv = asym_csv(m, p, np);
    snprintf(name, sizeof name, "asymmetry%s.csv", tag);
    *rc = csv ? write_text(dir, name, csv, err) : xl_error_set(err, XL_ENOMEM, "out of memory");
    free(csv);
    cJSON *ja = cJSON_AddArrayToObject(j, "asymmetry");
    size_t beyond = 0;
    if (!quiet && np)
        printf("\nmost asymmetric pairs (T[i->j] - T[j->i]):\n  %-21s %8s %8s %8s %8s  %s\n",
               "i -> j", "T[i->j]", "T[j->i]", "diff", "ci95", "beyond CI");
    for (size_t k = 0; k < np; k++) {
        beyond += (size_t)p[k].beyond_ci;
        size_t ij = p[k].i * n + p[k].j, ji = p[k].j * n + p[k].i;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "i", m->labels[p[k].i]);
        cJSON_AddStringToObject(o, "j", m->labels[p[k].j]);
        cJSON_AddItemToObject(o, "diff", xl_json_number(p[k].diff));
        cJSON_AddItemToObject(o, "ci95", xl_json_number(p[k].ci95));
        cJSON_AddBoolToObject(o, "beyond_ci", p[k].beyond_ci);
        cJSON_AddItemToArray(ja, o);
        if (!quiet && (long)k < top) {
            char pair[64];
            snprintf(pair, sizeof pair, "%.10s -> %.10s", m->labels[p[k].i], m->labels[p[k].j]);
            printf("  %-21s %8.2f %8.2f %+8.2f ", pair, m->mean[ij], m->mean[ji], p[k].diff);
            if (isfinite(p[k].ci95))
                printf("%8.2f  %s\n", p[k].ci95, p[k].beyond_ci ? "yes" : "no");
            else
                printf("%8s  %s\n", "-", "n/a (no replicates)");
        }
    }
    /* without replicates there is no CI: "n/a", not "0 beyond CI" */
    cJSON_AddItemToObject(j, "asymmetries_beyond_ci", maxc > 1 ? cJSON_CreateNumber((double)beyond) : cJSON_CreateNull());
    if (!quiet && maxc > 1)
        printf("  %zu of %zu pairs asymmetric beyond their 95%% CI\n", beyond, np);
    else if (!quiet && np)
        printf("  asymmetries beyond CI: n/a (no replicates, no CIs)\n");
    double *A = xl_calloc(n * n, sizeof *A, err), *S = xl_calloc(n * n, sizeof *S, err),
           *D = xl_calloc(n * n, sizeof *D, err);
    int *cl = xl_calloc(n, sizeof *cl, err);
    xl_linkage L = {0};
    if (!A || !S || !D || !cl) {
        *rc = XL_ENOMEM;
        goto done;
    }
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++)
            A[a * n + b] = a == b ? 0 : m->mean[a * n + b] - m->mean[b * n + a];
    xl_matrix_similarity(m, S);
    xl_matrix_similarity_distance(S, n, D);
    snprintf(name, sizeof name, "%s/similarity%s.csv", dir, tag);
    if ((*rc = xl_tmatrix_write_square(m, S, name, err)) ||
        (*rc = xl_linkage_average(D, n, &L, err)))
        goto done;
    double sil = NAN;
    size_t k = k_clusters > 0 ? (size_t)k_clusters : xl_linkage_auto_k(D, &L, &sil, err);
    if (k > n)
        k = n;
    if (k_clusters <= 0) {
        cJSON_AddStringToObject(j, "clusters_rule", "largest mean silhouette over cuts of 2..n-1 clusters; 1 below 0.25");
        cJSON_AddItemToObject(j, "silhouette", xl_json_number(sil));
    }
    if ((*rc = xl_linkage_cut(&L, k, cl, err)))
        goto done;
    cJSON *jl = cJSON_AddArrayToObject(j, "linkage");
    char lk[8192];
    size_t len = (size_t)snprintf(lk, sizeof lk, "a,b,height,size\n");
    for (size_t q = 0; q + 1 < n; q++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "a", (double)L.a[q]);
        cJSON_AddNumberToObject(o, "b", (double)L.b[q]);
        cJSON_AddItemToObject(o, "height", xl_json_number(L.h[q]));
        cJSON_AddNumberToObject(o, "size", (double)L.size[q]);
        cJSON_AddItemToArray(jl, o);
        if (len < sizeof lk)
            len += (size_t)snprintf(lk + len, sizeof lk - len, "%zu,%zu,%.6g,%zu\n", L.a[q],
                                    L.b[q], L.h[q], L.size[q]);
    }
    snprintf(name, sizeof name, "linkage%s.csv", tag);
    if ((*rc = write_text(dir, name, lk, err)))
        goto done;
    cJSON *jc = cJSON_AddArrayToObject(j, "clusters");
    cJSON *jo = cJSON_AddArrayToObject(j, "leaf_order");
    for (size_t q = 0; q < n; q++)
        cJSON_AddItemToArray(jo, cJSON_CreateString(m->labels[L.order[q]]));
    if (!quiet && k_clusters <= 0 && isnan(sil))
        printf("\nsimilarity clusters (average linkage; fewer than 3 tasks: one group):");
    else if (!quiet && k_clusters <= 0)
        printf("\nsimilarity clusters (average linkage, %zu cluster%s by the best mean silhouette, %.2f%s):", k,
               k > 1 ? "s" : "", sil, k == 1 ? ", below 0.25: no clear groups" : "");
    else if (!quiet)
        printf("\nsimilarity clusters (average linkage, %zu cluster%s):", k, k > 1 ? "s" : "");
    for (size_t c = 0; c < k; c++) {
        cJSON *arr = cJSON_CreateArray();
        if (!quiet)
            printf(" {");
        int first = 1;
        for (size_t q = 0; q < n; q++) {
            size_t t = L.order[q];
            if ((size_t)cl[t] != c)
                continue;
            cJSON_AddItemToArray(arr, cJSON_CreateString(m->labels[t]));
            if (!quiet)
                printf("%s%s", first ? "" : ", ", m->labels[t]);
            first = 0;
        }
        if (!quiet)
            printf("}");
        cJSON_AddItemToArray(jc, arr);
    }
    if (!quiet)
        printf("\n");
    struct {
        const char *file, *title, *what;
        const double *v;
        const size_t *order;
        int sym;
    } maps[] = {
        {"heatmap_gain", "transfer T (row = source, column = target)", "gain", m->mean, NULL, 0},
        {"heatmap_gain_clustered", "transfer T, tasks in dendrogram order", "gain", m->mean, L.order, 0},
        {"heatmap_asymmetry", "asymmetry T - transpose(T)", "gain difference", A, L.order, 0},
        {"heatmap_similarity", "similarity sqrt(max(T_ij,0) * max(T_ji,0))", "similarity", S, L.order, 1},
    };
    /* which matrix, when two are analysed: its file, not a bare "[B]" */
    const char *src = strrchr(m->path, '/') ? strrchr(m->path, '/') + 1 : m->path;
    int rendered = 0;
    cJSON *jp = cJSON_AddArrayToObject(j, "plots");
    for (size_t q = 0; q < sizeof maps / sizeof maps[0]; q++) {
        snprintf(name, sizeof name, "%s/%s%s", dir, maps[q].file, tag);
        char title[512];
        snprintf(title, sizeof title, "%s%s%.200s%s", maps[q].title, *tag ? " (B: " : "", *tag ? src : "",
                 *tag ? ")" : "");
        char cb[300];
        snprintf(cb, sizeof cb, "%s (%.200s)", maps[q].what, unit);
        if ((*rc = xl_matrix_heatmap_axes(name, title, maps[q].v, n, m->labels, maps[q].order,
                                          cb, maps[q].sym, &rendered, err)))
            goto done;
        strcat(name, rendered ? ".png" : ".gp");
        cJSON_AddItemToArray(jp, cJSON_CreateString(name));
    }
    snprintf(name, sizeof name, "%s/dendrogram%s", dir, tag);
    char dtitle[400];
    snprintf(dtitle, sizeof dtitle, "task similarity, average linkage%s%.200s%s", *tag ? " (B: " : "",
             *tag ? src : "", *tag ? ")" : "");
    if ((*rc = xl_matrix_dendrogram_cut(name, dtitle, &L, m->labels, k, &rendered, err)))
        goto done;
    strcat(name, rendered ? ".png" : ".gp");
    cJSON_AddItemToArray(jp, cJSON_CreateString(name));
done:
    free(p);
    free(A);
    free(S);
    free(D);
    free(cl);
    xl_linkage_free(&L);
    return j;
}

static cJSON *compare_two(const xl_tmatrix *a, const xl_tmatrix *b, const char *dir,
                          xl_error *err, int *rc)
{
    xl_matrix_cmp c;
    size_t *ia = xl_calloc(a->n, sizeof *ia, err), *ib = xl_calloc(a->n, sizeof *ib, err);
    if (!ia || !ib || (*rc = xl_matrix_compare(a, b, &c, ia, ib, err))) {
        if (!ia || !ib)
            *rc = XL_ENOMEM;
        free(ia);
        free(ib);
        return NULL;
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "common_tasks", (double)c.n_common);
    cJSON_AddNumberToObject(j, "offdiag_cells", (double)c.n_offdiag);
    cJSON *t = cJSON_AddArrayToObject(j, "total_offdiag");
    cJSON *mo = cJSON_AddArrayToObject(j, "mean_offdiag");
    cJSON *ab = cJSON_AddArrayToObject(j, "asymmetries_beyond_ci");
    int rep[2] = {0, 0};
    const xl_tmatrix *ms[2] = {a, b};
    for (int s = 0; s < 2; s++)
        for (size_t k = 0; k < ms[s]->n * ms[s]->n; k++)
            rep[s] |= ms[s]->count[k] > 1;
    for (int s = 0; s < 2; s++) {
        cJSON_AddItemToArray(t, xl_json_number(c.total_offdiag[s]));
        cJSON_AddItemToArray(mo, xl_json_number(c.mean_offdiag[s]));
        cJSON_AddItemToArray(ab, rep[s] ? cJSON_CreateNumber((double)c.asym_beyond_ci[s]) : cJSON_CreateNull());
    }
    cJSON_AddNumberToObject(j, "asymmetric_pairs_compared", (double)c.asym_pairs);
    cJSON_AddItemToObject(j, "cells_differ_beyond_ci", rep[0] && rep[1] ? cJSON_CreateNumber((double)c.cells_differ_ci) : cJSON_CreateNull());
    cJSON_AddItemToObject(j, "corr_offdiag", xl_json_number(c.corr_offdiag));
    printf("\ncomparison on %zu common tasks (%zu off-diagonal cells):\n", c.n_common,
           c.n_offdiag);
    printf("  %-28s %12s %12s\n", "", "A", "B");
    printf("  %-28s %12.2f %12.2f\n", "total off-diagonal transfer", c.total_offdiag[0],
           c.total_offdiag[1]);
    printf("  %-28s %12.3f %12.3f\n", "mean off-diagonal transfer", c.mean_offdiag[0],
           c.mean_offdiag[1]);
    char nb[2][32], nd[32];
    for (int s = 0; s < 2; s++)
        snprintf(nb[s], sizeof nb[s], rep[s] ? "%zu" : "n/a", c.asym_beyond_ci[s]);
    snprintf(nd, sizeof nd, rep[0] && rep[1] ? "%zu" : "n/a (no replicates)", c.cells_differ_ci);
    printf("  %-28s %12s %12s   (of %zu pairs)\n", "asymmetries beyond 95% CI", nb[0], nb[1], c.asym_pairs);
    printf("  cells where B - A exceeds its 95%% CI: %s; correlation of off-diagonal cells: %.3f\n",
           nd, c.corr_offdiag);
    printf("  A = %s\n  B = %s\n", a->path, b->path);
    /* B - A heatmap on the common tasks */
    size_t n = c.n_common;
    double *d = xl_calloc(n * n, sizeof *d, err);
    char **lab = xl_calloc(n, sizeof *lab, err);
    if (d && lab) {
        for (size_t p = 0; p < n; p++) {
            lab[p] = a->labels[ia[p]];
            for (size_t q = 0; q < n; q++)
                d[p * n + q] = b->mean[ib[p] * b->n + ib[q]] - a->mean[ia[p] * a->n + ia[q]];
        }
        char name[4400];
        int rendered;
        snprintf(name, sizeof name, "%s/heatmap_diff_b_minus_a", dir);
        *rc = xl_matrix_heatmap(name, "difference B - A", d, n, lab, NULL, "gain difference", &rendered,
                                err);
    } else {
        *rc = XL_ENOMEM;
    }
    free(d);
    free(lab);
    free(ia);
    free(ib);
    return j;
}

static int do_analyze(int argc, char **argv)
{
    analyze_opts o = {.top = 10, .unit = "percentage points"};
    int quiet = 0, n_pos;   /* --quiet: accepted as everywhere; analyze prints no progress */
    const cli_opt opts[] = {
        {"--compare", NULL, CLI_STR, &o.compare, 0, 0, 0, NULL, 0},
        {"--value", NULL, CLI_STR, &o.value, 0, 0, 0, NULL, 0},
        {"--baseline", NULL, CLI_STR, &o.baseline, 0, 0, 0, NULL, 0},
        {"--unit", NULL, CLI_STR, &o.unit, 0, 0, 0, NULL, 0},
        {"--clusters", NULL, CLI_LONG, &o.clusters, 1, 1e6, 0, NULL, 0},
        {"--top", NULL, CLI_LONG, &o.top, 0, 1e6, 0, NULL, 0},
        CLI_OUT(&o.out), CLI_QUIET(&quiet), CLI_OPT_END};
    int rc = cli_parse("matrix", opts, NULL, argc, argv, &o.file, 1, &n_pos);
    if (rc)
        return rc == CLI_HELP ? (fputs(USAGE, stdout), 0) : rc;
    if (!o.file)
        return cli_usage_error("matrix", "analyze needs FILE.csv");
    char outdir[2048];
    if (o.out)
        snprintf(outdir, sizeof outdir, "%s", o.out);
    else {
        size_t len = strlen(o.file);
        if (len > 4 && strcmp(o.file + len - 4, ".csv") == 0)
            len -= 4;
        snprintf(outdir, sizeof outdir, "%.*s_analysis", (int)len, o.file);
    }
    xl_error err;
    xl_error_clear(&err);
    xl_tmatrix *a = NULL, *b = NULL;
    if (xl_tmatrix_read(o.file, o.value, &a, &err) ||
        (o.compare && xl_tmatrix_read(o.compare, o.value, &b, &err)) ||
        (o.baseline && xl_tmatrix_subtract_baseline(a, o.baseline, &err)) ||
        (o.baseline && b && xl_tmatrix_subtract_baseline(b, o.baseline, &err)) ||
        xl_mkdirs(outdir, &err)) {
        xl_tmatrix_free(a);
        xl_tmatrix_free(b);
        return cli_fail("matrix", &err);
    }
    rc = 0;
    cJSON *sum = cJSON_CreateObject();
    cJSON_AddItemToObject(sum, "a", analyze_one(a, outdir, "", o.top, o.clusters, o.unit, 0, &err, &rc));
    if (!rc && b) {
        printf("\n");
        cJSON_AddItemToObject(sum, "b", analyze_one(b, outdir, "_b", o.top, o.clusters, o.unit, 0, &err, &rc));
        cJSON *c = rc ? NULL : compare_two(a, b, outdir, &err, &rc);
        if (c)
            cJSON_AddItemToObject(sum, "compare", c);
    }
    if (!rc) {
        char path[4200];
        snprintf(path, sizeof path, "%s/summary.json", outdir);
        rc = xl_json_write_file(path, sum, &err);
        if (!rc)
            printf("\nwrote %s/ (summary.json, CSVs, heatmaps, dendrogram)\n", outdir);
    }
    cJSON_Delete(sum);
    xl_tmatrix_free(a);
    xl_tmatrix_free(b);
    return rc ? cli_fail("matrix", &err) : 0;
}

/* Under mpirun: rank 0 schedules and writes OUT/runs.jsonl, the others run trainers. */
static int run_mpi(const xl_pw_spec *spec, char **trainer, int threads, int quiet, int *argc,
                   char ***argv, int *is_worker, xl_error *err)
{
#ifdef XL_HAVE_MPI
    int rank = 0, size = 1;
    if (xl_sweep_mpi_init(argc, argv, &rank, &size))
        return xl_error_set(err, XL_EIO, "MPI_Init failed");
    *is_worker = rank != 0;
    xl_pw_plan *p = NULL;
    int lock = -1, rc = xl_pw_plan_build(spec, &p, err);
    if (!rc && rank == 0 && !(rc = xl_mkdirs(spec->out, err)))
        rc = xl_sweep_lock(spec->out, ".lock", &lock, err);
    int bad = rc != 0, any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (!rc && any)
        rc = xl_error_set(err, XL_EINVAL, "another rank failed to plan");
    if (!rc) {
        xl_sweep_opts o = {.sweepdir = spec->out, .trainer = trainer, .jobs = 1,
                           .threads = threads, .log = quiet ? NULL : stderr};
        xl_sweep_stats st;
        if (rank == 0 && !quiet)
            fprintf(stderr, "xferlaw matrix: %zu runs, MPI with %d ranks; results in %s/"
                    "runs.jsonl\n", xl_pw_plan_sweep(p)->n, size, spec->out);
        rc = xl_sweep_exec_mpi(xl_pw_plan_sweep(p), &o, rank, size, &st, err);
    }
    if (lock >= 0)
        close(lock);
    xl_pw_plan_free(p);
    xl_sweep_mpi_finalize();
    return rc;
#else
    (void)spec, (void)trainer, (void)threads, (void)quiet, (void)argc, (void)argv;
    *is_worker = 0;
    return xl_error_set(err, XL_EINVAL, "not built with MPI");
#endif
}

static void print_scale(const xl_pw_spec *spec)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/scale.csv", spec->out);
    xl_table *t = NULL;
    const double *a, *d;
    long nc = -1, tc = -1;
    xl_error e;
    if (xl_table_read(path, &t, &e) || xl_table_numeric(t, "acc_alone", &a, &e) ||
        xl_table_numeric(t, "acc_diag", &d, &e) || (nc = xl_table_col(t, "size")) < 0 ||
        (tc = xl_table_col(t, "task")) < 0) {
        xl_table_free(t);
        return;
    }
    printf("accuracy on held-out B: %d of B alone, then after %d of B first (mean over seeds)\n"
           "%-10s %-8s %10s %10s\n", spec->n_target, spec->n_source, "size", "task", "alone",
           "diagonal");
    for (size_t z = 0; z < spec->n_sizes; z++)
        for (size_t k = 0; k < spec->n_tasks; k++) {
            double sa = 0, sd = 0;
            int n = 0;
            for (size_t i = 0; i < t->n_rows; i++)
                if (!strcmp(t->text[nc][i], spec->sizes[z].name) &&
                    !strcmp(t->text[tc][i], spec->tasks[k]))
                    sa += a[i], sd += d[i], n++;
            if (n)
                printf("%-10s %-8s %10.3f %10.3f\n", spec->sizes[z].name, spec->tasks[k],
                       sa / n, sd / n);
        }
    printf("\n");
    xl_table_free(t);
}

static int do_run(int argc, char **argv, int *main_argc, char ***main_argv)
{
    const char *spec_path = NULL;
    int quiet = 0, no_analyze = 0, dry = 0, n_pos;
    long jobs = 0;
    int threads = 0;   /* 0: the spec's, else 1 */
    const cli_opt opts[] = {
        {"--no-analyze", NULL, CLI_FLAG, &no_analyze, 0, 0, 0, NULL, 0},
        {"--dry-run", NULL, CLI_FLAG, &dry, 0, 0, 0, NULL, 0},
        {"--jobs", NULL, CLI_LONG, &jobs, 1, 4096, 0, NULL, 0},
        CLI_THREADS(&threads), CLI_QUIET(&quiet),
        CLI_OPT_END};
    int prc = cli_parse("matrix", opts, NULL, argc, argv, &spec_path, 1, &n_pos);
    if (prc)
        return prc == CLI_HELP ? (fputs(USAGE, stdout), 0) : prc;
    if (!spec_path)
        return cli_usage_error("matrix", "run needs SPEC.json");
    xl_error err;
    xl_error_clear(&err);
    xl_pw_spec *spec = xl_calloc(1, sizeof *spec, &err);
    if (!spec || xl_pw_spec_read(spec_path, spec, &err)) {
        free(spec);
        return cli_fail("matrix", &err);
    }
    /* the command line wins over the spec's "jobs"/"threads" */
    if (threads == 0)
        threads = spec->threads > 0 ? spec->threads : 1;
    if (jobs == 0)
        jobs = spec->jobs > 0                  ? spec->jobs
               : xl_num_cores() / threads > 0 ? xl_num_cores() / threads
                                               : 1;
    static char exe[4096];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[k > 0 ? k : 0] = '\0';
    char *trainer[] = {exe, "tasks", "tune", NULL};
    size_t planned = 0, done = 0;
    int rc = 0, worker = 0, erc;
#ifdef XL_HAVE_MPI
    if (!dry && xl_sweep_mpi_launched())
        erc = run_mpi(spec, trainer, (int)threads, quiet, main_argc, main_argv, &worker, &err);
    else
#endif
    {
        (void)run_mpi, (void)main_argc, (void)main_argv;
        if (!quiet && !dry)
            fprintf(stderr, "xferlaw matrix: %ld jobs x %d threads; results in %s/runs.jsonl\n",
                    jobs, threads, spec->out);
        xl_pw_exec x = {.trainer = trainer, .jobs = (int)jobs, .threads = (int)threads,
                        .log = quiet ? NULL : stderr, .dry_run = dry};
        erc = xl_pw_run(spec, &x, &planned, &done, &err);
    }
    if (erc || worker || dry) {
        if (!erc && dry)
            printf("%s: %zu runs planned, %zu done\n", spec_path, planned, done);
        free(spec);
        return erc ? cli_fail("matrix", &err) : 0;
    }
    if (xl_pw_collect(spec, &err)) {
        free(spec);
        return cli_fail("matrix", &err);
    }
    for (size_t z = 0; z < spec->n_sizes && spec->pairs == XL_PW_ALL; z++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s/gain.csv", spec->out, spec->sizes[z].name);
        xl_tmatrix *g = NULL;
        if (xl_tmatrix_read(path, "gain", &g, &err)) {
            rc = cli_fail("matrix", &err);
            break;
        }
        char title[256];
        snprintf(title, sizeof title, "size %s: gain in accuracy points (mean over %zu seed%s)",
                 spec->sizes[z].name, spec->n_seeds, spec->n_seeds > 1 ? "s" : "");
        print_matrix(g, g->mean, title);
        printf("\n");
        xl_tmatrix_free(g);
    }
    if (!rc)
        print_scale(spec);
    if (!rc && !no_analyze && spec->pairs == XL_PW_ALL) {
        char a[1200], b[1200], out[1200];
        snprintf(a, sizeof a, "%s/%s/gain.csv", spec->out, spec->sizes[0].name);
        snprintf(b, sizeof b, "%s/%s/gain.csv", spec->out,
                 spec->sizes[spec->n_sizes > 1 ? 1 : 0].name);
        snprintf(out, sizeof out, "%s/analysis", spec->out);
        char *av[] = {"analyze", a, "--out", out, "--compare", b, NULL};
        rc = do_analyze(spec->n_sizes > 1 ? 6 : 4, av);
    }
    /* capability jumps of the diagonal with scale: a break needs >= 4 sizes to be told
     * from a curve, and the broken law's 6 parameters >= 8 points (sizes x seeds) */
    if (!rc && !no_analyze && spec->n_sizes >= 4 && spec->n_sizes * spec->n_seeds < 8)
        printf("\ncapability jumps: skipped (%zu sizes x %zu seeds < 8 points per task)\n",
               spec->n_sizes, spec->n_seeds);
    else if (!rc && !no_analyze && spec->n_sizes >= 4) {
        char in[1200], out[1200];
        snprintf(in, sizeof in, "%s/scale.csv", spec->out);
        snprintf(out, sizeof out, "%s/jumps", spec->out);
        char *av[] = {"jumps", in, "--x", "N", "--y", "acc_diag", "--by", "task", "--out", out,
                      NULL};
        printf("\ncapability jumps: accuracy after %d then %d examples of the task, against N\n",
               spec->n_source, spec->n_target);
        rc = cmd_jumps(10, av);
    }
    free(spec);
    return rc;
}

int cmd_matrix(int argc, char **argv)
{
    int code;
    if (cli_subcommand_help(argc, argv, USAGE, &code))
        return code;
    if (strcmp(argv[1], "analyze") == 0)
        return do_analyze(argc - 1, argv + 1);
    if (strcmp(argv[1], "run") == 0)
        return do_run(argc - 1, argv + 1, &argc, &argv);
    static const char *const subs[] = {"analyze", "run"};
    return cli_unknown_subcommand("matrix", argv[1], subs, 2);
}
