/* --define and --where: formulas evaluated row by row over the table's columns.
 * Text columns take part through interning: every distinct text (cells and string
 * literals alike) gets a numeric code, so curriculum == "scratch" is a numeric test. */
#include "table_impl.h"

#include "xferlaw/expr.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct interner {
    xl_strmap map;
    char **owned;         /* copies of literals (cells are borrowed from the table) */
    size_t n_owned;
} interner;

static int intern_str(interner *I, const char *s, int copy, double *code)
{
    long v = xl_strmap_get(&I->map, s);
    if (v >= 0) {
        *code = (double)v;
        return 0;
    }
    const char *key = s;
    if (copy) {
        char **o = realloc(I->owned, sizeof(char *) * (I->n_owned + 1));
        if (!o)
            return -1;
        I->owned = o;
        char *d = strdup(s);
        if (!d)
            return -1;
        I->owned[I->n_owned++] = d;
        key = d;
    }
    size_t c = I->map.n;
    if (xl_strmap_put(&I->map, key, c))
        return -1;
    *code = (double)c;
    return 0;
}

static int intern_literal(void *ctx, const char *s, double *code)
{
    interner *I = ctx;
    return intern_str(I, s, 1, code);
}

static void interner_free(interner *I)
{
    for (size_t i = 0; i < I->n_owned; i++)
        free(I->owned[i]);
    free(I->owned);
    xl_strmap_free(&I->map);
}

/* A formula bound to the table: per symbol, the column values row by row. */
typedef struct bound {
    xl_expr *e;
    size_t n;
    long *col;
    const double **vals;
    double **codes;       /* owned per-symbol codes for text columns (or NULL) */
    interner I;
} bound;

static void bound_free(bound *B)
{
    for (size_t i = 0; B->codes && i < B->n; i++)
        free(B->codes[i]);
    free(B->codes);
    free(B->col);
    free(B->vals);
    xl_expr_free(B->e);
    interner_free(&B->I);
}

/* what is e.g. "--define 'D=C/(6*N)'" */
static int bind(const xl_table *t, const char *text, const char *what, bound *B, xl_error *err)
{
    memset(B, 0, sizeof *B);
    int rc = xl_expr_parse_ex(text, intern_literal, &B->I, &B->e, err);
    if (rc)
        return xl_error_prefix(err, "%s", what);
    B->n = xl_expr_n_symbols(B->e);
    B->col = calloc(B->n + 1, sizeof(long));
    B->vals = calloc(B->n + 1, sizeof(double *));
    B->codes = calloc(B->n + 1, sizeof(double *));
    if (!B->col || !B->vals || !B->codes)
        return xl_error_set(err, XL_ENOMEM, "out of memory in %s", what);
    for (size_t i = 0; i < B->n; i++) {
        const char *name = xl_expr_symbol(B->e, i);
        long c = xl_table_col(t, name);
        if (c < 0)
            return xl_error_set(err, XL_EINVAL, "unknown column '%s' in %s", name, what);
        B->col[i] = c;
        int use = xl_expr_symbol_use(B->e, i);
        if (t->is_numeric[c]) {
            if (use & XL_EXPR_USE_TEXT)
                return xl_error_set(err, XL_EINVAL,
                                    "column '%s' is numeric: compare it with a number, not text, in %s",
                                    name, what);
            B->vals[i] = t->num[c];
            continue;
        }
        /* a text column means something only when compared with text */
        if (use & XL_EXPR_USE_NUMBER) {
            const double *dummy;
            rc = xl_table_numeric(t, name, &dummy, err);
            return rc ? rc : xl_error_set(err, XL_EINVAL, "column '%s' is not numeric", name);
        }
        double *codes = malloc(sizeof(double) * (t->n_rows + 1));
        if (!codes)
            return xl_error_set(err, XL_ENOMEM, "out of memory in %s", what);
        B->codes[i] = codes;
        for (size_t r = 0; r < t->n_rows; r++)
            if (intern_str(&B->I, t->text[c][r], 0, &codes[r]))
                return xl_error_set(err, XL_ENOMEM, "out of memory in %s", what);
        B->vals[i] = codes;
    }
    return XL_OK;
}

