/* Content filters for the bundled corpora: "does this look like python?" (so `text` and
 * `code` hold none) and removal of code from reStructuredText (the Python docs are prose
 * with literal blocks and doctests interleaved). */
#include "corpus_internal.h"

#include <ctype.h>
#include <string.h>

static int starts(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

static int is_ident(int c) { return isalnum(c) || c == '_'; }

/* One line: is it a python-only construct? (def f(...):, class C(...):, import x,
 * from x import y, >>> prompt, if __name__ == */
static int python_line(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) end--;
    if (starts(p, end, ">>> ")) return 1;
    if (starts(p, end, "if __name__ ==")) return 1;
    if (starts(p, end, "def ") || starts(p, end, "async def ") || starts(p, end, "class ")) {
        /* "def name(...):" or "class Name:" / "class Name(...):" */
        const char *q = p + (*p == 'a' ? 10 : (*p == 'd' ? 4 : 6));
        if (q >= end || !(isalpha((unsigned char)*q) || *q == '_')) return 0;
        while (q < end && is_ident((unsigned char)*q)) q++;
        return end > q && end[-1] == ':' && (*q == '(' || *q == ':');
    }
    if (starts(p, end, "from ")) {
        const char *q = p + 5;
        while (q < end && (is_ident((unsigned char)*q) || *q == '.')) q++;
        return starts(q, end, " import ");
    }
    if (starts(p, end, "import ")) {
        const char *q = p + 7;
        if (q >= end || !(isalpha((unsigned char)*q) || *q == '_')) return 0;
        while (q < end && (is_ident((unsigned char)*q) || *q == '.' || *q == ',' || *q == ' '))
            q++;
        if (starts(q, end, " as ")) return 1;
        return q == end;
    }
    return 0;
}

int xl_corpus_looks_like_python(const char *text, size_t n)
{
    const char *end = text + n;
    const char *nl = memchr(text, '\n', n);
    const char *first_end = nl ? nl : end;
    if (starts(text, end, "#!")) {
        for (const char *p = text; p + 6 <= first_end; p++)
            if (memcmp(p, "python", 6) == 0) return 1;
    }
    int hits = 0;
    for (const char *p = text; p < end;) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) e = end;
        hits += python_line(p, e);
        if (hits >= 1) return 1;
        p = e + 1;
    }
    return 0;
}

static int indent_of(const char *p, const char *e)
{
    int k = 0;
    while (p + k < e && (p[k] == ' ' || p[k] == '\t')) k++;
    return (p + k == e) ? -1 : k; /* -1: blank line */
}

size_t xl_corpus_strip_rst(char *text, size_t n)
{
    static const char *code_directives[] = {
        "code-block::", "sourcecode::", "code::", "doctest::", "testcode::", "testsetup::",
        "testcleanup::", "testoutput::", "productionlist::", "literalinclude::", "highlight::",
        "parsed-literal::", NULL};
    char *end = text + n, *w = text;
    int skip_indent = -2;   /* >= -1: skipping a block indented more than this */
    int in_doctest = 0;
    for (char *p = text; p < end;) {
        char *e = memchr(p, '\n', (size_t)(end - p));
        char *next = e ? e + 1 : end;
        if (!e) e = end;
        int ind = indent_of(p, e);
        if (in_doctest) {
            if (ind < 0) in_doctest = 0;
            p = next;
            continue;
        }
        if (skip_indent >= -1) {
            if (ind < 0 || ind > skip_indent) { p = next; continue; }
            skip_indent = -2;
        }
        if (ind >= 0 && starts(p + ind, e, ">>>")) {
            in_doctest = 1;
            p = next;
            continue;
        }
        int keep = 1;
        if (ind >= 0 && starts(p + ind, e, ".. ")) {
            for (int k = 0; code_directives[k]; k++)
                if (starts(p + ind + 3, e, code_directives[k])) {
                    skip_indent = ind;
                    keep = 0;
                }
        } else if (ind >= 0 && e - p >= 2 && e[-1] == ':' && e[-2] == ':') {
            /* "text::" introduces a literal block; rst shows the line as "text:" */
            skip_indent = ind;
            e--;
            while (e > p + ind && (e[-1] == ':' || e[-1] == ' ')) e--;
            if (e == p + ind) keep = 0;
            else { memmove(w, p, (size_t)(e - p)); w += e - p; *w++ = ':'; *w++ = '\n'; keep = 0; }
        }
        if (keep) {
            memmove(w, p, (size_t)(next - p));
            w += next - p;
        }
        p = next;
    }
    return (size_t)(w - text);
}
