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
#endif
