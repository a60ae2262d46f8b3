/* Formula parser: recursive descent straight to the tape of expr_impl.h, folding
 * constant sub-expressions as it goes (so 2^-3 is a constant and x^(1/3) a power
 * with a constant exponent, whose derivative needs no log). */
#include "expr_parser.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- emitting ------------------------------------------------------------ */

static int64_t add_const_text(parser *P, double v, int text)
{
    if (xl_expr_grow_((void **)&P->consts, &P->cap_const, P->n_const + 1, sizeof(double)) ||
        xl_expr_grow_((void **)&P->const_text, &P->cap_ctext, P->n_const + 1, 1)) {
        xl_expr_oom_(P);
        return -1;
    }
    P->consts[P->n_const] = v;
    P->const_text[P->n_const] = (unsigned char)text;
    return REF(REF_CONST, P->n_const++);
}

static int64_t add_const(parser *P, double v) { return add_const_text(P, v, 0); }

static int64_t add_sym(parser *P, const char *name)
{
    for (size_t i = 0; i < P->n_sym; i++)
        if (strcmp(P->syms[i], name) == 0)
            return REF(REF_SYM, i);
    char *d = strdup(name);
    if (!d || xl_expr_grow_((void **)&P->syms, &P->cap_sym, P->n_sym + 1, sizeof(char *))) {
        free(d);
        xl_expr_oom_(P);
        return -1;
    }
    P->syms[P->n_sym] = d;
    return REF(REF_SYM, P->n_sym++);
}

static double const_of(const parser *P, int64_t r) { return P->consts[REF_IDX(r)]; }

/* An operation on refs[0..n); constant operands fold into a constant. */
static int64_t emit(parser *P, int op, const int64_t *refs, int n, double c)
{
    if (P->failed)
        return -1;
    int nary = op == XL_OP_MIN || op == XL_OP_MAX || op == XL_OP_LSE;
    int all_const = 1;
    for (int i = 0; i < n; i++)
        all_const &= REF_TAG(refs[i]) == REF_CONST;
    if (all_const) {
        /* run the same forward code on a one-instruction tape */
        double small[9] = {0};
        int32_t sargs[8] = {0};
        double *v = n < 9 ? small : malloc(sizeof(double) * (size_t)(n + 1));
        int32_t *ai = n < 9 ? sargs : malloc(sizeof(int32_t) * (size_t)n);
        if (!v || !ai) {
            if (v != small)
                free(v);
            if (ai != sargs)
                free(ai);
            xl_expr_oom_(P);
            return -1;
        }
        for (int i = 0; i < n; i++) {
            v[i] = const_of(P, refs[i]);
            ai[i] = i;
        }
        xl_ins ins = {op, 0, nary ? n : (n > 1 ? 1 : 0), 0, c};
        xl_expr_forward_(&ins, 1, ai, v, (size_t)n);
        double r = v[n];
        if (v != small)
            free(v);
        if (ai != sargs)
            free(ai);
        return add_const(P, r);
    }
    if (xl_expr_grow_((void **)&P->code, &P->cap_code, P->n_code + 1, sizeof(xl_ins)) ||
        xl_expr_grow_((void **)&P->ins_refs, &P->cap_irefs, 2 * (P->n_code + 1), sizeof(int64_t))) {
        xl_expr_oom_(P);
        return -1;
    }
    xl_ins *ins = &P->code[P->n_code];
    ins->op = op;
    ins->c = c;
    ins->off = 0;
    ins->a = ins->b = 0;
    int64_t *ir = &P->ins_refs[2 * P->n_code];
    ir[0] = refs[0];
    ir[1] = n > 1 ? refs[1] : refs[0];
    if (nary) {
        if (xl_expr_grow_((void **)&P->arg_refs, &P->cap_args, P->n_args + (size_t)n, sizeof(int64_t))) {
            xl_expr_oom_(P);
            return -1;
        }
        ins->off = (int32_t)P->n_args;
        ins->b = n;
        memcpy(P->arg_refs + P->n_args, refs, sizeof(int64_t) * (size_t)n);
        P->n_args += (size_t)n;
    }
    return REF(REF_INS, P->n_code++);
}

static int64_t emit1(parser *P, int op, int64_t a)
{
    return emit(P, op, &a, 1, 0);
}

static int64_t emit2(parser *P, int op, int64_t a, int64_t b)
{
    int64_t r[2] = {a, b};
    return emit(P, op, r, 2, 0);
}

/* ---- grammar (see expr.h) ------------------------------------------------ */

