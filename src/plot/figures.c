/* Data and preambles of figures a, d, g, and the shared helpers; b, c, e, f (one panel
 * per curriculum, robust axes) are in figures_panels.c.  Text from the input reaches the
 * scripts only through xl_gp_quote (xferlaw/gnuplot.h), the one strict escaper. */
#include "plot_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int xl__same(double a, double b)
{
    return fabs(a - b) <= 1e-6 * fmax(fabs(a), fabs(b));
}

/* NAME = 'formatted v' (3.4×10^{5}, gnuplot enhanced text) */
void xl__gp_num(FILE *fp, const char *name, double v)
{
    char b[96];
    xl_fmt_num(v, 3, XL_FMT_GNUPLOT, b, sizeof b);
    fprintf(fp, "%s = '%s'\n", name, b);
}

const xl_curriculum_result *xl__pick_cur(const xl_transfer_result *r, const xl_plot_opts *o)
{
    for (size_t c = 0; o->curriculum && c < r->n_curricula; c++)
        if (!strcmp(r->cur[c].name, o->curriculum))
            return &r->cur[c];
    return r->n_curricula ? &r->cur[0] : NULL;
}

size_t xl__distinct(const xl_transfer_result *r, const char *cur, int which, int est, double *v,
                    size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_est; i++) {
        const xl_xfer_est *e = &r->est[i];
        if ((cur && strcmp(e->curriculum, cur)) || (est >= 0 && !e->used[est]))
            continue;
        double x = which ? e->DF : e->N;
        size_t j = 0;
        while (j < n && !xl__same(v[j], x))
            j++;
        if (j == n && n < max)
            v[n++] = x;
    }
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && v[b] < v[b - 1]; b--) {
            double t = v[b];
            v[b] = v[b - 1];
            v[b - 1] = t;
        }
    return n;
}

/* cur_names (one word each, for word()) and, per curriculum, a quoted display name */
void xl__cur_words(const xl_transfer_result *r, FILE *fp)
{
    fprintf(fp, "n_cur = %zu\narray cur_label[%zu]\n", r->n_curricula, r->n_curricula ? r->n_curricula : 1);
    for (size_t c = 0; c < r->n_curricula; c++) {
        fprintf(fp, "cur_label[%zu] = ", c + 1);
        xl_gp_quote(fp, r->cur[c].name);
        fputc('\n', fp);
    }
}

void xl__series_words(FILE *fp, const double *v, size_t n)
{
    fprintf(fp, "n_series = %zu\narray series[%zu]\narray series_txt[%zu]\n", n, n ? n : 1, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        char b[96];
        xl_fmt_num(v[i], 2, XL_FMT_GNUPLOT, b, sizeof b);
        fprintf(fp, "series[%zu] = %.6g\nseries_txt[%zu] = '%s'\n", i + 1, v[i], i + 1, b);
    }
}

/* ---- (a) loss vs data for one N ------------------------------------------------------- */
double xl__fig_a_N(const xl_transfer_result *r, const xl_plot_opts *o)
{
    const xl_scratch_model *m = r->scratch;
    double N = o->N;
    if (!(N > 0)) {
        /* the size with most usable (curriculum, D_F) points, so that extra seeds at the
         * small sizes do not pick them; ties go to the larger model */
        size_t best = 0;
        for (size_t s = 0; s < m->n_sizes; s++) {
            size_t cnt = 0;
            for (size_t i = 0; i < r->n_est; i++) {
                const xl_xfer_est *e = &r->est[i];
                if (!xl__same(e->N, m->c[s].N) || !e->used[XL_EST_INTERP])
                    continue;
                size_t j = 0;
                while (j < i && !(xl__same(r->est[j].N, e->N) && r->est[j].used[XL_EST_INTERP] &&
                                  xl__same(r->est[j].DF, e->DF) &&
                                  !strcmp(r->est[j].curriculum, e->curriculum)))
                    j++;
                cnt += j == i;
            }
            if (cnt >= best && m->c[s].interp)
                best = cnt, N = m->c[s].N;
        }
    }
    return N;
}

