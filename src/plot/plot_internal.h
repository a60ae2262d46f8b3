/* Private: one figure = NAME.dat (gnuplot data blocks) + NAME.gp (preamble, common, body). */
#ifndef PLOT_INTERNAL_H
#define PLOT_INTERNAL_H

#include "xferlaw/plot.h"

typedef struct fig {
    xl_afile dat, gp;
    char name[16];
    int open;
    size_t n_blocks;
    unsigned char block_has[64];   /* which data blocks have rows (for empty-figure notes) */
} fig;

int xl__fig_open(fig *f, const char *dir, const char *name, xl_error *err);
/* End a data block (gnuplot "index" blocks are separated by two blank lines); an empty
 * block gets a NaN row so the indices stay aligned. */
void xl__fig_block(fig *f, int had_rows);
/* Append common settings and the body, commit both files. */
int xl__fig_finish(fig *f, const char *body, xl_error *err);
void xl__fig_abort(fig *f);

int xl__fig_a(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err);
int xl__fig_b(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err);
int xl__fig_c(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err);
int xl__fig_d(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err);
int xl__fig_e(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err);
int xl__fig_f(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err);
int xl__fig_g(const xl_transfer_result *r, const xl_plot_opts *o, const char *dir, xl_error *err);


const char *xl__fig_template(char which);

/* Shared helpers (figures.c). */
int xl__same(double a, double b);
void xl__gp_num(FILE *fp, const char *name, double v);
const xl_curriculum_result *xl__pick_cur(const xl_transfer_result *r, const xl_plot_opts *o);
/* Distinct sorted N (which 0) or D_F (1) of curriculum cur (NULL: all) whose runs were
 * used by estimator est (-1: all runs). */
size_t xl__distinct(const xl_transfer_result *r, const char *cur, int which, int est, double *v,
                    size_t max);
void xl__cur_words(const xl_transfer_result *r, FILE *fp);
void xl__series_words(FILE *fp, const double *v, size_t n);
/* Choices the captions must name: fig_a's N, its arrow run, its L(N,D) misfit; fig_d's D_F. */
double xl__fig_a_N(const xl_transfer_result *r, const xl_plot_opts *o);
const xl_xfer_est *xl__fig_a_arrow(const xl_transfer_result *r, double N);
double xl__fig_a_misfit(const xl_transfer_result *r, const xl_scratch_curve *c);
double xl__fig_d_DF(const xl_transfer_result *r, const xl_plot_opts *o);
/* Plain UTF-8 caption: what the figure shows and which runs. */
void xl__fig_caption(const xl_transfer_result *r, const xl_plot_opts *o, const char *name,
                     char *buf, size_t n);
#endif
