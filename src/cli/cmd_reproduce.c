/* xferlaw reproduce: sweep + transfer + fits + plots + report in one command. */
#include "cli.h"
#include "cmd_transfer_args.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void help(void)
{
    printf("usage: xferlaw reproduce [SPEC] [--out DIR] [--from-runs FILE|SWEEPDIR] [--planted]\n"
           "                         [options]\n\n"
           "The main job: runs the sweep (xferlaw sweep SPEC --out DIR/sweep; resumable: run the\n"
           "same command again after an interruption), then the transfer analysis, the fits,\n"
           "every figure and the HTML report into DIR.  SPEC is a bundled sweep spec, tiny\n"
           "(default) or small, or a spec file.\n\n"
           "  --out DIR, -o     output directory (default 'reproduce-SPEC')\n"
           "  --from-runs F     skip the sweep: analyse existing measurements (runs.jsonl, CSV,\n"
           "                    a sweep directory, - for standard input)\n"
           "  --planted         skip the sweep: planted data (Kaplan scratch losses, Hernandez's\n"
           "                    text and text+code laws) - checks the pipeline end to end\n"
           "  --jobs K          passed to the sweep\n"
           "  --logit           figure b on a logit axis\n\n");
    xfer_args_brief(stdout, 0);
}

/* Run this binary's `sweep`; returns its exit status. */
static int run_sweep(const char *spec, const char *dir, int jobs, int quiet)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 1;
    self[n] = 0;
    const char *av[10];
    char jobs_s[16];
    int k = 0;
    av[k++] = self;
    av[k++] = "sweep";
    av[k++] = spec;
    av[k++] = "--out";
    av[k++] = dir;
    if (jobs) {
        snprintf(jobs_s, sizeof jobs_s, "%d", jobs);
        av[k++] = "--jobs";
        av[k++] = jobs_s;
    }
    if (quiet)
        av[k++] = "--quiet";
    av[k] = NULL;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        execv(self, (char *const *)av);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
        return 1;
    return WEXITSTATUS(st);
}

int cmd_reproduce(int argc, char **argv)
{
    xfer_args a;
    xfer_args_init(&a);
    xl_plot_opts po;
    xl_plot_opts_default(&po);
    const char *spec = NULL, *out = NULL, *from = NULL;
    int planted = 0, jobs = 0;
    /* --spec S is the older spelling of the positional SPEC */
    const cli_opt own[] = {
        CLI_OUT(&out), {"--spec", NULL, CLI_STR, &spec, 0, 0, 0, NULL, 0},
        {"--from-runs", NULL, CLI_STR, &from, 0, 0, 0, NULL, 0},
        {"--planted", NULL, CLI_FLAG, &planted, 0, 0, 0, NULL, 0},
        {"--jobs", NULL, CLI_INT, &jobs, 1, 4096, 0, NULL, 0},   /* checked as the sweep does */
        {"--logit", NULL, CLI_FLAG, &po.logit, 0, 0, 0, NULL, 0}, CLI_OPT_END};
    int rc = xfer_args_parse(&a, "reproduce", own, 1, argc, argv);
    if (rc == CLI_HELP) {
        help();
        return 0;
    }
    if (rc)
        return rc;
    if (a.input && spec)
        return cli_usage_error("reproduce", "SPEC given twice ('%s' and --spec %s)", a.input, spec);
    if (a.input)
        spec = a.input;
    if (!spec)
        spec = "tiny";
    char dir[4096], input[4200], page[4200];
    snprintf(dir, sizeof dir, "%s", out ? out : "");
    if (!out)
        snprintf(dir, sizeof dir, "reproduce-%s", planted ? "planted" : from ? "runs" : spec);
    xl_error err;
    xl_error_clear(&err);
    if (xl_mkdirs(dir, &err))
        return cli_fail("reproduce", &err);
    const char *note = NULL;
    if (planted) {
        xl_planted_spec s;
        xl_planted_default(&s);
        s.n_curricula = 2;
        s.curricula[1] = (xl_planted_curriculum){"mix", 2.1e5, 0.096, 0.38};
        xl_xfer_runs *r;
        snprintf(input, sizeof input, "%s/planted.csv", dir);
        if (xl_planted_generate(&s, &r, &err) || xl_xfer_runs_write_csv(r, input, &err))
            return cli_fail("reproduce", &err);
        xl_xfer_runs_free(r);
        note = "Planted data: Kaplan et al. L(N,D) from scratch; fine-tuned losses from "
               "D_T = 1.9e4 D_F^0.18 N^0.38 ('text') and 2.1e5 D_F^0.096 N^0.38 ('mix'); "
               "0.3% multiplicative noise.";
    } else if (from) {
        snprintf(input, sizeof input, "%s", from);
    } else {
        snprintf(input, sizeof input, "%s/sweep", dir);
        if (!a.quiet)
            fprintf(stderr, "xferlaw reproduce: sweep '%s' into %s\n", spec, input);
        int st = run_sweep(spec, input, jobs, a.quiet);
        if (st != 0) {
            fprintf(stderr, "xferlaw reproduce: error: the sweep failed (exit %d); run it again to "
                            "resume, or analyse existing runs with --from-runs\n", st);
            return 1;
        }
    }
    a.input = input;
    if (planted && a.opts.n_at == 0) {
        a.opts.at_N[0] = 1e7;
        a.opts.at_DF[0] = 1e6;
        a.opts.n_at = 1;
    }
    snprintf(page, sizeof page, "%s/report.html", dir);
    return xfer_bundle(&a, "reproduce", dir, &po, page, note, argc, argv);
}