/* The run the arrows describe: the middle usable run of the first curriculum at N. */
const xl_xfer_est *xl__fig_a_arrow(const xl_transfer_result *r, double N)
{
    if (!r->n_curricula)
        return NULL;
    const char *name = r->cur[0].name;
    size_t n_used = 0, k = 0;
    for (size_t i = 0; i < r->n_est; i++)
        n_used += !strcmp(r->est[i].curriculum, name) && xl__same(r->est[i].N, N) &&
                  r->est[i].used[XL_EST_INTERP];
    for (size_t i = 0; i < r->n_est; i++) {
        const xl_xfer_est *e = &r->est[i];
        if (!strcmp(e->curriculum, name) && xl__same(e->N, N) && e->used[XL_EST_INTERP] &&
            k++ == n_used / 2)
            return e;
    }
    return NULL;
}

/* Largest relative miss of the fitted L(N,D) against the measured curve at N. */
double xl__fig_a_misfit(const xl_transfer_result *r, const xl_scratch_curve *c)
{
    double worst = 0;
    for (size_t i = 0; r->scratch->kap_ok && i < c->n; i++) {
        double Lf = xl_kaplan_loss(&r->scratch->kap, c->N, exp(c->logD[i]));
        worst = fmax(worst, fabs(Lf / c->loss[i] - 1));
    }
    return r->scratch->kap_ok ? worst : NAN;
}

