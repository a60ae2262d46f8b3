/* xferlaw plot: Hernandez-style figures of a transfer analysis as gnuplot scripts written
 * beside their data files (templates in the source tree's plots/, compiled in), rendered
 * to PNG and SVG when gnuplot is installed.
 *
 * Figures: fig_a loss vs data for one N with D_F, D_T, D_E arrows; fig_b fraction D_T/D_E
 * vs N per D_F (optionally logit axis); fig_c D_T vs D_F per N with fit lines; fig_d loss vs
 * N at fixed D_F, scratch vs fine-tuned; fig_e ossification (fine-tuned minus scratch
 * loss); fig_f curricula side by side (alpha, beta with intervals); fig_g residuals. */
#ifndef XFERLAW_PLOT_H
#define XFERLAW_PLOT_H

#include "xferlaw/gnuplot.h"
#include "xferlaw/transfer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XL_PLOT_MAX 8

typedef struct xl_plot_opts {
    const char *dir;           /* output folder (created) */
    const char *final_dir;     /* where the files land when dir is a staging folder
                                  (NULL: dir); a fig_X.gp there not written by xferlaw
                                  (a checkout's templates) is an error */
    double N;                  /* fig_a model size (0: the size with most fine-tuned runs) */
    double DF;                 /* fig_d fine-tuning size (0: the most common D_F) */
    const char *curriculum;    /* figures b, c, e, g (NULL: the first curriculum) */
    int logit;                 /* fig_b on a logit axis */
    int render;                /* 1: run gnuplot when available */
} xl_plot_opts;

void xl_plot_opts_default(xl_plot_opts *o);

typedef struct xl_plot_output {
    size_t n;
    char name[XL_PLOT_MAX][16];     /* "fig_a" ... (files NAME.gp, NAME.dat, NAME.png/.svg) */
    char title[XL_PLOT_MAX][96];
    char caption[XL_PLOT_MAX][512];  /* plain UTF-8: what the figure shows, which runs */
    int rendered[XL_PLOT_MAX];      /* PNG and SVG exist (always, when gnuplot was used:
                                       a figure it cannot render is an error) */
    int gnuplot;                    /* gnuplot was found and used */
    char gnuplot_version[64];
    char why_not[128];              /* when not used, why: "gnuplot not found on PATH", ... */
} xl_plot_output;

/* Write every figure; with gnuplot, render each to PNG and SVG.  Fails when a figure
 * cannot be rendered (gnuplot's message, or a full disk, as the cause): the caller stages
 * dir so that nothing is left behind. */
int xl_plot_all(const xl_transfer_result *r, const xl_plot_opts *o, xl_plot_output *out,
                xl_error *err);

#ifdef __cplusplus
}
#endif
#endif
