"""Patrols as data: a planned patrol, its legs and its time window."""

from __future__ import annotations

import datetime as dt
import math
import numbers
from dataclasses import dataclass, field

from shapely.geometry import LineString

from ..errors import InputError
from ..geodata.basedata import METRIC_CRS
from ..regime.clock import zone_info


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
    # The IANA zone ``start`` and ``end`` are wall-clock times in (the regime's). None: the plan does not
    # say (plans written before they carried it), and until a caller knows the regime they read as UTC.
    timezone: str | None = None

    @property
    def length_km(self) -> float:
        return self.route.length / 1000.0

    @property
    def clock(self) -> str:
        """The zone its times are shown in, as a label."""
        return self.timezone or "UTC"

    def instant(self, when: dt.datetime) -> dt.datetime:
        """One of its wall-clock times as an aware instant, comparable with a track's UTC times."""
        return when.replace(tzinfo=zone_info(self.clock))

    def wall(self, when: dt.datetime) -> dt.datetime:
        """An aware instant (a track's time) as naive wall-clock time in the patrol's zone."""
        return when.astimezone(zone_info(self.clock)).replace(tzinfo=None)

    def overlaps(self, other: Patrol) -> bool:
        return self.start < other.end and other.start < self.end

    def same_joint_patrol(self, other: Patrol) -> bool:
        return self.id == other.id and self.kind == "joint"


def check_distance(name: str, value: float, positive: bool = False) -> None:
    """Refuse a length, speed or duration that is not a finite number ≥ 0 (or > 0 when ``positive``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be a number, got {value!r}")
    bound = "> 0" if positive else "≥ 0"
    if not math.isfinite(value):
        raise InputError(f"{name} must be a finite number {bound}, got {float(value):g}")
    if value < 0 or (positive and value == 0):
        raise InputError(f"{name} must be {bound}, got {float(value):g}")
