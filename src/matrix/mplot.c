/* gnuplot heatmaps and dendrograms of transfer matrices.  Scripts and data are always
 * written; PNGs are rendered when gnuplot is on PATH.  Every label goes through
 * xl_gp_quote (xferlaw/gnuplot.h). */
#include "xferlaw/matrix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ColorBrewer PuOr (orange - white - purple) is safe for the common colour-vision
 * deficiencies; negative values orange, positive purple. */
static const char *PALETTE =
    "set palette defined (0 '#b35806', 1 '#e08214', 2 '#fdb863', 3 '#fee0b6', "
    "4 '#f7f7f7', 5 '#d8daeb', 6 '#b2abd2', 7 '#8073ac', 8 '#542788')\n";

static const char *basename_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* labels, titles and file names reach the script only through the strict escaper */
#define gp_str xl_gp_quote

int xl_matrix_heatmap(const char *base, const char *title, const double *v, size_t n,
                      char *const *labels, const size_t *order, const char *unit,
                      int *rendered, xl_error *err)
{
    return xl_matrix_heatmap_axes(base, title, v, n, labels, order, unit, 0, rendered, err);
}

int xl_matrix_heatmap_axes(const char *base, const char *title, const double *v, size_t n,
                           char *const *labels, const size_t *order, const char *unit,
                           int symmetric, int *rendered, xl_error *err)
{
    *rendered = 0;
    char dat[4096], lab[4096], gp[4096];
    snprintf(dat, sizeof dat, "%s.dat", base);
    snprintf(lab, sizeof lab, "%s.labels.dat", base);
    snprintf(gp, sizeof gp, "%s.gp", base);
    double vmax = 0;
    for (size_t k = 0; k < n * n; k++)
        if (isfinite(v[k]))
            vmax = fmax(vmax, fabs(v[k]));
    if (vmax == 0)
        vmax = 1;
    int digits = vmax >= 100 ? 0 : vmax >= 1 ? 1 : 2;
    xl_afile af;
    int rc = xl_afile_open(&af, dat, err);
    if (rc)
        return rc;
    for (size_t r = 0; r < n; r++) {
        size_t i = order ? order[r] : r;
        for (size_t c = 0; c < n; c++) {
            size_t j = order ? order[c] : c;
            double x = v[i * n + j];
            if (isfinite(x))
                fprintf(af.fp, "%s%.6g", c ? " " : "", x);
            else
                fprintf(af.fp, "%sNaN", c ? " " : "");
        }
        fputc('\n', af.fp);
    }
    if ((rc = xl_afile_commit(&af, err)))
        return rc;
    if ((rc = xl_afile_open(&af, lab, err)))
        return rc;
    for (size_t r = 0; r < n; r++) {
        size_t i = order ? order[r] : r;
        for (size_t c = 0; c < n; c++) {
            size_t j = order ? order[c] : c;
            double x = v[i * n + j];
            /* white text on the dark ends of the palette, black elsewhere */
            unsigned colour = isfinite(x) && fabs(x) > 0.62 * vmax ? 0xffffff : 0x000000;
            if (fabs(x) < 0.5 * pow(10, -digits))
                x = 0; /* no "-0.0" */
            if (isfinite(x))
                fprintf(af.fp, "%zu %zu \"%.*f\" %u\n", c, r, digits, x, colour);
            else
                fprintf(af.fp, "%zu %zu \"n/a\" 8421504\n", c, r);
        }
    }
    if ((rc = xl_afile_commit(&af, err)))
        return rc;
    if ((rc = xl_afile_open(&af, gp, err)))
        return rc;
    FILE *fp = af.fp;
    int px = 220 + 70 * (int)n;
    fprintf(fp, "# heatmap written by xferlaw matrix; data in %s, cell labels in %s\n",
            basename_of(dat), basename_of(lab));
    /* noenhanced: task names with '_' or '^' are printed as they are */
    fprintf(fp, "set terminal pngcairo size %d,%d font 'sans,10' noenhanced\n", px + 90, px);
    fprintf(fp, "set output "), gp_str(fp, basename_of(base)), fprintf(fp, ".'.png'\n");
    fprintf(fp, "set title "), gp_str(fp, title), fputc('\n', fp);
    if (symmetric)
        fprintf(fp, "set xlabel 'task'\nset ylabel 'task'\n");
    else
        fprintf(fp, "set xlabel 'target task (evaluated)'\nset ylabel 'source task (trained first)'\n");
    fprintf(fp, "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n", n - 1, n - 1);
    fprintf(fp, "set cbrange [%.6g:%.6g]\n", -vmax, vmax);
    /* the colour-bar label clear of the tick labels */
    fprintf(fp, "set cblabel "), gp_str(fp, unit ? unit : ""), fputs(" offset 2,0\nset rmargin 12\n", fp);
    fprintf(fp, "%s", PALETTE);
    fprintf(fp, "set size ratio -1\nunset key\nset tics nomirror out\n");
    for (int axis = 0; axis < 2; axis++) {
        fprintf(fp, "set %s (", axis ? "ytics" : "xtics");
        for (size_t r = 0; r < n; r++) {
            gp_str(fp, labels[order ? order[r] : r]);
            fprintf(fp, " %zu%s", r, r + 1 < n ? ", " : "");
        }
        fprintf(fp, ")%s\n", axis ? "" : " rotate by 45 right");
    }
    fprintf(fp, "plot "), gp_str(fp, basename_of(dat));
    fprintf(fp, " matrix with image, \\\n     ");
    gp_str(fp, basename_of(lab));
    fprintf(fp, " using 1:2:3:4 with labels textcolor rgb variable font 'sans,9'\n");
    if ((rc = xl_afile_commit(&af, err)))
        return rc;
    char png[4200];
    snprintf(png, sizeof png, "%s.png", basename_of(base));
    return xl_gnuplot_render(gp, png, rendered, err);
}

