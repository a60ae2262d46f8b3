/* Readers: CSV (RFC 4180) and JSONL (one object per line, via cJSON). */
#include "table_impl.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- CSV ------------------------------------------------------------------- */

typedef struct buf {
    char *s;
    size_t n, cap;
} buf;

static int buf_put(buf *b, char c)
{
    if (b->n + 1 >= b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        char *s = realloc(b->s, cap);
        if (!s)
            return -1;
        b->s = s;
        b->cap = cap;
    }
    b->s[b->n++] = c;
    b->s[b->n] = '\0';
    return 0;
}

typedef struct record {
    char **f;
    size_t n, cap;
    int any_quoted;
} record;

static void record_clear(record *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->f[i]);
    r->n = 0;
    r->any_quoted = 0;
}

static int record_push(record *r, const buf *b)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        char **f = realloc(r->f, sizeof(char *) * cap);
        if (!f)
            return -1;
        r->f = f;
        r->cap = cap;
    }
    char *s = strdup(b->n ? b->s : "");
    if (!s)
        return -1;
    r->f[r->n++] = s;
    return 0;
}

/* Reads one record starting at *pos; *line is the current line number.  Returns 1
 * for a record, 0 at the end of the data, or an error code (negative). */
static int csv_record(const char *name, const char *d, size_t n, size_t *pos, long *line,
                      record *rec, buf *b, xl_error *err)
{
    size_t i = *pos;
    record_clear(rec);
    if (i >= n)
        return 0;
    for (;;) {
        b->n = 0;
        if (b->s)
            b->s[0] = '\0';
        if (i < n && d[i] == '"') {
            long start = *line;
            rec->any_quoted = 1;
            i++;
            for (;;) {
                if (i >= n) {
                    xl_error_at(err, XL_EPARSE, name, start, NULL,
                                "unterminated quoted field (field %zu)", rec->n + 1);
                    return -XL_EPARSE;
                }
                if (d[i] == '"') {
                    if (i + 1 < n && d[i + 1] == '"') {
                        if (buf_put(b, '"'))
                            goto oom;
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (d[i] == '\0') {
                    xl_error_at(err, XL_EPARSE, name, *line, NULL, "NUL byte in the data");
                    return -XL_EPARSE;
                }
                if (d[i] == '\n')
                    (*line)++;
                if (buf_put(b, d[i++]))
                    goto oom;
            }
            if (i < n && d[i] != ',' && d[i] != '\n' && d[i] != '\r') {
                xl_error_at(err, XL_EPARSE, name, *line, NULL,
                            "field %zu: text after the closing quote", rec->n + 1);
                return -XL_EPARSE;
            }
        } else {
            while (i < n && d[i] != ',' && d[i] != '\n' && d[i] != '\r') {
                if (d[i] == '\0') {
                    xl_error_at(err, XL_EPARSE, name, *line, NULL, "NUL byte in the data");
                    return -XL_EPARSE;
                }
                if (buf_put(b, d[i++]))
                    goto oom;
            }
        }
        if (record_push(rec, b))
            goto oom;
        if (i < n && d[i] == ',') {
            i++;
            continue;
        }
        /* end of record: \n, \r\n, lone \r or end of data */
        if (i < n && d[i] == '\r')
            i++;
        if (i < n && d[i] == '\n')
            i++;
        (*line)++;
        *pos = i;
        return 1;
    }
oom:
    xl_error_set(err, XL_ENOMEM, "out of memory reading %s", name);
    return -XL_ENOMEM;
}

static int is_blank(const record *r)
{
    return r->n == 1 && !r->any_quoted && r->f[0][0] == '\0';
}

int xl_table_parse_csv(const char *name, const char *d, size_t n, xl_table **out, xl_error *err)
{
    *out = NULL;
    size_t pos = 0;
    long line = 1;
    if (n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    record rec = {0};
    buf b = {0};
    xl_strmap hdr = {0};
    int rc = XL_OK;
    xl_table *t = xl_table_new_(name, err);
    if (!t)
        return XL_ENOMEM;
    long hline = 0;
    int got;
    do {
        hline = line;
        got = csv_record(name, d, n, &pos, &line, &rec, &b, err);
    } while (got == 1 && is_blank(&rec));
    if (got < 0) {
        rc = -got;
        goto done;
    }
    if (got == 0) {
        rc = xl_error_at(err, XL_EPARSE, name, 0, NULL, "empty file (expected a header row)");
        goto done;
    }
    for (size_t c = 0; c < rec.n; c++) {
        /* "N, C, loss" is common: blanks around a header name are not part of it */
        char *h = rec.f[c];
        size_t a = strspn(h, " \t"), z = strlen(h);
        while (z > a && (h[z - 1] == ' ' || h[z - 1] == '\t'))
            z--;
        memmove(h, h + a, z - a);
        h[z - a] = '\0';
        if (!rec.f[c][0]) {
            rc = xl_error_at(err, XL_EPARSE, name, hline, NULL, "column %zu has an empty name", c + 1);
            goto done;
        }
        /* a hash of the names so far: 100k columns cost O(n), not O(n^2) compares */
        if (xl_strmap_get(&hdr, rec.f[c]) >= 0) {
            rc = xl_error_at(err, XL_EPARSE, name, hline, NULL, "duplicate column name '%s'", rec.f[c]);
            goto done;
        }
        if (xl_table_add_col_(t, rec.f[c], err) < 0 || xl_strmap_put(&hdr, t->names[c], c)) {
            rc = xl_error_set(err, XL_ENOMEM, "out of memory reading the header");
            goto done;
        }
    }
    xl_strmap_free(&hdr);
    for (;;) {
        long rline = line;
        got = csv_record(name, d, n, &pos, &line, &rec, &b, err);
        if (got < 0) {
            rc = -got;
            goto done;
        }
        if (got == 0)
            break;
        if (is_blank(&rec))
            continue;
        if (rec.n != t->n_cols) {
            rc = xl_error_at(err, XL_EPARSE, name, rline, NULL, "expected %zu fields, found %zu",
                             t->n_cols, rec.n);
            goto done;
        }
        rc = xl_table_push_row_(t, rec.f, rline, err);
        rec.n = 0; /* cells now belong to the table */
        if (rc)
            goto done;
    }
    xl_table_finish_(t);
done:
    xl_strmap_free(&hdr);
    record_clear(&rec);
    free(rec.f);
    free(b.s);
    if (rc) {
        xl_table_free(t);
        return rc;
    }
    *out = t;
    return XL_OK;
}

/* ---- JSONL ------------------------------------------------------------------ */

typedef struct jrow {
    xl_table *t;
    xl_strmap cols;
    char **cells;     /* [cap] this row's cells by column */
    size_t cap;
    const char *name;
    long line;
} jrow;

static int jrow_set(jrow *J, const char *key, char *val, xl_error *err)
{
    long c = xl_strmap_get(&J->cols, key);
    if (c < 0) {
        c = xl_table_add_col_(J->t, key, err);
        if (c < 0 || xl_strmap_put(&J->cols, J->t->names[c], (size_t)c)) {
            free(val);
            return xl_error_set(err, XL_ENOMEM, "out of memory reading %s", J->name);
        }
    }
    if ((size_t)c >= J->cap) {
        size_t cap = J->cap ? 2 * J->cap : 16;
        while (cap <= (size_t)c)
            cap *= 2;
        char **cells = realloc(J->cells, sizeof(char *) * cap);
        if (!cells) {
            free(val);
            return xl_error_set(err, XL_ENOMEM, "out of memory reading %s", J->name);
        }
        for (size_t i = J->cap; i < cap; i++)
            cells[i] = NULL;
        J->cells = cells;
        J->cap = cap;
    }
    if (J->cells[c]) {
        free(val);
        return xl_error_at(err, XL_EPARSE, J->name, J->line, key, "appears twice in the object");
    }
    J->cells[c] = val;
    return XL_OK;
}

/* Nested objects become dotted names; arrays stay JSON text. */
static int flatten(jrow *J, const cJSON *obj, const char *prefix, xl_error *err)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        const char *k = it->string ? it->string : "";
        if (!k[0])
            return xl_error_at(err, XL_EPARSE, J->name, J->line, NULL, "empty field name");
        size_t pl = strlen(prefix), kl = strlen(k);
        char *key = malloc(pl + kl + 2);
        if (!key)
            return xl_error_set(err, XL_ENOMEM, "out of memory reading %s", J->name);
        if (pl)
            sprintf(key, "%s.%s", prefix, k);
        else
            memcpy(key, k, kl + 1);
        int rc = XL_OK;
        char *val = NULL;
        char num[40];
        if (cJSON_IsObject(it)) {
            rc = flatten(J, it, key, err);
            free(key);
            if (rc)
                return rc;
            continue;
        } else if (cJSON_IsArray(it)) {
            val = cJSON_PrintUnformatted(it);
        } else if (cJSON_IsString(it)) {
            val = strdup(it->valuestring ? it->valuestring : "");
        } else if (cJSON_IsNumber(it)) {
            xl_format_double_(it->valuedouble, num, sizeof num);
            val = strdup(num);
        } else if (cJSON_IsBool(it)) {
            val = strdup(cJSON_IsTrue(it) ? "1" : "0");
        } else {
            val = strdup(""); /* null */
        }
        if (!val)
            rc = xl_error_set(err, XL_ENOMEM, "out of memory reading %s", J->name);
        else
            rc = jrow_set(J, key, val, err);
        free(key);
        if (rc)
            return rc;
    }
    return XL_OK;
}

int xl_table_parse_jsonl(const char *name, const char *d, size_t n, xl_table **out, xl_error *err)
{
    *out = NULL;
    jrow J = {0};
    J.name = name;
    J.t = xl_table_new_(name, err);
    if (!J.t)
        return XL_ENOMEM;
    int rc = XL_OK;
    size_t pos = 0;
    if (n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    for (long line = 1; pos < n; line++) {
        const char *nl = memchr(d + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - d) : n;
        size_t a = pos, z = end;
        pos = nl ? end + 1 : n;
        while (a < z && isspace((unsigned char)d[a]))
            a++;
        while (z > a && isspace((unsigned char)d[z - 1]))
            z--;
        if (a == z)
            continue;
        J.line = line;
        const char *stop = NULL;
        cJSON *j = cJSON_ParseWithLengthOpts(d + a, z - a, &stop, 0);
        if (!j || stop != d + z) {
            cJSON_Delete(j);
            /* a pretty-printed document is a common mistake: say so */
            const char *wend = NULL;
            cJSON *whole = cJSON_ParseWithLengthOpts(d, n, &wend, 0);
            while (whole && wend < d + n && isspace((unsigned char)*wend))
                wend++;
            if (whole && wend != d + n) {
                cJSON_Delete(whole);
                whole = NULL;
            }
            rc = xl_error_at(err, XL_EPARSE, name, line, NULL, "malformed JSON%s",
                             whole ? " (the file is one JSON document; expected one object per line)" : "");
            cJSON_Delete(whole);
            break;
        }
        if (!cJSON_IsObject(j)) {
            cJSON_Delete(j);
            rc = xl_error_at(err, XL_EPARSE, name, line, NULL, "expected a JSON object");
            break;
        }
        for (size_t c = 0; c < J.cap; c++)
            J.cells[c] = NULL;
        rc = flatten(&J, j, "", err);
        cJSON_Delete(j);
        if (rc) {
            for (size_t c = 0; c < J.cap; c++)
                free(J.cells[c]);
            break;
        }
        /* jrow_set keeps cap > every column index, so cells covers n_cols */
        rc = xl_table_push_row_(J.t, J.cells, line, err);
        if (rc)
            break;
    }
    free(J.cells);
    xl_strmap_free(&J.cols);
    if (!rc && J.t->n_cols == 0)
        rc = xl_error_at(err, XL_EPARSE, name, 0, NULL, J.t->n_rows ? "no fields in any record"
                         : "no records (expected one JSON object per line)");
    if (rc) {
        xl_table_free(J.t);
        return rc;
    }
    xl_table_finish_(J.t);
    *out = J.t;
    return XL_OK;
}

/* ---- files ------------------------------------------------------------------- */

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcasecmp(s + a - b, suf) == 0;
}

/* jsonl: 1 JSONL, 0 CSV, -1 from the extension, else sniffed (JSONL starts with '{') */
static int read_with(const char *path, int jsonl, xl_table **out, xl_error *err)
{
    *out = NULL;
    char *data;
    size_t n;
    int rc = xl_read_file(path, &data, &n, err);
    if (rc)
        return rc;
    const char *name = strcmp(path, "-") ? path : "stdin";
    if (jsonl < 0 && strcmp(path, "-")) {
        if (ends_with(path, ".csv"))
            jsonl = 0;
        else if (ends_with(path, ".jsonl") || ends_with(path, ".json") || ends_with(path, ".ndjson"))
            jsonl = 1;
    }
    if (jsonl < 0) {
        size_t i = 0;
        while (i < n && isspace((unsigned char)data[i]))
            i++;
        jsonl = i < n && data[i] == '{';
    }
    rc = jsonl ? xl_table_parse_jsonl(name, data, n, out, err)
               : xl_table_parse_csv(name, data, n, out, err);
    if (!rc)
        xl_sha256_hex(data, n, (*out)->sha256);
    free(data);
    return rc;
}

int xl_table_read_csv(const char *path, xl_table **out, xl_error *err)
{
    return read_with(path, 0, out, err);
}

int xl_table_read_jsonl(const char *path, xl_table **out, xl_error *err)
{
    return read_with(path, 1, out, err);
}

int xl_table_read(const char *path, xl_table **out, xl_error *err)
{
    return read_with(path, -1, out, err);
}
