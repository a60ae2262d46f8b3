/* The verdict in words (the same sentences on stdout, in the JSON and in the report),
 * its table beside Hernandez et al.'s values, and its JSON. */
#include "xfer_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "1 run ends" / "2 runs end": the noun and its verb */
static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static const char *num(double v, char *buf)
{
    xl_fmt_num(v, 3, XL_FMT_UTF8, buf, 48);
    return buf;
}

/* "0.175 [0.155, 0.193]"; style PLAIN keeps table columns aligned on a terminal */
static void pinterval_style(const xl_param *p, int style, char *out, size_t n)
{
    char a[48], b[48], c[48];
    xl_fmt_num(p->value, 3, style, a, sizeof a);
    xl_fmt_num(p->lo, 3, style, b, sizeof b);
    xl_fmt_num(p->hi, 3, style, c, sizeof c);
    snprintf(out, n, "%s [%s, %s]", a, b, c);
}

static void pinterval(const xl_param *p, char *out, size_t n)
{
    pinterval_style(p, XL_FMT_UTF8, out, n);
}

static const char *FLAG_NAMES[XL_XF_NFLAGS] = {"above_range", "below_range", "unbounded",
                                              "no_curve", "nonpositive", "high_data", "disagree",
                                              "flat", "cap", "pre_transition"};

/* A forecast's factor without false precision: 3.4, 17, 170 (two significant digits). */
static const char *factor_str(double f, char *buf, size_t n)
{
    if (f < 10)
        snprintf(buf, n, "%.1f", f);
    else {
        double p = pow(10, floor(log10(f)) - 1);
        snprintf(buf, n, "%.0f", round(f / p) * p);
    }
    return buf;
}

/* How many more runs would narrow the intervals to their limits: each not-measured
 * curriculum's runs_factor, with the interval that sets it. */
static void wide_advice(FILE *fp, const xl_transfer_result *r, const xl_verdict *v)
{
    double worst = 0;
    fputs("- Intervals too wide: more seeds per (N, D_F) point and more D_F values per size narrow them.", fp);
    const char *sep = " Repeating every fine-tune and from-scratch run with more seeds narrows an interval about as 1/\u221a(runs):";
    for (size_t c = 0; c < v->n_cur; c++) {
        const xl_verdict_cur *vc = &v->cur[c];
        if (vc->measured || !(vc->runs_factor > 1))
            continue;
        char fs[32];
        factor_str(vc->runs_factor, fs, sizeof fs);
        const xl_param *p = vc->runs_factor_param == 1 ? &vc->alpha : &vc->beta;
        if (vc->runs_factor_param == 0)
            fprintf(fp, "%s %s needs about %s\u00d7 the runs (k's interval spans %.1f decades, limit %g)",
                    sep, vc->name, fs, log10(vc->k.hi / vc->k.lo), v->decades);
        else
            fprintf(fp, "%s %s needs about %s\u00d7 the runs (%s's interval is %.2f wide, limit %g)",
                    sep, vc->name, fs, vc->runs_factor_param == 1 ? "\u03b1" : "\u03b2",
                    p->hi - p->lo, v->width);
        sep = ";";
        worst = fmax(worst, vc->runs_factor);
    }
    /* in time, when the records say how long their runs took (pre-trainings are not repeated:
     * more seeds reuse them) */
    const xl_xfer_runs *in = r->runs;
    double secs = in ? in->seconds - in->seconds_pretrain : NAN;
    if (worst > 1 && isfinite(secs) && secs > 0) {
        char a[32], b[32], fs[32];
        xl_format_duration(secs, a, sizeof a);
        xl_format_duration((worst - 1) * secs, b, sizeof b);
        fprintf(fp, ". These %zu runs took %s of run time (pre-training left out), so %s\u00d7 is about %s more",
                in->n, a, factor_str(worst, fs, sizeof fs), b);
    }
    fputs(*sep == ';' ? ".\n" : "\n", fp);
}

/* What a larger or different sweep would need, from the flags of the runs that were
 * not usable and from the shape of the from-scratch fits. */
