/* xferlaw expr: formulas over named symbols, with exact derivatives.
 *
 * Grammar (usual precedence, ^ right-associative and binding tighter than unary minus,
 * so -x^2 = -(x^2)):
 *   expr   := or
 *   or     := and ('||' and)*          and := cmp ('&&' cmp)*
 *   cmp    := sum (('<'|'<='|'>'|'>='|'=='|'!=') sum)?
 *   sum    := prod (('+'|'-') prod)*   prod := unary (('*'|'/') unary)*
 *   unary  := ('-'|'+'|'!') unary | pow          pow := atom ('^' unary)?
 *   atom   := NUMBER | NAME | '`any text`' | NAME '(' args ')' | '(' expr ')'
 * Functions: exp log log10 sqrt abs min max logsumexp(a, b, ...) (any arity >= 1),
 * sigmoid, logit.  Comparisons and logic give 1 or 0.  Names are symbols: the caller
 * decides which are data columns and which are parameters.  A symbol name with
 * spaces or other characters is written in backquotes: `Model Size`. */
#ifndef XFERLAW_EXPR_H
#define XFERLAW_EXPR_H

#include "xferlaw/util.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xl_expr xl_expr;

/* Parse text.  Errors say where: "formula 'E + A/N^': column 9: expected a value". */
int xl_expr_parse(const char *text, xl_expr **out, xl_error *err);
void xl_expr_free(xl_expr *e);

/* Added: as xl_expr_parse, and string literals "text" (backslash escapes \" and \\)
 * become the number intern(ctx, text, &code) gives (return non-zero to refuse).
 * The table module maps text cells and literals through the same interning, so
 * curriculum == "scratch" stays numeric.  Without intern, a literal is an error. */
typedef int (*xl_expr_intern_fn)(void *ctx, const char *text, double *code);
int xl_expr_parse_ex(const char *text, xl_expr_intern_fn intern, void *ctx, xl_expr **out,
                     xl_error *err);
/* Added: how symbol i is used: USE_TEXT when compared (== or !=) with a text literal,
 * USE_NUMBER for any other use (both bits can be set; 0 = unused). */
enum { XL_EXPR_USE_NUMBER = 1, XL_EXPR_USE_TEXT = 2 };
int xl_expr_symbol_use(const xl_expr *e, size_t i);

/* The distinct symbols, in order of first appearance. */
size_t xl_expr_n_symbols(const xl_expr *e);
const char *xl_expr_symbol(const xl_expr *e, size_t i);
/* Index of a symbol, or -1. */
long xl_expr_find(const xl_expr *e, const char *name);
/* The source text. */
const char *xl_expr_text(const xl_expr *e);

/* Evaluate with vals[i] the value of symbol i.  Domain problems give NaN or inf
 * (the caller checks isfinite). Thread-safe: a parsed expression is read-only. */
double xl_expr_eval(const xl_expr *e, const double *vals);
/* Value and exact gradient with respect to every symbol (grad has n_symbols slots).
 * scratch must hold xl_expr_scratch_size(e) doubles (one per thread). */
size_t xl_expr_scratch_size(const xl_expr *e);
double xl_expr_eval_grad(const xl_expr *e, const double *vals, double *grad, double *scratch);

#ifdef __cplusplus
}
#endif
#endif
