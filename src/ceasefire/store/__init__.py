"""The store: one interface (:class:`Store`), two engines.

- **SQLite** (the default, one laptop): a ``.sqlite`` file, its events in Parquet segments beside it;
- **PostgreSQL + PostGIS** (a team's server): ``postgresql://user@host/db`` — events with a point
  geometry and a GiST index, bulk writes by COPY, bulk reads as Arrow.

    store = connect("events.sqlite")            # or connect("postgresql://monitor@db.example/ceasefire")
    with store.writer(file, "ucdp", header) as w:   # one transaction
        w.add(events_table); w.finish(read=..., quarantined=...)
    events = store.events(start, end, columns=[...])  # a pyarrow.Table
"""

from __future__ import annotations

import os
from pathlib import Path

from .base import STORED_SCHEMA, EventWriter, Reach, Store, WriteCounts
from .sqlite import SQLiteStore, default_db_path

SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server(target: str | Path | None) -> bool:
    return isinstance(target, str) and target.startswith(SERVER_SCHEMES)


def connect(target: str | Path | None = None, *, readonly: bool = False) -> Store:
    """Open a store: a SQLite file path, or a ``postgresql://`` address. None: the default file.

    Writable (the default): created and migrated on open. ``readonly``: for queries — the store must
    exist; a SQLite store opens on a read-only mount too.
    """
    if target is None:
        target = os.environ.get("CEASEFIRE_DB") or default_db_path()
    if is_server(target):
        from .postgis import PostgisStore

        return PostgisStore(str(target), readonly=readonly)
    return SQLiteStore(Path(target).expanduser(), readonly=readonly)


__all__ = ["STORED_SCHEMA", "EventWriter", "Reach", "SQLiteStore", "Store", "WriteCounts", "connect", "default_db_path",
           "is_server"]
