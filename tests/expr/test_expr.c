/* expr: values against C, gradients against central differences, precedence,
 * error messages, string literals through an interning callback; prints speed. */
#include "xferlaw/expr.h"
#include "xl_test.h"

#include <stdlib.h>

static xl_expr *parse_ok(const char *text)
{
    xl_expr *e = NULL;
    xl_error err;
    xl_error_clear(&err);
    int rc = xl_expr_parse(text, &e, &err);
    CHECK_MSG(rc == XL_OK && e, "parse '%s': %s", text, err.msg);
    return e;
}

/* Value of a formula over symbols given in name=value order of first appearance. */
static double val(const char *text, const double *v)
{
    xl_expr *e = parse_ok(text);
    if (!e)
        return NAN;
    double r = xl_expr_eval(e, v);
    double *s = malloc(sizeof(double) * xl_expr_scratch_size(e));
    double g[32];
    double r2 = xl_expr_eval_grad(e, v, g, s);
    CHECK_MSG((isnan(r) && isnan(r2)) || r == r2, "%s: eval %.17g != eval_grad %.17g", text, r, r2);
    free(s);
    xl_expr_free(e);
    return r;
}

static void test_values(void)
{
    xl_rng rng;
    xl_rng_seed(&rng, 1);
    for (int t = 0; t < 200; t++) {
        double a = 0.1 + 3 * xl_rng_uniform(&rng), b = 0.1 + 3 * xl_rng_uniform(&rng);
        double c = -2 + 4 * xl_rng_uniform(&rng);
        double v[3] = {a, b, c};
        CHECK_NEAR(val("a + b*c", v), a + b * c, 1e-15);
        CHECK_NEAR(val("a/b - c", v), a / b - c, 1e-15);
        CHECK_NEAR(val("a^b + exp(c)", v), pow(a, b) + exp(c), 1e-14);
        CHECK_NEAR(val("log(a) * log10(b) + sqrt(a*b) + abs(c)", v),
                   log(a) * log10(b) + sqrt(a * b) + fabs(c), 1e-14);
        CHECK_NEAR(val("logit(a/(a+b)) + sigmoid(c) + c", v),
                   1 / (1 + exp(-c)) + log((a / (a + b)) / (1 - a / (a + b))) + c, 1e-12);
        CHECK_NEAR(val("min(a, b, c) + max(a, b, c)", v),
                   fmin(a, fmin(b, c)) + fmax(a, fmax(b, c)), 1e-15);
        CHECK_NEAR(val("logsumexp(a, b, c)", v), log(exp(a) + exp(b) + exp(c)), 1e-14);
        CHECK_NEAR(val("(a < b) + 2*(a >= b) + 4*(c == c) + 8*(a != a) + 16*(a <= a) + 32*(b > a)", v),
                   (a < b) + 2 * (a >= b) + 4 + 0 + 16 + 32 * (b > a), 0);
        CHECK_NEAR(val("(a < b && c < 0) + 2*(a < b || c < 0) + 4*!(c < 0)", v),
                   (a < b && c < 0) + 2 * (a < b || c < 0) + 4 * !(c < 0), 0);
    }
    /* the Chinchilla form */
    double v[7] = {1.8172, 477.84, 1e9, 0.3473, 2143.86, 2e10, 0.3672};
    CHECK_NEAR(val("E + A/N^alpha + B/D^beta", v),
               1.8172 + 477.84 / pow(1e9, 0.3473) + 2143.86 / pow(2e10, 0.3672), 1e-15);
    /* logsumexp stays finite where the naive formula overflows */
    double big[2] = {1000, 1000};
    CHECK_NEAR(val("logsumexp(x, y)", big), 1000 + log(2.0), 1e-15);
    double huge[2] = {-1000, 0};
    CHECK_NEAR(val("logsumexp(x, y)", huge), 0, 1e-15);
    double ninf[2] = {-INFINITY, -INFINITY};
    CHECK(val("logsumexp(x, y)", ninf) == -INFINITY);
    CHECK_NEAR(val("sigmoid(x)", (double[]){-800}), 0, 0);
    CHECK(isnan(val("log(x)", (double[]){-1})));
    CHECK(isnan(val("min(x, y)", (double[]){NAN, 1})) && isnan(val("min(x, y)", (double[]){1, NAN})));
    /* integer constant exponents of negative numbers */
    CHECK_NEAR(val("x^3", (double[]){-2}), -8, 0);
    CHECK_NEAR(val("x^-1", (double[]){-2}), -0.5, 0);
    CHECK_NEAR(val("(-2)^3", NULL), -8, 0);
    CHECK_NEAR(val("`Model Size` * 2 + `Training FLOP`", (double[]){3, 1}), 7, 0);
    CHECK_NEAR(val("config.lr * 10", (double[]){0.5}), 5, 0);
    CHECK_NEAR(val("1.5e3 + .5 + 2E-1", NULL), 1500.7, 1e-15);
}

