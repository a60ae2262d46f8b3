/* xferlaw sweep: plan and run a grid of trainings (local pool, MPI, or a shard). */
#include "cli.h"
#include "opts.h"
#include "xferlaw/sweep.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <glob.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Paths are bounded on purpose; an overlong one fails at open(). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#ifdef XL_HAVE_MPI
#include "../sweep/sweep_mpi.h"
#include <mpi.h>
#endif

/* Speed assumed for time estimates when nothing was measured: FLOP/s (tied head included)
 * of one run on one core; the trainer's CPU time gave 27-60 GFLOP/s at N = 3k-450k. */
#define DEFAULT_FLOPS_PER_S 3.0e10

static void usage(FILE *fp)
{
    fprintf(fp,
        "usage: xferlaw sweep SPEC [options]\n"
        "\n"
        "Plan and run a grid of trainings: one pre-training per (curriculum, N), a fine-tune\n"
        "per D_F from its best checkpoint, from-scratch runs per (N, D).  Each finished run is\n"
        "one line of DIR/runs.jsonl (a measurement table: curriculum, kind, N, D, loss, ...).\n"
        "Kill it at any moment and run the same command again: nothing is lost or repeated.\n"
        "\n"
        "SPEC is a JSON file or a bundled spec: tiny, small, medium, ci, protocol, bases.\n"
        "  --out DIR, -o      sweep directory (default sweeps/NAME)\n"
        "  --dry-run          print the plan with estimated FLOPs and time; run nothing\n"
        "  --jobs K           concurrent runs (default: cores / threads)\n"
        "  --threads T        BLAS threads per run (default 0: cores / jobs with --jobs,\n"
        "                     else 1: one run per core is faster than one run on two\n"
        "                     cores for these model sizes)\n"
        "  --trainer CMD      trainer command line (default: this binary's 'train';\n"
        "                     also env XL_TRAIN_CMD)\n"
        "  --no-resume        restart partial runs instead of resuming from last.ckpt\n"
        "  --shard I/N        only shard I of N (0-based; whole (curriculum, N) groups);\n"
        "                     results go to DIR/runs.I.jsonl\n"
        "  --merge            join DIR/runs.*.jsonl (and DIR/runs.jsonl) into DIR/runs.jsonl\n"
        "  --flops-per-s X    per-run speed for estimates (default: measured by finished\n"
        "                     runs in DIR, else the spec's flops_per_s, else %.0e)\n"
        "  --quiet            no progress on stderr (the final summary still goes to stdout)\n"
        "Under 'mpirun -np P' (P > 1) rank 0 schedules and writes results, ranks 1..P-1 run\n"
        "(MPI: %s).\n",
        DEFAULT_FLOPS_PER_S,
#ifdef XL_HAVE_MPI
        "built in"
#else
        "not built in; reconfigure with -Dmpi=enabled"
#endif
    );
}

