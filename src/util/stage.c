/* Staged output directories: a command that writes several files writes them all into a
 * private directory first and moves them into place only when every one was written, so
 * a failure (bad data late in the run, gnuplot, a full disk) leaves the target as it was.
 *
 * Layout: a private box made by mkdtemp (mode 0700, so nothing else writes into it) holds
 * "out", made by mkdir 0777 so the umask gives it the mode a plain mkdir would.  For a new
 * target the box sits in the target's parent and "out" is renamed to the target whole
 * (one atomic rename).  For an existing target the box sits inside the target itself:
 * that is the one place certainly on the target's file system (a target that is a mount
 * point, "." or "/" has no usable parent) and needs no permission beyond the target's
 * own; each file is then renamed over its counterpart after a first pass has checked
 * that no rename can meet a directory, device or FIFO. */
#include "xferlaw/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOX_NAME ".xferlaw-stage.XXXXXX"

static char *join(const char *a, const char *b, xl_error *err)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (!p) {
        xl_error_set(err, XL_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* Remove a tree we made: directories are never followed through symlinks. */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        for (struct dirent *e; d && (e = readdir(d));) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *c = join(path, e->d_name, NULL);
            if (c)
                remove_tree(c);
            free(c);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Create the missing directories above PATH (its parent and up); *first is the highest
 * one created (NULL: none), for xl_stage_abort to remove again. */
static int make_parents(const char *path, char **first, xl_error *err)
{
    *first = NULL;
    char *p = xl_strdup(path, err);
    if (!p)
        return XL_ENOMEM;
    char *last = strrchr(p, '/');
    for (char *s = p + 1; last && s <= last; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) == 0) {
            if (!*first && !(*first = xl_strdup(p, err))) {
                free(p);
                return XL_ENOMEM;
            }
        } else if (errno != EEXIST) {
            xl_error_set(err, XL_EIO, "%s: cannot create directory: %s", p, strerror(errno));
            free(p);
            return XL_EIO;
        }
        *s = '/';
    }
    free(p);
    return XL_OK;
}

int xl_stage_open(xl_stage *s, const char *target, xl_error *err)
{
    memset(s, 0, sizeof *s);
    if (!target || !target[0])
        return xl_error_set(err, XL_EINVAL, "empty output directory");
    size_t n = strlen(target);
    while (n > 1 && target[n - 1] == '/')   /* "out/" is "out" */
        n--;
    if (!(s->target = strndup(target, n)))
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    struct stat st;
    int rc = XL_OK;
    if (stat(s->target, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            xl_stage_abort(s);
            return xl_error_set(err, XL_EINVAL, "%s: exists and is not a directory", target);
        }
        s->box = join(s->target, BOX_NAME, err);
    } else {
        s->target_new = 1;
        const char *slash = strrchr(s->target, '/');
        size_t box_n = n + sizeof BOX_NAME + 2;
        if ((rc = make_parents(s->target, &s->made, err)) || !(s->box = malloc(box_n))) {
            xl_stage_abort(s);
            return rc ? rc : xl_error_set(err, XL_ENOMEM, "out of memory");
        }
        /* "a/b/out" -> "a/b/.out.xferlaw-stage.XXXXXX" */
        int dir_n = slash ? (int)(slash - s->target) + 1 : 0;
        snprintf(s->box, box_n, "%.*s.%s%s", dir_n, s->target, s->target + dir_n, BOX_NAME);
    }
    if (!s->box) {
        xl_stage_abort(s);
        return XL_ENOMEM;
    }
    if (!mkdtemp(s->box)) {
        int e = errno;
        free(s->box);
        s->box = NULL;
        xl_stage_abort(s);
        return xl_error_set(err, XL_EIO, "%s: cannot create a staging directory: %s", target,
                            strerror(e));
    }
    if (!(s->dir = join(s->box, "out", err)) || mkdir(s->dir, 0777) != 0) {
        int e = errno;
        xl_stage_abort(s);
        return err && err->code == XL_ENOMEM
                   ? XL_ENOMEM
                   : xl_error_set(err, XL_EIO, "%s: cannot create a staging directory: %s",
                                  target, strerror(e));
    }
    return XL_OK;
}

