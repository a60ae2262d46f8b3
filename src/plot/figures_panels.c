/* Figures b, c, e (one panel per curriculum, series coloured along a sequential palette
 * by D_F or N), f (curricula side by side with axes that blown intervals cannot stretch:
 * they are clipped and marked) and the captions of all seven figures. */
#include "plot_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Per curriculum: whether the verdict measured its law, and its fit in words. */
static void cur_fit_words(const xl_transfer_result *r, FILE *g)
{
    size_t n = r->n_curricula ? r->n_curricula : 1;
    fprintf(g, "array measured[%zu]\narray pfit[%zu]\n", n, n);
    for (size_t c = 0; c < r->n_curricula; c++) {
        const xl_law_fit *lf = &r->cur[c].law[r->compare_est];
        int meas = c < r->verdict.n_cur && r->verdict.cur[c].measured;
        fprintf(g, "measured[%zu] = %d\n", c + 1, meas);
        if (lf->ok) {
            char k[96], a[96], b[96];
            xl_fmt_num(lf->k.value, 2, XL_FMT_GNUPLOT, k, sizeof k);
            xl_fmt_num(lf->alpha.value, 2, XL_FMT_GNUPLOT, a, sizeof a);
            xl_fmt_num(lf->beta.value, 2, XL_FMT_GNUPLOT, b, sizeof b);
            fprintf(g, "pfit[%zu] = 'k = %s, α = %s, β = %s%s'\n", c + 1, k, a, b,
                    meas ? "" : " (not measured)");
        } else {
            fprintf(g, "pfit[%zu] = 'law not fitted'\n", c + 1);
        }
    }
}

/* ---- (b) fraction D_T/D_E vs N per D_F; (c) D_T vs D_F per N ---------------------------- */
static int fig_bc(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, int is_b,
                  xl_error *err)
{
    int s = r->compare_est;
    fig f;
    int rc = xl__fig_open(&f, dir, is_b ? "fig_b" : "fig_c", err);
    if (rc)
        return rc;
    FILE *d = f.dat.fp, *g = f.gp.fp;
    double ser[64];
    /* one series list for all panels, so a colour means the same D_F (or N) in each */
    size_t ns = xl__distinct(r, NULL, is_b ? 1 : 0, s, ser, 64);
    double xlo = INFINITY, xhi = -INFINITY;
    for (size_t i = 0; i < r->n_est; i++)
        if (r->est[i].used[s]) {
            double x = is_b ? r->est[i].N : r->est[i].DF;
            xlo = fmin(xlo, x);
            xhi = fmax(xhi, x);
        }
    size_t nc = r->n_curricula;
    /* panels side by side need the width */
    if (nc > 1)
        fputs("fig_w = 1120\n", g);
    fprintf(g, "array coincide[%zu]\n", nc ? nc : 1);
    for (size_t c = 0; c < nc; c++) {
        const xl_curriculum_result *cr = &r->cur[c];
        for (size_t j = 0; j < ns; j++) {
            fprintf(d, "# curriculum %zu, %s = %g: %s\n", c, is_b ? "D_F" : "N", ser[j],
                    is_b ? "N D_T/D_E" : "D_F D_T");
            int any = 0;
            for (size_t i = 0; i < r->n_est; i++) {
                const xl_xfer_est *e = &r->est[i];
                if (strcmp(e->curriculum, cr->name) || !e->used[s] || !xl__same(is_b ? e->DF : e->N, ser[j]))
                    continue;
                if (is_b)
                    fprintf(d, "%.8g %.10g\n", e->N, e->DT[s] / e->DE[s]);
                else
                    fprintf(d, "%.8g %.8g\n", e->DF, e->DT[s]);
                any = 1;
            }
            xl__fig_block(&f, any);
        }
        const xl_law_fit *lf = &cr->law[s];
        for (size_t j = 0; j < ns; j++) {
            fprintf(d, "# curriculum %zu: fitted law (%s estimator)\n", c, xl_estimator_name(s));
            for (int k = 0; lf->ok && isfinite(xlo) && k <= 60; k++) {
                double x = exp(log(xlo) + (log(xhi) - log(xlo)) * k / 60.0);
                double N = is_b ? x : ser[j], DF = is_b ? ser[j] : x, dt = xl_law_dt(lf, N, DF);
                fprintf(d, "%.8g %.10g\n", x, is_b ? dt / (dt + DF) : dt);
            }
            xl__fig_block(&f, lf->ok);
        }
        /* (c): lines of different N lie within 15% of each other when beta ~ 0 */
        int co = !is_b && lf->ok && ns > 1 &&
                 fabs(lf->beta.value) * log10(ser[ns - 1] / ser[0]) < log10(1.15);
        fprintf(g, "coincide[%zu] = %d\n", c + 1, co);
    }
    xl__series_words(g, ser, ns);
    xl__cur_words(r, g);
    cur_fit_words(r, g);
    fprintf(g, "use_logit = %d\n", is_b && o->logit);
    return xl__fig_finish(&f, xl__fig_template(is_b ? 'b' : 'c'), err);
}

