/* xferlaw nn: a GPT-2 style decoder trained on the CPU, forward and backward written by
 * hand (a forward and a backward function per layer), every matmul through cblas_sgemm
 * except attention's small per-head products (a register-blocked kernel, attention.c).
 *
 * Architecture: token + learned position embeddings; n_layer pre-LayerNorm blocks
 *   x = x + attn(ln1(x))      causal multi-head self-attention, fused qkv projection
 *   x = x + mlp(ln2(x))       Linear(C, 4C) -> GELU (tanh approximation) -> Linear(4C, C)
 * final LayerNorm; tied output head: logits = ln_f(x) . wte^T; mean cross-entropy.
 * float32 throughout; LayerNorm eps 1e-5; every Linear has a bias (as GPT-2).
 *
 * N (Kaplan et al. 2020): every parameter except the token and position embeddings.
 * With the tied head the output projection adds nothing, so exactly
 *   N = n_layer * (12 d^2 + 13 d) + 2 d
 * (per block: qkv 3d^2+3d, attn proj d^2+d, fc 4d^2+4d, fc proj 4d^2+d, two LayerNorms 4d;
 *  plus the final LayerNorm 2d).  Kaplan's 12 n_layer d^2 is the leading term.
 *
 * Memory: parameters, gradients and the two AdamW moments are four equally laid out
 * buffers (one allocation each); activations for (B, T) are one allocation with named
 * views.  Attention keeps, per layer, only the softmax probabilities P (B, H, T, T) that
 * backward needs (scores are computed into P in place); the backward's dP/dS share one
 * (T, T) scratch.  Attention works in 8-row causal blocks, skipping the 16-column chunks
 * above the diagonal.  The blocks run over tiles of ~256 rows (whole sequences) so that
 * a tile's intermediates stay in cache.
 *
 * Determinism: with the same seed, inputs and thread count, every call produces bitwise
 * identical results (no atomics; every reduction has a fixed order).
 *
 * A model is NOT thread-safe: one model per thread of control. */
#ifndef XFERLAW_NN_H
#define XFERLAW_NN_H

#include "xferlaw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xl_nn_config {
    int vocab_size;   /* V, <= 65536 (token ids are uint16) */
    int ctx;          /* maximum sequence length (size of the position embedding) */
    int n_layer;      /* L */
    int n_head;       /* H; d_model must be a multiple of it */
    int d_model;      /* C */
} xl_nn_config;

/* Check ranges and divisibility; the message names the field ("n_head", ...). */
int xl_nn_config_check(const xl_nn_config *cfg, xl_error *err);
/* Kaplan's N, exactly (see the formula above). */
uint64_t xl_nn_n_params_nonembedding(const xl_nn_config *cfg);
/* Every parameter, embeddings included: N + V*C + ctx*C. */
uint64_t xl_nn_n_params_total(const xl_nn_config *cfg);
/* Training FLOPs per token for sequences of length T, forward + backward, Kaplan's
 * convention: 6*N + 6*L*T*C (attention scores and mixing over the causal half) plus
 * 6*V*C for the tied head matmul (Kaplan leave it out with the embeddings; it is real
 * work here and dominates small models).  Attention computes whole 16-column chunks
 * along the diagonal (about 56% of the square at T = 128, against the causal half), so
 * the actual work is somewhat higher: this count never flatters the hardware. */
double xl_nn_flops_per_token(const xl_nn_config *cfg, int T);

typedef struct xl_nn_model xl_nn_model;

/* Allocate a model whose activations fit batches of up to max_B sequences of up to
 * max_T <= cfg->ctx tokens.  Parameters start at zero: call xl_nn_init or load. */
int xl_nn_alloc(const xl_nn_config *cfg, int max_B, int max_T, xl_nn_model **out,
                xl_error *err);
void xl_nn_free(xl_nn_model *m);
const xl_nn_config *xl_nn_get_config(const xl_nn_model *m);
/* Bytes held by the model (parameters, gradients, moments, activations, scratch). */
size_t xl_nn_memory_bytes(const xl_nn_model *m);

/* GPT-2 initialisation from a seed: Linear and embedding weights ~ N(0, 0.02), the two
 * residual projections (attn proj, fc proj) ~ N(0, 0.02 / sqrt(2 L)), biases 0,
 * LayerNorm weight 1, bias 0.  Also zeroes gradients and AdamW moments. */
void xl_nn_init(xl_nn_model *m, uint64_t seed);

/* Number of OpenBLAS threads (0 = all cores); the model's token-wise loops (LayerNorm,
 * GELU, softmax, AdamW) run on the calling thread.  Results are deterministic for a
 * given thread count. */
