"""The `ceasefire` command line: a thin face over the library; every error is one line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from .errors import CeasefireError

DATE = click.DateTime(formats=["%Y-%m-%d"])


class CeasefireGroup(click.Group):
    """Turns library errors into one line on stderr and exit status 1 — never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CeasefireError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


def regime_option(f: Any) -> Any:
    return click.option("--regime", "regime_name", default="syria-northwest", show_default=True,
                        help="a built-in regime's name or a regime YAML file")(f)


class When(click.ParamType):
    """A date (2020-03-06) or a date and time (2020-03-06T07:30, local to the regime, or with an offset)."""

    name = "when"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from .regime.clock import parse_when

        if isinstance(value, (dt.date, dt.datetime)):
            return value
        try:
            return parse_when(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def at_option(f: Any) -> Any:
    return click.option("--at", "at", type=When(), required=True,
                        help="a date (YYYY-MM-DD) or a local date and time (YYYY-MM-DDTHH:MM[+HH:MM])")(f)


@click.group(cls=CeasefireGroup)
@click.version_option(package_name="ceasefire")
def main() -> None:
    """Run a ceasefire regime as software: zones, rules, events and violations.

    Example: ceasefire zones --regime syria-northwest --at 2019-03-08 --format geojson
    """


# --------------------------------------------------------------------------- regime


@main.group()
def regime() -> None:
    """List, show, validate regimes and print their JSON Schema.

    Example: ceasefire regime validate my-regime.yaml
    """


@regime.command("list")
def regime_list() -> None:
    """List the built-in regimes.

    Example: ceasefire regime list
    """
    from .regime import builtin_regimes, load_regime

    for name in builtin_regimes():
        r = load_regime(name)
        click.echo(f"{name}\t{r.name}\t{len(r.agreements)} agreements, {len(r.zones)} zones, {len(r.rules)} rules")


@regime.command("show")
@click.argument("name")
def regime_show(name: str) -> None:
    """Show a regime's agreements, zones (with their dates) and rules.

    Example: ceasefire regime show syria-northwest
    """
    from .regime import load_regime

    r = load_regime(name)
    from .zones.ground import describe_crs, ground_of

    crs = ground_of(r).crs
    click.echo(f"{r.name} ({r.id}; times in {r.timezone}; computed in {describe_crs(crs)}, {crs})\n")
    click.echo("Agreements:")
    for a in r.agreements:
        click.echo(f"  {a.signed}  {a.id:20s} {a.title}")
    click.echo("\nZones:")
    for z in r.zones:
        until = z.valid_to.isoformat() if z.valid_to else "…"
        approx = " [approximate]" if z.approximate else ""
        click.echo(f"  {z.valid_from} → {until:10s} {z.id:14s} {z.name}{approx}")
        if z.end_note:
            click.echo(f"      ended: {z.end_note}")
    click.echo("\nRules:")
    for rule in r.rules:
        until = f" until {rule.until}" if rule.until else ""
        click.echo(f"  from {rule.from_}{until}  {rule.id:20s} in {', '.join(rule.zones)}: {rule.summary}")
        for suspension in rule.suspensions:
            click.echo(f"      suspended from {suspension.from_} to {suspension.until or '…'}: {suspension.reason}")
        sides = [f"between {' and '.join(rule.between)}" if rule.between else "",
                 f"by {', '.join(rule.by)}" if rule.by else "", f"against {', '.join(rule.against)}" if rule.against else "",
                 *(f"except against {', '.join(e.against)}" for e in rule.exceptions)]
        if any(sides):
            click.echo(f"      {'; '.join(x for x in sides if x)}")
    for umbrella in r.umbrellas:
        click.echo(f"  (the actor name {umbrella.actor!r} may include: {', '.join(umbrella.may_include)})")
    click.echo("\nPatrol mandates:")
    for m in r.patrols:
        where = m.zone or f"{m.road} {m.from_place}–{m.to_place}"
        click.echo(f"  from {m.valid_from}  {m.id:22s} {'+'.join(m.forces)} {m.kind} {m.role} ({where})")


@regime.command("validate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def regime_validate(path: Path) -> None:
    """Check a regime file, computing every zone; print what it holds or one error per problem.

    Example: ceasefire regime validate my-regime.yaml
    """
    from .regime import load_regime
    from .zones import regime_shapes

    r = load_regime(path, check_geometry=True)
    shapes = regime_shapes(r)
    click.echo(f"{path}: valid — {len(r.agreements)} agreements, {len(r.zones)} zones "
               f"({', '.join(f'{k} {v.area_km2:.0f} km²' for k, v in shapes.items())}), {len(r.rules)} rules")


@regime.command("schema")
def regime_schema() -> None:
    """Print the JSON Schema of regime files.

    Example: ceasefire regime schema > regime.schema.json
    """
    from .regime import Regime

    click.echo(json.dumps(Regime.model_json_schema(by_alias=True), indent=2))


# --------------------------------------------------------------------------- zones


@main.command()
@regime_option
@at_option
@click.option("--format", "fmt", type=click.Choice(["table", "geojson", "gpkg"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write to this file")
def zones(regime_name: str, at: dt.date, fmt: str, output: Path | None) -> None:
    """The zones in force at a date (any moment of it) or an instant, as a table, GeoJSON (RFC 7946) or GeoPackage.

    Example: ceasefire zones --regime syria-northwest --at 2019-03-08 --format geojson -o zones.geojson
    """
    from .regime import load_regime
    from .report.geojson import to_geojson
    from .zones import zones_at, zones_frame

    r = load_regime(regime_name)
    frame = zones_frame(zones_at(r, at))
    if fmt == "gpkg":
        if output is None:
            raise click.UsageError("--format gpkg needs -o FILE")
        frame.to_file(output, driver="GPKG", layer="zones")
        click.echo(f"{len(frame)} zones → {output}", err=True)
        return
    if fmt == "geojson":
        text = to_geojson(frame)
    elif frame.empty:
        text = f"no zone of {r.id} is in force at {at.isoformat()}"
    else:
        text = frame.drop(columns=["geometry", "method", "end_note"]).to_string(index=False)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"{len(frame)} zones → {output}", err=True)
    else:
        click.echo(text)


@main.command(context_settings={"ignore_unknown_options": True})  # "-74.5" is a longitude, not an option
@click.argument("lon", type=float)
@click.argument("lat", type=float)
@regime_option
@at_option
def where(lon: float, lat: float, regime_name: str, at: dt.date) -> None:
    """The zones and rules in force at a point (longitude, latitude) on a date or at a local time.

    Example: ceasefire where 36.63 35.93 --at 2020-03-06T00:30
    """
    from .regime import load_regime
    from .zones import rules_for, zones_containing
    from .zones.timeline import control_at, rule_suspension_at

    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise click.BadParameter(f"({lon}, {lat}) is not a longitude, latitude pair")
    r = load_regime(regime_name)
    day = at.isoformat(sep=" ", timespec="minutes") if isinstance(at, dt.datetime) else at.isoformat()
    found = zones_containing(r, lon, lat, at)
    if not found:
        held = control_at(r, lon, lat, at)
        since = f", on ground held by {held.held_by} since {held.at} ({held.source})" if held else ""
        click.echo(f"({lon}, {lat}) at {day}: in no zone of {r.id}{since}")
        return
    click.echo(f"({lon}, {lat}) at {day} ({r.timezone}):")
    held = control_at(r, lon, lat, at)
    if held is not None:
        click.echo(f"  on ground held by {held.held_by} since {held.at} ({held.source})")
    for shape in found:
        z = shape.zone
        agreement = r.agreement(z.established_by)
        click.echo(f"  zone {z.id}: {z.name} — {agreement.title}, {agreement.signed}"
                   + (" [approximate]" if z.approximate else ""))
    rules = rules_for(r, [s.zone.id for s in found], at)
    click.echo("  rules in force:" if rules else "  no rule in force")
    for rule in rules:
        agreement = r.agreement(rule.agreement)
        until = f"; until {rule.until}" if rule.until else ""
        click.echo(f"    {rule.id}: {rule.summary} ({agreement.short or agreement.title}, {rule.provision}{until})")
    zone_ids = {s.zone.id for s in found}
    for rule in r.rules:
        suspension = rule_suspension_at(rule, at, r.timezone)
        if suspension is not None and zone_ids & set(rule.zones):
            resumed = f" to {suspension.until}" if suspension.until else " (not resumed)"
            click.echo(f"    {rule.id}: suspended from {suspension.from_}{resumed} — {suspension.reason}")


# --------------------------------------------------------------------------- events and violations


def db_option(f: Any) -> Any:
    return click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="the store (SQLite file); default $CEASEFIRE_DB or the user data directory")(f)


def period_options(f: Any) -> Any:
    f = click.option("--to", "end", type=DATE, default=None, help="last day, YYYY-MM-DD")(f)
    return click.option("--from", "start", type=DATE, default=None, help="first day, YYYY-MM-DD")(f)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["acled", "ucdp", "geojson", "csv"]), required=True)
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path), help="column mapping (YAML) for --format csv")
@regime_option
@db_option
@click.option("--progress/--no-progress", default=None, help="progress bar (default: on a terminal)")
def ingest(file: Path, fmt: str, mapping: Path | None, regime_name: str, db: Path | None,
           progress: bool | None) -> None:
    """Read an event file into the store; bad rows are quarantined, a re-run changes nothing.

    Example: ceasefire ingest ged.csv --format ucdp --db events.sqlite
    """
    from .events import ingest_file
    from .regime import load_regime
    from .store import connect

    regime = load_regime(regime_name)
    conn = connect(db)
    result = ingest_file(conn, file, fmt, mapping, regime=regime, progress=progress)
    click.echo(result.summary())
    if result.quarantined:
        click.echo(f"  {result.quarantined} row(s) kept aside: ceasefire quarantine list"
                   + (f" --db {db}" if db else ""))
    if result.unmapped:
        click.echo(f"  actor names {regime.id} does not map to a party (add them to a party's actors):")
        for name, count in result.unmapped.most_common(15):
            click.echo(f"    {count:6,}  {name}")
        if len(result.unmapped) > 15:
            click.echo(f"    … and {len(result.unmapped) - 15} more")


