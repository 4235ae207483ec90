"""The monitor: every event judged against the rules of the zones in force at its time and place.

Events come in as a DataFrame in the normalized schema; out come violations, one row per event
and rule it may break, each with a status, the reason for it and a sentence citing the agreement:

- ``confirmed``: the event lies inside the zone, the rule was in force, and the source codes the
  sides the rule names, all for certain;
- ``possible``: one of those is not certain — the place is known only to a unit or a radius that
  meets the zone, or lies within the border tolerance; the date straddles a start or an end; the
  source leaves a side unnamed; or an exception may apply because an umbrella actor ("Syrian
  insurgents") may hide a designated group the source's text does not name. ``because`` says which;
- ``excluded``: an exception of the rule covers it (operations against designated groups), with
  the exception's reason.

**Who against whom.** A rule names sides: ``between`` (hostilities between one and the other,
either order), ``by`` (the perpetrator) and ``against`` (the target). The event's ``roles`` say how
its actors stand: ``one-sided`` (actor1 acted against actor2) or ``clash`` (each fought the other:
either may have acted). A rule fires when some reading of the event allowed by its roles fits the
rule: the victim of a one-sided attack never makes the breach.

All work is on arrays: loops run over zones and rules (a handful), never over events. Only events
that may lie in some zone are read past their place; an event is placed only in the versions of a
zone its time meets; periods are tested once per distinct time range; the sentences are built once
per distinct combination of their parts and joined to the events by codes. The regime's index (zone
versions, unit relations, grids) is kept on disk by :mod:`.index_cache`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from ..events.taxonomy import IMPLIED_WEAPON, REMOTE_KINDS, expand_kinds, weapon_ancestors, weapon_descendants
from ..geodata.basedata import METRIC_CRS
from ..regime.actors import ActorMap
from ..regime.clock import local_minute
from ..regime.models import Regime, Rule
from ..zones.timeline import ZoneShape, control_areas, regime_shapes
from .columns import EventColumns, combine
from .place import CONFIRMED, NONE, POSSIBLE, PlaceIndex, candidates, place_events
from .sides import Sides

EXCLUDED = 3  # a status code beyond the place/time scale: an exception covers the event

VIOLATION_COLUMNS = [
    "event_id", "rule", "zone", "zones", "status", "because", "reason", "date", "date_end", "date_precision", "time",
    "lon", "lat", "place", "place_precision", "event_type", "sub_event_type", "weapon_class", "actor1", "actor2",
    "roles", "party1", "party2", "in_breach", "ground", "agreement", "provision", "fatalities_best", "sources",
]


@dataclass
class MonitorIndex:
    """What judging needs from a regime, built once: zone shapes and locators, the actor map."""

    regime: Regime
    shapes: dict[str, ZoneShape]
    place: PlaceIndex  # over every version of every zone ("astana-1#0", "astana-1#1", …)
    actors: ActorMap

    @classmethod
    def build(cls, regime: Regime) -> MonitorIndex:
        """The regime's index: from the disk cache when it holds one for this regime (see
        :mod:`.index_cache`), else built, with every grid, and kept there."""
        from . import index_cache

        cached = index_cache.load(regime)
        if cached is not None:
            return cls(regime, *cached, ActorMap(regime))
        shapes = regime_shapes(regime)
        pieces = {piece_id(z, k): (v.metric, s.metric, v.cuts) for z, s in shapes.items() for k, v in enumerate(s.versions)}
        crs = next(iter(shapes.values())).crs if shapes else METRIC_CRS
        place = PlaceIndex.build(pieces, crs)
        if index_cache.cache_folder() is not None:  # grids are otherwise built when first asked
            place.build_locators()
            index_cache.save(regime, shapes, place)
        return cls(regime, shapes, place, ActorMap(regime))


def piece_id(zone_id: str, version: int) -> str:
    return f"{zone_id}#{version}"


def locate(index: MonitorIndex, events: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per zone, each event's place status (NONE, POSSIBLE or CONFIRMED) against the ground the zone
    covered at the event's time — whether or not the zone was in force then (the first version stands
    for the time before, the last for the time after)."""
    every = EventColumns(events)
    rows = candidates(index.place, every)  # the others are in no zone
    cols = every.subset(rows)
    moments = Moments(*event_minutes(events, cols))
    during = {}
    for zone_id, shape in index.shapes.items():
        for k, version in enumerate(shape.versions):
            start = version.start if k > 0 else dt.date(1, 1, 1)
            end = version.end if k + 1 < len(shape.versions) else None
            during[piece_id(zone_id, k)] = moments.period(start, end, index.regime.timezone)[0] > NONE
    status = place_events(index.place, events, cols, during=during).status
    out = {}
    for zone_id, shape in index.shapes.items():
        best = np.zeros(len(events), np.uint8)
        best[rows] = np.maximum.reduce([status[piece_id(zone_id, k)] for k in range(len(shape.versions))])
        out[zone_id] = best
    return out


