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
from ..regime.actors import party_labels
from ..regime.clock import When, in_period, local_minute, moment_before
from ..regime.models import ControlChange, Regime, Rule, Zone, as_day, suggest
from .expressions import Evaluator, _clean
from .ground import ground_of


@dataclass(frozen=True, slots=True)
class ZoneVersion:
    """A zone's ground over one period: the defined area less what the zone's side had lost by then."""

    start: When
    end: When | None  # the last day (or minute) of the version; None while it lasts
    metric: BaseGeometry
    wgs84: BaseGeometry
    change: ControlChange | None = None  # the change of control that began it (None: the zone's start)
    # the changes applied to the defined area so far, in order: (area in metres, taken by the zone's side)
    cuts: tuple[tuple[BaseGeometry, bool], ...] = ()


@dataclass(frozen=True, slots=True)
class ZoneShape:
    """A zone with its computed geometry, in metres (EPSG:32637) and degrees (EPSG:4326).

    ``metric``/``wgs84`` are the area the agreement defines, or — from :func:`zones_at` — the area
    in force at that moment. ``versions`` are the zone's areas over time: one, unless the zone
    ``follows_control`` and the regime records changes of control inside it.
    """

    zone: Zone
    metric: BaseGeometry
    wgs84: BaseGeometry
    versions: tuple[ZoneVersion, ...] = ()
    crs: str = METRIC_CRS  # the regime's metric CRS, in which ``metric`` is drawn

    @property
    def area_km2(self) -> float:
        return self.metric.area / 1e6

    def version_at(self, at: When, timezone: str) -> ZoneVersion:
        """The version in force at an instant, or at the end of a day (the ground held that day)."""
        moment = local_minute(at, timezone, last=not isinstance(at, dt.datetime))
        chosen = self.versions[0]
        for version in self.versions:
            if local_minute(version.start, timezone) <= moment:
                chosen = version
        return chosen

    def at(self, at: When, timezone: str) -> ZoneShape:
        version = self.version_at(at, timezone)
        return ZoneShape(self.zone, version.metric, version.wgs84, self.versions, self.crs)


def expression_of(zone: Zone) -> dict[str, Any]:
    return zone.geometry.model_dump(by_alias=True, exclude_none=True)


def to_wgs84(metric: BaseGeometry, crs: str = METRIC_CRS) -> BaseGeometry:
    wgs84 = gpd.GeoSeries([metric], crs=crs).to_crs(WGS84).iloc[0]
    return wgs84 if wgs84.is_valid else _clean(wgs84)  # reprojection can pinch a ring: polygons only


def regime_shapes(regime: Regime) -> dict[str, ZoneShape]:
    """Every zone of the regime with its versions, computed once per process (and cached on disk by
    expression)."""
    if regime._shapes is not None:
        return regime._shapes
    ground = ground_of(regime)
    changes: list[tuple[ControlChange, BaseGeometry]] = []
    evaluator = regime_evaluator(regime, changes)
    for index, change in enumerate(regime.control):
        try:
            area = evaluator.area(change.area.model_dump(by_alias=True, exclude_none=True), "a change of control")
        except CeasefireError as exc:
            raise GeometryError(f"control[{index}].area (change {change.id}): {exc}") from None
        changes.append((change, area))
    changes.sort(key=lambda item: local_minute(item[0].at, regime.timezone))
    shapes = {}
    for index, zone in enumerate(regime.zones):
        try:
            metric = evaluator.area(expression_of(zone), "a zone")
        except CeasefireError as exc:
            raise GeometryError(f"zones[{index}].geometry (zone {zone.id}): {exc}") from None
        if metric.is_empty:
            raise GeometryError(f"zones[{index}].geometry (zone {zone.id}): the expression yields an empty area")
        wgs84 = to_wgs84(metric, ground.crs)
        versions = _versions(zone, metric, wgs84, changes, regime, ground.crs) if zone.follows_control else (
            ZoneVersion(zone.valid_from, zone.valid_to, metric, wgs84),)
        shapes[zone.id] = ZoneShape(zone, metric, wgs84, versions, ground.crs)
    regime._shapes = shapes
    return shapes


