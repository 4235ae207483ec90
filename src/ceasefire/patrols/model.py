"""Patrols as data: a planned patrol, its legs and its time window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shapely.geometry import LineString

from ..geodata.basedata import METRIC_CRS


@dataclass(frozen=True, slots=True)
class Leg:
    patrol_id: str
    number: int
    geometry: LineString  # metres, in the patrol's CRS

    @property
    def length_km(self) -> float:
        return self.geometry.length / 1000.0


@dataclass(slots=True)
class Patrol:
    id: str
    mandate: str
    forces: tuple[str, ...]
    kind: str  # joint, coordinated, independent
    role: str  # perimeter, interior, route
    route: LineString  # metres, in ``crs``
    start: dt.datetime
    end: dt.datetime
    legs: list[Leg] = field(default_factory=list)
    status: str = "planned"
    crs: str = METRIC_CRS  # the regime's metric projection

    @property
    def length_km(self) -> float:
        return self.route.length / 1000.0

    def overlaps(self, other: Patrol) -> bool:
        return self.start < other.end and other.start < self.end

    def same_joint_patrol(self, other: Patrol) -> bool:
        return self.id == other.id and self.kind == "joint"
