/* Multi-start, standard errors, bootstrap and diagnostics.
 *
 * Multi-start in two passes, both spread over the cores: every start is screened with
 * FIT_SCREEN_ITER iterations (many converge there); then, block by block of FIT_BLOCK
 * starts, the FIT_BLOCK_POLISH best unconverged ones with different end points are
 * polished to convergence (starts.c).  Starts that end within 1e-6 (relative) of each
 * other's objective count as one optimum. */
#include "fit_run.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct ms_ctx {
    const fit_problem *pb;
    fit_work **work;
    fit_start *st;
    size_t *todo;
    int max_iter;
    /* bootstrap */
    const double *best;
    const xl_fit_result *r;
    double *boot;             /* [B][np] natural params */
    unsigned char *boot_ok;
    double *bbuf;             /* per worker: a resample's rows */
    uint64_t seed;
    xl_progress *prog;
    size_t done;
} ms_ctx;

static void run_start(void *c, size_t i, int worker)
{
    ms_ctx *m = c;
    fit_start *s = &m->st[m->todo ? m->todo[i] : i];
    /* the screening iterations start far from any optimum, where the least-squares form's
       curvature for Huber's linear zone (an IRLS-like weight) is the safer guide; the
       polishing runs start in a basin, where Huber's own curvature converges faster */
    m->work[worker]->huber_exact = m->todo != NULL;
    s->conv = fit_minimise(m->work[worker], s->th, m->max_iter, &s->obj);
    m->work[worker]->huber_exact = 0;
    if (!isfinite(s->obj))
        s->obj = HUGE_VAL;
    size_t d = __atomic_add_fetch(&m->done, 1, __ATOMIC_RELAXED);
    if (worker == 0 && m->prog)
        xl_progress_update(m->prog, (double)d, NULL);
}

static int cmp_obj(const void *a, const void *b)
{
    const fit_start *x = a, *y = b;
    return (x->obj > y->obj) - (x->obj < y->obj);
}

/* bnsl's breaks are exchangeable (the product commutes): order them by position. */
static void canonical_breaks(const xl_fit_result *r, double *u)
{
    if (strncmp(r->law, "bnsl:", 5) != 0)
        return;
    for (size_t k = 0; k < r->n_params; k++)
        if (r->params[k].fixed)
            return;
    size_t K = (r->n_params - 3) / 3;
    for (size_t a = 0; a < K; a++)
        for (size_t b = 0; b + 1 < K - a; b++) {
            double *x = u + 3 + 3 * b, *y = x + 3;
            if (x[1] > y[1])
                for (int q = 0; q < 3; q++) {
                    double t = x[q];
                    x[q] = y[q];
                    y[q] = t;
                }
        }
}

static int invert_spd(double *a, size_t p)
{
    gsl_matrix_view m = gsl_matrix_view_array(a, p, p);
    if (gsl_linalg_cholesky_decomp1(&m.matrix) != GSL_SUCCESS)
        return -1;
    return gsl_linalg_cholesky_invert(&m.matrix) == GSL_SUCCESS ? 0 : -1;
}

/* Standard errors in natural units by the delta method.
 * lsq:   cov_u = s^2 (J'WJ)^-1, s^2 = sum w r^2 / (n - p)
 * huber: Huber's (1981, eq. 7.6.5) M-estimator covariance
 *        cov_u = K^2 [sum w psi(r)^2 / (n - p)] / m^2 (J'WJ)^-1, m = mean psi'(r),
 *        K = 1 + (p/n) var(psi')/m^2. */
