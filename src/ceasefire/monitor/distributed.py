"""The monitor on a Dask cluster: events read in bounded parts from Parquet, judged on workers.

Judging in one process holds every event and every verdict in memory (its peak is about 1.1–1.3 GB
per million events, benchmarks/bench_dask.py). Here each task reads one part of a Parquet file (a few row groups, at most
``batch_rows`` events at a time), judges it with :func:`ceasefire.monitor.engine.judge` and writes its
violations to ``out/part-NNNNN.parquet``; the client gets back only counts by status, rule and zone.
So memory is bounded per worker by the batch, not by the archive, and the client never holds the
verdicts. The verdicts are those of the in-process engine: each event is judged on its own.

The regime travels as its name or file path, never pickled: each worker loads it and builds the
:class:`~ceasefire.monitor.engine.MonitorIndex` once, keyed by the regime file's content (a worker that
outlives a run reuses it; an edited file is rebuilt). On a remote cluster (``scheduler="tcp://…"``)
the workers must see the same paths as the client: the Parquet files, ``out`` and a regime file
(a built-in regime is found by name). Run one thread per worker: judging is single-threaded NumPy.

On 2 cores this is slower than in-process for what fits in memory (a cluster starts in seconds and
each worker builds its own index); it is for archives larger than RAM, and for more cores.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import InputError, OutputError, RegimeError
from ..events.schema import EVENT_SCHEMA
from ..events.store_io import MONITOR_COLUMNS
from ..regime import Regime, builtin_regimes, load_regime
from ..regime.loader import resolve
from .engine import VIOLATION_COLUMNS, MonitorIndex, judge

# Columns judge() reads when a frame has them though the store does not (patrols add them).
OPTIONAL_COLUMNS = {"on_patrol": pa.bool_(), "patrol_forces": pa.string()}
# The store never holds these empty: a Parquet file that does cannot be judged.
REQUIRED_VALUES = ("event_id", "date", "date_end", "date_precision", "lon", "lat", "place_precision", "event_type",
                   "sub_event_type")
DATE_COLUMNS = ("date", "date_end")
NUMBER_COLUMNS = ("lon", "lat", "place_radius_km", "fatalities_best")
GEOMETRY = "geometry"  # GeoParquet's usual column: WKB points stand in for lon/lat when those are missing
PART_NAME = "part-{:05d}.parquet"
# What a task writes: hidden (Arrow's dataset reader skips dot files) until the client has every part.
WRITING_NAME = ".part-{number:05d}.{run}.parquet"


@dataclass
class WorkerStats:
    """One worker at the end of a run. Peaks are since the worker process started."""

    address: str
    peak_rss_mb: float  # the process's own high-water mark (VmHWM)
    maxrss_mb: float  # getrusage's ru_maxrss: may include the parent's peak, inherited through exec
    tasks: int  # tasks this process judged, over its life
    index_builds: int  # MonitorIndex builds over its life: one per regime


@dataclass
class DistributedResult:
    events: int  # events judged
    violations: int  # violation rows
    counts: Counter[tuple[str, str, str]]  # (status, rule, zone) → violations
    frame: pd.DataFrame | None  # every violation, only when no ``out`` was given
    parts: list[Path]  # the files written under ``out`` (a part with no violation writes none)
    tasks: int
    seconds: float  # the whole call, cluster start included
    setup_seconds: float  # starting or reaching the cluster and building the index on every worker
    task_seconds: float  # the workers' time in tasks, added up (reading, judging, writing)
    scheduler: str
    workers: list[WorkerStats] = field(default_factory=list)

    def by(self, what: str) -> dict[str, int]:
        """Violations by ``status``, ``rule`` or ``zone``, most first."""
        position = ("status", "rule", "zone").index(what)
        out: Counter[str] = Counter()
        for key, n in self.counts.items():
            out[key[position]] += n
        return dict(out.most_common())


@dataclass(frozen=True)
class Part:
    """One task: consecutive row groups of one file (rows counted from 0 in the file)."""

    number: int
    file: str
    row_groups: tuple[int, ...]
    first_row: int
    rows: int


@dataclass
class PartResult:
    number: int
    events: int
    counts: dict[tuple[str, str, str], int]
    frame: pd.DataFrame | None
    path: str | None
    seconds: float  # reading, judging and writing, on the worker


# --------------------------------------------------------------------------- the client


def judge_parquet(regime_name_or_path: str, parquet: Path | list[Path], out: Path | None = None,
                  scheduler: str | None = None, workers: int = 2, memory_limit: str = "2GB",
                  batch_rows: int = 250_000, *, allow_paths_outside: bool = False, connect_timeout: float = 10.0,
                  progress: Callable[[int, int], None] | None = None) -> DistributedResult:
    """Judge the events in Parquet file(s) (or a folder of them) on a Dask cluster.

    ``scheduler`` None starts a local cluster of ``workers`` processes, one thread each, ``memory_limit``
    each, and closes it at the end; ``"tcp://host:port"`` uses a running one as it is (``workers`` and
    ``memory_limit`` are the local cluster's). With ``out`` (a folder,
    created if missing, holding no part files yet) violations go to ``out/part-NNNNN.parquet`` and only
    counts come back; without it the violations come back as one frame (small data only).
    ``progress(done, total)`` is called as tasks finish.
    """
    started = time.perf_counter()
    if workers < 1 or batch_rows < 1:
        raise InputError(f"workers ({workers}) and batch rows ({batch_rows}) must be at least 1")
    limit = _memory_limit(memory_limit)
    ref, fingerprint = _regime_ref(regime_name_or_path, allow_paths_outside)
    files = _parquet_files(parquet)
    parts = plan_parts(files, batch_rows)
    out_dir = _prepare_out(out) if out is not None else None
    run = uuid.uuid4().hex[:12]
    with ExitStack() as stack:
        address = _cluster(stack, scheduler, workers, limit)
        client = stack.enter_context(_client(address, connect_timeout))
        _warm(client, address, ref, fingerprint, allow_paths_outside)
        setup = time.perf_counter() - started
        try:
            results = _run(client, parts, ref, fingerprint, allow_paths_outside, out_dir, run, batch_rows, progress)
        except BaseException:
            if out_dir is not None:  # all or nothing: no half-written folder looks like an answer
                for stale in _unfinished(out_dir, run):
                    stale.unlink(missing_ok=True)
            raise
        stats = _worker_stats(client)
    written = _publish(results, out_dir, run) if out_dir is not None else []
    counts: Counter[tuple[str, str, str]] = Counter()
    for r in results:
        counts.update(r.counts)
    frame = None
    if out_dir is None:
        frames = [r.frame for r in sorted(results, key=lambda r: r.number) if r.frame is not None and len(r.frame)]
        # Empty frames are left out: their object columns would turn the categories into objects.
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=VIOLATION_COLUMNS)
    return DistributedResult(
        events=sum(r.events for r in results), violations=sum(counts.values()), counts=counts, frame=frame,
        parts=written, tasks=len(parts),
        seconds=time.perf_counter() - started, setup_seconds=setup, task_seconds=sum(r.seconds for r in results),
        scheduler=address, workers=stats)


def _publish(results: list[PartResult], out: Path, run: str) -> list[Path]:
    """Every part done: give the hidden files their names."""
    written = []
    try:
        for r in sorted(results, key=lambda r: r.number):
            if r.path:
                final = out / PART_NAME.format(r.number)
                os.replace(r.path, final)
                written.append(final)
    except OSError as exc:
        for path in [*written, *_unfinished(out, run)]:
            path.unlink(missing_ok=True)
        raise OutputError(f"{out}: cannot name the part files ({exc.strerror}); nothing was kept") from None
    return written


def _unfinished(out: Path, run: str) -> list[Path]:
    return list(out.glob(f".part-*.{run}.parquet"))


def _memory_limit(text: str) -> int:
    from dask.utils import parse_bytes

    try:
        limit = parse_bytes(text)
    except (ValueError, TypeError):
        raise InputError(f"memory limit {text!r}: expected a size such as 2GB or 1500MB") from None
    if limit < 500_000_000:
        raise InputError(f"memory limit {text!r}: a worker needs at least 500MB (its libraries and the regime's "
                         "index alone take ~300MB)")
    return limit


def _regime_ref(name_or_path: str, allow_paths_outside: bool) -> tuple[str, str]:
    """What workers load the regime from (a built-in's name, else the file's absolute path), and the
    file's content hash: loaded here first, so a bad regime fails before any cluster starts."""
    load_regime(name_or_path, allow_paths_outside=allow_paths_outside)
    ref = str(name_or_path) if str(name_or_path) in builtin_regimes() and not Path(name_or_path).exists() \
        else str(Path(name_or_path).resolve())
    return ref, _fingerprint(ref)


