/* Fit entry points: options, resolving a law against the data (which symbols are
 * columns, which are parameters), checking the rows, building the problem; then
 * run.c does the multi-start, uncertainty and diagnostics. */
#include "fit_run.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void xl_fit_options_init(xl_fit_options *o)
{
    memset(o, 0, sizeof *o);
    o->loss = XL_FIT_LSQ;
    o->huber_delta = 1e-3;
    o->space = XL_FIT_SPACE_DEFAULT;
    o->seed = 1;
    o->max_iter = 500;
}

int xl_fit_options_set_loss(xl_fit_options *o, const char *spec, xl_error *err)
{
    if (strcmp(spec, "lsq") == 0) {
        o->loss = XL_FIT_LSQ;
        return XL_OK;
    }
    double d;
    if (strncmp(spec, "huber:", 6) == 0 && xl_parse_double(spec + 6, &d) == 0 && isfinite(d) &&
        d > 0) {
        o->loss = XL_FIT_HUBER;
        o->huber_delta = d;
        return XL_OK;
    }
    return xl_error_set(err, XL_EINVAL, "--loss '%s': expected 'lsq' or 'huber:DELTA' with DELTA > 0",
                        spec);
}

int xl_fit_options_set_space(xl_fit_options *o, const char *spec, xl_error *err)
{
    if (strcmp(spec, "log") == 0)
        o->space = XL_FIT_SPACE_LOG;
    else if (strcmp(spec, "linear") == 0)
        o->space = XL_FIT_SPACE_LINEAR;
    else
        return xl_error_set(err, XL_EINVAL, "--space '%s': expected 'log' or 'linear'", spec);
    return XL_OK;
}

static int split_name(const char *spec, const char *what, char *name, const char **rest,
                      xl_error *err)
{
    const char *eq = strchr(spec, '=');
    size_t len = eq ? (size_t)(eq - spec) : 0;
    if (!eq || len == 0 || len >= XL_FIT_NAME_MAX)
        return xl_error_set(err, XL_EINVAL, "%s '%s': expected NAME=%s", what, spec,
                            strstr(what, "box") || strcmp(what, "--bound") == 0 ? "LO:HI" : "VALUE");
    memcpy(name, spec, len);
    name[len] = '\0';
    *rest = eq + 1;
    return XL_OK;
}

/* NAME=VALUE into list[*n] */
static int add_value(xl_fit_pspec *list, size_t *n, const char *what, const char *spec,
                     xl_error *err)
{
    if (*n >= XL_FIT_MAX_PARAMS)
        return xl_error_set(err, XL_EINVAL, "%s: too many", what);
    xl_fit_pspec *p = &list[*n];
    const char *v = NULL;
    if (split_name(spec, what, p->name, &v, err))
        return err->code;
    if (xl_parse_double(v, &p->value) || !isfinite(p->value))
        return xl_error_set(err, XL_EINVAL, "%s '%s': '%s' is not a finite number", what, spec, v);
    (*n)++;
    return XL_OK;
}

/* NAME=LO:HI into list[*n]; an empty side is infinite unless finite is required */
static int add_range(xl_fit_pspec *list, size_t *n, const char *what, const char *spec,
                     int finite, xl_error *err)
{
    if (*n >= XL_FIT_MAX_PARAMS)
        return xl_error_set(err, XL_EINVAL, "%s: too many", what);
    xl_fit_pspec *p = &list[*n];
    const char *v = NULL;
    if (split_name(spec, what, p->name, &v, err))
        return err->code;
    const char *colon = strchr(v, ':');
    if (!colon)
        return xl_error_set(err, XL_EINVAL, "%s '%s': expected NAME=LO:HI", what, spec);
    char lo[64] = "", hi[64] = "";
    snprintf(lo, sizeof lo, "%.*s", (int)(colon - v), v);
    snprintf(hi, sizeof hi, "%s", colon + 1);
    p->lo = -HUGE_VAL;
    p->hi = HUGE_VAL;
    if ((lo[0] && xl_parse_double(lo, &p->lo)) || (hi[0] && xl_parse_double(hi, &p->hi)) ||
        !(p->lo < p->hi) || (finite && !(isfinite(p->lo) && isfinite(p->hi))))
        return xl_error_set(err, XL_EINVAL, "%s '%s': expected %sLO < HI", what, spec,
                            finite ? "finite " : "");
    (*n)++;
    return XL_OK;
}

