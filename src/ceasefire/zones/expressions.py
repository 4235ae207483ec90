"""Geometry expressions: zones declared in the words agreements use, computed on shipped base data.

An expression is a mapping with one key, its operator::

    admin:       {names: [Idlib], level: 1}                   units by name (any spelling) or P-code
    part_of:     {parent: Latakia, level: 3, direction: NE}    child units lying in a direction
    band_along:  {inside: …, boundary_with: …, depth_km: 20}   a band inside an area along a line
    corridor:    {road: M4, from: Trumba, to: Ain al-Hur, width_km: 6}
    around:      {places: [Khan Tuman], km: 3}                  a town and its surroundings
    file:        {path: zone.geojson}                          a published map or line (GeoJSON, GeoPackage)
    zone:        astana-1                                      another zone of the same regime
    union / difference / intersection: [expr, expr, …]

Everything is computed in the metric CRS of the regime's :class:`Ground` (EPSG:32637, UTM 37N,
for Syria) and returned there; callers convert to WGS84 for output. A ground also carries the
places and roads a regime brings, whether the shipped Syrian data may be used, and whether ``file:``
paths may lie outside the regime's folder. Areas come out as valid polygons; a ``file:`` may hold
lines or points, used where a line is wanted. A map is read strictly (:func:`read_map`): every
feature must have a geometry with finite coordinates (within ±180/±90 in degrees) that GEOS calls
valid, or the error names the file, the feature and the reason; nothing is silently repaired.
Results are cached by a hash of the expression (with referenced zones inlined), the ground and the
base data version.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from ..errors import GeometryError
from ..geodata.basedata import METRIC_CRS, admin_units_metric, data_version, find_places, roads
from ..geodata.names import name_key
from ..regime.models import suggest

DIRECTIONS: dict[str, float] = {  # compass bearing in degrees, clockwise from grid north
    "N": 0, "NE": 45, "E": 90, "SE": 135, "S": 180, "SW": 225, "W": 270, "NW": 315,
}
DEFAULT_HALF_ANGLE = 45.0
# A child this close to the parent's centre (as a share of the parent's equivalent radius)
# lies in no direction: "the north of X" never means X's middle.
CENTRE_SHARE = 0.1
# Admin units share edges exactly, but a line of contact drawn between two expressions
# may pass through slightly different vertices after simplification.
SHARED_EDGE_TOLERANCE_M = 250.0
# No band, corridor or surroundings in an agreement is wider; past it UTM distances mean little anyway.
MAX_KM = 1000.0
# Bumped when reading maps changes (2: strict, nothing repaired), so cached geometries are recomputed.
MAP_READER = 2

ZoneResolver = Callable[[str], Mapping[str, Any]]
HeldResolver = Callable[[str, Any], tuple[BaseGeometry, BaseGeometry]]  # (zone id, moment) → (held, defined)
Places = Mapping[str, tuple[float, float]]  # a regime's own places: name key → (lon, lat)


@dataclass(frozen=True)
class Ground:
    """Where expressions are computed: a metric CRS, and what a regime brings beyond the shipped data."""

    crs: str = METRIC_CRS
    places: Places = field(default_factory=dict)
    roads: gpd.GeoDataFrame | None = None  # the regime's own roads: a `road` column, any CRS
    shipped: bool = True  # the shipped Syrian admin units, gazetteer and roads may be used
    # `file:` paths (and the regime's roads) may resolve outside the regime's folder; off by default so
    # that a regime file from elsewhere cannot read ../../etc/passwd or follow a symlink out
    paths_outside: bool = False

    def key(self) -> list[Any]:
        """What results depend on (``paths_outside`` changes only what may be read, not what comes out)."""
        own_roads = None if self.roads is None else self.roads.to_json()
        return [self.crs, sorted(self.places.items()), own_roads, self.shipped]


SYRIA = Ground()


# --------------------------------------------------------------------------- units


@cache
def _unit_index(crs: str) -> tuple[dict[str, list[int]], dict[str, int], np.ndarray, np.ndarray]:
    """Over the admin units in ``crs``: name key → rows (names and aliases), P-code → row, each row's level and
    P-code. Made once: a name key costs a regex pass, and the news reader looks units up on every article."""
    units = admin_units_metric(crs)
    by_key: dict[str, list[int]] = {}
    for i, row in enumerate(units.itertuples()):
        for key in {name_key(n) for n in (row.name, *row.aliases.split("|")) if n}:
            by_key.setdefault(key, []).append(i)
    pcodes = units["pcode"].to_numpy()
    return by_key, {p: i for i, p in enumerate(pcodes)}, units["level"].to_numpy(), pcodes


def _units_named(names: list[str], level: int | None, within: str | None = None,
                 ground: Ground = SYRIA) -> gpd.GeoDataFrame:
    _shipped(ground, "admin units")
    everything = admin_units_metric(ground.crs)
    by_key, by_pcode, levels, pcodes = _unit_index(ground.crs)
    allowed = np.ones(len(everything), bool) if level is None else levels == level
    if within:
        parents = tuple(_units_named([within], None, ground=ground)["pcode"])
        allowed &= np.array([p.startswith(parents) for p in pcodes], bool)
    chosen = []
    for name in names:
        rows = set(by_key.get(name_key(name), []))
        if name in by_pcode:
            rows.add(by_pcode[name])
        hits = [i for i in rows if allowed[i]]
        if not hits:
            units = everything[allowed]
            where = f" at level {level}" if level else ""
            hint = suggest(name, sorted(set(units["name"]))) or suggest(
                name, sorted({a for row in units.itertuples() for a in row.aliases.split("|") if a}))
            raise GeometryError(f"no administrative unit named {name!r}{where}{hint}")
        # A bare name may match a governorate, its district and its sub-district (Idlib, Idlib, Idleb):
        # without a level the coarsest unit is what the words mean.
        top = min(levels[i] for i in hits)
        chosen += [i for i in hits if levels[i] == top]
    return everything.iloc[sorted(set(chosen))]


def admin(names: list[str] | str, level: int | None = None, within: str | None = None,
          ground: Ground = SYRIA) -> BaseGeometry:
    """The union of the units with these names (any known spelling) or P-codes."""
    names = [names] if isinstance(names, str) else list(names)
    return shapely.union_all(_units_named(names, level, within, ground).geometry.values)


def part_of_units(
    parent: list[str] | str,
    direction: str,
    level: int,
    half_angle: float = DEFAULT_HALF_ANGLE,
    exclude: list[str] | None = None,
    parent_level: int | None = None,
    ground: Ground = SYRIA,
) -> gpd.GeoDataFrame:
    """The child units (at ``level``) of ``parent`` that lie in ``direction`` from its centre.

    Rule: a child is in direction D when the bearing from the centroid of the parent to the
    centroid of the child is within ``half_angle`` degrees of D (grid bearing in the ground's CRS;
    in EPSG:32637 within 2° of true north over Syria). With ``half_angle`` below 90 the cones of opposite
    directions do not overlap, so "the north" and "the south" of a unit never share a child.
    A child whose centroid lies within ``CENTRE_SHARE`` of the parent's equivalent radius
    (sqrt(area / pi)) of the parent's centroid lies in no direction.
    """
    if direction not in DIRECTIONS:
        raise GeometryError(f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
    if not 0 < half_angle < 90:
        raise GeometryError(f"half_angle must be between 0 and 90 degrees, got {half_angle}")
    parent_names = [parent] if isinstance(parent, str) else list(parent)
    if not parent_names:  # an empty list would reach GEOS as an empty centre point
        raise GeometryError("part_of needs at least one parent unit, got none")
    parents = _units_named(parent_names, parent_level, ground=ground)
    if (parents["level"] >= level).any():
        raise GeometryError(f"the children of {list(parents['name'])} cannot be at level {level}")
    units = admin_units_metric(ground.crs)
    children = units[(units["level"] == level) & units["pcode"].str.startswith(tuple(parents["pcode"]))]
    if exclude:
        dropped = _units_named(exclude, level, ground=ground)
        children = children[~children["pcode"].isin(dropped["pcode"])]
    whole = shapely.union_all(parents.geometry.values)
    centre = whole.centroid
    min_offset = CENTRE_SHARE * math.sqrt(whole.area / math.pi)
    cx = shapely.get_x(children.geometry.centroid.values) - centre.x
    cy = shapely.get_y(children.geometry.centroid.values) - centre.y
    bearing = np.degrees(np.arctan2(cx, cy))  # clockwise from north
    off = (bearing - DIRECTIONS[direction] + 180.0) % 360.0 - 180.0
    inside = (np.abs(off) <= half_angle) & (np.hypot(cx, cy) > min_offset)
    return children[inside]


def part_of(parent: list[str] | str, direction: str, level: int, half_angle: float = DEFAULT_HALF_ANGLE,
            exclude: list[str] | None = None, parent_level: int | None = None, ground: Ground = SYRIA) -> BaseGeometry:
    units = part_of_units(parent, direction, level, half_angle, exclude, parent_level, ground)
    if units.empty:
        raise GeometryError(f"no unit at level {level} of {parent!r} lies to the {direction}")
    return shapely.union_all(units.geometry.values)


# --------------------------------------------------------------------------- lines


def road_line(road: str, ground: Ground = SYRIA) -> BaseGeometry:
    """A road by name: the regime's own roads when it brings any, else the shipped ones."""
    if ground.roads is not None:
        table, what = ground.roads, "the regime's roads"
    else:
        _shipped(ground, f"roads (road {road!r})")
        table, what = roads(), "the shipped roads"
    hit = table[table["road"].astype(str).str.upper() == road.upper()]
    if hit.empty:
        raise GeometryError(f"no road {road!r} in {what} (have: {', '.join(map(str, table['road']))})")
    return gpd.GeoSeries(hit.geometry.values, crs=table.crs or "EPSG:4326").to_crs(ground.crs).union_all()


