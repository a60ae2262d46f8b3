/* The strict gnuplot escaper and the shell-free gnuplot runner (see xferlaw/gnuplot.h). */
#include "xferlaw/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
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

int xl_gnuplot_probe(char *version, size_t n, char *why, size_t wn)
{
    char dummy[8];
    if (!version || !n)
        version = dummy, n = sizeof dummy;
    version[0] = '\0';
    if (why && wn)
        why[0] = '\0';
    else
        why = dummy, wn = sizeof dummy;
    if (getenv("XL_NO_GNUPLOT")) {
        snprintf(why, wn, "XL_NO_GNUPLOT is set");
        return 0;
    }
    char *argv[] = {"gnuplot", "--version", NULL};
    int fds[2];
    if (pipe2(fds, O_CLOEXEC)) {
        snprintf(why, wn, "cannot run gnuplot: %s", strerror(errno));
        return 0;
    }
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
        snprintf(why, wn, e == ENOENT ? "gnuplot not found on PATH" : "cannot run gnuplot: %s",
                 strerror(e));
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
    snprintf(version, n, "%s", buf);
    if (st != 0 || !buf[0]) {
        if (st != -1 && WIFSIGNALED(st))
            snprintf(why, wn, "'gnuplot --version' was killed by signal %d", WTERMSIG(st));
        else if (st != 0)
            snprintf(why, wn, "'gnuplot --version' failed (exit %d)", st == -1 ? -1 : WEXITSTATUS(st));
        else
            snprintf(why, wn, "'gnuplot --version' printed nothing");
        return 0;
    }
    return 1;
}

int xl_plot_gnuplot_available(char *version, size_t n)
{
    return xl_gnuplot_probe(version, n, NULL, 0);
}

/* Run gnuplot; FIRST gets its first message (a warning too, when it exits 0). */
static int gp_run(const char *script, const char *fmt, const char *log, char first[200],
                  xl_error *err)
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
    /* gnuplot's messages: all go to the log (made at the first message: no empty log),
     * the first line makes the error */
    FILE *lf = NULL;
    char buf[4096];
    memset(first, 0, 200);
    size_t nfirst = 0;
    ssize_t k;
    while ((k = read(rd, buf, sizeof buf)) > 0 || (k < 0 && errno == EINTR)) {
        if (k <= 0)
            continue;
        if (log && !lf) {
            char lp[4200];
            snprintf(lp, sizeof lp, "%s%s%s", dir, dir[0] ? "/" : "", log);
            lf = fopen(lp, "ae");
            log = NULL;
        }
        if (lf)
            fwrite(buf, 1, (size_t)k, lf);
        for (ssize_t i = 0; i < k && nfirst + 1 < 200; i++) {
            if (buf[i] == '\n' && nfirst) {
                nfirst = 200; /* done */
                break;
            }
            if (buf[i] != '\n' && buf[i] != '\r')
                first[nfirst++] = xl_gp_safe_char((unsigned char)buf[i]) || buf[i] == '\'' ||
                                          buf[i] == '"' ? buf[i] : ' ';
        }
        if (nfirst < 200)
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

int xl_gp_run(const char *script, const char *fmt, const char *log, xl_error *err)
{
    char first[200];
    return gp_run(script, fmt, log, first, err);
}

/* What gnuplot was asked to write is there and whole: a PNG ends with its IEND chunk, an
 * SVG with </svg>; anything else is not empty.  On a full disk gnuplot may exit 0 with a
 * truncated PNG or an empty SVG. */
static const char *incomplete(const char *path, char *why, size_t wn)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return "was not written";
    }
    const char *ext = strrchr(path, '.');
    char tail[64] = "";
    ssize_t k = 0;
    if (st.st_size > 0) {
        off_t at = st.st_size > (off_t)sizeof tail - 1 ? st.st_size - (off_t)sizeof tail + 1 : 0;
        k = pread(fd, tail, sizeof tail - 1, at);
    }
    close(fd);
    tail[k > 0 ? k : 0] = '\0';
    static const unsigned char iend[8] = {'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    int bad = st.st_size == 0;
    if (!bad && ext && !strcmp(ext, ".png"))
        bad = k < 8 || memcmp(tail + k - 8, iend, 8) != 0;
    else if (!bad && ext && !strcmp(ext, ".svg"))
        bad = !strstr(tail, "</svg>");
    if (!bad)
        return NULL;
    snprintf(why, wn, "is incomplete (%lld bytes)", (long long)st.st_size);
    return why;
}

int xl_gp_render(const char *script, const char *fmt, const char *output, const char *log,
                 xl_error *err)
{
    char first[200], path[4200], why[64];
    int rc = gp_run(script, fmt, log, first, err);
    if (rc)
        return rc;
    const char *slash = strrchr(script, '/');
    snprintf(path, sizeof path, "%.*s%s", slash ? (int)(slash - script) + 1 : 0, script, output);
    const char *bad = incomplete(path, why, sizeof why);
    if (!bad)
        return XL_OK;
    /* the cause: gnuplot's own message, else what the file system says */
    char cause[256] = "";
    struct statvfs vf;
    if (first[0])
        snprintf(cause, sizeof cause, ": gnuplot said: %s", first);
    char dir[4200];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - script) : 1, slash ? script : ".");
    if (!first[0] && statvfs(dir, &vf) == 0 && (vf.f_bavail == 0 || vf.f_favail == 0))
        snprintf(cause, sizeof cause, ": the file system is full (%s)", strerror(ENOSPC));
    return xl_error_set(err, XL_EIO, "%s: gnuplot exited 0 but %s %s%s", script, output, bad,
                        cause[0] ? cause : " (no message from gnuplot)");
}

int xl_gnuplot_render(const char *script, const char *output, int *rendered, xl_error *err)
{
    *rendered = 0;
    if (!xl_plot_gnuplot_available(NULL, 0))
        return XL_OK;
    int rc = xl_gp_render(script, NULL, output, NULL, err);
    if (rc == XL_OK)
        *rendered = 1;
    return rc;
}
