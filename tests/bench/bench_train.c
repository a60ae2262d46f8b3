/* Benchmark driver for tests/bench/bench_train.sh: times forward + backward + clip +
 * AdamW steps of the nn module, and cblas_sgemm alone at the model's own shapes.
 * Usage: bench_train V T B L C H STEPS THREADS [TRAINABLE]   -> one JSON line on stdout */
#include "xferlaw/nn.h"

#include <cblas.h>
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static double cpu_seconds(void);

/* best of a few ~0.05 s bursts, GFLOP/s by CPU time (see cpu_seconds) */
static double sgemm_gflops(int M, int N, int K, int transb, double min_seconds)
{
    float *a = calloc((size_t)M * K, 4), *b = calloc((size_t)K * N, 4), *c = calloc((size_t)M * N, 4);
    for (size_t i = 0; i < (size_t)M * K; i++)
        a[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < (size_t)K * N; i++)
        b[i] = (float)(i % 5) * 0.1f;
    double best = 0.0;
    double t_end = xl_now() + min_seconds;
    do {
        double t0 = xl_now(), c0 = cpu_seconds();
        int reps = 0;
        do {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, transb ? CblasTrans : CblasNoTrans, M, N,
                        K, 1.0f, a, K, b, transb ? K : N, 0.0f, c, N);
            reps++;
        } while (xl_now() - t0 < 0.05);
        double g = 2.0 * M * N * K * reps / (cpu_seconds() - c0) / 1e9;
        if (g > best)
            best = g;
    } while (xl_now() < t_end);
    free(a);
    free(b);
    free(c);
    return best;
}

/* The core's own ceiling: independent FMA chains on the widest vectors it has, no memory
 * traffic.  No float32 matmul, OpenBLAS's or anyone's, can exceed it on one core. */
#define FMA_CHAINS 12
#define FMA_LOOP(vec, set1, fma, lanes)                                                    \
    vec acc[FMA_CHAINS], mul = set1(1.0000001f), add = set1(1e-8f);                        \
    for (int i = 0; i < FMA_CHAINS; i++)                                                   \
        acc[i] = set1((float)i);                                                           \
    for (long k = 0; k < iters; k++) {                                                     \
        /* unrolled, so that acc lives in registers (else: a store-forwarding chain) */    \
        _Pragma("GCC unroll 12") for (int i = 0; i < FMA_CHAINS; i++)                      \
            acc[i] = fma(acc[i], mul, add);                                                \
    }                                                                                      \
    float out[lanes], sum = 0.0f;                                                          \
    for (int i = 0; i < FMA_CHAINS; i++) {                                                 \
        memcpy(out, &acc[i], sizeof out);                                                  \
        for (int j = 0; j < lanes; j++)                                                    \
            sum += out[j];                                                                 \
    }                                                                                      \
    return sum
__attribute__((target("avx512f"))) static float fma_avx512(long iters)
{
    FMA_LOOP(__m512, _mm512_set1_ps, _mm512_fmadd_ps, 16);
}
__attribute__((target("avx2,fma"))) static float fma_avx2(long iters)
{
    FMA_LOOP(__m256, _mm256_set1_ps, _mm256_fmadd_ps, 8);
}

/* best of a few ~0.1 s bursts by CPU time; *isa names the vectors used */
static double fma_peak_gflops(const char **isa)
{
    int wide = __builtin_cpu_supports("avx512f");
    if (!wide && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
        *isa = "none";
        return 0.0;
    }
    *isa = wide ? "avx512" : "avx2";
    double lanes = wide ? 16 : 8, best = 0.0;
    long iters = 4000000;
    volatile float sink = 0.0f;
    for (int r = 0; r < 5; r++) {
        double c0 = cpu_seconds();
        sink += wide ? fma_avx512(iters) : fma_avx2(iters);
        double g = 2.0 * lanes * FMA_CHAINS * (double)iters / (cpu_seconds() - c0) / 1e9;
        if (g > best)
            best = g;
    }
    (void)sink;
    return best;
}

/* user + system seconds of the process: on a shared machine, time slices taken by
 * other processes do not count */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

