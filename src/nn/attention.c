/* Causal multi-head self-attention, per (batch, head) with sgemm for Q.K^T, P.V and the
 * four backward products.  The softmax backward uses dS = P * (dP - rowsum(dP * P)),
 * O(T) per row; the only (T, T) buffers are the kept probabilities of each layer (what
 * backward needs) and one scratch square reused across heads.
 *
 * Causality is exploited by blocks of ATT_BLOCK rows: row block [r0, r0+rn) only meets
 * keys [0, r0+rn), so the products skip the blocks above the diagonal (a quarter of the
 * work at T = 2 blocks, approaching half for long T).  Entries above the diagonal of P and
 * dS are set to 0 inside the diagonal blocks, which are multiplied whole; entries right of
 * a row's block are never read and never written. */
#include "nn_internal.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

enum { ATT_BLOCK = 64 };

#define NT CblasRowMajor, CblasNoTrans, CblasTrans
#define NN CblasRowMajor, CblasNoTrans, CblasNoTrans
#define TN CblasRowMajor, CblasTrans, CblasNoTrans

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
            float *o = out + (size_t)b * T * C + h * hs;
            for (int r0 = 0; r0 < T; r0 += ATT_BLOCK) {
                int rn = T - r0 < ATT_BLOCK ? T - r0 : ATT_BLOCK, cols = r0 + rn;
                float *pr = p + (size_t)r0 * T;
                /* S (rn, cols) = scale * Q_rows (rn, hs) . K (cols, hs)^T, into P */
                cblas_sgemm(NT, rn, cols, hs, scale, q + (size_t)r0 * C3, C3, k, C3, 0.0f, pr,
                            T);
                for (int i = r0; i < cols; i++) {
                    float *row = p + (size_t)i * T;
                    xl_softmax_inplace(row, i + 1);
                    memset(row + i + 1, 0, (size_t)(cols - i - 1) * sizeof *row);
                }
                /* out_rows (rn, hs) = P (rn, cols) . V (cols, hs) */
                cblas_sgemm(NN, rn, hs, cols, 1.0f, pr, T, v, C3, 0.0f, o + (size_t)r0 * C, C);
            }
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
            /* by row blocks: dP = dO . V^T, then dS in place, then dQ = scale * dS . K */
            for (int r0 = 0; r0 < T; r0 += ATT_BLOCK) {
                int rn = T - r0 < ATT_BLOCK ? T - r0 : ATT_BLOCK, cols = r0 + rn;
                cblas_sgemm(NT, rn, cols, hs, 1.0f, dO + (size_t)r0 * C, C, v, C3, 0.0f,
                            ds + (size_t)r0 * T, T);
                for (int i = r0; i < cols; i++) {
                    const float *pr = p + (size_t)i * T;
                    float *dr = ds + (size_t)i * T;
                    xl_softmax_backward_row(dr, pr, i + 1);
                    memset(dr + i + 1, 0, (size_t)(cols - i - 1) * sizeof *dr);
                }
                cblas_sgemm(NN, rn, hs, cols, scale, ds + (size_t)r0 * T, T, k, C3, 0.0f,
                            dq + (size_t)r0 * C3, C3);
            }
            /* by column blocks: key j is seen by queries i >= j only
             *   dV_cols = P[j0:T, cols]^T . dO[j0:T];  dK_cols = scale * dS[j0:T, cols]^T . Q[j0:T] */
            for (int j0 = 0; j0 < T; j0 += ATT_BLOCK) {
                int jn = T - j0 < ATT_BLOCK ? T - j0 : ATT_BLOCK, rows = T - j0;
                cblas_sgemm(TN, jn, hs, rows, 1.0f, p + (size_t)j0 * T + j0, T,
                            dO + (size_t)j0 * C, C, 0.0f, dv + (size_t)j0 * C3, C3);
                cblas_sgemm(TN, jn, hs, rows, scale, ds + (size_t)j0 * T + j0, T,
                            q + (size_t)j0 * C3, C3, 0.0f, dk + (size_t)j0 * C3, C3);
            }
        }
}