static void test_precedence(void)
{
    double x[1] = {3};
    CHECK_NEAR(val("-x^2", x), -9, 0);
    CHECK_NEAR(val("2^-3", NULL), 0.125, 0);
    CHECK_NEAR(val("2^3^2", NULL), 512, 0);
    CHECK_NEAR(val("10-4-3", NULL), 3, 0);
    CHECK_NEAR(val("64/4/2", NULL), 8, 0);
    CHECK_NEAR(val("2+3*4^2", NULL), 50, 0);
    CHECK_NEAR(val("(2+3)*4", NULL), 20, 0);
    CHECK_NEAR(val("-2^2", NULL), -4, 0);
    CHECK_NEAR(val("--x", x), 3, 0);
    CHECK_NEAR(val("2*-x", x), -6, 0);
    CHECK_NEAR(val("x^-x", x), pow(3, -3), 1e-15);
    CHECK_NEAR(val("1 + 2 < 4", NULL), 1, 0);
    CHECK_NEAR(val("0 || 1 && 0", NULL), 0, 0);
    CHECK_NEAR(val("1 || 0 && 0", NULL), 1, 0);
    CHECK_NEAR(val("!0 + 1", NULL), 2, 0);
    CHECK_NEAR(val("!x", x), 0, 0);
}

/* Gradient against central differences at random points. */
static void check_grad(const char *text, xl_rng *rng, double lo, double hi)
{
    xl_expr *e = parse_ok(text);
    if (!e)
        return;
    size_t n = xl_expr_n_symbols(e);
    double *s = malloc(sizeof(double) * xl_expr_scratch_size(e));
    double v[16], g[16], w[16];
    for (int t = 0; t < 50; t++) {
        for (size_t i = 0; i < n; i++)
            v[i] = lo + (hi - lo) * xl_rng_uniform(rng);
        double f = xl_expr_eval_grad(e, v, g, s);
        CHECK_NEAR(f, xl_expr_eval(e, v), 0);
        for (size_t i = 0; i < n; i++) {
            memcpy(w, v, sizeof(double) * n);
            double h = 1e-5 * fmax(1, fabs(v[i]));
            w[i] = v[i] + h;
            double fp = xl_expr_eval(e, w);
            w[i] = v[i] - h;
            double fm = xl_expr_eval(e, w);
            double fd = (fp - fm) / (2 * h);
            double tol = 1e-6 * fmax(1, fmax(fabs(fd), fabs(f)));
            if (!(fabs(fd - g[i]) <= tol)) {
                CHECK_MSG(0, "%s: d/d%s at point %d: exact %.12g, differences %.12g", text,
                          xl_expr_symbol(e, i), t, g[i], fd);
                break;
            }
        }
    }
    free(s);
    xl_expr_free(e);
}

