/* Checkpoints: a 256-byte little-endian header, parameters, optional AdamW moments,
 * caller data, and a trailing FNV-1a hash so truncation and corruption are caught. */
#include "nn_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CKPT_MAGIC "XLNNCKPT"
#define CKPT_VERSION 1u
#define CKPT_HEADER 256

/* byte offsets inside the header */
enum {
    H_MAGIC = 0, H_VERSION = 8, H_FLAGS = 12, H_CFG = 16, H_STEP = 40, H_TOKID = 48,
    H_NFLOATS = 113, H_EXTRA = 121
};

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}
static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* incremental FNV-1a 64 */
static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}
#define FNV_INIT 14695981039346656037ULL

static int write_hashed(FILE *fp, const void *data, size_t n, uint64_t *h)
{
    *h = fnv(*h, data, n);
    return fwrite(data, 1, n, fp) == n ? 0 : -1;
}

int xl_nn_checkpoint_save(const xl_nn_model *m, const char *path, const char *tokenizer_id,
                          long step, int with_optimizer, const void *extra, size_t n_extra,
                          xl_error *err)
{
    unsigned char h[CKPT_HEADER] = {0};
    memcpy(h + H_MAGIC, CKPT_MAGIC, 8);
    put_u32(h + H_VERSION, CKPT_VERSION);
    put_u32(h + H_FLAGS, with_optimizer ? 1u : 0u);
    int cfg[5] = {m->cfg.vocab_size, m->cfg.ctx, m->cfg.n_layer, m->cfg.n_head,
                  m->cfg.d_model};
    for (int i = 0; i < 5; i++)
        put_u32(h + H_CFG + 4 * i, (uint32_t)cfg[i]);
    put_u64(h + H_STEP, (uint64_t)(int64_t)step);
    if (tokenizer_id)
        snprintf((char *)h + H_TOKID, 65, "%s", tokenizer_id);
    put_u64(h + H_NFLOATS, m->n_floats);
    put_u64(h + H_EXTRA, extra ? n_extra : 0);
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    uint64_t hash = FNV_INIT;
    size_t nb = m->n_floats * sizeof(float);
    /* floats are written in host order: the build targets little-endian machines */
    int bad = write_hashed(af.fp, h, sizeof h, &hash) ||
              write_hashed(af.fp, m->params, nb, &hash) ||
              (with_optimizer && (write_hashed(af.fp, m->m, nb, &hash) ||
                                  write_hashed(af.fp, m->v, nb, &hash))) ||
              (extra && n_extra && write_hashed(af.fp, extra, n_extra, &hash));
    unsigned char tail[8];
    put_u64(tail, hash);
    if (bad || fwrite(tail, 1, 8, af.fp) != 8) {
        xl_afile_abort(&af);
        return xl_error_set(err, XL_EIO, "%s: write failed: %s", path, strerror(errno));
    }
    return xl_afile_commit(&af, err);
}

static int parse_header(const char *path, const unsigned char *h, uint64_t file_size,
                        xl_nn_checkpoint_header *out, xl_error *err)
{
    if (memcmp(h + H_MAGIC, CKPT_MAGIC, 8) != 0)
        return xl_error_set(err, XL_EFORMAT, "%s: not an xferlaw checkpoint (bad magic)",
                            path);
    uint32_t version = get_u32(h + H_VERSION);
    if (version != CKPT_VERSION)
        return xl_error_set(err, XL_EFORMAT,
                            "%s: field 'version': checkpoint version %u, this build reads %u",
                            path, version, CKPT_VERSION);
    memset(out, 0, sizeof *out);
    out->version = version;
    out->has_optimizer = (int)(get_u32(h + H_FLAGS) & 1u);
    out->cfg.vocab_size = (int)get_u32(h + H_CFG);
    out->cfg.ctx = (int)get_u32(h + H_CFG + 4);
    out->cfg.n_layer = (int)get_u32(h + H_CFG + 8);
    out->cfg.n_head = (int)get_u32(h + H_CFG + 12);
    out->cfg.d_model = (int)get_u32(h + H_CFG + 16);
    out->step = (long)(int64_t)get_u64(h + H_STEP);
    memcpy(out->tokenizer_id, h + H_TOKID, 64);
    out->tokenizer_id[64] = '\0';
    out->n_floats = get_u64(h + H_NFLOATS);
    out->extra_bytes = get_u64(h + H_EXTRA);
    xl_error e2;
    if (xl_nn_config_check(&out->cfg, &e2))
        return xl_error_set(err, XL_EFORMAT, "%s: corrupted header: %s", path, e2.msg);
    if (out->n_floats != xl_nn_n_params_total(&out->cfg))
        return xl_error_set(err, XL_EFORMAT,
                            "%s: corrupted header: field 'n_floats' does not match the config",
                            path);
    /* a (sparse) file may be as large as its header says: refuse what cannot be loaded
       before anything reads or hashes it */
    uint64_t need = out->n_floats * 4 * (out->has_optimizer ? 3 : 1), lim = xl_mem_limit();
    if (need > lim)
        return xl_error_set(err, XL_EFORMAT,
                            "%s: header declares %llu parameters (%.3g GB to load), above the "
                            "memory limit of %.3g GB (XL_MEM_LIMIT)",
                            path, (unsigned long long)out->n_floats, (double)need / 1e9,
                            (double)lim / 1e9);
    uint64_t want = CKPT_HEADER + out->n_floats * 4 * (out->has_optimizer ? 3 : 1) +
                    out->extra_bytes + 8;
    if (out->extra_bytes > file_size || file_size != want)
        return xl_error_set(err, XL_EFORMAT,
                            "%s: truncated or padded checkpoint: %llu bytes, header implies %llu",
                            path, (unsigned long long)file_size, (unsigned long long)want);
    return XL_OK;
}

