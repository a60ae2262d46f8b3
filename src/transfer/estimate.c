/* D_E by two estimators, and the transfer fits of one curriculum: log-linear D_T law,
 * Hernandez's "fit the fits", and the loss-space fit. */
#include "xfer_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *xl_estimator_name(int est)
{
    return est == XL_EST_INTERP ? "interp" : est == XL_EST_FIT ? "fit" : "?";
}

void xl_xfer_flags_str(unsigned flags, char *buf, size_t n)
{
    static const char *names[] = {"above_range", "below_range", "unbounded", "no_curve",
                                  "nonpositive", "high_data", "disagree", "flat", "cap",
                                  "pre_transition"};
    size_t used = 0;
    if (n)
        buf[0] = 0;
    for (unsigned b = 0; b < sizeof names / sizeof names[0]; b++)
        if (flags & (1u << b)) {
            int w = snprintf(buf + used, n > used ? n - used : 0, "%s%s", used ? "," : "",
                             names[b]);
            if (w > 0)
                used += (size_t)w;
        }
}

void xl__estimate_runs(const xl_xfer_runs *runs, const size_t *idx, size_t n_idx,
                       const xl_scratch_model *m, const xl_xfer_opts *o,
                       const unsigned *screen, xl_xfer_est *est)
{
    unsigned excluded = xl__screen_excluded(o);
    for (size_t k = 0; k < n_idx; k++) {
        size_t i = idx[k];
        xl_xfer_est *e = &est[k];
        memset(e, 0, sizeof *e);
        e->run = i;
        e->curriculum = runs->curriculum[i];
        e->N = runs->N[i];
        e->DF = runs->D[i];
        e->loss = runs->loss[i];
        e->DN = xl_scratch_dn(m, e->N, o->within);
        if (isfinite(e->DN) && e->DF > o->low_data_frac * e->DN)
            e->common |= XL_XF_HIGH_DATA;
        if (screen)
            e->common |= screen[i] & (XL_XF_CAP | XL_XF_PRE_TRANSITION);
        /* (a) model-free: the measured curve of this N */
        const xl_scratch_curve *c = xl_scratch_curve_for(m, e->N);
        unsigned f = 0;
        double DE = NAN;
        xl_scratch_curve_invert(c, e->loss, &DE, &f);
        e->flags[XL_EST_INTERP] = f;
        e->DE[XL_EST_INTERP] = DE;
        /* (b) the fitted L(N,D), closed-form inverse */
        f = 0;
        DE = NAN;
        if (m->kap_ok) {
            DE = xl_kaplan_invert(&m->kap, e->N, e->loss);
            if (isinf(DE))
                f |= XL_XF_UNBOUNDED;
            else if (c && c->n && log(DE) > c->logD[c->n - 1])
                f |= XL_XF_BELOW_RANGE;
            else if (c && c->n && log(DE) < c->logD[0])
                f |= XL_XF_ABOVE_RANGE;
        } else {
            f |= XL_XF_NO_CURVE;
        }
        e->flags[XL_EST_FIT] = f;
        e->DE[XL_EST_FIT] = DE;
        for (int s = 0; s < XL_N_EST; s++) {
            e->DT[s] = isfinite(e->DE[s]) ? e->DE[s] - e->DF : NAN;
            if (isfinite(e->DT[s]) && e->DT[s] <= 0)
                e->flags[s] |= XL_XF_NONPOSITIVE;
            if (isfinite(e->DE[s]) && isfinite(e->DN) && e->DE[s] > e->DN && !o->include_flat)
                e->flags[s] |= XL_XF_FLAT;
            unsigned bad = e->flags[s] & ~(unsigned)(XL_XF_ABOVE_RANGE | XL_XF_BELOW_RANGE);
            int extrap = (e->flags[s] & (XL_XF_ABOVE_RANGE | XL_XF_BELOW_RANGE)) != 0;
            e->used[s] = !bad && isfinite(e->DT[s]) && (!extrap || o->include_extrapolated) &&
                         (!(e->common & XL_XF_HIGH_DATA) || o->include_high_data) &&
                         !(e->common & excluded);
        }
        if (isfinite(e->DT[0]) && isfinite(e->DT[1]) && e->DT[0] > 0 && e->DT[1] > 0) {
            double r = e->DT[0] / e->DT[1];
            if (r > o->disagree || 1.0 / r > o->disagree)
                e->common |= XL_XF_DISAGREE;
        }
    }
}

