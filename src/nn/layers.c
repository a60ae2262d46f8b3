/* Token-wise layers: embeddings, LayerNorm, Linear (sgemm), GELU, softmax cross-entropy.
 * Loops that reduce keep a fixed order (no threads here), so results are bitwise
 * reproducible; the sgemm calls are deterministic for a fixed OpenBLAS thread count. */
/* only static inline helpers pass GCC vectors by value, so ABI notes do not apply */
#pragma GCC diagnostic ignored "-Wpsabi"
#include "nn_internal.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));

/* Macros, not functions: GCC warns (-Wpsabi) about passing 64-byte vectors by value
 * to functions compiled without AVX-512. */
#define SPLAT(x) ((v16f){(x), (x), (x), (x), (x), (x), (x), (x), \
                         (x), (x), (x), (x), (x), (x), (x), (x)})
/* m ? a : b lane by lane (C has no vector ternary) */
#define VSEL(m, a, b) ({ \
    v16f a_ = (a), b_ = (b), o_; v16i ai_, bi_, r_; \
    memcpy(&ai_, &a_, 64); memcpy(&bi_, &b_, 64); \
    r_ = ((m) & ai_) | (~(m) & bi_); memcpy(&o_, &r_, 64); o_; })
#define HSUM16(v) ({ float h_ = 0.0f; for (int k_ = 0; k_ < 16; k_++) h_ += (v)[k_]; h_; })
#define LOAD16(x) ({ v16f l_; memcpy(&l_, (x), 64); l_; })
#define VEXP16(in) ({ \
    v16f v_ = (in); \
    v_ = VSEL(v_ < SPLAT(-87.0f), SPLAT(-87.0f), v_); \
    v_ = VSEL(v_ > SPLAT(88.0f), SPLAT(88.0f), v_); \
    v16f k_ = (v_ * SPLAT(1.44269504088896341f) + SPLAT(12582912.0f)) - SPLAT(12582912.0f); \
    v16i ki_ = __builtin_convertvector(k_, v16i); \
    v16f r_ = v_ - k_ * SPLAT(0.693359375f) - k_ * SPLAT(-2.12194440e-4f); \
    v16f p_ = SPLAT(1.9875691500e-4f); \
    p_ = p_ * r_ + SPLAT(1.3981999507e-3f); \
    p_ = p_ * r_ + SPLAT(8.3334519073e-3f); \
    p_ = p_ * r_ + SPLAT(4.1665795894e-2f); \
    p_ = p_ * r_ + SPLAT(1.6666665459e-1f); \
    p_ = p_ * r_ + SPLAT(5.0000001201e-1f); \
    p_ = p_ * r_ * r_ + r_ + SPLAT(1.0f); \
    v16i e_ = (ki_ + 127) << 23; v16f s_; memcpy(&s_, &e_, 64); p_ * s_; })

XL_SIMD
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

XL_SIMD
void xl_encoder_backward(float *dwte, float *dwpe, const float *dout, const uint16_t *inp,
                         int B, int T, int C)
{
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const float *d = dout + ((size_t)b * T + t) * C;
            if (dwte) {
                float *de = dwte + (size_t)inp[b * T + t] * C;
                for (int i = 0; i < C; i++)
                    de[i] += d[i];
            }
            if (dwpe) {
                float *dp = dwpe + (size_t)t * C;
                for (int i = 0; i < C; i++)
                    dp[i] += d[i];
            }
        }
}

/* LayerNorm inputs are stored activations, cold in the backward: rows are short and
 * each a dependent chain of reductions, so fetch a few rows ahead (a prefetch past the
 * end is harmless) */
enum { LN_AHEAD = 4 };
static inline __attribute__((always_inline)) void prefetch_row(const float *p, int n)
{
    for (int k = 0; k < n; k += 16)
        __builtin_prefetch(p + k);
}