static int64_t parse_or(parser *P);
static int64_t parse_unary(parser *P);

static const struct { const char *name; int op, min_args, max_args; } funcs[] = {
    {"exp", XL_OP_EXP, 1, 1},     {"log", XL_OP_LOG, 1, 1},
    {"log10", XL_OP_LOG10, 1, 1}, {"sqrt", XL_OP_SQRT, 1, 1},
    {"abs", XL_OP_ABS, 1, 1},     {"sigmoid", XL_OP_SIGMOID, 1, 1},
    {"logit", XL_OP_LOGIT, 1, 1}, {"min", XL_OP_MIN, 1, -1},
    {"max", XL_OP_MAX, 1, -1},    {"logsumexp", XL_OP_LSE, 1, -1},
};

static void describe(const parser *P, char *buf, size_t n)
{
    if (P->tok == T_END)
        snprintf(buf, n, "the end");
    else
        snprintf(buf, n, "'%.*s'", (int)(P->tlen > 40 ? 40 : P->tlen), P->text + P->tpos);
}

static int enter(parser *P)
{
    if (++P->depth > MAX_DEPTH) {
        xl_expr_fail_(P, P->tpos + 1,
                      "nested too deeply: more than %d levels of parentheses, calls, "
                      "'^' or signs", MAX_DEPTH);
        return -1;
    }
    return 0;
}

static int64_t parse_call(parser *P, char *name, size_t col)
{
    int f = -1;
    for (size_t i = 0; i < sizeof funcs / sizeof *funcs; i++)
        if (strcmp(funcs[i].name, name) == 0)
            f = (int)i;
    if (f < 0) {
        xl_expr_fail_(P, 0, "unknown function '%s'", name);
        return -1;
    }
    (void)col;
    xl_expr_next_(P); /* '(' */
    int64_t small[8], *args = small;
    size_t n = 0, cap = 8;
    int64_t result = -1;
    if (!xl_expr_is_op_(P, ")")) {
        for (;;) {
            int64_t a = parse_or(P);
            if (P->failed)
                goto done;
            if (n == cap) {
                int64_t *q = malloc(sizeof(int64_t) * cap * 2);
                if (!q) {
                    xl_expr_oom_(P);
                    goto done;
                }
                memcpy(q, args, sizeof(int64_t) * n);
                if (args != small)
                    free(args);
                args = q;
                cap *= 2;
            }
            args[n++] = a;
            if (!xl_expr_is_op_(P, ","))
                break;
            xl_expr_next_(P);
        }
    }
    if (P->failed)
        goto done;
    if (!xl_expr_is_op_(P, ")")) {
        char d[64];
        describe(P, d, sizeof d);
        xl_expr_fail_(P, P->tpos + 1, "expected ',' or ')', found %s", d);
        goto done;
    }
    int lo = funcs[f].min_args, hi = funcs[f].max_args;
    if ((int)n < lo || (hi >= 0 && (int)n > hi)) {
        if (hi == lo)
            xl_expr_fail_(P, 0, "function '%s' takes %d argument%s, got %zu", name, lo, lo == 1 ? "" : "s", n);
        else
            xl_expr_fail_(P, 0, "function '%s' takes at least %d argument%s, got %zu", name, lo,
                 lo == 1 ? "" : "s", n);
        goto done;
    }
    xl_expr_next_(P);
    result = emit(P, funcs[f].op, args, (int)n, 0);
done:
    if (args != small)
        free(args);
    return result;
}

static int64_t parse_atom(parser *P)
{
    if (P->failed)
        return -1;
    if (P->tok == T_NUM) {
        int64_t r = add_const(P, P->num);
        xl_expr_next_(P);
        return r;
    }
    if (P->tok == T_STR) {
        if (!P->intern) {
            xl_expr_fail_(P, P->tpos + 1, "text \"%.40s\" is not allowed in this formula", P->word);
            return -1;
        }
        double code;
        if (P->intern(P->ictx, P->word, &code)) {
            xl_expr_fail_(P, P->tpos + 1, "cannot use text \"%.40s\" here", P->word);
            return -1;
        }
        int64_t r = add_const_text(P, code, 1);
        xl_expr_next_(P);
        return r;
    }
    if (P->tok == T_NAME) {
        size_t col = P->tpos + 1;
        int backq = P->text[P->tpos] == '`';
        char *name = P->word;
        P->word = NULL;
        xl_expr_next_(P);
        int64_t r;
        if (!backq && xl_expr_is_op_(P, "(")) {
            if (enter(P)) {
                free(name);
                return -1;
            }
            r = parse_call(P, name, col);
            P->depth--;
        } else {
            r = add_sym(P, name);
        }
        free(name);
        return r;
    }
    if (xl_expr_is_op_(P, "(")) {
        if (enter(P))
            return -1;
        xl_expr_next_(P);
        int64_t r = parse_or(P);
        P->depth--;
        if (P->failed)
            return -1;
        if (!xl_expr_is_op_(P, ")")) {
            char d[64];
            describe(P, d, sizeof d);
            xl_expr_fail_(P, P->tpos + 1, "expected ')', found %s", d);
            return -1;
        }
        xl_expr_next_(P);
        return r;
    }
    if (P->tok != T_ERR)
        xl_expr_fail_(P, P->tpos + 1, "expected a value");
    return -1;
}

