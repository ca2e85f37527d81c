"""Python bindings of biomatch, over the C library through ctypes.

Calls into the library release the GIL (ctypes does so for every foreign
call), so matching and search run in parallel with other Python threads.
Failures raise BiomatchError carrying the library's code and message.
"""
from ._library import lib as _lib
from .errors import BiomatchError
from .face import FaceIndex
from .kernels import active_isa, best_isa, force_isa
from .template import BIFURCATION, MINUTIA_DTYPE, OTHER, QUALITY_UNKNOWN, RIDGE_ENDING, Template

__version__ = _lib.bm_version_string().decode()
abi_version = _lib.bm_abi_version()

__all__ = ["BiomatchError", "FaceIndex", "Template", "active_isa", "best_isa", "force_isa", "MINUTIA_DTYPE", "RIDGE_ENDING", "BIFURCATION", "OTHER",
           "QUALITY_UNKNOWN", "__version__", "abi_version"]
