"""Loads libbiomatch.so and declares the C signatures used by the package.

The library is found, in order, through the BIOMATCH_LIBRARY environment
variable (a path), next to this package in a build tree, then by the
system's loader (an installed libbiomatch.so.1).
"""
import ctypes
import ctypes.util
import os

ABI_VERSION = 1


def _candidate_paths():
    explicit = os.environ.get("BIOMATCH_LIBRARY")
    if explicit:
        yield explicit
    here = os.path.dirname(os.path.abspath(__file__))
    source_root = os.path.normpath(os.path.join(here, "..", "..", ".."))
    for build_dir in ("build", "build-asan"):
        yield os.path.join(source_root, build_dir, "libbiomatch.so.%d" % ABI_VERSION)
    found = ctypes.util.find_library("biomatch")
    if found:
        yield found
    yield "libbiomatch.so.%d" % ABI_VERSION


def _load():
    errors = []
    for path in _candidate_paths():
        if os.path.sep in path and not os.path.exists(path):
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as error:
            errors.append("%s: %s" % (path, error))
    raise ImportError("cannot load libbiomatch (set BIOMATCH_LIBRARY): " + "; ".join(errors))


lib = _load()


def _declare(name, restype, *argtypes):
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)


c_status = ctypes.c_int

_declare("bm_version_number", ctypes.c_uint)
_declare("bm_version_string", ctypes.c_char_p)
_declare("bm_abi_version", ctypes.c_uint)
_declare("bm_error_name", ctypes.c_char_p, c_status)
_declare("bm_last_error_message", ctypes.c_char_p)
_declare("bm_clear_error", None)

if lib.bm_abi_version() != ABI_VERSION:
    raise ImportError("libbiomatch ABI %d, this package needs %d" % (lib.bm_abi_version(), ABI_VERSION))