int xl_fit_options_add_fixed(xl_fit_options *o, const char *spec, xl_error *err)
{
    return add_value(o->fixed, &o->n_fixed, "--fix", spec, err);
}

int xl_fit_options_add_start(xl_fit_options *o, const char *spec, xl_error *err)
{
    return add_value(o->start_values, &o->n_start_values, "--start", spec, err);
}

int xl_fit_options_add_bound(xl_fit_options *o, const char *spec, xl_error *err)
{
    return add_range(o->bounds, &o->n_bounds, "--bound", spec, 0, err);
}

int xl_fit_options_add_start_box(xl_fit_options *o, const char *spec, xl_error *err)
{
    return add_range(o->start_box, &o->n_start_box, "--start-box", spec, 1, err);
}

/* ---- resolving the law ------------------------------------------------------------ */
static long find_name(size_t n, const char *const *names, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (long)i;
    return -1;
}

static void set_trans(fit_ptrans *t, int log_scale, double lo, double hi)
{
    t->lo = lo;
    t->hi = hi;
    if (isfinite(lo) && isfinite(hi))
        t->kind = TR_BOX;
    else if (isfinite(lo))
        t->kind = (log_scale && lo == 0) ? TR_LOG : TR_LOWER;
    else if (isfinite(hi))
        t->kind = TR_UPPER;
    else
        t->kind = TR_IDENT;
}

