/* Measurements from CSV/JSONL files or a sweep directory's runs.jsonl.
 *
 * A small reader of its own for the four canonical columns (curriculum, N, D or D_F,
 * loss, and `kind` to skip pre-training rows); the general table module (--define,
 * --where) is used instead once it is available on this branch. */
#include "xfer_internal.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { COL_CUR, COL_N, COL_D, COL_LOSS, COL_KIND, N_COLS };
static const char *COL_NAMES[N_COLS] = {"curriculum", "N", "D", "loss", "kind"};

static int add_row(xl_xfer_runs *r, const char *path, long line, const char **cell,
                   const char *dname, xl_error *err)
{
    if (cell[COL_KIND] && strcmp(cell[COL_KIND], "pretrain") == 0)
        return XL_OK;
    /* a sweep names the curriculum of every run; its kind says which are from scratch */
    if (cell[COL_KIND] && strcmp(cell[COL_KIND], "scratch") == 0)
        cell[COL_CUR] = "scratch";
    double v[3];
    const char *names[3] = {"N", dname, "loss"};
    for (int j = 0; j < 3; j++) {
        const char *s = cell[COL_N + j];
        if (!s || !*s)
            return xl_error_at(err, XL_EPARSE, path, line, names[j], "missing value");
        if (xl_parse_double(s, &v[j]) || !isfinite(v[j]))
            return xl_error_at(err, XL_EPARSE, path, line, names[j], "not a finite number: '%.40s'", s);
        if (!(v[j] > 0))
            return xl_error_at(err, XL_EDOM, path, line, names[j], "must be > 0, got %g", v[j]);
    }
    if (!cell[COL_CUR] || !*cell[COL_CUR])
        return xl_error_at(err, XL_EPARSE, path, line, "curriculum", "missing value");
    return xl_xfer_runs_add(r, cell[COL_CUR], v[0], v[1], v[2], line, err);
}

/* Split one CSV line in place (double quotes allowed, "" inside quotes). */
static size_t csv_split(char *s, char **f, size_t max)
{
    size_t n = 0;
    char *p = s;
    while (n < max) {
        char *out = p, *start = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"' || !*p) {
                    if (*p)
                        p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            while (*p && *p != ',')
                p++;
        } else {
            while (*p && *p != ',')
                p++;
            out = p;
        }
        char end = *p;
        *out = 0;
        /* trim blanks */
        while (isspace((unsigned char)*start))
            start++;
        for (char *e = start + strlen(start); e > start && isspace((unsigned char)e[-1]); e--)
            e[-1] = 0;
        f[n++] = start;
        if (!end)
            break;
        p++;
    }
    return n;
}

