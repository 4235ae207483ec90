"""Admin units by the names datasets give them, and by the points they contain.

Datasets name a coarse event's unit in their own spelling: UCDP (GADM names) writes "Mintaqat
Azaz district", "Markaz Idlib district", "Jabal Saman district"; ACLED writes "Idleb". A name is
matched on its name key against the unit's name and aliases, then without the administrative
prefixes "Mintaqat" (district of) and "Markaz" (centre), then against ``admin_aliases.csv``
(dataset spellings that differ in more than transliteration, with their source).
"""

from __future__ import annotations

import csv
from functools import cache

import numpy as np
import shapely

from .basedata import admin_units, data_path
from .names import name_key

LEVEL_WORDS = {1: "governorate", 2: "district", 3: "sub-district"}
_PREFIXES = ("mintaqat ", "markaz ")


@cache
def _keys() -> dict[tuple[int, str], list[int]]:
    """(level, name key) → row numbers of admin_units()."""
    units = admin_units()
    table: dict[tuple[int, str], list[int]] = {}
    for row, unit in enumerate(units.itertuples()):
        for name in {unit.name, *unit.aliases.split("|")}:
            if name:
                table.setdefault((int(unit.level), name_key(name)), []).append(row)
    pcodes = {unit.pcode: row for row, unit in enumerate(units.itertuples())}
    with open(data_path("admin_aliases.csv"), encoding="utf-8", newline="") as fh:
        for alias in csv.DictReader(fh):
            row = pcodes[alias["pcode"]]
            table.setdefault((int(units.iloc[row]["level"]), name_key(alias["alias"])), []).append(row)
    return table


def find_unit(name: str | None, level: int, within: int | None = None) -> int | None:
    """The row of the unit at ``level`` so named (inside the unit at row ``within``, if given)."""
    if not name:
        return None
    units = admin_units()
    prefix = units.iloc[within]["pcode"] if within is not None else ""
    text = name.strip().lower()
    candidates = [text] + [text[len(p):] for p in _PREFIXES if text.startswith(p)]
    candidates += [c[len(p):] for c in candidates[1:] for p in _PREFIXES if c.startswith(p)]
    for candidate in candidates:
        rows = {r for r in _keys().get((level, name_key(candidate)), []) if units.iloc[r]["pcode"].startswith(prefix)}
        if len(rows) == 1:
            return rows.pop()
    return None


@cache
def _level_tree(level: int) -> tuple[shapely.STRtree, np.ndarray]:
    units = admin_units()
    rows = np.flatnonzero(units["level"].to_numpy() == level)
    return shapely.STRtree(units.geometry.values[rows]), rows


def units_at(x: np.ndarray, y: np.ndarray, level: int) -> np.ndarray:
    """For each point, the row of the unit at ``level`` containing it, or -1."""
    tree, rows = _level_tree(level)
    out = np.full(len(x), -1, np.int64)
    if len(x):
        points, hits = tree.query(shapely.points(x, y), predicate="intersects")
        out[points[::-1]] = rows[hits[::-1]]  # a point on a shared edge takes the first unit
    return out


def unit_label(row: int) -> str:
    unit = admin_units().iloc[row]
    return f"{unit['name']} {LEVEL_WORDS[int(unit['level'])]}"
