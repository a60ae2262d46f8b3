/* The HTML report: no external resources, so the file can be mailed or archived alone.
 * Order: the verdict (what the numbers mean), the sweep, the fits, the figures, then the
 * material behind them (from-scratch model, every run, provenance). */
#include "report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *xl_base64(const unsigned char *d, size_t n)
{
    static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc(4 * ((n + 2) / 3) + 1), *p = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0) |
                     (i + 2 < n ? d[i + 2] : 0);
        *p++ = T[v >> 18 & 63];
        *p++ = T[v >> 12 & 63];
        *p++ = i + 1 < n ? T[v >> 6 & 63] : '=';
        *p++ = i + 2 < n ? T[v & 63] : '=';
    }
    *p = 0;
    return out;
}

void xl__esc(FILE *fp, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '&': fputs("&amp;", fp); break;
        case '"': fputs("&quot;", fp); break;
        default: fputc(*s, fp);
        }
    }
}

void xl__num(FILE *fp, double v)
{
    char b[96];
    xl_fmt_num(v, 3, XL_FMT_HTML, b, sizeof b);
    fputs(b, fp);
}

void xl__td(FILE *fp, double v)
{
    fputs("<td>", fp);
    xl__num(fp, v);
    fputs("</td>", fp);
}

/* "v [lo, hi]", the interval in grey; in_ci: already inside a grey span */
static void interval(FILE *fp, double v, double lo, double hi, int in_ci)
{
    xl__num(fp, v);
    fputs(in_ci ? " [" : " <span class=ci>[", fp);
    xl__num(fp, lo);
    fputs(", ", fp);
    xl__num(fp, hi);
    fputs("]</span>", fp);
}

/* A parameter cell; flagged ones say so first and keep the numbers small and grey, so
 * they are not read as a measurement. */
void xl__pcell(FILE *fp, const xl_param *p, unsigned flags)
{
    fputs(flags ? "<td class=flagged>" : "<td>", fp);
    if (flags) {
        char f[80];
        xl_param_flags_str(flags, f, sizeof f);
        fprintf(fp, "<span class=flag>flagged: %s</span><br><span class=ci>", f);
    }
    interval(fp, p->value, p->lo, p->hi, flags != 0);
    fputs("</td>", fp);
}

static void law_row(FILE *fp, const char *method, const xl_param *k, const xl_param *a,
                    const xl_param *b, size_t n, int ok, const xl_xfer_opts *o)
{
    fprintf(fp, "<tr><td>%s</td><td>%zu</td>", method, n);
    if (!ok) {
        fputs("<td colspan=3>not fitted (too few usable runs)</td></tr>\n", fp);
        return;
    }
    xl__pcell(fp, k, xl_param_flags_scale(k, o->verdict_decades));
    xl__pcell(fp, a, xl_param_flags_exponent(a, o->verdict_width));
    xl__pcell(fp, b, xl_param_flags_exponent(b, o->verdict_width));
    fputs("</tr>\n", fp);
}

/* dir: where the page says the figure is; src: where its PNG is read now (a staging
 * folder while the command runs) */
static void figure(FILE *fp, const char *dir, const char *src, const xl_plot_output *pl,
                   size_t i)
{
    const char *name = pl->name[i];
    fprintf(fp, "<figure id=\"%s\"><figcaption><b>", name);
    xl__esc(fp, pl->title[i]);
    fputs(".</b> ", fp);
    xl__esc(fp, pl->caption[i]);
    fputs("</figcaption>\n", fp);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.png", src, name);
    char *data = NULL;
    size_t n = 0;
    if (pl->rendered[i] && xl_read_file(path, &data, &n, NULL) == 0) {
        char *b = xl_base64((const unsigned char *)data, n);
        if (b) {
            fputs("<img alt=\"", fp);
            xl__esc(fp, pl->title[i]);
            fputs(": ", fp);
            xl__esc(fp, pl->caption[i]);
            fprintf(fp, "\" src=\"data:image/png;base64,%s\">\n", b);
        }
        free(b);
        free(data);
    } else {
        /* the real reason: gnuplot absent, disabled, or (figures being rendered) unreadable */
        fputs("<p class=note>Not rendered (", fp);
        xl__esc(fp, pl->gnuplot ? "the PNG could not be read" : pl->why_not[0] ? pl->why_not
                                                                           : "gnuplot not used");
        fputs("); the script is ", fp);
        xl__esc(fp, dir);
        fprintf(fp, "/%s.gp.</p>\n", name);
    }
    fprintf(fp, "</figure>\n");
}