int xl__fig_a(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err)
{
    const xl_scratch_model *m = r->scratch;
    double N = xl__fig_a_N(r, o);
    const xl_scratch_curve *c = xl_scratch_curve_for(m, N);
    if (!c || !c->interp)
        return xl_error_set(err, XL_EINVAL, "no from-scratch curve for N = %g", N);
    fig f;
    int rc = xl__fig_open(&f, dir, "fig_a", err);
    if (rc)
        return rc;
    FILE *d = f.dat.fp, *g = f.gp.fp;
    double lo = INFINITY, hi = -INFINITY, xmin = INFINITY, xmax = 0;
    fprintf(d, "# from-scratch runs at N=%g: D loss\n", N);
    int any = 0;
    for (size_t i = 0; i < r->runs->n; i++)
        if (!strcmp(r->runs->curriculum[i], "scratch") && xl__same(r->runs->N[i], N)) {
            fprintf(d, "%.8g %.8g\n", r->runs->D[i], r->runs->loss[i]);
            lo = fmin(lo, r->runs->loss[i]);
            hi = fmax(hi, r->runs->loss[i]);
            xmin = fmin(xmin, r->runs->D[i]);
            xmax = fmax(xmax, r->runs->D[i]);
            any = 1;
        }
    xl__fig_block(&f, any);
    fprintf(d, "# monotone Steffen interpolation in log D\n");
    for (int k = 0; k <= 200; k++) {
        double x = c->logD[0] + (c->logD[c->n - 1] - c->logD[0]) * k / 200.0;
        fprintf(d, "%.8g %.8g\n", exp(x), xl_scratch_curve_eval(c, exp(fmin(x, c->logD[c->n - 1]))));
    }
    xl__fig_block(&f, 1);
    /* the fitted L(N,D) only where it is within 5% of the measured curve: a line far from
     * the data would be read as a description of it */
    fprintf(d, "# fitted Kaplan L(N,D), where within 5%% of the interpolated curve\n");
    int kap_any = 0, gap = 0;
    for (int k = 0; m->kap_ok && k <= 200; k++) {
        double x = c->logD[0] + (c->logD[c->n - 1] - c->logD[0]) * k / 200.0;
        double Lf = xl_kaplan_loss(&m->kap, N, exp(x)), Li = xl_scratch_curve_eval(c, exp(fmin(x, c->logD[c->n - 1])));
        if (isfinite(Lf) && isfinite(Li) && fabs(Lf / Li - 1) <= 0.05) {
            fprintf(d, "%s%.8g %.8g\n", gap && kap_any ? "\n" : "", exp(x), Lf);
            kap_any = 1;
            gap = 0;
        } else {
            gap = 1;
        }
    }
    xl__fig_block(&f, kap_any);
    for (size_t cu = 0; cu < r->n_curricula; cu++) {
        fprintf(d, "# fine-tuned curriculum %zu: D_F loss\n", cu);
        any = 0;
        for (size_t i = 0; i < r->n_est; i++) {
            const xl_xfer_est *e = &r->est[i];
            if (strcmp(e->curriculum, r->cur[cu].name) || !xl__same(e->N, N))
                continue;
            fprintf(d, "%.8g %.8g\n", e->DF, e->loss);
            lo = fmin(lo, e->loss);
            hi = fmax(hi, e->loss);
            xmin = fmin(xmin, e->DF);
            xmax = fmax(xmax, e->DF);
            any = 1;
        }
        xl__fig_block(&f, any);
    }
    xl__gp_num(g, "Nsize_txt", N);
    fprintf(g, "misfit = %.4g\n", xl__fig_a_misfit(r, c));
    xl__cur_words(r, g);
    /* one decade of room on the left for the D_F and D_E arrows that start at the axis */
    xmin = pow(10, floor(log10(xmin)) - 1);
    xmax = pow(10, ceil(log10(xmax)));
    fprintf(g, "set xrange [%.6g:%.6g]\n", xmin, xmax);
    const xl_xfer_est *arrow = xl__fig_a_arrow(r, N);
    if (arrow) {
        double L = arrow->loss, DF = arrow->DF, DE = arrow->DE[XL_EST_INTERP];
        double dy = 0.07 * (hi - lo > 0 ? hi - lo : 1);
        fprintf(g, "arrow_cur = ");
        xl_gp_quote(g, arrow->curriculum);
        fputc('\n', g);
        xl__gp_num(g, "arrow_DF_txt", DF);
        /* one annotation colour for the three data amounts, none of a series' colours;
         * labels centred on their own arrow's span, D_F and D_T above, D_E below */
        fputs("set style textbox opaque noborder margins 1,1\n", g);
        fprintf(g, "set arrow 1 from first %.8g, first %.8g to first %.8g, first %.8g heads size screen 0.008,30 lw 2 lc rgb '#6A1B9A'\n"
                   "set label 1 'D_T' at first %.8g, first %.8g center tc rgb '#6A1B9A' offset 0,0.7 front boxed\n"
                   "set arrow 2 from first %.8g, first %.8g to first %.8g, first %.8g heads size screen 0.008,30 lw 2 lc rgb '#6A1B9A'\n"
                   "set label 2 'D_F' at first %.8g, first %.8g center tc rgb '#6A1B9A' offset 0,0.7 front boxed\n"
                   "set arrow 3 from first %.8g, first %.8g to first %.8g, first %.8g heads size screen 0.008,30 lw 2 lc rgb '#6A1B9A'\n"
                   "set label 3 'D_E = D_F + D_T' at first %.8g, first %.8g center tc rgb '#6A1B9A' offset 0,-0.8 front boxed\n"
                   "set arrow 4 from first %.8g, first %.8g to first %.8g, first %.8g nohead dt 3 lc rgb '#888888'\n",
                DF, L, DE, L, sqrt(DF * DE), L, xmin, L, DF, L, sqrt(xmin * DF), L, xmin, L - dy,
                DE, L - dy, sqrt(xmin * DE), L - dy, DE, L - dy, DE, L);
    } else {
        fputs("arrow_cur = ''\narrow_DF_txt = ''\n", g);
    }
    return xl__fig_finish(&f, xl__fig_template('a'), err);
}

/* ---- (d) loss vs N at fixed D_F -------------------------------------------------------- */
double xl__fig_d_DF(const xl_transfer_result *r, const xl_plot_opts *o)
{
    double DF = o->DF;
    if (!(DF > 0)) {
        /* the D_F reached by the most sizes */
        double dfs[64];
        size_t n = xl__distinct(r, NULL, 1, -1, dfs, 64), best = 0;
        for (size_t j = 0; j < n; j++) {
            size_t cnt = 0;
            for (size_t i = 0; i < r->n_est; i++)
                cnt += xl__same(r->est[i].DF, dfs[j]);
            if (cnt >= best)
                best = cnt, DF = dfs[j];
        }
    }
    return DF;
}

