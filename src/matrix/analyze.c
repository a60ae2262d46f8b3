/* Transfer-matrix analysis: asymmetry with CIs, symmetric similarity, average-linkage
 * clustering, comparison of two matrices. */
#include "xferlaw/matrix.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Welch CI half-width of mean(a) - mean(b) from their SDs and counts. */
static double welch_ci95(double sa, int na, double sb, int nb)
{
    if (na < 2 || nb < 2 || !isfinite(sa) || !isfinite(sb))
        return NAN;
    double va = sa * sa / na, vb = sb * sb / nb, se2 = va + vb;
    if (se2 <= 0)
        return 0;
    double df = se2 * se2 / (va * va / (na - 1) + vb * vb / (nb - 1));
    if (!isfinite(df))
        df = (double)(na + nb - 2);
    return gsl_cdf_tdist_Pinv(0.975, df) * sqrt(se2);
}

static int cmp_asym(const void *pa, const void *pb)
{
    const xl_asym_pair *a = pa, *b = pb;
    double x = fabs(a->diff), y = fabs(b->diff);
    if (x != y)
        return x < y ? 1 : -1;
    if (a->i != b->i)
        return a->i < b->i ? -1 : 1;
    return a->j < b->j ? -1 : a->j > b->j;
}

int xl_matrix_asymmetry(const xl_tmatrix *m, xl_asym_pair **pairs, size_t *n_pairs,
                        xl_error *err)
{
    size_t n = m->n, k = 0;
    *pairs = NULL;
    *n_pairs = 0;
    xl_asym_pair *p = xl_calloc(n * (n - 1) / 2 + 1, sizeof *p, err);
    if (!p)
        return XL_ENOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            size_t ij = i * n + j, ji = j * n + i;
            if (isnan(m->mean[ij]) || isnan(m->mean[ji]))
                continue;
            p[k].i = i;
            p[k].j = j;
            p[k].diff = m->mean[ij] - m->mean[ji];
            p[k].ci95 = welch_ci95(m->sd[ij], m->count[ij], m->sd[ji], m->count[ji]);
            p[k].beyond_ci = isfinite(p[k].ci95) && fabs(p[k].diff) > p[k].ci95;
            k++;
        }
    qsort(p, k, sizeof *p, cmp_asym);
    *pairs = p;
    *n_pairs = k;
    return XL_OK;
}

void xl_matrix_similarity(const xl_tmatrix *m, double *S)
{
    size_t n = m->n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double a = m->mean[i * n + j], b = m->mean[j * n + i];
            if (i == j)
                S[i * n + j] = isnan(a) ? NAN : fmax(a, 0);
            else
                S[i * n + j] = isnan(a) || isnan(b) ? NAN : sqrt(fmax(a, 0) * fmax(b, 0));
        }
}

void xl_matrix_similarity_distance(const double *S, size_t n, double *D)
{
    double smax = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j && isfinite(S[i * n + j]))
                smax = fmax(smax, S[i * n + j]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = S[i * n + j];
            D[i * n + j] = i == j ? 0 : smax - (isfinite(s) ? s : 0);
        }
}

void xl_linkage_free(xl_linkage *L)
{
    free(L->a);
    free(L->b);
    free(L->size);
    free(L->h);
    free(L->order);
    memset(L, 0, sizeof *L);
}

static void leaf_order(const xl_linkage *L, size_t node, size_t *order, size_t *k)
{
    if (node < L->n) {
        order[(*k)++] = node;
        return;
    }
    leaf_order(L, L->a[node - L->n], order, k);
    leaf_order(L, L->b[node - L->n], order, k);
}

/* UPGMA, O(n^3): n is a handful of tasks.  Ties go to the lowest pair of cluster ids so
 * the result does not depend on anything but D. */
int xl_linkage_average(const double *D, size_t n, xl_linkage *L, xl_error *err)
{
    memset(L, 0, sizeof *L);
    if (n < 1)
        return xl_error_set(err, XL_EINVAL, "clustering needs at least one item");
    size_t m = 2 * n - 1;
    L->n = n;
    L->a = xl_calloc(n, sizeof *L->a, err);
    L->b = xl_calloc(n, sizeof *L->b, err);
    L->size = xl_calloc(n, sizeof *L->size, err);
    L->h = xl_calloc(n, sizeof *L->h, err);
    L->order = xl_calloc(n, sizeof *L->order, err);
    double *d = xl_calloc(m * m, sizeof *d, err);
    size_t *sz = xl_calloc(m, sizeof *sz, err);
    unsigned char *alive = xl_calloc(m, 1, err);
    if (!L->a || !L->b || !L->size || !L->h || !L->order || !d || !sz || !alive) {
        free(d);
        free(sz);
        free(alive);
        xl_linkage_free(L);
        return XL_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        sz[i] = 1;
        alive[i] = 1;
        for (size_t j = 0; j < n; j++) {
            double x = D[i * n + j];
            d[i * m + j] = isfinite(x) ? x : 0;
        }
    }
    for (size_t k = 0; k + 1 < n; k++) {
        size_t bi = 0, bj = 0;
        double best = INFINITY;
        for (size_t i = 0; i < n + k; i++) {
            if (!alive[i])
                continue;
            for (size_t j = i + 1; j < n + k; j++)
                if (alive[j] && d[i * m + j] < best) {
                    best = d[i * m + j];
                    bi = i;
                    bj = j;
                }
        }
        size_t c = n + k;
        L->a[k] = bi;
        L->b[k] = bj;
        L->h[k] = best;
        L->size[k] = sz[bi] + sz[bj];
        sz[c] = L->size[k];
        alive[bi] = alive[bj] = 0;
        for (size_t o = 0; o < c; o++) {
            if (!alive[o])
                continue;
            /* the average over all leaf pairs, from the two children's averages */
            double v = (sz[bi] * d[bi * m + o] + sz[bj] * d[bj * m + o]) / (double)sz[c];
            d[c * m + o] = d[o * m + c] = v;
        }
        alive[c] = 1;
    }
    size_t kk = 0;
    leaf_order(L, m - 1, L->order, &kk);
    free(d);
    free(sz);
    free(alive);
    return XL_OK;
}

