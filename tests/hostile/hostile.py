#!/usr/bin/python3
"""Generated hostile-input suite (python: /usr/bin/python3).

    hostile.py XFERLAW SRCDIR [--list]

Builds fixtures in a temporary folder, generates the cases (one command each) for every
class of issue 14 -- code injection aside (gp_labels.sh) -- and runs them.  A refusal case
asserts the exit code, exactly one error line on stderr ("xferlaw CMD: ..." containing
the expected words), no sanitizer report, and that the outputs it names do not appear
(and a FIFO or template stays what it was).  A success case asserts exit 0 and what the
output must or must not contain.  Every case runs under a time limit."""
import json, os, re, shutil, stat, subprocess, sys, tempfile, time

X = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
CASES = []


def case(name, argv, code, msg=None, absent=(), env=None, stdin=None, ok_out=None,
         bad_out=None, timeout=60, still=(), has=()):
    """code: expected exit (0: success case); msg: regex the error line must match;
    absent: paths that must not exist after; still: (path, kind) pairs that must keep
    their kind ('fifo', 'file:<content>'); has: (path, regex) pairs, files that must exist
    and match (a regex starting with '!' must not match)."""
    CASES.append(dict(name=name, argv=argv, code=code, msg=msg, absent=absent, env=env,
                      stdin=stdin, ok_out=ok_out, bad_out=bad_out, timeout=timeout,
                      still=still, has=has))


GNUPLOT = shutil.which("gnuplot")
# Stand-ins for gnuplot (first on PATH): one that fails with a message, one that exits 0
# and writes nothing, one that warns and then runs the real gnuplot, one whose --version
# fails.  Each answers --version as gnuplot does unless broken.
FAKE_GP = {
    "gpfail": 'echo "cairo: cannot open font (planted failure)" >&2; exit 1',
    "gpnone": "exit 0",
    "gpwarn": 'echo "\\"x.gp\\" line 1: warning: planted warning" >&2; exec %s "$@"' % GNUPLOT,
    "gpbroken": None,
}


def fixtures(T):
    subprocess.run([X, "transfer", "--make-planted", "p.csv", "--curricula", "2"], cwd=T,
                   capture_output=True, check=True)
    os.mkfifo(os.path.join(T, "fifo"))
    os.mkdir(os.path.join(T, "adir"))
    os.mkdir(os.path.join(T, "tmpl"))
    shutil.copy(os.path.join(SRC, "plots", "fig_a.gp"), os.path.join(T, "tmpl", "fig_a.gp"))
    with open(os.path.join(T, "jumps.csv"), "w") as f:
        f.write("N,acc\n")
        for k in range(12):
            f.write("%g,%g\n" % (10 ** (5 + 0.3 * k), 0.1 + (0.7 if k >= 7 else 0.02 * k)))
    with open(os.path.join(T, "matrix.csv"), "w") as f:
        f.write("source,target,gain\na,a,0.5\na,b,0.1\nb,a,-0.1\nb,b,0.4\n")
    with open(os.path.join(T, "list.txt"), "w") as f:
        f.write("/dev/zero\n")
    for d, body in FAKE_GP.items():
        os.mkdir(os.path.join(T, d))
        with open(os.path.join(T, d, "gnuplot"), "w") as f:
            f.write("#!/bin/sh\n")
            if body is None:
                f.write("exit 3\n")
            else:
                f.write('[ "$1" = --version ] && { echo "gnuplot 5.4 patchlevel 4"; exit 0; }\n')
                f.write(body + "\n")
        os.chmod(os.path.join(T, d, "gnuplot"), 0o755)
    # outputs whose last file cannot be put in place (a directory is in its way)
    for d, name in [("rdir", "report.html"), ("mdir", "summary.json"), ("jdir", "jumps.json"),
                    ("rpdir", "report.html"), ("tdir", "run.json")]:
        os.makedirs(os.path.join(T, d, name))


def spec(**over):
    s = {"target": "python", "models": [{"n_layer": 1, "d_model": 8, "n_head": 1, "ctx": 8}],
         "curricula": ["scratch"], "scratch": {"D": [10], "max_steps": 1}}
    s.update(over)
    return s