XL_SIMD
void xl_layernorm_forward(float *out, float *mean, float *rstd, const float *inp,
                          const float *w, const float *b, int N, int C)
{
    const float eps = 1e-5f;
    for (int n = 0; n < N; n++) {
        const float *x = inp + (size_t)n * C;
        prefetch_row(x + (size_t)LN_AHEAD * C, C);
        v16f acc = SPLAT(0.0f);
        int i = 0;
        for (; i + 16 <= C; i += 16)
            acc += LOAD16(x + i);
        float s = HSUM16(acc);
        for (int j = i; j < C; j++)
            s += x[j];
        float mu = s / C;
        acc = SPLAT(0.0f);
        for (i = 0; i + 16 <= C; i += 16) {
            v16f d = LOAD16(x + i) - SPLAT(mu);
            acc += d * d;
        }
        float v = HSUM16(acc);
        for (int j = i; j < C; j++)
            v += (x[j] - mu) * (x[j] - mu);
        float r = 1.0f / sqrtf(v / C + eps);
        float *o = out + (size_t)n * C;
        for (i = 0; i < C; i++)
            o[i] = (x[i] - mu) * r * w[i] + b[i];
        mean[n] = mu;
        rstd[n] = r;
    }
}

XL_SIMD
void xl_layernorm_backward(float *dinp, float *dw, float *db, const float *dout,
                           const float *inp, const float *w, const float *mean,
                           const float *rstd, int N, int C)
{
    for (int n = 0; n < N; n++) {
        const float *d = dout + (size_t)n * C;
        const float *x = inp + (size_t)n * C;
        float *dx = dinp + (size_t)n * C;
        prefetch_row(x + (size_t)LN_AHEAD * C, C);
        float mu = mean[n], r = rstd[n];
        /* two reductions: mean of dnorm and mean of dnorm * norm */
        v16f a1 = SPLAT(0.0f), a2 = SPLAT(0.0f);
        int i = 0;
        for (; i + 16 <= C; i += 16) {
            v16f nrm = (LOAD16(x + i) - SPLAT(mu)) * SPLAT(r);
            v16f dn = LOAD16(w + i) * LOAD16(d + i);
            a1 += dn;
            a2 += dn * nrm;
        }
        float s1 = HSUM16(a1), s2 = HSUM16(a2);
        for (; i < C; i++) {
            float nrm = (x[i] - mu) * r;
            float dn = w[i] * d[i];
            s1 += dn;
            s2 += dn * nrm;
        }
        s1 /= C;
        s2 /= C;
        for (i = 0; i < C; i++) {
            float nrm = (x[i] - mu) * r;
            float dn = w[i] * d[i];
            dx[i] += (dn - s1 - nrm * s2) * r;
        }
        if (dw && db) /* only NULL when not trainable */
            for (i = 0; i < C; i++) {
                dw[i] += (x[i] - mu) * r * d[i];
                db[i] += d[i];
            }
        else if (dw)
            for (i = 0; i < C; i++)
                dw[i] += (x[i] - mu) * r * d[i];
        else if (db)
            for (i = 0; i < C; i++)
                db[i] += d[i];
    }
}

XL_SIMD
void xl_matmul_forward(float *out, const float *inp, const float *w, const float *b,
                       const float *resid, int N, int C, int OC)
{
    /* seed out with bias (+ residual) in one pass, then one sgemm with beta = 1 */
    for (int n = 0; n < N && (b || resid); n++) {
        float *o = out + (size_t)n * OC;
        const float *r = resid ? resid + (size_t)n * OC : NULL;
        if (b && r)
            for (int i = 0; i < OC; i++)
                o[i] = r[i] + b[i];
        else if (b)
            memcpy(o, b, (size_t)OC * sizeof *o);
        else
            memcpy(o, r, (size_t)OC * sizeof *o);
    }
    float beta = (b || resid) ? 1.0f : 0.0f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, OC, C, 1.0f, inp, C, w, C, beta,
                out, OC);
}

