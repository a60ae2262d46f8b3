/* Writers: CSV and JSONL, atomically (temporary file + rename). */
#include "table_impl.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void xl_table_csv_cell(FILE *fp, const char *s, int lone)
{
    if (!s[0]) {
        /* a lone empty cell would be a blank line, which readers skip */
        if (lone)
            fputs("\"\"", fp);
        return;
    }
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

int xl_table_write_csv(const xl_table *t, const char *path, xl_error *err)
{
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    int lone = t->n_cols == 1;
    for (size_t c = 0; c < t->n_cols; c++) {
        if (c)
            fputc(',', af.fp);
        xl_table_csv_cell(af.fp, t->names[c], lone);
    }
    fputc('\n', af.fp);
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            if (c)
                fputc(',', af.fp);
            xl_table_csv_cell(af.fp, t->text[c][r], lone);
        }
        fputc('\n', af.fp);
    }
    if (ferror(af.fp)) {
        xl_afile_abort(&af);
        return xl_error_set(err, XL_EIO, "%s: write failed", path);
    }
    return xl_afile_commit(&af, err);
}

int xl_table_write_jsonl(const xl_table *t, const char *path, xl_error *err)
{
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    for (size_t r = 0; r < t->n_rows && !rc; r++) {
        cJSON *o = cJSON_CreateObject();
        if (!o) {
            rc = xl_error_set(err, XL_ENOMEM, "out of memory writing %s", path);
            break;
        }
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *s = t->text[c][r];
            double v = t->num[c][r];
            if (!s[0])
                continue; /* missing, as JSONL readers expect */
            /* cJSON prints %.15g when that is within an epsilon: not exact, so numbers
             * go in as raw shortest round-trip text */
            char num[40];
            if (t->is_numeric[c] && isfinite(v))
                xl_format_double_(v, num, sizeof num);
            cJSON *it = t->is_numeric[c] && isfinite(v) ? cJSON_CreateRaw(num) : cJSON_CreateString(s);
            if (!it || !cJSON_AddItemToObject(o, t->names[c], it)) {
                cJSON_Delete(it);
                rc = xl_error_set(err, XL_ENOMEM, "out of memory writing %s", path);
                break;
            }
        }
        char *line = rc ? NULL : cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!rc && !line)
            rc = xl_error_set(err, XL_ENOMEM, "out of memory writing %s", path);
        if (line) {
            fputs(line, af.fp);
            fputc('\n', af.fp);
            cJSON_free(line);
        }
    }
    if (!rc && ferror(af.fp))
        rc = xl_error_set(err, XL_EIO, "%s: write failed", path);
    if (rc) {
        xl_afile_abort(&af);
        return rc;
    }
    return xl_afile_commit(&af, err);
}
