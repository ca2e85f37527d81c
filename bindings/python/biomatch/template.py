"""Fingerprint templates (bm_template.h) and their file formats (bm_template_io.h)."""
import ctypes
import os

import numpy as np

from ._library import _declare, c_status, lib
from ._resource import Resource
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
_declare("bm_template_clone", c_status, _handle, ctypes.POINTER(_handle))

#: Format names accepted by read() and write(), as bm_template_format_name() spells them.
FORMATS = {"auto": 0, "iso2005": 1, "iso2011": 2, "ansi378": 3, "xyt": 4, "bm": 5}
_FORMAT_NAMES = {code: name for name, code in FORMATS.items()}
LENIENT, XYT_ISO_ORIENTATION = 0x1, 0x2


class _ReadOptions(ctypes.Structure):
    """bm_read_options; always initialised by bm_read_options_init()."""
    _fields_ = [("struct_size", ctypes.c_uint32), ("format", ctypes.c_uint32), ("view_index", ctypes.c_uint32),
                ("flags", ctypes.c_uint32), ("xyt_width", ctypes.c_uint32), ("xyt_height", ctypes.c_uint32),
                ("xyt_ppi", ctypes.c_double)]


_declare("bm_read_options_init", None, ctypes.POINTER(_ReadOptions))
_declare("bm_template_read_memory_ex", c_status, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_ReadOptions),
         ctypes.POINTER(_handle))
_declare("bm_template_count_views", c_status, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_ReadOptions),
         ctypes.POINTER(ctypes.c_size_t))
_declare("bm_template_detect_format", c_status, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int))
_declare("bm_template_write_memory", c_status, _handle, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p,
         ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t))


def _format_code(name):
    if name not in FORMATS:
        raise ValueError("unknown template format %r (one of %s)" % (name, ", ".join(sorted(FORMATS))))
    return FORMATS[name]


def _read_options(format, view, lenient, ppi, width, height, iso_orientation):
    options = _ReadOptions()
    lib.bm_read_options_init(ctypes.byref(options))
    options.format = _format_code(format or "auto")
    options.view_index = view
    options.flags = (LENIENT if lenient else 0) | (XYT_ISO_ORIENTATION if iso_orientation else 0)
    options.xyt_width, options.xyt_height = width, height
    if ppi:
        options.xyt_ppi = ppi
    return options


def _as_bytes(source):
    """Bytes of a record given as bytes-like data or a path."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as file:
            return file.read()
    return bytes(source)


def detect_format(source):
    """Format name of a record (bytes or path), from its content."""
    data = _as_bytes(source)
    code = ctypes.c_int()
    check(lib.bm_template_detect_format(data, len(data), ctypes.byref(code)))
    return _FORMAT_NAMES[code.value]


def count_views(source, format=None, lenient=False, ppi=0.0, width=0, height=0, iso_orientation=False):
    """Validates a whole record (bytes or path) and returns its number of finger views."""
    data = _as_bytes(source)
    options = _read_options(format, 0, lenient, ppi, width, height, iso_orientation)
    count = ctypes.c_size_t()
    check(lib.bm_template_count_views(data, len(data), ctypes.byref(options), ctypes.byref(count)))
    return count.value


class Template(Resource):
    """One finger view: geometry, finger data and minutiae.

    Use as a context manager (or call close()) to free the C object at a
    known moment; otherwise it is freed when garbage-collected.
    """
    _free = staticmethod(lib.bm_template_free)
    _what = "template"

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
    def read(cls, source, format=None, view=0, lenient=False, ppi=0.0, width=0, height=0, iso_orientation=False):
        """Reads one finger view of a record given as a path or bytes.

        format: None (detect from content) or a name of FORMATS; view: index
        of the finger view; the remaining arguments are those of
        bm_read_options (xyt resolution, image size and orientation)."""
        data = _as_bytes(source)
        options = _read_options(format, view, lenient, ppi, width, height, iso_orientation)
        handle = _handle()
        check(lib.bm_template_read_memory_ex(data, len(data), ctypes.byref(options), ctypes.byref(handle)))
        return cls._adopt(handle)

    def to_bytes(self, format="iso2005", iso_orientation=False):
        """The template as one single-view record in `format` (a name of FORMATS)."""
        code = _format_code(format)
        flags = XYT_ISO_ORIENTATION if iso_orientation else 0
        size = ctypes.c_size_t()
        check(lib.bm_template_write_memory(self.handle, code, flags, None, 0, ctypes.byref(size)))
        buffer = ctypes.create_string_buffer(size.value)
        check(lib.bm_template_write_memory(self.handle, code, flags, buffer, size.value, ctypes.byref(size)))
        return buffer.raw[:size.value]

    def write(self, path, format="iso2005", iso_orientation=False):
        """Writes the template to `path` (replaced if present)."""
        data = self.to_bytes(format, iso_orientation)
        with open(path, "wb") as file:
            file.write(data)

    def copy(self):
        """An independent deep copy (its own C object)."""
        handle = _handle()
        check(lib.bm_template_clone(self.handle, ctypes.byref(handle)))
        return Template._adopt(handle)

    def __len__(self):
        return lib.bm_template_minutia_count(self.handle)

    def __repr__(self):
        if not getattr(self, "_handle", None):
            return "<biomatch.Template (closed)>"
        width, height, ppi_x, _ = self.image
        return "<biomatch.Template %dx%d %.0f ppi, finger %d, %d minutiae>" % (width, height, ppi_x, self.finger[0],
                                                                             len(self))

    @classmethod
    def _adopt(cls, handle):
        """Wraps a bm_template* the caller owns (used by readers)."""
        template = cls.__new__(cls)
        template._handle = handle
        return template

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
        buffer.owner = self  # the view keeps the template from being garbage-collected
        view = np.frombuffer(buffer, dtype=MINUTIA_DTYPE)
        view.flags.writeable = False
        return view

    @minutiae.setter
    def minutiae(self, minutiae):
        array = np.ascontiguousarray(minutiae, dtype=MINUTIA_DTYPE) if not isinstance(minutiae, list) else \
            np.array([tuple(m) + ((0, 0),) if len(m) == 5 else tuple(m) for m in minutiae], dtype=MINUTIA_DTYPE)
        check(lib.bm_template_set_minutiae(self.handle, array.ctypes.data, len(array)))
