"""`ceasefire serve` under load: 20 concurrent clients paging violations and events by bbox and month, each
figure beside the same queries run directly on the store in the same run (the baseline).

- a SQLite store of N synthetic events (default 1M, the ACLED-layout file of bench_events.py), judged against
  syria-northwest, kept in a cache folder under /tmp and reused by later runs (re-judged only if the monitor
  changed);
- `ceasefire serve` started as a real process on 127.0.0.1, one worker (--workers), a viewer's token;
- phase 1: `/collections/violations/items?bbox=…&datetime=<a month>&limit=100[&offset=…]` for --seconds
  with 20 clients, then a quarter of that with one client (the latency of HTTP + JSON without queueing);
  phase 2: the same on `/collections/events/items`. Queries are drawn (fixed seed) from boxes of 0.2–1°
  and months inside the data;
- baseline: the same queries in this process, one at a time, straight on the store: `stored_verdicts` +
  `count_verdicts` as the server calls them; `events(start, end)` + bbox filter + sort + page for events.

Client and server share the machine's cores (the load generator is one asyncio process with httpx), so the
latencies include the client's own time. Goal: p95 < 100 ms.

Usage: python benchmarks/bench_serve.py [--events N] [--seconds S] [--clients C] [--cache DIR]
Smoke run: python benchmarks/bench_serve.py --events 50000 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import calendar
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REGIME = "syria-northwest"
GOAL_P95_MS = 100.0
# The north-west, where the regime's zones (and so the violations) are; bench_events puts 40% of events here.
NW_LON, NW_LAT = (35.9, 37.3), (35.2, 36.4)
FIRST_YEAR, YEARS = 2017, 4  # the synthetic events' dates: 2017-01-01 and the next 4 × 365 days


# ------------------------------------------------------------------------------------------------ the store


def build_store(folder: Path, events: int) -> tuple[Path, dict]:
    """The judged store in ``folder``, made on first use; later runs only bring its verdicts up to date."""
    from ceasefire.monitor.stored import bring_up_to_date
    from ceasefire.regime import load_regime
    from ceasefire.store import connect

    folder.mkdir(parents=True, exist_ok=True)
    db, ready = folder / "bench.sqlite", folder / "ready.json"
    regime = load_regime(REGIME)
    made: dict = {}
    if not ready.exists():
        from ceasefire.events import ingest_file

        sys.path.insert(0, str(HERE))
        from bench_events import make_csv

        db.unlink(missing_ok=True)
        shutil.rmtree(folder / "bench.sqlite.events", ignore_errors=True)
        csv_path = folder / "events.csv"
        t = time.perf_counter()
        make_csv(csv_path, events)
        with connect(db) as store:
            result = ingest_file(store, csv_path, "acled", progress=False)  # every event kept, as bench_store
        made["ingest_s"] = time.perf_counter() - t
        csv_path.unlink()
        made["stored"] = result.new
    t = time.perf_counter()
    with connect(db) as store:
        judgment = bring_up_to_date(store, regime, progress=False)
        made.update(events=store.count("events"), verdicts=judgment.verdicts, judge_s=time.perf_counter() - t)
    if not ready.exists():
        ready.write_text(json.dumps(made))
    return db, made


def viewer_token(db: Path) -> str:
    """A fresh token for the benchmark's viewer (made on first use, renewed on later runs)."""
    from ceasefire.accounts import expiry, new_token
    from ceasefire.store import connect

    token, stored = new_token()
    with connect(db) as store:
        if not store.set_token("bench-viewer", stored.token_id, stored.token_hash, expiry(1)):
            store.add_user("bench-viewer", "viewer", stored.token_id, stored.token_hash, expiry(1))
    return token


# ---------------------------------------------------------------------------------------------- the queries


