/* xferlaw train: parse options into an xl_train_config, run, print the summary. */
#include "cli.h"
#include "opts.h"
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
    "last.ckpt.  Exit status 0 on success, 1 for a data error, 2 for a usage error.\n"
    "\n"
    "data:\n"
    "  --data SPEC          corpus name under the corpora root (python, text, code), a\n"
    "                       mixture by tokens 'text:0.5,code:0.5', a corpus directory,\n"
    "                       or raw text: a directory (a document per file) or one file\n"
    "                       (a document per blank-line-separated paragraph)\n"
    "  --mix SPEC           the same as --data\n"
    "  --corpora DIR        corpora root (default $XL_CORPORA, else data/corpora)\n"
    "  --data-size D        cap on unique training tokens: pieces of documents (<= 1024\n"
    "                       tokens) in a seeded order, trimmed to exactly D (0 = all)\n"
    "model (ignored with --init-from/--resume: the shape comes from the checkpoint):\n"
    "  --n-layer L --d-model C --n-head H --ctx T       default 2, 64, 4, 64\n"
    "optimisation (AdamW b1=0.9 b2=0.95 eps=1e-8; linear warmup then cosine decay):\n"
    "  --batch B            sequences per step (default 16)\n"
    "  --lr LR              peak learning rate (default 3e-3)\n"
    "  --min-lr-frac F      final lr = F * LR (default 0.1)\n"
    "  --warmup S           warmup steps (default 20)\n"
    "  --weight-decay WD    on 2-D weights only (default 0.1)\n"
    "  --clip G             global gradient-norm clip, 0 = off (default 1.0)\n"
    "  --dropout P          GPT-2 dropout on the embeddings and on the attention and MLP\n"
    "                       outputs before the residual add, in [0, 1) (default 0 = off)\n"
    "  --attn-dropout P     dropout on the attention probabilities (default 0)\n"
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
    "cooldown (warmup-stable-decay, with --schedule constant):\n"
    "  --cooldown-frac F    when the stable phase ends (patience or the cap), reload its\n"
    "                       best weights and AdamW moments and train max(M, F * best step)\n"
    "                       more steps with the rate decaying linearly to 0; evals on the\n"
    "                       same spacing counted from the cooldown start, no patience; the\n"
    "                       best over both phases is reported (F in [0, 10]; default 0: off)\n"
    "  --cooldown-min-steps M  at least M cooldown steps (default 50)\n"
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

/* a probability in [0, 1): 1 would drop everything (CLI_DOUBLE's ranges are closed) */
static int set_prob(void *ctx, const char *name, const char *v)
{
    xl_train_config *c = ctx;
    double d;
    if (xl_parse_double(v, &d) || !(d >= 0 && d < 1))
        return cli_usage_error("train", "%s: expected a number in [0, 1), got '%s'", name, v);
    *(strcmp(name, "--dropout") ? &c->attn_dropout : &c->dropout) = d;
    return 0;
}

int cmd_train(int argc, char **argv)
{
    xl_train_config c;
    xl_train_config_default(&c);
    int quiet = 0;
#define BUF(name, field) {name, NULL, CLI_BUF, c.field, 0, sizeof c.field, 0, NULL, 0}
#define NUM(name, kind, field, lo) {name, NULL, kind, &c.field, lo, 0, 0, NULL, 0}
    const cli_opt opts[] = {
        BUF("--data", data), BUF("--mix", data), BUF("--corpora", corpora),
        BUF("--init-from", init_from), BUF("--trainable", trainable),
        {"--out", "-o", CLI_BUF, c.out, 0, sizeof c.out, 0, NULL, 0},
        NUM("--data-size", CLI_U64, data_size, 0), NUM("--n-layer", CLI_INT, n_layer, 1),
        NUM("--d-model", CLI_INT, d_model, 1), NUM("--n-head", CLI_INT, n_head, 1),
        NUM("--ctx", CLI_INT, ctx, 1), NUM("--batch", CLI_INT, batch, 1),
        {"--lr", NULL, CLI_DOUBLE, &c.lr, 0, 0, 1, NULL, 0},
        NUM("--min-lr-frac", CLI_DOUBLE, min_lr_frac, 0), NUM("--warmup", CLI_LONG, warmup, 0),
        NUM("--weight-decay", CLI_DOUBLE, weight_decay, 0), NUM("--clip", CLI_DOUBLE, clip, 0),
        {"--dropout", NULL, CLI_FN, NULL, 0, 0, 0, set_prob, 1},
        {"--attn-dropout", NULL, CLI_FN, NULL, 0, 0, 0, set_prob, 1},
        NUM("--max-steps", CLI_LONG, max_steps, 1), NUM("--max-tokens", CLI_U64, max_tokens, 1),
        NUM("--eval-every", CLI_LONG, eval_every, 1), NUM("--eval-tokens", CLI_LONG, eval_tokens, 1),
        NUM("--patience", CLI_INT, patience, 0), NUM("--halt-at-step", CLI_LONG, halt_at_step, 0),
        NUM("--patience-steps", CLI_LONG, patience_steps, 0),
        NUM("--patience-frac", CLI_DOUBLE, patience_frac, 0),
        NUM("--min-delta", CLI_DOUBLE, min_delta, 0), NUM("--eval-growth", CLI_DOUBLE, eval_growth, 0),
        {"--cooldown-frac", NULL, CLI_DOUBLE, &c.cooldown_frac, 0, 10, 0, NULL, 0},
        NUM("--cooldown-min-steps", CLI_LONG, cooldown_min_steps, 0),
        BUF("--schedule", schedule),
        {"--resume", NULL, CLI_FLAG, &c.resume, 0, 0, 0, NULL, 0},
        CLI_SEED(&c.seed), CLI_THREADS(&c.threads), CLI_QUIET(&quiet), CLI_OPT_END};
#undef BUF
#undef NUM
    const char *pos[1];
    int n_pos, rc = cli_parse("train", opts, &c, argc, argv, pos, 0, &n_pos);
    if (rc == CLI_HELP) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc)
        return rc;
    if (!c.data[0]) return cli_usage_error("train", "--data SPEC is required");
    if (!c.out[0]) return cli_usage_error("train", "--out DIR is required");
    if (c.cooldown_frac > 0 && strcmp(c.schedule, "constant"))
        return cli_usage_error("train", "--cooldown-frac: needs --schedule constant");
    xl_error err;
    xl_error_clear(&err);
    xl_train_result r;
    rc = xl_train_run(&c, &r, quiet ? NULL : stderr, &err);
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
    if (r.cooldown_steps > 0)
        printf("stable phase best %.4f at step %ld; cooldown %ld steps\n", r.stable_best_val_loss,
               r.stable_best_step, r.cooldown_steps);
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
