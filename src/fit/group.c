/* One fit per group of rows (--by COL): groups are the distinct texts of COL's cells, in
 * order of first appearance.  A group whose fit fails keeps its error message and the
 * others go on: one bad curve out of ninety should not cost the other 89. */
#include "fit_run.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void xl_fit_groups_free(xl_fit_groups *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++) {
        free(g->keys[i]);
        xl_fit_result_free(g->fits[i]);
        free(g->errors[i]);
    }
    free(g->keys);
    free(g->fits);
    free(g->errors);
    free(g->by);
    free(g);
}

int xl_fit_table_by(const xl_table *t, const char *by, const xl_fit_options *o,
                    xl_fit_groups **out, xl_error *err)
{
    *out = NULL;
    long bc = xl_table_col(t, by);
    if (bc < 0)
        return xl_error_at(err, XL_EINVAL, t->path, 0, by, "--by: column not found");
    size_t n = t->n_rows, nc = t->n_cols;
    size_t *gid = calloc(n + 1, sizeof *gid), *rows = calloc(n + 1, sizeof *rows);
    double *buf = calloc(nc * (n + 1) + 1, sizeof(double));
    const double **cols = calloc(nc + 1, sizeof *cols);
    long *lines = calloc(n + 1, sizeof *lines);
    xl_fit_groups *g = calloc(1, sizeof *g);
    int rc = XL_OK;
    if (!gid || !rows || !buf || !cols || !lines || !g || !(g->by = strdup(by)) ||
        !(g->keys = calloc(n + 1, sizeof *g->keys)) || !(g->fits = calloc(n + 1, sizeof *g->fits)) ||
        !(g->errors = calloc(n + 1, sizeof *g->errors))) {
        rc = xl_error_set(err, XL_ENOMEM, "out of memory");
        goto out;
    }
    /* group ids by first appearance (quadratic in the number of groups, which is small
       next to the fits) */
    for (size_t i = 0; i < n; i++) {
        const char *k = t->text[bc][i];
        size_t q = 0;
        while (q < g->n && strcmp(g->keys[q], k) != 0)
            q++;
        if (q == g->n && !(g->keys[g->n++] = strdup(k))) {
            rc = xl_error_set(err, XL_ENOMEM, "out of memory");
            goto out;
        }
        gid[i] = q;
    }
    for (size_t q = 0; q < g->n; q++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (gid[i] == q)
                rows[m++] = i;
        for (size_t c = 0; c < nc; c++) {
            double *d = buf + c * (n + 1);
            for (size_t j = 0; j < m; j++)
                d[j] = t->num[c][rows[j]];
            cols[c] = d;
        }
        for (size_t j = 0; j < m; j++)
            lines[j] = t->line[rows[j]];
        fit_src src = {.path = t->path, .n_rows = m, .n_cols = nc,
                       .names = (const char *const *)t->names, .cols = cols, .lines = lines};
        xl_error e;
        xl_error_clear(&e);
        if (fit_from_src(&src, o, &g->fits[q], &e)) {
            if (e.code == XL_ENOMEM) {
                *err = e;
                rc = e.code;
                goto out;
            }
            if (!(g->errors[q] = strdup(e.msg))) {
                rc = xl_error_set(err, XL_ENOMEM, "out of memory");
                goto out;
            }
        } else {
            g->n_ok++;
        }
    }
    *out = g;
    g = NULL;
out:
    xl_fit_groups_free(g);
    free(gid);
    free(rows);
    free(buf);
    free(cols);
    free(lines);
    return rc;
}

cJSON *xl_fit_groups_to_json(const xl_fit_groups *g)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "by", g->by);
    cJSON_AddNumberToObject(j, "n_groups", (double)g->n);
    cJSON_AddNumberToObject(j, "n_failed", (double)(g->n - g->n_ok));
    cJSON *arr = cJSON_AddArrayToObject(j, "groups");
    for (size_t q = 0; q < g->n; q++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "group", g->keys[q]);
        if (g->fits[q])
            cJSON_AddItemToObject(e, "fit", xl_fit_result_to_json(g->fits[q]));
        else
            cJSON_AddStringToObject(e, "error", g->errors[q]);
        cJSON_AddItemToArray(arr, e);
    }
    return j;
}

int xl_fit_groups_save(const xl_fit_groups *g, const char *path, xl_error *err)
{
    cJSON *j = xl_fit_groups_to_json(g);
    if (!j)
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    int rc = xl_json_write_file(path, j, err);
    cJSON_Delete(j);
    return rc;
}