static void advice(FILE *fp, const xl_transfer_result *r, const xl_verdict *v)
{
    size_t cnt[XL_XF_NFLAGS] = {0}, sizes_short = 0, wide = 0;
    for (size_t c = 0; c < v->n_cur; c++) {
        const xl_verdict_cur *vc = &v->cur[c];
        if (vc->measured)
            continue;
        for (int b = 0; b < XL_XF_NFLAGS; b++)
            cnt[b] += vc->flag_count[b];
        sizes_short |= vc->n_sizes < 3;
        wide |= (vc->k_flags | vc->alpha_flags | vc->beta_flags) != 0;
    }
    char a[48], b[48];
    if (cnt[0])
        fprintf(fp, "- %zu %s above the highest from-scratch loss measured (D_E below the smallest from-scratch D, %s tokens): add from-scratch runs at smaller D.\n",
                cnt[0], plural(cnt[0], "run ended", "runs ended"), num(v->scratch_Dmin, a));
    if (cnt[1])
        fprintf(fp, "- %zu %s below the lowest from-scratch loss measured (D_E beyond %s tokens): add from-scratch runs at larger D.\n",
                cnt[1], plural(cnt[1], "run ended", "runs ended"), num(v->scratch_Dmax, a));
    if (cnt[7])
        fprintf(fp, "- %zu %s D_E where the from-scratch curve is within %g%% of its asymptote (flat): use larger models or smaller D_F.\n",
                cnt[7], plural(cnt[7], "run needs", "runs need"), 100 * r->opts.within);
    if (cnt[5])
        fprintf(fp, "- %zu %s outside the low-data regime (D_F > %g D(N)): use smaller D_F or larger models.\n",
                cnt[5], plural(cnt[5], "run is", "runs are"), r->opts.low_data_frac);
    if (cnt[6])
        fprintf(fp, "- %zu %s D_T estimates (interpolated curve vs fitted L(N,D)) more than %g\u00d7 apart: the fitted L(N,D) (rms of log residuals %s) does not describe the from-scratch curves; measure more from-scratch D per size and more sizes.\n",
                cnt[6], plural(cnt[6], "run has", "runs have"), r->opts.disagree, num(r->scratch->kap_rms, b));
    if (cnt[4])
        fprintf(fp, "- %zu %s no transfer (D_T \u2264 0).\n", cnt[4], plural(cnt[4], "run shows", "runs show"));
    if (cnt[8] || r->n_scratch_cap)
        fprintf(fp, "- %zu fine-tunes and %zu from-scratch runs ended at the trainer's step cap while still improving (left out): raise the cap or use fewer, larger steps (docs/protocol.md).\n",
                cnt[8], r->n_scratch_cap);
    if (cnt[9])
        fprintf(fp, "- %zu fine-tunes and %zu from-scratch runs are below the unigram transition (left out): place D and D_F above the largest screened from-scratch D of each size (docs/protocol.md).\n",
                cnt[9], r->n_scratch_pre);
    if (v->n_linf_zero || v->n_dn_beyond)
        fprintf(fp, "- The per-size from-scratch fits of %zu of %zu sizes put the asymptote near 0 or D(N) more than two decades beyond the data: the curves do not bend within the measured D, so D(N) and the low-data regime are not determined; measure from-scratch runs at larger D.\n",
                v->n_linf_zero > v->n_dn_beyond ? v->n_linf_zero : v->n_dn_beyond, v->n_sizes);
    if (sizes_short)
        fprintf(fp, "- The law needs at least three model sizes with usable runs, spread over a decade or more of N.\n");
    if (wide)
        wide_advice(fp, r, v);
}

