/* Talking to gnuplot safely: the one place where text from tables, specs and the command
 * line is put into a gnuplot script, and the one place gnuplot is started.
 *
 * Invariant: no input text reaches gnuplot as code.  gnuplot runs backticks inside
 * double-quoted strings, expands @macros on command lines, ends a command (and a comment
 * ending in a backslash continues) at a newline, and may eval() a string built from a
 * label.  A label therefore passes through xl_gp_clean, which keeps only letters, digits,
 * bytes >= 0x80 (UTF-8) and the punctuation " -_.,:+=()[]/%*~", and turns every other
 * byte into '?'.  The result is inert in a single- or double-quoted string, in an eval()
 * and in a comment.  gnuplot is started without a shell (posix_spawn), in the script's
 * directory, so no path reaches a shell either. */
#ifndef XFERLAW_GNUPLOT_H
#define XFERLAW_GNUPLOT_H

#include "xferlaw/util.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when byte c may appear in gnuplot script text taken from an input. */
int xl_gp_safe_char(unsigned char c);
/* Write s cleaned (see above); one_word also turns blanks into '_' (gnuplot word()). */
void xl_gp_puts(FILE *fp, const char *s, int one_word);
/* Write s cleaned as a single-quoted gnuplot string literal. */
void xl_gp_quote(FILE *fp, const char *s);

/* 1 when gnuplot can be run (and fills version, may be NULL).  XL_NO_GNUPLOT in the
 * environment makes it absent (tests of the script-only path). */
int xl_plot_gnuplot_available(char *version, size_t n);
/* The same, and when it cannot be run, why not in WHY ("gnuplot not found on PATH",
 * "XL_NO_GNUPLOT is set", "'gnuplot --version' failed (exit 1)"). */
int xl_gnuplot_probe(char *version, size_t n, char *why, size_t wn);

/* Run "gnuplot [-e fmt='FMT'] NAME.gp" in the script's directory, without a shell.
 * gnuplot's messages are appended to LOG (a file name in the same directory; NULL: kept
 * only for the error).  Returns XL_OK when gnuplot exited 0 (warnings included), else
 * XL_EIO with gnuplot's first message or the signal that ended it. */
int xl_gp_run(const char *script, const char *fmt, const char *log, xl_error *err);

/* xl_gp_run, then a check that OUTPUT (a name in the script's directory) is there and
 * whole: a PNG must end with its IEND chunk, an SVG with </svg>, other files be non-empty.
 * gnuplot exiting 0 is not enough: on a full disk it leaves a truncated PNG or an empty
 * SVG.  A warning alone is no failure; the error names gnuplot's first message or a full
 * file system as the cause. */
int xl_gp_render(const char *script, const char *fmt, const char *output, const char *log,
                 xl_error *err);

/* xl_gp_render(SCRIPT, NULL, OUTPUT, NULL) when gnuplot exists; XL_OK on success or
 * absence (*rendered says which). */
int xl_gnuplot_render(const char *script, const char *output, int *rendered, xl_error *err);

#ifdef __cplusplus
}
#endif
#endif
