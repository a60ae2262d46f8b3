/* xferlaw reproduce: sweep + transfer + fits + plots + report in one command. */
#include "cli.h"
#include "cmd_transfer_args.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void help(void)
{
    printf("usage: xferlaw reproduce [--spec tiny|small|FILE] [--out DIR] [--from-runs FILE|SWEEPDIR]\n"
           "                         [--planted] [options]\n\n"
           "The main job: runs the sweep (xferlaw sweep SPEC --out DIR/sweep; resumable: run the\n"
           "same command again after an interruption), then the transfer analysis, the fits,\n"
           "every figure and the HTML report into DIR (default 'reproduce-SPEC').\n"
           "  --spec S          bundled sweep spec tiny (default) or small, or a spec file\n"
           "  --from-runs F     skip the sweep: analyse existing measurements (runs.jsonl, CSV)\n"
           "  --planted         skip the sweep: planted data (Kaplan scratch losses, Hernandez's\n"
           "                    text and text+code laws) - checks the pipeline end to end\n"
           "  --jobs K          passed to the sweep\n"
           "  --logit           figure b on a logit axis\n\n%s",
           XFER_ARGS_HELP);
}

/* Run this binary's `sweep`; returns its exit status. */
static int run_sweep(const char *spec, const char *dir, const char *jobs, int quiet)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 1;
    self[n] = 0;
    const char *av[10];
    int k = 0;
    av[k++] = self;
    av[k++] = "sweep";
    av[k++] = spec;
    av[k++] = "--out";
    av[k++] = dir;
    if (jobs) {
        av[k++] = "--jobs";
        av[k++] = jobs;
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
    const char *spec = "tiny", *out = NULL, *from = NULL, *jobs = NULL;
    int planted = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            help();
            return 0;
        }
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--planted")) {
            planted = 1;
            continue;
        }
        if (!strcmp(o, "--logit")) {
            po.logit = 1;
            continue;
        }
        if (v && !strcmp(o, "--spec")) {
            spec = argv[++i];
            continue;
        }
        if (v && !strcmp(o, "--out")) {
            out = argv[++i];
            continue;
        }
        if (v && !strcmp(o, "--from-runs")) {
            from = argv[++i];
            continue;
        }
        if (v && !strcmp(o, "--jobs")) {
            jobs = argv[++i];
            continue;
        }
        if (o[0] != '-')
            return cli_usage_error("reproduce", "unexpected argument '%s'", o);
        int r = xfer_args_parse(&a, "reproduce", argc, argv, &i);
        if (r < 0)
            return 2;
        if (r == 0)
            return cli_usage_error("reproduce", "unknown option '%s' or missing value", o);
    }
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
