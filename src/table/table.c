/* Measurement tables: storage, columns, checked numeric access, row filters. */
#include "table_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

char xl_table_empty_[1];

/* ---- string map ---------------------------------------------------------- */

void xl_strmap_free(xl_strmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

long xl_strmap_get(const xl_strmap *m, const char *key)
{
    if (!m->cap)
        return -1;
    size_t i = (size_t)xl_hash64(key, strlen(key)) & (m->cap - 1);
    while (m->keys[i]) {
        if (strcmp(m->keys[i], key) == 0)
            return (long)m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return -1;
}

int xl_strmap_put(xl_strmap *m, const char *key, size_t val)
{
    if (2 * (m->n + 1) > m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        xl_strmap g = {calloc(cap, sizeof(char *)), calloc(cap, sizeof(size_t)), cap, 0};
        if (!g.keys || !g.vals) {
            xl_strmap_free(&g);
            return -1;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i])
                xl_strmap_put(&g, m->keys[i], m->vals[i]);
        xl_strmap_free(m);
        *m = g;
    }
    size_t i = (size_t)xl_hash64(key, strlen(key)) & (m->cap - 1);
    while (m->keys[i]) {
        if (strcmp(m->keys[i], key) == 0) {
            m->vals[i] = val;
            return 0;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
    return 0;
}

/* ---- storage --------------------------------------------------------------- */

void xl_table_free_cell_(char *s)
{
    if (s && s != xl_table_empty_)
        free(s);
}

void xl_format_double_(double v, char *buf, size_t n)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v || isnan(v))
            return;
    }
}

xl_table *xl_table_new_(const char *path, xl_error *err)
{
    xl_table *t = xl_calloc(1, sizeof *t, err);
    if (!t)
        return NULL;
    t->path = xl_strdup(path ? path : "", err);
    if (!t->path) {
        free(t);
        return NULL;
    }
    return t;
}

void xl_table_free(xl_table *t)
{
    if (!t)
        return;
    for (size_t c = 0; c < t->n_cols; c++) {
        free(t->names[c]);
        free(t->num[c]);
        for (size_t r = 0; t->text[c] && r < t->n_rows; r++)
            xl_table_free_cell_(t->text[c][r]);
        free(t->text[c]);
    }
    free(t->names);
    free(t->is_numeric);
    free(t->num);
    free(t->text);
    free(t->line);
    free(t->path);
    free(t);
}

long xl_table_add_col_(xl_table *t, const char *name, xl_error *err)
{
    size_t c = t->n_cols;
    char **names = realloc(t->names, sizeof(char *) * (c + 1));
    if (names)
        t->names = names;
    int *isn = realloc(t->is_numeric, sizeof(int) * (c + 1));
    if (isn)
        t->is_numeric = isn;
    double **num = realloc(t->num, sizeof(double *) * (c + 1));
    if (num)
        t->num = num;
    char ***text = realloc(t->text, sizeof(char **) * (c + 1));
    if (text)
        t->text = text;
    size_t cap = t->cap_rows ? t->cap_rows : 1;
    char *nm = names && isn && num && text ? strdup(name) : NULL;
    double *col = nm ? malloc(sizeof(double) * cap) : NULL;
    char **tc = col ? malloc(sizeof(char *) * cap) : NULL;
    if (!tc) {
        free(nm);
        free(col);
        xl_error_set(err, XL_ENOMEM, "out of memory adding column '%s'", name);
        return -1;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        col[r] = NAN;
        tc[r] = xl_table_empty_;
    }
    t->names[c] = nm;
    t->is_numeric[c] = 0;
    t->num[c] = col;
    t->text[c] = tc;
    t->n_cols = c + 1;
    return (long)c;
}

static int reserve_rows(xl_table *t, size_t need, xl_error *err)
{
    if (need <= t->cap_rows)
        return XL_OK;
    size_t cap = t->cap_rows ? t->cap_rows : 16;
    while (cap < need)
        cap *= 2;
    long *line = realloc(t->line, sizeof(long) * cap);
    if (!line)
        return xl_error_set(err, XL_ENOMEM, "out of memory growing a table");
    t->line = line;
    for (size_t c = 0; c < t->n_cols; c++) {
        double *num = realloc(t->num[c], sizeof(double) * cap);
        if (!num)
            return xl_error_set(err, XL_ENOMEM, "out of memory growing a table");
        t->num[c] = num;
        char **text = realloc(t->text[c], sizeof(char *) * cap);
        if (!text)
            return xl_error_set(err, XL_ENOMEM, "out of memory growing a table");
        t->text[c] = text;
    }
    t->cap_rows = cap;
    return XL_OK;
}

