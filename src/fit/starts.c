/* Where the multi-start search starts, and which screened starts it polishes.
 *
 * Named laws start on their grid (every point, or a seeded sample of MAX_GRID points);
 * with --starts N, N random points in the grid's box.  Formulas have no grid: each
 * parameter is drawn from a box derived from the data's scales:
 *   - a parameter written right after '^' (an exponent): uniform in [-2, 2] (or inside
 *     its bounds);
 *   - any other parameter (a scale, an offset) bounded on one side (optimised as the log
 *     of its distance to the bound, so it travels decades quickly): bound +/- a magnitude
 *     log-uniform over [m_lo/1e3, m_hi*1e3], where m_lo and m_hi are the smallest and
 *     largest magnitudes of the data columns and the target (and 1);
 *   - unbounded (it moves linearly): magnitude log-uniform over [y_lo/10, y_hi*10], the
 *     target's magnitudes (and 1), negative in a quarter of the starts;
 *   - bounded on both sides: uniform in the box, log-uniform when LO > 0 and HI/LO >= 100.
 * --start-box NAME=LO:HI replaces a parameter's box (log-uniform when LO > 0 and
 * HI/LO >= 100, else uniform), for named laws too; --start NAME=VALUE adds one start
 * ahead of the others with those values (the others' first draw for the rest).
 *
 * Every start draws from its own seeded stream, so the starts of --starts 64 are the
 * first 64 of --starts 1024, and the polishing below decides block by block: more starts
 * can only add candidates. */
#include "fit_run.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GRID 20000
#define FORMULA_STARTS 64

enum { BOX_UNI = 0, BOX_LOGU = 1 };

typedef struct pbox {
    int kind;
    double a, b;        /* natural units; BOX_LOGU: magnitudes a..b (a > 0) */
    double origin;      /* BOX_LOGU: value = origin + sign * magnitude */
    int sign;           /* +1, -1, or 0 for "mostly +, a quarter -" */
} pbox;

/* The parameter is written right after '^' (skipping '(', '-', '+' and spaces). */
static int is_exponent(const char *f, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = f; *p; p++) {
        if (!(isalpha((unsigned char)*p) || *p == '_'))
            continue;
        const char *q = p;
        while (isalnum((unsigned char)*q) || *q == '_' || *q == '.')
            q++;
        int prev_ok = p == f || !(isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.');
        if (prev_ok && (size_t)(q - p) == len && strncmp(p, name, len) == 0) {
            const char *b = p;
            while (b > f && strchr("(-+ ", b[-1]))
                b--;
            if (b > f && b[-1] == '^')
                return 1;
        }
        p = q - 1;
    }
    return 0;
}

/* Smallest and largest non-zero magnitudes of the data columns and the target (*lo, *hi),
 * and of the target alone (*ylo, *yhi). */
static void data_scales(const fit_problem *pb, double *lo, double *hi, double *ylo, double *yhi)
{
    double a = 1, b = 1, ya = 1, yb = 1;
    for (size_t i = 0; i < pb->n; i++) {
        for (size_t c = 0; c < pb->n_cols; c++) {
            double v = fabs(pb->x[c][i]);
            if (v > 0 && isfinite(v)) {
                a = fmin(a, v);
                b = fmax(b, v);
            }
        }
        double y = fabs(pb->space_log ? exp(pb->gy[i]) : pb->gy[i]);
        if (y > 0 && isfinite(y)) {
            ya = fmin(ya, y);
            yb = fmax(yb, y);
        }
    }
    *lo = fmin(a, ya) * 1e-3;
    *hi = fmax(b, yb) * 1e3;
    *ylo = ya * 0.1;
    *yhi = yb * 10;
}

static void box_from_range(pbox *bx, double lo, double hi)
{
    if (lo > 0 && hi / lo >= 100)
        *bx = (pbox){.kind = BOX_LOGU, .a = lo, .b = hi, .origin = 0, .sign = 1};
    else
        *bx = (pbox){.kind = BOX_UNI, .a = lo + 1e-3 * (hi - lo), .b = hi - 1e-3 * (hi - lo)};
}

