/* Datasets: a corpus or a mixture of corpora, with the training stream capped at D
 * unique tokens.  The cap keeps pieces of documents (at most 1024 tokens each) in a
 * seeded random order and trims the last one, so for a fixed seed a smaller D is a
 * prefix of a larger one (nested data sizes, as a scaling-law sweep wants). */
#include "corpus_internal.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* In a checkout (data/corpora or data/build_corpora.sh under the working directory) the
 * corpora live there, as data/build_corpora.sh builds them; elsewhere in the user's data
 * directory, where `xferlaw corpus build` puts them. */
static char corpora_root[4200];
static pthread_once_t corpora_once = PTHREAD_ONCE_INIT;

static void find_corpora_root(void)
{
    struct stat st;
    char user[4096];
    if ((stat("data/corpora", &st) == 0 && S_ISDIR(st.st_mode)) ||
        xl_file_exists("data/build_corpora.sh") || xl_user_data_dir(user, sizeof user))
        snprintf(corpora_root, sizeof corpora_root, "data/corpora");
    else
        snprintf(corpora_root, sizeof corpora_root, "%s/corpora", user);
}

const char *xl_corpora_root(void)
{
    const char *r = getenv("XL_CORPORA");
    if (r && r[0])
        return r;
    pthread_once(&corpora_once, find_corpora_root);
    return corpora_root;
}

/* data/tokenizer.txt under the working directory (a checkout), else the shipped one. */
static char tokenizer_path[4200];
static pthread_once_t tokenizer_once = PTHREAD_ONCE_INIT;

static void find_tokenizer(void)
{
    if (xl_file_exists("data/tokenizer.txt"))
        snprintf(tokenizer_path, sizeof tokenizer_path, "data/tokenizer.txt");
    else
        xl_data_file("tokenizer.txt", tokenizer_path, sizeof tokenizer_path);
}

const char *xl_tokenizer_default_path(void)
{
    const char *r = getenv("XL_TOKENIZER");
    if (r && r[0])
        return r;
    pthread_once(&tokenizer_once, find_tokenizer);
    return tokenizer_path;
}

#define MAX_PARTS 8

typedef struct part {
    char name[128];
    char dir[4096];
    double w;
    uint16_t *train, *val;
    size_t n_train, n_val;
    double val_bytes;       /* bytes of text in the whole val split */
    char tok_id[65];
    char train_sha[65];     /* of the whole train split, checked ("" for raw text) */
    int vocab, eot;
} part;

/* Raw text (a file or a directory without manifest.json): built in memory with the
 * shipped tokenizer, split exactly as `xferlaw corpus build` would. */
static int load_raw(part *p, xl_error *err)
{
    xl_tokenizer *tok = NULL;
    int rc = xl_tokenizer_load(xl_tokenizer_default_path(), &tok, err);
    if (rc) return rc;
    xl_corpus_mem mem;
    xl_corpus_stats st;
    rc = xl_corpus_load_raw(p->dir, tok, 0, &mem, &st, err);
    if (!rc && (mem.n[0] == 0 || mem.n[1] == 0))
        rc = xl_error_at(err, XL_EINVAL, p->dir, 0, "data",
                         "too few documents: %zu train, %zu val after the 5%% hash split (want >= 1 each)",
                         st.documents[0], st.documents[1]);
    if (!rc) {
        p->train = mem.ids[0];
        p->n_train = mem.n[0];
        p->val = mem.ids[1];
        p->n_val = mem.n[1];
        free(mem.ids[2]);
        p->val_bytes = (double)st.bytes[1];
        p->vocab = xl_tokenizer_vocab_size(tok);
        p->eot = xl_tokenizer_eot(tok);
        snprintf(p->tok_id, sizeof p->tok_id, "%s", xl_tokenizer_id(tok));
    } else {
        xl_corpus_mem_free(&mem);
    }
    xl_tokenizer_free(tok);
    return rc;
}

/* ", did you mean 'python'?" when a corpus under DIR's parent is one typo from NAME */
static void suggest_corpus(const char *dir, const char *name, char *hint, size_t cap)
{
    hint[0] = '\0';
    char root[4200], m[4400];
    snprintf(root, sizeof root, "%s", dir);
    char *slash = strrchr(root, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(root, sizeof root, ".");
    DIR *d = opendir(root);
    if (!d)
        return;
    char names[64][64];
    const char *cands[64];
    size_t n = 0;
    for (struct dirent *e; n < 64 && (e = readdir(d));) {
        if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof names[0])
            continue;
        snprintf(m, sizeof m, "%s/%s/manifest.json", root, e->d_name);
        if (xl_file_exists(m)) {
            snprintf(names[n], sizeof names[n], "%s", e->d_name);
            cands[n] = names[n];
            n++;
        }
    }
    closedir(d);
    const char *s = xl_closest(name, cands, n);
    if (s)
        snprintf(hint, cap, ", did you mean '%s'?", s);
}

