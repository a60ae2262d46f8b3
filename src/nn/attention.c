/* Causal multi-head self-attention, one (sequence, head) at a time.
 *
 * The products are small (T x T x hs, e.g. 128 x 128 x 32) and there are six per
 * (sequence, head): through cblas_sgemm they ran at 35-80 GFLOP/s, most of the time
 * going to per-call overhead and OpenBLAS's small-matrix path.  Here one register-blocked
 * kernel (RB rows x up to NB chunks of 16 floats, accumulators in registers, data in
 * L1/L2) computes all six, on operands laid out for it: K and V transposed, everything
 * zero-padded to 16 columns (hs) and RB rows (T), so there are no edge cases in the inner
 * loop.  The copies are O(T hs) against O(T^2 hs) of arithmetic.  dK and dV read dS and
 * P transposed (kern's strides), so no (T, T) matrix is ever transposed.
 *
 * Causality: row block [i0, i0+RB) only meets keys < i0+RB, so the products skip every
 * 16-column chunk above the diagonal (close to half the square).  The softmax backward
 * is dS = P * (dP - rowsum(dP * P)), O(T) per row.  The only (T, T) buffers are the kept
 * probabilities P of each layer (what backward needs; row stride up16(T), see
 * xl_att_cols) and one dS scratch reused across heads.
 *
 * Entries of a P or dS row right of the diagonal are zeroed up to the row block's last
 * 16-column chunk; entries further right are never read.
 *
 * Dropout on the probabilities (GPT-2's attn_pdrop): out = (M * P / (1-p)) . V with a
 * mask M recomputed from its key (dropout.c).  The kept P stays undropped (the softmax
 * backward needs every entry); the forward multiplies V by a dropped copy of each row
 * block, the backward masks dP on its way into the softmax backward and builds the
 * dropped P of the whole (sequence, head) for dV = (M * P)^T . dO. */
/* only static inline helpers pass GCC vectors by value, so ABI notes do not apply */
#pragma GCC diagnostic ignored "-Wpsabi"
#include "nn_internal.h"

#include <math.h>
#include <string.h>

typedef float v16f __attribute__((vector_size(64)));

enum { RB = 8, NB = 4, CHUNK = 16 }; /* must match xl_att_rows */

static inline int up(int n, int m) { return (n + m - 1) / m * m; }
static inline int imin(int a, int b) { return a < b ? a : b; }

/* Cm[r][0, 16 nb) = sum over k in [k0, k1) of A[r sar + k sak] * B[k ldb + (0, 16 nb)],
 * for r < rb: A is read row-major (sar = lda, sak = 1) or transposed (sar = 1, sak = lda).
 * rb and nb are constants at each (inlined) call, so acc lives in registers. */
static inline __attribute__((always_inline)) void
kern(float *restrict Cm, int ldc, const float *restrict A, int sar, int sak,
     const float *restrict B, int ldb, int k0, int k1, const int rb, const int nb)
{
    v16f acc[RB][NB];
    for (int r = 0; r < rb; r++)
        for (int c = 0; c < nb; c++)
            acc[r][c] = (v16f){0};
    for (int k = k0; k < k1; k++) {
        v16f b[NB];
        for (int c = 0; c < nb; c++)
            memcpy(&b[c], B + (size_t)k * ldb + CHUNK * c, sizeof b[c]);
        for (int r = 0; r < rb; r++) {
            float a = A[(size_t)r * sar + (size_t)k * sak];
            for (int c = 0; c < nb; c++)
                acc[r][c] += a * b[c];
        }
    }
    for (int r = 0; r < rb; r++)
        for (int c = 0; c < nb; c++)
            memcpy(Cm + (size_t)r * ldc + CHUNK * c, &acc[r][c], sizeof acc[r][c]);
}

/* RB rows of Cm[:, 0, n) (n a multiple of 16) = A . B over k in [k0, k1): narrow
 * products (hs columns) in one RB x nb tile, wide ones (T columns) in 4 x NB tiles */
