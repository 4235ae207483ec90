"""Judging an archive larger than one process should hold: 20,000,000 synthetic events on a Dask cluster.

The events are written straight to Parquet in the normalized schema (the columns of
``MONITOR_COLUMNS``, the store's Arrow types), one file per million events, row groups of 250,000,
made a million at a time with NumPy and never all in memory. Their distributions are those of
``bench_events.make_csv`` (ACLED layout: 40 % of the points in the north-west, five kinds of event,
nine actors, dates 2017–2020, geo and time precision 1–3), carried into the normalized schema by
the ACLED reader's own tables (sub-types, precisions, weapons read from the notes).

Prints, each stage in its own process (so each peak memory is its own):
- in-process ``judge()`` on the first 1,000,000 events (the baseline and the crossover's other side),
  with its peak memory; on all N only when that peak, scaled to N, fits in half the memory the
  machine has free (else it says why it was not attempted);
- ``judge_parquet`` with 2 workers of 2 GB on the first 1,000,000 and on all N, writing the violations
  to a temporary folder: seconds, events/s, each worker's peak RSS, the client's peak RSS (the local
  cluster's scheduler lives in the client process), the counts by status;
- the crossover: where the cluster's throughput overtakes its start-up cost, and where in-process
  judging stops fitting in memory.

Usage: python benchmarks/bench_dask.py [--events N] [--workers 2] [--memory-limit 2GB] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

# make_csv's kinds (with their notes) and actors: the same events as the ingest benchmark
from bench_events import ACTORS, TYPES

FILE_ROWS = 1_000_000
ROW_GROUP = 250_000
REGIME = "syria-northwest"


def normalized_types() -> dict[str, list]:
    """bench_events.TYPES (ACLED event type, sub-type, notes) as the ACLED reader normalizes them."""
    from ceasefire.events.readers import ACLED_SUBTYPES, weapon_from_text
    from ceasefire.events.taxonomy import EVENT_TYPES, SUBTYPE_TO_TYPE

    notes = [t[2] for t in TYPES]
    weapons = weapon_from_text(pa.array(notes)).to_pylist()
    subs = [ACLED_SUBTYPES[t[1]] for t in TYPES]
    subs = ["drone-strike" if s == "air-strike" and w == "drone" else s for s, w in zip(subs, weapons)]
    return {"sub_event_type": subs, "event_type": [SUBTYPE_TO_TYPE[s] for s in subs], "weapon_class": weapons,
            "roles": ["clash" if s in EVENT_TYPES["battles"] else "one-sided" for s in subs], "notes": notes}


def events_table(rng: np.random.Generator, first: int, n: int, types: dict[str, list]) -> pa.Table:
    """``n`` events numbered from ``first``; random draws in make_csv's order, so one table drawn from
    a fresh generator equals what the ACLED reader makes of ``make_csv(path, n)``."""
    from ceasefire.events import MONITOR_COLUMNS
    from ceasefire.events.readers import ACLED_DATE_PRECISION, ACLED_PLACE_PRECISION
    from ceasefire.events.schema import EVENT_SCHEMA

    nw = rng.random(n) < 0.4
    lon = np.where(nw, rng.uniform(35.9, 37.3, n), rng.uniform(35.7, 42.4, n)).round(5)
    lat = np.where(nw, rng.uniform(35.2, 36.4, n), rng.uniform(32.3, 37.3, n)).round(5)
    days = rng.integers(0, 4 * 365, n)
    kind = rng.integers(0, len(TYPES), n)
    a1 = rng.integers(0, len(ACTORS), n)
    a2 = rng.integers(0, len(ACTORS), n)
    time_precision = rng.choice(["1", "1", "1", "2", "3"], n)
    geo_precision = rng.choice(["1", "1", "1", "2", "3"], n)
    fatalities = rng.integers(0, 5, n)

    def pick(values: list, codes: np.ndarray) -> pa.Array:
        return pa.array(values, pa.string()).take(pa.array(codes))

    date = np.datetime64("2017-01-01") + days.astype("timedelta64[D]")
    precision_codes = time_precision.astype(np.int64) - 1
    precisions = [ACLED_DATE_PRECISION[str(i)] for i in (1, 2, 3)]
    span = np.array([{"day": 0, "week": 6, "month": 30}[p] for p in precisions])[precision_codes]
    constant = {"time": None, "place": "Somewhere", "place_radius_km": None, "adm1": None, "adm2": None,
                "sources": "Synthetic Observatory"}
    columns = {
        "event_id": pa.array(np.char.add("acled:SYR", np.arange(first, first + n).astype(str))),
        "date": pa.array(date), "date_end": pa.array(date + span.astype("timedelta64[D]")),
        "date_precision": pick(precisions, precision_codes), "lon": pa.array(lon), "lat": pa.array(lat),
        "place_precision": pick([ACLED_PLACE_PRECISION[str(i)] for i in (1, 2, 3)], geo_precision.astype(np.int64) - 1),
        "actor1": pick(ACTORS, a1), "actor2": pick(ACTORS, a2), "fatalities_best": pa.array(fatalities),
        **{name: pick(values, kind) for name, values in types.items()},
        **{name: pa.nulls(n) if value is None else pick([value], np.zeros(n, np.int64))
           for name, value in constant.items()},
    }
    schema = pa.schema([EVENT_SCHEMA.field(c) for c in MONITOR_COLUMNS])
    return pa.table({c: columns[c] for c in MONITOR_COLUMNS}).cast(schema)


def make_parquet(folder: Path, n: int, seed: int = 1) -> list[Path]:
    """``n`` events in files of FILE_ROWS, row groups of ROW_GROUP; one file's table in memory at a time."""
    rng = np.random.default_rng(seed)
    types = normalized_types()
    files = []
    for number, first in enumerate(range(0, n, FILE_ROWS)):
        path = folder / f"events-{number:05d}.parquet"
        pq.write_table(events_table(rng, first, min(FILE_ROWS, n - first), types), path, row_group_size=ROW_GROUP)
        files.append(path)
    return files


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --------------------------------------------------------------------------- stages (each its own process)


