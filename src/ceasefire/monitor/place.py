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
locators over each zone grown and shrunk by the tolerance and the default radius, a table of
unit × zone relations, and exact Shapely distances only for events with their own radius.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from ..geodata.basedata import METRIC_CRS, WGS84, admin_units_metric
from ..errors import GeometryError
from ..geodata.units import find_unit, unit_label, units_at
from ..zones.expressions import Ground, part_of
from .columns import EventColumns
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

    def point_status(self, z: int, kind: str, x: np.ndarray, y: np.ndarray,
                     seen: dict[tuple, np.ndarray] | None = None) -> np.ndarray:
        """Points (exact with the border tolerance, or near with the default radius) in area ``z``: in its
        defined zone, less the areas its side lost (kept out with the same tolerance), as last changed.
        ``seen`` keeps the grids' answers for these points across areas: every version of a zone asks
        the same defined zone and mostly the same changed areas."""
        seen = {} if seen is None else seen

        def inside(source: str, number: int, which: str) -> np.ndarray:
            key = (source, number, which)
            if key not in seen:
                seen[key] = self.locator(source, number, which).contains(x, y)
            return seen[key]

        st = np.zeros(len(x), np.uint8)
        st[inside("base", self.base[z], kind + "_outer")] = POSSIBLE
        st[inside("base", self.base[z], kind + "_inner")] = CONFIRMED
        decided = np.full(len(x), -1, np.int8)  # per point, the latest change: 0 kept, 1 lost, 2 lost near its edge
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


def place_events(index: PlaceIndex, events: pd.DataFrame, cols: EventColumns | None = None,
                 only: set[str] | None = None) -> Placement:
    """Every event's place status in every area of the index (or in the areas named in ``only``;
    the others get NONE)."""
    cols = cols or EventColumns(events)
    n = len(events)
    x = events["lon"].to_numpy(np.float64)
    y = events["lat"].to_numpy(np.float64)
    precision = cols.values("place_precision")
    exact = cols.equals("place_precision", "exact")
    near = cols.equals("place_precision", "near")
    radius = np.full(n, np.nan)
    if "place_radius_km" in events:
        radius = pd.to_numeric(events["place_radius_km"], errors="coerce").to_numpy(np.float64, na_value=np.nan)
    radius = np.where(near, np.where(np.isnan(radius), NEAR_KM, np.maximum(radius, EDGE_KM)), np.nan)
    custom = near & (radius != NEAR_KM)
    default_near = near & ~custom
    area, areas, relation = _coarse_areas(index, cols, precision, x, y)
    named = _units_of_points(cols, exact | near)
    status: dict[str, np.ndarray] = {}
    seen: dict[str, dict[tuple, np.ndarray]] = {"edge": {}, "near": {}}
    for z, zone_id in enumerate(index.zone_ids):
        st = np.zeros(n, np.uint8)
        if only is not None and zone_id not in only:
            status[zone_id] = st
            continue
        for rows, kind in ((exact, "edge"), (default_near, "near")):
            idx = np.flatnonzero(rows)
            if idx.size:
                st[idx] = index.point_status(z, kind, x[idx], y[idx], seen[kind])
        idx = np.flatnonzero(custom)
        if idx.size:
            st[idx] = _disc_status(index.metric[z], x[idx], y[idx], radius[idx] * 1000, index.crs)
        # The source's own unit bounds a point's or a disc's doubt: wholly inside the zone, the event is in
        # it (no tolerance at a national border); not meeting it, the event is not (only coordinates that
        # put it well inside stand against the unit's name).
        unit_rel = np.where(named >= 0, index.unit_relation[np.maximum(named, 0), z], POSSIBLE)
        st[unit_rel == CONFIRMED] = CONFIRMED
        st[(unit_rel == NONE) & (st == POSSIBLE)] = NONE
        placed = np.flatnonzero(area >= 0)
        st[placed] = relation[area[placed], z]
        status[zone_id] = st
    why = np.select([exact, near, area >= 0], [EDGE, NEAR, UNIT], CERTAIN).astype(np.uint8)
    return Placement(status, why, area, areas, radius)


def _disc_status(zone: BaseGeometry, x: np.ndarray, y: np.ndarray, radius_m: np.ndarray, crs: str) -> np.ndarray:
    """Exact status of discs (points in degrees, radii in metres) against a zone in metres."""
    points = _metric_points(x, y, crs)
    inside = shapely.intersects(zone, points)
    to_edge = shapely.distance(zone.boundary, points)
    to_zone = np.where(inside, 0.0, to_edge)
    return np.where(inside & (to_edge >= radius_m), CONFIRMED,
                    np.where(to_zone <= radius_m, POSSIBLE, NONE)).astype(np.uint8)


