"""Vectorised conversion of raw text columns (Arrow) into typed columns, recording each bad row.

Every reader hands a batch of raw columns (binary, exactly as read) to a :class:`Converter`;
each conversion returns a typed Arrow array and marks the rows it could not convert with the
field and a reason. The first problem of a row is the one reported; such rows go to the
quarantine, never silently away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NUMBER = r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$"
INTEGER = r"^\s*[-+]?\d+\s*$"
NON_FINITE = r"(?i)^\s*[-+]?(nan|inf|infinity)\s*$"
COUNT_MAX = 2**31 - 1
RAW_SEPARATOR = "\x1f"


class Converter:
    def __init__(self, columns: Mapping[str, pa.Array], num_rows: int, utf8: bool = False):
        self.columns = columns
        self.n = num_rows
        self.utf8 = utf8  # every column's bytes are known to be UTF-8 (their whole row was checked)
        self.field = np.full(num_rows, None, dtype=object)
        self.reason = np.full(num_rows, None, dtype=object)
        self._flagged = np.zeros(num_rows, bool)  # field != None, kept as booleans: cheaper to test

    # -- bookkeeping
    def flag(self, mask: np.ndarray | pa.Array, field: str, reason: str | np.ndarray) -> None:
        mask = _np_mask(mask)
        new = mask & ~self._flagged
        if new.any():
            self._flagged |= new
            self.field[new] = field
            self.reason[new] = reason[new] if isinstance(reason, np.ndarray) else reason

    @property
    def bad(self) -> np.ndarray:
        return self._flagged.copy()

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
            out = raw.view(pa.string()) if self.utf8 else pc.cast(raw, pa.string())
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
        out = _trimmed(out)
        empty = lengths(out) == 0
        if out.null_count:
            empty &= out.is_valid().to_numpy(zero_copy_only=False)
        if empty.any():
            out = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), out)
        if required:
            self.flag(pc.is_null(out), name, "missing value")
        return out

    def number(self, name: str, lo: float | None = None, hi: float | None = None, required: bool = False,
               integer: bool = False) -> np.ndarray:
        text = self.text(name, required)
        clean = text  # every value that is there is a number (the common case): no copy
        if not _plain_numbers(text, integer):  # only then is the pattern asked
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
        valid = pc.is_valid(text).to_numpy(zero_copy_only=False)
        days = np.full(self.n, NOT_PARSED, dtype=np.int32)
        if formats and formats[0] == "%Y-%m-%d":
            days = _iso_days(text, valid)  # the usual form, read at once; the rest as below
        todo = np.flatnonzero(valid & (days == NOT_PARSED))
        for fmt in formats:
            if todo.size == 0:
                break
            subset = text.take(pa.array(todo))
            if fmt == "%Y-%m-%d":  # timestamps like "2019-05-06 00:00:00.000" keep their date part
                subset = pc.utf8_slice_codeunits(subset, 0, 10)
            attempt = pc.strptime(subset, format=fmt, unit="s", error_is_null=True)
            ok = pc.fill_null(_prints_back(subset, attempt, fmt), False).to_numpy(zero_copy_only=False)
            parsed = pc.cast(pc.cast(attempt, pa.date32()), pa.int32()).to_numpy(zero_copy_only=False)
            days[todo[ok]] = parsed[ok]
            todo = todo[~ok]
        missing = days == NOT_PARSED
        bad = missing & valid
        self.flag(bad, name, f"not a date in the form {' or '.join(formats)}")
        # year < 1900 or year > next year, told by the day number
        last = _days_from_civil(np.array([dt.date.today().year + 2]), np.array([1]), np.array([1]))[0]
        implausible = ~missing & ((days < _DAY_1900) | (days >= last))
        self.flag(implausible, name, "date outside 1900 … next year")
        return pa.array(days, pa.int32(), mask=missing | implausible).cast(pa.date32())


NOT_PARSED = np.iinfo(np.int32).min
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_DAY_1900 = -25567  # 1900-01-01


def _iso_days(text: pa.Array, valid: np.ndarray) -> np.ndarray:
    """Days since 1970 of each value written exactly YYYY-MM-DD, a real date of 1900–2199; NOT_PARSED for others.

    What strptime("%Y-%m-%d") and _prints_back make of such a value, without them: a value of another
    shape (a timestamp, another format, a 30 February) is left to them."""
    n = len(text)
    out = np.full(n, NOT_PARSED, np.int32)
    if n == 0 or text.buffers()[2] is None:
        return out
    rows = np.flatnonzero((lengths(text) == 10) & valid)
    if rows.size == 0:
        return out
    offsets = np.frombuffer(text.buffers()[1], np.int32, n + 1, text.offset * 4)
    data = np.frombuffer(text.buffers()[2], np.uint8)
    if rows.size == n:  # every value 10 bytes, one after the other: their bytes are a table as they lie
        chars = data[offsets[0]:offsets[0] + 10 * n].reshape(n, 10)
    else:
        chars = data[offsets[rows][:, None] + np.arange(10)]
    digits = chars.astype(np.int32) - ord("0")
    shape = (chars[:, 4] == ord("-")) & (chars[:, 7] == ord("-")) & \
        (digits.take([0, 1, 2, 3, 5, 6, 8, 9], axis=1).view(np.uint32) <= 9).all(1)  # below "0" wraps around
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 5] * 10 + digits[:, 6]
    day = digits[:, 8] * 10 + digits[:, 9]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month - 1, 0, 11)] + ((month == 2) & leap)
    ok = shape & (year >= 1900) & (year < 2200) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    out[rows[ok]] = _days_from_civil(year[ok], month[ok], day[ok])
    return out


_NUMBER_BYTES = np.zeros(256, np.int8)  # 1 a digit, 2 a point, 3 a minus sign, 0 any other byte
_NUMBER_BYTES[ord("0"):ord("9") + 1] = 1
_NUMBER_BYTES[ord(".")] = 2
_NUMBER_BYTES[ord("-")] = 3


def _plain_numbers(text: pa.Array, integer: bool) -> bool:
    """Whether every value is written plainly: digits, at most one point (none for an integer) and at most a
    leading minus — numbers NUMBER (INTEGER) accepts, told without a regex pass. False means: ask the regex."""
    n = len(text)
    data = text.buffers()[2]
    if n == 0 or data is None:
        return False
    offsets = np.frombuffer(text.buffers()[1], np.int32, n + 1, text.offset * 4)
    chars = np.frombuffer(data, np.uint8)[offsets[0]:offsets[-1]]
    kind = _NUMBER_BYTES[chars]
    if not (kind != 0).all():
        return False
    # the other bytes are few (a point, a sign): each is placed in its value
    starts, ends = offsets[:-1] - offsets[0], offsets[1:] - offsets[0]
    others = np.flatnonzero(kind != 1)
    value = np.searchsorted(ends, others, side="right")
    points = kind[others] == 2
    misplaced_sign = ~points & (others != starts[value])
    too_many_points = np.bincount(value[points], minlength=n) > (0 if integer else 1)
    no_digit = np.bincount(value, minlength=n) >= ends - starts  # empty, or only a point and a sign
    plain = ~too_many_points & ~no_digit
    plain[value[misplaced_sign]] = False
    if text.null_count:
        plain |= ~text.is_valid().to_numpy(zero_copy_only=False)
    return bool(plain.all())


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's days_from_civil; years from 0)."""
    year = year - (month <= 2)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def _prints_back(text: pa.Array, parsed: pa.Array, fmt: str) -> pa.Array:
    """Arrow rolls 2019-02-30 over to 2019-03-02: keep only dates that print back as written."""
    if fmt == "%Y-%m-%d":  # the common case, checked cheaply: the day of month must survive ("2018-1-2" too)
        day = pc.struct_field(pc.extract_regex(text, r"-(?P<day>[0-9]{1,2})$"), [0])
        return pc.equal(pc.day(parsed), pc.cast(day, pa.int64()))
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


