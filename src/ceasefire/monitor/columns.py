"""Event columns as the monitor reads them: codes into a few distinct values, whatever backs the frame.

Judging tests string columns (kinds, actors, precisions, units) by table lookups over their distinct
values. ``EventColumns`` dictionary-encodes each column once (Arrow), so 1M rows cost one encode per
column, and hands out codes, distinct values, or plain values for a subset of rows. A view of some
rows (:meth:`EventColumns.subset`) reads only those rows, reusing the codes already made.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


class EventColumns:
    def __init__(self, events: pd.DataFrame, rows: np.ndarray | None = None):
        self.events = events
        self.rows = rows  # the rows of ``events`` this view reads (None: all)
        self.n = len(events) if rows is None else len(rows)
        self._encoded: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._arrays: dict[str, pa.Array] = {}
        self._whole: dict[str, pa.Array] = {}  # the frame's columns as Arrow, shared by every view of the frame

    def subset(self, rows: np.ndarray) -> EventColumns:
        """A view of ``rows`` (positions in this view), sharing the codes made so far."""
        view = EventColumns(self.events, rows if self.rows is None else self.rows[rows])
        view._encoded = {name: (codes[rows], uniques) for name, (codes, uniques) in self._encoded.items()}
        view._whole = self._whole
        return view

    def take(self, name: str, rows: np.ndarray) -> pa.Array:
        """The values of ``rows`` (positions in this view) as Arrow: from this view's column if it has read
        it, else straight from the frame's."""
        if name in self._arrays or name not in self.events:
            return self.arrow(name).take(pa.array(rows))
        return _take(self._column(name), rows if self.rows is None else self.rows[rows])

    def has(self, name: str) -> bool:
        return name in self.events

    def _column(self, name: str) -> pa.Array | pa.ChunkedArray:
        """The frame's whole column as Arrow (in the frame's chunks: joining them would copy it)."""
        if name not in self._whole:
            column = self.events[name]
            self._whole[name] = pa.array(column, from_pandas=True) if column.dtype != object else pa.array(
                column.to_numpy(), type=pa.string(), from_pandas=True)
        return self._whole[name]

    def arrow(self, name: str) -> pa.Array:
        if name not in self._arrays:
            if name not in self.events:
                return pa.nulls(self.n, pa.string())
            column = self._column(name)
            if self.rows is not None:
                self._arrays[name] = _take(column, self.rows)
            else:
                self._arrays[name] = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        return self._arrays[name]

    def floats(self, name: str) -> np.ndarray:
        """A numeric column as float64 (NaN where missing)."""
        values = self.events[name].to_numpy(np.float64)
        return values if self.rows is None else values[self.rows]

    def numbers(self, name: str) -> np.ndarray:
        """A column read as numbers, whatever its type (NaN where missing or not a number)."""
        column = self.events[name] if self.rows is None else self.events[name].iloc[self.rows]
        return pd.to_numeric(column, errors="coerce").to_numpy(np.float64, na_value=np.nan)

    def flags(self, name: str) -> np.ndarray:
        """A boolean column (False where the frame has no such column)."""
        if name not in self.events:
            return np.zeros(self.n, bool)
        values = self.events[name].to_numpy(bool)
        return values if self.rows is None else values[self.rows]

    def codes(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Codes (-1 where missing) and the distinct values they index (an object array)."""
        if name not in self._encoded:
            array = self.arrow(name)
            if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
                array = pc.cast(array, pa.string())
            encoded = pc.dictionary_encode(array)
            codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
            uniques = np.array(encoded.dictionary.to_pylist() + [None], dtype=object)[:-1]
            self._encoded[name] = (codes, uniques)
        return self._encoded[name]

    def values(self, name: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Plain values (None where missing) of all rows, or of ``rows``."""
        codes, uniques = self.codes(name)
        picked = codes if rows is None else codes[rows]
        return np.append(uniques, None)[picked]

    def equals(self, name: str, value: str) -> np.ndarray:
        codes, uniques = self.codes(name)
        return np.append(uniques == value, False)[codes]


def _take(column: pa.Array | pa.ChunkedArray, rows: np.ndarray) -> pa.Array:
    """``column.take(rows)`` as one array, chunk by chunk: Arrow would first join a chunked column's
    chunks, copying all of it to read a few rows."""
    if isinstance(column, pa.Array):
        return column.take(pa.array(rows))
    starts = np.cumsum([0] + [len(chunk) for chunk in column.chunks])
    chunk = np.searchsorted(starts, rows, side="right") - 1
    ordered = bool((np.diff(chunk) >= 0).all())  # rows in frame order need no sorting back
    if not ordered:
        order = np.argsort(chunk, kind="stable")
        chunk, rows = chunk[order], rows[order]
    bounds = np.searchsorted(chunk, np.arange(column.num_chunks + 1))
    parts = [column.chunk(c).take(pa.array(rows[bounds[c]:bounds[c + 1]] - starts[c]))
             for c in range(column.num_chunks) if bounds[c] < bounds[c + 1]]
    taken = pa.concat_arrays(parts) if parts else pa.array([], column.type)
    return taken if ordered else taken.take(pa.array(np.argsort(order)))


def combine(*codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One code per distinct combination of the given columns (integers, or other values compared as
    values): the code of every row, and the first row of each combination (codes run 0, 1, 2, … in order
    of first appearance)."""
    key, size = np.zeros(len(codes[0]), np.int64), 1
    for column in codes:
        column = np.asarray(column)
        if column.dtype.kind in "biu" and len(column):  # small integers: a digit of a mixed-radix number
            low = int(column.min())
            column, values = column.astype(np.int64) - low, int(column.max()) - low + 1
        else:
            column, uniques = pd.factorize(column, use_na_sentinel=False)
            values = max(len(uniques), 1)
        if size * values >= 2**62:  # renumber what we have so far: at most one code per row
            key, uniques = pd.factorize(key)
            size = max(len(uniques), 1)
        key, size = key * values + column, size * values
    key = pd.factorize(key)[0]
    # a code appears for the first time where it exceeds every code before it
    before = np.maximum.accumulate(np.concatenate([[-1], key[:-1]])) if len(key) else key
    return key, np.flatnonzero(key > before)
