/* api: the handle accessors return what the structs hold (planted fit and planted transfer
 * table), options by name, tables from columns, predict, exact error messages. */
#include "../xl_test.h"
#include "xferlaw/api.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

/* loss = 2 + 400 / N^0.3 exactly: a noise-free power-offset law. */
static xl_table *planted_table(size_t n, int hole, xl_error *e)
{
    double *N = calloc(n, sizeof *N), *L = calloc(n, sizeof *L);
    const char **tag = calloc(n, sizeof *tag);
    for (size_t i = 0; i < n; i++) {
        N[i] = pow(10, 6 + 3.0 * (double)i / (double)(n - 1));
        L[i] = 2 + 400 / pow(N[i], 0.3);
        tag[i] = i % 2 ? "odd" : NULL;
    }
    if (hole)
        L[2] = NAN;
    const char *names[3] = {"N", "loss", "tag"};
    const double *num[3] = {N, L, NULL};
    const char *const *text[3] = {NULL, NULL, tag};
    xl_table *t = xl_table_from_columns("data", n, 3, names, num, text, e);
    free(N);
    free(L);
    free(tag);
    return t;
}

static void test_fit(void)
{
    xl_error *e = xl_error_alloc();
    xl_table *t = planted_table(40, 0, e);
    CHECK_MSG(t != NULL, "%s", xl_error_message(e));
    if (!t) { xl_error_free(e); return; }
    CHECK(xl_table_nrows(t) == 40 && xl_table_ncols(t) == 3);
    CHECK(!strcmp(xl_table_col_name(t, 2), "tag") && xl_table_col_name(t, 3) == NULL);
    CHECK(t->is_numeric[0] && t->is_numeric[1] && !t->is_numeric[2]);
    xl_fit_options *o = xl_fit_options_alloc(e);
    char law[] = "E + A/N^alpha";          /* the options keep their own copy */
    CHECK(xl_fit_options_set(o, "law", law, e) == 0);
    law[0] = 'X';
    CHECK(xl_fit_options_set(o, "max_iter", "300", e) == 0 && o->max_iter == 300);
    CHECK(xl_fit_options_set(o, "bound", "alpha=0:1", e) == 0);
    CHECK(xl_fit_options_set(o, "starts", "-1", e) == XL_EINVAL);
    CHECK(!strcmp(xl_error_message(e), "starts '-1': expected an integer >= 0"));
    CHECK(xl_fit_options_set(o, "bootstrp", "4", e) == XL_EINVAL);
    CHECK_STR_CONTAINS(xl_error_message(e), "unknown fit option 'bootstrp'");
    xl_fit_result *r = NULL;
    int rc = xl_fit_table(t, o, &r, e);
    CHECK_MSG(rc == 0, "%s", xl_error_message(e));
    if (!rc) {
        CHECK(xl_fit_result_nparams(r) == 3);
        for (size_t i = 0; i < r->n_params; i++) {
            CHECK(!strcmp(xl_fit_result_param_name(r, i), r->params[i].name));
            CHECK(xl_fit_result_param_value(r, i) == r->params[i].value);
            CHECK(isnan(xl_fit_result_param_se(r, i)) == isnan(r->params[i].se));
            double lo, hi;
            CHECK(xl_fit_result_param_ci(r, i, &lo, &hi, e) == 0 && isnan(lo) && isnan(hi));
        }
        CHECK_REL(xl_fit_result_param_value(r, (size_t)xl_fit_param_index(r, "alpha")), 0.3, 1e-6);
        CHECK_REL(xl_fit_result_param_value(r, (size_t)xl_fit_param_index(r, "E")), 2, 1e-6);
        CHECK(xl_fit_result_param_name(r, 3) == NULL && isnan(xl_fit_result_param_value(r, 3)));
        double v, lo, hi;
        CHECK(xl_fit_result_param_ci(r, 3, &lo, &hi, e) == XL_EINVAL);
        CHECK(!strcmp(xl_error_message(e), "parameter index 3 out of range (3 parameters)"));
        CHECK(xl_fit_result_number(r, "objective", &v, e) == 0 && v == r->objective);
        CHECK(xl_fit_result_number(r, "n", &v, e) == 0 && v == 40);
        CHECK(xl_fit_result_number(r, "r2", &v, e) == 0 && v == r->diag.r2);
        CHECK(xl_fit_result_number(r, "rmse_log", &v, e) == 0 && v < 1e-8);
        CHECK(xl_fit_result_number(r, "r3", &v, e) == XL_EINVAL && isnan(v));
        CHECK(!strcmp(xl_error_message(e), "fit result has no number 'r3'"));
        CHECK(!strcmp(xl_fit_result_string(r, "formula"), "E + A/N^alpha"));
        CHECK(!strcmp(xl_fit_result_string(r, "loss"), "lsq"));
        CHECK(!strcmp(xl_fit_result_string(r, "input_path"), "data"));
        CHECK(xl_fit_result_string(r, "nope") == NULL);
        CHECK(xl_fit_result_ncolumns(r) == 1 && !strcmp(xl_fit_result_column(r, 0), "N"));
        /* predict by column name, extra columns ignored, a missing one named */
        double x[2] = {1e7, 3e8}, z[2] = {0, 0}, out[2];
        const char *names[2] = {"D", "N"};
        const double *cols[2] = {z, x};
        CHECK(xl_fit_result_predict(r, 2, 2, names, cols, out, e) == 0);
        CHECK_REL(out[0], 2 + 400 / pow(1e7, 0.3), 1e-6);
        CHECK(out[1] == xl_fit_eval(r, &x[1], NULL));
        CHECK(xl_fit_result_predict(r, 2, 1, names, cols, out, e) == XL_EINVAL);
        CHECK(!strcmp(xl_error_message(e), "predict: no column 'N' (the law needs N)"));
        double y[40], pred[40];
        int held[40];
        xl_fit_result_rows(r, y, pred, NULL, held);
        CHECK(y[5] == r->row_y[5] && pred[5] == r->row_pred[5] && held[5] == 0);
        char *js = xl_fit_result_json(r);
        cJSON *j = cJSON_Parse(js);
        CHECK(j && cJSON_GetObjectItem(j, "params") && cJSON_GetObjectItem(j, "diagnostics"));
        cJSON_Delete(j);
        xl_free(js);
    }
    xl_fit_result_free(r);
    xl_table_free(t);
    /* a NaN number is an empty cell, named by row */
    t = planted_table(10, 1, e);
    CHECK(t && xl_fit_table(t, o, &r, e) == XL_EINVAL);
    CHECK(!strcmp(xl_error_message(e), "data:3: field 'loss': empty cell"));
    xl_table_free(t);
    /* a bad law: the library's one-line message */
    CHECK(xl_fit_options_set(o, "law", "E + A/N^", e) == 0);
    t = planted_table(10, 0, e);
    CHECK(xl_fit_table(t, o, &r, e) != 0 && xl_error_code(e) != 0);
    CHECK_STR_CONTAINS(xl_error_message(e), "E + A/N^");
    xl_table_free(t);
    const char *nm[1] = {"N"};
    CHECK(xl_table_from_columns("x", 1, 1, nm, NULL, NULL, e) == NULL);
    CHECK(!strcmp(xl_error_message(e), "column 'N': neither numbers nor text given"));
    xl_fit_options_free(o);
    xl_error_free(e);
}

