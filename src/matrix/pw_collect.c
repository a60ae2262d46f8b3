/* Pairwise protocol results: raw, gain and normalised matrices from OUT/cells.jsonl. */
#include "pw_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static long index_of(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (long)i;
    return -1;
}

/* acc/nll: [size][seed][source 0..nt (nt = none)][target] */
static int load_cells(const xl_pw_spec *s, double *acc, double *nll, xl_error *err)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/cells.jsonl", s->out);
    char *data;
    size_t n;
    int rc = xl_read_file(path, &data, &n, err);
    if (rc)
        return rc;
    size_t nt = s->n_tasks;
    const char *tasks[XL_PW_MAX_TASKS + 1], *sizes[XL_PW_MAX_SIZES];
    for (size_t i = 0; i < nt; i++)
        tasks[i] = s->tasks[i];
    tasks[nt] = "none";
    for (size_t i = 0; i < s->n_sizes; i++)
        sizes[i] = s->sizes[i].name;
    long line = 0;
    char *cursor = data;
    for (char *p; !rc && (p = xl_next_line(&cursor, &line, XL_LINE_COMPLETE));) {
        cJSON *o = cJSON_Parse(p);
        const char *sz = NULL, *src = NULL, *dst = NULL;
        double seed = NAN, a = NAN, l = NAN;
        if (!o || xl_json_get_string(o, "size", &sz, 1, path, err) ||
            xl_json_get_string(o, "source", &src, 1, path, err) ||
            xl_json_get_string(o, "target", &dst, 1, path, err) ||
            xl_json_get_double(o, "seed", &seed, 1, path, err) ||
            xl_json_get_double(o, "acc", &a, 1, path, err)) {
            rc = xl_error_at(err, XL_EPARSE, path, line, NULL, "malformed cell record");
            cJSON_Delete(o);
            break;
        }
        const cJSON *jn = cJSON_GetObjectItemCaseSensitive(o, "nll");
        if (cJSON_IsNumber(jn))
            l = jn->valuedouble;
        long zi = index_of(sizes, s->n_sizes, sz), ai = index_of(tasks, nt + 1, src),
             bi = index_of(tasks, nt, dst), qi = -1;
        for (size_t q = 0; q < s->n_seeds; q++)
            if ((double)s->seeds[q] == seed)
                qi = (long)q;
        if (zi >= 0 && ai >= 0 && bi >= 0 && qi >= 0) { /* cells of other specs are ignored */
            size_t k = (((size_t)zi * s->n_seeds + (size_t)qi) * (nt + 1) + (size_t)ai) * nt +
                       (size_t)bi;
            acc[k] = a;
            nll[k] = l;
        }
        cJSON_Delete(o);
    }
    free(data);
    return rc;
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
    int rc = load_cells(s, acc, nll, err);
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
    free(acc);
    free(nll);
    return rc;
}