static inline __attribute__((always_inline)) void
rows_times(float *Cm, int ldc, const float *A, int sar, int sak, const float *B, int ldb,
           int k0, int k1, int n)
{
    switch (n / CHUNK) {
    case 1: kern(Cm, ldc, A, sar, sak, B, ldb, k0, k1, RB, 1); return;
    case 2: kern(Cm, ldc, A, sar, sak, B, ldb, k0, k1, RB, 2); return;
    case 3: kern(Cm, ldc, A, sar, sak, B, ldb, k0, k1, RB, 3); return;
    default: break;
    }
    for (int r0 = 0; r0 < RB; r0 += RB / 2)
        for (int c0 = 0; c0 < n; c0 += NB * CHUNK) {
            float *Cr = Cm + (size_t)r0 * ldc + c0;
            const float *Ar = A + (size_t)r0 * sar, *Bc = B + c0;
            switch (imin(NB, (n - c0) / CHUNK)) {
            case 1: kern(Cr, ldc, Ar, sar, sak, Bc, ldb, k0, k1, RB / 2, 1); break;
            case 2: kern(Cr, ldc, Ar, sar, sak, Bc, ldb, k0, k1, RB / 2, 2); break;
            case 3: kern(Cr, ldc, Ar, sar, sak, Bc, ldb, k0, k1, RB / 2, 3); break;
            default: kern(Cr, ldc, Ar, sar, sak, Bc, ldb, k0, k1, RB / 2, NB); break;
            }
        }
}

/* dst (rows, cols) row stride ldd, zero-padded to (prow, pcol) = src (rows, cols), or
 * its transpose when tr (then dst is (cols, rows) padded to (pcol, prow)) */
static inline __attribute__((always_inline)) void
pad_copy(float *restrict dst, int ldd, const float *restrict src, int lds, int rows,
         int cols, int prow, int pcol, int tr)
{
    if (!tr) {
        for (int i = 0; i < prow; i++) {
            float *d = dst + (size_t)i * ldd;
            const float *s = src + (size_t)i * lds;
            int n = i < rows ? cols : 0;
            for (int j = 0; j < n; j++)
                d[j] = s[j];
            for (int j = n; j < pcol; j++)
                d[j] = 0.0f;
        }
        return;
    }
    for (int i = 0; i < rows; i++) /* src rows are contiguous, dst is small (in L1) */
        for (int j = 0; j < cols; j++)
            dst[(size_t)j * ldd + i] = src[(size_t)i * lds + j];
    for (int j = 0; j < pcol; j++) {
        float *d = dst + (size_t)j * ldd;
        for (int i = j < cols ? rows : 0; i < prow; i++)
            d[i] = 0.0f;
    }
}

/* dst (rows, cols) row stride ldd = s * src (rows, cols) row stride lds */
static inline __attribute__((always_inline)) void
scaled_rows(float *restrict dst, int ldd, const float *restrict src, int lds, int rows,
            int cols, float s)
{
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            dst[(size_t)i * ldd + j] = s * src[(size_t)i * lds + j];
}

size_t xl_attention_scratch_floats(int T, int hs)
{
    size_t Tp = up(T, CHUNK), Tr = up(T, RB), hp = up(hs, CHUNK);
    /* the last term of each: the dropped probabilities (a row block; the whole square) */
    size_t fwd = Tr * hp + hs * Tp + Tp * hp + Tr * hp + RB * Tp;
    size_t bwd = Tr * Tp + Tr * hp + hs * Tp + 2 * Tp * hp + 3 * Tr * hp + Tr * Tp;
    return fwd > bwd ? fwd : bwd;
}

/* Operands are read in place from qkv, dout and dqkv when the shapes need no padding
 * (hs a multiple of 16, T of RB: the usual case); otherwise through zero-padded copies. */
static inline int direct(int T, int hs) { return hs % CHUNK == 0 && T % RB == 0; }

/* Dropout on rows [i0, i1) of a (sequence, head)'s probabilities, dst and src pointing
 * at row i0: dst row i = mask * scale * src row i over the columns of the row's block
 * (zeros past the diagonal stay 0); row i is row row0 + i of the site. */