int xl__fig_b(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err)
{
    return fig_bc(r, o, dir, 1, err);
}

int xl__fig_c(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err)
{
    return fig_bc(r, o, dir, 0, err);
}

/* ---- (e) ossification ------------------------------------------------------------------ */
static int fig_e_run(const xl_xfer_est *e, const char *cur, double N, double DF)
{
    return !strcmp(e->curriculum, cur) && xl__same(e->N, N) && xl__same(e->DF, DF);
}

int xl__fig_e(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err)
{
    (void)o;
    fig f;
    int rc = xl__fig_open(&f, dir, "fig_e", err);
    if (rc)
        return rc;
    double Ns[64];
    size_t ns = xl__distinct(r, NULL, 0, -1, Ns, 64);
    for (size_t cu = 0; cu < r->n_curricula; cu++) {
        const char *name = r->cur[cu].name;
        double dfs[64];
        size_t nd = xl__distinct(r, name, 1, -1, dfs, 64);
        for (size_t j = 0; j < ns; j++) {
            const xl_scratch_curve *c = xl_scratch_curve_for(r->scratch, Ns[j]);
            fprintf(f.dat.fp, "# curriculum %zu, N = %g: D_F  L_ft - L_scratch(D = D_F)  its mean "
                              "over the seeds at that D_F (the line)\n", cu, Ns[j]);
            int any = 0;
            for (size_t q = 0; c && q < nd; q++) {
                double Ls = xl_scratch_curve_eval(c, dfs[q]);
                if (!isfinite(Ls))
                    continue;
                /* the runs (seeds) at this D_F: their mean first, the line through it */
                double sum = 0;
                size_t k = 0;
                for (size_t i = 0; i < r->n_est; i++)
                    if (fig_e_run(&r->est[i], name, Ns[j], dfs[q]))
                        sum += r->est[i].loss - Ls, k++;
                for (size_t i = 0; i < r->n_est; i++)
                    if (fig_e_run(&r->est[i], name, Ns[j], dfs[q])) {
                        fprintf(f.dat.fp, "%.8g %.8g %.8g\n", r->est[i].DF, r->est[i].loss - Ls,
                                sum / (double)k);
                        any = 1;
                    }
            }
            xl__fig_block(&f, any);
        }
    }
    xl__series_words(f.gp.fp, Ns, ns);
    xl__cur_words(r, f.gp.fp);
    if (r->n_curricula > 1)
        fputs("fig_w = 1120\n", f.gp.fp);
    return xl__fig_finish(&f, xl__fig_template('e'), err);
}

/* ---- (f) curricula side by side -------------------------------------------------------- */
typedef struct {
    int ok;
    xl_param a, b;
} fpar;

static fpar method_params(const xl_curriculum_result *cr, int e)
{
    fpar p;
    memset(&p, 0, sizeof p);
    if (e < 2)
        p.ok = cr->law[e].ok, p.a = cr->law[e].alpha, p.b = cr->law[e].beta;
    else if (e == 2)
        p.ok = cr->ff.ok, p.a = cr->ff.alpha, p.b = cr->ff.beta;
    else
        p.ok = cr->loss_fit.ok, p.a = cr->loss_fit.alpha, p.b = cr->loss_fit.beta;
    return p;
}

