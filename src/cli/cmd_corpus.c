/* xferlaw corpus: train the shared tokenizer, build corpora, inspect them. */
#include "cli.h"
#include "xferlaw/corpus.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *usage =
    "usage: xferlaw corpus build [--root DIR]             (the bundled text, python, code)\n"
    "       xferlaw corpus build NAME SOURCE... [options]\n"
    "       xferlaw corpus tokenizer -o FILE [--vocab V] [--sample-bytes B] GROUP...\n"
    "       xferlaw corpus encode [--tokenizer FILE] < text      (token ids, one a line)\n"
    "       xferlaw corpus info [NAME...]                         (manifests as a table)\n"
    "\n"
    "build alone: builds the bundled corpora text, python and code from installed Debian\n"
    "  packages (see data/README.md) with the shipped builder, into ROOT (skipped when\n"
    "  they are up to date).\n"
    "build NAME: tokenizes documents into ROOT/NAME/{train,val,test}.bin + manifest.json.\n"
    "  SOURCE is a directory (every file below it is one document) or @LIST (a file\n"
    "  with one document path a line), optionally followed by =MAXBYTES, a cap on what\n"
    "  that source contributes.  Documents are deduplicated, ordered by a hash of\n"
    "  their content, capped, and split by that hash; the output depends only on content.\n"
    "  Prints each split and, given several sources, what each one contributes.\n"
    "  --root DIR          corpora root (default $XL_CORPORA, else data/corpora in a\n"
    "                      checkout, else $XDG_DATA_HOME/xferlaw/corpora)\n"
    "  --tokenizer FILE    default $XL_TOKENIZER, else data/tokenizer.txt in a checkout,\n"
    "                      else the installed one\n"
    "  --max-bytes N       cap on the corpus's bytes (0 = all; default 0)\n"
    "  --max-doc-bytes N   drop longer documents (default 262144)\n"
    "  --no-python         drop documents that look like python\n"
    "  --strip-rst         *.rst[.txt] to prose: no code, directives or inline markup\n"
    "  --val F --test F    split fractions (default 0.05 each)\n"
    "  --source-key K      recorded in the manifest (build_corpora.sh uses it to skip)\n"
    "  --threads K         tokenizing threads (default: all cores)\n"
    "\n"
    "tokenizer: trains the byte-level BPE once on a balanced sample: B bytes (default\n"
    "  1500000) from each GROUP, a comma-separated list of SOURCEs; prefix a group with\n"
    "  'nopy:' to drop python-looking documents from it.  V counts 256 bytes, the merges\n"
    "  and EOT (default 1024, at most 4096).\n";

static int parse_u64(const char *s, uint64_t *out)
{
    long v;
    if (xl_parse_long(s, &v) || v < 0) return -1;
    *out = (uint64_t)v;
    return 0;
}

static int load_tok(const char *path, xl_tokenizer **tok)
{
    xl_error err;
    xl_error_clear(&err);
    if (xl_tokenizer_load(path, tok, &err)) return cli_fail("corpus", &err);
    return 0;
}

/* `corpus build` alone: the shipped builder script (data/build_corpora.sh, installed as
 * PREFIX/share/xferlaw/build_corpora.sh) run by bash on this binary, into root. */
