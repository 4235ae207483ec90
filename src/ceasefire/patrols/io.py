"""Plans and tracks in and out: GeoJSON (QGIS, web maps) and GPX (GPS units, phones).

A plan is one GeoJSON feature per leg. Its ``start`` and ``end`` are ISO date-times with the offset of
the regime's time zone (``2020-03-15T13:00+02:00``) and ``timezone`` names that zone; plans written
before they carried it have wall-clock times and no ``timezone`` (see :attr:`Patrol.timezone`).
It is read with :mod:`json`, not GDAL, so that every problem names the feature and the field, and
times keep their offsets.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
from pathlib import Path
from typing import Any

import geopandas as gpd
import gpxpy
import gpxpy.gpx
import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import LineString

from ..errors import InputError
from ..geodata.basedata import METRIC_CRS
from ..regime.clock import zone_info
from ..report.geojson import to_geojson
from .model import Leg, Patrol
from .tracks import Track, position_problem, read_track, write_track_gpx

__all__ = ["Track", "plan_frame", "read_plan", "read_track", "to_json", "write_plan", "write_plan_gpx",
           "write_track_gpx"]

PLAN_HINT = "a plan is the GeoJSON `ceasefire patrols plan -o plan.geojson` writes"
NEEDED = ("patrol", "mandate", "forces", "kind", "role", "leg", "start", "end")


def _wgs(geom, crs: str = METRIC_CRS):
    return gpd.GeoSeries([geom], crs=crs).to_crs(4326).iloc[0]


def _stamp(patrol: Patrol, when: dt.datetime) -> str:
    """A plan time as ISO 8601 with its offset; a patrol whose zone is not known keeps its bare wall time."""
    return (patrol.instant(when) if patrol.timezone else when).isoformat(timespec="minutes")


def plan_frame(patrols: list[Patrol]) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for p in patrols:
        for leg in p.legs:
            rows.append({"patrol": p.id, "mandate": p.mandate, "forces": "+".join(p.forces), "kind": p.kind,
                         "role": p.role, "leg": leg.number, "length_km": round(leg.length_km, 2),
                         "start": _stamp(p, p.start), "end": _stamp(p, p.end), "timezone": p.timezone,
                         "status": p.status, "crs": p.crs})
            geoms.append(leg.geometry)
    crs = patrols[0].crs if patrols else METRIC_CRS
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=crs).to_crs(4326)


def write_plan(patrols: list[Patrol], path: Path) -> None:
    path.write_text(to_geojson(plan_frame(patrols)) + "\n", encoding="utf-8")


def _json_kind(value: Any) -> str:
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "true/false", type(None): "null"}
    return kinds.get(type(value), "a number")


def _read_json(path: Path) -> Any:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); {PLAN_HINT}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not JSON ({exc.msg}); {PLAN_HINT}") from None
    except (ValueError, RecursionError):  # a number too long to convert, arrays nested thousands deep
        raise InputError(f"{path}: not a plan — JSON nested too deeply or a number too long; {PLAN_HINT}") from None


def _features(path: Path, doc: Any) -> list[Any]:
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        found = f"a {doc.get('type')!r} object" if isinstance(doc, dict) else _json_kind(doc)
        raise InputError(f"{path}: not a patrol plan — the top level is {found}, expected a GeoJSON "
                         f"FeatureCollection; {PLAN_HINT}")
    features = doc.get("features")
    if not isinstance(features, list):
        raise InputError(f"{path}: not a patrol plan — \"features\" is {_json_kind(features)}, expected an array")
    if not features:
        raise InputError(f"{path}: the plan has no patrols (no features)")
    return features


def _text(where: str, props: dict, key: str) -> str:
    value = props[key]
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and key == "patrol":
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: {key} must be a non-empty text, got {value!r}")
    return value.strip()


def _leg_number(where: str, value: Any) -> int:
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value)
            or value != int(value)):
        raise InputError(f"{where}: leg must be a whole number, got {value!r}")
    return int(value)


def _time(where: str, key: str, value: Any) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        raise InputError(f"{where}: {key} {value!r} is not an ISO 8601 date-time such as "
                         "2020-03-15T13:00+02:00") from None


def _positions(where: str, geometry: Any) -> np.ndarray:
    """A leg's lon/lat positions, each checked: they go to PROJ and GEOS next."""
    kind = geometry.get("type") if isinstance(geometry, dict) else _json_kind(geometry)
    if kind != "LineString":
        raise InputError(f"{where}: geometry must be a LineString (one leg of a route), found {kind}")
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        raise InputError(f"{where}: a leg needs at least two positions")
    for k, pos in enumerate(coords, start=1):
        if (not isinstance(pos, list) or len(pos) not in (2, 3)
                or not all(isinstance(c, numbers.Real) and not isinstance(c, bool) for c in pos)):
            raise InputError(f"{where}: position {k} must be [lon, lat] numbers, got {json.dumps(pos)[:60]}")
        try:
            problem = position_problem(float(pos[0]), float(pos[1]))
        except OverflowError:  # an integer of hundreds of digits
            problem = "a coordinate is not a finite number"
        if problem:
            raise InputError(f"{where}: position {k}: {problem}")
    return np.array([pos[:2] for pos in coords], dtype=float)


