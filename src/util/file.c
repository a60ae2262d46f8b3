/* Atomic file output and small file helpers. */
#include "xferlaw/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long tmp_counter;

/* Outputs are regular files or new paths: a device, FIFO, socket or directory at PATH
 * (or behind a symlink at PATH) is refused, so "-o /dev/null" never renames a file over
 * the device node. */
int xl_output_path_check(const char *path, xl_error *err)
{
    struct stat st;
    if (!path || !path[0])
        return xl_error_set(err, XL_EINVAL, "empty output path");
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return xl_error_set(err, XL_EINVAL,
                            "%s: is %s, not a regular file: outputs go to regular files or new "
                            "paths ('-' for stdout where a command offers it)",
                            path, S_ISDIR(st.st_mode)    ? "a directory"
                                  : S_ISFIFO(st.st_mode) ? "a FIFO"
                                  : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                                              : "a special file");
    return XL_OK;
}

int xl_afile_open(xl_afile *af, const char *path, xl_error *err)
{
    memset(af, 0, sizeof *af);
    if (strcmp(path, "-") == 0) {   /* standard output: no temporary, nothing to rename */
        af->fp = stdout;
        return XL_OK;
    }
    int rc = xl_output_path_check(path, err);
    if (rc)
        return rc;
    af->path = strdup(path);
    size_t n = strlen(path) + 64;
    af->tmp_path = malloc(n);
    if (!af->path || !af->tmp_path) {
        xl_afile_abort(af);
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    }
    /* The temporary file sits beside PATH (same file system: rename is atomic), named by
     * pid + counter so writers never collide, and is created O_EXCL|O_NOFOLLOW: a file or
     * symlink planted under that name is never opened, the next name is tried. */
    int fd = -1, e = 0;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(af->tmp_path, n, "%s.tmp.%ld.%lu", path, (long)getpid(),
                 __atomic_add_fetch(&tmp_counter, 1, __ATOMIC_RELAXED));
        fd = open(af->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        e = errno;
        if (fd < 0 && e != EEXIST)
            break;
    }
    if (fd >= 0 && !(af->fp = fdopen(fd, "wb"))) {
        e = errno;
        close(fd);
        unlink(af->tmp_path);
    }
    if (!af->fp) {
        xl_error_set(err, XL_EIO, "%s: cannot write: %s", path, strerror(e));
        free(af->path);
        free(af->tmp_path);
        memset(af, 0, sizeof *af);
        return XL_EIO;
    }
    return XL_OK;
}

/* Deferred renames (xl_afile_defer_begin/end): one command's outputs appear together or
 * not at all. */
static pthread_mutex_t defer_mu = PTHREAD_MUTEX_INITIALIZER;
static int defer_on;
static size_t defer_n, defer_cap;
static char **defer_tmp, **defer_path;

void xl_afile_defer_begin(void)
{
    pthread_mutex_lock(&defer_mu);
    defer_on = 1;
    pthread_mutex_unlock(&defer_mu);
}

int xl_afile_defer_end(int commit, xl_error *err)
{
    pthread_mutex_lock(&defer_mu);
    int rc = XL_OK;
    for (size_t i = 0; i < defer_n; i++) {
        if (commit && rc == XL_OK && rename(defer_tmp[i], defer_path[i]) != 0)
            rc = xl_error_set(err, XL_EIO, "%s: rename failed: %s", defer_path[i], strerror(errno));
        if (!commit || rc != XL_OK)
            unlink(defer_tmp[i]);
        free(defer_tmp[i]);
        free(defer_path[i]);
    }
    free(defer_tmp);
    free(defer_path);
    defer_tmp = defer_path = NULL;
    defer_n = defer_cap = 0;
    defer_on = 0;
    pthread_mutex_unlock(&defer_mu);
    return rc;
}

