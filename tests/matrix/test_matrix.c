/* matrix: planted block structure is recovered by average linkage; planted asymmetries
 * come first and beyond their CIs; long and square CSV agree; comparison counts;
 * positioned errors; the pairwise protocol's sweep plan (runs, dependencies, stable ids). */
#include "xferlaw/matrix.h"
#include "xferlaw/sweep.h"
#include "xl_test.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/xl_matrix_XXXXXX";

static void put_file(const char *name, const char *text, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    xl_error err;
    CHECK(xl_write_file_atomic(path, text, strlen(text), &err) == XL_OK);
}

/* Blocks {0,1,2} {3,4} {5,6,7}: within-block gain ~10, across ~1, diagonal 20, with seeded
 * noise; pairs (0->1) and (6->3) made asymmetric by +15 and -10 (well above noise). */
static const int BLOCK[8] = {0, 0, 0, 1, 1, 2, 2, 2};

static char *planted_long(int seeds, double noise, double scale, uint64_t seed)
{
    size_t cap = 1 << 16, len = 0;
    char *s = malloc(cap);
    len += (size_t)snprintf(s, cap, "source,target,gain,seed\n");
    xl_rng r;
    xl_rng_seed(&r, seed);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            for (int k = 0; k < seeds; k++) {
                double g = i == j ? 20 : BLOCK[i] == BLOCK[j] ? 10 : 1;
                if (i == 0 && j == 1)
                    g += 15;
                if (i == 6 && j == 3)
                    g -= 10;
                g = scale * g + noise * xl_rng_normal(&r);
                len += (size_t)snprintf(s + len, cap - len, "t%d,t%d,%.4f,%d\n", i, j, g, k);
            }
    return s;
}

static void test_blocks_and_asymmetry(void)
{
    char path[512];
    char *text = planted_long(4, 1.0, 1.0, 11);
    put_file("planted.csv", text, path, sizeof path);
    free(text);
    xl_error err;
    xl_error_clear(&err);
    xl_tmatrix *m = NULL;
    CHECK(xl_tmatrix_read(path, NULL, &m, &err) == XL_OK);
    if (!m) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    CHECK(m->n == 8 && m->count[0] == 4 && strcmp(m->labels[3], "t3") == 0);
    CHECK_NEAR(m->mean[0 * 8 + 1], 25, 0.15);
    CHECK(isfinite(m->sd[5]) && m->sd[5] > 0.1 && m->sd[5] < 3);

    xl_asym_pair *p;
    size_t np;
    CHECK(xl_matrix_asymmetry(m, &p, &np, &err) == XL_OK);
    CHECK(np == 28);
    /* the two planted pairs first, with the right sign, beyond CI */
    CHECK(p[0].i == 0 && p[0].j == 1 && p[0].diff > 10 && p[0].beyond_ci);
    CHECK(p[1].i == 3 && p[1].j == 6 && p[1].diff > 7 && p[1].beyond_ci);
    CHECK(fabs(p[2].diff) < 4);
    int false_pos = 0;
    for (size_t k = 2; k < np; k++)
        false_pos += p[k].beyond_ci;
    CHECK_MSG(false_pos <= 5, "%d of 26 symmetric pairs flagged", false_pos);
    free(p);

    double S[64], D[64];
    xl_matrix_similarity(m, S);
    CHECK_NEAR(S[0 * 8 + 1], sqrt(m->mean[1] * m->mean[8]), 1e-12);
    CHECK_NEAR(S[1 * 8 + 0], S[0 * 8 + 1], 1e-12);
    xl_matrix_similarity_distance(S, 8, D);
    xl_linkage L;
    CHECK(xl_linkage_average(D, 8, &L, &err) == XL_OK);
    int lab[8];
    CHECK(xl_linkage_cut(&L, 3, lab, &err) == XL_OK);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            CHECK_MSG((lab[i] == lab[j]) == (BLOCK[i] == BLOCK[j]),
                      "t%d (cluster %d) vs t%d (cluster %d)", i, lab[i], j, lab[j]);
    /* heights never decrease (UPGMA is monotone) and the last merge has all leaves */
    for (int k = 0; k + 1 < 7; k++)
        CHECK(L.h[k] <= L.h[k + 1] + 1e-12);
    CHECK(L.size[6] == 8);
    /* leaves of one block are contiguous in the dendrogram order */
    int changes = 0;
    for (int k = 1; k < 8; k++)
        changes += BLOCK[L.order[k]] != BLOCK[L.order[k - 1]];
    CHECK(changes == 2);
    xl_linkage_free(&L);
    xl_tmatrix_free(m);
}