def _fingerprint(ref: str) -> str:
    return hashlib.sha256(resolve(ref).read_bytes()).hexdigest()


def _parquet_files(parquet: Path | str | list[Path] | list[str]) -> list[Path]:
    given = [Path(p) for p in (parquet if isinstance(parquet, list) else [parquet])]
    files: list[Path] = []
    for path in given:
        if path.is_dir():
            found = sorted(p for p in path.glob("*.parquet") if p.is_file())
            if not found:
                raise InputError(f"{path}: no .parquet files in this folder")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    if not files:
        raise InputError("no Parquet file given")
    return [f.resolve() for f in files]


def plan_parts(files: list[Path], batch_rows: int) -> list[Part]:
    """Tasks over the files' row groups: consecutive groups while they add up to at most
    ``batch_rows``; a larger group is a task of its own, judged in slices of ``batch_rows``."""
    parts: list[Part] = []
    for path in files:
        meta = _open(path).metadata
        sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        groups: list[int] = []
        first = row = 0
        for number, size in enumerate(sizes):
            if groups and sum(sizes[g] for g in groups) + size > batch_rows:
                parts.append(Part(len(parts), str(path), tuple(groups), first, row - first))
                groups, first = [], row
            groups.append(number)
            row += size
        if groups and row > first:
            parts.append(Part(len(parts), str(path), tuple(groups), first, row - first))
    return parts


