"""The sharded gallery (bm_gallery.h): person records, 1:N identification,
N:N deduplication, persistence.

Searches and deduplication release the GIL (ctypes foreign calls), so other
Python threads run meanwhile; the gallery itself may be used from several
threads at once (the C library's contract). A deduplication progress
callback runs on the calling thread, holding the GIL while it runs.
"""
import collections
import ctypes
import os

import numpy as np

from ._library import _declare, c_status, lib
from ._resource import Resource
from .errors import BiomatchError, check
from .face import STORAGE
from .template import Template

_handle = ctypes.c_void_p
_u64_p = ctypes.POINTER(ctypes.c_uint64)
_size_p = ctypes.POINTER(ctypes.c_size_t)

SYNC = {"durable": 0, "deferred": 1}
ENROLL_MODES = {"insert": 0, "replace": 1, "merge": 2}


class _Options(ctypes.Structure):
    _fields_ = [("shard_count", ctypes.c_uint32), ("face_dimension", ctypes.c_uint32), ("face_storage", ctypes.c_int),
                ("sync", ctypes.c_int), ("use_prefilter", ctypes.c_uint32), ("load_with_read", ctypes.c_uint32),
                ("reserved", ctypes.c_uint32 * 8)]


class _SearchParams(ctypes.Structure):
    _fields_ = [("top_k", ctypes.c_uint32), ("threads", ctypes.c_uint32), ("max_fmr", ctypes.c_double),
                ("penetration", ctypes.c_double), ("reserved", ctypes.c_uint32 * 8)]


class _Stats(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in
                ("records", "fingers", "faces", "dead_fingers", "prepared_bytes", "prefilter_bytes", "face_bytes",
                 "total_bytes", "last_sequence", "durable_sequence")] + \
               [("shard_count", ctypes.c_uint32), ("face_dimension", ctypes.c_uint32)]


_ID_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p)
_PROGRESS_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint64)

_declare("bm_gallery_options_init", None, ctypes.POINTER(_Options))
_declare("bm_gallery_create", c_status, ctypes.POINTER(_Options), ctypes.POINTER(_handle))
_declare("bm_gallery_open", c_status, ctypes.c_char_p, ctypes.POINTER(_Options), ctypes.POINTER(_handle))
_declare("bm_gallery_close", None, _handle)
_declare("bm_gallery_record_create", c_status, ctypes.c_char_p, ctypes.POINTER(_handle))
_declare("bm_gallery_record_free", None, _handle)
_declare("bm_gallery_record_set_finger", c_status, _handle, ctypes.c_uint, _handle)
_declare("bm_gallery_record_set_face", c_status, _handle, ctypes.c_void_p, ctypes.c_size_t)
_declare("bm_gallery_record_add_face", c_status, _handle, ctypes.c_void_p, ctypes.c_size_t)
_declare("bm_gallery_record_face_count", ctypes.c_size_t, _handle)
_declare("bm_gallery_record_face_at", ctypes.c_void_p, _handle, ctypes.c_size_t, _size_p)
_declare("bm_gallery_record_set_metadata", c_status, _handle, ctypes.c_char_p, ctypes.c_size_t)
_declare("bm_gallery_record_has_finger", ctypes.c_int, _handle, ctypes.c_uint)
_declare("bm_gallery_record_prepared", ctypes.c_void_p, _handle, ctypes.c_uint, _size_p)
_declare("bm_gallery_record_face", ctypes.c_void_p, _handle, _size_p)
_declare("bm_gallery_record_metadata", ctypes.c_void_p, _handle, _size_p)
_declare("bm_gallery_record_sequence", ctypes.c_uint64, _handle)
_declare("bm_gallery_enroll", c_status, _handle, _handle, ctypes.c_int, _u64_p)
_declare("bm_gallery_delete", c_status, _handle, ctypes.c_char_p, _u64_p)
_declare("bm_gallery_get", c_status, _handle, ctypes.c_char_p, ctypes.POINTER(_handle))
_declare("bm_gallery_count", ctypes.c_size_t, _handle)
_declare("bm_gallery_for_each_id", c_status, _handle, _ID_CALLBACK, ctypes.c_void_p)
_declare("bm_gallery_sync", c_status, _handle)
_declare("bm_gallery_checkpoint", c_status, _handle)
_declare("bm_gallery_compact", c_status, _handle)
_declare("bm_gallery_get_stats", c_status, _handle, ctypes.POINTER(_Stats))
_declare("bm_gallery_probe_create", c_status, ctypes.POINTER(_handle))
_declare("bm_gallery_probe_free", None, _handle)
_declare("bm_gallery_probe_add_finger", c_status, _handle, ctypes.c_uint, _handle)
_declare("bm_gallery_probe_set_face", c_status, _handle, ctypes.c_void_p, ctypes.c_size_t)
_declare("bm_gallery_search_params_init", None, ctypes.POINTER(_SearchParams))
_declare("bm_gallery_identify", c_status, _handle, _handle, ctypes.POINTER(_SearchParams), ctypes.POINTER(_handle))
_declare("bm_gallery_result_free", None, _handle)
_declare("bm_gallery_result_count", ctypes.c_size_t, _handle)
_declare("bm_gallery_result_id", ctypes.c_char_p, _handle, ctypes.c_size_t)
_declare("bm_gallery_result_score", ctypes.c_double, _handle, ctypes.c_size_t)
_declare("bm_gallery_result_fmr", ctypes.c_double, _handle, ctypes.c_size_t)
_declare("bm_gallery_result_finger_count", ctypes.c_size_t, _handle, ctypes.c_size_t)
_declare("bm_gallery_result_finger", c_status, _handle, ctypes.c_size_t, ctypes.c_size_t,
         ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_float),
         ctypes.POINTER(ctypes.c_double))
