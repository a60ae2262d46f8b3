/* Error records: one line, with file position when known. */
#include "xferlaw/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Messages are truncated to XL_ERRMSG_MAX on purpose. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

void xl_error_clear(xl_error *err)
{
    if (err) {
        err->code = XL_OK;
        err->msg[0] = '\0';
    }
}

/* Messages must stay on one line: newlines from nested sources become spaces. */
static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r')
            *s = ' ';
}

/* Store s as the message.  A message longer than the buffer (a long formula or path in
 * it) loses its middle, not its end: the cause comes last. */
static void store(xl_error *err, const char *s)
{
    size_t n = strlen(s), cap = sizeof err->msg;
    if (n < cap) {
        memcpy(err->msg, s, n + 1);
    } else {
        static const char mid[] = " ... ";
        size_t head = cap / 3, tail = cap - 1 - head - (sizeof mid - 1);
        /* do not cut a UTF-8 sequence */
        while (head > 0 && ((unsigned char)s[head] & 0xC0) == 0x80)
            head--;
        while (tail > 0 && ((unsigned char)s[n - tail] & 0xC0) == 0x80)
            tail--;
        memcpy(err->msg, s, head);
        memcpy(err->msg + head, mid, sizeof mid - 1);
        memcpy(err->msg + head + sizeof mid - 1, s + n - tail, tail + 1);
    }
    one_line(err->msg);
}

static void store_v(xl_error *err, const char *pre, const char *fmt, va_list ap)
{
    char *body = NULL;
    if (vasprintf(&body, fmt, ap) < 0) {
        snprintf(err->msg, sizeof err->msg, "%s(error message lost: out of memory)", pre);
        return;
    }
    char *all = NULL;
    if (asprintf(&all, "%s%s", pre, body) < 0)
        store(err, body);
    else
        store(err, all);
    free(all);
    free(body);
}

int xl_error_set(xl_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    store_v(err, "", fmt, ap);
    va_end(ap);
    return code;
}

int xl_error_at(xl_error *err, int code, const char *file, long line,
                const char *field, const char *fmt, ...)
{
    if (!err)
        return code;
    char head[512] = "";
    size_t k = 0;
    if (file && *file)
        k += (size_t)snprintf(head + k, sizeof head - k, "%s:", file);
    if (line > 0 && k < sizeof head)
        k += (size_t)snprintf(head + k, sizeof head - k, "%ld:", line);
    if (field && k < sizeof head)
        k += (size_t)snprintf(head + k, sizeof head - k, "%sfield '%s':", k ? " " : "", field);
    if (head[0] && k < sizeof head - 1)
        strcat(head, " ");
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    store_v(err, head, fmt, ap);
    va_end(ap);
    return code;
}

int xl_error_prefix(xl_error *err, const char *fmt, ...)
{
    if (!err)
        return XL_OK;
    char *pre = NULL;
    va_list ap;
    va_start(ap, fmt);
    int k = vasprintf(&pre, fmt, ap);
    va_end(ap);
    if (k < 0)
        return err->code;
    /* a layer that already named the same thing: no "X: X: cause" */
    size_t n = strlen(pre);
    if (!(strncmp(err->msg, pre, n) == 0 && err->msg[n] == ':')) {
        char old[XL_ERRMSG_MAX];
        memcpy(old, err->msg, sizeof old);
        char *all = NULL;
        if (asprintf(&all, "%s: %s", pre, old) >= 0)
            store(err, all);
        free(all);
    }
    free(pre);
    return err->code;
}

const char *xl_strerror(int code)
{
    switch (code) {
    case XL_OK: return "ok";
    case XL_EINVAL: return "invalid input";
    case XL_EIO: return "i/o error";
    case XL_ENOMEM: return "out of memory";
    case XL_EPARSE: return "parse error";
    case XL_EDOM: return "domain error";
    case XL_ENOCONV: return "did not converge";
    case XL_ERANGE: return "out of range";
    case XL_EFORMAT: return "bad file format";
    case XL_EUNSUPPORTED: return "unsupported";
    default: return "unknown error";
    }
}

void *xl_calloc(size_t n, size_t size, xl_error *err)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        xl_error_set(err, XL_ENOMEM, "out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

char *xl_strdup(const char *s, xl_error *err)
{
    char *p = strdup(s ? s : "");
    if (!p)
        xl_error_set(err, XL_ENOMEM, "out of memory copying a string");
    return p;
}

int xl_parse_double(const char *s, double *out)
{
    if (!s)
        return -1;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return -1;
    char *end;
    double v = strtod(s, &end);
    if (end == s)
        return -1;
    while (*end == ' ' || *end == '\t' || *end == '\r')
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

int xl_parse_long(const char *s, long *out)
{
    if (!s)
        return -1;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || errno == ERANGE) /* out of range: not silently LONG_MAX */
        return -1;
    while (*end == ' ' || *end == '\t' || *end == '\r')
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}
