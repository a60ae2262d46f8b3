/* Progress reporting: a redrawn bar on a terminal, sparse plain lines otherwise
 * (logs and CI must not fill with carriage returns). */
#include "xferlaw/util.h"

#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double xl_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void xl_format_duration(double s, char *buf, size_t n)
{
    if (!isfinite(s) || s < 0) {
        snprintf(buf, n, "?");
        return;
    }
    if (s < 60)
        snprintf(buf, n, "%.1fs", s);
    else if (s < 3600)
        snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    else if (s < 3.6e12) /* hours as a double: (int) overflowed to -2147483648h */
        snprintf(buf, n, "%.0fh%02dm", floor(s / 3600), (int)fmod(s / 60, 60));
    else
        snprintf(buf, n, "%.3gh", s / 3600);
}

void xl_progress_init(xl_progress *p, FILE *fp, const char *label, double total)
{
    memset(p, 0, sizeof *p);
    p->fp = fp;
    p->label = label ? label : "";
    p->total = total;
    p->start = xl_now();
    p->last_print = -1e9;
    p->is_tty = fp && isatty(fileno(fp));
    p->min_interval = p->is_tty ? 0.1 : 10.0;
}

static void draw_frac(xl_progress *p, double done, double frac, double eta_s, const char *extra,
                      int final)
{
    double now = xl_now(), el = now - p->start;
    if (frac > 1)
        frac = 1;
    char eta[32], elapsed[32];
    if (isnan(eta_s))
        eta_s = frac > 0 ? el * (1 - frac) / frac : NAN;
    xl_format_duration(eta_s, eta, sizeof eta);
    xl_format_duration(el, elapsed, sizeof elapsed);
    if (p->is_tty) {
        char bar[31];
        int filled = (int)(frac * 30 + 0.5);
        for (int i = 0; i < 30; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[30] = '\0';
        fprintf(p->fp, "\r\033[K%s [%s] %.0f/%.0f %s %s %s", p->label, bar, done, p->total,
                final ? "done in" : "ETA", final ? elapsed : eta, extra ? extra : "");
        if (final)
            fputc('\n', p->fp);
    } else {
        fprintf(p->fp, "%s: %.0f/%.0f (%.0f%%) elapsed %s%s%s%s%s\n", p->label, done, p->total,
                100 * frac, elapsed, final ? "" : " ETA ", final ? "" : eta,
                extra && *extra ? "  " : "", extra ? extra : "");
    }
    fflush(p->fp);
}

static void draw(xl_progress *p, double done, const char *extra, int final)
{
    draw_frac(p, done, p->total > 0 ? done / p->total : 0, NAN, extra, final);
}

void xl_progress_update_eta(xl_progress *p, double done, double frac, double eta,
                            const char *extra)
{
    if (!p->fp || p->finished)
        return;
    double now = xl_now();
    if (now - p->last_print < p->min_interval)
        return;
    p->last_print = now;
    draw_frac(p, done, frac, eta, extra, 0);
}

void xl_progress_update_frac(xl_progress *p, double done, double frac, const char *extra)
{
    xl_progress_update_eta(p, done, frac, NAN, extra);
}

void xl_progress_update(xl_progress *p, double done, const char *extra)
{
    if (!p->fp || p->finished)
        return;
    double now = xl_now();
    if (now - p->last_print < p->min_interval)
        return;
    p->last_print = now;
    draw(p, done, extra, 0);
}

void xl_progress_finish(xl_progress *p, const char *extra)
{
    if (!p->fp || p->finished)
        return;
    p->finished = 1;
    draw(p, p->total, extra, 1);
}