/* A hand-checked UPGMA: points on a line at 0, 1, 5, 6, 20 (scipy average linkage gives
 * merges (0,1)@1, (2,3)@1, (5,6)@5, (4,7)@17). */
static void test_upgma_known(void)
{
    double x[5] = {0, 1, 5, 6, 20}, D[25];
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            D[i * 5 + j] = fabs(x[i] - x[j]);
    xl_linkage L;
    xl_error err;
    CHECK(xl_linkage_average(D, 5, &L, &err) == XL_OK);
    CHECK(L.a[0] == 0 && L.b[0] == 1 && L.h[0] == 1);
    CHECK(L.a[1] == 2 && L.b[1] == 3 && L.h[1] == 1);
    CHECK(L.a[2] == 5 && L.b[2] == 6 && L.h[2] == 5);
    CHECK(L.a[3] == 4 && L.b[3] == 7);
    CHECK_NEAR(L.h[3], 17, 1e-12);
    int lab[5];
    CHECK(xl_linkage_cut(&L, 2, lab, &err) == XL_OK);
    CHECK(lab[0] == 0 && lab[1] == 0 && lab[2] == 0 && lab[3] == 0 && lab[4] == 1);
    CHECK(xl_linkage_cut(&L, 6, lab, &err) == XL_EINVAL);
    xl_linkage_free(&L);
}

static void test_square_and_compare(void)
{
    char pa[512], pb[512], ps[512];
    /* the same 3x3 matrix in both shapes, one missing cell */
    put_file("sq.csv", "task,a,b,c\nb,1,2,3\na,4,5,nan\nc,7,8,9\n", ps, sizeof ps);
    put_file("lg.csv", "seed,source,target,acc\n0,a,a,4\n0,a,b,5\n0,b,a,1\n0,b,b,2\n"
                    "0,b,c,3\n0,c,a,7\n0,c,b,8\n0,c,c,9\n", pa, sizeof pa);
    xl_error err;
    xl_error_clear(&err);
    xl_tmatrix *s = NULL, *l = NULL;
    CHECK(xl_tmatrix_read(ps, NULL, &s, &err) == XL_OK);
    CHECK(xl_tmatrix_read(pa, "acc", &l, &err) == XL_OK);
    if (!s || !l) {
        fprintf(stderr, "%s\n", err.msg);
        xl_tmatrix_free(s);
        xl_tmatrix_free(l);
        return;
    }
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++) {
            long li = xl_tmatrix_find(l, s->labels[i]), lj = xl_tmatrix_find(l, s->labels[j]);
            double x = s->mean[i * 3 + j], y = l->mean[li * 3 + lj];
            CHECK((isnan(x) && isnan(y)) || x == y);
        }
    /* B = A with every cell halved, fresh noise */
    xl_tmatrix *a = NULL, *b = NULL;
    char *ta = planted_long(3, 0.5, 1.0, 5), *tb = planted_long(3, 0.5, 0.5, 6);
    put_file("a.csv", ta, pa, sizeof pa);
    put_file("b.csv", tb, pb, sizeof pb);
    free(ta);
    free(tb);
    CHECK(xl_tmatrix_read(pa, NULL, &a, &err) == XL_OK);
    CHECK(xl_tmatrix_read(pb, NULL, &b, &err) == XL_OK);
    xl_matrix_cmp c;
    if (a && b) {
        CHECK(xl_matrix_compare(a, b, &c, NULL, NULL, &err) == XL_OK);
        CHECK(c.n_common == 8 && c.n_offdiag == 56);
        CHECK_NEAR(c.total_offdiag[1] / c.total_offdiag[0], 0.5, 0.05);
        CHECK(c.asym_beyond_ci[0] >= 2 && c.asym_beyond_ci[0] <= 6);
        CHECK(c.corr_offdiag > 0.95);
        /* with noise 0.5 and 3 seeds, halving moves the 14 within-block cells by ~5 */
        CHECK_MSG(c.cells_differ_ci >= 14, "%zu cells", c.cells_differ_ci);
        CHECK(xl_matrix_compare(a, s, &c, NULL, NULL, &err) == XL_EINVAL);
        CHECK_STR_CONTAINS(err.msg, "share 0 task labels");
    }
    xl_tmatrix_free(a);
    xl_tmatrix_free(b);
    xl_tmatrix_free(s);
    xl_tmatrix_free(l);
}

