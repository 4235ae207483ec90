"""How much of UCDP's named places the shipped gazetteer finds, and how big it is.

    .venv/bin/python tools/gazetteer_coverage.py                 # the working tree
    .venv/bin/python tools/gazetteer_coverage.py --against HEAD  # and a git revision beside it

For every named exact place of the UCDP GED rows in ../shared/data/events/ (where_prec 1: one per
description and point), its main name ("Sfuhen" of "Sfuhen town", "Maar Tahroma" of "Maar
Tahroma/Maarat Hurmah village") is looked up as `find_places` does: the name key in the index of
every gazetteer name and alternate. A place is found when any entry comes back, and found near when
one of them is within 5 km of UCDP's point (the first one, what a caller taking the top hit gets, is
counted too). With --against, the revision's gazetteer.csv is read with the revision's own name key.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import math
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from ceasefire.geodata.names import name_key, split_place_description

UCDP = ROOT.parent / "shared" / "data" / "events" / "ucdp_ged_syria_2017_2019.csv"
GAZETTEER = ROOT / "src" / "ceasefire" / "data" / "gazetteer.csv"
NEAR_KM = 5.0

Row = dict[str, str]


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat = math.radians(lat2 - lat1)
    dlon = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


def ucdp_places(path: Path = UCDP) -> list[tuple[str, float, float]]:
    """(description, lat, lon) of every named exact place, once."""
    with open(path, encoding="utf-8", newline="") as fh:
        return sorted({(r["where_coordinates"].strip(), float(r["latitude"]), float(r["longitude"]))
                       for r in csv.DictReader(fh) if r["where_prec"] == "1" and r["where_coordinates"].strip()})


def index(rows: list[Row], key: Callable[[str], str]) -> dict[str, list[Row]]:
    """Name key → entries, as `basedata._place_index` builds it."""
    found: dict[str, list[Row]] = {}
    for row in rows:
        for k in {key(n) for n in (row["name"], *row["alternates"].split("|")) if n}:
            if k:
                found.setdefault(k, []).append(row)
    return found


def ranked(hits: list[Row]) -> list[Row]:
    """In `find_places` order: populated places first, then the most populous."""
    return sorted(hits, key=lambda r: (r["kind"] != "place", -int(r["population"] or 0), r["id"]))


def coverage(rows: list[Row], key: Callable[[str], str], places: list[tuple[str, float, float]]) -> dict[str, float]:
    table = index(rows, key)
    found = near = first_near = 0
    for description, lat, lon in places:
        hits = ranked(table.get(key(split_place_description(description)[0][0]), []))
        dist = [km(lat, lon, float(h["lat"]), float(h["lon"])) for h in hits]
        found += bool(hits)
        near += any(d <= NEAR_KM for d in dist)
        first_near += bool(dist) and dist[0] <= NEAR_KM
    n = len(places)
    return {"places": n, "found": found / n, "near": near / n, "first_near": first_near / n}


def size(rows: list[Row], key: Callable[[str], str], nbytes: int) -> dict[str, int]:
    return {"rows": len(rows), "ucdp_rows": sum(r["id"].startswith("ucdp:") for r in rows),
            "keys": len(index(rows, key)), "bytes": nbytes}


def at_revision(rev: str) -> tuple[list[Row], Callable[[str], str], int]:
    """The gazetteer and the name key of a git revision (read with `git show`; nothing is checked out)."""
    def show(path: str) -> str:
        return subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout

    text = show("src/ceasefire/data/gazetteer.csv")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "names_at_revision.py"
        path.write_text(show("src/ceasefire/geodata/names.py"), encoding="utf-8")
        spec = importlib.util.spec_from_file_location("names_at_revision", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return list(csv.DictReader(io.StringIO(text))), module.name_key, len(text.encode("utf-8"))


def report(label: str, rows: list[Row], key: Callable[[str], str], nbytes: int,
           places: list[tuple[str, float, float]]) -> None:
    s, c = size(rows, key, nbytes), coverage(rows, key, places)
    print(f"{label}: {s['rows']:,} rows ({s['ucdp_rows']:,} from UCDP), {s['keys']:,} distinct name keys, "
          f"{s['bytes'] / 1e3:,.0f} kB")
    print(f"  UCDP exact places found by main name: {c['found']:.1%} at all, {c['near']:.1%} within {NEAR_KM:g} km "
          f"(top hit within {NEAR_KM:g} km: {c['first_near']:.1%}) of {c['places']:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", metavar="REV", help="also report a git revision's gazetteer (e.g. HEAD)")
    args = parser.parse_args()
    if not UCDP.exists():
        sys.exit(f"gazetteer_coverage: {UCDP} not found; it holds the UCDP rows")
    places = ucdp_places()
    if args.against:
        report(f"at {args.against}", *at_revision(args.against), places)
    with open(GAZETTEER, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    report("working tree", rows, name_key, GAZETTEER.stat().st_size, places)


if __name__ == "__main__":
    main()