static int read_csv(const char *path, char *data, xl_xfer_runs *r, xl_error *err)
{
    char *fields[256], *next = data;
    long line = 0;
    int col[N_COLS] = {-1, -1, -1, -1, -1};
    const char *dname = "D";
    size_t ncol = 0;
    while (next && *next) {
        char *ln = next, *nl = strchr(ln, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = 0;
        line++;
        size_t L = strlen(ln);
        if (L && ln[L - 1] == '\r')
            ln[L - 1] = 0;
        if (!*ln)
            continue;
        size_t n = csv_split(ln, fields, 256);
        if (ncol == 0) {
            ncol = n;
            for (size_t j = 0; j < n; j++)
                for (int c = 0; c < N_COLS; c++)
                    if (!strcmp(fields[j], COL_NAMES[c]))
                        col[c] = (int)j;
            if (col[COL_D] < 0)
                for (size_t j = 0; j < n; j++)
                    if (!strcmp(fields[j], "D_F"))
                        col[COL_D] = (int)j, dname = "D_F";
            for (int c = 0; c < COL_KIND; c++)
                if (col[c] < 0)
                    return xl_error_at(err, XL_EPARSE, path, line, c == COL_D ? "D" : COL_NAMES[c],
                                       "no such column in the header");
            continue;
        }
        if (n != ncol)
            return xl_error_at(err, XL_EPARSE, path, line, NULL, "%zu fields, header has %zu", n, ncol);
        const char *cell[N_COLS];
        for (int c = 0; c < N_COLS; c++)
            cell[c] = col[c] >= 0 ? fields[col[c]] : NULL;
        int rc = add_row(r, path, line, cell, dname, err);
        if (rc)
            return rc;
    }
    if (ncol == 0)
        return xl_error_at(err, XL_EPARSE, path, 1, NULL, "empty file (no header)");
    return XL_OK;
}

static int read_jsonl(const char *path, char *data, xl_xfer_runs *r, xl_error *err)
{
    long line = 0;
    char *next = data;
    while (next && *next) {
        char *ln = next, *nl = strchr(ln, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = 0;
        line++;
        const char *q = ln;
        while (isspace((unsigned char)*q))
            q++;
        if (!*q)
            continue;
        cJSON *o = cJSON_Parse(q);
        if (!o || !cJSON_IsObject(o)) {
            cJSON_Delete(o);
            return xl_error_at(err, XL_EPARSE, path, line, NULL, "not a JSON object");
        }
        char buf[3][64];
        const char *cell[N_COLS] = {0};
        const char *dname = "D";
        for (int c = 0; c < N_COLS; c++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, COL_NAMES[c]);
            if (!v && c == COL_D && (v = cJSON_GetObjectItemCaseSensitive(o, "D_F")))
                dname = "D_F";
            if (!v && c == COL_LOSS)
                v = cJSON_GetObjectItemCaseSensitive(o, "best_val_loss");
            if (!v || cJSON_IsNull(v))
                continue;
            if (cJSON_IsString(v)) {
                cell[c] = v->valuestring;
            } else if (cJSON_IsNumber(v) && c >= COL_N && c <= COL_LOSS) {
                snprintf(buf[c - COL_N], sizeof buf[0], "%.17g", v->valuedouble);
                cell[c] = buf[c - COL_N];
            } else {
                cJSON_Delete(o);
                return xl_error_at(err, XL_EPARSE, path, line, COL_NAMES[c], "wrong JSON type");
            }
        }
        int rc = add_row(r, path, line, cell, dname, err);
        cJSON_Delete(o);
        if (rc)
            return rc;
    }
    return XL_OK;
}

int xl_xfer_runs_load(const char *path, const char *const *defines, size_t n_defines,
                      const char *const *wheres, size_t n_wheres, xl_xfer_runs **out,
                      xl_error *err)
{
    *out = NULL;
    (void)defines;
    (void)wheres;
    if (n_defines || n_wheres)
        return xl_error_set(err, XL_EUNSUPPORTED, "--define/--where need the table module");
    char file[4096];
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(file, sizeof file, "%s/runs.jsonl", path);
    else
        snprintf(file, sizeof file, "%s", path);
    char *data;
    size_t n;
    int rc = xl_read_file(file, &data, &n, err);
    if (rc)
        return rc;
    xl_xfer_runs *r = xl_xfer_runs_alloc(err);
    if (!r) {
        free(data);
        return XL_ENOMEM;
    }
    free(r->path);
    r->path = xl_strdup(file, err);
    xl_sha256_hex(data, n, r->sha256);
    size_t len = strlen(file);
    const char *q = data;
    while (isspace((unsigned char)*q))
        q++;
    int jsonl = (len > 6 && !strcmp(file + len - 6, ".jsonl")) ||
                (len > 5 && !strcmp(file + len - 5, ".json")) || *q == '{';
    rc = r->path ? (jsonl ? read_jsonl(file, data, r, err) : read_csv(file, data, r, err)) : XL_ENOMEM;
    free(data);
    if (!rc && r->n == 0)
        rc = xl_error_set(err, XL_EINVAL, "%s: no measurement rows", file);
    if (rc) {
        xl_xfer_runs_free(r);
        return rc;
    }
    *out = r;
    return XL_OK;
}

int xl_xfer_runs_write_csv(const xl_xfer_runs *r, const char *path, xl_error *err)
{
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    fprintf(af.fp, "curriculum,N,D,loss\n");
    for (size_t i = 0; i < r->n; i++)
        fprintf(af.fp, "%s,%.10g,%.10g,%.8g\n", r->curriculum[i], r->N[i], r->D[i], r->loss[i]);
    return xl_afile_commit(&af, err);
}