/* An axis range that the point estimates and reference values fix: interval ends more
 * than one core span beyond them are clipped (and drawn with a marker there). */
static void robust_range(const xl_transfer_result *r, int which, const double *refs, size_t nref,
                         double *lo, double *hi)
{
    double clo = 0, chi = 0;
    for (size_t i = 0; i < nref; i++)
        clo = fmin(clo, refs[i]), chi = fmax(chi, refs[i]);
    for (size_t c = 0; c < r->n_curricula; c++)
        for (int e = 0; e < 4; e++) {
            fpar p = method_params(&r->cur[c], e);
            double v = which ? p.b.value : p.a.value;
            if (p.ok && isfinite(v))
                clo = fmin(clo, v), chi = fmax(chi, v);
        }
    double span = fmax(chi - clo, 0.2);
    double alo = clo - span, ahi = chi + span;
    double elo = clo, ehi = chi;
    for (size_t c = 0; c < r->n_curricula; c++)
        for (int e = 0; e < 4; e++) {
            fpar p = method_params(&r->cur[c], e);
            const xl_param *q = which ? &p.b : &p.a;
            if (!p.ok)
                continue;
            if (isfinite(q->lo))
                elo = fmin(elo, fmax(q->lo, alo));
            if (isfinite(q->hi))
                ehi = fmax(ehi, fmin(q->hi, ahi));
        }
    double pad = 0.06 * (ehi - elo);
    *lo = elo - pad;
    *hi = ehi + pad;
}

int xl__fig_f(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err)
{
    (void)o;
    fig f;
    int rc = xl__fig_open(&f, dir, "fig_f", err);
    if (rc)
        return rc;
    static const double refs_a[] = {0.18, 0.096}, refs_b[] = {0.38};
    double lo[2], hi[2];
    robust_range(r, 0, refs_a, 2, &lo[0], &hi[0]);
    robust_range(r, 1, refs_b, 1, &lo[1], &hi[1]);
    for (int e = 0; e < 4; e++) {
        fprintf(f.dat.fp, "# method %d: curriculum, then for alpha and beta: value lo hi "
                          "(clipped to the axis) lo_clipped hi_clipped\n", e);
        int any = 0;
        for (size_t c = 0; c < r->n_curricula; c++) {
            fpar p = method_params(&r->cur[c], e);
            if (!p.ok)
                continue;
            fprintf(f.dat.fp, "%zu", c);
            for (int w = 0; w < 2; w++) {
                const xl_param *q = w ? &p.b : &p.a;
                double l = isfinite(q->lo) ? q->lo : -INFINITY, h = isfinite(q->hi) ? q->hi : INFINITY;
                int cl = l < lo[w], ch = h > hi[w];
                fprintf(f.dat.fp, " %.6g %.6g %.6g %d %d", q->value, cl ? lo[w] : l, ch ? hi[w] : h, cl, ch);
            }
            fputc('\n', f.dat.fp);
            any = 1;
        }
        xl__fig_block(&f, any);
    }
    fprintf(f.gp.fp, "n_est = 4\nest_names = 'log-linear(interp) log-linear(fit) fit-the-fits loss-space'\n"
                     "ylo_a = %.6g\nyhi_a = %.6g\nylo_b = %.6g\nyhi_b = %.6g\n",
            lo[0], hi[0], lo[1], hi[1]);
    xl__cur_words(r, f.gp.fp);
    fputs("set xtics (", f.gp.fp);
    for (size_t c = 0; c < r->n_curricula; c++) {
        fputs(c ? ", " : "", f.gp.fp);
        xl_gp_quote(f.gp.fp, r->cur[c].name);
        fprintf(f.gp.fp, " %zu", c);
    }
    fputs(")\n", f.gp.fp);
    return xl__fig_finish(&f, xl__fig_template('f'), err);
}

