"""`ceasefire patrols`: plan patrols from the mandates, check plans for conflicts, judge driven tracks."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .common import (
    DATE,
    Group,
    open_store,
    choose_format,
    db_option,
    emit,
    load_regime,
    note,
    output_options,
    output_path,
    regime_option,
    store_path,
)

PLAN_FORMATS = ["table", "geojson", "gpx", "csv", "json"]
DISTANCE = click.FloatRange(min=0, max=1000)


@click.group("patrols", cls=Group)
def patrols() -> None:
    """Plan patrols from the regime's mandates, check them for conflicts, judge driven tracks.

    Example: ceasefire patrols plan --from 2020-03-15 --days 14 -o plan.geojson
    """


@patrols.command("plan")
@regime_option
@click.option("--from", "start", type=DATE, required=True, help="first day, YYYY-MM-DD")
@click.option("--days", type=click.IntRange(1, 3660), default=7, show_default=True)
@click.option("--distance-km", type=DISTANCE, default=2.0, show_default=True,
              help="patrols of different forces keep at least this far apart when out at the same time")
@output_options(PLAN_FORMATS)
@click.option("--gpx", "gpx_path", type=click.Path(dir_okay=False, path_type=Path),
              help="the routes as GPX too, beside -o")
def patrols_plan(regime_name: str | None, start: dt.date, days: int, distance_km: float, fmt: str | None,
                 output: str | None, gpx_path: Path | None) -> None:
    """Routes, legs and a conflict-free schedule for every mandate in force, with weekly coverage.

    Example: ceasefire patrols plan --regime syria-northwest --from 2019-03-08 --days 14 -o plan.geojson
    """
    from ..patrols import PlanOptions, plan_patrols, write_plan_gpx
    from ..patrols.io import plan_frame
    from ..report.export import table_text, write_atomically

    fmt = choose_format(fmt, output, PLAN_FORMATS)
    output_path(str(gpx_path) if gpx_path else None)
    plan = plan_patrols(load_regime(regime_name), start, days, PlanOptions(distance_km=distance_km))

    def listing() -> str:
        zones = sorted({p.clock for p in plan.patrols})
        lines = [f"times are local ({', '.join(zones)})"] if zones else []
        lines += [f"{p.start:%Y-%m-%d %H:%M}–{p.end:%H:%M}  {p.id:38s} {'+'.join(p.forces):14s} {p.kind:11s} "
                 f"{p.role:9s} {p.length_km:6.1f} km, {len(p.legs)} legs" for p in plan.patrols]
        lines.append(f"\n{len(plan.patrols)} patrols, {sum(p.length_km for p in plan.patrols):,.0f} km"
                     + (f"; could not place {len(plan.unplaced)}: {', '.join(plan.unplaced)}" if plan.unplaced else ""))
        lines.append("\nCoverage (share of the mandated line or area within reach of a planned leg):")
        lines.append(table_text(plan.coverage, empty="  no mandate in force"))
        return "\n".join(lines)

    if output not in (None, "-") and fmt != "table":
        click.echo(listing())  # the person who asked for a file still sees what was planned
    if fmt == "gpx":
        if output in (None, "-"):
            from ..patrols.io import plan_gpx

            click.echo(plan_gpx(plan.patrols))
        else:
            write_atomically(Path(output), lambda path: write_plan_gpx(plan.patrols, path))
            note(f"{len(plan.patrols)} patrols → {output}")
    else:
        emit(plan_frame(plan.patrols), fmt, output, what="legs", layer="legs", table=listing)
    if gpx_path:
        write_atomically(gpx_path, lambda path: write_plan_gpx(plan.patrols, path))
        note(f"{len(plan.patrols)} patrols → {gpx_path}")


@patrols.command("check")
@click.argument("plan_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--distance-km", type=DISTANCE, default=2.0, show_default=True)
@output_options(["table", "csv", "json"])
def patrols_check(plan_path: Path, distance_km: float, fmt: str | None, output: str | None) -> None:
    """List patrols of different forces that would meet: legs closer than D km in overlapping windows; exit 2 if any.

    Example: ceasefire patrols check plan.geojson --distance-km 2
    """
    import dataclasses

    import pandas as pd

    from ..patrols import find_conflicts, read_plan

    fmt = choose_format(fmt, output, ["table", "csv", "json"])
    conflicts = find_conflicts(read_plan(plan_path), distance_km)
    columns = ["patrol_a", "leg_a", "patrol_b", "leg_b", "distance_km", "start", "end", "lon", "lat"]
    frame = pd.DataFrame([dataclasses.asdict(c) for c in conflicts], columns=columns)

    def listing() -> str:
        if not conflicts:
            return f"{plan_path}: no conflicts (legs of different forces ≥ {distance_km} km apart when out together)"
        return "\n".join([f"{plan_path}: {len(conflicts)} conflict(s)", *("  " + c.describe() for c in conflicts)])

    emit(frame, fmt, output, what="conflicts", table=listing)
    if conflicts:
        sys.exit(2)


@patrols.command("track")
@click.argument("track_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--patrol", "patrol_id", default=None, help="the planned patrol (default: matched by time and place)")
@regime_option
@db_option
@click.option("--radius-m", type=click.FloatRange(min=0, max=100_000), default=1000.0, show_default=True,
              help="events this close are incidents")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="track + incidents as GeoJSON")
@click.option("--gpx", "gpx_path", type=click.Path(dir_okay=False, path_type=Path), help="the track as GPX")
def patrols_track(track_path: Path, plan_path: Path, patrol_id: str | None, regime_name: str | None, db: Path | None,
                  radius_m: float, output: Path | None, gpx_path: Path | None) -> None:
    """Judge a driven track (GPX or CSV) against its planned patrol: completion, deviation, stops, incidents.

    Example: ceasefire patrols track drive.gpx --plan plan.geojson --patrol m4-joint-2020/20200315/01
    """
    from ..patrols.report import track_and_incidents

    for path in (output, gpx_path):
        output_path(str(path) if path else None)
    regime = load_regime(regime_name)
    target = store_path(db)
    store = open_store(db, readonly=True) if isinstance(target, str) or target.is_file() else None
    if store is None:
        note(f"no store at {store_path(db)}: incidents on patrol are not looked up")
    for line in track_and_incidents(track_path, plan_path, patrol_id, regime, store, radius_m, output, gpx_path):
        click.echo(line)


def register(main: click.Group) -> None:
    main.add_command(patrols)
