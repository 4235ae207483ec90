"""`ceasefire ingest`, `ceasefire quarantine` and `ceasefire events`: events into the store, and what was kept aside."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from .common import (
    Group,
    choose_format,
    command,
    db_option,
    emit,
    load_regime,
    note,
    open_store,
    output_options,
    output_path,
    period_options,
    check_period,
    regime_option,
    write_text,
)

UNMAPPED_SHOWN = 15
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["acled", "ucdp", "geojson", "csv"]), required=True,
              help="the file's layout; csv needs --mapping")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path),
              help="column mapping (YAML) for --format csv")
@click.option("--allow-outside", is_flag=True,
              help="store events outside the regime's area too (by default they are quarantined)")
@regime_option
@db_option
@click.option("--progress/--no-progress", default=None, help="progress bar (default: on a terminal)")
@click.option("--judge/--no-judge", default=True, show_default=True,
              help="judge the new and changed events against the regime and store the verdicts")
def ingest(file: Path, fmt: str, mapping: Path | None, allow_outside: bool, regime_name: str | None,
           db: Path | None, progress: bool | None, judge: bool) -> None:
    """Read an event file into the store; bad rows are quarantined, a re-run changes nothing.

    The new and changed events are then judged against the regime and their verdicts stored (--no-judge: later,
    at the first `violations`).

    Example: ceasefire ingest ged.csv --format ucdp --db events.sqlite
    """
    from ..events import ingest_file
    from ..monitor.stored import bring_up_to_date

    regime = load_regime(regime_name)
    store = open_store(db)
    result = ingest_file(store, file, fmt, mapping, regime=regime, progress=progress, allow_outside=allow_outside)
    click.echo(result.summary())
    if judge:
        bring_up_to_date(store, regime, progress=progress, echo=click.echo)
    if result.quarantined:
        click.echo(f"  {result.quarantined:,} row(s) kept aside: ceasefire quarantine list --file {file}"
                   + (f" --db {db}" if db else ""))
    if result.unmapped:
        click.echo(f"  actor names {regime.id} does not map to a party (add them to a party's actors):")
        for name, count in result.unmapped.most_common(UNMAPPED_SHOWN):
            click.echo(f"    {count:6,}  {name}")
        if len(result.unmapped) > UNMAPPED_SHOWN:
            click.echo(f"    … and {len(result.unmapped) - UNMAPPED_SHOWN} more: ceasefire events actors --unmapped"
                       + (f" --db {db}" if db else ""))


@click.group("quarantine", cls=Group)
def quarantine() -> None:
    """Rows kept aside at ingest, with file, line, field and reason.

    Example: ceasefire quarantine list
    """


@quarantine.command("list")
@db_option
@click.option("--file", "file", default=None, help="only rows from this input file")
@output_options(["table", "csv", "json", "parquet"])
def quarantine_list(db: Path | None, file: str | None, fmt: str | None, output: str | None) -> None:
    """List quarantined rows: file, line, field, reason and the raw row.

    Example: ceasefire quarantine list --db events.sqlite --format csv -o kept-aside.csv
    """
    import pandas as pd

    from ..events import quarantined

    fmt = choose_format(fmt, output, ["table", "csv", "json", "parquet"])
    store = open_store(db, readonly=True)
    rows = pd.DataFrame(quarantined(store, file), columns=["file", "line", "field", "reason", "raw"])
    if file and rows.empty:
        known = store.quarantine_files()
        if Path(file).resolve().as_posix() not in known:
            raise click.BadParameter(f"no row of the quarantine comes from {file}; files with rows kept aside: "
                                     f"{', '.join(known) or 'none'}", param_hint="'--file'")
    rows["line"] = rows["line"].astype("Int64")
    emit(rows, fmt, output, what="quarantined rows", table=lambda: _quarantine_text(rows))


def _quarantine_text(rows) -> str:
    import pandas as pd

    if rows.empty:
        return "the quarantine is empty"
    lines = []
    for row in rows.itertuples():
        line = "?" if pd.isna(row.line) else row.line
        lines.append(f"{row.file}:{line}: {row.field}: {row.reason}")
        shown = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", row.raw[:160].replace(chr(31), " | "))
        lines.append(f"    {shown}")  # a row kept aside for binary bytes must not send them to the terminal
    return "\n".join(lines)


@click.group("events", cls=Group)
def events() -> None:
    """The normalized event schema, and the actors in the store.

    Example: ceasefire events schema
    """


@events.command("schema")
@click.option("-o", "--output", default=None, metavar="FILE|-", help="write to this file (- for standard output)")
def events_schema(output: str | None) -> None:
    """Print the normalized event schema as JSON Schema.

    Example: ceasefire events schema -o event.schema.json
    """
    from ..events import json_schema

    write_text(json.dumps(json_schema(), indent=2), output)


@events.command("actors")
@regime_option
@db_option
@click.option("--unmapped", is_flag=True, help="only the names that map to no party of the regime")
@output_options(["table", "csv", "json"])
def events_actors(regime_name: str | None, db: Path | None, unmapped: bool, fmt: str | None,
                  output: str | None) -> None:
    """Every actor name in the store (each group of a combined field), its events and the party it maps to.

    Example: ceasefire events actors --unmapped --format csv -o actors.csv
    """
    import pandas as pd

    from ..regime.actors import ActorMap, split_actors

    fmt = choose_format(fmt, output, ["table", "csv", "json"])
    regime = load_regime(regime_name)
    counts: dict[str, int] = {}
    for field, n in open_store(db, readonly=True).actor_counts():
        for name in split_actors(field) or [field]:
            counts[name] = counts.get(name, 0) + n
    actors = ActorMap(regime)
    rows = [{"actor": name, "events": n, "party": ", ".join(p.id for p in actors.parties(name)) or None,
             "may_include": ", ".join(p.id for p in actors.hidden(name)) or None}
            for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    frame = pd.DataFrame(rows, columns=["actor", "events", "party", "may_include"])
    if unmapped:
        frame = frame[frame["party"].isna() & frame["may_include"].isna()]
    note(f"{len(frame):,} actor names{' mapping to no party' if unmapped else ''} in {regime.id}'s terms")
    emit(frame, fmt, output, what="actor names")


@events.command("export")
@db_option
@period_options
@click.option("--format", "fmt", type=click.Choice(["parquet"]), default="parquet", show_default=True,
              help="GeoParquet: every column but the raw input, and WKB points")
@click.option("-o", "--output", required=True, metavar="FILE", help="the file to write")
def events_export(db: Path | None, start, end, fmt: str, output: str) -> None:
    """The store's events (of a period) as one GeoParquet file, for QGIS, GeoPandas, DuckDB or --engine dask.

    Example: ceasefire events export --from 2019-01-01 --to 2019-12-31 -o events-2019.parquet
    """
    from ..events.schema import COLUMNS
    from ..report.export import write_atomically
    from ..report.geoparquet import write_geoparquet
    from ..store import STORED_SCHEMA

    check_period(start, end)
    target = output_path(output)
    if target is None:
        raise click.BadParameter("GeoParquet goes to a file: name it with -o FILE", param_hint="'-o'")
    store = open_store(db, readonly=True)
    columns = [c for c in COLUMNS if c != "raw"]
    written: list[int] = []
    write_atomically(target, lambda path: written.append(write_geoparquet(
        store.event_batches(start, end, columns=columns), path, STORED_SCHEMA.empty_table().select(columns))))
    note(f"{written[0]:,} events → {target}")


def register(main: click.Group) -> None:
    main.add_command(ingest)
    main.add_command(quarantine)
    main.add_command(events)
