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

#endif