def _open(path: Path | str) -> pq.ParquetFile:
    """A Parquet file whose columns can be judged, or an InputError saying what is wrong."""
    try:
        handle = pq.ParquetFile(path)
        schema = handle.schema_arrow
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise InputError(f"{path}: cannot be read as Parquet ({_one_line(exc)})") from None
    problems = schema_problems(schema)
    if problems:
        raise InputError(f"{path}: {problems[0]}")
    return handle


def schema_problems(schema: pa.Schema) -> list[str]:
    """What keeps a file with this schema from being judged ([] when nothing)."""
    names = set(schema.names)
    needed = [c for c in MONITOR_COLUMNS if not (c in ("lon", "lat") and GEOMETRY in names)]
    missing = [c for c in needed if c not in names]
    if missing:
        return [(f"no column {', '.join(missing)}; judging needs {', '.join(MONITOR_COLUMNS)} "
                 "(`ceasefire export --format parquet` writes them)")]
    problems = []
    for name in [c for c in MONITOR_COLUMNS if c in names] + [c for c in OPTIONAL_COLUMNS if c in names]:
        typ = _value_type(schema.field(name).type)
        if pa.types.is_null(typ):
            continue
        if name in DATE_COLUMNS:
            ok, expected = _is_text(typ) or pa.types.is_date(typ) or pa.types.is_timestamp(typ), "dates or ISO date text"
        elif name in NUMBER_COLUMNS:
            ok, expected = pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ), "numbers"
        elif name == "on_patrol":
            ok, expected = pa.types.is_boolean(typ), "true/false"
        else:
            ok, expected = _is_text(typ), "text"
        if not ok:
            problems.append(f"column {name} holds {typ}; expected {expected}")
    if "lon" not in names and GEOMETRY in names and not pa.types.is_binary(_value_type(schema.field(GEOMETRY).type)) \
            and not pa.types.is_large_binary(_value_type(schema.field(GEOMETRY).type)):
        problems.append(f"column {GEOMETRY} holds {schema.field(GEOMETRY).type}; expected WKB points (GeoParquet)")
    return problems


