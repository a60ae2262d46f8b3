/* The whole analysis: scratch model, estimates, fits per curriculum, a pipeline
 * bootstrap for the intervals, the curricula comparison and compute accounting. */
#include "xfer_internal.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void xl_xfer_opts_default(xl_xfer_opts *o)
{
    memset(o, 0, sizeof *o);
    o->low_data_frac = 0.10;
    o->within = 0.01;
    o->disagree = 2.0;
    o->bootstrap = 400;
    o->seed = 1;
    o->estimator = -1;
    o->transition_margin = 0.5;
    o->verdict_decades = 2;
    o->verdict_width = 0.25;
    o->verdict_min_clean = 8;
}

void xl_transfer_result_free(xl_transfer_result *r)
{
    if (!r)
        return;
    xl_verdict_free(&r->verdict);
    xl_scratch_model_free(r->scratch);
    free(r->est);
    free(r->screen);
    for (size_t c = 0; c < r->n_curricula; c++)
        xl__curriculum_free(&r->cur[c]);
    free(r->cur);
    free(r);
}

/* ---- bootstrap ---------------------------------------------------------------------- */
enum { BS_LAW0 = 0, BS_LAW1 = 3, BS_FF = 6, BS_LOSS = 9, BS_AT = 12 };

typedef struct {
    const xl_xfer_runs *runs;
    const xl_xfer_opts *o;
    const xl_transfer_result *r;
    const size_t *sc_idx;           /* scratch rows grouped by size: */
    const size_t *sc_start;         /* group g is sc_idx[sc_start[g] .. sc_start[g+1]) */
    size_t n_groups, n_sc;
    const size_t *ft_idx;           /* fine-tuned rows grouped by curriculum */
    const size_t *ft_start;
    size_t n_ft;
    size_t n_stats;
    double *out;                    /* [B][n_curricula][n_stats] */
    xl_progress *prog;
    size_t done;
} boot_ctx;

static void put_law(double *o, const xl_law_fit *f)
{
    o[0] = f->ok ? f->lk.value : NAN;
    o[1] = f->ok ? f->alpha.value : NAN;
    o[2] = f->ok ? f->beta.value : NAN;
}

static void boot_one(void *vctx, size_t b, int worker)
{
    (void)worker;
    boot_ctx *bc = vctx;
    const xl_transfer_result *r = bc->r;
    size_t C = r->n_curricula, S = bc->n_stats;
    double *out = bc->out + b * C * S;
    for (size_t i = 0; i < C * S; i++)
        out[i] = NAN;
    xl_rng rng;
    xl_rng_seed_stream(&rng, bc->o->seed, b + 1);
    size_t *si = malloc((bc->n_sc + 1) * sizeof *si), *fi = malloc((bc->n_ft + 1) * sizeof *fi);
    xl_xfer_est *est = malloc((bc->n_ft + 1) * sizeof *est);
    xl_curriculum_result cr;
    memset(&cr, 0, sizeof cr);
    xl_scratch_model *m = NULL;
    if (!si || !fi || !est)
        goto done;
    /* resample runs within each size (scratch) and within each curriculum (fine-tuned),
     * so every replicate keeps the design and redoes every step of the pipeline */
    for (size_t g = 0; g < bc->n_groups; g++) {
        size_t a = bc->sc_start[g], len = bc->sc_start[g + 1] - a;
        for (size_t j = 0; j < len; j++)
            si[a + j] = bc->sc_idx[a + xl_rng_below(&rng, len)];
    }
    for (size_t c = 0; c < C; c++) {
        size_t a = bc->ft_start[c], len = bc->ft_start[c + 1] - a;
        for (size_t j = 0; j < len; j++)
            fi[a + j] = bc->ft_idx[a + xl_rng_below(&rng, len)];
    }
    xl_error err;
    xl_error_clear(&err);
    if (xl__scratch_build_idx(bc->runs, si, bc->n_sc,
                              r->scratch->kap_ok ? &r->scratch->kap : NULL, bc->o, &m, &err))
        goto done;
    xl__estimate_runs(bc->runs, fi, bc->n_ft, m, bc->o, r->screen, est);
    for (size_t c = 0; c < C; c++) {
        xl__fit_curriculum(est, bc->n_ft, r->cur[c].name, m, &r->cur[c], &cr);
        double *o = out + c * S;
        put_law(o + BS_LAW0, &cr.law[0]);
        put_law(o + BS_LAW1, &cr.law[1]);
        if (cr.ff.ok) {
            o[BS_FF] = log(cr.ff.k.value);
            o[BS_FF + 1] = cr.ff.alpha.value;
            o[BS_FF + 2] = cr.ff.beta.value;
        }
        put_law(o + BS_LOSS, &cr.loss_fit);
        const xl_law_fit *lf = &cr.law[r->compare_est];
        for (size_t a = 0; a < bc->o->n_at && lf->ok; a++)
            o[BS_AT + a] = 1.0 + xl_law_dt(lf, bc->o->at_N[a], bc->o->at_DF[a]) / bc->o->at_DF[a];
        char *keep = cr.name;
        cr.name = NULL;
        xl__curriculum_free(&cr);
        cr.name = keep;
    }
done:
    xl__curriculum_free(&cr);
    xl_scratch_model_free(m);
    free(si);
    free(fi);
    free(est);
    if (bc->prog) {
        /* progress is cosmetic: a racy counter only affects the bar */
        size_t d = __atomic_add_fetch(&bc->done, 1, __ATOMIC_RELAXED);
        if (d % 16 == 0)
            xl_progress_update(bc->prog, (double)d, NULL);
    }
}

