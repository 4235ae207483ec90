"""Violations as a listing: the columns a person reads, and points for the map formats (see report.export)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

TABLE_COLUMNS = ["date", "event_id", "status", "zone", "rule", "actor1", "actor2", "reason"]


def violations_frame(found: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(found, geometry=gpd.points_from_xy(found["lon"], found["lat"]), crs="EPSG:4326")
