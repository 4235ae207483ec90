"""What is in force at one point and time: the answer of `ceasefire where` and of the API's /where."""

from __future__ import annotations

import datetime as dt

from ..regime.models import Regime, When
from .timeline import control_at, rule_suspension_at, rules_for, zones_containing


def where_answer(r: Regime, lon: float, lat: float, at: When) -> dict:
    """The zones and rules in force at a point on a date (or at an instant), who held the ground, and the rules
    suspended there: what `ceasefire where` prints and the API's /where answers."""

    found = zones_containing(r, lon, lat, at)
    held = control_at(r, lon, lat, at)
    zone_ids = [s.zone.id for s in found]
    answer = {
        "lon": lon, "lat": lat, "regime": r.id, "timezone": r.timezone,
        "at": at.isoformat(sep=" ", timespec="minutes") if isinstance(at, dt.datetime) else at.isoformat(),
        "held": {"by": held.held_by, "since": str(held.at), "source": held.source} if held else None,
        "zones": [], "rules": [], "suspended": [],
    }
    for shape in found:
        z = shape.zone
        agreement = r.agreement(z.established_by)
        answer["zones"].append({"id": z.id, "name": z.name, "agreement": agreement.title,
                                "signed": str(agreement.signed), "approximate": z.approximate})
    if found:
        for rule in rules_for(r, zone_ids, at):
            agreement = r.agreement(rule.agreement)
            answer["rules"].append({"id": rule.id, "summary": rule.summary,
                                    "source": f"{agreement.short or agreement.title}, {rule.provision}",
                                    "until": str(rule.until) if rule.until else None})
        for rule in r.rules:
            suspension = rule_suspension_at(rule, at, r.timezone)
            if suspension is not None and set(zone_ids) & set(rule.zones):
                answer["suspended"].append({"id": rule.id, "from": str(suspension.from_),
                                            "until": str(suspension.until) if suspension.until else None,
                                            "reason": suspension.reason})
    return answer