def _value_type(typ: pa.DataType) -> pa.DataType:
    return typ.value_type if pa.types.is_dictionary(typ) else typ


def _is_text(typ: pa.DataType) -> bool:
    return pa.types.is_string(typ) or pa.types.is_large_string(typ)


def _prepare_out(out: Path) -> Path:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: is a file; violations go to a folder of part files")
    if not out.parent.is_dir():
        raise OutputError(f"{out}: folder {out.parent} does not exist")
    if out.is_dir() and any(out.glob("part-*.parquet")):
        raise OutputError(f"{out}: already holds part files of another run; choose an empty folder or remove them")
    try:
        out.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the folder ({exc.strerror})") from None
    return out.resolve()


def _cluster(stack: ExitStack, scheduler: str | None, workers: int, limit: int) -> str:
    """The scheduler's address: the given one, or a LocalCluster's that closes with ``stack``."""
    if scheduler is not None:
        return scheduler
    from distributed import LocalCluster

    # Loopback only, and the scheduler's HTTP server on a free port: 8787 may be another cluster's.
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, memory_limit=limit,
                           host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL)
    stack.enter_context(cluster)
    return cluster.scheduler_address


def _client(address: str, timeout: float):
    from distributed import Client

    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {address} ({_one_line(exc)}); start one with "
                         "`dask scheduler` and `dask worker ADDRESS`, or leave out the address for a local cluster"
                         ) from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError):
        client.close()
        raise InputError(f"the Dask scheduler at {address} has no worker (waited {timeout:g} s); "
                         "start some with `dask worker ADDRESS`") from None
    return client


def _warm(client, address: str, ref: str, fingerprint: str, allow_paths_outside: bool) -> None:
    """Build the index on every worker now: a worker that cannot load the regime fails here, once."""
    try:
        client.run(_build_index, ref, fingerprint, allow_paths_outside)
    except ModuleNotFoundError as exc:
        raise InputError(f"the workers of {address} cannot import {exc.name}: install ceasefire there") from None


def _run(client, parts: list[Part], ref: str, fingerprint: str, allow_paths_outside: bool, out: Path | None,
         run: str, batch_rows: int, progress: Callable[[int, int], None] | None) -> list[PartResult]:
    from distributed import KilledWorker, as_completed

    futures = client.map(judge_part, parts, ref=ref, fingerprint=fingerprint,
                         allow_paths_outside=allow_paths_outside, out=str(out) if out else None,
                         run=run, batch_rows=batch_rows, pure=False)
    # The client drops each future once its result is in, so the worker drops the result too.
    pending = {f.key: (f, p) for f, p in zip(futures, parts)}
    finished = as_completed(futures, loop=client.loop)
    del futures
    results = []
    try:
        for done, future in enumerate(finished, start=1):
            _, part = pending.pop(future.key)
            try:
                results.append(future.result())
            except KilledWorker:
                raise InputError(
                    f"{part.file} rows {part.first_row + 1}–{part.first_row + part.rows}: a worker was killed "
                    f"judging them (out of memory?); lower the batch rows ({batch_rows:,}) or raise the memory limit"
                ) from None
            if progress:
                progress(done, len(parts))
    except BaseException:
        client.cancel([f for f, _ in pending.values()])
        raise
    return results


def _worker_stats(client) -> list[WorkerStats]:
    found = client.run(_stats)
    return [WorkerStats(address=a, **s) for a, s in sorted(found.items())]


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# --------------------------------------------------------------------------- on the workers

_LOCK = threading.Lock()  # tasks in threads of one worker build the index once
_CACHE: dict[tuple[str, str, bool], tuple[Regime, MonitorIndex]] = {}
_COUNTERS = {"tasks": 0, "index_builds": 0}


