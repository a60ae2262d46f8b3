/* MPI executor: rank 0 schedules, the other ranks run trainers.
 *
 * Every rank builds the same plan from the same spec, so messages carry run indices
 * only.  A worker sends back the finished run's record line (built from run.json on
 * its side) and rank 0, the only writer, appends it: runs.jsonl needs no shared
 * locking, only the run directories need a shared file system (fine-tunes read the
 * pre-training's best.ckpt).  Waiting uses Iprobe + sleep: a blocking MPI_Recv
 * busy-polls a core in OpenMPI, and the cores belong to the trainers. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif
#include "sweep_mpi.h"

#include <math.h>
#include <mpi.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { TAG_RUN = 1, TAG_DONE = 2, TAG_STOP = 3 };

int xl_sweep_mpi_launched(void)
{
    const char *v[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", NULL};
    for (int i = 0; v[i]; i++) {
        const char *s = getenv(v[i]);
        if (s && atoi(s) > 1)
            return 1;
    }
    return 0;
}

int xl_sweep_mpi_init(int *argc, char ***argv, int *rank, int *size)
{
    if (MPI_Init(argc, argv) != MPI_SUCCESS)
        return -1;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}

void xl_sweep_mpi_finalize(void)
{
    MPI_Finalize();
}

static void nap(void)
{
    struct timespec ts = {0, 20000000};
    nanosleep(&ts, NULL);
}

/* Wait for any message with Iprobe; returns its status. */
static void wait_msg(int src, MPI_Status *st)
{
    int flag = 0;
    for (;;) {
        MPI_Iprobe(src, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, st);
        if (flag)
            return;
        nap();
    }
}