static void test_errors(void)
{
    char p[512];
    xl_error err;
    xl_tmatrix *m = NULL;
    put_file("e1.csv", "source,target,gain\na,b,1\na,c,x\n", p, sizeof p);
    CHECK(xl_tmatrix_read(p, NULL, &m, &err) == XL_EPARSE);
    CHECK_STR_CONTAINS(err.msg, "e1.csv:3: field 'gain': 'x' is not a number");
    put_file("e2.csv", "t,a,b\na,1,2\nz,3,4\n", p, sizeof p);
    CHECK(xl_tmatrix_read(p, NULL, &m, &err) == XL_EPARSE);
    CHECK_STR_CONTAINS(err.msg, "e2.csv:3: field 't': row label 'z'");
    put_file("e3.csv", "t,a,b\na,1,2\nb,3\n", p, sizeof p);
    CHECK(xl_tmatrix_read(p, NULL, &m, &err) == XL_EPARSE);
    CHECK_STR_CONTAINS(err.msg, "e3.csv:3: 2 fields, header has 3");
    put_file("e4.csv", "source,target,value\na,b,1\n", p, sizeof p);
    CHECK(xl_tmatrix_read(p, NULL, &m, &err) == XL_EPARSE);
    CHECK_STR_CONTAINS(err.msg, "field 'gain': no such column");
    CHECK(m == NULL);
}

/* The pairwise plan: all pairs = per size and seed n stage-one runs and (n+1)n cells,
 * diagonal = n + 2n; a cell starts from its source's stage one, "none" from the base; ids
 * do not depend on OUT (the diagonal's runs are those of the full matrix). */
static void test_pairwise_plan(void)
{
    const char *fmt = "{\"out\": \"%s/%s\", \"tasks\": [\"add\", \"sort\", \"amp\"], "
                      "\"seeds\": [1, 2], \"pairs\": \"%s\", \"sizes\": [{\"name\": \"a\", "
                      "\"n_layer\": 1, \"d_model\": 16, \"n_head\": 2, \"ctx\": 64}]}";
    char text[512], p[512];
    xl_pw_spec *s = calloc(2, sizeof *s);
    xl_pw_plan *pl[2] = {NULL, NULL};
    xl_error err;
    CHECK(s != NULL);
    snprintf(text, sizeof text, fmt, dir, "all", "all");
    put_file("pw_all.json", text, p, sizeof p);
    CHECK(xl_pw_spec_read(p, &s[0], &err) == XL_OK);
    snprintf(text, sizeof text, fmt, dir, "diag", "diagonal");
    put_file("pw_diag.json", text, p, sizeof p);
    CHECK(xl_pw_spec_read(p, &s[1], &err) == XL_OK);
    CHECK(s[1].pairs == XL_PW_DIAGONAL);
    for (int k = 0; k < 2; k++)
        CHECK_MSG(xl_pw_plan_build(&s[k], &pl[k], &err) == XL_OK, "%s", err.msg);
    if (!pl[0] || !pl[1])
        goto out;
    const xl_sweep_plan *all = xl_pw_plan_sweep(pl[0]), *dg = xl_pw_plan_sweep(pl[1]);
    CHECK(all->n == 2 * (3 + 4 * 3));
    CHECK(dg->n == 2 * (3 + 2 * 3));
    size_t with_dep = 0;
    for (size_t i = 0; i < all->n; i++) {
        const xl_sweep_run *r = &all->runs[i];
        const char *src = all->spec->curricula[r->curriculum].name;
        if (r->dep >= 0) {
            with_dep++;
            CHECK((size_t)r->dep < i);
            CHECK(all->runs[r->dep].dep < 0 && all->runs[r->dep].curriculum == r->curriculum &&
                  all->runs[r->dep].seed == r->seed);
            CHECK(strcmp(src, "none") != 0);
        }
    }
    CHECK(with_dep == 2 * 3 * 3);
    for (size_t i = 0; i < dg->n; i++)
        CHECK_MSG(xl_sweep_plan_find(all, dg->runs[i].id) >= 0, "diagonal run %zu", i);
    /* a run identical to a planned one is refused */
    xl_sweep_plan copy;
    xl_sweep_plan_init(all->spec, &copy);
    const xl_sweep_run *r0 = &all->runs[0];
    CHECK(xl_sweep_plan_add(&copy, r0, (const char *const *)r0->args, r0->n_args, &err) == XL_OK);
    CHECK(strcmp(copy.runs[0].id, r0->id) == 0);
    CHECK(xl_sweep_plan_add(&copy, r0, (const char *const *)r0->args, r0->n_args, &err) ==
          XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "identical");
    CHECK(copy.n == 1);
    xl_sweep_plan_free(&copy);
out:
    xl_pw_plan_free(pl[0]);
    xl_pw_plan_free(pl[1]);
    free(s);
}

