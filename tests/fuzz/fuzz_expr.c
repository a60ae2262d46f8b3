/* libFuzzer target: parse a formula (bytes up to the first NUL), then evaluate it and
 * its gradient at symbol values taken from the remaining bytes. */
#include "xferlaw/expr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int intern(void *ctx, const char *s, double *code)
{
    (void)ctx;
    *code = (double)(strlen(s) % 7);
    return s[0] == '!';
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
    const unsigned char *nul = memchr(data, 0, n);
    size_t tn = nul ? (size_t)(nul - data) : n;
    char *text = malloc(tn + 1);
    if (!text)
        return 0;
    memcpy(text, data, tn);
    text[tn] = '\0';
    const unsigned char *rest = nul ? nul + 1 : data + n;
    size_t rn = (size_t)(data + n - rest);
    xl_error err;
    xl_expr *e = NULL;
    int with_strings = rn > 0 && (rest[0] & 1);
    int rc = with_strings ? xl_expr_parse_ex(text, intern, NULL, &e, &err)
                          : xl_expr_parse(text, &e, &err);
    if (rc == XL_OK) {
        size_t ns = xl_expr_n_symbols(e);
        double *v = malloc(sizeof(double) * (ns + 1));
        double *g = malloc(sizeof(double) * (ns + 1));
        double *s = malloc(sizeof(double) * xl_expr_scratch_size(e));
        for (size_t i = 0; i < ns; i++) {
            double x = 0.5 + (double)i;
            if (rn >= 8) {
                size_t off = (i * 8) % (rn - rn % 8);
                memcpy(&x, rest + off, 8);
            }
            v[i] = x;
            if (xl_expr_find(e, xl_expr_symbol(e, i)) != (long)i)
                __builtin_trap();
        }
        double a = xl_expr_eval(e, v);
        double b = xl_expr_eval_grad(e, v, g, s);
        /* both sweeps run the same forward code */
        if (!(a == b || (isnan(a) && isnan(b))))
            __builtin_trap();
        free(v);
        free(g);
        free(s);
        xl_expr_free(e);
    } else if (e != NULL || !err.msg[0] || strchr(err.msg, '\n')) {
        __builtin_trap();
    }
    free(text);
    return 0;
}
