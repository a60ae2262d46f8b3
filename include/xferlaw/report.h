/* xferlaw report: one self-contained HTML page of a transfer analysis: figures inline
 * (base64 PNG), fit tables with 95% intervals next to Hernandez et al.'s values, the
 * comparison of curricula, compute accounting, every run behind the fits, provenance. */
#ifndef XFERLAW_REPORT_H
#define XFERLAW_REPORT_H

#include "xferlaw/plot.h"
#include "xferlaw/transfer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xl_report_opts {
    const char *title;         /* page title (default "xferlaw transfer report") */
    const char *version;       /* xferlaw version string */
    const char *command;       /* command line that produced it (may be NULL) */
    const char *plot_dir;      /* where the figures of `plots` are */
    const char *note;          /* extra paragraph (e.g. "planted data"), may be NULL */
    const char *plot_src;      /* where the figures are read now, when plot_dir is where
                                  they will be (a staged command); NULL: plot_dir */
} xl_report_opts;

/* Write the page atomically.  plots may be NULL (no figures). */
int xl_report_write(const char *path, const xl_transfer_result *r, const xl_plot_output *plots,
                    const xl_report_opts *o, xl_error *err);
/* Base64 of n bytes into a malloc'ed NUL-terminated string. */
char *xl_base64(const unsigned char *data, size_t n);

#ifdef __cplusplus
}
#endif
#endif
