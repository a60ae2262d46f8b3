/* `xferlaw corpus build`: documents -> ROOT/NAME/{train,val,test}.bin + manifest.json.
 *
 * Every decision depends only on document content: duplicates are dropped, documents are
 * ordered by a 64-bit hash of their bytes, the byte cap takes them in that order, and the
 * split is the hash modulo 1000.  Listing order, file names and mtimes never matter. */
#include "corpus_internal.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct doc {
    char *text;
    size_t n;
    uint64_t h;
    int split, src;
    uint16_t *ids;
    size_t n_ids;
} doc;

typedef struct strvec {
    char **v;
    int *src;        /* which source each path came from */
    size_t n, cap;
    int cur;
} strvec;

static int sv_push(strvec *s, const char *str)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        char **nv = realloc(s->v, nc * sizeof *nv);
        if (!nv) return -1;
        s->v = nv;
        int *ns = realloc(s->src, nc * sizeof *ns);
        if (!ns) return -1;
        s->src = ns;
        s->cap = nc;
    }
    if (!(s->v[s->n] = strdup(str))) return -1;
    s->src[s->n] = s->cur;
    s->n++;
    return 0;
}

static void sv_free(strvec *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    free(s->src);
}

static int list_dir(const char *dir, strvec *out, xl_error *err)
{
    DIR *d = opendir(dir);
    if (!d) return xl_error_at(err, XL_EIO, dir, 0, NULL, "cannot open directory");
    struct dirent *de;
    int rc = 0;
    while (!rc && (de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(path, &st)) continue;
        if (S_ISDIR(st.st_mode)) rc = list_dir(path, out, err);
        else if (S_ISREG(st.st_mode) && sv_push(out, path))
            rc = xl_error_set(err, XL_ENOMEM, "out of memory");
    }
    closedir(d);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A source is a directory (every regular file below it) or "@LIST" (one path a line),
 * optionally followed by "=MAXBYTES", a cap on the bytes taken from that source. */
static int expand_sources(const char *const *sources, int n, strvec *out, uint64_t *caps,
                          xl_error *err)
{
    for (int i = 0; i < n; i++) {
        char s[4096];
        snprintf(s, sizeof s, "%s", sources[i]);
        char *eq = strrchr(s, '=');
        caps[i] = 0;
        if (eq) {
            long v;
            if (xl_parse_long(eq + 1, &v) || v <= 0)
                return xl_error_set(err, XL_EINVAL, "source '%s': bad byte cap after '='", sources[i]);
            caps[i] = (uint64_t)v;
            *eq = 0;
        }
        size_t first = out->n;
        out->cur = i;
        if (s[0] == '@') {
            char *data;
            size_t len;
            int rc = xl_read_file(s + 1, &data, &len, err);
            if (rc) return rc;
            char *save = NULL;
            for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (line[0] && sv_push(out, line)) {
                    free(data);
                    return xl_error_set(err, XL_ENOMEM, "out of memory");
                }
            free(data);
        } else {
            struct stat st;
            if (stat(s, &st)) return xl_error_at(err, XL_EIO, s, 0, NULL, "no such file or directory");
            int rc = S_ISDIR(st.st_mode) ? list_dir(s, out, err)
                   : (sv_push(out, s) ? xl_error_set(err, XL_ENOMEM, "out of memory") : 0);
            if (rc) return rc;
        }
        qsort(out->v + first, out->n - first, sizeof *out->v, cmp_str);
    }
    return XL_OK;
}

static int cmp_doc(const void *a, const void *b)
{
    const doc *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    size_t m = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->text, y->text, m);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

typedef struct enc_ctx {
    const xl_tokenizer *tok;
    doc *docs;
    int failed;
} enc_ctx;

static void enc_one(void *vctx, size_t i, int worker)
{
    (void)worker;
    enc_ctx *c = vctx;
    xl_error e;
    if (xl_tokenizer_encode(c->tok, c->docs[i].text, c->docs[i].n, &c->docs[i].ids,
                            &c->docs[i].n_ids, &e))
        c->failed = 1;
}

static const char *split_names[3] = {"train", "val", "test"};

/* With mem set, the splits are returned in memory (host byte order) and nothing is written. */
static int build_docs(const xl_corpus_build_opts *o, const xl_tokenizer *tok, char **texts,
                      const size_t *lens, const int *src, const uint64_t *caps, int n_src,
                      size_t n_docs, xl_corpus_stats *stats, xl_corpus_mem *mem, xl_error *err)
{
    uint64_t src_bytes[XL_CORPUS_MAX_SOURCES] = {0};
    int rc = XL_OK;
    doc *docs = calloc(n_docs + 1, sizeof *docs);
    if (!docs) return xl_error_set(err, XL_ENOMEM, "out of memory");
    memset(stats, 0, sizeof *stats);
    size_t nd = 0;
    for (size_t i = 0; i < n_docs; i++) {
        if (lens[i] == 0 || memchr(texts[i], 0, lens[i]) || (o->max_doc_bytes && lens[i] > o->max_doc_bytes)) {
            stats->rejected_other++;
            continue;
        }
        if (o->reject_python && xl_corpus_looks_like_python(texts[i], lens[i])) {
            stats->rejected_python++;
            continue;
        }
        docs[nd++] = (doc){texts[i], lens[i], xl_hash64(texts[i], lens[i]), 0, src ? src[i] : 0, NULL, 0};
    }
    qsort(docs, nd, sizeof *docs, cmp_doc);
    /* drop duplicates, apply the byte cap in hash order */
    size_t kept = 0;
    uint64_t bytes = 0;
    for (size_t i = 0; i < nd; i++) {
        if (kept && docs[kept - 1].n == docs[i].n && docs[kept - 1].h == docs[i].h &&
            memcmp(docs[kept - 1].text, docs[i].text, docs[i].n) == 0) {
            stats->duplicates++;
            continue;
        }
        int sc = docs[i].src;
        if ((o->max_bytes && bytes + docs[i].n > o->max_bytes) ||
            (caps && sc < n_src && caps[sc] && src_bytes[sc] + docs[i].n > caps[sc])) {
            stats->over_cap++;
            continue;
        }
        bytes += docs[i].n;
        src_bytes[sc] += docs[i].n;
        docs[kept] = docs[i];
        unsigned m = (unsigned)(docs[kept].h % 1000);
        docs[kept].split = m < (unsigned)(o->val_frac * 1000) ? 1
                         : m < (unsigned)((o->val_frac + o->test_frac) * 1000) ? 2 : 0;
        kept++;
    }
    if (kept == 0) { free(docs); return xl_error_set(err, XL_EINVAL, "corpus '%s': no documents left", o->name); }
    enc_ctx ec = {tok, docs, 0};
    rc = xl_parallel_for(kept, o->threads, enc_one, &ec, err);
    if (!rc && ec.failed) rc = xl_error_set(err, XL_ENOMEM, "out of memory tokenizing");
    for (size_t i = 0; !rc && i < kept; i++) {
        int sc = docs[i].src;
        if (sc < 0 || sc >= XL_CORPUS_MAX_SOURCES) continue;
        stats->src_documents[sc]++;
        stats->src_bytes[sc] += docs[i].n;
        stats->src_tokens[sc] += docs[i].n_ids + 1;
    }
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/%s", o->root, o->name);
    if (!rc && !mem) rc = xl_mkdirs(dir, err);
    cJSON *man = cJSON_CreateObject(), *splits = cJSON_CreateObject();
    cJSON_AddStringToObject(man, "name", o->name);
    cJSON_AddStringToObject(man, "format", "uint16 little-endian token ids; EOT after each document");
    cJSON_AddStringToObject(man, "tokenizer_id", xl_tokenizer_id(tok));
    cJSON_AddNumberToObject(man, "vocab_size", xl_tokenizer_vocab_size(tok));
    cJSON_AddNumberToObject(man, "eot", xl_tokenizer_eot(tok));
    cJSON_AddStringToObject(man, "split_rule", "fnv1a64(document) % 1000: < val*1000 val, < (val+test)*1000 test, else train");
    cJSON_AddNumberToObject(man, "val_frac", o->val_frac);
    cJSON_AddNumberToObject(man, "test_frac", o->test_frac);
    cJSON_AddNumberToObject(man, "max_bytes", (double)o->max_bytes);
    cJSON_AddStringToObject(man, "source_key", o->source_key ? o->source_key : "");
    cJSON_AddItemToObject(man, "splits", splits);
    uint16_t eot = (uint16_t)xl_tokenizer_eot(tok);
    for (int s = 0; s < 3 && !rc; s++) {
        size_t ntok = 0, nb = 0, ndoc = 0;
        for (size_t i = 0; i < kept; i++)
            if (docs[i].split == s) { ntok += docs[i].n_ids + 1; nb += docs[i].n; ndoc++; }
        uint16_t *buf = malloc((ntok + 1) * sizeof *buf);
        if (!buf) { rc = xl_error_set(err, XL_ENOMEM, "out of memory"); break; }
        size_t w = 0;
        for (size_t i = 0; i < kept; i++)
            if (docs[i].split == s) {
                for (size_t k = 0; k < docs[i].n_ids; k++) buf[w++] = docs[i].ids[k];
                buf[w++] = eot;
            }
        stats->documents[s] = ndoc;
        stats->bytes[s] = nb;
        stats->tokens[s] = ntok;
        if (mem) {
            mem->ids[s] = buf;
            mem->n[s] = w;
            continue;
        }
        /* token files are little-endian; convert on big-endian hosts */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        for (size_t k = 0; k < w; k++) buf[k] = (uint16_t)((buf[k] >> 8) | (buf[k] << 8));
#endif
        char hex[65];
        xl_sha256_hex(buf, w * sizeof *buf, hex);
        snprintf(path, sizeof path, "%s/%s.bin", dir, split_names[s]);
        rc = xl_write_file_atomic(path, buf, w * sizeof *buf, err);
        free(buf);
        cJSON *js = cJSON_CreateObject();
        cJSON_AddNumberToObject(js, "documents", (double)ndoc);
        cJSON_AddNumberToObject(js, "bytes", (double)nb);
        cJSON_AddNumberToObject(js, "tokens", (double)ntok);
        cJSON_AddStringToObject(js, "sha256", hex);
        cJSON_AddItemToObject(splits, split_names[s], js);
    }
    if (!rc && !mem) {
        snprintf(path, sizeof path, "%s/manifest.json", dir);
        rc = xl_json_write_file(path, man, err);
    }
    cJSON_Delete(man);
    for (size_t i = 0; i < kept; i++) free(docs[i].ids);
    free(docs);
    return rc;
}

int xl_corpus_build_docs(const xl_corpus_build_opts *o, const xl_tokenizer *tok,
                         char **texts, const size_t *lens, size_t n_docs,
                         xl_corpus_stats *stats, xl_error *err)
{
    return build_docs(o, tok, texts, lens, NULL, NULL, 0, n_docs, stats, NULL, err);
}

int xl_corpus_build(const xl_corpus_build_opts *o, const xl_tokenizer *tok,
                    const char *const *sources, int n_sources, xl_corpus_stats *stats,
                    xl_error *err)
{
    strvec paths = {0};
    uint64_t caps[XL_CORPUS_MAX_SOURCES];
    if (n_sources > XL_CORPUS_MAX_SOURCES)
        return xl_error_set(err, XL_EINVAL, "at most %d sources", XL_CORPUS_MAX_SOURCES);
    int rc = expand_sources(sources, n_sources, &paths, caps, err);
    char **texts = calloc(paths.n + 1, sizeof *texts);
    size_t *lens = calloc(paths.n + 1, sizeof *lens);
    if (!rc && (!texts || !lens)) rc = xl_error_set(err, XL_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < paths.n; i++) {
        rc = xl_read_file(paths.v[i], &texts[i], &lens[i], err);
        if (!rc && o->strip_rst && (ends_with(paths.v[i], ".rst") || ends_with(paths.v[i], ".rst.txt")))
            lens[i] = xl_corpus_strip_rst(texts[i], lens[i]);
    }
    if (!rc) rc = build_docs(o, tok, texts, lens, paths.src, caps, n_sources, paths.n, stats, NULL, err);
    for (size_t i = 0; i < paths.n; i++) free(texts ? texts[i] : NULL);
    free(texts);
    free(lens);
    sv_free(&paths);
    return rc;
}

/* Split one file's text into paragraphs: runs of lines separated by one or more blank
 * (whitespace-only) lines.  Pointers go into text; a paragraph keeps its inner newlines
 * but not the newline ending its last line, so a file written as documents joined by
 * "\n\n" gives back exactly those documents (if none holds a blank line). */
static int split_paragraphs(char *text, size_t n, char ***docs, size_t **lens,
                            size_t *n_docs)
{
    size_t cap = 64, nd = 0;
    char **d = malloc(cap * sizeof *d);
    size_t *l = malloc(cap * sizeof *l);
    if (!d || !l) { free(d); free(l); return -1; }
    size_t i = 0, start = SIZE_MAX, end = 0;
    while (i <= n) {
        size_t e = i;
        while (e < n && text[e] != '\n') e++;
        int blank = 1;
        for (size_t k = i; k < e && blank; k++)
            blank = text[k] == ' ' || text[k] == '\t' || text[k] == '\r' || text[k] == '\f' || text[k] == '\v';
        if (!blank && start == SIZE_MAX) start = i;
        if (!blank) end = e;
        if ((blank || e >= n) && start != SIZE_MAX) {
            if (nd == cap) {
                cap *= 2;
                char **nd2 = realloc(d, cap * sizeof *d);
                size_t *nl = nd2 ? realloc(l, cap * sizeof *l) : NULL;
                if (nd2) d = nd2;
                if (nl) l = nl;
                if (!nd2 || !nl) { free(d); free(l); return -1; }
            }
            d[nd] = text + start;
            l[nd++] = end - start;
            start = SIZE_MAX;
        }
        i = e + 1;
    }
    *docs = d;
    *lens = l;
    *n_docs = nd;
    return 0;
}

int xl_corpus_load_raw(const char *path, const xl_tokenizer *tok, int threads,
                       xl_corpus_mem *mem, xl_corpus_stats *stats, xl_error *err)
{
    memset(mem, 0, sizeof *mem);
    struct stat st;
    if (stat(path, &st)) return xl_error_at(err, XL_EIO, path, 0, "data", "no such file or directory");
    strvec files = {0};
    int rc = XL_OK, single = !S_ISDIR(st.st_mode);
    if (single) {
        if (sv_push(&files, path)) rc = xl_error_set(err, XL_ENOMEM, "out of memory");
    } else {
        rc = list_dir(path, &files, err);
        if (!rc && files.n == 0)
            rc = xl_error_at(err, XL_EINVAL, path, 0, "data", "directory holds no files");
        if (!rc) qsort(files.v, files.n, sizeof *files.v, cmp_str);
    }
    char **texts = calloc(files.n + 1, sizeof *texts), **docs = NULL;
    size_t *lens = calloc(files.n + 1, sizeof *lens), *dlens = NULL, nd = 0;
    if (!rc && (!texts || !lens)) rc = xl_error_set(err, XL_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < files.n; i++) {
        rc = xl_read_file(files.v[i], &texts[i], &lens[i], err);
        if (!rc && memchr(texts[i], 0, lens[i]))
            rc = xl_error_at(err, XL_EFORMAT, files.v[i], 0, "data",
                             "binary file (contains NUL bytes); want UTF-8 or ASCII text");
    }
    if (!rc && single) {
        if (split_paragraphs(texts[0], lens[0], &docs, &dlens, &nd))
            rc = xl_error_set(err, XL_ENOMEM, "out of memory");
    } else if (!rc) {
        docs = texts;
        dlens = lens;
        nd = files.n;
    }
    if (!rc && nd == 0) rc = xl_error_at(err, XL_EINVAL, path, 0, "data", "no text (only blank lines)");
    xl_corpus_build_opts o = {.root = "", .name = path, .val_frac = 0.05, .test_frac = 0.05,
                              .threads = threads};
    if (!rc) rc = build_docs(&o, tok, docs, dlens, NULL, NULL, 0, nd, stats, mem, err);
    if (rc) xl_corpus_mem_free(mem);
    if (single) { free(docs); free(dlens); }
    for (size_t i = 0; i < files.n; i++) free(texts ? texts[i] : NULL);
    free(texts);
    free(lens);
    sv_free(&files);
    return rc;
}

void xl_corpus_mem_free(xl_corpus_mem *mem)
{
    for (int s = 0; s < 3; s++) {
        free(mem->ids[s]);
        mem->ids[s] = NULL;
        mem->n[s] = 0;
    }
}

/* The same documents, read and filtered exactly as `build` does, for training the
 * tokenizer: the first max_bytes of them in hash order, concatenated into one buffer. */
int xl_corpus_sample(const char *const *sources, int n_sources, int strip_rst, int reject_python,
                     size_t max_bytes, char **out, size_t *n_out, xl_error *err)
{
    strvec paths = {0};
    uint64_t caps[XL_CORPUS_MAX_SOURCES];
    if (n_sources > XL_CORPUS_MAX_SOURCES)
        return xl_error_set(err, XL_EINVAL, "at most %d sources", XL_CORPUS_MAX_SOURCES);
    int rc = expand_sources(sources, n_sources, &paths, caps, err);
    doc *docs = calloc(paths.n + 1, sizeof *docs);
    if (!rc && !docs) rc = xl_error_set(err, XL_ENOMEM, "out of memory");
    size_t nd = 0;
    for (size_t i = 0; !rc && i < paths.n; i++) {
        rc = xl_read_file(paths.v[i], &docs[nd].text, &docs[nd].n, err);
        if (rc) break;
        if (strip_rst && (ends_with(paths.v[i], ".rst") || ends_with(paths.v[i], ".rst.txt")))
            docs[nd].n = xl_corpus_strip_rst(docs[nd].text, docs[nd].n);
        if (!docs[nd].n || memchr(docs[nd].text, 0, docs[nd].n) ||
            (reject_python && xl_corpus_looks_like_python(docs[nd].text, docs[nd].n))) {
            free(docs[nd].text);
            continue;
        }
        docs[nd].h = xl_hash64(docs[nd].text, docs[nd].n);
        nd++;
    }
    qsort(docs, nd, sizeof *docs, cmp_doc);
    char *buf = rc ? NULL : malloc(max_bytes + 1);
    if (!rc && !buf) rc = xl_error_set(err, XL_ENOMEM, "out of memory");
    size_t w = 0;
    for (size_t i = 0; !rc && i < nd && w < max_bytes; i++) {
        size_t take = docs[i].n < max_bytes - w ? docs[i].n : max_bytes - w;
        memcpy(buf + w, docs[i].text, take);
        w += take;
    }
    for (size_t i = 0; i < nd; i++) free(docs[i].text);
    free(docs);
    sv_free(&paths);
    if (rc) { free(buf); return rc; }
    buf[w] = 0;
    *out = buf;
    *n_out = w;
    return XL_OK;
}