static xl_param param_from(double v, double se)
{
    return (xl_param){v, se, v - 1.96 * se, v + 1.96 * se};
}

/* log D_T = lk + alpha log D_F + beta log N over the used estimates of estimator s. */
static void fit_law(const xl_xfer_est *est, size_t n_est, const char *name, int s,
                    xl_law_fit *lf)
{
    free(lf->resid);
    memset(lf, 0, sizeof *lf);
    double *X = malloc(3 * (n_est + 1) * sizeof *X), *y = malloc((n_est + 1) * sizeof *y);
    lf->resid = malloc((n_est + 1) * sizeof *lf->resid);
    size_t n = 0;
    if (!X || !y || !lf->resid)
        goto done;
    for (size_t i = 0; i < n_est; i++) {
        lf->resid[i] = NAN;
        if (strcmp(est[i].curriculum, name) || !est[i].used[s])
            continue;
        X[3 * n] = 1;
        X[3 * n + 1] = log(est[i].DF);
        X[3 * n + 2] = log(est[i].N);
        y[n++] = log(est[i].DT[s]);
    }
    lf->n = n;
    double b[3], se[3], rss;
    if (xl__ols(n, 3, X, y, b, se, &rss))
        goto done;
    lf->ok = 1;
    lf->lk = param_from(b[0], se[0]);
    lf->alpha = param_from(b[1], se[1]);
    lf->beta = param_from(b[2], se[2]);
    lf->k = (xl_param){exp(b[0]), exp(b[0]) * se[0], exp(lf->lk.lo), exp(lf->lk.hi)};
    lf->rms = sqrt(rss / (double)n);
    for (size_t i = 0; i < n_est; i++)
        if (!strcmp(est[i].curriculum, name) && est[i].used[s])
            lf->resid[i] = log(est[i].DT[s]) -
                           (b[0] + b[1] * log(est[i].DF) + b[2] * log(est[i].N));
done:
    free(X);
    free(y);
}

static int same_rel(double a, double b)
{
    return fabs(a - b) <= 1e-6 * fmax(fabs(a), fabs(b));
}

/* Stage 1: logit(D_T/D_E) = log(D_T/D_F) = c_j + beta log N, one intercept per D_F group.
 * Stage 2: c_j = lk + (alpha - 1) log D_F_j. */
