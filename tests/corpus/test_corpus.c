/* Tokenizer, content filters, corpus building and datasets on small generated corpora. */
#include "xl_test.h"
#include "xferlaw/corpus.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

/* The shipped tokenizer (data/tokenizer.txt), or NULL after a failed check. */
static xl_tokenizer *shipped_tokenizer(void)
{
    char path[4096];
    xl_tokenizer *tok = NULL;
    xl_error err;
    CHECK_MSG(xl_tokenizer_load(xl_test_srcpath(path, sizeof path, "data/tokenizer.txt"), &tok, &err) == 0,
              "%s", err.msg);
    return tok;
}

static void test_shipped_tokenizer(void)
{
    char path[4096];
    xl_test_srcpath(path, sizeof path, "data/tokenizer.txt");
    xl_tokenizer *tok = NULL;
    xl_error err;
    CHECK(xl_tokenizer_load(path, &tok, &err) == 0);
    if (!tok) return;
    CHECK(xl_tokenizer_vocab_size(tok) == 1024);
    CHECK(xl_tokenizer_eot(tok) == 1023);
    char hex[65];
    xl_sha256_file(path, hex, &err);
    CHECK(strcmp(hex, xl_tokenizer_id(tok)) == 0);
    const char *text = "def f(x):\n    return x + 1  # caf\xc3\xa9\n\tThe quick brown fox, 1234567.\n"
                       "\x01\x02\xff  trailing   \n\n";
    uint16_t *ids;
    size_t n;
    CHECK(xl_tokenizer_encode(tok, text, strlen(text), &ids, &n, &err) == 0);
    CHECK(n < strlen(text));           /* merges happened */
    char back[512];
    size_t m = xl_tokenizer_decode(tok, ids, n, back, sizeof back);
    CHECK(m == strlen(text) && strcmp(back, text) == 0);
    /* truncation reports the bytes needed */
    char small[8];
    CHECK(xl_tokenizer_decode(tok, ids, n, small, sizeof small) == m && strlen(small) == 7);
    free(ids);
    xl_tokenizer_free(tok);
}

