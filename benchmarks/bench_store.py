"""The store's bulk paths on both engines, each figure beside its baseline measured in the same run.

- ingest of an ACLED-layout CSV (default 1M rows) vs ``pyarrow.csv.read_csv`` of the same file;
- the same file ingested again: every row must come back ``unchanged``;
- loading the events back for judging (the monitor's columns, as Arrow) in rows/s;
- peak memory (max RSS) of each stage, each run in its own process.

The PostGIS leg needs a server: ``--postgis postgresql://…``, or a throwaway cluster is started with
tools/pg_cluster.sh when PostgreSQL + PostGIS are installed (else the leg is skipped, and says so).

Usage: python benchmarks/bench_store.py [--events N] [--keep DIR] [--postgis URL]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stage_read(path: str) -> dict:
    import pyarrow.csv as pacsv

    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        table = pacsv.read_csv(path)
        best = min(best, time.perf_counter() - t)
    return {"seconds": best, "rows": table.num_rows, "peak_mb": peak_mb()}


def stage_ingest(path: str, target: str) -> dict:
    from ceasefire.events import ingest_file
    from ceasefire.store import connect

    store = connect(target)
    t = time.perf_counter()
    result = ingest_file(store, path, "acled", progress=False)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "read": result.read, "new": result.new, "updated": result.updated,
            "unchanged": result.unchanged, "quarantined": result.quarantined, "peak_mb": peak_mb()}


def stage_load(target: str) -> dict:
    from ceasefire.events import MONITOR_COLUMNS
    from ceasefire.store import connect

    store = connect(target, readonly=True)
    best, rows = float("inf"), 0
    for _ in range(3):
        t = time.perf_counter()
        table = store.events(columns=MONITOR_COLUMNS)
        best = min(best, time.perf_counter() - t)
        rows = table.num_rows
    t = time.perf_counter()
    streamed = sum(len(b) for b in store.event_batches(columns=MONITOR_COLUMNS))
    stream_seconds = time.perf_counter() - t
    return {"seconds": best, "rows": rows, "streamed": streamed, "stream_seconds": stream_seconds, "peak_mb": peak_mb()}


def stage_judge(target: str, in_database: str) -> dict:
    """Judge every stored event a batch at a time; on PostGIS, with the point-in-zone step started in SQL
    (``in_database`` "yes") or not. Returns a digest of the verdicts, to show both give the same."""
    import hashlib

    import pandas as pd

    from ceasefire.events import MONITOR_COLUMNS
    from ceasefire.monitor import MonitorIndex, judge
    from ceasefire.regime import load_regime
    from ceasefire.store import Reach, connect

    regime = load_regime("syria-northwest")
    index = MonitorIndex.build(regime)
    store = connect(target, readonly=True)
    reach = Reach(index.place.reach("edge"), index.place.reach("near")) if in_database == "yes" else None
    t = time.perf_counter()
    keys, read = [], 0
    for batch in store.event_batches(columns=MONITOR_COLUMNS, rows=100_000, reach=reach):
        read += len(batch)
        found = judge(regime, batch.to_pandas(types_mapper=pd.ArrowDtype), index)
        keys += [f"{e}|{r}|{z}|{s}|{b}" for e, r, z, s, b in
                 zip(found["event_id"], found["rule"], found["zone"], found["status"], found["because"])]
    seconds = time.perf_counter() - t
    digest = hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:16]
    return {"seconds": seconds, "read": read, "violations": len(keys), "digest": digest, "peak_mb": peak_mb()}


def run_stage(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--stage", *args], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"stage {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_postgis() -> tuple[str | None, Path | None]:
    import shutil

    home = Path(tempfile.mkdtemp(prefix="ceasefire-pg-bench-"))
    home.chmod(0o755)
    started = subprocess.run([str(ROOT / "tools" / "pg_cluster.sh"), "start", str(home / "cluster"), "54391"],
                             capture_output=True, text=True)
    if started.returncode:
        shutil.rmtree(home, ignore_errors=True)
        print(f"PostGIS leg skipped: {started.stderr.strip()}")
        return None, None
    return started.stdout.strip(), home


def report(engine: str, read: dict, first: dict, again: dict, load: dict) -> None:
    rate = first["new"] / first["seconds"]
    print(f"\n[{engine}]")
    print(f"  ingest:     {first['seconds']:.2f} s = {rate:,.0f} rows/s = {first['seconds'] / read['seconds']:.2f}x "
          f"read_csv; new {first['new']:,}, quarantined {first['quarantined']:,}; peak {first['peak_mb']:.0f} MB")
    print(f"  re-ingest:  {again['seconds']:.2f} s; new {again['new']:,}, updated {again['updated']:,}, "
          f"unchanged {again['unchanged']:,} (all unchanged: {again['unchanged'] == first['new']})")
    print(f"  load:       {load['seconds']:.2f} s for {load['rows']:,} events = {load['rows'] / load['seconds']:,.0f} "
          f"rows/s (monitor columns, Arrow); in batches {load['stream_seconds']:.2f} s; peak {load['peak_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--postgis", default=None)
    parser.add_argument("--stage", nargs="+", default=None)
    args = parser.parse_args()
    if args.stage:
        name, *rest = args.stage
        fn = {"read": stage_read, "ingest": stage_ingest, "load": stage_load, "judge": stage_judge}[name]
        print(json.dumps(fn(*rest)))
        return
    sys.path.insert(0, str(HERE))
    from bench_events import make_csv

    work = args.keep or Path(tempfile.mkdtemp(prefix="ceasefire-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / "events.csv"
    if not csv_path.exists():
        make_csv(csv_path, args.events)
    print(f"synthetic ACLED-layout CSV: {args.events:,} rows, {csv_path.stat().st_size / 1e6:.0f} MB; 2 cores")
    read = run_stage("read", str(csv_path))
    print(f"baseline pyarrow.csv.read_csv: {read['seconds']:.2f} s (best of 3) = {read['rows'] / read['seconds']:,.0f} "
          f"rows/s, peak {read['peak_mb']:.0f} MB")
    import shutil

    db = work / "bench.sqlite"
    db.unlink(missing_ok=True)
    shutil.rmtree(work / "bench.sqlite.events", ignore_errors=True)
    first = run_stage("ingest", str(csv_path), str(db))
    again = run_stage("ingest", str(csv_path), str(db))
    report("sqlite + parquet segments", read, first, again, run_stage("load", str(db)))
    embedded = run_stage("judge", str(db), "no")
    print(f"  judging every event, batches of 100k: {embedded['seconds']:.2f} s, {embedded['violations']:,} verdicts, "
          f"digest {embedded['digest']}; peak {embedded['peak_mb']:.0f} MB")

    server, home = (args.postgis, None) if args.postgis else start_postgis()
    if server:
        target = f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3Dbench_{int(time.time())},public"
        try:
            first = run_stage("ingest", str(csv_path), target)
            again = run_stage("ingest", str(csv_path), target)
            report("postgis", read, first, again, run_stage("load", target))
            plain, in_db = run_stage("judge", target, "no"), run_stage("judge", target, "yes")
            print(f"  judging every event, batches of 100k: {plain['seconds']:.2f} s reading all {plain['read']:,}; "
                  f"{in_db['seconds']:.2f} s with the point-in-zone step started in SQL (read {in_db['read']:,}); "
                  f"{plain['violations']:,} vs {in_db['violations']:,} verdicts, digests {plain['digest']} / "
                  f"{in_db['digest']} ({'identical' if plain['digest'] == in_db['digest'] == embedded['digest'] else 'DIFFERENT'}"
                  " to each other and to the embedded engine's)")
        finally:
            if home is not None:
                subprocess.run([str(ROOT / "tools" / "pg_cluster.sh"), "stop", str(home / "cluster")])
                shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