static int standard_errors(fit_work *w, const double *th, xl_fit_result *r, xl_error *err)
{
    const fit_problem *pb = w->pb;
    size_t n = pb->n, p = pb->nf;
    double u[XL_FIT_MAX_PARAMS], A[XL_FIT_MAX_PARAMS * XL_FIT_MAX_PARAMS] = {0};
    fit_full_u(pb, th, u);
    for (size_t k = 0; k < r->n_params; k++)
        r->params[k].se = NAN;
    fit_model_eval(w, u, 1);
    double sw = 0, spsi2 = 0, sdpsi = 0, sdpsi2 = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = pb->w[i], res = w->gf[i] - pb->gy[i];
        const double *d = w->dg + i * pb->np;
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                A[a * p + b] += wi * d[pb->free_idx[a]] * d[pb->free_idx[b]];
        double psi = res, dpsi = 1;
        if (pb->huber && fabs(res) > pb->delta) {
            psi = res > 0 ? pb->delta : -pb->delta;
            dpsi = 0;
        }
        sw += wi;
        spsi2 += wi * psi * psi;
        sdpsi += wi * dpsi;
        sdpsi2 += wi * dpsi * dpsi;
    }
    if (n <= p || invert_spd(A, p))
        return XL_OK;
    double s2 = spsi2 / (double)(n - p);
    if (pb->huber) {
        double m = sdpsi / sw, var = sdpsi2 / sw - m * m;
        if (m <= 0)
            return XL_OK;
        double K = 1 + (double)p / (double)n * var / (m * m);
        s2 = K * K * s2 / (m * m);
    }
    r->se_scale = s2;
    for (size_t a = 0; a < p; a++) {
        size_t k = pb->free_idx[a];
        r->params[k].se = fabs(fit_dp_du(&pb->tr[k], u[k])) * sqrt(s2 * A[a * p + a]);
    }
    /* the covariance in natural units (fixed parameters: zero rows and columns) */
    size_t np = r->n_params;
    if (!(r->cov = xl_calloc(np * np + 1, sizeof(double), err)))
        return err->code;
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++) {
            size_t ka = pb->free_idx[a], kb = pb->free_idx[b];
            r->cov[ka * np + kb] = fit_dp_du(&pb->tr[ka], u[ka]) * fit_dp_du(&pb->tr[kb], u[kb]) *
                                   s2 * A[a * p + b];
        }
    return XL_OK;
}

/* One refit on a resample, polished locally from the full data's optimum (no multi-start:
 * the standard practice, and what keeps replicates in the optimum's basin).  Only the rows
 * drawn (about 63% of them) are kept, each weighted by how often it was drawn: the same
 * objective as repeating rows, on fewer rows (the model evaluation over the rows is most
 * of the cost). */
static void run_boot(void *c, size_t b, int worker)
{
    ms_ctx *m = c;
    const fit_problem *pb = m->pb;
    size_t n = pb->n, nc = pb->n_cols;
    double *buf = m->bbuf + (size_t)worker * (2 * nc + 3) * n, *mult = buf + (2 * nc + 2) * n;
    memset(mult, 0, n * sizeof *mult);
    xl_rng rng;
    xl_rng_seed_stream(&rng, m->seed, b + 1);
    for (size_t i = 0; i < n; i++)
        mult[xl_rng_below(&rng, n)] += 1;
    fit_problem pc = *pb;
    double *xs[8], *lxs[8];
    for (size_t q = 0; q < nc; q++) {
        xs[q] = buf + 2 * q * n;
        lxs[q] = buf + (2 * q + 1) * n;
    }
    pc.x = xs;
    pc.logx = lxs;
    pc.gy = buf + 2 * nc * n;
    pc.w = pc.gy + n;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (mult[i] == 0)
            continue;
        for (size_t q = 0; q < nc; q++) {
            xs[q][j] = pb->x[q][i];
            lxs[q][j] = pb->logx[q][i];
        }
        pc.gy[j] = pb->gy[i];
        pc.w[j++] = pb->w[i] * mult[i];
    }
    pc.n = j;
    /* the thread's workspace (sized for every row) on the resample's rows */
    fit_work *w = m->work[worker];
    double th[XL_FIT_MAX_PARAMS], u[XL_FIT_MAX_PARAMS], obj;
    memcpy(th, m->best, pb->nf * sizeof *th);
    w->pb = &pc;
    /* a refit starts at the full data's optimum, in its basin: Huber's own curvature
       converges there in about 13 iterations to 1e-10 relative steps (the least-squares
       form needs about 50), so the replicates are optima, not points on the way */
    w->huber_exact = 1;
    w->xtol = 1e-10;
    int ok = fit_minimise(w, th, m->max_iter, &obj);
    w->pb = pb;
    w->huber_exact = 0;
    w->xtol = 0;
    fit_full_u(pb, th, u);
    canonical_breaks(m->r, u);
    for (size_t k = 0; k < pb->np; k++) {
        m->boot[b * pb->np + k] = fit_p_from_u(&pb->tr[k], u[k]);
        ok &= isfinite(m->boot[b * pb->np + k]);
    }
    m->boot_ok[b] = (unsigned char)ok;
    size_t d = __atomic_add_fetch(&m->done, 1, __ATOMIC_RELAXED);
    if (worker == 0 && m->prog)
        xl_progress_update(m->prog, (double)d, NULL);
}

