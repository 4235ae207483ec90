"""Tracks → what happened: completion, deviation, stops, status; events near the track → incidents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from .io import Track
from .model import Patrol

TRACK_TOLERANCE_M = 500.0  # a stretch of route this close to the track was driven
STOP_RADIUS_M = 50.0
STOP_MINUTES = 5.0
COMPLETED, CUT_SHORT = 0.9, 0.2  # completion at or above which a patrol is completed / cut short


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

    def summary(self) -> str:
        return (f"{self.patrol}: {self.status} — completion {self.completion:.0%}, max deviation "
                f"{self.max_deviation_m:,.0f} m, {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}, "
                f"{len(self.stops)} stop(s), {len(self.incidents)} incident(s)")


def status_of(completion: float) -> str:
    if completion >= COMPLETED:
        return "completed"
    if completion >= CUT_SHORT:
        return "cut short"
    return "aborted"


def completion(patrol: Patrol, track: Track) -> float:
    """Share of the planned route within 500 m of the driven track."""
    near = patrol.route.intersection(track.metric.buffer(TRACK_TOLERANCE_M))
    return float(near.length / patrol.route.length)


def stops(track: Track) -> list[tuple[dt.datetime, dt.datetime]]:
    """Periods of at least five minutes spent within 50 m of one place."""
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


def match(patrols: list[Patrol], track: Track) -> Patrol:
    """The planned patrol a track belongs to: overlapping in time, then the best completion."""
    start, end = track.times.min().astype(dt.datetime), track.times.max().astype(dt.datetime)
    timely = [p for p in patrols if p.start.date() <= end.date() and start.date() <= p.end.date()] or patrols
    return max(timely, key=lambda p: completion(p, track))


def judge_track(patrol: Patrol, track: Track) -> TrackReport:
    share = completion(patrol, track)
    deviation = float(shapely.distance(track.metric_points(), patrol.route).max())
    report = TrackReport(patrol.id, share, deviation, track.times.min().astype(dt.datetime),
                         track.times.max().astype(dt.datetime), stops(track), status_of(share))
    patrol.status = report.status
    return report


def incidents(patrol: Patrol, track: Track, events: pd.DataFrame, radius_m: float = 1000.0) -> pd.DataFrame:
    """Events within ``radius_m`` of the driven track whose dates meet the patrol's day(s)."""
    if events.empty:
        return events.assign(patrol=[], distance_m=[])
    import geopandas as gpd

    first = track.times.min().astype("datetime64[D]")
    last = track.times.max().astype("datetime64[D]")
    ev_first = pd.to_datetime(events["date"]).to_numpy("datetime64[D]")
    ev_last = pd.to_datetime(events["date_end"]).to_numpy("datetime64[D]")
    in_window = (ev_first <= last) & (ev_last >= first)
    pts = gpd.GeoSeries(gpd.points_from_xy(events["lon"], events["lat"]), crs=4326).to_crs(track.crs).values
    distance = shapely.distance(pts, track.metric)
    hit = in_window & (distance <= radius_m)
    return events[hit].assign(patrol=patrol.id, distance_m=np.round(distance[hit], 1))