def first_match(text: pa.Array, patterns: Sequence[str]) -> np.ndarray:
    """Per value: the index of the first of ``patterns`` (RE2, as ``pc.match_substring_regex``) found in it,
    -1 where none is (or the value is null).

    The same answer as testing each pattern in turn, at a fraction of the cost: one pass of all the patterns
    joined tells which values hold any, and each value that does is then placed by halving the list (does it
    hold one of the first half?), so a value costs about log2(len(patterns)) passes, not len(patterns). A
    pass is RE2's DFA over the value, and a pass that finds a match stops there.
    """
    out = np.full(len(text), -1, np.int16)
    if not patterns or len(text) == 0:
        return out
    hit = matches(text, any_of(patterns))
    # (rows, their values, lo, hi): each of these values holds one of patterns[lo:hi] and none before lo
    todo = [(np.flatnonzero(hit), text.filter(pa.array(hit)), 0, len(patterns))]
    while todo:
        rows, values, lo, hi = todo.pop()
        if len(rows) == 0:
            continue
        if hi - lo == 1:
            out[rows] = lo
            continue
        mid = (lo + hi) // 2
        early = matches(values, any_of(patterns[lo:mid]))
        for side, start, end in ((early, lo, mid), (~early, mid, hi)):
            if end - start == 1:  # placed: no need to copy its values
                out[rows[side]] = start
            else:
                todo.append((rows[side], values.filter(pa.array(side)), start, end))
    return out