def regime_evaluator(regime: Regime, changes: list[tuple[ControlChange, BaseGeometry]]) -> Evaluator:
    """The evaluator of a regime's expressions: its zones by id, its folder, its ground, and the ground a
    zone held at a moment (`held`, `line_of_contact`) from the changes of control the caller has put,
    evaluated and in time order, into ``changes``."""
    by_id = {z.id: z for z in regime.zones}
    ground = ground_of(regime)

    def zone_expression(zone_id: str) -> dict[str, Any]:
        if zone_id not in by_id:
            raise GeometryError(f"unknown zone {zone_id!r}{suggest(zone_id, by_id)}")
        return expression_of(by_id[zone_id])

    def held(zone_id: str, at: When) -> tuple[BaseGeometry, BaseGeometry]:
        """The ground a zone covered at a moment, from its definition and the changes up to then."""
        zone = by_id.get(zone_id)
        if zone is None or not zone.follows_control:
            raise GeometryError(f"held and line_of_contact need a zone that follows control, not {zone_id!r}")
        defined = evaluator.area(expression_of(zone), "a zone")
        versions = _versions(zone, defined, None, changes, regime, ground.crs)
        moment = local_minute(at, regime.timezone, last=not isinstance(at, dt.datetime))
        chosen = [v for v in versions if local_minute(v.start, regime.timezone) <= moment] or versions[:1]
        return chosen[-1].metric, defined

    control_key = [c.model_dump(mode="json") for c in regime.control]
    evaluator = Evaluator(zone_expression, Path(regime._source).parent if regime._source else None, ground, held,
                          [control_key, regime.timezone])
    return evaluator


def _versions(zone: Zone, defined: BaseGeometry, defined_wgs84: BaseGeometry | None,
              changes: list[tuple[ControlChange, BaseGeometry]], regime: Regime, crs: str
              ) -> tuple[ZoneVersion, ...]:
    """The zone's ground version by version: it starts as the defined area (held by its side when the
    agreement drew it) and loses or regains each area whose control changes while it is in force."""
    tz = regime.timezone
    side = zone.follows_control
    first = local_minute(zone.valid_from, tz)
    last = local_minute(zone.valid_to, tz, last=True) if zone.valid_to is not None else None
    held = defined
    cuts: list[tuple[BaseGeometry, bool]] = []
    starts: list[tuple[When, BaseGeometry, ControlChange | None, tuple]] = [(zone.valid_from, defined, None, ())]
    for change, area in changes:
        if not shapely.intersection(defined, area).area > 1e6:  # not this zone's ground
            continue
        moment = local_minute(change.at, tz)
        if last is not None and moment > last:
            break
        ours = change.held_by == side or side in party_labels(p for p in regime.parties if p.id == change.held_by)
        held = shapely.union(held, shapely.intersection(area, defined)) if ours else shapely.difference(held, area)
        held = _clean(held)
        cuts.append((area, ours))
        if moment <= first:  # a change before the zone began: its starting ground
            starts[0] = (zone.valid_from, held, None, tuple(cuts))
        else:
            starts.append((change.at, held, change, tuple(cuts)))
    versions = []
    for number, (start, geom, change, applied) in enumerate(starts):
        end = moment_before(starts[number + 1][0]) if number + 1 < len(starts) else zone.valid_to
        # (no degrees asked for: a `held` expression needs only metres)
        wgs84 = defined_wgs84 if geom is defined or defined_wgs84 is None else to_wgs84(geom, crs)
        versions.append(ZoneVersion(start, end, geom, wgs84, change, applied))
    return tuple(versions)


def control_at(regime: Regime, lon: float, lat: float, at: When) -> ControlChange | None:
    """The latest recorded change of control at a point, up to ``at`` (None when none is recorded)."""
    changes = [c for c in control_areas(regime)
               if local_minute(c[0].at, regime.timezone) <= local_minute(at, regime.timezone, last=True)]
    found = None
    for change, wgs84 in changes:
        if shapely.intersects_xy(wgs84, lon, lat):
            found = change
    return found


