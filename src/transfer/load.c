/* Measurements from CSV/JSONL files or a sweep directory's runs.jsonl, through the table
 * module (so --define and --where work here as in `xferlaw fit`). */
#include "xfer_internal.h"
#include "xferlaw/table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A sweep's pre-training row: kept aside when it has N and a finite loss. */
static int add_pretrain(xl_xfer_runs *r, const xl_table *t, long cc, size_t i)
{
    long cn = xl_table_col(t, "N"), cl = xl_table_col(t, "best_val_loss"),
         ct = xl_table_col(t, "tokens_seen");
    if (cl < 0)
        cl = xl_table_col(t, "loss");
    if (cn < 0 || cl < 0 || !isfinite(t->num[cn][i]) || !isfinite(t->num[cl][i]))
        return XL_OK;
    size_t n = r->n_pre + 1;
    char **c = realloc(r->pre_curriculum, n * sizeof *c);
    if (c) r->pre_curriculum = c;
    double *a = realloc(r->pre_N, n * sizeof *a);
    if (a) r->pre_N = a;
    double *b = realloc(r->pre_loss, n * sizeof *b);
    if (b) r->pre_loss = b;
    double *d = realloc(r->pre_tokens, n * sizeof *d);
    if (d) r->pre_tokens = d;
    const char *name = cc >= 0 && t->text[cc][i] ? t->text[cc][i] : "";
    if (!c || !a || !b || !d || !(r->pre_curriculum[r->n_pre] = strdup(name)))
        return XL_ENOMEM;
    r->pre_N[r->n_pre] = t->num[cn][i];
    r->pre_loss[r->n_pre] = t->num[cl][i];
    r->pre_tokens[r->n_pre] = ct >= 0 ? t->num[ct][i] : NAN;
    r->n_pre = n;
    return XL_OK;
}

