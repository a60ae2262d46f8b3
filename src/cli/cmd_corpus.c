/* xferlaw corpus: train the shared tokenizer, build corpora, inspect them. */
#include "cli.h"
#include "opts.h"
#include "xferlaw/corpus.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *usage =
    "usage: xferlaw corpus build [--root DIR]             (the bundled text, python, code)\n"
    "       xferlaw corpus build NAME SOURCE... [options]\n"
    "       xferlaw corpus tokenizer -o FILE [--vocab V] [--sample-bytes B] [--quiet] GROUP...\n"
    "       xferlaw corpus encode [--tokenizer FILE] [--roundtrip] [FILE]   (token ids, one a\n"
    "                             line, of FILE or standard input; --roundtrip: check that\n"
    "                             decoding gives the text back)\n"
    "       xferlaw corpus info [--root DIR] [NAME...]            (manifests as a table)\n"
    "\n"
    "build alone: builds the bundled corpora text, python and code from installed Debian\n"
    "  packages (see data/README.md) with the shipped builder, into ROOT (skipped when\n"
    "  they are up to date).\n"
    "build NAME: tokenizes documents into ROOT/NAME/{train,val,test}.bin + manifest.json.\n"
    "  SOURCE is a directory (every file below it is one document) or @LIST (a file\n"
    "  with one document path a line), optionally followed by =MAXBYTES, a cap on what\n"
    "  that source contributes.  Documents are deduplicated, ordered by a hash of\n"
    "  their content, capped, and split by that hash; the output depends only on content.\n"
    "  A start line goes to stderr; prints each split and, given several sources, what\n"
    "  each one contributes.\n"
    "  --root DIR          corpora root (default $XL_CORPORA, else data/corpora in a\n"
    "                      checkout, else $XDG_DATA_HOME/xferlaw/corpora)\n"
    "  --tokenizer FILE    default $XL_TOKENIZER, else data/tokenizer.txt in a checkout,\n"
    "                      else the installed one\n"
    "  --max-bytes N       cap on the corpus's bytes (0 = all; default 0)\n"
    "  --max-doc-bytes N   drop longer documents (default 262144)\n"
    "  --no-python         drop documents that look like python\n"
    "  --strip-rst         *.rst[.txt] to prose: no code, directives or inline markup\n"
    "  --val F --test F    split fractions, each in [0, 0.5) (default 0.05 each)\n"
    "  --source-key K      recorded in the manifest (build_corpora.sh uses it to skip)\n"
    "  --threads K         tokenizing threads (default 0: all cores)\n"
    "  --quiet             no progress on stderr\n"
    "\n"
    "tokenizer: trains the byte-level BPE once on a balanced sample: B bytes (default\n"
    "  1500000) from each GROUP, a comma-separated list of SOURCEs; prefix a group with\n"
    "  'nopy:' to drop python-looking documents from it.  V counts 256 bytes, the merges\n"
    "  and EOT (default 1024, in [257, 4096]).  --out FILE is the same as -o FILE.\n";

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

/* `corpus build NAME SOURCE...`: a start line on stderr (tokenizing a large corpus takes
 * minutes), the split table on stdout at the end. */
static int build_named(xl_corpus_build_opts *o, const char *tokpath, const char **src, int n_src,
                       const char *name, int quiet)
{
    o->name = name;
    xl_tokenizer *tok = NULL;
    if (load_tok(tokpath, &tok))
        return 1;
    xl_error err;
    xl_error_clear(&err);
    xl_corpus_stats st;
    double t0 = xl_now();
    if (!quiet)
        fprintf(stderr, "xferlaw corpus: building %s/%s from %d source%s\n", o->root, name, n_src,
                n_src == 1 ? "" : "s");
    int rc = xl_corpus_build(o, tok, src, n_src, &st, &err);
    xl_tokenizer_free(tok);
    if (rc)
        return cli_fail("corpus", &err);
    printf("%s/%s: %.1fs; dropped: %zu python-like, %zu empty/binary/too long, %zu duplicates, %zu over the cap\n",
           o->root, o->name, xl_now() - t0, st.rejected_python, st.rejected_other, st.duplicates, st.over_cap);
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
    return 0;
}

/* --val and --test: a fraction of the documents, below one half each */
static int set_frac(void *ctx, const char *name, const char *v)
{
    xl_corpus_build_opts *o = ctx;
    double d;
    if (xl_parse_double(v, &d) || !(d >= 0 && d < 0.5))
        return cli_usage_error("corpus", "%s: expected a number in [0, 0.5), got '%s'", name, v);
    *(strcmp(name, "--val") ? &o->test_frac : &o->val_frac) = d;
    return 0;
}

/* `corpus build` with no NAME builds the bundled corpora: only --root goes with it. */
static int only_root(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--root"))
            i++;
        else if (strncmp(argv[i], "--root=", 7))
            return 0;
    return 1;
}

