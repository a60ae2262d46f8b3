/* Private to src/table: column management shared by the readers, writers and the
 * formula operations. */
#ifndef XL_TABLE_IMPL_H
#define XL_TABLE_IMPL_H

#include "xferlaw/table.h"

/* Empty cells all point here (never freed), so sparse JSONL tables cost no mallocs. */
extern char xl_table_empty_[1];

/* String -> index hash map over borrowed keys. */
typedef struct xl_strmap {
    const char **keys;
    size_t *vals;
    size_t cap, n;
} xl_strmap;

void xl_strmap_free(xl_strmap *m);
/* Index of key or -1. */
long xl_strmap_get(const xl_strmap *m, const char *key);
int xl_strmap_put(xl_strmap *m, const char *key, size_t val);

/* A table with no columns yet. */
xl_table *xl_table_new_(const char *path, xl_error *err);
/* Add a column (cells of existing rows are empty); returns its index or -1. */
long xl_table_add_col_(xl_table *t, const char *name, xl_error *err);
/* Append a row of owned cell strings (NULL = empty); takes ownership even on error. */
int xl_table_push_row_(xl_table *t, char **cells, long line, xl_error *err);
/* Decide numeric columns and fill num[][] from the text. */
void xl_table_finish_(xl_table *t);
void xl_table_free_cell_(char *s);
/* Shortest text that reads back as exactly v. */
void xl_format_double_(double v, char *buf, size_t n);

#endif