/* 1 when the rename was deferred (the list owns both paths now). */
static int defer_push(xl_afile *af)
{
    pthread_mutex_lock(&defer_mu);
    int ok = defer_on;
    if (ok && defer_n == defer_cap) {
        size_t cap = defer_cap ? 2 * defer_cap : 16;
        char **t = realloc(defer_tmp, cap * sizeof *t);
        if (t)
            defer_tmp = t;
        char **p = t ? realloc(defer_path, cap * sizeof *p) : NULL;
        if (p)
            defer_path = p, defer_cap = cap;
        ok = t && p;
    }
    if (ok) {
        defer_tmp[defer_n] = af->tmp_path;
        defer_path[defer_n++] = af->path;
        af->tmp_path = af->path = NULL;
    }
    pthread_mutex_unlock(&defer_mu);
    return ok;
}

int xl_afile_commit(xl_afile *af, xl_error *err)
{
    int rc = XL_OK;
    if (!af->fp)
        return xl_error_set(err, XL_EIO, "atomic file already closed");
    if (af->fp == stdout) {
        af->fp = NULL;
        return fflush(stdout) != 0 || ferror(stdout)
                   ? xl_error_set(err, XL_EIO, "stdout: write failed: %s", strerror(errno))
                   : XL_OK;
    }
    if (fflush(af->fp) != 0 || fsync(fileno(af->fp)) != 0 || ferror(af->fp))
        rc = xl_error_set(err, XL_EIO, "%s: write failed: %s", af->path, strerror(errno));
    if (fclose(af->fp) != 0 && rc == XL_OK)
        rc = xl_error_set(err, XL_EIO, "%s: close failed: %s", af->path, strerror(errno));
    af->fp = NULL;
    if (rc == XL_OK && defer_push(af))
        return XL_OK;
    if (rc == XL_OK && rename(af->tmp_path, af->path) != 0)
        rc = xl_error_set(err, XL_EIO, "%s: rename failed: %s", af->path, strerror(errno));
    if (rc != XL_OK)
        unlink(af->tmp_path);
    free(af->path);
    free(af->tmp_path);
    af->path = af->tmp_path = NULL;
    return rc;
}

void xl_afile_abort(xl_afile *af)
{
    if (af->fp == stdout) {   /* what was written to a pipe stays written */
        af->fp = NULL;
        return;
    }
    if (af->fp) {
        fclose(af->fp);
        af->fp = NULL;
    }
    if (af->tmp_path)
        unlink(af->tmp_path);
    free(af->path);
    free(af->tmp_path);
    af->path = af->tmp_path = NULL;
}

int xl_write_file_atomic(const char *path, const void *data, size_t n, xl_error *err)
{
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    if (n && fwrite(data, 1, n, af.fp) != n) {
        xl_afile_abort(&af);
        return xl_error_set(err, XL_EIO, "%s: write failed", strcmp(path, "-") ? path : "stdout");
    }
    return xl_afile_commit(&af, err);
}

int xl_append_line(const char *path, const char *line, xl_error *err)
{
    size_t n = strlen(line);
    if (n == 0 || line[n - 1] != '\n')
        return xl_error_set(err, XL_EINVAL, "%s: appended record must end in a newline", path);
    int rc0 = xl_output_path_check(path, err);
    if (rc0)
        return rc0;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return xl_error_set(err, XL_EIO, "%s: cannot open for append: %s", path, strerror(errno));
    ssize_t w = write(fd, line, n);
    int rc = XL_OK;
    if (w != (ssize_t)n)
        rc = xl_error_set(err, XL_EIO, "%s: short append", path);
    else if (fsync(fd) != 0)
        rc = xl_error_set(err, XL_EIO, "%s: fsync failed: %s", path, strerror(errno));
    close(fd);
    return rc;
}

/* A positive byte count from the environment, or 0. */
static uint64_t env_bytes(const char *name)
{
    const char *e = getenv(name);
    char *end;
    if (!e || !*e)
        return 0;
    unsigned long long v = strtoull(e, &end, 10);
    return *end == '\0' ? v : 0;
}

uint64_t xl_mem_limit(void)
{
    uint64_t v = env_bytes("XL_MEM_LIMIT");
    if (v)
        return v;
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    uint64_t phys = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : (uint64_t)8 << 30;
    return phys / 4 * 3;
}