int fit_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double fit_percentile(const double *sorted, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] + (pos - (double)i) * (sorted[i + 1] - sorted[i]);
}

static int bootstrap(ms_ctx *m, int threads, xl_fit_result *r, size_t B, xl_error *err)
{
    const fit_problem *pb = m->pb;
    m->boot = calloc(B * pb->np + 1, sizeof(double));
    m->boot_ok = calloc(B + 1, 1);
    double *col = calloc(B + 1, sizeof(double));
    m->bbuf = calloc((size_t)threads * (2 * pb->n_cols + 3) * pb->n + 1, sizeof(double));
    if (!m->boot || !m->boot_ok || !col || !m->bbuf) {
        free(col);
        free(m->bbuf);
        m->bbuf = NULL;
        return xl_error_set(err, XL_ENOMEM, "out of memory for %zu bootstrap refits", B);
    }
    m->done = 0;
    int rc = xl_parallel_for(B, threads, run_boot, m, err);
    if (m->prog)
        xl_progress_finish(m->prog, NULL);
    free(m->bbuf);
    m->bbuf = NULL;
    size_t ok = 0;
    for (size_t b = 0; b < B; b++)
        if (m->boot_ok[b]) {
            memmove(m->boot + ok * pb->np, m->boot + b * pb->np, pb->np * sizeof(double));
            ok++;
        }
    r->bootstrap = B;
    r->bootstrap_converged = ok;
    r->boot = m->boot;
    m->boot = NULL;
    /* Expanded percentile interval (Hesterberg 2015): plain percentiles are too narrow in
       small samples (they divide by n, not n - p), so take the quantiles at the level whose
       normal point is sqrt(n/(n-p)) t_{n-p,0.975}. */
    double dfree = (double)pb->n - (double)pb->nf, tail = 0.025;
    if (dfree >= 1) {
        double z = sqrt((double)pb->n / dfree) * gsl_cdf_tdist_Pinv(0.975, dfree);
        tail = gsl_cdf_ugaussian_Q(z);
    }
    r->ci_tail = tail;
    for (size_t k = 0; ok >= 2 && k < pb->np; k++) {
        for (size_t b = 0; b < ok; b++)
            col[b] = r->boot[b * pb->np + k];
        qsort(col, ok, sizeof *col, fit_cmp_double);
        r->params[k].ci_lo = fit_percentile(col, ok, tail);
        r->params[k].ci_hi = fit_percentile(col, ok, 1 - tail);
    }
    free(col);
    free(m->boot_ok);
    m->boot_ok = NULL;
    return rc;
}

/* Fit-space diagnostics over the fitted rows. */
static void diagnostics(fit_work *w, const double *th, xl_fit_result *r)
{
    const fit_problem *pb = w->pb;
    double u[XL_FIT_MAX_PARAMS];
    fit_full_u(pb, th, u);
    fit_model_eval(w, u, 0);
    double rss = 0, mean = 0, tss = 0, slog = 0;
    int log_ok = 1;
    for (size_t i = 0; i < pb->n; i++)
        mean += pb->gy[i] / (double)pb->n;
    for (size_t i = 0; i < pb->n; i++) {
        double res = w->gf[i] - pb->gy[i];
        rss += res * res;
        tss += (pb->gy[i] - mean) * (pb->gy[i] - mean);
        if (pb->space_log) {
            slog += res * res;
        } else if (w->gf[i] > 0 && pb->gy[i] > 0) {
            double l = log(w->gf[i]) - log(pb->gy[i]);
            slog += l * l;
        } else {
            log_ok = 0;
        }
    }
    double n = (double)pb->n, k = (double)pb->nf;
    r->diag.rmse = sqrt(rss / n);
    r->diag.rmse_log = log_ok ? sqrt(slog / n) : NAN;
    r->diag.r2 = tss > 0 ? 1 - rss / tss : NAN;
    r->diag.aic = n * log(rss / n) + 2 * k;
    r->diag.bic = n * log(rss / n) + k * log(n);
}