_declare("bm_gallery_result_face_score", ctypes.c_float, _handle, ctypes.c_size_t)
_declare("bm_gallery_result_face_detail", c_status, _handle, ctypes.c_size_t, _size_p, _size_p)
_declare("bm_gallery_result_comparisons", ctypes.c_uint64, _handle)
_declare("bm_gallery_dedup", c_status, _handle, ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t, ctypes.c_double,
         ctypes.c_uint, _PROGRESS_CALLBACK, ctypes.c_void_p, ctypes.POINTER(_handle))
_declare("bm_gallery_dedup_free", None, _handle)
_declare("bm_gallery_dedup_pair_count", ctypes.c_size_t, _handle)
_declare("bm_gallery_dedup_pair", c_status, _handle, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p),
         ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_double))
_declare("bm_gallery_dedup_cluster_count", ctypes.c_size_t, _handle)
_declare("bm_gallery_dedup_cluster_size", ctypes.c_size_t, _handle, ctypes.c_size_t)
_declare("bm_gallery_dedup_cluster_member", ctypes.c_char_p, _handle, ctypes.c_size_t, ctypes.c_size_t)
_declare("bm_gallery_dedup_pairs_compared", ctypes.c_uint64, _handle)

#: One compared finger of a candidate.
FingerScore = collections.namedtuple("FingerScore", "probe_position record_position score fmr")
#: One candidate of an identification, in rank order. face_score is the best
#: cosine over the record's face embeddings (None: no face compared),
#: face_index which embedding gave it, faces_compared how many were compared.
Candidate = collections.namedtuple("Candidate", "id score fmr fingers face_score face_index faces_compared")
#: One pair found by deduplication (a < b bytewise).
DuplicatePair = collections.namedtuple("DuplicatePair", "a b score fmr")
#: A record read back: prepared fingers by position (uint8 arrays), face (its first float32 embedding or
#: None), metadata (bytes), sequence, faces (every embedding, a list of float32 arrays, in enrolment order).
Record = collections.namedtuple("Record", "id fingers face metadata sequence faces")

#: Most face embeddings one record holds (BM_GALLERY_MAX_FACES).
MAX_FACES = 16


class Candidates(list):
    """The candidate list of an identification; `comparisons` is the number of
    finger comparisons the matcher made (the cascade's cost)."""
    comparisons = 0


class DedupResult:
    """pairs: list of DuplicatePair; clusters: lists of ids; pairs_compared: record pairs compared."""

    def __init__(self, pairs, clusters, pairs_compared):
        self.pairs, self.clusters, self.pairs_compared = pairs, clusters, pairs_compared

    def __repr__(self):
        return "<DedupResult %d pairs, %d clusters, %d record pairs compared>" % (
            len(self.pairs), len(self.clusters), self.pairs_compared)


def _encode_id(record_id):
    return record_id.encode() if isinstance(record_id, str) else bytes(record_id)


def _face_array(face):
    array = np.ascontiguousarray(face, dtype=np.float32)
    if array.ndim != 1:
        raise ValueError("a face embedding is a 1-d float32 vector, got shape %s" % (array.shape,))
    return array


class _Probe(Resource):
    _free = staticmethod(lib.bm_gallery_probe_free)
    _what = "probe"

    def __init__(self, fingers, face):
        handle = _handle()
        check(lib.bm_gallery_probe_create(ctypes.byref(handle)))
        self._handle = handle
        for position, template in (fingers or {}).items():
            check(lib.bm_gallery_probe_add_finger(self._handle, position, template.handle))
        if face is not None:
            vector = _face_array(face)
            check(lib.bm_gallery_probe_set_face(self._handle, vector.ctypes.data, len(vector)))