static void curriculum_sentences(FILE *fp, const xl_transfer_result *r, const xl_verdict *v,
                                 const xl_verdict_cur *vc)
{
    char k[160], al[160], be[160], a[48], b[48], c[48];
    pinterval(&vc->k, k, sizeof k);
    pinterval(&vc->alpha, al, sizeof al);
    pinterval(&vc->beta, be, sizeof be);
    const char *how = xl_estimator_name(v->est);
    if (vc->measured) {
        fprintf(fp, "%s: transfer law measured. D_T = k D_F^\u03b1 N^\u03b2 with k = %s, \u03b1 = %s, \u03b2 = %s (95%% intervals; log-linear fit of the %s estimator on %zu runs, %zu without flags).",
                vc->name, k, al, be, how, vc->n_used, vc->n_clean);
        if (vc->ref)
            fprintf(fp, " Hernandez et al., %s: k = %s, \u03b1 = %s, \u03b2 = %s.", vc->ref->name,
                    num(vc->ref->k, a), num(vc->ref->alpha, b), num(vc->ref->beta, c));
        fputc('\n', fp);
        fprintf(fp, "%s: %s; %s.\n", vc->name,
                vc->alpha_sign > 0   ? "\u03b1 > 0 (its interval excludes 0): more fine-tuning data transfers more"
                : vc->alpha_sign < 0 ? "\u03b1 < 0 (its interval excludes 0): transfer shrinks with fine-tuning data"
                                     : "\u03b1 is not distinguishable from 0",
                vc->beta_sign > 0   ? "\u03b2 > 0: larger models transfer more"
                : vc->beta_sign < 0 ? "\u03b2 < 0: larger models transfer less"
                                    : "\u03b2 is not distinguishable from 0: no evidence that transfer grows with model size");
        return;
    }
    fprintf(fp, "%s: no transfer law measured.", vc->name);
    if (!vc->fit_ok) {
        fprintf(fp, " The law could not be fitted: %zu of %zu fine-tuned runs were usable.\n", vc->n_used, vc->n_runs);
        return;
    }
    fputs(" Why:", fp);
    const char *sep = " ";
    if (vc->k_flags) {
        if (vc->k_flags & XL_PF_NONFINITE)
            fprintf(fp, "%sk's interval is not finite", sep);
        else if (vc->k.lo > 0)
            fprintf(fp, "%sk's interval spans %.1f decades (limit %g)", sep, log10(vc->k.hi / vc->k.lo), v->decades);
        else
            fprintf(fp, "%sk's interval reaches 0", sep);
        sep = "; ";
    }
    const xl_param *ps[2] = {&vc->alpha, &vc->beta};
    unsigned fs[2] = {vc->alpha_flags, vc->beta_flags};
    const char *nm[2] = {"\u03b1", "\u03b2"};
    for (int i = 0; i < 2; i++)
        if (fs[i]) {
            if (fs[i] & XL_PF_NONFINITE)
                fprintf(fp, "%s%s's interval is not finite", sep, nm[i]);
            else
                fprintf(fp, "%s%s's interval is %.2f wide (limit %g)", sep, nm[i], ps[i]->hi - ps[i]->lo, v->width);
            sep = "; ";
        }
    if (vc->n_clean < v->min_clean || 2 * vc->n_clean < vc->n_used) {
        fprintf(fp, "%sonly %zu of %zu fitted runs carry no flag (need %zu and at least half)", sep,
                vc->n_clean, vc->n_used, v->min_clean);
        sep = "; ";
    }
    if (vc->n_sizes < 3 || vc->n_DF < 3)
        fprintf(fp, "%sthe fitted runs cover %zu model sizes and %zu D_F values (need 3 of each)", sep,
                vc->n_sizes, vc->n_DF);
    fprintf(fp, ". The fit's numbers, flagged and not to be read as measurements: k = %s, \u03b1 = %s, \u03b2 = %s.", k, al, be);
    if (vc->ref)
        fprintf(fp, " (Hernandez et al., %s: k = %s, \u03b1 = %s, \u03b2 = %s.)", vc->ref->name,
                num(vc->ref->k, a), num(vc->ref->alpha, b), num(vc->ref->beta, c));
    fputc('\n', fp);
    /* An exponent can be pinned down while k and the other one are not (the sizes span
     * two decades, the D_F values less than one): say so, rather than discard it with the law. */
    for (int i = 0; vc->runs_enough && i < 2; i++) {
        int s = i ? vc->beta_sign : vc->alpha_sign;
        if (fs[i] || !s)
            continue;
        fprintf(fp, "%s: %s alone is determined: %s = %s, %s 0 at 95%% (%s).\n", vc->name, nm[i], nm[i],
                i ? be : al, s > 0 ? ">" : "<",
                i ? (s > 0 ? "larger models transfer more" : "larger models transfer less")
                  : (s > 0 ? "more fine-tuning data transfers more" : "transfer shrinks with fine-tuning data"));
    }
    size_t nf = 0;
    for (int bit = 0; bit < XL_XF_NFLAGS; bit++)
        nf += vc->flag_count[bit] != 0;
    if (nf) {
        fprintf(fp, "%s: flagged runs:", vc->name);
        sep = " ";
        for (int bit = 0; bit < XL_XF_NFLAGS; bit++)
            if (vc->flag_count[bit]) {
                fprintf(fp, "%s%s %zu", sep, FLAG_NAMES[bit], vc->flag_count[bit]);
                sep = ", ";
            }
        fprintf(fp, " (of %zu).\n", vc->n_runs);
    }
    (void)r;
}