int fit_run(fit_problem *pb, const xl_law_info *info, const xl_fit_options *o,
            xl_fit_result *r, xl_error *err)
{
    int threads = o->threads > 0 ? o->threads : xl_num_cores();
    /* the bootstrap's refits and percentiles, estimated before anything is allocated */
    uint64_t boot_bytes = (uint64_t)o->bootstrap * ((uint64_t)pb->np * 8 * 2 + 9),
             lim = xl_mem_limit();
    if (o->bootstrap > 0 && (o->bootstrap > (size_t)1 << 40 || boot_bytes > lim))
        return xl_error_set(err, XL_EINVAL,
                            "--bootstrap %zu needs ~%.3g GB for the refits, above the memory "
                            "limit of %.3g GB (XL_MEM_LIMIT)",
                            o->bootstrap,
                            (double)o->bootstrap * ((double)pb->np * 16 + 9) / 1e9,
                            (double)lim / 1e9);
    size_t n_st = 0;
    fit_start *st = fit_make_starts(pb, info, r, o, &n_st, err);
    if (!st)
        return err->code;
    /* one workspace per thread: never more threads than units of work */
    size_t work = n_st > o->bootstrap ? n_st : o->bootstrap;
    if ((size_t)threads > work)
        threads = work ? (int)work : 1;
    ms_ctx m = {.pb = pb, .st = st, .seed = o->seed, .r = r};
    m.work = calloc((size_t)threads, sizeof *m.work);
    size_t *todo = calloc(n_st, sizeof *todo);
    int rc = XL_OK;
    if (!m.work || !todo) {
        rc = xl_error_set(err, XL_ENOMEM, "out of memory");
        goto out;
    }
    for (int t = 0; t < threads; t++)
        if (!(m.work[t] = fit_work_alloc(pb, err))) {
            rc = err->code;
            goto out;
        }
    xl_progress prog;
    int two_pass = n_st > FIT_BLOCK_POLISH && pb->max_iter > FIT_SCREEN_ITER;
    if (o->progress) {
        xl_progress_init(&prog, o->progress, "starts", (double)n_st);
        m.prog = &prog;
    }
    m.max_iter = two_pass ? FIT_SCREEN_ITER : pb->max_iter;
    if ((rc = xl_parallel_for(n_st, threads, run_start, &m, err)))
        goto out;
    if (m.prog)
        xl_progress_finish(m.prog, NULL);
    m.prog = NULL;
    if (two_pass) {
        size_t nt = fit_select_polish(st, n_st, pb->nf, todo);
        m.todo = todo;
        m.max_iter = pb->max_iter;
        m.done = 0;
        if ((rc = xl_parallel_for(nt, threads, run_start, &m, err)))
            goto out;
        m.todo = NULL;
    }
    qsort(st, n_st, sizeof *st, cmp_obj);
    /* the best converged start */
    size_t best = n_st;
    for (size_t i = 0; i < n_st && best == n_st; i++)
        if (st[i].conv && isfinite(st[i].obj))
            best = i;
    r->starts = n_st;
    if (best == n_st) {
        rc = xl_error_set(err, XL_ENOCONV,
                          "law '%s': the fit did not converge from any of %zu starts (best objective %g)",
                          r->law, n_st, st[0].obj);
        goto out;
    }
    r->converged = 1;
    r->objective = st[best].obj;
    r->distinct_optima = 0;
    r->n_best = 0;
    /* objectives within 1e-6 of the best, or within 1e-12 of the objective of a constant
       (so noise-free fits, whose optimum is rounding noise near 0, count every start that
       found the curve) */
    double mean = 0, tss = 0;
    for (size_t i = 0; i < pb->n; i++)
        mean += pb->gy[i] / (double)pb->n;
    for (size_t i = 0; i < pb->n; i++)
        tss += 0.5 * pb->w[i] * (pb->gy[i] - mean) * (pb->gy[i] - mean);
    double tol = 1e-6 * fabs(r->objective) + 1e-12 * tss + 1e-300;
    double last = NAN;
    for (size_t i = 0; i < n_st; i++)
        if (st[i].conv && isfinite(st[i].obj)) {
            if (!(fabs(st[i].obj - last) <= 1e-6 * fmax(fabs(last), 1e-300)))
                r->distinct_optima++;
            last = st[i].obj;
            r->n_best += st[i].obj <= r->objective + tol;
        }
    double u[XL_FIT_MAX_PARAMS];
    fit_full_u(pb, st[best].th, u);
    canonical_breaks(r, u);
    for (size_t k = 0; k < pb->nf; k++)
        st[best].th[k] = u[pb->free_idx[k]];
    for (size_t k = 0; k < pb->np; k++) {
        r->params[k].value = fit_p_from_u(&pb->tr[k], u[k]);
        r->params[k].ci_lo = r->params[k].ci_hi = NAN;
    }
    r->se_method = pb->huber ? "huber-sandwich" : "jacobian";
    if ((rc = standard_errors(m.work[0], st[best].th, r, err)))
        goto out;
    diagnostics(m.work[0], st[best].th, r);
    if ((rc = fit_warnings(m.work[0], st[best].th, r, err)))
        goto out;
    if (o->bootstrap > 0) {
        m.best = st[best].th;
        m.max_iter = pb->max_iter;
        if (o->progress) {
            xl_progress_init(&prog, o->progress, "bootstrap", (double)o->bootstrap);
            m.prog = &prog;
        }
        rc = bootstrap(&m, threads, r, o->bootstrap, err);
    }
out:
    if (m.work)
        for (int t = 0; t < threads; t++)
            fit_work_free(m.work[t]);
    free(m.work);
    free(m.boot);
    free(m.boot_ok);
    free(todo);
    free(st);
    return rc;
}

