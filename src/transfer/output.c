/* Results of the transfer analysis as JSON, CSV and text tables. */
#include "xfer_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static cJSON *param_json(const xl_param *p, unsigned flags)
{
    cJSON *o = cJSON_CreateObject(), *ci = cJSON_CreateArray();
    char f[80];
    xl_param_flags_str(flags, f, sizeof f);
    cJSON_AddItemToObject(o, "value", xl_json_number(p->value));
    cJSON_AddItemToObject(o, "se", xl_json_number(p->se));
    cJSON_AddItemToArray(ci, xl_json_number(p->lo));
    cJSON_AddItemToArray(ci, xl_json_number(p->hi));
    cJSON_AddItemToObject(o, "ci95", ci);
    cJSON_AddStringToObject(o, "flags", f);
    return o;
}

static cJSON *law_json(const xl_law_fit *f, const char *how, const xl_xfer_opts *op)
{
    cJSON *o = cJSON_CreateObject(), *ps = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "law", "transfer");
    cJSON_AddStringToObject(o, "formula", "D_T = k * D_F^alpha * N^beta");
    cJSON_AddStringToObject(o, "method", how);
    cJSON_AddBoolToObject(o, "ok", f->ok);
    cJSON_AddNumberToObject(o, "n", (double)f->n);
    cJSON_AddItemToObject(o, "rms_log", xl_json_number(f->rms));
    cJSON_AddItemToObject(ps, "k", param_json(&f->k, xl_param_flags_scale(&f->k, op->verdict_decades)));
    cJSON_AddItemToObject(ps, "alpha", param_json(&f->alpha, xl_param_flags_exponent(&f->alpha, op->verdict_width)));
    cJSON_AddItemToObject(ps, "beta", param_json(&f->beta, xl_param_flags_exponent(&f->beta, op->verdict_width)));
    cJSON_AddItemToObject(o, "params", ps);
    return o;
}

static cJSON *est_pair(const double *v)
{
    cJSON *o = cJSON_CreateObject();
    for (int s = 0; s < XL_N_EST; s++)
        cJSON_AddItemToObject(o, xl_estimator_name(s), xl_json_number(v[s]));
    return o;
}

