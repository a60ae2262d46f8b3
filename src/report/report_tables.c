/* The report's material behind the verdict: what the sweep held, the from-scratch model,
 * every run (sorted by curriculum, N, D), provenance. */
#include "report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int same(double a, double b)
{
    return fabs(a - b) <= 1e-6 * fmax(fabs(a), fabs(b));
}

static size_t distinct_N(const xl_transfer_result *r, int scratch, double *v, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < r->runs->n; i++) {
        if (!strcmp(r->runs->curriculum[i], "scratch") != !!scratch)
            continue;
        size_t j = 0;
        while (j < n && !same(v[j], r->runs->N[i]))
            j++;
        if (j == n && n < max)
            v[n++] = r->runs->N[i];
    }
    return n;
}

void xl__report_sweep(FILE *fp, const xl_transfer_result *r)
{
    const xl_xfer_runs *R = r->runs;
    size_t n_scratch = 0;
    double dmin = INFINITY, dmax = 0, fmin_ = INFINITY, fmax_ = 0;
    for (size_t i = 0; i < R->n; i++) {
        if (!strcmp(R->curriculum[i], "scratch")) {
            n_scratch++;
            dmin = fmin(dmin, R->D[i]);
            dmax = fmax(dmax, R->D[i]);
        } else {
            fmin_ = fmin(fmin_, R->D[i]);
            fmax_ = fmax(fmax_, R->D[i]);
        }
    }
    double Ns[64];
    size_t nN = distinct_N(r, 1, Ns, 64);
    fputs("<h2>Sweep</h2>\n<div class=wrap><table class=kv>\n<tr><td>source</td><td><code>", fp);
    xl__esc(fp, R->path[0] ? R->path : "(in memory)");
    fputs("</code></td></tr>\n", fp);
    if (R->sweep[0]) {
        fputs("<tr><td>sweep</td><td><code>", fp);
        xl__esc(fp, R->sweep);
        fputs("</code></td></tr>\n", fp);
    }
    if (R->rows_in)
        fprintf(fp, "<tr><td>rows read</td><td>%zu: %zu measurements, %zu pre-training runs (not measurements: their loss is on the pre-training data)</td></tr>\n",
                R->rows_in, R->n, R->rows_pretrain);
    fprintf(fp, "<tr><td>from-scratch runs</td><td>%zu at %zu model sizes, D from ", n_scratch, nN);
    xl__num(fp, dmin);
    fputs(" to ", fp);
    xl__num(fp, dmax);
    fputs(" tokens</td></tr>\n<tr><td>model sizes N</td><td>", fp);
    for (size_t i = 0; i < nN; i++) {
        /* sorted for reading */
        for (size_t j = i + 1; j < nN; j++)
            if (Ns[j] < Ns[i]) {
                double t = Ns[i];
                Ns[i] = Ns[j];
                Ns[j] = t;
            }
        fputs(i ? ", " : "", fp);
        xl__num(fp, Ns[i]);
    }
    fputs("</td></tr>\n", fp);
    for (size_t c = 0; c < r->n_curricula; c++) {
        const xl_curriculum_result *cr = &r->cur[c];
        fputs("<tr><td>fine-tuned <code>", fp);
        xl__esc(fp, cr->name);
        fprintf(fp, "</code></td><td>%zu runs, %zu fitted (%s estimator); D<sub>F</sub> from ", cr->n_runs,
                cr->n_used[r->compare_est], xl_estimator_name(r->compare_est));
        xl__num(fp, fmin_);
        fputs(" to ", fp);
        xl__num(fp, fmax_);
        fputs(" tokens</td></tr>\n", fp);
    }
    if (isfinite(R->flops)) {
        fputs("<tr><td>training compute</td><td>", fp);
        xl__num(fp, R->flops);
        fputs(" FLOPs (all runs, pre-training included)</td></tr>\n", fp);
    }
    if (isfinite(R->seconds)) {
        char d[64];
        xl_format_duration(R->seconds, d, sizeof d);
        fprintf(fp, "<tr><td>training time</td><td>%s (sum over runs)</td></tr>\n", d);
    }
    fputs("</table></div>\n", fp);
}

