/* Inverted dropout (GPT-2's embd_pdrop, resid_pdrop, attn_pdrop) with masks that are a
 * pure function of (step key, layer, site, row, column).
 *
 * Why counter-based: the backward needs the forward's mask.  Storing it would cost one
 * more activation per site (the attention probabilities' mask is as large as P itself);
 * recomputing it from a hash costs a few integer operations per element, which
 * vectorise.  And a step's masks depend only on the key the caller sets for it (the
 * trainer: seed and step), so a resumed run replays the very masks of an uninterrupted
 * one, whatever the tiling or the batch split.
 *
 * Bits of element j of a row: two rounds of MurmurHash3's 32-bit finaliser (a bijection)
 * over j under the row's 64-bit key, itself splitmix64 of (site key, row).  The element
 * is kept when its 32 bits are >= thresh = round(p 2^32): P(drop) = p within 2^-32.
 * Also the model's settings (xl_nn_set_dropout, xl_nn_set_dropout_key); model.c applies
 * the masks at the sites. */
#include "nn_internal.h"

#include <math.h>
#include <stdint.h>

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint32_t fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    return h ^ (h >> 16);
}

uint64_t xl_drop_step_key(uint64_t seed, uint64_t step)
{
    return mix64(mix64(seed ^ 0x5DEECE66DULL) + step * 0x9E3779B97F4A7C15ULL);
}

xl_drop xl_drop_site(uint64_t step_key, float p, int layer, int site)
{
    xl_drop d;
    d.key = mix64(step_key ^ mix64(((uint64_t)(uint32_t)layer << 8 | (uint64_t)site) + 1));
    double t = nearbyint((double)p * 4294967296.0);
    d.thresh = t >= 4294967295.0 ? UINT32_MAX : (uint32_t)t;
    d.scale = 1.0f / (1.0f - p);
    return d;
}

uint64_t xl_drop_row_key(const xl_drop *d, uint64_t row)
{
    return mix64(d->key + (row + 1) * 0x9E3779B97F4A7C15ULL);
}

XL_SIMD
void xl_dropout_row(float *y, const float *x, const float *resid, int n, uint64_t row_key,
                    uint32_t thresh, float scale)
{
    uint32_t a = (uint32_t)row_key, b = (uint32_t)(row_key >> 32);
    if (resid) {
        for (int j = 0; j < n; j++) {
            uint32_t h = fmix32(fmix32((uint32_t)j + a) ^ b);
            y[j] = resid[j] + (h >= thresh ? x[j] * scale : 0.0f);
        }
        return;
    }
    for (int j = 0; j < n; j++) {
        uint32_t h = fmix32(fmix32((uint32_t)j + a) ^ b);
        y[j] = h >= thresh ? x[j] * scale : 0.0f;
    }
}

void xl_dropout_forward(float *out, const float *inp, const float *resid, const xl_drop *d,
                        size_t row0, int N, int C)
{
    for (int n = 0; n < N; n++) {
        size_t o = (size_t)n * C;
        xl_dropout_row(out + o, inp + o, resid ? resid + o : NULL, C,
                       xl_drop_row_key(d, row0 + (size_t)n), d->thresh, d->scale);
    }
}

/* the mask is linear and diagonal: its backward is the same product */
void xl_dropout_backward(float *dinp, const float *dout, const xl_drop *d, size_t row0, int N,
                         int C)
{
    xl_dropout_forward(dinp, dout, NULL, d, row0, N, C);
}

int xl_nn_set_dropout(xl_nn_model *m, float p, float attn_p, xl_error *err)
{
    if (!(p >= 0.0f && p < 1.0f))
        return xl_error_set(err, XL_EINVAL, "field 'dropout': %g is outside [0, 1)", (double)p);
    if (!(attn_p >= 0.0f && attn_p < 1.0f))
        return xl_error_set(err, XL_EINVAL, "field 'attn_dropout': %g is outside [0, 1)",
                            (double)attn_p);
    m->drop_p = p;
    m->drop_attn = attn_p;
    return XL_OK;
}

void xl_nn_set_dropout_key(xl_nn_model *m, uint64_t seed, uint64_t step)
{
    m->drop_key = xl_drop_step_key(seed, step);
}