def stage_generate(folder: str, n: str) -> dict:
    t = time.perf_counter()
    files = make_parquet(Path(folder), int(n))
    return {"seconds": time.perf_counter() - t, "files": len(files),
            "mb": sum(f.stat().st_size for f in files) / 1e6, "peak_mb": peak_mb()}


def stage_inprocess(*files: str) -> dict:
    import pandas as pd

    from ceasefire.monitor import MonitorIndex, judge
    from ceasefire.monitor.distributed import events_from_arrow
    from ceasefire.regime import load_regime

    regime = load_regime(REGIME)
    t = time.perf_counter()
    events = pd.concat([events_from_arrow(pq.read_table(f), f, 0) for f in files], ignore_index=True)
    load = time.perf_counter() - t
    t = time.perf_counter()
    index = MonitorIndex.build(regime)
    build = time.perf_counter() - t
    judge(regime, events.head(1000), index)  # warm-up: the first call fills the monitor's caches
    t = time.perf_counter()
    found = judge(regime, events, index)
    seconds = time.perf_counter() - t
    return {"rows": len(events), "seconds": seconds, "load_seconds": load, "index_seconds": build,
            "violations": len(found), "by_status": found["status"].value_counts().to_dict(), "peak_mb": peak_mb()}


def stage_dask(inputs: str, out: str, workers: str, memory_limit: str, batch_rows: str) -> dict:
    from ceasefire.monitor.distributed import judge_parquet

    given = [Path(p) for p in inputs.split(",")]
    result = judge_parquet(REGIME, given if len(given) > 1 else given[0], out=Path(out), workers=int(workers),
                           memory_limit=memory_limit, batch_rows=int(batch_rows))
    return {"rows": result.events, "seconds": result.seconds, "setup_seconds": result.setup_seconds,
            "tasks": result.tasks, "task_seconds": result.task_seconds, "violations": result.violations, "by_status": result.by("status"),
            "workers": [{"address": w.address, "peak_mb": w.peak_rss_mb, "maxrss_mb": w.maxrss_mb, "tasks": w.tasks,
                         "index_builds": w.index_builds} for w in result.workers],
            "out_mb": sum(p.stat().st_size for p in result.parts) / 1e6, "parts": len(result.parts),
            "client_peak_mb": peak_mb()}


