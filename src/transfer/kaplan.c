/* Kaplan's L(N,D), its inverse, D(N), measurement containers and planted data. */
#include "xfer_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double xl_kaplan_linf(const xl_kaplan *k, double N)
{
    return pow(k->Nc / N, k->aN);
}

double xl_kaplan_loss(const xl_kaplan *k, double N, double D)
{
    return pow(pow(k->Nc / N, k->aN / k->aD) + k->Dc / D, k->aD);
}

double xl_kaplan_invert(const xl_kaplan *k, double N, double loss)
{
    if (!(loss > 0) || !(N > 0) || !(k->aD > 0))
        return NAN;
    /* L^(1/aD) = A + Dc/D, A = (Nc/N)^(aN/aD); work in logs so tiny aD does not overflow */
    double la = (k->aN / k->aD) * log(k->Nc / N);
    double ll = log(loss) / k->aD;
    if (ll <= la)
        return INFINITY;
    /* Dc / (e^ll - e^la) = Dc / (e^ll (1 - e^(la-ll))) */
    return exp(log(k->Dc) - ll - log(-expm1(la - ll)));
}

double xl_kaplan_dn(const xl_kaplan *k, double N, double within)
{
    return xl_kaplan_invert(k, N, (1.0 + within) * xl_kaplan_linf(k, N));
}

int xl__is_scratch(const char *c)
{
    return c && strcmp(c, "scratch") == 0;
}

/* ---- containers ---------------------------------------------------------------- */
xl_xfer_runs *xl_xfer_runs_alloc(xl_error *err)
{
    xl_xfer_runs *r = xl_calloc(1, sizeof *r, err);
    if (r && !(r->path = xl_strdup("", err))) {
        free(r);
        return NULL;
    }
    if (r)
        r->flops = r->seconds = r->seconds_pretrain = NAN;
    return r;
}

void xl_xfer_runs_free(xl_xfer_runs *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->curriculum[i]);
    free(r->curriculum);
    free(r->N);
    free(r->D);
    free(r->loss);
    free(r->line);
    for (size_t i = 0; i < r->n_pre; i++)
        free(r->pre_curriculum[i]);
    free(r->pre_curriculum);
    free(r->pre_N);
    free(r->pre_loss);
    free(r->pre_tokens);
    free(r->ended_by_cap);
    free(r->unigram);
    free(r->path);
    free(r);
}

int xl_xfer_runs_add(xl_xfer_runs *r, const char *curriculum, double N, double D, double loss,
                     long line, xl_error *err)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        char **c = realloc(r->curriculum, cap * sizeof *c);
        if (c)
            r->curriculum = c;
        double *a = realloc(r->N, cap * sizeof *a);
        if (a)
            r->N = a;
        double *b = realloc(r->D, cap * sizeof *b);
        if (b)
            r->D = b;
        double *l = realloc(r->loss, cap * sizeof *l);
        if (l)
            r->loss = l;
        long *ln = realloc(r->line, cap * sizeof *ln);
        if (ln)
            r->line = ln;
        unsigned *ec = realloc(r->ended_by_cap, cap * sizeof *ec);
        if (ec)
            r->ended_by_cap = ec;
        double *u = realloc(r->unigram, cap * sizeof *u);
        if (u)
            r->unigram = u;
        if (!c || !a || !b || !l || !ln || !ec || !u)
            return xl_error_set(err, XL_ENOMEM, "out of memory");
        r->cap = cap;
    }
    char *s = xl_strdup(curriculum, err);
    if (!s)
        return XL_ENOMEM;
    r->curriculum[r->n] = s;
    r->N[r->n] = N;
    r->D[r->n] = D;
    r->loss[r->n] = loss;
    r->line[r->n] = line;
    r->ended_by_cap[r->n] = 0;
    r->unigram[r->n] = NAN;
    r->n++;
    return XL_OK;
}

/* ---- planted data --------------------------------------------------------------- */
void xl_planted_default(xl_planted_spec *s)
{
    memset(s, 0, sizeof *s);
    s->scratch = XL_KAPLAN_2020;
    s->n_sizes = 7;
    s->N_min = 1e5;
    s->N_max = 1e8;
    s->n_scratch_D = 25;
    s->D_min = 1e5;
    s->D_max = 3e10;
    s->n_ft_D = 9;
    s->DF_min = 1e5;
    s->DF_max = 1e9;
    s->low_data_frac = 0.10;
    s->noise = 0.003;
    s->n_curricula = 1;
    s->curricula[0] = (xl_planted_curriculum){"text", 1.9e4, 0.18, 0.38};
    s->seed = 1;
}

static double logspace(double lo, double hi, size_t n, size_t i)
{
    if (n < 2)
        return lo;
    return exp(log(lo) + (log(hi) - log(lo)) * (double)i / (double)(n - 1));
}

int xl_planted_generate(const xl_planted_spec *s, xl_xfer_runs **out, xl_error *err)
{
    *out = NULL;
    if (s->n_sizes < 1 || !(s->N_min > 0) || !(s->N_max >= s->N_min) || !(s->D_min > 0) ||
        !(s->D_max >= s->D_min) || !(s->DF_min > 0) || !(s->DF_max >= s->DF_min) ||
        s->n_curricula > 8 || !(s->noise >= 0))
        return xl_error_set(err, XL_EINVAL, "planted spec: bad grid or noise");
    xl_xfer_runs *r = xl_xfer_runs_alloc(err);
    if (!r)
        return XL_ENOMEM;
    xl_rng rng;
    xl_rng_seed(&rng, s->seed);
    int rc = XL_OK;
    for (size_t i = 0; i < s->n_sizes && !rc; i++) {
        double N = logspace(s->N_min, s->N_max, s->n_sizes, i);
        for (size_t j = 0; j < s->n_scratch_D && !rc; j++) {
            double D = logspace(s->D_min, s->D_max, s->n_scratch_D, j);
            double L = xl_kaplan_loss(&s->scratch, N, D) * exp(s->noise * xl_rng_normal(&rng));
            rc = xl_xfer_runs_add(r, "scratch", N, D, L, 0, err);
        }
        double DN = xl_kaplan_dn(&s->scratch, N, 0.01);
        for (size_t c = 0; c < s->n_curricula && !rc; c++) {
            const xl_planted_curriculum *pc = &s->curricula[c];
            for (size_t j = 0; j < s->n_ft_D && !rc; j++) {
                double DF = logspace(s->DF_min, s->DF_max, s->n_ft_D, j);
                if (s->low_data_frac > 0 && DF > s->low_data_frac * DN)
                    continue;
                double DT = pc->k * pow(DF, pc->alpha) * pow(N, pc->beta);
                double L = xl_kaplan_loss(&s->scratch, N, DF + DT) *
                           exp(s->noise * xl_rng_normal(&rng));
                rc = xl_xfer_runs_add(r, pc->name, N, DF, L, 0, err);
            }
        }
    }
    if (rc) {
        xl_xfer_runs_free(r);
        return rc;
    }
    *out = r;
    return XL_OK;
}
