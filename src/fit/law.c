/* The named laws, parameter transforms, and the model evaluation the optimiser calls:
 * g(f(x_i; p)) and its exact derivatives in the internal parameters u, through the
 * expression engine or, for laws whose hot loop matters (chinchilla's 4,500-start grid),
 * a native kernel that computes the same thing in log-sum-exp form. */
#include "fit_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define G(...) {__VA_ARGS__}
#define NG(...) (sizeof((double[]){__VA_ARGS__}) / sizeof(double))
#define P(nm, lg, lo_, hi_, ...) \
    {.name = nm, .log_scale = lg, .lo = lo_, .hi = hi_, .n_grid = NG(__VA_ARGS__), .grid = G(__VA_ARGS__)}
/* A break position of bnsl: no fixed grid, starts are placed at quantiles of log x. */
#define PB(nm) {.name = nm, .log_scale = 1, .lo = 0, .hi = HUGE_VAL, .n_grid = 0}

static const xl_law_info laws[] = {
    {.name = "power", .formula = "a*x^b", .target = "y", .n_columns = 1, .columns = {"x"},
     .n_params = 2, .space = "log", .description = "y = a*x^b",
     .params = {P("a", 1, 0, HUGE_VAL, -5, 0, 5, 10), P("b", 0, -HUGE_VAL, HUGE_VAL, -2, -0.5, 0.5, 2)}},
    {.name = "power-offset", .formula = "E + A*x^(-alpha)", .target = "y", .n_columns = 1,
     .columns = {"x"}, .n_params = 3, .space = "log", .description = "y = E + A*x^(-alpha)",
     .params = {P("E", 1, 0, HUGE_VAL, -2, -1, 0, 1), P("A", 1, 0, HUGE_VAL, 0, 2.5, 5, 10, 15),
                P("alpha", 0, -HUGE_VAL, HUGE_VAL, 0.1, 0.3, 0.6, 1)}},
    {.name = "kaplan", .formula = "((Nc/N)^(aN/aD) + Dc/D)^aD", .target = "loss", .n_columns = 2,
     .columns = {"N", "D"}, .n_params = 4, .space = "log",
     .description = "loss = ((Nc/N)^(aN/aD) + Dc/D)^aD  (Kaplan et al. 2020)",
     .params = {P("Nc", 1, 0, HUGE_VAL, 10, 20, 30), P("Dc", 1, 0, HUGE_VAL, 10, 20, 30),
                P("aN", 0, -HUGE_VAL, HUGE_VAL, 0.05, 0.2, 0.5),
                P("aD", 0, -HUGE_VAL, HUGE_VAL, 0.05, 0.2, 0.5)}},
    {.name = "chinchilla", .formula = "E + A/N^alpha + B/D^beta", .target = "loss",
     .n_columns = 2, .columns = {"N", "D"}, .n_params = 5, .space = "log",
     .description = "loss = E + A/N^alpha + B/D^beta  (Hoffmann et al. 2022; Epoch grid)",
     .params = {P("E", 1, 0, HUGE_VAL, -1, -0.5, 0, 0.5, 1),
                P("A", 1, 0, HUGE_VAL, 0, 5, 10, 15, 20, 25),
                P("B", 1, 0, HUGE_VAL, 0, 5, 10, 15, 20, 25),
                P("alpha", 0, -HUGE_VAL, HUGE_VAL, 0, 0.5, 1, 1.5, 2),
                P("beta", 0, -HUGE_VAL, HUGE_VAL, 0, 0.5, 1, 1.5, 2)}},
    {.name = "transfer", .formula = "k*DF^alpha*N^beta", .target = "DT", .n_columns = 2,
     .columns = {"DF", "N"}, .n_params = 3, .space = "log",
     .description = "DT = k*DF^alpha*N^beta  (Hernandez et al. 2021)",
     .params = {P("k", 1, 0, HUGE_VAL, 0, 5, 10), P("alpha", 0, -HUGE_VAL, HUGE_VAL, 0.2, 0.5, 1),
                P("beta", 0, -HUGE_VAL, HUGE_VAL, 0.2, 0.5, 1)}},
#define BNSL_HEAD P("a", 1, 0, HUGE_VAL, -3, -1), P("b", 1, 0, HUGE_VAL, 0, 3), \
                  P("c0", 0, -HUGE_VAL, HUGE_VAL, 0.1, 0.5)
#define BNSL_BREAK(i) P("c" #i, 0, -HUGE_VAL, HUGE_VAL, 0.3, 1), PB("d" #i), \
                      P("f" #i, 1, 0, HUGE_VAL, -0.7)
#define BNSL_TERM(i) "*(1 + (x/d" #i ")^(1/f" #i "))^(-c" #i "*f" #i ")"
    {.name = "bnsl:1", .formula = "a + b*x^(-c0)" BNSL_TERM(1), .target = "y", .n_columns = 1,
     .columns = {"x"}, .n_params = 6, .space = "log",
     .description = "broken power law, 1 break (Caballero et al. 2022); also 'bnsl'",
     .params = {BNSL_HEAD, BNSL_BREAK(1)}},
    {.name = "bnsl:2", .formula = "a + b*x^(-c0)" BNSL_TERM(1) BNSL_TERM(2), .target = "y",
     .n_columns = 1, .columns = {"x"}, .n_params = 9, .space = "log",
     .description = "broken power law, 2 breaks",
     .params = {BNSL_HEAD, BNSL_BREAK(1), BNSL_BREAK(2)}},
    {.name = "bnsl:3", .formula = "a + b*x^(-c0)" BNSL_TERM(1) BNSL_TERM(2) BNSL_TERM(3),
     .target = "y", .n_columns = 1, .columns = {"x"}, .n_params = 12, .space = "log",
     .description = "broken power law, 3 breaks",
     .params = {BNSL_HEAD, BNSL_BREAK(1), BNSL_BREAK(2), BNSL_BREAK(3)}},
};

size_t xl_law_count(void) { return sizeof laws / sizeof laws[0]; }

const xl_law_info *xl_law_get(size_t i) { return i < xl_law_count() ? &laws[i] : NULL; }

const xl_law_info *xl_law_find(const char *name)
{
    if (!name)
        return NULL;
    if (strcmp(name, "bnsl") == 0)
        name = "bnsl:1";
    for (size_t i = 0; i < xl_law_count(); i++)
        if (strcmp(laws[i].name, name) == 0)
            return &laws[i];
    return NULL;
}

/* ---- transforms ------------------------------------------------------------------ */
static double sigm(double u) { return u >= 0 ? 1 / (1 + exp(-u)) : exp(u) / (1 + exp(u)); }

double fit_p_from_u(const fit_ptrans *t, double u)
{
    switch (t->kind) {
    case TR_LOG: return exp(u);
    case TR_LOWER: return t->lo + exp(u);
    case TR_UPPER: return t->hi - exp(u);
    case TR_BOX: return t->lo + (t->hi - t->lo) * sigm(u);
    default: return u;
    }
}

double fit_u_from_p(const fit_ptrans *t, double p)
{
    switch (t->kind) {
    case TR_LOG: return log(p);
    case TR_LOWER: return log(p - t->lo);
    case TR_UPPER: return log(t->hi - p);
    case TR_BOX: {
        double q = (p - t->lo) / (t->hi - t->lo);
        return log(q / (1 - q));
    }
    default: return p;
    }
}

double fit_dp_du(const fit_ptrans *t, double u)
{
    switch (t->kind) {
    case TR_LOG: return exp(u);
    case TR_LOWER: return exp(u);
    case TR_UPPER: return -exp(u);
    case TR_BOX: {
        double s = sigm(u);
        return (t->hi - t->lo) * s * (1 - s);
    }
    default: return 1.0;
    }
}

void fit_full_u(const fit_problem *pb, const double *th, double *u)
{
    memcpy(u, pb->u_fixed, pb->np * sizeof *u);
    for (size_t k = 0; k < pb->nf; k++)
        u[pb->free_idx[k]] = th[k];
}

/* ---- model evaluation ------------------------------------------------------------- */
/* chinchilla, params (E, A, B, alpha, beta) as (log E, log A, log B, alpha, beta):
 * log f = LSE(a - alpha log N, b - beta log D, e), as Epoch fits it. */
static int eval_chinchilla(fit_work *w, const double *u, int want_grad)
{
    const fit_problem *pb = w->pb;
    const double *lN = pb->logx[0], *lD = pb->logx[1];
    const double e = u[0], a = u[1], b = u[2], al = u[3], be = u[4];
    const size_t np = pb->np;
    int ok = 0;
    const double eE = exp(e), eA = exp(a), eB = exp(b);
    for (size_t i = 0; i < pb->n; i++) {
        /* direct sum (2 exps); log-sum-exp only when it under/overflows */
        double w1 = eA * exp(-al * lN[i]), w2 = eB * exp(-be * lD[i]), w3 = eE;
        double s = w1 + w2 + w3, lf;
        if (s > 1e-300 && s < 1e300) {
            lf = log(s);
        } else {
            double t1 = a - al * lN[i], t2 = b - be * lD[i];
            double m = t1 > t2 ? t1 : t2;
            m = m > e ? m : e;
            w1 = exp(t1 - m), w2 = exp(t2 - m), w3 = exp(e - m);
            s = w1 + w2 + w3;
            lf = m + log(s);
        }
        double sc = 1.0 / s, f = 0;
        if (!pb->space_log) {
            f = exp(lf);
            sc *= f;
            w->gf[i] = f;
        } else {
            w->gf[i] = lf;
        }
        if (!isfinite(w->gf[i]))
            ok = -1;
        if (want_grad) {
            double *d = w->dg + i * np;
            d[0] = w3 * sc;
            d[1] = w1 * sc;
            d[2] = w2 * sc;
            d[3] = -lN[i] * w1 * sc;
            d[4] = -lD[i] * w2 * sc;
        }
    }
    return ok;
}

static int eval_expr(fit_work *w, const double *u, int want_grad)
{
    const fit_problem *pb = w->pb;
    double p[XL_FIT_MAX_PARAMS], dpdu[XL_FIT_MAX_PARAMS];
    for (size_t k = 0; k < pb->np; k++) {
        p[k] = fit_p_from_u(&pb->tr[k], u[k]);
        dpdu[k] = fit_dp_du(&pb->tr[k], u[k]);
    }
    for (size_t s = 0; s < pb->n_sym; s++)
        if (pb->sym_map[s] < 0)
            w->vals[s] = p[-pb->sym_map[s] - 1];
    int ok = 0;
    for (size_t i = 0; i < pb->n; i++) {
        for (size_t s = 0; s < pb->n_sym; s++)
            if (pb->sym_map[s] >= 0)
                w->vals[s] = pb->x[pb->sym_map[s]][i];
        double f;
        if (want_grad)
            f = xl_expr_eval_grad(pb->expr, w->vals, w->grad, w->scratch);
        else
            f = xl_expr_eval(pb->expr, w->vals);
        double g = pb->space_log ? (f > 0 ? log(f) : NAN) : f;
        w->gf[i] = g;
        if (!isfinite(g)) {
            ok = -1;
            continue;
        }
        if (want_grad) {
            double *d = w->dg + i * pb->np;
            double sc = pb->space_log ? 1.0 / f : 1.0;
            for (size_t k = 0; k < pb->np; k++)
                d[k] = 0;
            for (size_t s = 0; s < pb->n_sym; s++)
                if (pb->sym_map[s] < 0) {
                    size_t k = (size_t)(-pb->sym_map[s] - 1);
                    d[k] = w->grad[s] * dpdu[k] * sc;
                }
        }
    }
    return ok;
}

int fit_model_eval(fit_work *w, const double *u, int want_grad)
{
    w->n_eval++;
    if (w->pb->kernel == KERNEL_CHINCHILLA)
        return eval_chinchilla(w, u, want_grad);
    return eval_expr(w, u, want_grad);
}