static void formula_box(const fit_problem *pb, const xl_fit_result *r, size_t k,
                        const double *sc, pbox *bx)
{
    const fit_ptrans *t = &pb->tr[k];
    if (is_exponent(r->formula, r->params[k].name)) {
        double lo = fmax(t->lo, -2), hi = fmin(t->hi, 2);
        if (!(lo < hi)) {
            lo = isfinite(t->lo) ? t->lo : t->hi - 4;
            hi = isfinite(t->hi) ? t->hi : t->lo + 4;
        }
        box_from_range(bx, lo, hi);
        return;
    }
    switch (t->kind) {
    case TR_LOG:
    case TR_LOWER: *bx = (pbox){BOX_LOGU, sc[0], sc[1], t->kind == TR_LOG ? 0 : t->lo, 1}; break;
    case TR_UPPER: *bx = (pbox){BOX_LOGU, sc[0], sc[1], t->hi, -1}; break;
    case TR_BOX: box_from_range(bx, t->lo, t->hi); break;
    /* an unbounded one moves linearly, so it starts near the target's scale */
    default: *bx = (pbox){BOX_LOGU, sc[2], sc[3], 0, 0}; break;
    }
}

static double draw(const pbox *bx, xl_rng *rng)
{
    double u = xl_rng_uniform(rng);
    if (bx->kind == BOX_UNI)
        return bx->a + (bx->b - bx->a) * u;
    double mag = exp(log(bx->a) + (log(bx->b) - log(bx->a)) * u);
    int sign = bx->sign ? bx->sign : (xl_rng_uniform(rng) < 0.25 ? -1 : 1);
    return bx->origin + sign * mag;
}

static size_t grid_size(const xl_law_param *lp) { return lp->n_grid ? lp->n_grid : 2; }

/* Break positions of bnsl:K have no fixed grid: break i starts at two points around
 * the i/(K+1) quantile of the range of log x, so starts keep d1 < d2 < d3. */
static double grid_value(const xl_law_info *info, const xl_law_param *lp, size_t j,
                         const fit_problem *pb)
{
    if (lp->n_grid)
        return lp->grid[j];
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (size_t i = 0; i < pb->n; i++) {
        lo = fmin(lo, pb->logx[0][i]);
        hi = fmax(hi, pb->logx[0][i]);
    }
    const char *colon = strchr(info->name, ':');
    double K = colon ? atof(colon + 1) : 1, i = atof(lp->name + 1);
    return lo + (hi - lo) * (i + (j ? 0.3 : -0.3)) / (K + 1);
}

static const xl_fit_pspec *find_spec(const xl_fit_pspec *s, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s[i].name, name) == 0)
            return &s[i];
    return NULL;
}

/* Internal value of natural value p for parameter k; a random normal when outside. */
static double to_u(const fit_problem *pb, size_t k, double p)
{
    return pb->tr[k].kind == TR_IDENT ? p : fit_u_from_p(&pb->tr[k], p);
}