/* Fills r (law, formula, columns, params, expr, sym_map) and pb's parameterisation. */
static int resolve_law(const fit_src *src, const xl_fit_options *o, xl_fit_result *r,
                       fit_problem *pb, const xl_law_info **info_out, xl_error *err)
{
    if (!o->law || !*o->law)
        return xl_error_set(err, XL_EINVAL, "no law given (a name such as 'chinchilla', or a formula)");
    const xl_law_info *info = xl_law_find(o->law);
    *info_out = info;
    r->law = xl_strdup(info ? info->name : "formula", err);
    r->formula = xl_strdup(info ? info->formula : o->law, err);
    if (!r->law || !r->formula)
        return err->code;
    if (xl_expr_parse(r->formula, &r->expr, err))
        return err->code;
    size_t ns = xl_expr_n_symbols(r->expr);
    r->sym_map = xl_calloc(ns + 1, sizeof(long), err);
    r->columns = xl_calloc(ns + 1, sizeof(char *), err);
    r->params = xl_calloc(XL_FIT_MAX_PARAMS, sizeof(xl_fit_param), err);
    if (!r->sym_map || !r->columns || !r->params)
        return err->code;
    const char *ycol = o->y ? o->y : info ? info->target : "loss";
    /* data columns */
    if (info) {
        for (size_t c = 0; c < info->n_columns; c++) {
            if (find_name(src->n_cols, src->names, info->columns[c]) < 0)
                return xl_error_at(err, XL_EINVAL, src->path, 0, info->columns[c],
                                   "column not found (law '%s' needs columns %s%s%s)",
                                   info->name, info->columns[0], info->n_columns > 1 ? ", " : "",
                                   info->n_columns > 1 ? info->columns[1] : "");
            r->columns[r->n_columns++] = xl_strdup(info->columns[c], err);
        }
    } else {
        for (size_t s = 0; s < ns; s++) {
            const char *sym = xl_expr_symbol(r->expr, s);
            if (find_name(src->n_cols, src->names, sym) >= 0 && strcmp(sym, ycol) != 0)
                r->columns[r->n_columns++] = xl_strdup(sym, err);
        }
    }
    if (!info && r->n_columns == 0) {
        const char *near = fit_nearest_law(o->law);
        char cols[256] = "";
        for (size_t c = 0; c < src->n_cols && strlen(cols) < 200; c++)
            snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "%s%s", c ? ", " : "",
                     src->names[c]);
        if (near)
            return xl_error_set(err, XL_EINVAL,
                                "law '%s' is not a named law, and as a formula it uses no data "
                                "column; did you mean '%s'?", o->law, near);
        return xl_error_set(err, XL_EINVAL,
                            "law '%s' is not a named law, and as a formula it uses no data "
                            "column (the table has %s)", o->law, cols);
    }
    /* parameters: registry order for named laws, first appearance for formulas */
    if (info) {
        for (size_t k = 0; k < info->n_params; k++) {
            snprintf(r->params[k].name, XL_FIT_NAME_MAX, "%s", info->params[k].name);
            r->params[k].log_scale = info->params[k].log_scale;
            set_trans(&pb->tr[k], info->params[k].log_scale, info->params[k].lo, info->params[k].hi);
        }
        r->n_params = info->n_params;
    } else {
        for (size_t s = 0; s < ns; s++) {
            const char *sym = xl_expr_symbol(r->expr, s);
            if (find_name(r->n_columns, (const char *const *)r->columns, sym) >= 0)
                continue;
            if (strcmp(sym, ycol) == 0)
                return xl_error_set(err, XL_EINVAL,
                                    "formula '%s' uses the target column '%s'", r->formula, ycol);
            if (r->n_params >= XL_FIT_MAX_PARAMS)
                return xl_error_set(err, XL_EINVAL, "formula '%s': more than %d parameters",
                                    r->formula, XL_FIT_MAX_PARAMS);
            snprintf(r->params[r->n_params].name, XL_FIT_NAME_MAX, "%s", sym);
            set_trans(&pb->tr[r->n_params], 0, -HUGE_VAL, HUGE_VAL);
            r->n_params++;
        }
    }
    for (size_t s = 0; s < ns; s++) {
        const char *sym = xl_expr_symbol(r->expr, s);
        long c = find_name(r->n_columns, (const char *const *)r->columns, sym);
        if (c >= 0) {
            r->sym_map[s] = c;
            continue;
        }
        long k = -1;
        for (size_t j = 0; j < r->n_params; j++)
            if (strcmp(r->params[j].name, sym) == 0)
                k = (long)j;
        if (k < 0)
            return xl_error_set(err, XL_EINVAL, "law '%s': symbol '%s' is neither a column nor a parameter",
                                r->law, sym);
        r->sym_map[s] = -(k + 1);
    }
    r->y = xl_strdup(ycol, err);
    if (!r->y)
        return err->code;
    /* bounds and fixed values */
    for (size_t b = 0; b < o->n_bounds; b++) {
        long k = xl_fit_param_index(r, o->bounds[b].name);
        if (k < 0)
            return xl_error_set(err, XL_EINVAL, "--bound: '%s' is not a parameter of law '%s'",
                                o->bounds[b].name, r->law);
        set_trans(&pb->tr[k], r->params[k].log_scale, o->bounds[b].lo, o->bounds[b].hi);
    }
    pb->np = r->n_params;
    for (size_t k = 0; k < pb->np; k++)
        pb->u_fixed[k] = NAN;
    for (size_t f = 0; f < o->n_fixed; f++) {
        long k = xl_fit_param_index(r, o->fixed[f].name);
        if (k < 0)
            return xl_error_set(err, XL_EINVAL, "--fix: '%s' is not a parameter of law '%s'",
                                o->fixed[f].name, r->law);
        double v = o->fixed[f].value;
        double u = fit_u_from_p(&pb->tr[k], v);
        if (!isfinite(u))
            return xl_error_set(err, XL_EINVAL, "--fix %s=%g: outside the parameter's range",
                                o->fixed[f].name, v);
        r->params[k].fixed = 1;
        pb->u_fixed[k] = u;
    }
    pb->nf = 0;
    for (size_t k = 0; k < pb->np; k++)
        if (!r->params[k].fixed)
            pb->free_idx[pb->nf++] = k;
    pb->expr = r->expr;
    pb->n_sym = ns;
    pb->sym_map = r->sym_map;
    pb->kernel = KERNEL_EXPR;
    if (info && strcmp(info->name, "chinchilla") == 0) {
        int plain = 1;
        for (size_t k = 0; k < 5; k++)
            plain &= pb->tr[k].kind == (k < 3 ? TR_LOG : TR_IDENT);
        if (plain)
            pb->kernel = KERNEL_CHINCHILLA;
    }
    if (info && strncmp(info->name, "bnsl:", 5) == 0)
        pb->kernel = KERNEL_BNSL;   /* any parameterisation: see eval_bnsl */
    return XL_OK;
}

/* ---- rows ---------------------------------------------------------------------------- */
static int value_error(const fit_src *src, size_t i, const char *col, double v, xl_error *err)
{
    const double *d;
    if (src->table && xl_table_numeric(src->table, col, &d, err))
        return err->code;   /* names the cell: empty, not a number, NaN or infinite */
    return xl_error_at(err, XL_EDOM, src->path, src_line(src, i), col,
                       isnan(v) ? "value is NaN" : "value %g is not finite", v);
}