def _projection(where: str, value: Any) -> str:
    """The plan's metric CRS (older plans say none: UTM 37N)."""
    if value is None:
        return METRIC_CRS
    try:
        if not isinstance(value, str):
            raise TypeError(value)
        crs = CRS.from_user_input(value)
    except (CRSError, TypeError, ValueError):
        raise InputError(f"{where}: crs {value!r} is not a projection PROJ knows (e.g. EPSG:32637)") from None
    if not crs.is_projected:
        raise InputError(f"{where}: crs {value!r} is not a projected (metric) CRS; lengths would be in degrees")
    return str(value)


def _zone_name(where: str, value: Any) -> str | None:
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise TypeError(value)
        zone_info(value)
    except (TypeError, ValueError, OSError):  # OSError: zoneinfo opens a name too long to be a file name
        raise InputError(f"{where}: timezone {value!r} is not an IANA time zone such as Asia/Damascus") from None
    return value


def _wall(where: str, start: dt.datetime, end: dt.datetime, zone: str | None) -> tuple[dt.datetime, dt.datetime,
                                                                                       str | None]:
    """Start and end as wall-clock times in the plan's zone. Times with an offset in a plan that names
    no zone are shown in UTC; times without one are wall-clock times already (older plans)."""
    if start.tzinfo is not None or end.tzinfo is not None:
        zone = zone or "UTC"
        try:
            start, end = (t.astimezone(zone_info(zone)).replace(tzinfo=None) if t.tzinfo else t for t in (start, end))
        except OverflowError:
            raise InputError(f"{where}: start/end fall outside the calendar in {zone}") from None
    if end < start:
        raise InputError(f"{where}: end {end:%Y-%m-%d %H:%M} is before start {start:%Y-%m-%d %H:%M}")
    return start, end, zone


def read_plan(path: Path) -> list[Patrol]:
    """Patrols from a plan GeoJSON (one feature per leg), as written by `patrols plan`."""
    features = _features(path, _read_json(path))
    crs: str | None = None
    zone: str | None = None
    legs: dict[str, list[tuple[int, np.ndarray, dict, str]]] = {}
    for number, feature in enumerate(features, start=1):
        where = f"{path}: feature {number}"
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            raise InputError(f"{where}: not a GeoJSON feature with properties; {PLAN_HINT}")
        missing = [key for key in NEEDED if props.get(key) is None]
        if missing:
            raise InputError(f"{where}: not a patrol plan leg — missing properties {', '.join(missing)}")
        if number == 1:  # one plan, one projection and one clock: the first leg says which
            crs = _projection(where, props.get("crs"))
            zone = _zone_name(where, props.get("timezone"))
        elif props.get("crs") not in (None, crs):
            raise InputError(f"{where}: crs {props['crs']!r} differs from the plan's {crs}; a plan has one")
        positions = _positions(where, feature.get("geometry"))
        pid = _text(where, props, "patrol")
        legs.setdefault(pid, []).append((_leg_number(where, props["leg"]), positions, props, where))
    assert crs is not None
    to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    patrols = []
    for pid, parts in legs.items():
        parts.sort(key=lambda part: part[0])
        _, _, first, where = parts[0]
        fields = {key: _text(where, first, key) for key in ("mandate", "forces", "kind", "role")}
        forces = tuple(f.strip() for f in fields["forces"].split("+"))
        if not all(forces):
            raise InputError(f"{where}: forces {fields['forces']!r} must be names joined by + (russia+turkey)")
        start, end, patrol_zone = _wall(where, _time(where, "start", first["start"]), _time(where, "end", first["end"]),
                                        zone)
        pieces = []
        for leg_number, positions, _, leg_where in parts:
            x, y = to_metric.transform(positions[:, 0], positions[:, 1])
            xy = np.column_stack([x, y])
            if not np.isfinite(xy).all():
                raise InputError(f"{leg_where}: a position lies outside the plan's projection {crs}")
            pieces.append(Leg(pid, leg_number, LineString(xy)))
        route = shapely.line_merge(shapely.union_all([leg.geometry for leg in pieces]))
        if route.geom_type != "LineString":
            route = LineString(np.vstack([np.asarray(leg.geometry.coords) for leg in pieces]))
        if route.length == 0:  # completion is a share of the route's length
            raise InputError(f"{where}: patrol {pid}: its legs have no length")
        status = first.get("status")
        patrols.append(Patrol(pid, fields["mandate"], forces, fields["kind"], fields["role"], route, start, end,
                              pieces, status if isinstance(status, str) and status else "planned", crs, patrol_zone))
    return patrols


def write_plan_gpx(patrols: list[Patrol], path: Path) -> None:
    """Each patrol's route as a GPX route, to load into a GPS unit."""
    path.write_text(plan_gpx(patrols), encoding="utf-8")


def plan_gpx(patrols: list[Patrol]) -> str:
    gpx = gpxpy.gpx.GPX()
    for p in patrols:
        rte = gpxpy.gpx.GPXRoute(name=p.id, description=f"{'+'.join(p.forces)} {p.role} "
                                                        f"{p.start:%Y-%m-%d %H:%M} {p.clock}")
        for x, y in _wgs(p.route, p.crs).coords:
            rte.points.append(gpxpy.gpx.GPXRoutePoint(y, x))
        gpx.routes.append(rte)
    return gpx.to_xml()


def to_json(obj: dict) -> str:
    return json.dumps(obj, indent=2, default=str, ensure_ascii=False)
