/* The shared tokenizer: a byte-level BPE (GPT-2 style) stored as a small text file.
 *
 * File format (data/tokenizer.txt):
 *   xferlaw-bpe 1
 *   vocab V            (256 bytes + merges + 1 end-of-text)
 *   eot E              (= V - 1)
 *   A B                one line per merge: token 256+i is the concatenation of A and B
 * The tokenizer id is the sha256 of the file, so two runs compare only when it matches.
 *
 * Text is first cut into chunks (xl_bpe_next_chunk) so merges never cross a word, a run
 * of digits, of punctuation or of whitespace; each distinct chunk is encoded once per
 * call and cached, which makes encoding a few MB/s even though the merge loop is naive. */
#include "corpus_internal.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_MAX 48

static int byte_class(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80) return 1; /* letter */
    if (c >= '0' && c <= '9') return 2;                                          /* digit */
    if (c == ' ') return 3;
    if (c == '\n') return 4;
    if (c == '\t' || c == '\r' || c == '\f' || c == '\v') return 5;
    return 6;                                                                    /* punct */
}

size_t xl_bpe_next_chunk(const unsigned char *s, size_t n, size_t i)
{
    size_t j = i;
    int c = byte_class(s[i]);
    if (c == 3) {
        /* " word": a single space attaches to what follows, as in GPT-2 */
        int c2 = i + 1 < n ? byte_class(s[i + 1]) : 0;
        if (c2 == 1 || c2 == 2 || c2 == 6) {
            j = i + 1;
            while (j < n && byte_class(s[j]) == c2 && j - i < CHUNK_MAX) j++;
            return j;
        }
        while (j < n && s[j] == ' ' && j - i < CHUNK_MAX) j++;
        /* leave the last space of a run for the word after it */
        if (j < n && j - i > 1) {
            int c3 = byte_class(s[j]);
            if (c3 == 1 || c3 == 2 || c3 == 6) j--;
        }
        return j;
    }
    while (j < n && byte_class(s[j]) == c && j - i < CHUNK_MAX) j++;
    return j;
}

/* ---- pair -> rank map (open addressing) ---------------------------------------- */
static uint32_t pair_key(int a, int b) { return ((uint32_t)a << 16) | (uint32_t)b; }

static int pair_rank(const xl_tokenizer *t, int a, int b)
{
    uint32_t k = pair_key(a, b);
    size_t mask = t->map_cap - 1;
    size_t h = (k * 2654435761u) & mask;
    while (t->map_keys[h] != UINT32_MAX) {
        if (t->map_keys[h] == k) return t->map_rank[h];
        h = (h + 1) & mask;
    }
    return -1;
}

static int build_tables(xl_tokenizer *t, xl_error *err)
{
    int V = t->vocab;
    t->map_cap = 1;
    while (t->map_cap < (size_t)(t->n_merges * 2 + 2)) t->map_cap <<= 1;
    t->map_keys = malloc(t->map_cap * sizeof *t->map_keys);
    t->map_rank = malloc(t->map_cap * sizeof *t->map_rank);
    t->tok_off = malloc((size_t)(V + 1) * sizeof *t->tok_off);
    if (!t->map_keys || !t->map_rank || !t->tok_off)
        return xl_error_set(err, XL_ENOMEM, "out of memory building the tokenizer");
    memset(t->map_keys, 0xff, t->map_cap * sizeof *t->map_keys);
    for (int i = 0; i < t->n_merges; i++) {
        uint32_t k = pair_key(t->merges[2 * i], t->merges[2 * i + 1]);
        size_t h = (k * 2654435761u) & (t->map_cap - 1);
        while (t->map_keys[h] != UINT32_MAX) h = (h + 1) & (t->map_cap - 1);
        t->map_keys[h] = k;
        t->map_rank[h] = i;
    }
    /* byte strings of every token, for decoding */
    size_t total = 256;
    size_t *len = calloc((size_t)V, sizeof *len);
    if (!len) return xl_error_set(err, XL_ENOMEM, "out of memory building the tokenizer");
    for (int i = 0; i < 256; i++) len[i] = 1;
    for (int i = 0; i < t->n_merges; i++) {
        len[256 + i] = len[t->merges[2 * i]] + len[t->merges[2 * i + 1]];
        total += len[256 + i];
    }
    t->tok_bytes = malloc(total + 1);
    if (!t->tok_bytes) { free(len); return xl_error_set(err, XL_ENOMEM, "out of memory"); }
    size_t off = 0;
    for (int i = 0; i < V; i++) {
        t->tok_off[i] = off;
        if (i < 256) t->tok_bytes[off] = (unsigned char)i;
        else if (i < 256 + t->n_merges) {
            int a = t->merges[2 * (i - 256)], b = t->merges[2 * (i - 256) + 1];
            memcpy(t->tok_bytes + off, t->tok_bytes + t->tok_off[a], len[a]);
            memcpy(t->tok_bytes + off + len[a], t->tok_bytes + t->tok_off[b], len[b]);
        }
        off += (i < 256 + t->n_merges) ? len[i] : 0;
    }
    t->tok_off[V] = off;
    free(len);
    return XL_OK;
}