class Gallery(Resource):
    """A gallery of person records (context manager).

    path: a folder for a persistent gallery (write-ahead log + snapshots,
    created when absent), or None for a memory-only one. shards,
    face_dimension (0 = no faces; 64..2048) and face_storage ("f32", "f16",
    "int8") apply when the gallery is created; sync: "durable" (each write
    on disk before returning) or "deferred" (call sync())."""
    _free = staticmethod(lib.bm_gallery_close)
    _what = "gallery"

    def __init__(self, path=None, shards=8, face_dimension=0, face_storage="f32", sync="durable", prefilter=True):
        options = _Options()
        lib.bm_gallery_options_init(ctypes.byref(options))
        options.shard_count = shards
        options.face_dimension = face_dimension
        options.face_storage = STORAGE[face_storage]
        options.sync = SYNC[sync]
        options.use_prefilter = 1 if prefilter else 0
        handle = _handle()
        if path is None:
            check(lib.bm_gallery_create(ctypes.byref(options), ctypes.byref(handle)))
        else:
            check(lib.bm_gallery_open(os.fsencode(path), ctypes.byref(options), ctypes.byref(handle)))
        self._handle = handle

    def __len__(self):
        return lib.bm_gallery_count(self.handle)

    def enroll(self, record_id, fingers=None, face=None, metadata=None, mode="insert", faces=None):
        """Enrols a record: fingers {position 0..10: Template}, face (1-d float32),
        faces (several embeddings of the person: a sequence of 1-d vectors or a
        2-d array, one row each, added after face; at most MAX_FACES in all),
        metadata (bytes). mode: "insert" (BM_ERR_ALREADY_EXISTS if present),
        "replace" or "merge" (fingers and metadata replace, faces are appended
        to the stored ones). The record matches on its best-agreeing face.
        Returns the log sequence number."""
        record = _handle()
        check(lib.bm_gallery_record_create(_encode_id(record_id), ctypes.byref(record)))
        try:
            for position, template in (fingers or {}).items():
                check(lib.bm_gallery_record_set_finger(record, position, template.handle))
            if face is not None:
                vector = _face_array(face)
                check(lib.bm_gallery_record_set_face(record, vector.ctypes.data, len(vector)))
            for extra in (faces if faces is not None else ()):
                vector = _face_array(extra)
                check(lib.bm_gallery_record_add_face(record, vector.ctypes.data, len(vector)))
            if metadata:
                check(lib.bm_gallery_record_set_metadata(record, bytes(metadata), len(metadata)))
            sequence = ctypes.c_uint64()
            check(lib.bm_gallery_enroll(self.handle, record, ENROLL_MODES[mode], ctypes.byref(sequence)))
            return sequence.value
        finally:
            lib.bm_gallery_record_free(record)

    def delete(self, record_id):
        sequence = ctypes.c_uint64()
        check(lib.bm_gallery_delete(self.handle, _encode_id(record_id), ctypes.byref(sequence)))
        return sequence.value

    def get(self, record_id):
        """The stored record (a Record; fingers in prepared form, copied out)."""
        record = _handle()
        check(lib.bm_gallery_get(self.handle, _encode_id(record_id), ctypes.byref(record)))
        try:
            fingers = {}
            for position in range(11):
                size = ctypes.c_size_t()
                address = lib.bm_gallery_record_prepared(record, position, ctypes.byref(size))
                if address:
                    fingers[position] = np.frombuffer(ctypes.string_at(address, size.value), dtype=np.uint8)
            faces = []
            for k in range(lib.bm_gallery_record_face_count(record)):
                dimension = ctypes.c_size_t()
                address = lib.bm_gallery_record_face_at(record, k, ctypes.byref(dimension))
                faces.append(np.frombuffer(ctypes.string_at(address, 4 * dimension.value), dtype=np.float32))
            face = faces[0] if faces else None
            size = ctypes.c_size_t()
            address = lib.bm_gallery_record_metadata(record, ctypes.byref(size))
            metadata = ctypes.string_at(address, size.value) if address else b""
            return Record(record_id, fingers, face, metadata, lib.bm_gallery_record_sequence(record), faces)
        finally:
            lib.bm_gallery_record_free(record)

    def ids(self):
        """Every live record id, ascending (bytewise), as str."""
        found = []

        def collect(_context, record_id):
            found.append(record_id.decode(errors="surrogateescape"))
            return 0

        check(lib.bm_gallery_for_each_id(self.handle, _ID_CALLBACK(collect), None))
        return found

    def sync(self):
        check(lib.bm_gallery_sync(self.handle))

    def checkpoint(self):
        check(lib.bm_gallery_checkpoint(self.handle))

    def compact(self):
        check(lib.bm_gallery_compact(self.handle))

    def stats(self):
        """Counts and memory figures as a dict (bm_gallery_stats)."""
        stats = _Stats()
        check(lib.bm_gallery_get_stats(self.handle, ctypes.byref(stats)))
        return {name: getattr(stats, name) for name, _ in _Stats._fields_}

    def identify(self, fingers=None, face=None, top_k=10, max_fmr=1.0, penetration=1.0, threads=0):
        """1:N search. fingers {position: Template} (position 0 = unknown: compared
        with every finger, as for a latent; then it must be the only finger);
        face: 1-d float32. Returns Candidates in rank order."""
        params = _SearchParams()
        lib.bm_gallery_search_params_init(ctypes.byref(params))
        params.top_k, params.max_fmr, params.penetration, params.threads = top_k, max_fmr, penetration, threads
        with _Probe(fingers, face) as probe:
            result = _handle()
            check(lib.bm_gallery_identify(self.handle, probe._handle, ctypes.byref(params), ctypes.byref(result)))
        try:
            candidates = Candidates()
            candidates.comparisons = lib.bm_gallery_result_comparisons(result)
            for i in range(lib.bm_gallery_result_count(result)):
                finger_scores = []
                for j in range(lib.bm_gallery_result_finger_count(result, i)):
                    probe_position, record_position = ctypes.c_uint(), ctypes.c_uint()
                    score, fmr = ctypes.c_float(), ctypes.c_double()
                    check(lib.bm_gallery_result_finger(result, i, j, ctypes.byref(probe_position),
                                                       ctypes.byref(record_position), ctypes.byref(score),
                                                       ctypes.byref(fmr)))
                    finger_scores.append(FingerScore(probe_position.value, record_position.value, score.value,
                                                     fmr.value))
                face_score = lib.bm_gallery_result_face_score(result, i)
                face_index, faces_compared = ctypes.c_size_t(), ctypes.c_size_t()
                check(lib.bm_gallery_result_face_detail(result, i, ctypes.byref(face_index),
                                                        ctypes.byref(faces_compared)))
                no_face = face_score != face_score
                candidates.append(Candidate(lib.bm_gallery_result_id(result, i).decode(errors="surrogateescape"),
                                            lib.bm_gallery_result_score(result, i),
                                            lib.bm_gallery_result_fmr(result, i), finger_scores,
                                            None if no_face else face_score, None if no_face else face_index.value,
                                            faces_compared.value))
            return candidates
        finally:
            lib.bm_gallery_result_free(result)

    def dedup(self, batch_ids=None, max_fmr=1e-6, threads=0, progress=None):
        """N:N deduplication (or batch_ids against everything). progress(done, total)
        may return True to cancel (BiomatchError BM_ERR_CANCELLED); an exception
        raised in it cancels too and is re-raised here."""
        raised = []

        def report(_context, done, total):
            try:
                return 1 if progress(done, total) else 0
            except BaseException as error:  # noqa: B902 - re-raised below, after the C call unwinds
                raised.append(error)
                return 1

        callback = _PROGRESS_CALLBACK(report) if progress else _PROGRESS_CALLBACK()
        ids = None
        if batch_ids is not None:
            encoded = [_encode_id(i) for i in batch_ids]
            ids = (ctypes.c_char_p * len(encoded))(*encoded)
        result = _handle()
        try:
            check(lib.bm_gallery_dedup(self.handle, ids, len(batch_ids) if batch_ids is not None else 0, max_fmr,
                                       threads, callback, None, ctypes.byref(result)))
        except BiomatchError:
            if raised:
                raise raised[0]
            raise
        try:
            pairs = []
            for i in range(lib.bm_gallery_dedup_pair_count(result)):
                a, b = ctypes.c_char_p(), ctypes.c_char_p()
                score, fmr = ctypes.c_double(), ctypes.c_double()
                check(lib.bm_gallery_dedup_pair(result, i, ctypes.byref(a), ctypes.byref(b), ctypes.byref(score),
                                                ctypes.byref(fmr)))
                pairs.append(DuplicatePair(a.value.decode(errors="surrogateescape"),
                                           b.value.decode(errors="surrogateescape"), score.value, fmr.value))
            clusters = [[lib.bm_gallery_dedup_cluster_member(result, c, j).decode(errors="surrogateescape")
                         for j in range(lib.bm_gallery_dedup_cluster_size(result, c))]
                        for c in range(lib.bm_gallery_dedup_cluster_count(result))]
            return DedupResult(pairs, clusters, lib.bm_gallery_dedup_pairs_compared(result))
        finally:
            lib.bm_gallery_dedup_free(result)
