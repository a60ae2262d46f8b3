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

#include "cmd_matrix.h"

#define USAGE MATRIX_USAGE

const char MATRIX_USAGE[] =
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
        matrix_print(g, g->mean, title);
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
        rc = matrix_analyze(spec->n_sizes > 1 ? 6 : 4, av);
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
        return matrix_analyze(argc - 1, argv + 1);
    if (strcmp(argv[1], "run") == 0)
        return do_run(argc - 1, argv + 1, &argc, &argv);
    static const char *const subs[] = {"analyze", "run"};
    return cli_unknown_subcommand("matrix", argv[1], subs, 2);
}