void xl__report_scratch(FILE *fp, const xl_transfer_result *r)
{
    const xl_scratch_model *m = r->scratch;
    fprintf(fp, "<h2>From-scratch model</h2>\n<p>Joint Kaplan fit L(N,D) = [(N<sub>c</sub>/N)<sup>&alpha;<sub>N</sub>/&alpha;<sub>D</sub></sup> "
                "+ D<sub>c</sub>/D]<sup>&alpha;<sub>D</sub></sup> on %zu runs%s; rms of log residuals ",
            m->n_points, m->kap_ok ? "" : " (did not converge)");
    xl__num(fp, m->kap_rms);
    fputs(".</p>\n<div class=wrap><table><tr><th>parameter</th><th>value [95%]</th><th>Kaplan et al. 2020</th></tr>\n", fp);
    static const char *kn[4] = {"N<sub>c</sub>", "D<sub>c</sub>", "&alpha;<sub>N</sub>", "&alpha;<sub>D</sub>"};
    static const double kv[4] = {6.4e13, 1.8e13, 0.076, 0.103};
    for (int i = 0; i < 4 && m->kap_ok; i++) {
        fprintf(fp, "<tr><td>%s</td>", kn[i]);
        unsigned f = i < 2 ? xl_param_flags_scale(&m->kap_p[i], 1e300)
                           : xl_param_flags_exponent(&m->kap_p[i], 1e300) |
                                 (m->kap_p[i].lo <= 0 ? XL_PF_AT_BOUND : 0);
        xl__pcell(fp, &m->kap_p[i], f);
        xl__td(fp, kv[i]);
        fputs("</tr>\n", fp);
    }
    fputs("</table></div>\n<p class=note>Per size: D(N) is the data bringing the model within ", fp);
    xl__num(fp, 100 * r->opts.within);
    fputs("% of its infinite-data loss L<sub>&infin;</sub>. Flagged: beyond_range (more than two decades "
          "beyond the largest D measured at that size), near_zero (an asymptote below 1% of the smallest "
          "loss: the curve does not bend within the data).</p>\n"
          "<div class=wrap><table><tr><th>N</th><th>runs</th><th>largest D measured</th><th>D(N), joint fit</th>"
          "<th>D(N), per-N fit</th><th>L<sub>&infin;</sub>, per-N fit</th><th>&alpha;<sub>D</sub>, per-N fit</th></tr>\n", fp);
    for (size_t i = 0; i < m->n_sizes; i++) {
        const xl_scratch_curve *c = &m->c[i];
        double dj = xl_scratch_dn(m, c->N, r->opts.within);
        fputs("<tr>", fp);
        xl__td(fp, c->N);
        fprintf(fp, "<td>%zu</td>", c->n_raw);
        xl__td(fp, c->n ? exp(c->logD[c->n - 1]) : NAN);
        double v[3] = {dj, c->DN_perN, c->Linf};
        unsigned f[3] = {xl_scratch_dn_flags(c, dj), xl_scratch_dn_flags(c, c->DN_perN), xl_scratch_linf_flags(c)};
        for (int j = 0; j < 3; j++) {
            if (f[j]) {
                char s[80];
                xl_param_flags_str(f[j], s, sizeof s);
                fprintf(fp, "<td class=flagged><span class=flag>flagged: %s</span><br><span class=ci>", s);
                xl__num(fp, v[j]);
                fputs("</span></td>", fp);
            } else {
                xl__td(fp, v[j]);
            }
        }
        xl__td(fp, c->aD);
        fputs("</tr>\n", fp);
    }
    fputs("</table></div>\n", fp);
}

static const xl_transfer_result *g_sort;

/* curriculum (order of first appearance), then N, then D_F */
static int cmp_est(const void *a, const void *b)
{
    const xl_xfer_est *x = &g_sort->est[*(const size_t *)a], *y = &g_sort->est[*(const size_t *)b];
    size_t cx = 0, cy = 0;
    while (cx < g_sort->n_curricula && strcmp(g_sort->cur[cx].name, x->curriculum))
        cx++;
    while (cy < g_sort->n_curricula && strcmp(g_sort->cur[cy].name, y->curriculum))
        cy++;
    if (cx != cy)
        return cx < cy ? -1 : 1;
    if (x->N != y->N)
        return x->N < y->N ? -1 : 1;
    return x->DF < y->DF ? -1 : x->DF > y->DF;
}

static int cmp_scratch(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const xl_xfer_runs *R = g_sort->runs;
    if (R->N[i] != R->N[j])
        return R->N[i] < R->N[j] ? -1 : 1;
    return R->D[i] < R->D[j] ? -1 : R->D[i] > R->D[j];
}

