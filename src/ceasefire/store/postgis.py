"""The team's store: PostgreSQL with PostGIS, reached by a ``postgresql://`` address.

The same tables as the embedded store — ``events`` (with a point ``geom`` kept from lon/lat and a
GiST index on it, so QGIS and SQL can query by place), ``ingests``, ``quarantine`` — and a
``ceasefire_schema`` table with the schema version; migrations run in order on open.

Bulk paths are Arrow end to end through the ADBC driver: an ingest COPYs its batches into a
temporary table and upserts from it in one statement; a query comes back as Arrow batches (COPY
out). Each ingest is one transaction holding an advisory lock, so ingests queue rather than
interleave, while readers (a server answering requests) go on reading the last commit.

A table of another schema: give ``?options=-csearch_path%3Dmyschema,public`` in the address
(``public`` holds PostGIS); the schema is created if missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit, urlunsplit

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import StoreError
from ..events.schema import COLUMNS, EVENT_SCHEMA
from .base import STORED_SCHEMA, TABLES, EventWriter, Reach, Store, WriteCounts, event_columns, now
from .records import VERDICT_COLUMNS, VERDICT_SCHEMA, records_ddl

NUL, NUL_SYMBOL = "\x00", "\u2400"
WRITE_LOCK = 0x63656173  # one advisory lock key for "an ingest is running"

_PG_TYPES = {pa.string(): "text", pa.date32(): "date", pa.float64(): "double precision", pa.int32(): "integer",
             pa.int64(): "bigint"}


def _event_columns_sql() -> str:
    lines = []
    for field in STORED_SCHEMA:
        kind = _PG_TYPES[field.type]
        extra = " PRIMARY KEY" if field.name == "event_id" else ("" if field.nullable else " NOT NULL")
        lines.append(f"{field.name} {kind}{extra}")
    return ",\n        ".join(lines)


MIGRATIONS: list[str] = [
    f"""
    CREATE TABLE events (
        {_event_columns_sql()},
        geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
    );
    CREATE INDEX events_geom ON events USING gist (geom);
    CREATE INDEX events_date ON events (date, date_end);
    CREATE TABLE ingests (
        ingest_id bigserial PRIMARY KEY,
        file text NOT NULL,
        format text NOT NULL,
        header text,
        started text NOT NULL,
        finished text,
        rows_read bigint, rows_new bigint, rows_updated bigint, rows_unchanged bigint, rows_quarantined bigint
    );
    CREATE TABLE quarantine (
        file text NOT NULL,
        line bigint,
        field text NOT NULL,
        reason text NOT NULL,
        raw text NOT NULL,
        ingest_id bigint NOT NULL
    );
    -- a raw row may be long: the unique key holds its digest (SQLite's store keeps the row itself in the key)
    CREATE UNIQUE INDEX quarantine_row ON quarantine (file, line, field, md5(raw));
    """,
    # 2: stored verdicts, reviews, users and audit (see records.py)
    records_ddl("bigserial PRIMARY KEY", "double precision", "bigint"),
]


class PostgisStore(Store):
    engine = "postgis"

    def __init__(self, url: str, *, readonly: bool = False):
        self.url = url
        self.readonly = readonly
        self.writing = False
        try:
            import adbc_driver_postgresql.dbapi as dbapi
        except ImportError:  # pragma: no cover — a dependency of the package
            raise StoreError("the PostGIS store needs adbc-driver-postgresql (pip install adbc-driver-postgresql)")
        try:
            self.conn = dbapi.connect(url)
        except Exception as exc:  # noqa: BLE001 — the driver's errors name the server's refusal
            raise StoreError(f"{self.location()}: cannot connect ({_first_line(exc)})") from None
        try:
            self._migrate()
        except StoreError:
            self.conn.close()
            raise

    # ---------------------------------------------------------------------------------------- plumbing

    def _run(self, sql: str, params: tuple | None = None) -> list[tuple]:
        with self.conn.cursor() as cur:
            try:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
            except StoreError:
                raise
            except Exception as exc:  # noqa: BLE001
                self.conn.rollback()
                raise StoreError(f"{self.location()}: {_first_line(exc)}") from None

    def _migrate(self) -> None:
        if self.readonly and self._run("SELECT to_regclass('ceasefire_schema')")[0][0] is None:
            self.conn.rollback()
            raise StoreError(f"{self.location()}: no store here — ingest events first (ceasefire ingest FILE "
                             "--format …) or name an existing store with --db")
        # The tables go to the first schema of the search path; create it if the address names a new one
        # (PostgreSQL would otherwise quietly use the next, usually public).
        wanted = self._run("SELECT current_setting('search_path')")[0][0].split(",")[0].strip().strip('"')
        if wanted != "$user" and not self._run("SELECT 1 FROM pg_namespace WHERE nspname = $1", (wanted,)):
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", wanted):
                raise StoreError(f"{self.location()}: cannot create schema {wanted!r}: name it plainly")
            self._run(f'CREATE SCHEMA IF NOT EXISTS "{wanted}"')
        if not self._run("SELECT 1 FROM pg_extension WHERE extname = 'postgis'"):
            try:
                self._run("CREATE EXTENSION IF NOT EXISTS postgis")
            except StoreError as exc:
                raise StoreError(f"{exc} — PostGIS is not enabled in this database and this user may not enable it: "
                                 "ask its administrator to run CREATE EXTENSION postgis") from None
        self._run("CREATE TABLE IF NOT EXISTS ceasefire_schema (version integer NOT NULL)")
        self.conn.commit()
        self._run("LOCK TABLE ceasefire_schema IN EXCLUSIVE MODE")  # two servers starting at once migrate once
        rows = self._run("SELECT version FROM ceasefire_schema")
        version = rows[0][0] if rows else 0
        if version > len(MIGRATIONS):
            self.conn.rollback()
            raise StoreError(f"{self.location()}: the store is at schema version {version}, newer than this "
                             f"ceasefire knows ({len(MIGRATIONS)}): upgrade ceasefire")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            code = "\n".join(line for line in script.splitlines() if not line.strip().startswith("--"))
            for statement in code.split(";"):
                if statement.strip():
                    self._run(statement)
            self._run("DELETE FROM ceasefire_schema")
            self._run("INSERT INTO ceasefire_schema VALUES ($1)", (number,))
        self.conn.commit()

    def location(self) -> str:
        parts = urlsplit(self.url)
        host = parts.hostname or "localhost"
        user = f"{unquote(parts.username)}@" if parts.username else ""
        port = f":{parts.port}" if parts.port else ""
        return urlunsplit((parts.scheme, f"{user}{host}{port}", parts.path, "", ""))

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001 — closing a broken connection
            pass

    # ----------------------------------------------------------------------------------------- reading

    def count(self, table: str) -> int:
        if table not in TABLES:
            raise ValueError(f"not a table of the store: {table}")
        count = self._run(f"SELECT count(*) FROM {table}")[0][0]
        self._end_read()
        return count

    def _end_read(self) -> None:
        """End a read's transaction, so the next read sees the latest commit — unless an ingest is open."""
        if not self.writing:
            self.conn.rollback()

    def _select(self, start, end, columns, reach: Reach | None = None, after_ingest: int | None = None
                ) -> tuple[str, tuple, list[str]]:
        cols = event_columns(columns)
        sql, params = f"SELECT {', '.join(cols)} FROM events WHERE true", []
        if after_ingest is not None:
            params.append(after_ingest)
            sql += f" AND ingest_id > ${len(params)}"
        if start:
            params.append(start)
            sql += f" AND date_end >= ${len(params)}"
        if end:
            params.append(end)
            sql += f" AND date <= ${len(params)}"
        if reach is not None:
            sql += f" AND ({_within_reach(reach)})"
        return sql, tuple(params), cols

    def events(self, start=None, end=None, columns=None) -> pa.Table:
        sql, params, cols = self._select(start, end, columns)
        with self.conn.cursor() as cur:
            try:
                cur.execute(sql, params or None)
                table = cur.fetch_arrow_table()
            except Exception as exc:  # noqa: BLE001
                self.conn.rollback()
                raise StoreError(f"{self.location()}: {_first_line(exc)}") from None
        self._end_read()
        return _conform(table, cols)

    def event_batches(self, start=None, end=None, columns=None, rows: int = 250_000, reach=None,
                      after_ingest=None) -> Iterator[pa.Table]:
        """With ``reach``, the point-in-zone step starts in the database: one query, its boxes answered by the
        GiST index, so events that cannot meet a zone are never sent."""
        sql, params, cols = self._select(start, end, columns, reach, after_ingest)
        with self.conn.cursor() as cur:
            try:
                cur.execute(sql, params or None)
                reader = cur.fetch_record_batch()
                pending: list[pa.RecordBatch] = []
                size = 0
                for batch in reader:
                    pending.append(batch)
                    size += batch.num_rows
                    if size >= rows:
                        yield _conform(pa.Table.from_batches(pending), cols)
                        pending, size = [], 0
                if pending:
                    yield _conform(pa.Table.from_batches(pending), cols)
            finally:
                self._end_read()

    def _dicts(self, sql: str, params: tuple | None = None) -> list[dict]:
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, row)) for row in cur.fetchall()]
        self._end_read()
        return rows

    def quarantined(self, file: str | None = None) -> list[dict]:
        sql = "SELECT file, line, field, reason, raw FROM quarantine"
        if file:
            return self._dicts(sql + " WHERE file = $1 ORDER BY file, line NULLS FIRST", (file,))
        return self._dicts(sql + " ORDER BY file, line NULLS FIRST")

    def quarantine_files(self) -> list[str]:
        return [r["file"] for r in self._dicts("SELECT DISTINCT file FROM quarantine ORDER BY file")]

    def ingests(self) -> list[dict]:
        return self._dicts("SELECT * FROM ingests ORDER BY ingest_id")

    # ------------------------------------------------------------------- records (verdicts, reviews, users)

    def _sql(self, sql: str, args=()) -> list[tuple]:
        return self._run(_numbered(sql), tuple(args) or None)

    def _read(self, sql: str, args=()) -> list[tuple]:
        rows = self._sql(sql, args)
        self._end_read()
        return rows

    @contextmanager
    def _write(self) -> Iterator[None]:
        if self.readonly:
            raise StoreError(f"{self.location()}: opened read-only")
        self.conn.rollback()  # a fresh transaction
        self._run("SELECT pg_advisory_xact_lock($1)", (WRITE_LOCK,))
        self.writing = True
        try:
            yield
            try:
                self.conn.commit()
            except Exception as exc:  # noqa: BLE001
                raise StoreError(f"{self.location()}: the commit failed ({_first_line(exc)})") from None
        except BaseException:
            try:
                self.conn.rollback()
            except Exception:  # noqa: BLE001 — the connection itself broke: the server rolled back
                pass
            raise
        finally:
            self.writing = False

    def _bulk_verdicts(self, judgment_id: int, verdicts: pa.Table) -> None:
        table = _without_nul(verdicts.select(VERDICT_COLUMNS).cast(VERDICT_SCHEMA))
        with self.conn.cursor() as cur:
            try:
                cur.adbc_ingest("ceasefire_verdicts", table, mode="create", temporary=True)
            except Exception as exc:  # noqa: BLE001
                raise StoreError(f"{self.location()}: {_first_line(exc)}") from None
        names = ", ".join(VERDICT_COLUMNS)
        self._run(f"INSERT INTO verdicts (judgment_id, {names}) SELECT $1, {names} FROM ceasefire_verdicts",
                  (judgment_id,))
        self._run("DROP TABLE ceasefire_verdicts")

    def _arrow(self, sql: str, args, schema: pa.Schema) -> pa.Table:
        with self.conn.cursor() as cur:
            try:
                cur.execute(_numbered(sql), tuple(args) or None)
                table = cur.fetch_arrow_table()
            except Exception as exc:  # noqa: BLE001
                self.conn.rollback()
                raise StoreError(f"{self.location()}: {_first_line(exc)}") from None
        self._end_read()
        return pa.Table.from_arrays([table.column(k).cast(f.type) for k, f in enumerate(schema)], schema=schema)

    # ----------------------------------------------------------------------------------------- writing

    @contextmanager
    def writer(self, file: str, fmt: str, header: str | None) -> Iterator[EventWriter]:
        with self._write():  # one transaction holding the advisory lock: ingests queue, readers go on
            yield _PostgisWriter(self, file, fmt, header)


