/* Content filters for the bundled corpora: "does this look like python?" (so `text` and
 * `code` hold none) and reStructuredText to prose (the Python and Linux kernel docs are
 * prose with literal blocks, doctests, directives and inline markup interleaved). */
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

/* A section adornment or a table border: one punctuation character repeated (>= 3), or
 * a simple/grid table rule made of '=', '-', '+' and spaces. */
static int rule_line(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
    if (e - p < 3) return 0;
    if (strchr("=-~^\"'*+#_:.`", *p)) {
        const char *q = p;
        while (q < e && *q == *p) q++;
        if (q == e) return 1;
    }
    if (*p != '=' && *p != '+') return 0;
    for (const char *q = p; q < e; q++)
        if (!strchr("=-+ ", *q)) return 0;
    return 1;
}

/* Does the directive ".. NAME::" at p name one whose body is not prose? */
static int dropped_directive(const char *p, const char *e)
{
    static const char *names[] = {
        "code-block", "sourcecode", "code", "doctest", "testcode", "testsetup", "testcleanup",
        "testoutput", "productionlist", "literalinclude", "highlight", "parsed-literal",
        "toctree", "kernel-doc", "kernel-abi", "kernel-feat", "kernel-include", "include",
        "image", "figure", "raw", "tabularcolumns", "csv-table", "flat-table", "list-table",
        "table", "math", "graphviz", "contents", "index", "sectionauthor", "moduleauthor",
        "module", "currentmodule", "cssclass", "default-domain", "program", "only",
        "c:namespace", "c:namespace-push", "c:namespace-pop", "cpp:namespace", "kfigure",
        "kernel-figure", "kernel-image", "kernel-render", "sectnum", "maxdepth", NULL};
    for (int k = 0; names[k]; k++) {
        size_t n = strlen(names[k]);
        if ((size_t)(e - p) >= n + 2 && memcmp(p, names[k], n) == 0 && p[n] == ':' && p[n + 1] == ':')
            return 1;
    }
    return 0;
}

/* s[i] and s[i+1] open a pair such as ``literal`` or **strong**: the index of the
 * closing pair (non-empty content between), or 0 when there is none. */
static size_t closing_pair(const char *s, size_t n, size_t i)
{
    const char *c = memchr(s + i + 2, s[i], n - i - 2);
    return c && c + 1 < s + n && c[1] == s[i] && c > s + i + 2 ? (size_t)(c - s) : 0;
}

/* Inline markup of one line, rewritten from src to dst (dst <= src, never longer):
 * ``lit`` -> lit, :role:`text <target>` -> text, `text <url>`_ -> text, `text`_ -> text,
 * **strong** -> strong.  Returns the bytes written. */
static size_t strip_inline(char *dst, const char *src, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n;) {
        if ((src[i] == '`' || src[i] == '*') && i + 1 < n && src[i + 1] == src[i]) {
            size_t c = closing_pair(src, n, i);
            if (c) {
                memmove(dst + j, src + i + 2, c - i - 2);
                j += c - i - 2;
                i = c + 2;
                continue;
            }
        }
        if (src[i] == ':' && i + 1 < n && isalpha((unsigned char)src[i + 1])) {
            size_t k = i + 1;
            while (k < n && (isalnum((unsigned char)src[k]) || src[k] == ':' || src[k] == '-' ||
                             src[k] == '_' || src[k] == '+'))
                k++;
            if (k < n && src[k] == '`' && src[k - 1] == ':') {
                i = k;   /* drop the role; the backquoted text follows */
                continue;
            }
        }
        if (src[i] == '`') {
            const char *c = memchr(src + i + 1, '`', n - i - 1);
            if (c && c > src + i + 1) {
                const char *b = src + i + 1, *t = c;
                /* "text <target>": keep text */
                if (t[-1] == '>') {
                    const char *lt = t - 1;
                    while (lt > b && *lt != '<') lt--;
                    if (*lt == '<' && lt > b) {
                        t = lt;
                        while (t > b && t[-1] == ' ') t--;
                    }
                }
                size_t L = (size_t)(t - b);
                if (b[0] == '~' && L > 1) { b++; L--; }
                memmove(dst + j, b, L);
                j += L;
                i = (size_t)(c - src) + 1;
                while (i < n && src[i] == '_') i++;
                continue;
            }
        }
        dst[j++] = src[i++];
    }
    return j;
}

size_t xl_corpus_strip_rst(char *text, size_t n)
{
    char *end = text + n, *w = text;
    int skip_indent = -2;   /* >= -1: skipping a block indented more than this */
    int opts_indent = -2;   /* >= 0: dropping a directive's ":option:" lines */
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
        if (opts_indent >= 0) {
            if (ind > opts_indent && p[ind] == ':') { p = next; continue; }
            opts_indent = -2;
        }
        if (ind >= 0 && starts(p + ind, e, ">>>")) {
            in_doctest = 1;
            p = next;
            continue;
        }
        int keep = 1;
        if (ind >= 0 && (starts(p + ind, e, ".. ") || e - (p + ind) == 2) && p[ind] == '.' && p[ind + 1] == '.') {
            /* a directive or a comment: the line goes; so does the body of a comment or
             * of a directive whose body is not prose (code, tables, tocs, includes) */
            const char *d = p + ind + 3, *dc = d;
            while (dc + 1 < e && !(dc[0] == ':' && dc[1] == ':') && *dc != ' ') dc++;
            int directive = dc + 1 < e && dc[0] == ':' && dc[1] == ':';
            if (!directive || d >= e || dropped_directive(d, e)) skip_indent = ind;
            else opts_indent = ind;
            keep = 0;
        } else if (ind >= 0 && rule_line(p, e)) {
            keep = 0;
        } else if (ind >= 0 && e - p >= 2 && e[-1] == ':' && e[-2] == ':') {
            /* "text::" introduces a literal block; rst shows the line as "text:" */
            skip_indent = ind;
            e--;
            while (e > p + ind && (e[-1] == ':' || e[-1] == ' ')) e--;
            if (e > p + ind) {
                w += strip_inline(w, p, (size_t)(e - p));
                *w++ = ':';
                *w++ = '\n';
            }
            keep = 0;
        }
        if (keep) w += strip_inline(w, p, (size_t)(next - p));
        p = next;
    }
    return (size_t)(w - text);
}