static int build_bundled(const char *root)
{
    xl_error err;
    xl_error_clear(&err);
    char script[4200], exe[4096];
    if (xl_data_file("build_corpora.sh", script, sizeof script)) {
        xl_error_set(&err, XL_EIO, "%s: the corpus builder is not installed", script);
        return cli_fail("corpus", &err);
    }
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[k > 0 ? k : 0] = '\0';
    if (xl_mkdirs(root, &err))
        return cli_fail("corpus", &err);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("XL_CORPORA", root, 1);
        execl("/bin/bash", "bash", script, exe, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0) {
        xl_error_set(&err, XL_EIO, "cannot run %s", script);
        return cli_fail("corpus", &err);
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        xl_error_set(&err, XL_EIO, "%s failed (exit %d)", script, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return cli_fail("corpus", &err);
    }
    printf("corpora text, python, code in %s\n", root);
    return 0;
}

static int do_build(int argc, char **argv)
{
    xl_corpus_build_opts o = {0};
    o.root = xl_corpora_root();
    o.max_doc_bytes = 262144;
    o.val_frac = o.test_frac = 0.05;
    const char *tokpath = xl_tokenizer_default_path();
    const char **src = calloc((size_t)argc + 1, sizeof *src);
    int n_src = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t u;
        double d;
#define NEEDV() do { if (!v) { free(src); return cli_usage_error("corpus", "%s needs a value", a); } i++; } while (0)
        if (!strcmp(a, "--root")) { NEEDV(); o.root = v; }
        else if (!strcmp(a, "--tokenizer")) { NEEDV(); tokpath = v; }
        else if (!strcmp(a, "--max-bytes") || !strcmp(a, "--max-doc-bytes")) {
            NEEDV();
            if (parse_u64(v, &u)) { free(src); return cli_usage_error("corpus", "%s: '%s' is not a count >= 0", a, v); }
            if (a[6] == 'b') o.max_bytes = u; else o.max_doc_bytes = (size_t)u;
        } else if (!strcmp(a, "--val") || !strcmp(a, "--test")) {
            NEEDV();
            if (xl_parse_double(v, &d) || !(d >= 0 && d < 0.5)) { free(src); return cli_usage_error("corpus", "%s: '%s' is not in [0, 0.5)", a, v); }
            if (a[2] == 'v') o.val_frac = d; else o.test_frac = d;
        } else if (!strcmp(a, "--source-key")) { NEEDV(); o.source_key = v; }
        else if (!strcmp(a, "--threads")) {
            NEEDV();
            if (parse_u64(v, &u) || u > 256) { free(src); return cli_usage_error("corpus", "--threads: bad value '%s'", v); }
            o.threads = (int)u;
        } else if (!strcmp(a, "--no-python")) o.reject_python = 1;
        else if (!strcmp(a, "--strip-rst")) o.strip_rst = 1;
        else if (a[0] == '-' && a[1] == '-') { free(src); return cli_usage_error("corpus", "unknown option '%s'", a); }
        else if (!o.name) o.name = a;
        else src[n_src++] = a;
#undef NEEDV
    }
    if (!o.name && n_src == 0 && (argc == 0 || (argc == 2 && !strcmp(argv[0], "--root")))) {
        free(src);
        return build_bundled(o.root);
    }
    if (!o.name || n_src == 0) { free(src); return cli_usage_error("corpus", "build needs NAME and at least one SOURCE"); }
    if (strchr(o.name, '/') || strchr(o.name, ':') || strchr(o.name, ',')) {
        free(src);
        return cli_usage_error("corpus", "corpus name '%s' must not contain '/', ':' or ','", o.name);
    }
    xl_tokenizer *tok = NULL;
    if (load_tok(tokpath, &tok)) { free(src); return 1; }
    xl_error err;
    xl_error_clear(&err);
    xl_corpus_stats st;
    double t0 = xl_now();
    int rc = xl_corpus_build(&o, tok, src, n_src, &st, &err);
    xl_tokenizer_free(tok);
    if (rc) { free(src); return cli_fail("corpus", &err); }
    printf("%s/%s: %.1fs; dropped: %zu python-like, %zu empty/binary/too long, %zu duplicates, %zu over the cap\n",
           o.root, o.name, xl_now() - t0, st.rejected_python, st.rejected_other, st.duplicates, st.over_cap);
    printf("%-6s %10s %12s %12s %8s\n", "split", "documents", "bytes", "tokens", "bytes/tok");
    const char *names[3] = {"train", "val", "test"};
    for (int s = 0; s < 3; s++)
        printf("%-6s %10zu %12zu %12zu %8.3f\n", names[s], st.documents[s], st.bytes[s],
               st.tokens[s], st.tokens[s] ? (double)st.bytes[s] / (double)st.tokens[s] : 0.0);
    size_t all = st.tokens[0] + st.tokens[1] + st.tokens[2];
    if (n_src > 1)
        for (int i = 0; i < n_src; i++)
            printf("  source %-40s %6zu docs %11zu bytes %10zu tokens %5.1f%%\n", src[i],
                   st.src_documents[i], st.src_bytes[i], st.src_tokens[i],
                   all ? 100.0 * (double)st.src_tokens[i] / (double)all : 0.0);
    free(src);
    return 0;
}

