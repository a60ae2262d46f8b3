/* Writes everything the PyTorch comparison (nn_torch.py) needs, computed by our model:
 *   int32 V ctx L H C B T steps; int32 inputs[B*T], targets[B*T];
 *   float params[n] (before any step); float logits[B*T*V]; float loss, eval_loss;
 *   float grads[n] (one backward, unclipped); float losses[steps] of AdamW steps
 *   (clip 1.0, lr 1e-2, betas 0.9/0.95, eps 1e-8, weight decay 0.1; loss before step s+1).
 * Usage: nn_dump OUT.bin */
#include "xferlaw/nn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(FILE *fp, const void *p, size_t size, size_t n)
{
    if (fwrite(p, size, n, fp) != n) {
        perror("nn_dump: write");
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: nn_dump OUT.bin\n");
        return 2;
    }
    xl_nn_config cfg = {.vocab_size = 67, .ctx = 80, .n_layer = 2, .n_head = 4, .d_model = 32};
    /* T = 70: two causal blocks of attention (64 + 6); B*T = 350 rows: two head chunks */
    enum { B = 5, T = 70 };
    int steps = 6;
    xl_error err;
    xl_nn_model *m;
    if (xl_nn_alloc(&cfg, B, T, &m, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    xl_nn_init(m, 1234);
    /* push the init away from near-uniform outputs so every nonlinearity matters */
    xl_rng rng;
    xl_rng_seed(&rng, 99);
    float *p = xl_nn_params(m);
    size_t n = xl_nn_n_floats(m);
    for (size_t i = 0; i < n; i++)
        p[i] += (float)(0.15 * xl_rng_normal(&rng));
    uint16_t in[B * T], tg[B * T];
    int32_t in32[B * T], tg32[B * T];
    for (int i = 0; i < B * T; i++) {
        in[i] = (uint16_t)xl_rng_below(&rng, (uint64_t)cfg.vocab_size);
        tg[i] = (uint16_t)xl_rng_below(&rng, (uint64_t)cfg.vocab_size);
        in32[i] = in[i];
        tg32[i] = tg[i];
    }
    FILE *fp = fopen(argv[1], "wb");
    if (!fp) {
        perror(argv[1]);
        return 1;
    }
    int32_t hdr[8] = {cfg.vocab_size, cfg.ctx, cfg.n_layer, cfg.n_head, cfg.d_model, B, T, steps};
    put(fp, hdr, 4, 8);
    put(fp, in32, 4, (size_t)B * T);
    put(fp, tg32, 4, (size_t)B * T);
    put(fp, p, 4, n);
    float loss;
    if (xl_nn_forward(m, in, NULL, B, T, NULL, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    put(fp, xl_nn_logits(m), 4, (size_t)B * T * cfg.vocab_size);
    xl_nn_forward(m, in, tg, B, T, &loss, &err);
    put(fp, &loss, 4, 1);
    float eval_loss;
    xl_nn_loss(m, in, tg, B, T, &eval_loss, &err);
    put(fp, &eval_loss, 4, 1);
    xl_nn_forward(m, in, tg, B, T, &loss, &err);
    xl_nn_zero_grad(m);
    xl_nn_backward(m, &err);
    put(fp, xl_nn_grads(m), 4, n);
    for (int s = 1; s <= steps; s++) {
        xl_nn_forward(m, in, tg, B, T, &loss, &err);
        xl_nn_zero_grad(m);
        xl_nn_backward(m, &err);
        xl_nn_clip_grad(m, 1.0f);
        xl_nn_adamw_step(m, 1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, s);
        put(fp, &loss, 4, 1);
    }
    fclose(fp);
    xl_nn_free(m);
    return 0;
}