def _metric_points(x: np.ndarray, y: np.ndarray, crs: str) -> np.ndarray:
    return gpd.GeoSeries(gpd.points_from_xy(x, y), crs=WGS84).to_crs(crs).values


def _coarse_areas(index: PlaceIndex, cols: EventColumns, precision: np.ndarray, x: np.ndarray,
                  y: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray]:
    """For coarse events, the area each is known to (an index into the returned labels, -1 for others),
    and each area's relation to every zone."""
    area = np.full(cols.n, -1, np.int64)
    labels: list[str] = []
    relations: list[np.ndarray] = []
    country = np.flatnonzero(precision == "country")
    if country.size:
        area[country] = len(labels)
        labels.append("the country")
        relations.append(index.country_relation)
    coarse = np.flatnonzero(np.isin(precision, list(UNIT_LEVEL)))
    if coarse.size == 0:
        return area, labels, np.array(relations, np.uint8).reshape(len(relations), len(index.zone_ids))
    keys = pd.DataFrame({
        "precision": precision[coarse], "place": cols.values("place", coarse),
        "adm1": cols.values("adm1", coarse), "adm2": cols.values("adm2", coarse),
        # a region is read around its point; units need no point
        "x": np.where(precision[coarse] == "region", x[coarse], 0.0),
        "y": np.where(precision[coarse] == "region", y[coarse], 0.0),
    })
    units_seen: dict[int, int] = {}
    for key, rows in keys.groupby(list(keys.columns), dropna=False, sort=False).indices.items():
        kind, place, adm1, adm2, px, py = key
        at = coarse[rows]
        if kind == "region":
            geom, label = _region(_text(place), _text(adm1), _text(adm2), float(px), float(py), index.crs)
            area[at] = len(labels)
            labels.append(label)
            relations.append(_relation(geom, index.metric))
            continue
        unit = _named_unit(_text(adm1), _text(adm2), UNIT_LEVEL[kind])
        if unit >= 0:
            area[at] = _unit_area(unit, units_seen, labels, relations, index)
            continue
        each = units_at(x[at], y[at], UNIT_LEVEL[kind])  # nothing named that we know: the unit at the point
        for u in np.unique(each[each >= 0]):
            area[at[each == u]] = _unit_area(int(u), units_seen, labels, relations, index)
    return area, labels, np.array(relations, np.uint8).reshape(len(relations), len(index.zone_ids))


def _units_of_points(cols: EventColumns, rows: np.ndarray) -> np.ndarray:
    """For exact and near events, the row of the unit their source names (-1 where none we know)."""
    codes1, names1 = cols.codes("adm1")
    codes2, names2 = cols.codes("adm2")
    pair = (codes1 + 1) * (len(names2) + 1) + (codes2 + 1)  # one code per (adm1, adm2), -1 → 0
    keys, inverse = np.unique(pair, return_inverse=True)
    table = np.array([_named_unit(_text(np.append(names1, None)[k // (len(names2) + 1) - 1]),
                                  _text(np.append(names2, None)[k % (len(names2) + 1) - 1]), 1) for k in keys],
                     np.int64)
    return np.where(rows, table[inverse] if len(keys) else -1, -1)


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


def _region(place: str | None, adm1: str | None, adm2: str | None, x: float, y: float,
            crs: str) -> tuple[BaseGeometry, str]:
    """The area of a region-precision event (UCDP where_prec 5, "a part of the country").

    "Southern Idlib Governorate" is the directional part of that governorate (the ``part_of`` rule of
    the regime language, at sub-district level). Any other named region ("Eastern Qalamoun", "Sahl al
    Ghab plain") is read as the part of the unit the source names that lies within ``NEAR_KM`` of the
    region's point — the reach the source states for its 'near' places; nothing states a larger one.
    """
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
    disc = shapely.buffer(_metric_points(np.array([x]), np.array([y]), crs)[0], NEAR_KM * 1000)
    unit = _named_unit(adm1, adm2, 1)
    what = place or "a region"
    if unit < 0:
        return disc, f"{what} (within {NEAR_KM:g} km of its point)"
    return shapely.intersection(disc, admin_units_metric(crs).geometry.values[unit]), \
        f"{what} (the part of {unit_label(unit)} within {NEAR_KM:g} km of its point)"


def _relation(area: BaseGeometry, zones: list[BaseGeometry]) -> np.ndarray:
    total = area.area
    shared = np.array([shapely.area(shapely.intersection(area, z)) for z in zones])
    return np.where(shared >= INSIDE_SHARE * total, CONFIRMED, np.where(shared > SLIVER_M2, POSSIBLE, NONE)
                    ).astype(np.uint8)


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