/* A column raised to a fitted power must be > 0: detect rows where the law is undefined at
 * generic parameter values and blame a non-positive column of that row. */
static int check_domain(const fit_src *src, xl_fit_result *r, const fit_problem *pb,
                        const xl_law_info *info, const double *const *xc, xl_error *err)
{
    double p[XL_FIT_MAX_PARAMS], x[8];
    for (size_t k = 0; k < r->n_params; k++)
        p[k] = r->params[k].fixed ? fit_p_from_u(&pb->tr[k], pb->u_fixed[k]) : 0.37 + 0.11 * k;
    for (size_t i = 0; i < src->n_rows; i++) {
        size_t bad = SIZE_MAX;
        for (size_t c = 0; c < r->n_columns && c < 8; c++) {
            x[c] = xc[c][i];
            if (x[c] <= 0 && bad == SIZE_MAX)
                bad = c;
        }
        if (bad == SIZE_MAX)
            continue;
        if (!isfinite(xl_fit_eval_params(r, p, x, NULL)) ||
            info)   /* every column of a named law is raised to a power */
            return xl_error_at(err, XL_EDOM, src->path, src_line(src, i), r->columns[bad],
                               "value %g is not > 0 (it is raised to a fitted power)", x[bad]);
    }
    return XL_OK;
}

