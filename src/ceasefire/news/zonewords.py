"""Words → zones: "The first zone includes a part of Idlib province, the northeastern districts of
Lattakia, the western districts of Aleppo and the northern districts of Hama" becomes a regime
geometry expression and a polygon.

Rule: the first whole unit named is the zone's core; each directional part ("the western districts
of Aleppo") is the parent's sub-districts in that direction (the `part_of` rule) that touch the core —
a zone is one area, so the western districts of Aleppo *next to* Idlib, not Afrin's far side.
"""

from __future__ import annotations

from typing import Any

import shapely

from ..zones.expressions import Evaluator, admin, part_of_units
from .places import PlaceMention

TOUCH_M = 1_000.0


def zone_expression(places: list[PlaceMention]) -> dict[str, Any] | None:
    """A union expression for the places one zone clause names, or None when it names none."""
    wholes = [p for p in places if p.kind in ("adm1", "adm2", "adm3") and p.expression]
    named_areas = [p for p in places if p.kind == "area" and p.expression and "part_of" not in p.expression]
    parts = [p for p in places if p.kind == "area" and p.expression and "part_of" in p.expression]
    if not (wholes or named_areas or parts):
        return None
    members: list[dict[str, Any]] = [p.expression for p in wholes + named_areas]  # type: ignore[misc]
    core = admin(wholes[0].expression["admin"]["names"]) if wholes else None
    for p in parts:
        spec = p.expression["part_of"]  # type: ignore[index]
        units = part_of_units(spec["parent"], spec["direction"], spec["level"], parent_level=spec.get("parent_level"))
        if core is not None:
            units = units[units.geometry.distance(core) <= TOUCH_M]
        if len(units):
            members.append({"admin": {"names": list(units["pcode"]), "level": spec["level"]}})
    if not members:
        return None
    return {"union": members} if len(members) > 1 else members[0]


def zone_polygon(expression: dict[str, Any]) -> shapely.Geometry:
    return Evaluator().evaluate(expression)
