/* jumps: a planted break is found (supported, true break inside the CI); planted smooth
 * power laws give no break; loss curves; errors. */
#include "xferlaw/matrix.h"
#include "xl_test.h"

#include <stdlib.h>

#define NP 16

/* error = 0.9 (1 + (N/d)^(1/f))^(-c f): flat, then a power-law drop after d */
static void planted_break(double d, double noise, uint64_t seed, double *x, double *acc)
{
    xl_rng r;
    xl_rng_seed(&r, seed);
    for (int i = 0; i < NP; i++) {
        x[i] = pow(10, 5 + 4.0 * i / (NP - 1));
        double e = 0.9 * pow(1 + pow(x[i] / d, 1 / 0.1), -0.8 * 0.1);
        acc[i] = 1 - e * exp(noise * xl_rng_normal(&r));
    }
}

static void planted_smooth(double a, double b, double noise, uint64_t seed, double *x,
                           double *acc)
{
    xl_rng r;
    xl_rng_seed(&r, seed);
    for (int i = 0; i < NP; i++) {
        x[i] = pow(10, 5 + 4.0 * i / (NP - 1));
        acc[i] = 1 - a * pow(x[i], -b) * exp(noise * xl_rng_normal(&r));
    }
}

static xl_jumps_options opts(void)
{
    xl_jumps_options o;
    xl_jumps_options_init(&o);
    o.bootstrap = 60;
    o.grid = 16;
    o.folds = 4;
    o.threads = 1;
    return o;
}

/* xl_jumps_fit with the test options; 0 (and a failed check) when it fails. */
static int fit_ok(const double *x, const double *y, size_t n, xl_jumps_result *r)
{
    xl_jumps_options o = opts();
    xl_error err;
    xl_error_clear(&err);
    int rc = xl_jumps_fit(x, y, n, &o, r, &err);
    CHECK_MSG(rc == XL_OK, "%s", err.msg);
    return rc == XL_OK;
}

/* The broken fit as drawn (xl_fit_eval, as jplot.c) on a fine log grid over the data:
 * (1) continuous: bnsl's log-log slope is -c0 - c1 s with s in [0, 1], so log e cannot
 *     move faster than |c0| + |c1| per unit of log x (a false step from an overflowing
 *     (x/d)^(1/f) broke this);
 * (2) for a step (want_step): half of the curve's rise lies within a factor 1.4 of the
 *     reported break, so the dashed line sits on the step drawn. */
static void check_drawn(const xl_jumps_result *r, int want_step)
{
    const xl_fit_param *c0 = xl_fit_param_get(r->broken, "c0"),
                       *c1 = xl_fit_param_get(r->broken, "c1");
    CHECK(c0 && c1);
    if (!c0 || !c1)
        return;
    enum { G = 4000 };
    double lo = log(r->xmin), h = (log(r->xmax) - lo) / G, lip = fabs(c0->value) + fabs(c1->value);
    double e0 = NAN, worst = 0;
    static double ev[G + 1];
    for (int k = 0; k <= G; k++) {
        double x = exp(lo + h * k), e = xl_fit_eval(r->broken, &x, NULL);
        ev[k] = e;
        if (k && fabs(log(e) - log(e0)) > worst)
            worst = fabs(log(e) - log(e0));
        e0 = e;
    }
    double first = ev[0], last = ev[G];
    CHECK_MSG(worst <= lip * h * 1.001 + 1e-12,
              "drawn curve jumps: |d log e| %g over d log x %g, slope bound %g", worst, h, lip);
    if (!want_step)
        return;
    double half = 0.5 * (first + last), at = NAN;
    for (int k = 1; k <= G && isnan(at); k++)
        if ((ev[k - 1] - half) * (ev[k] - half) <= 0)
            at = exp(lo + h * k);
    CHECK_MSG(at > r->d / 1.4 && at < r->d * 1.4,
              "the drawn curve makes half its rise at %g, the break is drawn at %g", at, r->d);
}

static void test_break(void)
{
    double x[NP], y[NP];
    const double truth[2] = {1e7, 3e6};
    for (int k = 0; k < 2; k++) {
        planted_break(truth[k], 0.03, 10 + (uint64_t)k, x, y);
        xl_jumps_result r;
        if (!fit_ok(x, y, NP, &r))
            continue;
        const double *ci = r.d_ci;
        CHECK_MSG(r.supported, "planted break %g not supported: %s", truth[k], r.reason);
        CHECK_MSG(ci[0] <= truth[k] && truth[k] <= ci[1], "break %g outside CI [%g, %g]",
                  truth[k], ci[0], ci[1]);
        CHECK_MSG(r.d_ci_profile[0] <= truth[k] * 1.6 && truth[k] <= r.d_ci_profile[1] * 1.6,
                  "profile CI [%g, %g]", r.d_ci_profile[0], r.d_ci_profile[1]);
        CHECK(fabs(log10(r.d / truth[k])) < 0.25);
        CHECK(r.bic_smooth - r.bic_broken > 20);
        CHECK(r.cv_broken < r.cv_smooth);
        CHECK(r.k_broken == 6 && r.k_smooth == 2 && r.n == NP);
        check_drawn(&r, 0);
        xl_jumps_result_free(&r);
    }
}

/* Emergence: accuracy ~1% up to a size, ~20% from there on (a step, not a change of
 * slope).  bnsl:1 fits it as an offset plus a term that dies; the reported break must sit
 * at the step, not wherever d1 drifts when c1 runs away (found on the task suite: the
 * line was drawn 5x past the visible jump, with an interval spanning the whole data).
 * 32 sizes, not 16: the two folds that hold out a point next to the step cannot know its
 * side (each a coin flip of ~0.22 in log error), and at 16 points two wrong flips
 * outweighed the smooth law's misfit, so the verdict went with rounding (it flipped with
 * OpenBLAS's kernel family); at 32 it holds with both flips wrong. */