static void fit_fits(const xl_xfer_est *est, size_t n_est, const char *name, int s,
                     xl_fitfits *ff)
{
    free(ff->DF);
    free(ff->c);
    memset(ff, 0, sizeof *ff);
    size_t ng = 0, n = 0;
    double *DF = malloc((n_est + 1) * sizeof *DF);
    size_t *grp = malloc((n_est + 1) * sizeof *grp), *cnt = calloc(n_est + 1, sizeof *cnt);
    double *X = NULL, *y = NULL, *b = NULL, *se = NULL;
    if (!DF || !grp || !cnt)
        goto done;
    for (size_t i = 0; i < n_est; i++) {
        grp[i] = (size_t)-1;
        if (strcmp(est[i].curriculum, name) || !est[i].used[s])
            continue;
        size_t g = 0;
        while (g < ng && !same_rel(DF[g], est[i].DF))
            g++;
        if (g == ng)
            DF[ng++] = est[i].DF;
        grp[i] = g;
        cnt[g]++;
    }
    /* groups with one point carry no slope information: drop them */
    size_t *map = malloc((ng + 1) * sizeof *map), nk = 0;
    if (!map)
        goto done;
    for (size_t g = 0; g < ng; g++)
        map[g] = cnt[g] >= 2 ? nk++ : (size_t)-1;
    for (size_t i = 0; i < n_est; i++)
        if (grp[i] != (size_t)-1 && map[grp[i]] != (size_t)-1)
            n++;
    size_t p = nk + 1;
    X = calloc((n + 1) * p, sizeof *X);
    y = malloc((n + 1) * sizeof *y);
    b = malloc(p * sizeof *b);
    se = malloc(p * sizeof *se);
    if (!X || !y || !b || !se || nk < 2) {
        free(map);
        goto done;
    }
    size_t r = 0;
    for (size_t i = 0; i < n_est; i++) {
        if (grp[i] == (size_t)-1 || map[grp[i]] == (size_t)-1)
            continue;
        X[r * p + map[grp[i]]] = 1;
        X[r * p + nk] = log(est[i].N);
        y[r++] = log(est[i].DT[s] / est[i].DF);
    }
    double rss;
    if (xl__ols(n, p, X, y, b, se, &rss)) {
        free(map);
        goto done;
    }
    ff->ok = 1;
    ff->n = n;
    ff->n_groups = nk;
    ff->beta = param_from(b[nk], se[nk]);
    ff->DF = malloc(nk * sizeof *ff->DF);
    ff->c = malloc(nk * sizeof *ff->c);
    double X2[2 * 64], y2[64], b2[2], se2[2] = {NAN, NAN};
    size_t m2 = 0;
    for (size_t g = 0; g < ng; g++)
        if (map[g] != (size_t)-1) {
            if (ff->DF)
                ff->DF[map[g]] = DF[g];
            if (ff->c)
                ff->c[map[g]] = b[map[g]];
            if (m2 < 64) {
                X2[2 * m2] = 1;
                X2[2 * m2 + 1] = log(DF[g]);
                y2[m2++] = b[map[g]];
            }
        }
    free(map);
    if (m2 == 2) {
        b2[1] = (y2[1] - y2[0]) / (X2[3] - X2[1]);
        b2[0] = y2[0] - b2[1] * X2[1];
    } else if (xl__ols(m2, 2, X2, y2, b2, se2, NULL)) {
        b2[0] = b2[1] = NAN;
    }
    ff->alpha = param_from(b2[1] + 1.0, se2[1]);
    ff->k = (xl_param){exp(b2[0]), exp(b2[0]) * se2[0], exp(b2[0] - 1.96 * se2[0]),
                       exp(b2[0] + 1.96 * se2[0])};
done:
    free(DF);
    free(grp);
    free(cnt);
    free(X);
    free(y);
    free(b);
    free(se);
}

/* ---- loss space: log L_ft = log L_kap(N, D_F + exp(lk) D_F^alpha N^beta) --------------- */
typedef struct {
    size_t n;
    const double *N, *DF, *L;
    const xl_kaplan *kap;
} lossfit_ctx;

static int lossfit_resid(const gsl_vector *v, void *ctx, gsl_vector *f)
{
    const lossfit_ctx *c = ctx;
    double lk = gsl_vector_get(v, 0), a = gsl_vector_get(v, 1), b = gsl_vector_get(v, 2);
    for (size_t i = 0; i < c->n; i++) {
        double DT = exp(lk + a * log(c->DF[i]) + b * log(c->N[i]));
        gsl_vector_set(f, i, log(c->L[i]) - log(xl_kaplan_loss(c->kap, c->N[i], c->DF[i] + DT)));
    }
    return 0;
}

double xl_law_dt(const xl_law_fit *f, double N, double DF)
{
    return exp(f->lk.value + f->alpha.value * log(DF) + f->beta.value * log(N));
}

double xl_law_loss(const xl_law_fit *f, const xl_kaplan *kap, double N, double DF)
{
    return xl_kaplan_loss(kap, N, DF + xl_law_dt(f, N, DF));
}