int fit_holdout_mask(const fit_src *src, const char *text, unsigned char *held, xl_error *err)
{
    xl_expr *e = NULL;
    if (xl_expr_parse(text, &e, err))
        return xl_error_prefix(err, "--holdout"), err->code;
    size_t ns = xl_expr_n_symbols(e);
    const double **col = calloc(ns + 1, sizeof *col);
    double *vals = calloc(ns + 1, sizeof *vals);
    int rc = XL_OK;
    if (!col || !vals) {
        rc = xl_error_set(err, XL_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t s = 0; s < ns; s++) {
        const char *sym = xl_expr_symbol(e, s);
        for (size_t c = 0; c < src->n_cols; c++)
            if (strcmp(src->names[c], sym) == 0)
                col[s] = src->cols[c];
        if (!col[s]) {
            rc = xl_error_set(err, XL_EINVAL, "--holdout '%s': unknown column '%s'", text, sym);
            goto out;
        }
    }
    for (size_t i = 0; i < src->n_rows; i++) {
        for (size_t s = 0; s < ns; s++)
            vals[s] = col[s][i];
        double v = xl_expr_eval(e, vals);
        held[i] = isfinite(v) && v != 0;
    }
out:
    free(col);
    free(vals);
    xl_expr_free(e);
    return rc;
}

int fit_fill_rows(const fit_src *src, xl_fit_result *r, const unsigned char *held,
                  const double *const *xc, const double *y, xl_error *err)
{
    size_t n = src->n_rows;
    r->n_rows = n;
    r->row_line = xl_calloc(n + 1, sizeof(long), err);
    r->row_y = xl_calloc(n + 1, sizeof(double), err);
    r->row_pred = xl_calloc(n + 1, sizeof(double), err);
    r->row_resid = xl_calloc(n + 1, sizeof(double), err);
    r->row_heldout = xl_calloc(n + 1, 1, err);
    if (!r->row_line || !r->row_y || !r->row_pred || !r->row_resid || !r->row_heldout)
        return err->code;
    double x[8], s2 = 0;
    size_t nh = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < r->n_columns; c++)
            x[c] = xc[c][i];
        double f = xl_fit_eval(r, x, NULL);
        r->row_line[i] = src_line(src, i);
        r->row_y[i] = y[i];
        r->row_pred[i] = f;
        r->row_resid[i] = r->space == XL_FIT_SPACE_LOG ? log(f) - log(y[i]) : f - y[i];
        r->row_heldout[i] = held[i];
        if (held[i]) {
            double l = log(f) - log(y[i]);
            s2 += l * l;
            nh++;
        }
    }
    r->diag.n_holdout = nh;
    r->diag.holdout_rmsle = nh ? sqrt(s2 / (double)nh) : NAN;
    return XL_OK;
}
