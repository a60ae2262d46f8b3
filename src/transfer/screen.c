/* Screening of runs by the data-limit protocol (docs/protocol.md): runs that the step
 * cap ended, and runs below the unigram transition, where L(D) is not yet a power law
 * and inverting it says "the tokens needed to get past the transition" whatever N and
 * D_F are. */
#include "xfer_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int same_size(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

/* Sizes are positive (the loader checks); a row of another size matches nothing. */
static int sized_row(const xl_xfer_runs *runs, size_t i)
{
    return runs->N[i] > 0 && isfinite(runs->N[i]);
}

/* a below-transition from-scratch run (N, D), or a fine-tune (N, D, row) */
typedef struct {
    double N, D;
    size_t row;
} sized;

static int by_n(const void *a, const void *b)
{
    double x = ((const sized *)a)->N, y = ((const sized *)b)->N;
    return (x > y) - (x < y);
}

/* The fine-tunes at or below the largest pre-transition D of their size: there the
 * from-scratch curve is a step, not a power law.  Sizes match within 1e-9 (same_size),
 * so the pre-transition runs matching a size are a contiguous window of them sorted by
 * N; visiting the fine-tunes in order of N slides that window forward, and a deque of
 * decreasing D keeps its largest: O(n log n) for the two sorts, where comparing every
 * fine-tune with every from-scratch run is quadratic (tests/bench/screen_scale.sh).
 * Returns -1 when out of memory. */
static int flag_finetunes(const xl_xfer_runs *runs, unsigned *flags)
{
    size_t np = 0, nf = 0;
    for (size_t i = 0; i < runs->n; i++) {
        if (!sized_row(runs, i))
            continue;
        if (!xl__is_scratch(runs->curriculum[i]))
            nf++;
        else if ((flags[i] & XL_XF_PRE_TRANSITION) && !isnan(runs->D[i]))
            np++;
    }
    if (np == 0 || nf == 0)
        return 0;
    sized *pre = malloc(np * sizeof *pre), *ft = malloc(nf * sizeof *ft);
    size_t *dq = malloc(np * sizeof *dq);
    if (!pre || !ft || !dq) {
        free(pre); free(ft); free(dq);
        return -1;
    }
    np = nf = 0;
    for (size_t i = 0; i < runs->n; i++) {
        if (!sized_row(runs, i))
            continue;
        sized s = {runs->N[i], runs->D[i], i};
        if (!xl__is_scratch(runs->curriculum[i]))
            ft[nf++] = s;
        else if ((flags[i] & XL_XF_PRE_TRANSITION) && !isnan(runs->D[i]))
            pre[np++] = s;
    }
    qsort(pre, np, sizeof *pre, by_n);
    qsort(ft, nf, sizeof *ft, by_n);
    size_t lo = 0, hi = 0, head = 0, tail = 0;   /* window pre[lo, hi); deque dq[head, tail) */
    for (size_t k = 0; k < nf; k++) {
        double N = ft[k].N;
        for (; hi < np && (pre[hi].N <= N || same_size(pre[hi].N, N)); hi++) {
            while (tail > head && pre[dq[tail - 1]].D <= pre[hi].D)
                tail--;
            dq[tail++] = hi;
        }
        while (lo < hi && pre[lo].N < N && !same_size(pre[lo].N, N))
            lo++;
        while (head < tail && dq[head] < lo)
            head++;
        if (head < tail && ft[k].D <= pre[dq[head]].D * (1 + 1e-9))
            flags[ft[k].row] |= XL_XF_PRE_TRANSITION;
    }
    free(pre);
    free(ft);
    free(dq);
    return 0;
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
    if (flag_finetunes(runs, flags) == 0)
        return;
    /* out of memory for the index: the same answer by comparing every pair */
    for (size_t i = 0; i < runs->n; i++) {
        if (xl__is_scratch(runs->curriculum[i]) || !sized_row(runs, i))
            continue;
        for (size_t j = 0; j < runs->n; j++)
            if ((flags[j] & XL_XF_PRE_TRANSITION) && xl__is_scratch(runs->curriculum[j]) &&
                sized_row(runs, j) &&
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
