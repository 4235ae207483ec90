"""Where an event may be, and so how sure it is to lie in a zone.

The area an event could be in follows from its place precision:

- **exact**: its point, with a stated border tolerance: a point within ``EDGE_KM`` of a zone's edge
  (inside or out) is only *possibly* in the zone — coordinates and drawn zones both carry errors;
- **near**: a disc of ``place_radius_km`` (25 km when the source gives none, UCDP's "near");
  *confirmed* only if the whole disc is inside the zone, *possible* if it meets it;
- **district / governorate / region**: the admin unit the source names (UCDP adm_1 / adm_2,
  ACLED admin1 / admin2) — the most specific it gives — or, failing that, the unit at that level
  that contains the event's point; *confirmed* if the unit lies wholly inside the zone, *possible*
  if it meets it;
- **country**: the whole country: *possible* in every zone it meets.

Every zone gets a status, so every candidate zone can be named. All tests are arrays: grid
locators over each zone grown and shrunk by the tolerance and the default radius (each asked once
per point, whatever the number of a zone's versions), a table of unit × zone relations, and exact
Shapely distances only for events with their own radius. :func:`candidates` finds, by bounding boxes
and named units, the events that may lie in some zone at all: the monitor reads only those further.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from ..errors import GeometryError
from ..geodata.basedata import METRIC_CRS, WGS84, admin_units_metric
from ..geodata.units import find_unit, unit_label, units_at
from ..zones.expressions import Ground, part_of
from .columns import EventColumns, combine
from .locate import ZoneLocator

NONE, POSSIBLE, CONFIRMED = 0, 1, 2
EDGE_KM = 1.0  # border tolerance for exact points
NEAR_KM = 25.0  # UCDP where_prec 2: "within about 25 km"
INSIDE_SHARE = 0.995  # a unit with this share of its area in a zone lies wholly inside it (drawing noise)
SLIVER_M2 = 1e6  # a unit and a zone sharing less than 1 km² do not meet

# Why a place is not certain, as codes: the sentence says it in words.
CERTAIN, EDGE, NEAR, UNIT = 0, 1, 2, 3
UNIT_LEVEL = {"district": 2, "governorate": 1, "region": 1}


@dataclass
class PlaceIndex:
    """Per zone: locators for exact and near points; per admin unit: how it stands to each zone."""

    zone_ids: list[str]
    metric: list[BaseGeometry]  # each area as it stands (a zone's version)
    base: list[int]  # each area's defined zone, an index into ``bases``
    bases: list[BaseGeometry]  # the defined zones, whose grids serve every version
    cuts: list[tuple[tuple[int, bool], ...]]  # each area's changes of control: (index into ``cut_areas``, kept)
    cut_areas: list[BaseGeometry]
    unit_relation: np.ndarray  # (units, areas): NONE, POSSIBLE (meets) or CONFIRMED (wholly inside)
    country_relation: np.ndarray  # (areas,)
    crs: str = METRIC_CRS  # the metric CRS the areas are drawn in
    _locators: dict[tuple[str, int, str], ZoneLocator] = field(default_factory=dict)

    @classmethod
    def build(cls, pieces: dict[str, tuple[BaseGeometry, BaseGeometry, tuple[tuple[BaseGeometry, bool], ...]]],
              crs: str = METRIC_CRS) -> PlaceIndex:
        """Over named areas in metres: for each, (its geometry, the defined zone it comes from, the changes
        of control that made it from that zone). Points are located on the grids of the defined zones
        and of the changed areas, built when first needed, so a zone's many versions cost little more
        than one."""
        metric = [geom for geom, _, _ in pieces.values()]
        bases: list[BaseGeometry] = []
        cut_areas: list[BaseGeometry] = []
        base, cuts = [], []
        for _, defined, changes in pieces.values():
            base.append(_index_of(bases, defined))
            cuts.append(tuple((_index_of(cut_areas, area), kept) for area, kept in changes))
        units = admin_units_metric(crs)
        geoms = units.geometry.values
        areas = shapely.area(geoms)
        tree = shapely.STRtree(geoms)
        relation = np.zeros((len(units), len(metric)), np.uint8)
        for z, zone in enumerate(metric):
            near = tree.query(zone)  # only units whose box meets the zone's are worth an intersection
            shared = shapely.area(shapely.intersection(geoms[near], zone))
            relation[near, z] = np.where(shared >= INSIDE_SHARE * areas[near], CONFIRMED,
                                         np.where(shared > SLIVER_M2, POSSIBLE, NONE))
        country = shapely.union_all(geoms[units["level"].to_numpy() == 1])
        country_relation = np.array([POSSIBLE if shapely.area(shapely.intersection(country, z)) > SLIVER_M2 else NONE
                                     for z in metric], np.uint8)
        return cls(list(pieces), metric, base, bases, cuts, cut_areas, relation, country_relation, crs)

    def locator(self, kind: str, number: int, which: str) -> ZoneLocator:
        """The grid locator of a defined zone (``kind`` "base") or a changed area ("cut") shrunk or grown
        by the border tolerance (which: edge_inner, edge_outer) or by the 'near' radius (near_*)."""
        key = (kind, number, which)
        if key not in self._locators:
            geom = (self.bases if kind == "base" else self.cut_areas)[number]
            km = EDGE_KM if which.startswith("edge") else NEAR_KM
            grown = geom.buffer(km * 1000 * (-1 if which.endswith("inner") else 1))
            # changed areas are small (a sub-district, a town's surroundings): a coarser grid serves them
            to_wgs84 = pyproj.Transformer.from_crs(self.crs, WGS84, always_xy=True)
            wgs84 = shapely.transform(grown, lambda xy: np.column_stack(to_wgs84.transform(*xy.T)))
            self._locators[key] = ZoneLocator(wgs84, 128 if kind == "base" else 48)
        return self._locators[key]

    def point_status(self, z: int, kind: str, inside: Callable[[str, int, str], np.ndarray]) -> np.ndarray:
        """Points (exact with the border tolerance, or near with the default radius) in area ``z``: in its
        defined zone, less the areas its side lost (kept out with the same tolerance), as last changed.
        ``inside(source, number, which)`` answers a grid for the points (see :class:`_Points`): every
        version of a zone asks the same defined zone and mostly the same changed areas."""
        st = np.where(inside("base", self.base[z], kind + "_outer"), POSSIBLE, NONE).astype(np.uint8)
        st[inside("base", self.base[z], kind + "_inner")] = CONFIRMED
        decided = np.full(len(st), -1, np.int8)  # per point, the latest change: 0 kept, 1 lost, 2 lost near its edge
        for area, kept in self.cuts[z]:
            outer = inside("cut", area, kind + "_outer")
            inner = inside("cut", area, kind + "_inner")
            band = outer & ~inner  # near the changed area's edge: on either side of it
            if kept:
                decided[band & (decided == 1)] = 2
                decided[inner] = 0
            else:
                decided[band & (decided != 1)] = 2
                decided[inner] = 1
        st[decided == 1] = NONE
        st[decided == 2] = np.minimum(st[decided == 2], POSSIBLE)
        return st

    def reach(self, kind: str) -> list[tuple[float, float, float, float]]:
        """The bounding boxes (degrees) of the defined zones grown by the border tolerance (kind "edge") or
        the default 'near' radius: a point outside all of them is in no area."""
        return [self.locator("base", number, kind + "_outer").geom.bounds for number in range(len(self.bases))]

    def build_locators(self) -> None:
        """Every grid judging may ask (to be kept with the index)."""
        for kind, items in (("base", self.bases), ("cut", self.cut_areas)):
            for number in range(len(items)):
                for which in ("edge_inner", "edge_outer", "near_inner", "near_outer"):
                    self.locator(kind, number, which)


def _index_of(items: list[BaseGeometry], geom: BaseGeometry) -> int:
    for number, item in enumerate(items):
        if item is geom:
            return number
    items.append(geom)
    return len(items) - 1


@dataclass
class Placement:
    """Per zone, each event's status; per event, why it is uncertain and the area or radius used."""

    status: dict[str, np.ndarray]
    why: np.ndarray  # CERTAIN, EDGE, NEAR or UNIT per event (the reason its status may be POSSIBLE)
    area: np.ndarray  # for UNIT events, an index into ``areas``; -1 otherwise
    areas: list[str]  # the areas coarse events were placed in, as a sentence names them
    radius_km: np.ndarray  # the radius a 'near' event was read with (NaN otherwise)


