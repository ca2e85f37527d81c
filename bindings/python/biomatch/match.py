"""Fingerprint 1:1 and 1:many matching (bm_match.h).

Gallery templates are prepared once into match-ready byte blobs (numpy
uint8 arrays); PreparedTemplates packs many of them into one contiguous
buffer with offsets, which bm_match_many() scans without any copy.

The GIL: ctypes releases it around every call into the library, so
Probe.match_many() runs in parallel with other Python threads, and
Probe.match_many(..., threads=T) itself splits the gallery over T Python
threads whose C calls run at the same time on T cores.
"""
import concurrent.futures
import ctypes

import numpy as np

from ._library import _declare, c_status, lib
from ._resource import Resource
from .errors import check
from .template import Template

_handle = ctypes.c_void_p
_size_p = ctypes.POINTER(ctypes.c_size_t)
_declare("bm_prepare_template", c_status, _handle, ctypes.c_void_p, ctypes.c_size_t, _size_p)
_declare("bm_prepared_check", c_status, ctypes.c_void_p, ctypes.c_size_t)
_declare("bm_prepared_cylinder_count", ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t)
_declare("bm_probe_create", c_status, _handle, ctypes.POINTER(_handle))
_declare("bm_probe_create_from_prepared", c_status, ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(_handle))
_declare("bm_probe_free", None, _handle)
_declare("bm_match_one", c_status, _handle, ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_float))
_declare("bm_match_many", c_status, _handle, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t,
         ctypes.c_void_p)
_declare("bm_match_templates", c_status, _handle, _handle, ctypes.POINTER(ctypes.c_float))
_declare("bm_match_fmr_to_threshold", c_status, ctypes.c_double, ctypes.POINTER(ctypes.c_float))
_declare("bm_match_score_to_fmr", ctypes.c_double, ctypes.c_float)


def _blob(prepared):
    """A C-contiguous uint8 array over prepared bytes (no copy for arrays and bytes)."""
    if isinstance(prepared, np.ndarray):
        if prepared.dtype != np.uint8 or prepared.ndim != 1:
            raise ValueError("a prepared template is a 1-d uint8 array")
        return np.ascontiguousarray(prepared)
    return np.frombuffer(prepared, dtype=np.uint8)


def prepare(template):
    """Prepares a Template for matching: a read-only uint8 array (store it, send it, match against it)."""
    size = ctypes.c_size_t()
    check(lib.bm_prepare_template(template.handle, None, 0, ctypes.byref(size)))
    blob = np.empty(size.value, dtype=np.uint8)
    check(lib.bm_prepare_template(template.handle, blob.ctypes.data, size.value, ctypes.byref(size)))
    blob = blob[:size.value]
    blob.flags.writeable = False
    return blob


def check_prepared(prepared):
    """Full check (magic, version, size, checksum) of a prepared blob read from storage."""
    blob = _blob(prepared)
    check(lib.bm_prepared_check(blob.ctypes.data, len(blob)))


def cylinder_count(prepared):
    blob = _blob(prepared)
    return lib.bm_prepared_cylinder_count(blob.ctypes.data, len(blob))


class PreparedTemplates:
    """Many prepared templates packed in one buffer: the gallery side of match_many().

    buffer: uint8 array of the blobs one after another; offsets: uintp array
    of where each starts. Build from Templates and/or prepared blobs."""

    def __init__(self, items=()):
        blobs = [prepare(item) if isinstance(item, Template) else _blob(item) for item in items]
        sizes = np.array([len(b) for b in blobs], dtype=np.uintp)
        self.offsets = np.zeros(len(blobs), dtype=np.uintp)
        if len(blobs) > 1:
            self.offsets[1:] = np.cumsum(sizes[:-1])
        self.buffer = np.concatenate(blobs) if blobs else np.zeros(0, dtype=np.uint8)
        self.buffer.flags.writeable = False

    def __len__(self):
        return len(self.offsets)

    def __getitem__(self, i):
        """Prepared blob i: a view into the buffer, no copy."""
        start = int(self.offsets[i])
        end = int(self.offsets[i + 1]) if i + 1 < len(self.offsets) else len(self.buffer)
        return self.buffer[start:end]


class Probe(Resource):
    """A prepared probe (context manager). Immutable: any number of threads may use it at once."""
    _free = staticmethod(lib.bm_probe_free)
    _what = "probe"

    def __init__(self, source):
        """source: a Template or a prepared blob."""
        handle = _handle()
        if isinstance(source, Template):
            check(lib.bm_probe_create(source.handle, ctypes.byref(handle)))
        else:
            blob = _blob(source)
            check(lib.bm_probe_create_from_prepared(blob.ctypes.data, len(blob), ctypes.byref(handle)))
        self._handle = handle

    def match(self, prepared):
        """Score in [0, 1] against one prepared template (blob or Template, prepared on the fly)."""
        blob = prepare(prepared) if isinstance(prepared, Template) else _blob(prepared)
        score = ctypes.c_float()
        check(lib.bm_match_one(self.handle, blob.ctypes.data, len(blob), ctypes.byref(score)))
        return score.value

    def _match_range(self, gallery, start, end, scores):
        if end > start:
            check(lib.bm_match_many(self.handle, gallery.buffer.ctypes.data, len(gallery.buffer),
                                    gallery.offsets[start:end].ctypes.data, end - start,
                                    scores[start:end].ctypes.data))

    def match_many(self, gallery, threads=1):
        """Scores (float32 array) against every template of a PreparedTemplates.

        threads > 1 splits the gallery in contiguous parts scored by that
        many Python threads at once (the GIL is released in the library)."""
        scores = np.empty(len(gallery), dtype=np.float32)
        threads = max(1, min(int(threads), len(gallery)))
        if threads == 1:
            self._match_range(gallery, 0, len(gallery), scores)
            return scores
        bounds = [len(gallery) * t // threads for t in range(threads + 1)]
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            for future in [pool.submit(self._match_range, gallery, bounds[t], bounds[t + 1], scores)
                           for t in range(threads)]:
                future.result()
        return scores


def match(a, b):
    """Score of two Templates (a is the probe)."""
    score = ctypes.c_float()
    check(lib.bm_match_templates(a.handle, b.handle, ctypes.byref(score)))
    return score.value


def fmr_to_threshold(fmr):
    """Score threshold whose estimated false match rate is fmr (1e-6 <= fmr < 1)."""
    threshold = ctypes.c_float()
    check(lib.bm_match_fmr_to_threshold(fmr, ctypes.byref(threshold)))
    return threshold.value


def score_to_fmr(score):
    """Estimated false match rate of a score."""
    return lib.bm_match_score_to_fmr(score)
