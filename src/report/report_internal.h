/* Private pieces of the HTML report. */
#ifndef REPORT_INTERNAL_H
#define REPORT_INTERNAL_H

#include "xferlaw/report.h"

#include <stdio.h>

/* HTML-escaped text; a number as 3.40&times;10<sup>5</sup>; a <td> of one; a parameter
 * cell with its interval, led by its flags when flagged. */
void xl__esc(FILE *fp, const char *s);
void xl__num(FILE *fp, double v);
void xl__td(FILE *fp, double v);
void xl__pcell(FILE *fp, const xl_param *p, unsigned flags);

void xl__report_sweep(FILE *fp, const xl_transfer_result *r);
void xl__report_scratch(FILE *fp, const xl_transfer_result *r);
void xl__report_runs(FILE *fp, const xl_transfer_result *r);
void xl__report_provenance(FILE *fp, const xl_transfer_result *r, const xl_plot_output *plots,
                           const xl_report_opts *o);
#endif