cJSON *xl_transfer_to_json(const xl_transfer_result *r)
{
    const xl_xfer_opts *o = &r->opts;
    cJSON *root = cJSON_CreateObject();
    cJSON *in = cJSON_AddObjectToObject(root, "input");
    cJSON_AddStringToObject(in, "path", r->runs->path);
    cJSON_AddStringToObject(in, "sha256", r->runs->sha256);
    cJSON_AddNumberToObject(in, "rows", (double)r->runs->n);
    cJSON_AddItemToObject(root, "verdict", xl_verdict_to_json(r));
    cJSON *op = cJSON_AddObjectToObject(root, "options");
    cJSON_AddNumberToObject(op, "low_data_frac", o->low_data_frac);
    cJSON_AddNumberToObject(op, "within", o->within);
    cJSON_AddNumberToObject(op, "disagree", o->disagree);
    cJSON_AddBoolToObject(op, "include_extrapolated", o->include_extrapolated);
    cJSON_AddBoolToObject(op, "include_high_data", o->include_high_data);
    cJSON_AddBoolToObject(op, "include_flat", o->include_flat);
    cJSON_AddBoolToObject(op, "include_cap", o->include_cap);
    cJSON_AddBoolToObject(op, "include_pre_transition", o->include_pre_transition);
    cJSON_AddNumberToObject(op, "transition_margin", o->transition_margin);
    if (o->unigram_loss > 0)
        cJSON_AddNumberToObject(op, "unigram_loss", o->unigram_loss);
    cJSON_AddNumberToObject(op, "bootstrap", (double)o->bootstrap);
    cJSON_AddNumberToObject(op, "seed", (double)o->seed);
    cJSON *fm = cJSON_AddObjectToObject(root, "formulas");
    cJSON_AddStringToObject(fm, "D_T", "k * D_F^alpha * N^beta");
    cJSON_AddStringToObject(fm, "fraction", "D_T / (D_F + D_T)");
    cJSON_AddStringToObject(fm, "multiplier", "(D_F + D_T) / D_F");
    cJSON_AddStringToObject(fm, "scratch", "((Nc/N)^(aN/aD) + Dc/D)^aD");

    if (r->runs->n_pre) {
        cJSON *pre = cJSON_AddArrayToObject(root, "pretrain");
        for (size_t i = 0; i < r->runs->n_pre; i++) {
            cJSON *p = cJSON_CreateObject();
            cJSON_AddStringToObject(p, "curriculum", r->runs->pre_curriculum[i]);
            cJSON_AddNumberToObject(p, "N", r->runs->pre_N[i]);
            cJSON_AddItemToObject(p, "tokens", xl_json_number(r->runs->pre_tokens[i]));
            cJSON_AddNumberToObject(p, "val_loss", r->runs->pre_loss[i]);
            cJSON_AddItemToArray(pre, p);
        }
    }
    const xl_scratch_model *m = r->scratch;
    cJSON *sc = cJSON_AddObjectToObject(root, "scratch");
    cJSON *scr = cJSON_AddObjectToObject(sc, "screened");
    cJSON_AddNumberToObject(scr, "cap", (double)r->n_scratch_cap);
    cJSON_AddNumberToObject(scr, "pre_transition", (double)r->n_scratch_pre);
    cJSON_AddBoolToObject(scr, "left_out_cap", !o->include_cap);
    cJSON_AddBoolToObject(scr, "left_out_pre_transition", !o->include_pre_transition);
    cJSON *kap = cJSON_AddObjectToObject(sc, "kaplan");
    cJSON_AddBoolToObject(kap, "ok", m->kap_ok);
    cJSON_AddStringToObject(kap, "law", "kaplan");
    cJSON_AddStringToObject(kap, "optimiser", m->kap_engine ? "fit engine (law 'kaplan', multi-start), polished" : "own multi-start Levenberg-Marquardt");
    cJSON_AddNumberToObject(kap, "n", (double)m->n_points);
    cJSON_AddItemToObject(kap, "rms_log", xl_json_number(m->kap_rms));
    cJSON *kp = cJSON_AddObjectToObject(kap, "params");
    static const char *kn[4] = {"Nc", "Dc", "aN", "aD"};
    for (int i = 0; i < 4; i++)
        cJSON_AddItemToObject(kp, kn[i], param_json(&m->kap_p[i], i < 2 ? xl_param_flags_scale(&m->kap_p[i], 1e300) : xl_param_flags_exponent(&m->kap_p[i], 1e300) | (m->kap_p[i].lo <= 0 ? XL_PF_AT_BOUND : 0)));
    cJSON *sizes = cJSON_AddArrayToObject(sc, "sizes");
    for (size_t i = 0; i < m->n_sizes; i++) {
        const xl_scratch_curve *c = &m->c[i];
        cJSON *s = cJSON_CreateObject();
        cJSON_AddNumberToObject(s, "N", c->N);
        cJSON_AddNumberToObject(s, "runs", (double)c->n_raw);
        cJSON_AddNumberToObject(s, "curve_points", (double)c->n);
        cJSON_AddItemToObject(s, "D_N", xl_json_number(xl_scratch_dn(m, c->N, o->within)));
        cJSON *pn = cJSON_AddObjectToObject(s, "per_N_fit");
        cJSON_AddBoolToObject(pn, "ok", c->fit_ok);
        cJSON_AddItemToObject(pn, "Linf", xl_json_number(c->Linf));
        cJSON_AddItemToObject(pn, "Dc", xl_json_number(c->Dc));
        cJSON_AddItemToObject(pn, "aD", xl_json_number(c->aD));
        cJSON_AddItemToObject(pn, "D_N", xl_json_number(c->DN_perN));
        char fl[80];
        xl_param_flags_str(xl_scratch_linf_flags(c), fl, sizeof fl);
        cJSON_AddStringToObject(pn, "Linf_flags", fl);
        xl_param_flags_str(xl_scratch_dn_flags(c, c->DN_perN), fl, sizeof fl);
        cJSON_AddStringToObject(pn, "D_N_flags", fl);
        cJSON_AddItemToArray(sizes, s);
    }

    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    for (size_t i = 0; i < r->n_est; i++) {
        const xl_xfer_est *e = &r->est[i];
        cJSON *j = cJSON_CreateObject();
        char fl[160];
        cJSON_AddStringToObject(j, "curriculum", e->curriculum);
        cJSON_AddNumberToObject(j, "N", e->N);
        cJSON_AddNumberToObject(j, "D_F", e->DF);
        cJSON_AddNumberToObject(j, "loss", e->loss);
        cJSON_AddNumberToObject(j, "line", (double)r->runs->line[e->run]);
        cJSON_AddItemToObject(j, "D_N", xl_json_number(e->DN));
        cJSON_AddItemToObject(j, "D_E", est_pair(e->DE));
        cJSON_AddItemToObject(j, "D_T", est_pair(e->DT));
        cJSON *f = cJSON_AddObjectToObject(j, "flags");
        for (int s = 0; s < XL_N_EST; s++) {
            xl_xfer_flags_str(e->flags[s] | e->common, fl, sizeof fl);
            cJSON_AddStringToObject(f, xl_estimator_name(s), fl);
        }
        cJSON *u = cJSON_AddObjectToObject(j, "used");
        for (int s = 0; s < XL_N_EST; s++)
            cJSON_AddBoolToObject(u, xl_estimator_name(s), e->used[s]);
        cJSON_AddItemToArray(runs, j);
    }

    cJSON *cur = cJSON_AddArrayToObject(root, "curricula");
    for (size_t c = 0; c < r->n_curricula; c++) {
        const xl_curriculum_result *cr = &r->cur[c];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "name", cr->name);
        cJSON_AddNumberToObject(j, "runs", (double)cr->n_runs);
        cJSON *fits = cJSON_AddObjectToObject(j, "fits");
        cJSON_AddItemToObject(fits, "loglinear_interp", law_json(&cr->law[0], "log-linear OLS on D_T from interpolation of the measured scratch curve", o));
        cJSON_AddItemToObject(fits, "loglinear_fit", law_json(&cr->law[1], "log-linear OLS on D_T from inversion of the fitted L(N,D)", o));
        cJSON_AddItemToObject(fits, "loss_space", law_json(&cr->loss_fit, "fine-tuned loss = L_scratch(N, D_F + D_T), Kaplan params fixed", o));
        cJSON *ff = cJSON_CreateObject();
        cJSON_AddStringToObject(ff, "method", "logit(D_T/D_E) = c_j + beta log N per D_F group; c_j = log k + (alpha-1) log D_F");
        cJSON_AddStringToObject(ff, "estimator", xl_estimator_name(cr->ff.est));
        cJSON_AddBoolToObject(ff, "ok", cr->ff.ok);
        cJSON_AddNumberToObject(ff, "n", (double)cr->ff.n);
        cJSON *ffp = cJSON_AddObjectToObject(ff, "params");
        cJSON_AddItemToObject(ffp, "k", param_json(&cr->ff.k, xl_param_flags_scale(&cr->ff.k, o->verdict_decades)));
        cJSON_AddItemToObject(ffp, "alpha", param_json(&cr->ff.alpha, xl_param_flags_exponent(&cr->ff.alpha, o->verdict_width)));
        cJSON_AddItemToObject(ffp, "beta", param_json(&cr->ff.beta, xl_param_flags_exponent(&cr->ff.beta, o->verdict_width)));
        cJSON *grp = cJSON_AddArrayToObject(ff, "groups");
        for (size_t g = 0; cr->ff.ok && g < cr->ff.n_groups; g++) {
            cJSON *gj = cJSON_CreateObject();
            cJSON_AddNumberToObject(gj, "D_F", cr->ff.DF[g]);
            cJSON_AddItemToObject(gj, "intercept", xl_json_number(cr->ff.c[g]));
            cJSON_AddItemToArray(grp, gj);
        }
        cJSON_AddItemToObject(fits, "fit_the_fits", ff);
        cJSON *at = cJSON_AddArrayToObject(j, "at");
        for (size_t a = 0; a < o->n_at; a++) {
            cJSON *aj = cJSON_CreateObject(), *ci = cJSON_CreateArray();
            cJSON_AddNumberToObject(aj, "N", o->at_N[a]);
            cJSON_AddNumberToObject(aj, "D_F", o->at_DF[a]);
            cJSON_AddItemToObject(aj, "multiplier", xl_json_number(cr->at_mult[a]));
            cJSON_AddItemToArray(ci, xl_json_number(cr->at_mult_lo[a]));
            cJSON_AddItemToArray(ci, xl_json_number(cr->at_mult_hi[a]));
            cJSON_AddItemToObject(aj, "multiplier_ci95", ci);
            cJSON_AddItemToObject(aj, "fraction", xl_json_number(cr->at_frac[a]));
            cJSON_AddItemToArray(at, aj);
        }
        cJSON_AddItemToArray(cur, j);
    }

    cJSON *cmp = cJSON_AddObjectToObject(root, "compare");
    cJSON_AddBoolToObject(cmp, "ok", r->compare_ok);
    cJSON_AddStringToObject(cmp, "estimator", xl_estimator_name(r->compare_est));
    cJSON_AddStringToObject(cmp, "test", "F-test of nested least-squares fits of log D_T");
    if (r->compare_ok) {
        cJSON *sb = cJSON_AddObjectToObject(cmp, "shared_beta");
        cJSON_AddItemToObject(sb, "value", xl_json_number(r->shared_beta));
        cJSON_AddItemToObject(sb, "se", xl_json_number(r->shared_beta_se));
        cJSON *ts = cJSON_AddArrayToObject(cmp, "tests");
        for (int t = 0; t < 3; t++) {
            cJSON *tj = cJSON_CreateObject();
            cJSON_AddStringToObject(tj, "differ", r->tests[t].what);
            cJSON_AddItemToObject(tj, "F", xl_json_number(r->tests[t].F));
            cJSON_AddNumberToObject(tj, "df1", r->tests[t].df1);
            cJSON_AddNumberToObject(tj, "df2", r->tests[t].df2);
            cJSON_AddItemToObject(tj, "p", xl_json_number(r->tests[t].p));
            cJSON_AddItemToArray(ts, tj);
        }
    }
    cJSON *cl = cJSON_AddObjectToObject(root, "compare_loss_space");
    cJSON_AddBoolToObject(cl, "ok", r->compare_loss_ok);
    cJSON_AddStringToObject(cl, "test", "F-test of nested nonlinear least-squares fits of the fine-tuned log loss");
    if (r->compare_loss_ok) {
        cJSON *sb = cJSON_AddObjectToObject(cl, "shared_beta");
        cJSON_AddItemToObject(sb, "value", xl_json_number(r->shared_beta_loss));
        cJSON_AddItemToObject(sb, "se", xl_json_number(r->shared_beta_loss_se));
        cJSON *ts = cJSON_AddArrayToObject(cl, "tests");
        for (int t = 0; t < 3; t++) {
            cJSON *tj = cJSON_CreateObject();
            cJSON_AddStringToObject(tj, "differ", r->tests_loss[t].what);
            cJSON_AddItemToObject(tj, "F", xl_json_number(r->tests_loss[t].F));
            cJSON_AddNumberToObject(tj, "df1", r->tests_loss[t].df1);
            cJSON_AddNumberToObject(tj, "df2", r->tests_loss[t].df2);
            cJSON_AddItemToObject(tj, "p", xl_json_number(r->tests_loss[t].p));
            cJSON_AddItemToArray(ts, tj);
        }
    }
    if (r->n_compute) {
        cJSON *cp = cJSON_AddObjectToObject(root, "compute");
        cJSON_AddNumberToObject(cp, "target_loss", o->target_loss);
        cJSON_AddStringToObject(cp, "curriculum", r->compute_curriculum);
        cJSON_AddItemToObject(cp, "pretrain_tokens", xl_json_number(o->pretrain_tokens > 0 ? o->pretrain_tokens : NAN));
        cJSON_AddStringToObject(cp, "flops", "6 * N * tokens");
        cJSON *rows = cJSON_AddArrayToObject(cp, "rows");
        for (size_t i = 0; i < r->n_compute; i++) {
            const xl_compute_row *w = &r->compute[i];
            cJSON *rj = cJSON_CreateObject();
            cJSON_AddNumberToObject(rj, "N", w->N);
            cJSON_AddItemToObject(rj, "D_scratch", xl_json_number(w->D_scratch));
            cJSON_AddItemToObject(rj, "D_F", xl_json_number(w->DF));
            cJSON_AddItemToObject(rj, "flops_scratch", xl_json_number(w->flops_scratch));
            cJSON_AddItemToObject(rj, "flops_finetune", xl_json_number(w->flops_ft));
            cJSON_AddItemToObject(rj, "flops_finetune_with_pretrain", xl_json_number(w->flops_ft_pre));
            cJSON_AddItemToArray(rows, rj);
        }
        cJSON_AddNumberToObject(cp, "best_N_scratch", r->compute[r->compute_best_scratch].N);
        cJSON_AddNumberToObject(cp, "best_N_finetune", r->compute[r->compute_best_flops].N);
        if (o->pretrain_tokens > 0)
            cJSON_AddNumberToObject(cp, "best_N_finetune_with_pretrain", r->compute[r->compute_best_flops_pre].N);
        cJSON_AddNumberToObject(cp, "N_least_finetune_data", r->compute[r->compute_least_df].N);
    }
    return root;
}

