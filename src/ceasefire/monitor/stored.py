"""Verdicts kept in the store: judged once per event and regime, read by every listing.

A store holds the verdicts of a regime under the regime's content hash and the monitor's version
(:func:`regime_hash`, :func:`engine_version`), with the last ingest whose events were judged. Bringing
them up to date (:func:`bring_up_to_date`) judges only what changed since: after an ingest, the
events it added or rewrote; after a change to the regime (or to the monitor), every event, with a
progress bar. `violations`, `summary`, the API and the map read the stored verdicts
(:func:`listing`), filtered in the store, with each verdict's current human review beside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pyarrow as pa

from ..regime.models import Regime
from ..store import Reach, Store
from ..store.records import LISTED_SCHEMA, STATUSES, VERDICT_COLUMNS, VERDICT_SCHEMA, Judgment, VerdictFilter

JUDGE_BATCH = 100_000  # events judged at once: memory follows the batch, not the store
# The code whose output a verdict is: a change to any of it makes a new engine version, and the
# stored verdicts are judged again.
ENGINE_SOURCES = ("monitor", "zones", "geodata", "regime", "events/taxonomy.py")


def regime_hash(regime: Regime) -> str:
    """A hash of what the regime says and of the geometry its expressions evaluate to (``file:`` maps,
    the ground), and of the shipped base data they draw on."""
    from ..geodata.basedata import data_version
    from ..zones.timeline import expression_of, regime_evaluator

    evaluator = regime_evaluator(regime, [])
    expressions = [evaluator.key(expression_of(z)) for z in regime.zones]
    expressions += [evaluator.key(c.area.model_dump(by_alias=True, exclude_none=True)) for c in regime.control]
    text = json.dumps([regime.model_dump(mode="json", by_alias=True), expressions, data_version()], sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


_engine_version: str | None = None


def engine_version() -> str:
    """The package version and a digest of the judging code."""
    global _engine_version
    if _engine_version is None:
        root = Path(__file__).resolve().parents[1]
        digest = hashlib.sha256()
        for name in ENGINE_SOURCES:
            for path in sorted((root / name).rglob("*.py")) if (root / name).is_dir() else [root / name]:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
        try:
            version = metadata.version("ceasefire")
        except metadata.PackageNotFoundError:
            version = "unknown"
        _engine_version = f"{version}+{digest.hexdigest()[:12]}"
    return _engine_version


def current(store: Store, regime: Regime, key: str | None = None) -> tuple[Judgment | None, bool]:
    """The store's judgment of this regime and monitor, and whether it covers every ingest. ``key``: the
    regime's hash, when the caller knows it (a server computes it once)."""
    judgment = store.judgment(key or regime_hash(regime), engine_version())
    return judgment, judgment is not None and judgment.through_ingest >= store.last_ingest_id()


def bring_up_to_date(store: Store, regime: Regime, progress: bool | None = None,
                     echo: Callable[[str], None] | None = None, key: str | None = None) -> Judgment:
    """Judge what the stored verdicts do not cover yet: the events of later ingests, or every event when the
    regime or the monitor changed. One transaction: a judgment cut short leaves the last one whole."""
    import pandas as pd

    from ..events import MONITOR_COLUMNS
    from . import MonitorIndex, judge

    key, version = key or regime_hash(regime), engine_version()
    through = store.last_ingest_id()
    judgment = store.judgment(key, version)
    if judgment is not None and judgment.through_ingest >= through:
        return judgment
    fresh = judgment is None
    after = None if fresh else judgment.through_ingest
    index = MonitorIndex.build(regime)
    # Every event is judged afresh only where it may meet a zone; a re-judged event must be read wherever it
    # now lies, so that verdicts it no longer earns go.
    reach = Reach(index.place.reach("edge"), index.place.reach("near")) if fresh else None
    bar = _bar(store.count("events") if fresh else None, progress,
               f"judging {regime.id}" + ("" if fresh else " (new and changed events)"))
    judged = 0
    try:
        with store.judge_into(regime.id, key, version, through, fresh) as writer:
            for batch in store.event_batches(columns=MONITOR_COLUMNS, rows=JUDGE_BATCH, reach=reach,
                                             after_ingest=after):
                verdicts = judge(regime, batch.to_pandas(types_mapper=pd.ArrowDtype), index)
                writer.replace([] if fresh else batch["event_id"].to_pylist(), to_arrow(verdicts))
                judged += len(batch)
                bar.update(len(batch))
    finally:
        bar.close()
    judgment = store.judgment(key, version)
    assert judgment is not None
    if echo is not None:
        echo(f"judged {judged:,} {'events' if fresh else 'new or changed events'} against {regime.id}: "
             f"{judgment.verdicts:,} verdicts stored")
    return judgment


