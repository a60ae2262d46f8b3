/* "Did you mean": the closest of a few names to a misspelt one. */
#include "xferlaw/util.h"

#include <string.h>

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions: 'fitt',
 * 'pyhton' are one edit away), over the first 63 bytes of each word. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strnlen(a, 63), m = strnlen(b, 63), d[64][64];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c)
                c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c)
                c = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < c)
                c = d[i - 2][j - 2] + 1;
            d[i][j] = c;
        }
    return d[n][m];
}

const char *xl_closest(const char *word, const char *const *cands, size_t n)
{
    /* Names are short; the distance sees 63 bytes, so a longer word (a formula of 100000
     * minus signs) would come out close to anything. */
    if (!word || !word[0] || strnlen(word, 64) > 63)
        return NULL;
    size_t len = strlen(word), limit = len <= 4 ? 1 : len / 3, best = (size_t)-1;
    const char *pick = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i] || !strcmp(word, cands[i]))
            continue;
        size_t dist = edit_distance(word, cands[i]);
        if (dist < best) {
            best = dist;
            pick = cands[i];
        }
    }
    return best <= limit ? pick : NULL;
}
