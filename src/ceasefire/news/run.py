"""`ceasefire read` as one library call: articles → events → the store, the bad articles kept aside.

The events read and the articles kept aside are written in one transaction: the store holds both
or neither. A re-run of the same input adds nothing (events are upserted by id, a kept-aside
article is filed once under its file, line, field and excerpt).

One event, many reports, across runs: a report of an event the store already holds from an
earlier run (same kind, dates within a day, points within 10 km, actors overlapping or unknown on
one side — the rules :func:`~.pipeline.same_event` applies within a run) is added to that event as
one more source; it keeps its id and everything else, but a more precise date. Each stored news
event names its sources' keys (``raw["source_keys"]``: an article's URL, else a hash of its words),
so an article read again, under any file name, changes nothing.

Background events (what an article recalls: earlier facts, context) are reported but stored only
with ``background=True``. The command's whole body::

    from ceasefire.news import read_news

    regime = load_regime(regime_name)
    run = read_news(source, regime, conn=open_store(db) if store else None,
                    report_path=Path(report) if report else None, store=store, background=background)
    for line in run.lines():          # per article, per merged event, then the ingest summary
        click.echo(line)
    for line in run.problem_lines():  # "kept aside: /…/a.jsonl:3: json: an article is a JSON object, got an array"
        note(line)

When no article at all can be read, ``read_news`` raises InputError ("<source>: no article could
be read: …") and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import CeasefireError, InputError, OutputError, StoreError

# The very upsert and row conversion an events ingest uses, so a news event is written as any other.
from ..events.schema import COLUMNS, EVENT_SCHEMA
from ..regime.models import Regime
from .article import ArticleProblem, _excerpt, read_articles
from .extract import NewsEvent
from .pipeline import (MERGE_KM, date_text, distance_km, events_table, merge_across, precision_rank, read_article,
                       same_kind, write_report)
from .places import regime_places

if TYPE_CHECKING:  # the store (and pandas under it) is imported when a run writes to it
    from ..events.ingest import IngestResult
    from ..store import Store

PROBLEMS_IN_MESSAGE = 3  # how many unreadable articles the "no article could be read" error names
SOURCE = "news"  # the ``source`` of the events the reader stores
# The store is asked for earlier events in at most this many date windows a run: one window per stretch of
# dates the run's events cover, the closest stretches joined when there are more.
STORE_QUERIES = 8


@dataclass
class NewsRun:
    """What one run read: per-article results, merged events, the articles kept aside, the ingest."""

    source: str
    results: list[dict[str, Any]]  # read_article's output, one an article
    merged: list[NewsEvent]
    problems: list[ArticleProblem] = field(default_factory=list)
    ingest: IngestResult | None = None  # None when not stored
    background_left: int = 0  # background events reported but not stored (``background=False``)

    def article_lines(self) -> list[str]:
        return [f"{r['article'].id}: published {r['published'] or 'unknown'} ({r['published_source'] or '—'}), "
                f"{len(r['events'])} event(s), {len(r['context']['places'])} place mention(s)" for r in self.results]

    def event_lines(self) -> list[str]:
        lines = []
        for e in self.merged:
            where = ", ".join(p.name for p in e.places) or "?"
            who = "+".join(e.actors) or "?"
            claim = f" — claimed by {e.claimant['name']}" if e.claimant else ""
            via = f" via {e.channel}" if e.channel else ""
            when = f"{e.date} ({e.date_precision})" if e.date else "undated"
            lines.append(f"  {when}  {e.kind:12s} {where} [{who}]{claim}{via}"
                         + (f"  ({len(e.sources)} sources)" if len(e.sources) > 1 else "")
                         + ("  (background)" if e.role == "background" else ""))
        return lines

    def problem_lines(self) -> list[str]:
        return [f"kept aside: {p}" for p in self.problems]

    def lines(self) -> list[str]:
        """Standard output, as the command has always printed it: articles, events, the ingest summary."""
        return self.article_lines() + self.event_lines() + ([self.ingest.summary()] if self.ingest else [])


def read_news(source: str | Path, regime: Regime | None = None, conn: Store | None = None,
              report_path: Path | str | None = None, store: bool = True,
              published: dt.date | None = None, background: bool = False) -> NewsRun:
    """Read the articles of ``source`` (a .txt/.html/.jsonl file, a folder, or '-') into events.

    An article that cannot be read is kept aside (``run.problems``; in the store's quarantine,
    filed under its own file and line) and the others are read. ``store``: write events and
    problems in one transaction to ``conn`` (None: the default store, opened and closed here).
    ``report_path``: also write the extraction report (.json, else Markdown). ``published``: the publication
    date of the articles that do not give one (a file, a JSONL line or an HTML page that names none).
    ``background``: store the background events too (they are in ``run.merged`` and the report either way).

        run = read_news("articles/", load_regime("syria-northwest"), conn=connect("events.sqlite"))
        print("\\n".join(run.lines() + run.problem_lines()))
    """
    problems: list[ArticleProblem] = []
    results = []
    # the villages the regime names are in the gazetteer while its articles are read
    with regime_places(regime) if regime is not None else nullcontext(), _fewer_collections():
        for article in read_articles(source, problems):
            if published is not None and article.published is None:
                article.published, article.published_source, article.published_precision = published, "input", "day"
            try:
                results.append(read_article(article))
            except CeasefireError as exc:  # e.g. a zone the base data cannot draw: this article's, not the run's
                problems.append(ArticleProblem(article.file or str(source), article.line, "text", str(exc),
                                               _excerpt(article.text)))
    if not results:
        raise InputError(f"{source}: no article could be read: {_why_nothing(source, problems)}")
    run = NewsRun(str(source), results, merge_across(results), problems)
    if store:
        kept = [e for e in run.merged if background or e.role == "main"]
        run.background_left = len(run.merged) - len(kept)
        from ..store import connect

        target = conn if conn is not None else connect()
        try:
            run.ingest = write_news(target, str(source), events_table(kept, regime), problems)
        finally:
            if conn is None:
                target.close()
    if report_path:
        try:
            write_report(Path(report_path), results, run.merged, problems)
        except OSError as exc:
            raise OutputError(f"{report_path}: cannot write the report ({exc.strerror or exc})") from None
    return run


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """A run keeps every article's mentions and events until it ends: millions of small objects that the
    garbage collector, at its default thresholds, would scan again and again (about a tenth of the time on
    1,000 articles). Collections are rarer while reading, not off."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _why_nothing(source: str | Path, problems: list[ArticleProblem]) -> str:
    if not problems:
        return "no .txt, .html, .htm or .jsonl file in it"
    folder = str(source) != "-" and Path(source).is_dir()
    shown = [f"{Path(p.file).name + ':' if folder else 'line '}{p.line}: {p.field}: {p.reason}"  # as the user named it
             for p in problems[:PROBLEMS_IN_MESSAGE]]
    more = len(problems) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more else "")