/* Value of row r; an empty or NaN numeric input is an error naming the cell. */
static int eval_row(const xl_table *t, const bound *B, size_t r, double *vals, double *out,
                    const char *what, xl_error *err)
{
    for (size_t i = 0; i < B->n; i++) {
        vals[i] = B->vals[i][r];
        if (isnan(vals[i])) {
            long c = B->col[i];
            return xl_error_at(err, XL_EINVAL, t->path, t->line[r], t->names[c], "%s in %s",
                               t->text[c][r][0] ? "NaN is not allowed" : "empty cell", what);
        }
    }
    *out = xl_expr_eval(B->e, vals);
    return XL_OK;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int xl_table_define(xl_table *t, const char *name_eq_expr, xl_error *err)
{
    char what[300];
    snprintf(what, sizeof what, "--define '%.250s'", name_eq_expr);
    const char *eq = strchr(name_eq_expr, '=');
    if (!eq)
        return xl_error_set(err, XL_EINVAL, "%s: expected NAME=EXPR", what);
    char *copy = strdup(name_eq_expr);
    if (!copy)
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    copy[eq - name_eq_expr] = '\0';
    char *name = trim(copy);
    size_t nl = strlen(name);
    if (nl >= 2 && name[0] == '`' && name[nl - 1] == '`') {
        name[nl - 1] = '\0';
        name++;
    }
    if (!name[0]) {
        free(copy);
        return xl_error_set(err, XL_EINVAL, "%s: expected NAME=EXPR", what);
    }
    bound B;
    double *col = NULL, *vals = NULL;
    char **text = NULL;
    size_t made = 0;
    int rc = bind(t, eq + 1, what, &B, err);
    if (!rc) {
        col = malloc(sizeof(double) * (t->n_rows + 1));
        vals = malloc(sizeof(double) * (B.n + 1));
        text = calloc(t->n_rows + 1, sizeof(char *));
        if (!col || !vals || !text)
            rc = xl_error_set(err, XL_ENOMEM, "out of memory in %s", what);
    }
    for (size_t r = 0; !rc && r < t->n_rows; r++) {
        rc = eval_row(t, &B, r, vals, &col[r], what, err);
        if (!rc && !isfinite(col[r]))
            rc = xl_error_at(err, XL_EDOM, t->path, t->line[r], name, "%s gives %s", what,
                             isnan(col[r]) ? "NaN" : col[r] > 0 ? "inf" : "-inf");
        char num[40];
        if (!rc) {
            xl_format_double_(col[r], num, sizeof num);
            if (!(text[r] = strdup(num)))
                rc = xl_error_set(err, XL_ENOMEM, "out of memory in %s", what);
            made = r + 1;
        }
    }
    long c = rc ? -1 : xl_table_col(t, name);
    if (!rc && c < 0 && (c = xl_table_add_col_(t, name, err)) < 0)
        rc = XL_ENOMEM;
    if (!rc) {
        for (size_t r = 0; r < t->n_rows; r++) {
            xl_table_free_cell_(t->text[c][r]);
            t->text[c][r] = text[r];
        }
        memcpy(t->num[c], col, sizeof(double) * t->n_rows);
        t->is_numeric[c] = 1;
    } else {
        for (size_t r = 0; r < made; r++)
            free(text[r]);
    }
    free(text);
    free(col);
    free(vals);
    free(copy);
    bound_free(&B);
    return rc;
}

int xl_table_where(xl_table *t, const char *expr, xl_error *err)
{
    char what[300];
    snprintf(what, sizeof what, "--where '%.250s'", expr);
    bound B;
    unsigned char *keep = NULL;
    double *vals = NULL;
    int rc = bind(t, expr, what, &B, err);
    if (!rc) {
        keep = malloc(t->n_rows + 1);
        vals = malloc(sizeof(double) * (B.n + 1));
        if (!keep || !vals)
            rc = xl_error_set(err, XL_ENOMEM, "out of memory in %s", what);
    }
    for (size_t r = 0; !rc && r < t->n_rows; r++) {
        double v = 0;
        rc = eval_row(t, &B, r, vals, &v, what, err);
        if (!rc && isnan(v))
            rc = xl_error_at(err, XL_EDOM, t->path, t->line[r], NULL, "%s is not a number", what);
        if (!rc)
            keep[r] = v != 0;
    }
    if (!rc)
        rc = xl_table_filter(t, keep, err);
    free(keep);
    free(vals);
    bound_free(&B);
    return rc;
}