int xl_tokenizer_from_merges(const uint16_t *merges, int n_merges, xl_tokenizer **out,
                             xl_error *err)
{
    xl_tokenizer *t = calloc(1, sizeof *t);
    if (!t) return xl_error_set(err, XL_ENOMEM, "out of memory");
    t->n_merges = n_merges;
    t->vocab = 256 + n_merges + 1;
    t->eot = t->vocab - 1;
    t->merges = malloc((size_t)(2 * n_merges + 1) * sizeof *t->merges);
    if (!t->merges) { free(t); return xl_error_set(err, XL_ENOMEM, "out of memory"); }
    memcpy(t->merges, merges, (size_t)(2 * n_merges) * sizeof *t->merges);
    int rc = build_tables(t, err);
    if (rc) { xl_tokenizer_free(t); return rc; }
    *out = t;
    return XL_OK;
}

int xl_tokenizer_load(const char *path, xl_tokenizer **out, xl_error *err)
{
    char *data = NULL;
    size_t n = 0;
    *out = NULL;
    int rc = xl_read_file(path, &data, &n, err);
    if (rc) return rc;
    char *save = NULL, *line = strtok_r(data, "\n", &save);
    long lineno = 1, V = 0, eot = 0;
    if (!line || strcmp(line, "xferlaw-bpe 1") != 0) {
        free(data);
        return xl_error_at(err, XL_EFORMAT, path, 1, NULL,
                           "not an xferlaw tokenizer (expected 'xferlaw-bpe 1')");
    }
    line = strtok_r(NULL, "\n", &save), lineno++;
    if (!line || sscanf(line, "vocab %ld", &V) != 1 || V < 257 || V > 65535) {
        free(data);
        return xl_error_at(err, XL_EFORMAT, path, lineno, "vocab", "expected 'vocab V', 257 <= V <= 65535");
    }
    line = strtok_r(NULL, "\n", &save), lineno++;
    if (!line || sscanf(line, "eot %ld", &eot) != 1 || eot != V - 1) {
        free(data);
        return xl_error_at(err, XL_EFORMAT, path, lineno, "eot", "expected 'eot %ld'", V - 1);
    }
    int n_merges = (int)(V - 257);
    uint16_t *m = malloc((size_t)(2 * n_merges + 1) * sizeof *m);
    if (!m) { free(data); return xl_error_set(err, XL_ENOMEM, "out of memory"); }
    for (int i = 0; i < n_merges; i++) {
        line = strtok_r(NULL, "\n", &save), lineno++;
        long a, b;
        if (!line || sscanf(line, "%ld %ld", &a, &b) != 2 || a < 0 || b < 0 || a >= 256 + i ||
            b >= 256 + i) {
            free(m);
            free(data);
            return xl_error_at(err, XL_EFORMAT, path, lineno, "merge",
                               line ? "expected two earlier token ids 'A B'" : "file ends early");
        }
        m[2 * i] = (uint16_t)a;
        m[2 * i + 1] = (uint16_t)b;
    }
    rc = xl_tokenizer_from_merges(m, n_merges, out, err);
    free(m);
    free(data);
    if (!rc) rc = xl_sha256_file(path, (*out)->id, err);
    if (rc && *out) { xl_tokenizer_free(*out); *out = NULL; }
    return rc;
}

int xl_tokenizer_save(const xl_tokenizer *t, const char *path, xl_error *err)
{
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc) return rc;
    fprintf(af.fp, "xferlaw-bpe 1\nvocab %d\neot %d\n", t->vocab, t->eot);
    for (int i = 0; i < t->n_merges; i++)
        fprintf(af.fp, "%d %d\n", t->merges[2 * i], t->merges[2 * i + 1]);
    return xl_afile_commit(&af, err);
}

void xl_tokenizer_free(xl_tokenizer *t)
{
    if (!t) return;
    free(t->merges);
    free(t->map_keys);
    free(t->map_rank);
    free(t->tok_off);
    free(t->tok_bytes);
    free(t);
}

int xl_tokenizer_vocab_size(const xl_tokenizer *t) { return t->vocab; }
int xl_tokenizer_eot(const xl_tokenizer *t) { return t->eot; }
const char *xl_tokenizer_id(const xl_tokenizer *t) { return t->id; }