static int resolve_spec(const char *arg, char *out, size_t n)
{
    /* a bare name is a bundled spec unless a file (not a directory: sweeps are) has it */
    struct stat st;
    if ((stat(arg, &st) == 0 && !S_ISDIR(st.st_mode)) || strchr(arg, '/') || strstr(arg, ".json")) {
        snprintf(out, n, "%s", arg);
        return 0;
    }
    for (const char *p = arg; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return -1;
    if (strlen(arg) > 200)
        return -1;
    const char *env = getenv("XL_SPECS");
    if (env && env[0]) {
        snprintf(out, n, "%s/%s.json", env, arg);
        if (xl_file_exists(out))
            return 0;
    }
    char rel[300];
    snprintf(rel, sizeof rel, "specs/%s.json", arg);
    return xl_data_file(rel, out, n);
}

/* "a b c" -> {"a", "b", "c", NULL}; words separated by blanks (no quoting). */
static char **split_words(const char *s)
{
    size_t cap = strlen(s) / 2 + 3, k = 0;
    char **v = calloc(cap, sizeof *v);
    char *copy = strdup(s);
    if (!v || !copy) {
        free(v);
        free(copy);
        return NULL;
    }
    for (char *t = strtok(copy, " \t"); t; t = strtok(NULL, " \t"))
        v[k++] = t;
    if (k == 0) {
        free(v);
        free(copy);
        return NULL;
    }
    return v;   /* v[0] owns copy */
}

static void fmt_si(double v, char *buf, size_t n)
{
    const char *u = " kMGTPE";
    int k = 0;
    while (fabs(v) >= 1000 && k < 6) {
        v /= 1000;
        k++;
    }
    if (k == 0)
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.3g%c", v, u[k]);
}

static void print_plan(const xl_sweep_plan *p, const unsigned char *include,
                       const unsigned char *done, int jobs, double fps, const char *fps_src)
{
    printf("%-16s  %-8s  %-20s  %8s  %8s  %4s  %-16s  %9s  %8s\n", "id", "kind", "curriculum",
           "N", "D", "seed", "depends-on", "FLOPs", "time");
    size_t counts[3] = {0, 0, 0}, n = 0, n_done = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (include && !include[i])
            continue;
        const xl_sweep_run *r = &p->runs[i];
        char N[16], D[16], F[16], T[16];
        fmt_si(r->N, N, sizeof N);
        if (r->kind == XL_SWEEP_PRETRAIN)
            snprintf(D, sizeof D, "-");
        else
            fmt_si(r->D, D, sizeof D);
        fmt_si(r->est_flops, F, sizeof F);
        xl_format_duration(r->est_cost / fps, T, sizeof T);
        printf("%-16s  %-8s  %-20.20s  %8s  %8s  %4ld  %-16s  %9s  %8s%s\n", r->id,
               xl_sweep_kind_name(r->kind), p->spec->curricula[r->curriculum].name, N, D, r->seed,
               r->dep >= 0 ? p->runs[r->dep].id : "-", F, T, done && done[i] ? "  (done)" : "");
        counts[r->kind]++;
        n++;
        n_done += done && done[i];
    }
    char F[16], serial[32], wall[32];
    double flops = xl_sweep_plan_flops(p, include);
    fmt_si(flops, F, sizeof F);
    double cost = 0;
    for (size_t i = 0; i < p->n; i++)
        if ((!include || include[i]) && !(done && done[i]))
            cost += p->runs[i].est_cost;
    xl_format_duration(cost / fps, serial, sizeof serial);
    xl_format_duration(xl_sweep_plan_makespan(p, include, done, jobs, fps), wall, sizeof wall);
    const xl_sweep_spec *sp = p->spec;
    int data_limit = !strcmp(sp->finetune.schedule, "constant") ||
                     !strcmp(sp->scratch.schedule, "constant");
    printf("\n%zu runs (%zu pretrain, %zu finetune, %zu scratch); estimated %s FLOPs (%s)\n", n,
           counts[0], counts[1], counts[2], F,
           data_limit ? "data-limit runs at the spec's expected epochs * D; their caps are larger"
                      : "upper bound: full budgets, no early stop");
    printf("time%s: %s for one run at a time, %s with %d jobs (speed %.3g FLOP/s per run, head"
           " included; %s)\n", n_done ? " left" : "", serial, wall, jobs, fps, fps_src);
    if (n_done)
        printf("%zu of %zu runs already done\n", n_done, n);
}

static int do_merge(const xl_sweep_plan *plan, const char *dir)
{
    char pat[4200], out[4200];
    snprintf(pat, sizeof pat, "%s/runs.*.jsonl", dir);
    snprintf(out, sizeof out, "%s/runs.jsonl", dir);
    glob_t g;
    int grc = glob(pat, 0, NULL, &g);
    const char **in = calloc((grc == 0 ? g.gl_pathc : 0) + 1, sizeof *in);
    size_t k = 0;
    if (!in)
        return 1;
    if (xl_file_exists(out))
        in[k++] = out;
    for (size_t i = 0; grc == 0 && i < g.gl_pathc; i++)
        in[k++] = g.gl_pathv[i];
    xl_error err;
    size_t missing = 0;
    int rc = xl_sweep_store_merge(plan, in, k, out, &missing, &err);
    if (!rc)
        rc = xl_sweep_summary(plan, out, NAN, NULL, NULL, &err);
    free(in);
    if (grc == 0)
        globfree(&g);
    if (rc)
        return cli_fail("sweep", &err);
    printf("merged %zu files into %s: %zu of %zu planned runs present\n", k, out,
           plan->n - missing, plan->n);
    if (missing)
        fprintf(stderr, "xferlaw sweep: warning: %zu planned runs missing (run the missing"
                        " shards, then --merge again)\n", missing);
    return 0;
}

static void print_summary(const cJSON *s, const xl_sweep_stats *st, FILE *fp)
{
    double flops = cJSON_GetObjectItem(s, "total_flops")->valuedouble;
    const cJSON *sec = cJSON_GetObjectItem(s, "total_run_seconds");
    const cJSON *tps = cJSON_GetObjectItem(s, "mean_tokens_per_s");
    char F[16], run_t[32], wall[32];
    fmt_si(flops, F, sizeof F);
    xl_format_duration(cJSON_IsNumber(sec) ? sec->valuedouble : 0, run_t, sizeof run_t);
    xl_format_duration(st->wall_seconds, wall, sizeof wall);
    fprintf(fp, "runs: %.0f of %.0f done (%zu this time, %zu before); FLOPs %s; run time %s; "
                "wall time this time %s; %.3g tokens/s per run\n",
            cJSON_GetObjectItem(s, "runs_done")->valuedouble,
            cJSON_GetObjectItem(s, "runs_planned")->valuedouble, st->finished, st->already, F,
            run_t, wall, cJSON_IsNumber(tps) ? tps->valuedouble : 0);
}

