/* Interval coverage on planted data (not a test: a measurement, run by hand):
 *   ninja -C build tests/transfer/transfer_coverage && build/tests/transfer/transfer_coverage 40
 * For SEEDS planted data sets (text->python law, 0.3% noise), how often each estimator's
 * 95% interval holds the planted alpha = 0.18 and beta = 0.38. */
#include "xferlaw/transfer.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int seeds = argc > 1 ? atoi(argv[1]) : 40;
    const char *names[4] = {"log-linear interp", "log-linear fit", "fit the fits", "loss space"};
    int cov_a[4] = {0}, cov_b[4] = {0}, n_ok[4] = {0};
    double width_a[4] = {0}, width_b[4] = {0};
    for (int s = 1; s <= seeds; s++) {
        xl_planted_spec sp;
        xl_planted_default(&sp);
        sp.seed = (uint64_t)s * 1000 + 17;
        xl_xfer_runs *runs;
        xl_error err;
        if (xl_planted_generate(&sp, &runs, &err))
            return 1;
        xl_xfer_opts o;
        xl_xfer_opts_default(&o);
        o.no_progress = 1;
        o.bootstrap = 200;
        o.seed = (uint64_t)s;
        xl_transfer_result *r;
        if (xl_transfer_analyze(runs, &o, &r, &err))
            return 1;
        const xl_curriculum_result *c = &r->cur[0];
        const xl_param *a[4] = {&c->law[0].alpha, &c->law[1].alpha, &c->ff.alpha, &c->loss_fit.alpha};
        const xl_param *b[4] = {&c->law[0].beta, &c->law[1].beta, &c->ff.beta, &c->loss_fit.beta};
        int ok[4] = {c->law[0].ok, c->law[1].ok, c->ff.ok, c->loss_fit.ok};
        for (int e = 0; e < 4; e++) {
            if (!ok[e])
                continue;
            n_ok[e]++;
            cov_a[e] += a[e]->lo <= 0.18 && 0.18 <= a[e]->hi;
            cov_b[e] += b[e]->lo <= 0.38 && 0.38 <= b[e]->hi;
            width_a[e] += a[e]->hi - a[e]->lo;
            width_b[e] += b[e]->hi - b[e]->lo;
        }
        xl_transfer_result_free(r);
        xl_xfer_runs_free(runs);
    }
    printf("%-18s %5s %12s %12s %12s %12s\n", "estimator", "fits", "alpha cover", "beta cover",
           "alpha width", "beta width");
    for (int e = 0; e < 4; e++)
        printf("%-18s %5d %11.0f%% %11.0f%% %12.4f %12.4f\n", names[e], n_ok[e],
               100.0 * cov_a[e] / n_ok[e], 100.0 * cov_b[e] / n_ok[e], width_a[e] / n_ok[e],
               width_b[e] / n_ok[e]);
    return 0;
}