static void test_train_tokenizer(void)
{
    /* "ab" is the most frequent pair, then "ab"+"ab" inside the word */
    const char *t = "abab abab abab abab cd cd";
    const char *texts[1] = {t};
    size_t lens[1] = {strlen(t)};
    xl_tokenizer *tok = NULL;
    xl_error err;
    CHECK(xl_tokenizer_train(texts, lens, 1, 259, &tok, &err) == 0);
    if (!tok) return;
    uint16_t *ids;
    size_t n;
    CHECK(xl_tokenizer_encode(tok, "ab", 2, &ids, &n, &err) == 0);
    CHECK(n == 1 && ids[0] == 256);
    free(ids);
    char path[512];
    snprintf(path, sizeof path, "%s/tok.txt", tmpdir);
    CHECK(xl_tokenizer_save(tok, path, &err) == 0);
    xl_tokenizer_free(tok);
    CHECK(xl_tokenizer_load(path, &tok, &err) == 0);
    xl_tokenizer_free(tok);
    /* more merges than the text supports: a clear error */
    CHECK(xl_tokenizer_train(texts, lens, 1, 4000, &tok, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "supports only");
    /* a truncated file names its line */
    xl_write_file_atomic(path, "xferlaw-bpe 1\nvocab 300\neot 299\n97 98\n", 36, &err);
    CHECK(xl_tokenizer_load(path, &tok, &err) == XL_EFORMAT);
    CHECK_STR_CONTAINS(err.msg, ":5: field 'merge'");
    xl_write_file_atomic(path, "hello\n", 6, &err);
    CHECK(xl_tokenizer_load(path, &tok, &err) == XL_EFORMAT);
    CHECK_STR_CONTAINS(err.msg, "not an xferlaw tokenizer");
}

static void test_filters(void)
{
    const char *py1 = "x = 1\nimport os\n\nprint(1)\n";
    const char *py2 = "#!/usr/bin/env python3\nx = 1\n";
    const char *py3 = "x = 2\nclass Foo(Bar):\n    def go(self, a):\n        pass\n";
    const char *c = "#include <stdio.h>\nstruct def { int import; };\nclass_t x;\nint main(void) { return 0; }\n";
    const char *perl = "package Foo;\nuse strict;\nsub new { my $class = shift; }\n1;\n";
    const char *prose = "Import duties were high.\nThe class met at noon: all came.\n";
    const char *sh = "#!/bin/sh\nset -e\nfor f in *; do echo $f; done\n";
    CHECK(xl_corpus_looks_like_python(py1, strlen(py1)));
    CHECK(xl_corpus_looks_like_python(py2, strlen(py2)));
    CHECK(xl_corpus_looks_like_python(py3, strlen(py3)));
    CHECK(!xl_corpus_looks_like_python(c, strlen(c)));
    CHECK(!xl_corpus_looks_like_python(perl, strlen(perl)));
    CHECK(!xl_corpus_looks_like_python(prose, strlen(prose)));
    CHECK(!xl_corpus_looks_like_python(sh, strlen(sh)));

    char rst[] = "Intro text.  For example::\n\n    import os\n    def f(x):\n        pass\n\n"
                 "More prose.\n\n>>> import sys\n>>> sys.exit()\nNone\n\nAfter doctest.\n\n"
                 ".. code-block:: python\n\n   from a import b\n\n.. note::\n\n   A kept note.\n";
    size_t n = xl_corpus_strip_rst(rst, strlen(rst));
    rst[n] = 0;
    CHECK(strstr(rst, "import") == NULL);
    CHECK(strstr(rst, "def f") == NULL);
    CHECK_STR_CONTAINS(rst, "Intro text.  For example:\n");
    CHECK_STR_CONTAINS(rst, "More prose.");
    CHECK_STR_CONTAINS(rst, "After doctest.");
    CHECK_STR_CONTAINS(rst, "A kept note.");
    CHECK(!xl_corpus_looks_like_python(rst, n));
    /* kernel-doc style: comments, targets, non-prose directives with their bodies and
     * options, section rules and simple tables go; inline roles keep their text */
    char k[] = ".. SPDX-License-Identifier: GPL-2.0\n\n.. _patches:\n\n"
               "Submitting patches\n==================\n\n"
               "Use ``git`` and :ref:`the format <canon>` and :c:func:`kmalloc`, see\n"
               "`the site <https://example.org>`_, `Other`_ and **this**.\n\n"
               ".. toctree::\n   :maxdepth: 2\n\n   intro\n   howto\n\n"
               ".. note::\n   :class: x\n\n   A kept note.\n\n"
               ".. kernel-doc:: include/linux/foo.h\n   :export:\n\n"
               "=====  =====\nleft   right\n=====  =====\n\nDone.\n";
    n = xl_corpus_strip_rst(k, strlen(k));
    k[n] = 0;
    CHECK_STR_CONTAINS(k, "Submitting patches\n\n");
    CHECK_STR_CONTAINS(k, "Use git and the format and kmalloc, see\nthe site, Other and this.\n");
    CHECK_STR_CONTAINS(k, "   A kept note.\n");
    CHECK_STR_CONTAINS(k, "left   right\n");
    CHECK_STR_CONTAINS(k, "Done.\n");
    CHECK(strstr(k, "..") == NULL && strstr(k, "==") == NULL && strchr(k, '`') == NULL);
    CHECK(strstr(k, "SPDX") == NULL && strstr(k, "intro") == NULL && strstr(k, "maxdepth") == NULL);
    CHECK(strstr(k, ":class:") == NULL && strstr(k, "export") == NULL && strstr(k, "foo.h") == NULL);
}

/* n synthetic documents; corpus k draws words from a different alphabet */
static void make_docs(int k, int n, char ***texts, size_t **lens)
{
    *texts = calloc((size_t)n, sizeof **texts);
    *lens = calloc((size_t)n, sizeof **lens);
    xl_rng r;
    xl_rng_seed(&r, (uint64_t)k + 7);
    for (int i = 0; i < n; i++) {
        size_t len = 200 + xl_rng_below(&r, 600);
        char *s = malloc(len + 1);
        for (size_t j = 0; j < len; j++)
            s[j] = (j % 6 == 5) ? ' ' : (char)((k ? 'n' : 'a') + xl_rng_below(&r, 8));
        s[len] = 0;
        (*texts)[i] = s;
        (*lens)[i] = len;
    }
}

static void free_docs(char **texts, size_t *lens, int n)
{
    for (int i = 0; i < n; i++) free(texts[i]);
    free(texts);
    free(lens);
}

static void test_build_and_datasets(void)
{
    char path[4096];
    xl_error err;
    xl_tokenizer *tok = shipped_tokenizer();
    if (!tok) return;
    char **texts, **texts2;
    size_t *lens, *lens2;
    int nd = 400;
    make_docs(0, nd, &texts, &lens);
    xl_corpus_build_opts o = {.root = tmpdir, .name = "alpha", .val_frac = 0.1, .test_frac = 0.1, .threads = 2};
    xl_corpus_stats st, st2;
    CHECK(xl_corpus_build_docs(&o, tok, texts, lens, (size_t)nd, &st, &err) == 0);
    CHECK(st.documents[0] + st.documents[1] + st.documents[2] == (size_t)nd);
    CHECK(st.documents[1] > 20 && st.documents[1] < 65);   /* ~10% of 400 */
    char sha_a[65], sha_b[65];
    snprintf(path, sizeof path, "%s/alpha/train.bin", tmpdir);
    xl_sha256_file(path, sha_a, &err);
    /* the same documents in reverse order give the same corpus */
    for (int i = 0; i < nd / 2; i++) {
        char *t = texts[i]; texts[i] = texts[nd - 1 - i]; texts[nd - 1 - i] = t;
        size_t l = lens[i]; lens[i] = lens[nd - 1 - i]; lens[nd - 1 - i] = l;
    }
    o.name = "alpha2";
    CHECK(xl_corpus_build_docs(&o, tok, texts, lens, (size_t)nd, &st2, &err) == 0);
    snprintf(path, sizeof path, "%s/alpha2/train.bin", tmpdir);
    xl_sha256_file(path, sha_b, &err);
    CHECK(strcmp(sha_a, sha_b) == 0);
    CHECK(st2.tokens[0] == st.tokens[0] && st2.tokens[1] == st.tokens[1]);
    make_docs(1, nd, &texts2, &lens2);
    o.name = "beta";
    CHECK(xl_corpus_build_docs(&o, tok, texts2, lens2, (size_t)nd, &st2, &err) == 0);

    xl_dataset ds, ds2;
    CHECK(xl_dataset_load(tmpdir, "alpha", 0, 1, &ds, &err) == 0);
    CHECK(ds.n_train == st.tokens[0] && ds.n_val == st.tokens[1]);
    CHECK(ds.vocab_size == 1024 && ds.eot == 1023);
    CHECK_NEAR(ds.val_bytes_per_token, (double)st.bytes[1] / (double)st.tokens[1], 1e-12);
    CHECK(strcmp(ds.tokenizer_id, xl_tokenizer_id(tok)) == 0);
    size_t full = ds.n_train;
    xl_dataset_free(&ds);
    /* D caps: exact, deterministic per seed, nested, different across seeds */
    CHECK(xl_dataset_load(tmpdir, "alpha", 5000, 3, &ds, &err) == 0);
    CHECK(ds.n_train == 5000);
    CHECK(xl_dataset_load(tmpdir, "alpha", 12000, 3, &ds2, &err) == 0);
    CHECK(ds2.n_train == 12000 && memcmp(ds.train, ds2.train, 5000 * 2) == 0);
    xl_dataset_free(&ds2);
    CHECK(xl_dataset_load(tmpdir, "alpha", 5000, 3, &ds2, &err) == 0);
    CHECK(strcmp(ds.train_sha256, ds2.train_sha256) == 0);
    xl_dataset_free(&ds2);
    CHECK(xl_dataset_load(tmpdir, "alpha", 5000, 4, &ds2, &err) == 0);
    CHECK(strcmp(ds.train_sha256, ds2.train_sha256) != 0);
    xl_dataset_free(&ds2);
    xl_dataset_free(&ds);
    /* mixture: by token weights, val mixed the same way */
    CHECK(xl_dataset_load(tmpdir, "alpha:0.25,beta:0.75", 8000, 1, &ds, &err) == 0);
    CHECK(ds.n_train == 8000);
    size_t from_alpha = 0;
    for (size_t i = 0; i < ds.n_train; i++) {
        char s[64];
        xl_tokenizer_decode(tok, &ds.train[i], 1, s, sizeof s);
        from_alpha += (s[0] >= 'a' && s[0] < 'i') || (s[0] == ' ' && s[1] >= 'a' && s[1] < 'i');
    }
    CHECK_MSG(from_alpha > 1700 && from_alpha < 2300, "alpha tokens %zu of 8000", from_alpha);
    xl_dataset_free(&ds);
    /* errors */
    CHECK(xl_dataset_load(tmpdir, "alpha", full + 1, 1, &ds, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "larger than corpus 'alpha'");
    CHECK(xl_dataset_load(tmpdir, "nope", 0, 1, &ds, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "unknown corpus 'nope'");
    CHECK(xl_dataset_load(tmpdir, "alpha:-1,beta:2", 0, 1, &ds, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "bad mixture weight '-1'");
    CHECK(xl_dataset_load(tmpdir, "alpha:x", 0, 1, &ds, &err) == XL_EINVAL);
    CHECK(xl_dataset_load(tmpdir, "alpha,beta", 0, 1, &ds, &err) == XL_EINVAL);
    /* a corrupted split is refused */
    snprintf(path, sizeof path, "%s/beta/train.bin", tmpdir);
    xl_write_file_atomic(path, "\1\2\3\4", 4, &err);
    CHECK(xl_dataset_load(tmpdir, "beta", 0, 1, &ds, &err) == XL_EFORMAT);
    CHECK_STR_CONTAINS(err.msg, "manifest.json says");
    free_docs(texts, lens, nd);
    free_docs(texts2, lens2, nd);
    xl_tokenizer_free(tok);
}

/* A D cap samples pieces of documents (<= 1024 tokens, a cut closed by an EOT), so a long
 * document cannot fill a range of D by itself.  Fails on whole-document sampling. */
static long longest_run_without(const uint16_t *t, size_t n, int eot)
{
    long best = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        run = t[i] == eot ? 0 : run + 1;
        if (run > best) best = run;
    }
    return best;
}

static void test_dataset_pieces(void)
{
    xl_error err;
    xl_tokenizer *tok = shipped_tokenizer();
    if (!tok) return;
    enum { ND = 60, NLONG = 4 };
    char *texts[ND];
    size_t lens[ND];
    for (int d = 0; d < ND; d++) {
        int reps = d < NLONG ? 1500 : 12; /* four long documents, the rest short */
        size_t cap = (size_t)reps * 40 + 64, w = 0;
        texts[d] = malloc(cap);
        for (int r = 0; r < reps; r++)
            w += (size_t)snprintf(texts[d] + w, cap - w, "doc%d line %d x = %d\n", d, r, r * d);
        lens[d] = w;
    }
    xl_corpus_build_opts o = {.root = tmpdir, .name = "pieces", .val_frac = 0.1, .test_frac = 0.1, .threads = 2};
    xl_corpus_stats st;
    CHECK(xl_corpus_build_docs(&o, tok, texts, lens, ND, &st, &err) == 0);
    xl_dataset all, ds, ds2;
    CHECK(xl_dataset_load(tmpdir, "pieces", 0, 1, &all, &err) == 0);
    /* the precondition: a long document in the train split */
    CHECK_MSG(longest_run_without(all.train, all.n_train, all.eot) > 3000, "longest document %ld tokens",
              longest_run_without(all.train, all.n_train, all.eot));
    size_t eots = 0;
    for (size_t i = 0; i < all.n_train; i++) eots += all.train[i] == all.eot;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        CHECK(xl_dataset_load(tmpdir, "pieces", all.n_train - 1, seed, &ds, &err) == 0);
        CHECK(ds.n_train == all.n_train - 1);
        CHECK_MSG(longest_run_without(ds.train, ds.n_train, ds.eot) <= 1023, "seed %d: run of %ld tokens",
                  (int)seed, longest_run_without(ds.train, ds.n_train, ds.eot));
        size_t e = 0;
        for (size_t i = 0; i < ds.n_train; i++) e += ds.train[i] == ds.eot;
        CHECK_MSG(e > eots + 2, "seed %d: %zu EOTs, corpus has %zu", (int)seed, e, eots); /* the cuts */
        /* still nested */
        CHECK(xl_dataset_load(tmpdir, "pieces", 2000, seed, &ds2, &err) == 0);
        CHECK(memcmp(ds.train, ds2.train, 2000 * sizeof *ds.train) == 0);
        xl_dataset_free(&ds2);
        xl_dataset_free(&ds);
    }
    xl_dataset_free(&all);
    for (int d = 0; d < ND; d++) free(texts[d]);
    xl_tokenizer_free(tok);
}

/* Raw text as --data: a directory (one document per file) or one file (paragraphs),
 * split exactly as `corpus build` splits the same documents. */
static void test_raw_datasets(void)
{
    char tokpath[4096], dir[512], dir2[512], path[4200], file[512];
    setenv("XL_TOKENIZER", xl_test_srcpath(tokpath, sizeof tokpath, "data/tokenizer.txt"), 1);
    xl_error err;
    xl_tokenizer *tok = shipped_tokenizer();
    if (!tok) return;
    char **texts;
    size_t *lens;
    int nd = 300;
    make_docs(2, nd, &texts, &lens);
    snprintf(dir, sizeof dir, "%s/raw", tmpdir);
    snprintf(dir2, sizeof dir2, "%s/raw2/sub", tmpdir);
    xl_mkdirs(dir, &err);
    xl_mkdirs(dir2, &err);
    snprintf(file, sizeof file, "%s/one.txt", tmpdir);
    FILE *f = fopen(file, "w");
    for (int i = 0; i < nd; i++) {
        snprintf(path, sizeof path, "%s/d%03d.txt", dir, i);
        xl_write_file_atomic(path, texts[i], lens[i], &err);
        snprintf(path, sizeof path, "%s/%03d", dir2, nd - i);    /* other names, other order */
        xl_write_file_atomic(path, texts[i], lens[i], &err);
        fprintf(f, "%s%.*s\n", i ? "\n  \n" : "", (int)lens[i], texts[i]);
    }
    fclose(f);
    /* the same split as `corpus build` of that directory */
    const char *src[1] = {dir};
    xl_corpus_build_opts o = {.root = tmpdir, .name = "rawbuilt", .val_frac = 0.05, .test_frac = 0.05, .threads = 1};
    xl_corpus_stats st;
    /* what each source contributes: the same documents twice (all duplicates) then a
     * byte cap; the shares add up to the corpus */
    char capped[600];
    snprintf(capped, sizeof capped, "%s=5000", dir2);
    const char *src3[3] = {dir, path, capped};
    snprintf(path, sizeof path, "%s/raw2", tmpdir);
    o.name = "persource";
    CHECK(xl_corpus_build(&o, tok, src3, 3, &st, &err) == 0);
    CHECK(st.src_documents[0] == (size_t)nd && st.src_documents[1] == 0 && st.src_documents[2] == 0);
    CHECK(st.src_bytes[0] == st.bytes[0] + st.bytes[1] + st.bytes[2]);
    CHECK(st.src_tokens[0] == st.tokens[0] + st.tokens[1] + st.tokens[2]);
    o.name = "rawbuilt";
    CHECK(xl_corpus_build(&o, tok, src, 1, &st, &err) == 0);
    xl_dataset ds, ds2;
    CHECK(xl_dataset_load(tmpdir, "rawbuilt", 0, 1, &ds2, &err) == 0);
    CHECK_MSG(xl_dataset_load(tmpdir, dir, 0, 1, &ds, &err) == 0, "%s", err.msg);
    CHECK(ds.n_train == st.tokens[0] && ds.n_val == st.tokens[1] && ds.n_train > 0);
    CHECK(strcmp(ds.train_sha256, ds2.train_sha256) == 0);
    CHECK(ds.n_val == ds2.n_val && memcmp(ds.val, ds2.val, ds.n_val * 2) == 0);
    CHECK_NEAR(ds.val_bytes_per_token, ds2.val_bytes_per_token, 1e-12);
    xl_dataset_free(&ds2);
    /* deterministic: file names and listing order do not matter */
    snprintf(path, sizeof path, "%s/raw2", tmpdir);
    CHECK(xl_dataset_load(tmpdir, path, 0, 1, &ds2, &err) == 0);
    CHECK(strcmp(ds.train_sha256, ds2.train_sha256) == 0);
    xl_dataset_free(&ds2);
    /* one file: each blank-line-separated paragraph is a document, so the same split */
    CHECK_MSG(xl_dataset_load(tmpdir, file, 0, 1, &ds2, &err) == 0, "%s", err.msg);
    CHECK(strcmp(ds.train_sha256, ds2.train_sha256) == 0 && ds2.n_val == ds.n_val);
    xl_dataset_free(&ds2);
    /* D cap exact, nested; mixtures with raw parts */
    CHECK(xl_dataset_load(tmpdir, dir, 3000, 5, &ds2, &err) == 0);
    CHECK(ds2.n_train == 3000 && ds2.train[0] != 0xffff);
    xl_dataset_free(&ds2);
    char mix[1200];
    snprintf(mix, sizeof mix, "%s:0.5,alpha:0.5", dir);
    CHECK_MSG(xl_dataset_load(tmpdir, mix, 4001, 5, &ds2, &err) == 0, "%s", err.msg);
    CHECK(ds2.n_train == 4001);
    xl_dataset_free(&ds2);
    CHECK(xl_dataset_load(tmpdir, dir, ds.n_train + 1, 1, &ds2, &err) == XL_EINVAL);
    xl_dataset_free(&ds);
    /* errors: empty directory, binary file, unreadable file, blank file */
    snprintf(path, sizeof path, "%s/empty", tmpdir);
    xl_mkdirs(path, &err);
    CHECK(xl_dataset_load(tmpdir, path, 0, 1, &ds, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "directory holds no files");
    CHECK(strchr(err.msg, '\n') == NULL);
    snprintf(path, sizeof path, "%s/bin.dat", tmpdir);
    xl_write_file_atomic(path, "ab\0cd\n", 6, &err);
    CHECK(xl_dataset_load(tmpdir, path, 0, 1, &ds, &err) == XL_EFORMAT);
    CHECK_STR_CONTAINS(err.msg, "bin.dat");
    CHECK_STR_CONTAINS(err.msg, "binary file");
    snprintf(path, sizeof path, "%s/blank.txt", tmpdir);
    xl_write_file_atomic(path, "\n \n\n", 4, &err);
    CHECK(xl_dataset_load(tmpdir, path, 0, 1, &ds, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "no text");
    snprintf(path, sizeof path, "%s/two.txt", tmpdir);
    xl_write_file_atomic(path, "one paragraph\n\nanother\n", 23, &err);
    CHECK(xl_dataset_load(tmpdir, path, 0, 1, &ds, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "too few documents");
    /* an unreadable file */
    snprintf(path, sizeof path, "%s/noperm.txt", tmpdir);
    xl_write_file_atomic(path, "text\n", 5, &err);
    chmod(path, 0);
    if (access(path, R_OK) != 0) {   /* root reads anything; then this case cannot be made */
        CHECK(xl_dataset_load(tmpdir, path, 0, 1, &ds, &err) == XL_EIO);
        CHECK_STR_CONTAINS(err.msg, "noperm.txt");
    }
    snprintf(path, sizeof path, "%s/missing.txt", tmpdir);
    CHECK(xl_dataset_load(tmpdir, path, 0, 1, &ds, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "unknown corpus");
    free_docs(texts, lens, nd);
    xl_tokenizer_free(tok);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/xl_test_corpus_%d", (int)getpid());
    xl_error err;
    xl_mkdirs(tmpdir, &err);
    test_shipped_tokenizer();
    test_train_tokenizer();
    test_filters();
    test_build_and_datasets();
    test_dataset_pieces();
    test_raw_datasets();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd)) {}
    TEST_MAIN_END();
}