int xl_transfer_write_json(const xl_transfer_result *r, const char *path, xl_error *err)
{
    cJSON *j = xl_transfer_to_json(r);
    if (!j)
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    int rc = xl_json_write_file(path, j, err);
    cJSON_Delete(j);
    return rc;
}

int xl_transfer_write_csv(const xl_transfer_result *r, const char *path, xl_error *err)
{
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    fprintf(af.fp, "curriculum,N,D_F,loss,D_N,D_E_interp,D_T_interp,D_E_fit,D_T_fit,"
                   "flags_interp,flags_fit,used_interp,used_fit\n");
    for (size_t i = 0; i < r->n_est; i++) {
        const xl_xfer_est *e = &r->est[i];
        char f0[160], f1[160];
        xl_xfer_flags_str(e->flags[0] | e->common, f0, sizeof f0);
        xl_xfer_flags_str(e->flags[1] | e->common, f1, sizeof f1);
        fprintf(af.fp, "%s,%.10g,%.10g,%.8g,%.6g,%.6g,%.6g,%.6g,%.6g,\"%s\",\"%s\",%d,%d\n",
                e->curriculum, e->N, e->DF, e->loss, e->DN, e->DE[0], e->DT[0], e->DE[1],
                e->DT[1], f0, f1, e->used[0], e->used[1]);
    }
    return xl_afile_commit(&af, err);
}

