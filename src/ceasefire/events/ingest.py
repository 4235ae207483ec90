"""Ingest: stream a file into the store in one transaction, idempotently.

Rows are upserted (see UPSERT): a row is rewritten only when its raw input, or what this version of
the readers makes of it, changed, so the same file twice gives the same rows. Bad rows go to the
quarantine with file, line, field and reason: rows the readers cannot convert, a second row with an
id already read, and — when a regime is given — points outside the regime's area.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import shapely
from shapely.geometry.base import BaseGeometry

from ..errors import GeometryError, InputError, StoreError
from ..store import Store
from .readers import BadRow, Batch, open_events



@dataclass
class IngestResult:
    file: str
    format: str
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    duplicates: int = 0
    outside: int = 0  # of the quarantined: points outside the regime's area
    unmapped: Counter[str] = field(default_factory=Counter)

    def record(self, counts) -> None:
        """What the store's writer did to the events (a ``WriteCounts``)."""
        self.new, self.updated, self.unchanged = counts.new, counts.updated, counts.unchanged

    def summary(self) -> str:
        return (f"{self.file}: read {self.read:,}, new {self.new:,}, updated {self.updated:,}, "
                f"unchanged {self.unchanged:,}, quarantined {self.quarantined:,}")


def _progress(path: Path, enabled: bool | None):
    from tqdm import tqdm

    size = path.stat().st_size
    return tqdm(total=size, unit="B", unit_scale=True, desc=f"ingest {path.name}", disable=enabled is False
                or (enabled is None and not sys.stderr.isatty()), file=sys.stderr, leave=False)


def ingest_file(store: Store, path: Path | str, fmt: str, mapping: Path | str | None = None,
                regime=None, progress: bool | None = None, block_size: int | None = None,
                allow_outside: bool = False) -> IngestResult:
    """Read ``path`` (ucdp, acled, geojson, csv + mapping) into the store. One transaction.

    With a ``regime``, points outside its area (:func:`ceasefire.zones.area.regime_area`) are quarantined,
    unless ``allow_outside``.
    """
    path = Path(path)
    kwargs = {"block_size": block_size} if block_size else {}
    source = open_events(path, fmt, mapping, **kwargs)
    area = None
    if regime is not None and not allow_outside:
        from ..zones.area import regime_area

        try:
            area = regime_area(regime)
        except GeometryError as exc:
            raise GeometryError(f"{exc} — the regime's area, where its events may lie, cannot be drawn "
                                "(--allow-outside skips the check)") from None
    bar = _progress(path, progress)
    try:
        return write_batches(store, str(path.resolve()), fmt, source.header, source.batches, regime, bar,
                             resolve=source.resolve, label=str(path), area=area, unit=source.unit)
    except pa.ArrowInvalid as exc:
        raise InputError(f"{path}: cannot be parsed as {fmt} ({exc}); nothing was written") from None
    finally:
        bar.close()


def write_batches(store: Store, file: str, fmt: str, header: str | None, batches: Iterator[Batch],
                  regime=None, bar=None, resolve=None, label: str | None = None, area: BaseGeometry | None = None,
                  unit: str = "line") -> IngestResult:
    """Upsert batches of normalized events in one transaction; quarantine their bad rows; count.

    ``area``: a prepared WGS84 geometry; events outside it are quarantined. ``unit``: what a bad row's
    line counts ("line", or "feature" in GeoJSON), as its reason names the first row of a duplicate id.
    """
    result = IngestResult(label or file, fmt)
    bad: list[BadRow] = []
    seen_ids: dict[str, int | None] = {}
    try:
        with store.writer(file, fmt, header) as writer:
            for table, batch_bad, bytes_read in _prefetch(batches, seen_ids, area):
                result.read += table.num_rows + len(batch_bad)
                bad += batch_bad
                writer.add(table)
                if regime is not None:
                    result.unmapped.update(_unmapped(regime, table))
                if bar is not None:
                    bar.update(max(min(bytes_read, bar.total) - bar.n, 0))
                    bar.set_postfix_str(f"{result.read / max(bar.format_dict['elapsed'], 1e-9):,.0f} rows/s")
            result.duplicates = sum(1 for b in bad if b.field == "event_id")
            result.outside = sum(1 for b in bad if b.field == "lon/lat")
            if bad:
                if resolve is not None:
                    resolve(bad)
                for b in bad:
                    if b.first is not None:  # a duplicate: now that lines are known, say where its first row is
                        b.reason += f" (its first row is {unit} {b.first})"
                writer.keep_aside([(file, b.line, b.field, b.reason, b.raw) for b in bad])
            result.quarantined = len(bad)
            result.record(writer.finish(result.read, result.quarantined))
    except StoreError as exc:
        raise StoreError(f"{label or file}: the store refused the ingest ({exc}); nothing was written") from None
    return result


