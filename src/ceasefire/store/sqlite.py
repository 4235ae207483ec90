"""The embedded store: a SQLite file, with its events in Parquet segments in a folder beside it.

``store.sqlite`` holds the ingests, the quarantine, the list of live event segments and the schema
version (SQLite's ``user_version``; migrations run in order on open). ``store.sqlite.events/`` holds
the events, one Parquet file (zstd, row groups of 128k) per ingest that added or changed rows —
columnar, so judging a million events reads them in well under a second, and GeoPandas, DuckDB or
QGIS can read them too. Row by row through SQLite, the same events load at ~170k rows/s.

An ingest is one SQLite transaction (``BEGIN IMMEDIATE``, the write lock, taken first): it writes its
new segment (and a copy of each older segment it superseded rows of, without them) under temporary
names, then lists them in ``segments`` and commits; the files it replaced are removed after the
commit. A crash before the commit leaves files no row lists, removed by the next writer; a reader
sees the segments of the last commit. One writer at a time, any number of readers.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ..errors import StoreError
from ..events.schema import COLUMNS, EVENT_SCHEMA
from .base import STORED_SCHEMA, TABLES, EventWriter, Store, WriteCounts, differs, event_columns, now
from .records import VERDICT_COLUMNS, records_ddl

ROW_GROUP = 131_072

MIGRATIONS: list[str | Callable[[sqlite3.Connection, Path], None]] = [
    # 1: events, ingests, quarantine
    """
    CREATE TABLE events (
        event_id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        date TEXT NOT NULL,
        date_end TEXT NOT NULL,
        date_precision TEXT NOT NULL,
        time TEXT,
        lon REAL NOT NULL,
        lat REAL NOT NULL,
        place TEXT,
        place_precision TEXT NOT NULL,
        adm1 TEXT,
        adm2 TEXT,
        event_type TEXT NOT NULL,
        sub_event_type TEXT NOT NULL,
        weapon_class TEXT,
        actor1 TEXT,
        actor2 TEXT,
        fatalities_best INTEGER,
        fatalities_low INTEGER,
        fatalities_high INTEGER,
        sources TEXT,
        notes TEXT,
        raw TEXT NOT NULL,
        ingest_id INTEGER NOT NULL,
        first_ingest_id INTEGER NOT NULL
    );
    CREATE INDEX events_date ON events(date);
    CREATE TABLE ingests (
        ingest_id INTEGER PRIMARY KEY,
        file TEXT NOT NULL,
        format TEXT NOT NULL,
        header TEXT,
        started TEXT NOT NULL,
        finished TEXT,
        rows_read INTEGER, rows_new INTEGER, rows_updated INTEGER, rows_unchanged INTEGER,
        rows_quarantined INTEGER
    );
    CREATE TABLE quarantine (
        file TEXT NOT NULL,
        line INTEGER,
        field TEXT NOT NULL,
        reason TEXT NOT NULL,
        raw TEXT NOT NULL,
        ingest_id INTEGER NOT NULL,
        UNIQUE (file, line, field, raw)
    );
    """,
    # 2: who acted against whom (roles) and the radius of a 'near' place. Rows stored before keep what
    # their source's coding says: UCDP one-sided violence and ACLED non-battles are one-sided.
    """
    ALTER TABLE events ADD COLUMN roles TEXT;
    ALTER TABLE events ADD COLUMN place_radius_km REAL;
    UPDATE events SET roles = CASE
        WHEN source = 'ucdp' AND sub_event_type = 'attack' THEN 'one-sided'
        WHEN source IN ('ucdp', 'acled') AND event_type = 'battles' THEN 'clash'
        WHEN source = 'ucdp' THEN 'clash'
        WHEN source = 'acled' THEN 'one-sided'
    END;
    """,
    # 3: the events move to Parquet segments beside the file (see _move_events_to_segments).
    lambda conn, path: _move_events_to_segments(conn, path),
    # 4: stored verdicts, reviews, users and audit (see records.py)
    records_ddl("INTEGER PRIMARY KEY", "REAL", "INTEGER"),
]


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("ceasefire")) / "ceasefire.sqlite"


def segments_folder(path: Path) -> Path:
    return path.with_name(path.name + ".events")


class SQLiteStore(Store):
    engine = "sqlite"

    def __init__(self, path: Path | str, *, readonly: bool = False):
        self.path = Path(path)
        self.folder = segments_folder(self.path)
        self.readonly = readonly
        self.conn = _connect_readonly(self.path) if readonly else _connect(self.path)

    # ----------------------------------------------------------------------------------------- reading

    def location(self) -> str:
        return str(self.path.resolve())

    def close(self) -> None:
        self.conn.close()

    def count(self, table: str) -> int:
        if table not in TABLES:
            raise ValueError(f"not a table of the store: {table}")
        if table == "events":
            return self.conn.execute("SELECT coalesce(sum(rows), 0) FROM segments").fetchone()[0]
        return self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def segment_files(self, start: dt.date | None = None, end: dt.date | None = None,
                      after_ingest: int | None = None) -> list[Path]:
        """The Parquet files holding the events that may meet [start, end] (a file may hold others too), of
        ingests after ``after_ingest`` (a segment is listed under the ingest that wrote or rewrote it)."""
        sql, args = "SELECT file FROM segments WHERE 1=1", []
        if after_ingest is not None:
            sql += " AND ingest_id > ?"
            args.append(after_ingest)
        if start:
            sql += " AND date_max >= ?"
            args.append(start.isoformat())
        if end:
            sql += " AND date_min <= ?"
            args.append(end.isoformat())
        return [self.folder / name for (name,) in self.conn.execute(sql + " ORDER BY file", args)]

    def _dataset(self, start: dt.date | None, end: dt.date | None, after_ingest: int | None = None
                 ) -> tuple[ds.Dataset | None, ds.Expression | None]:
        files = self.segment_files(start, end, after_ingest)
        if not files:
            return None, None
        conditions = []
        if start:
            conditions.append(ds.field("date_end") >= pa.scalar(start, pa.date32()))
        if end:
            conditions.append(ds.field("date") <= pa.scalar(end, pa.date32()))
        if after_ingest is not None:
            conditions.append(ds.field("ingest_id") > pa.scalar(after_ingest, pa.int64()))
        where = None
        for condition in conditions:
            where = condition if where is None else where & condition
        return ds.dataset([str(f) for f in files], schema=STORED_SCHEMA, format="parquet"), where

    def events(self, start=None, end=None, columns=None) -> pa.Table:
        cols = event_columns(columns)
        for attempt in range(3):  # a writer that committed meanwhile may have removed a segment we listed
            try:
                dataset, where = self._dataset(start, end)
                if dataset is None:
                    return STORED_SCHEMA.empty_table().select(cols)
                return dataset.to_table(columns=cols, filter=where)
            except FileNotFoundError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def event_batches(self, start=None, end=None, columns=None, rows: int = 250_000, reach=None,
                      after_ingest=None) -> Iterator[pa.Table]:
        # ``reach`` is not used: the monitor's own first step finds the candidates in memory at the same cost.
        cols = event_columns(columns)
        dataset, where = self._dataset(start, end, after_ingest)
        if dataset is None:
            return
        pending: list[pa.RecordBatch] = []
        size = 0
        # Arrow's scanner reads far ahead by default (16 batches, 4 files: most of a store); one step ahead keeps
        # the memory of a pass over the store to a few batches.
        for batch in dataset.to_batches(columns=cols, filter=where, batch_size=min(rows, ROW_GROUP),
                                        batch_readahead=1, fragment_readahead=1):
            pending.append(batch)
            size += batch.num_rows
            if size >= rows:
                yield pa.Table.from_batches(pending)
                pending, size = [], 0
        if pending:
            yield pa.Table.from_batches(pending)

    def quarantined(self, file: str | None = None) -> list[dict]:
        sql, args = "SELECT file, line, field, reason, raw FROM quarantine", ()
        if file:
            sql, args = sql + " WHERE file = ?", (file,)
        cur = self.conn.execute(sql + " ORDER BY file, line", args)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur]

    def quarantine_files(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT file FROM quarantine ORDER BY file")]

    def ingests(self) -> list[dict]:
        cur = self.conn.execute("SELECT * FROM ingests ORDER BY ingest_id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur]

    # ------------------------------------------------------------------- records (verdicts, reviews, users)

    def _sql(self, sql: str, args=()) -> list[tuple]:
        try:
            return self.conn.execute(sql, tuple(args)).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from None

    @contextmanager
    def _write(self) -> Iterator[None]:
        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot take the store's write lock ({exc})") from None
        try:
            yield
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: the commit failed ({exc})") from None
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _bulk_verdicts(self, judgment_id: int, verdicts: pa.Table) -> None:
        names = ", ".join(["judgment_id", *VERDICT_COLUMNS])
        marks = ", ".join("?" * (len(VERDICT_COLUMNS) + 1))
        columns = [verdicts[c].to_pylist() for c in VERDICT_COLUMNS]
        self.conn.executemany(f"INSERT INTO verdicts ({names}) VALUES ({marks})",
                              zip([judgment_id] * len(verdicts), *columns))

    def _arrow(self, sql: str, args, schema: pa.Schema) -> pa.Table:
        rows = self._sql(sql, args)
        columns = list(zip(*rows)) if rows else [[] for _ in schema]
        arrays = [pa.array([None if v is None else bool(v) for v in values], f.type) if pa.types.is_boolean(f.type)
                  else pa.array(values, f.type) for values, f in zip(columns, schema)]
        return pa.Table.from_arrays(arrays, schema=schema)

    # ----------------------------------------------------------------------------------------- writing

    @contextmanager
    def writer(self, file: str, fmt: str, header: str | None) -> Iterator[EventWriter]:
        writer = None
        try:
            with self._write():  # the write lock, taken first; committed when the ingest's block ends
                try:
                    writer = _SegmentWriter(self, file, fmt, header)
                    yield writer
                    writer.close()
                except (sqlite3.Error, OSError) as exc:
                    raise StoreError(str(exc)) from None  # the caller names the input; the CLI named the store
        except BaseException:
            if writer is not None:
                writer.discard()
            raise
        writer.remove_replaced()


class _SegmentWriter(EventWriter):
    def __init__(self, store: SQLiteStore, file: str, fmt: str, header: str | None):
        self.store, self.conn = store, store.conn
        store.folder.mkdir(parents=True, exist_ok=True)
        _remove_orphans(self.conn, store.folder)  # we hold the write lock: no other writer has files in flight
        self.ingest_id = self.conn.execute("INSERT INTO ingests (file, format, header, started) VALUES (?, ?, ?, ?)",
                                           (file, fmt, header, now())).lastrowid
        self.live = [name for (name,) in self.conn.execute("SELECT file FROM segments ORDER BY file")]
        self._lookup = None  # existing ids → (segment, row), built on the first batch that needs it
        self._old: dict[int, pa.Table] = {}
        self.superseded: dict[int, list[np.ndarray]] = {}
        self.counts = WriteCounts()
        self.matched = 0
        self.out: pq.ParquetWriter | None = None
        self.written: list[Path] = []  # files this ingest made (temporary until the commit)
        self.replaced: list[Path] = []
        self.new_segments: list[tuple[str, int, str, str]] = []
        self._rows = 0
        self._dates: list[tuple[dt.date, dt.date]] = []

    def _segment_path(self, suffix: str = "") -> Path:
        path = self.store.folder / f"seg-{self.ingest_id:08d}{suffix}-{uuid.uuid4().hex[:8]}.parquet"
        self.written.append(path)
        return path

    def _existing(self):
        if self._lookup is None:
            import pandas as pd

            ids, where = [], []
            for k, name in enumerate(self.live):
                column = pq.read_table(self.store.folder / name, columns=["event_id"])["event_id"]
                ids.append(column)
                where.append(np.full(len(column), k, np.int32))
            index = pd.Index(pa.chunked_array(ids, pa.string()).to_numpy()) if ids else pd.Index([])
            segment = np.concatenate(where) if where else np.zeros(0, np.int32)
            offsets = np.concatenate([np.arange(len(w)) for w in where]) if where else np.zeros(0, np.int64)
            self._lookup = (index, segment, offsets)
        return self._lookup

    def _old_rows(self, k: int) -> pa.Table:
        if k not in self._old:
            self._old[k] = pq.read_table(self.store.folder / self.live[k])
        return self._old[k]

    def add(self, events: pa.Table) -> None:
        events = events.select(COLUMNS).cast(EVENT_SCHEMA)
        first = np.full(len(events), self.ingest_id, np.int64)
        keep = np.ones(len(events), bool)
        if self.live and len(events):
            index, segment, offsets = self._existing()
            found = index.get_indexer(events["event_id"].to_numpy(zero_copy_only=False))
            matched = np.flatnonzero(found >= 0)
            self.matched += len(matched)
            self.counts.new += len(events) - len(matched)
            for k in np.unique(segment[found[matched]]):
                mine = matched[segment[found[matched]] == k]
                rows = offsets[found[mine]]
                old = self._old_rows(int(k)).take(pa.array(rows))
                changed = differs(old, events.take(pa.array(mine))).to_numpy(zero_copy_only=False)
                keep[mine[~changed]] = False
                first[mine[changed]] = old["first_ingest_id"].to_numpy()[changed]
                self.superseded.setdefault(int(k), []).append(rows[changed])
                self.counts.updated += int(changed.sum())
        else:
            self.counts.new += len(events)
        if not keep.any():
            return
        if not keep.all():
            events, first = events.filter(pa.array(keep)), first[keep]
        table = pa.Table.from_arrays([*events.columns, pa.array(np.full(len(events), self.ingest_id, np.int64)),
                                      pa.array(first)], schema=STORED_SCHEMA)
        if self.out is None:
            self._out_path = self._segment_path()
            self.out = pq.ParquetWriter(self._out_path, STORED_SCHEMA, **_writer_options())
        self.out.write_table(table, row_group_size=ROW_GROUP)
        self._rows += len(table)
        self._dates.append((pc.min(table["date"]).as_py(), pc.max(table["date_end"]).as_py()))

    def keep_aside(self, rows: list[tuple]) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO quarantine (file, line, field, reason, raw, ingest_id) "
                              "VALUES (?,?,?,?,?,?)", [(*row, self.ingest_id) for row in rows])

    def finish(self, read: int, quarantined: int) -> WriteCounts:
        self.counts.unchanged = self.matched - self.counts.updated
        if self.out is not None:
            self.out.close()
            self.out = None
            self._list(self._out_path, self._rows, self._dates)
        for k, parts in self.superseded.items():
            gone = np.concatenate(parts)
            if not len(gone):
                continue
            old = self._old_rows(k)
            keep = np.ones(len(old), bool)
            keep[gone] = False
            name = self.live[k]
            self.conn.execute("DELETE FROM segments WHERE file = ?", (name,))
            self.replaced.append(self.store.folder / name)
            if keep.any():
                rest = old.filter(pa.array(keep))
                path = self._segment_path("-rewrite")
                pq.write_table(rest, path, **_writer_options())
                self._list(path, len(rest), [(pc.min(rest["date"]).as_py(), pc.max(rest["date_end"]).as_py())])
        self.conn.execute(
            "UPDATE ingests SET finished = ?, rows_read = ?, rows_new = ?, rows_updated = ?, rows_unchanged = ?,"
            " rows_quarantined = ? WHERE ingest_id = ?",
            (now(), read, self.counts.new, self.counts.updated, self.counts.unchanged, quarantined, self.ingest_id))
        return self.counts

    def _list(self, path: Path, rows: int, dates: list[tuple[dt.date, dt.date]]) -> None:
        first = min(d[0] for d in dates).isoformat()
        last = max(d[1] for d in dates).isoformat()
        self.conn.execute("INSERT INTO segments (file, ingest_id, rows, date_min, date_max) VALUES (?, ?, ?, ?, ?)",
                          (path.name, self.ingest_id, rows, first, last))

    def close(self) -> None:
        if self.out is not None:  # finish() was not called: nothing of this ingest's events is listed
            self.out.close()
            self.out = None
        for path in self.written:  # the data must be on disk before the commit lists it
            if path.exists():
                _fsync(path)
        _fsync(self.store.folder)

    def discard(self) -> None:
        if self.out is not None:
            try:
                self.out.close()
            except Exception:  # noqa: BLE001 — the ingest failed already; its file goes anyway
                pass
        for path in self.written:
            path.unlink(missing_ok=True)

    def remove_replaced(self) -> None:
        for path in self.replaced:
            path.unlink(missing_ok=True)


# Columns whose values are mostly distinct: a dictionary is built for them only to be thrown away.
_DISTINCT = {"event_id", "source_id", "raw", "notes", "sources", "lon", "lat", "ingest_id", "first_ingest_id"}


def _writer_options() -> dict:
    # Measured on 1M ACLED rows: zstd files are 40% smaller than snappy's and read faster; dictionaries only
    # where values repeat write 8% faster and read the monitor's columns 3x faster than dictionaries everywhere.
    return {"compression": "zstd", "use_dictionary": [n for n in STORED_SCHEMA.names if n not in _DISTINCT]}


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_orphans(conn: sqlite3.Connection, folder: Path) -> None:
    """Segment files no committed row lists: an ingest that crashed, or a replaced file not yet removed."""
    if not folder.is_dir():
        return
    listed = {name for (name,) in conn.execute("SELECT file FROM segments")}
    for path in folder.glob("seg-*.parquet"):
        if path.name not in listed:
            path.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------- opening, migrating


def _connect(target: Path) -> sqlite3.Connection:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(target, isolation_level=None, timeout=60)  # we open transactions ourselves
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        # A writer killed mid-ingest leaves its WAL behind (uncommitted pages); SQLite ignores them,
        # and a checkpoint now gives the space back.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        migrate(conn, target)
    except (sqlite3.Error, OSError) as exc:
        if _read_only_mount(target):
            raise StoreError(f"{target}: the store is on a read-only file system: queries can read it, but this "
                             "command writes — copy the store somewhere writable or name another with --db") from None
        raise StoreError(f"{target}: cannot open the store ({exc})") from None
    return conn


def _read_only_mount(target: Path) -> bool:
    folder = next((p for p in (target, *target.parents) if p.exists()), None)
    try:
        return folder is not None and bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _connect_readonly(target: Path) -> sqlite3.Connection:
    if not target.is_file():
        raise StoreError(f"{target}: no store here — ingest events first (ceasefire ingest FILE --format …) "
                         "or name an existing store with --db")
    wal = target.with_name(target.name + "-wal")
    if wal.is_file() and wal.stat().st_size and os.access(target.parent, os.W_OK) and not _read_only_mount(target):
        _connect(target).close()  # a writer was killed: give its log's space back before reading
    uri = target.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=60)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.OperationalError:
        # A WAL store on a read-only mount: SQLite cannot create its shared-memory file there. Nobody
        # can write to that mount either, so the file may be read as immutable.
        try:
            conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as exc:
            raise StoreError(f"{target}: cannot open the store read-only ({exc})") from None
    except sqlite3.Error as exc:
        raise StoreError(f"{target}: cannot open the store read-only ({exc})") from None
    if version > len(MIGRATIONS):
        raise StoreError(f"{target}: the store is at schema version {version}, newer than this ceasefire knows "
                         f"({len(MIGRATIONS)}): upgrade ceasefire")
    if version < len(MIGRATIONS):
        conn.close()
        if not os.access(target, os.W_OK) or not os.access(target.parent, os.W_OK):
            raise StoreError(f"{target}: the store is at schema version {version} and this ceasefire needs "
                             f"{len(MIGRATIONS)}; it is read-only here — open it once where it can be written")
        _connect(target).close()  # migrate, then read
        return _connect_readonly(target)
    return conn


def migrate(conn: sqlite3.Connection, path: Path) -> int:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StoreError(f"the store is at schema version {version}, newer than this ceasefire knows "
                         f"({len(MIGRATIONS)}): upgrade ceasefire")
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if callable(step):
                step(conn, path)
            else:
                for statement in step.split(";"):
                    if statement.strip():
                        conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return len(MIGRATIONS)


def _move_events_to_segments(conn: sqlite3.Connection, path: Path) -> None:
    """Migration 3: the events table's rows become the store's first Parquet segment."""
    conn.execute("CREATE TABLE segments (file TEXT PRIMARY KEY, ingest_id INTEGER NOT NULL, rows INTEGER NOT NULL,"
                 " date_min TEXT NOT NULL, date_max TEXT NOT NULL)")
    names = STORED_SCHEMA.names
    cur = conn.execute(f"SELECT {', '.join(names)} FROM events ORDER BY date, event_id")
    rows = cur.fetchall()
    if rows:
        columns = list(zip(*rows))
        arrays = []
        for field, values in zip(STORED_SCHEMA, columns):
            if pa.types.is_date32(field.type):
                arrays.append(pc.cast(pc.cast(pa.array(values, pa.string()), pa.timestamp("s")), pa.date32()))
            else:
                arrays.append(pa.array(values, field.type))
        table = pa.Table.from_arrays(arrays, schema=STORED_SCHEMA)
        folder = segments_folder(path)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"seg-00000000-migrated-{uuid.uuid4().hex[:8]}.parquet"
        pq.write_table(table, folder / name, **_writer_options())
        _fsync(folder / name)
        conn.execute("INSERT INTO segments VALUES (?, 0, ?, ?, ?)",
                     (name, len(table), pc.min(table["date"]).as_py().isoformat(),
                      pc.max(table["date_end"]).as_py().isoformat()))
    conn.execute("DROP TABLE events")