void xl__report_runs(FILE *fp, const xl_transfer_result *r)
{
    fprintf(fp, "<h2>Fine-tuned runs</h2>\n<p class=note>Sorted by curriculum, N and D<sub>F</sub>. "
                "D<sub>E</sub> and D<sub>T</sub> by interpolation of the measured from-scratch curve (monotone Steffen "
                "spline in log D) and by inversion of the fitted L(N,D). Flags: above/below_range (outside the "
                "measured curve), unbounded (below the fitted asymptote), nonpositive (D<sub>T</sub> &le; 0), "
                "high_data (D<sub>F</sub> &gt; %g&middot;D(N)), flat (D<sub>E</sub> &gt; D(N): the scratch curve is "
                "within %g%% of its asymptote there, so loss noise swamps the inverse), disagree (estimators "
                "differ by more than %g&times;). A flag that only one estimator raised is prefixed with it. "
                "Flagged runs are left out of the fits unless asked.</p>\n"
                "<div class=wrap><table class=runs><tr><th>curriculum</th><th>N</th><th>D<sub>F</sub></th><th>loss</th>"
                "<th>D<sub>E</sub> interp</th><th>D<sub>T</sub> interp</th><th>D<sub>E</sub> fit</th>"
                "<th>D<sub>T</sub> fit</th><th>fitted</th><th>flags</th></tr>\n",
            r->opts.low_data_frac, 100 * r->opts.within, r->opts.disagree);
    size_t *ord = malloc((r->n_est + 1) * sizeof *ord);
    size_t n_scr = 0;
    for (size_t i = 0; i < r->runs->n; i++)
        n_scr += !strcmp(r->runs->curriculum[i], "scratch");
    size_t *sord = malloc((n_scr + 1) * sizeof *sord);
    if (!ord || !sord) {
        free(ord);
        free(sord);
        fputs("</table></div>\n", fp);
        return;
    }
    for (size_t i = 0; i < r->n_est; i++)
        ord[i] = i;
    g_sort = r;
    qsort(ord, r->n_est, sizeof *ord, cmp_est);
    for (size_t k = 0; k < r->n_est; k++) {
        const xl_xfer_est *e = &r->est[ord[k]];
        fputs("<tr><td>", fp);
        xl__esc(fp, e->curriculum);
        fputs("</td>", fp);
        double v[7] = {e->N, e->DF, e->loss, e->DE[0], e->DT[0], e->DE[1], e->DT[1]};
        for (int j = 0; j < 7; j++)
            xl__td(fp, v[j]);
        fprintf(fp, "<td>%s</td>", e->used[0] && e->used[1] ? "both" : e->used[0] ? "interp" : e->used[1] ? "fit" : "no");
        /* each flag once: raised by both estimators (or common) plain, else prefixed */
        unsigned both = (e->flags[0] & e->flags[1]) | e->common;
        unsigned only0 = e->flags[0] & ~both, only1 = e->flags[1] & ~both;
        char a[160], b[160], c[160];
        xl_xfer_flags_str(both, a, sizeof a);
        xl_xfer_flags_str(only0, b, sizeof b);
        xl_xfer_flags_str(only1, c, sizeof c);
        fprintf(fp, "<td class=fl>%s%s%s%s%s%s%s</td></tr>\n", a, a[0] && b[0] ? "; " : "", b[0] ? "interp: " : "", b,
                (a[0] || b[0]) && c[0] ? "; " : "", c[0] ? "fit: " : "", c);
    }
    fputs("</table></div>\n<details><summary>From-scratch runs (sorted by N, D)</summary>\n"
          "<div class=wrap><table><tr><th>N</th><th>D</th><th>loss</th></tr>\n", fp);
    size_t ns = 0;
    for (size_t i = 0; i < r->runs->n; i++)
        if (!strcmp(r->runs->curriculum[i], "scratch"))
            sord[ns++] = i;
    qsort(sord, ns, sizeof *sord, cmp_scratch);
    for (size_t k = 0; k < ns; k++) {
        size_t i = sord[k];
        fputs("<tr>", fp);
        xl__td(fp, r->runs->N[i]);
        xl__td(fp, r->runs->D[i]);
        xl__td(fp, r->runs->loss[i]);
        fputs("</tr>\n", fp);
    }
    fputs("</table></div></details>\n", fp);
    g_sort = NULL;
    free(ord);
    free(sord);
}

void xl__report_provenance(FILE *fp, const xl_transfer_result *r, const xl_plot_output *plots,
                           const xl_report_opts *o)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    fputs("<h2>Provenance</h2>\n<div class=wrap><table class=kv>", fp);
    fputs("<tr><td>input</td><td><code>", fp);
    xl__esc(fp, r->runs->path[0] ? r->runs->path : "(in memory)");
    fprintf(fp, "</code></td></tr>\n<tr><td>input sha256</td><td><code>%s</code></td></tr>\n",
            r->runs->sha256[0] ? r->runs->sha256 : "&ndash;");
    fprintf(fp, "<tr><td>measurements</td><td>%zu</td></tr>\n", r->runs->n);
    fputs("<tr><td>xferlaw</td><td>", fp);
    xl__esc(fp, o && o->version ? o->version : "?");
    fputs("</td></tr>\n<tr><td>gnuplot</td><td>", fp);
    if (plots && plots->gnuplot)
        xl__esc(fp, plots->gnuplot_version);
    else {   /* and why not */
        fputs("not used", fp);
        if (plots && plots->why_not[0]) {
            fputs(": ", fp);
            xl__esc(fp, plots->why_not);
        }
    }
    fprintf(fp, "</td></tr>\n<tr><td>date</td><td>%s</td></tr>\n", date);
    if (o && o->command) {
        fputs("<tr><td>command</td><td><code>", fp);
        xl__esc(fp, o->command);
        fputs("</code></td></tr>\n", fp);
    }
    fprintf(fp, "<tr><td>options</td><td>low-data %g, within %g, disagree %g, bootstrap %zu, seed %llu%s%s%s</td></tr>\n",
            r->opts.low_data_frac, r->opts.within, r->opts.disagree, r->opts.bootstrap,
            (unsigned long long)r->opts.seed,
            r->opts.include_extrapolated ? ", include-extrapolated" : "",
            r->opts.include_high_data ? ", include-high-data" : "",
            r->opts.include_flat ? ", include-flat" : "");
    fputs("</table></div>\n", fp);
}