static int load_part(part *p, xl_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", p->dir);
    struct stat st;
    if (!xl_file_exists(path) && stat(p->dir, &st) == 0) return load_raw(p, err);
    if (!xl_file_exists(path) && strchr(p->name, '/') == NULL && stat(p->name, &st) == 0) {
        memcpy(p->dir, p->name, strlen(p->name) + 1);   /* name[128] fits dir[4096] */
        return load_raw(p, err);
    }
    if (!xl_file_exists(path)) {
        char hint[200];
        suggest_corpus(p->dir, p->name, hint, sizeof hint);
        return xl_error_set(err, XL_EINVAL,
                            "field 'data': unknown corpus '%s'%s (no %s; build it with 'xferlaw corpus build')",
                            p->name, hint, path);
    }
    cJSON *m = NULL;
    int rc = xl_json_read_file(path, &m, err);
    if (rc) return rc;
    const char *tid = NULL, *tsha = NULL, *vsha = NULL;
    long vocab = 0, eot = 0;
    double ntr = 0, nva = 0, vbytes = 0;
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(m, "splits");
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(sp, "train");
    const cJSON *va = cJSON_GetObjectItemCaseSensitive(sp, "val");
    if (!tr || !va) rc = xl_error_at(err, XL_EFORMAT, path, 0, "splits", "missing train or val");
    if (!rc) rc = xl_json_get_string(m, "tokenizer_id", &tid, 1, path, err);
    if (!rc) rc = xl_json_get_int(m, "vocab_size", &vocab, 1, path, err);
    if (!rc) rc = xl_json_get_int(m, "eot", &eot, 1, path, err);
    if (!rc) rc = xl_json_get_double(tr, "tokens", &ntr, 1, path, err);
    if (!rc) rc = xl_json_get_string(tr, "sha256", &tsha, 1, path, err);
    if (!rc) rc = xl_json_get_double(va, "tokens", &nva, 1, path, err);
    if (!rc) rc = xl_json_get_double(va, "bytes", &vbytes, 1, path, err);
    if (!rc) rc = xl_json_get_string(va, "sha256", &vsha, 1, path, err);
    if (!rc) {
        snprintf(p->tok_id, sizeof p->tok_id, "%s", tid);
        p->vocab = (int)vocab;
        p->eot = (int)eot;
        p->val_bytes = vbytes;
        rc = xl__corpus_read_split(p->dir, "train", tsha, (size_t)ntr, &p->train, &p->n_train,
                                   err);
    }
    if (!rc) rc = xl__corpus_read_split(p->dir, "val", vsha, (size_t)nva, &p->val, &p->n_val, err);
    if (!rc) snprintf(p->train_sha, sizeof p->train_sha, "%s", tsha);
    if (!rc && (p->n_train == 0 || p->n_val == 0))
        rc = xl_error_at(err, XL_EINVAL, path, 0, "splits", "corpus '%s' has an empty train or val split", p->name);
    cJSON_Delete(m);
    return rc;
}

static int parse_spec(const char *root, const char *spec, part *parts, int *n_parts, xl_error *err)
{
    char buf[1024];
    if (!spec || !spec[0]) return xl_error_set(err, XL_EINVAL, "field 'data': empty spec");
    if (strlen(spec) >= sizeof buf) return xl_error_set(err, XL_EINVAL, "field 'data': spec too long");
    strcpy(buf, spec);
    int n = 0;
    double sum = 0;
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        if (n == MAX_PARTS) return xl_error_set(err, XL_EINVAL, "field 'data': more than %d corpora", MAX_PARTS);
        part *p = &parts[n];
        memset(p, 0, sizeof *p);
        char *colon = strrchr(item, ':');
        p->w = 1;
        if (colon) {
            *colon = 0;
            if (xl_parse_double(colon + 1, &p->w) || !isfinite(p->w) || p->w <= 0)
                return xl_error_set(err, XL_EINVAL,
                                    "field 'data': bad mixture weight '%s' for '%s' (want a number > 0)",
                                    colon + 1, item);
        } else if (strchr(spec, ',')) {
            return xl_error_set(err, XL_EINVAL, "field 'data': mixture part '%s' lacks ':WEIGHT'", item);
        }
        if (!item[0]) return xl_error_set(err, XL_EINVAL, "field 'data': empty corpus name in '%s'", spec);
        for (int k = 0; k < n; k++)
            if (strcmp(parts[k].name, item) == 0)
                return xl_error_set(err, XL_EINVAL, "field 'data': corpus '%s' appears twice", item);
        snprintf(p->name, sizeof p->name, "%s", item);
        if (strchr(item, '/')) snprintf(p->dir, sizeof p->dir, "%s", item);
        else snprintf(p->dir, sizeof p->dir, "%s/%s", root, item);
        sum += p->w;
        n++;
    }
    if (n == 0) return xl_error_set(err, XL_EINVAL, "field 'data': empty spec");
    for (int k = 0; k < n; k++) parts[k].w /= sum; /* weights are relative */
    *n_parts = n;
    return XL_OK;
}