XL_SIMD
void xl_matmul_backward(float *dinp, float *dw, float *db, const float *dout,
                        const float *inp, const float *w, int N, int C, int OC)
{
    if (dinp)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, C, OC, 1.0f, dout, OC, w,
                    C, 0.0f, dinp, C);
    if (dw)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, N, 1.0f, dout, OC, inp,
                    C, 1.0f, dw, C);
    if (db)
        for (int n = 0; n < N; n++) {
            const float *d = dout + (size_t)n * OC;
            for (int i = 0; i < OC; i++)
                db[i] += d[i];
        }
}

/* exp without libm: Cephes' expf polynomial on GCC vectors of 16 floats (one AVX-512
 * register, or four SSE ones), range reduction through the 1.5*2^23 rounding trick and
 * 2^n by shifting into the exponent.  Relative error ~1e-7. */
/* y = exp(x - c); returns sum(y) (fixed order: 16 lanes, then lane by lane) */
XL_SIMD
float xl_vexp_sum(float *y, const float *x, float c, int n)
{
    v16f acc = SPLAT(0.0f), cv = SPLAT(c);
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        v16f e = VEXP16(LOAD16(x + i) - cv);
        memcpy(y + i, &e, sizeof e);
        acc += e;
    }
    float s = 0.0f;
    for (int k = 0; k < 16; k++)
        s += acc[k];
    if (i < n) {
        v16f t = SPLAT(-100.0f);
        for (int k = 0; i + k < n; k++)
            t[k] = x[i + k] - c;
        v16f e = VEXP16(t);
        for (int k = 0; i + k < n; k++) {
            y[i + k] = e[k];
            s += e[k];
        }
    }
    return s;
}

void xl_vexp(float *y, const float *x, int n)
{
    xl_vexp_sum(y, x, 0.0f, n);
}

XL_SIMD
float xl_vmax(const float *x, int n)
{
    v16f acc = SPLAT(-INFINITY);
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        v16f v = LOAD16(x + i);
        acc = VSEL(v > acc, v, acc);
    }
    float mx = -INFINITY;
    for (int k = 0; k < 16; k++)
        mx = acc[k] > mx ? acc[k] : mx;
    for (; i < n; i++)
        mx = x[i] > mx ? x[i] : mx;
    return mx;
}

/* GELU, tanh approximation; tanh(u) = 1 - 2 / (exp(2u) + 1), 16 lanes at a time with the
 * exp inline (one pass, no temporaries); the last partial vector is padded with 0.
 * The input comes cold from memory (stored in the forward) and each iteration is a long
 * dependency chain, so few loads would be in flight: prefetch 4 KB ahead (measured 2.5x
 * faster on cold data than without; a prefetch past the end is harmless). */
#define GELU_K 0.7978845608028654f /* sqrt(2/pi) */
enum { GELU_AHEAD = 1024 };
#define GELU_TANH(x) ({ \
    v16f x_ = (x); \
    v16f e_ = VEXP16(SPLAT(2.0f * GELU_K) * (x_ + SPLAT(0.044715f) * x_ * x_ * x_)); \
    SPLAT(1.0f) - SPLAT(2.0f) / (e_ + SPLAT(1.0f)); })

XL_SIMD
void xl_gelu_forward(float *out, const float *inp, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __builtin_prefetch(inp + i + GELU_AHEAD);
        v16f x = LOAD16(inp + i);
        v16f y = SPLAT(0.5f) * x * (SPLAT(1.0f) + GELU_TANH(x));
        memcpy(out + i, &y, sizeof y);
    }
    if (i < n) {
        v16f x = SPLAT(0.0f);
        memcpy(&x, inp + i, (n - i) * sizeof(float));
        v16f y = SPLAT(0.5f) * x * (SPLAT(1.0f) + GELU_TANH(x));
        memcpy(out + i, &y, (n - i) * sizeof(float));
    }
}

#define GELU_GRAD(x) ({ \
    v16f xg_ = (x), th_ = GELU_TANH(xg_); \
    SPLAT(0.5f) * (SPLAT(1.0f) + th_) + SPLAT(0.5f) * xg_ * (SPLAT(1.0f) - th_ * th_) * \
        SPLAT(GELU_K) * (SPLAT(1.0f) + SPLAT(3.0f * 0.044715f) * xg_ * xg_); })

