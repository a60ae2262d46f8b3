"""xferlaw.fit: a scaling law fitted by libxferlaw, with its numbers as Python objects."""
import ctypes
import math

import numpy as np

from ._core import (Error, Table, XferlawError, b, columns_of, lib, loads,
                    set_options, take_string)

_DIAGNOSTICS = ("rmse_log", "rmse", "r2", "aic", "bic", "holdout_rmsle", "n_holdout")
_RUN = ("objective", "n", "starts", "distinct_optima", "converged", "se_scale",
        "huber_delta", "bootstrap", "bootstrap_converged", "ci_tail", "seconds")


def _bound(name, lohi):
    lo, hi = lohi
    side = lambda v: "" if v is None or (isinstance(v, float) and math.isinf(v)) else repr(float(v))
    return f"{name}={side(lo)}:{side(hi)}"


def _none_if_nan(v):
    return None if math.isnan(v) else v


class FitResult:
    """The result of xferlaw.fit.

    law, formula, y, columns, space, loss   what was fitted
    params      {name: value} in natural units (free and fixed, the law's order)
    se          {name: standard error or None (fixed, or not identifiable)}
    intervals   {name: (lo, hi)} 95% bootstrap percentile interval, or None without bootstrap
    fixed       names held at a value (fix=)
    covariance  numpy (p x p) array in params' order, or None when the fit records none
    warnings    the fit's warnings (sentences), [] when none
    diagnostics {rmse_log, rmse, r2, aic, bic, holdout_rmsle, n_holdout} (None: undefined)
    run         {objective, n, starts, distinct_optima, converged, bootstrap, ...}
    rows        {y, pred, resid, heldout}: numpy arrays over every input row
    boot        numpy (B x p) array of bootstrap refits, or None
    record      the JSON record `xferlaw fit -o` writes, as a dict
    predict(data=None, **columns)  the fitted law on new points
    """

    def __init__(self, handle):
        self._p = handle
        self._err = Error()
        r = handle
        s = lambda k: (lib.xl_fit_result_string(r, b(k)) or b"").decode()
        self.law, self.formula, self.y = s("law"), s("formula"), s("y")
        self.space, self.loss, self.se_method = s("space"), s("loss"), s("se_method")
        self.columns = [lib.xl_fit_result_column(r, i).decode()
                        for i in range(lib.xl_fit_result_ncolumns(r))]
        n = lib.xl_fit_result_nparams(r)
        names = [lib.xl_fit_result_param_name(r, i).decode() for i in range(n)]
        self.params = {k: lib.xl_fit_result_param_value(r, i) for i, k in enumerate(names)}
        self.se = {k: _none_if_nan(lib.xl_fit_result_param_se(r, i)) for i, k in enumerate(names)}
        self.fixed = {k for i, k in enumerate(names) if lib.xl_fit_result_param_fixed(r, i)}
        lo, hi = ctypes.c_double(), ctypes.c_double()
        self.intervals = {}
        for i, k in enumerate(names):
            self._err.check(lib.xl_fit_result_param_ci(r, i, ctypes.byref(lo), ctypes.byref(hi),
                                                       self._err.p))
            nan = math.isnan(lo.value) and math.isnan(hi.value)
            self.intervals[k] = None if nan else (lo.value, hi.value)
        self.covariance = self._covariance(n)
        num = lambda k: self._number(k)
        self.diagnostics = {k: num(k) for k in _DIAGNOSTICS}
        self.diagnostics["n_holdout"] = int(self.diagnostics["n_holdout"] or 0)
        self.run = {k: num(k) for k in _RUN}
        for k in ("n", "starts", "distinct_optima", "bootstrap", "bootstrap_converged"):
            self.run[k] = int(self.run[k])
        self.run["converged"] = bool(self.run["converged"])
        self.objective = self.run["objective"]
        nr = int(num("n_rows") or 0)
        rows = {k: np.zeros(nr) for k in ("y", "pred", "resid")}
        held = (ctypes.c_int * max(nr, 1))()
        dp = lambda a: a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        lib.xl_fit_result_rows(r, dp(rows["y"]), dp(rows["pred"]), dp(rows["resid"]), held)
        rows["heldout"] = np.array(held[:nr], dtype=bool)
        self.rows = rows
        nb = self.run["bootstrap_converged"]
        self.boot = None
        if nb:
            self.boot = np.zeros((nb, n))
            lib.xl_fit_result_boot(r, dp(self.boot))
        self.record = loads(take_string(lib.xl_fit_result_json(r)))
        self.warnings = list(self.record.get("warnings", []))

    def _number(self, key):
        v = ctypes.c_double()
        self._err.check(lib.xl_fit_result_number(self._p, b(key), ctypes.byref(v), self._err.p))
        return _none_if_nan(v.value)

    def _covariance(self, n):
        """The delta-method covariance when the library records one (NaN = not available:
        then None)."""
        if not hasattr(lib, "xl_fit_result_covariance") or n == 0:
            return None
        cov = np.array([[lib.xl_fit_result_covariance(self._p, i, j) for j in range(n)]
                        for i in range(n)])
        return None if np.all(np.isnan(cov)) else cov

    def predict(self, data=None, **columns):
        """The fitted law at new points: data (dict, DataFrame, structured array) and/or
        keyword columns, e.g. predict(N=[1e9, 1e10], D=[2e10, 2e11]).  Scalars broadcast.
        Returns a numpy array (NaN outside the law's domain)."""
        names, cols = columns_of(data) if data is not None else ([], [])
        names += list(columns)
        cols += list(columns.values())
        arrays = np.broadcast_arrays(*[np.asarray(c, dtype=np.float64) for c in cols]) if cols else []
        arrays = [np.ascontiguousarray(a, dtype=np.float64).reshape(-1) for a in arrays]
        shape = np.broadcast(*cols).shape if cols else ()
        n = arrays[0].size if arrays else 1
        k = len(arrays)
        cnames = (ctypes.c_char_p * max(k, 1))(*[b(s) for s in names])
        cptrs = (ctypes.c_void_p * max(k, 1))(*[a.ctypes.data for a in arrays])
        out = np.empty(n)
        self._err.check(lib.xl_fit_result_predict(
            self._p, n, k, ctypes.cast(cnames, ctypes.POINTER(ctypes.c_void_p)), cptrs,
            out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), self._err.p))
        return out.reshape(shape) if shape else out[0]

    def __repr__(self):
        lines = [f"xferlaw fit: {self.law} ({self.formula}) on {self.y}, "
                 f"{self.run['n']} rows, {self.loss} in {self.space} space"]
        for k, v in self.params.items():
            se = self.se[k]
            ci = self.intervals[k]
            lines.append(f"  {k:>12} = {v:.6g}" + (" (fixed)" if k in self.fixed else "") +
                         (f"  se {se:.3g}" if se is not None else "") +
                         (f"  95% [{ci[0]:.6g}, {ci[1]:.6g}]" if ci else ""))
        d = self.diagnostics
        fmt = lambda v: "n/a" if v is None else f"{v:.4g}"
        lines.append(f"  rmse_log {fmt(d['rmse_log'])}  r2 {fmt(d['r2'])}  "
                     f"objective {self.objective:.6g}")
        return "\n".join(lines)

    def __del__(self):
        if getattr(self, "_p", None) and lib is not None:
            lib.xl_fit_result_free(self._p)
            self._p = None


