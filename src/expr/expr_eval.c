/* Evaluation and reverse-mode gradient over the tape (see expr_impl.h). */
#include "expr_impl.h"

#include <stdlib.h>
#include <string.h>

size_t xl_expr_n_symbols(const xl_expr *e) { return e->n_sym; }
const char *xl_expr_symbol(const xl_expr *e, size_t i) { return i < e->n_sym ? e->syms[i] : NULL; }
const char *xl_expr_text(const xl_expr *e) { return e->text; }

long xl_expr_find(const xl_expr *e, const char *name)
{
    for (size_t i = 0; i < e->n_sym; i++)
        if (strcmp(e->syms[i], name) == 0)
            return (long)i;
    return -1;
}

static int is_binary(int op)
{
    return op <= XL_OP_DIV || op == XL_OP_POW || (op >= XL_OP_LT && op <= XL_OP_OR);
}

int xl_expr_symbol_use(const xl_expr *e, size_t i)
{
    int use = e->result == i ? XL_EXPR_USE_NUMBER : 0;
    const size_t c0 = e->n_sym, c1 = e->n_sym + e->n_const;
    for (size_t k = 0; k < e->n_code; k++) {
        const xl_ins *p = &e->code[k];
        if (p->op == XL_OP_MIN || p->op == XL_OP_MAX || p->op == XL_OP_LSE) {
            for (int32_t j = 0; j < p->b; j++)
                if ((size_t)e->args[p->off + j] == i)
                    use |= XL_EXPR_USE_NUMBER;
            continue;
        }
        int bin = is_binary(p->op);
        if ((size_t)p->a != i && !(bin && (size_t)p->b == i))
            continue;
        if ((p->op == XL_OP_EQ || p->op == XL_OP_NE) && p->a != p->b) {
            size_t other = (size_t)p->a == i ? (size_t)p->b : (size_t)p->a;
            if (other >= c0 && other < c1 && e->const_text[other - c0]) {
                use |= XL_EXPR_USE_TEXT;
                continue;
            }
        }
        use |= XL_EXPR_USE_NUMBER;
    }
    return use;
}

size_t xl_expr_scratch_size(const xl_expr *e) { return 2 * e->n_slots + 1; }

/* Plain loops: for a handful of doubles a libc memcpy call costs more than the copy. */
static inline void load(const xl_expr *e, const double *vals, double *v)
{
    const size_t ns = e->n_sym, nc = e->n_const;
    for (size_t i = 0; i < ns; i++)
        v[i] = vals[i];
    for (size_t i = 0; i < nc; i++)
        v[ns + i] = e->consts[i];
}

double xl_expr_eval(const xl_expr *e, const double *vals)
{
    /* A stack buffer covers every realistic formula; huge ones fall back to the heap. */
    double buf[256];
    double *v = e->n_slots <= 256 ? buf : malloc(sizeof(double) * e->n_slots);
    if (!v)
        return NAN;
    load(e, vals, v);
    xl_expr_forward_(e->code, e->n_code, e->args, v, e->n_sym + e->n_const);
    double r = v[e->result];
    if (v != buf)
        free(v);
    return r;
}

double xl_expr_eval_grad(const xl_expr *e, const double *vals, double *grad, double *scratch)
{
    const size_t ns = e->n_slots, base = e->n_sym + e->n_const;
    double *v = scratch, *d = scratch + ns;
    load(e, vals, v);
    xl_expr_forward_(e->code, e->n_code, e->args, v, base);
    for (size_t i = 0; i < ns; i++)
        d[i] = 0;
    d[e->result] = 1;
    const int32_t *args = e->args;
    for (size_t k = e->n_code; k-- > 0;) {
        const xl_ins *p = &e->code[k];
        const double g = d[base + k];
        if (g == 0)
            continue;
        const double r = v[base + k];
        const int a = p->a, b = p->b;
        const double x = v[a];
        switch (p->op) {
        case XL_OP_ADD: d[a] += g; d[b] += g; break;
        case XL_OP_SUB: d[a] += g; d[b] -= g; break;
        case XL_OP_MUL: d[a] += g * v[b]; d[b] += g * x; break;
        case XL_OP_DIV: { const double q = g / v[b]; d[a] += q; d[b] -= q * r; break; }
        case XL_OP_NEG: d[a] -= g; break;
        case XL_OP_POW: {
            const double y = v[b];
            d[a] += g * (x != 0 ? y * r / x : y * pow(x, y - 1));
            /* r = 0 only when x = 0 (and y > 0) or on underflow: the limit is 0 */
            d[b] += r == 0 ? 0 : g * r * log(x);
            break;
        }
        case XL_OP_POWC: {
            const double c = p->c;
            d[a] += g * (c == 0 ? 0 : x != 0 ? c * r / x : c * pow(x, c - 1));
            break;
        }
        case XL_OP_SQR: d[a] += g * 2 * x; break;
        case XL_OP_EXP: d[a] += g * r; break;
        case XL_OP_LOG: d[a] += g / x; break;
        case XL_OP_LOG10: d[a] += g / (x * M_LN10); break;
        case XL_OP_SQRT: d[a] += g * 0.5 / r; break;
        case XL_OP_ABS: d[a] += x > 0 ? g : x < 0 ? -g : 0; break;
        case XL_OP_SIGMOID: d[a] += g * r * (1 - r); break;
        case XL_OP_LOGIT: d[a] += g / (x * (1 - x)); break;
        case XL_OP_MIN:
        case XL_OP_MAX: {
            /* the first operand attaining the extreme gets the whole gradient */
            const int32_t *ai = args + p->off;
            for (int32_t i = 0; i < b; i++)
                if (v[ai[i]] == r) {
                    d[ai[i]] += g;
                    break;
                }
            break;
        }
        case XL_OP_LSE: {
            const int32_t *ai = args + p->off;
            if (isfinite(r))
                for (int32_t i = 0; i < b; i++)
                    d[ai[i]] += g * exp(v[ai[i]] - r);
            break;
        }
        default: break; /* comparisons and logic: zero derivative */
        }
    }
    for (size_t i = 0; i < e->n_sym; i++)
        grad[i] = d[i];
    return v[e->result];
}