void xl_nn_set_threads(int n_threads);
/* The BLAS under the matmuls: OpenBLAS's build string ("OpenBLAS 0.3.21 ... DYNAMIC_ARCH
 * ...") and the kernel family it runs on this CPU ("Cooperlake", "Haswell", ...): its own
 * detection, or whatever OPENBLAS_CORETYPE forces.  Curves are bitwise reproducible only
 * for the same kernel family and thread count, and sgemm speed differs ~2x between an
 * AVX-512 and an AVX2 family on the same machine, so run records name it. */
const char *xl_nn_blas_config(void);
const char *xl_nn_blas_core(void);
/* The threads OpenBLAS runs with: what xl_nn_set_threads set (its 0 = the core count). */
int xl_nn_blas_threads(void);

/* Forward pass over inputs[B*T] (row-major (B, T) token ids).
 *  - targets[B*T] given (training): *loss = mean cross-entropy over the B*T positions
 *    (nats), and the state is ready for xl_nn_backward.  The head's own backward runs
 *    here, chunk by chunk while its logits are in cache (no (B*T, V) buffer), so this
 *    costs forward + the head's backward; for evaluation use xl_nn_loss.
 *  - targets NULL: *loss (may be NULL) is set to 0; xl_nn_logits gives the logits of
 *    every position (a (max_B, max_T, V) buffer allocated on first use).  For greedy
 *    decoding of a prefix of length T (<= max_T) call with B = 1 and read row T-1: it
 *    costs a full forward over the prefix (no KV cache), about 2*N*T + 2*V*C*T FLOPs
 *    per generated token.
 * Errors: B > max_B, T > max_T, a token id >= V. */
int xl_nn_forward(xl_nn_model *m, const uint16_t *inputs, const uint16_t *targets,
                  int B, int T, float *loss, xl_error *err);
/* Evaluation: the mean loss only (forward, no gradient work; xl_nn_backward is refused
 * until the next training forward).  Same errors as xl_nn_forward. */
int xl_nn_loss(xl_nn_model *m, const uint16_t *inputs, const uint16_t *targets, int B,
               int T, float *loss, xl_error *err);
/* (B, T, V) row-major logits of the last forward without targets. */
const float *xl_nn_logits(const xl_nn_model *m);

/* Backward of the last forward with targets: ADDS d(mean loss)/d(param) into the
 * gradients (call xl_nn_zero_grad first; several calls accumulate, e.g. micro-batches,
 * in which case scale the lr or the loss yourself). */
int xl_nn_backward(xl_nn_model *m, xl_error *err);
void xl_nn_zero_grad(xl_nn_model *m);
/* Global L2 norm of the trainable gradients; if max_norm > 0 and the norm exceeds it,
 * scale those gradients by max_norm / norm.  Returns the norm before clipping. */
float xl_nn_clip_grad(xl_nn_model *m, float max_norm);
/* One AdamW step (decoupled weight decay, PyTorch semantics) on the trainable
 * parameters; weight decay applies only to 2-D weights (wte, wpe and the four Linear
 * weights), never to biases or LayerNorms.  step counts from 1 (bias correction). */
void xl_nn_adamw_step(xl_nn_model *m, float lr, float beta1, float beta2, float eps,
                      float weight_decay, long step);
/* xl_nn_clip_grad then xl_nn_adamw_step (the same results), in one pass over the
 * parameters that also zeroes the gradients (the next xl_nn_zero_grad is free).
 * Returns the norm before clipping. */
float xl_nn_clip_adamw_step(xl_nn_model *m, float max_norm, float lr, float beta1,
                            float beta2, float eps, float weight_decay, long step);

/* ---- trainable mask (partial fine-tuning) -------------------------------------------
 * "all"      every parameter
 * "ln"       every LayerNorm weight and bias (both per block, and the final one)
 * "head"     the tied embedding/unembedding matrix wte (the only head there is)
 * "ln+head"  union of the two
 * "bias"     every bias vector: Linear biases and LayerNorm biases
 * Parameters outside the mask receive no update (their moments stay 0), do not enter
 * the clipping norm, and their gradients are not computed (they stay 0; skipping the
 * weight-gradient sgemms made "ln" and "bias" steps 1.37x faster at N = 1M).
 * Default "all". */
int xl_nn_set_trainable(xl_nn_model *m, const char *spec, xl_error *err);
const char *xl_nn_get_trainable(const xl_nn_model *m);
uint64_t xl_nn_n_trainable(const xl_nn_model *m);
/* n_trainable / n_params_total. */
double xl_nn_trainable_fraction(const xl_nn_model *m);