# A row is rewritten only when it differs (raw input, or what this version of the readers makes of it); it
# keeps the ingest that first saw it. xmax = 0 tells an inserted row from an updated one.
UPSERT = (
    f"WITH up AS (INSERT INTO events ({', '.join(COLUMNS)}, ingest_id, first_ingest_id) "
    f"SELECT {', '.join(COLUMNS)}, $1, $1 FROM ceasefire_staging "
    f"ON CONFLICT (event_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in COLUMNS if c != 'event_id')}, "
    "ingest_id = excluded.ingest_id "
    f"WHERE ({', '.join(f'events.{c}' for c in COLUMNS)}) IS DISTINCT FROM ({', '.join(f'excluded.{c}' for c in COLUMNS)}) "
    "RETURNING (xmax = 0) AS inserted) "
    "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up"
)


class _PostgisWriter(EventWriter):
    def __init__(self, store: PostgisStore, file: str, fmt: str, header: str | None):
        self.store = store
        self.ingest_id = store._run("INSERT INTO ingests (file, format, header, started) VALUES ($1, $2, $3, $4) "
                                    "RETURNING ingest_id", (file, fmt, header, now()))[0][0]
        self.counts = WriteCounts()
        self.temporary: set[str] = set()  # the temporary tables this transaction made

    def _copy(self, name: str, table: pa.Table) -> None:
        """COPY a table into a temporary one of this transaction."""
        with self.store.conn.cursor() as cur:
            try:
                cur.adbc_ingest(name, table, mode="append" if name in self.temporary else "create", temporary=True)
            except Exception as exc:  # noqa: BLE001
                raise StoreError(f"{self.store.location()}: {_first_line(exc)}") from None
        self.temporary.add(name)

    def add(self, events: pa.Table) -> None:
        """COPY the batch in and upsert it now: the server writes while the reader parses the next batch."""
        if not len(events):
            return
        self._copy("ceasefire_staging", _without_nul(events.select(COLUMNS).cast(EVENT_SCHEMA)))
        inserted, updated = self.store._run(UPSERT, (self.ingest_id,))[0]
        self.store._run("TRUNCATE ceasefire_staging")
        self.counts.new += int(inserted)
        self.counts.updated += int(updated)
        self.counts.unchanged += len(events) - int(inserted) - int(updated)

    def keep_aside(self, rows: list[tuple]) -> None:
        if not rows:
            return
        file, line, field, reason, raw = zip(*rows)
        table = pa.table({"file": pa.array(file, pa.string()), "line": pa.array(line, pa.int64()),
                          "field": pa.array(field, pa.string()), "reason": pa.array(reason, pa.string()),
                          "raw": pa.array(raw, pa.string())})
        self._copy("ceasefire_aside", _without_nul(table))
        self.store._run("INSERT INTO quarantine (file, line, field, reason, raw, ingest_id) "
                        "SELECT file, line, field, reason, raw, $1 FROM ceasefire_aside ON CONFLICT DO NOTHING",
                        (self.ingest_id,))
        self.store._run("DROP TABLE ceasefire_aside")
        self.temporary.discard("ceasefire_aside")

    def finish(self, read: int, quarantined: int) -> WriteCounts:
        counts = self.counts
        if "ceasefire_staging" in self.temporary:
            self.store._run("DROP TABLE ceasefire_staging")
            self.temporary.discard("ceasefire_staging")
        self.store._run(
            "UPDATE ingests SET finished = $1, rows_read = $2, rows_new = $3, rows_updated = $4, rows_unchanged = $5,"
            " rows_quarantined = $6 WHERE ingest_id = $7",
            (now(), read, counts.new, counts.updated, counts.unchanged, quarantined, self.ingest_id))
        return counts


