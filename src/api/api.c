/* Library-wide handles for bindings: version, errors, tables built from column arrays. */
#include "xferlaw/api.h"
#include "api_internal.h"
#include "src/api/xl_api_version.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *xl_version(void) { return XL_VERSION; }

void xl_free(void *p) { free(p); }

int xl_api_key_is_(const char *key, const char *name)
{
    for (; *key && *name; key++, name++)
        if (*key != *name && !(*key == '_' && *name == '-'))
            return 0;
    return *key == *name;
}

xl_error *xl_error_alloc(void)
{
    xl_error *e = malloc(sizeof *e);
    xl_error_clear(e);
    return e;
}

void xl_error_free(xl_error *e) { free(e); }

int xl_error_code(const xl_error *e) { return e ? e->code : XL_OK; }

const char *xl_error_message(const xl_error *e) { return e ? e->msg : ""; }

xl_table *xl_table_from_columns(const char *name, size_t n_rows, size_t n_cols,
                                const char *const *names, const double *const *num,
                                const char *const *const *text, xl_error *err)
{
    if (!names || n_cols == 0) {
        xl_error_set(err, XL_EINVAL, "a table needs at least one column");
        return NULL;
    }
    for (size_t c = 0; c < n_cols; c++)
        if (!(num && num[c]) && !(text && text[c])) {
            xl_error_set(err, XL_EINVAL, "column '%s': neither numbers nor text given",
                         names[c] ? names[c] : "");
            return NULL;
        }
    xl_table *t = xl_table_alloc(n_cols, names, err);
    if (!t)
        return NULL;
    char *path = xl_strdup(name ? name : "", err);
    double *rnum = calloc(n_cols, sizeof *rnum);
    const char **rtext = calloc(n_cols, sizeof *rtext);
    int rc = path && rnum && rtext ? XL_OK : xl_error_set(err, XL_ENOMEM, "out of memory");
    if (path) {
        free(t->path);
        t->path = path;
    }
    /* A NULL text cell or a NaN number becomes an empty cell, as in a CSV (a missing value
     * in pandas is NaN); other numbers are kept exactly (xl_table_append_row formats them
     * for the text view). */
    for (size_t i = 0; i < n_rows && !rc; i++) {
        for (size_t c = 0; c < n_cols; c++) {
            int is_num = num && num[c];
            rnum[c] = is_num ? num[c][i] : NAN;
            rtext[c] = is_num ? (isnan(rnum[c]) ? "" : NULL) : (text[c][i] ? text[c][i] : "");
        }
        rc = xl_table_append_row(t, rnum, rtext, err);
    }
    free(rnum);
    free(rtext);
    if (rc) {
        xl_table_free(t);
        return NULL;
    }
    return t;
}

size_t xl_table_nrows(const xl_table *t) { return t->n_rows; }

size_t xl_table_ncols(const xl_table *t) { return t->n_cols; }

const char *xl_table_col_name(const xl_table *t, size_t c)
{
    return c < t->n_cols ? t->names[c] : NULL;
}