def write_news(store: Store, source: str, events: pa.Table,
               problems: list[ArticleProblem]) -> IngestResult:
    """Upsert ``events`` and quarantine ``problems`` in one transaction, recorded as one ingest.

    Counts as an events ingest does: ``read`` = event rows + articles kept aside. Two events the
    reader keeps apart but that get one id (same sources, kind, day and place) are written once,
    as are two reports of one event the store holds. A report of an event the store holds from an
    earlier run is added to it (:func:`add_to_stored`): that event counts as updated, or unchanged
    when it has the report's sources already.
    """
    from ..events.ingest import IngestResult

    result = IngestResult(f"news from {source}", "news")
    events, result.duplicates = _first_of_each_id(events)
    try:
        with store.writer(f"news:{source}", "news", None) as writer:
            # read under the write lock: an ingest writing the same event meanwhile is seen, not duplicated
            events, folded = add_to_stored(store, events)
            result.duplicates += folded
            writer.add(events)
            writer.keep_aside([(p.file, p.line, p.field, p.reason, p.raw) for p in problems])
            result.read = events.num_rows + len(problems)
            result.quarantined = len(problems)
            result.record(writer.finish(result.read, result.quarantined))
    except StoreError as exc:
        raise StoreError(f"news from {source}: the store refused the ingest ({exc}); nothing was written") from None
    return result