def run_stage(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--stage", *args], check=False, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"stage {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--batch-rows", type=int, default=250_000)
    parser.add_argument("--keep", type=Path, default=None, help="make (or reuse) the Parquet files here")
    parser.add_argument("--stage", nargs="+", default=None)
    args = parser.parse_args()
    if args.stage:
        name, *rest = args.stage
        fn = {"generate": stage_generate, "inprocess": stage_inprocess, "dask": stage_dask}[name]
        print(json.dumps(fn(*rest)))
        return
    n = args.events
    work = Path(tempfile.mkdtemp(prefix="ceasefire-dask-"))
    data = args.keep or work / "events"
    data.mkdir(parents=True, exist_ok=True)
    try:
        report(args, n, work, data)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(args: argparse.Namespace, n: int, work: Path, data: Path) -> None:
    print(f"machine: {os.cpu_count()} cores, {available_mb() / 1024:.1f} GB free now "
          f"(load average {os.getloadavg()[0]:.1f}: shared with other benchmarks, so times vary)")
    files = sorted(data.glob("events-*.parquet"))
    if sum(pq.ParquetFile(f).metadata.num_rows for f in files) != n:
        for f in files:
            f.unlink()
        made = run_stage("generate", str(data), str(n))
        files = sorted(data.glob("events-*.parquet"))
        print(f"synthetic events: {n:,} in {made['files']} Parquet files, {made['mb']:,.0f} MB "
              f"(made in {made['seconds']:.1f} s, peak {made['peak_mb']:,.0f} MB)")
    else:
        print(f"synthetic events: {n:,} in {len(files)} Parquet files (reused from {data})")
    first = files[0]
    small = min(n, FILE_ROWS)
    limits = [str(args.workers), args.memory_limit, str(args.batch_rows)]

    base = run_stage("inprocess", str(first))
    print(f"\nin-process judge(), first {small:,} events: {base['seconds']:.2f} s "
          f"({small / base['seconds']:,.0f} events/s), peak {base['peak_mb']:,.0f} MB "
          f"(+ reading {base['load_seconds']:.2f} s, index {base['index_seconds']:.2f} s); "
          f"{base['violations']:,} violations {base['by_status']}")
    one = run_stage("dask", str(first), str(work / "out-1m"), *limits)
    show_dask(f"judge_parquet, {args.workers} workers × {args.memory_limit}, first {small:,} events", one)
    if n > small:
        big = run_stage("dask", str(data), str(work / "out-all"), *limits)
        show_dask(f"judge_parquet, {args.workers} workers × {args.memory_limit}, all {n:,} events", big)
        per_event_mb = base["peak_mb"] / small
        needed, free = per_event_mb * n, available_mb()
        if needed < free / 2:
            whole = run_stage("inprocess", *map(str, files))
            print(f"\nin-process judge(), all {n:,} events: {whole['seconds']:.2f} s "
                  f"({n / whole['seconds']:,.0f} events/s), peak {whole['peak_mb']:,.0f} MB")
        else:
            than = "more than" if needed > free else "more than half of"
            print(f"\nin-process judge() on all {n:,} events: not attempted — its peak at {small:,} "
                  f"({base['peak_mb']:,.0f} MB) scaled to {n:,} is ~{needed / 1024:,.0f} GB, {than} "
                  f"the {free / 1024:,.1f} GB free on this shared machine")
    else:
        big = one
    crossover(args, base, small, one, big)


def show_dask(title: str, r: dict) -> None:
    workers = ", ".join(f"{w['peak_mb']:,.0f} MB ({w['tasks']} tasks)" for w in r["workers"])
    judging = r["seconds"] - r["setup_seconds"]
    print(f"\n{title}: {r['seconds']:.2f} s ({r['rows'] / r['seconds']:,.0f} events/s; "
          f"cluster start + index on each worker {r['setup_seconds']:.2f} s, judging {judging:.2f} s = "
          f"{r['rows'] / judging:,.0f} events/s), {r['tasks']} tasks")
    busy = r["task_seconds"] / (judging * len(r["workers"]))
    print(f"  peak RSS per worker: {workers}; client (with the scheduler) {r['client_peak_mb']:,.0f} MB")
    print(f"  workers busy in tasks {busy:.0%} of the judging time ({r['task_seconds']:.1f} s of "
          f"{len(r['workers'])} × {judging:.1f} s): the rest is Dask's overhead and waiting for a core")
    print(f"  {r['violations']:,} violations {r['by_status']}, written to {r['parts']} parts, {r['out_mb']:,.0f} MB")


def crossover(args: argparse.Namespace, base: dict, small: int, one: dict, big: dict) -> None:
    in_rate = small / base["seconds"]
    setup = big["setup_seconds"]
    dask_rate = big["rows"] / (big["seconds"] - setup)
    mb_per_million = base["peak_mb"] / small * 1e6
    print(f"\ncrossover ({os.cpu_count()} cores, {args.workers} workers):")
    print(f"  in-process: {in_rate:,.0f} events/s, peak ~{mb_per_million:,.0f} MB per million events: it stops "
          f"fitting around {available_mb() / mb_per_million:,.0f}M events in the {available_mb() / 1024:,.1f} GB "
          f"free now (24 GB machine)")
    print(f"  Dask: {dask_rate:,.0f} events/s once running, after {setup:.1f} s to start; memory per worker "
          f"bounded by the batch ({args.batch_rows:,} events), not by N")
    if dask_rate > in_rate:
        at = setup / (1 / in_rate - 1 / dask_rate)
        print(f"  on time the cluster overtakes in-process judging from ~{at / 1e6:,.1f}M events "
              f"(1M: {base['seconds']:.1f} s in-process vs {one['seconds']:.1f} s on the cluster)")
    else:
        print(f"  on time the cluster never overtakes in-process judging here ({dask_rate / in_rate:.2f}x its "
              f"throughput; 1M: {base['seconds']:.1f} s in-process vs {one['seconds']:.1f} s on the cluster): "
              f"it is for data that does not fit")


if __name__ == "__main__":
    main()
