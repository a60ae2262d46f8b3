/* xferlaw corpus: one tokenizer shared by every corpus, built corpora on disk, and the
 * datasets a training run reads (splits, D caps, mixtures).
 *
 * A built corpus is a directory ROOT/NAME/ with
 *   manifest.json                 documents, bytes, tokens and sha256 per split, tokenizer id
 *   train.bin, val.bin, test.bin  little-endian uint16 token ids, documents separated by EOT
 *   train.verified.json, ...      written by loads: the version of the file that last hashed
 *                                 to the manifest's sha256 (the next load skips the hash)
 * Documents go to a split by a hash of their content, so the split never depends on order. */
#ifndef XFERLAW_CORPUS_H
#define XFERLAW_CORPUS_H

#include "xferlaw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- tokenizer ---------------------------------------------------------------- */
typedef struct xl_tokenizer xl_tokenizer;

int xl_tokenizer_load(const char *path, xl_tokenizer **out, xl_error *err);
void xl_tokenizer_free(xl_tokenizer *tok);
int xl_tokenizer_vocab_size(const xl_tokenizer *tok);
int xl_tokenizer_eot(const xl_tokenizer *tok);            /* end-of-text id */
const char *xl_tokenizer_id(const xl_tokenizer *tok);     /* sha256 of the vocabulary file */
/* Encode n bytes; *ids is malloc'ed. */
int xl_tokenizer_encode(const xl_tokenizer *tok, const char *text, size_t n,
                        uint16_t **ids, size_t *n_ids, xl_error *err);
/* Decode into out (NUL-terminated, truncated to cap); returns the bytes needed. */
size_t xl_tokenizer_decode(const xl_tokenizer *tok, const uint16_t *ids, size_t n,
                           char *out, size_t cap);

/* ---- datasets -------------------------------------------------------------------- */
typedef struct xl_dataset {
    char spec[256];            /* "python", or a mixture "text:0.5,code:0.5" */
    uint16_t *train;           /* the training stream, after the D cap */
    size_t n_train;            /* = D, unique training tokens */
    uint16_t *val;             /* the fixed held-out split used for evaluation */
    size_t n_val;
    double val_bytes_per_token; /* bytes of text per val token, for bits per byte */
    int vocab_size;
    int eot;
    char tokenizer_id[65];
    char train_sha256[65];     /* of the training tokens actually used */
} xl_dataset;

/* spec: a corpus name under root, or "NAME:W,NAME:W" (weights by tokens).
 * d_cap > 0 keeps a deterministic subset of document pieces (at most 1024 tokens each,
 * a cut closed by an EOT; chosen by seed), exactly d_cap tokens after trimming the last
 * piece; 0 keeps all. */
int xl_dataset_load(const char *root, const char *spec, uint64_t d_cap, uint64_t seed,
                    xl_dataset *ds, xl_error *err);
void xl_dataset_free(xl_dataset *ds);

/* Default corpora root: $XL_CORPORA if set; else "data/corpora" in a checkout (the working
 * directory has data/corpora or data/build_corpora.sh); else the user's data directory,
 * $XDG_DATA_HOME/xferlaw/corpora (~/.local/share/xferlaw/corpora). */
const char *xl_corpora_root(void);

/* ---- added by the corpus module (issue 3) ---------------------------------------- */
/* Write a tokenizer file (format in src/corpus/tokenizer.c). */
int xl_tokenizer_save(const xl_tokenizer *tok, const char *path, xl_error *err);
/* Train a byte-level BPE with vocab ids (256 bytes + merges + EOT, 257..4096) on texts. */
int xl_tokenizer_train(const char *const *texts, const size_t *lens, int n_texts, int vocab,
                       xl_tokenizer **out, xl_error *err);

/* Content filters used to build the bundled corpora. */
int xl_corpus_looks_like_python(const char *text, size_t n);
/* reStructuredText to prose, in place; returns the new length.  Removes literal blocks,
 * doctests, comments, directive lines with their options, the bodies of non-prose
 * directives (code, tables, tocs, includes), section underlines and table rules, and
 * reduces inline markup (``x``, :role:`text <target>`, `text <url>`_, **x**) to its text. */
size_t xl_corpus_strip_rst(char *text, size_t n);

typedef struct xl_corpus_build_opts {
    const char *root;          /* writes ROOT/NAME/ */
    const char *name;
    uint64_t max_bytes;        /* cap on the corpus's bytes, documents taken in hash order; 0 = all */
    size_t max_doc_bytes;      /* longer documents are dropped; 0 = no limit */
    int reject_python;         /* drop documents that look like python */
    int strip_rst;             /* strip code from *.rst / *.rst.txt before anything else */
    double val_frac, test_frac;
    const char *source_key;    /* recorded in the manifest (lets scripts skip rebuilds) */
    int threads;               /* for tokenizing; 0 = all cores */
} xl_corpus_build_opts;

#define XL_CORPUS_MAX_SOURCES 64

typedef struct xl_corpus_stats {
    size_t documents[3], bytes[3], tokens[3];   /* train, val, test */
    size_t rejected_python, rejected_other, duplicates, over_cap;
    /* what each source contributes after filters and caps (all splits; tokens count
     * the EOT after each document); filled by xl_corpus_build */
    size_t src_documents[XL_CORPUS_MAX_SOURCES], src_bytes[XL_CORPUS_MAX_SOURCES],
        src_tokens[XL_CORPUS_MAX_SOURCES];
} xl_corpus_stats;

/* sources: directories (every file below, each one document) or "@LISTFILE" (one path
 * a line).  Writes train/val/test.bin then manifest.json, each atomically. */
int xl_corpus_build(const xl_corpus_build_opts *o, const xl_tokenizer *tok,
                    const char *const *sources, int n_sources, xl_corpus_stats *stats,
                    xl_error *err);
/* The same from documents in memory (texts are not modified). */
int xl_corpus_build_docs(const xl_corpus_build_opts *o, const xl_tokenizer *tok,
                         char **texts, const size_t *lens, size_t n_docs,
                         xl_corpus_stats *stats, xl_error *err);
/* The first max_bytes of the filtered documents of sources in hash order, in one buffer
 * (the tokenizer's training sample). */
int xl_corpus_sample(const char *const *sources, int n_sources, int strip_rst,
                     int reject_python, size_t max_bytes, char **out, size_t *n_out,
                     xl_error *err);
/* Path of the shipped tokenizer: $XL_TOKENIZER, else data/tokenizer.txt in a checkout,
 * else the installed one (xl_data_file "tokenizer.txt"). */
const char *xl_tokenizer_default_path(void);

#ifdef __cplusplus
}
#endif
#endif
