"""Planning: mandates → patrols with routes, legs and time windows, free of conflicts, with coverage.

Each mandate's route is cut into daily sectors of at most ``sector_km``; with a weekly cadence every
sector is driven once a week, each on its own day. Patrols are placed greedily in time slots
(days of the cadence period × start hours): a patrol that would meet another force's patrol is moved
to the next slot. The distance test between legs is one STRtree query over all legs, done once;
moving a patrol in time only re-checks its pairs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields

import pandas as pd
import shapely

from ..errors import InputError
from ..regime.models import PatrolMandate, Regime
from ..zones.ground import ground_of
from .deconflict import DEFAULT_DISTANCE_KM, close_leg_pairs, may_meet
from .model import Leg, Patrol, check_distance
from .routes import mandate_route, mandated_line, split

CADENCE_DAYS = {"daily": 1, "weekly": 7, "fortnightly": 14, "monthly": 30}
START_HOURS = (8, 13, 18)  # local time; a patrol that cannot fit by day is not planned at night


@dataclass
class PlanOptions:
    leg_km: float = 10.0
    sector_km: float = 60.0
    speed_kmh: float = 25.0
    halt_hours: float = 1.0
    distance_km: float = DEFAULT_DISTANCE_KM
    coverage_km: float = 2.0  # a stretch of the mandated line this close to a leg counts as covered
    offset_km: float = 1.0
    interior_offset_km: float = 5.0

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """A negative distance plans patrols that meet; a zero leg or speed divides by zero; NaN compares
        false with everything and so silently switches a test off. All are refused, for every caller."""
        for option in fields(self):
            check_distance(option.name, getattr(self, option.name),
                           positive=option.name in ("leg_km", "sector_km", "speed_kmh"))


@dataclass
class Plan:
    patrols: list[Patrol]
    coverage: pd.DataFrame  # mandate, week, covered share
    unplaced: list[str] = field(default_factory=list)


def _legs(patrol_id: str, route: shapely.LineString, leg_km: float) -> list[Leg]:
    return [Leg(patrol_id, i + 1, piece) for i, piece in enumerate(split(route, leg_km))]


def _duration(route: shapely.LineString, opts: PlanOptions) -> dt.timedelta:
    return dt.timedelta(hours=route.length / 1000.0 / opts.speed_kmh + opts.halt_hours)


def mandates_in_force(regime: Regime, start: dt.date, end: dt.date) -> list[PatrolMandate]:
    return [m for m in regime.patrols if m.valid_from <= end and (m.valid_to is None or m.valid_to >= start)]


def plan_patrols(regime: Regime, start: dt.date, days: int, opts: PlanOptions | None = None) -> Plan:
    opts = opts or PlanOptions()
    opts.check()  # again: the options are a plain dataclass a caller may have changed since
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise InputError(f"days must be a whole number ≥ 1, got {days!r}")
    try:
        end = start + dt.timedelta(days=days - 1)
    except OverflowError:
        raise InputError(f"days: {start} + {days} days runs past the year 9999") from None
    candidates: list[tuple[Patrol, list[dt.datetime]]] = []
    for mandate in mandates_in_force(regime, start, end):
        sectors = [s for line in mandate_route(regime, mandate, opts.offset_km, opts.interior_offset_km,
                                               max(start, mandate.valid_from))
                   for s in split(line, opts.sector_km)]
        period = CADENCE_DAYS.get(mandate.cadence or "weekly", 7)
        first = max(start, mandate.valid_from)
        last = min(end, mandate.valid_to or end)
        cycle = 0
        while first + dt.timedelta(days=cycle * period) <= last:
            cycle_start = first + dt.timedelta(days=cycle * period)
            for number, sector in enumerate(sectors):
                pid = f"{mandate.id}/{cycle_start:%Y%m%d}/{number + 1:02d}"
                # The sector's own day first, then the other days of the period, at each start hour.
                days_order = [(number + k) % period for k in range(period)]
                slots = [dt.datetime.combine(cycle_start + dt.timedelta(days=d), dt.time(h))
                         for d in days_order for h in START_HOURS
                         if cycle_start + dt.timedelta(days=d) <= last]
                if not slots:
                    continue
                patrol = Patrol(pid, mandate.id, tuple(mandate.forces), mandate.kind, mandate.role, sector,
                                slots[0], slots[0] + _duration(sector, opts), crs=ground_of(regime).crs,
                                timezone=regime.timezone)
                patrol.legs = _legs(pid, sector, opts.leg_km)
                candidates.append((patrol, slots))
            cycle += 1
    placed, unplaced = _place(candidates, opts)
    return Plan(placed, coverage(regime, placed, start, days, opts), unplaced)


def patrols_during(regime: Regime, start: dt.date, end: dt.date) -> list[Patrol]:
    """The patrols out on the days [start, end]. Plans are made a week at a time from a Monday (a plan places
    each sector's patrols through its period), so a day shows the patrols of its week's plan that fall on it,
    whatever day the question starts."""
    if not regime.patrols:
        return []
    monday = start - dt.timedelta(days=start.weekday())
    days = -(-((end - monday).days + 1) // 7) * 7
    return [p for p in plan_patrols(regime, monday, days).patrols if start <= p.start.date() <= end]


def _place(candidates: list[tuple[Patrol, list[dt.datetime]]], opts: PlanOptions) -> tuple[list[Patrol], list[str]]:
    """Greedy: each patrol takes its first slot that meets no placed patrol of another force."""
    legs = [leg for p, _ in candidates for leg in p.legs]
    a, b = close_leg_pairs(legs, opts.distance_km)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for i, j in zip(a.tolist(), b.tolist()):
        p, q = legs[i].patrol_id, legs[j].patrol_id
        if p != q:
            neighbours[p].add(q)
            neighbours[q].add(p)
    placed: dict[str, Patrol] = {}
    unplaced = []
    for patrol, slots in candidates:
        duration = patrol.end - patrol.start
        for slot in slots:
            patrol.start, patrol.end = slot, slot + duration
            clash = any(not may_meet(patrol, placed[n]) and patrol.overlaps(placed[n])
                        for n in neighbours[patrol.id] if n in placed)
            if not clash:
                placed[patrol.id] = patrol
                break
        else:
            unplaced.append(patrol.id)
    return sorted(placed.values(), key=lambda p: (p.start, p.id)), unplaced


def coverage(regime: Regime, patrols: list[Patrol], start: dt.date, days: int, opts: PlanOptions) -> pd.DataFrame:
    """Per mandate and week: the share of the mandated line (or area) within ``coverage_km`` of a leg."""
    rows = []
    by_mandate: dict[str, list[Patrol]] = defaultdict(list)
    for p in patrols:
        by_mandate[p.mandate].append(p)
    for mandate in mandates_in_force(regime, start, start + dt.timedelta(days=days - 1)):
        target = mandated_line(regime, mandate, max(start, mandate.valid_from))
        size = target.area if mandate.role == "interior" else target.length
        reach = (opts.interior_offset_km + opts.coverage_km) if mandate.role == "interior" else opts.coverage_km
        weeks: dict[int, list[Patrol]] = defaultdict(list)
        for p in by_mandate[mandate.id]:
            weeks[(p.start.date() - start).days // 7].append(p)
        for week in range(-(-days // 7)):
            routes = [p.route for p in weeks.get(week, [])]
            if routes:
                near = shapely.union_all(routes).buffer(reach * 1000.0)
                covered = target.intersection(near)
                share = (covered.area if mandate.role == "interior" else covered.length) / size
            else:
                share = 0.0
            rows.append({"mandate": mandate.id, "week": (start + dt.timedelta(days=7 * week)).isoformat(),
                         "patrols": len(routes), "covered": round(share, 3)})
    return pd.DataFrame(rows, columns=["mandate", "week", "patrols", "covered"])