static void fit_loss(const xl_xfer_est *est, size_t n_est, const char *name,
                     const xl_scratch_model *m, const xl_curriculum_result *cr,
                     const xl_curriculum_result *start, xl_law_fit *lf)
{
    free(lf->resid);
    memset(lf, 0, sizeof *lf);
    if (!m->kap_ok)
        return;
    double *N = malloc((n_est + 1) * sizeof *N), *DF = malloc((n_est + 1) * sizeof *DF);
    double *L = malloc((n_est + 1) * sizeof *L);
    lf->resid = malloc((n_est + 1) * sizeof *lf->resid);
    size_t n = 0;
    if (!N || !DF || !L || !lf->resid)
        goto done;
    /* no inversion here, so runs whose D_E is out of range still count; only the
     * low-data restriction applies */
    for (size_t i = 0; i < n_est; i++) {
        lf->resid[i] = NAN;
        if (strcmp(est[i].curriculum, name) || (est[i].common & XL_XF_HIGH_DATA) ||
            !(est[i].loss > 0))
            continue;
        N[n] = est[i].N;
        DF[n] = est[i].DF;
        L[n++] = est[i].loss;
    }
    lf->n = n;
    /* three parameters need more than three runs, and both D_F and N must vary */
    size_t vary_N = 0, vary_DF = 0;
    for (size_t i = 1; i < n; i++) {
        vary_N |= fabs(N[i] - N[0]) > 1e-9 * N[0];
        vary_DF |= fabs(DF[i] - DF[0]) > 1e-9 * DF[0];
    }
    if (n < 6 || !vary_N || !vary_DF)
        goto done;
    lossfit_ctx ctx = {n, N, DF, L, &m->kap};
    double starts[4][3];
    size_t ns = 0;
    if (start && start->loss_fit.ok)
        starts[ns][0] = start->loss_fit.lk.value, starts[ns][1] = start->loss_fit.alpha.value,
        starts[ns++][2] = start->loss_fit.beta.value;
    for (int s = 0; s < XL_N_EST && !start; s++)
        if (cr->law[s].ok)
            starts[ns][0] = cr->law[s].lk.value, starts[ns][1] = cr->law[s].alpha.value,
            starts[ns++][2] = cr->law[s].beta.value;
    if (!start)
        starts[ns][0] = log(1e3), starts[ns][1] = 0.3, starts[ns++][2] = 0.3;
    double best = INFINITY, bx[3] = {0}, bse[3] = {0};
    for (size_t s = 0; s < ns; s++) {
        double x[3] = {starts[s][0], starts[s][1], starts[s][2]}, se[3], rss;
        if (xl__nls(n, 3, lossfit_resid, &ctx, x, start ? NULL : se, &rss, 200) == 0 &&
            rss < best) {
            best = rss;
            memcpy(bx, x, sizeof bx);
            if (!start)
                memcpy(bse, se, sizeof bse);
        }
    }
    if (!isfinite(best))
        goto done;
    lf->ok = 1;
    lf->lk = param_from(bx[0], bse[0]);
    lf->alpha = param_from(bx[1], bse[1]);
    lf->beta = param_from(bx[2], bse[2]);
    lf->k = (xl_param){exp(bx[0]), exp(bx[0]) * bse[0], exp(lf->lk.lo), exp(lf->lk.hi)};
    lf->rms = sqrt(best / (double)n);
    for (size_t i = 0; i < n_est; i++)
        if (!strcmp(est[i].curriculum, name) && !(est[i].common & XL_XF_HIGH_DATA) &&
            est[i].loss > 0)
            lf->resid[i] = log(est[i].loss) - log(xl_law_loss(lf, &m->kap, est[i].N, est[i].DF));
done:
    free(N);
    free(DF);
    free(L);
}

void xl__fit_curriculum(const xl_xfer_est *est, size_t n_est, const char *name,
                        const xl_scratch_model *m, const xl_curriculum_result *start,
                        xl_curriculum_result *cr)
{
    cr->n_runs = 0;
    for (size_t i = 0; i < n_est; i++)
        if (!strcmp(est[i].curriculum, name))
            cr->n_runs++;
    for (int s = 0; s < XL_N_EST; s++) {
        fit_law(est, n_est, name, s, &cr->law[s]);
        cr->n_used[s] = cr->law[s].n;
    }
    int s_ff = cr->n_used[XL_EST_INTERP] >= 4 ? XL_EST_INTERP : XL_EST_FIT;
    fit_fits(est, n_est, name, s_ff, &cr->ff);
    cr->ff.est = s_ff;
    fit_loss(est, n_est, name, m, cr, start, &cr->loss_fit);
}

void xl__curriculum_free(xl_curriculum_result *cr)
{
    for (int s = 0; s < XL_N_EST; s++)
        free(cr->law[s].resid);
    free(cr->loss_fit.resid);
    free(cr->ff.DF);
    free(cr->ff.c);
    free(cr->name);
    memset(cr, 0, sizeof *cr);
}