class _Points:
    """Exact points (kind "edge") or default-'near' points, asked of grids once each: every version of a
    zone asks the same defined zone and mostly the same changed areas."""

    def __init__(self, index: PlaceIndex, kind: str, rows: np.ndarray, x: np.ndarray, y: np.ndarray, n: int):
        self.index, self.kind, self.rows = index, kind, rows
        self.x, self.y = x[rows], y[rows]
        self.position = np.full(n, -1, np.int64)  # each event's place among these points (-1: not one)
        self.position[rows] = np.arange(len(rows))
        self.answers: dict[tuple[str, int, str], np.ndarray] = {}

    def inside(self, source: str, number: int, which: str) -> np.ndarray:
        key = (source, number, which)
        if key not in self.answers:
            locator = self.index.locator(source, number, which)
            if which.endswith("_inner"):  # the area shrunk lies 2 tolerances inside the area grown: ask only those
                answer = np.zeros(len(self.x), bool)
                outer = np.flatnonzero(self.inside(source, number, which.replace("_inner", "_outer")))
                answer[outer] = locator.contains(self.x[outer], self.y[outer])
            else:
                answer = locator.contains(self.x, self.y)
            self.answers[key] = answer
        return self.answers[key]

    def status(self, z: int, picked: np.ndarray) -> np.ndarray:
        """The status in area ``z`` of the points at ``picked`` (positions among these points)."""
        return self.index.point_status(z, self.kind, lambda *key: self.inside(*key)[picked])