def fit(data, law, y=None, loss=None, space=None, weight=None, bootstrap=None, seed=None,
        bounds=None, fix=None, starts=None, threads=None, holdout=None, max_iter=None,
        define=None, where=None):
    """Fit a scaling law, as `xferlaw fit` does.

    data      a CSV/JSONL path, a dict of columns, a pandas DataFrame or a numpy
              structured array (column names are the law's symbols)
    law       a named law ("chinchilla", "power", "bnsl:2", ...) or a formula
              ("E + A/N^alpha + B/D^beta": symbols that are columns are data, the rest
              parameters)
    y         target column (default: the law's, else "loss")
    loss      "lsq" (default) or "huber:DELTA"
    space     "log" (default for formulas) or "linear"
    bootstrap bootstrap replicates (seeded resamples of the rows, each fitted again)
              for the 95% intervals; 0 = none (default 0, as `xferlaw fit`)
    seed      seed of random starts and bootstrap (default 1)
    bounds    {name: (lo, hi)}, None for an open side
    fix       {name: value} parameters held fixed
    define    "NAME=EXPR" or a list: derived columns (before where)
    where     "EXPR": keep the rows where it is true
    starts, threads, holdout, max_iter, weight: as the CLI's --starts ... --weight
    Raises XferlawError (a ValueError) with the library's one-line message.
    """
    table = Table(data)
    table.apply(define, where)
    err = Error()
    opts = err.check_ptr(lib.xl_fit_options_alloc(err.p))
    try:
        items = [("law", law), ("y", y), ("loss", loss), ("space", space),
                 ("weight", weight), ("holdout", holdout), ("starts", starts),
                 ("bootstrap", bootstrap), ("seed", seed), ("threads", threads),
                 ("max-iter", max_iter)]
        items += [("fix", f"{k}={float(v)!r}") for k, v in (fix or {}).items()]
        items += [("bound", _bound(k, v)) for k, v in (bounds or {}).items()]
        set_options(lib.xl_fit_options_set, opts, err, items)
        out = ctypes.c_void_p()
        err.check(lib.xl_fit_table(table.p, opts, ctypes.byref(out), err.p))
    finally:
        lib.xl_fit_options_free(opts)
    return FitResult(out.value)
