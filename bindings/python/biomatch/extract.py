"""Minutiae extraction from fingerprint images (bm_extract.h, bm_image.h).

Images come as a PNG file path, PNG bytes, or a 2-d numpy uint8 array
(rows x columns, gray). A C-contiguous uint8 array is passed to the library
by pointer (the library makes its own working copy); other arrays are
converted first. Extraction releases the GIL.
"""
import ctypes
import os

import numpy as np

from ._library import _declare, c_status, lib
from ._resource import Resource
from .errors import check
from .template import Template

_handle = ctypes.c_void_p
_declare("bm_image_load_memory", c_status, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_double, ctypes.POINTER(_handle))
_declare("bm_image_from_gray8", c_status, ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint, ctypes.c_size_t,
         ctypes.c_double, ctypes.POINTER(_handle))
_declare("bm_image_free", None, _handle)
_declare("bm_image_width", ctypes.c_uint, _handle)
_declare("bm_image_height", ctypes.c_uint, _handle)
_declare("bm_image_ppi", ctypes.c_double, _handle)
_declare("bm_image_pixels", ctypes.c_void_p, _handle)
_declare("bm_extract_ex", c_status, _handle, ctypes.POINTER(_handle), ctypes.POINTER(_handle))
_declare("bm_extract_write_overlay", c_status, _handle, _handle, _handle, ctypes.c_char_p)


class Image(Resource):
    """A grayscale image held by the library (context manager)."""
    _free = staticmethod(lib.bm_image_free)
    _what = "image"

    def __init__(self, source, ppi=0.0):
        """source: path or PNG bytes (ppi = resolution when the PNG has none),
        or a 2-d uint8 array (ppi = its resolution, default 500)."""
        handle = _handle()
        if isinstance(source, np.ndarray):
            if source.ndim != 2:
                raise ValueError("expected a 2-d gray image, got shape %s" % (source.shape,))
            if source.dtype != np.uint8:
                raise ValueError("expected uint8 pixels, got %s" % source.dtype)
            rows = source if source.strides[1] == 1 else np.ascontiguousarray(source)
            height, width = rows.shape
            check(lib.bm_image_from_gray8(rows.ctypes.data, width, height, rows.strides[0], ppi or 500.0,
                                          ctypes.byref(handle)))
        else:
            if isinstance(source, (str, os.PathLike)):
                with open(source, "rb") as file:
                    source = file.read()
            data = bytes(source)
            check(lib.bm_image_load_memory(data, len(data), ppi, ctypes.byref(handle)))
        self._handle = handle

    @property
    def shape(self):
        return lib.bm_image_height(self.handle), lib.bm_image_width(self.handle)

    @property
    def ppi(self):
        return lib.bm_image_ppi(self.handle)

    @property
    def pixels(self):
        """Read-only numpy view (height x width uint8) of the library's pixels, no copy."""
        height, width = self.shape
        buffer = (ctypes.c_uint8 * (height * width)).from_address(lib.bm_image_pixels(self.handle))
        buffer.owner = self
        view = np.frombuffer(buffer, dtype=np.uint8).reshape(height, width)
        view.flags.writeable = False
        return view


def extract(source, ppi=0.0, overlay=None):
    """Extracts the minutiae of an image: a Template in the image's pixel grid.

    source: an Image, a path, PNG bytes or a 2-d uint8 numpy array (see
    Image). overlay: optional path of a diagnostic PNG (minutiae drawn over
    the image). Raises BiomatchError (e.g. BM_ERR_NOT_A_FINGERPRINT)."""
    own = not isinstance(source, Image)
    image = Image(source, ppi) if own else source
    try:
        template, foreground = _handle(), _handle()
        check(lib.bm_extract_ex(image.handle, ctypes.byref(template),
                                ctypes.byref(foreground) if overlay else None))
        result = Template._adopt(template)
        if overlay:
            try:
                check(lib.bm_extract_write_overlay(image.handle, foreground, template, os.fsencode(overlay)))
            finally:
                lib.bm_image_free(foreground)
        return result
    finally:
        if own:
            image.close()