static void test_transfer(void)
{
    xl_error *e = xl_error_alloc();
    xl_planted_spec s;
    xl_planted_default(&s);
    xl_xfer_runs *runs = NULL;
    CHECK(xl_planted_generate(&s, &runs, e) == 0);
    xl_xfer_opts *o = xl_xfer_opts_alloc(e);
    CHECK(xl_xfer_opts_set(o, "bootstrap", "0", e) == 0 && o->bootstrap == 0);
    CHECK(xl_xfer_opts_set(o, "low_data", "0.1", e) == 0);
    CHECK(xl_xfer_opts_set(o, "disagree", "0.5", e) == XL_EINVAL);
    CHECK(!strcmp(xl_error_message(e), "disagree needs a number in [1, inf], got '0.5'"));
    CHECK(xl_xfer_opts_set(o, "estimator", "both", e) == XL_EINVAL);
    xl_transfer_result *r = NULL;
    int rc = runs ? xl_transfer_analyze(runs, o, &r, e) : 1;
    CHECK_MSG(rc == 0, "%s", xl_error_message(e));
    if (!rc) {
        CHECK(xl_transfer_result_ncurricula(r) == r->n_curricula && r->n_curricula >= 1);
        for (size_t c = 0; c < r->n_curricula; c++) {
            CHECK(!strcmp(xl_transfer_result_curriculum(r, c), r->cur[c].name));
            double v, se, lo, hi;
            int ok;
            CHECK(xl_transfer_result_param(r, c, "loglinear_interp", "alpha", &v, &se, &lo, &hi,
                                           &ok, e) == 0);
            CHECK(ok == r->cur[c].law[0].ok && v == r->cur[c].law[0].alpha.value &&
                  se == r->cur[c].law[0].alpha.se && hi == r->cur[c].law[0].alpha.hi);
            CHECK(xl_transfer_result_param(r, c, "fit_the_fits", "beta", &v, NULL, NULL, NULL,
                                           NULL, e) == 0);
            CHECK(!r->cur[c].ff.ok || v == r->cur[c].ff.beta.value);
        }
        /* the planted text->python curriculum: alpha 0.18 (Hernandez et al.) */
        double alpha;
        CHECK(xl_transfer_result_param(r, 0, "loss_space", "alpha", &alpha, NULL, NULL, NULL,
                                       NULL, e) == 0);
        CHECK_NEAR(alpha, s.curricula[0].alpha, 0.05);
        CHECK(xl_transfer_result_param(r, 0, "loglinear", "k", NULL, NULL, NULL, NULL, NULL,
                                       e) == XL_EINVAL);
        CHECK_STR_CONTAINS(xl_error_message(e), "unknown transfer fit 'loglinear'");
        CHECK(xl_transfer_result_param(r, 9, "loss_space", "k", NULL, NULL, NULL, NULL, NULL,
                                       e) == XL_EINVAL);
        char *js = xl_transfer_result_json(r);
        cJSON *j = cJSON_Parse(js);
        CHECK(j && cJSON_GetArraySize(cJSON_GetObjectItem(j, "curricula")) == (int)r->n_curricula);
        cJSON_Delete(j);
        xl_free(js);
    }
    xl_transfer_result_free(r);
    xl_xfer_runs_free(runs);
    xl_xfer_opts_free(o);
    xl_error_free(e);
}

int main(void)
{
    CHECK(!strcmp(xl_version(), XL_EXPECT_VERSION));
    test_fit();
    test_transfer();
    TEST_MAIN_END();
}