static void test_gradients(void)
{
    xl_rng rng;
    xl_rng_seed(&rng, 2);
    const char *pos[] = {
        "a + b", "a - b - c", "a * b * a", "a / b / c", "a / a", "a - a",
        "a^b", "a^b^c", "b^(a*c)", "2^a", "a^2", "a^3", "a^-1.5", "a^0.5 * b", "a^(1/3)",
        "exp(a) * log(b) + log10(a*b)", "sqrt(a + b^2)", "abs(a - 2)", "sigmoid(a - b)",
        "logit(a / (a + b))", "logsumexp(a, b)", "logsumexp(a, 2*b, -c, a*c)",
        "logsumexp(a)", "logsumexp(a*30, b*30)", "min(a, b) + max(b, c)",
        "E + A/N^alpha + B/D^beta",
        "log(exp(E) + exp(A - alpha*log(N)) + exp(B - beta*log(D)))",
        "logsumexp(e, a - alpha*log(N), b - beta*log(D))",
        "((Nc/N)^(aN/aD) + Dc/D)^aD",
        "k * DF^alpha * N^beta",
        "y0 + a*x^(-c0) * (1 + (x/d1)^(1/f1))^(-c1*f1)",
        "exp(-a) * sqrt(b) / (1 + c^2) - log(1 + a*b*c)",
        "-a^2 + (a < b) * b + (a >= b) * a^3",
        "`Model Size`^alpha * `Training FLOP`",
    };
    for (size_t i = 0; i < sizeof pos / sizeof *pos; i++)
        check_grad(pos[i], &rng, 0.3, 3.0);
    /* large arguments (data-like N, D with fitted parameters around them) */
    check_grad("a * x^b", &rng, 0.5, 1.5);
    /* negative values where the formula allows them */
    const char *any[] = {"a*b - c", "a^2 + b^3 - (1 + c^2)^-2", "sigmoid(a*b)", "abs(a) + abs(b)*c",
                         "logsumexp(a, b, c)", "exp(a) * b / (1 + c^2)"};
    for (size_t i = 0; i < sizeof any / sizeof *any; i++)
        check_grad(any[i], &rng, -3.0, 3.0);
}

static void test_special_gradients(void)
{
    xl_expr *e = parse_ok("x^y");
    double s[64], g[2];
    /* d/dy of x^y at x = 0, y > 0 is the limit 0, not 0 * log 0 */
    double f = xl_expr_eval_grad(e, (double[]){0, 2.5}, g, s);
    CHECK(f == 0 && g[0] == 0 && g[1] == 0);
    f = xl_expr_eval_grad(e, (double[]){0, 1}, g, s);
    CHECK(f == 0 && g[0] == 1 && g[1] == 0);
    xl_expr_free(e);
    e = parse_ok("x^3");
    f = xl_expr_eval_grad(e, (double[]){-2}, g, s);
    CHECK(f == -8 && g[0] == 12);
    f = xl_expr_eval_grad(e, (double[]){0}, g, s);
    CHECK(f == 0 && g[0] == 0);
    xl_expr_free(e);
    e = parse_ok("logsumexp(x, y)");
    f = xl_expr_eval_grad(e, (double[]){1000, 1000}, g, s);
    CHECK_NEAR(g[0], 0.5, 1e-12);
    CHECK_NEAR(g[1], 0.5, 1e-12);
    xl_expr_free(e);
    e = parse_ok("min(x, y, x)");
    f = xl_expr_eval_grad(e, (double[]){1, 2}, g, s);
    CHECK(f == 1 && g[0] == 1 && g[1] == 0);
    xl_expr_free(e);
    e = parse_ok("3");
    CHECK(xl_expr_n_symbols(e) == 0 && xl_expr_eval_grad(e, NULL, g, s) == 3);
    xl_expr_free(e);
}

