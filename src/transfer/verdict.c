/* The verdict: was a transfer law measured, per curriculum, judged from the numbers
 * themselves (interval widths, flagged runs, coverage of sizes and data), and the flags
 * that mark a printed number as degenerate rather than a measurement. */
#include "xfer_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void xl_param_flags_str(unsigned flags, char *buf, size_t n)
{
    static const char *names[] = {"nonfinite", "wide", "at_bound", "near_zero", "beyond_range"};
    size_t used = 0;
    if (n)
        buf[0] = 0;
    for (unsigned b = 0; b < 5; b++)
        if (flags & (1u << b)) {
            int w = snprintf(buf + used, n > used ? n - used : 0, "%s%s", used ? "," : "", names[b]);
            if (w > 0)
                used += (size_t)w;
        }
}

unsigned xl_param_flags_scale(const xl_param *p, double decades)
{
    if (!isfinite(p->value) || !isfinite(p->lo) || !isfinite(p->hi))
        return XL_PF_NONFINITE;
    if (!(p->lo > 0))
        return XL_PF_WIDE | XL_PF_AT_BOUND;
    return log10(p->hi / p->lo) > decades ? XL_PF_WIDE : 0;
}

unsigned xl_param_flags_exponent(const xl_param *p, double width)
{
    if (!isfinite(p->value) || !isfinite(p->lo) || !isfinite(p->hi))
        return XL_PF_NONFINITE;
    return p->hi - p->lo > width ? XL_PF_WIDE : 0;
}

const xl_reference_law *xl_reference_for(const char *c)
{
    static const xl_reference_law text = {"text \u2192 python", 1.9e4, 0.18, 0.38};
    static const xl_reference_law mix = {"text+code \u2192 python", 2.1e5, 0.096, 0.38};
    if (!c)
        return NULL;
    if (strstr(c, "code") || strstr(c, "mix"))
        return &mix;
    if (!strncmp(c, "text", 4))
        return &text;
    return NULL;
}

/* An asymptote below 1% of the curve's smallest loss: the fit found no bend and sent
 * L_inf to its bound 0, so D(N) from it is meaningless. */
unsigned xl_scratch_linf_flags(const xl_scratch_curve *c)
{
    if (!c->fit_ok || !c->n)
        return 0;
    if (!isfinite(c->Linf))
        return XL_PF_NONFINITE;
    return c->Linf < 0.01 * c->loss[c->n - 1] ? XL_PF_NEAR_ZERO : 0;
}

unsigned xl_scratch_dn_flags(const xl_scratch_curve *c, double DN)
{
    if (isnan(DN))
        return 0;
    if (!isfinite(DN))
        return XL_PF_NONFINITE;
    if (c->n && log10(DN) > c->logD[c->n - 1] / log(10.0) + 2)
        return XL_PF_BEYOND;
    return 0;
}

static int same(double a, double b)
{
    return fabs(a - b) <= 1e-6 * fmax(fabs(a), fabs(b));
}

static size_t count_distinct(const double *v, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && !same(v[j], v[i]))
            j++;
        d += j == i;
    }
    return d;
}

static int sign_of(const xl_param *p)
{
    return p->lo > 0 ? 1 : p->hi < 0 ? -1 : 0;
}

int xl__verdict_text(const xl_transfer_result *r, xl_verdict *v, xl_error *err);

/* vc->runs_factor, (width / limit)^2 of the flagged interval furthest beyond its limit, and
 * which interval that is (ties to k, then alpha) */
static void runs_factor(const xl_verdict *v, xl_verdict_cur *vc)
{
    if (((vc->k_flags | vc->alpha_flags | vc->beta_flags) & XL_PF_NONFINITE) ||
        (vc->k_flags && !(vc->k.lo > 0))) {
        vc->runs_factor = NAN;
        return;
    }
    double ratio[3] = {vc->k_flags ? log10(vc->k.hi / vc->k.lo) / v->decades : 0,
                       vc->alpha_flags ? (vc->alpha.hi - vc->alpha.lo) / v->width : 0,
                       vc->beta_flags ? (vc->beta.hi - vc->beta.lo) / v->width : 0};
    int w = 0;
    for (int i = 1; i < 3; i++)
        if (ratio[i] > ratio[w])
            w = i;
    vc->runs_factor = ratio[w] * ratio[w];
    vc->runs_factor_param = w;
}

