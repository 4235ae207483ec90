"""The monitor: every event judged against the rules of the zones in force at its date and place.

Events come in as a DataFrame in the normalized schema; out come violations, one row per event
and rule it breaks, each with a status and a sentence citing the agreement:

- ``confirmed``: the event lies inside the zone and the rule was in force, for certain;
- ``possible``: it may have — its place is known only to a district or governorate (or a wider
  region), or its date only to a week or month that straddles a zone's or rule's start or end;
- ``excluded``: it matches the rule but an exception of the rule covers it (e.g. operations
  against designated terrorist groups), with the exception's reason.

All work is on arrays: a loop runs over zones and rules (a handful), never over events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from ..events.schema import COARSE_PLACE
from ..events.taxonomy import IMPLIED_WEAPON, expand_kinds
from ..geodata.basedata import admin_units
from ..regime.actors import ActorMap
from ..regime.models import Regime, Rule
from ..zones.timeline import ZoneShape, as_date, regime_shapes
from .locate import ZoneLocator

NONE, POSSIBLE, CONFIRMED = 0, 1, 2
STATUS_NAMES = np.array(["none", "possible", "confirmed"], dtype=object)
REGION_REACH_DEG = 0.5  # a 'region'-precision event (UCDP 5) may lie this far from its point

PHRASES = {
    "shelling": "artillery fire", "air-strike": "an air strike", "drone-strike": "a drone strike",
    "armed-clash": "an armed clash", "remote-explosive": "an explosive device", "suicide-bomb": "a suicide bombing",
    "grenade": "a grenade attack", "attack": "an attack on civilians", "abduction": "an abduction",
    "sexual-violence": "sexual violence", "government-regains-territory": "a government advance",
    "non-state-actor-overtakes-territory": "an armed group's advance", "heavy-weapons-presence": "heavy weapons",
    "armed-presence": "an armed presence", "base-established": "a new base", "patrol": "a patrol",
}

VIOLATION_COLUMNS = ["event_id", "rule", "zone", "status", "reason", "date", "date_precision", "lon", "lat",
                     "place_precision", "event_type", "sub_event_type", "weapon_class", "actor1", "actor2",
                     "party1", "party2", "agreement", "provision", "fatalities_best", "sources"]


@dataclass
class MonitorIndex:
    """What judging needs from a regime, built once: zone locators, admin lookups, actor map."""

    regime: Regime
    shapes: dict[str, ZoneShape]
    locators: dict[str, ZoneLocator]
    region_locators: dict[str, ZoneLocator]
    unit_tree: dict[int, tuple[shapely.STRtree, dict[str, np.ndarray]]]
    actors: ActorMap

    @classmethod
    def build(cls, regime: Regime) -> MonitorIndex:
        shapes = regime_shapes(regime)
        locators = {zid: ZoneLocator(s.wgs84) for zid, s in shapes.items()}
        regions = {zid: ZoneLocator(s.wgs84.buffer(REGION_REACH_DEG)) for zid, s in shapes.items()}
        units = admin_units()
        trees = {}
        for level in (1, 2):
            geoms = units.loc[units["level"] == level, "geometry"].values
            tree = shapely.STRtree(geoms)
            # "possibly inside": the unit and the zone share more than a sliver (1e-4 deg² ≈ 1 km²)
            overlaps = {zid: np.array([g.intersection(s.wgs84).area > 1e-4 for g in geoms]) for zid, s in shapes.items()}
            trees[level] = (tree, overlaps)
        return cls(regime, shapes, locators, regions, trees, ActorMap(regime))


def _units_of(index: MonitorIndex, x: np.ndarray, y: np.ndarray, level: int) -> np.ndarray:
    """For each point, the index of the admin unit (at ``level``) that holds it, or -1."""
    tree, _ = index.unit_tree[level]
    out = np.full(x.shape, -1, np.int64)
    if x.size:
        point_idx, unit_idx = tree.query(shapely.points(x, y), predicate="intersects")
        out[point_idx] = unit_idx
    return out


def locate(index: MonitorIndex, events: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per zone, each event's location status: NONE, POSSIBLE or CONFIRMED."""
    x = events["lon"].to_numpy(np.float64)
    y = events["lat"].to_numpy(np.float64)
    codes, names = pd.factorize(events["place_precision"])
    names = np.asarray(names, dtype=object)

    def rows_with(*wanted: str) -> np.ndarray:
        return np.isin(names, list(wanted))[codes] & (codes >= 0)

    exact = ~rows_with(*COARSE_PLACE)
    # An event known only to its district or governorate stands at the unit's centre: find the unit once.
    coarse = {level: np.flatnonzero(rows_with(name)) for level, name in ((1, "governorate"), (2, "district"))}
    units = {level: _units_of(index, x[rows], y[rows], level) for level, rows in coarse.items()}
    region = np.flatnonzero(rows_with("region"))
    status = {}
    for zone_id, locator in index.locators.items():
        st = np.zeros(len(events), np.uint8)
        st[exact & locator.contains(x, y)] = CONFIRMED
        for level, rows in coarse.items():
            overlaps = index.unit_tree[level][1][zone_id]
            unit = units[level]
            hit = (unit >= 0) & overlaps[np.maximum(unit, 0)]
            st[rows[hit]] = POSSIBLE
        if region.size:
            st[region[index.region_locators[zone_id].contains(x[region], y[region])]] = POSSIBLE
        status[zone_id] = st
    return status


