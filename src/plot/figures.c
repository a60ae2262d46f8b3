/* Data and preambles of the seven figures.  Names from the input reach the scripts and
 * data files only through xl_gp_puts/xl_gp_quote (xferlaw/gnuplot.h). */
#include "plot_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int same(double a, double b)
{
    return fabs(a - b) <= 1e-6 * fmax(fabs(a), fabs(b));
}

static const xl_curriculum_result *pick_cur(const xl_transfer_result *r, const xl_plot_opts *o)
{
    for (size_t c = 0; o->curriculum && c < r->n_curricula; c++)
        if (!strcmp(r->cur[c].name, o->curriculum))
            return &r->cur[c];
    return r->n_curricula ? &r->cur[0] : NULL;
}

/* Distinct sorted values of N (which=0) or D_F (which=1) over the estimates of cur
 * (all curricula when cur is NULL) passing filter; returns count (<= max). */
static size_t distinct(const xl_transfer_result *r, const char *cur, int which, int est,
                       double *v, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_est; i++) {
        const xl_xfer_est *e = &r->est[i];
        if ((cur && strcmp(e->curriculum, cur)) || (est >= 0 && !e->used[est]))
            continue;
        double x = which ? e->DF : e->N;
        size_t j = 0;
        while (j < n && !same(v[j], x))
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

static void cur_words(const xl_transfer_result *r, FILE *fp)
{
    fprintf(fp, "n_cur = %zu\ncur_names = '", r->n_curricula);
    for (size_t c = 0; c < r->n_curricula; c++) {
        /* gnuplot word() splits on blanks: keep names one word */
        fputs(c ? " " : "", fp);
        xl_gp_puts(fp, r->cur[c].name, 1);
    }
    fprintf(fp, "'\n");
}

static void series_words(FILE *fp, const double *v, size_t n)
{
    fprintf(fp, "n_series = %zu\narray series[%zu] = [", n, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%s%.6g", i ? ", " : "", v[i]);
    fprintf(fp, "%s]\n", n ? "" : "0");
}

/* ---- (a) loss vs data for one N ------------------------------------------------------- */
int xl__fig_a(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err)
{
    const xl_scratch_model *m = r->scratch;
    double N = o->N;
    if (!(N > 0)) {
        /* the size with most usable fine-tuned runs; ties go to the larger model */
        size_t best = 0;
        for (size_t s = 0; s < m->n_sizes; s++) {
            size_t cnt = 0;
            for (size_t i = 0; i < r->n_est; i++)
                cnt += same(r->est[i].N, m->c[s].N) && r->est[i].used[XL_EST_INTERP];
            if (cnt >= best && m->c[s].interp)
                best = cnt, N = m->c[s].N;
        }
    }
    const xl_scratch_curve *c = xl_scratch_curve_for(m, N);
    if (!c || !c->interp)
        return xl_error_set(err, XL_EINVAL, "no from-scratch curve for N = %g", N);
    fig f;
    int rc = xl__fig_open(&f, dir, "fig_a", err);
    if (rc)
        return rc;
    FILE *d = f.dat.fp, *g = f.gp.fp;
    double lo = INFINITY, hi = -INFINITY;
    fprintf(d, "# from-scratch runs at N=%g: D loss\n", N);
    int any = 0;
    for (size_t i = 0; i < r->runs->n; i++)
        if (!strcmp(r->runs->curriculum[i], "scratch") && same(r->runs->N[i], N)) {
            fprintf(d, "%.8g %.8g\n", r->runs->D[i], r->runs->loss[i]);
            lo = fmin(lo, r->runs->loss[i]);
            hi = fmax(hi, r->runs->loss[i]);
            any = 1;
        }
    xl__fig_block(&f, any);
    fprintf(d, "# monotone Steffen interpolation in log D\n");
    for (int k = 0; k <= 200; k++) {
        double x = c->logD[0] + (c->logD[c->n - 1] - c->logD[0]) * k / 200.0;
        fprintf(d, "%.8g %.8g\n", exp(x), xl_scratch_curve_eval(c, exp(fmin(x, c->logD[c->n - 1]))));
    }
    xl__fig_block(&f, 1);
    fprintf(d, "# fitted Kaplan L(N,D)\n");
    for (int k = 0; m->kap_ok && k <= 200; k++) {
        double x = c->logD[0] + (c->logD[c->n - 1] - c->logD[0]) * k / 200.0;
        fprintf(d, "%.8g %.8g\n", exp(x), xl_kaplan_loss(&m->kap, N, exp(x)));
    }
    xl__fig_block(&f, m->kap_ok);
    const xl_xfer_est *arrow = NULL;
    for (size_t cu = 0; cu < r->n_curricula; cu++) {
        fputs("# fine-tuned '", d), xl_gp_puts(d, r->cur[cu].name, 0), fputs("': D_F loss\n", d);
        any = 0;
        size_t n_used = 0, k = 0;
        for (size_t i = 0; i < r->n_est; i++)
            n_used += !strcmp(r->est[i].curriculum, r->cur[cu].name) && same(r->est[i].N, N) &&
                      r->est[i].used[XL_EST_INTERP];
        for (size_t i = 0; i < r->n_est; i++) {
            const xl_xfer_est *e = &r->est[i];
            if (strcmp(e->curriculum, r->cur[cu].name) || !same(e->N, N))
                continue;
            fprintf(d, "%.8g %.8g\n", e->DF, e->loss);
            lo = fmin(lo, e->loss);
            hi = fmax(hi, e->loss);
            any = 1;
            /* arrows on the middle usable run of the first curriculum */
            if (cu == 0 && e->used[XL_EST_INTERP] && k++ == n_used / 2)
                arrow = e;
        }
        xl__fig_block(&f, any);
    }
    fprintf(g, "Nsize = %.8g\n", N);
    cur_words(r, g);
    if (arrow) {
        double L = arrow->loss, DF = arrow->DF, DE = arrow->DE[XL_EST_INTERP];
        double dy = 0.05 * (hi - lo > 0 ? hi - lo : 1);
        fprintf(g, "# arrows: run at D_F = %g (curriculum ", DF);
        xl_gp_puts(g, arrow->curriculum, 0);
        fprintf(g, "), loss %g, D_E = %g\n", L, DE);
        fprintf(g, "set arrow 1 from first %.8g, first %.8g to first %.8g, first %.8g heads lw 2 lc rgb '#D55E00'\n"
                   "set label 1 'D_T' at first %.8g, first %.8g center tc rgb '#D55E00' offset 0,0.8\n"
                   "set arrow 2 from graph 0, first %.8g to first %.8g, first %.8g heads lw 2 lc rgb '#009E73'\n"
                   "set label 2 'D_F' at first %.8g, first %.8g right tc rgb '#009E73' offset -0.5,0.8\n"
                   "set arrow 3 from graph 0, first %.8g to first %.8g, first %.8g heads lw 2 lc rgb '#000000'\n"
                   "set label 3 'D_E = D_F + D_T' at first %.8g, first %.8g right tc rgb '#000000' offset -0.5,-0.8\n"
                   "set arrow 4 from first %.8g, first %.8g to first %.8g, first %.8g nohead dt 3 lc rgb '#888888'\n",
                DF, L, DE, L, sqrt(DF * DE), L, L, DF, L, DF, L, L - dy, DE, L - dy, DE, L - dy,
                DE, L - dy, DE, L);
    }
    return xl__fig_finish(&f, xl__fig_template('a'), err);
}

/* ---- (b) fraction D_T/D_E vs N per D_F; (c) D_T vs D_F per N ---------------------------- */
static int fig_bc(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, int is_b,
                  xl_error *err)
{
    const xl_curriculum_result *cr = pick_cur(r, o);
    int s = r->compare_est;
    fig f;
    int rc = xl__fig_open(&f, dir, is_b ? "fig_b" : "fig_c", err);
    if (rc)
        return rc;
    FILE *d = f.dat.fp, *g = f.gp.fp;
    double ser[64];
    size_t ns = cr ? distinct(r, cr->name, is_b ? 1 : 0, s, ser, 64) : 0;
    double xlo = INFINITY, xhi = -INFINITY;
    for (size_t i = 0; cr && i < r->n_est; i++)
        if (!strcmp(r->est[i].curriculum, cr->name) && r->est[i].used[s]) {
            double x = is_b ? r->est[i].N : r->est[i].DF;
            xlo = fmin(xlo, x);
            xhi = fmax(xhi, x);
        }
    for (size_t j = 0; j < ns; j++) {
        fprintf(d, "# %s = %g: %s\n", is_b ? "D_F" : "N", ser[j], is_b ? "N D_T/D_E" : "D_F D_T");
        int any = 0;
        for (size_t i = 0; i < r->n_est; i++) {
            const xl_xfer_est *e = &r->est[i];
            if (strcmp(e->curriculum, cr->name) || !e->used[s] || !same(is_b ? e->DF : e->N, ser[j]))
                continue;
            if (is_b)
                fprintf(d, "%.8g %.10g\n", e->N, e->DT[s] / e->DE[s]);
            else
                fprintf(d, "%.8g %.8g\n", e->DF, e->DT[s]);
            any = 1;
        }
        xl__fig_block(&f, any);
    }
    const xl_law_fit *lf = cr ? &cr->law[s] : NULL;
    for (size_t j = 0; j < ns; j++) {
        fprintf(d, "# fitted law (%s estimator)\n", xl_estimator_name(s));
        for (int k = 0; lf && lf->ok && k <= 60; k++) {
            double x = exp(log(xlo) + (log(xhi) - log(xlo)) * k / 60.0);
            double N = is_b ? x : ser[j], DF = is_b ? ser[j] : x, dt = xl_law_dt(lf, N, DF);
            fprintf(d, "%.8g %.10g\n", x, is_b ? dt / (dt + DF) : dt);
        }
        xl__fig_block(&f, lf && lf->ok);
    }
    series_words(g, ser, ns);
    fputs("cur_name = ", g), xl_gp_quote(g, cr ? cr->name : ""), fputc('\n', g);
    fprintf(g, "use_logit = %d\nhas_fit = %d\n", o->logit, lf && lf->ok);
    if (!is_b) {
        int ok = lf && lf->ok;
        /* gnuplot spells a missing value NaN */
        fprintf(g, ok ? "k = %.6g\nalpha = %.6g\nbeta = %.6g\n" : "k = NaN\nalpha = NaN\nbeta = NaN\n",
                ok ? lf->k.value : 0, ok ? lf->alpha.value : 0, ok ? lf->beta.value : 0);
    }
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

/* ---- (d) loss vs N at fixed D_F -------------------------------------------------------- */
int xl__fig_d(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err)
{
    double DF = o->DF;
    if (!(DF > 0)) {
        /* the D_F reached by the most sizes */
        double dfs[64];
        size_t n = distinct(r, NULL, 1, -1, dfs, 64), best = 0;
        for (size_t j = 0; j < n; j++) {
            size_t cnt = 0;
            for (size_t i = 0; i < r->n_est; i++)
                cnt += same(r->est[i].DF, dfs[j]);
            if (cnt >= best)
                best = cnt, DF = dfs[j];
        }
    }
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
        fputs("# fine-tuned '", d), xl_gp_puts(d, r->cur[c].name, 0), fputs("' at D_F: N loss\n", d);
        double Ns[64];
        size_t n = distinct(r, r->cur[c].name, 0, -1, Ns, 64);
        any = 0;
        for (size_t j = 0; j < n; j++) {
            /* seeds: mean loss */
            double sum = 0;
            size_t cnt = 0;
            for (size_t i = 0; i < r->n_est; i++)
                if (!strcmp(r->est[i].curriculum, r->cur[c].name) && same(r->est[i].N, Ns[j]) &&
                    same(r->est[i].DF, DF))
                    sum += r->est[i].loss, cnt++;
            if (cnt) {
                fprintf(d, "%.8g %.8g\n", Ns[j], sum / (double)cnt);
                any = 1;
            }
        }
        xl__fig_block(&f, any);
    }
    fprintf(f.gp.fp, "DFsize = %.8g\n", DF);
    cur_words(r, f.gp.fp);
    return xl__fig_finish(&f, xl__fig_template('d'), err);
}

/* ---- (e) ossification ------------------------------------------------------------------ */
int xl__fig_e(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err)
{
    const xl_curriculum_result *cr = pick_cur(r, o);
    fig f;
    int rc = xl__fig_open(&f, dir, "fig_e", err);
    if (rc)
        return rc;
    double Ns[64];
    size_t ns = cr ? distinct(r, cr->name, 0, -1, Ns, 64) : 0;
    for (size_t j = 0; j < ns; j++) {
        const xl_scratch_curve *c = xl_scratch_curve_for(r->scratch, Ns[j]);
        fprintf(f.dat.fp, "# N = %g: D_F  L_ft - L_scratch(D = D_F)\n", Ns[j]);
        int any = 0;
        double dfs[64];
        size_t nd = distinct(r, cr->name, 1, -1, dfs, 64);
        for (size_t q = 0; c && q < nd; q++)
            for (size_t i = 0; i < r->n_est; i++) {
                const xl_xfer_est *e = &r->est[i];
                if (strcmp(e->curriculum, cr->name) || !same(e->N, Ns[j]) || !same(e->DF, dfs[q]))
                    continue;
                double Ls = xl_scratch_curve_eval(c, e->DF);
                if (isfinite(Ls)) {
                    fprintf(f.dat.fp, "%.8g %.8g\n", e->DF, e->loss - Ls);
                    any = 1;
                }
            }
        xl__fig_block(&f, any);
    }
    series_words(f.gp.fp, Ns, ns);
    fputs("cur_name = ", f.gp.fp), xl_gp_quote(f.gp.fp, cr ? cr->name : ""), fputc('\n', f.gp.fp);
    return xl__fig_finish(&f, xl__fig_template('e'), err);
}

/* ---- (f) curricula side by side -------------------------------------------------------- */
int xl__fig_f(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err)
{
    (void)o;
    fig f;
    int rc = xl__fig_open(&f, dir, "fig_f", err);
    if (rc)
        return rc;
    static const char *names = "log-linear(interp) log-linear(fit) fit-the-fits loss-space";
    for (int e = 0; e < 4; e++) {
        fprintf(f.dat.fp, "# estimator %d: curriculum alpha lo hi beta lo hi\n", e);
        int any = 0;
        for (size_t c = 0; c < r->n_curricula; c++) {
            const xl_curriculum_result *cr = &r->cur[c];
            xl_param a, b;
            int ok;
            if (e < 2)
                ok = cr->law[e].ok, a = cr->law[e].alpha, b = cr->law[e].beta;
            else if (e == 2)
                ok = cr->ff.ok, a = cr->ff.alpha, b = cr->ff.beta;
            else
                ok = cr->loss_fit.ok, a = cr->loss_fit.alpha, b = cr->loss_fit.beta;
            if (!ok)
                continue;
            fprintf(f.dat.fp, "%zu %.6g %.6g %.6g %.6g %.6g %.6g\n", c, a.value,
                    isfinite(a.lo) ? a.lo : a.value, isfinite(a.hi) ? a.hi : a.value, b.value,
                    isfinite(b.lo) ? b.lo : b.value, isfinite(b.hi) ? b.hi : b.value);
            any = 1;
        }
        xl__fig_block(&f, any);
    }
    fprintf(f.gp.fp, "n_est = 4\nest_names = '%s'\nxtics_spec = '(", names);
    /* eval()'d by the template: only cleaned text goes between the quotes */
    for (size_t c = 0; c < r->n_curricula; c++) {
        fprintf(f.gp.fp, "%s\"", c ? ", " : "");
        xl_gp_puts(f.gp.fp, r->cur[c].name, 0);
        fprintf(f.gp.fp, "\" %zu", c);
    }
    fprintf(f.gp.fp, ")'\n");
    cur_words(r, f.gp.fp);
    return xl__fig_finish(&f, xl__fig_template('f'), err);
}

/* ---- (g) residuals --------------------------------------------------------------------- */
int xl__fig_g(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err)
{
    const xl_curriculum_result *cr = pick_cur(r, o);
    fig f;
    int rc = xl__fig_open(&f, dir, "fig_g", err);
    if (rc)
        return rc;
    for (int b = 0; b < 3; b++) {
        const xl_law_fit *lf = !cr ? NULL : b < 2 ? &cr->law[b] : &cr->loss_fit;
        fprintf(f.dat.fp, "# %s residuals: %s\n", b < 2 ? xl_estimator_name(b) : "loss-space",
                b < 2 ? "N log(D_T) - fit" : "D_F log(L) - fit");
        int any = 0;
        for (size_t i = 0; lf && lf->ok && lf->resid && i < r->n_est; i++)
            if (isfinite(lf->resid[i])) {
                fprintf(f.dat.fp, "%.8g %.8g\n", b < 2 ? r->est[i].N : r->est[i].DF, lf->resid[i]);
                any = 1;
            }
        xl__fig_block(&f, any);
    }
    fputs("cur_name = ", f.gp.fp), xl_gp_quote(f.gp.fp, cr ? cr->name : ""), fputc('\n', f.gp.fp);
    return xl__fig_finish(&f, xl__fig_template('g'), err);
}
