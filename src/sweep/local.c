/* Local executor: a pool of trainer child processes.
 *
 * Kill safety rests on three facts: (1) a run is done exactly when its line is in the
 * results file, and a line is appended with one write(2) after run.json exists;
 * (2) only one executor writes a results file (flock on SWEEPDIR/.lock, inherited by
 * the children so a restart also waits for the children of a killed sweep to be gone);
 * (3) children die with the sweep (PR_SET_PDEATHSIG) and form their own process group,
 * so an interrupt kills whole trainers and nothing half-dead keeps writing. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif
#include "xferlaw/sweep.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile int xl_sweep_interrupted;

int xl_sweep_lock(const char *sweepdir, const char *name, int *fd, xl_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", sweepdir, name);
    /* no O_CLOEXEC: trainers inherit the lock (see top of file) */
    int f = open(path, O_RDWR | O_CREAT, 0644);
    if (f < 0)
        return xl_error_set(err, XL_EIO, "%s: cannot open lock: %s", path, strerror(errno));
    for (int tries = 0;; tries++) {
        if (flock(f, LOCK_EX | LOCK_NB) == 0)
            break;
        if (errno != EWOULDBLOCK || tries >= 100) {
            close(f);
            return xl_error_set(err, XL_EIO, "%s: another sweep is running in %s (lock held)",
                                path, sweepdir);
        }
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    *fd = f;
    return XL_OK;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void run_dir(const xl_sweep_opts *o, const char *id, char *buf, size_t n)
{
    snprintf(buf, n, "%s/runs/%s", o->sweepdir, id);
}

void xl_sweep_log_tail(const char *sweepdir, const char *id, char *buf, size_t n)
{
    char path[4096], *text;
    size_t len;
    snprintf(path, sizeof path, "%s/runs/%s/train.log", sweepdir, id);
    buf[0] = '\0';
    if (xl_read_file(path, &text, &len, NULL))
        return;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    char *last = strrchr(text, '\n');
    last = last ? last + 1 : text;
    char *cr = strrchr(last, '\r');   /* a progress bar redraws with \r */
    snprintf(buf, n, "%s", cr ? cr + 1 : last);
    free(text);
}

int xl_sweep_launch(const xl_sweep_plan *plan, size_t i, const xl_sweep_opts *o, pid_t *pid,
                    xl_error *err)
{
    const xl_sweep_run *r = &plan->runs[i];
    char dir[4096], path[4200], init[4200], threads[32];
    run_dir(o, r->id, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/last.ckpt", dir);
    int resume = o->resume && xl_file_exists(path);
    if (!resume && xl_file_exists(dir) && nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return xl_error_set(err, XL_EIO, "%s: cannot clear partial run: %s", dir, strerror(errno));
    if (resume) {   /* temporaries of the killed trainer's unfinished atomic writes */
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d)))
            if (strstr(e->d_name, ".tmp")) {
                snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
                unlink(path);
            }
        if (d)
            closedir(d);
    }
    int rc = xl_mkdirs(dir, err);
    if (rc)
        return rc;
    size_t np = 0;
    while (o->trainer[np])
        np++;
    char **argv = xl_calloc(np + r->n_args + 16, sizeof *argv, err);
    if (!argv)
        return XL_ENOMEM;
    size_t k = 0;
    for (size_t j = 0; j < np; j++)
        argv[k++] = o->trainer[j];
    for (size_t j = 0; j < r->n_args; j++)
        argv[k++] = r->args[j];
    argv[k++] = "--out";
    argv[k++] = dir;
    if (r->dep >= 0) {
        snprintf(init, sizeof init, "%s/runs/%s/best.ckpt", o->sweepdir, plan->runs[r->dep].id);
        argv[k++] = "--init-from";
        argv[k++] = init;
    }
    if (plan->spec->corpora) {
        argv[k++] = "--corpora";
        argv[k++] = plan->spec->corpora;
    }
    if (resume)
        argv[k++] = "--resume";
    snprintf(threads, sizeof threads, "%d", o->threads > 0 ? o->threads : 1);
    argv[k++] = "--threads";
    argv[k++] = threads;
    argv[k++] = "--quiet";
    argv[k] = NULL;
    snprintf(path, sizeof path, "%s/train.log", dir);
    pid_t parent = getpid();
    fflush(NULL);
    pid_t p = fork();
    if (p < 0) {
        free(argv);
        return xl_error_set(err, XL_EIO, "fork failed: %s", strerror(errno));
    }
    if (p == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)   /* the sweep died before prctl took effect */
            _exit(127);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        int lf = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int nul = open("/dev/null", O_RDONLY);
        if (lf >= 0) {
            dup2(lf, 1);
            dup2(lf, 2);
            close(lf);
        }
        if (nul >= 0) {
            dup2(nul, 0);
            close(nul);
        }
        setenv("OPENBLAS_NUM_THREADS", threads, 1);
        setenv("OMP_NUM_THREADS", threads, 1);
        dprintf(2, "[sweep] run %s (%s)%s\n", r->id, xl_sweep_kind_name(r->kind),
                resume ? " resumed" : "");
        execvp(argv[0], argv);
        dprintf(2, "cannot run trainer '%s': %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(p, p);   /* also from the parent: no window where a kill misses the group */
    free(argv);
    *pid = p;
    return XL_OK;
}

/* Append run i's line; report its tokens and FLOPs for the progress line. */
static int commit(const xl_sweep_plan *plan, size_t i, const xl_sweep_opts *o, double *tokens,
                  double *flops, double *loss, xl_error *err)
{
    char *line, res[4200];
    int rc = xl_sweep_record_line(plan, i, o->sweepdir, &line, err);
    if (rc)
        return rc;
    if (o->results)
        snprintf(res, sizeof res, "%s", o->results);
    else
        snprintf(res, sizeof res, "%s/runs.jsonl", o->sweepdir);
    rc = xl_append_line(res, line, err);
    cJSON *j = cJSON_Parse(line);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "tokens_seen");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "flops");
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(j, "loss");
    if (tokens)
        *tokens = cJSON_IsNumber(t) ? t->valuedouble : 0;
    if (flops)
        *flops = cJSON_IsNumber(f) ? f->valuedouble : 0;
    if (loss)
        *loss = cJSON_IsNumber(l) ? l->valuedouble : NAN;
    cJSON_Delete(j);
    free(line);
    return rc;
}

