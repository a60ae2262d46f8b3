/* Jump plots: measurements, the smooth and the broken fit back on the measured scale,
 * and the break with its interval. */
#include "xferlaw/matrix.h"

#include <math.h>
#include <string.h>

#define gp_str xl_gp_quote /* the strict escaper: labels are never code */

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static double back(const xl_jumps_options *o, const xl_jumps_result *r, double e)
{
    return o->kind == XL_JUMPS_ACC ? r->scale * (1 - e) : e;
}

int xl_jumps_plot(const char *base, const char *title, const char *xlabel, const char *ylabel,
                  const double *x, const double *y, size_t n, const xl_jumps_options *o,
                  const xl_jumps_result *r, int *rendered, xl_error *err)
{
    *rendered = 0;
    char dat[4096], fits[4096], gp[4096];
    snprintf(dat, sizeof dat, "%s.dat", base);
    snprintf(fits, sizeof fits, "%s.fits.dat", base);
    snprintf(gp, sizeof gp, "%s.gp", base);
    xl_afile af;
    int rc = xl_afile_open(&af, dat, err);
    if (rc)
        return rc;
    fprintf(af.fp, "# x y\n");
    for (size_t i = 0; i < n; i++)
        fprintf(af.fp, "%.10g %.10g\n", x[i], y[i]);
    if ((rc = xl_afile_commit(&af, err)) || (rc = xl_afile_open(&af, fits, err)))
        return rc;
    fprintf(af.fp, "# x smooth broken\n");
    double lo = log(r->xmin) - 0.1 * log(r->xmax / r->xmin), hi = log(r->xmax) + 0.1 * log(r->xmax / r->xmin);
    for (int k = 0; k <= 300; k++) {
        double xv = exp(lo + (hi - lo) * k / 300.0);
        double s = xl_fit_eval(r->smooth, &xv, NULL), b = xl_fit_eval(r->broken, &xv, NULL);
        fprintf(af.fp, "%.10g %.10g %.10g\n", xv, back(o, r, s), back(o, r, b));
    }
    if ((rc = xl_afile_commit(&af, err)) || (rc = xl_afile_open(&af, gp, err)))
        return rc;
    FILE *fp = af.fp;
    const double *ci = r->d_ci;
    fprintf(fp, "# written by xferlaw jumps\nset terminal pngcairo size 820,520 font 'sans,10'\n");
    fprintf(fp, "set output "), gp_str(fp, base_name(base)), fprintf(fp, ".'.png'\n");
    fprintf(fp, "set xlabel "), gp_str(fp, xlabel), fprintf(fp, " noenhanced\nset ylabel ");
    gp_str(fp, ylabel), fprintf(fp, " noenhanced");
    fprintf(fp, "\nset logscale x\nset format x '10^{%%L}'\nset key left top box opaque\n");
    fprintf(fp, "set xrange [%.6g:%.6g]\nset grid lc rgb '#dddddd'\n", exp(lo), exp(hi));
    /* the y range follows the data (a smooth law far off the data must not squash it) */
    double ylo = HUGE_VAL, yhi = -HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        ylo = fmin(ylo, y[i]);
        yhi = fmax(yhi, y[i]);
    }
    if (o->kind == XL_JUMPS_LOSS) {
        fprintf(fp, "set logscale y\nset yrange [%.6g:%.6g]\n", ylo / 1.3, yhi * 1.3);
    } else {
        double pad = 0.08 * (yhi - ylo > 0 ? yhi - ylo : 0.1 * r->scale);
        fprintf(fp, "set yrange [%.6g:%.6g]\n", fmax(ylo - pad, -0.02 * r->scale),
                fmin(yhi + pad, 1.02 * r->scale));
    }
    fprintf(fp, "set object 1 rect from %.10g, graph 0 to %.10g, graph 1 fc rgb '#d8daeb' "
                "fs solid 0.6 noborder behind\n", ci[0], ci[1]);
    fprintf(fp, "set arrow 1 from %.10g, graph 0 to %.10g, graph 1 nohead lc rgb '#542788' "
                "dt 2 lw 1.5\n", r->d, r->d);
    char full[512], fd[64], f0[64], f1[64];
    xl_fmt_num(r->d, 2, XL_FMT_UTF8, fd, sizeof fd);
    xl_fmt_num(ci[0], 2, XL_FMT_UTF8, f0, sizeof f0);
    xl_fmt_num(ci[1], 2, XL_FMT_UTF8, f1, sizeof f1);
    double dbic = r->bic_smooth - r->bic_broken;
    snprintf(full, sizeof full, "break at %s (95%% CI %s to %s): %s, BIC prefers the %s by %.1f",
             fd, f0, f1, r->supported ? "jump supported" : "no jump supported",
             dbic > 0 ? "break" : "smooth law", fabs(dbic));
    /* two lines: the (escaped) title, "\n" as a gnuplot string of our own, the verdict */
    fprintf(fp, "set title "), gp_str(fp, title), fprintf(fp, ".\"\\n\"."), gp_str(fp, full);
    fprintf(fp, " noenhanced\n");
    /* Okabe-Ito: orange for the smooth law, blue for the broken one, black points */
    fprintf(fp, "plot "), gp_str(fp, base_name(fits));
    fprintf(fp, " using 1:2 with lines lw 2 lc rgb '#E69F00' title 'smooth (");
    xl_gp_puts(fp, o->smooth_law, 0);
    fprintf(fp, ")', \\\n     ");
    gp_str(fp, base_name(fits));
    fprintf(fp, " using 1:3 with lines lw 2 lc rgb '#0072B2' title 'broken power law (bnsl:1)', \\\n     ");
    gp_str(fp, base_name(dat));
    fprintf(fp, " using 1:2 with points pt 7 ps 0.9 lc rgb 'black' title 'measured', \\\n"
                "     NaN with lines dt 2 lw 1.5 lc rgb '#542788' title 'break', \\\n"
                "     NaN with boxes fs solid 0.6 noborder fc rgb '#d8daeb' title 'break, 95%% CI'\n");
    if ((rc = xl_afile_commit(&af, err)))
        return rc;
    char png[4200];
    snprintf(png, sizeof png, "%s.png", base_name(base));
    return xl_gnuplot_render(gp, png, rendered, err);
}
