/* Private to src/expr: the parser's state, shared by the lexer (expr_lex.c) and the
 * grammar (expr_parse.c). */
#ifndef XL_EXPR_PARSER_H
#define XL_EXPR_PARSER_H

#include "expr_impl.h"

#define MAX_DEPTH 200

/* While parsing, operands are tagged references; slots are known only at the end. */
enum { REF_SYM = 0, REF_CONST = 1, REF_INS = 2 };
#define REF(tag, i) ((int64_t)(i) * 4 + (tag))
#define REF_TAG(r) ((int)((r) & 3))
#define REF_IDX(r) ((size_t)((r) >> 2))

enum { T_END, T_NUM, T_NAME, T_STR, T_OP, T_ERR };

typedef struct parser {
    const char *text;
    size_t len, pos;
    int depth;
    /* current token */
    int tok;
    size_t tpos, tlen;   /* where it starts and how long it is in text */
    char op[3];          /* T_OP spelling */
    double num;
    char *word;          /* T_NAME (backquotes removed) / T_STR (escapes resolved) */
    xl_expr_intern_fn intern;
    void *ictx;
    xl_error *err;
    int failed;
    char **syms;
    size_t n_sym, cap_sym;
    double *consts;
    unsigned char *const_text;
    size_t n_const, cap_const, cap_ctext;
    xl_ins *code;
    int64_t *ins_refs;   /* per instruction: a, b as refs (n-ary operands in arg_refs) */
    size_t n_code, cap_code, cap_irefs;
    int64_t *arg_refs;
    size_t n_args, cap_args;
} parser;

int xl_expr_grow_(void **p, size_t *cap, size_t need, size_t elem);
/* Record a parse error at 1-based column col (0 = no column); the first error wins. */
void xl_expr_fail_(parser *P, size_t col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void xl_expr_oom_(parser *P);
/* Advance to the next token. */
void xl_expr_next_(parser *P);
int xl_expr_is_op_(const parser *P, const char *op);

#endif
