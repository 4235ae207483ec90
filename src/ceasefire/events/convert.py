"""Vectorised conversion of raw text columns (Arrow) into typed columns, recording each bad row.

Every reader hands a batch of raw columns (binary, exactly as read) to a :class:`Converter`;
each conversion returns a typed Arrow array and marks the rows it could not convert with the
field and a reason. The first problem of a row is the one reported; such rows go to the
quarantine, never silently away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NUMBER = r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$"
INTEGER = r"^\s*[-+]?\d+\s*$"
NON_FINITE = r"(?i)^\s*[-+]?(nan|inf|infinity)\s*$"
COUNT_MAX = 2**31 - 1
RAW_SEPARATOR = "\x1f"


class Converter:
    def __init__(self, columns: Mapping[str, pa.Array], num_rows: int):
        self.columns = columns
        self.n = num_rows
        self.field = np.full(num_rows, None, dtype=object)
        self.reason = np.full(num_rows, None, dtype=object)

    # -- bookkeeping
    def flag(self, mask: np.ndarray | pa.Array, field: str, reason: str | np.ndarray) -> None:
        mask = _np_mask(mask)
        new = mask & (self.field == None)  # noqa: E711 — elementwise on an object array
        if new.any():
            self.field[new] = field
            self.reason[new] = reason[new] if isinstance(reason, np.ndarray) else reason

    @property
    def bad(self) -> np.ndarray:
        return self.field != None  # noqa: E711

    def has(self, name: str) -> bool:
        return name in self.columns

    # -- conversions
    def text(self, name: str, required: bool = False) -> pa.Array:
        if name not in self.columns:
            if required:
                self.flag(np.ones(self.n, bool), name, "missing column")
            return pa.nulls(self.n, pa.string())
        raw = self.columns[name]
        try:
            out = pc.cast(raw, pa.string())
        except pa.ArrowInvalid:
            values = raw.to_pylist()
            invalid = np.zeros(self.n, bool)
            decoded: list[str | None] = []
            for i, v in enumerate(values):
                try:
                    decoded.append(None if v is None else v.decode("utf-8"))
                except UnicodeDecodeError:
                    invalid[i] = True
                    decoded.append(None)
            self.flag(invalid, name, "bytes that are not UTF-8 (is the file Latin-1? save it as UTF-8)")
            out = pa.array(decoded, pa.string())
        out = pc.utf8_trim_whitespace(out)
        out = pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)
        if required:
            self.flag(pc.is_null(out), name, "missing value")
        return out

    def number(self, name: str, lo: float | None = None, hi: float | None = None, required: bool = False,
               integer: bool = False) -> np.ndarray:
        text = self.text(name, required)
        ok = pc.match_substring_regex(text, INTEGER if integer else NUMBER)
        malformed = pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(ok, False)))
        if pc.any(malformed).as_py():
            self.flag(pc.and_(malformed, pc.fill_null(pc.match_substring_regex(text, NON_FINITE), False)), name,
                      "not a finite number")
            self.flag(malformed, name, f"not a{'n integer' if integer else ' number'}")
        clean = pc.if_else(pc.fill_null(ok, False), text, pa.scalar(None, pa.string()))
        values = pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False)
        huge = np.isinf(values)  # digits enough to overflow a double ("1e999", 400 nines)
        if huge.any():
            self.flag(huge, name, "not a finite number (too large)")
            values = np.where(huge, np.nan, values)
        if lo is not None and hi is not None:
            out_of_range = ~np.isnan(values) & ((values < lo) | (values > hi))
            if out_of_range.any():
                shown = (lambda v: f"{v:.0f}") if integer else (lambda v: f"{v:g}")
                reasons = np.full(self.n, None, dtype=object)
                reasons[out_of_range] = [f"{shown(v)} is outside [{shown(lo)}, {shown(hi)}]"
                                         for v in values[out_of_range]]
                self.flag(out_of_range, name, reasons)
                values = np.where(out_of_range, np.nan, values)
        return values

    def count(self, name: str) -> np.ndarray:
        """A count (deaths): a whole number from 0 to the largest the store's int32 column holds."""
        return self.number(name, 0, COUNT_MAX, integer=True)

    def date(self, name: str, formats: Sequence[str] = ("%Y-%m-%d",), required: bool = False) -> pa.Array:
        text = self.text(name, required)
        # Timestamps like "2019-05-06 00:00:00.000" keep their date part.
        iso_head = pc.utf8_slice_codeunits(text, 0, 10)
        head = text
        days = np.full(self.n, np.iinfo(np.int32).min, dtype=np.int32)  # "not parsed yet"
        todo = np.flatnonzero(pc.is_valid(head).to_numpy(zero_copy_only=False))
        for fmt in formats:
            if todo.size == 0:
                break
            subset = (iso_head if fmt == "%Y-%m-%d" else head).take(pa.array(todo))
            attempt = pc.strptime(subset, format=fmt, unit="s", error_is_null=True)
            ok = pc.fill_null(_prints_back(subset, attempt, fmt), False).to_numpy(zero_copy_only=False)
            parsed = pc.cast(pc.cast(attempt, pa.date32()), pa.int32()).to_numpy(zero_copy_only=False)
            days[todo[ok]] = parsed[ok]
            todo = todo[~ok]
        missing = days == np.iinfo(np.int32).min
        bad = missing & pc.is_valid(text).to_numpy(zero_copy_only=False)
        self.flag(bad, name, f"not a date in the form {' or '.join(formats)}")
        year = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        implausible = ~missing & ((year < 1900) | (year > dt.date.today().year + 1))
        self.flag(implausible, name, "date outside 1900 … next year")
        return pa.array(days, pa.int32(), mask=missing | implausible).cast(pa.date32())