def _within_reach(reach: Reach) -> str:
    """SQL for the events that may meet the zones (a superset of what the monitor's first step keeps)."""
    def boxes(which: list) -> str:
        return " OR ".join(f"geom && ST_MakeEnvelope({float(a)!r}, {float(b)!r}, {float(c)!r}, {float(d)!r}, 4326)"
                           for a, b, c, d in which) or "false"

    return (f"place_precision NOT IN ('exact', 'near') OR adm1 IS NOT NULL OR adm2 IS NOT NULL "
            f"OR (place_precision = 'near' AND place_radius_km IS NOT NULL) "
            f"OR (place_precision = 'exact' AND ({boxes(reach.exact)})) "
            f"OR (place_precision = 'near' AND ({boxes(reach.near)}))")


def _without_nul(table: pa.Table) -> pa.Table:
    """PostgreSQL text cannot hold a NUL byte (SQLite can): it is stored as U+2400, the symbol for NUL."""
    for k, field in enumerate(table.schema):
        if pa.types.is_string(field.type):
            column = table.column(k)
            if pc.any(pc.match_substring(column, NUL)).as_py():
                table = table.set_column(k, field, pc.replace_substring(column, NUL, NUL_SYMBOL))
    return table


def _conform(table: pa.Table, cols: list[str]) -> pa.Table:
    """The driver's types (int4, date, float8) as the store's schema names them."""
    schema = pa.schema([STORED_SCHEMA.field(c) for c in cols])
    arrays = [table[c].cast(schema.field(c).type) if table[c].type != schema.field(c).type else table[c]
              for c in cols]
    return pa.Table.from_arrays(arrays, schema=pa.schema([f.with_nullable(True) for f in schema]))


def _numbered(sql: str) -> str:
    """``?`` placeholders (the records' shared SQL holds no ``?`` in its literals) as PostgreSQL's ``$1, $2 …``."""
    parts = sql.split("?")
    return "".join(f"{part}${k}" for k, part in enumerate(parts[:-1], start=1)) + parts[-1]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