/* Three planted groups with tied similarities inside each and zero similarity between:
 * the old default (largest gap in merge heights) was decided by the merges at height 0
 * and gave 6 clusters; the silhouette rule finds the three groups.  A matrix without
 * structure gets 1.  And a raw-accuracy matrix with a baseline row becomes gains. */
static void test_groups_ties(void)
{
    /* t0..t2: gain 10 both ways (ties, distance 0); t3..t5 and t6,t7: gain 1 (ties);
     * between groups 0 or negative (zero similarity) */
    char text[4096];
    size_t u = (size_t)snprintf(text, sizeof text, "source,target,gain\n");
    int grp[8] = {0, 0, 0, 1, 1, 1, 2, 2};
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) {
            double g = i == j ? 20 : grp[i] != grp[j] ? ((i + j) % 3 ? 0 : -2) : grp[i] == 0 ? 10 : 1;
            u += (size_t)snprintf(text + u, sizeof text - u, "t%d,t%d,%g\n", i, j, g);
        }
    char path[512];
    put_file("groups.csv", text, path, sizeof path);
    xl_error err;
    xl_error_clear(&err);
    xl_tmatrix *m = NULL;
    CHECK(xl_tmatrix_read(path, NULL, &m, &err) == XL_OK);
    if (!m)
        return;
    double S[64], D[64];
    xl_matrix_similarity(m, S);
    xl_matrix_similarity_distance(S, 8, D);
    xl_linkage L;
    CHECK(xl_linkage_average(D, 8, &L, &err) == XL_OK);
    /* the old rule, for the record */
    size_t gap_k = 0;
    double gap = -1;
    for (size_t k = 0; k + 2 < 8; k++)
        if (L.h[k + 1] - L.h[k] > gap)
            gap = L.h[k + 1] - L.h[k], gap_k = 8 - 1 - k;
    double sil;
    size_t k = xl_linkage_auto_k(D, &L, &sil, &err);
    printf("planted 3 groups with ties: largest gap gives %zu, silhouette %zu (%.3f)\n", gap_k, k, sil);
    CHECK(gap_k != 3);
    CHECK(k == 3);
    int lab[8];
    CHECK(xl_linkage_cut(&L, k, lab, &err) == XL_OK);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            CHECK((lab[i] == lab[j]) == (grp[i] == grp[j]));
    xl_linkage_free(&L);
    /* no structure: every similarity equal */
    double S1[64], D1[64];
    for (int i = 0; i < 64; i++)
        S1[i] = 5;
    xl_matrix_similarity_distance(S1, 8, D1);
    CHECK(xl_linkage_average(D1, 8, &L, &err) == XL_OK);
    CHECK(xl_linkage_auto_k(D1, &L, &sil, &err) == 1);
    xl_linkage_free(&L);
    xl_tmatrix_free(m);

    /* baseline row "none": accuracy minus the target alone, "none" dropped */
    snprintf(text, sizeof text, "source,target,acc,seed\n"
             "none,a,50,1\nnone,a,52,2\nnone,b,30,1\nnone,b,30,2\n"
             "a,a,80,1\na,a,82,2\na,b,41,1\na,b,39,2\nb,a,55,1\nb,a,55,2\nb,b,60,1\nb,b,60,2\n");
    put_file("raw.csv", text, path, sizeof path);
    CHECK(xl_tmatrix_read(path, "acc", &m, &err) == XL_OK);
    if (!m)
        return;
    CHECK(xl_tmatrix_subtract_baseline(m, "none", &err) == XL_OK);
    CHECK(m->n == 2 && !strcmp(m->labels[0], "a") && !strcmp(m->labels[1], "b"));
    long a = xl_tmatrix_find(m, "a"), b = xl_tmatrix_find(m, "b");
    CHECK_NEAR(m->mean[a * 2 + a], 30, 1e-9);
    CHECK_NEAR(m->mean[a * 2 + b], 10, 1e-9);
    CHECK_NEAR(m->mean[b * 2 + a], 4, 1e-9);
    CHECK_NEAR(m->sd[a * 2 + b], sqrt(2.0), 1e-9);   /* sqrt(sd 1.414^2 + sd 0^2) */
    CHECK(xl_tmatrix_subtract_baseline(m, "nosuch", &err) != XL_OK && strstr(err.msg, "no baseline row 'nosuch'"));
    xl_tmatrix_free(m);
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    test_groups_ties();
    test_blocks_and_asymmetry();
    test_upgma_known();
    test_square_and_compare();
    test_errors();
    test_pairwise_plan();
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    TEST_MAIN_END();
}