/* ---- captions ------------------------------------------------------------------------- */
static void names(const xl_transfer_result *r, char *b, size_t n)
{
    size_t u = 0;
    b[0] = 0;
    for (size_t c = 0; c < r->n_curricula && u < n; c++) {
        int w = snprintf(b + u, n - u, "%s%s", c ? ", " : "", r->cur[c].name);
        if (w > 0)
            u += (size_t)w;
    }
}

void xl__fig_caption(const xl_transfer_result *r, const xl_plot_opts *o, const char *name,
                     char *buf, size_t n)
{
    char cs[256], x[64], y[64];
    names(r, cs, sizeof cs);
    const char *est = xl_estimator_name(r->compare_est);
    switch (name[4]) {
    case 'a': {
        double N = xl__fig_a_N(r, o);
        const xl_scratch_curve *c = xl_scratch_curve_for(r->scratch, N);
        const xl_xfer_est *e = xl__fig_a_arrow(r, N);
        double mis = c ? xl__fig_a_misfit(r, c) : NAN;
        xl_fmt_num(N, 3, XL_FMT_UTF8, x, sizeof x);
        xl_fmt_num(e ? e->DF : NAN, 3, XL_FMT_UTF8, y, sizeof y);
        int u = snprintf(buf, n, "Validation loss against training tokens at N = %s parameters: from-scratch runs (points) "
                         "and their monotone interpolation (line); the fitted L(N,D) dashed only where it is within 5%% "
                         "of the measured curve (it misses it by up to %.0f%% here); fine-tuned runs of every curriculum "
                         "(%s) at their D_F. ",
                         x, 100 * mis, cs);
        if (e && u > 0 && (size_t)u < n)
            snprintf(buf + u, n - u, "Arrows: the %s run with D_F = %s reaches the loss that training from scratch "
                     "reaches with D_E = D_F + D_T tokens.", e->curriculum, y);
        break;
    }
    case 'b':
        snprintf(buf, n, "Share of the effective data that came from transfer, D_T/D_E, against model size; one colour "
                 "per D_F, one panel per curriculum (%s); runs in the fits only (%s estimator). Lines: the fitted "
                 "law, dashed where the verdict found no law measured.", cs, est);
        break;
    case 'c':
        snprintf(buf, n, "Data transferred D_T against fine-tuning data D_F, log-log; one colour per model size, "
                 "one panel per curriculum (%s); runs in the fits only (%s estimator). Lines: the fitted law "
                 "D_T = k D_F^α N^β, dashed where no law was measured; with β near 0 the lines of all sizes coincide.",
                 cs, est);
        break;
    case 'd':
        xl_fmt_num(xl__fig_d_DF(r, o), 3, XL_FMT_UTF8, x, sizeof x);
        snprintf(buf, n, "Loss against model size with D = D_F = %s tokens: trained from scratch (grey, read off "
                 "the interpolated from-scratch curve) and fine-tuned per curriculum (%s; mean over seeds).", x, cs);
        break;
    case 'e':
        snprintf(buf, n, "Fine-tuned minus from-scratch loss at equal data (D = D_F), one colour per model size, one "
                 "panel per curriculum (%s); every fine-tuned run. Below 0 pre-training helped; above 0 it hurt "
                 "(ossification).", cs);
        break;
    case 'f':
        snprintf(buf, n, "Exponents α (left) and β (right) per curriculum (%s) by the four methods, with 95%% "
                 "intervals; colour is the curriculum, the marker the method. Dashed: Hernandez et al. (α 0.18 "
                 "text, 0.096 text+code; β 0.38). Intervals running off the axis stop at a triangle.", cs);
        break;
    default: {
        const xl_curriculum_result *cr = o->curriculum ? xl__pick_cur(r, o) : NULL;
        snprintf(buf, n, "Residuals of the fits of %s%s: log D_T minus the log-linear fits "
                 "(left, against N; circle: interp estimator, square: fit estimator), log loss minus "
                 "the loss-space fit (right, against D_F); colour is the curriculum. Structure means "
                 "the power law has the wrong shape.", cr ? "curriculum " : "every curriculum",
                 cr ? cr->name : "");
    }
    }
}