def place_point(name: str, ground: Ground = SYRIA) -> BaseGeometry:
    """A named place in metres: the regime's own places first, then the shipped gazetteer."""
    own = ground.places.get(name_key(name))
    if own is not None:
        lon, lat = own
    else:
        hits = find_places(name) if ground.shipped else []
        if not hits:
            where = "the regime's places" + (" or the gazetteer" if ground.shipped else "")
            raise GeometryError(f"no place named {name!r} in {where} (a regime may list its own `places`)")
        lon, lat = hits[0].lon, hits[0].lat
    return gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326").to_crs(ground.crs).iloc[0]


def road_section(road: str, start: str, end: str, ground: Ground = SYRIA) -> BaseGeometry:
    """The part of a road between the points nearest to two named places."""
    line = road_line(road, ground)
    if line.geom_type != "LineString":
        line = shapely.line_merge(line)
    a, b = (line.project(place_point(name, ground)) for name in (start, end))
    section = substring(line, min(a, b), max(a, b))
    if section.length < 1.0:
        raise GeometryError(f"{start!r} and {end!r} meet the same point of road {road!r}")
    return section


def corridor(road: str, start: str, end: str, width_km: float, ground: Ground = SYRIA) -> BaseGeometry:
    """``width_km`` on each side of the road section between two named places (flat ends)."""
    if width_km <= 0:
        raise GeometryError(f"corridor width must be positive, got {width_km}")
    return road_section(road, start, end, ground).buffer(width_km * 1000.0, cap_style="flat")