static void test_symbols(void)
{
    xl_expr *e = parse_ok("E + A/N^alpha + B/D^beta + A");
    CHECK(xl_expr_n_symbols(e) == 7);
    const char *want[] = {"E", "A", "N", "alpha", "B", "D", "beta"};
    for (size_t i = 0; i < 7; i++)
        CHECK(strcmp(xl_expr_symbol(e, i), want[i]) == 0);
    CHECK(xl_expr_find(e, "beta") == 6 && xl_expr_find(e, "gamma") == -1);
    CHECK(strcmp(xl_expr_text(e), "E + A/N^alpha + B/D^beta + A") == 0);
    xl_expr_free(e);
    e = parse_ok("`Model Size` + log(`Model Size`)");
    CHECK(xl_expr_n_symbols(e) == 1 && strcmp(xl_expr_symbol(e, 0), "Model Size") == 0);
    xl_expr_free(e);
    /* a function name without parentheses is an ordinary symbol; backquotes never call */
    e = parse_ok("log + `exp`");
    CHECK(xl_expr_n_symbols(e) == 2);
    xl_expr_free(e);
}

static void check_error(const char *text, const char *msg)
{
    xl_expr *e = (xl_expr *)1;
    xl_error err;
    xl_error_clear(&err);
    int rc = xl_expr_parse(text, &e, &err);
    CHECK_MSG(rc == XL_EPARSE && e == NULL, "'%s' should fail", text);
    CHECK_MSG(strcmp(err.msg, msg) == 0, "'%s':\n   got  %s\n   want %s", text, err.msg, msg);
}

static void test_errors(void)
{
    check_error("E + A/N^", "formula 'E + A/N^': column 9: expected a value");
    check_error("lgo(N)", "formula 'lgo(N)': unknown function 'lgo'");
    check_error("exp(a, b)", "formula 'exp(a, b)': function 'exp' takes 1 argument, got 2");
    check_error("logsumexp()", "formula 'logsumexp()': function 'logsumexp' takes at least 1 argument, got 0");
    check_error("", "formula '': column 1: expected a value");
    check_error("a +", "formula 'a +': column 4: expected a value");
    check_error("(a + b", "formula '(a + b': column 7: expected ')', found the end");
    check_error("a + b)", "formula 'a + b)': column 6: unexpected ')'");
    check_error("a b", "formula 'a b': column 3: unexpected 'b'");
    check_error("2N", "formula '2N': column 2: unexpected 'N'");
    check_error("a # b", "formula 'a # b': column 3: unexpected character '#'");
    check_error("a = b", "formula 'a = b': column 3: unexpected '=' (comparison is '==')");
    check_error("a & b", "formula 'a & b': column 3: unexpected '&' (logic is '&&')");
    check_error("`Model Size + 1", "formula '`Model Size + 1': column 1: unterminated `name`");
    check_error("`` + 1", "formula '`` + 1': column 1: empty or invalid `name`");
    check_error("max(a b)", "formula 'max(a b)': column 7: expected ',' or ')', found 'b'");
    check_error("1 < 2 == 1", "formula '1 < 2 == 1': column 7: unexpected '=='");
    check_error("a < b < c", "formula 'a < b < c': column 7: unexpected '<'");
    check_error("x == \"scratch\"",
                "formula 'x == \"scratch\"': column 6: text \"scratch\" is not allowed in this formula");
    check_error("x == \"scr", "formula 'x == \"scr': column 6: unterminated \"text\"");
    check_error("a + \x01", "formula 'a + \x01': column 5: unexpected byte 0x01");
    check_error("1.00000000000000000000000000000000000000000000000000000000000000001",
                "formula '1.00000000000000000000000000000000000000000000000000000000000000001': column 1: number too long");
    check_error("a * (b + )", "formula 'a * (b + )': column 10: expected a value");
    char deep[1000];
    memset(deep, '(', 500);
    strcpy(deep + 500, "x");
    xl_expr *e;
    xl_error err;
    CHECK(xl_expr_parse(deep, &e, &err) == XL_EPARSE);
    CHECK_STR_CONTAINS(err.msg, "nested too deeply");
    /* chains of powers and signs recurse too: 40,000 of them overflowed the stack */
    static const char *chains[] = {"x^", "-", "!", "+", "-x^", "(-", "2^-"};
    size_t big = 120001;
    char *chain = malloc(big);
    CHECK(chain != NULL);
    for (size_t c = 0; chain && c < sizeof chains / sizeof chains[0]; c++) {
        size_t k = strlen(chains[c]), m = 0;
        while (m + k + 2 < big)
            memcpy(chain + m, chains[c], k), m += k;
        strcpy(chain + m, "1");
        CHECK(xl_expr_parse(chain, &e, &err) == XL_EPARSE);
        CHECK_STR_CONTAINS(err.msg, "nested too deeply: more than 200 levels");
        CHECK(strlen(err.msg) < 400);
        /* within the limit the same chains parse: 90 links of at most two levels */
        m = 0;
        for (int i = 0; i < 90; i++)
            memcpy(chain + m, chains[c], k), m += k;
        strcpy(chain + m, "1");
        if (chains[c][0] == '(')
            for (int i = 0; i < 90; i++)
                strcat(chain, ")");
        if (xl_expr_parse(chain, &e, &err) == XL_OK)
            xl_expr_free(e);
        else
            CHECK_STR_CONTAINS(err.msg, "<parses within the limit>");
    }
    free(chain);
    /* very long formulas are shortened in the message */
    char longf[2000];
    for (int i = 0; i < 399; i++)
        memcpy(longf + 5 * i, "a1 + ", 5);
    strcpy(longf + 5 * 399, "#");
    CHECK(xl_expr_parse(longf, &e, &err) == XL_EPARSE);
    CHECK_STR_CONTAINS(err.msg, "...': column 1996: unexpected character '#'");
}

