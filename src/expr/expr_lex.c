/* Formula lexer: numbers, names (plain or `backquoted`), "text" literals, operators. */
#include "expr_parser.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int xl_expr_grow_(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 16;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* Long formulas are shortened in messages so the message stays one readable line. */
void xl_expr_fail_(parser *P, size_t col, const char *fmt, ...)
{
    if (P->failed)
        return;
    P->failed = 1;
    char what[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int n = P->len > 160 ? 157 : (int)P->len;
    const char *dots = P->len > 160 ? "..." : "";
    if (col)
        xl_error_set(P->err, XL_EPARSE, "formula '%.*s%s': column %zu: %s", n, P->text, dots,
                     col, what);
    else
        xl_error_set(P->err, XL_EPARSE, "formula '%.*s%s': %s", n, P->text, dots, what);
}

void xl_expr_oom_(parser *P)
{
    if (!P->failed) {
        P->failed = 1;
        xl_error_set(P->err, XL_ENOMEM, "out of memory parsing a formula");
    }
}

static int is_name_start(int c) { return isalpha(c) || c == '_'; }
static int is_name_char(int c) { return isalnum(c) || c == '_' || c == '.'; }

void xl_expr_next_(parser *P)
{
    free(P->word);
    P->word = NULL;
    const char *s = P->text;
    while (P->pos < P->len && isspace((unsigned char)s[P->pos]))
        P->pos++;
    P->tpos = P->pos;
    if (P->pos >= P->len) {
        P->tok = T_END;
        P->tlen = 0;
        return;
    }
    size_t i = P->pos;
    unsigned char c = (unsigned char)s[i];
    if (isdigit(c) || (c == '.' && i + 1 < P->len && isdigit((unsigned char)s[i + 1]))) {
        size_t j = i;
        while (j < P->len && isdigit((unsigned char)s[j]))
            j++;
        if (j < P->len && s[j] == '.') {
            j++;
            while (j < P->len && isdigit((unsigned char)s[j]))
                j++;
        }
        if (j < P->len && (s[j] == 'e' || s[j] == 'E')) {
            size_t k = j + 1;
            if (k < P->len && (s[k] == '+' || s[k] == '-'))
                k++;
            if (k < P->len && isdigit((unsigned char)s[k])) {
                while (k < P->len && isdigit((unsigned char)s[k]))
                    k++;
                j = k;
            }
        }
        char buf[64];
        size_t n = j - i;
        if (n >= sizeof buf) {
            P->tok = T_ERR;
            xl_expr_fail_(P, i + 1, "number too long");
            return;
        }
        memcpy(buf, s + i, n);
        buf[n] = '\0';
        P->num = strtod(buf, NULL);
        P->tok = T_NUM;
        P->tlen = n;
        P->pos = j;
        return;
    }
    if (is_name_start(c) || c == '`' || c == '"') {
        size_t j = i, n = 0;
        char *w;
        if (c == '`' || c == '"') {
            size_t k = i + 1;
            while (k < P->len && s[k] != (char)c) {
                if (c == '"' && s[k] == '\\' && k + 1 < P->len)
                    k++;
                k++;
            }
            if (k >= P->len) {
                P->tok = T_ERR;
                xl_expr_fail_(P, i + 1, "unterminated %s", c == '`' ? "`name`" : "\"text\"");
                return;
            }
            w = malloc(k - i);
            if (!w) {
                P->tok = T_ERR;
                xl_expr_oom_(P);
                return;
            }
            for (size_t m = i + 1; m < k; m++) {
                if (c == '"' && s[m] == '\\')
                    m++;
                w[n++] = s[m];
            }
            w[n] = '\0';
            j = k + 1;
            if (memchr(w, '\0', n) || (c == '`' && n == 0)) {
                free(w);
                P->tok = T_ERR;
                xl_expr_fail_(P, i + 1, c == '`' ? "empty or invalid `name`" : "invalid \"text\"");
                return;
            }
            P->tok = c == '`' ? T_NAME : T_STR;
        } else {
            while (j < P->len && is_name_char((unsigned char)s[j]))
                j++;
            n = j - i;
            w = malloc(n + 1);
            if (!w) {
                P->tok = T_ERR;
                xl_expr_oom_(P);
                return;
            }
            memcpy(w, s + i, n);
            w[n] = '\0';
            P->tok = T_NAME;
        }
        P->word = w;
        P->tlen = j - i;
        P->pos = j;
        return;
    }
    static const char *ops2[] = {"<=", ">=", "==", "!=", "&&", "||"};
    for (size_t k = 0; k < sizeof ops2 / sizeof *ops2; k++)
        if (i + 1 < P->len && s[i] == ops2[k][0] && s[i + 1] == ops2[k][1]) {
            memcpy(P->op, ops2[k], 3);
            P->tok = T_OP;
            P->tlen = 2;
            P->pos = i + 2;
            return;
        }
    if (strchr("+-*/^(),<>!", c) && c) {
        P->op[0] = (char)c;
        P->op[1] = '\0';
        P->tok = T_OP;
        P->tlen = 1;
        P->pos = i + 1;
        return;
    }
    P->tok = T_ERR;
    if (c == '=')
        xl_expr_fail_(P, i + 1, "unexpected '=' (comparison is '==')");
    else if (c == '&' || c == '|')
        xl_expr_fail_(P, i + 1, "unexpected '%c' (logic is '%c%c')", c, c, c);
    else if (isprint(c))
        xl_expr_fail_(P, i + 1, "unexpected character '%c'", c);
    else
        xl_expr_fail_(P, i + 1, "unexpected byte 0x%02x", c);
}

int xl_expr_is_op_(const parser *P, const char *op)
{
    return P->tok == T_OP && strcmp(P->op, op) == 0;
}