int xl_verdict_compute(const xl_transfer_result *r, xl_verdict *v, xl_error *err)
{
    const xl_xfer_opts *o = &r->opts;
    memset(v, 0, sizeof *v);
    v->est = r->compare_est;
    v->decades = o->verdict_decades > 0 ? o->verdict_decades : 2;
    v->width = o->verdict_width > 0 ? o->verdict_width : 0.25;
    v->min_clean = o->verdict_min_clean ? o->verdict_min_clean : 8;
    v->n_cur = r->n_curricula;
    v->cur = xl_calloc(r->n_curricula + 1, sizeof *v->cur, err);
    double *Ns = xl_calloc(r->n_est + 1, sizeof *Ns, err), *DFs = xl_calloc(r->n_est + 1, sizeof *DFs, err);
    if (!v->cur || !Ns || !DFs) {
        free(Ns);
        free(DFs);
        return XL_ENOMEM;
    }
    const xl_scratch_model *m = r->scratch;
    v->n_sizes = m->n_sizes;
    v->scratch_Dmin = INFINITY;
    v->scratch_Dmax = 0;
    for (size_t s = 0; s < m->n_sizes; s++) {
        const xl_scratch_curve *c = &m->c[s];
        v->n_linf_zero += (xl_scratch_linf_flags(c) & XL_PF_NEAR_ZERO) != 0;
        v->n_dn_beyond += (xl_scratch_dn_flags(c, c->DN_perN) & XL_PF_BEYOND) != 0;
        if (c->n) {
            v->scratch_Dmin = fmin(v->scratch_Dmin, exp(c->logD[0]));
            v->scratch_Dmax = fmax(v->scratch_Dmax, exp(c->logD[c->n - 1]));
        }
    }
    int s = v->est;
    for (size_t ci = 0; ci < r->n_curricula; ci++) {
        const xl_curriculum_result *cr = &r->cur[ci];
        xl_verdict_cur *vc = &v->cur[ci];
        const xl_law_fit *lf = &cr->law[s];
        vc->name = cr->name;
        vc->ref = xl_reference_for(cr->name);
        vc->n_runs = cr->n_runs;
        vc->fit_ok = lf->ok;
        vc->k = lf->k;
        vc->alpha = lf->alpha;
        vc->beta = lf->beta;
        size_t nu = 0;
        for (size_t i = 0; i < r->n_est; i++) {
            const xl_xfer_est *e = &r->est[i];
            if (strcmp(e->curriculum, cr->name))
                continue;
            unsigned f = e->flags[s] | e->common;
            for (unsigned b = 0; b < XL_XF_NFLAGS; b++)
                vc->flag_count[b] += (f >> b) & 1u;
            if (e->used[s]) {
                vc->n_used++;
                vc->n_clean += f == 0;
                Ns[nu] = e->N;
                DFs[nu++] = e->DF;
            }
            /* ossification: worse than the same model trained from scratch on D_F alone */
            const xl_scratch_curve *c = xl_scratch_curve_for(m, e->N);
            double Ls = c && c->interp ? xl_scratch_curve_eval(c, e->DF) : NAN;
            if (isfinite(Ls) && e->loss > 1.01 * Ls) {
                double ex = e->loss / Ls - 1;
                if (!vc->n_ossified || ex > vc->oss_excess)
                    vc->oss_excess = ex, vc->oss_N = e->N, vc->oss_DF = e->DF;
                vc->n_ossified++;
            }
        }
        vc->n_sizes = count_distinct(Ns, nu);
        vc->n_DF = count_distinct(DFs, nu);
        if (lf->ok) {
            vc->k_flags = xl_param_flags_scale(&lf->k, v->decades);
            vc->alpha_flags = xl_param_flags_exponent(&lf->alpha, v->width);
            vc->beta_flags = xl_param_flags_exponent(&lf->beta, v->width);
            vc->alpha_sign = sign_of(&lf->alpha);
            vc->beta_sign = sign_of(&lf->beta);
            runs_factor(v, vc);
        }
        vc->runs_enough = vc->n_clean >= v->min_clean && 2 * vc->n_clean >= vc->n_used &&
                          vc->n_sizes >= 3 && vc->n_DF >= 3;
        vc->measured = lf->ok && !vc->k_flags && !vc->alpha_flags && !vc->beta_flags &&
                       vc->runs_enough;
        v->n_measured += vc->measured;
    }
    free(Ns);
    free(DFs);
    /* the curricula test in the space the verdict judges (log D_T) */
    if (r->compare_ok) {
        v->tested = 1;
        for (int t = 0; t < 3; t++) {
            if (!strcmp(r->tests[t].what, "alpha"))
                v->p_alpha = r->tests[t].p;
            else if (!strcmp(r->tests[t].what, "beta"))
                v->p_beta = r->tests[t].p;
            else
                v->p_both = r->tests[t].p;
        }
    }
    return xl__verdict_text(r, v, err);
}

void xl_verdict_free(xl_verdict *v)
{
    free(v->cur);
    free(v->text);
    v->cur = NULL;
    v->text = NULL;
}