/* Merge a chunk's ids in place by lowest rank first; returns the new length. */
static size_t encode_chunk(const xl_tokenizer *t, uint16_t *ids, size_t n)
{
    while (n > 1) {
        int best = -1;
        for (size_t i = 0; i + 1 < n; i++) {
            int r = pair_rank(t, ids[i], ids[i + 1]);
            if (r >= 0 && (best < 0 || r < best)) best = r;
        }
        if (best < 0) break;
        int a = t->merges[2 * best], b = t->merges[2 * best + 1];
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            if (i + 1 < n && ids[i] == a && ids[i + 1] == b) {
                ids[w++] = (uint16_t)(256 + best);
                i++;
            } else {
                ids[w++] = ids[i];
            }
        }
        n = w;
    }
    return n;
}

typedef struct cache_entry {
    const unsigned char *s;
    uint32_t len;       /* 0 = empty slot */
    uint32_t n_ids;
    size_t ids_off;
} cache_entry;

int xl_tokenizer_encode(const xl_tokenizer *t, const char *text, size_t n, uint16_t **ids_out,
                        size_t *n_out, xl_error *err)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t cap = n + 1, len = 0;
    uint16_t *ids = malloc(cap * sizeof *ids);
    size_t ccap = 1024, cused = 0;
    cache_entry *cache = calloc(ccap, sizeof *cache);
    size_t pcap = 4096, pused = 0;
    uint16_t *pool = malloc(pcap * sizeof *pool);
    if (!ids || !cache || !pool) goto oom;
    for (size_t i = 0; i < n;) {
        size_t j = xl_bpe_next_chunk(s, n, i);
        uint32_t L = (uint32_t)(j - i);
        uint64_t h = xl_hash64(s + i, L);
        size_t slot = h & (ccap - 1);
        while (cache[slot].len && !(cache[slot].len == L && memcmp(cache[slot].s, s + i, L) == 0))
            slot = (slot + 1) & (ccap - 1);
        if (!cache[slot].len) {
            if (pused + L > pcap) {
                while (pused + L > pcap) pcap *= 2;
                uint16_t *np = realloc(pool, pcap * sizeof *pool);
                if (!np) goto oom;
                pool = np;
            }
            for (uint32_t k = 0; k < L; k++) pool[pused + k] = s[i + k];
            uint32_t m = (uint32_t)encode_chunk(t, pool + pused, L);
            cache[slot] = (cache_entry){s + i, L, m, pused};
            pused += m;
            if (++cused * 2 > ccap) { /* grow and rehash */
                size_t ncap = ccap * 2;
                cache_entry *nc = calloc(ncap, sizeof *nc);
                if (!nc) goto oom;
                for (size_t k = 0; k < ccap; k++) {
                    if (!cache[k].len) continue;
                    size_t q = xl_hash64(cache[k].s, cache[k].len) & (ncap - 1);
                    while (nc[q].len) q = (q + 1) & (ncap - 1);
                    nc[q] = cache[k];
                }
                free(cache);
                cache = nc;
                ccap = ncap;
                slot = SIZE_MAX;
            }
        }
        const cache_entry *e = NULL;
        if (slot != SIZE_MAX) e = &cache[slot];
        else { /* find again after the rehash */
            size_t q = h & (ccap - 1);
            while (!(cache[q].len == L && memcmp(cache[q].s, s + i, L) == 0)) q = (q + 1) & (ccap - 1);
            e = &cache[q];
        }
        memcpy(ids + len, pool + e->ids_off, e->n_ids * sizeof *ids);
        len += e->n_ids;
        i = j;
    }
    free(cache);
    free(pool);
    *ids_out = ids;
    *n_out = len;
    return XL_OK;
oom:
    free(ids);
    free(cache);
    free(pool);
    return xl_error_set(err, XL_ENOMEM, "out of memory encoding %zu bytes", n);
}

size_t xl_tokenizer_decode(const xl_tokenizer *t, const uint16_t *ids, size_t n, char *out,
                           size_t cap)
{
    size_t need = 0;
    for (size_t i = 0; i < n; i++) {
        int id = ids[i];
        if (id < 0 || id >= t->vocab) continue;
        size_t L = t->tok_off[id + 1] - t->tok_off[id];
        for (size_t k = 0; k < L; k++) {
            if (out && need + 1 < cap) out[need] = (char)t->tok_bytes[t->tok_off[id] + k];
            need++;
        }
    }
    if (out && cap) out[need < cap ? need : cap - 1] = '\0';
    return need;
}