@main.group()
def quarantine() -> None:
    """Rows kept aside at ingest, with file, line, field and reason.

    Example: ceasefire quarantine list
    """


@quarantine.command("list")
@db_option
@click.option("--file", "file", default=None, help="only rows from this input file")
def quarantine_list(db: Path | None, file: str | None) -> None:
    """List quarantined rows.

    Example: ceasefire quarantine list --db events.sqlite
    """
    from .events import quarantined
    from .store import connect

    rows = quarantined(connect(db), file)
    if not rows:
        click.echo("the quarantine is empty")
    for row in rows:
        click.echo(f"{row['file']}:{row['line'] if row['line'] is not None else '?'}: {row['field']}: {row['reason']}")
        click.echo(f"    {row['raw'][:160].replace(chr(31), ' | ')}")


@main.group()
def events() -> None:
    """The normalized event schema.

    Example: ceasefire events schema
    """


@events.command("schema")
def events_schema() -> None:
    """Print the normalized event schema as JSON Schema.

    Example: ceasefire events schema > event.schema.json
    """
    from .events import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


def _violations(regime_name: str, db: Path | None, start: dt.datetime | None, end: dt.datetime | None):
    from .events import events_frame
    from .monitor import judge
    from .regime import load_regime
    from .store import connect

    regime = load_regime(regime_name)
    frame = events_frame(connect(db), start.date() if start else None, end.date() if end else None)
    return regime, judge(regime, frame)