static void drop_rows(float *dst, const float *src, int ld, int i0, int i1, int T,
                      const xl_drop *d, uint64_t row0)
{
    for (int i = i0; i < i1; i++) {
        int ncol = up(imin(i / RB * RB + RB, T), CHUNK);
        size_t o = (size_t)(i - i0) * ld;
        xl_dropout_row(dst + o, src + o, NULL, ncol, xl_drop_row_key(d, row0 + (uint64_t)i),
                       d->thresh, d->scale);
    }
}

XL_SIMD
void xl_attention_forward(float *out, float *att, float *scratch, const float *qkv, int B,
                          int T, int C, int H, const xl_drop *drop, int seq0)
{
    int hs = C / H, C3 = 3 * C, Tp = xl_att_cols(T), Tr = xl_att_rows(T), hp = up(hs, CHUNK);
    int dir = direct(T, hs);
    float scale = 1.0f / sqrtf((float)hs);
    float *kt = scratch;           /* (hs, Tp)  K^T */
    float *qc = kt + hs * Tp;      /* (Tr, hp)  padded Q, V and output (if !dir) */
    float *vc = qc + Tr * hp;      /* (Tp, hp) */
    float *oc = vc + Tp * hp;      /* (Tr, hp) */
    float *pdb = oc + Tr * hp;     /* (RB, Tp)  a dropped row block of P (with drop) */
    for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++) {
            const float *q = qkv + (size_t)b * T * C3 + h * hs, *v = q + 2 * C;
            float *o = out + (size_t)b * T * C + h * hs;
            float *p = att + ((size_t)b * H + h) * Tr * Tp;
            int ldq = C3, ldv = C3, ldo = C;
            pad_copy(kt, Tp, q + C, C3, T, hs, Tp, hs, 1);
            if (!dir) {
                pad_copy(qc, hp, q, C3, T, hs, Tr, hp, 0);
                pad_copy(vc, hp, v, C3, T, hs, Tp, hp, 0);
                q = qc, v = vc, o = oc, ldq = ldv = ldo = hp;
            }
            for (int i0 = 0; i0 < T; i0 += RB) {
                int last = imin(i0 + RB, T), ncol = up(last, CHUNK);
                float *pr = p + (size_t)i0 * Tp;
                /* S rows (RB, ncol) = Q_rows . K^T into P, then softmax(scale S) */
                rows_times(pr, Tp, q + (size_t)i0 * ldq, ldq, 1, kt, Tp, 0, hs, ncol);
                for (int i = i0; i < last; i++)
                    xl_softmax_causal_row(p + (size_t)i * Tp, i + 1, ncol, scale);
                const float *pa = pr;
                if (drop) { /* rows past T (last block, padded path) only feed padding */
                    drop_rows(pdb, pr, Tp, i0, last, T, drop,
                              ((uint64_t)(seq0 + b) * H + h) * T);
                    memset(pdb + (size_t)(last - i0) * Tp, 0,
                           (size_t)(RB - (last - i0)) * Tp * sizeof *pdb);
                    pa = pdb;
                }
                /* out rows (RB, hp) = P_rows . V over keys < last */
                rows_times(o + (size_t)i0 * ldo, ldo, pa, Tp, 1, v, ldv, 0, last, hp);
            }
            if (!dir)
                scaled_rows(out + (size_t)b * T * C + h * hs, C, oc, hp, T, hs, 1.0f);
        }
}