static void print_param(FILE *fp, const char *name, const xl_param *p, unsigned flags)
{
    char f[80];
    xl_param_flags_str(flags, f, sizeof f);
    fprintf(fp, "    %-6s %11.4g  [%10.4g, %10.4g]  se %.3g%s%s\n", name, p->value, p->lo, p->hi, p->se,
            flags ? "  FLAGGED " : "", f);
}

static void print_kab(FILE *fp, const xl_param *k, const xl_param *a, const xl_param *b,
                      const xl_xfer_opts *o)
{
    print_param(fp, "k", k, xl_param_flags_scale(k, o->verdict_decades));
    print_param(fp, "alpha", a, xl_param_flags_exponent(a, o->verdict_width));
    print_param(fp, "beta", b, xl_param_flags_exponent(b, o->verdict_width));
}

static void print_law(FILE *fp, const char *title, const xl_law_fit *f, const xl_xfer_opts *o)
{
    fprintf(fp, "  %s (n=%zu%s)\n", title, f->n, f->ok ? "" : ", not fitted");
    if (f->ok)
        print_kab(fp, &f->k, &f->alpha, &f->beta, o);
}

/* A number of the from-scratch table, or the name of its flag instead */
/* A count (parameters, tokens) as a whole number while it fits the column, so that a
 * table never mixes 3312 with 1.277e+04; NaN and huge values fall back to %g. */
