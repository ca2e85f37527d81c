"""Errors raised by the package carry the library's status code and message."""
from ._library import lib


class BiomatchError(Exception):
    """A biomatch call failed.

    Attributes:
        code: the numeric bm_status (stable across releases)
        name: its constant name, e.g. "BM_ERR_TRUNCATED"
        message: the library's message for the failing call
    """

    def __init__(self, code, message):
        self.code = code
        self.name = lib.bm_error_name(code).decode()
        self.message = message
        super().__init__("%s: %s" % (self.name, message))


def check(status):
    """Raises BiomatchError for a non-zero status of the call just made."""
    if status != 0:
        raise BiomatchError(status, lib.bm_last_error_message().decode(errors="replace"))