static const char CSS[] =
    "body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
    "color:#222;line-height:1.4}"
    "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}"
    ".wrap{max-width:100%;overflow-x:auto}"
    "table{border-collapse:collapse;margin:.8em 0;font-size:.88em}"
    "td,th{border:1px solid #ddd;padding:.25em .5em;text-align:right;vertical-align:top}"
    "th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
    ".ci{color:#666;font-size:.9em;white-space:nowrap}.note{color:#555}"
    "figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}"
    "figcaption{margin-bottom:.4em}code{background:#f5f5f5;padding:0 .2em;overflow-wrap:anywhere}"
    ".flag{color:#B23B00;font-weight:bold}td.flagged .ci{color:#999}"
    ".verdict{border-left:6px solid #888;padding:.3em 1em;background:#fafafa}"
    ".verdict.yes{border-color:#009E73}.verdict.no{border-color:#D55E00}"
    ".runs td{white-space:nowrap}.runs td.fl{white-space:normal;color:#B23B00;text-align:left}"
    "details{margin:1em 0}table.vt td,table.vt .ci{white-space:normal}table.vt{font-size:.85em}"
    "table.kv td{text-align:left}";

/* The verdict's sentences (the library's text, as on transfer's stdout) and its table. */
static void verdict(FILE *fp, const xl_transfer_result *r)
{
    const xl_verdict *v = &r->verdict;
    int all = v->n_cur && v->n_measured == v->n_cur;
    fprintf(fp, "<h2 id=verdict>Verdict</h2>\n<div class=\"verdict %s\">\n", all ? "yes" : "no");
    int in_list = 0;
    for (const char *p = v->text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *line = strndup(p, n);
        if (line && line[0] == '-' && line[1] == ' ') {
            fputs(in_list ? "<li>" : "<ul><li>", fp);
            in_list = 1;
            xl__esc(fp, line + 2);
            fputs("</li>\n", fp);
        } else if (line) {
            if (in_list)
                fputs("</ul>\n", fp);
            in_list = 0;
            fputs(p == v->text ? "<p><b>" : "<p>", fp);
            xl__esc(fp, line);
            fputs(p == v->text ? "</b></p>\n" : "</p>\n", fp);
        }
        free(line);
        p += n + (e != NULL);
    }
    if (in_list)
        fputs("</ul>\n", fp);
    fputs("</div>\n", fp);
    fprintf(fp, "<p class=note>D<sub>T</sub> = k&middot;D<sub>F</sub><sup>&alpha;</sup>&middot;N<sup>&beta;</sup>, "
                "log-linear fit on the %s estimator, 95%% intervals. Measured means: every interval finite, "
                "k's spanning at most %g decades, &alpha;'s and &beta;'s at most %g wide, at least %zu fitted runs "
                "(and half of them) without any flag, three or more model sizes and D<sub>F</sub> values.</p>\n",
            xl_estimator_name(v->est), v->decades, v->width, v->min_clean);
    fputs("<div class=wrap><table class=vt><tr><th>curriculum</th><th>law measured</th><th>runs fitted / without flags</th>"
          "<th>k</th><th>&alpha;</th><th>&beta;</th><th>Hernandez et al. k, &alpha;, &beta;</th></tr>\n", fp);
    for (size_t i = 0; i < v->n_cur; i++) {
        const xl_verdict_cur *vc = &v->cur[i];
        fputs("<tr><td><code>", fp);
        xl__esc(fp, vc->name);
        fprintf(fp, "</code></td><td>%s</td><td>%zu / %zu</td>", vc->measured ? "yes" : "<span class=flag>no</span>",
                vc->n_used, vc->n_clean);
        if (vc->fit_ok) {
            xl__pcell(fp, &vc->k, vc->k_flags);
            xl__pcell(fp, &vc->alpha, vc->alpha_flags);
            xl__pcell(fp, &vc->beta, vc->beta_flags);
        } else {
            fputs("<td colspan=3>not fitted</td>", fp);
        }
        if (vc->ref) {
            fputs("<td>", fp);
            xl__num(fp, vc->ref->k);
            fputs(", ", fp);
            xl__num(fp, vc->ref->alpha);
            fputs(", ", fp);
            xl__num(fp, vc->ref->beta);
            fputs(" <span class=ci>(", fp);
            xl__esc(fp, vc->ref->name);
            fputs(")</span></td></tr>\n", fp);
        } else {
            fputs("<td>&ndash;</td></tr>\n", fp);
        }
    }
    fputs("</table></div>\n", fp);
}

