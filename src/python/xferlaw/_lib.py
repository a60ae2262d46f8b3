"""Finding and declaring libxferlaw (ctypes).

The library is looked for, in order, at:
  1. $XFERLAW_LIB (a path to libxferlaw.so*);
  2. the installed library: the package's _config.py (written by meson install) records
     the prefix, libdir and python dir, so an installed tree that was moved (meson install
     --destdir, a relocated prefix) still finds its library beside it, and the recorded
     absolute path is tried next;
  3. a checkout: SRC/build/libxferlaw.so.0 when this package is SRC/src/python/xferlaw;
  4. the dynamic loader's own search (ldconfig, LD_LIBRARY_PATH).
"""
import ctypes
import ctypes.util
import os

SONAME = "libxferlaw.so.0"


def _candidates():
    """Paths to try, in order; the last is the loader's own search (computed only when
    reached: ctypes.util.find_library runs ldconfig)."""
    env = os.environ.get("XFERLAW_LIB")
    if env:
        # an explicit choice is the only one: a typo must not fall back silently
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        from . import _config  # written at install time
        pkg_parent = os.path.dirname(here)
        pydir = os.path.normpath(_config.PYTHON_DIR)      # relative to the prefix
        if pkg_parent.endswith(os.sep + pydir):
            prefix = pkg_parent[: -len(pydir) - 1]
            yield os.path.join(prefix, _config.LIB_DIR, _config.SONAME)
        yield os.path.join(_config.PREFIX, _config.LIB_DIR, _config.SONAME)
    except ImportError:
        pass
    if os.path.basename(os.path.dirname(here)) == "python":
        src = os.path.dirname(os.path.dirname(os.path.dirname(here)))
        yield os.path.join(src, "build", SONAME)
    yield ctypes.util.find_library("xferlaw") or SONAME


def load():
    errors = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append(f"{path}: no such file")
            continue
        try:
            return _declare(ctypes.CDLL(path))
        except OSError as e:
            errors.append(str(e))
    how = "XFERLAW_LIB" if os.environ.get("XFERLAW_LIB") else "tried"
    raise ImportError(f"xferlaw: cannot load libxferlaw ({how}: {'; '.join(errors)}); "
                      "set XFERLAW_LIB to the library's path")


_P = ctypes.c_void_p
_S = ctypes.c_char_p
_Z = ctypes.c_size_t
_D = ctypes.c_double
_I = ctypes.c_int
_PD = ctypes.POINTER(ctypes.c_double)
_PP = ctypes.POINTER(ctypes.c_void_p)

# name: (restype, argtypes); every pointer to a library object is an opaque c_void_p
_SIGNATURES = {
    "xl_version": (_S, []),
    "xl_free": (None, [_P]),
    "xl_error_alloc": (_P, []),
    "xl_error_free": (None, [_P]),
    "xl_error_code": (_I, [_P]),
    "xl_error_message": (_S, [_P]),
    "xl_table_from_columns": (_P, [_S, _Z, _Z, _PP, _PP, _PP, _P]),
    "xl_table_read": (_I, [_S, _PP, _P]),
    "xl_table_free": (None, [_P]),
    "xl_table_nrows": (_Z, [_P]),
    "xl_table_define": (_I, [_P, _S, _P]),
    "xl_table_where": (_I, [_P, _S, _P]),
    "xl_fit_options_alloc": (_P, [_P]),
    "xl_fit_options_free": (None, [_P]),
    "xl_fit_options_set": (_I, [_P, _S, _S, _P]),
    "xl_fit_table": (_I, [_P, _P, _PP, _P]),
    "xl_fit_result_free": (None, [_P]),
    "xl_fit_result_nparams": (_Z, [_P]),
    "xl_fit_result_param_name": (_S, [_P, _Z]),
    "xl_fit_result_param_value": (_D, [_P, _Z]),
    "xl_fit_result_param_se": (_D, [_P, _Z]),
    "xl_fit_result_param_ci": (_I, [_P, _Z, _PD, _PD, _P]),
    "xl_fit_result_param_fixed": (_I, [_P, _Z]),
    "xl_fit_result_number": (_I, [_P, _S, _PD, _P]),
    "xl_fit_result_string": (_S, [_P, _S]),
    "xl_fit_result_ncolumns": (_Z, [_P]),
    "xl_fit_result_column": (_S, [_P, _Z]),
    "xl_fit_result_predict": (_I, [_P, _Z, _Z, _PP, _PP, _PD, _P]),
    "xl_fit_result_rows": (None, [_P, _PD, _PD, _PD, ctypes.POINTER(_I)]),
    "xl_fit_result_boot": (None, [_P, _PD]),
    "xl_fit_result_json": (_P, [_P]),
    "xl_xfer_opts_alloc": (_P, [_P]),
    "xl_xfer_opts_free": (None, [_P]),
    "xl_xfer_opts_set": (_I, [_P, _S, _S, _P]),
    "xl_xfer_runs_load": (_I, [_S, _PP, _Z, _PP, _Z, _PP, _P]),
    "xl_xfer_runs_from_table": (_I, [_P, _PP, _P]),
    "xl_xfer_runs_free": (None, [_P]),
    "xl_transfer_analyze": (_I, [_P, _P, _PP, _P]),
    "xl_transfer_result_free": (None, [_P]),
    "xl_transfer_result_ncurricula": (_Z, [_P]),
    "xl_transfer_result_curriculum": (_S, [_P, _Z]),
    "xl_transfer_result_param": (_I, [_P, _Z, _S, _S, _PD, _PD, _PD, _PD,
                                      ctypes.POINTER(_I), _P]),
    "xl_transfer_result_json": (_P, [_P]),
}


# Entry points of newer libraries, used when present (FitResult.covariance).
_OPTIONAL = {
    "xl_fit_result_covariance": (_D, [_P, _Z, _Z]),
}


def _declare(lib):
    for name, (res, args) in list(_SIGNATURES.items()) + list(_OPTIONAL.items()):
        if name in _OPTIONAL and not hasattr(lib, name):
            continue
        f = getattr(lib, name)
        f.restype = res
        f.argtypes = args
    return lib
