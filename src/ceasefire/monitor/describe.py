"""Verdicts as rows a person reads: the sentence, the reason for the status, the parties in breach.

A sentence never says more than the data: the kind of event is the one the source codes or its
own text names ("a fatal incident" when nothing says more), the actors are the source's, in the
roles the source gives them, the place is as precise as the source ("somewhere in Idlib
governorate"), and every doubt is spelled out in ``because``. Sentences are assembled once per
distinct combination of their parts and joined to the events' dates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..regime.actors import party_labels
from ..regime.clock import describe as describe_when
from ..regime.models import Regime, Rule
from .columns import EventColumns
from .engine import EXCLUDED, VIOLATION_COLUMNS, MonitorIndex
from .place import CONFIRMED, EDGE, EDGE_KM, NEAR, POSSIBLE, UNIT, Placement
from .sides import Sides

PHRASES = {
    "shelling": "artillery fire", "air-strike": "an air strike", "drone-strike": "a drone strike",
    "armed-clash": "an armed clash", "remote-explosive": "an explosive device", "suicide-bomb": "a suicide bombing",
    "grenade": "a grenade attack", "attack": "an attack", "abduction": "an abduction",
    "sexual-violence": "sexual violence", "government-regains-territory": "a government advance",
    "non-state-actor-overtakes-territory": "an armed group's advance", "heavy-weapons-presence": "heavy weapons",
    "armed-presence": "an armed presence", "base-established": "a new base", "patrol": "a patrol",
    "fatal-incident": "a fatal incident",
}
FIGHTS = {"armed-clash", "fatal-incident"}  # kinds that are between two sides, not done by one to the other
STATUS_NAMES = ("confirmed", "possible", "excluded")
STATUS_CODES = np.zeros(EXCLUDED + 1, np.int8)  # engine status code → category of the status column
STATUS_CODES[[CONFIRMED, POSSIBLE, EXCLUDED]] = [0, 1, 2]
PARTS = ["sub", "roles", "a1", "a2", "zone", "version", "period", "candidates", "code", "place_status", "why", "area", "radius",
         "time_status", "time_cut", "precision", "side_unknown", "weapon_vague", "fired_in", "exception", "exception_maybe", "by_text",
         "rule"]


def describe(regime: Regime, index: MonitorIndex, events: pd.DataFrame, cols: EventColumns, found: pd.DataFrame,
             placement: Placement, sides: Sides, zone_ids: list[str]) -> pd.DataFrame:
    row = found["row"].to_numpy()
    parts = found.assign(
        sub=cols.codes("sub_event_type")[0][row], roles=cols.codes("roles")[0][row],
        a1=sides.codes[0][row], a2=sides.codes[1][row], why=placement.why[row], area=placement.area[row],
        radius=np.nan_to_num(placement.radius_km[row], nan=-1.0), precision=cols.codes("date_precision")[0][row],
    )
    # which version of a zone, or which period of a rule, only matters to a reason about time
    settled = parts["time_status"].to_numpy() != POSSIBLE
    parts.loc[settled, ["version", "period", "time_cut"]] = 0
    group = parts.groupby(PARTS, sort=False).ngroup().to_numpy()
    _, first_rows = np.unique(group, return_index=True)  # group numbers run 0, 1, 2, … in order of appearance
    heads, tails, becauses, breaches = [], [], [], []
    firsts = parts.iloc[first_rows]
    fields = {name: cols.values(name, firsts["row"].to_numpy())
              for name in ("sub_event_type", "actor1", "actor2", "roles", "date_precision")}
    for number, first in enumerate(firsts.to_dict("records")):
        event = {name: values[number] for name, values in fields.items()}
        rule = regime.rules[int(first["rule"])]
        area = placement.areas[int(first["area"])] if first["area"] >= 0 else None
        because = _because(regime, index, rule, first, event, sides, zone_ids, area)
        tail = f": {rule.summary} ({_short(regime, rule)}, {rule.provision})"
        if first["code"] == EXCLUDED:
            tail += f" — excluded: {because}"
        elif first["code"] == POSSIBLE:
            tail += f" — possible: {because}"
        heads.append(_head(index, first, event, zone_ids, area))
        tails.append(tail)
        becauses.append(because)
        breaches.append("" if first["code"] == EXCLUDED else _in_breach(rule, first, sides))
    take = pa.array(group)

    def text(values: list[str]) -> pa.Array:
        return pa.array(values, pa.string()).take(take)

    rows = pa.array(row)
    date = pc.cast(cols.arrow("date").take(rows), pa.string())
    date_end = pc.cast(cols.arrow("date_end").take(rows), pa.string())
    time = pc.cast(cols.arrow("time").take(rows), pa.string())
    on_day = pc.if_else(pc.is_valid(time), pc.binary_join_element_wise("on ", date, " at ", time, ""),
                        pc.binary_join_element_wise("on ", date, ""))
    when = pc.if_else(pc.equal(date, date_end), on_day,
                      pc.binary_join_element_wise("between ", date, " and ", date_end, ""))
    reason = pc.binary_join_element_wise(text(heads), when, text(tails), "")

    def arrow(array: pa.Array) -> pd.Series:
        return array.to_pandas(types_mapper=pd.ArrowDtype)

    rules = regime.rules
    rule_no = found["rule"].to_numpy()
    out: dict[str, object] = {
        "event_id": arrow(cols.arrow("event_id").take(rows)),
        "rule": _labels(rule_no, [r.id for r in rules]),
        "zone": _labels(found["zone"].to_numpy(), zone_ids),
        "zones": _zone_lists(found["candidates"].to_numpy(), zone_ids),
        "status": pd.Categorical.from_codes(STATUS_CODES[found["code"].to_numpy()], categories=list(STATUS_NAMES)),
        "because": arrow(text(becauses)), "reason": arrow(reason),
        "date": arrow(date), "date_end": arrow(date_end), "time": arrow(time),
    }
    for name in ("date_precision", "lon", "lat", "place", "place_precision", "event_type", "sub_event_type",
                 "weapon_class", "actor1", "actor2", "roles", "fatalities_best", "sources"):
        out[name] = arrow(cols.arrow(name).take(rows))
    party_names = [np.array([", ".join(p.id for p in sides.actors.parties(a)) or None for a in names] + [None],
                            dtype=object) for names in sides.names]
    out["party1"] = party_names[0][sides.codes[0][row]]
    out["party2"] = party_names[1][sides.codes[1][row]]
    out["in_breach"] = arrow(text(breaches))
    out["agreement"] = _labels(rule_no, [r.agreement for r in rules])
    out["provision"] = _labels(rule_no, [r.provision for r in rules])
    frame = pd.DataFrame({k: (v.to_numpy() if isinstance(v, pd.Series) and not isinstance(v.dtype, pd.ArrowDtype)
                              else v) for k, v in out.items()})
    return frame[[c for c in VIOLATION_COLUMNS if c in frame]]


def _head(index: MonitorIndex, first: dict, event: dict[str, object], zone_ids: list[str],
          area: str | None) -> str:
    sub = event["sub_event_type"]
    phrase = PHRASES.get(sub, str(sub).replace("-", " "))
    head = phrase[:1].upper() + phrase[1:] + _actors(event, sub in FIGHTS)
    zones = [_zone_phrase(index, zone_ids[z]) for z in range(len(zone_ids)) if int(first["candidates"]) >> z & 1]
    best = _zone_phrase(index, zone_ids[int(first["zone"])])
    inside = int(first["place_status"]) == CONFIRMED
    where = f"inside {best}" if inside else "possibly inside " + " or ".join([best] + [z for z in zones if z != best])
    if int(first["why"]) == UNIT:
        where = f" somewhere in {area}, " + ("which lies wholly " + where if inside else where)
    elif int(first["why"]) == NEAR:
        where = f" within {first['radius']:g} km of its reported point, " + ("an area wholly " + where if inside
                                                                              else where)
    else:
        where = " " + where
    return head + where + " "


def _actors(event: dict[str, object], fight: bool) -> str:
    """The actors in the roles the source gives them: who against whom, or who fought whom."""
    a1, a2 = _name(event.get("actor1")), _name(event.get("actor2"))
    one_sided = event.get("roles") == "one-sided"
    if a1 and a2:
        if one_sided:
            return f" by {a1} against {a2}"
        return f" between {a1} and {a2}" if fight else f" involving {a1} and {a2}"
    if a1 or a2:
        return f" by {a1 or a2}" if one_sided and a1 else f" involving {a1 or a2}"
    return ""


def _because(regime: Regime, index: MonitorIndex, rule: Rule, first: dict, event: dict[str, object], sides: Sides,
             zone_ids: list[str], area: str | None) -> str:
    reasons = []
    code = int(first["code"])
    if code == EXCLUDED:
        exception = rule.exceptions[int(first["exception"])]
        text = exception.reason
        if first["by_text"]:
            text += " (the source's own text names the group)"
        return text
    if int(first["place_status"]) == POSSIBLE:
        why = int(first["why"])
        if why == EDGE:
            reasons.append(f"the point lies within {EDGE_KM:g} km of the zone's edge")
        elif why == NEAR:
            reasons.append(f"the source places it only within {first['radius']:g} km of its point, "
                           "and that area is not wholly inside the zone")
        elif why == UNIT:
            reasons.append(f"the source places it only in {area}, which lies partly inside the zone")
    if int(first["time_status"]) == POSSIBLE:
        cut = int(first["time_cut"])
        whose, which = ("rule", "zone")[(cut - 1) // 2], ("start", "end")[(cut - 1) % 2]
        versions = index.shapes[zone_ids[int(first["zone"])]].versions
        k = int(first["version"])
        bound = (rule.periods()[int(first["period"])] if whose == "rule" else (versions[k].start, versions[k].end))[
            which == "end"]
        change = None  # a boundary between two versions of the zone: the ground changed hands then
        if whose == "zone":
            change = versions[k].change if which == "start" else (versions[k + 1].change if k + 1 < len(versions)
                                                                  else None)
        when = describe_when(bound, regime.timezone)
        precision = event.get("date_precision")
        if change is not None:
            taken = describe_when(change.at, regime.timezone)
            reasons.append(f"the ground changed hands around then ({change.held_by} took it, {taken}; "
                           f"{change.source}) and the {'time' if precision == 'day' else precision} of the event "
                           "does not say on which side of that it falls")
        elif whose == "rule" and len(rule.periods()) > 1:  # a suspension's edge
            edge = "resumed" if which == "start" else "was last in force before a suspension"
            reasons.append(f"the rule {edge} at {when}, and the {precision} of the event straddles that")
        elif precision == "day":
            reasons.append(f"the {whose} {which}s at {when} and the source gives no time of day")
        else:
            reasons.append(f"the date is known only to the {precision}, which straddles the {whose}'s {which} "
                           f"({when})")
    if first["side_unknown"]:
        reasons.append("the source does not name every side the rule requires")
    if first["weapon_vague"]:
        reasons.append(f"the source does not say whether the weapons were {' or '.join(rule.weapons)}")
    if first["fired_in"]:
        reasons.append("the event is placed where the fire struck, and what the rule keeps out of the zone may "
                       "have fired from outside it")
    if int(first["exception_maybe"]) >= 0:
        exception = rule.exceptions[int(first["exception_maybe"])]
        wanted = set(exception.against)
        hidden = []
        for side in (0, 1):
            code_side = int(first["a1" if side == 0 else "a2"])
            for party in sides.hidden_parties(side, code_side, wanted):
                hidden.append(f"{sides.names[side][code_side]} may include {party.name}")
        reasons.append(f"{'; '.join(dict.fromkeys(hidden))}, which the source's own text does not name, so the "
                       f"exception may apply: {exception.reason}")
    return "; ".join(reasons)


def _in_breach(rule: Rule, first: dict, sides: Sides) -> str:
    """The parties the verdict accuses: the side(s) that may have acted, as far as the rule names them."""
    named = set(rule.by) or set(rule.between)
    accused = []
    for side, reading in ((0, "o12"), (1, "o21")):
        if not first[reading]:
            continue
        for party in sides.parties(side, int(first["a1" if side == 0 else "a2"])):
            if (not named or party_labels([party]) & named) and party.id not in accused:
                accused.append(party.id)
    return ", ".join(accused)


def _short(regime: Regime, rule: Rule) -> str:
    agreement = regime.agreement(rule.agreement)
    return agreement.short or agreement.title


def _zone_phrase(index: MonitorIndex, zone_id: str) -> str:
    name = index.shapes[zone_id].zone.name
    return name if name.startswith("the ") else "the " + name


def _name(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _labels(codes: np.ndarray, names: list[str]) -> pd.Categorical:
    """Few distinct values: categories (names may repeat, e.g. two rules of one agreement)."""
    unique = list(dict.fromkeys(names))
    remap = np.array([unique.index(n) for n in names])
    return pd.Categorical.from_codes(remap[codes], categories=unique)


def _zone_lists(masks: np.ndarray, zone_ids: list[str]) -> np.ndarray:
    """Bit masks of candidate zones → 'astana-1, m4-corridor'."""
    unique, inverse = np.unique(masks, return_inverse=True)
    names = np.array([", ".join(z for i, z in enumerate(zone_ids) if int(m) >> i & 1) for m in unique], dtype=object)
    return names[inverse]