static void fits(FILE *fp, const xl_transfer_result *r)
{
    const xl_xfer_opts *o = &r->opts;
    fprintf(fp, "<h2>Transfer fits</h2>\n<p class=note>Every method, 95%% intervals in brackets (%s); "
                "flagged numbers are not measurements.</p>\n",
            o->bootstrap ? "pipeline bootstrap: runs resampled, every step redone" : "&plusmn;1.96 standard errors");
    for (size_t c = 0; c < r->n_curricula; c++) {
        const xl_curriculum_result *cr = &r->cur[c];
        fprintf(fp, "<h3>Curriculum <code>");
        xl__esc(fp, cr->name);
        fprintf(fp, "</code> (%zu fine-tuned runs)</h3>\n<div class=wrap><table><tr><th>method</th><th>runs</th><th>k</th>"
                    "<th>&alpha;</th><th>&beta;</th></tr>\n", cr->n_runs);
        law_row(fp, "log-linear on D<sub>T</sub>, interpolation estimator", &cr->law[0].k,
                &cr->law[0].alpha, &cr->law[0].beta, cr->law[0].n, cr->law[0].ok, o);
        law_row(fp, "log-linear on D<sub>T</sub>, fitted-L(N,D) estimator", &cr->law[1].k,
                &cr->law[1].alpha, &cr->law[1].beta, cr->law[1].n, cr->law[1].ok, o);
        law_row(fp, "fit the fits: logit(D<sub>T</sub>/D<sub>E</sub>) vs log N per D<sub>F</sub>",
                &cr->ff.k, &cr->ff.alpha, &cr->ff.beta, cr->ff.n, cr->ff.ok, o);
        law_row(fp, "loss space: L = L<sub>scratch</sub>(N, D<sub>F</sub> + D<sub>T</sub>)",
                &cr->loss_fit.k, &cr->loss_fit.alpha, &cr->loss_fit.beta, cr->loss_fit.n,
                cr->loss_fit.ok, o);
        fputs("</table></div>\n", fp);
        for (size_t a = 0; a < o->n_at; a++) {
            fputs("<p>At N = ", fp);
            xl__num(fp, o->at_N[a]);
            fputs(", D<sub>F</sub> = ", fp);
            xl__num(fp, o->at_DF[a]);
            fputs(": data multiplier D<sub>E</sub>/D<sub>F</sub> = ", fp);
            interval(fp, cr->at_mult[a], cr->at_mult_lo[a], cr->at_mult_hi[a], 0);
            fputs(", fraction from transfer ", fp);
            xl__num(fp, cr->at_frac[a]);
            fputs(".</p>\n", fp);
        }
    }
}

static void tests_table(FILE *fp, const xl_compare_test *t)
{
    fputs("<div class=wrap><table><tr><th>parameter(s) differ</th><th>F</th><th>df</th><th>p</th></tr>\n", fp);
    for (int i = 0; i < 3; i++) {
        fprintf(fp, "<tr><td>%s</td>", t[i].what);
        xl__td(fp, t[i].F);
        fprintf(fp, "<td>%g, %g</td>", t[i].df1, t[i].df2);
        xl__td(fp, t[i].p);
        fputs("</tr>\n", fp);
    }
    fputs("</table></div>\n", fp);
}

