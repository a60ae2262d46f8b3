/* Private to src/expr: the compiled form of a formula.
 *
 * A formula compiles to a straight-line tape.  Every value lives in one array of
 * "slots": [symbols | constants | one output per instruction].  Instruction k writes
 * slot base + k (base = n_sym + n_const) and reads earlier slots only, so a forward
 * sweep computes the value and a backward sweep over the same slots computes the
 * exact gradient (reverse-mode AD) without any allocation. */
#ifndef XL_EXPR_IMPL_H
#define XL_EXPR_IMPL_H

#include "xferlaw/expr.h"

#include <math.h>
#include <stdint.h>

enum {
    XL_OP_ADD, XL_OP_SUB, XL_OP_MUL, XL_OP_DIV, XL_OP_NEG,
    XL_OP_POW,     /* x^y, y not constant */
    XL_OP_POWC,    /* x^c, c constant */
    XL_OP_SQR,     /* x^2 */
    XL_OP_EXP, XL_OP_LOG, XL_OP_LOG10, XL_OP_SQRT, XL_OP_ABS, XL_OP_SIGMOID, XL_OP_LOGIT,
    XL_OP_MIN, XL_OP_MAX, XL_OP_LSE,   /* n-ary: args[a .. a+b) */
    XL_OP_LT, XL_OP_LE, XL_OP_GT, XL_OP_GE, XL_OP_EQ, XL_OP_NE,
    XL_OP_AND, XL_OP_OR, XL_OP_NOT
};

typedef struct xl_ins {
    int32_t op;
    int32_t a, b;    /* operand slots (n-ary: a = first operand, b = count) */
    int32_t off;     /* n-ary: operands are args[off .. off+b) */
    double c;        /* constant exponent of XL_OP_POWC */
} xl_ins;

struct xl_expr {
    char *text;
    size_t n_sym;
    char **syms;
    size_t n_const;
    double *consts;
    unsigned char *const_text;   /* 1 where the constant is an interned text literal */
    size_t n_code;
    xl_ins *code;
    int32_t *args;
    size_t n_slots;
    size_t result;   /* slot holding the value */
};

static inline double xl_sigmoid_(double x)
{
    if (x >= 0)
        return 1.0 / (1.0 + exp(-x));
    double t = exp(x);
    return t / (1.0 + t);
}

/* Forward sweep: instruction k writes v[base + k]. */
static inline void xl_expr_forward_(const xl_ins *code, size_t n, const int32_t *args,
                                    double *v, size_t base)
{
    for (size_t k = 0; k < n; k++) {
        const xl_ins *p = &code[k];
        double x = v[p->a], r;
        switch (p->op) {
        case XL_OP_ADD: r = x + v[p->b]; break;
        case XL_OP_SUB: r = x - v[p->b]; break;
        case XL_OP_MUL: r = x * v[p->b]; break;
        case XL_OP_DIV: r = x / v[p->b]; break;
        case XL_OP_NEG: r = -x; break;
        case XL_OP_POW: r = pow(x, v[p->b]); break;
        case XL_OP_POWC: r = pow(x, p->c); break;
        case XL_OP_SQR: r = x * x; break;
        case XL_OP_EXP: r = exp(x); break;
        case XL_OP_LOG: r = log(x); break;
        case XL_OP_LOG10: r = log10(x); break;
        case XL_OP_SQRT: r = sqrt(x); break;
        case XL_OP_ABS: r = fabs(x); break;
        case XL_OP_SIGMOID: r = xl_sigmoid_(x); break;
        case XL_OP_LOGIT: r = log(x) - log1p(-x); break;
        case XL_OP_MIN:
        case XL_OP_MAX: {
            const int32_t *ai = args + p->off;
            r = v[ai[0]];
            for (int32_t i = 1; i < p->b && !isnan(r); i++) {
                double y = v[ai[i]];
                if (isnan(y) || (p->op == XL_OP_MIN ? y < r : y > r))
                    r = y;
            }
            break;
        }
        case XL_OP_LSE: {
            /* max-shifted so that large arguments do not overflow */
            const int32_t *ai = args + p->off;
            double m = -INFINITY;
            int nan = 0;
            for (int32_t i = 0; i < p->b; i++) {
                double y = v[ai[i]];
                nan |= isnan(y);
                if (y > m)
                    m = y;
            }
            if (nan)
                r = NAN;
            else if (isinf(m))
                r = m;
            else {
                double s = 0;
                for (int32_t i = 0; i < p->b; i++)
                    s += exp(v[ai[i]] - m);
                r = m + log(s);
            }
            break;
        }
        case XL_OP_LT: r = x < v[p->b]; break;
        case XL_OP_LE: r = x <= v[p->b]; break;
        case XL_OP_GT: r = x > v[p->b]; break;
        case XL_OP_GE: r = x >= v[p->b]; break;
        case XL_OP_EQ: r = x == v[p->b]; break;
        case XL_OP_NE: r = x != v[p->b]; break;
        case XL_OP_AND: r = x != 0 && v[p->b] != 0; break;
        case XL_OP_OR: r = x != 0 || v[p->b] != 0; break;
        case XL_OP_NOT: r = x == 0; break;
        default: r = NAN; break;
        }
        v[base + k] = r;
    }
}

#endif