def _period_status(first: np.ndarray, last: np.ndarray, start: dt.date, end: dt.date | None) -> np.ndarray:
    """CONFIRMED when the event's whole date range lies in [start, end], POSSIBLE when it overlaps."""
    s = np.datetime64(start, "D")
    e = np.datetime64(end, "D") if end else np.datetime64("9999-12-31", "D")
    certain = (first >= s) & (last <= e)
    overlap = (last >= s) & (first <= e)
    return np.where(certain, CONFIRMED, np.where(overlap, POSSIBLE, NONE)).astype(np.uint8)


def _lookup(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``table[codes]`` with code -1 (a missing value) → False."""
    return np.append(table, False)[codes]


def _days(dates: pd.Series) -> np.ndarray:
    """ISO date strings (or dates) → datetime64[D], parsed by Arrow."""
    import pyarrow as pa

    arr = pa.array(dates)
    if not pa.types.is_date32(arr.type):
        arr = arr.cast(pa.string()).cast(pa.date32())
    return arr.to_numpy(zero_copy_only=False).astype("datetime64[D]")


def _labels_match(codes: np.ndarray, uniques_labels: list[frozenset[str]], wanted: set[str]) -> np.ndarray:
    table = np.array([bool(labels & wanted) for labels in uniques_labels] + [False])
    return table[codes]  # code -1 (no actor) → the trailing False


def judge(regime: Regime, events: pd.DataFrame, index: MonitorIndex | None = None) -> pd.DataFrame:
    """Violations of ``regime`` among ``events`` (a DataFrame in the normalized event schema)."""
    index = index or MonitorIndex.build(regime)
    if events.empty:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    first, last = _days(events["date"]), _days(events["date_end"])
    where = locate(index, events)
    in_zone = {}
    for zone_id, shape in index.shapes.items():
        valid = _period_status(first, last, shape.zone.valid_from, shape.zone.valid_to)
        in_zone[zone_id] = np.minimum(where[zone_id], valid)

    # String columns become codes into their few distinct values: every test below is a table lookup.
    sub_codes, sub_names = pd.factorize(events["sub_event_type"])
    sub_names = np.asarray(sub_names, dtype=object)
    weapon_codes, weapon_names = pd.factorize(events["weapon_class"])
    weapon_names = np.asarray(weapon_names, dtype=object)
    implied_names = np.array([IMPLIED_WEAPON.get(s) for s in sub_names], dtype=object)
    codes1, uniq1 = pd.factorize(events["actor1"])
    codes2, uniq2 = pd.factorize(events["actor2"])
    labels1 = [index.actors.labels(a) for a in uniq1]
    labels2 = [index.actors.labels(a) for a in uniq2]

    parts = []
    zone_ids = list(index.shapes)
    for rule in regime.rules:
        kind_ok = _lookup(np.isin(sub_names, list(expand_kinds(rule.forbidden))), sub_codes)
        if rule.weapons:
            stated = _lookup(np.isin(weapon_names, rule.weapons), weapon_codes)
            implied = _lookup(np.isin(implied_names, rule.weapons), sub_codes)
            kind_ok &= np.where(weapon_codes >= 0, stated, implied)
        if not kind_ok.any():
            continue
        if rule.by:
            by1 = _labels_match(codes1, labels1, set(rule.by))
            by2 = _labels_match(codes2, labels2, set(rule.by))
        else:
            by1 = by2 = np.ones(len(events), bool)
        rule_zones = [z for z in rule.zones if z in in_zone]
        stacked = np.stack([in_zone[z] for z in rule_zones])
        best_zone = stacked.argmax(axis=0)
        place_status = stacked.max(axis=0)
        status = np.minimum(place_status, _period_status(first, last, as_date(rule.from_), rule.until))
        hit = kind_ok & (by1 | by2) & (status > NONE)
        rows = np.flatnonzero(hit)
        if rows.size == 0:
            continue
        excluded = np.zeros(rows.size, bool)
        exception_reason = np.full(rows.size, None, object)
        for exception in rule.exceptions:
            wanted = set(exception.against)
            against1 = _labels_match(codes1[rows], labels1, wanted)
            against2 = _labels_match(codes2[rows], labels2, wanted)
            covered = (against2 & by1[rows]) | (against1 & by2[rows])
            new = covered & ~excluded
            exception_reason[new] = exception.reason
            excluded |= covered
        parts.append(pd.DataFrame({
            "row": rows, "rule": rule.id,
            "zone": np.array(rule_zones, dtype=object)[best_zone[rows]],
            "status_code": status[rows], "excluded": excluded, "exception": exception_reason,
        }))
    if not parts:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    found = pd.concat(parts, ignore_index=True)
    party_of = [np.array([getattr(index.actors.party(a), "id", None) for a in uniq] + [None], dtype=object)
                for uniq in (uniq1, uniq2)]
    rows = found["row"].to_numpy()
    found["party1"] = party_of[0][codes1[rows]]
    found["party2"] = party_of[1][codes2[rows]]
    return _describe(regime, index, events, found, zone_ids)


def _describe(regime: Regime, index: MonitorIndex, events: pd.DataFrame, found: pd.DataFrame,
              zone_ids: list[str]) -> pd.DataFrame:
    ev = events.iloc[found["row"].to_numpy()].reset_index(drop=True)
    status = np.where(found["excluded"], "excluded", STATUS_NAMES[found["status_code"].to_numpy()])
    rules = {r.id: r for r in regime.rules}
    agreement = found["rule"].map({rid: r.agreement for rid, r in rules.items()})
    citation = found["rule"].map({rid: f"{_short(regime, r)}, {r.provision}" for rid, r in rules.items()})
    summary = found["rule"].map({rid: r.summary for rid, r in rules.items()})
    zone_name = found["zone"].map({zid: _zone_phrase(s.zone.name) for zid, s in index.shapes.items()})
    phrase = ev["sub_event_type"].map(PHRASES).fillna(ev["sub_event_type"].str.replace("-", " "))
    inside = np.where(found["status_code"].to_numpy() == CONFIRMED, " inside ", " possibly inside ")
    day = pd.to_datetime(ev["date"]).dt.strftime("%Y-%m-%d")
    reason = (phrase.str.slice(0, 1).str.upper() + phrase.str.slice(1) + inside + zone_name + " on " + day
              + ": " + summary + " (" + citation + ")")
    reason = reason.where(~found["excluded"], reason + " — excluded: " + found["exception"].fillna(""))
    out = pd.DataFrame({
        "event_id": ev["event_id"], "rule": found["rule"], "zone": found["zone"], "status": status,
        "reason": reason, "date": day, "date_precision": ev["date_precision"], "lon": ev["lon"], "lat": ev["lat"],
        "place_precision": ev["place_precision"], "event_type": ev["event_type"],
        "sub_event_type": ev["sub_event_type"], "weapon_class": ev["weapon_class"], "actor1": ev["actor1"],
        "actor2": ev["actor2"], "party1": found["party1"].to_numpy(), "party2": found["party2"].to_numpy(), "agreement": agreement,
        "provision": found["rule"].map({rid: r.provision for rid, r in rules.items()}),
        "fatalities_best": ev["fatalities_best"], "sources": ev["sources"],
    })
    return out.sort_values(["date", "event_id", "rule"], kind="stable").reset_index(drop=True)


def _short(regime: Regime, rule: Rule) -> str:
    agreement = regime.agreement(rule.agreement)
    return agreement.short or agreement.title


def _zone_phrase(name: str) -> str:
    return name if name.startswith("the ") else "the " + name
