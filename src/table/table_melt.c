/* Wide to long: a table with one column per value of a variable (e.g. one column per
 * data size, the cells holding the loss) becomes one row per (row, column) with the
 * column's name, or the part of it after a prefix, in a new key column. */
#include "table_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Which columns ITEM ("NAME" or "PREFIX*") selects; key[c] points at the key text. */
static size_t match_item(const xl_table *t, const char *item, size_t len, unsigned char *sel,
                         const char **key)
{
    size_t hits = 0;
    int glob = len > 0 && item[len - 1] == '*';
    size_t pl = glob ? len - 1 : len;
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *nm = t->names[c];
        if (glob ? strncmp(nm, item, pl) == 0 && nm[pl] : strlen(nm) == len && strncmp(nm, item, len) == 0) {
            sel[c] = 1;
            key[c] = nm + pl * glob;
            hits++;
        }
    }
    return hits;
}

int xl_table_melt(const xl_table *t, const char *cols, const char *into, xl_table **out,
                  xl_error *err)
{
    *out = NULL;
    const char *eq = strchr(into, '=');
    if (!eq || eq == into || !eq[1] || strchr(eq + 1, '='))
        return xl_error_set(err, XL_EINVAL, "--into '%s': expected NAME=VALUE", into);
    char kname[256], vname[256];
    snprintf(kname, sizeof kname, "%.*s", (int)(eq - into), into);
    snprintf(vname, sizeof vname, "%s", eq + 1);
    unsigned char *sel = calloc(t->n_cols + 1, 1);
    const char **key = calloc(t->n_cols + 1, sizeof *key);
    const char **names = calloc(t->n_cols + 3, sizeof *names);
    const char **cells = calloc(t->n_cols + 3, sizeof *cells);
    xl_table *o = NULL;
    int rc = XL_OK;
    if (!sel || !key || !names || !cells) {
        rc = xl_error_set(err, XL_ENOMEM, "out of memory");
        goto out;
    }
    for (const char *p = cols; *p;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || match_item(t, p, len, sel, key) == 0) {
            rc = xl_error_at(err, XL_EINVAL, t->path, 0, NULL, "--melt '%s': no column matches '%.*s'",
                             cols, (int)len, p);
            goto out;
        }
        p += len + (p[len] == ',');
    }
    size_t nk = 0;   /* kept (identifier) columns, then key and value */
    for (size_t c = 0; c < t->n_cols; c++)
        if (!sel[c])
            names[nk++] = t->names[c];
    names[nk] = kname;
    names[nk + 1] = vname;
    if (!(o = xl_table_alloc(nk + 2, names, err))) {
        rc = err->code ? err->code : XL_ENOMEM;
        xl_error_prefix(err, "--into '%s'", into);
        goto out;
    }
    free(o->path);
    if (!(o->path = strdup(t->path ? t->path : ""))) {
        rc = xl_error_set(err, XL_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < t->n_rows; i++)
        for (size_t c = 0; c < t->n_cols; c++) {
            if (!sel[c] || !t->text[c][i][0])
                continue;   /* an empty cell of a wide table is a missing measurement */
            size_t q = 0;
            for (size_t d = 0; d < t->n_cols; d++)
                if (!sel[d])
                    cells[q++] = t->text[d][i];
            cells[q++] = key[c];
            cells[q++] = t->text[c][i];
            if ((rc = xl_table_append_row(o, NULL, cells, err)))
                goto out;
            o->line[o->n_rows - 1] = t->line[i];
        }
    *out = o;
    o = NULL;
out:
    xl_table_free(o);
    free(sel);
    free(key);
    free(names);
    free(cells);
    return rc;
}