int xl_sweep_commit_run(const xl_sweep_plan *plan, size_t i, const xl_sweep_opts *opts,
                        xl_error *err)
{
    return commit(plan, i, opts, NULL, NULL, NULL, err);
}

static void on_signal(int sig)
{
    (void)sig;
    xl_sweep_interrupted = 1;
}

typedef struct {
    pid_t pid;
    size_t run;
    int resumed;
} slot;

static void kill_all(slot *s, int n)
{
    for (int k = 0; k < n; k++)
        if (s[k].pid > 0)
            killpg(s[k].pid, SIGTERM);
    double t0 = xl_now();
    for (int k = 0; k < n; k++) {
        while (s[k].pid > 0) {
            if (waitpid(s[k].pid, NULL, WNOHANG) == s[k].pid)
                s[k].pid = 0;
            else if (xl_now() - t0 > 3)
                killpg(s[k].pid, SIGKILL);
            else {
                struct timespec ts = {0, 20000000};
                nanosleep(&ts, NULL);
            }
        }
    }
}

int xl_sweep_exec_local(const xl_sweep_plan *plan, const xl_sweep_opts *o, xl_sweep_stats *st,
                        xl_error *err)
{
    memset(st, 0, sizeof *st);
    double t0 = xl_now();
    char res[4200], path[4200];
    if (o->results)
        snprintf(res, sizeof res, "%s", o->results);
    else
        snprintf(res, sizeof res, "%s/runs.jsonl", o->sweepdir);
    size_t n = plan->n;
    unsigned char *done = xl_calloc(n + 1, 1, err), *failed = xl_calloc(n + 1, 1, err);
    unsigned char *busy = xl_calloc(n + 1, 1, err), *noresume = xl_calloc(n + 1, 1, err);
    int jobs = o->jobs > 0 ? o->jobs : 1;
    slot *slots = xl_calloc((size_t)jobs, sizeof *slots, err);
    int rc = XL_OK;
    if (!done || !failed || !busy || !noresume || !slots) {
        rc = XL_ENOMEM;
        goto out;
    }
    if ((rc = xl_sweep_store_load(res, plan, done, err)))
        goto out;
    size_t total = 0, n_done = 0;
    for (size_t i = 0; i < n; i++) {
        if (o->include && !o->include[i])
            continue;
        total++;
        if (done[i]) {
            st->already++;
            continue;
        }
        snprintf(path, sizeof path, "%s/runs/%s/run.json", o->sweepdir, plan->runs[i].id);
        /* finished by a sweep killed before it could append the line */
        if (xl_file_exists(path) && commit(plan, i, o, NULL, NULL, NULL, err) == XL_OK) {
            done[i] = 1;
            st->already++;
        }
    }
    n_done = st->already;
    st->planned = total;
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    xl_sweep_interrupted = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    xl_progress pr;
    char label[128];
    snprintf(label, sizeof label, "sweep %s", plan->spec->name);
    xl_progress_init(&pr, o->log, label, (double)total);
    double tok = 0, fl_done = 0, fl_total = 0;
    for (size_t i = 0; i < n; i++)
        if ((!o->include || o->include[i]))
            fl_total += plan->runs[i].est_cost, fl_done += done[i] ? plan->runs[i].est_cost : 0;
    /* ETA from the first second: the plan's makespan at the prior speed for what is left
     * (T0 for W0 FLOPs), then scaled by how long the finished work really took against its
     * planned share, with the plan itself weighing as a quarter of the work (so one early
     * run does not swing it), and counting down between completions */
    double W0 = fl_total - fl_done, fl_start = fl_done, t_last = 0;
    double T0 = o->flops_per_s > 0 ? xl_sweep_plan_makespan(plan, o->include, done, jobs,
                                                            o->flops_per_s)
                                   : NAN;
    long first_fail = -1;
    int running = 0;
    for (;;) {
        if (xl_sweep_interrupted) {
            kill_all(slots, jobs);
            rc = xl_error_set(err, XL_EIO, "interrupted: %zu of %zu runs done; run the same"
                              " command again to finish", n_done, total);
            break;
        }
        /* hand out ready runs in plan order: pre-trainings come first */
        for (size_t i = 0; i < n && running < jobs; i++) {
            if ((o->include && !o->include[i]) || done[i] || failed[i] || busy[i])
                continue;
            long d = plan->runs[i].dep;
            if (d >= 0 && failed[d]) {
                failed[i] = 2;
                st->blocked++;
                continue;
            }
            if (d >= 0 && !done[d]) {
                if (o->include && !o->include[d] && !busy[d]) {
                    failed[i] = 2;   /* its pre-training belongs to nobody here */
                    st->blocked++;
                }
                continue;
            }
            int k = 0;
            while (slots[k].pid > 0)
                k++;
            slot sl = {0, i, 0};
            xl_sweep_opts oo = *o;
            oo.resume = o->resume && !noresume[i];
            snprintf(path, sizeof path, "%s/runs/%s/last.ckpt", o->sweepdir, plan->runs[i].id);
            sl.resumed = oo.resume && xl_file_exists(path);
            if ((rc = xl_sweep_launch(plan, i, &oo, &sl.pid, err)))
                break;
            slots[k] = sl;
            busy[i] = 1;
            running++;
        }
        if (rc) {
            kill_all(slots, jobs);
            break;
        }
        if (running == 0)
            break;
        int status;
        pid_t p = waitpid(-1, &status, WNOHANG);
        if (p <= 0) {
            struct timespec ts = {0, 50000000};
            nanosleep(&ts, NULL);
            char extra[160], rate[32];
            double el = xl_now() - t0;
            snprintf(rate, sizeof rate, "%.3g", el > 0 ? tok / el : 0);
            snprintf(extra, sizeof extra, " %d running, %s tok/s, work %.0f%%", running, rate,
                     fl_total > 0 ? 100 * fl_done / fl_total : 100.0);
            double eta = NAN;
            if (isfinite(T0) && W0 > 0) {
                double w = (fl_done - fl_start) / W0, f = (t_last + 0.25 * T0) / (w * T0 + 0.25 * T0);
                eta = T0 * (1 - w) * f - (el - t_last);
                if (eta < 1)
                    eta = 1;
            }
            xl_progress_update_eta(&pr, (double)n_done, fl_total > 0 ? fl_done / fl_total : 0,
                                   eta, extra);
            continue;
        }
        int k = 0;
        while (k < jobs && slots[k].pid != p)
            k++;
        if (k == jobs)
            continue;   /* not ours */
        size_t i = slots[k].run;
        slots[k].pid = 0;
        busy[i] = 0;
        running--;
        const xl_sweep_run *r = &plan->runs[i];
        snprintf(path, sizeof path, "%s/runs/%s/run.json", o->sweepdir, r->id);
        int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && xl_file_exists(path);
        double t = 0, f = 0, loss = NAN;
        xl_error e2;
        if (ok && commit(plan, i, o, &t, &f, &loss, &e2) == XL_OK) {
            done[i] = 1;
            n_done++;
            st->finished++;
            tok += t;
            fl_done += r->est_cost;
            t_last = xl_now() - t0;
            if (o->log && !pr.is_tty)
                fprintf(o->log, "sweep %s: [%zu/%zu] %s %s %s N=%.3g D=%.3g loss=%.4f\n",
                        plan->spec->name, n_done, total, r->id, xl_sweep_kind_name(r->kind),
                        plan->spec->curricula[r->curriculum].name, r->N, r->D, loss);
            continue;
        }
        if (ok) {   /* run.json there but unreadable: the run is broken, not the sweep */
            snprintf(path, sizeof path, "%s", e2.msg);
        } else if (WIFSIGNALED(status)) {   /* say so: the log tail alone hides it */
            char tail[420] = "";
            xl_sweep_log_tail(o->sweepdir, r->id, tail, 400);
            snprintf(path, sizeof path, "killed by signal %d (%s)%s%s", WTERMSIG(status),
                     strsignal(WTERMSIG(status)), tail[0] ? ": " : "", tail);
        } else {
            xl_sweep_log_tail(o->sweepdir, r->id, path, 400);
        }
        if (slots[k].resumed && !noresume[i]) {
            noresume[i] = 1;   /* a resume that fails gets one clean restart */
            continue;
        }
        failed[i] = 1;
        st->failed++;
        if (first_fail < 0) {
            first_fail = (long)i;
            xl_error_set(err, XL_EINVAL, "run %s (%s, %s, N=%.3g, D=%.3g) failed: %s; log: "
                         "%s/runs/%s/train.log", r->id, xl_sweep_kind_name(r->kind),
                         plan->spec->curricula[r->curriculum].name, r->N, r->D,
                         path[0] ? path : "no output", o->sweepdir, r->id);
        }
        if (o->log && !pr.is_tty)
            fprintf(o->log, "sweep %s: run %s FAILED: %s\n", plan->spec->name, r->id, path);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (!rc) {
        char extra[96];
        double el = xl_now() - t0;
        snprintf(extra, sizeof extra, " %zu run, %zu failed, %.3g tok/s", st->finished,
                 st->failed + st->blocked, el > 0 ? tok / el : 0);
        if (st->failed + st->blocked == 0)
            xl_progress_finish(&pr, extra);
        if (first_fail >= 0) {
            char first[XL_ERRMSG_MAX] = "";
            if (err)
                memcpy(first, err->msg, sizeof first);
            rc = xl_error_set(err, XL_EINVAL, "%zu runs failed, %zu skipped (their pre-training"
                              " failed); first: %s", st->failed, st->blocked, first);
        } else if (st->blocked) {
            rc = xl_error_set(err, XL_EINVAL, "%zu runs skipped: their pre-training is in no"
                              " shard given here", st->blocked);
        }
    }
out:
    st->wall_seconds = xl_now() - t0;
    free(done);
    free(failed);
    free(busy);
    free(noresume);
    free(slots);
    return rc;
}
