"""Events out of the store, as a DataFrame in the normalized schema."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd

from .schema import COLUMNS


def events_frame(conn: sqlite3.Connection, start: dt.date | None = None, end: dt.date | None = None,
                 with_raw: bool = False) -> pd.DataFrame:
    """Events whose date range meets [start, end] (inclusive), oldest first."""
    cols = [c for c in COLUMNS if with_raw or c != "raw"]
    sql = f"SELECT {', '.join(cols)} FROM events WHERE 1=1"
    args: list[str] = []
    if start:
        sql += " AND date_end >= ?"
        args.append(start.isoformat())
    if end:
        sql += " AND date <= ?"
        args.append(end.isoformat())
    return pd.read_sql_query(sql + " ORDER BY date, event_id", conn, params=args)
