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
from .columns import EventColumns, combine
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


def describe(regime: Regime, index: MonitorIndex, cols: EventColumns, found: dict[str, np.ndarray],
             placement: Placement, sides: Sides, zone_ids: list[str]) -> pd.DataFrame:
    """The rows of the verdicts in ``found`` (arrays, one entry a verdict; ``row`` the event's row in
    ``cols``). Each part of a sentence is made once per distinct combination of what it says, as a short
    list of texts, and joined to the verdicts by codes."""
    row = found["row"]
    rules = regime.rules
    rule_no = found["rule"]
    code = found["code"]
    a1, a2 = sides.codes[0][row], sides.codes[1][row]
    why = placement.why[row]
    area = placement.area[row]
    radius = np.nan_to_num(placement.radius_km[row], nan=-1.0)
    sub_codes, sub_names = cols.codes("sub_event_type")
    sub = sub_codes[row]
    roles = cols.codes("roles")[0][row]
    precision_codes, precision_names = cols.codes("date_precision")
    precision = precision_codes[row]
    excluded = code == EXCLUDED
    inside = found["place_status"] == CONFIRMED
    place_doubt = (found["place_status"] == POSSIBLE) & ~excluded
    time_doubt = (found["time_status"] == POSSIBLE) & ~excluded
    hidden = (found["exception_maybe"] >= 0) & ~excluded

    def unless(keep: np.ndarray, values: np.ndarray) -> np.ndarray:
        """The values where they matter to the text, -1 elsewhere: rows differing only there say the same."""
        return np.where(keep, values, -1)

    # The head: what happened (once per kind), between whom (once per pair of actors and roles) and where
    # (once per place: the zones it may be in, how sure, and the unit or radius that says so).
    kind = np.where(sub >= 0, sub, len(sub_names))
    phrases = [_phrase(v) for v in np.append(sub_names, None)]
    fight = np.isin(sub, np.flatnonzero(np.isin(sub_names, list(FIGHTS))))
    pair, heads = combine(a1, a2, roles, fight)
    named = {name: cols.values(name, row[heads]) for name in ("actor1", "actor2", "roles")}
    actors = [_actors({name: values[number] for name, values in named.items()}, bool(fight[h]))
              for number, h in enumerate(heads)]
    spot, heads = combine(found["candidates"], found["zone"], inside, np.isin(why, [UNIT, NEAR]) * why,
                          unless(why == UNIT, area), unless(why == NEAR, radius))
    wheres = [_where(index, found, h, zone_ids, placement) for h in heads]
    head_of, heads = combine(kind, pair, spot)
    head = _text(pa.array([phrases[kind[h]] + actors[pair[h]] + wheres[spot[h]] for h in heads], pa.string()),
                 head_of)

    # Why the verdict is only possible, or excluded: only what the sentence says enters the key.
    key = [rule_no, excluded, unless(excluded, found["exception"]), unless(excluded, found["by_text"]),
           place_doubt, unless(place_doubt, why), unless(place_doubt & (why == NEAR), radius),
           unless(place_doubt & (why == UNIT), area), time_doubt, unless(time_doubt, found["time_cut"]),
           unless(time_doubt, found["zone"]), unless(time_doubt, found["version"]), unless(time_doubt, found["period"]),
           unless(time_doubt, precision)]
    key += [unless(~excluded, found[name]) for name in ("side_unknown", "weapon_vague", "fired_in", "exception_maybe")]
    key += [unless(hidden, a1), unless(hidden, a2)]
    reason_of, heads = combine(*key)
    becauses = []
    for h in heads:
        rule = rules[int(rule_no[h])]
        first = {name: values[h] for name, values in found.items()} | {"a1": a1[h], "a2": a2[h], "why": why[h],
                                                                        "radius": radius[h]}
        event = {"date_precision": precision_names[precision[h]] if precision[h] >= 0 else None}
        label = placement.areas[int(area[h])] if area[h] >= 0 else None
        becauses.append(_because(regime, index, rule, first, event, sides, zone_ids, label))
    tail_of, heads = combine(reason_of, code)
    tails = []
    for h in heads:
        rule = rules[int(rule_no[h])]
        tail = f": {rule.summary} ({_short(regime, rule)}, {rule.provision})"
        if code[h] == EXCLUDED:
            tail += f" — excluded: {becauses[reason_of[h]]}"
        elif code[h] == POSSIBLE:
            tail += f" — possible: {becauses[reason_of[h]]}"
        tails.append(tail)

    date = pc.cast(cols.take("date", row), pa.string())
    date_end = pc.cast(cols.take("date_end", row), pa.string())
    time = pc.cast(cols.take("time", row), pa.string())
    on_day = pc.if_else(pc.is_valid(time), pc.binary_join_element_wise("on ", date, " at ", time, ""),
                        pc.binary_join_element_wise("on ", date, ""))
    when = pc.if_else(pc.equal(date, date_end), on_day,
                      pc.binary_join_element_wise("between ", date, " and ", date_end, ""))
    reason = pc.binary_join_element_wise(head, when, _text(pa.array(tails, pa.string()), tail_of), "")

    def arrow(array: pa.Array) -> pd.Series:
        return array.to_pandas(types_mapper=pd.ArrowDtype)

    out: dict[str, object] = {
        "event_id": arrow(cols.take("event_id", row)),
        "rule": _labels(rule_no, [r.id for r in rules]),
        "zone": _labels(found["zone"], zone_ids),
        "zones": _zone_lists(found["candidates"], zone_ids),
        "status": pd.Categorical.from_codes(STATUS_CODES[code], categories=list(STATUS_NAMES)),
        "because": arrow(_text(pa.array(becauses, pa.string()), reason_of)), "reason": arrow(reason),
        "date": arrow(date), "date_end": arrow(date_end), "time": arrow(time),
    }
    for name in ("date_precision", "lon", "lat", "place", "place_precision", "event_type", "sub_event_type",
                 "weapon_class", "actor1", "actor2", "roles", "fatalities_best", "sources"):
        out[name] = arrow(cols.take(name, row))
    party_names = [np.array([", ".join(p.id for p in sides.actors.parties(a)) or None for a in names] + [None],
                            dtype=object) for names in sides.names]
    out["party1"] = party_names[0][a1]
    out["party2"] = party_names[1][a2]
    out["in_breach"] = arrow(_in_breach_texts(rules, found, a1, a2, sides))
    out["agreement"] = _labels(rule_no, [r.agreement for r in rules])
    out["provision"] = _labels(rule_no, [r.provision for r in rules])
    frame = pd.DataFrame({k: (v.to_numpy() if isinstance(v, pd.Series) and not isinstance(v.dtype, pd.ArrowDtype)
                              else v) for k, v in out.items()})
    return frame[[c for c in VIOLATION_COLUMNS if c in frame]]


