"""Events out of the store, as a DataFrame in the normalized schema."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd

from .schema import COLUMNS


# What judging reads: the place and its precision (with the units the source names), the time, the kind,
# the actors and their roles, and the source's own text (to find groups an umbrella actor may hide).
MONITOR_COLUMNS = ["event_id", "date", "date_end", "date_precision", "time", "lon", "lat", "place", "place_precision",
                   "place_radius_km", "adm1", "adm2", "event_type", "sub_event_type", "weapon_class", "actor1", "actor2",
                   "roles", "fatalities_best", "sources", "notes"]


def events_frame(conn: sqlite3.Connection, start: dt.date | None = None, end: dt.date | None = None,
                 with_raw: bool = False, columns: list[str] | None = None) -> pd.DataFrame:
    """Events whose date range meets [start, end] (inclusive), oldest first.

    ``columns`` None: every column but ``raw`` (and ``raw`` too with ``with_raw``).
    """
    cols = columns or [c for c in COLUMNS if with_raw or c != "raw"]
    sql = f"SELECT {', '.join(cols)} FROM events WHERE 1=1"
    args: list[str] = []
    if start:
        sql += " AND date_end >= ?"
        args.append(start.isoformat())
    if end:
        sql += " AND date <= ?"
        args.append(end.isoformat())
    chunks = pd.read_sql_query(sql + " ORDER BY date, event_id", conn, params=args, chunksize=200_000,
                               dtype_backend="pyarrow")
    frames = list(chunks)
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)
