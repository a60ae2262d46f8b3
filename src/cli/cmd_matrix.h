/* xferlaw matrix: the analyze subcommand lives in cmd_matrix_analyze.c. */
#ifndef CMD_MATRIX_H
#define CMD_MATRIX_H

#include "xferlaw/matrix.h"

extern const char MATRIX_USAGE[];
/* Print the n x n values V of M's tasks under TITLE. */
void matrix_print(const xl_tmatrix *m, const double *v, const char *title);
/* xferlaw matrix analyze ARGS (argv[0] is "analyze"); returns the exit code. */
int matrix_analyze(int argc, char **argv);

#endif
