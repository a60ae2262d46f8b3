"""xferlaw.transfer: effective data transferred, per curriculum (Hernandez et al. 2021)."""
import collections
import ctypes
import os

from ._core import Error, Table, b, lib, loads, set_options, take_string

FITS = ("loglinear_interp", "loglinear_fit", "loss_space", "fit_the_fits")
Param = collections.namedtuple("Param", "value se lo hi")
Param.__doc__ = "A fitted parameter: value, standard error, 95% interval (lo, hi)."


class TransferResult:
    """The result of xferlaw.transfer.

    curricula   {curriculum: {fit: {"ok": bool, "k": Param, "alpha": Param, "beta": Param}}}
                for D_T = k D_F^alpha N^beta, fit one of
                  loglinear_interp  OLS on log D_T, D_E from the measured scratch curve
                  loglinear_fit     OLS on log D_T, D_E from the fitted L(N, D)
                  loss_space        fine-tuned loss = L_scratch(N, D_F + D_T)
                  fit_the_fits      Hernandez et al.'s two-stage fit
                (Param fields are NaN when ok is False)
    record      the JSON record `xferlaw transfer -o` writes, as a dict (scratch model,
                per-run estimates and flags, comparison tests, compute accounting)
    """

    def __init__(self, handle):
        err = Error()
        self.curricula = {}
        v, se, lo, hi = (ctypes.c_double() for _ in range(4))
        ok = ctypes.c_int()
        for c in range(lib.xl_transfer_result_ncurricula(handle)):
            name = lib.xl_transfer_result_curriculum(handle, c).decode()
            fits = {}
            for f in FITS:
                entry = {}
                for p in ("k", "alpha", "beta"):
                    err.check(lib.xl_transfer_result_param(
                        handle, c, b(f), b(p), ctypes.byref(v), ctypes.byref(se),
                        ctypes.byref(lo), ctypes.byref(hi), ctypes.byref(ok), err.p))
                    entry[p] = Param(v.value, se.value, lo.value, hi.value)
                entry["ok"] = bool(ok.value)
                fits[f] = entry
            self.curricula[name] = fits
        self.record = loads(take_string(lib.xl_transfer_result_json(handle)))

    def __repr__(self):
        lines = ["xferlaw transfer: D_T = k D_F^alpha N^beta (log-linear, interpolated D_E)"]
        for name, fits in self.curricula.items():
            f = fits["loglinear_interp"]
            if not f["ok"]:
                lines.append(f"  {name}: no fit")
                continue
            lines.append(f"  {name}: " + "  ".join(
                f"{p} {f[p].value:.4g} [{f[p].lo:.4g}, {f[p].hi:.4g}]"
                for p in ("k", "alpha", "beta")))
        return "\n".join(lines)


def transfer(table, bootstrap=None, seed=None, threads=None, low_data=None, within=None,
             disagree=None, estimator=None, at=None, target_loss=None, pretrain_tokens=None,
             compute_curriculum=None, include_extrapolated=None, include_high_data=None,
             include_flat=None, define=None, where=None):
    """Effective data transferred, as `xferlaw transfer` computes it.

    table  a CSV/JSONL path or sweep directory, or columns (dict, DataFrame, structured
           array) curriculum, N, D (or D_F), loss; curriculum "scratch" marks the
           from-scratch runs
    bootstrap (default 400), seed (1), threads (all cores), low_data (0.1), within (0.01),
    disagree (2), estimator ("interp"|"fit"), at [(N, D_F), ...], target_loss,
    pretrain_tokens, compute_curriculum, include_*: as the CLI's options of the same name.
    define / where: derived columns and a row filter applied before the analysis.
    """
    err = Error()
    runs = ctypes.c_void_p()
    keep = None
    if isinstance(table, (str, bytes, os.PathLike)):
        defs = [define] if isinstance(define, str) else list(define or [])
        whs = [where] if isinstance(where, str) else list(where or [])
        cd = (ctypes.c_char_p * max(len(defs), 1))(*[b(s) for s in defs])
        cw = (ctypes.c_char_p * max(len(whs), 1))(*[b(s) for s in whs])
        P = ctypes.POINTER(ctypes.c_void_p)
        err.check(lib.xl_xfer_runs_load(os.fsencode(table), ctypes.cast(cd, P), len(defs),
                                        ctypes.cast(cw, P), len(whs), ctypes.byref(runs),
                                        err.p))
    else:
        keep = Table(table)
        keep.apply(define, where)
        err.check(lib.xl_xfer_runs_from_table(keep.p, ctypes.byref(runs), err.p))
    opts = None
    res = ctypes.c_void_p()
    try:
        opts = err.check_ptr(lib.xl_xfer_opts_alloc(err.p))
        items = [("bootstrap", bootstrap), ("seed", seed), ("threads", threads),
                 ("low-data", low_data), ("within", within), ("disagree", disagree),
                 ("estimator", estimator), ("target-loss", target_loss),
                 ("pretrain-tokens", pretrain_tokens),
                 ("compute-curriculum", compute_curriculum),
                 ("include-extrapolated", include_extrapolated),
                 ("include-high-data", include_high_data), ("include-flat", include_flat)]
        items += [("at", f"{float(n)!r},{float(d)!r}") for n, d in (at or [])]
        set_options(lib.xl_xfer_opts_set, opts, err, items)
        err.check(lib.xl_transfer_analyze(runs.value, opts, ctypes.byref(res), err.p))
        return TransferResult(res.value)
    finally:
        if res.value:
            lib.xl_transfer_result_free(res.value)   # before the runs it points into
        lib.xl_xfer_runs_free(runs.value)
        if opts:
            lib.xl_xfer_opts_free(opts)
