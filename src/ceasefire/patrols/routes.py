"""Mandates → routes: where a patrol drives, derived from the zone or road it guards.

- ``route``: the shipped road between two named places (approximate where the road is).
- ``perimeter``: along the zone's boundary with the rest of the country — its line of contact,
  not its international border — at ``offset_km`` inside the zone.
- ``interior``: inside the zone at ``offset_km`` from its boundary, i.e. through the areas the
  mandate names (for the Sochi DMZ, the band where the groups were to be disarmed).

The shipped roads are only the M4 and M5, so perimeter and interior routes run at an offset
from the boundary rather than on roads; a road-following planner needs real road data.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from ..errors import GeometryError
from ..geodata.basedata import METRIC_CRS, admin_units_metric
from ..regime.models import PatrolMandate, Regime
from ..zones.expressions import road_section
from ..zones.ground import ground_of
from ..zones.timeline import regime_shapes

BORDER_CLEARANCE_M = 2_000.0  # a ring this close to the national border is the border, not a front
MIN_PIECE_M = 2_000.0


@cache
def country_outline(crs: str) -> BaseGeometry:
    units = admin_units_metric(crs)
    return shapely.union_all(units.loc[units["level"] == 1, "geometry"].values).boundary


def _lines(geom: BaseGeometry) -> list[LineString]:
    merged = shapely.line_merge(geom) if geom.geom_type in ("MultiLineString", "GeometryCollection") else geom
    parts = [g for g in shapely.get_parts(merged) if g.geom_type == "LineString"]
    return [p for p in parts if p.length >= MIN_PIECE_M]


def front_line(zone: BaseGeometry, crs: str = METRIC_CRS) -> BaseGeometry:
    """The zone's boundary less the stretches along the (shipped) national border."""
    return zone.boundary.difference(country_outline(crs).buffer(BORDER_CLEARANCE_M))


def mandate_route(regime: Regime, mandate: PatrolMandate, offset_km: float = 1.0,
                  interior_offset_km: float = 5.0, at: dt.date | None = None) -> list[LineString]:
    """The lines a mandate's patrols drive, in metres (the regime's CRS), along the zone's ground as it
    stood ``at`` (a zone that follows control moves its front)."""
    if mandate.role == "route":
        return [road_section(mandate.road, mandate.from_place, mandate.to_place, ground_of(regime))]
    shape = _zone_at(regime, mandate.zone, at)
    zone = shape.metric
    if mandate.role == "perimeter":
        inner = zone.buffer(-offset_km * 1000.0)
        near_front = front_line(zone, shape.crs).buffer(offset_km * 1000.0 + 500.0)
        pieces = _lines(inner.boundary.intersection(near_front))
    else:
        pieces = _lines(zone.buffer(-interior_offset_km * 1000.0).boundary)
    if not pieces:
        raise GeometryError(f"patrol {mandate.id}: zone {mandate.zone} leaves no room for a {mandate.role} route")
    return pieces


def mandated_line(regime: Regime, mandate: PatrolMandate, at: dt.date | None = None) -> BaseGeometry:
    """What a mandate must cover: the road section, the front line, or (interior) the zone's area."""
    if mandate.role == "route":
        return road_section(mandate.road, mandate.from_place, mandate.to_place, ground_of(regime))
    shape = _zone_at(regime, mandate.zone, at)
    return front_line(shape.metric, shape.crs) if mandate.role == "perimeter" else shape.metric


def _zone_at(regime: Regime, zone_id: str, at: dt.date | None):
    shape = regime_shapes(regime)[zone_id]
    return shape.at(at, regime.timezone) if at is not None else shape


def split(line: LineString, max_km: float) -> list[LineString]:
    """Cut a line into pieces of at most ``max_km`` (equal lengths)."""
    n = max(1, int(-(-line.length // (max_km * 1000.0))))
    step = line.length / n
    return [substring(line, i * step, (i + 1) * step) for i in range(n)]
