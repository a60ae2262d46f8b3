/* Figure files, gnuplot detection and rendering. */
#include "plot_internal.h"
#include "src/plot/plot_templates.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void xl_plot_opts_default(xl_plot_opts *o)
{
    memset(o, 0, sizeof *o);
    o->dir = "plots";
    o->render = 1;
}

/* A NAME.gp that xferlaw did not write (the templates in a checkout's plots/, a user's
 * script) is never replaced. */
static int ours_or_absent(const char *path, xl_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return XL_OK;
    char head[32] = "";
    size_t k = fread(head, 1, sizeof head - 1, fp);
    fclose(fp);
    head[k] = '\0';
    if (strncmp(head, "# xferlaw figure ", 17) == 0)
        return XL_OK;
    return xl_error_set(err, XL_EINVAL,
                        "%s: exists and was not written by xferlaw plot (a template?); "
                        "choose another output folder", path);
}

int xl__fig_open(fig *f, const char *dir, const char *name, xl_error *err)
{
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", name);
    char p[4096];
    snprintf(p, sizeof p, "%s/%s.dat", dir, name);
    int rc = xl_afile_open(&f->dat, p, err);
    if (rc)
        return rc;
    snprintf(p, sizeof p, "%s/%s.gp", dir, name);
    if ((rc = xl_afile_open(&f->gp, p, err))) {
        xl_afile_abort(&f->dat);
        return rc;
    }
    f->open = 1;
    fprintf(f->gp.fp, "# xferlaw figure %s: data in %s.dat (blocks separated by two blank lines)\n"
                   "out = '%s'\ndat = '%s.dat'\n",
            name, name, name, name);
    return XL_OK;
}

void xl__fig_block(fig *f, int had_rows)
{
    if (!had_rows)
        fprintf(f->dat.fp, "nan nan\n");
    fprintf(f->dat.fp, "\n\n");
    if (f->n_blocks < sizeof f->block_has)
        f->block_has[f->n_blocks++] = had_rows != 0;
}

int xl__fig_finish(fig *f, const char *body, xl_error *err)
{
    int any = 0;
    fprintf(f->gp.fp, "array has_block[%zu] = [", f->n_blocks ? f->n_blocks : 1);
    for (size_t i = 0; i < f->n_blocks; i++) {
        fprintf(f->gp.fp, "%s%d", i ? ", " : "", f->block_has[i]);
        any |= f->block_has[i];
    }
    fprintf(f->gp.fp, "%s]\nhas_data = %d\n", f->n_blocks ? "" : "0", any);
    fputs(TMPL_COMMON, f->gp.fp);
    fputs(body, f->gp.fp);
    f->open = 0;
    int rc = xl_afile_commit(&f->dat, err);
    if (rc) {
        xl_afile_abort(&f->gp);
        return rc;
    }
    return xl_afile_commit(&f->gp, err);
}

void xl__fig_abort(fig *f)
{
    if (f->open) {
        xl_afile_abort(&f->dat);
        xl_afile_abort(&f->gp);
        f->open = 0;
    }
}

/* PNG and SVG of one figure; a figure gnuplot cannot render fails the command (its first
 * message or a full disk named), a warning alone does not. */
static int render(const char *dir, const char *name, xl_error *err)
{
    static const char *fmts[2] = {"png", "svg"};
    char script[4200], output[64];
    snprintf(script, sizeof script, "%s/%s.gp", dir, name);
    for (int i = 0; i < 2; i++) {
        /* gnuplot prints nothing on stdout; its warnings go to a log beside the figures */
        snprintf(output, sizeof output, "%s.%s", name, fmts[i]);
        int rc = xl_gp_render(script, fmts[i], output, "gnuplot.log", err);
        if (rc)
            return rc;
    }
    return XL_OK;
}

int xl_plot_all(const xl_transfer_result *r, const xl_plot_opts *o, xl_plot_output *out,
                xl_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = xl_mkdirs(o->dir, err);
    if (rc)
        return rc;
    /* a NAME.gp where the figures land that xferlaw did not write is never replaced */
    const char *dest = o->final_dir ? o->final_dir : o->dir;
    for (char c = 'a'; c <= 'g'; c++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/fig_%c.gp", dest, c);
        if ((rc = ours_or_absent(p, err)))
            return rc;
    }
    typedef int (*fig_fn)(const xl_transfer_result *, const xl_plot_opts *, const char *, xl_error *);
    static const struct {
        const char *name, *title;
        fig_fn fn;
    } F[] = {
        {"fig_a", "Loss vs data for one model size, with D_F, D_T and D_E", xl__fig_a},
        {"fig_b", "Fraction of effective data from transfer vs model size", xl__fig_b},
        {"fig_c", "Data transferred vs fine-tuning data, per model size", xl__fig_c},
        {"fig_d", "Loss vs model size at fixed fine-tuning data", xl__fig_d},
        {"fig_e", "Ossification: fine-tuned minus from-scratch loss", xl__fig_e},
        {"fig_f", "Curricula side by side: alpha and beta", xl__fig_f},
        {"fig_g", "Residuals of the fits", xl__fig_g},
    };
    if (!o->render)
        snprintf(out->why_not, sizeof out->why_not, "rendering was not asked for");
    else
        out->gnuplot = xl_gnuplot_probe(out->gnuplot_version, sizeof out->gnuplot_version,
                                        out->why_not, sizeof out->why_not);
    for (size_t i = 0; i < sizeof F / sizeof F[0]; i++) {
        if ((rc = F[i].fn(r, o, o->dir, err)))
            return xl_error_prefix(err, "%s", F[i].name);
        snprintf(out->name[out->n], sizeof out->name[0], "%s", F[i].name);
        snprintf(out->title[out->n], sizeof out->title[0], "%s", F[i].title);
        xl__fig_caption(r, o, F[i].name, out->caption[out->n], sizeof out->caption[0]);
        if (out->gnuplot && (rc = render(o->dir, F[i].name, err)))
            return xl_error_prefix(err, "%s", F[i].name);
        out->rendered[out->n++] = out->gnuplot;
    }
    return XL_OK;
}

/* The templates are also reachable for the figures module. */
const char *xl__fig_template(char which);
const char *xl__fig_template(char which)
{
    switch (which) {
    case 'a': return TMPL_FIG_A;
    case 'b': return TMPL_FIG_B;
    case 'c': return TMPL_FIG_C;
    case 'd': return TMPL_FIG_D;
    case 'e': return TMPL_FIG_E;
    case 'f': return TMPL_FIG_F;
    default: return TMPL_FIG_G;
    }
}