int fit_from_src(const fit_src *src, const xl_fit_options *o, xl_fit_result **out, xl_error *err)
{
    gsl_set_error_handler_off();
    double t0 = xl_now();
    *out = NULL;
    xl_error_clear(err);
    xl_fit_result *r = xl_calloc(1, sizeof *r, err);
    if (!r)
        return err->code;
    fit_problem pb;
    memset(&pb, 0, sizeof pb);
    const xl_law_info *info = NULL;
    const double *xc[8] = {0};
    double *buf = NULL;
    unsigned char *held = NULL;
    int rc = resolve_law(src, o, r, &pb, &info, err);
    if (rc)
        goto fail;
    if (r->n_columns > 8) {
        rc = xl_error_set(err, XL_EINVAL, "law uses more than 8 data columns");
        goto fail;
    }
    r->loss = o->loss;
    r->huber_delta = o->huber_delta;
    r->space = o->space != XL_FIT_SPACE_DEFAULT ? o->space
               : (info && strcmp(info->space, "linear") == 0) ? XL_FIT_SPACE_LINEAR
                                                              : XL_FIT_SPACE_LOG;
    r->input_path = xl_strdup(src->path ? src->path : "", err);
    long yc = find_name(src->n_cols, src->names, r->y);
    long wc = o->weight ? find_name(src->n_cols, src->names, o->weight) : -1;
    if (yc < 0) {
        rc = xl_error_at(err, XL_EINVAL, src->path, 0, r->y, "target column not found (use --y COL)");
        goto fail;
    }
    if (o->weight && wc < 0) {
        rc = xl_error_at(err, XL_EINVAL, src->path, 0, o->weight, "weight column not found");
        goto fail;
    }
    for (size_t c = 0; c < r->n_columns; c++)
        xc[c] = src->cols[find_name(src->n_cols, src->names, r->columns[c])];
    const double *ycol = src->cols[yc], *wcol = wc >= 0 ? src->cols[wc] : NULL;
    /* every value the fit reads must be finite */
    for (size_t i = 0; i < src->n_rows; i++) {
        for (size_t c = 0; c < r->n_columns; c++)
            if (!isfinite(xc[c][i])) {
                rc = value_error(src, i, r->columns[c], xc[c][i], err);
                goto fail;
            }
        if (!isfinite(ycol[i])) {
            rc = value_error(src, i, r->y, ycol[i], err);
            goto fail;
        }
        if (r->space == XL_FIT_SPACE_LOG && ycol[i] <= 0) {
            rc = xl_error_at(err, XL_EDOM, src->path, src_line(src, i), r->y,
                             "value %g is not > 0 (residuals are in log space; use --space linear)",
                             ycol[i]);
            goto fail;
        }
        if (wcol && !(isfinite(wcol[i]) && wcol[i] >= 0)) {
            rc = xl_error_at(err, XL_EDOM, src->path, src_line(src, i), o->weight,
                             "weight %g is not a finite number >= 0", wcol[i]);
            goto fail;
        }
    }
    if ((rc = check_domain(src, r, &pb, info, xc, err)))
        goto fail;
    held = xl_calloc(src->n_rows + 1, 1, err);
    if (!held) {
        rc = err->code;
        goto fail;
    }
    if (o->holdout && (rc = fit_holdout_mask(src, o->holdout, held, err)))
        goto fail;
    size_t n = 0;
    for (size_t i = 0; i < src->n_rows; i++)
        n += !held[i];
    if (n < pb.nf || n == 0) {
        rc = xl_error_at(err, XL_EINVAL, src->path, 0, NULL,
                         "%zu data points to fit but law '%s' has %zu free parameters", n,
                         r->law, pb.nf);
        goto fail;
    }
    /* the problem over the fitted rows */
    buf = calloc((2 * r->n_columns + 2) * (n + 1), sizeof(double));
    double *xs[8], *lxs[8];
    if (!buf) {
        rc = xl_error_set(err, XL_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t c = 0; c < r->n_columns; c++) {
        xs[c] = buf + (2 * c) * (n + 1);
        lxs[c] = buf + (2 * c + 1) * (n + 1);
    }
    pb.gy = buf + (2 * r->n_columns) * (n + 1);
    pb.w = buf + (2 * r->n_columns + 1) * (n + 1);
    for (size_t i = 0, j = 0; i < src->n_rows; i++) {
        if (held[i])
            continue;
        for (size_t c = 0; c < r->n_columns; c++) {
            xs[c][j] = xc[c][i];
            lxs[c][j] = xc[c][i] > 0 ? log(xc[c][i]) : NAN;
        }
        pb.gy[j] = r->space == XL_FIT_SPACE_LOG ? log(ycol[i]) : ycol[i];
        pb.w[j] = wcol ? wcol[i] : 1.0;
        j++;
    }
    pb.n = n;
    pb.n_cols = r->n_columns;
    pb.x = xs;
    pb.logx = lxs;
    pb.space_log = r->space == XL_FIT_SPACE_LOG;
    pb.huber = o->loss == XL_FIT_HUBER;
    pb.delta = o->huber_delta;
    pb.max_iter = o->max_iter > 0 ? o->max_iter : 500;
    r->n = n;
    if ((rc = fit_run(&pb, info, o, r, err)))
        goto fail;
    if ((rc = fit_fill_rows(src, r, held, xc, ycol, err)))
        goto fail;
    if (src->table && src->table->sha256[0])   /* the bytes parsed (the file may be a pipe) */
        memcpy(r->input_sha256, src->table->sha256, sizeof src->table->sha256);
    else if (src->path && *src->path && xl_file_exists(src->path))
        xl_sha256_file(src->path, r->input_sha256, NULL);
    r->seconds = xl_now() - t0;
    free(buf);
    free(held);
    *out = r;
    return XL_OK;
fail:
    free(buf);
    free(held);
    xl_fit_result_free(r);
    return rc ? rc : XL_EINVAL;
}

int xl_fit_arrays(size_t n_rows, size_t n_cols, const char *const *names,
                  const double *const *cols, const xl_fit_options *o, xl_fit_result **out,
                  xl_error *err)
{
    fit_src src = {.path = "", .n_rows = n_rows, .n_cols = n_cols, .names = names,
                   .cols = cols, .lines = NULL};
    return fit_from_src(&src, o, out, err);
}

int xl_fit_table(const xl_table *t, const xl_fit_options *o, xl_fit_result **out, xl_error *err)
{
    const double **cols = calloc(t->n_cols + 1, sizeof *cols);
    if (!cols)
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    /* Only numeric columns are visible to the law; a non-numeric cell in a used column
     * is reported by xl_table_numeric with its line. */
    const char **names = calloc(t->n_cols + 1, sizeof *names);
    if (!names) {
        free(cols);
        return xl_error_set(err, XL_ENOMEM, "out of memory");
    }
    for (size_t c = 0; c < t->n_cols; c++) {
        names[c] = t->names[c];
        cols[c] = t->num[c];
    }
    fit_src src = {.path = t->path, .n_rows = t->n_rows, .n_cols = t->n_cols,
                   .names = names, .cols = cols, .lines = t->line, .table = t};
    int rc = fit_from_src(&src, o, out, err);
    free(cols);
    free(names);
    return rc;
}
