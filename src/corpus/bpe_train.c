/* Training the shared BPE once (`xferlaw corpus tokenizer`).  Plain greedy BPE over the
 * distinct chunks of a sample, weighted by their counts; ties go to the smaller pair so
 * the result depends only on the sample's content.  Recounting every pair each round is
 * O(rounds x symbols): a few seconds for ~1000 merges on a few MB, and it runs once. */
#include "corpus_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct word {
    const unsigned char *s;
    uint32_t len;     /* symbols now */
    uint32_t count;
    uint32_t off;     /* into the symbol pool */
} word;

typedef struct wmap {
    word *w;
    size_t cap, n;
} wmap;

static int wmap_add(wmap *m, const unsigned char *s, uint32_t len)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 1 << 16;
        word *nw = calloc(ncap, sizeof *nw);
        if (!nw) return -1;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->w[i].len) continue;
            size_t q = xl_hash64(m->w[i].s, m->w[i].len) & (ncap - 1);
            while (nw[q].len) q = (q + 1) & (ncap - 1);
            nw[q] = m->w[i];
        }
        free(m->w);
        m->w = nw;
        m->cap = ncap;
    }
    size_t q = xl_hash64(s, len) & (m->cap - 1);
    while (m->w[q].len && !(m->w[q].len == len && memcmp(m->w[q].s, s, len) == 0))
        q = (q + 1) & (m->cap - 1);
    if (!m->w[q].len) {
        m->w[q] = (word){s, len, 0, 0};
        m->n++;
    }
    m->w[q].count++;
    return 0;
}

int xl_tokenizer_train(const char *const *texts, const size_t *lens, int n_texts, int vocab,
                       xl_tokenizer **out, xl_error *err)
{
    *out = NULL;
    if (vocab < 257 || vocab > 4096)
        return xl_error_set(err, XL_EINVAL, "field 'vocab': %d is outside [257, 4096]", vocab);
    int n_merges = vocab - 257;
    wmap m = {0};
    for (int t = 0; t < n_texts; t++) {
        const unsigned char *s = (const unsigned char *)texts[t];
        for (size_t i = 0; i < lens[t];) {
            size_t j = xl_bpe_next_chunk(s, lens[t], i);
            if (wmap_add(&m, s + i, (uint32_t)(j - i))) {
                free(m.w);
                return xl_error_set(err, XL_ENOMEM, "out of memory");
            }
            i = j;
        }
    }
    /* compact the words and their symbols */
    size_t nw = 0, nsym = 0;
    for (size_t i = 0; i < m.cap; i++)
        if (m.w[i].len) {
            m.w[nw] = m.w[i];
            nsym += m.w[nw].len;
            nw++;
        }
    uint16_t *sym = malloc((nsym + 1) * sizeof *sym);
    uint32_t *pc = calloc((size_t)vocab * vocab, sizeof *pc);
    uint16_t *merges = malloc((size_t)(2 * n_merges + 1) * sizeof *merges);
    if (!sym || !pc || !merges) {
        free(m.w); free(sym); free(pc); free(merges);
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    }
    size_t off = 0;
    for (size_t i = 0; i < nw; i++) {
        m.w[i].off = (uint32_t)off;
        for (uint32_t k = 0; k < m.w[i].len; k++) sym[off + k] = m.w[i].s[k];
        off += m.w[i].len;
    }
    int done = 0;
    for (; done < n_merges; done++) {
        uint32_t best = 0;
        int ba = 0, bb = 0;
        for (size_t i = 0; i < nw; i++) {
            const uint16_t *p = sym + m.w[i].off;
            for (uint32_t k = 0; k + 1 < m.w[i].len; k++) {
                uint32_t *c = &pc[(size_t)p[k] * vocab + p[k + 1]];
                *c += m.w[i].count;
                if (*c > best || (*c == best && (p[k] < ba || (p[k] == ba && p[k + 1] < bb)))) {
                    best = *c;
                    ba = p[k];
                    bb = p[k + 1];
                }
            }
        }
        if (best < 2) break; /* nothing worth merging */
        int id = 256 + done;
        merges[2 * done] = (uint16_t)ba;
        merges[2 * done + 1] = (uint16_t)bb;
        for (size_t i = 0; i < nw; i++) {
            uint16_t *p = sym + m.w[i].off;
            uint32_t w = 0;
            for (uint32_t k = 0; k + 1 < m.w[i].len; k++) pc[(size_t)p[k] * vocab + p[k + 1]] = 0;
            for (uint32_t k = 0; k < m.w[i].len; k++) {
                if (k + 1 < m.w[i].len && p[k] == ba && p[k + 1] == bb) {
                    p[w++] = (uint16_t)id;
                    k++;
                } else {
                    p[w++] = p[k];
                }
            }
            m.w[i].len = w;
        }
    }
    int rc = XL_OK;
    if (done < n_merges)
        rc = xl_error_set(err, XL_EINVAL,
                          "field 'vocab': the sample supports only %d merges (vocab %d); give more text",
                          done, 257 + done);
    else
        rc = xl_tokenizer_from_merges(merges, n_merges, out, err);
    free(m.w);
    free(sym);
    free(pc);
    free(merges);
    return rc;
}
