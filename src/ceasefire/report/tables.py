"""Violations out: a table to read, CSV for spreadsheets, GeoJSON for QGIS, Parquet for pandas."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..errors import CeasefireError
from .geojson import to_geojson

TABLE_COLUMNS = ["date", "event_id", "status", "zone", "rule", "actor1", "actor2", "reason"]


def violations_frame(found: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(found, geometry=gpd.points_from_xy(found["lon"], found["lat"]), crs="EPSG:4326")


def write_violations(found: pd.DataFrame, fmt: str, output: Path | None) -> str | None:
    """Write (or return as text, when ``output`` is None and the format is textual)."""
    if fmt == "parquet":
        if output is None:
            raise CeasefireError("--format parquet needs -o FILE")
        found.to_parquet(output, index=False)
        return None
    if fmt == "geojson":
        text = to_geojson(violations_frame(found))
    elif fmt == "csv":
        text = found.to_csv(index=False)
    else:
        if found.empty:
            text = "no violations"
        else:
            with pd.option_context("display.max_colwidth", 120, "display.width", 250):
                text = found[TABLE_COLUMNS].to_string(index=False)
    if output is None:
        return text
    output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return None
