/* libFuzzer target: CSV or JSONL (first byte's low bit) parsed from memory, then the
 * checked numeric access, --melt, --define and --where on what was read. */
#include "xferlaw/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
    if (n < 1)
        return 0;
    int as_jsonl = data[0] & 1;
    xl_table *t = NULL;
    xl_error err;
    xl_error_clear(&err);
    const char *d = (const char *)data + 1;
    int rc = as_jsonl ? xl_table_parse_jsonl("f.jsonl", d, n - 1, &t, &err)
                      : xl_table_parse_csv("f.csv", d, n - 1, &t, &err);
    if (rc) {
        if (t || !err.msg[0] || strchr(err.msg, '\n'))
            __builtin_trap();
        return 0;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        if (r && t->line[r] <= t->line[r - 1])
            __builtin_trap();
        for (size_t c = 0; c < t->n_cols; c++)
            if (!t->text[c][r])
                __builtin_trap();
    }
    for (size_t c = 0; c < t->n_cols; c++) {
        const double *col;
        if (xl_table_numeric(t, t->names[c], &col, &err) == XL_OK && t->n_rows && !col)
            __builtin_trap();
        if (xl_table_col(t, t->names[c]) != (long)c)
            __builtin_trap();
    }
    if (t->n_cols) {   /* wide to long on the last column (a name may hold ',' or '*') */
        char spec[600];
        snprintf(spec, sizeof spec, "%.500s", t->names[t->n_cols - 1]);
        xl_table *m = NULL;
        if (xl_table_melt(t, spec, "key_=val_", &m, &err) == XL_OK) {
            if (!m || m->n_rows > t->n_rows * t->n_cols || m->n_cols > t->n_cols + 1)
                __builtin_trap();
            for (size_t r = 0; r < m->n_rows; r++)
                if (!m->text[m->n_cols - 1][r][0])
                    __builtin_trap();   /* empty cells make no row */
        } else if (m) {
            __builtin_trap();
        }
        xl_table_free(m);
    }
    if (t->n_cols) {
        char f[600];
        snprintf(f, sizeof f, "zz = `%.500s` * 2 + 1", t->names[0]);
        xl_table_define(t, f, &err);
        snprintf(f, sizeof f, "`%.500s` == \"a\" || `%.40s` > 0", t->names[0], t->names[t->n_cols - 1]);
        size_t before = t->n_rows;
        if (xl_table_where(t, f, &err) == XL_OK && t->n_rows > before)
            __builtin_trap();
    }
    xl_table_free(t);
    return 0;
}