static int do_build(int argc, char **argv)
{
    xl_corpus_build_opts o = {0};
    o.root = xl_corpora_root();
    o.val_frac = o.test_frac = 0.05;
    const char *tokpath = xl_tokenizer_default_path();
    uint64_t max_doc = 262144;
    int quiet = 0;
    const cli_opt opts[] = {
        {"--root", NULL, CLI_STR, &o.root, 0, 0, 0, NULL, 0},
        {"--tokenizer", NULL, CLI_STR, &tokpath, 0, 0, 0, NULL, 0},
        {"--max-bytes", NULL, CLI_U64, &o.max_bytes, 0, 0, 0, NULL, 0},
        {"--max-doc-bytes", NULL, CLI_U64, &max_doc, 0, 0, 0, NULL, 0},
        {"--no-python", NULL, CLI_FLAG, &o.reject_python, 0, 0, 0, NULL, 0},
        {"--strip-rst", NULL, CLI_FLAG, &o.strip_rst, 0, 0, 0, NULL, 0},
        {"--val", NULL, CLI_FN, NULL, 0, 0, 0, set_frac, 1},
        {"--test", NULL, CLI_FN, NULL, 0, 0, 0, set_frac, 1},
        {"--source-key", NULL, CLI_STR, &o.source_key, 0, 0, 0, NULL, 0},
        CLI_THREADS(&o.threads), CLI_QUIET(&quiet), CLI_OPT_END};
    const char **pos = calloc((size_t)argc + 1, sizeof *pos);
    if (!pos)
        return 1;
    int n_pos, rc = cli_parse("corpus", opts, &o, argc, argv, pos, argc, &n_pos);
    o.max_doc_bytes = (size_t)max_doc;
    if (rc == CLI_HELP)
        rc = (fputs(usage, stdout), 0);
    else if (!rc && n_pos == 0 && only_root(argc, argv))
        rc = build_bundled(o.root);
    else if (!rc && n_pos < 2)
        rc = cli_usage_error("corpus", "build needs NAME and at least one SOURCE");
    else if (!rc && n_pos - 1 > XL_CORPUS_MAX_SOURCES)
        rc = cli_usage_error("corpus", "build takes at most %d SOURCEs, got %d",
                             XL_CORPUS_MAX_SOURCES, n_pos - 1);
    else if (!rc && strpbrk(pos[0], "/:,"))
        rc = cli_usage_error("corpus", "corpus name '%s' must not contain '/', ':' or ','", pos[0]);
    else if (!rc)
        rc = build_named(&o, tokpath, pos + 1, n_pos - 1, pos[0], quiet);
    free(pos);
    return rc;
}

/* `corpus tokenizer`: sample each group, train the BPE, save, reload and report. */
static int train_tokenizer(const char **groups, int ng, int vocab, size_t sample,
                           const char *out, int quiet)
{
    xl_error err;
    xl_error_clear(&err);
    char **texts = calloc((size_t)ng, sizeof *texts);
    size_t *lens = calloc((size_t)ng, sizeof *lens);
    int rc = texts && lens ? 0 : xl_error_set(&err, XL_ENOMEM, "out of memory");
    for (int g = 0; g < ng && !rc; g++) {
        char *spec = strdup(groups[g]), *s = spec;
        int nopy = strncmp(s, "nopy:", 5) == 0;
        if (nopy) s += 5;
        const char *src[XL_CORPUS_MAX_SOURCES];
        int ns = 0;
        char *save = NULL;
        for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (ns == XL_CORPUS_MAX_SOURCES) {
                rc = xl_error_set(&err, XL_EINVAL, "group %d: more than %d sources", g + 1, ns);
                break;
            }
            src[ns++] = t;
        }
        if (!rc)
            rc = xl_corpus_sample(src, ns, 1, nopy, sample, &texts[g], &lens[g], &err);
        free(spec);
        if (!rc && !quiet)
            fprintf(stderr, "xferlaw corpus: group %d: %zu bytes of sample\n", g + 1, lens[g]);
    }
    xl_tokenizer *tok = NULL;
    double t0 = xl_now();
    if (!rc && !quiet)
        fprintf(stderr, "xferlaw corpus: training a %d-token vocabulary\n", vocab);
    if (!rc) rc = xl_tokenizer_train((const char *const *)texts, lens, ng, vocab, &tok, &err);
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
    for (int g = 0; texts && g < ng; g++) free(texts[g]);
    free(texts);
    free(lens);
    xl_tokenizer_free(tok);
    return rc ? cli_fail("corpus", &err) : 0;
}

