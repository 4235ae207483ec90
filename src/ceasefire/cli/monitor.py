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
    note,
    open_store,
    output_options,
    period_options,
    regime_option,
)

VIOLATION_FORMATS = ["table", "csv", "json", "geojson", "gpkg", "parquet"]
SUMMARY_FORMATS = ["table", "csv", "json", "parquet"]


def _stored(regime: Any, db: Path | None, where: Any) -> Any:
    """The store's verdicts that pass ``where``, with their reviews. Verdicts the store does not hold yet (events
    ingested since, a changed regime) are judged and stored first; a store that cannot be written (a
    read-only mount) is judged in memory instead, without reviews."""
    from ..errors import StoreError
    from ..monitor.stored import bring_up_to_date, current, listing

    store = open_store(db, readonly=True)
    judgment, up_to_date = current(store, regime)
    if not up_to_date:
        try:
            writable = open_store(db)
        except StoreError as exc:
            note(f"the store cannot be written ({exc}): judging in memory, without stored verdicts or reviews")
            return _filtered(_judged_in_memory(regime, store, where.start, where.end), where)
        judgment = bring_up_to_date(writable, regime, echo=note)
    return listing(store, judgment, where)


def _judged_in_memory(regime: Any, store: Any, start: dt.date | None, end: dt.date | None):
    """Verdicts of the store's events of the period, judged a batch at a time: memory follows the
    verdicts, not the store (3M events are never in memory at once)."""
    import pandas as pd

    from ..events import MONITOR_COLUMNS
    from ..monitor import MonitorIndex, judge
    from ..monitor.stored import JUDGE_BATCH, unstored_listing
    from ..store import Reach

    index = MonitorIndex.build(regime)
    found = [judge(regime, batch.to_pandas(types_mapper=pd.ArrowDtype), index)
             for batch in store.event_batches(start, end, columns=MONITOR_COLUMNS, rows=JUDGE_BATCH,
                                              reach=Reach(index.place.reach("edge"), index.place.reach("near")))]
    found = [f for f in found if len(f)]
    if not found:
        return unstored_listing(_no_verdicts())
    merged = pd.concat(found, ignore_index=True) if len(found) > 1 else found[0]
    found.clear()  # the parts go before the sorted copy is made: two copies of the verdicts at most, not three
    return unstored_listing(_in_order(merged))


def _filtered(found: Any, where: Any) -> Any:
    """A verdict filter applied in memory (to verdicts that were not read from the store)."""
    if where.start is not None:
        found = found[found["date_end"].astype(str) >= where.start.isoformat()]
    if where.end is not None:
        found = found[found["date"].astype(str) <= where.end.isoformat()]
    for name in ("zone", "rule", "status", "event_type"):
        if getattr(where, name):
            found = found[found[name].astype(str).isin(getattr(where, name))]
    if where.party:
        found = found[_names(found["party1"], where.party) | _names(found["party2"], where.party)]
    if where.review:
        reviewed = found["review"].astype(object)
        found = found[reviewed.isin(where.review) | (reviewed.isna() if "none" in where.review else False)]
    return found.reset_index(drop=True)


def _in_order(found: Any) -> Any:
    """Verdicts oldest first, then by event, rule and zone: the same listing whichever engine judged."""
    return found.sort_values(["date", "event_id", "rule", "zone"], kind="stable", ignore_index=True)


def _no_verdicts() -> Any:
    import pandas as pd

    from ..monitor.engine import VIOLATION_COLUMNS

    return pd.DataFrame(columns=VIOLATION_COLUMNS)


@command()
@regime_option
@db_option
@period_options
@click.option("--zone", default=None, help="only this zone id")
@click.option("--party", default=None, help="only events involving this party id")
@click.option("--status", type=click.Choice(["confirmed", "possible", "excluded"]), default=None)
@click.option("--review", type=click.Choice(["verified", "disputed", "dismissed", "none"]), default=None,
              help="only verdicts an analyst reviewed so (none: not reviewed)")
@click.option("--engine", type=click.Choice(["stored", "dask"]), default="stored", show_default=True,
              help="stored: the store's verdicts (judged once per event, with reviews); dask: judge every event "
                   "again on a Dask cluster in bounded parts (archives larger than memory), nothing stored")
