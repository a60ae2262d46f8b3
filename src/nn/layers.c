/* Token-wise layers: embeddings, LayerNorm, Linear (sgemm), GELU, softmax cross-entropy.
 * Loops that reduce keep a fixed order (no threads here), so results are bitwise
 * reproducible; the sgemm calls are deterministic for a fixed OpenBLAS thread count. */
#include "nn_internal.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

void xl_encoder_forward(float *out, const uint16_t *inp, const float *wte, const float *wpe,
                        int B, int T, int C)
{
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            float *o = out + ((size_t)b * T + t) * C;
            const float *e = wte + (size_t)inp[b * T + t] * C;
            const float *p = wpe + (size_t)t * C;
            for (int i = 0; i < C; i++)
                o[i] = e[i] + p[i];
        }
}

void xl_encoder_backward(float *dwte, float *dwpe, const float *dout, const uint16_t *inp,
                         int B, int T, int C)
{
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const float *d = dout + ((size_t)b * T + t) * C;
            float *de = dwte + (size_t)inp[b * T + t] * C;
            float *dp = dwpe + (size_t)t * C;
            for (int i = 0; i < C; i++) {
                de[i] += d[i];
                dp[i] += d[i];
            }
        }
}

void xl_layernorm_forward(float *out, float *mean, float *rstd, const float *inp,
                          const float *w, const float *b, int N, int C)
{
    const float eps = 1e-5f;
    for (int n = 0; n < N; n++) {
        const float *x = inp + (size_t)n * C;
        float s = 0.0f;
        for (int i = 0; i < C; i++)
            s += x[i];
        float mu = s / C;
        float v = 0.0f;
        for (int i = 0; i < C; i++) {
            float d = x[i] - mu;
            v += d * d;
        }
        float r = 1.0f / sqrtf(v / C + eps);
        float *o = out + (size_t)n * C;
        for (int i = 0; i < C; i++)
            o[i] = (x[i] - mu) * r * w[i] + b[i];
        mean[n] = mu;
        rstd[n] = r;
    }
}

void xl_layernorm_backward(float *dinp, float *dw, float *db, const float *dout,
                           const float *inp, const float *w, const float *mean,
                           const float *rstd, int N, int C)
{
    for (int n = 0; n < N; n++) {
        const float *d = dout + (size_t)n * C;
        const float *x = inp + (size_t)n * C;
        float *dx = dinp + (size_t)n * C;
        float mu = mean[n], r = rstd[n];
        /* two reductions: mean of dnorm and mean of dnorm * norm */
        float s1 = 0.0f, s2 = 0.0f;
        for (int i = 0; i < C; i++) {
            float nrm = (x[i] - mu) * r;
            float dn = w[i] * d[i];
            s1 += dn;
            s2 += dn * nrm;
        }
        s1 /= C;
        s2 /= C;
        for (int i = 0; i < C; i++) {
            float nrm = (x[i] - mu) * r;
            float dn = w[i] * d[i];
            db[i] += d[i];
            dw[i] += nrm * d[i];
            dx[i] += (dn - s1 - nrm * s2) * r;
        }
    }
}

void xl_matmul_forward(float *out, const float *inp, const float *w, const float *b, int N,
                       int C, int OC, int accumulate)
{
    /* seed out with the bias (and the residual when accumulating), then one sgemm */
    if (b) {
        for (int n = 0; n < N; n++) {
            float *o = out + (size_t)n * OC;
            if (accumulate)
                for (int i = 0; i < OC; i++)
                    o[i] += b[i];
            else
                memcpy(o, b, (size_t)OC * sizeof *o);
        }
    }
    float beta = (b || accumulate) ? 1.0f : 0.0f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, OC, C, 1.0f, inp, C, w, C, beta,
                out, OC);
}

void xl_matmul_backward(float *dinp, float *dw, float *db, const float *dout,
                        const float *inp, const float *w, int N, int C, int OC)
{
    if (dinp)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, C, OC, 1.0f, dout, OC, w,
                    C, 0.0f, dinp, C);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, N, 1.0f, dout, OC, inp, C,
                1.0f, dw, C);
    if (db)
        for (int n = 0; n < N; n++) {
            const float *d = dout + (size_t)n * OC;
            for (int i = 0; i < OC; i++)
                db[i] += d[i];
        }
}

/* exp without libm: Cephes' expf polynomial, written so that the compiler vectorises
 * the loop (range reduction through the 1.5*2^23 rounding trick, 2^n via bit shifts). */
