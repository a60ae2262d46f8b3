/* From-scratch model: per-N measured curves (monotone, Steffen-interpolated in log D),
 * per-N fits L = Linf + (Dc/D)^aD and the joint Kaplan L(N,D). */
#include "xfer_internal.h"
#include "xferlaw/fit.h"

#include <gsl/gsl_interp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int same_N(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

typedef struct {
    double x, y, w;
} pt;

static int cmp_pt(const void *a, const void *b)
{
    return xl__cmp_double(&((const pt *)a)->x, &((const pt *)b)->x);
}

/* Average repeated D (seeds), then pool adjacent violators so the loss strictly
 * decreases with D: more data never hurts a from-scratch run that is early-stopped,
 * and strictness keeps the inverse unique.  Pooled blocks become one point at their
 * mean log D.  Returns the number of points left in p. */
static size_t monotone_curve(pt *p, size_t n)
{
    qsort(p, n, sizeof *p, cmp_pt);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && fabs(p[m - 1].x - p[i].x) < 1e-12) {
            double w = p[m - 1].w + p[i].w;
            p[m - 1].y = (p[m - 1].y * p[m - 1].w + p[i].y * p[i].w) / w;
            p[m - 1].w = w;
        } else {
            p[m++] = p[i];
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        p[k++] = p[i];
        while (k > 1 && p[k - 1].y >= p[k - 2].y) {
            double w = p[k - 1].w + p[k - 2].w;
            p[k - 2].x = (p[k - 2].x * p[k - 2].w + p[k - 1].x * p[k - 1].w) / w;
            p[k - 2].y = (p[k - 2].y * p[k - 2].w + p[k - 1].y * p[k - 1].w) / w;
            p[k - 2].w = w;
            k--;
        }
    }
    return k;
}

/* ---- per-N fit: log L = log(exp(lLinf) + exp(aD (lDc - x))) --------------------------- */
typedef struct {
    size_t n;
    const double *x, *y;   /* log D, loss */
} pern_ctx;

static int pern_resid(const gsl_vector *v, void *ctx, gsl_vector *f)
{
    const pern_ctx *c = ctx;
    double lL = gsl_vector_get(v, 0), lDc = gsl_vector_get(v, 1), aD = gsl_vector_get(v, 2);
    for (size_t i = 0; i < c->n; i++) {
        double a = lL, b = aD * (lDc - c->x[i]);
        double m = fmax(a, b);
        gsl_vector_set(f, i, log(c->y[i]) - (m + log(exp(a - m) + exp(b - m))));
    }
    return aD > 0 ? 0 : 0;
}

static void fit_per_n(xl_scratch_curve *c, double within)
{
    c->fit_ok = 0;
    c->Linf = c->Dc = c->aD = c->DN_perN = NAN;
    if (c->n < 4)
        return;
    pern_ctx ctx = {c->n, c->logD, c->loss};
    double minL = c->loss[c->n - 1], best = INFINITY, bx[3] = {0, 0, 0};
    static const double fr[] = {0.3, 0.6, 0.8, 0.9, 0.97};
    for (size_t s = 0; s < sizeof fr / sizeof fr[0]; s++) {
        double Linf = fr[s] * minL;
        /* log(L - Linf) = aD lDc - aD x: a line gives the start */
        double X[2 * 64], Y[64], b[2];
        size_t m = c->n < 64 ? c->n : 64;
        for (size_t i = 0; i < m; i++) {
            X[2 * i] = 1;
            X[2 * i + 1] = c->logD[i];
            Y[i] = log(c->loss[i] - Linf);
        }
        if (xl__ols(m, 2, X, Y, b, NULL, NULL) || !(b[1] < 0))
            continue;
        double x[3] = {log(Linf), b[0] / -b[1], -b[1]}, rss;
        if (xl__nls(c->n, 3, pern_resid, &ctx, x, NULL, &rss, 200) == 0 && x[2] > 0 &&
            rss < best) {
            best = rss;
            memcpy(bx, x, sizeof bx);
        }
    }
    if (!isfinite(best))
        return;
    c->fit_ok = 1;
    c->Linf = exp(bx[0]);
    c->Dc = exp(bx[1]);
    c->aD = bx[2];
    /* (Dc/D)^aD = within * Linf */
    c->DN_perN = c->Dc * pow(within * c->Linf, -1.0 / c->aD);
}

/* ---- joint Kaplan: log L = aD * logsumexp((aN/aD)(lNc - log N), lDc - log D) ------------ */
typedef struct {
    size_t n;
    const double *lN, *lD, *y;
} kap_ctx;