static int do_tokenizer(int argc, char **argv)
{
    const char *out = NULL;
    long vocab = 1024, sample = 1500000;
    char **groups = calloc((size_t)argc + 1, sizeof *groups);
    int ng = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if ((!strcmp(a, "-o") || !strcmp(a, "--out")) && v) out = argv[++i];
        else if (!strcmp(a, "--vocab") && v) {
            if (xl_parse_long(argv[++i], &vocab)) { free(groups); return cli_usage_error("corpus", "--vocab: bad value '%s'", v); }
        } else if (!strcmp(a, "--sample-bytes") && v) {
            if (xl_parse_long(argv[++i], &sample) || sample <= 0) { free(groups); return cli_usage_error("corpus", "--sample-bytes: bad value '%s'", v); }
        } else if (a[0] == '-') { free(groups); return cli_usage_error("corpus", "unknown option or missing value '%s'", a); }
        else groups[ng++] = argv[i];
    }
    if (!out || ng == 0) { free(groups); return cli_usage_error("corpus", "tokenizer needs -o FILE and at least one GROUP"); }
    xl_error err;
    xl_error_clear(&err);
    char **texts = calloc((size_t)ng, sizeof *texts);
    size_t *lens = calloc((size_t)ng, sizeof *lens);
    int rc = 0;
    for (int g = 0; g < ng && !rc; g++) {
        char *spec = strdup(groups[g]), *s = spec;
        int nopy = strncmp(s, "nopy:", 5) == 0;
        if (nopy) s += 5;
        const char *src[64];
        int ns = 0;
        char *save = NULL;
        for (char *t = strtok_r(s, ",", &save); t && ns < 64; t = strtok_r(NULL, ",", &save)) src[ns++] = t;
        rc = xl_corpus_sample(src, ns, 1, nopy, (size_t)sample, &texts[g], &lens[g], &err);
        free(spec);
        if (!rc) fprintf(stderr, "xferlaw corpus: group %d: %zu bytes of sample\n", g + 1, lens[g]);
    }
    xl_tokenizer *tok = NULL;
    double t0 = xl_now();
    if (!rc) rc = xl_tokenizer_train((const char *const *)texts, lens, ng, (int)vocab, &tok, &err);
    if (!rc) rc = xl_tokenizer_save(tok, out, &err);
    if (!rc) {
        xl_tokenizer_free(tok);
        tok = NULL;
        rc = xl_tokenizer_load(out, &tok, &err);
    }
    if (!rc) {
        printf("%s: vocab %d, id %s, trained in %.1fs\n", out, xl_tokenizer_vocab_size(tok),
               xl_tokenizer_id(tok), xl_now() - t0);
        for (int g = 0; g < ng; g++) {
            uint16_t *ids;
            size_t n;
            if (xl_tokenizer_encode(tok, texts[g], lens[g], &ids, &n, &err) == 0) {
                printf("  group %d: %.3f bytes/token\n", g + 1, (double)lens[g] / (double)n);
                free(ids);
            }
        }
    }
    for (int g = 0; g < ng; g++) free(texts[g]);
    free(texts);
    free(lens);
    free(groups);
    xl_tokenizer_free(tok);
    return rc ? cli_fail("corpus", &err) : 0;
}

static int do_encode(int argc, char **argv)
{
    const char *tokpath = xl_tokenizer_default_path();
    int decode_check = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--tokenizer") && i + 1 < argc) tokpath = argv[++i];
        else if (!strcmp(argv[i], "--roundtrip")) decode_check = 1;
        else return cli_usage_error("corpus", "unknown option '%s'", argv[i]);
    }
    xl_tokenizer *tok;
    if (load_tok(tokpath, &tok)) return 1;
    size_t cap = 1 << 16, n = 0, r;
    char *buf = malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n, stdin)) > 0) {
        n += r;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    xl_error err;
    xl_error_clear(&err);
    uint16_t *ids = NULL;
    size_t nid = 0;
    int rc = buf ? xl_tokenizer_encode(tok, buf, n, &ids, &nid, &err) : xl_error_set(&err, XL_ENOMEM, "out of memory");
    if (!rc && decode_check) {
        char *back = malloc(n + 1);
        size_t m = xl_tokenizer_decode(tok, ids, nid, back, n + 1);
        printf("%zu bytes -> %zu tokens; round trip %s\n", n, nid, m == n && !memcmp(back, buf, n) ? "ok" : "FAILED");
        free(back);
    } else if (!rc) {
        for (size_t i = 0; i < nid; i++) printf("%u\n", ids[i]);
    }
    free(ids);
    free(buf);
    xl_tokenizer_free(tok);
    return rc ? cli_fail("corpus", &err) : 0;
}

static int do_info(int argc, char **argv)
{
    const char *root = xl_corpora_root();
    const char *def[3] = {"text", "python", "code"};
    int rc = 0;
    printf("%-8s %-6s %10s %12s %12s  %s\n", "corpus", "split", "documents", "bytes", "tokens", "sha256");
    for (int k = 0; k < (argc ? argc : 3); k++) {
        const char *name = argc ? argv[k] : def[k];
        xl_dataset ds;
        xl_error err;
        xl_error_clear(&err);
        if (xl_dataset_load(root, name, 0, 1, &ds, &err)) { rc = cli_fail("corpus", &err); continue; }
        printf("%-8s %-6s %10s %12s %12zu  %s\n", name, "train", "-", "-", ds.n_train, ds.train_sha256);
        printf("%-8s %-6s %10s %12.0f %12zu  (%.3f bytes/token)\n", name, "val", "-",
               ds.val_bytes_per_token * (double)ds.n_val, ds.n_val, ds.val_bytes_per_token);
        xl_dataset_free(&ds);
    }
    return rc;
}

int cmd_corpus(int argc, char **argv)
{
    int code;
    if (cli_subcommand_help(argc, argv, usage, &code))
        return code;
    const char *sub = argv[1];
    if (!strcmp(sub, "build")) return do_build(argc - 2, argv + 2);
    if (!strcmp(sub, "tokenizer")) return do_tokenizer(argc - 2, argv + 2);
    if (!strcmp(sub, "encode")) return do_encode(argc - 2, argv + 2);
    if (!strcmp(sub, "info")) return do_info(argc - 2, argv + 2);
    return cli_usage_error("corpus", "unknown subcommand '%s'", sub);
}
