/* xferlaw table: measurement tables read from CSV (header row) or JSONL (one object
 * per line), any column names.  Columns are numeric when every cell parses as a number;
 * others are kept as text.  Every row remembers its source line, so errors about a value
 * name "FILE:LINE: field 'COL': ...". */
#ifndef XFERLAW_TABLE_H
#define XFERLAW_TABLE_H

#include "xferlaw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xl_table {
    char *path;          /* where it came from ("" when built in memory) */
    size_t n_rows, n_cols;
    char **names;        /* [n_cols] */
    int *is_numeric;     /* [n_cols] 1 when every cell parsed as a number */
    double **num;        /* [n_cols][n_rows] numeric value (NaN for text / empty cells) */
    char ***text;        /* [n_cols][n_rows] cell text as read (JSON numbers as printed) */
    long *line;          /* [n_rows] 1-based source line */
    size_t cap_rows;     /* allocation bookkeeping */
} xl_table;

/* Format from the extension (.csv, .jsonl, .json, .ndjson); otherwise sniffed. */
int xl_table_read(const char *path, xl_table **out, xl_error *err);
int xl_table_read_csv(const char *path, xl_table **out, xl_error *err);
int xl_table_read_jsonl(const char *path, xl_table **out, xl_error *err);
/* Parse from memory (used by fuzzers and tests); name is used in messages. */
int xl_table_parse_csv(const char *name, const char *data, size_t n, xl_table **out, xl_error *err);
int xl_table_parse_jsonl(const char *name, const char *data, size_t n, xl_table **out, xl_error *err);
void xl_table_free(xl_table *t);

/* An empty in-memory table with the given columns (to fill with xl_table_append_row). */
xl_table *xl_table_alloc(size_t n_cols, const char *const *names, xl_error *err);
/* Append a row: num[c] used where text[c] is NULL (text may be NULL altogether). */
int xl_table_append_row(xl_table *t, const double *num, const char *const *text, xl_error *err);

long xl_table_col(const xl_table *t, const char *name);   /* index or -1 */
/* A numeric column, checked: an error names the file, line and field of the first cell
 * that is missing, not a number, NaN or infinite. */
int xl_table_numeric(const xl_table *t, const char *name, const double **col, xl_error *err);

/* "NAME=EXPR": add (or replace) a numeric column computed row by row; an error names
 * the row's line when the value is not finite or a symbol is not a numeric column. */
int xl_table_define(xl_table *t, const char *name_eq_expr, xl_error *err);
/* Keep the rows where EXPR is non-zero. */
int xl_table_where(xl_table *t, const char *expr, xl_error *err);
/* Keep rows by mask (1 = keep). */
int xl_table_filter(xl_table *t, const unsigned char *keep, xl_error *err);

/* Wide to long: COLS is a comma list of column names or prefixes ending in '*'; each
 * non-empty cell of those columns becomes a row with the other columns, a key column (the
 * column's name, or the part after the prefix) and a value column, named by INTO
 * ("KEY=VALUE").  Rows keep their source lines.  e.g. COLS "D_*", INTO "D=loss". */
int xl_table_melt(const xl_table *t, const char *cols, const char *into, xl_table **out,
                  xl_error *err);

/* Write as CSV or JSONL (atomically). */
int xl_table_write_csv(const xl_table *t, const char *path, xl_error *err);
int xl_table_write_jsonl(const xl_table *t, const char *path, xl_error *err);
/* One CSV cell: quoted (quotes doubled) when it holds a comma, quote or line break; lone:
 * the only cell of its line, so an empty one is written "" (a blank line would be skipped). */
void xl_table_csv_cell(FILE *fp, const char *s, int lone);

#ifdef __cplusplus
}
#endif
#endif