/* ---- dropout (GPT-2's embd_pdrop and resid_pdrop = p, attn_pdrop = attn_p) ------------
 * p on the embedding sum and on the output of every attention and MLP branch before it
 * joins the residual stream; attn_p on the attention probabilities.  Inverted: kept
 * entries are scaled by 1 / (1 - p), so evaluation needs no rescaling.  Only training
 * forwards (xl_nn_forward with targets, and the backward of one) drop; xl_nn_loss and
 * forwards without targets never do.  Masks are a pure function of the key set by
 * xl_nn_set_dropout_key (e.g. seed and step), the layer, the site and the position: the
 * backward recomputes them, and a forward repeated under the same key drops the same
 * entries (a resumed run replays its masks).  Default 0, 0: no dropout, the forward of a
 * model that never heard of it, bit for bit.  p, attn_p outside [0, 1) or NaN:
 * XL_EINVAL naming the field. */
int xl_nn_set_dropout(xl_nn_model *m, float p, float attn_p, xl_error *err);
void xl_nn_set_dropout_key(xl_nn_model *m, uint64_t seed, uint64_t step);

/* ---- parameter access (tests, tools) -------------------------------------------------
 * Tensors in storage order: wte (V,C), wpe (ctx,C), ln1w (L,C), ln1b (L,C),
 * qkvw (L,3C,C), qkvb (L,3C), attprojw (L,C,C), attprojb (L,C), ln2w (L,C), ln2b (L,C),
 * fcw (L,4C,C), fcb (L,4C), fcprojw (L,C,4C), fcprojb (L,C), lnfw (C), lnfb (C).
 * Linear weights are (out, in) like torch.nn.Linear.weight; qkv rows are q, then k,
 * then v, each split into heads of C/H consecutive rows. */
enum { XL_NN_N_TENSORS = 16 };
typedef struct xl_nn_tensor {
    const char *name;   /* "wte", "qkvw", ... */
    float *data;        /* parameter values */
    float *grad;        /* gradient */
    size_t size;        /* number of floats (all layers for per-layer tensors) */
} xl_nn_tensor;
xl_nn_tensor xl_nn_get_tensor(xl_nn_model *m, int i);
/* All parameters as one contiguous array (storage order above). */
float *xl_nn_params(xl_nn_model *m);
float *xl_nn_grads(xl_nn_model *m);
size_t xl_nn_n_floats(const xl_nn_model *m);

/* ---- checkpoints ---------------------------------------------------------------------
 * Little-endian binary: a 256-byte header
 *   "XLNNCKPT" magic (8 bytes), uint32 version (=1), uint32 flags (bit 0: AdamW moments
 *   present), int32 vocab_size, ctx, n_layer, n_head, d_model, int64 step,
 *   char tokenizer_id[65], uint64 n_floats, uint64 extra_bytes, zero padding
 * then n_floats float32 parameters, [n_floats m, n_floats v], extra_bytes of caller
 * data (e.g. the training loop's JSON state), and a trailing uint64 FNV-1a hash of
 * everything before it.  Written atomically (temp file + rename).
 * Refused with XL_EFORMAT: foreign file ("not an xferlaw checkpoint"), other version,
 * truncated or corrupted file (size/hash), config or tokenizer not matching. */
typedef struct xl_nn_checkpoint_header {
    uint32_t version;
    int has_optimizer;
    xl_nn_config cfg;
    long step;
    char tokenizer_id[65];
    uint64_t n_floats;
    uint64_t extra_bytes;
} xl_nn_checkpoint_header;

/* extra may be NULL (n_extra 0).  with_optimizer stores the AdamW moments (for resume). */
int xl_nn_checkpoint_save(const xl_nn_model *m, const char *path, const char *tokenizer_id,
                          long step, int with_optimizer, const void *extra, size_t n_extra,
                          xl_error *err);
/* Read and validate the header only (magic, version, sizes against the file length). */
int xl_nn_checkpoint_read_header(const char *path, xl_nn_checkpoint_header *hdr,
                                 xl_error *err);
/* Load into a model allocated with the same config (else XL_EFORMAT naming the field).
 * tokenizer_id: if non-NULL it must equal the stored one.  load_optimizer: restore the
 * AdamW moments (error if the file has none); otherwise moments are zeroed (fresh
 * optimizer, as for fine-tuning).  Gradients are zeroed.  hdr and extra (malloc'ed,
 * NUL-terminated, *n_extra bytes) may be NULL. */
int xl_nn_checkpoint_load(xl_nn_model *m, const char *path, const char *tokenizer_id,
                          int load_optimizer, xl_nn_checkpoint_header *hdr, char **extra,
                          size_t *n_extra, xl_error *err);

#ifdef __cplusplus
}
#endif
#endif
