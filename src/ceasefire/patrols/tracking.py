"""Tracks → what happened: completion, deviation, stops, status; events near the track → incidents.

A track's times are UTC instants and a plan's are wall-clock times in its zone: they are compared as
aware datetimes, and shown to the user in the plan's local time, labelled with its zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from ..errors import InputError
from .model import Patrol, check_distance
from .tracks import Track

TRACK_TOLERANCE_M = 500.0  # a stretch of route this close to the track was driven
STOP_RADIUS_M = 50.0
STOP_MINUTES = 5.0
COMPLETED, CUT_SHORT = 0.9, 0.2  # completion at or above which a patrol is completed / cut short
# A patrol leaves late or runs long, a GPS is switched on early: a track within this of a patrol's
# planned window may be that patrol; one further off belongs to another day.
MATCH_TOLERANCE = dt.timedelta(hours=3)


@dataclass
class TrackReport:
    patrol: str
    completion: float
    max_deviation_m: float
    start: dt.datetime
    end: dt.datetime
    stops: list[tuple[dt.datetime, dt.datetime]]
    status: str
    incidents: list[dict] = field(default_factory=list)
    timezone: str = "UTC"  # start, end and stops are wall-clock times here (the plan's zone)
    warnings: list[str] = field(default_factory=list)  # e.g. driven on another day than the patrol's

    def summary(self) -> str:
        return (f"{self.patrol}: {self.status} — completion {self.completion:.0%}, max deviation "
                f"{self.max_deviation_m:,.0f} m, {span_text(self.start, self.end, self.timezone)}, "
                f"{len(self.stops)} stop(s), {len(self.incidents)} incident(s)")


def span_text(start: dt.datetime, end: dt.datetime, zone: str) -> str:
    """'2020-03-15 13:05–15:25 (Asia/Damascus)'; the end's date too when it is another day."""
    return f"{start:%Y-%m-%d %H:%M}–{end:{'%H:%M' if end.date() == start.date() else '%Y-%m-%d %H:%M'}} ({zone})"


def track_span(track: Track) -> tuple[dt.datetime, dt.datetime]:
    """The first and last moment of a track, as aware UTC datetimes."""
    return _utc(track.times.min()), _utc(track.times.max())


def _utc(when: np.datetime64) -> dt.datetime:
    return when.astype("datetime64[s]").astype(dt.datetime).replace(tzinfo=dt.UTC)


def in_time(patrol: Patrol, track: Track, tolerance: dt.timedelta = MATCH_TOLERANCE) -> bool:
    """Whether the track was driven within ``tolerance`` of the patrol's planned window."""
    first, last = track_span(track)
    return patrol.instant(patrol.start) - tolerance <= last and first <= patrol.instant(patrol.end) + tolerance


def _hours(delta: dt.timedelta) -> str:
    return f"{delta.total_seconds() / 3600:g} h"


def status_of(completion: float) -> str:
    if completion >= COMPLETED:
        return "completed"
    if completion >= CUT_SHORT:
        return "cut short"
    return "aborted"


def completion(patrol: Patrol, track: Track) -> float:
    """Share of the planned route within 500 m of the driven track."""
    if patrol.route.length == 0:  # a route of one repeated point: nothing to complete
        return 0.0
    near = patrol.route.intersection(track.metric.buffer(TRACK_TOLERANCE_M))
    return float(near.length / patrol.route.length)


def stops(track: Track) -> list[tuple[dt.datetime, dt.datetime]]:
    """Periods of at least five minutes spent within 50 m of one place (UTC, as the track's times)."""
    pts = track.metric_points()
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    found, i, n = [], 0, len(pts)
    while i < n:
        j = i
        while j + 1 < n and np.hypot(x[j + 1] - x[i], y[j + 1] - y[i]) <= STOP_RADIUS_M:
            j += 1
        if (track.times[j] - track.times[i]) >= np.timedelta64(int(STOP_MINUTES * 60), "s"):
            found.append((track.times[i].astype(dt.datetime), track.times[j].astype(dt.datetime)))
        i = j + 1
    return found


def match(patrols: list[Patrol], track: Track, plan: str = "the plan") -> Patrol:
    """The planned patrol a track belongs to: out within ``MATCH_TOLERANCE`` of the track's time, then
    the best completion. None in time is an :class:`InputError`: a patrol of another day is not it."""
    if not patrols:
        raise InputError(f"{plan}: no patrols to match {track.source} with")
    timely = [p for p in patrols if in_time(p, track)]
    if not timely:
        first, last = track_span(track)
        shown = patrols[0]
        days = sorted({p.start.date() for p in patrols})
        covered = (", ".join(d.isoformat() for d in days) if len(days) <= 8
                   else f"{days[0]} … {days[-1]} ({len(days)} days with patrols)")
        raise InputError(f"{track.source}: driven {span_text(shown.wall(first), shown.wall(last), shown.clock)}, "
                         f"but no patrol in {plan} is out within {_hours(MATCH_TOLERANCE)} of that; the plan covers "
                         f"{covered}. To judge the track against a patrol anyway, name it with --patrol ID")
    return max(timely, key=lambda p: completion(p, track))


def judge_track(patrol: Patrol, track: Track) -> TrackReport:
    share = completion(patrol, track)
    deviation = float(shapely.distance(track.metric_points(), patrol.route).max())
    first, last = track_span(track)
    halts = [(patrol.wall(a.replace(tzinfo=dt.UTC)), patrol.wall(b.replace(tzinfo=dt.UTC))) for a, b in stops(track)]
    report = TrackReport(patrol.id, share, deviation, patrol.wall(first), patrol.wall(last), halts, status_of(share),
                         timezone=patrol.clock)
    if not in_time(patrol, track):  # judged as asked, but not silently: it may be the wrong patrol
        report.warnings.append(
            f"patrol {patrol.id} was planned for {span_text(patrol.start, patrol.end, patrol.clock)}, but the "
            f"track was driven {span_text(report.start, report.end, report.timezone)} — more than "
            f"{_hours(MATCH_TOLERANCE)} apart: is it the right patrol?")
    patrol.status = report.status
    return report


def incidents(patrol: Patrol, track: Track, events: pd.DataFrame, radius_m: float = 1000.0) -> pd.DataFrame:
    """Events within ``radius_m`` of the driven track whose dates meet the patrol's day(s)."""
    check_distance("radius_m", radius_m)
    if events.empty:
        return events.assign(patrol=[], distance_m=[])
    import geopandas as gpd

    # events carry local dates: the track's days are its days in the plan's zone, not in UTC
    first, last = (np.datetime64(patrol.wall(t).date(), "D") for t in track_span(track))
    ev_first = pd.to_datetime(events["date"]).to_numpy("datetime64[D]")
    ev_last = pd.to_datetime(events["date_end"]).to_numpy("datetime64[D]")
    in_window = (ev_first <= last) & (ev_last >= first)
    pts = gpd.GeoSeries(gpd.points_from_xy(events["lon"], events["lat"]), crs=4326).to_crs(track.crs).values
    distance = shapely.distance(pts, track.metric)
    hit = in_window & (distance <= radius_m)
    return events[hit].assign(patrol=patrol.id, distance_m=np.round(distance[hit], 1))
