/* Gradient clipping and AdamW over the trainable parameters (the mask: model.c). */
#include "nn_internal.h"

#include <math.h>
#include <string.h>

/* global L2 norm of the trainable gradients: eight double partial sums (vectorisable,
 * fixed order) */
XL_SIMD
static float grad_norm(const xl_nn_model *m)
{
    double acc[8] = {0};
    for (int t = 0; t < P_COUNT; t++) {
        if (!m->train_mask[t])
            continue;
        const float *g = xl_nn_g(m, t);
        size_t n = m->param_sizes[t], i = 0;
        for (; i + 8 <= n; i += 8)
            for (int k = 0; k < 8; k++)
                acc[k] += (double)g[i + k] * g[i + k];
        for (; i < n; i++)
            acc[0] += (double)g[i] * g[i];
    }
    double ss = 0.0;
    for (int k = 0; k < 8; k++)
        ss += acc[k];
    return (float)sqrt(ss);
}

/* torch.nn.utils.clip_grad_norm_'s convention: coefficient max_norm / (norm + 1e-6) */
static float clip_coef(float norm, float max_norm)
{
    return max_norm > 0.0f && norm > max_norm ? max_norm / (norm + 1e-6f) : 1.0f;
}

XL_SIMD
float xl_nn_clip_grad(xl_nn_model *m, float max_norm)
{
    float norm = grad_norm(m), s = clip_coef(norm, max_norm);
    if (s != 1.0f)
        for (int t = 0; t < P_COUNT; t++) {
            if (!m->train_mask[t])
                continue;
            float *g = xl_nn_g(m, t);
            for (size_t i = 0; i < m->param_sizes[t]; i++)
                g[i] *= s;
        }
    return norm;
}

static int is_2d(int t)
{
    return t == P_WTE || t == P_WPE || t == P_QKVW || t == P_ATTPROJW || t == P_FCW ||
           t == P_FCPROJW;
}

/* AdamW on n parameters with gradients g * gs (gs = 1 or the clipping coefficient:
 * the same float product the in-place clipping would store); zero_g: g = 0 after use */
static inline __attribute__((always_inline)) void
adamw_span(float *restrict p, float *restrict g, float *restrict mm, float *restrict vv,
           size_t n, float gs, const int zero_g, float beta1, float beta2, float eps,
           float decay, float step_size, float bc2_sqrt)
{
    /* the same operation order as torch.optim.AdamW (single-tensor path) */
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] * gs;
        mm[i] = mm[i] * beta1 + (1.0f - beta1) * gi;
        vv[i] = vv[i] * beta2 + (1.0f - beta2) * gi * gi;
        float denom = sqrtf(vv[i]) / bc2_sqrt + eps;
        p[i] = p[i] * decay - step_size * (mm[i] / denom);
        if (zero_g)
            g[i] = 0.0f;
    }
}

/* no-math-errno lets GCC vectorise sqrtf (its argument is never negative here) */
#if defined(__clang__)
#define XL_NO_ERRNO
#else
#define XL_NO_ERRNO __attribute__((optimize("no-math-errno")))
#endif
XL_SIMD XL_NO_ERRNO
static void adamw(xl_nn_model *m, float gs, int zero_g, float lr, float beta1, float beta2,
                  float eps, float weight_decay, long step)
{
    float bc1 = 1.0f - powf(beta1, (float)step);
    float bc2 = 1.0f - powf(beta2, (float)step);
    float step_size = lr / bc1, bc2_sqrt = sqrtf(bc2);
    for (int t = 0; t < P_COUNT; t++) {
        if (!m->train_mask[t])
            continue;
        size_t off = m->param_offsets[t], n = m->param_sizes[t];
        float decay = is_2d(t) ? 1.0f - lr * weight_decay : 1.0f;
        float *p = m->params + off, *g = m->grads + off, *mm = m->m + off, *vv = m->v + off;
        if (zero_g)
            adamw_span(p, g, mm, vv, n, gs, 1, beta1, beta2, eps, decay, step_size, bc2_sqrt);
        else
            adamw_span(p, g, mm, vv, n, gs, 0, beta1, beta2, eps, decay, step_size, bc2_sqrt);
    }
}

void xl_nn_adamw_step(xl_nn_model *m, float lr, float beta1, float beta2, float eps,
                      float weight_decay, long step)
{
    adamw(m, 1.0f, 0, lr, beta1, beta2, eps, weight_decay, step);
}

float xl_nn_clip_adamw_step(xl_nn_model *m, float max_norm, float lr, float beta1,
                            float beta2, float eps, float weight_decay, long step)
{
    float norm = grad_norm(m);
    adamw(m, clip_coef(norm, max_norm), 1, lr, beta1, beta2, eps, weight_decay, step);
    m->grads_zero = 1;
    return norm;
}