int xl__verdict_text(const xl_transfer_result *r, xl_verdict *v, xl_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp)
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    char a[48], b[48], c[48];
    if (v->n_cur == 0)
        fputs("No fine-tuned runs: nothing to judge.\n", fp);
    else if (v->n_measured == v->n_cur)
        fprintf(fp, "A transfer law was measured for %s.\n", v->n_cur == 1 ? "the curriculum" : "every curriculum");
    else if (v->n_measured == 0)
        fputs("No transfer law was measured at these sizes: no fitted interval is narrow enough, or too few runs are free of flags, to read the numbers as a law.\n", fp);
    else
        fprintf(fp, "A transfer law was measured for %zu of %zu curricula.\n", v->n_measured, v->n_cur);
    for (size_t i = 0; i < v->n_cur; i++)
        curriculum_sentences(fp, r, v, &v->cur[i]);
    if (v->n_cur >= 2) {
        if (!v->tested)
            fputs("Curricula not compared: the joint fit needs two curricula with enough usable runs.\n", fp);
        else if (v->n_measured == v->n_cur) {
            int da = v->p_alpha < 0.05, db = v->p_beta < 0.05;
            if (da || db)
                fprintf(fp, "The curricula differ%s%s%s (F-tests on log D_T: p = %s for \u03b1, %s for \u03b2).\n",
                        da ? " in \u03b1" : "", da && db ? " and" : "", db ? " in \u03b2" : "",
                        num(v->p_alpha, a), num(v->p_beta, b));
            else
                fprintf(fp, "The curricula do not differ detectably (F-tests on log D_T: p = %s for \u03b1, %s for \u03b2, %s for both).\n",
                        num(v->p_alpha, a), num(v->p_beta, b), num(v->p_both, c));
        } else
            fprintf(fp, "No claim that the curricula differ: a law was not measured for every curriculum (F-tests on log D_T, for reference only: p = %s for \u03b1, %s for \u03b2).\n",
                    num(v->p_alpha, a), num(v->p_beta, b));
    }
    for (size_t i = 0; i < v->n_cur; i++) {
        const xl_verdict_cur *vc = &v->cur[i];
        if (vc->n_ossified)
            fprintf(fp, "%s: ossification seen: %zu %s above the from-scratch loss at D = D_F (worst +%.1f%% at N = %s, D_F = %s): pre-training hurt there.\n",
                    vc->name, vc->n_ossified, plural(vc->n_ossified, "run ends", "runs end"), 100 * vc->oss_excess, num(vc->oss_N, a), num(vc->oss_DF, b));
        else
            fprintf(fp, "%s: ossification not seen: no fine-tuned run ends more than 1%% above the from-scratch loss at D = D_F.\n",
                    vc->name);
    }
    if (v->n_measured < v->n_cur) {
        fputs("What a measurement would need:\n", fp);
        advice(fp, r, v);
    }
    if (fclose(fp) || !buf) {
        free(buf);
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    }
    v->text = buf;
    return XL_OK;
}

