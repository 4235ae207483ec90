"""Events out of the store, as a DataFrame in the normalized schema."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow.compute as pc

from ..store import Store
from .schema import COLUMNS


# What judging reads: the place and its precision (with the units the source names), the time, the kind,
# the actors and their roles, and the source's own text (to find groups an umbrella actor may hide).
MONITOR_COLUMNS = ["event_id", "date", "date_end", "date_precision", "time", "lon", "lat", "place", "place_precision",
                   "place_radius_km", "adm1", "adm2", "event_type", "sub_event_type", "weapon_class", "actor1", "actor2",
                   "roles", "fatalities_best", "sources", "notes"]


def events_frame(store: Store, start: dt.date | None = None, end: dt.date | None = None,
                 with_raw: bool = False, columns: list[str] | None = None) -> pd.DataFrame:
    """Events whose date range meets [start, end] (inclusive), oldest first, as pandas with Arrow dtypes.

    ``columns`` None: every column but ``raw`` (and ``raw`` too with ``with_raw``). Bulk readers that need
    no order use ``store.event_batches`` (sorting a million rows costs about as much as reading them).
    """
    cols = columns or [c for c in COLUMNS if with_raw or c != "raw"]
    table = store.events(start, end, columns=cols)
    if table.num_rows > 1 and "date" in cols and "event_id" in cols:
        table = table.take(pc.sort_indices(table, sort_keys=[("date", "ascending"), ("event_id", "ascending")]))
    return table.to_pandas(types_mapper=pd.ArrowDtype)