int cmd_sweep(int argc, char **argv)
{
    const char *spec_arg = NULL, *out = NULL, *trainer = getenv("XL_TRAIN_CMD"), *shard = NULL;
    int dry = 0, jobs = 0, threads = 0, no_resume = 0, merge = 0, quiet = 0;
    double fps = 0;
    const cli_opt table[] = {
        CLI_OUT(&out), {"--dry-run", NULL, CLI_FLAG, &dry, 0, 0, 0, NULL, 0},
        {"--jobs", NULL, CLI_INT, &jobs, 1, 4096, 0, NULL, 0}, CLI_THREADS(&threads),
        {"--trainer", NULL, CLI_STR, &trainer, 0, 0, 0, NULL, 0},
        {"--no-resume", NULL, CLI_FLAG, &no_resume, 0, 0, 0, NULL, 0},
        {"--shard", NULL, CLI_STR, &shard, 0, 0, 0, NULL, 0},
        {"--merge", NULL, CLI_FLAG, &merge, 0, 0, 0, NULL, 0},
        {"--flops-per-s", NULL, CLI_DOUBLE, &fps, 0, 0, 1, NULL, 0}, CLI_QUIET(&quiet),
        CLI_OPT_END};
    int n_pos, prc = cli_parse("sweep", table, NULL, argc, argv, &spec_arg, 1, &n_pos);
    if (prc == CLI_HELP) {
        usage(stdout);
        return 0;
    }
    if (prc)
        return prc;
    if (!spec_arg)
        return cli_usage_error("sweep", "missing SPEC");
    int shard_i = 0, shard_n = 0;
    if (shard) {
        char extra;
        if (sscanf(shard, "%d/%d%c", &shard_i, &shard_n, &extra) != 2 || shard_n < 1 ||
            shard_i < 0 || shard_i >= shard_n)
            return cli_usage_error("sweep", "--shard: expected I/N with 0 <= I < N, got '%s'",
                                   shard);
    }
    char spec_path[4200];
    if (resolve_spec(spec_arg, spec_path, sizeof spec_path)) {
        static const char *const bundled[] = {"tiny", "small", "medium", "ci", "protocol", "bases"};
        char buf[160];
        return cli_usage_error("sweep", "no spec file '%s' and no bundled spec of that name"
                               " (bundled: tiny, small, medium, ci, protocol, bases)%s", spec_arg,
                               cli_did_you_mean(spec_arg, bundled, 6, buf, sizeof buf));
    }
    xl_error err;
    xl_error_clear(&err);
    xl_sweep_spec spec;
    if (xl_sweep_spec_read(spec_path, &spec, &err))
        return cli_fail("sweep", &err);
    xl_sweep_plan plan;
    if (xl_sweep_plan_build(&spec, &plan, &err)) {
        xl_sweep_spec_free(&spec);
        return cli_fail("sweep", &err);
    }
    char dir[4200], res[4300], sum_path[4300];
    if (out)
        snprintf(dir, sizeof dir, "%s", out);
    else
        snprintf(dir, sizeof dir, "sweeps/%s", spec.name);
    snprintf(res, sizeof res, "%s/runs.jsonl", dir);
    if (shard)
        snprintf(res, sizeof res, "%s/runs.%d.jsonl", dir, shard_i);
    snprintf(sum_path, sizeof sum_path, "%s/summary.json", dir);
    if (shard)
        snprintf(sum_path, sizeof sum_path, "%s/summary.%d.json", dir, shard_i);
    int rc = 0;
    unsigned char *include = NULL, *done = calloc(plan.n + 1, 1);
    int *shard_of = calloc(plan.n + 1, sizeof *shard_of);
    char **trainer_argv = NULL;
    int lock_fd = -1;
    if (!done || !shard_of) {
        rc = 1;
        goto out;
    }
    if (shard) {
        include = calloc(plan.n + 1, 1);
        if (!include || xl_sweep_plan_shard(&plan, shard_n, shard_of, &err)) {
            rc = cli_fail("sweep", &err);
            goto out;
        }
        for (size_t i = 0; i < plan.n; i++)
            include[i] = shard_of[i] == shard_i;
    }
    if (merge) {
        rc = do_merge(&plan, dir);
        goto out;
    }
    int cores = xl_num_cores();
    if (threads == 0)
        threads = jobs > 0 && cores / jobs > 1 ? cores / jobs : 1;
    if (jobs == 0)
        jobs = cores / threads > 0 ? cores / threads : 1;
    if (jobs * threads > cores && !quiet)
        fprintf(stderr, "xferlaw sweep: warning: %d jobs x %d threads > %d cores\n", jobs, threads,
                cores);
    /* the speed behind --dry-run's estimate and the progress bar's ETA */
    const char *src = "given by --flops-per-s";
    char buf[4400];
    if (fps <= 0 && xl_file_exists(res) && (fps = xl_sweep_store_speed(res, &plan)) > 0) {
        snprintf(buf, sizeof buf, "measured by the finished runs in %s", res);
        src = buf;
    }
    if (fps <= 0 && spec.flops_per_s > 0) {
        fps = spec.flops_per_s;
        src = "spec's flops_per_s";
    }
    if (fps <= 0) {
        fps = DEFAULT_FLOPS_PER_S;
        src = "default, not measured";
    }
    if (dry) {
        if (xl_file_exists(res))
            xl_sweep_store_load(res, &plan, done, NULL);
        print_plan(&plan, include, done, jobs, fps, src);
        goto out;
    }
    if (!trainer || !*trainer) {
        static char exe[4096];
        ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[k > 0 ? k : 0] = '\0';
        trainer_argv = calloc(3, sizeof *trainer_argv);
        if (!trainer_argv) {
            rc = 1;
            goto out;
        }
        trainer_argv[0] = strdup(exe);
        trainer_argv[1] = "train";
    } else if (!(trainer_argv = split_words(trainer))) {
        rc = cli_usage_error("sweep", "--trainer: empty command");
        goto out;
    }
    int rank = 0, size = 1, use_mpi = 0;
#ifdef XL_HAVE_MPI
    if (xl_sweep_mpi_launched()) {
        if (xl_sweep_mpi_init(&argc, &argv, &rank, &size)) {
            fprintf(stderr, "xferlaw sweep: error: MPI_Init failed\n");
            rc = 1;
            goto out;
        }
        use_mpi = 1;
    }
#endif
    /* each shard its own lock: the shards of a job array share the directory */
    char lock_name[64] = ".lock";
    if (shard)
        snprintf(lock_name, sizeof lock_name, ".lock.%d", shard_i);
    if (rank == 0 && (xl_mkdirs(dir, &err) || xl_sweep_lock(dir, lock_name, &lock_fd, &err)))
        rc = cli_fail("sweep", &err);
    xl_sweep_opts opts = {.sweepdir = dir, .trainer = trainer_argv, .jobs = jobs,
                          .threads = threads, .resume = !no_resume, .include = include,
                          .results = res, .log = quiet ? NULL : stderr, .flops_per_s = fps};
    xl_sweep_stats st;
    int erc = XL_OK;
    if (!rc && !quiet && rank == 0) {
        size_t mine = 0;
        for (size_t i = 0; i < plan.n; i++)
            mine += !include || include[i];
        if (use_mpi)
            fprintf(stderr, "xferlaw sweep: %zu runs, MPI with %d ranks (%d running trainers,"
                            " %d threads each); results in %s\n", mine, size, size - 1, threads,
                    res);
        else
            fprintf(stderr, "xferlaw sweep: %zu runs, %d jobs x %d threads; results in %s; ETA "
                            "from the plan at %.3g FLOP/s per run (%s)\n",
                    mine, jobs, threads, res, fps, src);
    }
#ifdef XL_HAVE_MPI
    if (use_mpi) {
        int bad = rc, any = 0;
        MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        if (!any)
            erc = xl_sweep_exec_mpi(&plan, &opts, rank, size, &st, &err);
        else
            rc = 1;
        xl_sweep_mpi_finalize();
        if (rank != 0) {
            rc = erc ? cli_fail("sweep", &err) : rc;
            goto out;
        }
    }
#endif
    if (!rc && !use_mpi)
        erc = xl_sweep_exec_local(&plan, &opts, &st, &err);
    if (!rc) {
        cJSON *summary = NULL;
        xl_error e2;
        if (xl_sweep_summary(&plan, res, st.wall_seconds, sum_path, &summary, &e2) == 0) {
            print_summary(summary, &st, stdout);
            cJSON_Delete(summary);
        } else {
            fprintf(stderr, "xferlaw sweep: warning: %s\n", e2.msg);
        }
        if (erc)
            rc = cli_fail("sweep", &err);
    }
out:
    if (lock_fd >= 0)
        close(lock_fd);
    if (trainer_argv) {
        free(trainer_argv[0]);
        free(trainer_argv);
    }
    free(include);
    free(done);
    free(shard_of);
    xl_sweep_plan_free(&plan);
    xl_sweep_spec_free(&spec);
    return rc;
}