def place_events(index: PlaceIndex, events: pd.DataFrame, cols: EventColumns | None = None,
                 only: set[str] | None = None, during: dict[str, np.ndarray] | None = None) -> Placement:
    """Every event's place status in every area of the index (or in the areas named in ``only``;
    the others get NONE). ``during`` may give, per area, the rows worth placing (a boolean mask): the
    events whose time meets that version of the zone; the other rows get NONE there."""
    cols = cols or EventColumns(events)
    n = cols.n
    x = cols.floats("lon")
    y = cols.floats("lat")
    exact = cols.equals("place_precision", "exact")
    near = cols.equals("place_precision", "near")
    radius = _radius(cols, near)
    custom = near & (radius != NEAR_KM)
    default_near = near & ~custom
    area, areas, relation = _coarse_areas(index, cols, x, y)
    named = _units_of_points(cols, exact | near)
    points = [_Points(index, "edge", np.flatnonzero(exact), x, y, n),
              _Points(index, "near", np.flatnonzero(default_near), x, y, n)]
    discs = _Discs(index, x, y, radius, custom)
    status: dict[str, np.ndarray] = {}
    for z, zone_id in enumerate(index.zone_ids):
        st = np.zeros(n, np.uint8)
        status[zone_id] = st
        if only is not None and zone_id not in only:
            continue
        rows = np.flatnonzero(during[zone_id]) if during is not None and zone_id in during else np.arange(n)
        here = np.zeros(len(rows), np.uint8)
        for kind in points:
            position = kind.position[rows]
            at = np.flatnonzero(position >= 0)
            if at.size:
                here[at] = kind.status(z, position[at])
        at = np.flatnonzero(custom[rows])
        if at.size:
            here[at] = discs.status(z, rows[at])
        # The source's own unit bounds a point's or a disc's doubt: wholly inside the zone, the event is in
        # it (no tolerance at a national border); not meeting it, the event is not (only coordinates that
        # put it well inside stand against the unit's name).
        unit = named[rows]
        unit_rel = np.where(unit >= 0, index.unit_relation[np.maximum(unit, 0), z], POSSIBLE)
        here[unit_rel == CONFIRMED] = CONFIRMED
        here[(unit_rel == NONE) & (here == POSSIBLE)] = NONE
        placed = np.flatnonzero(area[rows] >= 0)
        here[placed] = relation[area[rows[placed]], z]
        st[rows] = here
    why = np.select([exact, near, area >= 0], [EDGE, NEAR, UNIT], CERTAIN).astype(np.uint8)
    return Placement(status, why, area, areas, radius)


