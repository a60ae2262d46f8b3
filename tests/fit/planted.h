/* Planted-parameter data sets for every named law (shared by the fit tests). */
#ifndef XL_TEST_PLANTED_H
#define XL_TEST_PLANTED_H

#include "xferlaw/fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct planted {
    const char *law;
    size_t n_params;
    const char *names[12];
    double truth[12];
    size_t n_cols;            /* data columns (the target is added as last column) */
    const char *cols[3];      /* column names, target last */
    double lo[2], hi[2];      /* log10 range of each data column */
} planted;

static const planted PLANTED[] = {
    {"power", 2, {"a", "b"}, {3.0, -0.3}, 1, {"x", "y"}, {1}, {5}},
    {"power-offset", 3, {"E", "A", "alpha"}, {1.5, 40, 0.4}, 1, {"x", "y"}, {1}, {6}},
    {"kaplan", 4, {"Nc", "Dc", "aN", "aD"}, {8.8e13, 5.4e13, 0.076, 0.095}, 2,
     {"N", "D", "loss"}, {6, 8}, {9, 11}},
    {"chinchilla", 5, {"E", "A", "B", "alpha", "beta"}, {1.69, 406.4, 410.7, 0.34, 0.28}, 2,
     {"N", "D", "loss"}, {7, 9}, {10, 12}},
    {"transfer", 3, {"k", "alpha", "beta"}, {1.9e4, 0.18, 0.38}, 2, {"DF", "N", "DT"},
     {5, 6}, {9, 9}},
    {"bnsl:1", 6, {"a", "b", "c0", "c1", "d1", "f1"}, {0.05, 5, 0.1, 0.5, 1e4, 0.5}, 1,
     {"x", "y"}, {0}, {8}},
    {"bnsl:2", 9, {"a", "b", "c0", "c1", "d1", "f1", "c2", "d2", "f2"},
     {1e-3, 5, 0.1, 0.3, 1e3, 0.5, 0.3, 1e6, 0.3}, 1, {"x", "y"}, {0}, {9}},
    {"bnsl:3", 12, {"a", "b", "c0", "c1", "d1", "f1", "c2", "d2", "f2", "c3", "d3", "f3"},
     {1e-4, 5, 0.1, 0.2, 1e2, 0.5, 0.2, 1e5, 0.3, 0.2, 1e8, 0.4}, 1, {"x", "y"}, {0}, {11}},
};
#define N_PLANTED (sizeof PLANTED / sizeof PLANTED[0])

/* Evaluate the law at the truth through a throw-away fit result: the registry formula,
 * parsed, with the planted values. */
static double planted_eval(const planted *p, const double *x)
{
    const xl_law_info *li = xl_law_find(p->law);
    xl_expr *e = NULL;
    if (xl_expr_parse(li->formula, &e, NULL))
        return NAN;
    double vals[32];
    for (size_t s = 0; s < xl_expr_n_symbols(e); s++) {
        const char *sym = xl_expr_symbol(e, s);
        vals[s] = NAN;
        for (size_t c = 0; c < p->n_cols; c++)
            if (strcmp(sym, p->cols[c]) == 0)
                vals[s] = x[c];
        for (size_t k = 0; k < p->n_params; k++)
            if (strcmp(sym, p->names[k]) == 0)
                vals[s] = p->truth[k];
    }
    double f = xl_expr_eval(e, vals);
    xl_expr_free(e);
    return f;
}

/* n rows: columns on a log-uniform design (two columns: a scrambled grid), target with
 * multiplicative noise exp(sigma * N(0,1)).  cols[c] malloc'ed, target in cols[n_cols]. */
static void planted_data(const planted *p, size_t n, double sigma, xl_rng *rng, double **cols)
{
    for (size_t c = 0; c <= p->n_cols; c++)
        cols[c] = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double x[2];
        for (size_t c = 0; c < p->n_cols; c++) {
            double u = p->n_cols == 1 ? (double)i / (double)(n - 1)
                       : c == 0      ? (double)(i % 10) / 9.0
                                     : ((double)(i / 10) + 0.5 * (double)(i % 2)) / (double)((n + 9) / 10);
            x[c] = pow(10, p->lo[c] + (p->hi[c] - p->lo[c]) * u);
            cols[c][i] = x[c];
        }
        double f = planted_eval(p, x);
        cols[p->n_cols][i] = f * (sigma > 0 ? exp(sigma * xl_rng_normal(rng)) : 1.0);
    }
}

static void planted_free(const planted *p, double **cols)
{
    for (size_t c = 0; c <= p->n_cols; c++)
        free(cols[c]);
}

#endif
