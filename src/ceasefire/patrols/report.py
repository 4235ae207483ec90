"""`patrols track`: a track judged, its incidents found in the store, and the violations they make."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from ..errors import InputError
from ..report.geojson import to_geojson
from .io import read_plan, read_track, write_track_gpx
from .tracking import incidents, judge_track, match

if TYPE_CHECKING:
    from ..regime import Regime
    from ..store import Store


def track_and_incidents(track_path: Path, plan_path: Path, patrol_id: str | None, regime: Regime,
                        store: Store | None, radius_m: float, output: Path | None,
                        gpx_path: Path | None) -> Iterator[str]:
    """Judge the track; events come from ``store`` (None: no store yet, so no incidents are looked up)."""
    from ..events import MONITOR_COLUMNS, events_frame
    from ..monitor import judge
    from ..store import STORED_SCHEMA
    planned = read_plan(plan_path)  # never empty: a plan without patrols is an InputError
    notes = []
    if any(p.timezone is None for p in planned):
        # a plan written before plans carried their zone: its wall-clock times are the regime's local time
        zone = regime.timezone
        for p in planned:
            p.timezone = p.timezone or zone
        notes.append(f"  note: {plan_path} gives its times without a time zone (an older plan); they are read as "
                     f"{zone} time, the zone of regime {regime.id}")
    track = read_track(track_path)
    track.crs = planned[0].crs  # measured in the projection the plan was drawn in
    if patrol_id:
        chosen = [p for p in planned if p.id == patrol_id]
        if not chosen:
            some = ", ".join(p.id for p in planned[:3]) + (", …" if len(planned) > 3 else "")
            raise InputError(f"{plan_path}: no patrol {patrol_id!r} (it has {len(planned)}: {some})")
        patrol = chosen[0]
    else:
        patrol = match(planned, track, str(plan_path))
    report = judge_track(patrol, track)
    first, last = report.start.date(), report.end.date()
    if store is not None:
        events = events_frame(store, first, last, columns=MONITOR_COLUMNS)
    else:
        events = STORED_SCHEMA.empty_table().select(MONITOR_COLUMNS).to_pandas(types_mapper=pd.ArrowDtype)
    found = incidents(patrol, track, events, radius_m)
    report.incidents = found[["event_id", "date", "sub_event_type", "actor1", "actor2", "distance_m"]].to_dict("records")
    yield report.summary()
    yield from notes
    for warning in report.warnings:
        yield f"  warning: {warning}"
    for stop in report.stops:
        yield f"  stop {stop[0]:%H:%M}–{stop[1]:%H:%M} ({report.timezone})"
    for inc in report.incidents:
        yield (f"  incident on patrol: {inc['event_id']} {inc['date']} {inc['sub_event_type']} "
               f"({inc['actor1']} / {inc['actor2']}), {inc['distance_m']:.0f} m from the track")
    violations = pd.DataFrame()
    if not found.empty:
        # the attack-on-patrol rule fires only when this patrol's own forces are the target
        violations = judge(regime, found.assign(on_patrol=True, patrol_forces=",".join(patrol.forces)))
        for row in violations.itertuples():
            yield f"  violation ({row.status}): {row.reason}"
    if output:
        track_frame = gpd.GeoDataFrame(
            [{"kind": "track", "patrol": patrol.id, "status": report.status, "completion": round(report.completion, 3),
              "incidents": ",".join(i["event_id"] for i in report.incidents)}],
            geometry=[track.metric], crs=track.crs).to_crs(4326)
        inc_frame = gpd.GeoDataFrame(
            found.assign(kind="incident")[["kind", "patrol", "event_id", "date", "sub_event_type", "distance_m"]],
            geometry=gpd.points_from_xy(found["lon"], found["lat"]), crs=4326)
        both = pd.concat([track_frame, inc_frame], ignore_index=True)
        output.write_text(to_geojson(gpd.GeoDataFrame(both, geometry="geometry", crs=4326)) + "\n", encoding="utf-8")
    if gpx_path:
        write_track_gpx(track, gpx_path, patrol.id)
    yield f"  ({len(violations)} violation(s) from incidents)" if not found.empty else "  no incidents"
