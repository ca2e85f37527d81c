"""Base of every Python object that owns a C object: freed deterministically
by close() or by leaving a with-block, else when garbage-collected."""


class Resource:
    """Subclasses set `_handle` in __init__ and name their C free function
    in `_free` (a staticmethod taking the handle) and themselves in `_what`."""
    _free = None
    _what = "object"
    _handle = None

    def close(self):
        """Frees the C object now; later calls do nothing."""
        if self._handle:
            type(self)._free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        self.close()

    @property
    def handle(self):
        """The C pointer; ValueError once closed."""
        if not self._handle:
            raise ValueError("%s is closed" % self._what)
        return self._handle