static int64_t parse_pow(parser *P)
{
    int64_t base = parse_atom(P);
    if (P->failed || !xl_expr_is_op_(P, "^"))
        return base;
    xl_expr_next_(P);
    /* '^' is right-associative: x^x^...^1 recurses once per power, so it counts */
    if (enter(P))
        return -1;
    int64_t ex = parse_unary(P);
    P->depth--;
    if (P->failed)
        return -1;
    if (REF_TAG(ex) == REF_CONST) {
        double c = const_of(P, ex);
        if (c == 1)
            return base;
        if (c == 2)
            return emit1(P, XL_OP_SQR, base);
        return emit(P, XL_OP_POWC, &base, 1, c);
    }
    return emit2(P, XL_OP_POW, base, ex);
}

static int64_t parse_unary(parser *P)
{
    if (P->failed)
        return -1;
    int op = xl_expr_is_op_(P, "-") ? XL_OP_NEG : xl_expr_is_op_(P, "!") ? XL_OP_NOT : xl_expr_is_op_(P, "+") ? -1 : -2;
    if (op == -2)
        return parse_pow(P);
    if (enter(P))
        return -1;
    xl_expr_next_(P);
    int64_t x = parse_unary(P);
    P->depth--;
    return op < 0 ? x : emit1(P, op, x);
}

static int64_t parse_prod(parser *P)
{
    int64_t l = parse_unary(P);
    while (!P->failed && (xl_expr_is_op_(P, "*") || xl_expr_is_op_(P, "/"))) {
        int op = P->op[0] == '*' ? XL_OP_MUL : XL_OP_DIV;
        xl_expr_next_(P);
        int64_t r = parse_unary(P);
        l = emit2(P, op, l, r);
    }
    return l;
}

static int64_t parse_sum(parser *P)
{
    int64_t l = parse_prod(P);
    while (!P->failed && (xl_expr_is_op_(P, "+") || xl_expr_is_op_(P, "-"))) {
        int op = P->op[0] == '+' ? XL_OP_ADD : XL_OP_SUB;
        xl_expr_next_(P);
        int64_t r = parse_prod(P);
        l = emit2(P, op, l, r);
    }
    return l;
}

static int64_t parse_cmp(parser *P)
{
    int64_t l = parse_sum(P);
    static const struct { const char *s; int op; } cmps[] = {
        {"<", XL_OP_LT}, {"<=", XL_OP_LE}, {">", XL_OP_GT},
        {">=", XL_OP_GE}, {"==", XL_OP_EQ}, {"!=", XL_OP_NE}};
    for (size_t i = 0; !P->failed && i < sizeof cmps / sizeof *cmps; i++)
        if (xl_expr_is_op_(P, cmps[i].s)) {
            xl_expr_next_(P);
            int64_t r = parse_sum(P);
            return emit2(P, cmps[i].op, l, r);
        }
    return l;
}

static int64_t parse_and(parser *P)
{
    int64_t l = parse_cmp(P);
    while (!P->failed && xl_expr_is_op_(P, "&&")) {
        xl_expr_next_(P);
        int64_t r = parse_cmp(P);
        l = emit2(P, XL_OP_AND, l, r);
    }
    return l;
}

static int64_t parse_or(parser *P)
{
    int64_t l = parse_and(P);
    while (!P->failed && xl_expr_is_op_(P, "||")) {
        xl_expr_next_(P);
        int64_t r = parse_and(P);
        l = emit2(P, XL_OP_OR, l, r);
    }
    return l;
}

/* ---- assembling the tape -------------------------------------------------- */

static void parser_free(parser *P)
{
    free(P->word);
    for (size_t i = 0; i < P->n_sym; i++)
        free(P->syms[i]);
    free(P->syms);
    free(P->consts);
    free(P->const_text);
    free(P->code);
    free(P->ins_refs);
    free(P->arg_refs);
}

