/* xferlaw util: errors, atomic files, random numbers, progress, JSON, sha256,
 * a thread pool loop, clocks.  Everything else in the library builds on this.
 *
 * Conventions shared by every module:
 *   - functions return 0 (XL_OK) or an XL_E* code and fill an xl_error;
 *   - nothing in the library prints to stdout or calls exit();
 *   - xl_error.msg is ONE line, shaped "FILE:LINE: field 'NAME': what is wrong"
 *     when a file position is known (see xl_error_at). */
#ifndef XFERLAW_UTIL_H
#define XFERLAW_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ */
enum {
    XL_OK = 0,
    XL_EINVAL = 1,   /* bad argument or bad input value */
    XL_EIO = 2,      /* file system */
    XL_ENOMEM = 3,
    XL_EPARSE = 4,   /* malformed CSV/JSON/formula/spec */
    XL_EDOM = 5,     /* value outside a function's domain (log of <= 0, NaN) */
    XL_ENOCONV = 6,  /* an iterative method did not converge */
    XL_ERANGE = 7,   /* value cannot be inverted / outside measured range */
    XL_EFORMAT = 8,  /* foreign, truncated or mismatched binary file */
    XL_EUNSUPPORTED = 9
};

#define XL_ERRMSG_MAX 512
typedef struct xl_error {
    int code;
    char msg[XL_ERRMSG_MAX];
} xl_error;

/* Reset to "no error".  Accepts NULL. */
void xl_error_clear(xl_error *err);
/* Record an error (printf-style message, one line) and return code.
 * err may be NULL, in which case only the code is returned. */
