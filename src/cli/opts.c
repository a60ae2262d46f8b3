/* The table-driven option parser shared by every command (see opts.h). */
#include "opts.h"

#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const cli_opt *find(const cli_opt *opts, const char *name, size_t len)
{
    for (const cli_opt *o = opts; o->kind != CLI_END; o++)
        if ((strlen(o->name) == len && !strncmp(o->name, name, len)) ||
            (o->alias && strlen(o->alias) == len && !strncmp(o->alias, name, len)))
            return o;
    return NULL;
}

static int takes_value(const cli_opt *o)
{
    return o->kind == CLI_FN ? o->takes_value : o->kind != CLI_FLAG;
}

static int unknown(const char *cmd, const cli_opt *opts, const char *arg, size_t len)
{
    const char *names[256];
    size_t n = 0;
    for (const cli_opt *o = opts; o->kind != CLI_END && n < 256; o++)
        names[n++] = o->name;
    char word[128], buf[160];
    snprintf(word, sizeof word, "%.*s", (int)(len < 127 ? len : 127), arg);
    return cli_usage_error(cmd, "unknown option '%s'%s", word,
                           cli_did_you_mean(word, names, n, buf, sizeof buf));
}

/* A range end as typed: 1000000 and 9000000000000000, not 1e+06 and 9e+15. */
static const char *bound(double x, char *buf)
{
    snprintf(buf, 32, x == floor(x) && fabs(x) < 1e17 ? "%.0f" : "%g", x);
    return buf;
}

static int number(const char *cmd, const cli_opt *o, const char *v)
{
    int integer = o->kind != CLI_DOUBLE;
    /* no upper bound given: what the destination type holds (int, or exact in a double) */
    double lo = o->lo, hi = o->hi > o->lo ? o->hi : o->kind == CLI_INT ? 1e9 : integer ? 9e15 : INFINITY, d;
    int ok = !xl_parse_double(v, &d) && isfinite(d) && (o->open_lo ? d > lo : d >= lo) &&
             d <= hi && (!integer || d == floor(d));
    if (!ok) {
        char range[96];
        /* no upper bound of its own: say which side, unless the value is above the type's */
        if (isinf(hi) || (!(o->hi > o->lo) && !xl_parse_double(v, &d) && d <= hi))
            snprintf(range, sizeof range, "%s %g", o->open_lo ? ">" : ">=", lo);
        else
            snprintf(range, sizeof range, "in %c%s, %s]", o->open_lo ? '(' : '[',
                     bound(lo, (char[32]){0}), bound(hi, (char[32]){0}));
        return cli_usage_error(cmd, "%s: expected %s %s, got '%s'", o->name,
                               integer ? "an integer" : "a number", range, v);
    }
    switch (o->kind) {
    case CLI_INT: *(int *)o->dst = (int)d; break;
    case CLI_LONG: *(long *)o->dst = (long)d; break;
    case CLI_U64: *(uint64_t *)o->dst = (uint64_t)d; break;
    default: *(double *)o->dst = d;
    }
    return 0;
}

static int apply(const char *cmd, const cli_opt *o, void *ctx, const char *v)
{
    switch (o->kind) {
    case CLI_FLAG:
        *(int *)o->dst = 1;
        return 0;
    case CLI_STR:
        *(const char **)o->dst = v;
        return 0;
    case CLI_BUF:
        if (strlen(v) >= (size_t)o->hi)
            return cli_usage_error(cmd, "%s: value too long (at most %.0f bytes)", o->name, o->hi - 1);
        strcpy((char *)o->dst, v);
        return 0;
    case CLI_LIST: {
        cli_list *l = o->dst;
        if (l->n >= sizeof l->v / sizeof l->v[0])
            return cli_usage_error(cmd, "%s: at most %zu times", o->name, sizeof l->v / sizeof l->v[0]);
        l->v[l->n++] = v;
        return 0;
    }
    case CLI_FN:
        return o->fn(ctx, o->name, v);
    default:
        return number(cmd, o, v);
    }
}

int cli_parse(const char *cmd, const cli_opt *opts, void *ctx, int argc, char **argv,
              const char **pos, int max_pos, int *n_pos)
{
    *n_pos = 0;
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i]))
            return CLI_HELP;
        else if (!strcmp(argv[i], "--"))
            break;
    int options_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && !strcmp(a, "--")) {
            options_done = 1;
            continue;
        }
        if (options_done || a[0] != '-' || !strcmp(a, "-")) {
            if (*n_pos >= max_pos)
                return cli_usage_error(cmd, "unexpected argument '%s'", a);
            pos[(*n_pos)++] = a;
            continue;
        }
        const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const cli_opt *o = find(opts, a, len);
        if (!o)
            return unknown(cmd, opts, a, len);
        const char *v = NULL;
        if (takes_value(o)) {
            if (eq)
                v = eq + 1;
            else if (i + 1 < argc)
                v = argv[++i];
            else
                return cli_usage_error(cmd, "%s needs a value", o->name);
        } else if (eq) {
            return cli_usage_error(cmd, "%s takes no value", o->name);
        }
        int rc = apply(cmd, o, ctx, v);
        if (rc)
            return rc;
    }
    return 0;
}
