/* Private to src/corpus. */
#ifndef XL_CORPUS_INTERNAL_H
#define XL_CORPUS_INTERNAL_H

#include "xferlaw/corpus.h"

struct xl_tokenizer {
    int vocab, eot, n_merges;
    uint16_t *merges;            /* [n_merges][2] */
    uint32_t *map_keys;          /* pair -> rank, open addressing */
    int *map_rank;
    size_t map_cap;
    size_t *tok_off;             /* [vocab + 1] offsets into tok_bytes */
    unsigned char *tok_bytes;
    char id[65];
};

/* End of the chunk that starts at i (merges never cross chunks). */
size_t xl_bpe_next_chunk(const unsigned char *s, size_t n, size_t i);
int xl_tokenizer_from_merges(const uint16_t *merges, int n_merges, xl_tokenizer **out,
                             xl_error *err);

/* A dataset from raw text (`xferlaw train --data PATH`): PATH is a directory (every file
 * below it is one document) or one file (documents are paragraphs separated by blank
 * lines).  Split, deduplicated and tokenized exactly as `xferlaw corpus build` does with
 * val = test = 5%, in memory (nothing cached on disk).  ids[s] in host byte order, EOT
 * after each document; s = train, val, test. */
typedef struct xl_corpus_mem {
    uint16_t *ids[3];
    size_t n[3];
} xl_corpus_mem;
int xl_corpus_load_raw(const char *path, const xl_tokenizer *tok, int threads,
                       xl_corpus_mem *mem, xl_corpus_stats *stats, xl_error *err);
void xl_corpus_mem_free(xl_corpus_mem *mem);

/* DIR/SPLIT.bin of a built corpus: want_n tokens whose sha256 is want_sha (both from
 * manifest.json), into *out (malloc'd, host byte order).  The hash is skipped when
 * DIR/SPLIT.verified.json vouches for this version of the file (token_file.c). */
int xl__corpus_read_split(const char *dir, const char *split, const char *want_sha,
                          size_t want_n, uint16_t **out, size_t *n, xl_error *err);

#endif