def _first_of_each_id(events: pa.Table) -> tuple[pa.Table, int]:
    ids = events["event_id"].to_pylist()
    first = {event_id: i for i, event_id in reversed(list(enumerate(ids)))}
    if len(first) == len(ids):
        return events, 0
    keep = sorted(first.values())
    return events.take(pa.array(keep)), len(ids) - len(keep)


# --------------------------------------------------------------------------- one event, many reports, across runs


def add_to_stored(store: Store, events: pa.Table) -> tuple[pa.Table, int]:
    """Each row that reports an event the store holds (news, the same by :func:`_same`) becomes that stored
    row with the report added (:func:`_add_report`); the others are left as they are. Returns the rows to
    write and how many rows were folded into a stored row another row of this run also went to.

    Only the store's events of the rows' date windows (a day either side) are read."""
    rows = events.to_pylist()
    stored = _stored_near(store, rows)
    if not stored:
        return events, 0
    out: list[dict[str, Any]] = []
    taken: set[str] = set()  # stored events already in ``out``
    for row in rows:
        facts = _facts(row)
        report = _Report(row, facts) if facts is not None else None
        target = _best_match(report, stored) if report is not None else None
        if report is None or target is None:
            out.append(row)
            continue
        _add_report(target, report)
        if target.row["event_id"] not in taken:
            taken.add(target.row["event_id"])
            out.append(target.row)
    return pa.Table.from_pylist(out, schema=EVENT_SCHEMA), len(rows) - len(out)


@dataclass
class _Report:
    """A news row and its raw JSON, read once (kind, actors, sources, source_keys …)."""

    row: dict[str, Any]
    facts: dict[str, Any]


def _stored_near(store: Store, rows: list[dict[str, Any]]) -> list[_Report]:
    """The stored news events within a day and MERGE_KM of a row (or of its id), each once.

    Two reads: the rows' date windows without ``raw`` (a store's raw is most of its bytes: other sources'
    input lines), then whole rows only in the windows of the few events that came close."""
    light = ["event_id", "source", "date", "date_end", "lat", "lon"]
    close: dict[str, dict[str, Any]] = {}
    for start, end in _windows(rows):
        table = store.events(start, end, columns=light)
        for old in table.filter(pc.equal(table["source"], SOURCE)).to_pylist():
            if old["event_id"] not in close and any(_near(row, old) for row in rows):
                close[old["event_id"]] = old
    found: dict[str, _Report] = {}
    for start, end in _windows(list(close.values())) if close else []:
        table = store.events(start, end, columns=COLUMNS)
        table = table.filter(pc.is_in(table["event_id"], pa.array(list(close), pa.string())))
        for old in table.to_pylist():
            facts = _facts(old)
            if facts is not None:
                found[old["event_id"]] = _Report(old, facts)
    return list(found.values())


