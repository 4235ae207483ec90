"""`ceasefire report`: the report a mission publishes for a day, a week or any period (HTML, PDF, Markdown)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .common import (
    DATE,
    check_known,
    check_period,
    command,
    db_option,
    load_regime,
    note,
    open_store,
    period_options,
    regime_option,
)

FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".md": "md"}


@command()
@period_options
@click.option("--date", "day", type=DATE, default=None, help="with --period: a day of the period")
@click.option("--period", "length", type=click.Choice(["day", "week"]), default=None,
              help="the day of --date, or its week (Monday to Sunday)")
@click.option("--zone", "zones", multiple=True, help="only this zone (repeat for several)")
@regime_option
@db_option
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "md"]), default=None,
              help="[default: the -o file's suffix, else html]")
@click.option("-o", "--output", default=None, metavar="FILE|-", help="write to this file (- for standard output)")
@click.option("--plan", "plan_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="the patrol plan (ceasefire patrols plan) the --track files were driven on")
@click.option("--track", "track_paths", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="a driven track (GPX or CSV), repeat for each: patrols carried out, completion, cut short")
@click.option("--templates", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="a folder with your own report.html.j2, report.md.j2 and report.css (copy the package's)")
def report(start: dt.date | None, end: dt.date | None, day: dt.date | None, length: str | None,
           zones: tuple[str, ...], regime_name: str | None, db: Path | None, fmt: str | None, output: str | None,
           plan_path: Path | None, track_paths: tuple[Path, ...], templates: Path | None) -> None:
    """The mission's report for a period: violations by status and review against the period before, a map and
    counts per zone, a chart by day, every violation with its sources, patrols, the agreements' timeline, and how
    it was made. One self-contained HTML file, a PDF (A4, page numbers, contents), or Markdown.

    Example: ceasefire report --date 2019-05-08 --period week -o week-19.pdf
    """
    from ..report.mission import Period, build_report, driven_patrols
    from ..report.render import render_html, render_markdown, render_pdf

    period = _period(start, end, day, length)
    if bool(plan_path) != bool(track_paths):
        raise click.BadParameter("--track and --plan go together: the tracks are judged against the plan",
                                 param_hint="'--track'")
    if fmt is None:
        fmt = FORMATS.get(Path(output).suffix.lower(), "html") if output and output != "-" else "html"
    if fmt == "pdf" and (output is None or output == "-"):
        raise click.BadParameter("a PDF is a file: give -o FILE.pdf", param_hint="'-o'")
    regime = load_regime(regime_name)
    for zone in zones:
        check_known("--zone", zone, [z.id for z in regime.zones], "zone")
    tracks = driven_patrols(regime, plan_path, list(track_paths)) if track_paths else None
    built = build_report(open_store(db), regime, Period(*period), list(zones), tracks)
    options = {"templates_dir": templates} if templates else {}
    if fmt == "pdf":
        data: bytes | str = render_pdf(built, regime, **options)
    elif fmt == "md":
        data = render_markdown(built, regime, **options)
    else:
        data = render_html(built, regime, **options)
    if output is None or output == "-":
        click.echo(data)
        return
    path = Path(output)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    note(f"report of {built.period.label()}: {built.total:,} violations, {len(built.zones)} zone(s) → {path}")


def _period(start: dt.date | None, end: dt.date | None, day: dt.date | None,
            length: str | None) -> tuple[dt.date, dt.date]:
    from ..report.mission import Period

    if day or length:
        if start or end:
            raise click.BadParameter("give --from/--to, or --date with --period, not both", param_hint="'--date'")
        if not (day and length):
            raise click.BadParameter("--date and --period go together (--date 2019-05-08 --period week)",
                                     param_hint="'--period'")
        chosen = Period.of(day, length)
        return chosen.start, chosen.end
    if not (start and end):
        raise click.BadParameter("give the period: --from D --to D, or --date D --period day|week",
                                 param_hint="'--from'")
    check_period(start, end)
    if (end - start).days > 366:
        raise click.BadParameter("a report covers at most a year", param_hint="'--to'")
    return start, end


def register(main: click.Group) -> None:
    main.add_command(report)
