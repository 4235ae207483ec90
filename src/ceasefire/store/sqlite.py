"""The store: one SQLite file a person can open with any SQLite tool.

Tables (see MIGRATIONS): ``events`` (the normalized schema, one row an event), ``ingests``
(one row per ingest run, with its counts), ``quarantine`` (bad input rows with file, line,
field, reason and the raw row). The schema version is SQLite's ``user_version``; migrations
run in order on open. Every ingest is one transaction: a crash leaves the store as it was.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import StoreError

MIGRATIONS: list[str] = [
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
]


def default_db_path() -> Path:
    if os.environ.get("CEASEFIRE_DB"):
        return Path(os.environ["CEASEFIRE_DB"])
    from platformdirs import user_data_dir

    return Path(user_data_dir("ceasefire")) / "ceasefire.sqlite"


def connect(path: Path | str | None = None, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the store. ``path`` None: $CEASEFIRE_DB or the user data dir.

    Writable (the default): created and migrated on open; a write-ahead log left by an interrupted
    ingest is checkpointed away. ``readonly``: for queries — the store must exist; it opens on a
    read-only mount or file too, where a writable WAL connection could not.
    """
    target = Path(path) if path else default_db_path()
    if readonly:
        return _connect_readonly(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(target, isolation_level=None)  # we open transactions ourselves
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        # A writer killed mid-ingest leaves its WAL behind (uncommitted pages, possibly hundreds of MB);
        # SQLite ignores them, and a checkpoint now gives the space back.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        migrate(conn)
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
        connect(target).close()  # a writer was killed: give its log's space back before reading
    uri = target.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
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
        connect(target).close()  # migrate, then read
        return _connect_readonly(target)
    return conn


def store_label(conn: sqlite3.Connection) -> str:
    """The store's file and size, as a command tells the user which store it read."""
    path = conn.execute("PRAGMA database_list").fetchone()[2] or ":memory:"
    count = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    return f"{path} ({count:,} events)"


def migrate(conn: sqlite3.Connection) -> int:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StoreError(f"the store is at schema version {version}, newer than this ceasefire knows "
                         f"({len(MIGRATIONS)}): upgrade ceasefire")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with transaction(conn):
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
    return len(MIGRATIONS)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