static void node_xy(const xl_linkage *L, const double *leaf_x, size_t node, double *x, double *y)
{
    if (node < L->n) {
        *x = leaf_x[node];
        *y = 0;
        return;
    }
    double xa, ya, xb, yb;
    node_xy(L, leaf_x, L->a[node - L->n], &xa, &ya);
    node_xy(L, leaf_x, L->b[node - L->n], &xb, &yb);
    *x = 0.5 * (xa + xb);
    *y = L->h[node - L->n];
}

int xl_matrix_dendrogram(const char *base, const char *title, const xl_linkage *L,
                         char *const *labels, int *rendered, xl_error *err)
{
    return xl_matrix_dendrogram_cut(base, title, L, labels, 0, rendered, err);
}

/* Okabe-Ito without yellow, one colour per cluster below the cut */
static const char *const CLUSTER_COL[7] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                           "#56B4E9", "#E69F00", "#000000"};

/* Cluster of a node below the cut (merge index < n - k), or -1 above it. */
static int node_cluster(const xl_linkage *L, size_t node, size_t k, const int *lab)
{
    if (node < L->n)
        return lab[node];
    size_t m = node - L->n;
    if (k < 2 || m >= L->n - k)
        return -1;
    return node_cluster(L, L->a[m], k, lab);
}