uint64_t xl_input_limit(void)
{
    uint64_t v = env_bytes("XL_MAX_INPUT_BYTES");
    if (v)
        return v;
    uint64_t m = xl_mem_limit() / 2, cap = (uint64_t)4 << 30;
    return m < cap ? m : cap;
}

int xl_input_check(int fd, const char *path, uint64_t lim, xl_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return xl_error_set(err, XL_EIO, "%s: cannot stat: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
        return xl_error_set(err, XL_EINVAL, "%s: is %s, not a regular file or a pipe", path,
                            S_ISDIR(st.st_mode)                            ? "a directory"
                            : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                                          : "a special file");
    if (lim && S_ISREG(st.st_mode) && (uint64_t)st.st_size > lim)
        return xl_error_set(err, XL_EINVAL,
                            "%s: %llu bytes, above the input limit of %llu bytes "
                            "(XL_MAX_INPUT_BYTES)",
                            path, (unsigned long long)st.st_size, (unsigned long long)lim);
    return XL_OK;
}

static void close_input(FILE *fp)
{
    if (fp != stdin)
        fclose(fp);
}

int xl_read_file(const char *path, char **data, size_t *n, xl_error *err)
{
    *data = NULL;
    if (n)
        *n = 0;
    /* "-" is standard input: read once, like any file, so a pipe works wherever a file does */
    int is_stdin = strcmp(path, "-") == 0;
    if (is_stdin)
        path = "stdin";
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp)
        return xl_error_set(err, XL_EIO, "%s: cannot open: %s", path, strerror(errno));
    /* a pipe has no size: the limit is also checked while reading */
    uint64_t lim = xl_input_limit();
    int rc = xl_input_check(fileno(fp), path, lim, err);
    if (rc) {
        close_input(fp);
        return rc;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close_input(fp);
        return xl_error_set(err, XL_ENOMEM, "%s: out of memory", path);
    }
    for (;;) {
        if ((uint64_t)len > lim) {
            free(buf);
            close_input(fp);
            return xl_error_set(err, XL_EINVAL,
                                "%s: more than the input limit of %llu bytes (XL_MAX_INPUT_BYTES)",
                                path, (unsigned long long)lim);
        }
        if (len + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                close_input(fp);
                return xl_error_set(err, XL_ENOMEM, "%s: out of memory", path);
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, fp);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(fp);
    close_input(fp);
    if (bad) {
        free(buf);
        return xl_error_set(err, XL_EIO, "%s: read error", path);
    }
    buf[len] = '\0';
    *data = buf;
    if (n)
        *n = len;
    return XL_OK;
}

char *xl_next_line(char **cursor, long *line, int flags)
{
    for (;;) {
        char *p = *cursor;
        if (!p || !*p)
            return NULL;
        char *nl = strchr(p, '\n');
        if (!nl && (flags & XL_LINE_COMPLETE)) {
            *cursor = NULL;
            return NULL;
        }
        (*line)++;
        *cursor = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        if ((flags & XL_LINE_SKIP_BLANK) && strspn(p, " \t\r") == strlen(p))
            continue;
        return p;
    }
}

int xl_mkdirs(const char *path, xl_error *err)
{
    char *p = strdup(path);
    if (!p)
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                xl_error_set(err, XL_EIO, "%s: cannot create directory: %s", p, strerror(errno));
                free(p);
                return XL_EIO;
            }
            *s = '/';
        }
    }
    int rc = XL_OK;
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        rc = xl_error_set(err, XL_EIO, "%s: cannot create directory: %s", p, strerror(errno));
    free(p);
    return rc;
}

int xl_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

const char *xl_path_segment_problem(const char *s)
{
    if (!s || !s[0])
        return "is empty";
    if (!strcmp(s, ".") || !strcmp(s, ".."))
        return "is '.' or '..'";
    if (strlen(s) > 255)
        return "is longer than 255 bytes";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p == '/' || *p == '\\' || *p == '"' || *p == '\'' || *p < 32 || *p == 127)
            return "contains '/', a backslash, a quote or a control character";
    return NULL;
}
