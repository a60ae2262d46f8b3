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
    test_smooth();
    test_loss_and_percent();
    TEST_MAIN_END();
}