def _text(texts: pa.Array, codes: np.ndarray) -> pa.Array:
    """Each row's text: ``texts`` taken by code."""
    return texts.take(pa.array(codes))


def _phrase(sub: object) -> str:
    phrase = PHRASES.get(sub, str(sub).replace("-", " "))
    return phrase[:1].upper() + phrase[1:]


def _where(index: MonitorIndex, found: dict[str, np.ndarray], h: int, zone_ids: list[str],
           placement: Placement) -> str:
    """Where the event is, as sure as the source: the zone, or the zones it may be in, and why."""
    zones = [_zone_phrase(index, zone_ids[z]) for z in range(len(zone_ids)) if int(found["candidates"][h]) >> z & 1]
    best = _zone_phrase(index, zone_ids[int(found["zone"][h])])
    inside = int(found["place_status"][h]) == CONFIRMED
    where = f"inside {best}" if inside else "possibly inside " + " or ".join([best] + [z for z in zones if z != best])
    why = int(placement.why[found["row"][h]])
    if why == UNIT:
        area = placement.areas[int(placement.area[found["row"][h]])]
        where = f" somewhere in {area}, " + ("which lies wholly " + where if inside else where)
    elif why == NEAR:
        radius = placement.radius_km[found["row"][h]]
        where = f" within {radius:g} km of its reported point, " + ("an area wholly " + where if inside else where)
    else:
        where = " " + where
    return where + " "


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


def _in_breach_texts(rules: list[Rule], found: dict[str, np.ndarray], a1: np.ndarray, a2: np.ndarray,
                     sides: Sides) -> pa.Array:
    """The parties each verdict accuses: the side(s) that may have acted, as far as the rule names them
    (none for an excluded verdict). Each side's parties are read once per rule and actor."""
    rule_no = found["rule"]
    accused: list[tuple[str, ...]] = []  # distinct lists of accused parties
    side_lists = []
    for side, actor, reading in ((0, a1, "o12"), (1, a2, "o21")):
        which, heads = combine(rule_no, actor)
        lists = []
        for h in heads:
            rule = rules[int(rule_no[h])]
            named = set(rule.by) or set(rule.between)
            ids = tuple(p.id for p in sides.parties(side, int(actor[h])) if not named or party_labels([p]) & named)
            lists.append(ids)
        side_lists.append(np.where(found[reading] & (found["code"] != EXCLUDED), which, -1))
        accused.append(lists)
    both, heads = combine(*side_lists)
    texts = []
    for h in heads:
        ids = [i for side in (0, 1) if side_lists[side][h] >= 0 for i in accused[side][side_lists[side][h]]]
        texts.append(", ".join(dict.fromkeys(ids)))
    return _text(pa.array(texts, pa.string()), both)


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
    inverse, heads = combine(masks)
    names = np.array([", ".join(z for i, z in enumerate(zone_ids) if int(m) >> i & 1) for m in masks[heads]],
                     dtype=object)
    return names[inverse]