static const char *count_str(char *buf, size_t cap, double x)
{
    if (isfinite(x) && fabs(x) < 1e9)
        snprintf(buf, cap, "%.0f", x);
    else
        snprintf(buf, cap, "%.4g", x);
    return buf;
}

/* Fine-tuned rows in the order curriculum, N, D_F (the runs file's order is arbitrary). */
static int est_cmp(const void *a, const void *b)
{
    const xl_xfer_est *x = *(const xl_xfer_est *const *)a, *y = *(const xl_xfer_est *const *)b;
    int c = strcmp(x->curriculum, y->curriculum);
    if (c) return c;
    if (x->N != y->N) return x->N < y->N ? -1 : 1;
    return (x->DF > y->DF) - (x->DF < y->DF);
}

static void print_flagged(FILE *fp, double v, unsigned flags)
{
    char f[80];
    xl_param_flags_str(flags, f, sizeof f);
    if (flags)
        fprintf(fp, " %12.12s", f);
    else
        fprintf(fp, " %12.4g", v);
}

void xl_transfer_print(const xl_transfer_result *r, FILE *fp)
{
    const xl_scratch_model *m = r->scratch;
    xl_verdict_print(r, fp);
    if (r->runs->n_pre) {
        fprintf(fp, "Pre-training (val loss on its own corpus; it should fall with N):\n");
        const xl_xfer_runs *u = r->runs;
        /* by curriculum, then N: what falls with N reads down a column */
        size_t n = u->n_pre, *order = malloc(n * sizeof *order);
        if (!order)
            n = 0;
        for (size_t i = 0; i < n; i++) {
            size_t j = i;
            for (; j > 0; j--) {
                size_t k = order[j - 1];
                int c = strcmp(u->pre_curriculum[k], u->pre_curriculum[i]);
                if (c < 0 || (c == 0 && u->pre_N[k] <= u->pre_N[i]))
                    break;
                order[j] = k;
            }
            order[j] = i;
        }
        for (size_t j = 0; j < n; j++) {
            size_t i = order[j];
            char nb[32], tb[32];
            fprintf(fp, "  %-12.12s N %10s  %10s tokens  val loss %.4f\n", u->pre_curriculum[i],
                    count_str(nb, sizeof nb, u->pre_N[i]), count_str(tb, sizeof tb, u->pre_tokens[i]),
                    u->pre_loss[i]);
        }
        free(order);
        fputc('\n', fp);
    }
    fprintf(fp, "From-scratch model: %zu sizes, %zu runs\n", m->n_sizes, m->n_points);
    if (r->n_scratch_cap || r->n_scratch_pre)
        fprintf(fp, "  screened: %zu from-scratch runs ended at the step cap (%s), %zu below the"
                " unigram transition (%s)\n", r->n_scratch_cap,
                r->opts.include_cap ? "kept" : "left out", r->n_scratch_pre,
                r->opts.include_pre_transition ? "kept" : "left out");
    if (m->kap_ok)
        fprintf(fp, "  Kaplan L(N,D) = ((Nc/N)^(aN/aD) + Dc/D)^aD: Nc %.3g  Dc %.3g  aN %.4g [%.4g, %.4g]  aD %.4g [%.4g, %.4g]  rms(log) %.3g\n",
                m->kap.Nc, m->kap.Dc, m->kap.aN, m->kap_p[2].lo, m->kap_p[2].hi, m->kap.aD,
                m->kap_p[3].lo, m->kap_p[3].hi, m->kap_rms);
    else
        fprintf(fp, "  Kaplan L(N,D): not fitted (too few points or no convergence)\n");
    fprintf(fp, "  %12s %6s %12s %12s %12s %10s\n", "N", "runs", "D(N) joint", "D(N) per-N", "Linf", "aD per-N");
    for (size_t i = 0; i < m->n_sizes; i++) {
        const xl_scratch_curve *c = &m->c[i];
        double dj = xl_scratch_dn(m, c->N, r->opts.within);
        char nb[32];
        fprintf(fp, "  %12s %6zu", count_str(nb, sizeof nb, c->N), c->n_raw);
        print_flagged(fp, dj, xl_scratch_dn_flags(c, dj));
        print_flagged(fp, c->DN_perN, xl_scratch_dn_flags(c, c->DN_perN));
        print_flagged(fp, c->Linf, xl_scratch_linf_flags(c));
        fprintf(fp, " %10.4g\n", c->aD);
    }
    fprintf(fp, "\nFine-tuned runs (D_E, D_T by interpolation | by fitted L(N,D)):\n");
    fprintf(fp, "  %-10s %10s %10s %8s %10s %10s %10s %10s  %s\n", "curriculum", "N", "D_F", "loss",
            "D_E interp", "D_T interp", "D_E fit", "D_T fit", "flags");
    const xl_xfer_est **rows = malloc((r->n_est + 1) * sizeof *rows);
    size_t n_rows = rows ? r->n_est : 0;
    for (size_t i = 0; i < n_rows; i++) rows[i] = &r->est[i];
    if (n_rows) qsort(rows, n_rows, sizeof *rows, est_cmp);
    for (size_t i = 0; i < n_rows; i++) {
        const xl_xfer_est *e = rows[i];
        char fl[400], f0[160], f1[160], nb[32], db[32], e0[32], t0[32], e1[32], t1[32];
        xl_xfer_flags_str(e->flags[0], f0, sizeof f0);
        xl_xfer_flags_str(e->flags[1] | e->common, f1, sizeof f1);
        snprintf(fl, sizeof fl, "%s%s%s%s", f0[0] ? "interp:" : "", f0, f0[0] && f1[0] ? " " : "", f1);
        fprintf(fp, "  %-10.10s %10s %10s %8.4g %10s %10s %10s %10s  %s%s\n", e->curriculum,
                count_str(nb, sizeof nb, e->N), count_str(db, sizeof db, e->DF), e->loss,
                count_str(e0, sizeof e0, e->DE[0]), count_str(t0, sizeof t0, e->DT[0]),
                count_str(e1, sizeof e1, e->DE[1]), count_str(t1, sizeof t1, e->DT[1]), fl,
                e->used[0] || e->used[1] ? "" : " (not fitted)");
    }
    free(rows);
    for (size_t c = 0; c < r->n_curricula; c++) {
        const xl_curriculum_result *cr = &r->cur[c];
        fprintf(fp, "\nCurriculum '%s': %zu runs; D_T = k D_F^alpha N^beta, 95%% intervals (%s)\n",
                cr->name, cr->n_runs, r->opts.bootstrap ? "pipeline bootstrap" : "+-1.96 se");
        print_law(fp, "log-linear on D_T, interpolation estimator", &cr->law[0], &r->opts);
        print_law(fp, "log-linear on D_T, fitted-L estimator", &cr->law[1], &r->opts);
        fprintf(fp, "  fit the fits, logit(D_T/D_E) vs log N per D_F (%zu groups, n=%zu%s)\n",
                cr->ff.n_groups, cr->ff.n, cr->ff.ok ? "" : ", not fitted");
        if (cr->ff.ok)
            print_kab(fp, &cr->ff.k, &cr->ff.alpha, &cr->ff.beta, &r->opts);
        print_law(fp, "loss space, L_ft = L_scratch(N, D_F + D_T)", &cr->loss_fit, &r->opts);
        for (size_t a = 0; a < r->opts.n_at; a++)
            fprintf(fp, "  at N=%.3g, D_F=%.3g: D_E/D_F = %.4g [%.4g, %.4g], D_T/D_E = %.3f\n",
                    r->opts.at_N[a], r->opts.at_DF[a], cr->at_mult[a], cr->at_mult_lo[a],
                    cr->at_mult_hi[a], cr->at_frac[a]);
    }
    if (r->n_compute) {
        const xl_xfer_opts *o = &r->opts;
        fprintf(fp, "\nCompute to reach loss %.4g (FLOPs = 6 N D; fine-tuning law of '%s'):\n",
                o->target_loss, r->compute_curriculum);
        fprintf(fp, "  %10s %11s %11s %12s %12s %14s\n", "N", "D scratch", "D_F", "FLOPs scratch",
                "FLOPs ft", "ft+pretrain");
        for (size_t i = 0; i < r->n_compute; i++) {
            const xl_compute_row *w = &r->compute[i];
            fprintf(fp, "  %10.4g %11.4g %11.4g %12.4g %12.4g %14.4g\n", w->N, w->D_scratch, w->DF,
                    w->flops_scratch, w->flops_ft, w->flops_ft_pre);
        }
        fprintf(fp, "  least compute from scratch: N=%.4g (%.4g FLOPs); fine-tuning, pre-training not counted: N=%.4g (%.4g FLOPs)\n",
                r->compute[r->compute_best_scratch].N, r->compute[r->compute_best_scratch].flops_scratch,
                r->compute[r->compute_best_flops].N, r->compute[r->compute_best_flops].flops_ft);
        if (o->pretrain_tokens > 0)
            fprintf(fp, "  fine-tuning with %.4g pre-training tokens counted: N=%.4g (%.4g FLOPs)\n",
                    o->pretrain_tokens, r->compute[r->compute_best_flops_pre].N,
                    r->compute[r->compute_best_flops_pre].flops_ft_pre);
        fprintf(fp, "  least fine-tuning data: N=%.4g (D_F=%.4g)\n", r->compute[r->compute_least_df].N,
                r->compute[r->compute_least_df].DF);
    }
}