def around(names: list[str], km: float, ground: Ground = SYRIA) -> BaseGeometry:
    """The ground within ``km`` of named places: a town and its surroundings."""
    return shapely.union_all([place_point(p, ground).buffer(km * 1000) for p in names])


def _country_outline(ground: Ground) -> BaseGeometry:
    units = admin_units_metric(ground.crs)
    return shapely.union_all(units.loc[units["level"] == 1, "geometry"].values).boundary


def _shipped(ground: Ground, what: str) -> None:
    if not ground.shipped:
        raise GeometryError(f"the regime lies outside the shipped data (Syria), so it cannot use the shipped {what}: "
                            "give its own `places`, `roads` or `file:` maps")


def band_along(inside: BaseGeometry | None, line: BaseGeometry, depth_km: float, side: str = "both") -> BaseGeometry:
    """The part of ``inside`` within ``depth_km`` of ``line``; with no area, the band on one ``side`` of a
    line (left or right as the line runs) or on both."""
    if depth_km <= 0:
        raise GeometryError(f"band depth must be positive, got {depth_km}")
    if line.is_empty:
        raise GeometryError("the band's line is empty: the two areas share no boundary")
    distance = depth_km * 1000.0
    if side == "both":
        band = line.buffer(distance)
    else:
        lines = [g for g in shapely.get_parts(shapely.line_merge(line) if line.geom_type == "MultiLineString" else line)
                 if g.geom_type == "LineString"]
        if not lines:
            raise GeometryError(f"a band on one side needs a line, got a {line.geom_type}")
        sign = 1 if side == "left" else -1
        band = shapely.union_all([shapely.buffer(g, sign * distance, single_sided=True) for g in lines])
    return band if inside is None else inside.intersection(band)


