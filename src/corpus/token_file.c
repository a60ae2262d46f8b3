/* A built corpus's token files (DIR/SPLIT.bin), checked against manifest.json.
 *
 * The sha256 of a whole split (64 MB for the bundled text corpus) took most of the
 * ~1.7 s of CPU that every `xferlaw train` spent loading data, once per run of a sweep.
 * So after a file hashes to the manifest's sha256, DIR/SPLIT.verified.json records
 * which version of the file that was: size, inode, mtime and ctime.  A later load whose
 * file has the same identity (before and after reading it) and whose manifest asks for
 * the same sha256 skips the hash.  Any write to the file changes its ctime, which no
 * one can set back (touch -r restores only mtime); a replacement changes the inode; so
 * a changed file is hashed again, and a stale or foreign stamp is only a missed saving.
 * As with git's racily clean index entries, a file whose ctime is within
 * XL_STAMP_SETTLE_S of the read is not stamped: a write in the same clock tick as the
 * one recorded would leave ctime as it was.  A corpus directory we cannot write to
 * (a shared install) is hashed every time, as before. */
#include "corpus_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define XL_STAMP_SETTLE_S 2

typedef struct {
    uint64_t size, ino;
    int64_t mtime_ns, ctime_ns;
} file_id;

static file_id id_of(const struct stat *st)
{
    file_id f = {(uint64_t)st->st_size, (uint64_t)st->st_ino,
                 (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
                 (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec};
    return f;
}

static int same_id(const file_id *a, const file_id *b)
{
    return a->size == b->size && a->ino == b->ino && a->mtime_ns == b->mtime_ns &&
           a->ctime_ns == b->ctime_ns;
}

/* 64-bit integers as decimal strings: a JSON number (a double) would round them. */
static const char *const ID_KEYS[] = {"size", "ino", "mtime_ns", "ctime_ns"};

static void id_fields(const file_id *f, char v[4][24])
{
    snprintf(v[0], 24, "%" PRIu64, f->size);
    snprintf(v[1], 24, "%" PRIu64, f->ino);
    snprintf(v[2], 24, "%" PRId64, f->mtime_ns);
    snprintf(v[3], 24, "%" PRId64, f->ctime_ns);
}

/* 1 when DIR/SPLIT.verified.json says the file version f hashed to want_sha. */
static int stamp_vouches(const char *stamp, const char *want_sha, const file_id *f)
{
    struct stat st;
    if (stat(stamp, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 4096)
        return 0;
    cJSON *j = NULL;
    if (xl_json_read_file(stamp, &j, NULL))
        return 0;
    const cJSON *sha = cJSON_GetObjectItemCaseSensitive(j, "sha256");
    int ok = cJSON_IsString(sha) && strcmp(sha->valuestring, want_sha) == 0;
    char v[4][24];
    id_fields(f, v);
    for (int k = 0; k < 4 && ok; k++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, ID_KEYS[k]);
        ok = cJSON_IsString(x) && strcmp(x->valuestring, v[k]) == 0;
    }
    cJSON_Delete(j);
    return ok;
}

/* Best effort: a read-only corpus directory keeps no stamp (and is hashed each time). */
static void stamp_write(const char *stamp, const char *sha, const file_id *f)
{
    cJSON *j = cJSON_CreateObject();
    char v[4][24];
    id_fields(f, v);
    int ok = j && cJSON_AddStringToObject(j, "sha256", sha);
    for (int k = 0; k < 4 && ok; k++)
        ok = cJSON_AddStringToObject(j, ID_KEYS[k], v[k]) != NULL;
    if (ok)
        xl_json_write_file(stamp, j, NULL);
    cJSON_Delete(j);
}

static int read_all(int fd, void *buf, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

int xl__corpus_read_split(const char *dir, const char *split, const char *want_sha,
                          size_t want_n, uint16_t **out, size_t *n, xl_error *err)
{
    char path[4200], stamp[4200];
    snprintf(path, sizeof path, "%s/%s.bin", dir, split);
    snprintf(stamp, sizeof stamp, "%s/%s.verified.json", dir, split);
    struct timespec t0;
    clock_gettime(CLOCK_REALTIME, &t0);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return xl_error_set(err, XL_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st0, st1;
    int rc = xl_input_check(fd, path, xl_input_limit(), err);
    if (!rc && fstat(fd, &st0) != 0)
        rc = xl_error_set(err, XL_EIO, "%s: cannot stat: %s", path, strerror(errno));
    if (!rc && !S_ISREG(st0.st_mode))
        rc = xl_error_at(err, XL_EFORMAT, path, 0, NULL, "is not a regular file");
    size_t bytes = rc ? 0 : (size_t)st0.st_size;
    if (!rc && (bytes % 2 || bytes / 2 != want_n))
        rc = xl_error_at(err, XL_EFORMAT, path, 0, NULL,
                         "has %zu bytes but manifest.json says %zu tokens (rebuild the corpus)",
                         bytes, want_n);
    uint16_t *ids = rc ? NULL : malloc(bytes + 2);
    if (!rc && !ids)
        rc = xl_error_set(err, XL_ENOMEM, "out of memory");
    if (!rc && read_all(fd, ids, bytes))
        rc = xl_error_set(err, XL_EIO, "%s: read error", path);
    if (!rc && fstat(fd, &st1) != 0)
        rc = xl_error_set(err, XL_EIO, "%s: cannot stat: %s", path, strerror(errno));
    close(fd);
    if (rc) {
        free(ids);
        return rc;
    }
    file_id before = id_of(&st0), after = id_of(&st1);
    int stable = same_id(&before, &after);
    if (!stable || !stamp_vouches(stamp, want_sha, &before)) {
        char hex[65];
        xl_sha256_hex(ids, bytes, hex);   /* the file's bytes: little-endian */
        if (strcmp(hex, want_sha) != 0) {
            free(ids);
            return xl_error_at(err, XL_EFORMAT, path, 0, NULL,
                               "sha256 differs from manifest.json (rebuild the corpus)");
        }
        int64_t settled = ((int64_t)t0.tv_sec - XL_STAMP_SETTLE_S) * 1000000000 + t0.tv_nsec;
        if (stable && before.ctime_ns < settled)
            stamp_write(stamp, hex, &before);
    }
    /* token files are little-endian; convert on big-endian hosts */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    for (size_t k = 0; k < bytes / 2; k++) ids[k] = (uint16_t)((ids[k] >> 8) | (ids[k] << 8));
#endif
    *out = ids;
    *n = bytes / 2;
    return XL_OK;
}
