/* Transfer matrices: reading long or square CSV, replicate statistics, writing. */
#include "xferlaw/matrix.h"
#include "xferlaw/table.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 512

xl_tmatrix *xl_tmatrix_alloc(size_t n, const char *const *labels, xl_error *err)
{
    xl_tmatrix *m = xl_calloc(1, sizeof *m, err);
    if (!m)
        return NULL;
    m->n = n;
    m->labels = xl_calloc(n ? n : 1, sizeof *m->labels, err);
    m->mean = xl_calloc(n * n + 1, sizeof *m->mean, err);
    m->sd = xl_calloc(n * n + 1, sizeof *m->sd, err);
    m->count = xl_calloc(n * n + 1, sizeof *m->count, err);
    m->path = xl_strdup("", err);
    if (!m->labels || !m->mean || !m->sd || !m->count || !m->path) {
        xl_tmatrix_free(m);
        return NULL;
    }
    for (size_t i = 0; i < n * n; i++)
        m->mean[i] = m->sd[i] = NAN;
    for (size_t i = 0; i < n; i++)
        if (!(m->labels[i] = xl_strdup(labels[i], err))) {
            xl_tmatrix_free(m);
            return NULL;
        }
    return m;
}

void xl_tmatrix_free(xl_tmatrix *m)
{
    if (!m)
        return;
    for (size_t i = 0; m->labels && i < m->n; i++)
        free(m->labels[i]);
    free(m->labels);
    free(m->mean);
    free(m->sd);
    free(m->count);
    free(m->path);
    free(m);
}

long xl_tmatrix_find(const xl_tmatrix *m, const char *label)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->labels[i], label) == 0)
            return (long)i;
    return -1;
}

double xl_tmatrix_ci95(const xl_tmatrix *m, size_t k)
{
    int c = m->count[k];
    if (c < 2 || !isfinite(m->sd[k]))
        return NAN;
    return gsl_cdf_tdist_Pinv(0.975, c - 1) * m->sd[k] / sqrt((double)c);
}

/* Splits line in place on commas (double-quoted fields may hold commas; "" is a quote).
 * Returns the number of fields, or -1 when there are too many. */
static int split_csv(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '"') {
            char *w = ++p;
            fields[n++] = w;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            *w = '\0';
            while (*p && *p != ',')
                p++;
        } else {
            fields[n++] = p;
            while (*p && *p != ',')
                p++;
        }
        char *end = p;
        int last = *p != ',';
        if (!last)
            p++;
        *end = '\0';
        char *f = fields[n - 1]; /* trim trailing blanks and CR */
        size_t len = strlen(f);
        while (len && (f[len - 1] == ' ' || f[len - 1] == '\t' || f[len - 1] == '\r'))
            f[--len] = '\0';
        if (last)
            return n;
    }
}

static int parse_cell(const char *s, double *v)
{
    if (!*s || strcasecmp(s, "nan") == 0 || strcasecmp(s, "na") == 0) {
        *v = NAN;
        return 0;
    }
    return xl_parse_double(s, v) || !isfinite(*v);
}

typedef struct {
    double sum, sumsq; /* of deviations from the first value, for stability */
    double first;
    int n;
} acc;

static void acc_add(acc *a, double v)
{
    if (a->n == 0)
        a->first = v;
    double d = v - a->first;
    a->sum += d;
    a->sumsq += d * d;
    a->n++;
}

static void finish(xl_tmatrix *m, const acc *A)
{
    for (size_t k = 0; k < m->n * m->n; k++) {
        const acc *a = &A[k];
        m->count[k] = a->n;
        if (a->n == 0)
            continue;
        double mu = a->sum / a->n;
        m->mean[k] = a->first + mu;
        if (a->n > 1) {
            double var = (a->sumsq - a->n * mu * mu) / (a->n - 1);
            m->sd[k] = sqrt(var > 0 ? var : 0);
        }
    }
}

static long label_index(char ***labels, size_t *n, size_t *cap, const char *s, xl_error *err)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*labels)[i], s) == 0)
            return (long)i;
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        char **g = realloc(*labels, *cap * sizeof *g);
        if (!g)
            return -(long)xl_error_set(err, XL_ENOMEM, "out of memory") - 1;
        *labels = g;
    }
    if (!((*labels)[*n] = xl_strdup(s, err)))
        return -XL_ENOMEM - 1;
    return (long)(*n)++;
}