@main.command()
@regime_option
@db_option
@period_options
@click.option("--zone", default=None, help="only this zone id")
@click.option("--party", default=None, help="only events involving this party id")
@click.option("--status", type=click.Choice(["confirmed", "possible", "excluded"]), default=None)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "geojson", "parquet"]), default="table",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write to this file")
def violations(regime_name: str, db: Path | None, start: dt.datetime | None, end: dt.datetime | None,
               zone: str | None, party: str | None, status: str | None, fmt: str, output: Path | None) -> None:
    """Events that break the regime's rules, with status and a sentence citing the agreement.

    Example: ceasefire violations --from 2019-05-01 --to 2019-05-31 --status confirmed --format csv -o may.csv
    """
    from .report.tables import write_violations

    _, found = _violations(regime_name, db, start, end)
    if zone:
        found = found[found["zone"] == zone]
    if party:
        found = found[_names(found["party1"], party) | _names(found["party2"], party)]
    if status:
        found = found[found["status"] == status]
    text = write_violations(found, fmt, output)
    if text is not None:
        click.echo(text)
    else:
        click.echo(f"{len(found):,} violations → {output}", err=True)


def _names(column: Any, name: str) -> Any:
    """Rows whose comma-separated list of ids (party1, party2, in_breach) holds ``name``."""
    return column.astype(object).fillna("").str.split(", ").apply(lambda ids: name in ids)


