"""Errors raised by ceasefire.

Every error a user can cause is a :class:`CeasefireError`, so a caller (the CLI,
the API) can catch one type and print one line::

    CeasefireError
    ├── RegimeError        a regime file is missing, malformed or inconsistent
    ├── GeometryError      a geometry expression cannot be computed (unknown unit, road, place)
    ├── InputError         an input file (events, tracks, articles) cannot be read
    ├── StoreError         the database cannot be opened, migrated or written
    ├── OutputError        an output cannot be written where the user asked
    └── AccessError        no token, a token that is unknown, revoked or expired (401), or a role too low (403)

Messages name the file, the place inside it and what was expected, so that the
user can fix the input without reading a traceback.
"""

from __future__ import annotations


class CeasefireError(Exception):
    """Base of every error the user can act on."""


class RegimeError(CeasefireError):
    """A regime file is missing, malformed or refers to something that does not exist."""


class GeometryError(CeasefireError):
    """A geometry expression names an unknown unit, road or place, or yields nothing."""


class InputError(CeasefireError):
    """An input file cannot be read at all (a bad row is quarantined instead)."""


class StoreError(CeasefireError):
    """The store cannot be opened, migrated or written."""


class OutputError(CeasefireError):
    """An output file cannot be written (missing folder, a format that needs a file)."""


class AccessError(CeasefireError):
    """A request without a valid token (status 401), or by a user whose role does not allow it (403)."""

    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.status = status
