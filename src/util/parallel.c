/* A dynamic parallel-for over pthreads: multi-start fits and bootstrap refits
 * have uneven item costs, so items are claimed one at a time. */
#include "xferlaw/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

int xl_num_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

typedef struct {
    size_t n;
    size_t next;
    xl_parallel_fn fn;
    void *ctx;
} pool_state;

typedef struct {
    pool_state *st;
    int worker;
} worker_arg;

static void *worker_main(void *a)
{
    worker_arg *wa = a;
    pool_state *st = wa->st;
    for (;;) {
        size_t i = __atomic_fetch_add(&st->next, 1, __ATOMIC_RELAXED);
        if (i >= st->n)
            break;
        st->fn(st->ctx, i, wa->worker);
    }
    return NULL;
}

int xl_parallel_for(size_t n, int n_threads, xl_parallel_fn fn, void *ctx, xl_error *err)
{
    if (n_threads <= 0)
        n_threads = xl_num_cores();
    if ((size_t)n_threads > n)
        n_threads = n ? (int)n : 1;
    pool_state st = {n, 0, fn, ctx};
    if (n_threads == 1) {
        worker_arg wa = {&st, 0};
        worker_main(&wa);
        return XL_OK;
    }
    pthread_t *th = calloc((size_t)n_threads, sizeof *th);
    worker_arg *args = calloc((size_t)n_threads, sizeof *args);
    if (!th || !args) {
        free(th);
        free(args);
        return xl_error_set(err, XL_ENOMEM, "out of memory starting threads");
    }
    int started = 0;
    for (int w = 1; w < n_threads; w++) {
        args[w].st = &st;
        args[w].worker = w;
        if (pthread_create(&th[w], NULL, worker_main, &args[w]) != 0)
            break;
        started = w;
    }
    args[0].st = &st;
    args[0].worker = 0;
    worker_main(&args[0]);
    for (int w = 1; w <= started; w++)
        pthread_join(th[w], NULL);
    free(th);
    free(args);
    return XL_OK;
}