def any_of(patterns: Sequence[str]) -> str:
    """One RE2 pattern that matches where any of ``patterns`` does (each keeps its own flags, e.g. ``(?i)``)."""
    return "|".join(f"(?:{pattern})" for pattern in patterns)


def matches(text: pa.Array, pattern: str) -> np.ndarray:
    """``pc.match_substring_regex`` as booleans, null (no value) as False."""
    if len(text) == 0:
        return np.zeros(0, bool)
    return np.asarray(pc.fill_null(pc.match_substring_regex(text, pattern), False).to_numpy(zero_copy_only=False),
                      dtype=bool)


DISTINCT_SAMPLE = 2000  # values looked at to decide whether a column repeats itself


def per_distinct(values: pa.Array, fn: Callable[[pa.Array], np.ndarray], null: int) -> np.ndarray:
    """``fn(values)`` (one number per value), computed once per distinct value when the column repeats itself.

    Free text (ACLED notes) is nearly all distinct and is passed as it is; a column whose sample of first
    values has few distinct ones is dictionary-encoded and ``fn`` runs on its dictionary. Nulls give ``null``.
    """
    n = len(values)
    if n > 4 * DISTINCT_SAMPLE and len(pc.unique(values.slice(0, DISTINCT_SAMPLE))) * 4 < DISTINCT_SAMPLE:
        encoded = pc.dictionary_encode(values)
        per_value = fn(encoded.dictionary)
        indices = encoded.indices
        out = per_value[pc.fill_null(indices, 0).to_numpy(zero_copy_only=False)]
        if indices.null_count:
            out[~indices.is_valid().to_numpy(zero_copy_only=False)] = null
        return out
    return fn(values)


def lengths(values: pa.Array) -> np.ndarray:
    """The byte length of each value of a string or binary array (0 for a null), from its offsets."""
    offsets = np.frombuffer(values.buffers()[1], np.int32, len(values) + 1, values.offset * 4)
    return np.diff(offsets)


def _trimmed(text: pa.Array) -> pa.Array:
    """``pc.utf8_trim_whitespace``, skipped when no value starts or ends with a byte that could be whitespace.

    Whitespace (ASCII or not) starts and ends with a byte below 0x21 or above 0x7e; a column with no such
    byte at either end of any value is left as it is (the usual case: no copy)."""
    n = len(text)
    data = text.buffers()[2]
    if n == 0 or data is None:
        return pc.utf8_trim_whitespace(text)
    offsets = np.frombuffer(text.buffers()[1], np.int32, n + 1, text.offset * 4)
    nonempty = offsets[1:] > offsets[:-1]
    if nonempty.any():
        bytes_ = np.frombuffer(data, np.uint8)
        first, last = bytes_[offsets[:-1][nonempty]], bytes_[offsets[1:][nonempty] - 1]
        if ((first < 0x21) | (first > 0x7e) | (last < 0x21) | (last > 0x7e)).any():
            return pc.utf8_trim_whitespace(text)
    return text


def raw_rows(columns: Sequence[pa.Array]) -> pa.Array:
    """Each row's values joined by U+001F, as read: the verbatim record (the header is kept per ingest)."""
    arrays = [pc.fill_null(pc.cast(a, pa.binary()), b"") for a in columns]
    return pc.binary_join_element_wise(*arrays, pa.scalar(RAW_SEPARATOR.encode(), pa.binary()))


def _np_mask(mask: np.ndarray | pa.Array) -> np.ndarray:
    if isinstance(mask, (pa.Array, pa.ChunkedArray)):
        return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(mask, dtype=bool)
