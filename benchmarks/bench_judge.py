"""Judging speed on 1,000,000 synthetic events held in memory, against the exact floor of the same join.

The events are made directly as the DataFrame ``judge()`` takes (the columns and Arrow dtypes of
``events_frame(conn, columns=MONITOR_COLUMNS)``), with place precisions, kinds, weapons and date
precisions mixed as the shipped UCDP sample mixes them, actors from the regime's actor map, dates
2017–2020 and 40% of the points in the north-west (where the zones are).

Prints, best of three in one run:
- the exact floor: per zone piece (each version of each zone), a bounding-box filter, a grid-cell
  lookup and ``shapely.contains_xy`` only on the points in boundary cells — a minimal function here,
  not the engine;
- ``locate()``: every event's place status in every zone;
- ``judge()``: events/s, and both against the floor;
- ``MonitorIndex.build`` (with every grid the monitor needs) cold, and again from the disk cache.

Usage: python benchmarks/bench_judge.py [--events N] [--save FILE.parquet]
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from ceasefire.events import MONITOR_COLUMNS
from ceasefire.geodata.basedata import admin_units
from ceasefire.geodata.units import units_at
from ceasefire.regime import load_regime
from ceasefire.regime.models import Regime

# (sub_event_type, weapon_class, event_type, share) as the shipped UCDP sample has them
KINDS = [
    ("fatal-incident", None, "organized-violence", 0.58), ("armed-clash", None, "battles", 0.105),
    ("shelling", "heavy", "explosions", 0.09), ("shelling", "aircraft", "explosions", 0.018),
    ("shelling", "artillery", "explosions", 0.008), ("shelling", None, "explosions", 0.004),
    ("air-strike", "aircraft", "explosions", 0.045), ("air-strike", "fixed-wing", "explosions", 0.028),
    ("air-strike", "helicopter", "explosions", 0.006), ("remote-explosive", "explosive", "explosions", 0.043),
    ("attack", None, "violence-against-civilians", 0.055), ("armed-clash", "small-arms", "battles", 0.001),
    ("abduction", None, "violence-against-civilians", 0.001), ("suicide-bomb", None, "explosions", 0.001),
    ("drone-strike", "drone", "explosions", 0.001), ("heavy-weapons-presence", "heavy", "strategic", 0.004),
]
PRECISIONS = [("exact", 0.54), ("near", 0.36), ("district", 0.03), ("governorate", 0.03), ("region", 0.025),
              ("country", 0.015)]
DATE_PRECISIONS = [("day", 0.92, 0), ("week", 0.06, 6), ("month", 0.015, 29), ("year", 0.005, 364)]
# Regions as UCDP names them, each with its point: few distinct ones, as in the sample
REGIONS = [("Southern Idlib Governorate", "Idlib Governorate", 36.84, 35.44),
           ("Northern Hamah Governorate", "Hamah Governorate", 37.25, 35.4),
           ("Western Aleppo Governorate", "Aleppo Governorate", 36.8, 36.2),
           ("Northern Latakia Governorate", "Latakia Governorate", 36.1, 35.7),
           ("Eastern Qalamoun", "Rif Dimashq Governorate", 36.89, 33.72),
           ("Sahl al Ghab plain", "Hamah Governorate", 36.35, 35.6)]
NOTES = ["Clashes between the two sides near the village.", "Artillery shelled the town outskirts.",
         "Warplanes struck positions near the town.", "Hayat Tahrir al-Sham fighters clashed with the army.",
         "An IED exploded on the road.", "Gunmen attacked a civilian vehicle."]


def _pick(rng: np.random.Generator, n: int, shares: list[float]) -> np.ndarray:
    p = np.array(shares, float)
    return rng.choice(len(p), n, p=p / p.sum())


def actor_names(regime: Regime) -> tuple[list[str], list[float]]:
    """Actor fields from the regime's actor map, weighted roughly as UCDP and ACLED use them."""
    weights = {"syrian-government": 40, "armed-opposition": 25, "hts": 6, "russia": 4, "turkey": 4, "iran": 2,
               "sdf": 8, "civilians": 4, "isis": 8}
    names, shares = [], []
    for party in regime.parties:
        for name in party.actors:
            names.append(name)
            shares.append(weights.get(party.id, 1) / len(party.actors))
    names += ["Ahrar al-Sham, HTS, Southern Front", "National Front for Liberation, SNA", "SNA", "Hezbollah"]
    shares += [1.0, 1.0, 2.0, 0.5]
    return names, shares