@click.option("--scheduler", default=None, metavar="ADDR",
              help="with --engine dask: a running scheduler (tcp://host:8786) [default: a local cluster]")
@output_options(VIOLATION_FORMATS)
def violations(regime_name: str | None, db: Path | None, start: dt.date | None, end: dt.date | None,
               zone: str | None, party: str | None, status: str | None, review: str | None, engine: str,
               scheduler: str | None, fmt: str | None, output: str | None) -> None:
    """Events that break the regime's rules, with status, a sentence citing the agreement, and the analyst's review.

    Verdicts are kept in the store: events ingested since the last call, or a changed regime, are judged first.

    Example: ceasefire violations --from 2019-05-01 --to 2019-05-31 --status confirmed -o may.csv
    """
    if scheduler and engine != "dask":
        raise click.BadParameter("a scheduler is for --engine dask", param_hint="'--scheduler'")
    from ..report.export import table_text
    from ..report.tables import TABLE_COLUMNS, violations_frame
    from ..store.records import VerdictFilter

    fmt = choose_format(fmt, output, VIOLATION_FORMATS)
    check_period(start, end)
    regime = load_regime(regime_name)
    check_known("--zone", zone, [z.id for z in regime.zones], "zone")
    check_known("--party", party, [p.id for p in regime.parties], "party")
    where = VerdictFilter(start=start, end=end, zone=[zone] if zone else [], party=[party] if party else [],
                          status=[status] if status else [], review=[review] if review else [])
    if engine == "dask":
        from ..monitor.stored import unstored_listing

        found = _filtered(unstored_listing(_judged_on_dask(regime, open_store(db, readonly=True), start, end,
                                                           scheduler)), where)
    else:
        found = _stored(regime, db, where)
    emit(violations_frame(found), fmt, output, what="violations", layer="violations",
         table=lambda: table_text(found, TABLE_COLUMNS, empty="no violations"))


def _judged_on_dask(regime: Any, store: Any, start: dt.date | None, end: dt.date | None, scheduler: str | None):
    """The store's events judged on a Dask cluster (a local one when no scheduler is named): the SQLite
    store's Parquet segments are read in place; a server's events are first exported to Parquet."""
    import tempfile

    import pyarrow.parquet as pq

    from ..events import MONITOR_COLUMNS
    from ..monitor.distributed import judge_parquet
    from ..store import SQLiteStore

    with tempfile.TemporaryDirectory(prefix="ceasefire-dask-") as folder:
        if isinstance(store, SQLiteStore):
            files = store.segment_files(start, end)
        else:
            files = []
            for number, batch in enumerate(store.event_batches(start, end, columns=MONITOR_COLUMNS, rows=500_000)):
                files.append(Path(folder) / f"events-{number:05d}.parquet")
                pq.write_table(batch, files[-1])
        if not files:
            return _no_verdicts()
        source = str(regime._source) if getattr(regime, "_source", None) else regime.id
        result = judge_parquet(source, files, scheduler=scheduler, allow_paths_outside=True)
    found = result.frame  # ISO dates compare as text whether the frame holds dates or strings
    if start is not None:
        found = found[found["date_end"].astype(str) >= start.isoformat()]
    if end is not None:
        found = found[found["date"].astype(str) <= end.isoformat()]
    return _in_order(found)


def _names(column: Any, names: list[str]) -> Any:
    """Rows whose comma-separated list of ids (party1, party2, in_breach) holds one of ``names``."""
    return column.astype(object).fillna("").str.split(", ").apply(lambda ids: any(n in ids for n in names))


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

    from ..store.records import VerdictFilter

    fmt = choose_format(fmt, output, SUMMARY_FORMATS)
    check_period(start, end)
    found = _stored(load_regime(regime_name), db, VerdictFilter(start=start, end=end))
    table = summarize(found)
    emit(table, fmt, output, what="rows",
         table=lambda: table_text(table, empty="no violations in the store for this period"))


def register(main: click.Group) -> None:
    main.add_command(violations)
    main.add_command(summary)