/* Pieces are at most XL_DATA_PIECE tokens of one document; a document longer than that is
 * cut into pieces, each but its last closed by an EOT.  Shuffling pieces rather than whole
 * documents keeps every D a sample of the whole corpus: with whole documents one long file
 * (python's pickletools.py is 40.6k tokens of opcode tables) filled D = 59k-99k by itself,
 * and every from-scratch and fine-tuned loss in that range moved with it. */
#define XL_DATA_PIECE 1024

typedef struct { size_t a, b; int close; } piece;

/* Cuts p's train split into pieces; writes them to pc unless NULL; returns their number
 * (one walk serves to count and to fill, so the two cannot disagree). */
static size_t cut_pieces(const part *p, int eot, piece *pc)
{
    const size_t step = XL_DATA_PIECE - 1; /* the closing EOT fills a piece to XL_DATA_PIECE */
    size_t k = 0;
    for (size_t a = 0, i = 0; i < p->n_train; i++)
        if (p->train[i] == eot || i + 1 == p->n_train) {
            for (; i + 1 - a > XL_DATA_PIECE; a += step, k++)
                if (pc) pc[k] = (piece){a, a + step, 1};
            if (pc) pc[k] = (piece){a, i + 1, 0};
            k++;
            a = i + 1;
        }
    return k;
}

/* Append exactly want tokens of p's train split, as pieces in a seeded order. */
static int take_train(const part *p, size_t want, uint64_t seed, int eot, uint16_t *dst)
{
    if (want == p->n_train) { memcpy(dst, p->train, want * sizeof *dst); return 0; }
    size_t np = cut_pieces(p, eot, NULL);
    piece *pc = malloc((np + 1) * sizeof *pc);
    if (!pc) return -1;
    cut_pieces(p, eot, pc);
    xl_rng r;
    xl_rng_seed_stream(&r, seed, xl_hash64(p->name, strlen(p->name)));
    for (size_t i = np; i > 1; i--) {
        size_t j = (size_t)xl_rng_below(&r, i);
        piece t = pc[i - 1]; pc[i - 1] = pc[j]; pc[j] = t;
    }
    size_t w = 0;
    for (size_t i = 0; i < np && w < want; i++) {
        size_t len = pc[i].b - pc[i].a, take = len < want - w ? len : want - w;
        memcpy(dst + w, p->train + pc[i].a, take * sizeof *dst);
        w += take;
        if (pc[i].close && w < want) dst[w++] = (uint16_t)eot;
    }
    free(pc);
    return 0;
}

/* The sha256 of the training tokens as a token file holds them (little-endian). */
static int train_sha256(xl_dataset *ds, xl_error *err)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    uint8_t *le = malloc(ds->n_train * 2 + 1);
    if (!le)
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    for (size_t i = 0; i < ds->n_train; i++) {
        le[2 * i] = (uint8_t)(ds->train[i] & 0xff);
        le[2 * i + 1] = (uint8_t)(ds->train[i] >> 8);
    }
    xl_sha256_hex(le, ds->n_train * 2, ds->train_sha256);
    free(le);
#else
    (void)err;
    xl_sha256_hex(ds->train, ds->n_train * sizeof *ds->train, ds->train_sha256);
#endif
    return XL_OK;
}