def make_events(regime: Regime, n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` synthetic events as ``events_frame(conn, columns=MONITOR_COLUMNS)`` returns them."""
    rng = np.random.default_rng(seed)
    nw = rng.random(n) < 0.4
    lon = np.where(nw, rng.uniform(35.9, 37.3, n), rng.uniform(35.7, 42.4, n)).round(5)
    lat = np.where(nw, rng.uniform(35.2, 36.4, n), rng.uniform(32.3, 37.3, n)).round(5)
    precision = np.array([p for p, _ in PRECISIONS], object)[_pick(rng, n, [s for _, s in PRECISIONS])]
    region = np.flatnonzero(precision == "region")
    which = rng.integers(0, len(REGIONS), region.size)
    lon[region] = np.array([r[2] for r in REGIONS])[which]
    lat[region] = np.array([r[3] for r in REGIONS])[which]
    place = np.array([f"Place {k}" for k in range(500)], object)[rng.integers(0, 500, n)]
    place[region] = np.array([r[0] for r in REGIONS], object)[which]
    # the units the source names are those at its point (a fifth of the rows name none, as GeoJSON rows)
    units = admin_units()
    names = units["name"].to_numpy(object)
    g = units_at(lon, lat, 1)
    d = units_at(lon, lat, 2)
    adm1 = np.where(g >= 0, np.char.add(names[g].astype(str), " Governorate").astype(object), None)
    adm2 = np.where(d >= 0, np.char.add(names[d].astype(str), " district").astype(object), None)
    adm2[np.isin(precision, ["governorate", "region", "country"])] = None
    silent = rng.random(n) < 0.2
    adm1[silent & ~np.isin(precision, ["district", "governorate"])] = None
    adm2[silent & (precision != "district")] = None
    adm1[region] = np.array([r[1] for r in REGIONS], object)[which]
    radius = np.full(n, None, object)
    radius[(precision == "near") & (rng.random(n) < 0.005)] = "10"
    kind = _pick(rng, n, [k[3] for k in KINDS])
    sub = np.array([k[0] for k in KINDS], object)[kind]
    weapon = np.array([k[1] for k in KINDS], object)[kind]
    event_type = np.array([k[2] for k in KINDS], object)[kind]
    dp = _pick(rng, n, [d[1] for d in DATE_PRECISIONS])
    start = np.datetime64("2017-01-01") + rng.integers(0, 4 * 365, n).astype("timedelta64[D]")
    end = start + np.array([d[2] for d in DATE_PRECISIONS])[dp].astype("timedelta64[D]")
    time_of_day = np.full(n, None, object)
    timed = (dp == 0) & (rng.random(n) < 0.03)
    time_of_day[timed] = np.char.add(np.char.zfill(rng.integers(0, 24, n).astype(str), 2), ":30")[timed]
    actors, shares = actor_names(regime)
    a1 = np.array(actors, object)[_pick(rng, n, shares)]
    a2 = np.array(actors, object)[_pick(rng, n, shares)]
    a2[rng.random(n) < 0.03] = None
    roles = np.where(rng.random(n) < 0.1, "one-sided", "clash").astype(object)
    columns = {
        "event_id": pa.array(np.char.add("syn:", np.arange(n).astype(str))),
        "date": pa.array(start.astype(str)), "date_end": pa.array(end.astype(str)),
        "date_precision": pa.array(np.array([d[0] for d in DATE_PRECISIONS], object)[dp], pa.string()),
        "time": pa.array(time_of_day, pa.string()), "lon": pa.array(lon), "lat": pa.array(lat),
        "place": pa.array(place, pa.string()), "place_precision": pa.array(precision, pa.string()),
        "place_radius_km": pa.array(radius, pa.string()), "adm1": pa.array(adm1, pa.string()),
        "adm2": pa.array(adm2, pa.string()), "event_type": pa.array(event_type, pa.string()),
        "sub_event_type": pa.array(sub, pa.string()), "weapon_class": pa.array(weapon, pa.string()),
        "actor1": pa.array(a1, pa.string()), "actor2": pa.array(a2, pa.string()),
        "roles": pa.array(roles, pa.string()), "fatalities_best": pa.array(rng.integers(0, 5, n)),
        "sources": pa.array(np.array(["SOHR", "SOHR;SOHR", "Airwars"], object)[rng.integers(0, 3, n)], pa.string()),
        "notes": pa.array(np.array(NOTES, object)[rng.integers(0, len(NOTES), n)], pa.string()),
    }
    frame = pa.table(columns).to_pandas(types_mapper=pd.ArrowDtype)
    return frame[MONITOR_COLUMNS]


# --------------------------------------------------------------------------- the exact floor


class FloorGrid:
    """The minimal exact point-in-zone test: box, grid cell, and ``contains_xy`` on boundary cells only."""

    def __init__(self, geom, cells: int = 128):
        shapely.prepare(geom)
        self.geom = geom
        minx, miny, maxx, maxy = geom.bounds
        self.box = (minx, miny, maxx, maxy)
        self.size = max(maxx - minx, maxy - miny) / cells
        self.nx = max(math.ceil((maxx - minx) / self.size), 1)
        self.ny = max(math.ceil((maxy - miny) / self.size), 1)
        gx, gy = np.meshgrid(minx + np.arange(self.nx) * self.size, miny + np.arange(self.ny) * self.size)
        boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + self.size, gy.ravel() + self.size)
        # 0 outside, 1 boundary, 2 inside
        self.grid = np.where(shapely.contains_properly(geom, boxes), 2,
                             np.where(shapely.intersects(geom, boxes), 1, 0)).astype(np.uint8).ravel()

    def contains(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        minx, miny, maxx, maxy = self.box
        out = np.zeros(len(x), bool)
        rows = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        px, py = x[rows], y[rows]
        ix = np.minimum(((px - minx) / self.size).astype(np.int64), self.nx - 1)
        iy = np.minimum(((py - miny) / self.size).astype(np.int64), self.ny - 1)
        code = self.grid[iy * self.nx + ix]
        out[rows[code == 2]] = True
        edge = code == 1
        out[rows[edge]] = shapely.contains_xy(self.geom, px[edge], py[edge])
        return out


def floor_grids(index, pieces: bool = True) -> list[FloorGrid]:
    """A grid per zone piece (each version of each zone), or per zone as the agreement drew it."""
    if not pieces:
        return [FloorGrid(s.wgs84) for s in index.shapes.values()]
    return [FloorGrid(v.wgs84) for s in index.shapes.values() for v in s.versions]


def exact_floor(grids: list[FloorGrid], x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    return [g.contains(x, y) for g in grids]


# --------------------------------------------------------------------------- timing


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(runs):
        t = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - t)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--save", help="write the violations to this Parquet file")
    args = parser.parse_args()

    from ceasefire.monitor import MonitorIndex, judge
    from ceasefire.monitor.engine import locate

    regime = load_regime("syria-northwest")
    t = time.perf_counter()
    events = make_events(regime, args.events)
    print(f"made {len(events):,} events in {time.perf_counter() - t:.1f} s")

    # the index, cold (no disk cache) and then from a cache written by the first build
    cache = tempfile.mkdtemp(prefix="ceasefire-bench-")
    os.environ["CEASEFIRE_CACHE_DIR"] = cache
    os.environ.pop("CEASEFIRE_NO_CACHE", None)
    timings = {}
    for label in ("cold", "cached"):
        fresh = load_regime("syria-northwest")  # a new process' regime: nothing in memory
        t = time.perf_counter()
        index = MonitorIndex.build(fresh)
        judge(fresh, events.head(1000), index)  # the grids the monitor needs are built by now
        timings[label] = time.perf_counter() - t
    regime = fresh

    x = events["lon"].to_numpy(np.float64)
    y = events["lat"].to_numpy(np.float64)
    grids, zones = floor_grids(index), floor_grids(index, pieces=False)
    t = time.perf_counter()
    judge(regime, events, index)  # the first call also warms the process (unit names, regions, ...)
    first = time.perf_counter() - t
    floor, hits = best_of(3, lambda: exact_floor(grids, x, y))
    zone_floor, _ = best_of(3, lambda: exact_floor(zones, x, y))
    located, _ = best_of(3, lambda: locate(index, events))
    judged, found = best_of(3, lambda: judge(regime, events, index))
    n = len(events)
    inside = int(np.count_nonzero(np.logical_or.reduce(hits)))
    print(f"exact floor, per zone piece ({len(grids)} pieces, {inside:,} events in some piece): {floor:.3f} s"
          f"  (per zone as drawn, {len(zones)} zones: {zone_floor:.3f} s)")
    print(f"locate: {located:.3f} s  ({located / floor:.1f}× floor)")
    print(f"judge: {judged:.3f} s  = {n / judged / 1e6:.2f} M events/s  ({judged / floor:.1f}× floor; first call "
          f"{first:.3f} s), {len(found):,} violations {found['status'].value_counts().to_dict()}")
    print(f"MonitorIndex.build + grids: cold {timings['cold']:.2f} s, from the disk cache {timings['cached']:.2f} s")
    if args.save:
        found.to_parquet(args.save)


if __name__ == "__main__":
    main()
