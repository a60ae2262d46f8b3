/* Warnings a reader of a fit must not miss: the fit "converged", but the answer may not
 * mean what it seems to.  Each is one sentence in r->warnings (printed by the CLI on
 * stderr and under the table, saved in the JSON).  The checks and their thresholds are
 * listed in docs/fitting.md. */
#include "fit_run.h"
#include "xferlaw/util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add(xl_fit_result *r, xl_error *err, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **w = realloc(r->warnings, (r->n_warnings + 1) * sizeof *w);
    if (!w)
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    r->warnings = w;
    if (!(w[r->n_warnings] = xl_strdup(buf, err)))
        return err->code;
    r->n_warnings++;
    return XL_OK;
}

/* The bound a parameter's transform approaches, or NAN (unbounded). */
static double near_bound(const fit_ptrans *t, double p)
{
    switch (t->kind) {
    case TR_LOG: return 0;
    case TR_LOWER: return t->lo;
    case TR_UPPER: return t->hi;
    case TR_BOX: return p - t->lo < t->hi - p ? t->lo : t->hi;
    default: return NAN;
    }
}

int fit_warnings(fit_work *w, const double *th, xl_fit_result *r, xl_error *err)
{
    const fit_problem *pb = w->pb;
    double u[XL_FIT_MAX_PARAMS];
    fit_full_u(pb, th, u);
    fit_model_eval(w, u, 1);
    double scale = 1;   /* a change of g below 1e-6 * scale is invisible in the fit */
    if (!pb->space_log)
        for (size_t i = 0; i < pb->n; i++)
            scale = fmax(scale, fabs(pb->gy[i]));
    int rc = XL_OK;
    for (size_t a = 0; a < pb->nf && !rc; a++) {
        size_t k = pb->free_idx[a];
        const xl_fit_param *p = &r->params[k];
        double b = near_bound(&pb->tr[k], p->value);
        if (isnan(b))
            continue;
        /* driven so far along a log (or logistic) parametrisation that it no longer
           changes any prediction, or within a hair of a non-zero bound */
        double sens = 0;
        for (size_t i = 0; i < pb->n; i++)
            sens = fmax(sens, fabs(w->dg[i * pb->np + k]));
        if (sens < 1e-6 * scale || (b != 0 && fabs(p->value - b) <= 1e-6 * fabs(b)))
            rc = add(r, err, "%s = %.4g is at its bound %g: the fit drives it there, the data "
                     "do not determine it (fix it, or change the law or its bounds)",
                     p->name, p->value, b);
    }
    for (size_t a = 0; a < pb->nf && !rc; a++) {
        const xl_fit_param *p = &r->params[pb->free_idx[a]];
        if (!isfinite(p->se))
            rc = add(r, err, "the standard error of %s is not finite: the data do not "
                     "determine it", p->name);
        else if (p->se > fabs(p->value))
            rc = add(r, err, "the standard error of %s (%.3g) is larger than its value (%.3g)",
                     p->name, p->se, p->value);
    }
    if (!rc && !(r->diag.r2 > 0))
        rc = add(r, err, "R^2 = %.4g <= 0: the law fits worse than a constant", r->diag.r2);
    if (!rc && pb->huber) {
        size_t beyond = 0;
        for (size_t i = 0; i < pb->n; i++)
            beyond += fabs(w->gf[i] - pb->gy[i]) > pb->delta;
        /* 90%: Epoch's Chinchilla fit (delta 1e-3 by design) has 84% there */
        if (10 * beyond > 9 * pb->n)
            rc = add(r, err, "%.1f%% of the residuals are beyond the Huber delta %g (its "
                     "linear zone): the fit is a median-like fit; a larger delta may suit "
                     "these data", 100.0 * (double)beyond / (double)pb->n, pb->delta);
    }
    if (!rc && r->n_best == 1 && r->starts > 1)
        rc = add(r, err, "only 1 of %zu starts reached the best objective: it may not be the "
                 "global optimum (try more --starts, or --start / --start-box)", r->starts);
    return rc;
}

/* The same "did you mean" as the command line's (xl_closest: one typo per three letters). */
const char *fit_nearest_law(const char *text)
{
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; i < xl_law_count() && n < 64; i++)
        names[n++] = xl_law_get(i)->name;
    return xl_closest(text, names, n);
}
