/* The strict gnuplot escaper and the shell-free gnuplot runner (see xferlaw/gnuplot.h). */
#include "xferlaw/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int xl_gp_safe_char(unsigned char c)
{
    if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c && strchr(" -_.,:+=()[]/%*~", c) != NULL;
}

void xl_gp_puts(FILE *fp, const char *s, int one_word)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        fputc(one_word && *p == ' ' ? '_' : xl_gp_safe_char(*p) ? *p : '?', fp);
}

void xl_gp_quote(FILE *fp, const char *s)
{
    fputc('\'', fp);
    xl_gp_puts(fp, s, 0);
    fputc('\'', fp);
}

/* Start gnuplot with argv in dir; its stdout goes to /dev/null, its stderr to the pipe
 * *rd (or to /dev/null when rd is NULL). */
static int spawn(const char *dir, char *const argv[], int *rd, pid_t *pid)
{
    int fds[2] = {-1, -1};
    if (rd && pipe2(fds, O_CLOEXEC))
        return errno;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (dir && dir[0])
        posix_spawn_file_actions_addchdir_np(&fa, dir);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (rd)
        posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    else
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int e = posix_spawnp(pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rd) {
        close(fds[1]);
        if (e)
            close(fds[0]);
        else
            *rd = fds[0];
    }
    return e;
}

static int wait_child(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return st;
}

int xl_plot_gnuplot_available(char *version, size_t n)
{
    if (version && n)
        version[0] = '\0';
    if (getenv("XL_NO_GNUPLOT"))
        return 0;
    char *argv[] = {"gnuplot", "--version", NULL};
    int fds[2];
    if (pipe2(fds, O_CLOEXEC))
        return 0;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int e = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (e) {
        close(fds[0]);
        return 0;
    }
    char buf[128];
    ssize_t k, got = 0;
    while ((k = read(fds[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0 ||
           (k < 0 && errno == EINTR))
        if (k > 0 && (got += k) >= (ssize_t)sizeof buf - 1)
            break;
    close(fds[0]);
    buf[got] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    int st = wait_child(pid);
    if (version && n)
        snprintf(version, n, "%s", buf);
    return st == 0 && buf[0];
}

int xl_gp_run(const char *script, const char *fmt, const char *log, xl_error *err)
{
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s", script) >= (int)sizeof dir)
        return xl_error_set(err, XL_EINVAL, "%s: path too long", script);
    char *slash = strrchr(dir, '/');
    const char *name = script;
    if (slash) {
        *slash = '\0';
        name = script + (slash - dir) + 1;
        if (!dir[0])
            dir[0] = '/', dir[1] = '\0';
    } else
        dir[0] = '\0';
    char fmtarg[32];
    snprintf(fmtarg, sizeof fmtarg, "fmt='%s'", fmt ? fmt : "");
    char *argv[5] = {"gnuplot", NULL, NULL, NULL, NULL};
    int a = 1;
    if (fmt) {
        argv[a++] = "-e";
        argv[a++] = fmtarg;
    }
    argv[a] = (char *)name;
    int rd = -1;
    pid_t pid;
    int e = spawn(dir, argv, &rd, &pid);
    if (e)
        return xl_error_set(err, XL_EIO, "%s: cannot run gnuplot: %s", script, strerror(e));
    /* gnuplot's messages: all go to the log, the first line makes the error */
    FILE *lf = NULL;
    if (log) {
        char lp[4200];
        snprintf(lp, sizeof lp, "%s%s%s", dir, dir[0] ? "/" : "", log);
        lf = fopen(lp, "a");
    }
    char first[200] = "", buf[4096];
    size_t nfirst = 0;
    ssize_t k;
    while ((k = read(rd, buf, sizeof buf)) > 0 || (k < 0 && errno == EINTR)) {
        if (k <= 0)
            continue;
        if (lf)
            fwrite(buf, 1, (size_t)k, lf);
        for (ssize_t i = 0; i < k && nfirst + 1 < sizeof first; i++) {
            if (buf[i] == '\n' && nfirst) {
                nfirst = sizeof first; /* done */
                break;
            }
            if (buf[i] != '\n' && buf[i] != '\r')
                first[nfirst++] = xl_gp_safe_char((unsigned char)buf[i]) || buf[i] == '\'' ||
                                          buf[i] == '"' ? buf[i] : ' ';
        }
        if (nfirst < sizeof first)
            first[nfirst] = '\0';
    }
    close(rd);
    if (lf)
        fclose(lf);
    int st = wait_child(pid);
    if (st == -1)
        return xl_error_set(err, XL_EIO, "%s: gnuplot: %s", script, strerror(errno));
    if (WIFSIGNALED(st))
        return xl_error_set(err, XL_EIO, "%s: gnuplot killed by signal %d (%s)", script,
                            WTERMSIG(st), strsignal(WTERMSIG(st)));
    if (WEXITSTATUS(st) != 0)
        return xl_error_set(err, XL_EIO, "%s: gnuplot failed (exit %d): %s", script,
                            WEXITSTATUS(st), first[0] ? first : "no message");
    return XL_OK;
}

int xl_gnuplot_render(const char *script, int *rendered, xl_error *err)
{
    *rendered = 0;
    if (!xl_plot_gnuplot_available(NULL, 0))
        return XL_OK;
    int rc = xl_gp_run(script, NULL, NULL, err);
    if (rc == XL_OK)
        *rendered = 1;
    return rc;
}