XL_SIMD
void xl_attention_backward(float *dqkv, float *scratch, const float *dout, const float *att,
                           const float *qkv, int B, int T, int C, int H, const xl_drop *drop,
                           int seq0)
{
    int hs = C / H, C3 = 3 * C, Tp = xl_att_cols(T), Tr = xl_att_rows(T), hp = up(hs, CHUNK);
    int dir = direct(T, hs);
    float scale = 1.0f / sqrtf((float)hs);
    float *ds = scratch;           /* (Tr, Tp)  dP, then dS (times scale) in place */
    float *vt = ds + Tr * Tp;      /* (hs, Tp)  V^T */
    float *doc = vt + hs * Tp;     /* (Tr, hp)  padded dO, K, Q, dQ, dK, dV (if !dir) */
    float *kc = doc + Tr * hp;     /* (Tp, hp) */
    float *qc = kc + Tp * hp;      /* (Tp, hp) */
    float *dqc = qc + Tp * hp;     /* (Tr, hp) */
    float *dkc = dqc + Tr * hp;    /* (Tr, hp) */
    float *dvc = dkc + Tr * hp;    /* (Tr, hp) */
    float *pd = dvc + Tr * hp;     /* (Tr, Tp)  dropped P (with drop) */
    for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++) {
            const float *q = qkv + (size_t)b * T * C3 + h * hs, *k = q + C;
            const float *dO = dout + (size_t)b * T * C + h * hs;
            const float *p = att + ((size_t)b * H + h) * Tr * Tp;
            float *dq = dqkv + (size_t)b * T * C3 + h * hs, *dk = dq + C, *dv = dq + 2 * C;
            int ldq = C3, ldo = C, ldd = C3;
            const float *pv = p; /* the P that multiplied V */
            uint64_t row0 = ((uint64_t)(seq0 + b) * H + h) * T;
            if (drop) {
                drop_rows(pd, p, Tp, 0, T, T, drop, row0);
                pv = pd;
            }
            pad_copy(vt, Tp, q + 2 * C, C3, T, hs, Tp, hs, 1);
            if (!dir) {
                pad_copy(doc, hp, dO, C, T, hs, Tr, hp, 0);
                pad_copy(kc, hp, k, C3, T, hs, Tp, hp, 0);
                pad_copy(qc, hp, q, C3, T, hs, Tp, hp, 0);
                dO = doc, k = kc, q = qc, dq = dqc, dk = dkc, dv = dvc;
                ldq = ldo = ldd = hp;
            }
            /* by row blocks: dP = dO . V^T, dS in place, dQ = dS . K */
            for (int i0 = 0; i0 < T; i0 += RB) {
                int last = imin(i0 + RB, T), ncol = up(last, CHUNK);
                float *dr = ds + (size_t)i0 * Tp;
                /* the kept P is cold: fetch the next block's rows while this one computes */
                for (int i = i0 + RB; i < imin(i0 + 2 * RB, T); i++)
                    for (int c = 0; c < up(imin(i0 + 2 * RB, T), CHUNK); c += CHUNK)
                        __builtin_prefetch(p + (size_t)i * Tp + c);
                rows_times(dr, Tp, dO + (size_t)i0 * ldo, ldo, 1, vt, Tp, 0, hs, ncol);
                if (drop) /* d/d(M * P / (1-p)) -> d/dP */
                    drop_rows(dr, dr, Tp, i0, last, T, drop, row0);
                for (int i = i0; i < last; i++)
                    xl_softmax_backward_causal_row(ds + (size_t)i * Tp, p + (size_t)i * Tp,
                                                   ncol, scale);
                rows_times(dq + (size_t)i0 * ldd, ldd, dr, Tp, 1, k, ldq, 0, last, hp);
            }
            /* by key blocks (key j is seen by queries i >= j only), reading dS and P
             * transposed: dK = dS^T . Q, dV = P^T . dO over i in [j0, T) */
            for (int j0 = 0; j0 < T; j0 += RB) {
                rows_times(dk + (size_t)j0 * ldd, ldd, ds + j0, 1, Tp, q, ldq, j0, T, hp);
                rows_times(dv + (size_t)j0 * ldd, ldd, pv + j0, 1, Tp, dO, ldo, j0, T, hp);
            }
            if (!dir) {
                float *d = dqkv + (size_t)b * T * C3 + h * hs;
                scaled_rows(d, C3, dqc, hp, T, hs, 1.0f);
                scaled_rows(d + C, C3, dkc, hp, T, hs, 1.0f);
                scaled_rows(d + 2 * C, C3, dvc, hp, T, hs, 1.0f);
            }
        }
}
