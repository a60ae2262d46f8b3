/* The named laws, parameter transforms, and the model evaluation the optimiser calls:
 * g(f(x_i; p)) and its exact derivatives in the internal parameters u, through the
 * expression engine or, for laws whose hot loop matters (chinchilla's 4,500-start grid),
 * a native kernel that computes the same thing in log-sum-exp form. */
#include "fit_internal.h"

#include <math.h>
#include <stdint.h>
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
/* exp and log without calls or branches, so the row loops below vectorise (relative error
 * about 2e-16 on the ranges used; extreme arguments are clamped, and the kernel redoes
 * any row whose sum under/overflows with libm). */
static inline double fast_exp(double x)
{
    const double in = x;
    x = x > 700 ? 700 : (x >= -700 ? x : -700);   /* NaN lands here too, restored below */
    /* round to nearest through the 1.5*2^52 shifter (vectorises, unlike round()) */
    double k = (x * 1.4426950408889634 + 6755399441055744.0) - 6755399441055744.0;
    double r = x - k * 6.93147180369123816490e-01 - k * 1.90821492927058770002e-10;
    double p = 1.0 / 479001600;
    p = p * r + 1.0 / 39916800;
    p = p * r + 1.0 / 3628800;
    p = p * r + 1.0 / 362880;
    p = p * r + 1.0 / 40320;
    p = p * r + 1.0 / 5040;
    p = p * r + 1.0 / 720;
    p = p * r + 1.0 / 120;
    p = p * r + 1.0 / 24;
    p = p * r + 1.0 / 6;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    union { double d; uint64_t i; } sc = {.i = (uint64_t)((int64_t)k + 1023) << 52};
    return in == in ? p * sc.d : in;
}