/* Replace the interval of p with the bootstrap percentile interval of column j. */
static void apply_boot(xl_param *p, double *col, size_t B, int is_log_k)
{
    size_t n = 0;
    for (size_t b = 0; b < B; b++)
        if (isfinite(col[b]))
            col[n++] = col[b];
    if (n < 20)
        return;
    qsort(col, n, sizeof *col, xl__cmp_double);
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++)
        mean += col[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        var += (col[i] - mean) * (col[i] - mean) / (double)(n - 1);
    double lo = xl__quantile_sorted(col, n, 0.025), hi = xl__quantile_sorted(col, n, 0.975);
    if (is_log_k) {
        p->se = p->value * sqrt(var);
        p->lo = exp(lo);
        p->hi = exp(hi);
    } else {
        p->se = sqrt(var);
        p->lo = lo;
        p->hi = hi;
    }
}

static void apply_law(xl_law_fit *f, double *out, size_t B, size_t stride, size_t off)
{
    double *col = malloc((B + 1) * sizeof *col);
    if (!col || !f->ok) {
        free(col);
        return;
    }
    xl_param *ps[3] = {&f->lk, &f->alpha, &f->beta};
    for (int j = 0; j < 3; j++) {
        for (size_t b = 0; b < B; b++)
            col[b] = out[b * stride + off + (size_t)j];
        apply_boot(ps[j], col, B, 0);
    }
    for (size_t b = 0; b < B; b++)
        col[b] = out[b * stride + off];
    apply_boot(&f->k, col, B, 1);
    free(col);
}