def write_spec(T, name, s):
    with open(os.path.join(T, name), "w") as f:
        json.dump(s, f)
    return name


def generate(T):
    L = "E + A/N^a"
    W = 'curriculum == "scratch"'
    fit = [X, "fit", "p.csv", "--quiet", "--where", W]
    # -- 2. deep formulas: a depth limit with a message, never a stack overflow ---------
    chains = {"pow": "x^" * 40000 + "1", "neg": "-" * 100000 + "x", "not": "!" * 100000 + "x",
              "paren": "(" * 50000 + "x", "plus": "+" * 100000 + "1",
              "negpow": "-x^" * 30000 + "1", "call": "exp(" * 30000 + "x"}
    for k, c in chains.items():
        deep = "nested too deeply: more than 200 levels"
        case("expr law " + k, [X, "fit", "p.csv", "--quiet", "--law", c], (1, 2), deep)
        case("expr define " + k, fit + ["--law", L, "--define", "z=" + c], (1, 2), deep)
        case("expr where " + k, [X, "fit", "p.csv", "--quiet", "--law", L, "--where", c], (1, 2), deep)
        case("expr jumps where " + k, [X, "jumps", "jumps.csv", "--x", "N", "--y", "acc",
                                       "--where", c, "--out", "j_" + k], (1, 2), deep,
             absent=["j_" + k])
    # -- 6. long inputs keep their cause -----------------------------------------------
    long_name = "a" * 100000
    case("long unknown function", fit + ["--law", L, "--define", "z=foo(%s)" % long_name],
         (1, 2), r"\.\.\..*unknown function 'foo'")
    case("long column in law", [X, "fit", "p.csv", "--quiet", "--law", long_name + " + E"], (1, 2),
         r"\.\.\.")
    case("long define repeated prefix", fit + ["--law", L, "--define", "z=foo(x)"], (1, 2),
         r"^(?!.*--define 'z=foo\(x\)'.*--define 'z=foo\(x\)')")
    case("long where", [X, "fit", "p.csv", "--quiet", "--law", L, "--where",
                        "(" + "x + " * 20000 + "#)"], (1, 2), r"\.\.\..*unexpected")
    # -- 3. safe writes -----------------------------------------------------------------
    for tgt, why in [("/dev/null", "is a device"), ("/dev/full", "is a device"),
                     ("./fifo", "is a FIFO"), ("./adir", "is a directory")]:
        keep = [("fifo", "fifo")]
        case("fit -o " + tgt, fit + ["--law", L, "-o", tgt], 1, why, still=keep)
        case("fit --residuals " + tgt, fit + ["--law", L, "--residuals", tgt], 1, why,
             still=keep)
        case("transfer -o " + tgt, [X, "transfer", "p.csv", "--quiet", "--bootstrap", "0",
                                    "-o", tgt], 1, why, still=keep)
        case("report --html " + tgt, [X, "report", "p.csv", "--quiet", "--bootstrap", "0",
                                      "--out", "rep_" + os.path.basename(tgt), "--html", tgt],
             1, why, still=keep)
    case("fit all or nothing", fit + ["--law", L, "-o", "./x.json", "--residuals",
                                      "missing/r.csv"], 1, "missing/r.csv", absent=["x.json"])
    case("plot over templates", [X, "plot", "p.csv", "--quiet", "--bootstrap", "0",
                                 "--no-render", "--out", "tmpl"], 1, "not written by xferlaw",
         still=[("tmpl/fig_a.gp", "file:" + open(os.path.join(SRC, "plots", "fig_a.gp")).read())])
    case("plot default folder", [X, "plot", "p.csv", "--quiet", "--bootstrap", "0",
                                 "--no-render"], 0, absent=["plots"], ok_out="p_plots")
    bad_names = {"dotdot": "../../x", "dot": ".", "two dots": "..", "slash": "a/b",
                 "backslash": "a\\b", "empty": "", "newline": "a\nb", "long": "x" * 300,
                 "quote": "a'b", "dquote": 'a"b', "tab": "a\tb", "abs": "/tmp/x"}
    for k, v in bad_names.items():
        f = write_spec(T, "name_%s.json" % k.replace(" ", "_"), spec(name=v))
        case("spec name " + k, [X, "sweep", f, "--dry-run"], 1, "field 'name'",
             absent=["sweeps"])
        f = write_spec(T, "cur_%s.json" % k.replace(" ", "_"),
                       spec(curricula=["scratch", {"name": v, "data": "text"}],
                            finetune={"D_F": [10], "max_steps": 1}))
        case("curriculum name " + k, [X, "sweep", f, "--dry-run"], 1, r"curricula\[1\]",
             absent=["sweeps"])
    # -- 5. nothing written when a command fails ----------------------------------------
    q = ["--quiet", "--bootstrap", "0"]
    nog = {"XL_NO_GNUPLOT": "1"}   # staging does not depend on rendering, which is slow
    jq = ["--x", "N", "--y", "acc", "--bootstrap", "2", "--grid", "4", "--folds", "2",
          "--quiet"]
    case("all or nothing report", [X, "report", "p.csv", "--out", "rdir"] + q, 1,
         "rdir/report.html: is a directory", absent=["rdir/transfer.json", "rdir/plots"], env=nog)
    case("all or nothing report --html", [X, "report", "p.csv", "--out", "rep_m", "--html",
                                          "missing/r.html"] + q, 1, "missing/r.html",
         absent=["rep_m"], env=nog)
    case("all or nothing report, parents made", [X, "report", "p.csv", "--out", "mk/a/b",
                                                 "--html", "missing/r.html"] + q, 1,
         "missing/r.html", absent=["mk"], env=nog)
    case("all or nothing reproduce", [X, "reproduce", "--from-runs", "p.csv", "--out", "rpdir"]
         + q, 1, "rpdir/report.html: is a directory",
         absent=["rpdir/transfer.json", "rpdir/plots"], env=nog)
    case("all or nothing matrix", [X, "matrix", "analyze", "matrix.csv", "--out", "mdir"], 1,
         "mdir/summary.json: is a directory", absent=["mdir/matrix.csv", "mdir/similarity.csv"], env=nog)
    case("all or nothing jumps", [X, "jumps", "jumps.csv", "--out", "jdir"] + jq, 1,
         "jdir/jumps.json: is a directory", absent=["jdir/jumps.csv", "jdir/jump_all.gp"], env=nog)
    case("all or nothing transfer", [X, "transfer", "p.csv", "-o", "t.json", "--csv",
                                     "missing/t.csv"] + q, 1, "missing/t.csv",
         absent=["t.json"])
    case("all or nothing compare", [X, "compare", "p.csv", "-o", "missing/c.json"] + q, 1,
         "missing/c.json")
    case("all or nothing tasks gen", [X, "tasks", "gen", "add", "--n-examples", "3", "--out",
                                      "g.jsonl", "--text", "missing/g.txt"], 1,
         "missing/g.txt", absent=["g.jsonl"])
    case("all or nothing tasks tune", [X, "tasks", "tune", "--task", "count", "--n-examples",
                                       "4", "--steps", "1", "--batch", "2", "--seq", "16",
                                       "--n-layer", "1", "--d-model", "8", "--n-head", "1",
                                       "--ctx", "16", "--out", "tdir", "--quiet"], 1,
         "tdir/run.json: is a directory", absent=["tdir/best.ckpt"])
    # gnuplot failing, or exiting 0 without its output: the command fails with the real
    # cause and writes nothing; a warning alone is no failure
    gp_cmds = {"report": ([X, "report", "p.csv"] + q, "--out", "fig_a"),
               "plot": ([X, "plot", "p.csv"] + q, "--out", "fig_a"),
               "matrix": ([X, "matrix", "analyze", "matrix.csv"], "--out", "heatmap_gain"),
               "jumps": ([X, "jumps", "jumps.csv"] + jq, "--out", "jump_all")}
    for k, (argv, o, first) in gp_cmds.items():
        path = {"PATH": os.path.join(T, "gpfail") + os.pathsep + os.environ["PATH"]}
        case("gnuplot fails " + k, argv + [o, "gf_" + k], 1,
             r"%s\.gp: gnuplot failed \(exit 1\): cairo: cannot open font" % first,
             absent=["gf_" + k], env=path)
        path = {"PATH": os.path.join(T, "gpnone") + os.pathsep + os.environ["PATH"]}
        case("gnuplot writes nothing " + k, argv + [o, "gn_" + k], 1,
             r"%s\.gp: gnuplot exited 0 but %s\.png was not written" % (first, first),
             absent=["gn_" + k], env=path)
        if GNUPLOT and k in ("plot", "matrix"):   # report renders as plot does; slow
            path = {"PATH": os.path.join(T, "gpwarn") + os.pathsep + os.environ["PATH"]}
            case("gnuplot warns " + k, argv + [o, "gw_" + k], 0, env=path, timeout=300,
                 has=[("gw_%s/%s%s.png" % (k, "plots/" if k == "report" else "", first), "")])
    # figures not rendered say why, never "gnuplot missing" when it is there
    for k, env, why in [("absent", {"PATH": "/nonexistent"}, "gnuplot not found on PATH"),
                        ("disabled", {"XL_NO_GNUPLOT": "1"}, "XL_NO_GNUPLOT is set"),
                        ("broken", {"PATH": os.path.join(T, "gpbroken") + os.pathsep +
                                    os.environ["PATH"]}, "'gnuplot --version' failed \\(exit 3\\)")]:
        case("report gnuplot " + k, [X, "report", "p.csv", "--out", "rg_" + k] + q, 0, env=env,
             has=[("rg_%s/report.html" % k, "Not rendered \\(%s\\)" % why),
                  ("rg_%s/report.html" % k, "!gnuplot missing")], ok_out=why.replace("\\", ""))
    # -- 5. spec limits at load = the trainer's ------------------------------------------
    for k, v, lim in [("n_layer", 2000, 1024), ("d_model", 10 ** 9, 65536), ("ctx", 10 ** 12, 65536)]:
        m = {"n_layer": 1, "d_model": 8, "n_head": 1, "ctx": 8}
        m[k] = v
        f = write_spec(T, "lim_%s.json" % k, spec(models=[m]))
        case("spec limit " + k, [X, "sweep", f, "--dry-run"], 1,
             r"models\[0\]\.%s': %d is above the trainer's limit of %d" % (k, v, lim))
    big = spec(models=[{"n_layer": 1, "d_model": 8, "n_head": 1, "ctx": 8}])
    f = write_spec(T, "slow.json", big)
    case("dry run duration overflow", [X, "sweep", f, "--dry-run", "--flops-per-s", "1e-12"],
         0, bad_out="-2147483648")
    # -- 5. verdicts: jumps folds --------------------------------------------------------
    for v in ["0", "1", "-1", "abc", "1e9", ""]:
        case("jumps folds " + repr(v), [X, "jumps", "jumps.csv", "--x", "N", "--y", "acc",
                                        "--folds", v, "--out", "jf"], 2, "--folds",
             absent=["jf"])
    # the smallest grids: the cross-validation's per-fold profile (6 points) overran a
    # buffer of --grid points (heap overflow, "free(): invalid size")
    for g in ["3", "5"]:
        case("jumps --grid " + g, [X, "jumps", "jumps.csv", "--x", "N", "--y", "acc", "--grid", g,
                                   "--bootstrap", "2", "--folds", "2", "--out", "jg" + g,
                                   "--quiet"], 0, ok_out="wrote jg" + g)
    # -- 4. inputs: devices, directories, limits -----------------------------------------
    for dev in ["/dev/zero", "/dev/urandom", "adir"]:
        why = "is a directory" if dev == "adir" else "is a device"
        case("fit input " + dev, [X, "fit", dev, "--law", L], 1, why, timeout=20)
        # (a directory is a sweep folder to transfer)
        case("transfer input " + dev, [X, "transfer", dev, "--quiet"], 1,
             None if dev == "adir" else why, timeout=20)
        case("jumps input " + dev, [X, "jumps", dev, "--x", "N", "--y", "acc", "--out", "jd"],
             1, why, absent=["jd"], timeout=20)
        case("matrix input " + dev, [X, "matrix", "analyze", dev, "--out", "md"], 1, why,
             absent=["md"], timeout=20)
        case("train data " + dev, [X, "train", "--data", dev, "--out", "tr_d", "--max-steps",
                                   "1"], 1, None, timeout=20)
    case("sweep spec /dev/zero", [X, "sweep", "/dev/zero", "--dry-run"], 1, "is a device",
         timeout=20)
    case("corpus list /dev/zero", [X, "corpus", "build", "zz", "@list.txt", "--root", "cz", "--tokenizer",
                                      os.path.join(SRC, "data", "tokenizer.txt")],
         1, "is a device", timeout=20)
    for cmd in (["fit", "p.csv", "--law", L], ["transfer", "p.csv", "--quiet"],
                ["jumps", "jumps.csv", "--x", "N", "--y", "acc", "--out", "jl"],
                ["matrix", "analyze", "matrix.csv", "--out", "ml"]):
        case("input limit " + cmd[0], [X] + cmd, 1, "above the input limit of 30 bytes",
             env={"XL_MAX_INPUT_BYTES": "30"}, absent=["jl", "ml"])
    case("input limit pipe", [X, "fit", "/dev/stdin", "--law", L], 1,
         "input limit of 1000 bytes", env={"XL_MAX_INPUT_BYTES": "1000"}, stdin="p.csv")
    case("input limit real pipe", ["/bin/sh", "-c", "cat p.csv | %s fit - --law '%s'" % (X, L)],
         (1, 2), None, env={"XL_MAX_INPUT_BYTES": "1000"})
    # -- 4. memory estimates -------------------------------------------------------------
    case("fit bootstrap 1e9", fit + ["--law", L, "--bootstrap", "1000000000"], 1,
         r"--bootstrap 1000000000 needs ~[0-9.]+ GB .*memory limit")
    case("fit bootstrap limit", fit + ["--law", L, "--bootstrap", "100000"], 1,
         "memory limit of 0.001 GB", env={"XL_MEM_LIMIT": "1000000"})
    case("transfer bootstrap limit", [X, "transfer", "p.csv", "--quiet", "--bootstrap",
                                      "100000"], 1, "memory limit of 0.001 GB",
         env={"XL_MEM_LIMIT": "1000000"})
    case("fit threads 100000", fit + ["--law", L, "--threads", "100000"], 0, timeout=30)
    # -- option values: a usage error, never a crash or a silent default -----------------
    opts = [(["fit", "p.csv", "--quiet", "--law", L], o) for o in
            ["--starts", "--bootstrap", "--threads", "--max-iter", "--seed"]]
    opts += [(["transfer", "p.csv", "--quiet"], o) for o in ["--bootstrap", "--threads", "--seed"]]
    opts += [(["jumps", "jumps.csv", "--x", "N", "--y", "acc", "--out", "jo"], o) for o in
             ["--bootstrap", "--grid", "--threads", "--seed"]]
    opts += [(["train", "--data", "p.csv", "--out", "to"], o) for o in
             ["--batch", "--max-steps", "--eval-tokens", "--threads", "--seed"]]
    for base, o in opts:
        for v in ["abc", "nan", "99999999999999999999999", "1.5x", ""]:
            case("%s %s %r" % (base[0], o, v), [X] + base + [o, v], 2, re.escape(o[2:]),
                 absent=["jo", "to"])
    # -- 7. a value past a limit states the limit (2^63 - 1 was "not an integer >= 1") ------
    big = "9223372036854775807"
    for base, o, rng in [(["fit", "p.csv", "--quiet", "--law", L], "--threads", r"\[0, 1000000\]"),
                         (["fit", "p.csv", "--quiet", "--law", L], "--bootstrap", r"\[0, 1000000000\]"),
                         (["transfer", "p.csv", "--quiet"], "--bootstrap", r"\[0, 1000000000\]")]:
        case("%s %s 2^63-1" % (base[0], o), [X] + base + [o, big], 2,
             r"%s: expected an integer in %s, got '%s'" % (o, rng, big))
    return CASES