def candidates(index: PlaceIndex, cols: EventColumns) -> np.ndarray:
    """The rows that may lie in some area of the index: points within reach of a defined zone, discs,
    points whose source names a unit inside a zone, and every coarse place. The others are in none."""
    x = cols.floats("lon")
    y = cols.floats("lat")
    exact = cols.equals("place_precision", "exact")
    near = cols.equals("place_precision", "near")
    near_default = near & (_radius(cols, near) == NEAR_KM)
    keep = near & ~near_default  # a disc of its own radius may reach further than the default one
    keep |= (exact | near) & (_units_of_points(cols, exact | near) >= 0)  # the named unit may lie inside a zone
    for rows, kind in ((exact, "edge"), (near_default, "near")):
        for minx, miny, maxx, maxy in index.reach(kind):
            keep |= rows & (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
    precision, kinds = cols.codes("place_precision")
    keep |= np.append(np.isin(kinds, ["country", *UNIT_LEVEL]), False)[precision]  # placed in a unit or the country
    return np.flatnonzero(keep)


def _radius(cols: EventColumns, near: np.ndarray) -> np.ndarray:
    """The radius (km) each 'near' event is read with: its own, at least the border tolerance, or the
    default (NaN for other events)."""
    radius = cols.numbers("place_radius_km") if cols.has("place_radius_km") else np.full(cols.n, np.nan)
    return np.where(near, np.where(np.isnan(radius), NEAR_KM, np.maximum(radius, EDGE_KM)), np.nan)


class _Discs:
    """'Near' events with a radius of their own: exact distances, from points projected once."""

    def __init__(self, index: PlaceIndex, x: np.ndarray, y: np.ndarray, radius_km: np.ndarray, rows: np.ndarray):
        self.index = index
        self.radius_m = radius_km * 1000
        self.points = np.empty(len(x), object)
        at = np.flatnonzero(rows)
        if at.size:
            self.points[at] = _metric_points(x[at], y[at], index.crs)

    def status(self, z: int, rows: np.ndarray) -> np.ndarray:
        return _disc_status(self.index.metric[z], self.points[rows], self.radius_m[rows])


def _disc_status(zone: BaseGeometry, points: np.ndarray, radius_m: np.ndarray) -> np.ndarray:
    """Exact status of discs (points and radii in metres) against a zone in metres."""
    inside = shapely.intersects(zone, points)
    to_edge = shapely.distance(zone.boundary, points)
    to_zone = np.where(inside, 0.0, to_edge)
    return np.where(inside & (to_edge >= radius_m), CONFIRMED,
                    np.where(to_zone <= radius_m, POSSIBLE, NONE)).astype(np.uint8)


def _metric_points(x: np.ndarray, y: np.ndarray, crs: str) -> np.ndarray:
    return gpd.GeoSeries(gpd.points_from_xy(x, y), crs=WGS84).to_crs(crs).values


def _coarse_areas(index: PlaceIndex, cols: EventColumns, x: np.ndarray,
                  y: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray]:
    """For coarse events, the area each is known to (an index into the returned labels, -1 for others),
    and each area's relation to every zone."""
    area = np.full(cols.n, -1, np.int64)
    labels: list[str] = []
    relations: list[np.ndarray] = []
    country = np.flatnonzero(cols.equals("place_precision", "country"))
    if country.size:
        area[country] = len(labels)
        labels.append("the country")
        relations.append(index.country_relation)
    precision, kinds = cols.codes("place_precision")
    coarse = np.flatnonzero(np.append(np.isin(kinds, list(UNIT_LEVEL)), False)[precision])
    if coarse.size == 0:
        return area, labels, np.array(relations, np.uint8).reshape(len(relations), len(index.zone_ids))
    region = kinds[precision[coarse]] == "region"
    # a unit is known by the names the source gives; a region also by its own name (and point, below)
    places = cols.subset(coarse).codes("place")[0]  # read for the coarse rows only
    group, first = combine(precision[coarse], cols.codes("adm1")[0][coarse], cols.codes("adm2")[0][coarse],
                           np.where(region, places, -1))
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(len(first) + 1))
    units_seen: dict[int, int] = {}
    for number, head in enumerate(first):
        at = coarse[order[bounds[number]:bounds[number + 1]]]
        kind = kinds[precision[coarse[head]]]
        place = _text(cols.take("place", at[:1])[0].as_py())
        adm1, adm2 = (_text(cols.values(name, at[:1])[0]) for name in ("adm1", "adm2"))
        if kind == "region":
            named = _directional_region(place, index.crs)
            if named is not None:  # the named part of a unit: wherever the source put its point
                area[at] = len(labels)
                labels.append(named[1])
                relations.append(_relation(named[0], index.metric))
                continue
            spots, _ = combine(x[at], y[at])  # any other region is read around its point
            for spot in range(spots.max() + 1):
                those = at[spots == spot]
                geom, label = _region_around(place, adm1, adm2, float(x[those[0]]), float(y[those[0]]), index.crs)
                area[those] = len(labels)
                labels.append(label)
                relations.append(_relation(geom, index.metric))
            continue
        unit = _named_unit(adm1, adm2, UNIT_LEVEL[kind])
        if unit >= 0:
            area[at] = _unit_area(unit, units_seen, labels, relations, index)
            continue
        each = units_at(x[at], y[at], UNIT_LEVEL[kind])  # nothing named that we know: the unit at the point
        for u in np.unique(each[each >= 0]):
            area[at[each == u]] = _unit_area(int(u), units_seen, labels, relations, index)
    return area, labels, np.array(relations, np.uint8).reshape(len(relations), len(index.zone_ids))