static int worker(const xl_sweep_plan *plan, const xl_sweep_opts *o)
{
    for (;;) {
        MPI_Status st;
        wait_msg(0, &st);
        int msg[2];
        MPI_Recv(msg, 2, MPI_INT, 0, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (st.MPI_TAG == TAG_STOP)
            return 0;
        size_t i = (size_t)msg[0];
        xl_sweep_opts oo = *o;
        oo.resume = msg[1];
        xl_error e;
        xl_error_clear(&e);
        pid_t pid;
        char *line = NULL, buf[600];
        int ok = 0, status = 0;
        if (xl_sweep_launch(plan, i, &oo, &pid, &e) == XL_OK) {
            while (waitpid(pid, &status, 0) < 0)
                ;
            ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
                 xl_sweep_record_line(plan, i, o->sweepdir, &line, &e) == XL_OK;
        }
        if (!ok) {
            if (e.msg[0])
                snprintf(buf, sizeof buf, "%s", e.msg);
            else
                xl_sweep_log_tail(o->sweepdir, plan->runs[i].id, buf, sizeof buf);
        }
        const char *payload = ok ? line : buf;
        size_t n = strlen(payload) + 1 + 8;
        char *out = malloc(n);
        if (!out)
            return 1;
        int head[2] = {(int)i, ok};
        memcpy(out, head, 8);
        memcpy(out + 8, payload, n - 8);
        MPI_Send(out, (int)n, MPI_CHAR, 0, TAG_DONE, MPI_COMM_WORLD);
        free(out);
        free(line);
    }
}

int xl_sweep_exec_mpi(const xl_sweep_plan *plan, const xl_sweep_opts *o, int rank, int size,
                      xl_sweep_stats *stats, xl_error *err)
{
    memset(stats, 0, sizeof *stats);
    if (rank != 0)
        return worker(plan, o) ? xl_error_set(err, XL_ENOMEM, "out of memory") : XL_OK;
    double t0 = xl_now();
    size_t n = plan->n;
    char res[4200], path[4200];
    snprintf(res, sizeof res, "%s", o->results ? o->results : "");
    if (!o->results)
        snprintf(res, sizeof res, "%s/runs.jsonl", o->sweepdir);
    unsigned char *done = calloc(n + 1, 1), *failed = calloc(n + 1, 1), *busy = calloc(n + 1, 1);
    unsigned char *noresume = calloc(n + 1, 1), *resumed = calloc(n + 1, 1);
    int *idle = calloc((size_t)size, sizeof *idle);
    int rc = XL_OK, running = 0;
    if (!done || !failed || !busy || !noresume || !resumed || !idle) {
        rc = xl_error_set(err, XL_ENOMEM, "out of memory");
        goto stop;
    }
    if ((rc = xl_sweep_store_load(res, plan, done, err)))
        goto stop;
    size_t total = 0, n_done = 0;
    for (size_t i = 0; i < n; i++) {
        if (o->include && !o->include[i])
            continue;
        total++;
        snprintf(path, sizeof path, "%s/runs/%s/run.json", o->sweepdir, plan->runs[i].id);
        if (!done[i] && xl_file_exists(path) && xl_sweep_commit_run(plan, i, o, err) == XL_OK)
            done[i] = 1;
        n_done += done[i];
    }
    stats->planned = total;
    stats->already = n_done;
    for (int r = 1; r < size; r++)
        idle[r] = 1;
    xl_progress pr;
    char label[128];
    snprintf(label, sizeof label, "sweep %s (mpi %d ranks)", plan->spec->name, size);
    xl_progress_init(&pr, o->log, label, (double)total);
    double tok = 0;
    long first_fail = -1;
    char first_msg[600] = "";
    for (;;) {
        for (size_t i = 0; i < n; i++) {
            if ((o->include && !o->include[i]) || done[i] || failed[i] || busy[i])
                continue;
            long d = plan->runs[i].dep;
            if (d >= 0 && failed[d]) {
                failed[i] = 2;
                stats->blocked++;
                continue;
            }
            if (d >= 0 && !done[d])
                continue;
            int w = 1;
            while (w < size && !idle[w])
                w++;
            if (w == size)
                break;
            snprintf(path, sizeof path, "%s/runs/%s/last.ckpt", o->sweepdir, plan->runs[i].id);
            int msg[2] = {(int)i, o->resume && !noresume[i]};
            resumed[i] = msg[1] && xl_file_exists(path);
            MPI_Send(msg, 2, MPI_INT, w, TAG_RUN, MPI_COMM_WORLD);
            idle[w] = 0;
            busy[i] = 1;
            running++;
        }
        if (running == 0)
            break;
        MPI_Status st;
        int flag = 0;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_DONE, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            nap();
            char extra[96];
            double el = xl_now() - t0;
            snprintf(extra, sizeof extra, " %d running, %.3g tok/s", running, el > 0 ? tok / el : 0);
            xl_progress_update(&pr, (double)n_done, extra);
            continue;
        }
        int cnt;
        MPI_Get_count(&st, MPI_CHAR, &cnt);
        char *buf = malloc((size_t)cnt + 1);
        if (!buf) {
            rc = xl_error_set(err, XL_ENOMEM, "out of memory");
            break;
        }
        MPI_Recv(buf, cnt, MPI_CHAR, st.MPI_SOURCE, TAG_DONE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        buf[cnt] = '\0';
        int head[2];
        memcpy(head, buf, 8);
        size_t i = (size_t)head[0];
        const char *payload = buf + 8;
        idle[st.MPI_SOURCE] = 1;
        busy[i] = 0;
        running--;
        xl_error e2;
        if (head[1] && xl_append_line(res, payload, &e2) == XL_OK) {
            done[i] = 1;
            n_done++;
            stats->finished++;
            const char *t = strstr(payload, "\"tokens_seen\":");
            tok += t ? atof(t + 14) : 0;
            if (o->log && !pr.is_tty)
                fprintf(o->log, "sweep %s: [%zu/%zu] %s %s on rank %d\n", plan->spec->name,
                        n_done, total, plan->runs[i].id, xl_sweep_kind_name(plan->runs[i].kind),
                        st.MPI_SOURCE);
        } else if (resumed[i] && !noresume[i]) {
            noresume[i] = 1;
        } else {
            failed[i] = 1;
            stats->failed++;
            if (first_fail < 0) {
                first_fail = (long)i;
                snprintf(first_msg, sizeof first_msg, "%s", head[1] ? e2.msg : payload);
            }
        }
        free(buf);
    }
    if (!rc && first_fail >= 0)
        rc = xl_error_set(err, XL_EINVAL, "%zu runs failed, %zu skipped; first: run %s: %s; log:"
                          " %s/runs/%s/train.log", stats->failed, stats->blocked,
                          plan->runs[first_fail].id, first_msg, o->sweepdir,
                          plan->runs[first_fail].id);
    else if (!rc)
        xl_progress_finish(&pr, NULL);
stop:
    /* running > 0 only on an internal error: workers finish their run, then stop */
    for (int r = 1; r < size; r++) {
        int msg[2] = {0, 0};
        MPI_Send(msg, 2, MPI_INT, r, TAG_STOP, MPI_COMM_WORLD);
    }
    stats->wall_seconds = xl_now() - t0;
    free(done);
    free(failed);
    free(busy);
    free(noresume);
    free(resumed);
    free(idle);
    return rc;
}
