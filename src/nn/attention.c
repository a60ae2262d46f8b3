/* Causal multi-head self-attention, per (batch, head) with sgemm for Q.K^T, P.V and the
 * four backward products.  The softmax backward uses dS = P * (dP - rowsum(dP * P)),
 * O(T) per row; the only (T, T) buffers are the kept probabilities of each layer (what
 * backward needs) and one scratch square reused across heads. */
#include "nn_internal.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

float xl_softmax_inplace(float *x, int n);

void xl_attention_forward(float *out, float *att, const float *qkv, int B, int T, int C,
                          int H)
{
    int hs = C / H, C3 = 3 * C;
    float scale = 1.0f / sqrtf((float)hs);
    for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++) {
            const float *q = qkv + (size_t)b * T * C3 + h * hs;
            const float *k = q + C;
            const float *v = q + 2 * C;
            float *p = att + ((size_t)b * H + h) * T * T;
            /* S (T, T) = scale * Q (T, hs) . K^T; the upper triangle is wasted work but
             * one square sgemm beats T small ones at these sizes */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hs, scale, q, C3, k,
                        C3, 0.0f, p, T);
            for (int i = 0; i < T; i++) {
                float *row = p + (size_t)i * T;
                xl_softmax_inplace(row, i + 1);
                memset(row + i + 1, 0, (size_t)(T - i - 1) * sizeof *row);
            }
            /* out (T, hs) = P (T, T) . V (T, hs) */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hs, T, 1.0f, p, T, v,
                        C3, 0.0f, out + (size_t)b * T * C + h * hs, C);
        }
}

void xl_attention_backward(float *dqkv, float *scratch, const float *dout, const float *att,
                           const float *qkv, int B, int T, int C, int H)
{
    int hs = C / H, C3 = 3 * C;
    float scale = 1.0f / sqrtf((float)hs);
    for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++) {
            const float *q = qkv + (size_t)b * T * C3 + h * hs;
            const float *k = q + C;
            const float *v = q + 2 * C;
            float *dq = dqkv + (size_t)b * T * C3 + h * hs;
            float *dk = dq + C;
            float *dv = dq + 2 * C;
            const float *p = att + ((size_t)b * H + h) * T * T;
            const float *dO = dout + (size_t)b * T * C + h * hs;
            float *ds = scratch;
            /* dP (T, T) = dO (T, hs) . V^T */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hs, 1.0f, dO, C, v, C3,
                        0.0f, ds, T);
            /* dV (T, hs) = P^T . dO */
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, hs, T, 1.0f, p, T, dO, C,
                        0.0f, dv, C3);
            for (int i = 0; i < T; i++) {
                const float *pr = p + (size_t)i * T;
                float *dr = ds + (size_t)i * T;
                float s = 0.0f;
                for (int j = 0; j <= i; j++)
                    s += pr[j] * dr[j];
                for (int j = 0; j <= i; j++)
                    dr[j] = pr[j] * (dr[j] - s);
                memset(dr + i + 1, 0, (size_t)(T - i - 1) * sizeof *dr);
            }
            /* dQ = scale * dS . K ; dK = scale * dS^T . Q */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hs, T, scale, ds, T, k,
                        C3, 0.0f, dq, C3);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, hs, T, scale, ds, T, q,
                        C3, 0.0f, dk, C3);
        }
}
