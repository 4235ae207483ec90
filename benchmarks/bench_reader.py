"""Reader speed: `read_events` of 1,000,000 ACLED-layout (and UCDP-layout) rows vs `pyarrow.csv.read_csv`.

Each figure is the best of three, with `pyarrow.csv.read_csv` of the same file measured in the same
run as the baseline (the two take turns, so a loaded machine weighs on both; CPU seconds are printed
too). The files have realistic free text: every ACLED note and nearly every UCDP headline is a
different sentence (places, dates, numbers, weapons named in many ways, often two weapons or kinds
in one text), as in the real exports — the text-pattern work must not get its speed from repeated
values. ``--repeated`` also times bench_events' file, whose notes have 5
distinct values.

Usage: python benchmarks/bench_reader.py [--events N] [--keep DIR] [--repeated] [--format acled|ucdp|both]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                 "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                 "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                 "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                 "fatalities", "tags", "timestamp"]
UCDP_COLUMNS = ["id", "year", "active_year", "type_of_violence", "conflict_new_id", "conflict_name", "dyad_new_id",
                "dyad_name", "side_a_new_id", "side_a", "side_b_new_id", "gwnob", "side_b", "number_of_sources",
                "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
                "where_coordinates", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt", "priogrid_gid", "country",
                "country_id", "region", "event_clarity", "date_prec", "date_start", "date_end", "deaths_a",
                "deaths_b", "deaths_civilians", "deaths_unknown", "low", "best", "high"]
SUBTYPES = [("Battles", "Armed clash"), ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
            ("Explosions/Remote violence", "Air/drone strike"), ("Explosions/Remote violence",
                                                                 "Remote explosive/landmine/IED"),
            ("Violence against civilians", "Attack"), ("Strategic developments", "Looting/property destruction"),
            ("Protests", "Peaceful protest"), ("Battles", "Government regains territory")]
ACTORS = ["Military Forces of Syria (2000-)", "National Front for Liberation", "Hayat Tahrir al-Sham",
          "Military Forces of Russia (2000-)", "Military Forces of Turkey (2016-)", "Civilians (Syria)",
          "Unidentified Armed Group (Syria)", "SDF: Syrian Democratic Forces", "Islamic State (Syria)",
          "Jaysh al Izza", "Hurras al Din", "Police Forces of Syria (2000-)"]
PLACES = ["Khan Shaykhun", "Kafr Nabl", "Maarrat an Nu'man", "Saraqab", "Ariha", "Jisr ash Shughur", "Kabani",
          "Al Lataminah", "Kafr Zita", "Murak", "Suqaylabiyah", "Qalaat al Madiq", "Jabal al Akrad", "Al Ghab",
          "Douma", "Harasta", "Deir ez Zor", "Al Bukamal", "Hajin", "Raqqa", "Tal Abyad", "Ras al Ain", "Afrin",
          "Manbij", "Al Bab", "Azaz", "Daraa al Balad", "Tafas", "Nawa", "Jasim", "As Sanamayn", "Busra ash Sham",
          "Tadef", "Atarib", "Darat Izza", "Kafr Takharim", "Sarmin", "Binnish", "Taftanaz", "Maarat Misrin",
          "Hass", "Kafr Sajna", "Tell Rifaat", "Mare'", "Al Hasakah", "Qamishli", "Ain Issa", "Tabqa", "Palmyra",
          "As Sukhnah", "Homs", "Talbiseh", "Ar Rastan", "Hama", "Muhradah", "Salamiyah", "Latakia", "Kinsabba"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
# What happened, in the many ways the exports say it: {w} is a weapon phrase (or none), {p} a place.
ACTS = ["{a} forces shelled {p} with {w}", "{a} fired {w} at positions near {p}",
        "{w} struck the outskirts of {p}", "{a} carried out {w} on {p} and its surroundings",
        "clashes broke out between {a} and armed opposition fighters near {p}",
        "{a} ambushed a patrol near {p} using {w}", "unidentified gunmen shot dead a man in {p}",
        "an explosive device planted in a car went off in {p}", "{a} abducted {n} civilians from {p}",
        "{a} and rebel fighters exchanged fire on the {p} front", "a protest was held in {p} against the {a}",
        "{a} looted houses in {p}", "{a} regained control of {p} after heavy fighting",
        "a landmine left by {a} exploded near {p}", "{a} targeted {p} with {w}"]
WEAPONS = ["artillery", "heavy artillery", "mortar shells", "120mm mortars", "155 mm howitzers", "rockets",
           "Grad rockets", "BM-21 rockets", "Smerch missiles", "Uragan rockets", "a Tochka missile",
           "ballistic missiles", "airstrikes", "air strikes", "air raids", "warplanes", "war jets", "Su-24 jets",
           "MiG-23 bombers", "helicopters dropping barrel bombs", "explosive barrels", "drones", "a UAV",
           "unmanned aircraft", "tanks", "tank shells", "machine guns", "sniper fire", "small arms", "rifles",
           "IEDs", "a VBIED", "car bombs", "landmines", "elephant rockets", "Golan-1000 rockets", "cannon fire",
           "heavy weapons", "an anti-tank missile", "multiple rocket launchers", "shelling", "gunfire",
           "aerial bombardment", "ground bombardment", "heavy bombardment"]
AFTER = ["No fatalities were reported.", "{n} civilians were killed, including {m} children.",
         "{n} fighters were killed and {m} wounded.", "Casualties unknown.",
         "The attack came a day after {w} hit {p}.", "{n} people were injured; {m} later died in hospital.",
         "Local sources said the strike was carried out by {w}.", "Property damage reported.",
         "Fatalities coded as {n}.", "Clashes continued into the night near {p}."]


def _texts(rng: np.random.Generator, n: int, long: bool) -> list[str]:
    """n different sentences (ACLED notes when long, UCDP-like headlines when not)."""
    day = rng.integers(1, 29, n)
    month = rng.integers(0, 12, n)
    year = rng.integers(2017, 2021, n)
    act = rng.integers(0, len(ACTS), n)
    after = rng.integers(0, len(AFTER), n)
    two = rng.random(n) < 0.5  # half tell of a second weapon or event
    w1, w2 = rng.integers(0, len(WEAPONS), n), rng.integers(0, len(WEAPONS), n)
    p1, p2 = rng.integers(0, len(PLACES), n), rng.integers(0, len(PLACES), n)
    actor = rng.integers(0, len(ACTORS), n)
    num, num2 = rng.integers(0, 60, n), rng.integers(0, 20, n)
    out = []
    for i in range(n):
        what = ACTS[act[i]].format(a=ACTORS[actor[i]].split(" (")[0], w=WEAPONS[w1[i]], p=PLACES[p1[i]], n=num[i])
        if long:
            text = (f"On {day[i]} {MONTHS[month[i]]} {year[i]}, {what} ({PLACES[p2[i]]}, Idleb), "
                    f"{num[i] * 37 + i % 997} m from the road.")
            if two[i]:
                text += " " + AFTER[after[i]].format(n=num[i], m=num2[i], w=WEAPONS[w2[i]], p=PLACES[p2[i]])
            text += f" [Report {i}]"
        else:
            text = what[0].upper() + what[1:]
            if two[i]:
                text += f" and {AFTER[after[i]].format(n=num[i], m=num2[i], w=WEAPONS[w2[i]], p=PLACES[p2[i]])}"
            text += f" ({num[i] + i % 50})"
        out.append(text)
    return out


def _coordinates(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    nw = rng.random(n) < 0.4
    lon = np.where(nw, rng.uniform(35.9, 37.3, n), rng.uniform(35.7, 42.4, n)).round(5)
    lat = np.where(nw, rng.uniform(35.2, 36.4, n), rng.uniform(32.3, 37.3, n)).round(5)
    return lon, lat


def make_acled(path: Path, n: int, seed: int = 2) -> None:
    rng = np.random.default_rng(seed)
    lon, lat = _coordinates(rng, n)
    dates = (np.datetime64("2017-01-01") + rng.integers(0, 4 * 365, n).astype("timedelta64[D]")).astype(str)
    t = rng.integers(0, len(SUBTYPES), n)
    a1, a2 = rng.integers(0, len(ACTORS), n), rng.integers(0, len(ACTORS), n)
    places = np.array(PLACES)[rng.integers(0, len(PLACES), n)]
    cols = {c: pa.array(np.full(n, "", dtype=object)) for c in ACLED_COLUMNS}
    cols.update({
        "event_id_cnty": pa.array(np.char.add("SYR", np.arange(n).astype(str))),
        "event_date": pa.array(dates), "year": pa.array(dates.astype("U4")),
        "time_precision": pa.array(rng.choice(["1", "1", "1", "2", "3"], n)),
        "disorder_type": pa.array(np.full(n, "Political violence")),
        "event_type": pa.array(np.array([x[0] for x in SUBTYPES])[t]),
        "sub_event_type": pa.array(np.array([x[1] for x in SUBTYPES])[t]),
        "actor1": pa.array(np.array(ACTORS)[a1]), "actor2": pa.array(np.array(ACTORS)[a2]),
        "assoc_actor_1": pa.array(np.where(rng.random(n) < 0.2, "Civilians (Syria)", "")),
        "inter1": pa.array(rng.integers(1, 8, n).astype(str)), "inter2": pa.array(rng.integers(0, 8, n).astype(str)),
        "iso": pa.array(np.full(n, "760")), "region": pa.array(np.full(n, "Middle East")),
        "country": pa.array(np.full(n, "Syria")), "admin1": pa.array(np.full(n, "Idleb")),
        "admin2": pa.array(places), "location": pa.array(places),
        "latitude": pa.array(lat.astype(str)), "longitude": pa.array(lon.astype(str)),
        "geo_precision": pa.array(rng.choice(["1", "1", "1", "2", "3"], n)),
        "source": pa.array(np.array(["SOHR", "Step News Agency", "SANA; SOHR", "Smart News Agency"])[
            rng.integers(0, 4, n)]),
        "source_scale": pa.array(np.full(n, "National")),
        "notes": pa.array(_texts(rng, n, long=True), pa.string()),
        "fatalities": pa.array(rng.integers(0, 5, n).astype(str)),
        "timestamp": pa.array((1_600_000_000 + rng.integers(0, 10**8, n)).astype(str)),
    })
    pacsv.write_csv(pa.table(cols), path)


def make_ucdp(path: Path, n: int, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    lon, lat = _coordinates(rng, n)
    start = np.datetime64("2017-01-01") + rng.integers(0, 3 * 365, n).astype("timedelta64[D]")
    long_event = rng.random(n) < 0.1
    end = start + np.where(long_event, rng.integers(1, 30, n), 0).astype("timedelta64[D]")
    headlines = _texts(rng, n, long=False)
    a = rng.integers(0, len(ACTORS), n)
    best = rng.integers(0, 20, n)
    cols = {c: pa.array(np.full(n, "", dtype=object)) for c in UCDP_COLUMNS}
    cols.update({
        "id": pa.array(np.arange(100_000, 100_000 + n).astype(str)), "year": pa.array(start.astype(str).astype("U4")),
        "type_of_violence": pa.array(rng.choice(["1", "2", "3"], n)),
        "side_a": pa.array(np.array(ACTORS)[a]), "side_b": pa.array(np.array(ACTORS)[(a + 1) % len(ACTORS)]),
        "source_office": pa.array(np.array(["SOHR", "Airwars", "Syria Live Map"])[rng.integers(0, 3, n)]),
        "source_headline": pa.array(headlines, pa.string()),
        "where_prec": pa.array(rng.integers(1, 8, n).astype(str)),
        "where_coordinates": pa.array(np.char.add(np.array(PLACES)[rng.integers(0, len(PLACES), n)], " village")),
        "adm_1": pa.array(np.full(n, "Idlib governorate")),
        "latitude": pa.array(lat.astype(str)), "longitude": pa.array(lon.astype(str)),
        "country": pa.array(np.full(n, "Syria")), "date_prec": pa.array(rng.integers(1, 6, n).astype(str)),
        "date_start": pa.array(start.astype(str)), "date_end": pa.array(end.astype(str)),
        "low": pa.array(best.astype(str)), "best": pa.array(best.astype(str)),
        "high": pa.array((best + rng.integers(0, 3, n)).astype(str)),
    })
    pacsv.write_csv(pa.table(cols), path)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # all of the process's threads
    return usage.ru_utime + usage.ru_stime


def best_of(runs: int, *fns: Callable[[], int]) -> list[tuple[float, float, int]]:
    """Each function's best wall time and least CPU time over ``runs`` rounds, and its rows; the functions
    take turns within a round, so that the machine's load weighs on them alike."""
    best = [(float("inf"), float("inf"), 0)] * len(fns)
    for _ in range(runs):
        for i, fn in enumerate(fns):
            t, cpu = time.perf_counter(), cpu_seconds()
            rows = fn()
            best[i] = (min(best[i][0], time.perf_counter() - t), min(best[i][1], cpu_seconds() - cpu), rows)
    return best