int xl__fig_d(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err)
{
    double DF = xl__fig_d_DF(r, o);
    fig f;
    int rc = xl__fig_open(&f, dir, "fig_d", err);
    if (rc)
        return rc;
    FILE *d = f.dat.fp;
    fprintf(d, "# from scratch, D = D_F (interpolated measured curve): N loss\n");
    int any = 0;
    for (size_t s = 0; s < r->scratch->n_sizes; s++) {
        double L = xl_scratch_curve_eval(&r->scratch->c[s], DF);
        if (isfinite(L)) {
            fprintf(d, "%.8g %.8g\n", r->scratch->c[s].N, L);
            any = 1;
        }
    }
    xl__fig_block(&f, any);
    for (size_t c = 0; c < r->n_curricula; c++) {
        fprintf(d, "# fine-tuned curriculum %zu at D_F: N loss\n", c);
        double Ns[64];
        size_t n = xl__distinct(r, r->cur[c].name, 0, -1, Ns, 64);
        any = 0;
        for (size_t j = 0; j < n; j++) {
            /* seeds: mean loss */
            double sum = 0;
            size_t cnt = 0;
            for (size_t i = 0; i < r->n_est; i++)
                if (!strcmp(r->est[i].curriculum, r->cur[c].name) && xl__same(r->est[i].N, Ns[j]) &&
                    xl__same(r->est[i].DF, DF))
                    sum += r->est[i].loss, cnt++;
            if (cnt) {
                fprintf(d, "%.8g %.8g\n", Ns[j], sum / (double)cnt);
                any = 1;
            }
        }
        xl__fig_block(&f, any);
    }
    xl__gp_num(f.gp.fp, "DFsize_txt", DF);
    xl__cur_words(r, f.gp.fp);
    return xl__fig_finish(&f, xl__fig_template('d'), err);
}

/* ---- (g) residuals --------------------------------------------------------------------- */
/* Every curriculum (or the one asked for): blocks c*3 + b, b = interp, fit, loss space;
 * colour = curriculum and marker = method, as in figure f. */
int xl__fig_g(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err)
{
    fig f;
    int rc = xl__fig_open(&f, dir, "fig_g", err);
    if (rc)
        return rc;
    const xl_curriculum_result *only = o->curriculum ? xl__pick_cur(r, o) : NULL;
    size_t n_shown = 0;
    fprintf(f.gp.fp, "array g_label[%zu]\narray g_col[%zu]\n", r->n_curricula ? r->n_curricula : 1,
            r->n_curricula ? r->n_curricula : 1);
    for (size_t c = 0; c < r->n_curricula; c++) {
        const xl_curriculum_result *cr = &r->cur[c];
        if (only && cr != only)
            continue;
        for (int b = 0; b < 3; b++) {
            const xl_law_fit *lf = b < 2 ? &cr->law[b] : &cr->loss_fit;
            fprintf(f.dat.fp, "# %s, %s residuals: %s\n", cr->name,
                    b < 2 ? xl_estimator_name(b) : "loss-space",
                    b < 2 ? "N log(D_T) - fit" : "D_F log(L) - fit");
            int any = 0;
            for (size_t i = 0; lf->ok && lf->resid && i < r->n_est; i++)
                if (isfinite(lf->resid[i])) {
                    fprintf(f.dat.fp, "%.8g %.8g\n", b < 2 ? r->est[i].N : r->est[i].DF,
                            lf->resid[i]);
                    any = 1;
                }
            xl__fig_block(&f, any);
        }
        fprintf(f.gp.fp, "g_label[%zu] = ", ++n_shown);
        xl_gp_quote(f.gp.fp, cr->name);
        fprintf(f.gp.fp, "\ng_col[%zu] = %zu\n", n_shown, c); /* the curriculum's colour */
    }
    fprintf(f.gp.fp, "g_n = %zu\n%s", n_shown, n_shown > 1 ? "fig_w = 1000\n" : "");
    return xl__fig_finish(&f, xl__fig_template('g'), err);
}
