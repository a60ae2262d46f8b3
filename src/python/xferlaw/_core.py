"""Errors, library handles and tables built from Python data."""
import ctypes
import json
import math
import os

import numpy as np

from ._lib import load

lib = load()

class XferlawError(ValueError):
    """An error reported by libxferlaw: its one-line message, and the XL_E* code."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


class Error:
    """An xl_error record for one call sequence."""

    def __init__(self):
        self.p = lib.xl_error_alloc()
        if not self.p:
            raise MemoryError("xferlaw: out of memory")

    def __del__(self):
        if getattr(self, "p", None) and lib is not None:
            lib.xl_error_free(self.p)
            self.p = None

    def check(self, rc):
        """Raise XferlawError when rc (a library return code) is not 0."""
        if rc:
            raise XferlawError(self.message(), rc)

    def check_ptr(self, p):
        if not p:
            raise XferlawError(self.message(), lib.xl_error_code(self.p) or 1)
        return p

    def message(self):
        return lib.xl_error_message(self.p).decode("utf-8", "replace")


def b(s):
    return str(s).encode("utf-8")


def take_string(p):
    """A char * the caller owns (xl_free), as str."""
    if not p:
        raise MemoryError("xferlaw: out of memory")
    try:
        return ctypes.string_at(p).decode("utf-8", "replace")
    finally:
        lib.xl_free(p)


def loads(text):
    return json.loads(text)


def columns_of(data):
    """(names, columns) of a dict of sequences, a pandas DataFrame (or anything with
    .columns and [name] -> Series), or a numpy structured array."""
    if isinstance(data, np.ndarray) and data.dtype.names:
        return list(data.dtype.names), [data[n] for n in data.dtype.names]
    if hasattr(data, "columns") and hasattr(data, "__getitem__") and not isinstance(data, dict):
        names = [str(c) for c in data.columns]
        cols = []
        for c in data.columns:
            col = data[c]
            cols.append(col.to_numpy() if hasattr(col, "to_numpy") else col)
        return names, cols
    if isinstance(data, dict):
        return [str(k) for k in data], list(data.values())
    raise TypeError("xferlaw: data must be a file path, a dict of columns, a pandas "
                    f"DataFrame or a numpy structured array, not {type(data).__name__}")


def _missing(v):
    """None, NaN, pandas.NA and NaT: an empty cell."""
    if v is None:
        return True
    try:
        return bool(v != v)
    except TypeError:            # pandas.NA: comparing it gives NA, whose truth is an error
        return True


def _as_numbers(col):
    """float64 array (NaN for missing values), or None when the column holds text."""
    a = np.asarray(col)
    if a.dtype.kind in "biuf":
        return np.ascontiguousarray(a, dtype=np.float64).reshape(-1)
    if a.dtype.kind == "O":      # e.g. pandas' nullable Int64/Float64 with pd.NA
        try:
            return np.array([np.nan if _missing(v) else float(v) for v in a.reshape(-1)],
                            dtype=np.float64)
        except (TypeError, ValueError):
            return None
    return None


def _text_cell(v):
    return None if _missing(v) else b(v)


class Table:
    """An xl_table: read from a file, or built from columns (numbers stay exact)."""

    def __init__(self, data, name="data"):
        self.err = Error()
        self.p = None
        if isinstance(data, (str, bytes, os.PathLike)):
            out = ctypes.c_void_p()
            self.err.check(lib.xl_table_read(os.fsencode(data), ctypes.byref(out), self.err.p))
            self.p = out.value
            return
        names, cols = columns_of(data)
        n_cols = len(names)
        if n_cols == 0:
            raise XferlawError("xferlaw: the data has no columns")
        lens = {len(c) for c in cols}
        if len(lens) != 1:
            raise XferlawError("xferlaw: columns differ in length: " + ", ".join(
                f"{n}={len(c)}" for n, c in zip(names, cols)))
        n = lens.pop()
        keep = []                    # arrays the C side reads during the call
        num = (ctypes.c_void_p * n_cols)()
        text = (ctypes.c_void_p * n_cols)()
        for c, col in enumerate(cols):
            a = _as_numbers(col)
            if a is not None:
                keep.append(a)
                num[c] = a.ctypes.data
            else:
                cells = (ctypes.c_char_p * n)(*[_text_cell(v) for v in col])
                keep.append(cells)
                text[c] = ctypes.cast(cells, ctypes.c_void_p)
        cnames = (ctypes.c_void_p * n_cols)()
        bnames = [ctypes.c_char_p(b(s)) for s in names]
        for c, s in enumerate(bnames):
            cnames[c] = ctypes.cast(s, ctypes.c_void_p)
        self.p = self.err.check_ptr(lib.xl_table_from_columns(
            b(name), n, n_cols, cnames, num, text, self.err.p))

    def define(self, spec):
        self.err.check(lib.xl_table_define(self.p, b(spec), self.err.p))

    def where(self, expr):
        self.err.check(lib.xl_table_where(self.p, b(expr), self.err.p))

    def apply(self, define=None, where=None):
        """--define NAME=EXPR (one string or a list), then --where EXPR, as the CLI does."""
        for d in ([define] if isinstance(define, str) else define or []):
            try:
                self.define(d)
            except XferlawError as e:
                raise XferlawError(f"define '{d}': {e}", e.code) from None
        for w in ([where] if isinstance(where, str) else where or []):
            try:
                self.where(w)
            except XferlawError as e:
                raise XferlawError(f"where '{w}': {e}", e.code) from None

    def __del__(self):
        if getattr(self, "p", None) and lib is not None:
            lib.xl_table_free(self.p)
            self.p = None


def set_options(setter, handle, err, opts):
    """Set each (key, value) through xl_*_options_set; None values are left at defaults."""
    for key, value in opts:
        if value is None:
            continue
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, float):
            value = repr(value)
        err.check(setter(handle, b(key), b(value), err.p))