int xl_xfer_runs_from_table(const xl_table *t, xl_xfer_runs **out, xl_error *err)
{
    *out = NULL;
    const char *path = t->path && t->path[0] ? t->path : "table";
    long cc = xl_table_col(t, "curriculum"), ck = xl_table_col(t, "kind");
    /* the data-limit protocol's record fields, when present (docs/protocol.md) */
    long ce = xl_table_col(t, "end"), cu = xl_table_col(t, "val_unigram_loss");
    const char *dname = xl_table_col(t, "D") >= 0 ? "D" : xl_table_col(t, "D_F") >= 0 ? "D_F" : "D";
    const char *lname = xl_table_col(t, "loss") >= 0 || xl_table_col(t, "best_val_loss") < 0
                            ? "loss" : "best_val_loss";
    if (cc < 0)
        return xl_error_at(err, XL_EPARSE, path, 1, "curriculum", "no such column");
    const char *names[3] = {"N", dname, lname};
    const double *col[3];
    for (int j = 0; j < 3; j++)
        if (xl_table_col(t, names[j]) < 0)
            return xl_error_at(err, XL_EPARSE, path, 1, names[j], "no such column");
    /* kind "pretrain" rows may lack a loss on the target task: checked row by row below */
    for (int j = 0; j < 3; j++)
        col[j] = t->num[xl_table_col(t, names[j])];
    xl_xfer_runs *r = xl_xfer_runs_alloc(err);
    if (!r)
        return XL_ENOMEM;
    free(r->path);
    int rc = (r->path = xl_strdup(t->path ? t->path : "", err)) ? XL_OK : XL_ENOMEM;
    long cf = xl_table_col(t, "flops"), cs = xl_table_col(t, "seconds"), cw = xl_table_col(t, "sweep");
    r->rows_in = t->n_rows;
    r->flops = cf >= 0 ? 0 : NAN;
    r->seconds = r->seconds_pretrain = cs >= 0 ? 0 : NAN;
    if (cw >= 0 && t->n_rows && t->text[cw] && t->text[cw][0])
        snprintf(r->sweep, sizeof r->sweep, "%s", t->text[cw][0]);
    for (size_t i = 0; i < t->n_rows && !rc; i++) {
        const char *kind = ck >= 0 ? t->text[ck][i] : NULL;
        /* the sweep's cost counts every run, pre-training included */
        if (cf >= 0 && isfinite(t->num[cf][i]))
            r->flops += t->num[cf][i];
        double secs = cs >= 0 && isfinite(t->num[cs][i]) ? t->num[cs][i] : 0;
        r->seconds += secs;
        if (kind && !strcmp(kind, "pretrain")) {
            r->rows_pretrain++;
            r->seconds_pretrain += secs;
            rc = add_pretrain(r, t, cc, i);
            continue;
        }
        const char *cur = t->text[cc][i];
        /* a sweep names the curriculum of every run; its kind says which are from scratch */
        if (kind && !strcmp(kind, "scratch"))
            cur = "scratch";
        if (!cur || !*cur) {
            rc = xl_error_at(err, XL_EPARSE, path, t->line[i], "curriculum", "missing value");
            break;
        }
        double v[3];
        for (int j = 0; j < 3 && !rc; j++) {
            v[j] = col[j][i];
            const char *txt = t->text[xl_table_col(t, names[j])][i];
            /* one bad cell makes a whole column text: parse this row's own cell */
            if (!isfinite(v[j]) && txt && xl_parse_double(txt, &v[j]))
                v[j] = NAN;
            if (!isfinite(v[j]))
                rc = xl_error_at(err, XL_EPARSE, path, t->line[i], names[j],
                                 "not a finite number: '%.40s'", txt ? txt : "");
            else if (!(v[j] > 0))
                rc = xl_error_at(err, XL_EDOM, path, t->line[i], names[j], "must be > 0, got %g", v[j]);
        }
        if (!rc)
            rc = xl_xfer_runs_add(r, cur, v[0], v[1], v[2], t->line[i], err);
        if (!rc && ce >= 0 && t->text[ce][i])
            r->ended_by_cap[r->n - 1] = strcmp(t->text[ce][i], "cap") == 0;
        if (!rc && cu >= 0 && isfinite(t->num[cu][i]) && t->num[cu][i] > 0)
            r->unigram[r->n - 1] = t->num[cu][i];
    }
    if (rc == XL_ENOMEM)
        xl_error_set(err, XL_ENOMEM, "out of memory");
    if (!rc && r->n == 0)
        rc = xl_error_set(err, XL_EINVAL, "%s: no measurement rows", path);
    if (rc) {
        xl_xfer_runs_free(r);
        return rc;
    }
    *out = r;
    return XL_OK;
}

int xl_xfer_runs_load(const char *path, const char *const *defines, size_t n_defines,
                      const char *const *wheres, size_t n_wheres, xl_xfer_runs **out,
                      xl_error *err)
{
    *out = NULL;
    char file[4096];
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(file, sizeof file, "%s/runs.jsonl", path);
    else
        snprintf(file, sizeof file, "%s", path);
    xl_table *t;   /* read once: the digest is of the bytes parsed (pipes, /dev/stdin) */
    int rc = xl_table_read(file, &t, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n_defines && !rc; i++)
        rc = xl_table_define(t, defines[i], err);
    for (size_t i = 0; i < n_wheres && !rc; i++)
        rc = xl_table_where(t, wheres[i], err);
    if (!rc)
        rc = xl_xfer_runs_from_table(t, out, err);
    if (!rc)
        memcpy((*out)->sha256, t->sha256, sizeof t->sha256);
    xl_table_free(t);
    return rc;
}

int xl_xfer_runs_write_csv(const xl_xfer_runs *r, const char *path, xl_error *err)
{
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    fprintf(af.fp, "curriculum,N,D,loss\n");
    for (size_t i = 0; i < r->n; i++)
        fprintf(af.fp, "%s,%.10g,%.10g,%.8g\n", r->curriculum[i], r->N[i], r->D[i], r->loss[i]);
    return xl_afile_commit(&af, err);
}
