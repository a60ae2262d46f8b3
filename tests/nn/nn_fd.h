/* Directional finite differences of a model's loss, shared by the nn tests. */
#ifndef XL_TEST_NN_FD_H
#define XL_TEST_NN_FD_H

#include "xferlaw/nn.h"

/* A random direction u over the parameters [lo, hi) (drawn from r; u is scratch of the
 * model's size), *gu = g . u (the backward's directional derivative, g its gradients),
 * and the central difference (L(w + h u) - L(w - h u)) / 2h that should match it; save
 * holds the parameters (restored from it), loss(m, ctx) evaluates L. */
static double nn_directional_fd(xl_nn_model *m, const float *save, const float *g, double *u,
                                size_t lo, size_t hi, xl_rng *r, double h,
                                double (*loss)(xl_nn_model *, void *), void *ctx, double *gu)
{
    float *w = xl_nn_params(m);
    *gu = 0.0;
    for (size_t i = lo; i < hi; i++) {
        u[i] = xl_rng_normal(r);
        *gu += g[i] * u[i];
    }
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
