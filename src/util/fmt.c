/* Numbers for readers: 3.4×10⁵ rather than 3.4e+05, with the same rule in every table,
 * figure and sentence so a column never mixes 3312 and 1.277e+04. */
#include "xferlaw/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const SUP[10] = {"\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074",
                                    "\u2075", "\u2076", "\u2077", "\u2078", "\u2079"};

void xl_fmt_num(double v, int sig, int style, char *buf, size_t n)
{
    if (!n)
        return;
    if (sig < 1)
        sig = 1;
    if (sig > 12)
        sig = 12;
    if (isnan(v)) {
        snprintf(buf, n, "%s", style == XL_FMT_HTML ? "&ndash;" : "-");
        return;
    }
    if (isinf(v)) {
        const char *s = style == XL_FMT_HTML ? (v > 0 ? "&infin;" : "&minus;&infin;")
                        : style == XL_FMT_PLAIN ? (v > 0 ? "inf" : "-inf")
                                                : (v > 0 ? "\u221e" : "-\u221e");
        snprintf(buf, n, "%s", s);
        return;
    }
    double a = fabs(v);
    if (a == 0 || (a >= 1e-2 && a < 1e3)) {
        /* fixed notation with sig significant digits, never an exponent */
        int e = a == 0 ? 0 : (int)floor(log10(a));
        int dec = sig - 1 - e;
        if (dec < 0)
            dec = 0;
        snprintf(buf, n, "%.*f", dec, v);
        return;
    }
    int e = (int)floor(log10(a));
    double m = v / pow(10, e);
    /* rounding can carry the mantissa to 10 */
    char mant[32];
    snprintf(mant, sizeof mant, "%.*f", sig - 1, m);
    double mr;
    sscanf(mant, "%lf", &mr);
    if (fabs(mr) >= 10) {
        e++;
        snprintf(mant, sizeof mant, "%.*f", sig - 1, v / pow(10, e));
    }
    if (style == XL_FMT_PLAIN) {
        snprintf(buf, n, "%se%d", mant, e);
        return;
    }
    if (style == XL_FMT_HTML) {
        snprintf(buf, n, "%s&times;10<sup>%s%d</sup>", mant, e < 0 ? "&minus;" : "", e < 0 ? -e : e);
        return;
    }
    if (style == XL_FMT_GNUPLOT) {
        snprintf(buf, n, "%s\u00d710^{%d}", mant, e);
        return;
    }
    /* UTF-8 superscripts */
    char ex[64] = "";
    char digits[16];
    snprintf(digits, sizeof digits, "%d", e < 0 ? -e : e);
    if (e < 0)
        strcat(ex, "\u207b");
    for (const char *p = digits; *p; p++)
        strcat(ex, SUP[*p - '0']);
    snprintf(buf, n, "%s\u00d710%s", mant, ex);
}