def shared_boundary(area: BaseGeometry, other: BaseGeometry) -> BaseGeometry:
    """The part of ``area``'s boundary it shares with ``other`` (a line of contact)."""
    if area.is_empty or other.is_empty:  # an empty collection has no boundary at all (Shapely gives None)
        raise GeometryError("band_along: the area or its boundary_with is empty, so they share no boundary")
    return area.boundary.intersection(other.buffer(SHARED_EDGE_TOLERANCE_M))


def regime_path(base_dir: Path, relative: object, ground: Ground = SYRIA, what: str = "file:") -> Path:
    """A path a regime names, anchored at its folder; refused when it resolves (symlinks followed) outside it,
    unless the ground allows paths outside."""
    if not isinstance(relative, str) or not relative.strip():
        raise GeometryError(f"{what} path must be a file name relative to the regime, got {relative!r}")
    path = base_dir / relative
    try:
        resolved, folder = path.resolve(), base_dir.resolve()
    except (OSError, ValueError, RuntimeError) as exc:  # a NUL byte, a symlink loop
        raise GeometryError(f"{what} {relative!r} is not a usable path ({exc})") from None
    if not ground.paths_outside and not resolved.is_relative_to(folder):
        raise GeometryError(f"{what} {relative} resolves outside the regime's folder {folder}; "
                            "pass --allow-paths-outside to read it")
    return path


def _file_path(arg: Any, base_dir: Path, ground: Ground) -> Path:
    if not isinstance(arg, Mapping) or "path" not in arg:
        raise GeometryError(f"file: needs {{path: …}}, got {arg!r}")
    return regime_path(base_dir, arg["path"], ground)


# How much of a map GDAL cannot read is looked at to say why (GDAL says only "not recognized").
MAP_SNIFF_BYTES = 1024 * 1024
FIX_HINT = "fix it (e.g. QGIS: Vector > Geometry Tools > Fix Geometries) and save the file again"


def read_map(path: Path, crs: str = "EPSG:4326") -> list[BaseGeometry]:
    """Every feature's geometry of a published map (GeoJSON, GeoPackage) in ``crs``, in file order.

    Strict, because a zone drawn from a broken map is a wrong zone: a feature without a geometry, with
    a coordinate that is not finite or (in degrees) out of range, or that GEOS calls invalid (a
    bow-tie ring) is an error naming the file, the feature (1-based) and the reason — never repaired."""
    try:
        path.stat()
    except FileNotFoundError:
        raise GeometryError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte, no permission
        raise GeometryError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if not path.is_file():
        raise GeometryError(f"{path}: is not a file (a GeoJSON or GeoPackage map is)")
    from pyogrio.raw import read as ogr_read

    with warnings.catch_warnings(record=True) as gdal_said:  # GDAL's warnings tell why a geometry is missing
        warnings.simplefilter("always")
        try:
            meta, _, wkbs, _ = ogr_read(path, columns=[], read_geometry=True)  # geometry only: no field to decode
        except (RuntimeError, OSError, ValueError) as exc:  # pyogrio's errors are RuntimeErrors; one message
            raise GeometryError(f"{path}: not a GeoJSON or GeoPackage map: {_why_unreadable(path, exc)}") from None
    said = "; ".join(dict.fromkeys(str(w.message).split(". ")[0] for w in gdal_said))
    degrees = meta.get("crs") is None or _in_degrees(meta["crs"])
    if wkbs is None or len(wkbs) == 0:
        raise GeometryError(f"{path}: holds no features (a zone's map needs at least one)")
    geoms = []
    for number, wkb in enumerate(wkbs, start=1):
        where = f"{path}: feature {number}"
        if wkb is None:
            why = f" (GDAL: {said})" if said else ""
            raise GeometryError(f"{where} has no geometry{why}; give it one or delete it")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # NaN coordinates warn here; they are refused just below
                geom = shapely.from_wkb(wkb)
        except shapely.errors.ShapelyError as exc:
            raise GeometryError(f"{where}: not a readable geometry ({exc}); correct or delete it") from None
        geoms.append(_checked(geom, degrees, where))
    source_crs = meta.get("crs") or "EPSG:4326"  # GeoJSON without a crs member is WGS84 by definition
    try:
        projected = gpd.GeoSeries(geoms, crs=source_crs).to_crs(crs)
    except (RuntimeError, ValueError) as exc:  # pyproj: an unknown or unusable CRS
        raise GeometryError(f"{path}: cannot be projected from {source_crs} to {crs} ({exc})") from None
    out = []
    for number, geom in enumerate(projected.values, start=1):
        if not np.isfinite(shapely.get_coordinates(geom)).all():
            raise GeometryError(f"{path}: feature {number} lies where {crs} cannot draw it (the projection "
                                "gives infinite coordinates); state the regime's `crs`")
        # a valid ring can pinch when reprojected; that is the projection's doing, not the file's
        out.append(geom if geom.is_valid or kind_of(geom) != "area" else _clean(geom))
    return out


