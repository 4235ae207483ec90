"""`ceasefire review` (an analyst's word on a verdict) and `ceasefire reviews` (every review, with re-checks)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import choose_format, command, db_option, emit, load_regime, open_store, output_options, regime_option
from .users import cli_actor


@command()
@click.argument("event_id")
@click.option("--rule", required=True, help="the verdict's rule id (as `violations` lists it)")
@click.option("--zone", required=True, help="the verdict's zone id")
@click.option("--as", "state", type=click.Choice(["verified", "disputed", "dismissed"]), required=True)
@click.option("--note", default="", help="why: what was checked, against which source")
@click.option("--by", "reviewer", default=None, help="who reviews [default: the system user]")
@regime_option
@db_option
def review(event_id: str, rule: str, zone: str, state: str, note: str, reviewer: str | None,
           regime_name: str | None, db: Path | None) -> None:
    """Mark a verdict verified, disputed or dismissed, with a note. The machine's status stays beside it; a later
    re-judgement never erases the review, and flags it for re-check if the machine's status changed.

    Example: ceasefire review ucdp:294819 --rule astana-cessation --zone astana-1 --as disputed --note "SOHR only"
    """
    from ..monitor.stored import review_verdict

    store = open_store(db)
    who = reviewer or cli_actor()
    done = review_verdict(store, load_regime(regime_name), event_id, rule, zone, state, note, who)
    store.record_audit(who, "review", f"{event_id} {rule} {zone}", {"review": state}, "cli")
    click.echo(f"{event_id} {rule} {zone}: {state} by {who} (machine: {done['machine_status']})")


@command()
@click.option("--event", "event_id", default=None, help="only reviews of this event")
@regime_option
@db_option
@output_options(["table", "csv", "json"])
def reviews(event_id: str | None, regime_name: str | None, db: Path | None, fmt: str | None,
            output: str | None) -> None:
    """Every review, newest first, with the machine's status then and now; `recheck` marks those whose verdict
    changed since (or is gone).

    Example: ceasefire reviews --format csv -o reviews.csv
    """
    import pandas as pd

    from ..monitor.stored import current
    from ..report.export import table_text

    fmt = choose_format(fmt, output, ["table", "csv", "json"])
    store = open_store(db, readonly=True)
    judgment, _ = current(store, load_regime(regime_name))
    rows = store.reviews(judgment.judgment_id if judgment else None, event_id)
    frame = pd.DataFrame(rows, columns=["reviewed_at", "event_id", "rule", "zone", "review", "note", "reviewed_by",
                                        "machine_status", "status_now", "recheck", "current"])
    emit(frame, fmt, output, what="reviews", table=lambda: table_text(frame, empty="no reviews yet"))


def register(main: click.Group) -> None:
    main.add_command(review)
    main.add_command(reviews)