static size_t uf_find(size_t *parent, size_t x)
{
    while (parent[x] != x)
        x = parent[x] = parent[parent[x]];
    return x;
}

int xl_linkage_cut(const xl_linkage *L, size_t k, int *labels, xl_error *err)
{
    size_t n = L->n;
    if (k < 1 || k > n)
        return xl_error_set(err, XL_EINVAL, "field 'k': %zu clusters asked of %zu items", k, n);
    size_t m = 2 * n - 1;
    size_t *parent = xl_calloc(m, sizeof *parent, err);
    size_t *root_label = xl_calloc(m, sizeof *root_label, err);
    if (!parent || !root_label) {
        free(parent);
        free(root_label);
        return XL_ENOMEM;
    }
    for (size_t i = 0; i < m; i++)
        parent[i] = i;
    for (size_t j = 0; j < n - k; j++) {
        parent[uf_find(parent, L->a[j])] = n + j;
        parent[uf_find(parent, L->b[j])] = n + j;
    }
    int next = 0;
    for (size_t i = 0; i < m; i++)
        root_label[i] = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t r = uf_find(parent, i);
        if (root_label[r] == (size_t)-1)
            root_label[r] = (size_t)next++;
        labels[i] = (int)root_label[r];
    }
    free(parent);
    free(root_label);
    return XL_OK;
}

int xl_matrix_compare(const xl_tmatrix *a, const xl_tmatrix *b, xl_matrix_cmp *out,
                      size_t *idx_a, size_t *idx_b, xl_error *err)
{
    memset(out, 0, sizeof *out);
    size_t *ia = xl_calloc(a->n + 1, sizeof *ia, err), *ib = xl_calloc(a->n + 1, sizeof *ib, err);
    if (!ia || !ib) {
        free(ia);
        free(ib);
        return XL_ENOMEM;
    }
    size_t c = 0;
    for (size_t i = 0; i < a->n; i++) {
        long j = xl_tmatrix_find(b, a->labels[i]);
        if (j >= 0) {
            ia[c] = i;
            ib[c++] = (size_t)j;
        }
    }
    out->n_common = c;
    if (c < 2) {
        free(ia);
        free(ib);
        return xl_error_set(err, XL_EINVAL, "%s and %s share %zu task labels; need 2 or more",
                            a->path, b->path, c);
    }
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t p = 0; p < c; p++)
        for (size_t q = 0; q < c; q++) {
            if (p == q)
                continue;
            size_t ka = ia[p] * a->n + ia[q], kb = ib[p] * b->n + ib[q];
            double x = a->mean[ka], y = b->mean[kb];
            if (isnan(x) || isnan(y))
                continue;
            out->n_offdiag++;
            sx += x;
            sy += y;
            sxx += x * x;
            syy += y * y;
            sxy += x * y;
            double ci = welch_ci95(a->sd[ka], a->count[ka], b->sd[kb], b->count[kb]);
            out->cells_differ_ci += isfinite(ci) && fabs(y - x) > ci;
        }
    size_t no = out->n_offdiag;
    out->total_offdiag[0] = sx;
    out->total_offdiag[1] = sy;
    out->mean_offdiag[0] = no ? sx / no : NAN;
    out->mean_offdiag[1] = no ? sy / no : NAN;
    double vx = sxx - sx * sx / no, vy = syy - sy * sy / no;
    out->corr_offdiag = no > 2 && vx > 0 && vy > 0 ? (sxy - sx * sy / no) / sqrt(vx * vy) : NAN;
    const xl_tmatrix *mm[2] = {a, b};
    const size_t *ix[2] = {ia, ib};
    for (size_t p = 0; p < c; p++)
        for (size_t q = p + 1; q < c; q++) {
            int both = 1;
            for (int s = 0; s < 2; s++) {
                size_t n = mm[s]->n, ij = ix[s][p] * n + ix[s][q], ji = ix[s][q] * n + ix[s][p];
                both &= !isnan(mm[s]->mean[ij]) && !isnan(mm[s]->mean[ji]);
            }
            if (!both)
                continue;
            out->asym_pairs++;
            for (int s = 0; s < 2; s++) {
                const xl_tmatrix *M = mm[s];
                size_t n = M->n, ij = ix[s][p] * n + ix[s][q], ji = ix[s][q] * n + ix[s][p];
                double ci = welch_ci95(M->sd[ij], M->count[ij], M->sd[ji], M->count[ji]);
                out->asym_beyond_ci[s] += isfinite(ci) && fabs(M->mean[ij] - M->mean[ji]) > ci;
            }
        }
    if (idx_a)
        memcpy(idx_a, ia, c * sizeof *ia);
    if (idx_b)
        memcpy(idx_b, ib, c * sizeof *ib);
    free(ia);
    free(ib);
    return XL_OK;
}
