#include "cli.h"

#include <stdarg.h>
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
