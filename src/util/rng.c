/* xoshiro256** (Blackman & Vigna) seeded by splitmix64: fast, reproducible
 * across platforms, and cheap to split into independent streams. */
#include "xferlaw/util.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void xl_rng_seed(xl_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    r->has_spare = 0;
    r->spare = 0;
}

void xl_rng_seed_stream(xl_rng *r, uint64_t seed, uint64_t i)
{
    uint64_t x = seed ^ 0xA0761D6478BD642FULL;
    uint64_t a = splitmix64(&x);
    xl_rng_seed(r, a ^ (i * 0xE7037ED1A0B428DBULL + 0x8EBC6AF09C88C6E3ULL));
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t xl_rng_u64(xl_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double xl_rng_uniform(xl_rng *r)
{
    return (double)(xl_rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t xl_rng_below(xl_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = xl_rng_u64(r);
    while (x >= limit);
    return x % n;
}

double xl_rng_normal(xl_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * xl_rng_uniform(r) - 1.0;
        v = 2.0 * xl_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double m = sqrt(-2.0 * log(s) / s);
    r->spare = v * m;
    r->has_spare = 1;
    return u * m;
}
