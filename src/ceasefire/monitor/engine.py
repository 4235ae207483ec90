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
    # per level (1 governorate, 2 district) and zone: the units that share more than a sliver with the zone
    coarse_locators: dict[int, dict[str, ZoneLocator]]
    actors: ActorMap

    @classmethod
    def build(cls, regime: Regime) -> MonitorIndex:
        shapes = regime_shapes(regime)
        locators = {zid: ZoneLocator(s.wgs84) for zid, s in shapes.items()}
        # Coarse events are few and their areas big: coarser grids serve them.
        regions = {zid: ZoneLocator(s.wgs84.buffer(REGION_REACH_DEG), 96) for zid, s in shapes.items()}
        units = admin_units()
        coarse: dict[int, dict[str, ZoneLocator]] = {}
        for level in (1, 2):
            geoms = units.loc[units["level"] == level, "geometry"].values
            coarse[level] = {}
            for zid, shape in shapes.items():
                # "possibly inside": the unit and the zone share more than a sliver (1e-4 deg² ≈ 1 km²)
                near = [g for g in geoms if g.intersection(shape.wgs84).area > 1e-4]
                coarse[level][zid] = ZoneLocator(shapely.union_all(near) if near else shapely.Polygon(), 96)
        return cls(regime, shapes, locators, regions, coarse, ActorMap(regime))