def kind(p):
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        return None
    if stat.S_ISFIFO(st.st_mode):
        return "fifo"
    if stat.S_ISREG(st.st_mode):
        return "file:" + open(p, errors="replace").read()
    return "other"


def run(c, T):
    env = dict(os.environ)
    env.update(c["env"] or {})
    stdin = open(os.path.join(T, c["stdin"]), "rb") if c["stdin"] else subprocess.DEVNULL
    t0 = time.time()
    try:
        p = subprocess.run(c["argv"], cwd=T, env=env, stdin=stdin, capture_output=True,
                           timeout=c["timeout"])
    except subprocess.TimeoutExpired:
        return "timed out after %ds" % c["timeout"]
    finally:
        if c["stdin"]:
            stdin.close()
    err = p.stderr.decode("utf-8", "replace")
    out = p.stdout.decode("utf-8", "replace")
    if re.search(r"AddressSanitizer|runtime error:|LeakSanitizer|Segmentation", err):
        return "sanitizer or crash: " + err[-600:]
    codes = c["code"] if isinstance(c["code"], tuple) else (c["code"],)
    if p.returncode not in codes:
        return "exit %d, expected %s; stderr: %s" % (p.returncode, codes, err[-400:])
    if c["code"] == 0:
        if c["ok_out"] and c["ok_out"] not in out:
            return "stdout lacks %r" % c["ok_out"]
        if c["bad_out"] and c["bad_out"] in out:
            return "stdout has %r" % c["bad_out"]
    else:
        lines = [l for l in err.split("\n") if l.strip()]
        errs = [l for l in lines if re.match(r"xferlaw [a-z]+:( [a-z]+)?:? ", l) and
                ("error" in l or l.startswith("xferlaw " + c["argv"][1] + ": -"))]
        if len(errs) != 1 or lines[-1] != errs[0]:
            return "expected one error line last, got: %r" % lines[-3:]
        if c["msg"] and not re.search(c["msg"], errs[0]):
            return "message %r does not match %r" % (errs[0][:600], c["msg"])
    for a in c["absent"]:
        if os.path.lexists(os.path.join(T, a)):
            return "output %s was written" % a
    for path, k in c["still"]:
        if kind(os.path.join(T, path)) != k:
            return "%s is no longer what it was" % path
    for path, rx in c["has"]:
        p = os.path.join(T, path)
        if not os.path.isfile(p):
            return "output %s is missing" % path
        text = open(p, errors="replace").read()
        if (rx.startswith("!") and re.search(rx[1:], text)) or \
                (not rx.startswith("!") and not re.search(rx, text)):
            return "%s %s %r" % (path, "has" if rx.startswith("!") else "lacks", rx.lstrip("!"))
        if os.path.basename(p).endswith(".png") and os.path.getsize(p) == 0:
            return "%s is empty" % path
    return None


def main():
    T = tempfile.mkdtemp(prefix="xl_hostile_")
    try:
        fixtures(T)
        cases = generate(T)
        if "--list" in sys.argv:
            for c in cases:
                print(c["name"])
            return 0
        failed = 0
        t0 = time.time()
        for c in cases:
            why = run(c, T)
            if why:
                failed += 1
                print("FAIL %s: %s" % (c["name"], why))
            for junk in ("x.json", "plots", "p_plots", "sweeps"):
                p = os.path.join(T, junk)
                if os.path.isdir(p):
                    shutil.rmtree(p)
                elif os.path.lexists(p):
                    os.unlink(p)
        print("%d hostile cases, %d failed (%.1fs)" % (len(cases), failed, time.time() - t0))
        return 1 if failed or len(cases) < 150 else 0
    finally:
        shutil.rmtree(T, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
