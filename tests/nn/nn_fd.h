/* Directional finite differences of a model's loss, shared by the nn tests. */
#ifndef XL_TEST_NN_FD_H
#define XL_TEST_NN_FD_H

#include "xferlaw/nn.h"

/* (L(w + h u) - L(w - h u)) / 2h over the parameters [lo, hi), which save holds (they are
 * restored from it); loss(m, ctx) evaluates L. */
static double nn_directional_fd(xl_nn_model *m, const float *save, const double *u, size_t lo,
                                size_t hi, double h, double (*loss)(xl_nn_model *, void *),
                                void *ctx)
{
    float *w = xl_nn_params(m);
    for (size_t i = lo; i < hi; i++)
        w[i] = (float)(save[i] + h * u[i]);
    double lp = loss(m, ctx);
    for (size_t i = lo; i < hi; i++)
        w[i] = (float)(save[i] - h * u[i]);
    double lm = loss(m, ctx);
    for (size_t i = lo; i < hi; i++)
        w[i] = save[i];
    return (lp - lm) / (2 * h);
}

#endif