/* x must be a positive normal number */
static inline double fast_log(double x)
{
    union { double d; int64_t i; } u = {.d = x};
    int64_t e = ((u.i >> 52) & 0x7ff) - 1023;
    u.i = (u.i & 0x000fffffffffffffLL) | 0x3ff0000000000000LL;   /* m in [1, 2) */
    double m = u.d, big = m > 1.4142135623730951 ? 1.0 : 0.0;
    m = big ? 0.5 * m : m;
    double f = m - 1, t = f / (2 + f), t2 = t * t;
    double p = 1.0 / 21;
    p = p * t2 + 1.0 / 19;
    p = p * t2 + 1.0 / 17;
    p = p * t2 + 1.0 / 15;
    p = p * t2 + 1.0 / 13;
    p = p * t2 + 1.0 / 11;
    p = p * t2 + 1.0 / 9;
    p = p * t2 + 1.0 / 7;
    p = p * t2 + 1.0 / 5;
    p = p * t2 + 1.0 / 3;
    p = p * t2 + 1.0;
    return ((double)e + big) * 0.6931471805599453 + 2 * t * p;
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define KERNEL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define KERNEL_CLONES
#endif

/* chinchilla, params (E, A, B, alpha, beta) as (log E, log A, log B, alpha, beta):
 * log f = log(E + A N^-alpha + B D^-beta) = LSE(a - alpha log N, b - beta log D, e), the
 * form Epoch fits.  Rows whose direct sum leaves the safe range get gf = NaN. */
KERNEL_CLONES
static void chin_rows(size_t n, const double *restrict lN, const double *restrict lD,
                        const double *u, double *restrict gf, double *restrict dg, int space_log)
{
    const double e = u[0], a = u[1], b = u[2], al = u[3], be = u[4];
    const double eE = fast_exp(e);
    for (size_t i = 0; i < n; i++) {
        double w1 = fast_exp(a - al * lN[i]), w2 = fast_exp(b - be * lD[i]);
        double s = w1 + w2 + eE;
        double ok = s > 1e-300 && s < 1e300;
        s = ok ? s : 1.0;
        double lf = fast_log(s), sc = 1.0 / s;
        if (!space_log) {
            gf[i] = ok ? s : NAN;
            sc = 1.0;
        } else {
            gf[i] = ok ? lf : NAN;
        }
        double *d = dg + i * 5;
        d[0] = eE * sc;
        d[1] = w1 * sc;
        d[2] = w2 * sc;
        d[3] = -lN[i] * w1 * sc;
        d[4] = -lD[i] * w2 * sc;
    }
}

static int eval_chinchilla(fit_work *w, const double *u, int want_grad)
{
    (void)want_grad;   /* the derivatives come almost for free */
    const fit_problem *pb = w->pb;
    const double *lN = pb->logx[0], *lD = pb->logx[1];
    chin_rows(pb->n, lN, lD, u, w->gf, w->dg, pb->space_log);
    const double e = u[0], a = u[1], b = u[2], al = u[3], be = u[4];
    int ok = 0;
    for (size_t i = 0; i < pb->n; i++) {
        if (!isnan(w->gf[i]))
            continue;
        double t1 = a - al * lN[i], t2 = b - be * lD[i];
        double m = t1 > t2 ? t1 : t2;
        m = m > e ? m : e;
        double w1 = exp(t1 - m), w2 = exp(t2 - m), w3 = exp(e - m);
        double s = w1 + w2 + w3, lf = m + log(s), sc = 1.0 / s;
        if (pb->space_log) {
            w->gf[i] = lf;
        } else {
            w->gf[i] = exp(lf);
            sc *= w->gf[i];
        }
        if (!isfinite(w->gf[i]))
            ok = -1;
        double *d = w->dg + i * 5;
        d[0] = w3 * sc;
        d[1] = w1 * sc;
        d[2] = w2 * sc;
        d[3] = -lN[i] * w1 * sc;
        d[4] = -lD[i] * w2 * sc;
    }
    return ok;
}

/* bnsl:K, params (a, b, c0, c1, d1, f1, ...) as (log a, log b, c0, c1, log d1, log f1, ...):
 * log(b-term) T = log b - c0 L - sum_i c_i f_i softplus((L - log d_i)/f_i), L = log x,
 * log f = LSE(log a, T), computed in log space throughout.  Loops run over rows (break by
 * break) so they vectorise; col holds dT/du column by column ([np][n]). */
KERNEL_CLONES
static void bnsl_rows(size_t n, size_t K, const double *restrict lx, const double *u,
                      double *restrict gf, double *restrict dg, double *restrict col,
                      double *restrict T, int space_log)
{
    const size_t np = 3 + 3 * K;
    for (size_t i = 0; i < n; i++) {
        T[i] = u[1] - u[2] * lx[i];
        gf[i] = 0;   /* > 0 marks a break too sharp for double range */
    }
    for (size_t k = 0; k < K; k++) {
        const double c = u[3 + 3 * k], ld = u[4 + 3 * k], f = fast_exp(u[5 + 3 * k]);
        double *dc = col + (3 + 3 * k) * n, *dd = dc + n, *df = dd + n;
        for (size_t i = 0; i < n; i++) {
            const double z = (lx[i] - ld) / f, az = z < 0 ? -z : z;
            const double q = fast_exp(-az), sp = (z > 0 ? z : 0) + fast_log(1 + q);
            const double sg = z >= 0 ? 1 / (1 + q) : q / (1 + q);
            T[i] -= c * f * sp;
            dc[i] = -f * sp;
            dd[i] = c * sg;
            df[i] = -c * f * (sp - sg * z);
            gf[i] += az > 700 ? 1 : 0;
        }
    }
    const double la = u[0];
    for (size_t i = 0; i < n; i++) {
        const double m = la > T[i] ? la : T[i], dd = la > T[i] ? T[i] - la : la - T[i];
        const double lg = m + fast_log(1 + fast_exp(dd));
        const double wa = fast_exp(la - lg), wT = fast_exp(T[i] - lg);
        double sc = space_log ? 1 : fast_exp(lg), g = space_log ? lg : sc;
        /* (x/d)^(1/f) beyond double range, where the formula itself would overflow: a
           break sharper than the data resolve is outside the domain, as on that path */
        gf[i] = gf[i] > 0 ? NAN : g;
        double *d = dg + i * np;
        d[0] = wa * sc;
        d[1] = wT * sc;
        d[2] = -lx[i] * wT * sc;
        T[i] = wT * sc;
    }
    for (size_t k = 3; k < np; k++)
        for (size_t i = 0; i < n; i++)
            dg[i * np + k] = col[k * n + i] * T[i];
}

/* bnsl's internal value of parameter k: the log of a, b, d_i, f_i, the value of c0, c_i. */
static int bnsl_log_param(size_t k) { return k < 2 || (k >= 3 && (k - 3) % 3 != 0); }

/* Every parameterisation (bounds, fixed values) goes through the kernel: the formula's
 * (x/d)^(1/f) overflows to inf for a sharp break, and (1 + inf)^(-c f) = 0 drops the
 * b-term, a false step at d e^(709.78 f) that the optimiser exploits (f -> 0) while d
 * marks only a kink.  u is mapped to the kernel's variables and the derivative columns
 * rescaled by the chain rule. */
static int eval_bnsl(fit_work *w, const double *u)
{
    const fit_problem *pb = w->pb;
    double uk[XL_FIT_MAX_PARAMS] = {0}, s[XL_FIT_MAX_PARAMS];
    int plain = 1;
    for (size_t k = 0; k < pb->np; k++) {
        int lg = bnsl_log_param(k), kind = pb->tr[k].kind;
        uk[k] = u[k];
        s[k] = 1;
        if (kind != (lg ? TR_LOG : TR_IDENT)) {
            double p = fit_p_from_u(&pb->tr[k], u[k]);
            uk[k] = lg ? log(p) : p;
            s[k] = fit_dp_du(&pb->tr[k], u[k]) / (lg ? p : 1);
            plain = 0;
        }
    }
    bnsl_rows(pb->n, (pb->np - 3) / 3, pb->logx[0], uk, w->gf, w->dg, w->col,
              w->col + pb->np * pb->n, pb->space_log);
    for (size_t i = 0; !plain && i < pb->n; i++)
        for (size_t k = 0; k < pb->np; k++)
            w->dg[i * pb->np + k] *= s[k];
    for (size_t i = 0; i < pb->n; i++)
        if (!isfinite(w->gf[i]))
            return -1;
    return 0;
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
    if (w->pb->kernel == KERNEL_BNSL)
        return eval_bnsl(w, u);
    return eval_expr(w, u, want_grad);
}