static void compare(FILE *fp, const xl_transfer_result *r)
{
    if (r->compare_ok) {
        fprintf(fp, "<h2>Curricula compared</h2>\n<p>F-tests of nested least-squares fits of log D<sub>T</sub> "
                    "(%s estimator); H<sub>0</sub>: the exponent is shared. Joint fit with &beta; shared: &beta; = ",
                xl_estimator_name(r->compare_est));
        xl__num(fp, r->shared_beta);
        fputs(" (se ", fp);
        xl__num(fp, r->shared_beta_se);
        fputs(").</p>\n", fp);
        tests_table(fp, r->tests);
    }
    if (r->compare_loss_ok) {
        fputs("<p>The same tests in loss space (nested nonlinear fits of the fine-tuned log loss, "
              "Kaplan parameters fixed); joint fit with &beta; shared: &beta; = ", fp);
        xl__num(fp, r->shared_beta_loss);
        fputs(" (se ", fp);
        xl__num(fp, r->shared_beta_loss_se);
        fputs(").</p>\n", fp);
        tests_table(fp, r->tests_loss);
    }
}

static void compute(FILE *fp, const xl_transfer_result *r)
{
    if (!r->n_compute)
        return;
    fputs("<h2>Compute to reach loss ", fp);
    xl__num(fp, r->opts.target_loss);
    fputs("</h2>\n<p class=note>FLOPs = 6&middot;N&middot;D; fine-tuning law of <code>", fp);
    xl__esc(fp, r->compute_curriculum);
    fputs("</code>. Least compute from scratch at N = ", fp);
    xl__num(fp, r->compute[r->compute_best_scratch].N);
    fputs("; fine-tuning (pre-training not counted) at N = ", fp);
    xl__num(fp, r->compute[r->compute_best_flops].N);
    fputs("; least fine-tuning data at N = ", fp);
    xl__num(fp, r->compute[r->compute_least_df].N);
    fputs(".</p>\n<div class=wrap><table><tr><th>N</th><th>D scratch</th><th>D<sub>F</sub></th><th>FLOPs scratch</th>"
          "<th>FLOPs fine-tune</th><th>+ pre-training</th></tr>\n", fp);
    for (size_t i = 0; i < r->n_compute; i++) {
        const xl_compute_row *w = &r->compute[i];
        double v[6] = {w->N, w->D_scratch, w->DF, w->flops_scratch, w->flops_ft, w->flops_ft_pre};
        fputs("<tr>", fp);
        for (int j = 0; j < 6; j++)
            xl__td(fp, v[j]);
        fputs("</tr>\n", fp);
    }
    fputs("</table></div>\n", fp);
}

int xl_report_write(const char *path, const xl_transfer_result *r, const xl_plot_output *plots,
                    const xl_report_opts *o, xl_error *err)
{
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    FILE *fp = af.fp;
    const char *title = o && o->title ? o->title : "xferlaw transfer report";
    fprintf(fp, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
                "<meta name=viewport content=\"width=device-width, initial-scale=1\"><title>");
    xl__esc(fp, title);
    fprintf(fp, "</title><style>%s</style></head><body>\n<h1>", CSS);
    xl__esc(fp, title);
    fprintf(fp, "</h1>\n<p>Effective data transferred (Hernandez et al. 2021): a model of size N fine-tuned "
                "on D<sub>F</sub> tokens reaches the loss that the same N trained from scratch reaches "
                "with D<sub>E</sub> = D<sub>F</sub> + D<sub>T</sub> tokens; the law is "
                "D<sub>T</sub> = k&middot;D<sub>F</sub><sup>&alpha;</sup>&middot;N<sup>&beta;</sup>, "
                "fitted where D<sub>F</sub> &le; %g&middot;D(N).</p>\n",
            r->opts.low_data_frac);
    if (o && o->note) {
        fputs("<p class=note>", fp);
        xl__esc(fp, o->note);
        fputs("</p>\n", fp);
    }
    verdict(fp, r);
    xl__report_sweep(fp, r);
    fits(fp, r);
    compare(fp, r);
    compute(fp, r);
    if (plots && plots->n) {
        fputs("<h2>Figures</h2>\n", fp);
        for (size_t i = 0; i < plots->n; i++)
            figure(fp, o && o->plot_dir ? o->plot_dir : ".",
                   o && o->plot_src ? o->plot_src : o && o->plot_dir ? o->plot_dir : ".", plots, i);
    }
    xl__report_scratch(fp, r);
    xl__report_runs(fp, r);
    xl__report_provenance(fp, r, plots, o);
    fputs("</body></html>\n", fp);
    return xl_afile_commit(&af, err);
}
