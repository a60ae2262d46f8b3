/* The HTML report: no external resources, so the file can be mailed or archived alone. */
#include "xferlaw/report.h"

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

static void esc(FILE *fp, const char *s)
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

static void num(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, "%.4g", v);
    else
        fputs(isnan(v) ? "&ndash;" : (v > 0 ? "&infin;" : "&minus;&infin;"), fp);
}

static void pcell(FILE *fp, const xl_param *p)
{
    fputs("<td>", fp);
    num(fp, p->value);
    fputs(" <span class=ci>[", fp);
    num(fp, p->lo);
    fputs(", ", fp);
    num(fp, p->hi);
    fputs("]</span></td>", fp);
}

static void law_row(FILE *fp, const char *method, const xl_param *k, const xl_param *a,
                    const xl_param *b, size_t n, int ok)
{
    fprintf(fp, "<tr><td>%s</td><td>%zu</td>", method, n);
    if (!ok) {
        fputs("<td colspan=3>not fitted (too few usable runs)</td></tr>\n", fp);
        return;
    }
    pcell(fp, k);
    pcell(fp, a);
    pcell(fp, b);
    fputs("</tr>\n", fp);
}

static void figure(FILE *fp, const char *dir, const char *name, const char *title, int rendered,
                   int have_gnuplot)
{
    fprintf(fp, "<figure><figcaption>");
    esc(fp, title);
    fprintf(fp, " <span class=ci>(%s)</span></figcaption>\n", name);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    char *data = NULL;
    size_t n = 0;
    if (rendered && xl_read_file(path, &data, &n, NULL) == 0) {
        char *b = xl_base64((const unsigned char *)data, n);
        if (b)
            fprintf(fp, "<img alt=\"%s\" src=\"data:image/png;base64,%s\">\n", name, b);
        free(b);
        free(data);
    } else {
        fprintf(fp, "<p class=note>Not rendered (%s); the script is ",
                have_gnuplot ? "gnuplot failed, see gnuplot.log beside it" : "gnuplot missing");
        esc(fp, dir);
        fprintf(fp, "/%s.gp.</p>\n", name);
    }
    fprintf(fp, "</figure>\n");
}

static const char CSS[] =
    "body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
    "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}"
    "table{border-collapse:collapse;margin:.8em 0;font-size:.92em}"
    "td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}th{background:#f3f3f3}"
    "td:first-child,th:first-child{text-align:left}.ci{color:#666;font-size:.9em}"
    ".note{color:#555}figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #eee}"
    "figcaption{font-weight:bold;margin-bottom:.4em}code{background:#f5f5f5;padding:0 .2em}"
    ".flag{color:#D55E00}";