int main(int argc, char **argv)
{
    if (argc != 9 && argc != 10) {
        fprintf(stderr, "usage: bench_train V T B L C H STEPS THREADS [TRAINABLE]\n");
        return 2;
    }
    int a[8];
    for (int i = 0; i < 8; i++)
        a[i] = atoi(argv[i + 1]);
    xl_nn_config cfg = {.vocab_size = a[0], .ctx = a[1], .n_layer = a[3], .n_head = a[5],
                        .d_model = a[4]};
    int T = a[1], B = a[2], steps = a[6], C = a[4];
    xl_nn_set_threads(a[7]);
    xl_error err;
    xl_nn_model *m;
    if (xl_nn_alloc(&cfg, B, T, &m, &err)) {
        fprintf(stderr, "bench_train: %s\n", err.msg);
        return 1;
    }
    xl_nn_init(m, 1);
    if (argc == 10 && xl_nn_set_trainable(m, argv[9], &err)) {
        fprintf(stderr, "bench_train: %s\n", err.msg);
        return 1;
    }
    uint16_t *in = malloc((size_t)B * T * 2), *tg = malloc((size_t)B * T * 2);
    xl_rng r;
    xl_rng_seed(&r, 2);
    for (int i = 0; i < B * T; i++) {
        in[i] = (uint16_t)xl_rng_below(&r, (uint64_t)cfg.vocab_size);
        tg[i] = (uint16_t)xl_rng_below(&r, (uint64_t)cfg.vocab_size);
    }
    float loss = 0.0f, first = 0.0f;
    double t0 = 0.0, cpu0 = 0.0;
    for (int s = -2; s < steps; s++) { /* two warm-up steps */
        if (s == 0) {
            t0 = xl_now();
            cpu0 = cpu_seconds();
        }
        xl_nn_forward(m, in, tg, B, T, &loss, &err);
        if (s == -2)
            first = loss;
        xl_nn_zero_grad(m);
        xl_nn_backward(m, &err);
        xl_nn_clip_adamw_step(m, 1.0f, 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, s + 3);
    }
    double dt = xl_now() - t0;
    double cpu = cpu_seconds() - cpu0;
    double tps = (double)B * T * steps / dt;
    double tpc = (double)B * T * steps / (cpu / (a[7] > 0 ? a[7] : 1));
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru); /* before the sgemm probes allocate their matrices */
    double fpt = xl_nn_flops_per_token(&cfg, T);
    int BT = B * T;
    /* sgemm alone at the shapes of the model's largest matmuls: the peak is the best of
     * those (a 1024^3 square is printed for reference only) */
    double g_fc = sgemm_gflops(BT, 4 * C, C, 1, 0.3);
    double g_head = sgemm_gflops(256, cfg.vocab_size, C, 1, 0.3);
    double g_sq = sgemm_gflops(1024, 1024, 1024, 0, 0.3);
    double peak = g_fc > g_head ? g_fc : g_head;
    const char *isa;
    double g_fma = fma_peak_gflops(&isa);
    printf("{\"impl\":\"xferlaw\",\"blas_core\":\"%s\",\"fma_isa\":\"%s\",\"fma_peak_gflops\":%.2f,\"N\":%llu,\"tokens_per_s\":%.1f,\"tokens_per_cpu_s\":%.1f,\"gflops_cpu\":%.2f,\"step_ms\":%.2f,"
           "\"flops_per_token\":%.0f,\"gflops\":%.2f,\"sgemm_fc_gflops\":%.2f,"
           "\"sgemm_head_gflops\":%.2f,\"sgemm_1024_gflops\":%.2f,\"sgemm_peak_gflops\":%.2f,"
           "\"maxrss_mb\":%.1f,\"model_mb\":%.1f,\"first_loss\":%.4f,\"last_loss\":%.4f}\n",
           xl_nn_blas_core(), isa, g_fma, (unsigned long long)xl_nn_n_params_nonembedding(&cfg), tps,
           tpc, tpc * fpt / 1e9, 1e3 * dt / steps, fpt,
           tps * fpt / 1e9, g_fc, g_head, g_sq, peak, ru.ru_maxrss / 1024.0,
           xl_nn_memory_bytes(m) / 1048576.0, first, loss);
    free(in);
    free(tg);
    xl_nn_free(m);
    return 0;
}
