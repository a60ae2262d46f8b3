/* Noisy planted recovery: for every named law, in T seeded trials (multiplicative log-normal
 * noise, sigma 0.02), the planted values must fall inside the bootstrap 95% intervals
 * (B = 200): in at least 90% of (trial, parameter) pairs of the law, and for every single
 * parameter in at least 85% of the trials.  (A per-parameter 90-of-100 floor would fail by
 * chance: at a true coverage of 94%, P(fewer than 90 of 100) is about 7% per parameter.)
 * usage: test_fit_coverage [TRIALS [LAW [SIGMA [B]]]] (default 100 trials, every law, 0.02, 200) */
#include "../xl_test.h"
#include "planted.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int trials = argc > 1 ? atoi(argv[1]) : 100;
    const char *only = argc > 2 ? argv[2] : NULL;
    double sigma = argc > 3 ? atof(argv[3]) : 0.02;
    int B = argc > 4 ? atoi(argv[4]) : 200;
    for (size_t l = 0; l < N_PLANTED; l++) {
        const planted *p = &PLANTED[l];
        if (only && strcmp(only, p->law) != 0)
            continue;
        double t0 = xl_now();
        int hit[12] = {0}, done = 0;
        size_t n = strncmp(p->law, "bnsl", 4) == 0 ? 120 : 100;
        for (int t = 0; t < trials; t++) {
            xl_rng rng;
            xl_rng_seed_stream(&rng, 2024, (uint64_t)(l * 1000 + (size_t)t));
            double *cols[3];
            planted_data(p, n, sigma, &rng, cols);
            const double *cc[3] = {cols[0], cols[1], cols[2]};
            xl_fit_options o;
            xl_fit_options_init(&o);
            o.law = p->law;
            o.y = p->cols[p->n_cols];
            o.bootstrap = (size_t)B;
            o.seed = (uint64_t)t + 1;
            /* the law's grid when small; chinchilla's 4,500 would cost 100x more, and
               24 random starts in its box find the noisy optimum near the truth */
            o.n_starts = strcmp(p->law, "chinchilla") == 0 ? 24 : 0;
            xl_fit_result *r = NULL;
            xl_error err;
            if (xl_fit_arrays(n, p->n_cols + 1, p->cols, cc, &o, &r, &err) == 0) {
                done++;
                for (size_t k = 0; k < p->n_params; k++) {
                    const xl_fit_param *fp = xl_fit_param_get(r, p->names[k]);
                    hit[k] += fp->ci_lo <= p->truth[k] && p->truth[k] <= fp->ci_hi;
                }
            } else {
                fprintf(stderr, "%s trial %d: %s\n", p->law, t, err.msg);
            }
            xl_fit_result_free(r);
            planted_free(p, cols);
        }
        printf("%-13s %d trials (%.1fs):", p->law, trials, xl_now() - t0);
        for (size_t k = 0; k < p->n_params; k++)
            printf(" %s %d", p->names[k], hit[k]);
        printf("\n");
        CHECK_MSG(done == trials, "%s: %d of %d fits failed", p->law, trials - done, trials);
        int pooled = 0;
        for (size_t k = 0; k < p->n_params; k++) {
            pooled += hit[k];
            CHECK_MSG(hit[k] * 100 >= trials * 85, "%s: %s covered in %d of %d trials", p->law,
                      p->names[k], hit[k], trials);
        }
        CHECK_MSG(pooled * 10 >= trials * (int)p->n_params * 9, "%s: pooled coverage %d of %d",
                  p->law, pooled, trials * (int)p->n_params);
    }
    TEST_MAIN_END();
}
