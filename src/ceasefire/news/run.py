"""`ceasefire read` as one library call: articles → events → the store, the bad articles kept aside.

The events read and the articles kept aside are written in one transaction: the store holds both
or neither. A re-run of the same input adds nothing (events are upserted by id, a kept-aside
article is filed once under its file, line, field and excerpt). The command's whole body::

    from ceasefire.news import read_news

    regime = load_regime(regime_name)
    run = read_news(source, regime, conn=open_store(db) if store else None,
                    report_path=Path(report) if report else None, store=store)
    for line in run.lines():          # per article, per merged event, then the ingest summary
        click.echo(line)
    for line in run.problem_lines():  # "kept aside: /…/a.jsonl:3: json: an article is a JSON object, got an array"
        note(line)

When no article at all can be read, ``read_news`` raises InputError ("<source>: no article could
be read: …") and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import CeasefireError, InputError, OutputError, StoreError

# The very upsert and row conversion an events ingest uses, so a news event is written as any other.
from ..events.ingest import IngestResult
from ..regime.models import Regime
from ..store import Store, connect
from .article import ArticleProblem, _excerpt, read_articles
from .extract import NewsEvent
from .pipeline import events_table, merge_across, read_article, write_report
from .places import regime_places

PROBLEMS_IN_MESSAGE = 3  # how many unreadable articles the "no article could be read" error names


@dataclass
class NewsRun:
    """What one run read: per-article results, merged events, the articles kept aside, the ingest."""

    source: str
    results: list[dict[str, Any]]  # read_article's output, one an article
    merged: list[NewsEvent]
    problems: list[ArticleProblem] = field(default_factory=list)
    ingest: IngestResult | None = None  # None when not stored

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
                         + (f"  ({len(e.sources)} sources)" if len(e.sources) > 1 else ""))
        return lines

    def problem_lines(self) -> list[str]:
        return [f"kept aside: {p}" for p in self.problems]

    def lines(self) -> list[str]:
        """Standard output, as the command has always printed it: articles, events, the ingest summary."""
        return self.article_lines() + self.event_lines() + ([self.ingest.summary()] if self.ingest else [])


def read_news(source: str | Path, regime: Regime | None = None, conn: Store | None = None,
              report_path: Path | str | None = None, store: bool = True,
              published: dt.date | None = None) -> NewsRun:
    """Read the articles of ``source`` (a .txt/.html/.jsonl file, a folder, or '-') into events.

    An article that cannot be read is kept aside (``run.problems``; in the store's quarantine,
    filed under its own file and line) and the others are read. ``store``: write events and
    problems in one transaction to ``conn`` (None: the default store, opened and closed here).
    ``report_path``: also write the extraction report (.json, else Markdown). ``published``: the publication
    date of the articles that do not give one (a file, a JSONL line or an HTML page that names none).

        run = read_news("articles/", load_regime("syria-northwest"), conn=connect("events.sqlite"))
        print("\\n".join(run.lines() + run.problem_lines()))
    """
    problems: list[ArticleProblem] = []
    results = []
    with regime_places(regime) if regime is not None else nullcontext():  # villages the regime names
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
        target = conn if conn is not None else connect()
        try:
            run.ingest = write_news(target, str(source), events_table(run.merged, regime), problems)
        finally:
            if conn is None:
                target.close()
    if report_path:
        try:
            write_report(Path(report_path), results, run.merged, problems)
        except OSError as exc:
            raise OutputError(f"{report_path}: cannot write the report ({exc.strerror or exc})") from None
    return run


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
    reader keeps apart but that get one id (same sources, kind, day and place) are written once.
    """
    result = IngestResult(f"news from {source}", "news")
    events, result.duplicates = _first_of_each_id(events)
    try:
        with store.writer(f"news:{source}", "news", None) as writer:
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