/* Keep the constants still referenced (folding leaves dead ones) and give every
 * reference its slot. */
static int assemble(parser *P, int64_t root, xl_expr *e)
{
    size_t nc = P->n_const;
    int32_t *cmap = malloc(sizeof(int32_t) * (nc ? nc : 1));
    if (!cmap)
        return -1;
    for (size_t i = 0; i < nc; i++)
        cmap[i] = -1;
#define MARK(r) do { if (REF_TAG(r) == REF_CONST) cmap[REF_IDX(r)] = 0; } while (0)
    MARK(root);
    for (size_t k = 0; k < P->n_code; k++) {
        MARK(P->ins_refs[2 * k]);
        MARK(P->ins_refs[2 * k + 1]);
    }
    for (size_t k = 0; k < P->n_args; k++)
        MARK(P->arg_refs[k]);
#undef MARK
    size_t used = 0;
    for (size_t i = 0; i < nc; i++)
        if (cmap[i] == 0)
            cmap[i] = (int32_t)used++;
    e->n_sym = P->n_sym;
    e->n_const = used;
    e->n_code = P->n_code;
    e->n_slots = P->n_sym + used + P->n_code;
    e->consts = malloc(sizeof(double) * (used ? used : 1));
    e->const_text = malloc(used ? used : 1);
    e->code = malloc(sizeof(xl_ins) * (P->n_code ? P->n_code : 1));
    e->args = malloc(sizeof(int32_t) * (P->n_args ? P->n_args : 1));
    if (!e->consts || !e->const_text || !e->code || !e->args) {
        free(cmap);
        return -1;
    }
    for (size_t i = 0; i < nc; i++)
        if (cmap[i] >= 0) {
            e->consts[cmap[i]] = P->consts[i];
            e->const_text[cmap[i]] = P->const_text[i];
        }
    size_t base_c = P->n_sym, base_i = P->n_sym + used;
#define SLOT(r) ((int32_t)(REF_TAG(r) == REF_SYM ? REF_IDX(r) \
                 : REF_TAG(r) == REF_CONST ? base_c + (size_t)cmap[REF_IDX(r)] : base_i + REF_IDX(r)))
    for (size_t k = 0; k < P->n_code; k++) {
        e->code[k] = P->code[k];
        e->code[k].a = SLOT(P->ins_refs[2 * k]);
        if (e->code[k].op != XL_OP_MIN && e->code[k].op != XL_OP_MAX && e->code[k].op != XL_OP_LSE)
            e->code[k].b = SLOT(P->ins_refs[2 * k + 1]);
    }
    for (size_t k = 0; k < P->n_args; k++)
        e->args[k] = SLOT(P->arg_refs[k]);
    e->result = (size_t)SLOT(root);
#undef SLOT
    free(cmap);
    e->syms = P->syms;
    P->syms = NULL;
    P->n_sym = 0;
    return 0;
}

int xl_expr_parse_ex(const char *text, xl_expr_intern_fn intern, void *ctx, xl_expr **out,
                     xl_error *err)
{
    *out = NULL;
    if (!text)
        text = "";
    parser P;
    memset(&P, 0, sizeof P);
    P.text = text;
    P.len = strlen(text);
    P.err = err;
    P.intern = intern;
    P.ictx = ctx;
    xl_expr_next_(&P);
    int64_t root = parse_or(&P);
    if (!P.failed && P.tok != T_END) {
        char d[64];
        describe(&P, d, sizeof d);
        xl_expr_fail_(&P, P.tpos + 1, "unexpected %s", d);
    }
    if (P.failed) {
        parser_free(&P);
        return err && err->code ? err->code : XL_EPARSE;
    }
    xl_expr *e = calloc(1, sizeof *e);
    if (!e || !(e->text = strdup(text)) || assemble(&P, root, e)) {
        xl_expr_free(e);
        parser_free(&P);
        return xl_error_set(err, XL_ENOMEM, "out of memory parsing a formula");
    }
    parser_free(&P);
    *out = e;
    return XL_OK;
}

int xl_expr_parse(const char *text, xl_expr **out, xl_error *err)
{
    return xl_expr_parse_ex(text, NULL, NULL, out, err);
}

void xl_expr_free(xl_expr *e)
{
    if (!e)
        return;
    free(e->text);
    for (size_t i = 0; e->syms && i < e->n_sym; i++)
        free(e->syms[i]);
    free(e->syms);
    free(e->consts);
    free(e->const_text);
    free(e->code);
    free(e->args);
    free(e);
}
