#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(const char *cmd, const xl_error *err)
{
    fprintf(stderr, "xferlaw %s: error: %s\n", cmd,
            err && err->msg[0] ? err->msg : xl_strerror(err ? err->code : XL_EINVAL));
    return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "xferlaw %s: %s (see 'xferlaw %s --help')\n", cmd, msg, cmd);
    return 2;
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_subcommand_help(int argc, char **argv, const char *usage, int *code)
{
    if (argc < 2) {
        fputs(usage, stderr);
        *code = 2;
        return 1;
    }
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            *code = 0;
            return 1;
        }
    return 0;
}

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions: 'fitt',
 * 'teh' are one edit away), over the first 63 bytes of each word. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strnlen(a, 63), m = strnlen(b, 63), d[64][64];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c)
                c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c)
                c = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < c)
                c = d[i - 2][j - 2] + 1;
            d[i][j] = c;
        }
    return d[n][m];
}

const char *cli_suggest(const char *word, const char *const *cands, size_t n)
{
    if (!word || !word[0])
        return NULL;
    size_t len = strlen(word), limit = len <= 4 ? 1 : len / 3, best = (size_t)-1;
    const char *pick = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i] || !strcmp(word, cands[i]))
            continue;
        size_t dist = edit_distance(word, cands[i]);
        if (dist < best) {
            best = dist;
            pick = cands[i];
        }
    }
    return best <= limit ? pick : NULL;
}

const char *cli_did_you_mean(const char *word, const char *const *cands, size_t n, char *buf,
                             size_t size)
{
    const char *s = cli_suggest(word, cands, n);
    if (!s)
        return "";
    snprintf(buf, size, ", did you mean '%s'?", s);
    return buf;
}
