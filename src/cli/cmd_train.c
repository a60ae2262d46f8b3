/* xferlaw train: parse options into an xl_train_config, run, print the summary. */
#include "cli.h"
#include "xferlaw/corpus.h"
#include "xferlaw/nn.h"
#include "xferlaw/train.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *usage =
    "usage: xferlaw train --data SPEC --out DIR [options]\n"
    "\n"
    "Trains a GPT-style decoder and writes DIR/run.json (last), curve.jsonl, best.ckpt,\n"
    "last.ckpt.  Exit status 0 on success, 1 with a one-line error otherwise.\n"
    "\n"
    "data:\n"
    "  --data SPEC          corpus name under the corpora root (python, text, code), a\n"
    "                       mixture by tokens 'text:0.5,code:0.5', a corpus directory,\n"
    "                       or raw text: a directory (a document per file) or one file\n"
    "                       (a document per blank-line-separated paragraph)\n"
    "  --mix SPEC           the same as --data\n"
    "  --corpora DIR        corpora root (default $XL_CORPORA, else data/corpora)\n"
    "  --data-size D        cap on unique training tokens, whole documents chosen by the\n"
    "                       seed then trimmed to exactly D (0 = all; default 0)\n"
    "model (ignored with --init-from/--resume: the shape comes from the checkpoint):\n"
    "  --n-layer L --d-model C --n-head H --ctx T       default 2, 64, 4, 64\n"
    "optimisation (AdamW b1=0.9 b2=0.95 eps=1e-8; linear warmup then cosine decay):\n"
    "  --batch B            sequences per step (default 16)\n"
    "  --lr LR              peak learning rate (default 3e-3)\n"
    "  --min-lr-frac F      final lr = F * LR (default 0.1)\n"
    "  --warmup S           warmup steps (default 20)\n"
    "  --weight-decay WD    on 2-D weights only (default 0.1)\n"
    "  --clip G             global gradient-norm clip, 0 = off (default 1.0)\n"
    "  --schedule S         cosine (decay to the budget) | constant (after warmup; the\n"
    "                       budget is then only a cap) (default cosine)\n"
    "  --max-steps S        step budget (default 1000), or\n"
    "  --max-tokens X       token budget (steps = ceil(X / (B*T)))\n"
    "evaluation:\n"
    "  --eval-every K       steps between evals, and at the last step (default 100)\n"
    "  --eval-tokens E      fixed val subset, whole batches (default 16384)\n"
    "  --patience P         stop after P evals without improvement, 0 = off (default 5)\n"
    "  --patience-steps S   patience in steps instead: stop when no eval improved on the\n"
    "                       best by --min-delta for max(S, F * best step) steps (0 = off)\n"
    "  --patience-frac F    (default 0)\n"
    "  --min-delta X        improvement in nats that counts for patience (default 0)\n"
    "  --eval-growth G      evals dense early, sparse late: the next eval comes\n"
    "                       max(K, G * step) steps after the last (default 0: every K)\n"
    "fine-tuning and resuming:\n"
    "  --init-from CKPT     start from CKPT's weights (fresh optimizer, the data given here)\n"
    "  --resume             continue DIR/last.ckpt (same options); the curve is identical\n"
    "                       to an uninterrupted run's (except wall time)\n"
    "  --trainable WHICH    all | ln | head | ln+head | bias (default all)\n"
    "determinism and output:\n"
    "  --seed S             init, windows and D subset (default 1)\n"
    "  --threads K          threads (default 1); same seed + threads = identical curve\n"
    "  --quiet              no progress bar\n"
    "  --halt-at-step S     testing aid: stop after the eval at step S without run.json,\n"
    "                       as if killed\n";

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "xferlaw train: error: %s (see 'xferlaw train --help')\n", msg);
    return 1;
}

static int num(const char *opt, const char *v, double lo, double *out)
{
    if (xl_parse_double(v, out) || !(*out >= lo) || !isfinite(*out)) return -1;
    (void)opt;
    return 0;
}

