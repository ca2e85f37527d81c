"""Python bindings of biomatch, over the C library through ctypes.

Calls into the library release the GIL (ctypes does so for every foreign
call), so extraction, matching and search run in parallel with other Python
threads. Failures raise BiomatchError carrying the library's code and
message. Every object holding a C resource is a context manager (and has
close()); otherwise it is freed when garbage-collected.
"""
from ._library import lib as _lib
from .errors import BiomatchError
from .extract import Image, extract
from .face import FaceIndex
from .gallery import Candidate, DedupResult, DuplicatePair, FingerScore, Gallery, Record
from .kernels import active_isa, best_isa, force_isa
from .match import (PreparedTemplates, Probe, check_prepared, cylinder_count, fmr_to_threshold, match, prepare,
                    score_to_fmr)
from .template import (BIFURCATION, FORMATS, MINUTIA_DTYPE, OTHER, QUALITY_UNKNOWN, RIDGE_ENDING, Template,
                       count_views, detect_format)

__version__ = _lib.bm_version_string().decode()
abi_version = _lib.bm_abi_version()

__all__ = ["BiomatchError", "Candidate", "DedupResult", "DuplicatePair", "FaceIndex", "FingerScore", "Gallery",
           "Record", "Image", "PreparedTemplates", "Probe", "Template", "active_isa", "best_isa",
           "check_prepared", "count_views", "cylinder_count", "detect_format", "extract", "fmr_to_threshold",
           "force_isa", "match", "prepare", "score_to_fmr", "FORMATS", "MINUTIA_DTYPE", "RIDGE_ENDING",
           "BIFURCATION", "OTHER", "QUALITY_UNKNOWN", "__version__", "abi_version"]