XL_SIMD
void xl_gelu_backward(float *dinout, const float *inp, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __builtin_prefetch(inp + i + GELU_AHEAD);
        __builtin_prefetch(dinout + i + GELU_AHEAD, 1);
        v16f d = LOAD16(dinout + i) * GELU_GRAD(LOAD16(inp + i));
        memcpy(dinout + i, &d, sizeof d);
    }
    if (i < n) {
        v16f x = SPLAT(0.0f), d = SPLAT(0.0f);
        memcpy(&x, inp + i, (n - i) * sizeof(float));
        memcpy(&d, dinout + i, (n - i) * sizeof(float));
        d *= GELU_GRAD(x);
        memcpy(dinout + i, &d, (n - i) * sizeof(float));
    }
}

XL_SIMD
double xl_crossentropy_forward(float *logits, const uint16_t *targets, int N, int V,
                               float scale, int want_grad)
{
    double total = 0.0;
    for (int n = 0; n < N; n++) {
        float *x = logits + (size_t)n * V;
        float mx = xl_vmax(x, V);
        float zt = x[targets[n]] - mx;
        float s = xl_vexp_sum(x, x, mx, V);
        total += (double)logf(s) - (double)zt;
        if (!want_grad)
            continue;
        float inv = scale / s;
        for (int i = 0; i < V; i++)
            x[i] *= inv;
        x[targets[n]] -= scale;
    }
    return total;
}

XL_SIMD
void xl_vadd(float *y, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] += x[i];
}

/* Attention rows (attention.c): row[0, n) holds scores, the buffer runs to ncol, a
 * multiple of 16 >= n.  Softmax of scale * row[0, n) in place, row[n, ncol) = 0; whole
 * vectors only (the last one masked), so no scalar tail. */
XL_SIMD
void xl_softmax_causal_row(float *row, int n, int ncol, float scale)
{
    v16i lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    v16f mxv = SPLAT(-INFINITY);
    for (int j = 0; j < ncol; j += 16) {
        v16f v = LOAD16(row + j) * SPLAT(scale);
        memcpy(row + j, &v, sizeof v);
        v16i live = lane < n - j;
        v = VSEL(live, v, SPLAT(-INFINITY));
        mxv = VSEL(v > mxv, v, mxv);
    }
    float mx = -INFINITY;
    for (int k = 0; k < 16; k++)
        mx = mxv[k] > mx ? mxv[k] : mx;
    v16f acc = SPLAT(0.0f);
    for (int j = 0; j < ncol; j += 16) {
        v16f e = VEXP16(LOAD16(row + j) - SPLAT(mx));
        e = VSEL(lane < n - j, e, SPLAT(0.0f));
        memcpy(row + j, &e, sizeof e);
        acc += e;
    }
    v16f inv = SPLAT(1.0f / HSUM16(acc));
    for (int j = 0; j < ncol; j += 16) {
        v16f e = LOAD16(row + j) * inv;
        memcpy(row + j, &e, sizeof e);
    }
}

/* dr[0, ncol) = scale * pr * (dr - sum(pr * dr)) for a row of P that is 0 beyond the
 * diagonal (so dr comes out 0 there too); ncol a multiple of 16 */
XL_SIMD
void xl_softmax_backward_causal_row(float *dr, const float *pr, int ncol, float scale)
{
    v16f acc = SPLAT(0.0f);
    for (int j = 0; j < ncol; j += 16)
        acc += LOAD16(pr + j) * LOAD16(dr + j);
    v16f s = SPLAT(HSUM16(acc));
    for (int j = 0; j < ncol; j += 16) {
        v16f d = SPLAT(scale) * LOAD16(pr + j) * (LOAD16(dr + j) - s);
        memcpy(dr + j, &d, sizeof d);
    }
}
