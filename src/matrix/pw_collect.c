/* Pairwise protocol results: raw, gain and normalised matrices and the scale table from
 * OUT/runs.jsonl. */
#include "pw_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* acc/nll: [size][seed][source 0..nt (nt = none)][target], from the records of p's runs
 * (lines of other plans in the same file are ignored). */
static int load_cells(const xl_pw_spec *s, const xl_pw_plan *p, double *acc, double *nll,
                      xl_error *err)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/runs.jsonl", s->out);
    if (!xl_file_exists(path))
        return XL_OK;
    char *data;
    size_t n;
    int rc = xl_read_file(path, &data, &n, err);
    if (rc)
        return rc;
    size_t nt = s->n_tasks;
    long line = 0;
    char *cursor = data;
    for (char *q; !rc && (q = xl_next_line(&cursor, &line, XL_LINE_COMPLETE | XL_LINE_SKIP_BLANK));) {
        cJSON *o = cJSON_Parse(q);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
        if (!cJSON_IsString(id)) {
            rc = xl_error_at(err, XL_EPARSE, path, line, "id", "record without a string id");
            cJSON_Delete(o);
            break;
        }
        long i = xl_sweep_plan_find(&p->plan, id->valuestring);
        const pw_cell *c = i >= 0 ? &p->cell[i] : NULL;
        if (c && c->target >= 0) {
            const cJSON *ja = cJSON_GetObjectItemCaseSensitive(o, "acc");
            const cJSON *jn = cJSON_GetObjectItemCaseSensitive(o, "nll");
            if (!cJSON_IsNumber(ja))
                rc = xl_error_at(err, XL_EPARSE, path, line, "acc", "missing or not a number");
            size_t k = (((size_t)c->size * s->n_seeds + (size_t)c->seed) * (nt + 1) +
                        (size_t)c->source) * nt + (size_t)c->target;
            if (!rc) {
                acc[k] = ja->valuedouble;
                nll[k] = cJSON_IsNumber(jn) ? jn->valuedouble : NAN;
            }
        }
        cJSON_Delete(o);
    }
    free(data);
    return rc;
}

/* Long table of the diagonal against the baseline, per size, seed and task: what a
 * scale study reads (xferlaw jumps OUT/scale.csv --x N --y acc_diag --by task). */
static int write_scale(const xl_pw_spec *s, const xl_pw_plan *p, const double *acc,
                       const double *nll, xl_error *err)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/scale.csv", s->out);
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    size_t nt = s->n_tasks;
    fprintf(af.fp, "size,N,seed,task,acc_alone,acc_diag,nll_alone,nll_diag\n");
    for (size_t z = 0; z < s->n_sizes; z++)
        for (size_t q = 0; q < s->n_seeds; q++)
            for (size_t b = 0; b < nt; b++) {
                size_t base = ((z * s->n_seeds + q) * (nt + 1)) * nt;
                size_t alone = base + nt * nt + b, diag = base + b * nt + b;
                if (isnan(acc[alone]) || isnan(acc[diag]))
                    continue;   /* not finished (yet) */
                fprintf(af.fp, "%s,%.0f,%llu,%s,%.6g,%.6g,%.6g,%.6g\n", s->sizes[z].name,
                        p->N[z], (unsigned long long)s->seeds[q], s->tasks[b], acc[alone],
                        acc[diag], nll[alone], nll[diag]);
            }
    return xl_afile_commit(&af, err);
}

static int write_long(const char *path, const xl_pw_spec *s, const double *v, size_t zi,
                      int with_none, int gain_kind, const double *nll, xl_error *err)
{
    size_t nt = s->n_tasks;
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    fprintf(af.fp, gain_kind ? "source,target,gain,seed\n" : "source,target,acc,nll,seed\n");
    for (size_t q = 0; q < s->n_seeds; q++)
        for (size_t a = 0; a < nt + (size_t)with_none; a++)
            for (size_t b = 0; b < nt; b++) {
                size_t base = ((zi * s->n_seeds + q) * (nt + 1)) * nt;
                double x = v[base + a * nt + b], y = 0;
                if (gain_kind == 1) /* accuracy gain, percentage points */
                    y = 100 * (x - v[base + nt * nt + b]);
                else if (gain_kind == 2) /* answer NLL reduction, nats */
                    y = v[base + nt * nt + b] - x;
                else
                    y = x;
                if (isnan(y))
                    continue;
                if (gain_kind)
                    fprintf(af.fp, "%s,%s,%.6g,%llu\n", a < nt ? s->tasks[a] : "none",
                            s->tasks[b], y, (unsigned long long)s->seeds[q]);
                else
                    fprintf(af.fp, "%s,%s,%.6g,%.6g,%llu\n", a < nt ? s->tasks[a] : "none",
                            s->tasks[b], y, nll[base + a * nt + b],
                            (unsigned long long)s->seeds[q]);
            }
    return xl_afile_commit(&af, err);
}

int xl_pw_collect(const xl_pw_spec *s, xl_error *err)
{
    size_t nt = s->n_tasks, cells = s->n_sizes * s->n_seeds * (nt + 1) * nt;
    double *acc = xl_calloc(cells, sizeof *acc, err), *nll = xl_calloc(cells, sizeof *nll, err);
    if (!acc || !nll) {
        free(acc);
        free(nll);
        return XL_ENOMEM;
    }
    for (size_t k = 0; k < cells; k++)
        acc[k] = nll[k] = NAN;
    xl_pw_plan *p = NULL;
    int rc = xl_pw_plan_build(s, &p, err);
    if (!rc)
        rc = load_cells(s, p, acc, nll, err);
    if (!rc)
        rc = write_scale(s, p, acc, nll, err);
    for (size_t z = 0; z < s->n_sizes && !rc; z++) {
        char dir[1100], path[1200];
        snprintf(dir, sizeof dir, "%s/%s", s->out, s->sizes[z].name);
        if ((rc = xl_mkdirs(dir, err)))
            break;
        snprintf(path, sizeof path, "%s/raw_acc.csv", dir);
        if ((rc = write_long(path, s, acc, z, 1, 0, nll, err)))
            break;
        snprintf(path, sizeof path, "%s/gain.csv", dir);
        if ((rc = write_long(path, s, acc, z, 0, 1, NULL, err)))
            break;
        snprintf(path, sizeof path, "%s/gain_nll.csv", dir);
        if ((rc = write_long(path, s, nll, z, 0, 2, NULL, err)))
            break;
        /* means over seeds, through the matrix reader (also gives the CIs) */
        xl_tmatrix *g = NULL;
        snprintf(path, sizeof path, "%s/gain.csv", dir);
        if ((rc = xl_tmatrix_read(path, "gain", &g, err)))
            break;
        double *norm = xl_calloc(g->n * g->n, sizeof *norm, err);
        if (!norm) {
            xl_tmatrix_free(g);
            rc = XL_ENOMEM;
            break;
        }
        for (size_t a = 0; a < g->n; a++)
            for (size_t b = 0; b < g->n; b++) {
                double d = g->mean[b * g->n + b];
                norm[a * g->n + b] = d >= 1 ? g->mean[a * g->n + b] / d : NAN;
            }
        snprintf(path, sizeof path, "%s/gain_square.csv", dir);
        rc = xl_tmatrix_write_square(g, NULL, path, err);
        snprintf(path, sizeof path, "%s/normalised.csv", dir);
        if (!rc)
            rc = xl_tmatrix_write_square(g, norm, path, err);
        free(norm);
        xl_tmatrix_free(g);
    }
    xl_pw_plan_free(p);
    free(acc);
    free(nll);
    return rc;
}