fit_start *fit_make_starts(const fit_problem *pb, const xl_law_info *info, const xl_fit_result *r,
                           const xl_fit_options *o, size_t *n_out, xl_error *err)
{
    pbox box[XL_FIT_MAX_PARAMS];
    int has_box[XL_FIT_MAX_PARAMS] = {0};
    double sc[4];
    data_scales(pb, &sc[0], &sc[1], &sc[2], &sc[3]);
    for (size_t b = 0; b < o->n_start_box; b++)
        if (xl_fit_param_index(r, o->start_box[b].name) < 0)
            return xl_error_set(err, XL_EINVAL, "--start-box: '%s' is not a parameter of law '%s'",
                                o->start_box[b].name, r->law), NULL;
    for (size_t b = 0; b < o->n_start_values; b++)
        if (xl_fit_param_index(r, o->start_values[b].name) < 0)
            return xl_error_set(err, XL_EINVAL, "--start: '%s' is not a parameter of law '%s'",
                                o->start_values[b].name, r->law), NULL;
    for (size_t k = 0; k < pb->nf; k++) {
        size_t pk = pb->free_idx[k];
        const xl_fit_pspec *sb = find_spec(o->start_box, o->n_start_box, r->params[pk].name);
        if (sb) {
            if (!isfinite(to_u(pb, pk, sb->lo)) || !isfinite(to_u(pb, pk, sb->hi)))
                return xl_error_set(err, XL_EINVAL,
                                    "--start-box %s=%g:%g: outside the parameter's bounds",
                                    sb->name, sb->lo, sb->hi), NULL;
            box_from_range(&box[k], sb->lo, sb->hi);
            has_box[k] = 1;
        } else if (!info) {
            formula_box(pb, r, pk, sc, &box[k]);
        }
    }
    size_t total = 1;
    int use_grid = info && o->n_starts == 0;
    if (use_grid)
        for (size_t k = 0; k < pb->nf && total <= MAX_GRID; k++)
            total *= grid_size(&info->params[pb->free_idx[k]]);
    int sample_grid = use_grid && total > MAX_GRID;
    size_t n = use_grid ? (sample_grid ? MAX_GRID : total)
                        : (o->n_starts ? o->n_starts : FORMULA_STARTS);
    size_t extra = o->n_start_values > 0;
    fit_start *st = xl_calloc(n + extra, sizeof *st, err);
    if (!st)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        xl_rng rng;
        xl_rng_seed_stream(&rng, o->seed, 0x5717000000ULL + i);
        size_t rest = i;
        for (size_t k = 0; k < pb->nf; k++) {
            size_t pk = pb->free_idx[k];
            double v;
            if (has_box[k] || !info) {
                v = to_u(pb, pk, draw(&box[k], &rng));
            } else {
                const xl_law_param *lp = &info->params[pk];
                size_t g = grid_size(lp);
                if (use_grid && !sample_grid) {
                    /* last parameter varies fastest */
                    size_t stride = 1;
                    for (size_t q = k + 1; q < pb->nf; q++)
                        stride *= grid_size(&info->params[pb->free_idx[q]]);
                    v = grid_value(info, lp, (rest / stride) % g, pb);
                } else if (use_grid) {
                    v = grid_value(info, lp, xl_rng_below(&rng, g), pb);
                } else {
                    double a = grid_value(info, lp, 0, pb), b = grid_value(info, lp, g - 1, pb);
                    v = a + (b - a) * xl_rng_uniform(&rng);
                }
                /* grids are in log units for log-scale params; map to this transform */
                v = to_u(pb, pk, lp->log_scale ? exp(v) : v);
            }
            if (!isfinite(v))
                v = xl_rng_normal(&rng);
            st[i + extra].th[k] = v;
        }
    }
    if (extra) {
        st[0] = st[1];
        for (size_t k = 0; k < pb->nf; k++) {
            size_t pk = pb->free_idx[k];
            const xl_fit_pspec *sv =
                find_spec(o->start_values, o->n_start_values, r->params[pk].name);
            if (!sv)
                continue;
            double v = to_u(pb, pk, sv->value);
            if (!isfinite(v))
                return free(st), xl_error_set(err, XL_EINVAL,
                                              "--start %s=%g: outside the parameter's bounds",
                                              sv->name, sv->value), NULL;
            st[0].th[k] = v;
        }
        for (size_t b = 0; b < o->n_start_values; b++)
            if (r->params[xl_fit_param_index(r, o->start_values[b].name)].fixed)
                return free(st), xl_error_set(err, XL_EINVAL, "--start: '%s' is fixed",
                                              o->start_values[b].name), NULL;
    }
    *n_out = n + extra;
    return st;
}

/* Two screened end points in the same basin: objectives within 1e-4 (relative) and every
 * coordinate within 0.1 (relative to its size, at least 1). */
static int same_basin(const fit_start *a, const fit_start *b, size_t nf)
{
    if (!(fabs(a->obj - b->obj) <= 1e-4 * fmax(fabs(a->obj), fabs(b->obj))))
        return 0;
    for (size_t k = 0; k < nf; k++)
        if (fabs(a->th[k] - b->th[k]) > 0.1 * fmax(1, 0.5 * (fabs(a->th[k]) + fabs(b->th[k]))))
            return 0;
    return 1;
}

size_t fit_select_polish(const fit_start *st, size_t n, size_t nf, size_t *todo)
{
    size_t nt = 0;
    size_t idx[FIT_BLOCK];
    for (size_t b0 = 0; b0 < n; b0 += FIT_BLOCK) {
        size_t m = 0;
        for (size_t i = b0; i < n && i < b0 + FIT_BLOCK; i++) {
            if (st[i].conv || !isfinite(st[i].obj))
                continue;
            /* insertion by objective (stable: ties keep start order) */
            size_t j = m++;
            while (j > 0 && st[idx[j - 1]].obj > st[i].obj) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = i;
        }
        size_t first = nt;
        for (size_t a = 0; a < m && nt - first < FIT_BLOCK_POLISH; a++) {
            int dup = 0;
            for (size_t q = first; q < nt && !dup; q++)
                dup = same_basin(&st[idx[a]], &st[todo[q]], nf);
            if (!dup)
                todo[nt++] = idx[a];
        }
    }
    return nt;
}