/* "5.63e4 [2.57e3, 3.52e5]" or, flagged, the same followed by "  !wide" */
static void pcell(const xl_param *p, unsigned flags, char *out, size_t n)
{
    char s[160], f[80];
    pinterval_style(p, XL_FMT_PLAIN, s, sizeof s);
    xl_param_flags_str(flags, f, sizeof f);
    size_t u = (size_t)snprintf(out, n, "%s", s);
    if (flags && u < n)
        snprintf(out + u, n - u, " !%s", f);
}

void xl_verdict_print(const xl_transfer_result *r, FILE *fp)
{
    const xl_verdict *v = &r->verdict;
    fprintf(fp, "Verdict\n");
    for (const char *p = v->text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        fprintf(fp, "  %.*s\n", (int)n, p);
        p += n + (e != NULL);
    }
    fprintf(fp, "\n  Law D_T = k D_F^alpha N^beta (log-linear fit, %s estimator, 95%% intervals; measured when k spans <= %g decades, alpha and beta <= %g wide, >= %zu runs without flags; '!' marks a flagged number)\n",
            xl_estimator_name(v->est), v->decades, v->width, v->min_clean);
    fprintf(fp, "  %-12s %-8s %-30s %-30s %-30s %s\n", "curriculum", "measured", "k", "alpha", "beta",
            "Hernandez et al. k, alpha, beta");
    for (size_t i = 0; i < v->n_cur; i++) {
        const xl_verdict_cur *vc = &v->cur[i];
        char k[200] = "not fitted", a[200] = "-", b[200] = "-", ref[160] = "-", x[48], y[48], z[48];
        if (vc->fit_ok) {
            pcell(&vc->k, vc->k_flags, k, sizeof k);
            pcell(&vc->alpha, vc->alpha_flags, a, sizeof a);
            pcell(&vc->beta, vc->beta_flags, b, sizeof b);
        }
        if (vc->ref)
        {
            xl_fmt_num(vc->ref->k, 3, XL_FMT_PLAIN, x, sizeof x);
            xl_fmt_num(vc->ref->alpha, 3, XL_FMT_PLAIN, y, sizeof y);
            xl_fmt_num(vc->ref->beta, 3, XL_FMT_PLAIN, z, sizeof z);
            snprintf(ref, sizeof ref, "%s, %s, %s", x, y, z);
        }
        fprintf(fp, "  %-12.12s %-8s %-30s %-30s %-30s %s\n", vc->name, vc->measured ? "yes" : "no", k, a, b, ref);
    }
    fputc('\n', fp);
}

static cJSON *param_flagged(const xl_param *p, unsigned flags)
{
    cJSON *o = cJSON_CreateObject(), *ci = cJSON_CreateArray();
    char f[80];
    cJSON_AddItemToObject(o, "value", xl_json_number(p->value));
    cJSON_AddItemToArray(ci, xl_json_number(p->lo));
    cJSON_AddItemToArray(ci, xl_json_number(p->hi));
    cJSON_AddItemToObject(o, "ci95", ci);
    xl_param_flags_str(flags, f, sizeof f);
    cJSON_AddStringToObject(o, "flags", f);
    return o;
}

static const char *sign_word(int s)
{
    return s > 0 ? "positive" : s < 0 ? "negative" : "not distinguishable from 0";
}