static int kap_resid(const gsl_vector *v, void *ctx, gsl_vector *f)
{
    const kap_ctx *c = ctx;
    double lNc = gsl_vector_get(v, 0), lDc = gsl_vector_get(v, 1);
    double aN = gsl_vector_get(v, 2), aD = gsl_vector_get(v, 3);
    for (size_t i = 0; i < c->n; i++) {
        double a = (aN / aD) * (lNc - c->lN[i]), b = lDc - c->lD[i];
        double m = fmax(a, b);
        double pred = aD * (m + log(exp(a - m) + exp(b - m)));
        gsl_vector_set(f, i, aD > 0 ? log(c->y[i]) - pred : NAN);
    }
    return 0;
}

/* The fit engine's "kaplan" law (its start grid, in parallel) for the full-data fit. */
static int engine_kaplan(const double *lN, const double *lD, const double *y, size_t n,
                         xl_kaplan *out)
{
    double *N = malloc(n * sizeof *N), *D = malloc(n * sizeof *D);
    int ok = 0;
    if (N && D) {
        for (size_t i = 0; i < n; i++) {
            N[i] = exp(lN[i]);
            D[i] = exp(lD[i]);
        }
        const char *names[3] = {"N", "D", "loss"};
        const double *cols[3] = {N, D, y};
        xl_fit_options o;
        xl_fit_options_init(&o);
        o.law = "kaplan";
        xl_fit_result *r = NULL;
        xl_error err;
        if (xl_fit_arrays(n, 3, names, cols, &o, &r, &err) == 0 && r->converged) {
            const xl_fit_param *p[4] = {xl_fit_param_get(r, "Nc"), xl_fit_param_get(r, "Dc"),
                                        xl_fit_param_get(r, "aN"), xl_fit_param_get(r, "aD")};
            if (p[0] && p[1] && p[2] && p[3] && p[0]->value > 0 && p[1]->value > 0 &&
                p[2]->value > 0 && p[3]->value > 0) {
                *out = (xl_kaplan){p[0]->value, p[1]->value, p[2]->value, p[3]->value};
                ok = 1;
            }
        }
        xl_fit_result_free(r);
    }
    free(N);
    free(D);
    return ok;
}

static void fit_kaplan(xl_scratch_model *m, const double *lN, const double *lD, const double *y,
                       size_t n, const xl_kaplan *start)
{
    m->kap_ok = 0;
    m->kap_engine = 0;
    if (n < 6)
        return;
    xl_kaplan eng;
    if (!start && engine_kaplan(lN, lD, y, n, &eng)) {
        /* polish from the engine's optimum: same objective, and the covariance here */
        fit_kaplan(m, lN, lD, y, n, &eng);
        if (m->kap_ok) {
            m->kap_engine = 1;
            return;
        }
    }
    kap_ctx ctx = {n, lN, lD, y};
    double best = INFINITY, bx[4] = {0}, bse[4] = {0};
    double minL = INFINITY, maxL = 0, mlN = 0, minlD = INFINITY;
    for (size_t i = 0; i < n; i++) {
        minL = fmin(minL, y[i]);
        maxL = fmax(maxL, y[i]);
        mlN += lN[i] / (double)n;
        minlD = fmin(minlD, lD[i]);
    }
    static const double aDs[] = {0.05, 0.1, 0.2, 0.4, 0.8};
    static const double rs[] = {0.4, 0.8, 1.6};
    size_t n_starts = start ? 1 : sizeof aDs / sizeof aDs[0] * (sizeof rs / sizeof rs[0]);
    for (size_t s = 0; s < n_starts; s++) {
        double x[4], se[4], rss;
        if (start) {
            x[0] = log(start->Nc);
            x[1] = log(start->Dc);
            x[2] = start->aN;
            x[3] = start->aD;
        } else {
            double aD = aDs[s / 3], aN = rs[s % 3] * aD;
            double Linf = 0.9 * minL;
            x[0] = mlN + log(Linf) / aN;
            double A = pow(Linf, 1.0 / aD), top = pow(maxL, 1.0 / aD);
            x[1] = minlD + (top > A ? log(top - A) : 0.0);
            x[2] = aN;
            x[3] = aD;
        }
        if (xl__nls(n, 4, kap_resid, &ctx, x, se, &rss, 300) == 0 && x[3] > 0 && x[2] > 0 &&
            rss < best) {
            best = rss;
            memcpy(bx, x, sizeof bx);
            memcpy(bse, se, sizeof bse);
        }
    }
    if (!isfinite(best))
        return;
    m->kap_ok = 1;
    m->kap = (xl_kaplan){exp(bx[0]), exp(bx[1]), bx[2], bx[3]};
    double val[4] = {m->kap.Nc, m->kap.Dc, m->kap.aN, m->kap.aD};
    for (int i = 0; i < 4; i++) {
        /* Nc, Dc were fitted in logs: delta method for se, exact transform for the CI */
        double se = i < 2 ? val[i] * bse[i] : bse[i];
        double lo = i < 2 ? exp(bx[i] - 1.96 * bse[i]) : val[i] - 1.96 * se;
        double hi = i < 2 ? exp(bx[i] + 1.96 * bse[i]) : val[i] + 1.96 * se;
        m->kap_p[i] = (xl_param){val[i], se, lo, hi};
    }
    m->kap_rms = sqrt(best / (double)n);
}