@main.command()
@regime_option
@db_option
@period_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write to this file")
def summary(regime_name: str, db: Path | None, start: dt.datetime | None, end: dt.datetime | None, fmt: str,
            output: Path | None) -> None:
    """Events and violations by zone, month and event type (counted apart), and the parties in breach.

    Example: ceasefire summary --from 2019-01-01 --to 2019-12-31 --format csv -o summary.csv
    """
    from .monitor import summarize

    _, found = _violations(regime_name, db, start, end)
    table = summarize(found)
    if fmt == "csv":
        text = table.to_csv(index=False)
    elif fmt == "json":
        text = table.to_json(orient="records", indent=1, force_ascii=False)
    else:
        text = table.to_string(index=False) if not table.empty else "no violations in the store for this period"
    if output:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        click.echo(f"{len(table):,} rows → {output}", err=True)
    else:
        click.echo(text.rstrip("\n"))


# --------------------------------------------------------------------------- news


@main.command()
@click.argument("source")
@regime_option
@db_option
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="extraction report: .md for people, .json for programs")
@click.option("--store/--no-store", default=True, show_default=True, help="write the events to the store")
def read(source: str, regime_name: str, db: Path | None, report_path: Path | None, store: bool) -> None:
    """Read news articles (a .txt/.html/.jsonl file, a folder, or - for stdin) into sourced, geolocated events.

    Example: ceasefire read articles.jsonl --report report.md
    """
    from .events.ingest import write_batches
    from .events.readers import Batch
    from .news import events_table, merge_across, read_article, read_articles, write_report
    from .news.places import regime_places
    from .regime import load_regime
    from .store import connect

    regime = load_regime(regime_name)
    with regime_places(regime):  # villages the regime names are places the reader knows
        results = [read_article(a) for a in read_articles(source)]
    merged = merge_across(results)
    for r in results:
        click.echo(f"{r['article'].id}: published {r['published'] or 'unknown'} ({r['published_source'] or '—'}), "
                   f"{len(r['events'])} event(s), {len(r['context']['places'])} place mention(s)")
    for e in merged:
        where = ", ".join(p.name for p in e.places) or "?"
        who = "+".join(e.actors) or "?"
        claim = f" — claimed by {e.claimant['name']}" if e.claimant else ""
        via = f" via {e.channel}" if e.channel else ""
        click.echo(f"  {e.date} ({e.date_precision})  {e.kind:12s} {where} [{who}]{claim}{via}"
                   + (f"  ({len(e.sources)} sources)" if len(e.sources) > 1 else ""))
    if store:
        table = events_table(merged, regime)
        result = write_batches(connect(db), f"news:{source}", "news", None, iter([Batch(table)]),
                               label=f"news from {source}")
        click.echo(result.summary())
    if report_path:
        write_report(report_path, results, merged)
        click.echo(f"report → {report_path}", err=True)


# --------------------------------------------------------------------------- patrols


@main.group()
def patrols() -> None:
    """Plan patrols from the regime's mandates, check them for conflicts, judge driven tracks.

    Example: ceasefire patrols plan --from 2020-03-15 --days 14 -o plan.geojson
    """


