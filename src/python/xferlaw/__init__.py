"""xferlaw: scaling laws of transfer learning, from Python (ctypes over libxferlaw).

    import xferlaw
    r = xferlaw.fit("data/chinchilla.csv", law="chinchilla", loss="huber:1e-3",
                    define="D=C/(6*N)", where="loss < 3.44", bootstrap=200)
    r.params["alpha"], r.se["alpha"], r.intervals["alpha"], r.diagnostics["r2"]
    r.predict(N=70e9, D=1.4e12)
    t = xferlaw.transfer("runs/small/runs.jsonl")
    t.curricula["python"]["loglinear_interp"]["alpha"].value

Data may be a CSV/JSONL path, a dict of columns, a pandas DataFrame or a numpy structured
array.  Errors raise XferlawError (a ValueError) with the library's one-line message.
See docs/python.md.
"""
from ._core import XferlawError, lib as _lib
from ._fit import FitResult, fit
from ._transfer import Param, TransferResult, transfer

__version__ = _lib.xl_version().decode()
__all__ = ["fit", "transfer", "FitResult", "TransferResult", "Param", "XferlawError",
           "__version__"]