#define NSTEP 32
static void test_step(void)
{
    double x[NSTEP], y[NSTEP];
    const double step = 3e6;
    xl_rng r0;
    xl_rng_seed(&r0, 41);
    for (int i = 0; i < NSTEP; i++) {
        x[i] = pow(10, 5 + 4.0 * i / (NSTEP - 1));
        double acc = x[i] < step ? 0.01 : 0.2;
        y[i] = acc + 0.01 * xl_rng_normal(&r0);
        y[i] = y[i] < 0 ? 0 : y[i];
    }
    xl_jumps_result r;
    if (!fit_ok(x, y, NSTEP, &r))
        return;
    /* the step lies between the grid points 10^(5+4*11/31) = 2.62e6 and 3.53e6 */
    CHECK_MSG(r.d > 1.5e6 && r.d < 4.5e6, "break %g, step between 2.62e6 and 3.53e6", r.d);
    CHECK_MSG(r.d_ci[0] > 5e5 && r.d_ci[1] < 2e7, "CI [%g, %g] not informative", r.d_ci[0],
              r.d_ci[1]);
    CHECK_MSG(r.supported, "step not supported: %s", r.reason);
    check_drawn(&r, 1);
    xl_jumps_result_free(&r);
}

/* sort from data/tasks_scale.csv (acc_diag, 3 seeds at 9 sizes): 1-2% up to 12.8k, 5-27%
 * from 39.5k.  The fit there drives f1 to its bound 0, where an overflowing formula drew
 * the curve's step at 4.7e4 and the break line at 1.4e4. */
static void test_sort_drawn(void)
{
    static const double xy[][2] = {
        {3312, 0}, {3312, 0}, {3312, 0.01}, {7272, 0.01}, {7272, 0.01}, {7272, 0.02},
        {12768, 0.02}, {12768, 0.01}, {12768, 0.01}, {39520, 0.05}, {39520, 0.08},
        {39520, 0.17}, {56640, 0.17}, {56640, 0.19}, {56640, 0.27}, {100096, 0.09},
        {100096, 0.04}, {100096, 0.09}, {233680, 0.26}, {233680, 0.11}, {233680, 0.16},
        {335712, 0.2}, {335712, 0.17}, {335712, 0.19}, {793344, 0.17}, {793344, 0.18},
        {793344, 0.12}};
    enum { NS = sizeof xy / sizeof xy[0] };
    double x[NS], y[NS];
    for (int i = 0; i < NS; i++)
        x[i] = xy[i][0], y[i] = xy[i][1];
    xl_jumps_options o = opts();
    o.bootstrap = 0;
    xl_jumps_result r;
    xl_error err;
    CHECK_MSG(xl_jumps_fit(x, y, NS, &o, &r, &err) == XL_OK, "%s", err.msg);
    if (!r.broken)
        return;
    CHECK_MSG(r.d > 12768 && r.d < 39520, "sort break %g outside the step", r.d);
    check_drawn(&r, 1);
    xl_jumps_result_free(&r);
}

static void test_smooth(void)
{
    double x[NP], y[NP];
    const double a[3] = {3, 1.5, 0.9}, b[3] = {0.12, 0.08, 0.03};
    for (int k = 0; k < 3; k++) {
        planted_smooth(a[k], b[k], 0.03, 20 + (uint64_t)k, x, y);
        xl_jumps_result r;
        if (!fit_ok(x, y, NP, &r))
            continue;
        CHECK_MSG(!r.supported, "false break on smooth law %d: %s", k, r.reason);
        /* the smooth fit recovers the planted exponent */
        const xl_fit_param *pb = xl_fit_param_get(r.smooth, "b");
        CHECK(pb && fabs(pb->value + b[k]) < 0.02);
        xl_jumps_result_free(&r);
    }
}

static void test_loss_and_percent(void)
{
    double x[NP], y[NP];
    planted_break(1e7, 0.02, 31, x, y);
    /* loss: the planted error itself, as a loss curve */
    double loss[NP], pct[NP];
    for (int i = 0; i < NP; i++) {
        loss[i] = 1 - y[i];
        pct[i] = 100 * y[i];
    }
    xl_jumps_options o = opts();
    o.kind = XL_JUMPS_LOSS;
    o.bootstrap = 0;
    xl_jumps_result r;
    xl_error err;
    CHECK(xl_jumps_fit(x, loss, NP, &o, &r, &err) == XL_OK);
    CHECK(r.supported && !r.boot_ok);
    double d_loss = r.d;
    xl_jumps_result_free(&r);
    o.kind = XL_JUMPS_ACC;
    CHECK(xl_jumps_fit(x, pct, NP, &o, &r, &err) == XL_OK);
    CHECK(r.scale == 100);
    CHECK_NEAR(r.d, d_loss, 1e-6);
    xl_jumps_result_free(&r);
    CHECK(xl_jumps_fit(x, y, 5, &o, &r, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "at least 8");
    x[3] = -1;
    CHECK(xl_jumps_fit(x, y, NP, &o, &r, &err) == XL_EDOM);
    CHECK_STR_CONTAINS(err.msg, "row 4");
}

int main(void)
{
    test_break();
    test_step();
    test_sort_drawn();
    test_smooth();
    test_loss_and_percent();
    TEST_MAIN_END();
}
