"""`ceasefire violations` and `ceasefire summary`: the monitor's judgments over the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from .common import (
    check_known,
    check_period,
    choose_format,
    command,
    db_option,
    emit,
    load_regime,
    open_store,
    output_options,
    period_options,
    regime_option,
)

VIOLATION_FORMATS = ["table", "csv", "json", "geojson", "gpkg", "parquet"]
SUMMARY_FORMATS = ["table", "csv", "json", "parquet"]


def _judged(regime: Any, db: Path | None, start: dt.date | None, end: dt.date | None):
    from ..events import events_frame
    from ..monitor import judge

    return judge(regime, events_frame(open_store(db, readonly=True), start, end))


@command()
@regime_option
@db_option
@period_options
@click.option("--zone", default=None, help="only this zone id")
@click.option("--party", default=None, help="only events involving this party id")
@click.option("--status", type=click.Choice(["confirmed", "possible", "excluded"]), default=None)
@output_options(VIOLATION_FORMATS)
def violations(regime_name: str | None, db: Path | None, start: dt.date | None, end: dt.date | None,
               zone: str | None, party: str | None, status: str | None, fmt: str | None, output: str | None) -> None:
    """Events that break the regime's rules, with status and a sentence citing the agreement.

    Example: ceasefire violations --from 2019-05-01 --to 2019-05-31 --status confirmed -o may.csv
    """
    from ..report.export import table_text
    from ..report.tables import TABLE_COLUMNS, violations_frame

    fmt = choose_format(fmt, output, VIOLATION_FORMATS)
    check_period(start, end)
    regime = load_regime(regime_name)
    check_known("--zone", zone, [z.id for z in regime.zones], "zone")
    check_known("--party", party, [p.id for p in regime.parties], "party")
    found = _judged(regime, db, start, end)
    if zone:
        found = found[found["zone"] == zone]
    if party:
        found = found[_names(found["party1"], party) | _names(found["party2"], party)]
    if status:
        found = found[found["status"] == status]
    emit(violations_frame(found), fmt, output, what="violations", layer="violations",
         table=lambda: table_text(found, TABLE_COLUMNS, empty="no violations"))


def _names(column: Any, name: str) -> Any:
    """Rows whose comma-separated list of ids (party1, party2, in_breach) holds ``name``."""
    return column.astype(object).fillna("").str.split(", ").apply(lambda ids: name in ids)


@command()
@regime_option
@db_option
@period_options
@output_options(SUMMARY_FORMATS)
def summary(regime_name: str | None, db: Path | None, start: dt.date | None, end: dt.date | None, fmt: str | None,
            output: str | None) -> None:
    """Events and violations by zone, month and event type (counted apart), and the parties in breach.

    Example: ceasefire summary --from 2019-01-01 --to 2019-12-31 --format csv -o summary.csv
    """
    from ..monitor import summarize
    from ..report.export import table_text

    fmt = choose_format(fmt, output, SUMMARY_FORMATS)
    check_period(start, end)
    found = _judged(load_regime(regime_name), db, start, end)
    table = summarize(found)
    emit(table, fmt, output, what="rows",
         table=lambda: table_text(table, empty="no violations in the store for this period"))


def register(main: click.Group) -> None:
    main.add_command(violations)
    main.add_command(summary)