def locate(index: MonitorIndex, events: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per zone, each event's location status: NONE, POSSIBLE or CONFIRMED."""
    x = events["lon"].to_numpy(np.float64)
    y = events["lat"].to_numpy(np.float64)
    codes, names = pd.factorize(events["place_precision"])
    names = np.asarray(names, dtype=object)

    def rows_with(*wanted: str) -> np.ndarray:
        return np.isin(names, list(wanted))[codes] & (codes >= 0)

    exact = ~rows_with(*COARSE_PLACE)
    # An event known only to its district or governorate stands somewhere in that unit: it is possibly in
    # every zone its unit meets.
    coarse = {level: np.flatnonzero(rows_with(name)) for level, name in ((1, "governorate"), (2, "district"))}
    region = np.flatnonzero(rows_with("region"))
    status = {}
    for zone_id, locator in index.locators.items():
        st = np.zeros(len(events), np.uint8)
        st[exact & locator.contains(x, y)] = CONFIRMED
        for level, rows in coarse.items():
            if rows.size:
                st[rows[index.coarse_locators[level][zone_id].contains(x[rows], y[rows])]] = POSSIBLE
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
    for rule_number, rule in enumerate(regime.rules):
        kind_ok = _lookup(np.isin(sub_names, list(expand_kinds(rule.forbidden))), sub_codes)
        if rule.weapons:
            stated = _lookup(np.isin(weapon_names, rule.weapons), weapon_codes)
            implied = _lookup(np.isin(implied_names, rule.weapons), sub_codes)
            kind_ok &= np.where(weapon_codes >= 0, stated, implied)
        if rule.on_patrol:
            on_patrol = events["on_patrol"].to_numpy(bool) if "on_patrol" in events else np.zeros(len(events), bool)
            kind_ok &= on_patrol
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
        exception = np.full(rows.size, -1, np.int64)  # which exception covers the row, if any
        for number, rule_exception in enumerate(rule.exceptions):
            wanted = set(rule_exception.against)
            against1 = _labels_match(codes1[rows], labels1, wanted)
            against2 = _labels_match(codes2[rows], labels2, wanted)
            covered = ((against2 & by1[rows]) | (against1 & by2[rows])) & (exception < 0)
            exception[covered] = number
        zone_index = np.array([zone_ids.index(z) for z in rule_zones])
        parts.append(pd.DataFrame({
            "row": rows, "rule": rule_number, "zone": zone_index[best_zone[rows]],
            "status_code": status[rows], "exception": exception,
        }))
    if not parts:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    found = pd.concat(parts, ignore_index=True)
    found = found.iloc[np.lexsort((found["rule"].to_numpy(), found["row"].to_numpy()))].reset_index(drop=True)
    party_of = [np.array([getattr(index.actors.party(a), "id", None) for a in uniq] + [None], dtype=object)
                for uniq in (uniq1, uniq2)]
    rows = found["row"].to_numpy()
    found["party1"] = party_of[0][codes1[rows]]
    found["party2"] = party_of[1][codes2[rows]]
    return _describe(regime, index, events, found, zone_ids)


def _describe(regime: Regime, index: MonitorIndex, events: pd.DataFrame, found: pd.DataFrame,
              zone_ids: list[str]) -> pd.DataFrame:
    """Violations as rows a person reads: event fields, status and the sentence citing the provision."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = [c for c in VIOLATION_COLUMNS if c in events.columns]
    taken = pa.Table.from_pandas(events[columns], preserve_index=False).take(pa.array(found["row"].to_numpy()))
    rules = regime.rules
    rule_no = found["rule"].to_numpy()
    zone_no = found["zone"].to_numpy()
    exception = found["exception"].to_numpy()
    confirmed = found["status_code"].to_numpy() == CONFIRMED

    # Sentences are assembled from a few distinct beginnings and ends around each event's date.
    sub_codes, sub_names = pd.factorize(taken["sub_event_type"].to_pandas())
    head_key = (sub_codes.astype(np.int64) * len(zone_ids) + zone_no) * 2 + confirmed
    heads, head_of = np.unique(head_key, return_inverse=True)
    head_text = []
    for key in heads:
        sub, rest = divmod(int(key), 2 * len(zone_ids))
        zone, is_confirmed = divmod(rest, 2)
        phrase = PHRASES.get(sub_names[sub], sub_names[sub].replace("-", " "))
        where = " inside " if is_confirmed else " possibly inside "
        zone_name = _zone_phrase(index.shapes[zone_ids[zone]].zone.name)
        head_text.append(phrase[:1].upper() + phrase[1:] + where + zone_name + " on ")
    tail_key = rule_no * 64 + (exception + 1)
    tails, tail_of = np.unique(tail_key, return_inverse=True)
    tail_text = []
    for key in tails:
        rule = rules[int(key) // 64]
        which = int(key) % 64 - 1
        text = f": {rule.summary} ({_short(regime, rule)}, {rule.provision})"
        tail_text.append(text + (f" — excluded: {rule.exceptions[which].reason}" if which >= 0 else ""))
    day = pc.cast(taken["date"], pa.string())
    reason = pc.binary_join_element_wise(
        pa.array(head_text, pa.string()).take(pa.array(head_of)), day,
        pa.array(tail_text, pa.string()).take(pa.array(tail_of)), "")

    def labels(codes: np.ndarray, names: list[str]) -> pd.Categorical:  # few distinct values: categories
        return pd.Categorical.from_codes(codes, categories=pd.Index(names).unique()) if len(set(names)) == len(
            names) else pd.Categorical(np.array(names, dtype=object)[codes])

    status_names = ["confirmed", "possible", "excluded"]
    status_code = np.where(exception >= 0, 2, np.where(confirmed, 0, 1))
    out = {
        "event_id": taken["event_id"], "rule": labels(rule_no, [r.id for r in rules]),
        "zone": labels(zone_no, zone_ids), "status": labels(status_code, status_names), "reason": reason, "date": day,
    }
    for name in ("date_precision", "lon", "lat", "place_precision", "event_type", "sub_event_type", "weapon_class",
                 "actor1", "actor2"):
        out[name] = taken[name] if name in taken.column_names else None
    out["party1"] = found["party1"].to_numpy()
    out["party2"] = found["party2"].to_numpy()
    out["agreement"] = labels(rule_no, [r.agreement for r in rules])
    out["provision"] = labels(rule_no, [r.provision for r in rules])
    for name in ("fatalities_best", "sources"):
        out[name] = taken[name] if name in taken.column_names else None
    frame = pd.DataFrame({k: (v.to_pandas(types_mapper=pd.ArrowDtype) if isinstance(v, (pa.Array, pa.ChunkedArray))
                              else v) for k, v in out.items()})
    return frame[VIOLATION_COLUMNS]


def _short(regime: Regime, rule: Rule) -> str:
    agreement = regime.agreement(rule.agreement)
    return agreement.short or agreement.title


def _zone_phrase(name: str) -> str:
    return name if name.startswith("the ") else "the " + name
