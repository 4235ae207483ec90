"""`ceasefire read`: news articles into sourced, geolocated events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .common import DATE, command, db_option, load_regime, note, open_store, output_path, regime_option


@command()
@click.argument("source")
@regime_option
@db_option
@click.option("-o", "--output", "report_path", default=None, metavar="FILE",
              help="the extraction report: .md for people, .json for programs")
@click.option("--report", "report_alias", default=None, hidden=True)  # the name before -o, kept working
@click.option("--store/--no-store", default=True, show_default=True, help="write the events to the store")
@click.option("--published", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="the publication date of articles that give none (a JSONL line's own date comes first)")
@click.option("--background", is_flag=True, default=False,
              help="store the background events too (what an article recalls: earlier facts, context); "
                   "they are printed and reported either way")
def read(source: str, regime_name: str | None, db: Path | None, report_path: str | None, report_alias: str | None,
         store: bool, published: dt.date | None, background: bool) -> None:
    """Read news articles (a .txt/.html/.jsonl file, a folder, or - for stdin) into sourced, geolocated events.

    A report of an event the store holds from an earlier run (same kind, dates within a day, places within
    10 km, actors in common) is added to it as a source; an article read again changes nothing.

    Example: ceasefire read articles.jsonl -o report.md
    """
    from ..news import read_news

    report = report_path or report_alias
    output_path(report)
    run = read_news(source, load_regime(regime_name), conn=open_store(db) if store else None,
                    report_path=Path(report) if report else None, store=store, published=published,
                    background=background)
    for line in run.lines():
        click.echo(line)
    for line in run.problem_lines():
        note(line)
    if run.background_left:
        note(f"{run.background_left} background event(s) not stored (--background stores them)")
    if report:
        note(f"report → {report}")


def register(main: click.Group) -> None:
    main.add_command(read)