__attribute__((target_clones("avx512f", "avx2", "default")))
void xl_vexp(float *y, const float *x, int n)
{
    const float log2e = 1.44269504088896341f, c1 = 0.693359375f, c2 = -2.12194440e-4f;
    const float shifter = 12582912.0f; /* 1.5 * 2^23 */
    for (int i = 0; i < n; i++) {
        float v = x[i];
        v = v < -87.0f ? -87.0f : v;
        v = v > 88.0f ? 88.0f : v;
        float t = v * log2e + shifter;
        float k = t - shifter;
        int32_t ki = (int32_t)k;
        float r = v - k * c1 - k * c2;
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        p = p * r * r + r + 1.0f;
        union { int32_t i; float f; } s;
        s.i = (ki + 127) << 23;
        y[i] = p * s.f;
    }
}

/* GELU, tanh approximation; tanh(u) = 1 - 2 / (exp(2u) + 1) through xl_vexp */
#define GELU_K 0.7978845608028654f /* sqrt(2/pi) */
enum { GELU_CHUNK = 256 };

void xl_gelu_forward(float *out, const float *inp, size_t n)
{
    float u[GELU_CHUNK], e[GELU_CHUNK];
    for (size_t s = 0; s < n; s += GELU_CHUNK) {
        int m = (int)(n - s < GELU_CHUNK ? n - s : GELU_CHUNK);
        const float *x = inp + s;
        for (int i = 0; i < m; i++)
            u[i] = 2.0f * GELU_K * (x[i] + 0.044715f * x[i] * x[i] * x[i]);
        xl_vexp(e, u, m);
        for (int i = 0; i < m; i++) {
            float th = 1.0f - 2.0f / (e[i] + 1.0f);
            out[s + i] = 0.5f * x[i] * (1.0f + th);
        }
    }
}

void xl_gelu_backward(float *dinout, const float *inp, size_t n)
{
    float u[GELU_CHUNK], e[GELU_CHUNK];
    for (size_t s = 0; s < n; s += GELU_CHUNK) {
        int m = (int)(n - s < GELU_CHUNK ? n - s : GELU_CHUNK);
        const float *x = inp + s;
        for (int i = 0; i < m; i++)
            u[i] = 2.0f * GELU_K * (x[i] + 0.044715f * x[i] * x[i] * x[i]);
        xl_vexp(e, u, m);
        for (int i = 0; i < m; i++) {
            float xi = x[i];
            float th = 1.0f - 2.0f / (e[i] + 1.0f);
            float sech2 = 1.0f - th * th;
            float g = 0.5f * (1.0f + th) +
                      0.5f * xi * sech2 * GELU_K * (1.0f + 3.0f * 0.044715f * xi * xi);
            dinout[s + i] *= g;
        }
    }
}

/* Sum with 16 independent partial sums (vectorisable, fixed order). */
static float sum16(const float *x, int n)
{
    float acc[16] = {0};
    int i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++)
            acc[k] += x[i + k];
    float s = 0.0f;
    for (; i < n; i++)
        s += x[i];
    for (int k = 0; k < 16; k++)
        s += acc[k];
    return s;
}

static float max16(const float *x, int n)
{
    float acc[16];
    for (int k = 0; k < 16; k++)
        acc[k] = -INFINITY;
    int i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++)
            acc[k] = x[i + k] > acc[k] ? x[i + k] : acc[k];
    float mx = -INFINITY;
    for (; i < n; i++)
        mx = x[i] > mx ? x[i] : mx;
    for (int k = 0; k < 16; k++)
        mx = acc[k] > mx ? acc[k] : mx;
    return mx;
}

/* Softmax of x[0..n) in place after subtracting c; returns the sum of exps. */
float xl_softmax_inplace(float *x, int n);
float xl_softmax_inplace(float *x, int n)
{
    float mx = max16(x, n);
    for (int i = 0; i < n; i++)
        x[i] -= mx;
    xl_vexp(x, x, n);
    float s = sum16(x, n);
    float inv = 1.0f / s;
    for (int i = 0; i < n; i++)
        x[i] *= inv;
    return s;
}

double xl_crossentropy_forward(float *logits, const uint16_t *targets, int BT, int V)
{
    double total = 0.0;
    float scale = 1.0f / (float)BT;
    for (int n = 0; n < BT; n++) {
        float *x = logits + (size_t)n * V;
        float mx = max16(x, V);
        float zt = x[targets[n]] - mx;
        for (int i = 0; i < V; i++)
            x[i] -= mx;
        xl_vexp(x, x, V);
        float s = sum16(x, V);
        total += (double)logf(s) - (double)zt;
        float inv = scale / s;
        for (int i = 0; i < V; i++)
            x[i] *= inv;
        x[targets[n]] -= scale;
    }
    return total;
}
