/* Screening of runs by the data-limit protocol (docs/protocol.md): runs that the step
 * cap ended, and runs below the unigram transition, where L(D) is not yet a power law
 * and inverting it says "the tokens needed to get past the transition" whatever N and
 * D_F are. */
#include "xfer_internal.h"

#include <math.h>
#include <string.h>

static int same_size(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

void xl_xfer_runs_screen(const xl_xfer_runs *runs, const xl_xfer_opts *o, unsigned *flags)
{
    double margin = o->transition_margin > 0 ? o->transition_margin : 0.5;
    for (size_t i = 0; i < runs->n; i++) {
        flags[i] = runs->ended_by_cap && runs->ended_by_cap[i] ? XL_XF_CAP : 0;
        double u = o->unigram_loss > 0 ? o->unigram_loss : runs->unigram ? runs->unigram[i] : NAN;
        if (xl__is_scratch(runs->curriculum[i]) && isfinite(u) && runs->loss[i] > u - margin)
            flags[i] |= XL_XF_PRE_TRANSITION;
    }
    /* a fine-tune at or below the largest pre-transition D of its size sits where the
     * from-scratch curve is a step, not a power law */
    for (size_t i = 0; i < runs->n; i++) {
        if (xl__is_scratch(runs->curriculum[i]))
            continue;
        for (size_t j = 0; j < runs->n; j++)
            if ((flags[j] & XL_XF_PRE_TRANSITION) && xl__is_scratch(runs->curriculum[j]) &&
                same_size(runs->N[j], runs->N[i]) && runs->D[i] <= runs->D[j] * (1 + 1e-9)) {
                flags[i] |= XL_XF_PRE_TRANSITION;
                break;
            }
    }
}

unsigned xl__screen_excluded(const xl_xfer_opts *o)
{
    return (o->include_cap ? 0u : (unsigned)XL_XF_CAP) |
           (o->include_pre_transition ? 0u : (unsigned)XL_XF_PRE_TRANSITION);
}
