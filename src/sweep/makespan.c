/* Wall time of a plan: a simulation of the executor in O(n log n), so a dry run of a
 * million runs takes seconds.  The executor's rule: the earliest free worker takes the
 * first ready run in plan order, or waits for the run that becomes ready first.  A
 * segment tree over plan order holds each unstarted run's ready time (INFINITY while its
 * dependency has not started, and once it has started itself); a heap holds the workers'
 * free times. */
#include "xferlaw/sweep.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    size_t size;   /* leaves (a power of two) */
    double *t;     /* [2 size]: t[1] the root, min of the children */
} segtree;

static void seg_set(segtree *s, size_t i, double v)
{
    size_t k = s->size + i;
    s->t[k] = v;
    for (k /= 2; k >= 1; k /= 2)
        s->t[k] = fmin(s->t[2 * k], s->t[2 * k + 1]);
}

/* Leftmost leaf with value <= x, or the leftmost minimum when none is; SIZE_MAX when
 * every leaf is INFINITY. */
static size_t seg_pick(const segtree *s, double x)
{
    if (!(s->t[1] < INFINITY))
        return (size_t)-1;
    double want = s->t[1] <= x ? x : s->t[1];
    size_t k = 1;
    while (k < s->size)
        k = s->t[2 * k] <= want ? 2 * k : 2 * k + 1;
    return k - s->size;
}

static void heap_push(double *h, size_t *n, double v)
{
    size_t i = (*n)++;
    for (; i > 0 && h[(i - 1) / 2] > v; i = (i - 1) / 2)
        h[i] = h[(i - 1) / 2];
    h[i] = v;
}

static double heap_pop(double *h, size_t *n)
{
    double top = h[0], v = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && h[c + 1] < h[c])
            c++;
        if (h[c] >= v)
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n)
        h[i] = v;
    return top;
}

double xl_sweep_plan_makespan(const xl_sweep_plan *p, const unsigned char *include,
                              const unsigned char *done, int jobs, double fps)
{
    if (jobs < 1)
        jobs = 1;
    size_t n = p->n, workers = (size_t)jobs < n ? (size_t)jobs : (n ? n : 1);
    segtree s = {1, NULL};
    while (s.size < n)
        s.size *= 2;
    /* finish[i]: 0 = done before we start (or not in the set), < 0 = not started yet;
       kids: the runs that depend on i, as CSR lists */
    double *finish = calloc(n + 1, sizeof *finish), *heap = malloc(workers * sizeof *heap);
    size_t *kid_at = calloc(n + 2, sizeof *kid_at), *kids = malloc((n + 1) * sizeof *kids);
    s.t = malloc(2 * s.size * sizeof *s.t);
    double end = NAN;
    if (!finish || !heap || !kid_at || !kids || !s.t)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (p->runs[i].dep >= 0)
            kid_at[p->runs[i].dep + 1]++;
    for (size_t i = 0; i < n; i++)
        kid_at[i + 1] += kid_at[i];
    for (size_t i = 0; i < n; i++)
        if (p->runs[i].dep >= 0)
            kids[kid_at[p->runs[i].dep]++] = i;
    for (size_t i = n; i > 0; i--)
        kid_at[i] = kid_at[i - 1];
    kid_at[0] = 0;
    size_t left = 0;
    for (size_t i = 0; i < n; i++)
        if ((!include || include[i]) && !(done && done[i])) {
            finish[i] = -1;
            left++;
        }
    for (size_t k = 0; k < 2 * s.size; k++)
        s.t[k] = INFINITY;
    for (size_t i = 0; i < n; i++) {
        long d = p->runs[i].dep;
        if (finish[i] < 0 && (d < 0 || finish[d] >= 0))
            s.t[s.size + i] = 0;   /* no dependency waiting: ready at once */
    }
    for (size_t k = s.size - 1; k >= 1; k--)
        s.t[k] = fmin(s.t[2 * k], s.t[2 * k + 1]);
    size_t nh = 0;
    for (size_t w = 0; w < workers; w++)
        heap_push(heap, &nh, 0);
    end = 0;
    for (; left > 0; left--) {
        double free_at = heap_pop(heap, &nh);
        size_t pick = seg_pick(&s, free_at);
        if (pick == (size_t)-1)
            break;   /* depends on a run outside the set: never runs here */
        double start = fmax(free_at, s.t[s.size + pick]);
        finish[pick] = start + p->runs[pick].est_cost / fps;
        seg_set(&s, pick, INFINITY);
        for (size_t k = kid_at[pick]; k < kid_at[pick + 1]; k++)
            if (finish[kids[k]] < 0)
                seg_set(&s, kids[k], finish[pick]);
        heap_push(heap, &nh, finish[pick]);
        end = fmax(end, finish[pick]);
    }
out:
    free(finish);
    free(heap);
    free(kid_at);
    free(kids);
    free(s.t);
    return end;
}
