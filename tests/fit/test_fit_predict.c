/* predict: intervals for the law's value at new points cover the planted truth at their
 * nominal 95% rate, from the bootstrap replicates and by the delta method, inside the
 * data and in extrapolation (10x beyond the largest x); JSON + replicates round trip.
 * usage: test_fit_predict [TRIALS [B]] (default 200, 200) */
#include "../xl_test.h"
#include "planted.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int trials = argc > 1 ? atoi(argv[1]) : 200, B = argc > 2 ? atoi(argv[2]) : 200;
    const char *laws[] = {"power", "power-offset"};
    for (size_t l = 0; l < 2; l++) {
        const planted *p = NULL;
        for (size_t q = 0; q < N_PLANTED; q++)
            if (strcmp(PLANTED[q].law, laws[l]) == 0)
                p = &PLANTED[q];
        double xs[2] = {pow(10, 0.5 * (p->lo[0] + p->hi[0])), pow(10, p->hi[0] + 1)};
        int cover[2][2] = {{0}}, done = 0;
        for (int t = 0; t < trials; t++) {
            xl_rng rng;
            xl_rng_seed_stream(&rng, 77, (uint64_t)(l * 10000 + (size_t)t));
            double *cols[3];
            size_t n = 20;
            planted_data(p, n, 0.05, &rng, cols);
            const double *cc[3] = {cols[0], cols[1], cols[2]};
            xl_fit_options o;
            xl_fit_options_init(&o);
            o.law = p->law;
            o.bootstrap = (size_t)B;
            o.seed = (uint64_t)t + 1;
            xl_fit_result *r = NULL;
            xl_error err;
            if (xl_fit_arrays(n, 2, p->cols, cc, &o, &r, &err) == 0) {
                done++;
                const double *x[1] = {xs};
                double v[2], lo[2], hi[2];
                const char *method;
                for (int m = 0; m < 2; m++) {
                    if (m == 1) {   /* the delta method: drop the replicates */
                        free(r->boot);
                        r->boot = NULL;
                    }
                    CHECK(xl_fit_predict(r, 2, x, 0.95, v, lo, hi, &method, &err) == 0);
                    CHECK(strcmp(method, m ? "delta" : "bootstrap") == 0);
                    for (int i = 0; i < 2; i++) {
                        double truth = planted_eval(p, &xs[i]);
                        cover[m][i] += lo[i] <= truth && truth <= hi[i];
                    }
                }
            }
            xl_fit_result_free(r);
            planted_free(p, cols);
        }
        printf("%-13s %d trials: bootstrap covers %d (inside) %d (10x beyond), delta %d %d\n",
               p->law, trials, cover[0][0], cover[0][1], cover[1][0], cover[1][1]);
        CHECK(done == trials);
        /* 95% nominal; binomial sd at 200 trials is 1.5%: accept 91% .. 98.5% */
        for (int m = 0; m < 2; m++)
            for (int i = 0; i < 2; i++)
                CHECK_MSG(cover[m][i] * 1000 >= trials * 910 && cover[m][i] * 1000 <= trials * 985,
                          "%s: %s covers %d of %d at x = %g", p->law, m ? "delta" : "bootstrap",
                          cover[m][i], trials, xs[i]);
    }
    /* the JSON keeps the covariance; replicates written and read back give the same band */
    const planted *p = &PLANTED[0];
    double *cols[3];
    xl_rng rng;
    xl_rng_seed(&rng, 3);
    planted_data(p, 20, 0.05, &rng, cols);
    const double *cc[3] = {cols[0], cols[1], cols[2]};
    xl_fit_options o;
    xl_fit_options_init(&o);
    o.law = "power";
    o.bootstrap = 100;
    xl_fit_result *r = NULL, *back = NULL;
    xl_error err;
    CHECK(xl_fit_arrays(20, 2, p->cols, cc, &o, &r, &err) == 0);
    char jp[] = "/tmp/xl_predict_XXXXXX", rp[] = "/tmp/xl_predict_XXXXXX";
    close(mkstemp(jp));
    close(mkstemp(rp));
    CHECK(xl_fit_result_save(r, jp, &err) == 0 && xl_fit_write_replicates(r, rp, &err) == 0);
    CHECK(xl_fit_result_load(jp, &back, &err) == 0);
    if (r && back) {
        double x0 = 1e6, v[2], lo[2], hi[2];
        const double *x[1] = {&x0};
        const char *m1, *m2;
        CHECK(xl_fit_predict(back, 1, x, 0.95, v, lo, hi, &m1, &err) == 0);   /* delta */
        CHECK(strcmp(m1, "delta") == 0);
        CHECK(xl_fit_read_replicates(back, rp, &err) == 0);
        CHECK(xl_fit_predict(back, 1, x, 0.95, v + 1, lo + 1, hi + 1, &m2, &err) == 0);
        CHECK(strcmp(m2, "bootstrap") == 0);
        double v3, lo3, hi3;
        CHECK(xl_fit_predict(r, 1, x, 0.95, &v3, &lo3, &hi3, &m2, &err) == 0);
        CHECK_REL(lo[1], lo3, 1e-12);
        CHECK_REL(hi[1], hi3, 1e-12);
        CHECK_REL(xl_fit_result_covariance(back, 0, 1), xl_fit_result_covariance(r, 0, 1), 1e-12);
        CHECK(lo[0] < v[0] && v[0] < hi[0]);
    }
    unlink(jp);
    unlink(rp);
    xl_fit_result_free(r);
    xl_fit_result_free(back);
    planted_free(p, cols);
    TEST_MAIN_END();
}