/* FN(SRC/NAME, DST/NAME) for every NAME in SRC, until one fails. */
typedef int (*pair_fn)(const char *a, const char *b, xl_error *err);
static int each_entry(const char *src, const char *dst, pair_fn fn, xl_error *err)
{
    DIR *d = opendir(src);
    if (!d)
        return xl_error_set(err, XL_EIO, "%s: cannot read: %s", src, strerror(errno));
    int rc = XL_OK;
    for (struct dirent *e; !rc && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *a = join(src, e->d_name, err), *b = a ? join(dst, e->d_name, err) : NULL;
        rc = a && b ? fn(a, b, err) : XL_ENOMEM;
        free(a);
        free(b);
    }
    closedir(d);
    return rc;
}

/* A staged file may replace its counterpart B (absent or a regular file); a staged
 * directory may merge into B (absent or a directory). */
static int check_one(const char *a, const char *b, xl_error *err)
{
    struct stat sa, sb;
    if (lstat(a, &sa) != 0)
        return xl_error_set(err, XL_EIO, "%s: %s", a, strerror(errno));
    if (!S_ISDIR(sa.st_mode))
        return xl_output_path_check(b, err);
    if (lstat(b, &sb) != 0)
        return XL_OK;
    if (!S_ISDIR(sb.st_mode))
        return xl_error_set(err, XL_EINVAL, "%s: exists and is not a directory", b);
    return each_entry(a, b, check_one, err);
}

static void sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* A file (or a directory new to the target) by one rename; a directory B has by merging */
static int move_one(const char *a, const char *b, xl_error *err)
{
    struct stat sa, sb;
    if (lstat(a, &sa) == 0 && S_ISDIR(sa.st_mode) && lstat(b, &sb) == 0) {
        int rc = each_entry(a, b, move_one, err);
        sync_dir(b);
        return rc;
    }
    if (rename(a, b) != 0)
        return xl_error_set(err, XL_EIO, "%s: rename failed: %s", b, strerror(errno));
    return XL_OK;
}

int xl_stage_commit(xl_stage *s, xl_error *err)
{
    if (!s->dir)
        return xl_error_set(err, XL_EINVAL, "staging directory already closed");
    int rc = XL_OK;
    if (s->target_new && rename(s->dir, s->target) == 0) {
        char *parent = strdup(s->target), *sl = parent ? strrchr(parent, '/') : NULL;
        if (sl)
            *sl = '\0';
        sync_dir(sl ? (parent[0] ? parent : "/") : ".");
        free(parent);
    } else {
        /* an existing target, or one that appeared meanwhile: file by file, after a check
         * that no rename can fail on what is there */
        struct stat st = {0};
        if (stat(s->target, &st) != 0 || !S_ISDIR(st.st_mode))
            rc = xl_error_set(err, XL_EIO, "%s: cannot move the outputs into place: %s",
                              s->target, S_ISDIR(st.st_mode) ? strerror(errno)
                                                             : "not a directory");
        if (!rc)
            rc = each_entry(s->dir, s->target, check_one, err);
        if (!rc)
            rc = each_entry(s->dir, s->target, move_one, err);
        sync_dir(s->target);
    }
    if (rc) {
        xl_stage_abort(s);
        return rc;
    }
    free(s->made);   /* the parents made for the target stay: it is there now */
    s->made = NULL;
    xl_stage_abort(s);
    return XL_OK;
}

void xl_stage_abort(xl_stage *s)
{
    if (s->box)
        remove_tree(s->box);
    /* the parents made for a new target, deepest first, while they are empty */
    if (s->made && s->target) {
        char *p = strdup(s->target);
        for (char *sl; p && (sl = strrchr(p, '/'));) {
            *sl = '\0';
            if (strlen(p) < strlen(s->made) || rmdir(p) != 0)
                break;
        }
        free(p);
    }
    free(s->target);
    free(s->box);
    free(s->dir);
    free(s->made);
    memset(s, 0, sizeof *s);
}

int xl_stage_fail(xl_stage *s, xl_error *err)
{
    /* the message names the files where they were going, not the staging folder */
    size_t nd = s->dir ? strlen(s->dir) : 0;
    char *at;
    if (err && nd && (at = strstr(err->msg, s->dir))) {
        char rest[XL_ERRMSG_MAX];
        snprintf(rest, sizeof rest, "%s", at + nd);
        *at = '\0';
        size_t u = strlen(err->msg);
        snprintf(err->msg + u, sizeof err->msg - u, "%s%s", s->target, rest);
    }
    xl_stage_abort(s);
    return err && err->code ? err->code : XL_EIO;
}

const char *xl_stage_dir(const xl_stage *s)
{
    return s->dir;
}