def make_queries(n: int, seed: int = 7) -> list[dict]:
    """Boxes of 0.2–1° around points of the north-west, whole months inside the data, mostly first pages."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        lon, lat = rng.uniform(*NW_LON), rng.uniform(*NW_LAT)
        half = rng.uniform(0.1, 0.5)
        west, east = max(lon - half, NW_LON[0]), min(lon + half, NW_LON[1])
        south, north = max(lat - half, NW_LAT[0]), min(lat + half, NW_LAT[1])
        year, month = FIRST_YEAR + int(rng.integers(0, YEARS)), int(rng.integers(1, 13))
        last = calendar.monthrange(year, month)[1]
        out.append({"bbox": f"{west:.4f},{south:.4f},{east:.4f},{north:.4f}",
                    "datetime": f"{year}-{month:02d}-01/{year}-{month:02d}-{last:02d}",
                    "limit": 100, "offset": int(rng.choice([0, 0, 0, 100, 200]))})
    return out


def _parsed(query: dict) -> tuple[dt.date, dt.date, tuple[float, ...]]:
    start, end = (dt.date.fromisoformat(d) for d in query["datetime"].split("/"))
    return start, end, tuple(float(v) for v in query["bbox"].split(","))


def direct_violations(store, judgment_id: int, query: dict) -> int:
    """What the server does for a violations page, without HTTP: the page, and the count when it is full."""
    from ceasefire.store.records import VerdictFilter

    start, end, box = _parsed(query)
    where = VerdictFilter(start=start, end=end, bbox=box)
    rows = store.stored_verdicts(judgment_id, where, query["limit"], query["offset"]).to_pylist()
    if len(rows) == query["limit"] or query["offset"]:
        store.count_verdicts(judgment_id, where)
    return len(rows)


def direct_events(store, query: dict) -> int:
    """The events of the month, those in the box, sorted by date and id, one page."""
    import pyarrow.compute as pc

    from ceasefire.api.features import EVENT_PROPERTIES

    start, end, (west, south, east, north) = _parsed(query)
    table = store.events(start, end, columns=EVENT_PROPERTIES)
    keep = pc.and_(pc.and_(pc.greater_equal(table["lon"], west), pc.less_equal(table["lon"], east)),
                   pc.and_(pc.greater_equal(table["lat"], south), pc.less_equal(table["lat"], north)))
    table = table.filter(keep).sort_by([("date", "ascending"), ("event_id", "ascending")])
    return len(table.slice(query["offset"], query["limit"]).to_pylist())


def baseline(db: Path, queries: list[dict], seconds: float) -> dict[str, dict]:
    """Each kind of query run one at a time on the store in this process, for up to ``seconds`` each."""
    from ceasefire.monitor.stored import current, regime_hash
    from ceasefire.regime import load_regime
    from ceasefire.store import connect

    regime = load_regime(REGIME)
    out = {}
    with connect(db, readonly=True) as store:
        judgment, _ = current(store, regime, regime_hash(regime))
        assert judgment is not None, "the store holds no verdicts of the regime"
        for kind, run in (("violations", lambda q: direct_violations(store, judgment.judgment_id, q)),
                          ("events", lambda q: direct_events(store, q))):
            run(queries[0])  # warm: the first read opens files and fills caches, as the server's warm-up does
            latencies, deadline = [], time.perf_counter() + seconds
            for query in queries:
                t = time.perf_counter()
                run(query)
                latencies.append(time.perf_counter() - t)
                if time.perf_counter() > deadline:
                    break
            out[kind] = summary(latencies, 0, sum(latencies))
    return out


# ----------------------------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, log: Path, workers: int = 1) -> subprocess.Popen:
    """`ceasefire serve` as a user starts it: the console script beside this Python, else the same CLI by -c."""
    script = Path(sys.executable).with_name("ceasefire")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from ceasefire.cli import main; main()"]
    command += ["serve", "--db", str(db), "--port", str(port), "--regime", REGIME, "--workers", str(workers)]
    # a user's config file must not change the run (the store and regime are given; nothing else is read)
    env = {**os.environ, "CEASEFIRE_CONFIG": str(log.with_name("no-such-config.yaml"))}
    return subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)


def wait_until_up(url: str, server: subprocess.Popen, log: Path, timeout: float = 120) -> float:
    import httpx

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/conformance", timeout=2).status_code == 200:
                return time.perf_counter() - t0
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def server_peak_mb(pid: int) -> float | None:
    """The server process's peak resident memory (Linux), or None where /proc does not say."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


async def load(url: str, path: str, token: str, queries: list[dict], clients: int, seconds: float) -> dict:
    """``clients`` tasks asking pages in turn until ``seconds`` have passed: latencies of the 200s, errors."""
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    following = iter(range(10**9))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, limits=limits,
                                 timeout=60) as client:
        for query in queries[:2]:  # warm-up, not counted: the first page reads the regime's caches
            (await client.get(path, params=query)).raise_for_status()
        deadline = time.perf_counter() + seconds

        async def one_client() -> None:
            while time.perf_counter() < deadline:
                query = queries[next(following) % len(queries)]
                t = time.perf_counter()
                try:
                    response = await client.get(path, params=query)
                    response.json()  # a page is read whole, as a client would
                    ok = response.status_code == 200
                    why = f"HTTP {response.status_code}"
                except (httpx.HTTPError, ValueError) as exc:
                    ok, why = False, type(exc).__name__
                if ok:
                    latencies.append(time.perf_counter() - t)
                else:
                    errors[why] = errors.get(why, 0) + 1

        t0 = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        wall = time.perf_counter() - t0
    return summary(latencies, sum(errors.values()), wall, errors)