/* Interning: every distinct text gets the next code. */
typedef struct { char names[8][16]; int n; } pool;
static int intern(void *ctx, const char *s, double *code)
{
    pool *p = ctx;
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->names[i], s) == 0) {
            *code = i;
            return 0;
        }
    if (p->n == 8 || strlen(s) >= 16)
        return -1;
    strcpy(p->names[p->n], s);
    *code = p->n++;
    return 0;
}

static void test_strings(void)
{
    pool p = {.n = 0};
    double code;
    intern(&p, "text", &code);
    intern(&p, "scratch", &code);
    xl_expr *e = NULL;
    xl_error err;
    CHECK(xl_expr_parse_ex("curriculum == \"scratch\" && N > 10", intern, &p, &e, &err) == XL_OK);
    CHECK(xl_expr_eval(e, (double[]){1, 20}) == 1);
    CHECK(xl_expr_eval(e, (double[]){0, 20}) == 0);
    xl_expr_free(e);
    CHECK(xl_expr_parse_ex("c != \"text\"", intern, &p, &e, &err) == XL_OK);
    CHECK(xl_expr_eval(e, (double[]){0}) == 0 && xl_expr_eval(e, (double[]){1}) == 1);
    xl_expr_free(e);
    CHECK(xl_expr_parse_ex("c == \"say \\\"hi\\\"\"", intern, &p, &e, &err) == XL_OK);
    CHECK(p.n == 3 && strcmp(p.names[2], "say \"hi\"") == 0);
    xl_expr_free(e);
    CHECK(xl_expr_parse_ex("c == \"text\" || \"scratch\" != d || (e == \"x\") + e > 0 || f == g || h", intern, &p, &e, &err) == XL_OK);
    CHECK(xl_expr_symbol_use(e, 0) == XL_EXPR_USE_TEXT && xl_expr_symbol_use(e, 1) == XL_EXPR_USE_TEXT);
    CHECK(xl_expr_symbol_use(e, 2) == (XL_EXPR_USE_TEXT | XL_EXPR_USE_NUMBER));
    CHECK(xl_expr_symbol_use(e, 3) == XL_EXPR_USE_NUMBER && xl_expr_symbol_use(e, 5) == XL_EXPR_USE_NUMBER);
    xl_expr_free(e);
    CHECK(xl_expr_parse_ex("x", intern, &p, &e, &err) == XL_OK && xl_expr_symbol_use(e, 0) == XL_EXPR_USE_NUMBER);
    xl_expr_free(e);
    CHECK(xl_expr_parse_ex("min(x, 1) + (y == 2)", intern, &p, &e, &err) == XL_OK);
    CHECK(xl_expr_symbol_use(e, 0) == XL_EXPR_USE_NUMBER && xl_expr_symbol_use(e, 1) == XL_EXPR_USE_NUMBER);
    xl_expr_free(e);
    CHECK(xl_expr_parse_ex("c == \"a very long text indeed\"", intern, &p, &e, &err) == XL_EPARSE);
    CHECK_STR_CONTAINS(err.msg, "cannot use text \"a very long text indeed\" here");
}