def _near(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """The same id, or dates within a day and points within MERGE_KM: what :func:`_same` asks but kind and
    actors (in raw, not read yet)."""
    if new["event_id"] == old["event_id"]:
        return True
    if (old["date"] - new["date_end"]).days > 1 or (new["date"] - old["date_end"]).days > 1:
        return False
    return distance_km((new["lat"], new["lon"]), (old["lat"], old["lon"])) <= MERGE_KM


def _windows(rows: list[dict[str, Any]]) -> list[tuple[dt.date, dt.date]]:
    """The dates the rows' events may share with a stored one, as at most STORE_QUERIES windows: overlapping
    windows joined, then the closest ones while there are too many."""
    day = dt.timedelta(days=1)
    spans = sorted((r["date"] - day, r["date_end"] + day) for r in rows)
    windows: list[list[dt.date]] = []
    for start, end in spans:
        if windows and start <= windows[-1][1] + day:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    while len(windows) > STORE_QUERIES:
        i = min(range(len(windows) - 1), key=lambda k: windows[k + 1][0] - windows[k][1])
        windows[i:i + 2] = [[windows[i][0], max(windows[i][1], windows[i + 1][1])]]
    return [(start, end) for start, end in windows]


def _facts(row: dict[str, Any]) -> dict[str, Any] | None:
    """A news row's raw JSON; None for a row the reader did not write (a CSV ingested under the source name
    "news" has its input line in raw)."""
    try:
        raw = json.loads(row["raw"])
    except (TypeError, ValueError):
        return None
    return raw if isinstance(raw, dict) and isinstance(raw.get("kind"), str) else None


def _keys(facts: dict[str, Any]) -> list[str]:
    """What identifies an event's sources: their keys (URL, else a hash of the words); the labels for a row
    written before events named their keys."""
    return list(facts.get("source_keys") or facts.get("sources") or [])


def _same(new: _Report, old: _Report) -> bool:
    """:func:`~.pipeline.same_event` on two rows: same kind, periods within a day, points within MERGE_KM,
    actors (party ids) overlapping or unknown on one side."""
    if not same_kind(new.facts["kind"], new.facts.get("status"), old.facts["kind"], old.facts.get("status")):
        return False
    if not _near(new.row, old.row):
        return False
    actors_a, actors_b = set(new.facts.get("actors") or []), set(old.facts.get("actors") or [])
    return not (actors_a and actors_b and not actors_a & actors_b)


def _best_match(new: _Report, stored: list[_Report]) -> _Report | None:
    """The stored event this row reports: the one of its own id (the same sources read again), else the
    closest in time, then in space, of those :func:`_same` accepts."""
    row = new.row
    same_id = next((s for s in stored if s.row["event_id"] == row["event_id"]), None)
    if same_id is not None:
        return same_id
    return min((s for s in stored if _same(new, s)),
               key=lambda s: (abs((s.row["date"] - row["date"]).days),
                              distance_km((row["lat"], row["lon"]), (s.row["lat"], s.row["lon"])), s.row["event_id"]),
               default=None)


def _add_report(target: _Report, new: _Report) -> None:
    """Add ``new``'s report to the stored event ``target`` (in place): its sources (labels and keys, no
    duplicates) and its date when more precise; the rest of ``target`` is kept. A report whose sources the
    event has already changes nothing."""
    old, row, facts = target.row, new.row, target.facts
    if row["event_id"] == old["event_id"]:
        return  # same sources, kind, day and place: this very report is stored
    keys = _keys(facts)
    added = [k for k in _keys(new.facts) if k not in keys]
    if not added:
        return
    labels = list(facts.get("sources") or [])
    new_labels = [s for s in new.facts.get("sources") or [] if s not in labels]
    # the sources text is the labels, then "via …" and "claimed by …": those stay after the labels
    others = [p for p in (old["sources"] or "").split("; ") if p and p not in labels]
    facts["sources"], facts["source_keys"] = labels + new_labels, keys + added
    old["sources"] = "; ".join(labels + new_labels + others) or None
    if precision_rank(row["date_precision"]) < precision_rank(old["date_precision"]):  # the most precise date kept
        for name in ("date", "date_end", "date_precision"):
            old[name] = row[name]
        facts["date"], facts["date_precision"] = date_text(row["date"], row["date_precision"]), row["date_precision"]
    old["raw"] = json.dumps(facts, ensure_ascii=False, default=str)