def summary(latencies: list[float], errors: int, wall: float, why: dict | None = None) -> dict:
    ms = np.array(latencies) * 1000 if latencies else np.array([float("nan")])
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {"n": len(latencies), "p50": p50, "p95": p95, "p99": p99, "rate": len(latencies) / wall,
            "errors": errors, "why": why or {}}


# ------------------------------------------------------------------------------------------------------ main


def _line(label: str, figures: dict, unit: str, note: str) -> str:
    return (f"  {label:<10} p50 {figures['p50']:7.1f} ms   p95 {figures['p95']:7.1f} ms   p99 {figures['p99']:7.1f} ms"
            f"   {figures['rate']:7.1f} {unit}   {note}")


def report(kind: str, served: dict, alone: dict, direct: dict, clients: int) -> None:
    verdict = "met" if served["p95"] < GOAL_P95_MS else "NOT met"
    errors = f"errors {served['errors'] + alone['errors']:,}" + (
        f" ({', '.join(f'{k}: {v}' for k, v in {**alone['why'], **served['why']}.items())})"
        if served["why"] or alone["why"] else "")
    print(f"\n[{kind}] pages of 100: {served['n']:,} with {clients} clients, {alone['n']:,} with one; {errors}")
    print(_line(f"served/{clients}", served, "req/s", ""))
    print(_line("served/1", alone, "req/s", "(one client: HTTP + JSON without queueing)"))
    print(_line("direct", direct, "q/s  ", f"(one at a time in-process, {direct['n']:,} queries, no HTTP)"))
    print(f"  ratio served/direct: p50 {served['p50'] / direct['p50']:.2f}x, p95 {served['p95'] / direct['p95']:.2f}x; "
          f"throughput {served['rate'] / direct['rate']:.2f}x")
    print(f"  goal p95 < {GOAL_P95_MS:.0f} ms with {clients} clients: {verdict} — with {clients} requests always in "
          f"flight, latency ≈ {clients} / throughput, so it needs ≳ {clients * 1000 / GOAL_P95_MS:.0f} req/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20, help="length of each load phase")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="server processes (`ceasefire serve --workers`)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="where the judged store is kept [default: /tmp/ceasefire-bench-serve-<events>]")
    args = parser.parse_args()

    cache = args.cache or Path(tempfile.gettempdir()) / f"ceasefire-bench-serve-{args.events}"
    reused = (cache / "ready.json").exists()
    db, made = build_store(cache, args.events)
    how = (f"reused (verdicts checked in {made['judge_s']:.1f} s)" if reused else
           f"built: ingest {made['ingest_s']:.1f} s, judging {made['judge_s']:.1f} s")
    print(f"store: {db} — {made['events']:,} synthetic events, {made['verdicts']:,} verdicts of {REGIME}; {how}")
    print(f"load: {args.clients} concurrent clients (one asyncio + httpx process) for {args.seconds:.0f} s a phase; "
          f"client and server share the machine's {os.cpu_count()} cores, so latencies include the client's time")
    token = viewer_token(db)
    queries = make_queries(2000)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = cache / "serve.log"
    server = start_server(db, port, log, args.workers)
    peak = None
    try:
        up = wait_until_up(url, server, log)
        print(f"server: `ceasefire serve --db {db} --port {port}` ({args.workers} worker(s)) answered after {up:.1f} s")
        served, alone = {}, {}
        for kind in ("violations", "events"):
            path = f"/collections/{kind}/items"
            served[kind] = asyncio.run(load(url, path, token, queries, args.clients, args.seconds))
            alone[kind] = asyncio.run(load(url, path, token, queries, 1, args.seconds / 4))
        peak = server_peak_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    if peak is not None:
        print(f"server peak memory (VmHWM): {peak:,.0f} MB")
    direct = baseline(db, queries, min(args.seconds, 10))  # the server stopped: the baseline has the cores
    for kind in ("violations", "events"):
        report(kind, served[kind], alone[kind], direct[kind], args.clients)


if __name__ == "__main__":
    main()