def _prefetch(batches: Iterator[Batch], seen_ids: dict[str, int | None], area: BaseGeometry | None = None
              ) -> Iterator[tuple[pa.Table, list[BadRow], int]]:
    """Parse and convert the next batch in a thread while SQLite writes this one (2 cores: 2 workers).

    If the writer stops early (an error, a closed generator), the reader thread is told to stop too.
    """
    import queue
    import threading

    box: queue.Queue = queue.Queue(maxsize=2)
    done = object()
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for batch in batches:
                extra: list[BadRow] = []
                _drop_duplicates(batch, seen_ids, extra)
                if area is not None:
                    _drop_outside(batch, area, extra)
                if not put((batch.events, batch.bad + extra, batch.bytes_read)):
                    return
            put(done)
        except BaseException as exc:  # handed to the writer, raised there
            put(exc)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:  # a reader stopped early lets go of its file now, not when collected
                close()

    thread = threading.Thread(target=work, name="ceasefire-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = box.get()
            if item is done:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _positions(batch: Batch) -> tuple[np.ndarray | None, bool]:
    """Where each event of a batch is: (positions, whether they are record numbers to resolve into lines)."""
    if batch.records is not None:
        return batch.records, True
    return batch.lines, False


def _bad_at(positions: np.ndarray | None, records: bool, index: int, field: str, reason: str, raw: str,
            first: int | None = None) -> BadRow:
    at = None if positions is None else int(positions[index])
    return BadRow(None if records else at, field, reason, raw, record=at if records else None, first=first)


def _drop_duplicates(batch: Batch, seen: dict[str, int | None], bad: list[BadRow]) -> None:
    """A second row with an event id already read in this file is quarantined, not merged."""
    ids = batch.events["event_id"].to_pylist()
    positions, records = _positions(batch)
    where = [None] * len(ids) if positions is None else positions.tolist()
    fresh = dict(zip(ids, where))
    if len(fresh) == len(ids) and seen.keys().isdisjoint(fresh):  # the common case, at dict speed
        seen.update(fresh)
        return
    dup = []
    for i, event_id in enumerate(ids):
        if event_id in seen:
            dup.append(i)
        else:
            seen[event_id] = where[i]
    raws = batch.events["raw"].to_pylist()
    for i in dup:
        first = seen[ids[i]]
        reason = f"duplicate id {ids[i]}" + ("" if first is not None else " (an earlier row of this file has it)")
        bad.append(_bad_at(positions, records, i, "event_id", reason, raws[i], first))
    keep = np.ones(len(ids), bool)
    keep[dup] = False
    _keep_only(batch, keep)


def _drop_outside(batch: Batch, area: BaseGeometry, bad: list[BadRow]) -> None:
    """Events whose point lies outside the regime's area are quarantined (lon and lat swapped, often)."""
    lon = batch.events["lon"].to_numpy()
    lat = batch.events["lat"].to_numpy()
    outside = ~shapely.contains_xy(area, lon, lat)
    if not outside.any():
        return
    positions, records = _positions(batch)
    swapped = shapely.contains_xy(area, lat[outside], lon[outside])
    raws = batch.events["raw"].filter(pa.array(outside)).to_pylist()
    for i, was_swapped, raw in zip(np.flatnonzero(outside), swapped, raws):
        reason = "outside the regime's area" + (" — latitude and longitude look swapped" if was_swapped else "")
        bad.append(_bad_at(positions, records, int(i), "lon/lat", reason, raw))
    _keep_only(batch, ~outside)


def _keep_only(batch: Batch, keep: np.ndarray) -> None:
    """Keep some events of a batch, with their positions."""
    batch.events = batch.events.filter(pa.array(keep))
    if batch.records is not None:
        batch.records = batch.records[keep]
    if batch.lines is not None:
        batch.lines = batch.lines[keep]


def _unmapped(regime, table: pa.Table) -> Counter[str]:
    from ..regime.actors import ActorMap

    actors = ActorMap(regime)
    names = table["actor1"].to_pylist() + table["actor2"].to_pylist()
    return actors.unmapped(names)


def quarantined(store: Store, file: str | None = None) -> list[dict]:
    """Rows kept aside, of every file or of one (named as the user names it)."""
    return store.quarantined(str(Path(file).resolve()) if file else None)