int xl_dataset_load(const char *root, const char *spec, uint64_t d_cap, uint64_t seed,
                    xl_dataset *ds, xl_error *err)
{
    memset(ds, 0, sizeof *ds);
    part parts[MAX_PARTS];
    int n = 0;
    if (!root) root = xl_corpora_root();
    int rc = parse_spec(root, spec, parts, &n, err);
    if (rc) return rc;
    for (int k = 0; k < n; k++) parts[k].train = parts[k].val = NULL;
    for (int k = 0; k < n && !rc; k++) {
        rc = load_part(&parts[k], err);
        if (!rc && k > 0 && (strcmp(parts[k].tok_id, parts[0].tok_id) != 0 || parts[k].vocab != parts[0].vocab))
            rc = xl_error_set(err, XL_EINVAL,
                              "field 'data': corpora '%s' and '%s' use different tokenizers",
                              parts[0].name, parts[k].name);
    }
    /* tokens from each part: by weight, never more than a part holds */
    size_t want[MAX_PARTS], vwant[MAX_PARTS];
    double T = INFINITY, TV = INFINITY;
    for (int k = 0; k < n && !rc; k++) {
        T = fmin(T, parts[k].n_train / parts[k].w);
        TV = fmin(TV, parts[k].n_val / parts[k].w);
    }
    if (!rc && d_cap) {
        if ((double)d_cap > floor(T + 1e-9)) {
            if (n == 1)
                rc = xl_error_set(err, XL_EINVAL,
                                  "field 'data-size': D = %llu is larger than corpus '%s' (%zu train tokens)",
                                  (unsigned long long)d_cap, parts[0].name, parts[0].n_train);
            else
                rc = xl_error_set(err, XL_EINVAL,
                                  "field 'data-size': D = %llu is larger than mixture '%s' allows (at most %.0f train tokens at these weights)",
                                  (unsigned long long)d_cap, spec, floor(T));
        }
        T = (double)d_cap;
    }
    size_t total = 0, vtotal = 0;
    for (int k = 0; k < n && !rc; k++) {
        want[k] = n == 1 ? (d_cap ? d_cap : parts[k].n_train) : (size_t)floor(parts[k].w * T + 1e-9);
        vwant[k] = n == 1 ? parts[k].n_val : (size_t)floor(parts[k].w * TV + 1e-9);
        if (want[k] > parts[k].n_train) want[k] = parts[k].n_train;
        total += want[k];
        vtotal += vwant[k];
    }
    if (!rc && d_cap && total < d_cap) { /* rounding: give the remainder to the first part with room */
        for (int k = 0; k < n && total < d_cap; k++) {
            size_t room = parts[k].n_train - want[k], add = d_cap - total < room ? d_cap - total : room;
            want[k] += add;
            total += add;
        }
    }
    /* all of one corpus: the splits as loaded, not copies of them */
    int whole = !rc && n == 1 && want[0] == parts[0].n_train;
    double vbytes = 0;
    if (whole) {
        ds->train = parts[0].train;
        ds->n_train = parts[0].n_train;
        ds->val = parts[0].val;
        ds->n_val = parts[0].n_val;
        vbytes = parts[0].val_bytes;
        parts[0].train = parts[0].val = NULL;
    } else if (!rc) {
        ds->train = malloc((total + 1) * sizeof *ds->train);
        ds->val = malloc((vtotal + 1) * sizeof *ds->val);
        if (!ds->train || !ds->val) rc = xl_error_set(err, XL_ENOMEM, "out of memory");
    }
    for (int k = 0; k < n && !rc && !whole; k++) {
        if (take_train(&parts[k], want[k], seed, parts[k].eot, ds->train + ds->n_train))
            rc = xl_error_set(err, XL_ENOMEM, "out of memory");
        ds->n_train += want[k];
        memcpy(ds->val + ds->n_val, parts[k].val, vwant[k] * sizeof *ds->val);
        ds->n_val += vwant[k];
        vbytes += parts[k].val_bytes * ((double)vwant[k] / (double)parts[k].n_val);
    }
    if (!rc) {
        snprintf(ds->spec, sizeof ds->spec, "%s", spec);
        ds->vocab_size = parts[0].vocab;
        ds->eot = parts[0].eot;
        snprintf(ds->tokenizer_id, sizeof ds->tokenizer_id, "%s", parts[0].tok_id);
        ds->val_bytes_per_token = vbytes / (double)ds->n_val;
        /* the whole train split of one built corpus: its checked sha256, not a second hash */
        if (whole && parts[0].train_sha[0])
            snprintf(ds->train_sha256, sizeof ds->train_sha256, "%s", parts[0].train_sha);
        else
            rc = train_sha256(ds, err);
    }
    for (int k = 0; k < n; k++) { free(parts[k].train); free(parts[k].val); }
    if (rc) xl_dataset_free(ds);
    return rc;
}

void xl_dataset_free(xl_dataset *ds)
{
    if (!ds) return;
    free(ds->train);
    free(ds->val);
    ds->train = ds->val = NULL;
    ds->n_train = ds->n_val = 0;
}
