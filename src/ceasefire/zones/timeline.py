"""Zones in time and space: which zones of a regime are in force at a date, and where."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..errors import CeasefireError, GeometryError
from ..geodata.basedata import METRIC_CRS, WGS84
from ..regime.clock import When, in_period
from ..regime.models import Regime, Rule, Zone
from .expressions import Evaluator


@dataclass(frozen=True, slots=True)
class ZoneShape:
    """A zone with its computed geometry, in metres (EPSG:32637) and degrees (EPSG:4326)."""

    zone: Zone
    metric: BaseGeometry
    wgs84: BaseGeometry

    @property
    def area_km2(self) -> float:
        return self.metric.area / 1e6


def expression_of(zone: Zone) -> dict[str, Any]:
    return zone.geometry.model_dump(by_alias=True, exclude_none=True)


def regime_shapes(regime: Regime) -> dict[str, ZoneShape]:
    """Every zone of the regime, computed once per process (and cached on disk by expression)."""
    if regime._shapes is not None:
        return regime._shapes
    source = regime._source
    by_id = {z.id: z for z in regime.zones}

    def zone_expression(zone_id: str) -> dict[str, Any]:
        if zone_id not in by_id:
            raise GeometryError(f"unknown zone {zone_id!r}")
        return expression_of(by_id[zone_id])

    evaluator = Evaluator(zone_expression, Path(source).parent if source else None)
    shapes = {}
    for index, zone in enumerate(regime.zones):
        try:
            metric = evaluator.evaluate(expression_of(zone))
        except CeasefireError as exc:
            raise GeometryError(f"zones[{index}].geometry (zone {zone.id}): {exc}") from None
        if metric.is_empty:
            raise GeometryError(f"zones[{index}].geometry (zone {zone.id}): the expression yields an empty area")
        wgs84 = gpd.GeoSeries([metric], crs=METRIC_CRS).to_crs(WGS84).iloc[0]
        wgs84 = shapely.make_valid(wgs84) if not wgs84.is_valid else wgs84
        shapes[zone.id] = ZoneShape(zone, metric, wgs84)
    regime._shapes = shapes
    return shapes


def zones_at(regime: Regime, at: When) -> list[ZoneShape]:
    """The zones in force at ``at`` (at any moment of a day, or at an instant), in regime order.

    A naive time is the regime's local time (its ``timezone``); an aware one is converted to it.
    """
    shapes = regime_shapes(regime)
    return [shapes[z.id] for z in regime.zones if z.in_force(at, regime.timezone)]


def zones_containing(regime: Regime, lon: float, lat: float, at: When) -> list[ZoneShape]:
    """The zones in force at ``at`` whose area covers the point (boundary included)."""
    found = []
    for shape in zones_at(regime, at):
        if bool(shapely.intersects_xy(shape.wgs84, np.float64(lon), np.float64(lat))):
            found.append(shape)
    return found


def rule_in_force(rule: Rule, at: When, timezone: str = "UTC") -> bool:
    """In force at any moment of a day, or at an instant."""
    return in_period(at, rule.from_, rule.until, timezone)


def rules_for(regime: Regime, zone_ids: list[str], at: When) -> list[Rule]:
    """The rules in force at ``at`` (a day: at any moment of it; or an instant) in any of these zones."""
    wanted = set(zone_ids)
    return [r for r in regime.rules if wanted.intersection(r.zones) and rule_in_force(r, at, regime.timezone)]


def zones_frame(shapes: list[ZoneShape]) -> gpd.GeoDataFrame:
    """Zones as a GeoDataFrame in WGS84, one row a zone, with the attributes a map needs."""
    rows = []
    for s in shapes:
        z = s.zone
        rows.append({
            "id": z.id, "name": z.name, "kind": z.kind, "established_by": z.established_by,
            "valid_from": z.valid_from.isoformat(), "valid_to": z.valid_to.isoformat() if z.valid_to else None,
            "end_note": z.end_note, "approximate": z.approximate, "method": z.method,
            "area_km2": round(s.area_km2, 1),
        })
    return gpd.GeoDataFrame(rows, geometry=[s.wgs84 for s in shapes], crs=WGS84)
