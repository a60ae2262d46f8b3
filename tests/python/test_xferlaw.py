#!/usr/bin/python3
"""The xferlaw Python package against the CLI on the same data: the README's Chinchilla
fit (bundled data), a planted transfer table from `xferlaw transfer --make-planted`,
inputs as paths, dicts, DataFrame-likes and structured arrays, predict, and errors that
carry the library's one-line messages.  Run by meson with /usr/bin/python3, PYTHONPATH at
src/python, XFERLAW_LIB at the built library and XFERLAW_CLI at the built binary."""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import xferlaw

SRC = os.environ["XL_SRCDIR"]
CLI = os.environ["XFERLAW_CLI"]
CHIN = os.path.join(SRC, "data", "chinchilla.csv")
CHIN_ARGS = dict(law="chinchilla", loss="huber:1e-3", define="D=C/(6*N)",
                 where="loss < 3.44", bootstrap=60, seed=3, threads=2)


def cli(*args):
    """Run the CLI; (exit status, stdout, stderr)."""
    p = subprocess.run([CLI, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def read_csv(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    out = {}
    for k in rows[0]:
        vals = [r[k] for r in rows]
        try:
            out[k] = np.array([float(v) for v in vals])
        except ValueError:
            out[k] = vals
    return out


class FrameLike:
    """What the package uses of a pandas DataFrame: .columns and [name].to_numpy()."""

    class Series:
        def __init__(self, a):
            self.a = a

        def to_numpy(self):
            return np.asarray(self.a)

    def __init__(self, d):
        self.d = d
        self.columns = list(d)

    def __getitem__(self, k):
        return self.Series(self.d[k])


def same(a, b, rel=1e-12):
    if a is None or b is None:
        return a is None and b is None
    return a == b or abs(a - b) <= rel * abs(b)


class Fit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        out, res = os.path.join(cls.tmp, "c.json"), os.path.join(cls.tmp, "r.csv")
        rc, _, err = cli("fit", CHIN, "--define", "D=C/(6*N)", "--where", "loss < 3.44",
                         "--law", "chinchilla", "--loss", "huber:1e-3", "--bootstrap", "60",
                         "--seed", "3", "--threads", "2", "--quiet", "-o", out,
                         "--residuals", res)
        assert rc == 0, err
        with open(out) as f:
            cls.ref = json.load(f)
        cls.ref_rows = read_csv(res)
        cls.r = xferlaw.fit(CHIN, **CHIN_ARGS)

    def check_against_cli(self, r):
        ref = self.ref
        self.assertEqual(list(r.params), list(ref["params"]))
        for k, p in ref["params"].items():
            self.assertTrue(same(r.params[k], p["value"]), (k, r.params[k], p["value"]))
            self.assertTrue(same(r.se[k], p["se"]), (k, r.se[k], p["se"]))
            lo, hi = r.intervals[k]
            self.assertTrue(same(lo, p["ci95"][0]) and same(hi, p["ci95"][1]), k)
        for k, v in ref["diagnostics"].items():
            self.assertTrue(same(r.diagnostics[k], v), (k, r.diagnostics[k], v))
        self.assertTrue(same(r.objective, ref["objective"]))
        self.assertEqual(r.run["n"], ref["n"])
        self.assertEqual(r.run["bootstrap_converged"], ref["bootstrap"]["converged"])

    def test_path_matches_cli(self):
        self.check_against_cli(self.r)
        # the README's fit (bootstrap aside): E 1.81722, alpha 0.347311, beta 0.367172
        self.assertEqual(round(self.r.params["E"], 5), 1.81722)
        self.assertAlmostEqual(self.r.params["alpha"], 0.347311, delta=2e-6)
        self.assertAlmostEqual(self.r.params["beta"], 0.367172, delta=2e-6)
        self.assertEqual(round(self.r.objective, 12), 0.001018274018)
        self.assertEqual((self.r.law, self.r.formula, self.r.y, self.r.loss, self.r.space),
                         ("chinchilla", "E + A/N^alpha + B/D^beta", "loss", "huber", "log"))
        self.assertEqual(self.r.columns, ["N", "D"])
        # the JSON holds the value to 1 ulp: cJSON prints 15 digits when they read back
        # within its epsilon
        self.assertAlmostEqual(self.r.record["params"]["E"]["value"], self.r.params["E"],
                               delta=4e-16 * self.r.params["E"])
        self.assertEqual(self.r.boot.shape, (60, 5))
        self.assertEqual(self.r.warnings, self.ref.get("warnings", []))
        cov = self.r.covariance
        if cov is None:   # a library without xl_fit_result_covariance
            self.assertFalse(hasattr(xferlaw._core.lib, "xl_fit_result_covariance"))
        else:             # the standard errors are its diagonal
            for i, k in enumerate(self.r.params):
                self.assertAlmostEqual(math.sqrt(cov[i, i]), self.r.se[k],
                                       delta=1e-9 * self.r.se[k])

    def test_dict_and_frame_match_cli(self):
        d = read_csv(CHIN)
        keep = d["loss"] < 3.44
        cols = {"N": d["N"][keep], "loss": d["loss"][keep]}
        cols["D"] = d["C"][keep] / (6 * d["N"][keep])
        args = {k: v for k, v in CHIN_ARGS.items() if k not in ("define", "where")}
        # numpy's C/(6N) and the formula engine's agree to the last bit here
        self.check_against_cli(xferlaw.fit(cols, **args))
        self.check_against_cli(xferlaw.fit(FrameLike(cols), **args))
        rec = np.zeros(int(keep.sum()), dtype=[("N", "f8"), ("D", "f8"), ("loss", "f8")])
        for k in ("N", "D", "loss"):
            rec[k] = cols[k]
        self.check_against_cli(xferlaw.fit(rec, **args))

    def test_pandas(self):
        try:
            import pandas as pd
        except ImportError:
            self.skipTest("pandas not installed")
        d = read_csv(CHIN)
        df = pd.DataFrame({"N": d["N"], "C": d["C"], "loss": d["loss"]})
        self.check_against_cli(xferlaw.fit(df, **CHIN_ARGS))

    def test_predict_matches_cli_residuals(self):
        d = read_csv(CHIN)
        keep = d["loss"] < 3.44
        N, D = d["N"][keep], d["C"][keep] / (6 * d["N"][keep])
        pred = self.r.predict(N=N, D=D)
        ref = self.ref_rows["pred"]
        self.assertEqual(pred.shape, ref.shape)
        # the CLI prints %.17g: exact round trip
        self.assertTrue(np.all(pred == ref), np.max(np.abs(pred / ref - 1)))
        self.assertTrue(np.all(self.r.rows["pred"] == ref))
        self.assertTrue(np.all(self.r.rows["resid"] == self.ref_rows["resid"]))
        one = self.r.predict({"N": 70e9}, D=1.4e12)        # scalars give a scalar
        p = self.r.params
        self.assertAlmostEqual(one, p["E"] + p["A"] / 70e9 ** p["alpha"] +
                               p["B"] / 1.4e12 ** p["beta"], places=12)
        grid = self.r.predict(N=np.array([[1e9], [1e10]]), D=np.array([1e10, 1e11, 1e12]))
        self.assertEqual(grid.shape, (2, 3))
        with self.assertRaises(xferlaw.XferlawError) as e:
            self.r.predict(N=[1e9])
        self.assertEqual(str(e.exception), "predict: no column 'D' (the law needs N, D)")

    def test_fix_bounds_formula(self):
        x = np.logspace(6, 9, 30)
        y = 2 + 400 / x ** 0.3
        r = xferlaw.fit({"N": x, "loss": y}, law="E + A/N^alpha", fix={"E": 2.0},
                        bounds={"alpha": (0, 1), "A": (None, 1e6)}, threads=1)
        self.assertEqual(r.fixed, {"E"})
        self.assertEqual(r.params["E"], 2.0)
        self.assertIsNone(r.se["E"])
        self.assertAlmostEqual(r.params["alpha"], 0.3, places=8)
        self.assertIsNone(r.intervals["alpha"])
        rc, out, _ = cli("fit", "--help")
        self.assertEqual(rc, 0)


class Errors(unittest.TestCase):
    def cli_error(self, *args):
        rc, _, err = cli("fit", *args, "--quiet")
        self.assertNotEqual(rc, 0)
        prefix = "xferlaw fit: error: "
        line = err.strip().splitlines()[-1]
        self.assertTrue(line.startswith(prefix), line)
        return line[len(prefix):]

    def test_bad_law_carries_library_message(self):
        with self.assertRaises(xferlaw.XferlawError) as e:
            xferlaw.fit(CHIN, law="E + A/N^", where="loss < 3.44")
        self.assertEqual(str(e.exception), self.cli_error(CHIN, "--law", "E + A/N^"))
        self.assertIsInstance(e.exception, ValueError)
        self.assertNotEqual(e.exception.code, 0)

    def test_missing_column_and_bad_cell(self):
        with self.assertRaises(xferlaw.XferlawError) as e:
            xferlaw.fit(CHIN, law="chinchilla")             # no D column
        self.assertEqual(str(e.exception), self.cli_error(CHIN, "--law", "chinchilla"))
        with self.assertRaises(xferlaw.XferlawError) as e:
            xferlaw.fit({"x": [1e6, 2e6, 3e6, 4e6], "y": [3.0, float("nan"), 2.5, 2.4]},
                        law="power")
        self.assertEqual(str(e.exception), "data:2: field 'y': empty cell")
        # an object column (pandas' nullable dtypes give these) with a missing value
        with self.assertRaises(xferlaw.XferlawError) as e:
            xferlaw.fit(FrameLike({"x": np.array([1e6, None, 3e6, 4e6], dtype=object),
                                   "y": [3.0, 2.8, 2.5, 2.4]}), law="power")
        self.assertEqual(str(e.exception), "data:2: field 'x': empty cell")
        with self.assertRaises(xferlaw.XferlawError) as e:
            xferlaw.fit({"x": [1e6, 2e6, 3e6], "y": ["3.0", "x", "2.5"]}, law="power")
        self.assertEqual(str(e.exception), "data:2: field 'y': not a number: 'x'")

    def test_bad_options(self):
        with self.assertRaises(xferlaw.XferlawError) as e:
            xferlaw.fit(CHIN, law="chinchilla", loss="hubber")
        rc, _, err = cli("fit", CHIN, "--law", "chinchilla", "--loss", "hubber")
        self.assertEqual(rc, 2)        # a usage error there, the same message
        self.assertIn(f"xferlaw fit: {e.exception} (see", err)
        with self.assertRaises(xferlaw.XferlawError) as e:
            xferlaw.fit(CHIN, law="chinchilla", bootstrap=-1)
        self.assertEqual(str(e.exception), "bootstrap '-1': expected an integer >= 0")
        with self.assertRaises(xferlaw.XferlawError) as e:
            xferlaw.fit({"N": [1, 2], "loss": [1, 2, 3]}, law="power")
        self.assertEqual(str(e.exception), "xferlaw: columns differ in length: N=2, loss=3")
        with self.assertRaises(TypeError):
            xferlaw.fit([1, 2, 3], law="power")
        with self.assertRaises(xferlaw.XferlawError) as e:
            xferlaw.fit(os.path.join(SRC, "no", "such.csv"), law="power")
        self.assertEqual(str(e.exception), self.cli_error(os.path.join(SRC, "no", "such.csv"),
                                                          "--law", "power"))

    def test_library_not_found(self):
        env = dict(os.environ, XFERLAW_LIB="/nonexistent/libxferlaw.so.0")
        p = subprocess.run(["/usr/bin/python3", "-c", "import xferlaw"], env=env,
                           capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("ImportError: xferlaw: cannot load libxferlaw (XFERLAW_LIB: "
                      "/nonexistent/libxferlaw.so.0: no such file)", p.stderr)


class Transfer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.table = os.path.join(cls.tmp, "planted.csv")
        rc, _, err = cli("transfer", "--make-planted", cls.table, "--curricula", "2")
        assert rc == 0, err
        cls.out = os.path.join(cls.tmp, "t.json")
        rc, _, err = cli("transfer", cls.table, "-o", cls.out, "--bootstrap", "40",
                         "--seed", "5", "--threads", "2", "--quiet")
        assert rc == 0, err
        with open(cls.out) as f:
            cls.ref = json.load(f)

    def check(self, t):
        names = [c["name"] for c in self.ref["curricula"]]
        self.assertEqual(list(t.curricula), names)
        self.assertGreaterEqual(len(names), 2)
        for c in self.ref["curricula"]:
            for fit in ("loglinear_interp", "loglinear_fit", "loss_space", "fit_the_fits"):
                ref = c["fits"][fit]
                got = t.curricula[c["name"]][fit]
                for p in ("k", "alpha", "beta"):
                    rp = ref["params"][p]
                    g = got[p]
                    for a, b in ((g.value, rp["value"]), (g.se, rp["se"]),
                                 (g.lo, rp["ci95"][0]), (g.hi, rp["ci95"][1])):
                        if b is None:
                            self.assertTrue(math.isnan(a), (c["name"], fit, p))
                        else:
                            self.assertTrue(same(a, b), (c["name"], fit, p, a, b))
        self.assertEqual(t.record["curricula"][0]["fits"]["loss_space"]["params"]["alpha"],
                         self.ref["curricula"][0]["fits"]["loss_space"]["params"]["alpha"])

    def test_path_matches_cli(self):
        self.check(xferlaw.transfer(self.table, bootstrap=40, seed=5, threads=2))

    def test_columns_match_cli(self):
        d = read_csv(self.table)
        self.check(xferlaw.transfer(d, bootstrap=40, seed=5, threads=2))
        self.check(xferlaw.transfer(FrameLike(d), bootstrap=40, seed=5, threads=2))

    def test_planted_recovered(self):
        t = xferlaw.transfer(self.table, bootstrap=0)
        # the planted text->python law (Hernandez et al.): alpha 0.18, beta 0.38
        f = t.curricula[list(t.curricula)[0]]["loss_space"]
        self.assertTrue(f["ok"])
        self.assertAlmostEqual(f["alpha"].value, 0.18, delta=0.03)
        self.assertAlmostEqual(f["beta"].value, 0.38, delta=0.03)
        self.assertIn("alpha", repr(t))

    def test_errors(self):
        with self.assertRaises(xferlaw.XferlawError) as e:
            xferlaw.transfer(self.table, estimator="both")
        self.assertEqual(str(e.exception), "estimator is interp or fit, got 'both'")
        rows = {"curriculum": ["scratch", "python"], "N": [1e6, 1e6], "D": [1e7, -1e7],
                "loss": [3.0, 2.0]}
        with self.assertRaises(xferlaw.XferlawError) as e:
            xferlaw.transfer(rows)
        path = os.path.join(self.tmp, "bad.csv")
        with open(path, "w") as f:
            f.write("curriculum,N,D,loss\nscratch,1e6,1e7,3\npython,1e6,-1e7,2\n")
        rc, _, err = cli("transfer", path, "--quiet")
        self.assertEqual(rc, 1)
        self.assertIn("field 'D'", str(e.exception))
        # the same message, the table named as the file or as "data", lines counted alike
        # (the CSV's header is line 1, row 0 of the columns is "line" 1)
        self.assertEqual(err.strip().replace(path + ":3:", "data:2:"),
                         "xferlaw transfer: error: " + str(e.exception))


if __name__ == "__main__":
    unittest.main(verbosity=2)
