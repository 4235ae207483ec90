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


def connect(path: Path | str | None = None) -> sqlite3.Connection:
    """Open (creating and migrating) the store. ``path`` None: $CEASEFIRE_DB or the user data dir."""
    target = Path(path) if path else default_db_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(target, isolation_level=None)  # we open transactions ourselves
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        migrate(conn)
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"{target}: cannot open the store ({exc})") from None
    return conn


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