# --------------------------------------------------------------------------- time


def event_minutes(events: pd.DataFrame, cols: EventColumns) -> tuple[np.ndarray, np.ndarray]:
    """Each event's first and last possible local minute (of the rows ``cols`` reads): its dates,
    narrowed to its time when the source gives one for a day-precision event."""
    first = _days(cols.arrow("date")).astype("datetime64[m]")
    last = _days(cols.arrow("date_end")).astype("datetime64[m]") + np.timedelta64(24 * 60 - 1, "m")
    codes, times = cols.codes("time")
    if len(times):
        clock = pd.Series(times, dtype=object).str.extract(r"^\s*(\d{1,2}):(\d{2})")
        minutes = (pd.to_numeric(clock[0], errors="coerce") * 60 + pd.to_numeric(clock[1], errors="coerce")).to_numpy()
        minutes = np.append(minutes, np.nan)[codes]
        known = cols.equals("date_precision", "day") & ~np.isnan(minutes)
        at = first + np.nan_to_num(minutes).astype(np.int64).astype("timedelta64[m]")
        first = np.where(known, at, first)
        last = np.where(known, at, last)
    return first, last


def _days(dates: pa.Array | pd.Series) -> np.ndarray:
    """ISO date strings (or dates) → datetime64[D], parsed by Arrow."""
    arr = dates if isinstance(dates, pa.Array) else pa.array(dates)
    if not pa.types.is_date32(arr.type):
        arr = arr.cast(pa.string()).cast(pa.date32())
    return arr.to_numpy(zero_copy_only=False).astype("datetime64[D]")