int xl_error_set(xl_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record an error located in a file: "FILE:LINE: field 'FIELD': message".
 * line <= 0 omits the line, field NULL omits the field part. */
int xl_error_at(xl_error *err, int code, const char *file, long line,
                const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Prefix an existing message with "PREFIX: " (keeps the code). */
int xl_error_prefix(xl_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Short name of a code, e.g. "parse error". */
const char *xl_strerror(int code);

/* ---- memory -------------------------------------------------------------- */
/* calloc that records XL_ENOMEM in err on failure. */
void *xl_calloc(size_t n, size_t size, xl_error *err);
/* strdup that records XL_ENOMEM in err on failure. */
char *xl_strdup(const char *s, xl_error *err);

/* ---- atomic files -------------------------------------------------------- */
/* Writes go to "PATH.tmp.PID.N" in the same directory (created O_EXCL|O_NOFOLLOW), are
 * fsync'ed, then rename()d over PATH, so readers see the old file or the whole new one.
 * PATH must be a regular file or a new path (docs/safety.md); "-" is standard output
 * (flushed at commit; the caller decided to write there). */
typedef struct xl_afile {
    FILE *fp;            /* write through this */
    char *path;          /* final path */
    char *tmp_path;      /* temporary path */
} xl_afile;

int xl_afile_open(xl_afile *af, const char *path, xl_error *err);
/* Flush, fsync, rename.  Closes the file either way. */
int xl_afile_commit(xl_afile *af, xl_error *err);
/* XL_EINVAL unless PATH is a regular file (a symlink to one included) or does not exist. */
int xl_output_path_check(const char *path, xl_error *err);
/* Between _begin and _end, commits fsync their files but defer the rename; _end(1) renames
 * them all, _end(0) removes them: a failing command leaves no output behind.  Only for
 * outputs nothing reads back before the end. */
void xl_afile_defer_begin(void);
int xl_afile_defer_end(int commit, xl_error *err);
/* Close and unlink the temporary file (safe to call after commit: no-op). */
void xl_afile_abort(xl_afile *af);
/* Whole buffer in one go. */
int xl_write_file_atomic(const char *path, const void *data, size_t n, xl_error *err);
/* Append one record (a line) with a single write(2) on an O_APPEND fd, then fsync.
 * A kill leaves either the whole line or none of it (the line must end in '\n'). */
int xl_append_line(const char *path, const char *line, xl_error *err);
/* Walk a mutable NUL-terminated buffer line by line, in place: returns the next line (its
 * '\n' replaced by NUL) and advances *cursor; *line counts physical lines (1-based), so
 * errors can name them.  NULL at the end.  Flags: */
#define XL_LINE_SKIP_BLANK 1  /* skip lines of only spaces, tabs and CR */
#define XL_LINE_COMPLETE 2    /* drop a last line without its '\n': a record being appended
                                 when its writer was killed was never committed */
char *xl_next_line(char **cursor, long *line, int flags);
/* Bounds (docs/safety.md): memory a command may plan to use, XL_MEM_LIMIT bytes or 3/4
 * of physical memory; the size of one input file, XL_MAX_INPUT_BYTES or the smaller of
 * 4 GiB and half the memory limit. */
uint64_t xl_mem_limit(void);
uint64_t xl_input_limit(void);
/* XL_EINVAL unless fd is a pipe or a regular file of at most lim bytes (0: any size). */
int xl_input_check(int fd, const char *path, uint64_t lim, xl_error *err);
/* Read a whole file into a NUL-terminated malloc'ed buffer (a regular file or a pipe,
 * at most xl_input_limit() bytes).  PATH "-" reads standard input (named "stdin" in
 * messages). */
int xl_read_file(const char *path, char **data, size_t *n, xl_error *err);
/* A staged output directory (docs/safety.md): a command that writes several files into
 * TARGET writes them into xl_stage_dir() instead, and xl_stage_commit moves them into
 * TARGET only when all were written (a new TARGET appears whole, in one rename; in an
 * existing one each file replaces its counterpart, after a check that none can fail on
 * a directory, device or FIFO there).  xl_stage_abort removes every staged file and the
 * parent directories xl_stage_open made, leaving TARGET as it was.  Commit and abort
 * both release S. */
typedef struct xl_stage {
    char *target;    /* the directory the files are for */
    char *dir;       /* where they are written meanwhile */
    char *box;       /* the private (mkdtemp) directory holding dir */
    char *made;      /* highest parent directory created for a new target, or NULL */
    int target_new;  /* target did not exist at open */
} xl_stage;

int xl_stage_open(xl_stage *s, const char *target, xl_error *err);
const char *xl_stage_dir(const xl_stage *s);
int xl_stage_commit(xl_stage *s, xl_error *err);
void xl_stage_abort(xl_stage *s);
/* xl_stage_abort after a failure, with the staging folder in err's message replaced by
 * the target (the user never saw the former); returns err's code. */
int xl_stage_fail(xl_stage *s, xl_error *err);
/* mkdir -p */
int xl_mkdirs(const char *path, xl_error *err);
int xl_file_exists(const char *path);
/* NULL when s can be one path segment (a file or directory name we create), else why
 * not: empty, ".", "..", longer than 255 bytes, or containing '/', '\\', a quote or a
 * control character. */
const char *xl_path_segment_problem(const char *s);

/* ---- random numbers (xoshiro256**, seeded through splitmix64) ---------------- */
typedef struct xl_rng {
    uint64_t s[4];
    int has_spare;
    double spare;
} xl_rng;

void xl_rng_seed(xl_rng *r, uint64_t seed);
uint64_t xl_rng_u64(xl_rng *r);
double xl_rng_uniform(xl_rng *r);                 /* [0, 1) */
uint64_t xl_rng_below(xl_rng *r, uint64_t n);     /* [0, n), unbiased */
double xl_rng_normal(xl_rng *r);                  /* N(0, 1) */
/* Derive an independent stream for item i of a job seeded with seed. */
void xl_rng_seed_stream(xl_rng *r, uint64_t seed, uint64_t i);

/* ---- hashing --------------------------------------------------------------- */
typedef struct xl_sha256 {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t nbuf;
} xl_sha256;

void xl_sha256_init(xl_sha256 *s);
void xl_sha256_update(xl_sha256 *s, const void *data, size_t n);
void xl_sha256_final(xl_sha256 *s, uint8_t out[32]);
/* Hex digest (65 bytes with NUL) of a buffer / of a file. */
void xl_sha256_hex(const void *data, size_t n, char hex[65]);
int xl_sha256_file(const char *path, char hex[65], xl_error *err);
/* 64-bit FNV-1a, for stable ids and document hashing. */
uint64_t xl_hash64(const void *data, size_t n);

/* ---- clocks ----------------------------------------------------------------- */
/* The candidate closest to WORD by edit distance when close enough to be a likely typo
 * (distance <= 1 for words of up to 4 bytes, <= a third of the length otherwise), else
 * NULL; for "did you mean" in messages.  NULL entries of CANDS are skipped. */
const char *xl_closest(const char *word, const char *const *cands, size_t n);
double xl_now(void);       /* monotonic seconds */

/* ---- progress ---------------------------------------------------------------- */
/* On a terminal: one redrawn line "label [#####.....] done/total  ETA 1m02s  extra".
 * Otherwise: a plain line at most every min_interval seconds, and at the end. */
typedef struct xl_progress {
    FILE *fp;
    const char *label;
    double total;
    double start, last_print;
    double min_interval;
    int is_tty;
    int finished;
} xl_progress;

void xl_progress_init(xl_progress *p, FILE *fp, const char *label, double total);
void xl_progress_update(xl_progress *p, double done, const char *extra);
/* Same, but the bar and ETA follow frac in [0, 1] (e.g. work done, when items differ
 * in size) while "done/total" still counts items. */
void xl_progress_update_frac(xl_progress *p, double done, double frac, const char *extra);
void xl_progress_finish(xl_progress *p, const char *extra);
/* As update_frac, with the caller's own estimate of the seconds left (NAN: from frac). */
void xl_progress_update_eta(xl_progress *p, double done, double frac, double eta,
                            const char *extra);
/* "1h02m", "3m05s", "12.3s" */
void xl_format_duration(double seconds, char *buf, size_t n);

/* ---- parallel loop ----------------------------------------------------------- */
/* Calls fn(ctx, i, worker) for i in [0, n) on n_threads pthreads (0 = number of
 * online cores).  Items are handed out dynamically.  worker is in [0, n_threads). */
typedef void (*xl_parallel_fn)(void *ctx, size_t i, int worker);
int xl_parallel_for(size_t n, int n_threads, xl_parallel_fn fn, void *ctx, xl_error *err);
int xl_num_cores(void);

/* ---- JSON helpers over cJSON --------------------------------------------------- */
struct cJSON;
/* Parse a JSON file; errors name the file and the byte offset's line. */
int xl_json_read_file(const char *path, struct cJSON **out, xl_error *err);
/* Pretty-print and write atomically. */
int xl_json_write_file(const char *path, const struct cJSON *json, xl_error *err);
/* Number that stays valid JSON: NaN/inf become null. */
struct cJSON *xl_json_number(double v);
/* Typed getters with defaults; they report a wrong type through err (field named). */
int xl_json_get_double(const struct cJSON *obj, const char *key, double *out,
                       int required, const char *where, xl_error *err);
int xl_json_get_int(const struct cJSON *obj, const char *key, long *out,
                    int required, const char *where, xl_error *err);
int xl_json_get_string(const struct cJSON *obj, const char *key, const char **out,
                       int required, const char *where, xl_error *err);
/* Every key of obj must be one of keys (NULL-terminated): in a hand-written file a typo
 * must not silently fall back to a default.  The error names field PREFIX.KEY (KEY when
 * prefix is ""). */
int xl_json_check_keys(const struct cJSON *obj, const char *const *keys, const char *prefix,
                       const char *where, xl_error *err);

/* ---- numbers for readers ----------------------------------------------------- */
/* v with sig significant digits: fixed notation for 0.01 <= |v| < 1000 (and 0), otherwise
 * mantissa times a power of ten, spelled per style: "3.40e5" (PLAIN), "3.40×10⁵" (UTF8),
 * "3.40&times;10<sup>5</sup>" (HTML), "3.40×10^{5}" (GNUPLOT, enhanced text).  NaN is
 * "-" ("&ndash;" in HTML), infinities "inf"/"∞"/"&infin;". */
enum { XL_FMT_PLAIN = 0, XL_FMT_UTF8 = 1, XL_FMT_HTML = 2, XL_FMT_GNUPLOT = 3 };
void xl_fmt_num(double v, int sig, int style, char *buf, size_t n);

/* ---- strings ----------------------------------------------------------------- */
/* Strict number parsing: the whole string (surrounding blanks allowed) must be a
 * finite or non-finite double. Returns 0 on success. */
int xl_parse_double(const char *s, double *out);
int xl_parse_long(const char *s, long *out);

/* ---- data directories ------------------------------------------------------- */
/* Path of a shipped data file (e.g. "tokenizer.txt", "specs/tiny.json",
 * "build_corpora.sh") into out: under $XL_DATADIR when set (only there), else the first
 * that exists of EXEDIR/../share/xferlaw (an installed, possibly relocated, prefix), the
 * checkout's data/ the library was built from, and PREFIX/share/xferlaw.  0 when found,
 * -1 when not (out then holds the path a message should name). */
int xl_data_file(const char *name, char *out, size_t n);
/* Per-user data: $XDG_DATA_HOME/xferlaw, else $HOME/.local/share/xferlaw; -1 without HOME. */
int xl_user_data_dir(char *out, size_t n);

#ifdef __cplusplus
}
#endif
#endif
