/* Global search on formulas users write themselves: a planted suite of seeded problems
 * (saturating B/(Dl + D^beta) + E, offset E + A*x^(-alpha), smoothly broken power law),
 * true values drawn over several decades, 1% log-normal noise, positive scales bounded
 * at 0 as a user would.  For each problem the known optimum is the fit started at the
 * truth; the default search must reach it (or better) in >= 99% of problems, and more
 * starts must never give a worse objective (4x and 16x the default on the first problems).
 * usage: test_fit_global [PROBLEMS [MORE_STARTS_PROBLEMS]] (default 210, 60)
 *        test_fit_global curve   prints, per number of starts, how many problems of each
 *                                family reach the known optimum (docs/fitting.md figure) */
#include "../xl_test.h"
#include "xferlaw/fit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct family {
    const char *name, *formula;
    size_t n_params;
    const char *params[4];
    const char *bounds[4];
    size_t n;                 /* points */
} family;

static const family FAM[] = {
    {"saturating", "B/(Dl + D^beta) + E", 4, {"B", "Dl", "beta", "E"}, {"B=0:", "Dl=0:", "E=0:"}, 15},
    {"offset", "E + A*x^(-alpha)", 3, {"E", "A", "alpha"}, {"E=0:", "A=0:"}, 20},
    {"broken", "A*x^(-a1)*(1 + x/xb)^(a1 - a2)", 4, {"A", "a1", "a2", "xb"}, {"A=0:", "xb=0:"}, 20},
};
#define N_FAM (sizeof FAM / sizeof FAM[0])

static double lu(xl_rng *r, double a, double b) { return pow(10, a + (b - a) * xl_rng_uniform(r)); }
static double un(xl_rng *r, double a, double b) { return a + (b - a) * xl_rng_uniform(r); }

/* truth and data of problem i */
static const family *make_problem(size_t i, double *truth, double *x, double *y)
{
    const family *f = &FAM[i % N_FAM];
    xl_rng rng;
    xl_rng_seed_stream(&rng, 13, i);
    double x0 = lu(&rng, 0, 3), x1 = x0 * lu(&rng, 2, 5);
    for (size_t j = 0; j < f->n; j++)
        x[j] = x0 * pow(x1 / x0, (double)j / (double)(f->n - 1));
    if (i % N_FAM == 0) {   /* B, Dl, beta, E */
        double beta = un(&rng, 0.2, 1.5), Dl = pow(x0, beta) * lu(&rng, -1, 2), E = lu(&rng, -1, 0.5);
        double B = E * lu(&rng, -0.5, 2) * (Dl + pow(x0, beta));
        truth[0] = B, truth[1] = Dl, truth[2] = beta, truth[3] = E;
        for (size_t j = 0; j < f->n; j++)
            y[j] = B / (Dl + pow(x[j], beta)) + E;
    } else if (i % N_FAM == 1) {   /* E, A, alpha */
        double alpha = un(&rng, 0.1, 0.8), E = lu(&rng, -1, 1);
        double A = E * lu(&rng, 0.3, 2) * pow(x0, alpha);
        truth[0] = E, truth[1] = A, truth[2] = alpha;
        for (size_t j = 0; j < f->n; j++)
            y[j] = E + A * pow(x[j], -alpha);
    } else {   /* A, a1, a2, xb */
        double a1 = un(&rng, 0.05, 0.5), a2 = a1 + un(&rng, 0.2, 1.0);
        double xb = x0 * pow(x1 / x0, un(&rng, 0.25, 0.75)), A = lu(&rng, -1, 3);
        truth[0] = A, truth[1] = a1, truth[2] = a2, truth[3] = xb;
        for (size_t j = 0; j < f->n; j++)
            y[j] = A * pow(x[j], -a1) * pow(1 + x[j] / xb, a1 - a2);
    }
    for (size_t j = 0; j < f->n; j++)
        y[j] *= exp(0.01 * xl_rng_normal(&rng));
    return f;
}

/* objective of the fit, +inf when it fails */
static double fit(const family *f, const double *x, const double *y, size_t starts,
                  const double *truth)
{
    const char *names[] = {f == &FAM[0] ? "D" : "x", "y"};
    const double *cols[] = {x, y};
    xl_fit_options o;
    xl_fit_options_init(&o);
    o.law = f->formula;
    o.y = "y";
    o.n_starts = starts;
    o.threads = 1;
    xl_error err;
    for (size_t k = 0; k < 4 && f->bounds[k]; k++)
        xl_fit_options_add_bound(&o, f->bounds[k], &err);
    for (size_t k = 0; truth && k < f->n_params; k++) {
        char s[96];
        snprintf(s, sizeof s, "%s=%.17g", f->params[k], truth[k]);
        xl_fit_options_add_start(&o, s, &err);
    }
    xl_fit_result *r = NULL;
    double obj = HUGE_VAL;
    if (xl_fit_arrays(f->n, 2, names, cols, &o, &r, &err) == 0)
        obj = r->objective;
    xl_fit_result_free(r);
    return obj;
}

static int worse(double a, double ref) { return !(a <= ref * (1 + 1e-6) + 1e-15); }

static int curve(void)
{
    const size_t starts[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};
    printf("# starts saturating offset broken (of 70 each)\n");
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
        size_t hit[N_FAM] = {0};
        for (size_t i = 0; i < 210; i++) {
            double truth[4], x[32], y[32];
            const family *f = make_problem(i, truth, x, y);
            hit[i % N_FAM] += !worse(fit(f, x, y, starts[s], NULL), fit(f, x, y, 1, truth));
        }
        printf("%zu %zu %zu %zu\n", starts[s], hit[0], hit[1], hit[2]);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "curve") == 0)
        return curve();
    size_t np = argc > 1 ? (size_t)atoi(argv[1]) : 210, nm = argc > 2 ? (size_t)atoi(argv[2]) : 60;
    size_t miss[N_FAM] = {0}, count[N_FAM] = {0}, nonmono = 0;
    double t0 = xl_now();
    for (size_t i = 0; i < np; i++) {
        double truth[4], x[32], y[32];
        const family *f = make_problem(i, truth, x, y);
        double ref = fit(f, x, y, 1, truth), def = fit(f, x, y, 0, NULL);
        count[i % N_FAM]++;
        if (worse(def, ref)) {
            miss[i % N_FAM]++;
            printf("problem %zu (%s): default %.6g, known optimum %.6g\n", i, f->name, def, ref);
        }
        if (i < nm) {
            double o4 = fit(f, x, y, 256, NULL), o16 = fit(f, x, y, 1024, NULL);
            if (worse(o4, def) || worse(o16, o4)) {
                nonmono++;
                printf("problem %zu (%s): 64 starts %.6g, 256 %.6g, 1024 %.6g\n", i, f->name,
                       def, o4, o16);
            }
        }
    }
    size_t total = 0;
    for (size_t k = 0; k < N_FAM; k++) {
        printf("%-10s %zu of %zu reach the known optimum\n", FAM[k].name, count[k] - miss[k], count[k]);
        total += miss[k];
    }
    printf("%zu problems, %zu misses, %zu with a worse objective from more starts (of %zu), %.1f s\n",
           np, total, nonmono, nm < np ? nm : np, xl_now() - t0);
    CHECK_MSG(total * 100 <= np, "%zu of %zu problems miss the known optimum", total, np);
    CHECK_MSG(nonmono == 0, "%zu problems get worse with more starts", nonmono);
    TEST_MAIN_END();
}
