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

const char *cli_suggest(const char *word, const char *const *cands, size_t n)
{
    return xl_closest(word, cands, n);
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

int cli_unknown_subcommand(const char *cmd, const char *sub, const char *const *subs, size_t n)
{
    char buf[160];
    return cli_usage_error(cmd, "unknown subcommand '%s'%s", sub,
                           cli_did_you_mean(sub, subs, n, buf, sizeof buf));
}
