"""Face embedding index (bm_face.h) over numpy arrays.

Vectors go to the library as pointers into the caller's float32 arrays (no
copy when they are already C-contiguous float32); results come back as
numpy arrays filled in place by the library.
"""
import ctypes

import numpy as np

from ._library import _declare, c_status, lib
from ._resource import Resource
from .errors import check

STORAGE = {"f32": 0, "f16": 1, "int8": 2}
KEEP_F32 = 1

#: numpy view of bm_scored_id (16 bytes).
SCORED_ID_DTYPE = np.dtype([("score", "<f4"), ("reserved", "<u4"), ("id", "<u8")])

_handle = ctypes.c_void_p
_size_p = ctypes.POINTER(ctypes.c_size_t)
_declare("bm_face_index_create", c_status, ctypes.c_size_t, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(_handle))
_declare("bm_face_index_free", None, _handle)
_declare("bm_face_index_add", c_status, _handle, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_size_t)
_declare("bm_face_index_size", ctypes.c_size_t, _handle)
_declare("bm_face_index_storage_bytes", ctypes.c_size_t, _handle)
_declare("bm_face_index_search", c_status, _handle, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t,
         ctypes.c_size_t, ctypes.c_uint, ctypes.c_void_p, _size_p)
_declare("bm_face_index_search_batch", c_status, _handle, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t,
         ctypes.c_size_t, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p)
_declare("bm_face_index_build_approximate", c_status, _handle, ctypes.c_char_p, ctypes.c_char_p)
_declare("bm_face_index_search_approximate", c_status, _handle, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t,
         ctypes.c_void_p, _size_p)


def _as_float32(array, ndim):
    array = np.ascontiguousarray(array, dtype=np.float32)
    if array.ndim != ndim:
        raise ValueError("expected a %d-d array of float32, got shape %s" % (ndim, array.shape))
    return array


class FaceIndex(Resource):
    """Exact (SIMD) and approximate (FAISS) search over face embeddings.

    storage: "f32", "f16" or "int8"; keep_f32 keeps float copies so that
    compressed scans can be re-ranked exactly. Searches release the GIL.
    """
    _free = staticmethod(lib.bm_face_index_free)
    _what = "face index"

    def __init__(self, dimension, storage="f32", keep_f32=False):
        if storage not in STORAGE:
            raise ValueError("storage must be one of %s" % sorted(STORAGE))
        handle = _handle()
        check(lib.bm_face_index_create(dimension, STORAGE[storage], KEEP_F32 if keep_f32 else 0,
                                       ctypes.byref(handle)))
        self._handle = handle
        self.dimension = dimension

    def __len__(self):
        return lib.bm_face_index_size(self.handle)

    @property
    def storage_bytes(self):
        return lib.bm_face_index_storage_bytes(self.handle)

    def add(self, ids, vectors):
        """Adds vectors (n x dimension) under ids (n integers)."""
        vectors = _as_float32(np.atleast_2d(vectors), 2)
        ids = np.atleast_1d(np.asarray(ids, dtype=np.uint64))
        if len(ids) != len(vectors):
            raise ValueError("%d ids for %d vectors" % (len(ids), len(vectors)))
        for i in range(len(vectors)):
            check(lib.bm_face_index_add(self.handle, int(ids[i]), vectors[i].ctypes.data, vectors.shape[1]))

    def search(self, query, k=10, rerank=0, threads=0):
        """Exact search of one query: (ids, scores) arrays, best first."""
        query = _as_float32(query, 1)
        results = np.zeros(k, dtype=SCORED_ID_DTYPE)
        found = ctypes.c_size_t()
        check(lib.bm_face_index_search(self.handle, query.ctypes.data, len(query), k, rerank, threads,
                                       results.ctypes.data, ctypes.byref(found)))
        results = results[:found.value]
        return results["id"].copy(), results["score"].copy()

    def search_batch(self, queries, k=10, threads=0):
        """Exact search of many queries: ids and scores of shape (n, k) and counts (n,)."""
        queries = _as_float32(queries, 2)
        results = np.zeros((len(queries), k), dtype=SCORED_ID_DTYPE)
        counts = np.zeros(len(queries), dtype=np.uintp)
        check(lib.bm_face_index_search_batch(self.handle, queries.ctypes.data, len(queries), queries.shape[1], k,
                                             threads, results.ctypes.data, counts.ctypes.data))
        return results["id"].copy(), results["score"].copy(), counts

    def build_approximate(self, factory, parameters=None):
        """Builds a FAISS index, e.g. factory="HNSW32", parameters="efSearch=64"."""
        check(lib.bm_face_index_build_approximate(self.handle, factory.encode(),
                                                  parameters.encode() if parameters else None))

    def search_approximate(self, query, k=10):
        query = _as_float32(query, 1)
        results = np.zeros(k, dtype=SCORED_ID_DTYPE)
        found = ctypes.c_size_t()
        check(lib.bm_face_index_search_approximate(self.handle, query.ctypes.data, len(query), k,
                                                   results.ctypes.data, ctypes.byref(found)))
        results = results[:found.value]
        return results["id"].copy(), results["score"].copy()