void xl_scratch_model_free(xl_scratch_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_sizes; i++) {
        free(m->c[i].logD);
        free(m->c[i].loss);
        if (m->c[i].interp)
            gsl_interp_free(m->c[i].interp);
        if (m->c[i].acc)
            gsl_interp_accel_free(m->c[i].acc);
    }
    free(m->c);
    free(m);
}

int xl__scratch_build_idx(const xl_xfer_runs *runs, const size_t *idx, size_t n_idx,
                          const xl_kaplan *start, const xl_xfer_opts *o,
                          xl_scratch_model **out, xl_error *err)
{
    *out = NULL;
    xl_scratch_model *m = xl_calloc(1, sizeof *m, err);
    pt *p = xl_calloc(n_idx + 1, sizeof *p, err);
    double *lN = xl_calloc(n_idx + 1, sizeof *lN, err), *lD = xl_calloc(n_idx + 1, sizeof *lD, err);
    double *y = xl_calloc(n_idx + 1, sizeof *y, err);
    double *sizes = xl_calloc(n_idx + 1, sizeof *sizes, err);
    int rc = XL_OK;
    if (!m || !p || !lN || !lD || !y || !sizes) {
        rc = XL_ENOMEM;
        goto fail;
    }
    size_t ns = 0;
    for (size_t k = 0; k < n_idx; k++) {
        double N = runs->N[idx[k]];
        int seen = 0;
        for (size_t j = 0; j < ns && !seen; j++)
            seen = same_N(sizes[j], N);
        if (!seen)
            sizes[ns++] = N;
    }
    if (ns == 0) {
        rc = xl_error_set(err, XL_EINVAL,
                          "%s: no from-scratch runs (rows with curriculum 'scratch')",
                          runs->path[0] ? runs->path : "runs");
        goto fail;
    }
    qsort(sizes, ns, sizeof *sizes, xl__cmp_double);
    if (!(m->c = xl_calloc(ns, sizeof *m->c, err))) {
        rc = XL_ENOMEM;
        goto fail;
    }
    m->n_sizes = ns;
    for (size_t s = 0; s < ns; s++) {
        xl_scratch_curve *c = &m->c[s];
        c->N = sizes[s];
        size_t np = 0;
        for (size_t k = 0; k < n_idx; k++)
            if (same_N(runs->N[idx[k]], c->N))
                p[np++] = (pt){log(runs->D[idx[k]]), runs->loss[idx[k]], 1.0};
        c->n_raw = np;
        c->n = monotone_curve(p, np);
        c->logD = xl_calloc(c->n, sizeof *c->logD, err);
        c->loss = xl_calloc(c->n, sizeof *c->loss, err);
        if (!c->logD || !c->loss) {
            rc = XL_ENOMEM;
            goto fail;
        }
        for (size_t i = 0; i < c->n; i++) {
            c->logD[i] = p[i].x;
            c->loss[i] = p[i].y;
        }
        if (c->n >= 2) {
            /* Steffen keeps monotone data monotone, so the inverse is unique; it needs 3
             * points, two get a straight line */
            const gsl_interp_type *T = c->n >= 3 ? gsl_interp_steffen : gsl_interp_linear;
            c->interp = gsl_interp_alloc(T, c->n);
            c->acc = gsl_interp_accel_alloc();
            if (!c->interp || !c->acc) {
                rc = xl_error_set(err, XL_ENOMEM, "out of memory");
                goto fail;
            }
            gsl_interp_init(c->interp, c->logD, c->loss, c->n);
        }
        fit_per_n(c, o->within);
    }
    for (size_t k = 0; k < n_idx; k++) {
        lN[k] = log(runs->N[idx[k]]);
        lD[k] = log(runs->D[idx[k]]);
        y[k] = runs->loss[idx[k]];
    }
    m->n_points = n_idx;
    fit_kaplan(m, lN, lD, y, n_idx, start);
    free(p);
    free(lN);
    free(lD);
    free(y);
    free(sizes);
    *out = m;
    return XL_OK;
fail:
    free(p);
    free(lN);
    free(lD);
    free(y);
    free(sizes);
    xl_scratch_model_free(m);
    return rc ? rc : XL_ENOMEM;
}