class Moments:
    """Events' time ranges, tested against periods once per distinct (first, last) pair: a million
    events fall on a few thousand days."""

    def __init__(self, first: np.ndarray, last: np.ndarray):
        self.code, heads = combine(first.view(np.int64), last.view(np.int64))
        self.first, self.last = first[heads], last[heads]

    def period(self, start, end, timezone: str) -> tuple[np.ndarray, np.ndarray]:
        """:func:`period_status` of every event."""
        status, cut = period_status(self.first, self.last, start, end, timezone)
        return status[self.code], cut[self.code]

    def rule(self, rule: Rule, timezone: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`rule_status` of the events at ``rows``."""
        code = self.code[rows]
        return tuple(values[code] for values in rule_status(rule, self.first, self.last, timezone))


# Which boundary a POSSIBLE time status straddles (the sentence says it in words).
NO_BOUNDARY, STARTS, ENDS = 0, 1, 2


def period_status(first: np.ndarray, last: np.ndarray, start, end, timezone: str) -> tuple[np.ndarray, np.ndarray]:
    """CONFIRMED when the event's whole time range lies in [start, end], POSSIBLE when it overlaps;
    and for POSSIBLE rows whether the start or the end cut it."""
    s = local_minute(start, timezone)
    e = local_minute(end, timezone, last=True) if end is not None else np.datetime64("9999-12-31T23:59", "m")
    certain = (first >= s) & (last <= e)
    overlap = (last >= s) & (first <= e)
    status = np.where(certain, CONFIRMED, np.where(overlap, POSSIBLE, NONE)).astype(np.uint8)
    cut = np.where(status == POSSIBLE, np.where(first < s, STARTS, ENDS), NO_BOUNDARY).astype(np.uint8)
    return status, cut


def rule_status(rule: Rule, first: np.ndarray, last: np.ndarray, timezone: str
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Like :func:`period_status` over the rule's in-force periods (suspensions are gaps): the best
    status, what cut it, and which period gave it."""
    best = np.zeros(len(first), np.uint8)
    cut = np.zeros(len(first), np.uint8)
    period = np.zeros(len(first), np.int64)
    for number, (start, end) in enumerate(rule.periods()):
        status, boundary = period_status(first, last, start, end, timezone)
        better = status > best
        best, cut, period = (np.where(better, status, best), np.where(better, boundary, cut),
                             np.where(better, number, period))
    return best, cut, period


# --------------------------------------------------------------------------- judging


def _lookup(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``table[codes]`` with code -1 (a missing value) → False."""
    return np.append(table, False)[codes]


@dataclass
class Reading:
    """Which readings of each event fit a rule: actor1 acting against actor2 (12), or the reverse (21)."""

    certain12: np.ndarray
    certain21: np.ndarray
    maybe12: np.ndarray
    maybe21: np.ndarray


def read_sides(rule: Rule, sides: Sides, one_sided: np.ndarray, patrol_forces: np.ndarray | None) -> Reading:
    """The readings of every event that fit the rule's ``between``, ``by`` and ``against``."""
    n = sides.n
    yes = np.ones(n, bool)

    def fits(side: int, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
        if not names:
            return yes, np.zeros(n, bool)
        certain = sides.certain(side, set(names))
        # An umbrella's hidden groups never make an accusation: only an empty side leaves it open.
        return certain, sides.empty[side] & ~certain

    def between(first: int, second: int) -> tuple[np.ndarray, np.ndarray]:
        if not rule.between:
            return yes, np.zeros(n, bool)
        (a1, a1m), (b2, b2m) = fits(first, [rule.between[0]]), fits(second, [rule.between[1]])
        (b1, b1m), (a2, a2m) = fits(first, [rule.between[1]]), fits(second, [rule.between[0]])
        certain = (a1 & b2) | (b1 & a2)
        maybe = ((a1 | a1m) & (b2 | b2m)) | ((b1 | b1m) & (a2 | a2m))
        return certain, maybe & ~certain

    pair_c, pair_m = between(0, 1)
    readings = []
    if rule.presence:  # a party kept out of the zone is there whichever side of the event it is on
        (by0, by0m), (by1, by1m) = fits(0, rule.by), fits(1, rule.by)
        present = (by0 | by1, (by0m | by1m) & ~(by0 | by1))
    for perpetrator, target in ((0, 1), (1, 0)):
        by_c, by_m = present if rule.presence else fits(perpetrator, rule.by)
        against_c, against_m = fits(target, rule.against)
        if rule.on_patrol and patrol_forces is not None:  # the patrol's own forces must be the target
            on_it = np.zeros(n, bool)
            for forces in {f for f in patrol_forces if isinstance(f, str) and f}:
                rows = patrol_forces == forces
                on_it |= rows & sides.certain(target, set(forces.split(",")))
            against_c = against_c & on_it
            against_m = against_m & on_it
        certain = pair_c & by_c & against_c
        maybe = (pair_c | pair_m) & (by_c | by_m) & (against_c | against_m) & ~certain
        if perpetrator == 1:  # actor2 acting against actor1: only a clash reads that way
            certain, maybe = certain & ~one_sided, maybe & ~one_sided
        readings += [certain, maybe]
    return Reading(readings[0], readings[2], readings[1] & ~readings[2], readings[3] & ~readings[0])


def judge(regime: Regime, events: pd.DataFrame, index: MonitorIndex | None = None) -> pd.DataFrame:
    """Violations of ``regime`` among ``events`` (a DataFrame in the normalized event schema)."""
    index = index or MonitorIndex.build(regime)
    if events.empty:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    events = events.reset_index(drop=True)
    every = EventColumns(events)
    # Only events that may lie in some zone are read further: most of a country's events lie in none.
    cols = every.subset(candidates(index.place, every))
    if cols.n == 0:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    timezone = regime.timezone
    first, last = event_minutes(events, cols)
    moments = Moments(first, last)
    zone_ids = list(index.shapes)
    # every version of a zone is a piece with its own period: a zone that follows control loses ground
    pieces = [(z, k) for z, s in index.shapes.items() for k in range(len(s.versions))]
    piece_time = {(z, k): moments.period(index.shapes[z].versions[k].start, index.shapes[z].versions[k].end, timezone)
                  for z, k in pieces}
    # an event is placed only in the versions of a zone its time meets: elsewhere its status is NONE anyway
    during = {piece_id(*p): status > NONE for p, (status, _) in piece_time.items() if status.any()}
    placement = place_events(index.place, events, cols, only=set(during), during=during)
    # An event whose time spans several versions of a zone is certainly in it when it is certainly inside
    # every one of them (and the zone's own period covers it): the change of ground did not touch it.
    for z, shape in index.shapes.items():
        if len(shape.versions) == 1:  # one version: the zone's own period is the version's
            continue
        inside_all = moments.period(shape.zone.valid_from, shape.zone.valid_to, timezone)[0] == CONFIRMED
        for k in range(len(shape.versions)):
            overlaps = piece_time[(z, k)][0] > NONE
            inside_all &= ~overlaps | (placement.status[piece_id(z, k)] == CONFIRMED)
        for k in range(len(shape.versions)):
            status, cut = piece_time[(z, k)]
            settled = inside_all & (status > NONE)
            piece_time[(z, k)] = (np.where(settled, CONFIRMED, status).astype(np.uint8), np.where(settled, 0, cut))

    # String columns become codes into their few distinct values: every test below is a table lookup.
    sub_codes, sub_names = cols.codes("sub_event_type")
    weapon_codes, weapon_names = cols.codes("weapon_class")
    implied_names = np.array([IMPLIED_WEAPON.get(s) for s in sub_names], dtype=object)
    sides = Sides(index.actors, cols)
    one_sided = cols.equals("roles", "one-sided")
    patrol_forces = cols.values("patrol_forces") if cols.has("patrol_forces") else None

    parts = []
    for rule_number, rule in enumerate(regime.rules):
        kind_ok = _lookup(np.isin(sub_names, list(expand_kinds(rule.forbidden))), sub_codes)
        weapon_vague = np.zeros(cols.n, bool)  # the source names only a coarser class than the rule's
        if rule.weapons:
            covered = list(weapon_descendants(rule.weapons))
            coarser = list(frozenset().union(*(weapon_ancestors(w) for w in rule.weapons)) - set(covered))
            stated = weapon_codes >= 0
            certain = np.where(stated, _lookup(np.isin(weapon_names, covered), weapon_codes),
                               _lookup(np.isin(implied_names, covered), sub_codes))
            weapon_vague = ~certain & np.where(stated, _lookup(np.isin(weapon_names, coarser), weapon_codes),
                                               _lookup(np.isin(implied_names, coarser), sub_codes))
            kind_ok &= certain | weapon_vague
        if rule.on_patrol:
            kind_ok &= cols.flags("on_patrol")
        if not kind_ok.any():
            continue
        reading = read_sides(rule, sides, one_sided, patrol_forces)
        fits_c = reading.certain12 | reading.certain21
        fits_m = reading.maybe12 | reading.maybe21
        # the rule's kinds and sides first (table lookups); then time and place, on those rows only
        rows = np.flatnonzero(kind_ok & (fits_c | fits_m))
        rule_pieces = [(z, k) for z, k in pieces if z in rule.zones]
        rule_time, rule_cut, rule_period = moments.rule(rule, timezone, rows)
        when = np.stack([np.minimum(piece_time[p][0][rows], rule_time) for p in rule_pieces])
        stacked = np.minimum(np.stack([placement.status[piece_id(*p)][rows] for p in rule_pieces]), when)
        status = stacked.max(axis=0)
        hit = status > NONE
        if not hit.any():
            continue
        rows, rule_time, rule_cut, rule_period = rows[hit], rule_time[hit], rule_cut[hit], rule_period[hit]
        stacked, when, status = stacked[:, hit], when[:, hit], status[hit]
        best_rows = stacked.argmax(axis=0)
        at = np.arange(rows.size)
        zone_index = np.array([zone_ids.index(z) for z, _ in rule_pieces])
        version_index = np.array([k for _, k in rule_pieces])
        place_status = np.stack([placement.status[piece_id(*p)][rows] for p in rule_pieces])[best_rows, at]
        zone_cut = np.stack([piece_time[p][1][rows] for p in rule_pieces])[best_rows, at]
        time_status = when[best_rows, at]
        # what cut the time: the rule's own period (1, 2) or the zone's (3, 4)
        time_cut = np.where(rule_cut > 0, rule_cut, np.where(zone_cut > 0, zone_cut + 2, 0))
        candidates_mask = np.zeros(rows.size, np.int64)
        for number, (z, _) in enumerate(rule_pieces):
            candidates_mask |= (stacked[number] > NONE).astype(np.int64) << zone_ids.index(z)
        code = status.copy()
        code[weapon_vague[rows]] = np.minimum(code[weapon_vague[rows]], POSSIBLE)
        side_unknown = ~fits_c[rows]
        code[side_unknown] = np.minimum(code[side_unknown], POSSIBLE)
        fired_in = np.zeros(rows.size, bool)  # a presence rule, and fire that may have come from outside
        if rule.presence:
            fired_in = _lookup(np.isin(sub_names, list(REMOTE_KINDS)), sub_codes)[rows]
            if rule.by:  # the party kept out was certainly there when it was the one struck
                fired_in &= ~(one_sided & sides.certain(1, set(rule.by)))[rows]
            code[fired_in] = np.minimum(code[fired_in], POSSIBLE)
        exception = np.full(rows.size, -1, np.int64)  # the exception that covers the row
        exception_maybe = np.full(rows.size, -1, np.int64)  # one that may cover it (umbrella actor)
        by_text = np.zeros(rows.size, bool)  # covered because the source's text names the group
        r12 = (reading.certain12 | reading.maybe12)[rows]
        r21 = (reading.certain21 | reading.maybe21)[rows]
        for number, rule_exception in enumerate(rule.exceptions):
            wanted = set(rule_exception.against)
            covered = (r12 & sides.certain(1, wanted)[rows]) | (r21 & sides.certain(0, wanted)[rows])
            may = ((r12 & sides.maybe(1, wanted, empty_counts=False)[rows])
                   | (r21 & sides.maybe(0, wanted, empty_counts=False)[rows]))
            text = (r12 & sides.named_in_text(1, wanted)[rows]) | (r21 & sides.named_in_text(0, wanted)[rows])
            new = covered & (exception < 0)
            exception[new] = number
            by_text[new] = text[new]
            exception_maybe[may & (exception < 0) & (exception_maybe < 0)] = number
        code[exception_maybe >= 0] = np.minimum(code[exception_maybe >= 0], POSSIBLE)
        code[exception >= 0] = EXCLUDED
        parts.append({
            "row": rows, "rule": np.full(rows.size, rule_number), "period": rule_period,
            "zone": zone_index[best_rows], "version": version_index[best_rows], "candidates": candidates_mask,
            "code": code, "place_status": place_status, "time_status": time_status, "time_cut": time_cut,
            "side_unknown": side_unknown, "weapon_vague": weapon_vague[rows], "fired_in": fired_in,
            "exception": exception, "exception_maybe": exception_maybe, "by_text": by_text, "o12": r12, "o21": r21,
        })
    if not parts:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    found = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    order = np.lexsort((found["rule"], found["row"]))  # event by event, rule by rule
    found = {name: values[order] for name, values in found.items()}
    from .describe import describe

    out = describe(regime, index, cols, found, placement, sides, zone_ids)
    row = found["row"]
    out["ground"] = ground_held(regime, cols.floats("lon")[row], cols.floats("lat")[row], first[row])
    return out[VIOLATION_COLUMNS]


def ground_held(regime: Regime, x: np.ndarray, y: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Who held the ground at each point and local minute, by the regime's latest recorded change of
    control there ('' where it records none)."""
    out = np.full(len(x), "", dtype=object)
    for change, area in control_areas(regime):  # oldest first: later changes overwrite
        since = local_minute(change.at, regime.timezone)
        minx, miny, maxx, maxy = area.bounds  # only points in the area's box are worth the exact test
        rows = np.flatnonzero((at >= since) & (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        out[rows[shapely.intersects_xy(area, x[rows], y[rows])]] = f"{change.held_by} since {change.at} ({change.id})"
    return out