int xl_report_write(const char *path, const xl_transfer_result *r, const xl_plot_output *plots,
                    const xl_report_opts *o, xl_error *err)
{
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    FILE *fp = af.fp;
    const char *title = o && o->title ? o->title : "xferlaw transfer report";
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    fprintf(fp, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>");
    esc(fp, title);
    fprintf(fp, "</title><style>%s</style></head><body>\n<h1>", CSS);
    esc(fp, title);
    fprintf(fp, "</h1>\n<p>Effective data transferred (Hernandez et al. 2021): a model of size N fine-tuned "
                "on D<sub>F</sub> tokens reaches the loss that the same N trained from scratch reaches "
                "with D<sub>E</sub> = D<sub>F</sub> + D<sub>T</sub> tokens; the law is "
                "D<sub>T</sub> = k&middot;D<sub>F</sub><sup>&alpha;</sup>&middot;N<sup>&beta;</sup>, "
                "fitted where D<sub>F</sub> &le; %g&middot;D(N).</p>\n",
            r->opts.low_data_frac);
    if (o && o->note) {
        fputs("<p class=note>", fp);
        esc(fp, o->note);
        fputs("</p>\n", fp);
    }

    /* ---- fits -------------------------------------------------------------------------- */
    fprintf(fp, "<h2>Transfer fits</h2>\n<p class=note>95%% intervals in brackets (%s). "
                "Hernandez et al. found text&rarr;python k = 1.9e4, &alpha; = 0.18, &beta; = 0.38 and "
                "50/50 text+code&rarr;python k = 2.1e5, &alpha; = 0.096, &beta; = 0.38.</p>\n",
            r->opts.bootstrap ? "pipeline bootstrap: runs resampled, every step redone" : "&plusmn;1.96 standard errors");
    for (size_t c = 0; c < r->n_curricula; c++) {
        const xl_curriculum_result *cr = &r->cur[c];
        fprintf(fp, "<h3>Curriculum <code>");
        esc(fp, cr->name);
        fprintf(fp, "</code> (%zu fine-tuned runs)</h3>\n<table><tr><th>method</th><th>n</th><th>k</th>"
                    "<th>&alpha;</th><th>&beta;</th></tr>\n", cr->n_runs);
        law_row(fp, "log-linear on D<sub>T</sub>, interpolation estimator", &cr->law[0].k,
                &cr->law[0].alpha, &cr->law[0].beta, cr->law[0].n, cr->law[0].ok);
        law_row(fp, "log-linear on D<sub>T</sub>, fitted-L(N,D) estimator", &cr->law[1].k,
                &cr->law[1].alpha, &cr->law[1].beta, cr->law[1].n, cr->law[1].ok);
        law_row(fp, "fit the fits: logit(D<sub>T</sub>/D<sub>E</sub>) vs log N per D<sub>F</sub>",
                &cr->ff.k, &cr->ff.alpha, &cr->ff.beta, cr->ff.n, cr->ff.ok);
        law_row(fp, "loss space: L = L<sub>scratch</sub>(N, D<sub>F</sub> + D<sub>T</sub>)",
                &cr->loss_fit.k, &cr->loss_fit.alpha, &cr->loss_fit.beta, cr->loss_fit.n,
                cr->loss_fit.ok);
        fputs("</table>\n", fp);
        for (size_t a = 0; a < r->opts.n_at; a++) {
            fprintf(fp, "<p>At N = %.4g, D<sub>F</sub> = %.4g: data multiplier D<sub>E</sub>/D<sub>F</sub> = ",
                    r->opts.at_N[a], r->opts.at_DF[a]);
            num(fp, cr->at_mult[a]);
            fputs(" <span class=ci>[", fp);
            num(fp, cr->at_mult_lo[a]);
            fputs(", ", fp);
            num(fp, cr->at_mult_hi[a]);
            fprintf(fp, "]</span>, fraction from transfer %.3f.</p>\n", cr->at_frac[a]);
        }
    }
    if (r->compare_ok) {
        fprintf(fp, "<h2>Curricula compared</h2>\n<p>F-tests of nested least-squares fits of log D<sub>T</sub> "
                    "(%s estimator); H<sub>0</sub>: the exponent is shared. Joint fit with &beta; shared: "
                    "&beta; = %.4f (se %.3g).</p>\n<table><tr><th>differ</th><th>F</th><th>df</th><th>p</th></tr>\n",
                xl_estimator_name(r->compare_est), r->shared_beta, r->shared_beta_se);
        for (int t = 0; t < 3; t++)
            fprintf(fp, "<tr><td>%s</td><td>%.4g</td><td>%g, %g</td><td>%.4g</td></tr>\n",
                    r->tests[t].what, r->tests[t].F, r->tests[t].df1, r->tests[t].df2, r->tests[t].p);
        fputs("</table>\n", fp);
    }
    if (r->compare_loss_ok) {
        fprintf(fp, "<p>The same tests in loss space (nested nonlinear fits of the fine-tuned log loss, "
                    "Kaplan parameters fixed); joint fit with &beta; shared: &beta; = %.4f (se %.3g).</p>\n"
                    "<table><tr><th>differ</th><th>F</th><th>df</th><th>p</th></tr>\n",
                r->shared_beta_loss, r->shared_beta_loss_se);
        for (int t = 0; t < 3; t++)
            fprintf(fp, "<tr><td>%s</td><td>%.4g</td><td>%g, %g</td><td>%.4g</td></tr>\n",
                    r->tests_loss[t].what, r->tests_loss[t].F, r->tests_loss[t].df1,
                    r->tests_loss[t].df2, r->tests_loss[t].p);
        fputs("</table>\n", fp);
    }
    if (r->n_compute) {
        fprintf(fp, "<h2>Compute to reach loss %.4g</h2>\n<p class=note>FLOPs = 6&middot;N&middot;D; "
                    "fine-tuning law of <code>", r->opts.target_loss);
        esc(fp, r->compute_curriculum);
        fprintf(fp, "</code>. Least compute from scratch at N = %.4g; fine-tuning (pre-training not counted) "
                    "at N = %.4g; least fine-tuning data at N = %.4g.</p>\n<table><tr><th>N</th><th>D scratch</th>"
                    "<th>D<sub>F</sub></th><th>FLOPs scratch</th><th>FLOPs fine-tune</th><th>+ pre-training</th></tr>\n",
                r->compute[r->compute_best_scratch].N, r->compute[r->compute_best_flops].N,
                r->compute[r->compute_least_df].N);
        for (size_t i = 0; i < r->n_compute; i++) {
            const xl_compute_row *w = &r->compute[i];
            double v[6] = {w->N, w->D_scratch, w->DF, w->flops_scratch, w->flops_ft, w->flops_ft_pre};
            fputs("<tr>", fp);
            for (int j = 0; j < 6; j++) {
                fputs("<td>", fp);
                num(fp, v[j]);
                fputs("</td>", fp);
            }
            fputs("</tr>\n", fp);
        }
        fputs("</table>\n", fp);
    }

    /* ---- figures ----------------------------------------------------------------------- */
    if (plots && plots->n) {
        fputs("<h2>Figures</h2>\n", fp);
        for (size_t i = 0; i < plots->n; i++)
            figure(fp, o && o->plot_dir ? o->plot_dir : ".", plots->name[i], plots->title[i],
                   plots->rendered[i], plots->gnuplot);
    }

    /* ---- from-scratch model ------------------------------------------------------------- */
    const xl_scratch_model *m = r->scratch;
    fprintf(fp, "<h2>From-scratch model</h2>\n<p>Joint Kaplan fit L(N,D) = [(N<sub>c</sub>/N)<sup>&alpha;<sub>N</sub>/&alpha;<sub>D</sub></sup> "
                "+ D<sub>c</sub>/D]<sup>&alpha;<sub>D</sub></sup> on %zu runs%s; rms of log residuals ",
            m->n_points, m->kap_ok ? "" : " (did not converge)");
    num(fp, m->kap_rms);
    fputs(".</p>\n<table><tr><th>parameter</th><th>value [95%]</th><th>Kaplan et al. 2020</th></tr>\n", fp);
    static const char *kn[4] = {"N<sub>c</sub>", "D<sub>c</sub>", "&alpha;<sub>N</sub>", "&alpha;<sub>D</sub>"};
    static const double kv[4] = {6.4e13, 1.8e13, 0.076, 0.103};
    for (int i = 0; i < 4 && m->kap_ok; i++) {
        fprintf(fp, "<tr><td>%s</td>", kn[i]);
        pcell(fp, &m->kap_p[i]);
        fprintf(fp, "<td>%g</td></tr>\n", kv[i]);
    }
    fputs("</table>\n<table><tr><th>N</th><th>runs</th><th>D(N), joint fit</th><th>D(N), per-N fit</th>"
          "<th>L&infin; per-N</th><th>&alpha;<sub>D</sub> per-N</th></tr>\n", fp);
    for (size_t i = 0; i < m->n_sizes; i++) {
        const xl_scratch_curve *c = &m->c[i];
        double v[4] = {xl_scratch_dn(m, c->N, r->opts.within), c->DN_perN, c->Linf, c->aD};
        fprintf(fp, "<tr><td>%.4g</td><td>%zu</td>", c->N, c->n_raw);
        for (int j = 0; j < 4; j++) {
            fputs("<td>", fp);
            num(fp, v[j]);
            fputs("</td>", fp);
        }
        fputs("</tr>\n", fp);
    }
    fputs("</table>\n", fp);

    /* ---- the runs ----------------------------------------------------------------------- */
    fprintf(fp, "<h2>Fine-tuned runs</h2>\n<p class=note>D<sub>E</sub> and D<sub>T</sub> by interpolation "
                "of the measured from-scratch curve (monotone Steffen spline in log D) and by inversion of "
                "the fitted L(N,D). Flags: above/below_range (outside the measured curve), unbounded (below "
                "the fitted asymptote), high_data (D<sub>F</sub> &gt; %g&middot;D(N)), flat (D<sub>E</sub> &gt; D(N): the scratch curve is "
                "within 1%% of its asymptote there, so loss noise swamps the inverse), disagree (estimators "
                "differ by more than %g&times;); flagged runs are left out of the fits unless asked.</p>\n"
                "<table><tr><th>curriculum</th><th>line</th><th>N</th><th>D<sub>F</sub></th><th>loss</th>"
                "<th>D<sub>E</sub> interp</th><th>D<sub>T</sub> interp</th><th>D<sub>E</sub> fit</th>"
                "<th>D<sub>T</sub> fit</th><th>flags</th><th>fitted</th></tr>\n",
            r->opts.low_data_frac, r->opts.disagree);
    for (size_t i = 0; i < r->n_est; i++) {
        const xl_xfer_est *e = &r->est[i];
        fputs("<tr><td>", fp);
        esc(fp, e->curriculum);
        fprintf(fp, "</td><td>%ld</td>", r->runs->line[e->run]);
        double v[7] = {e->N, e->DF, e->loss, e->DE[0], e->DT[0], e->DE[1], e->DT[1]};
        for (int j = 0; j < 7; j++) {
            fputs("<td>", fp);
            num(fp, v[j]);
            fputs("</td>", fp);
        }
        char f0[160], f1[160];
        xl_xfer_flags_str(e->flags[0] | e->common, f0, sizeof f0);
        xl_xfer_flags_str(e->flags[1] | e->common, f1, sizeof f1);
        fprintf(fp, "<td class=flag>%s%s%s%s</td><td>%s</td></tr>\n", f0[0] ? "interp: " : "", f0,
                f1[0] ? " fit: " : "", f1,
                e->used[0] && e->used[1] ? "both" : e->used[0] ? "interp" : e->used[1] ? "fit" : "no");
    }
    fputs("</table>\n<details><summary>From-scratch runs</summary>\n<table><tr><th>line</th><th>N</th>"
          "<th>D</th><th>loss</th></tr>\n", fp);
    for (size_t i = 0; i < r->runs->n; i++)
        if (!strcmp(r->runs->curriculum[i], "scratch"))
            fprintf(fp, "<tr><td>%ld</td><td>%.4g</td><td>%.4g</td><td>%.5g</td></tr>\n",
                    r->runs->line[i], r->runs->N[i], r->runs->D[i], r->runs->loss[i]);
    fputs("</table></details>\n", fp);

    /* ---- provenance --------------------------------------------------------------------- */
    fputs("<h2>Provenance</h2>\n<table>", fp);
    fputs("<tr><td>input</td><td>", fp);
    esc(fp, r->runs->path[0] ? r->runs->path : "(in memory)");
    fprintf(fp, "</td></tr>\n<tr><td>input sha256</td><td><code>%s</code></td></tr>\n",
            r->runs->sha256[0] ? r->runs->sha256 : "&ndash;");
    fprintf(fp, "<tr><td>rows</td><td>%zu</td></tr>\n", r->runs->n);
    fputs("<tr><td>xferlaw</td><td>", fp);
    esc(fp, o && o->version ? o->version : "?");
    fputs("</td></tr>\n<tr><td>gnuplot</td><td>", fp);
    esc(fp, plots && plots->gnuplot ? plots->gnuplot_version : "not used");
    fprintf(fp, "</td></tr>\n<tr><td>date</td><td>%s</td></tr>\n", date);
    if (o && o->command) {
        fputs("<tr><td>command</td><td><code>", fp);
        esc(fp, o->command);
        fputs("</code></td></tr>\n", fp);
    }
    fprintf(fp, "<tr><td>options</td><td>low-data %g, within %g, disagree %g, bootstrap %zu, seed %llu%s%s</td></tr>\n",
            r->opts.low_data_frac, r->opts.within, r->opts.disagree, r->opts.bootstrap,
            (unsigned long long)r->opts.seed,
            r->opts.include_extrapolated ? ", include-extrapolated" : "",
            r->opts.include_high_data ? ", include-high-data" : "");
    fputs("</table>\n</body></html>\n", fp);
    return xl_afile_commit(&af, err);
}