typedef struct {
    long src, dst;
    double v;
} long_row;

static int read_long(const char *path, char *body, char **hdr, int nh, const char *vcol,
                     xl_tmatrix **out, xl_error *err)
{
    int cs = -1, ct = -1, cv = -1;
    for (int i = 0; i < nh; i++) {
        if (strcmp(hdr[i], "source") == 0)
            cs = i;
        else if (strcmp(hdr[i], "target") == 0)
            ct = i;
        else if (strcmp(hdr[i], vcol) == 0)
            cv = i;
    }
    if (cv < 0)
        return xl_error_at(err, XL_EPARSE, path, 1, vcol, "no such column in the header");
    char **labels = NULL;
    size_t nl = 0, capl = 0, nr = 0, capr = 0;
    long_row *rows = NULL;
    int rc = XL_OK;
    long line = 1;
    char *f[MAX_FIELDS];
    char *cursor = body;
    for (char *p; !rc && (p = xl_next_line(&cursor, &line, XL_LINE_SKIP_BLANK));) {
        int k = split_csv(p, f, MAX_FIELDS);
        if (k != nh) {
            rc = xl_error_at(err, XL_EPARSE, path, line, NULL, "%d fields, header has %d", k, nh);
            break;
        }
        double v;
        if (parse_cell(f[cv], &v)) {
            rc = xl_error_at(err, XL_EPARSE, path, line, vcol, "'%s' is not a number", f[cv]);
            break;
        }
        if (!*f[cs] || !*f[ct]) {
            rc = xl_error_at(err, XL_EPARSE, path, line, *f[cs] ? "target" : "source", "empty");
            break;
        }
        long s = label_index(&labels, &nl, &capl, f[cs], err);
        long t = s < 0 ? s : label_index(&labels, &nl, &capl, f[ct], err);
        if (t < 0) {
            rc = (int)(-t - 1);
            break;
        }
        if (isnan(v))
            continue;
        if (nr == capr) {
            capr = capr ? 2 * capr : 64;
            long_row *g = realloc(rows, capr * sizeof *g);
            if (!g) {
                rc = xl_error_set(err, XL_ENOMEM, "out of memory");
                break;
            }
            rows = g;
        }
        rows[nr++] = (long_row){s, t, v};
    }
    if (!rc && nl == 0)
        rc = xl_error_at(err, XL_EPARSE, path, line, NULL, "no rows");
    xl_tmatrix *m = NULL;
    acc *A = NULL;
    if (!rc) {
        m = xl_tmatrix_alloc(nl, (const char *const *)labels, err);
        A = xl_calloc(nl * nl, sizeof *A, err);
        if (!m || !A)
            rc = XL_ENOMEM;
    }
    if (!rc) {
        for (size_t r = 0; r < nr; r++)
            acc_add(&A[(size_t)rows[r].src * nl + (size_t)rows[r].dst], rows[r].v);
        finish(m, A);
        *out = m;
    } else {
        xl_tmatrix_free(m);
    }
    for (size_t i = 0; i < nl; i++)
        free(labels[i]);
    free(labels);
    free(rows);
    free(A);
    return rc;
}