int xl_table_push_row_(xl_table *t, char **cells, long line, xl_error *err)
{
    int rc = reserve_rows(t, t->n_rows + 1, err);
    if (rc) {
        for (size_t c = 0; c < t->n_cols; c++)
            xl_table_free_cell_(cells[c]);
        return rc;
    }
    size_t r = t->n_rows++;
    for (size_t c = 0; c < t->n_cols; c++) {
        t->text[c][r] = cells[c] && cells[c][0] ? cells[c] : xl_table_empty_;
        if (cells[c] && !cells[c][0])
            xl_table_free_cell_(cells[c]);
        t->num[c][r] = NAN;
    }
    t->line[r] = line;
    return XL_OK;
}

void xl_table_finish_(xl_table *t)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        int numeric = 0;
        for (size_t r = 0; r < t->n_rows; r++) {
            const char *s = t->text[c][r];
            double v = NAN;
            if (!s[0])
                continue;
            if (xl_parse_double(s, &v)) {
                numeric = 0;
                break;
            }
            numeric = 1;
        }
        t->is_numeric[c] = numeric;
        for (size_t r = 0; r < t->n_rows; r++) {
            double v = NAN;
            if (!numeric || !t->text[c][r][0] || xl_parse_double(t->text[c][r], &v))
                v = NAN;
            t->num[c][r] = v;
        }
    }
}

/* ---- public ------------------------------------------------------------------ */

xl_table *xl_table_alloc(size_t n_cols, const char *const *names, xl_error *err)
{
    xl_table *t = xl_table_new_("", err);
    if (!t)
        return NULL;
    for (size_t c = 0; c < n_cols; c++) {
        if (!names[c] || !names[c][0] || xl_table_col(t, names[c]) >= 0) {
            xl_error_set(err, XL_EINVAL, "column %zu: %s column name '%s'", c + 1,
                         names[c] && names[c][0] ? "duplicate" : "empty", names[c] ? names[c] : "");
            xl_table_free(t);
            return NULL;
        }
        if (xl_table_add_col_(t, names[c], err) < 0) {
            xl_table_free(t);
            return NULL;
        }
        t->is_numeric[c] = 1;
    }
    return t;
}

int xl_table_append_row(xl_table *t, const double *num, const char *const *text, xl_error *err)
{
    int rc = reserve_rows(t, t->n_rows + 1, err);
    if (rc)
        return rc;
    size_t r = t->n_rows;
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *s = text ? text[c] : NULL;
        char buf[40];
        double v = NAN;
        if (!s) {
            v = num[c];
            xl_format_double_(v, buf, sizeof buf);
            s = buf;
        } else if (s[0] && xl_parse_double(s, &v)) {
            if (t->is_numeric[c])
                for (size_t i = 0; i < r; i++)
                    t->num[c][i] = NAN;
            t->is_numeric[c] = 0;
        }
        char *d = s[0] ? strdup(s) : xl_table_empty_;
        if (!d) {
            for (size_t k = 0; k < c; k++)
                xl_table_free_cell_(t->text[k][r]);
            return xl_error_set(err, XL_ENOMEM, "out of memory appending a row");
        }
        t->text[c][r] = d;
        t->num[c][r] = t->is_numeric[c] ? v : NAN;
    }
    t->line[r] = (long)r + 1;
    t->n_rows = r + 1;
    return XL_OK;
}

long xl_table_col(const xl_table *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->names[c], name) == 0)
            return (long)c;
    return -1;
}

int xl_table_numeric(const xl_table *t, const char *name, const double **col, xl_error *err)
{
    *col = NULL;
    long c = xl_table_col(t, name);
    if (c < 0) {
        char list[200] = "";
        size_t k = 0;
        for (size_t i = 0; i < t->n_cols && k < sizeof list - 1; i++)
            k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", t->names[i]);
        return xl_error_at(err, XL_EINVAL, t->path, 0, NULL, "unknown column '%s' (columns: %s)",
                           name, list);
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        const char *s = t->text[c][r];
        double v;
        if (!s[0])
            return xl_error_at(err, XL_EINVAL, t->path, t->line[r], name, "empty cell");
        if (xl_parse_double(s, &v))
            return xl_error_at(err, XL_EINVAL, t->path, t->line[r], name, "not a number: '%.60s'", s);
        if (isnan(v))
            return xl_error_at(err, XL_EINVAL, t->path, t->line[r], name, "NaN is not allowed");
        if (isinf(v))
            return xl_error_at(err, XL_EINVAL, t->path, t->line[r], name,
                               "infinite value '%.60s' is not allowed", s);
    }
    *col = t->num[c];
    return XL_OK;
}

int xl_table_filter(xl_table *t, const unsigned char *keep, xl_error *err)
{
    (void)err;
    size_t w = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        if (keep[r]) {
            for (size_t c = 0; c < t->n_cols; c++) {
                t->text[c][w] = t->text[c][r];
                t->num[c][w] = t->num[c][r];
            }
            t->line[w++] = t->line[r];
        } else {
            for (size_t c = 0; c < t->n_cols; c++)
                xl_table_free_cell_(t->text[c][r]);
        }
    }
    t->n_rows = w;
    return XL_OK;
}