def control_areas(regime: Regime) -> list[tuple[ControlChange, BaseGeometry]]:
    """Every change of control with its area in degrees (prepared), oldest first."""
    if regime._control is None:
        ground = ground_of(regime)
        evaluator = Evaluator(None, Path(regime._source).parent if regime._source else None, ground)
        areas = [(c, to_wgs84(evaluator.area(c.area.model_dump(by_alias=True, exclude_none=True)), ground.crs))
                 for c in regime.control]
        areas.sort(key=lambda item: local_minute(item[0].at, regime.timezone))
        for _, area in areas:
            shapely.prepare(area)
        regime._control = areas
    return regime._control


def zones_at(regime: Regime, at: When) -> list[ZoneShape]:
    """The zones in force at ``at`` (at any moment of a day, or at an instant), in regime order.

    A naive time is the regime's local time (its ``timezone``); an aware one is converted to it.
    """
    shapes = regime_shapes(regime)
    return [shapes[z.id].at(at, regime.timezone) for z in regime.zones if z.in_force(at, regime.timezone)]


def zones_during(regime: Regime, start: dt.date | None, end: dt.date | None) -> list[ZoneShape]:
    """The zones in force at some moment of [start, end] (an open end: unbounded), in regime order, each drawn as
    at the last day of the period it was in force (today, for a zone and a period both still open)."""
    shapes = regime_shapes(regime)
    found = []
    for zone in regime.zones:
        first = as_day(zone.valid_from)
        last = as_day(zone.valid_to) if zone.valid_to is not None else None
        if (end and first > end) or (start and last and last < start):
            continue
        day = min(d for d in (end or dt.date.today(), last) if d is not None)
        found.append(shapes[zone.id].at(max(day, first), regime.timezone))
    return found


def zones_containing(regime: Regime, lon: float, lat: float, at: When) -> list[ZoneShape]:
    """The zones in force at ``at`` whose area covers the point (boundary included)."""
    found = []
    for shape in zones_at(regime, at):
        if bool(shapely.intersects_xy(shape.wgs84, np.float64(lon), np.float64(lat))):
            found.append(shape)
    return found


def rule_in_force(rule: Rule, at: When, timezone: str = "UTC") -> bool:
    """In force at any moment of a day, or at an instant (outside its suspensions)."""
    return any(in_period(at, start, end, timezone) for start, end in rule.periods())


def rule_suspension_at(rule: Rule, at: When, timezone: str = "UTC"):
    """The suspension of the rule covering ``at`` wholly (None when the rule is not suspended then)."""
    for suspension in rule.suspensions:
        if in_period(at, suspension.from_, suspension.until, timezone) and not rule_in_force(rule, at, timezone):
            return suspension
    return None


def rules_for(regime: Regime, zone_ids: list[str], at: When) -> list[Rule]:
    """The rules in force at ``at`` (a day: at any moment of it; or an instant) in any of these zones."""
    wanted = set(zone_ids)
    return [r for r in regime.rules if wanted.intersection(r.zones) and rule_in_force(r, at, regime.timezone)]


def zones_frame(shapes: list[ZoneShape]) -> gpd.GeoDataFrame:
    """Zones as a GeoDataFrame in WGS84, one row a zone, with the attributes a map needs.

    For shapes from :func:`zones_at`, the geometry is the ground covered then, and ``ground_since`` /
    ``last_change`` say since when and after which recorded change of control.
    """
    rows = []
    for s in shapes:
        z = s.zone
        version = next((v for v in s.versions if v.metric is s.metric), None)
        change = version.change if version is not None else None
        rows.append({
            "id": z.id, "name": z.name, "kind": z.kind, "established_by": z.established_by,
            "valid_from": z.valid_from.isoformat(), "valid_to": z.valid_to.isoformat() if z.valid_to else "",
            "end_note": z.end_note or "", "approximate": z.approximate, "method": z.method or "",
            "area_km2": round(s.area_km2, 1),
            "ground_since": version.start.isoformat() if version is not None else z.valid_from.isoformat(),
            "last_change": f"{change.id}: {change.held_by} ({change.source})" if change else "",
        })
    return gpd.GeoDataFrame(rows, geometry=[s.wgs84 for s in shapes], crs=WGS84)