def _index(ref: str, fingerprint: str, allow_paths_outside: bool) -> tuple[Regime, MonitorIndex]:
    """This process's (regime, MonitorIndex), built on first use; one regime is kept at a time."""
    key = (ref, fingerprint, allow_paths_outside)
    with _LOCK:
        if key not in _CACHE:
            if _fingerprint(ref) != fingerprint:
                raise RegimeError(f"{ref}: this worker reads a different regime file than the client "
                                  "(was it changed during the run, or is the path another file here?)")
            regime = load_regime(ref, allow_paths_outside=allow_paths_outside)
            _CACHE.clear()
            _CACHE[key] = (regime, MonitorIndex.build(regime))
            _COUNTERS["index_builds"] += 1
        return _CACHE[key]


def _build_index(ref: str, fingerprint: str, allow_paths_outside: bool) -> int:
    _index(ref, fingerprint, allow_paths_outside)
    return _COUNTERS["index_builds"]  # not the index: it stays on the worker


def _stats() -> dict[str, float | int]:
    return {"peak_rss_mb": _peak_rss_mb(), "maxrss_mb": _maxrss_mb(), **_COUNTERS}


def _peak_rss_mb() -> float:
    """The process's own peak resident memory. Linux's VmHWM belongs to the address space, so it
    starts afresh at exec; ru_maxrss does not (a spawned worker inherits its parent's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _maxrss_mb()


def _maxrss_mb() -> float:
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def judge_part(part: Part, ref: str, fingerprint: str, allow_paths_outside: bool, out: str | None, run: str,
               batch_rows: int) -> PartResult:
    """Judge one part: read it in batches of at most ``batch_rows``; write its violations under ``out``
    (a hidden file the client names when every part is done) or return them."""
    started = time.perf_counter()
    regime, index = _index(ref, fingerprint, allow_paths_outside)
    counts: Counter[tuple[str, str, str]] = Counter()
    frames: list[pd.DataFrame] = []
    events = 0
    temporary = Path(out) / WRITING_NAME.format(number=part.number, run=run) if out else None
    writer: pq.ParquetWriter | None = None
    try:
        for first_row, table in _batches(part, batch_rows):
            batch = events_from_arrow(table, part.file, first_row)
            events += len(batch)
            found = judge(regime, batch, index)
            if found.empty:
                continue
            keys = found.groupby(["status", "rule", "zone"], observed=True).size()
            counts.update({tuple(str(v) for v in k): int(n) for k, n in keys.items()})
            if temporary is None:
                frames.append(found)
                continue
            violations = violations_table(found)
            if writer is None:
                writer = pq.ParquetWriter(temporary, violations.schema)
            writer.write_table(violations.cast(writer.schema))
    except BaseException:
        if writer is not None:
            writer.close()
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
    path = None
    if writer is not None:
        writer.close()
        path = str(temporary)
    with _LOCK:
        _COUNTERS["tasks"] += 1
    frame = pd.concat(frames, ignore_index=True) if frames else None
    return PartResult(part.number, events, dict(counts), frame, path, time.perf_counter() - started)


def _batches(part: Part, batch_rows: int) -> Iterator[tuple[int, pa.Table]]:
    """(first row in the file, table) of at most ``batch_rows`` rows: the row groups read together when
    they fit, else streamed (a row group larger than a batch is never decoded whole)."""
    handle = _open(part.file)
    names = set(handle.schema_arrow.names)
    columns = [c for c in MONITOR_COLUMNS if c in names] + [c for c in OPTIONAL_COLUMNS if c in names]
    if "lon" not in names:
        columns.append(GEOMETRY)
    row = part.first_row
    try:
        if part.rows <= batch_rows:
            yield row, handle.read_row_groups(list(part.row_groups), columns=columns)
            return
        for batch in handle.iter_batches(batch_size=batch_rows, row_groups=list(part.row_groups), columns=columns):
            yield row, pa.Table.from_batches([batch])
            row += batch.num_rows
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{part.file} rows {row + 1}–{part.first_row + part.rows}: cannot be read "
                         f"({_one_line(exc)})") from None


def events_from_arrow(table: pa.Table, file: str, first_row: int) -> pd.DataFrame:
    """Events as judge() gets them from the store: the store's Arrow types, as pandas Arrow dtypes
    (what :func:`ceasefire.events.events_frame` returns). ``first_row`` (0-based, in ``file``) is for
    messages."""
    if "lon" not in table.column_names:
        table = _lon_lat_from_geometry(table, file, first_row)
    columns = {}
    for name in MONITOR_COLUMNS + [c for c in OPTIONAL_COLUMNS if c in table.column_names]:
        target = OPTIONAL_COLUMNS.get(name) or EVENT_SCHEMA.field(name).type
        column = table[name]
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        try:
            if name in DATE_COLUMNS and _is_text(column.type):
                column = _parse_dates(column, name, file, first_row)
            elif pa.types.is_timestamp(column.type):
                column = column.cast(pa.date32())
            column = column.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InputError(f"{file} rows {first_row + 1}–{first_row + table.num_rows}: {name}: cannot be read "
                             f"as {target} ({_one_line(exc)})") from None
        if name in REQUIRED_VALUES and column.null_count:
            at = first_row + _first(pc.is_null(column)) + 1
            raise InputError(f"{file} row {at}: {name}: empty; every event needs one")
        columns[name] = column
    return pa.table(columns).to_pandas(types_mapper=pd.ArrowDtype)


def _parse_dates(column: pa.ChunkedArray, name: str, file: str, first_row: int) -> pa.ChunkedArray:
    try:
        return column.cast(pa.date32())  # strict, as the engine reads dates: no 2019-02-30, no 2019-2-3
    except pa.ArrowInvalid:
        pass
    # The first bad value: one that does not parse, or that parsing moved (strptime reads 02-30 as 03-02).
    text = column.cast(pa.string())
    parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    same = pc.fill_null(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), text), False)
    bad = pc.and_(pc.is_valid(text), pc.invert(same))
    if not pc.any(bad).as_py():
        raise InputError(f"{file} rows {first_row + 1}–{first_row + len(text)}: {name}: not dates; expected YYYY-MM-DD")
    i = _first(bad)
    raise InputError(f"{file} row {first_row + i + 1}: {name}: {text[i].as_py()!r} is not a date; expected YYYY-MM-DD")


def _lon_lat_from_geometry(table: pa.Table, file: str, first_row: int) -> pa.Table:
    import shapely

    wkb = table[GEOMETRY].to_numpy(zero_copy_only=False)
    try:
        points = shapely.from_wkb(wkb, on_invalid="raise")
    except shapely.errors.GEOSException as exc:
        raise InputError(f"{file} rows {first_row + 1}–{first_row + len(wkb)}: {GEOMETRY}: not WKB "
                         f"({_one_line(exc)})") from None
    not_point = np.flatnonzero((shapely.get_type_id(points) != 0) | shapely.is_empty(points))
    if not_point.size:
        i = int(not_point[0])
        got = "nothing" if points[i] is None or points[i].is_empty else f"a {points[i].geom_type}"
        raise InputError(f"{file} row {first_row + i + 1}: {GEOMETRY}: a point is needed, got {got}")
    return table.append_column("lon", pa.array(shapely.get_x(points))).append_column(
        "lat", pa.array(shapely.get_y(points)))


def _first(mask: pa.ChunkedArray | pa.Array) -> int:
    return int(np.flatnonzero(mask.to_numpy(zero_copy_only=False))[0])


def violations_table(found: pd.DataFrame) -> pa.Table:
    """Violations as Arrow with plain types, the same in every part (categories decoded, one kind of
    string), so the part files read back as one dataset."""
    table = pa.Table.from_pandas(found, preserve_index=False)
    fields = []
    for f in table.schema:
        typ = _value_type(f.type)
        if pa.types.is_large_string(typ) or pa.types.is_null(typ):
            typ = pa.string()
        fields.append(pa.field(f.name, typ))
    return table.cast(pa.schema(fields))  # pandas metadata goes: the categories are decoded
