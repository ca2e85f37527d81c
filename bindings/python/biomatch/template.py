"""Fingerprint templates (bm_template.h)."""
import ctypes

import numpy as np

from ._library import _declare, c_status, lib
from .errors import check

#: numpy view of the C struct bm_minutia (12 bytes, fixed by the ABI).
MINUTIA_DTYPE = np.dtype(
    [("x", "<u2"), ("y", "<u2"), ("angle", "<f4"), ("type", "u1"), ("quality", "u1"), ("reserved", "u1", (2,))]
)
assert MINUTIA_DTYPE.itemsize == 12

RIDGE_ENDING, BIFURCATION, OTHER = 1, 2, 0
QUALITY_UNKNOWN = 254

_handle = ctypes.c_void_p
_declare("bm_template_create", c_status, ctypes.POINTER(_handle))
_declare("bm_template_free", None, _handle)
_declare("bm_template_set_image", c_status, _handle, ctypes.c_uint, ctypes.c_uint, ctypes.c_double, ctypes.c_double)
_declare("bm_template_get_image", None, _handle, ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint),
         ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_double))
_declare("bm_template_set_finger", c_status, _handle, ctypes.c_uint, ctypes.c_uint, ctypes.c_uint)
_declare("bm_template_get_finger", None, _handle, ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint),
         ctypes.POINTER(ctypes.c_uint))
_declare("bm_template_minutia_count", ctypes.c_size_t, _handle)
_declare("bm_template_minutiae", ctypes.c_void_p, _handle)
_declare("bm_template_set_minutiae", c_status, _handle, ctypes.c_void_p, ctypes.c_size_t)


class Template:
    """One finger view: geometry, finger data and minutiae.

    Use as a context manager (or call close()) to free the C object at a
    known moment; otherwise it is freed when garbage-collected.
    """

    def __init__(self, width=0, height=0, ppi=500.0, minutiae=None, position=0, impression=0,
                 quality=QUALITY_UNKNOWN):
        handle = _handle()
        check(lib.bm_template_create(ctypes.byref(handle)))
        self._handle = handle
        check(lib.bm_template_set_image(self._handle, width, height, ppi, ppi))
        check(lib.bm_template_set_finger(self._handle, position, impression, quality))
        if minutiae is not None:
            self.minutiae = minutiae

    @classmethod
    def _adopt(cls, handle):
        """Wraps a bm_template* the caller owns (used by readers)."""
        template = cls.__new__(cls)
        template._handle = handle
        return template

    def close(self):
        if getattr(self, "_handle", None):
            lib.bm_template_free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        self.close()

    @property
    def handle(self):
        if not self._handle:
            raise ValueError("template is closed")
        return self._handle

    @property
    def image(self):
        """(width, height, ppi_x, ppi_y)."""
        width, height = ctypes.c_uint(), ctypes.c_uint()
        ppi_x, ppi_y = ctypes.c_double(), ctypes.c_double()
        lib.bm_template_get_image(self.handle, ctypes.byref(width), ctypes.byref(height), ctypes.byref(ppi_x),
                                  ctypes.byref(ppi_y))
        return width.value, height.value, ppi_x.value, ppi_y.value

    @property
    def finger(self):
        """(position, impression type, quality)."""
        values = [ctypes.c_uint() for _ in range(3)]
        lib.bm_template_get_finger(self.handle, *(ctypes.byref(v) for v in values))
        return tuple(v.value for v in values)

    @property
    def minutiae(self):
        """Read-only numpy array of MINUTIA_DTYPE viewing the C storage (no copy).

        The view stays valid while this template is open and unmodified."""
        count = lib.bm_template_minutia_count(self.handle)
        if count == 0:
            return np.zeros(0, dtype=MINUTIA_DTYPE)
        address = lib.bm_template_minutiae(self.handle)
        buffer = (ctypes.c_char * (count * MINUTIA_DTYPE.itemsize)).from_address(address)
        view = np.frombuffer(buffer, dtype=MINUTIA_DTYPE)
        view.flags.writeable = False
        return view

    @minutiae.setter
    def minutiae(self, minutiae):
        array = np.ascontiguousarray(minutiae, dtype=MINUTIA_DTYPE) if not isinstance(minutiae, list) else \
            np.array([tuple(m) + ((0, 0),) if len(m) == 5 else tuple(m) for m in minutiae], dtype=MINUTIA_DTYPE)
        check(lib.bm_template_set_minutiae(self.handle, array.ctypes.data, len(array)))