def _checked(geom: BaseGeometry, degrees: bool, where: str) -> BaseGeometry:
    """The geometry, if its coordinates are finite, in range when in degrees, and GEOS calls it valid."""
    if geom.is_empty:
        raise GeometryError(f"{where} has an empty geometry; give it one or delete it")
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all():
        raise GeometryError(f"{where}: a coordinate is not a number (NaN or infinite); correct or delete it")
    if degrees:
        lon, lat = xy[:, 0], xy[:, 1]
        bad = np.flatnonzero((np.abs(lon) > 180) | (np.abs(lat) > 90))
        if bad.size:
            x, y = xy[bad[0]]
            raise GeometryError(f"{where}: coordinate ({x:g} {y:g}) is out of range (longitude within ±180, "
                                "latitude within ±90, longitude first); is the map in another CRS, or x and y swapped?")
    if not geom.is_valid:
        raise GeometryError(f"{where}: invalid {geom.geom_type} ({shapely.is_valid_reason(geom)}); {FIX_HINT}")
    return geom


def _in_degrees(crs: str) -> bool:
    import pyproj

    try:
        return bool(pyproj.CRS.from_user_input(crs).is_geographic)
    except RuntimeError:  # pyproj's CRSError: an unparsable CRS is reported when the map is projected
        return False


def _why_unreadable(path: Path, exc: Exception) -> str:
    """A plain reason a map cannot be read: GDAL often says only "not recognized as being in a supported
    file format"."""
    gdal = str(exc).split("; It might help")[0]
    try:
        with path.open("rb") as handle:
            head = handle.read(MAP_SNIFF_BYTES + 1)
    except OSError:
        return gdal
    first = head.lstrip()[:1]
    if not first:
        return "the file is empty"
    if head.startswith(b"SQLite format 3"):
        return f"a SQLite file that GDAL cannot read as a GeoPackage ({gdal})"
    if b"\x00" in head[:4096]:
        return "binary data"
    if first == b"[":
        return "its top level is a JSON array; GeoJSON is an object: a FeatureCollection, a Feature or a geometry"
    if first != b"{":
        return "text that is not JSON"
    if len(head) <= MAP_SNIFF_BYTES:
        try:
            data = json.loads(head)
        except ValueError as json_exc:
            return f"not valid JSON ({json_exc})"
        if isinstance(data, dict) and data.get("type") == "FeatureCollection" and not isinstance(
                data.get("features"), list):
            return "a FeatureCollection without a `features` list"
    return gdal


def from_file(path: Path, ground: Ground = SYRIA) -> BaseGeometry:
    """Every geometry of a published map (GeoJSON, GeoPackage), in metres: areas, lines or points."""
    geoms = read_map(path, ground.crs)
    try:
        return shapely.union_all(geoms)
    except shapely.errors.GEOSException as exc:  # valid parts should always combine; say so if not
        raise GeometryError(f"{path}: its features cannot be combined ({exc}); {FIX_HINT}") from None


