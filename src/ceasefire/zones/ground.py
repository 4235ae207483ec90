"""The ground a regime is computed on: its metric projection, and the places and roads it brings.

A regime in Syria computes on the shipped data in UTM 37N (EPSG:32637). A regime elsewhere names
its own maps (``file:``), places and roads; its projection is the UTM zone of its extent's centre,
or — for an extent wider than 12° of longitude — an azimuthal equidistant projection centred on it,
unless the regime states its own ``crs``. The shipped Syrian data serve only a regime whose extent
meets Syria, so a regime elsewhere that names no roads gets a clear error, never Syria's M4.

The files a regime names (``file:`` maps, its ``roads``) must lie inside its folder unless the
ground allows paths outside (``load_regime(..., allow_paths_outside=True)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyproj

from ..errors import CeasefireError, RegimeError
from ..geodata.basedata import admin_units
from ..regime.models import Regime
from .expressions import SYRIA, Ground, read_map, regime_path

UTM_WIDTH_DEG = 6.0
MAX_UTM_SPAN_DEG = 12.0  # wider than two UTM zones: distances would stretch; use a centred projection


def ground_of(regime: Regime, allow_paths_outside: bool = False) -> Ground:
    """The regime's ground, computed once per regime: ``allow_paths_outside`` counts only on the first call
    (:func:`~ceasefire.regime.load_regime` makes it when asked to allow them)."""
    if regime._ground is None:
        base = Path(regime._source).parent if regime._source else Path.cwd()
        policy = Ground(paths_outside=allow_paths_outside)  # only for checking paths, until the real one exists
        roads = _read_roads(regime_path(base, regime.roads, policy, "roads:")) if regime.roads else None
        extent = regime_extent(regime, base, roads, policy)
        syria = tuple(admin_units().total_bounds)
        shipped = _meets(extent, syria)
        regime._ground = Ground(crs=regime.crs or metric_crs_for(extent), places=regime.place_table(),
                                roads=roads, shipped=shipped, paths_outside=allow_paths_outside)
    return regime._ground


def metric_crs_for(extent: tuple[float, float, float, float]) -> str:
    """The UTM zone of the extent's centre, or an azimuthal equidistant projection centred on a wide one."""
    minx, miny, maxx, maxy = extent
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    if maxx - minx > MAX_UTM_SPAN_DEG:
        return f"+proj=aeqd +lat_0={lat:.4f} +lon_0={lon:.4f} +datum=WGS84 +units=m +no_defs"
    zone = int((lon + 180) // UTM_WIDTH_DEG) + 1
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def regime_extent(regime: Regime, base: Path, roads: gpd.GeoDataFrame | None = None, policy: Ground = SYRIA
                  ) -> tuple[float, float, float, float]:
    """WGS84 bounds of what the regime is drawn from: its map files, places and roads; the shipped
    Syrian data when its expressions name admin units (or it names nothing of its own). A map that cannot
    be read, or may not be, is left out here: computing its zone reports it, with the zone's line."""
    boxes = []
    uses_units = False
    for expr in _expressions(regime):
        for op, arg in _walk(expr):
            if op in ("admin", "part_of"):
                uses_units = True
            elif op == "file" and isinstance(arg, dict):
                try:
                    geoms = read_map(regime_path(base, arg.get("path"), policy))
                    boxes.append(tuple(gpd.GeoSeries(geoms).total_bounds))
                except CeasefireError:
                    pass
    boxes += [(p.lon, p.lat, p.lon, p.lat) for p in regime.places]
    if roads is not None and not roads.empty:
        boxes.append(tuple(roads.to_crs(4326).total_bounds))
    if uses_units or not boxes:
        boxes.append(tuple(admin_units().total_bounds))
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def describe_crs(crs: str) -> str:
    return pyproj.CRS.from_user_input(crs).name


def _read_roads(path: Path) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types
        raise RegimeError(f"{path}: the regime's roads cannot be read ({exc})") from None
    if "road" not in frame.columns:
        raise RegimeError(f"{path}: each road needs a `road` name (columns: {', '.join(map(str, frame.columns))})")
    return frame.set_crs(4326) if frame.crs is None else frame


def _expressions(regime: Regime) -> Iterator[dict[str, Any]]:
    for zone in regime.zones:
        yield zone.geometry.model_dump(by_alias=True, exclude_none=True)
    for change in regime.control:
        yield change.area.model_dump(by_alias=True, exclude_none=True)


def _walk(expr: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(expr, dict):
        for key, value in expr.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(expr, list):
        for item in expr:
            yield from _walk(item)


def _meets(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]