cJSON *xl_verdict_to_json(const xl_transfer_result *r)
{
    const xl_verdict *v = &r->verdict;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "fit", "log-linear on D_T");
    cJSON_AddStringToObject(o, "estimator", xl_estimator_name(v->est));
    cJSON *lim = cJSON_AddObjectToObject(o, "limits");
    cJSON_AddNumberToObject(lim, "k_decades", v->decades);
    cJSON_AddNumberToObject(lim, "exponent_width", v->width);
    cJSON_AddNumberToObject(lim, "min_runs_without_flags", (double)v->min_clean);
    cJSON_AddNumberToObject(o, "measured", (double)v->n_measured);
    cJSON *cs = cJSON_AddArrayToObject(o, "curricula");
    for (size_t i = 0; i < v->n_cur; i++) {
        const xl_verdict_cur *vc = &v->cur[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "name", vc->name);
        cJSON_AddBoolToObject(j, "measured", vc->measured);
        cJSON_AddBoolToObject(j, "fitted", vc->fit_ok);
        cJSON_AddNumberToObject(j, "runs", (double)vc->n_runs);
        cJSON_AddNumberToObject(j, "runs_fitted", (double)vc->n_used);
        cJSON_AddNumberToObject(j, "runs_without_flags", (double)vc->n_clean);
        cJSON_AddNumberToObject(j, "sizes", (double)vc->n_sizes);
        cJSON_AddNumberToObject(j, "D_F_values", (double)vc->n_DF);
        if (vc->fit_ok) {
            cJSON *ps = cJSON_AddObjectToObject(j, "params");
            cJSON_AddItemToObject(ps, "k", param_flagged(&vc->k, vc->k_flags));
            cJSON_AddItemToObject(ps, "alpha", param_flagged(&vc->alpha, vc->alpha_flags));
            cJSON_AddItemToObject(ps, "beta", param_flagged(&vc->beta, vc->beta_flags));
            cJSON_AddStringToObject(j, "alpha_sign", sign_word(vc->alpha_sign));
            cJSON_AddStringToObject(j, "beta_sign", sign_word(vc->beta_sign));
        }
        if (vc->ref) {
            cJSON *rf = cJSON_AddObjectToObject(j, "hernandez");
            cJSON_AddStringToObject(rf, "name", vc->ref->name);
            cJSON_AddNumberToObject(rf, "k", vc->ref->k);
            cJSON_AddNumberToObject(rf, "alpha", vc->ref->alpha);
            cJSON_AddNumberToObject(rf, "beta", vc->ref->beta);
        }
        cJSON *fc = cJSON_AddObjectToObject(j, "flagged_runs");
        for (int b = 0; b < XL_XF_NFLAGS; b++)
            if (vc->flag_count[b])
                cJSON_AddNumberToObject(fc, FLAG_NAMES[b], (double)vc->flag_count[b]);
        if (vc->fit_ok)
            cJSON_AddItemToObject(j, "runs_factor", xl_json_number(vc->runs_factor));
        cJSON *os = cJSON_AddObjectToObject(j, "ossification");
        cJSON_AddBoolToObject(os, "seen", vc->n_ossified > 0);
        cJSON_AddNumberToObject(os, "runs", (double)vc->n_ossified);
        if (vc->n_ossified) {
            cJSON_AddNumberToObject(os, "worst_N", vc->oss_N);
            cJSON_AddNumberToObject(os, "worst_D_F", vc->oss_DF);
            cJSON_AddNumberToObject(os, "worst_excess", vc->oss_excess);
        }
        cJSON_AddItemToArray(cs, j);
    }
    cJSON *cmp = cJSON_AddObjectToObject(o, "compare");
    cJSON_AddBoolToObject(cmp, "tested", v->tested);
    cJSON_AddBoolToObject(cmp, "claimed", v->tested && v->n_cur >= 2 && v->n_measured == v->n_cur);
    if (v->tested) {
        cJSON_AddItemToObject(cmp, "p_alpha", xl_json_number(v->p_alpha));
        cJSON_AddItemToObject(cmp, "p_beta", xl_json_number(v->p_beta));
        cJSON_AddItemToObject(cmp, "p_alpha_beta", xl_json_number(v->p_both));
    }
    cJSON *sc = cJSON_AddObjectToObject(o, "scratch");
    cJSON_AddNumberToObject(sc, "sizes", (double)v->n_sizes);
    cJSON_AddNumberToObject(sc, "asymptote_near_zero", (double)v->n_linf_zero);
    cJSON_AddNumberToObject(sc, "D_N_beyond_range", (double)v->n_dn_beyond);
    cJSON *tx = cJSON_AddArrayToObject(o, "text");
    for (const char *p = v->text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *line = strndup(p, n);
        if (line) {
            cJSON_AddItemToArray(tx, cJSON_CreateString(line));
            free(line);
        }
        p += n + (e != NULL);
    }
    return o;
}
