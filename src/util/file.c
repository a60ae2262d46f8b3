/* Atomic file output and small file helpers. */
#include "xferlaw/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long tmp_counter;

int xl_afile_open(xl_afile *af, const char *path, xl_error *err)
{
    memset(af, 0, sizeof *af);
    if (strcmp(path, "-") == 0) {   /* standard output: no temporary, nothing to rename */
        af->fp = stdout;
        return XL_OK;
    }
    af->path = strdup(path);
    size_t n = strlen(path) + 64;
    af->tmp_path = malloc(n);
    if (!af->path || !af->tmp_path) {
        xl_afile_abort(af);
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    }
    /* pid + counter: two writers in one process or two processes never collide */
    snprintf(af->tmp_path, n, "%s.tmp.%ld.%lu", path, (long)getpid(),
             __atomic_add_fetch(&tmp_counter, 1, __ATOMIC_RELAXED));
    af->fp = fopen(af->tmp_path, "wb");
    if (!af->fp) {
        int e = errno;
        xl_error_set(err, XL_EIO, "%s: cannot write: %s", path, strerror(e));
        free(af->path);
        free(af->tmp_path);
        memset(af, 0, sizeof *af);
        return XL_EIO;
    }
    return XL_OK;
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
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close_input(fp);
        return xl_error_set(err, XL_ENOMEM, "%s: out of memory", path);
    }
    for (;;) {
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
