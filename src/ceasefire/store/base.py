"""The store's one interface: every engine (SQLite + Parquet, PostGIS) answers these calls.

A store keeps the events (the normalized schema plus the ingest that wrote each row and the one
that first did), the ingests (one row a run, with its counts), the quarantine (bad input kept aside
with file, line, field and reason) and its schema version — and, for a team, the monitor's stored
verdicts, their human reviews, the users and the audit trail (:mod:`.records`). Bulk paths move Arrow
tables: an ingest hands batches to an :class:`EventWriter`, a query gets a ``pyarrow.Table`` back.

Every ingest is one transaction: :meth:`Store.writer` commits when its block ends and leaves the
store as it was when the block raises. Writers take the store's write lock for their whole run, so
two ingests at once never lose each other's rows: the second waits, then sees the first's.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ..events.schema import COLUMNS, EVENT_SCHEMA
from .records import Records

# Each stored event also says which ingest last wrote it and which first did.
STORED_SCHEMA = EVENT_SCHEMA.append(pa.field("ingest_id", pa.int64(), nullable=False)).append(
    pa.field("first_ingest_id", pa.int64(), nullable=False))
QUARANTINE_COLUMNS = ["file", "line", "field", "reason", "raw"]
TABLES = ("events", "ingests", "quarantine", "verdicts", "reviews", "users", "audit")


Box = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


@dataclass(frozen=True)
class Reach:
    """Where an event may meet a regime's zones: exact points in ``exact`` boxes, 'near' points of the default
    radius in ``near`` boxes; points with a radius of their own, with a unit named by their source, or placed
    only to a unit, may meet them anywhere. A store that can filter by place reads only these events."""

    exact: list[Box]
    near: list[Box]


@dataclass
class WriteCounts:
    """What an ingest did to the events: rows it added, rewrote, and found as they were."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0


class EventWriter(ABC):
    """One ingest's writes, inside one transaction (see :meth:`Store.writer`)."""

    ingest_id: int

    @abstractmethod
    def add(self, events: pa.Table) -> None:
        """Upsert a batch in the normalized schema. A row is rewritten only when it differs from the stored one."""

    @abstractmethod
    def keep_aside(self, rows: list[tuple]) -> None:
        """Quarantine rows (file, line, field, reason, raw); the same row kept aside again is filed once."""

    @abstractmethod
    def finish(self, read: int, quarantined: int) -> WriteCounts:
        """Close the ingest's record with its counts; the transaction commits when the block ends."""


class Store(Records, ABC):
    """Events, ingests and quarantine (here); judgments, reviews, users and audit (:class:`Records`)."""

    engine: str  # "sqlite" or "postgis"

    @abstractmethod
    def writer(self, file: str, fmt: str, header: str | None) -> AbstractContextManager[EventWriter]:
        """An ingest: one transaction holding the store's write lock."""

    @abstractmethod
    def events(self, start: dt.date | None = None, end: dt.date | None = None,
               columns: list[str] | None = None) -> pa.Table:
        """Events whose dates meet [start, end] (inclusive), as Arrow. ``columns`` None: every column but raw."""

    @abstractmethod
    def event_batches(self, start: dt.date | None = None, end: dt.date | None = None,
                      columns: list[str] | None = None, rows: int = 250_000,
                      reach: Reach | None = None, after_ingest: int | None = None) -> Iterator[pa.Table]:
        """The same events in batches of at most ``rows``: memory bounded by the batch, not the store.

        ``reach``: the store may leave out events that cannot meet it (never one that can).
        ``after_ingest``: only events written (added or changed) by later ingests."""

    @abstractmethod
    def count(self, table: str) -> int:
        """Rows in one of :data:`TABLES`."""

    @abstractmethod
    def quarantined(self, file: str | None = None) -> list[dict]:
        """Rows kept aside (of one file, by its resolved path), ordered by file and line."""

    @abstractmethod
    def quarantine_files(self) -> list[str]:
        """Every file with rows kept aside."""

    @abstractmethod
    def ingests(self) -> list[dict]:
        """Every ingest with its counts, oldest first."""

    @abstractmethod
    def location(self) -> str:
        """Where the store is (a file path, or a server address without its password)."""

    @abstractmethod
    def close(self) -> None: ...

    def label(self) -> str:
        """Where the store is and its size, as a command tells the user which store it read."""
        return f"{self.location()} ({self.count('events'):,} events)"

    def actor_counts(self) -> list[tuple[str, int]]:
        """Each actor name in the events, with how many events name it (as actor1 or actor2)."""
        counts: dict[str, int] = {}
        for batch in self.event_batches(columns=["actor1", "actor2"]):
            for name in ("actor1", "actor2"):
                column = batch[name]
                if column.null_count == len(column):
                    continue
                for item in pc.value_counts(column.drop_null()).to_pylist():
                    if item["values"]:
                        counts[item["values"]] = counts.get(item["values"], 0) + item["counts"]
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def event_columns(columns: list[str] | None, with_raw: bool = False) -> list[str]:
    if columns:
        unknown = [c for c in columns if c not in STORED_SCHEMA.names]
        if unknown:
            raise ValueError(f"not event columns: {', '.join(unknown)}")
        return list(columns)
    return [c for c in COLUMNS if with_raw or c != "raw"]


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def differs(old: pa.Table, new: pa.Table) -> pa.Array:
    """Per row, whether any event column differs between two aligned tables (a null equals only a null)."""
    changed = pa.array([False] * len(new), pa.bool_()) if len(new) else pa.array([], pa.bool_())
    for name in COLUMNS:
        a, b = old[name], new[name]
        if a.type != b.type:
            a = pc.cast(a, b.type)
        same = pc.fill_null(pc.equal(a, b), False)
        both_null = pc.and_(pc.is_null(a), pc.is_null(b))
        changed = pc.or_(changed, pc.invert(pc.or_(same, both_null)))
    return changed.combine_chunks() if isinstance(changed, pa.ChunkedArray) else changed