static int open_checked(const char *path, FILE **fp, unsigned char *h,
                        xl_nn_checkpoint_header *hdr, xl_error *err)
{
    *fp = fopen(path, "rb");
    if (!*fp)
        return xl_error_set(err, XL_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(*fp), &st) != 0 || fread(h, 1, CKPT_HEADER, *fp) != CKPT_HEADER) {
        fclose(*fp);
        *fp = NULL;
        return xl_error_set(err, XL_EFORMAT,
                            "%s: not an xferlaw checkpoint (shorter than its header)", path);
    }
    int rc = parse_header(path, h, (uint64_t)st.st_size, hdr, err);
    if (rc) {
        fclose(*fp);
        *fp = NULL;
    }
    return rc;
}

int xl_nn_checkpoint_read_header(const char *path, xl_nn_checkpoint_header *hdr,
                                 xl_error *err)
{
    FILE *fp;
    unsigned char h[CKPT_HEADER];
    int rc = open_checked(path, &fp, h, hdr, err);
    if (fp)
        fclose(fp);
    return rc;
}

static int read_hashed(FILE *fp, void *dst, size_t n, uint64_t *hash)
{
    if (fread(dst, 1, n, fp) != n)
        return -1;
    *hash = fnv(*hash, dst, n);
    return 0;
}

int xl_nn_checkpoint_load(xl_nn_model *m, const char *path, const char *tokenizer_id,
                          int load_optimizer, xl_nn_checkpoint_header *hdr_out, char **extra,
                          size_t *n_extra, xl_error *err)
{
    if (extra)
        *extra = NULL;
    if (n_extra)
        *n_extra = 0;
    FILE *fp;
    unsigned char h[CKPT_HEADER];
    xl_nn_checkpoint_header hdr;
    int rc = open_checked(path, &fp, h, &hdr, err);
    if (rc)
        return rc;
    const char *names[5] = {"vocab_size", "ctx", "n_layer", "n_head", "d_model"};
    int have[5] = {hdr.cfg.vocab_size, hdr.cfg.ctx, hdr.cfg.n_layer, hdr.cfg.n_head,
                   hdr.cfg.d_model};
    int want[5] = {m->cfg.vocab_size, m->cfg.ctx, m->cfg.n_layer, m->cfg.n_head,
                   m->cfg.d_model};
    for (int i = 0; i < 5; i++)
        if (have[i] != want[i]) {
            fclose(fp);
            return xl_error_set(err, XL_EFORMAT,
                                "%s: field '%s': checkpoint has %d, the model has %d", path,
                                names[i], have[i], want[i]);
        }
    if (tokenizer_id && strcmp(tokenizer_id, hdr.tokenizer_id) != 0) {
        fclose(fp);
        return xl_error_set(err, XL_EFORMAT,
                            "%s: field 'tokenizer_id': checkpoint has '%.12s...', expected '%.12s...'",
                            path, hdr.tokenizer_id, tokenizer_id);
    }
    if (load_optimizer && !hdr.has_optimizer) {
        fclose(fp);
        return xl_error_set(err, XL_EFORMAT,
                            "%s: field 'flags': checkpoint has no optimizer state to resume from",
                            path);
    }
    size_t nb = m->n_floats * sizeof(float);
    /* read into the gradient buffer first so a corrupted file leaves the model intact */
    float *tmp = malloc(nb * (hdr.has_optimizer ? 3 : 1));
    char *ex = malloc(hdr.extra_bytes + 1);
    if (!tmp || !ex) {
        free(tmp);
        free(ex);
        fclose(fp);
        return xl_error_set(err, XL_ENOMEM, "%s: out of memory reading checkpoint", path);
    }
    uint64_t hash = fnv(FNV_INIT, h, CKPT_HEADER);
    unsigned char tail[8];
    int bad = read_hashed(fp, tmp, nb * (hdr.has_optimizer ? 3 : 1), &hash) ||
              read_hashed(fp, ex, hdr.extra_bytes, &hash) || fread(tail, 1, 8, fp) != 8;
    fclose(fp);
    if (bad || get_u64(tail) != hash) {
        free(tmp);
        free(ex);
        return xl_error_set(err, XL_EFORMAT, "%s: corrupted checkpoint (hash mismatch)", path);
    }
    /* a diverged run's weights load fine and fail later as "lower --lr": name them here */
    for (size_t k = 0; k < m->n_floats; k++)
        if (!isfinite(tmp[k])) {
            const char *what = isnan(tmp[k]) ? "NaN" : "infinite";
            free(tmp);
            free(ex);
            return xl_error_set(err, XL_EFORMAT,
                                "%s: weight %zu of %zu is %s: the run that wrote this checkpoint "
                                "diverged; start from an earlier checkpoint", path, k,
                                m->n_floats, what);
        }
    memcpy(m->params, tmp, nb);
    if (load_optimizer) {
        memcpy(m->m, tmp + m->n_floats, nb);
        memcpy(m->v, tmp + 2 * m->n_floats, nb);
    } else {
        memset(m->m, 0, nb);
        memset(m->v, 0, nb);
    }
    memset(m->grads, 0, nb);
    free(tmp);
    ex[hdr.extra_bytes] = '\0';
    if (extra) {
        *extra = ex;
        if (n_extra)
            *n_extra = hdr.extra_bytes;
    } else {
        free(ex);
    }
    if (hdr_out)
        *hdr_out = hdr;
    return XL_OK;
}