def kind_of(geom: BaseGeometry) -> str:
    """area, line or point — what a geometry can stand for."""
    kinds = {g.geom_type for g in shapely.get_parts(geom)}
    if kinds & {"Polygon", "MultiPolygon"}:
        return "area"
    if kinds & {"LineString", "LinearRing", "MultiLineString"}:
        return "line"
    return "point"


# --------------------------------------------------------------------------- evaluation


def _km(arg: Mapping[str, Any], key: str) -> float:
    """A distance an agreement gives: finite and at most MAX_KM (an .inf in YAML would reach GEOS)."""
    value = float(arg[key])
    if not 0 < value <= MAX_KM:  # NaN fails this too
        raise GeometryError(f"{key} must be a distance above 0 and at most {MAX_KM:g} km, got {value}")
    return value


def _listify(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


class Evaluator:
    """Turns expressions (plain mappings, as parsed from YAML) into metric geometries.

    ``zone_expression`` resolves ``zone: ID`` references; ``base_dir`` anchors ``file:`` paths.
    """

    def __init__(self, zone_expression: ZoneResolver | None = None, base_dir: Path | None = None,
                 ground: Ground = SYRIA, held: HeldResolver | None = None, held_key: Any = None):
        self._zone_expression = zone_expression
        self._base_dir = base_dir or Path.cwd()
        self.ground = ground
        self._held = held
        self._ground_key = [ground.key(), held_key]
        self._memo: dict[str, BaseGeometry] = {}

    def key(self, expr: Mapping[str, Any]) -> str:
        inlined = self._inline(expr, ())
        text = json.dumps([inlined, self._ground_key], sort_keys=True, default=str) + data_version()
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def _inline(self, expr: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(expr, Mapping):
            if set(expr) == {"zone"}:
                zone_id = expr["zone"]
                if zone_id in seen:
                    raise GeometryError(f"zone {zone_id!r} refers to itself through {' → '.join(seen)}")
                return self._inline(self._resolve_zone(zone_id), (*seen, zone_id))
            if set(expr) == {"file"}:  # checked here too: a cached geometry must not bypass the folder rule
                path = _file_path(expr["file"], self._base_dir, self.ground)
                try:
                    stamp = path.stat().st_mtime_ns
                except OSError:
                    stamp = 0
                return {"file": {**expr["file"], "_resolved": str(path), "_mtime": stamp, "_reader": MAP_READER}}
            return {k: self._inline(v, seen) for k, v in expr.items()}
        if isinstance(expr, list):
            return [self._inline(v, seen) for v in expr]
        return expr

    def _resolve_zone(self, zone_id: str) -> Mapping[str, Any]:
        if self._zone_expression is None:
            raise GeometryError(f"zone {zone_id!r} is referenced outside a regime")
        return self._zone_expression(zone_id)

    def area(self, expr: Mapping[str, Any], what: str = "an area") -> BaseGeometry:
        """An expression that must give an area (a zone, the inside of a band)."""
        geom = self.evaluate(expr)
        if geom.is_empty:
            return geom
        if isinstance(expr, Mapping) and set(expr) == {"file"}:  # a map: every feature must be an area
            kinds = {g.geom_type for g in shapely.get_parts(geom)}
            if not kinds <= {"Polygon", "MultiPolygon"}:
                path = _file_path(expr["file"], self._base_dir, self.ground)
                features = enumerate(read_map(path, self.ground.crs), start=1)
                polygonal = {3, 6}  # GEOS type ids of Polygon and MultiPolygon
                number, odd = next(((n, g.geom_type) for n, g in features
                                    if set(shapely.get_type_id(shapely.get_parts(g))) - polygonal), (0, "collection"))
                raise GeometryError(f"{what} needs an area (polygons); the expression gives a {geom.geom_type}: "
                                    f"{path}: feature {number} is a {odd}")
        elif kind_of(geom) != "area":
            raise GeometryError(f"{what} needs an area (polygons); the expression gives a {geom.geom_type}")
        return geom

    def evaluate(self, expr: Mapping[str, Any]) -> BaseGeometry:
        key = self.key(expr)
        if key not in self._memo:
            geom = _disk_cache_get(key)
            if geom is None:
                geom = self._compute(expr)
                _disk_cache_put(key, geom)
            self._memo[key] = geom
        return self._memo[key]

    def _compute(self, expr: Mapping[str, Any]) -> BaseGeometry:
        if not isinstance(expr, Mapping) or len(expr) != 1:
            raise GeometryError(f"an expression is a mapping with one operator, got {expr!r}")
        (op, arg), = expr.items()
        ground = self.ground
        if op == "admin":
            spec = {"names": arg} if isinstance(arg, (str, list)) else arg
            geom = admin(_listify(spec["names"]), spec.get("level"), spec.get("within"), ground)
        elif op == "part_of":
            geom = part_of(arg["parent"], arg["direction"], arg["level"], arg.get("half_angle", DEFAULT_HALF_ANGLE),
                           arg.get("exclude"), arg.get("parent_level"), ground)
        elif op == "band_along":
            area = self.area(arg["inside"], "band_along's inside") if arg.get("inside") else None
            if "boundary_with" in arg:
                if area is None:
                    raise GeometryError("band_along with boundary_with needs an inside area")
                line = shared_boundary(area, self.area(arg["boundary_with"], "band_along's boundary_with"))
            elif "road" in arg:
                line = road_line(arg["road"], ground)
            else:
                line = self.evaluate(arg["line"])
            geom = band_along(area, line, _km(arg, "depth_km"), arg.get("side", "both"))
        elif op == "corridor":
            geom = corridor(arg["road"], arg["from"], arg["to"], _km(arg, "width_km"), ground)
        elif op == "around":
            geom = around(_listify(arg["places"]), _km(arg, "km"), ground)
        elif op == "file":
            return from_file(_file_path(arg, self._base_dir, ground), ground)  # lines and points stay what they are
        elif op in ("held", "line_of_contact"):
            if self._held is None:
                raise GeometryError(f"{op} needs a regime whose changes of control it can read")
            held, defined = self._held(arg["zone"], arg["at"])
            if op == "line_of_contact":  # the held ground's edge facing other ground: no national border
                border = held.boundary.intersection(_country_outline(ground).buffer(SHARED_EDGE_TOLERANCE_M)) \
                    if ground.shipped else shapely.LineString()
                return shapely.line_merge(held.boundary.difference(border)) if not held.is_empty else held
            geom = held
        elif op == "zone":
            geom = self.evaluate(self._resolve_zone(arg))
        elif op in ("union", "intersection", "difference"):
            parts = [self.area(e, op) for e in arg]
            if not parts:
                raise GeometryError(f"{op} needs at least one expression")
            if op == "union":
                geom = shapely.union_all(parts)
            elif op == "intersection":
                geom = shapely.intersection_all(parts)
            else:
                geom = parts[0].difference(shapely.union_all(parts[1:])) if len(parts) > 1 else parts[0]
        else:
            raise GeometryError(f"unknown geometry operator {op!r}")
        return _clean(geom)


def _clean(geom: BaseGeometry) -> BaseGeometry:
    """A valid (multi)polygon: slivers and stray lines from set operations removed."""
    geom = shapely.make_valid(geom)
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polys:
        return shapely.Polygon()
    geom = shapely.union_all(polys)
    return geom if geom.is_valid else shapely.make_valid(geom)


# --------------------------------------------------------------------------- cache on disk


def _cache_dir() -> Path | None:
    import os

    if os.environ.get("CEASEFIRE_NO_CACHE"):
        return None
    from platformdirs import user_cache_dir

    return Path(os.environ.get("CEASEFIRE_CACHE_DIR") or user_cache_dir("ceasefire")) / "geometry"


def _disk_cache_get(key: str) -> BaseGeometry | None:
    folder = _cache_dir()
    path = folder / f"{key}.wkb" if folder else None
    if path is None or not path.exists():
        return None
    try:
        return shapely.from_wkb(path.read_bytes())
    except Exception:  # a torn file from a crash: recompute
        return None


def _disk_cache_put(key: str, geom: BaseGeometry) -> None:
    folder = _cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{key}.wkb.tmp"
        tmp.write_bytes(shapely.to_wkb(geom))
        tmp.replace(folder / f"{key}.wkb")  # atomic: readers never see half a file
    except OSError:
        pass  # a read-only home is no reason to fail; the cache is only a speed-up