static int run_bootstrap(const xl_xfer_runs *runs, const xl_xfer_opts *o, xl_transfer_result *r,
                         xl_error *err)
{
    size_t B = o->bootstrap, C = r->n_curricula, S = BS_AT + o->n_at;
    /* B x C x S statistics plus one column: estimated before anything is allocated */
    double need = ((double)B * (double)C * (double)S + (double)B) * sizeof(double);
    if (need > (double)xl_mem_limit())
        return xl_error_set(err, XL_EINVAL,
                            "--bootstrap %zu needs ~%.3g GB for %zu curricula, above the memory "
                            "limit of %.3g GB (XL_MEM_LIMIT)",
                            B, need / 1e9, C, (double)xl_mem_limit() / 1e9);
    size_t *sc_idx = malloc((runs->n + 1) * sizeof *sc_idx);
    size_t *sc_start = malloc((r->scratch->n_sizes + 2) * sizeof *sc_start);
    size_t *ft_idx = malloc((runs->n + 1) * sizeof *ft_idx);
    size_t *ft_start = malloc((C + 2) * sizeof *ft_start);
    double *out = malloc((B * C * S + 1) * sizeof *out);
    int rc = XL_OK;
    if (!sc_idx || !sc_start || !ft_idx || !ft_start || !out) {
        rc = xl_error_set(err, XL_ENOMEM, "out of memory");
        goto done;
    }
    size_t n = 0;
    unsigned excluded = xl__screen_excluded(o);
    for (size_t g = 0; g < r->scratch->n_sizes; g++) {
        sc_start[g] = n;
        for (size_t i = 0; i < runs->n; i++)
            if (xl__is_scratch(runs->curriculum[i]) && !(r->screen[i] & excluded) &&
                fabs(runs->N[i] - r->scratch->c[g].N) <= 1e-9 * runs->N[i])
                sc_idx[n++] = i;
    }
    sc_start[r->scratch->n_sizes] = n;
    size_t nf = 0;
    for (size_t c = 0; c < C; c++) {
        ft_start[c] = nf;
        for (size_t i = 0; i < runs->n; i++)
            if (!strcmp(runs->curriculum[i], r->cur[c].name))
                ft_idx[nf++] = i;
    }
    ft_start[C] = nf;
    xl_progress prog;
    if (!o->no_progress)
        xl_progress_init(&prog, stderr, "bootstrap", (double)B);
    boot_ctx bc = {runs, o, r, sc_idx, sc_start, r->scratch->n_sizes, n, ft_idx, ft_start, nf,
                   S, out, o->no_progress ? NULL : &prog, 0};
    rc = xl_parallel_for(B, o->threads, boot_one, &bc, err);
    if (!o->no_progress)
        xl_progress_finish(&prog, NULL);
    if (rc)
        goto done;
    double *col = malloc((B + 1) * sizeof *col);
    if (!col) {
        rc = xl_error_set(err, XL_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t c = 0; c < C; c++) {
        xl_curriculum_result *cr = &r->cur[c];
        apply_law(&cr->law[0], out + c * S, B, C * S, BS_LAW0);
        apply_law(&cr->law[1], out + c * S, B, C * S, BS_LAW1);
        apply_law(&cr->loss_fit, out + c * S, B, C * S, BS_LOSS);
        if (cr->ff.ok) {
            xl_param *ps[3] = {&cr->ff.k, &cr->ff.alpha, &cr->ff.beta};
            for (int j = 0; j < 3; j++) {
                for (size_t b = 0; b < B; b++)
                    col[b] = out[b * C * S + c * S + BS_FF + (size_t)j];
                apply_boot(ps[j], col, B, j == 0);
            }
        }
        for (size_t a = 0; a < o->n_at; a++) {
            xl_param p = {cr->at_mult[a], NAN, NAN, NAN};
            for (size_t b = 0; b < B; b++)
                col[b] = out[b * C * S + c * S + BS_AT + a];
            apply_boot(&p, col, B, 0);
            cr->at_mult_lo[a] = p.lo;
            cr->at_mult_hi[a] = p.hi;
        }
    }
    free(col);
done:
    free(sc_idx);
    free(sc_start);
    free(ft_idx);
    free(ft_start);
    free(out);
    return rc;
}

/* ---- curricula comparison: nested least squares on log D_T -------------------------- */
/* model: 0 full (lk_c, alpha_c, beta_c), 1 beta shared, 2 alpha shared, 3 both shared */
static int joint_fit(const xl_transfer_result *r, int model, double *rss, size_t *n_out,
                     size_t *p_out, double *beta, double *beta_se)
{
    size_t C = r->n_curricula, p = model == 0 ? 3 * C : model == 3 ? C + 2 : 2 * C + 1;
    int s = r->compare_est;
    size_t n = 0;
    for (size_t i = 0; i < r->n_est; i++)
        n += r->est[i].used[s] && !xl__is_scratch(r->est[i].curriculum);
    double *X = calloc((n + 1) * p, sizeof *X), *y = malloc((n + 1) * sizeof *y);
    double *b = malloc(p * sizeof *b), *se = malloc(p * sizeof *se);
    int rc = XL_EINVAL;
    if (!X || !y || !b || !se)
        goto done;
    size_t row = 0;
    for (size_t i = 0; i < r->n_est; i++) {
        const xl_xfer_est *e = &r->est[i];
        if (!e->used[s])
            continue;
        size_t c = 0;
        while (c < C && strcmp(r->cur[c].name, e->curriculum))
            c++;
        if (c == C)
            continue;
        double *x = X + row * p, lD = log(e->DF), lN = log(e->N);
        x[c] = 1;
        switch (model) {
        case 0: x[C + c] = lD; x[2 * C + c] = lN; break;
        case 1: x[C + c] = lD; x[2 * C] = lN; break;
        case 2: x[C] = lD; x[C + 1 + c] = lN; break;
        default: x[C] = lD; x[C + 1] = lN; break;
        }
        y[row++] = log(e->DT[s]);
    }
    rc = xl__ols(row, p, X, y, b, se, rss);
    *n_out = row;
    *p_out = p;
    if (!rc && model == 1 && beta) {
        *beta = b[2 * C];
        *beta_se = se[2 * C];
    }
done:
    free(X);
    free(y);
    free(b);
    free(se);
    return rc;
}

static void compare(xl_transfer_result *r)
{
    r->compare_ok = 0;
    if (r->n_curricula < 2)
        return;
    double rss_f, rss_r;
    size_t n, pf, pr;
    if (joint_fit(r, 0, &rss_f, &n, &pf, NULL, NULL) || n <= pf)
        return;
    static const char *what[3] = {"beta", "alpha", "alpha+beta"};
    for (int t = 0; t < 3; t++) {
        xl_compare_test *ct = &r->tests[t];
        ct->what = what[t];
        ct->F = ct->p = NAN;
        if (joint_fit(r, t + 1, &rss_r, &n, &pr, &r->shared_beta, &r->shared_beta_se))
            continue;
        ct->df1 = (double)(pf - pr);
        ct->df2 = (double)(n - pf);
        ct->F = ((rss_r - rss_f) / ct->df1) / (rss_f / ct->df2);
        ct->p = gsl_cdf_fdist_Q(fmax(ct->F, 0.0), ct->df1, ct->df2);
    }
    r->compare_ok = 1;
}

/* ---- the same comparison in loss space ------------------------------------------------ */
typedef struct {
    size_t n, C;
    int model;                  /* 0 full, 1 beta shared, 2 alpha shared, 3 both */
    const double *N, *DF, *L;
    const size_t *cur;
    const xl_kaplan *kap;
} closs_ctx;

static int closs_resid(const gsl_vector *v, void *vctx, gsl_vector *f)
{
    const closs_ctx *c = vctx;
    size_t C = c->C;
    for (size_t i = 0; i < c->n; i++) {
        size_t k = c->cur[i];
        double lk = gsl_vector_get(v, k), a, b;
        switch (c->model) {
        case 0: a = gsl_vector_get(v, C + k); b = gsl_vector_get(v, 2 * C + k); break;
        case 1: a = gsl_vector_get(v, C + k); b = gsl_vector_get(v, 2 * C); break;
        case 2: a = gsl_vector_get(v, C); b = gsl_vector_get(v, C + 1 + k); break;
        default: a = gsl_vector_get(v, C); b = gsl_vector_get(v, C + 1); break;
        }
        double DT = exp(lk + a * log(c->DF[i]) + b * log(c->N[i]));
        gsl_vector_set(f, i, log(c->L[i]) - log(xl_kaplan_loss(c->kap, c->N[i], c->DF[i] + DT)));
    }
    return 0;
}

static void compare_loss(xl_transfer_result *r)
{
    size_t C = r->n_curricula;
    r->compare_loss_ok = 0;
    if (C < 2 || C > 8 || !r->scratch->kap_ok)
        return;
    for (size_t c = 0; c < C; c++)
        if (!r->cur[c].loss_fit.ok)
            return;
    double *N = malloc((r->n_est + 1) * sizeof *N), *DF = malloc((r->n_est + 1) * sizeof *DF);
    double *L = malloc((r->n_est + 1) * sizeof *L);
    size_t *cur = malloc((r->n_est + 1) * sizeof *cur), n = 0;
    if (!N || !DF || !L || !cur)
        goto done;
    for (size_t i = 0; i < r->n_est; i++) {
        const xl_xfer_est *e = &r->est[i];
        if ((e->common & XL_XF_HIGH_DATA) || !(e->loss > 0))
            continue;
        size_t c = 0;
        while (c < C && strcmp(r->cur[c].name, e->curriculum))
            c++;
        N[n] = e->N;
        DF[n] = e->DF;
        L[n] = e->loss;
        cur[n++] = c;
    }
    closs_ctx ctx = {n, C, 0, N, DF, L, cur, &r->scratch->kap};
    double rss[4], x[4][3 * 8], se[3 * 8];
    size_t p[4] = {3 * C, 2 * C + 1, 2 * C + 1, C + 2};
    for (int m = 0; m < 4; m++) {
        /* start from the separate fits; shared exponents start at their mean */
        double ma = 0, mb = 0;
        for (size_t c = 0; c < C; c++) {
            x[m][c] = r->cur[c].loss_fit.lk.value;
            ma += r->cur[c].loss_fit.alpha.value / (double)C;
            mb += r->cur[c].loss_fit.beta.value / (double)C;
        }
        for (size_t c = 0; c < C; c++) {
            double a = r->cur[c].loss_fit.alpha.value, b = r->cur[c].loss_fit.beta.value;
            if (m == 0)
                x[m][C + c] = a, x[m][2 * C + c] = b;
            else if (m == 1)
                x[m][C + c] = a, x[m][2 * C] = mb;
            else if (m == 2)
                x[m][C] = ma, x[m][C + 1 + c] = b;
            else
                x[m][C] = ma, x[m][C + 1] = mb;
        }
        ctx.model = m;
        if (n <= p[m] || xl__nls(n, p[m], closs_resid, &ctx, x[m], m == 1 ? se : NULL, &rss[m], 300))
            goto done;
        if (m == 1) {
            r->shared_beta_loss = x[1][2 * C];
            r->shared_beta_loss_se = se[2 * C];
        }
    }
    static const char *what[3] = {"beta", "alpha", "alpha+beta"};
    for (int t = 0; t < 3; t++) {
        xl_compare_test *ct = &r->tests_loss[t];
        ct->what = what[t];
        ct->df1 = (double)(p[0] - p[t + 1]);
        ct->df2 = (double)(n - p[0]);
        /* a restricted fit can only be worse; tiny negative gaps are optimiser noise */
        ct->F = fmax(0.0, (rss[t + 1] - rss[0]) / ct->df1) / (rss[0] / ct->df2);
        ct->p = gsl_cdf_fdist_Q(ct->F, ct->df1, ct->df2);
    }
    r->compare_loss_ok = 1;
done:
    free(N);
    free(DF);
    free(L);
    free(cur);
}

/* ---- compute: FLOPs = 6 N D to reach a target loss ---------------------------------- */
static void compute_accounting(xl_transfer_result *r)
{
    const xl_xfer_opts *o = &r->opts;
    r->n_compute = 0;
    if (!(o->target_loss > 0) || !r->scratch->kap_ok || r->n_curricula == 0)
        return;
    const xl_curriculum_result *cr = &r->cur[0];
    for (size_t c = 0; o->compute_curriculum && c < r->n_curricula; c++)
        if (!strcmp(r->cur[c].name, o->compute_curriculum))
            cr = &r->cur[c];
    const xl_law_fit *lf = cr->loss_fit.ok ? &cr->loss_fit : &cr->law[r->compare_est];
    if (!lf->ok)
        return;
    snprintf(r->compute_curriculum, sizeof r->compute_curriculum, "%s", cr->name);
    double lo = r->scratch->c[0].N, hi = r->scratch->c[r->scratch->n_sizes - 1].N;
    size_t K = 16;
    double best_s = INFINITY, best_f = INFINITY, best_fp = INFINITY, least = INFINITY;
    for (size_t i = 0; i < K; i++) {
        double N = K > 1 && hi > lo ? exp(log(lo) + (log(hi) - log(lo)) * (double)i / (double)(K - 1)) : lo;
        xl_compute_row *row = &r->compute[r->n_compute];
        row->N = N;
        row->D_scratch = xl_kaplan_invert(&r->scratch->kap, N, o->target_loss);
        row->DF = NAN;
        if (isfinite(row->D_scratch) && row->D_scratch > 0) {
            /* D_F + D_T(D_F) grows with D_F: bisection in log D_F */
            double a = log(row->D_scratch) - 60, b = log(row->D_scratch);
            for (int it = 0; it < 200; it++) {
                double m = 0.5 * (a + b), DF = exp(m);
                if (DF + xl_law_dt(lf, N, DF) > row->D_scratch)
                    b = m;
                else
                    a = m;
            }
            row->DF = exp(0.5 * (a + b));
        }
        row->flops_scratch = 6 * N * row->D_scratch;
        row->flops_ft = 6 * N * row->DF;
        row->flops_ft_pre = o->pretrain_tokens > 0 ? row->flops_ft + 6 * N * o->pretrain_tokens : NAN;
        size_t k = r->n_compute++;
        if (row->flops_scratch < best_s)
            best_s = row->flops_scratch, r->compute_best_scratch = k;
        if (row->flops_ft < best_f)
            best_f = row->flops_ft, r->compute_best_flops = k;
        if (row->flops_ft_pre < best_fp)
            best_fp = row->flops_ft_pre, r->compute_best_flops_pre = k;
        if (row->DF < least)
            least = row->DF, r->compute_least_df = k;
    }
}

int xl_transfer_analyze(const xl_xfer_runs *runs, const xl_xfer_opts *o,
                        xl_transfer_result **out, xl_error *err)
{
    *out = NULL;
    if (o->n_at > 16)
        return xl_error_set(err, XL_EINVAL, "at most 16 --at points");
    if (!(o->low_data_frac > 0) || !(o->within > 0) || !(o->disagree >= 1))
        return xl_error_set(err, XL_EINVAL, "bad option: low-data fraction, within or disagree factor");
    xl_transfer_result *r = xl_calloc(1, sizeof *r, err);
    if (!r)
        return XL_ENOMEM;
    r->opts = *o;
    r->runs = runs;
    int rc = XL_OK;
    if (!(r->screen = xl_calloc(runs->n + 1, sizeof *r->screen, err))) {
        rc = XL_ENOMEM;
        goto fail;
    }
    xl_xfer_runs_screen(runs, o, r->screen);
    for (size_t i = 0; i < runs->n; i++)
        if (xl__is_scratch(runs->curriculum[i])) {
            r->n_scratch_cap += (r->screen[i] & XL_XF_CAP) != 0;
            r->n_scratch_pre += (r->screen[i] & XL_XF_PRE_TRANSITION) != 0;
        }
    rc = xl__scratch_build_screened(runs, r->screen, o, &r->scratch, err);
    if (rc)
        goto fail;
    size_t *idx = xl_calloc(runs->n + 1, sizeof *idx, err);
    r->est = xl_calloc(runs->n + 1, sizeof *r->est, err);
    r->cur = xl_calloc(runs->n + 1, sizeof *r->cur, err);
    if (!idx || !r->est || !r->cur) {
        free(idx);
        rc = XL_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < runs->n; i++) {
        if (xl__is_scratch(runs->curriculum[i]))
            continue;
        idx[r->n_est++] = i;
        size_t c = 0;
        while (c < r->n_curricula && strcmp(r->cur[c].name, runs->curriculum[i]))
            c++;
        if (c == r->n_curricula) {
            if (!(r->cur[c].name = xl_strdup(runs->curriculum[i], err))) {
                free(idx);
                rc = XL_ENOMEM;
                goto fail;
            }
            r->n_curricula++;
        }
    }
    if (r->n_est == 0) {
        free(idx);
        rc = xl_error_set(err, XL_EINVAL, "%s: no fine-tuned runs (rows whose curriculum is not 'scratch')",
                          runs->path[0] ? runs->path : "runs");
        goto fail;
    }
    xl__estimate_runs(runs, idx, r->n_est, r->scratch, o, r->screen, r->est);
    free(idx);
    size_t used_interp = 0, used_fit = 0;
    for (size_t i = 0; i < r->n_est; i++) {
        used_interp += r->est[i].used[XL_EST_INTERP];
        used_fit += r->est[i].used[XL_EST_FIT];
    }
    /* the model-free estimator unless it lost most runs to its flags */
    r->compare_est = o->estimator >= 0 && o->estimator < XL_N_EST ? o->estimator
                     : used_interp >= used_fit / 2                  ? XL_EST_INTERP
                                                                    : XL_EST_FIT;
    for (size_t c = 0; c < r->n_curricula; c++) {
        xl_curriculum_result *cr = &r->cur[c];
        xl__fit_curriculum(r->est, r->n_est, cr->name, r->scratch, NULL, cr);
        const xl_law_fit *lf = &cr->law[r->compare_est];
        for (size_t a = 0; a < o->n_at; a++) {
            double dt = lf->ok ? xl_law_dt(lf, o->at_N[a], o->at_DF[a]) : NAN;
            cr->at_mult[a] = 1.0 + dt / o->at_DF[a];
            cr->at_frac[a] = dt / (dt + o->at_DF[a]);
            cr->at_mult_lo[a] = cr->at_mult_hi[a] = NAN;
        }
    }
    if (o->bootstrap > 0 && (rc = run_bootstrap(runs, o, r, err)))
        goto fail;
    compare(r);
    compare_loss(r);
    compute_accounting(r);
    if ((rc = xl_verdict_compute(r, &r->verdict, err)))
        goto fail;
    *out = r;
    return XL_OK;
fail:
    xl_transfer_result_free(r);
    return rc;
}
