"""The area a regime covers: where its events may lie. Ingest quarantines points outside it.

In order of preference, the area is

- the regime's own ``area`` expression, when it gives one;
- for a regime drawn on the shipped base data (Syria), the shipped country grown by
  :data:`COUNTRY_TOLERANCE_KM`, so that events placed on or just across the border stay, together
  with every zone grown by as much (a zone may reach beyond the border);
- otherwise the envelope of all its zones' geometries (every version) grown by :data:`ZONES_MARGIN_KM`.

The result is a prepared WGS84 geometry, computed once per regime object, for
``shapely.contains_xy`` on arrays of points.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from ..errors import CeasefireError, GeometryError
from ..geodata.basedata import admin_units_metric
from ..regime.models import Regime
from .ground import ground_of
from .timeline import regime_evaluator, regime_shapes, to_wgs84

COUNTRY_TOLERANCE_KM = 5.0  # events just across the shipped country's border (or at sea off its coast) stay
ZONES_MARGIN_KM = 100.0  # a regime on its own maps: events this far beyond its zones' envelope stay
SIMPLIFY_M = 500.0  # the area's outline is simplified this much: far below both margins, and much faster to test

_areas: dict[int, tuple[Regime, BaseGeometry | None]] = {}  # by id(regime); the regime is kept so the id stays its own


def regime_area(regime: Regime) -> BaseGeometry | None:
    """The regime's area in WGS84 (prepared), or None when it has neither an ``area`` nor zones to draw one from."""
    cached = _areas.get(id(regime))
    if cached is not None and cached[0] is regime:
        return cached[1]
    area = _compute(regime)
    if area is not None:
        shapely.prepare(area)
    _areas[id(regime)] = (regime, area)
    return area


def _compute(regime: Regime) -> BaseGeometry | None:
    ground = ground_of(regime)
    if regime.area is not None:
        expr: dict[str, Any] = regime.area.model_dump(by_alias=True, exclude_none=True)
        try:
            metric = regime_evaluator(regime, []).area(expr, "the regime's area")
        except CeasefireError as exc:
            raise GeometryError(f"area: {exc}") from None
        if metric.is_empty:
            raise GeometryError("area: the expression yields an empty area")
        return to_wgs84(metric, ground.crs)
    zones = [version.metric for shape in regime_shapes(regime).values() for version in shape.versions]
    if ground.shipped:
        grown = [_country_metric(ground.crs), *zones]
        area = shapely.union_all([g.simplify(SIMPLIFY_M).buffer(COUNTRY_TOLERANCE_KM * 1000) for g in grown])
    elif zones:
        area = shapely.union_all(zones).envelope.buffer(ZONES_MARGIN_KM * 1000)
    else:
        return None
    return to_wgs84(area, ground.crs)


@cache
def _country_metric(crs: str) -> BaseGeometry:
    """The shipped country: the union of all its level-1 units, in the regime's metric CRS."""
    units = admin_units_metric(crs)
    return shapely.union_all(units.loc[units["level"] == 1, "geometry"].values)