def _prints_back(text: pa.Array, parsed: pa.Array, fmt: str) -> pa.Array:
    """Arrow rolls 2019-02-30 over to 2019-03-02: keep only dates that print back as written."""
    if fmt == "%Y-%m-%d":  # the common case, checked cheaply: the day of month must survive
        written = pc.cast(pc.utf8_slice_codeunits(pc.if_else(pc.is_valid(parsed), text, "0000-00-00"), 8, 10),
                          pa.int64())
        return pc.equal(pc.day(parsed), written)
    back = pc.strftime(parsed, format=fmt)
    return pc.equal(_no_leading_zeros(pc.utf8_lower(back)), _no_leading_zeros(pc.utf8_lower(text)))


def _no_leading_zeros(text: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(text, r"(^|[^0-9])0+([0-9])", r"\1\2")


def map_values(values: pa.Array, mapping: Mapping[str | None, str | None], default: str | None = None) -> pa.Array:
    """Map a low-cardinality string column through a dict, at the speed of its distinct values."""
    encoded = pc.dictionary_encode(values).combine_chunks() if isinstance(values, pa.ChunkedArray) \
        else pc.dictionary_encode(values)
    mapped = pa.array([mapping.get(v, default) for v in encoded.dictionary.to_pylist()], pa.string())
    out = mapped.take(encoded.indices)
    if None in mapping:
        out = pc.if_else(pc.is_null(values), pa.scalar(mapping[None], pa.string()), out)
    return out


def raw_rows(columns: Mapping[str, pa.Array]) -> pa.Array:
    """Each row's values joined by U+001F, as read: the verbatim record (the header is kept per ingest)."""
    arrays = [pc.fill_null(pc.cast(a, pa.binary()), b"") for a in columns.values()]
    return pc.binary_join_element_wise(*arrays, pa.scalar(RAW_SEPARATOR.encode(), pa.binary()))


def _np_mask(mask: np.ndarray | pa.Array) -> np.ndarray:
    if isinstance(mask, (pa.Array, pa.ChunkedArray)):
        return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(mask, dtype=bool)
