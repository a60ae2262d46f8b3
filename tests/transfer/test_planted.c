/* Planted-parameter recovery: Kaplan scratch losses (aN=0.076, aD=0.103, Nc=6.4e13,
 * Dc=1.8e13), fine-tuned losses from D_T = 1.9e4 D_F^0.18 N^0.38, 0.3% noise.  Every
 * estimator must put the planted alpha and beta inside its 95% interval; the comparison
 * of two curricula with equal beta and different alpha must see only the alpha gap. */
#include "xferlaw/transfer.h"
#include "xl_test.h"

#include <stdlib.h>

static void check_in(const char *what, const xl_param *p, double truth)
{
    printf("  %-22s %10.4g  se %9.3g  [%9.4g, %9.4g]  planted %g\n", what, p->value, p->se,
           p->lo, p->hi, truth);
    CHECK_MSG(p->lo <= truth && truth <= p->hi, "%s: %g not in [%g, %g]", what, truth, p->lo,
              p->hi);
    /* an interval that covers everything proves nothing */
    CHECK_MSG(p->hi - p->lo < 0.5 * truth, "%s: interval too wide [%g, %g]", what, p->lo, p->hi);
}

static void test_recovery(uint64_t seed)
{
    xl_planted_spec s;
    xl_planted_default(&s);
    s.seed = seed;
    xl_xfer_runs *runs;
    xl_error err;
    xl_error_clear(&err);
    CHECK(xl_planted_generate(&s, &runs, &err) == 0);
    xl_xfer_opts o;
    xl_xfer_opts_default(&o);
    o.no_progress = 1;
    o.seed = seed;
    xl_transfer_result *r;
    int rc = xl_transfer_analyze(runs, &o, &r, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    if (rc)
        return;
    printf("seed %llu: %zu runs, %zu fine-tuned\n", (unsigned long long)seed, runs->n, r->n_est);
    CHECK(r->scratch->kap_ok);
    CHECK_REL(r->scratch->kap.aD, 0.103, 0.05);
    CHECK_REL(r->scratch->kap.aN, 0.076, 0.05);
    CHECK(r->n_curricula == 1);
    xl_curriculum_result *cr = &r->cur[0];
    for (int e = 0; e < XL_N_EST; e++) {
        char w[64];
        CHECK(cr->law[e].ok && cr->law[e].n >= 30);
        snprintf(w, sizeof w, "law[%s] alpha", xl_estimator_name(e));
        check_in(w, &cr->law[e].alpha, 0.18);
        snprintf(w, sizeof w, "law[%s] beta", xl_estimator_name(e));
        check_in(w, &cr->law[e].beta, 0.38);
    }
    CHECK(cr->ff.ok && cr->ff.n_groups >= 5);
    check_in("fit-the-fits alpha", &cr->ff.alpha, 0.18);
    check_in("fit-the-fits beta", &cr->ff.beta, 0.38);
    CHECK(cr->loss_fit.ok);
    check_in("loss-space alpha", &cr->loss_fit.alpha, 0.18);
    check_in("loss-space beta", &cr->loss_fit.beta, 0.38);
    CHECK(cr->loss_fit.k.lo < 1.9e4 && 1.9e4 < cr->loss_fit.k.hi);
    xl_transfer_result_free(r);
    xl_xfer_runs_free(runs);
}

static void test_compare(uint64_t seed)
{
    xl_planted_spec s;
    xl_planted_default(&s);
    s.n_curricula = 2;
    s.curricula[0] = (xl_planted_curriculum){"text", 1.9e4, 0.18, 0.38};
    s.curricula[1] = (xl_planted_curriculum){"mix", 2.1e5, 0.096, 0.38};
    s.seed = seed;
    xl_xfer_runs *runs;
    xl_error err;
    xl_error_clear(&err);
    CHECK(xl_planted_generate(&s, &runs, &err) == 0);
    xl_xfer_opts o;
    xl_xfer_opts_default(&o);
    o.no_progress = 1;
    o.bootstrap = 200;
    o.seed = seed;
    o.n_at = 1;
    o.at_N[0] = 1e7;
    o.at_DF[0] = 1e6;
    xl_transfer_result *r;
    int rc = xl_transfer_analyze(runs, &o, &r, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    if (rc)
        return;
    CHECK(r->n_curricula == 2 && r->compare_ok && r->compare_loss_ok);
    printf("compare, seed %llu\n", (unsigned long long)seed);
    for (int t = 0; t < 3; t++)
        printf("  D_T space  %-10s F=%.3g (%g, %g) p=%.3g\n", r->tests[t].what, r->tests[t].F,
               r->tests[t].df1, r->tests[t].df2, r->tests[t].p);
    for (int t = 0; t < 3; t++)
        printf("  loss space %-10s F=%.3g (%g, %g) p=%.3g\n", r->tests_loss[t].what,
               r->tests_loss[t].F, r->tests_loss[t].df1, r->tests_loss[t].df2, r->tests_loss[t].p);
    CHECK_MSG(r->tests[0].p > 0.05, "beta planted equal, p = %g", r->tests[0].p);
    CHECK_MSG(r->tests[1].p < 0.05, "alpha planted different, p = %g", r->tests[1].p);
    CHECK_MSG(r->tests_loss[0].p > 0.05, "beta planted equal (loss space), p = %g", r->tests_loss[0].p);
    CHECK_MSG(r->tests_loss[1].p < 0.05, "alpha planted different (loss space), p = %g", r->tests_loss[1].p);
    CHECK_REL(r->shared_beta, 0.38, 0.05);
    CHECK_REL(r->shared_beta_loss, 0.38, 0.05);
    /* planted multipliers at N=1e7, D_F=1e6: 1 + k D_F^(a-1) N^b */
    for (size_t c = 0; c < 2; c++) {
        const xl_planted_curriculum *pc = !strcmp(r->cur[c].name, "text") ? &s.curricula[0]
                                                                           : &s.curricula[1];
        double truth = 1 + pc->k * pow(1e6, pc->alpha - 1) * pow(1e7, pc->beta);
        printf("  %s multiplier %.3g [%.3g, %.3g] planted %.3g\n", r->cur[c].name,
               r->cur[c].at_mult[0], r->cur[c].at_mult_lo[0], r->cur[c].at_mult_hi[0], truth);
        CHECK(r->cur[c].at_mult_lo[0] <= truth && truth <= r->cur[c].at_mult_hi[0]);
    }
    xl_transfer_result_free(r);
    xl_xfer_runs_free(runs);
}

int main(void)
{
    test_recovery(1);
    test_recovery(2);
    test_compare(1);
    test_compare(7);
    TEST_MAIN_END();
}
