"""Deconfliction: patrols of different forces must not meet — same leg, or legs closer than D km, in
overlapping time windows — unless they are one joint patrol.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import shapely

from .model import Leg, Patrol, check_distance

DEFAULT_DISTANCE_KM = 2.0


@dataclass(frozen=True, slots=True)
class Conflict:
    patrol_a: str
    leg_a: int
    patrol_b: str
    leg_b: int
    distance_km: float
    start: dt.datetime  # when both are out
    end: dt.datetime
    lon: float  # where they come closest
    lat: float
    timezone: str = "UTC"  # start and end are wall-clock times in the plan's zone

    def describe(self) -> str:
        return (f"{self.patrol_a} leg {self.leg_a} and {self.patrol_b} leg {self.leg_b}: {self.distance_km:.1f} km "
                f"apart, both out {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} ({self.timezone}), "
                f"near ({self.lon:.4f}, {self.lat:.4f})")


def close_leg_pairs(legs: list[Leg], distance_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) of legs within ``distance_km`` of each other, by one STRtree query."""
    check_distance("distance_km", distance_km)  # GEOS takes a negative distance as "none are close"
    geoms = np.array([leg.geometry for leg in legs], dtype=object)
    if len(geoms) == 0:
        return np.empty(0, int), np.empty(0, int)
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="dwithin", distance=distance_km * 1000.0)
    keep = a < b
    return a[keep], b[keep]


def may_meet(p: Patrol, q: Patrol) -> bool:
    """Patrols may be close only within one patrol, or between patrols of exactly the same force(s):
    a joint Russian–Turkish patrol and a Turkish one are different forces on the ground."""
    return p.id == q.id or set(p.forces) == set(q.forces)


def find_conflicts(patrols: list[Patrol], distance_km: float = DEFAULT_DISTANCE_KM) -> list[Conflict]:
    from pyproj import Transformer

    check_distance("distance_km", distance_km)

    to_wgs = Transformer.from_crs(patrols[0].crs if patrols else "EPSG:32637", "EPSG:4326", always_xy=True)
    legs = [leg for p in patrols for leg in p.legs]
    by_id = {p.id: p for p in patrols}
    a, b = close_leg_pairs(legs, distance_km)
    found = []
    for i, j in zip(a.tolist(), b.tolist()):
        p, q = by_id[legs[i].patrol_id], by_id[legs[j].patrol_id]
        if may_meet(p, q) or not p.overlaps(q):
            continue
        g, h = legs[i].geometry, legs[j].geometry
        pa_, _ = shapely.ops.nearest_points(g, h)
        lon, lat = to_wgs.transform(pa_.x, pa_.y)
        found.append(Conflict(p.id, legs[i].number, q.id, legs[j].number, g.distance(h) / 1000.0,
                              max(p.start, q.start), min(p.end, q.end), lon, lat,
                              p.timezone or "time zone not stated"))
    return sorted(found, key=lambda c: (c.start, c.patrol_a, c.leg_a))


def conflicting_patrol_pairs(patrols: list[Patrol], close: tuple[np.ndarray, np.ndarray],
                             legs: list[Leg]) -> set[tuple[str, str]]:
    by_id = {p.id: p for p in patrols}
    out = set()
    for i, j in zip(*close):
        p, q = by_id[legs[i].patrol_id], by_id[legs[j].patrol_id]
        if not may_meet(p, q) and p.overlaps(q):
            out.add((p.id, q.id))
    return out