int xl_matrix_dendrogram_cut(const char *base, const char *title, const xl_linkage *L,
                             char *const *labels, size_t k, int *rendered, xl_error *err)
{
    *rendered = 0;
    size_t n = L->n;
    int *lab = xl_calloc(n ? n : 1, sizeof *lab, err);
    if (!lab)
        return XL_ENOMEM;
    if (k >= 2 && k <= n && xl_linkage_cut(L, k, lab, err)) {
        free(lab);
        return XL_EINVAL;
    }
    char dat[4096], gp[4096];
    snprintf(dat, sizeof dat, "%s.dat", base);
    snprintf(gp, sizeof gp, "%s.gp", base);
    double *leaf_x = xl_calloc(n, sizeof *leaf_x, err);
    if (!leaf_x) {
        free(lab);
        return XL_ENOMEM;
    }
    for (size_t r = 0; r < n; r++)
        leaf_x[L->order[r]] = (double)r;
    xl_afile af;
    int rc = xl_afile_open(&af, dat, err);
    if (rc) {
        free(leaf_x);
        free(lab);
        return rc;
    }
    double hmax = 0;
    for (size_t q = 0; q + 1 < n; q++)
        hmax = fmax(hmax, L->h[q]);
    /* leaves hang below 0 so that merges at height 0 (identical tasks) show as bars */
    double leaf_y = -0.06 * (hmax > 0 ? hmax : 1);
    /* columns: x y colour (0xRRGGBB: the cluster's below the cut, grey above) */
    for (size_t q = 0; q + 1 < n; q++) {
        double xa, ya, xb, yb;
        node_xy(L, leaf_x, L->a[q], &xa, &ya);
        node_xy(L, leaf_x, L->b[q], &xb, &yb);
        if (L->a[q] < n)
            ya = leaf_y;
        if (L->b[q] < n)
            yb = leaf_y;
        int c = node_cluster(L, n + q, k, lab);
        unsigned col = 0x888888;
        if (c >= 0)
            sscanf(CLUSTER_COL[c % 7] + 1, "%x", &col);
        fprintf(af.fp, "%g %.6g %u\n%g %.6g %u\n%g %.6g %u\n%g %.6g %u\n\n", xa, ya, col, xa,
                L->h[q], col, xb, L->h[q], col, xb, yb, col);
    }
    if (n == 1)
        fprintf(af.fp, "0 0 0\n");
    free(leaf_x);
    /* the cut: halfway between the last merge kept and the first one cut */
    double cut = k >= 2 && k <= n ? 0.5 * (L->h[n - k - 1] + L->h[n - k]) : NAN;
    free(lab);
    if ((rc = xl_afile_commit(&af, err)))
        return rc;
    if ((rc = xl_afile_open(&af, gp, err)))
        return rc;
    FILE *fp = af.fp;
    fprintf(fp, "# dendrogram written by xferlaw matrix (average linkage); data in %s\n",
            basename_of(dat));
    fprintf(fp, "set terminal pngcairo size %d,420 font 'sans,10' noenhanced\n", 260 + 60 * (int)n);
    fprintf(fp, "set output "), gp_str(fp, basename_of(base)), fprintf(fp, ".'.png'\n");
    fprintf(fp, "set title "), gp_str(fp, title), fputc('\n', fp);
    fprintf(fp, "set ylabel 'distance (max similarity - similarity)'\nunset key\n");
    /* a little room below 0 keeps merges at distance 0 visible */
    double top = hmax > 0 ? hmax * 1.08 : 1;
    fprintf(fp, "set xrange [-0.6:%zu.6]\nset yrange [%.6g:%.6g]\n", n - 1, 2 * leaf_y, top);
    if (isfinite(cut))
        fprintf(fp, "set arrow 1 from graph 0, first %.6g to graph 1, first %.6g nohead dt 2 lw 1.5 lc rgb '#333333'\n"
                    "set label 1 '%zu clusters' at graph 0.99, first %.6g right offset 0,0.6 textcolor rgb '#333333'\n",
                cut, cut, k, cut);
    fprintf(fp, "set tics nomirror out\nset border 3\nset xtics (");
    for (size_t r = 0; r < n; r++) {
        gp_str(fp, labels[L->order[r]]);
        fprintf(fp, " %zu%s", r, r + 1 < n ? ", " : "");
    }
    fprintf(fp, ") rotate by 45 right\n");
    fprintf(fp, "plot "), gp_str(fp, basename_of(dat));
    fprintf(fp, " using 1:2:3 with lines lw 2 lc rgb variable\n");
    if ((rc = xl_afile_commit(&af, err)))
        return rc;
    char png[4200];
    snprintf(png, sizeof png, "%s.png", basename_of(base));
    return xl_gnuplot_render(gp, png, rendered, err);
}