def _units_of_points(cols: EventColumns, rows: np.ndarray) -> np.ndarray:
    """For exact and near events (the mask ``rows``), the row of the unit their source names (-1 where
    none we know), looked up once per distinct (adm1, adm2)."""
    codes1, names1 = cols.codes("adm1")
    codes2, names2 = cols.codes("adm2")
    at = np.flatnonzero(rows)
    pair, heads = combine(codes1[at], codes2[at])
    names1, names2 = np.append(names1, None), np.append(names2, None)
    table = np.array([_named_unit(_text(names1[codes1[at[h]]]), _text(names2[codes2[at[h]]]), 1) for h in heads],
                     np.int64)
    out = np.full(cols.n, -1, np.int64)
    out[at] = table[pair] if at.size else -1
    return out


def _unit_area(unit: int, seen: dict[int, int], labels: list[str], relations: list[np.ndarray],
               index: PlaceIndex) -> int:
    if unit not in seen:
        seen[unit] = len(labels)
        labels.append(unit_label(unit))
        relations.append(index.unit_relation[unit])
    return seen[unit]


DIRECTION_WORDS = {
    "northern": "N", "north": "N", "north-eastern": "NE", "northeastern": "NE", "eastern": "E", "east": "E",
    "south-eastern": "SE", "southeastern": "SE", "southern": "S", "south": "S", "south-western": "SW",
    "southwestern": "SW", "western": "W", "west": "W", "north-western": "NW", "northwestern": "NW",
}
_REGION = re.compile(r"^\s*(?P<direction>[A-Za-z-]+)\s+(?P<unit>.+?)\s*$")


@lru_cache(maxsize=256)
def _directional_region(place: str | None, crs: str) -> tuple[BaseGeometry, str] | None:
    """The area of a region-precision event (UCDP where_prec 5, "a part of the country") named as a
    direction of a governorate: "Southern Idlib Governorate" is the directional part of that governorate
    (the ``part_of`` rule of the regime language, at sub-district level). None for any other name."""
    match = _REGION.match(place or "")
    if match and match["direction"].lower() in DIRECTION_WORDS:
        parent = find_unit(match["unit"], 1)
        if parent is not None:
            direction = DIRECTION_WORDS[match["direction"].lower()]
            try:
                pcode = admin_units_metric(crs).iloc[parent]["pcode"]
                geom = part_of(pcode, direction, 3, parent_level=1, ground=Ground(crs=crs))
                return geom, f"{match['direction'].lower()} {unit_label(parent)}"
            except GeometryError:
                pass
    return None


def _region_around(place: str | None, adm1: str | None, adm2: str | None, x: float, y: float,
                   crs: str) -> tuple[BaseGeometry, str]:
    """Any other named region ("Eastern Qalamoun", "Sahl al Ghab plain") is read as the part of the unit
    the source names that lies within ``NEAR_KM`` of the region's point — the reach the source states for
    its 'near' places; nothing states a larger one."""
    disc = shapely.buffer(_metric_points(np.array([x]), np.array([y]), crs)[0], NEAR_KM * 1000)
    unit = _named_unit(adm1, adm2, 1)
    what = place or "a region"
    if unit < 0:
        return disc, f"{what} (within {NEAR_KM:g} km of its point)"
    return shapely.intersection(disc, admin_units_metric(crs).geometry.values[unit]), \
        f"{what} (the part of {unit_label(unit)} within {NEAR_KM:g} km of its point)"


def _relation(area: BaseGeometry, zones: list[BaseGeometry]) -> np.ndarray:
    total = area.area
    shared = np.zeros(len(zones))
    for number, zone in enumerate(zones):
        shapely.prepare(zone)
        if total > 0 and shapely.contains_properly(zone, area):  # wholly inside: no need to cut it
            shared[number] = total
        elif total == 0 or shapely.intersects(zone, area):
            shared[number] = shapely.area(shapely.intersection(area, zone))
    return np.where(shared >= INSIDE_SHARE * total, CONFIRMED, np.where(shared > SLIVER_M2, POSSIBLE, NONE)
                    ).astype(np.uint8)


@lru_cache(maxsize=4096)  # the shipped units never change in a process; names repeat across rows and calls
def _named_unit(adm1: str | None, adm2: str | None, level: int) -> int:
    """The most specific unit the source names: its district (GADM districts may be sub-districts here),
    else, for governorate-level precision, its governorate. -1 when it names none we know."""
    governorate = find_unit(adm1, 1)
    if adm2:
        for at in (2, 3):
            found = find_unit(adm2, at, governorate)
            if found is not None:
                return found
    if level == 1 and governorate is not None:
        return governorate
    return -1


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
