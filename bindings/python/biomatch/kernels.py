"""Instruction-set tier of the SIMD kernels (bm_kernels.h)."""
import ctypes

from ._library import _declare, c_status, lib
from .errors import check

_declare("bm_active_isa", ctypes.c_int)
_declare("bm_best_isa", ctypes.c_int)
_declare("bm_isa_name", ctypes.c_char_p, ctypes.c_int)
_declare("bm_isa_from_name", c_status, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int))
_declare("bm_force_isa", c_status, ctypes.c_int)


def active_isa():
    """Name of the tier in use: "scalar", "avx2", "avx512" or "neon"."""
    return lib.bm_isa_name(lib.bm_active_isa()).decode()


def best_isa():
    """Name of the best tier this machine supports."""
    return lib.bm_isa_name(lib.bm_best_isa()).decode()


def force_isa(name):
    """Selects a tier by name for the whole process (BiomatchError if unsupported)."""
    isa = ctypes.c_int()
    check(lib.bm_isa_from_name(name.encode(), ctypes.byref(isa)))
    check(lib.bm_force_isa(isa.value))