int cmd_train(int argc, char **argv)
{
    xl_train_config c;
    xl_train_config_default(&c);
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) { fputs(usage, stdout); return 0; }
        if (!strcmp(a, "--quiet")) { quiet = 1; continue; }
        if (!strcmp(a, "--resume")) { c.resume = 1; continue; }
        if (strncmp(a, "--", 2) != 0) return bad("unexpected argument '%s'", a);
        if (i + 1 >= argc) return bad("option %s needs a value", a);
        const char *v = argv[++i];
        double d;
        struct { const char *name; double lo; int is_int; void *dst; int kind; } nums[] = {
            {"--data-size", 0, 1, &c.data_size, 'u'}, {"--n-layer", 1, 1, &c.n_layer, 'i'},
            {"--d-model", 1, 1, &c.d_model, 'i'}, {"--n-head", 1, 1, &c.n_head, 'i'},
            {"--ctx", 1, 1, &c.ctx, 'i'}, {"--batch", 1, 1, &c.batch, 'i'},
            {"--lr", 0, 0, &c.lr, 'd'}, {"--min-lr-frac", 0, 0, &c.min_lr_frac, 'd'},
            {"--warmup", 0, 1, &c.warmup, 'l'}, {"--weight-decay", 0, 0, &c.weight_decay, 'd'},
            {"--clip", 0, 0, &c.clip, 'd'}, {"--max-steps", 1, 1, &c.max_steps, 'l'},
            {"--max-tokens", 1, 1, &c.max_tokens, 'u'}, {"--eval-every", 1, 1, &c.eval_every, 'l'},
            {"--eval-tokens", 1, 1, &c.eval_tokens, 'l'}, {"--patience", 0, 1, &c.patience, 'i'},
            {"--seed", 0, 1, &c.seed, 'u'}, {"--threads", 0, 1, &c.threads, 'i'},
            {"--halt-at-step", 0, 1, &c.halt_at_step, 'l'},
            {"--patience-steps", 0, 1, &c.patience_steps, 'l'},
            {"--patience-frac", 0, 0, &c.patience_frac, 'd'},
            {"--min-delta", 0, 0, &c.min_delta, 'd'},
            {"--eval-growth", 0, 0, &c.eval_growth, 'd'}};
        int done = 0;
        for (size_t k = 0; k < sizeof nums / sizeof nums[0] && !done; k++) {
            if (strcmp(a, nums[k].name) != 0) continue;
            done = 1;
            if (num(a, v, nums[k].lo, &d) || (nums[k].is_int && (d != floor(d) || d > 9e15)) ||
                (nums[k].kind == 'i' && d > 1e9))
                return bad("field '%s': '%s' is not %s in [%g, %g]", a + 2, v,
                           nums[k].is_int ? "an integer" : "a number", nums[k].lo,
                           nums[k].kind == 'i' ? 1e9 : nums[k].is_int ? 9e15 : HUGE_VAL);
            if (!strcmp(a, "--lr") && d <= 0) return bad("field 'lr': must be > 0");
            switch (nums[k].kind) {
            case 'u': *(uint64_t *)nums[k].dst = (uint64_t)d; break;
            case 'i': *(int *)nums[k].dst = (int)d; break;
            case 'l': *(long *)nums[k].dst = (long)d; break;
            default: *(double *)nums[k].dst = d;
            }
        }
        if (done) continue;
        struct { const char *name; char *dst; size_t cap; } strs[] = {
            {"--data", c.data, sizeof c.data}, {"--mix", c.data, sizeof c.data},
            {"--corpora", c.corpora, sizeof c.corpora},
            {"--out", c.out, sizeof c.out}, {"--init-from", c.init_from, sizeof c.init_from},
            {"--trainable", c.trainable, sizeof c.trainable},
            {"--schedule", c.schedule, sizeof c.schedule}};
        for (size_t k = 0; k < sizeof strs / sizeof strs[0] && !done; k++) {
            if (strcmp(a, strs[k].name) != 0) continue;
            done = 1;
            if (strlen(v) >= strs[k].cap) return bad("field '%s': value too long", a + 2);
            strcpy(strs[k].dst, v);
        }
        if (!done) return bad("unknown option '%s'", a);
    }
    if (!c.data[0]) return bad("--data SPEC is required");
    if (!c.out[0]) return bad("--out DIR is required");
    xl_error err;
    xl_error_clear(&err);
    xl_train_result r;
    int rc = xl_train_run(&c, &r, quiet ? NULL : stderr, &err);
    if (rc) return cli_fail("train", &err);
    if (r.halted) {
        printf("halted after step %ld (as requested); resume with --resume\n", r.steps);
        return 0;
    }
    printf("run %s: N = %llu (total %llu, trainable %.4g%%), D = %llu\n", r.id,
           (unsigned long long)r.N, (unsigned long long)r.n_params_total,
           100 * r.trainable_fraction, (unsigned long long)r.D);
    printf("best val loss %.4f nats/token (%.4f bits/byte) at step %ld (%llu tokens); end: %s\n",
           r.best_val_loss, r.best_val_bpb, r.best_step, (unsigned long long)r.best_tokens,
           r.end);
    printf("%ld steps, %llu tokens, %.3g FLOPs, %.0f tokens/s, %.1fs -> %s/run.json\n", r.steps,
           (unsigned long long)r.tokens_seen, r.flops, r.tokens_per_s, r.seconds, c.out);
    /* a forced kernel family can halve the speed (AVX2 kernels on an AVX-512 CPU): say
     * who chose it */
    const char *forced = getenv("OPENBLAS_CORETYPE");
    int nt = xl_nn_blas_threads();
    printf("blas: OpenBLAS %s kernels, %d thread%s", xl_nn_blas_core(), nt, nt == 1 ? "" : "s");
    if (forced && forced[0])
        printf(" (chosen by OPENBLAS_CORETYPE=%s)", forced);
    putchar('\n');
    return 0;
}