def _bar(total: int | None, enabled: bool | None, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, unit=" events", unit_scale=True, desc=desc, file=sys.stderr, leave=False,
                disable=enabled is False or (enabled is None and not sys.stderr.isatty()))


def to_arrow(verdicts) -> pa.Table:
    """The monitor's verdict frame as stored (VERDICT_SCHEMA)."""
    if not len(verdicts):
        return VERDICT_SCHEMA.empty_table()
    arrays = []
    for field in VERDICT_SCHEMA:
        column = verdicts[field.name]
        if str(column.dtype) == "category":
            column = column.astype(object)
        array = pa.array(column, from_pandas=True)
        arrays.append(array if array.type == field.type else array.cast(field.type))
    return pa.Table.from_arrays(arrays, schema=VERDICT_SCHEMA)


def listing(store: Store, judgment: Judgment, where: VerdictFilter | None = None, limit: int | None = None,
            offset: int = 0):
    """Stored verdicts with their current review as a pandas frame, oldest first."""
    import pandas as pd

    table = store.stored_verdicts(judgment.judgment_id, where, limit, offset)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def unstored_listing(verdicts) -> object:
    """Verdicts judged in memory (a store that cannot be written) in the listing's columns: no reviews."""
    frame = verdicts.reindex(columns=[*VERDICT_COLUMNS, *LISTED_SCHEMA.names[len(VERDICT_COLUMNS):]])
    return frame


def review_verdict(store: Store, regime: Regime, event_id: str, rule: str, zone: str, review: str, note: str,
                   reviewer: str, key: str | None = None) -> dict:
    """An analyst's review of one stored verdict (the verdicts are brought up to date first)."""
    from ..errors import InputError
    from ..store.records import REVIEWS

    if review not in REVIEWS:
        raise InputError(f"review: one of {', '.join(REVIEWS)}, got {review!r}")
    judgment = bring_up_to_date(store, regime, progress=False, key=key)
    done = store.add_review(judgment.judgment_id, event_id, rule, zone, review, note, reviewer)
    if done is None:
        raise InputError(f"no verdict of {regime.id} on event {event_id} under rule {rule} in zone {zone}: "
                         "`ceasefire violations` lists them")
    return done


def verdicts_by_day(store: Store, judgment_id: int, where: VerdictFilter, first: dt.date | None = None,
                    last: dt.date | None = None, max_days: int | None = None) -> list[dict]:
    """Verdicts counted by day and status, every day of [first, last] with its zeros (an open end: the data's).
    A verdict whose dates begin before ``first`` counts on ``first``, so the days add up to the count of the
    same filter. More than ``max_days`` days: ValueError."""
    counted: dict[str, dict[str, int]] = {}
    for day, status, n in store.verdict_counts(judgment_id, where, by=("date", "status")):
        if first is not None and day < first.isoformat():
            day = first.isoformat()
        counted.setdefault(day, {})
        counted[day][status] = counted[day].get(status, 0) + int(n)
    if counted:
        first = first or dt.date.fromisoformat(min(counted))
        last = last or dt.date.fromisoformat(max(counted))
    if first is None or last is None:
        return []
    if max_days is not None and (last - first).days > max_days:
        raise ValueError(f"{(last - first).days + 1} days")
    days = (first + dt.timedelta(days=k) for k in range((last - first).days + 1))
    return [{"date": d.isoformat(), **{s: counted.get(d.isoformat(), {}).get(s, 0) for s in STATUSES}} for d in days]