static int read_square(const char *path, char *body, char **hdr, int nh, xl_tmatrix **out,
                       xl_error *err)
{
    if (nh < 2)
        return xl_error_at(err, XL_EPARSE, path, 1, NULL,
                           "square matrix needs a header 'LABEL,t1,t2,..' (or long format "
                           "with columns source,target,gain)");
    size_t n = (size_t)nh - 1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(hdr[i + 1], hdr[j + 1]) == 0)
                return xl_error_at(err, XL_EPARSE, path, 1, hdr[i + 1], "duplicate label");
    xl_tmatrix *m = xl_tmatrix_alloc(n, (const char *const *)(hdr + 1), err);
    if (!m)
        return XL_ENOMEM;
    unsigned char *seen = xl_calloc(n, 1, err);
    if (!seen) {
        xl_tmatrix_free(m);
        return XL_ENOMEM;
    }
    int rc = XL_OK;
    long line = 1;
    size_t rows = 0;
    char *f[MAX_FIELDS];
    char *cursor = body;
    for (char *p; !rc && (p = xl_next_line(&cursor, &line, XL_LINE_SKIP_BLANK));) {
        int k = split_csv(p, f, MAX_FIELDS);
        if (k != nh) {
            rc = xl_error_at(err, XL_EPARSE, path, line, NULL, "%d fields, header has %d", k, nh);
            break;
        }
        long i = xl_tmatrix_find(m, f[0]);
        if (i < 0) {
            rc = xl_error_at(err, XL_EPARSE, path, line, hdr[0],
                             "row label '%s' is not a column label", f[0]);
            break;
        }
        if (seen[i]) {
            rc = xl_error_at(err, XL_EPARSE, path, line, hdr[0], "row '%s' given twice", f[0]);
            break;
        }
        seen[i] = 1;
        rows++;
        for (size_t j = 0; j < n; j++) {
            double v;
            if (parse_cell(f[j + 1], &v)) {
                rc = xl_error_at(err, XL_EPARSE, path, line, hdr[j + 1],
                                 "'%s' is not a number", f[j + 1]);
                break;
            }
            m->mean[(size_t)i * n + j] = v;
            m->count[(size_t)i * n + j] = !isnan(v);
        }
    }
    if (!rc && rows != n)
        rc = xl_error_at(err, XL_EPARSE, path, line, NULL, "%zu rows for %zu labels", rows, n);
    free(seen);
    if (rc) {
        xl_tmatrix_free(m);
        return rc;
    }
    *out = m;
    return XL_OK;
}

int xl_tmatrix_read(const char *path, const char *value_col, xl_tmatrix **out, xl_error *err)
{
    *out = NULL;
    char *data;
    size_t len;
    int rc = xl_read_file(path, &data, &len, err);
    if (rc)
        return rc;
    char *body = strchr(data, '\n');
    if (body)
        *body++ = '\0';
    char *hdr[MAX_FIELDS];
    int nh = split_csv(data, hdr, MAX_FIELDS);
    if (nh < 0) {
        free(data);
        return xl_error_at(err, XL_EPARSE, path, 1, NULL, "more than %d columns", MAX_FIELDS);
    }
    int is_long = 0;
    for (int i = 0; i < nh; i++)
        is_long += strcmp(hdr[i], "source") == 0 || strcmp(hdr[i], "target") == 0;
    if (is_long == 2)
        rc = read_long(path, body, hdr, nh, value_col ? value_col : "gain", out, err);
    else
        rc = read_square(path, body, hdr, nh, out, err);
    free(data);
    if (!rc) {
        free((*out)->path);
        if (!((*out)->path = xl_strdup(path, err))) {
            xl_tmatrix_free(*out);
            *out = NULL;
            return XL_ENOMEM;
        }
    }
    return rc;
}

int xl_tmatrix_write_long(const xl_tmatrix *m, const char *path, xl_error *err)
{
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    fprintf(af.fp, "source,target,mean,sd,count,ci95\n");
    for (size_t i = 0; i < m->n; i++)
        for (size_t j = 0; j < m->n; j++) {
            size_t k = i * m->n + j;
            if (!m->count[k])
                continue;
            xl_table_csv_cell(af.fp, m->labels[i], 0);
            fputc(',', af.fp);
            xl_table_csv_cell(af.fp, m->labels[j], 0);
            fprintf(af.fp, ",%.6g,", m->mean[k]);
            if (isfinite(m->sd[k]))
                fprintf(af.fp, "%.6g", m->sd[k]);
            fprintf(af.fp, ",%d,", m->count[k]);
            double ci = xl_tmatrix_ci95(m, k);
            if (isfinite(ci))
                fprintf(af.fp, "%.6g", ci);
            fputc('\n', af.fp);
        }
    return xl_afile_commit(&af, err);
}

int xl_tmatrix_write_square(const xl_tmatrix *m, const double *v, const char *path,
                            xl_error *err)
{
    if (!v)
        v = m->mean;
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    fputs("source", af.fp);
    for (size_t j = 0; j < m->n; j++) {
        fputc(',', af.fp);
        xl_table_csv_cell(af.fp, m->labels[j], 0);
    }
    fputc('\n', af.fp);
    for (size_t i = 0; i < m->n; i++) {
        xl_table_csv_cell(af.fp, m->labels[i], 0);
        for (size_t j = 0; j < m->n; j++) {
            double x = v[i * m->n + j];
            if (isnan(x))
                fputs(",", af.fp);
            else
                fprintf(af.fp, ",%.6g", x);
        }
        fputc('\n', af.fp);
    }
    return xl_afile_commit(&af, err);
}
