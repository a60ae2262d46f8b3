/* How many groups a dendrogram shows, and a raw-accuracy matrix turned into gains. */
#include "xferlaw/matrix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double xl_silhouette(const double *D, size_t n, const int *labels)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double in = 0, best_out = INFINITY;
        size_t n_in = 0;
        /* mean distance to each other cluster; labels are 0..n-1 */
        for (int c = 0; c < (int)n; c++) {
            double s = 0;
            size_t cnt = 0;
            for (size_t j = 0; j < n; j++)
                if (j != i && labels[j] == c)
                    s += D[i * n + j], cnt++;
            if (c == labels[i])
                in = s, n_in = cnt;
            else if (cnt)
                best_out = fmin(best_out, s / (double)cnt);
        }
        /* a singleton scores 0 (Rousseeuw), as does a point with no other cluster */
        if (!n_in || !isfinite(best_out))
            continue;
        double a = in / (double)n_in, m = fmax(a, best_out);
        sum += m > 0 ? (best_out - a) / m : 0;
    }
    return n ? sum / (double)n : 0;
}

size_t xl_linkage_auto_k(const double *D, const xl_linkage *L, double *score, xl_error *err)
{
    size_t n = L->n, best_k = 1;
    double best = -INFINITY;
    if (score)
        *score = NAN;
    if (n < 3)
        return 1;
    int *lab = xl_calloc(n, sizeof *lab, err);
    if (!lab)
        return 1;
    for (size_t k = 2; k < n; k++) {
        if (xl_linkage_cut(L, k, lab, err))
            break;
        double s = xl_silhouette(D, n, lab);
        /* ties go to the fewer clusters */
        if (s > best + 1e-12)
            best = s, best_k = k;
    }
    free(lab);
    if (score)
        *score = best;
    return best >= XL_GROUPS_MIN_SILHOUETTE ? best_k : 1;
}

int xl_tmatrix_subtract_baseline(xl_tmatrix *m, const char *label, xl_error *err)
{
    long b = xl_tmatrix_find(m, label);
    if (b < 0)
        return xl_error_set(err, XL_EINVAL, "%s: no baseline row '%s'", m->path ? m->path : "matrix", label);
    size_t n = m->n, nb = (size_t)b;
    size_t any = 0;
    for (size_t j = 0; j < n; j++)
        any += j != nb && isfinite(m->mean[nb * n + j]);
    if (!any)
        return xl_error_set(err, XL_EINVAL, "%s: baseline row '%s' has no values", m->path ? m->path : "matrix", label);
    /* gain = accuracy after source i minus accuracy of the target alone; a replicate
     * spread adds in quadrature (the two are independent runs) */
    double *bm = xl_calloc(2 * n, sizeof *bm, err);
    if (!bm)
        return XL_ENOMEM;
    memcpy(bm, m->mean + nb * n, n * sizeof *bm);
    memcpy(bm + n, m->sd + nb * n, n * sizeof *bm);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            size_t k = i * n + j;
            double base = bm[j], bsd = bm[n + j];
            m->mean[k] = isfinite(base) ? m->mean[k] - base : NAN;
            if (isfinite(m->sd[k]) && isfinite(bsd))
                m->sd[k] = sqrt(m->sd[k] * m->sd[k] + bsd * bsd);
        }
    free(bm);
    /* drop the baseline task: it is a row of the raw matrix, not a task */
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == nb)
            continue;
        size_t v = 0;
        for (size_t j = 0; j < n; j++) {
            if (j == nb)
                continue;
            m->mean[w * (n - 1) + v] = m->mean[i * n + j];
            m->sd[w * (n - 1) + v] = m->sd[i * n + j];
            m->count[w * (n - 1) + v] = m->count[i * n + j];
            v++;
        }
        w++;
    }
    free(m->labels[nb]);
    memmove(m->labels + nb, m->labels + nb + 1, (n - nb - 1) * sizeof *m->labels);
    m->n = n - 1;
    return XL_OK;
}