int xl__scratch_build_screened(const xl_xfer_runs *runs, const unsigned *screen,
                               const xl_xfer_opts *o, xl_scratch_model **out, xl_error *err)
{
    size_t *idx = xl_calloc(runs->n + 1, sizeof *idx, err), n = 0;
    if (!idx)
        return XL_ENOMEM;
    unsigned excluded = xl__screen_excluded(o);
    size_t n_cap = 0, n_pre = 0;
    for (size_t i = 0; i < runs->n; i++) {
        if (!xl__is_scratch(runs->curriculum[i]))
            continue;
        if (!(screen[i] & excluded))
            idx[n++] = i;
        n_cap += (screen[i] & excluded & XL_XF_CAP) != 0;
        n_pre += (screen[i] & excluded & XL_XF_PRE_TRANSITION) != 0;
    }
    int rc = XL_OK;
    if (n == 0 && n_cap + n_pre > 0)   /* say why, not "there are none" */
        rc = xl_error_set(err, XL_EINVAL,
                          "%s: every from-scratch run was screened out (%zu below the unigram"
                          " transition, %zu ended at the step cap; docs/protocol.md):"
                          " --include-pre-transition / --include-cap keep them",
                          runs->path[0] ? runs->path : "runs", n_pre, n_cap);
    else
        rc = xl__scratch_build_idx(runs, idx, n, NULL, o, out, err);
    free(idx);
    return rc;
}

int xl_scratch_model_build(const xl_xfer_runs *runs, const xl_xfer_opts *o,
                           xl_scratch_model **out, xl_error *err)
{
    unsigned *screen = xl_calloc(runs->n + 1, sizeof *screen, err);
    if (!screen)
        return XL_ENOMEM;
    xl_xfer_runs_screen(runs, o, screen);
    int rc = xl__scratch_build_screened(runs, screen, o, out, err);
    free(screen);
    return rc;
}

const xl_scratch_curve *xl_scratch_curve_for(const xl_scratch_model *m, double N)
{
    for (size_t i = 0; i < m->n_sizes; i++)
        if (same_N(m->c[i].N, N))
            return &m->c[i];
    return NULL;
}

double xl_scratch_curve_eval(const xl_scratch_curve *c, double D)
{
    if (!c->interp || !(D > 0))
        return NAN;
    double x = log(D);
    if (x < c->logD[0] || x > c->logD[c->n - 1])
        return NAN;
    return gsl_interp_eval(c->interp, c->logD, c->loss, x, NULL);
}

int xl_scratch_curve_invert(const xl_scratch_curve *c, double loss, double *D, unsigned *flag)
{
    *flag = 0;
    *D = NAN;
    if (!c || !c->interp) {
        *flag = XL_XF_NO_CURVE;
        return XL_ERANGE;
    }
    size_t n = c->n;
    if (loss > c->loss[0] || loss < c->loss[n - 1]) {
        /* straight-line extrapolation in (log D, loss) from the end segment; flagged, and
         * used only when the caller asks for extrapolated values */
        *flag = loss > c->loss[0] ? XL_XF_ABOVE_RANGE : XL_XF_BELOW_RANGE;
        size_t a = loss > c->loss[0] ? 0 : n - 2;
        double slope = (c->loss[a + 1] - c->loss[a]) / (c->logD[a + 1] - c->logD[a]);
        if (slope < 0)
            *D = exp(c->logD[a] + (loss - c->loss[a]) / slope);
        return XL_ERANGE;
    }
    double lo = c->logD[0], hi = c->logD[n - 1];
    for (int it = 0; it < 100 && hi - lo > 1e-12; it++) {
        double mid = 0.5 * (lo + hi);
        if (gsl_interp_eval(c->interp, c->logD, c->loss, mid, NULL) > loss)
            lo = mid;
        else
            hi = mid;
    }
    *D = exp(0.5 * (lo + hi));
    return XL_OK;
}

double xl_scratch_dn(const xl_scratch_model *m, double N, double within)
{
    return m->kap_ok ? xl_kaplan_dn(&m->kap, N, within) : NAN;
}