static void bench_one(const char *text, const double *v0, size_t nv)
{
    xl_expr *e = parse_ok(text);
    double s[256], g[16], v[16];
    memcpy(v, v0, sizeof(double) * nv);
    const int n = 300000;
    double acc = 0, t0 = xl_now();
    for (int i = 0; i < n; i++) {
        v[0] = v0[0] * (1 + 1e-9 * i);
        acc += xl_expr_eval_grad(e, v, g, s) + g[1];
    }
    double t1 = xl_now();
    for (int i = 0; i < n; i++) {
        v[0] = v0[0] * (1 + 1e-9 * i);
        acc += xl_expr_eval(e, v);
    }
    double t2 = xl_now();
    printf("speed: %-40s eval_grad %5.1f M/s, eval %5.1f M/s%s\n", text, n / (t1 - t0) / 1e6,
           n / (t2 - t1) / 1e6, isfinite(acc) ? "" : " (!)");
    xl_expr_free(e);
}

/* One parsed formula shared by threads, each with its own scratch. */
typedef struct par_ctx {
    const xl_expr *e;
    double *scratch[4];
    double *out;   /* [n][1 + 7] value and gradient */
} par_ctx;

static void par_point(void *ctx, size_t i, int worker)
{
    par_ctx *c = ctx;
    double v[7] = {1.8, 480, 1e8 * (1 + (double)i), 0.35, 2100, 2e10, 0.37};
    double *o = c->out + 8 * i;
    o[0] = xl_expr_eval_grad(c->e, v, o + 1, c->scratch[worker]);
}

static void test_threads(void)
{
    xl_expr *e = parse_ok("E + A/N^alpha + B/D^beta");
    enum { N = 2000 };
    par_ctx c = {e, {0}, calloc(8 * N, sizeof(double))};
    for (int w = 0; w < 4; w++)
        c.scratch[w] = malloc(sizeof(double) * xl_expr_scratch_size(e));
    xl_error err;
    CHECK(xl_parallel_for(N, 4, par_point, &c, &err) == XL_OK);
    double s[64], g[7];
    int same = 1;
    for (size_t i = 0; i < N; i++) {
        double v[7] = {1.8, 480, 1e8 * (1 + (double)i), 0.35, 2100, 2e10, 0.37};
        same &= xl_expr_eval_grad(e, v, g, s) == c.out[8 * i] && memcmp(g, c.out + 8 * i + 1, sizeof g) == 0;
    }
    CHECK(same);
    for (int w = 0; w < 4; w++)
        free(c.scratch[w]);
    free(c.out);
    xl_expr_free(e);
}

/* Not assertions: timings are noisy on shared cores. */
static void bench(void)
{
    bench_one("a+b+c+d+e+f+g+h+i+j+k", (double[]){1,2,3,4,5,6,7,8,9,10,11}, 11);
    bench_one("N^-alpha*A + E + B/D^beta", (double[]){1e9, 0.35, 480, 1.8, 2100, 2e10, 0.37}, 7);
    bench_one("x*a + b*x^2 + c*log(x) + d*exp(-x) + e", (double[]){1.5, 1, 2, 3, 4, 5}, 6);
    bench_one("logsumexp(e, a - alpha*log(N), b - beta*log(D))",
              (double[]){0.6, 6.2, 0.35, 20, 7.7, 0.37, 22}, 7);
}

int main(void)
{
    test_values();
    test_precedence();
    test_gradients();
    test_special_gradients();
    test_symbols();
    test_errors();
    test_strings();
    test_threads();
    bench();
    TEST_MAIN_END();
}