def read_all(path: Path, fmt: str) -> int:
    from ceasefire.events import read_events

    rows = 0
    for batch in read_events(path, fmt):
        rows += batch.events.num_rows + len(batch.bad)
    return rows


def compare(label: str, path: Path, fmt: str, runs: int) -> float:
    (base, base_cpu, n), (mine, mine_cpu, rows) = best_of(
        runs, lambda: pacsv.read_csv(path).num_rows, lambda: read_all(path, fmt))
    assert rows == n, (rows, n)
    print(f"{label}: {n:,} rows, {path.stat().st_size / 1e6:.0f} MB\n"
          f"  pyarrow.csv.read_csv  {base:.2f} s (cpu {base_cpu:.2f} s)\n"
          f"  read_events({fmt!r})  {mine:.2f} s (cpu {mine_cpu:.2f} s) = {mine / base:.2f}x read_csv "
          f"(best of {runs}, same run; cpu {mine_cpu / base_cpu:.2f}x)")
    return mine / base


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="a folder to keep (and reuse) the files in")
    parser.add_argument("--format", choices=["acled", "ucdp", "both"], default="both")
    parser.add_argument("--repeated", action="store_true", help="also bench_events' file (5 distinct notes)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="ceasefire-bench-reader-"))
    work.mkdir(parents=True, exist_ok=True)
    jobs = [("acled", make_acled, "ACLED layout, distinct notes"), ("ucdp", make_ucdp, "UCDP layout, distinct headlines")]
    for fmt, make, label in jobs:
        if args.format not in (fmt, "both"):
            continue
        path = work / f"{fmt}_{args.events}.csv"
        if not path.exists():
            t = time.perf_counter()
            make(path, args.events)
            print(f"(made {path} in {time.perf_counter() - t:.1f} s)")
        compare(label, path, fmt, args.runs)
    if args.repeated:
        sys.path.insert(0, str(Path(__file__).parent))
        from bench_events import make_csv

        path = work / f"repeated_{args.events}.csv"
        if not path.exists():
            make_csv(path, args.events)
        compare("ACLED layout, 5 distinct notes (bench_events)", path, "acled", args.runs)


if __name__ == "__main__":
    main()