@patrols.command("plan")
@regime_option
@click.option("--from", "start", type=DATE, required=True, help="first day, YYYY-MM-DD")
@click.option("--days", type=click.IntRange(1, 3660), default=7, show_default=True)
@click.option("--distance-km", type=float, default=2.0, show_default=True,
              help="patrols of different forces keep at least this far apart when out at the same time")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="plan GeoJSON (one feature a leg)")
@click.option("--gpx", "gpx_path", type=click.Path(dir_okay=False, path_type=Path), help="routes as GPX too")
def patrols_plan(regime_name: str, start: dt.datetime, days: int, distance_km: float, output: Path | None,
                 gpx_path: Path | None) -> None:
    """Routes, legs and a conflict-free schedule for every mandate in force, with weekly coverage.

    Example: ceasefire patrols plan --regime syria-northwest --from 2019-03-08 --days 14 -o plan.geojson
    """
    from .patrols import PlanOptions, plan_patrols, write_plan, write_plan_gpx
    from .regime import load_regime

    plan = plan_patrols(load_regime(regime_name), start.date(), days, PlanOptions(distance_km=distance_km))
    for p in plan.patrols:
        click.echo(f"{p.start:%Y-%m-%d %H:%M}–{p.end:%H:%M}  {p.id:38s} {'+'.join(p.forces):14s} {p.kind:11s} "
                   f"{p.role:9s} {p.length_km:6.1f} km, {len(p.legs)} legs")
    click.echo(f"\n{len(plan.patrols)} patrols, {sum(p.length_km for p in plan.patrols):,.0f} km"
               + (f"; could not place {len(plan.unplaced)}: {', '.join(plan.unplaced)}" if plan.unplaced else ""))
    click.echo("\nCoverage (share of the mandated line or area within reach of a planned leg):")
    click.echo(plan.coverage.to_string(index=False) if not plan.coverage.empty else "  no mandate in force")
    if output:
        write_plan(plan.patrols, output)
        click.echo(f"\nplan → {output}", err=True)
    if gpx_path:
        write_plan_gpx(plan.patrols, gpx_path)


@patrols.command("check")
@click.argument("plan_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--distance-km", type=float, default=2.0, show_default=True)
def patrols_check(plan_path: Path, distance_km: float) -> None:
    """List patrols of different forces that would meet: legs closer than D km in overlapping windows.

    Example: ceasefire patrols check plan.geojson --distance-km 2
    """
    from .patrols import find_conflicts, read_plan

    conflicts = find_conflicts(read_plan(plan_path), distance_km)
    if not conflicts:
        click.echo(f"{plan_path}: no conflicts (legs of different forces ≥ {distance_km} km apart when out together)")
        return
    click.echo(f"{plan_path}: {len(conflicts)} conflict(s)")
    for c in conflicts:
        click.echo("  " + c.describe())
    sys.exit(2)


@patrols.command("track")
@click.argument("track_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--patrol", "patrol_id", default=None, help="the planned patrol (default: matched by time and place)")
@regime_option
@db_option
@click.option("--radius-m", type=float, default=1000.0, show_default=True, help="events this close are incidents")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="track + incidents as GeoJSON")
@click.option("--gpx", "gpx_path", type=click.Path(dir_okay=False, path_type=Path), help="the track as GPX")
def patrols_track(track_path: Path, plan_path: Path, patrol_id: str | None, regime_name: str, db: Path | None,
                  radius_m: float, output: Path | None, gpx_path: Path | None) -> None:
    """Judge a driven track (GPX or CSV) against its planned patrol: completion, deviation, stops, incidents.

    Example: ceasefire patrols track drive.gpx --plan plan.geojson --patrol m4-joint-2020/20200315/01
    """
    from .patrols.report import track_and_incidents

    for line in track_and_incidents(track_path, plan_path, patrol_id, regime_name, db, radius_m, output, gpx_path):
        click.echo(line)


# --------------------------------------------------------------------------- demo


@main.command()
@regime_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True)
def demo(regime_name: str, out_dir: Path) -> None:
    """The main job on built-in data: the regime's timeline and its zones at key dates, as GeoJSON and maps.

    Example: ceasefire demo --out out
    """
    from .report.demo import run_demo

    run_demo(regime_name, out_dir, echo=click.echo)


if __name__ == "__main__":
    main()