void xl_compare_print(const xl_transfer_result *r, FILE *fp)
{
    fprintf(fp, "Curricula (D_T = k D_F^alpha N^beta, log-linear fit on the %s estimator, 95%% intervals):\n",
            xl_estimator_name(r->compare_est));
    fprintf(fp, "  %-12s %5s %24s %24s %24s\n", "curriculum", "n", "k", "alpha", "beta");
    for (size_t c = 0; c < r->n_curricula; c++) {
        const xl_law_fit *f = &r->cur[c].law[r->compare_est];
        char k[64] = "-", a[64] = "-", b[64] = "-";
        if (f->ok) {
            snprintf(k, sizeof k, "%.3g [%.3g, %.3g]", f->k.value, f->k.lo, f->k.hi);
            snprintf(a, sizeof a, "%.3f [%.3f, %.3f]", f->alpha.value, f->alpha.lo, f->alpha.hi);
            snprintf(b, sizeof b, "%.3f [%.3f, %.3f]", f->beta.value, f->beta.lo, f->beta.hi);
        }
        fprintf(fp, "  %-12.12s %5zu %24s %24s %24s%s\n", r->cur[c].name, f->n, k, a, b,
                f->ok ? "" : "  (not fitted: too few usable runs)");
    }
    if (!r->compare_ok) {
        fprintf(fp, "  (no joint test: needs two curricula with enough usable runs)\n");
    } else {
        fprintf(fp, "\nJoint fit with beta shared: beta = %.4f (se %.3g)\n", r->shared_beta, r->shared_beta_se);
        fprintf(fp, "F-tests (nested least squares on log D_T; H0: the parameter is shared):\n");
        for (int t = 0; t < 3; t++)
            fprintf(fp, "  %-11s differ: F(%g, %g) = %8.4g   p = %.4g%s\n", r->tests[t].what,
                    r->tests[t].df1, r->tests[t].df2, r->tests[t].F, r->tests[t].p,
                    r->tests[t].p < 0.05 ? "   (differ at 5%)" : "");
    }
    if (r->compare_loss_ok) {
        fprintf(fp, "\nLoss space (fine-tuned loss = L_scratch(N, D_F + k_c D_F^alpha_c N^beta_c)):\n");
        fprintf(fp, "  %-12s %5s %24s %24s %24s\n", "curriculum", "n", "k", "alpha", "beta");
        for (size_t c = 0; c < r->n_curricula; c++) {
            const xl_law_fit *f = &r->cur[c].loss_fit;
            char k[64], a[64], b[64];
            snprintf(k, sizeof k, "%.3g [%.3g, %.3g]", f->k.value, f->k.lo, f->k.hi);
            snprintf(a, sizeof a, "%.3f [%.3f, %.3f]", f->alpha.value, f->alpha.lo, f->alpha.hi);
            snprintf(b, sizeof b, "%.3f [%.3f, %.3f]", f->beta.value, f->beta.lo, f->beta.hi);
            fprintf(fp, "  %-12.12s %5zu %24s %24s %24s\n", r->cur[c].name, f->n, k, a, b);
        }
        fprintf(fp, "Joint loss-space fit with beta shared: beta = %.4f (se %.3g)\n", r->shared_beta_loss,
                r->shared_beta_loss_se);
        fprintf(fp, "F-tests (nested nonlinear fits of log loss; H0: the parameter is shared):\n");
        for (int t = 0; t < 3; t++)
            fprintf(fp, "  %-11s differ: F(%g, %g) = %8.4g   p = %.4g%s\n", r->tests_loss[t].what,
                    r->tests_loss[t].df1, r->tests_loss[t].df2, r->tests_loss[t].F, r->tests_loss[t].p,
                    r->tests_loss[t].p < 0.05 ? "   (differ at 5%)" : "");
    }
    for (size_t a = 0; a < r->opts.n_at; a++) {
        fprintf(fp, "\nData multiplier D_E/D_F at N=%.4g, D_F=%.4g:\n", r->opts.at_N[a], r->opts.at_DF[a]);
        for (size_t c = 0; c < r->n_curricula; c++)
            fprintf(fp, "  %-12.12s %10.4g [%.4g, %.4g]  (fraction from transfer %.3f)\n",
                    r->cur[c].name, r->cur[c].at_mult[a], r->cur[c].at_mult_lo[a],
                    r->cur[c].at_mult_hi[a], r->cur[c].at_frac[a]);
    }
}