static int do_tokenizer(int argc, char **argv)
{
    const char *out = NULL;
    int vocab = 1024, quiet = 0;
    long sample = 1500000;
    const cli_opt opts[] = {
        CLI_OUT(&out), {"--vocab", NULL, CLI_INT, &vocab, 257, 4096, 0, NULL, 0},
        {"--sample-bytes", NULL, CLI_LONG, &sample, 1, 0, 0, NULL, 0}, CLI_QUIET(&quiet),
        CLI_OPT_END};
    const char **groups = calloc((size_t)argc + 1, sizeof *groups);
    if (!groups)
        return 1;
    int ng, rc = cli_parse("corpus", opts, NULL, argc, argv, groups, argc, &ng);
    if (rc == CLI_HELP)
        rc = (fputs(usage, stdout), 0);
    else if (!rc && (!out || ng == 0))
        rc = cli_usage_error("corpus", "tokenizer needs -o FILE and at least one GROUP");
    else if (!rc)
        rc = train_tokenizer(groups, ng, vocab, (size_t)sample, out, quiet);
    free(groups);
    return rc;
}

static int do_encode(int argc, char **argv)
{
    const char *tokpath = xl_tokenizer_default_path(), *in = "-";
    int decode_check = 0;
    const cli_opt opts[] = {
        {"--tokenizer", NULL, CLI_STR, &tokpath, 0, 0, 0, NULL, 0},
        {"--roundtrip", NULL, CLI_FLAG, &decode_check, 0, 0, 0, NULL, 0}, CLI_OPT_END};
    int n_pos, rc = cli_parse("corpus", opts, NULL, argc, argv, &in, 1, &n_pos);
    if (rc)
        return rc == CLI_HELP ? (fputs(usage, stdout), 0) : rc;
    xl_tokenizer *tok;
    if (load_tok(tokpath, &tok))
        return 1;
    xl_error err;
    xl_error_clear(&err);
    char *buf = NULL, *back = NULL;
    size_t n = 0, nid = 0;
    uint16_t *ids = NULL;
    rc = xl_read_file(in, &buf, &n, &err);
    if (!rc)
        rc = xl_tokenizer_encode(tok, buf, n, &ids, &nid, &err);
    if (!rc && decode_check && !(back = malloc(n + 1)))
        rc = xl_error_set(&err, XL_ENOMEM, "out of memory");
    if (!rc && decode_check) {
        size_t m = xl_tokenizer_decode(tok, ids, nid, back, n + 1);
        printf("%zu bytes -> %zu tokens; round trip %s\n", n, nid,
               m == n && !memcmp(back, buf, n) ? "ok" : "FAILED");
    } else if (!rc) {
        for (size_t i = 0; i < nid; i++)
            printf("%u\n", ids[i]);
    }
    free(back);
    free(ids);
    free(buf);
    xl_tokenizer_free(tok);
    return rc ? cli_fail("corpus", &err) : 0;
}

static int do_info(int argc, char **argv)
{
    const char *root = xl_corpora_root();
    const char *def[3] = {"text", "python", "code"};
    const cli_opt opts[] = {{"--root", NULL, CLI_STR, &root, 0, 0, 0, NULL, 0}, CLI_OPT_END};
    const char **names = calloc((size_t)argc + 1, sizeof *names);
    if (!names)
        return 1;
    int n, rc = cli_parse("corpus", opts, NULL, argc, argv, names, argc, &n);
    if (rc) {
        free(names);
        return rc == CLI_HELP ? (fputs(usage, stdout), 0) : rc;
    }
    printf("%-8s %-6s %10s %12s %12s  %s\n", "corpus", "split", "documents", "bytes", "tokens", "sha256");
    for (int k = 0; k < (n ? n : 3); k++) {
        const char *name = n ? names[k] : def[k];
        xl_dataset ds;
        xl_error err;
        xl_error_clear(&err);
        if (xl_dataset_load(root, name, 0, 1, &ds, &err)) {
            rc = cli_fail("corpus", &err);
            continue;
        }
        printf("%-8s %-6s %10s %12s %12zu  %s\n", name, "train", "-", "-", ds.n_train, ds.train_sha256);
        printf("%-8s %-6s %10s %12.0f %12zu  (%.3f bytes/token)\n", name, "val", "-",
               ds.val_bytes_per_token * (double)ds.n_val, ds.n_val, ds.val_bytes_per_token);
        xl_dataset_free(&ds);
    }
    free(names);
    return rc;
}

int cmd_corpus(int argc, char **argv)
{
    int code;
    if (cli_subcommand_help(argc, argv, usage, &code))
        return code;
    static const char *const subs[] = {"build", "tokenizer", "encode", "info"};
    int (*const fns[])(int, char **) = {do_build, do_tokenizer, do_encode, do_info};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (!strcmp(argv[1], subs[i]))
            return fns[i](argc - 1, argv + 1);
    return cli_unknown_subcommand("corpus", argv[1], subs, sizeof subs / sizeof subs[0]);
}
