"""GeoJSON out, as RFC 7946 wants it: WGS84 lon/lat, counter-clockwise exteriors, no crs member."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely


def _clean_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, (dt.date, dt.time)):  # a datetime is a date too
        return value.isoformat()
    return value


def to_geojson(frame: gpd.GeoDataFrame, precision: int = 6) -> str:
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    features = []
    geoms = shapely.orient_polygons(frame.geometry.values)  # exterior CCW, holes CW (RFC 7946 §3.1.6)
    props = frame.drop(columns=frame.geometry.name)
    for geom, (_, row) in zip(geoms, props.iterrows()):
        features.append({
            "type": "Feature",
            "properties": {k: _clean_value(v) for k, v in row.items()},
            "geometry": json.loads(shapely.to_geojson(geom)) if geom is not None else None,
        })
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    # Trim float noise without reparsing: 6 decimals is about 10 cm.
    return _round_numbers(text, precision)


def _round_numbers(text: str, precision: int) -> str:
    import re

    pattern = re.compile(r"(-?\d+\.\d{%d})\d+" % precision)
    return pattern.sub(r"\1", text)
