"""Plans and tracks in and out: GeoJSON (QGIS, web maps) and GPX (GPS units, phones)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import gpxpy
import gpxpy.gpx
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString

from ..errors import InputError
from ..geodata.basedata import METRIC_CRS
from ..report.geojson import to_geojson
from .model import Leg, Patrol


@dataclass
class Track:
    """A driven track: times and positions (WGS84), and the same line in metres."""

    source: str
    times: np.ndarray  # datetime64[s], UTC or local as recorded
    lon: np.ndarray
    lat: np.ndarray

    crs: str = METRIC_CRS  # the metric projection of the plan it is matched to

    @cached_property
    def _metric_xy(self) -> np.ndarray:  # projected once: completion, deviation, stops and incidents all use it
        pts = gpd.GeoSeries(shapely.points(self.lon, self.lat), crs=4326).to_crs(self.crs)
        return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])

    @property
    def metric(self) -> LineString:
        return LineString(self._metric_xy)

    def metric_points(self) -> np.ndarray:
        return shapely.points(self._metric_xy)


def _wgs(geom, crs: str = METRIC_CRS):
    return gpd.GeoSeries([geom], crs=crs).to_crs(4326).iloc[0]


def plan_frame(patrols: list[Patrol]) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for p in patrols:
        for leg in p.legs:
            rows.append({"patrol": p.id, "mandate": p.mandate, "forces": "+".join(p.forces), "kind": p.kind,
                         "role": p.role, "leg": leg.number, "length_km": round(leg.length_km, 2),
                         "start": p.start.isoformat(timespec="minutes"), "end": p.end.isoformat(timespec="minutes"),
                         "status": p.status, "crs": p.crs})
            geoms.append(leg.geometry)
    crs = patrols[0].crs if patrols else METRIC_CRS
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=crs).to_crs(4326)


def write_plan(patrols: list[Patrol], path: Path) -> None:
    path.write_text(to_geojson(plan_frame(patrols)) + "\n", encoding="utf-8")


def read_plan(path: Path) -> list[Patrol]:
    """Patrols from a plan GeoJSON (one feature per leg), as written by `patrols plan`."""
    try:
        frame = gpd.read_file(path)
        # the plan says the metric projection its regime computes in (older plans: UTM 37N)
        crs = str(frame["crs"].dropna().iloc[0]) if "crs" in frame and frame["crs"].notna().any() else METRIC_CRS
        frame = frame.to_crs(crs)
    except Exception as exc:  # pyogrio raises several types
        raise InputError(f"{path}: not a readable plan GeoJSON ({exc})") from None
    needed = {"patrol", "mandate", "forces", "kind", "role", "leg", "start", "end"}
    missing = needed - set(frame.columns)
    if missing:
        raise InputError(f"{path}: not a patrol plan — missing properties {', '.join(sorted(missing))}")
    patrols = []
    for pid, group in frame.groupby("patrol", sort=False):
        group = group.sort_values("leg")
        first = group.iloc[0]
        try:  # the reader may already have parsed them
            start, end = (pd.Timestamp(first[k]).to_pydatetime().replace(tzinfo=None) for k in ("start", "end"))
        except (TypeError, ValueError):
            raise InputError(f"{path}: patrol {pid}: start/end are not ISO date-times") from None
        legs = [Leg(pid, int(r.leg), r.geometry) for r in group.itertuples()]
        route = shapely.line_merge(shapely.union_all([leg.geometry for leg in legs]))
        if route.geom_type != "LineString":
            route = LineString(np.vstack([np.asarray(leg.geometry.coords) for leg in legs]))
        patrols.append(Patrol(pid, first["mandate"], tuple(first["forces"].split("+")), first["kind"], first["role"],
                              route, start, end, legs, first.get("status", "planned") or "planned", crs))
    return patrols


def read_track(path: Path) -> Track:
    """A GPX track (all its segments, in order) or a CSV with time, lon and lat columns."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.suffix.lower() == ".gpx":
        try:
            gpx = gpxpy.parse(path.read_text(encoding="utf-8"))
        except Exception as exc:  # gpxpy raises its own and XML errors
            raise InputError(f"{path}: not a readable GPX file ({exc})") from None
        pts = [p for t in gpx.tracks for s in t.segments for p in s.points]
        if not pts:
            raise InputError(f"{path}: the GPX file has no track points")
        if any(p.time is None for p in pts):
            raise InputError(f"{path}: track points without <time>: completion can be judged, times cannot")
        times = np.array([p.time.replace(tzinfo=None) for p in pts], dtype="datetime64[s]")
        return Track(str(path), times, np.array([p.longitude for p in pts]), np.array([p.latitude for p in pts]))
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = {c.lower(): c for c in reader.fieldnames or []}
        names = [cols.get(k) for k in ("time", "lon", "lat")]
        names = [names[0], names[1] or cols.get("longitude"), names[2] or cols.get("latitude")]
        if None in names:
            raise InputError(f"{path}: a CSV track needs time, lon (or longitude) and lat (or latitude) columns")
        times, lon, lat = [], [], []
        for line, row in enumerate(reader, start=2):
            try:
                times.append(np.datetime64(dt.datetime.fromisoformat(row[names[0]]).replace(tzinfo=None), "s"))
                lon.append(float(row[names[1]]))
                lat.append(float(row[names[2]]))
            except (TypeError, ValueError):
                raise InputError(f"{path}:{line}: time must be ISO 8601 and lon/lat numbers") from None
    if not times:
        raise InputError(f"{path}: the track has no points")
    return Track(str(path), np.array(times), np.array(lon), np.array(lat))


def write_track_gpx(track: Track, path: Path, name: str) -> None:
    gpx = gpxpy.gpx.GPX()
    trk = gpxpy.gpx.GPXTrack(name=name)
    seg = gpxpy.gpx.GPXTrackSegment()
    for t, x, y in zip(track.times.astype(dt.datetime), track.lon, track.lat):
        seg.points.append(gpxpy.gpx.GPXTrackPoint(float(y), float(x), time=t))
    trk.segments.append(seg)
    gpx.tracks.append(trk)
    path.write_text(gpx.to_xml(), encoding="utf-8")


def write_plan_gpx(patrols: list[Patrol], path: Path) -> None:
    """Each patrol's route as a GPX route, to load into a GPS unit."""
    gpx = gpxpy.gpx.GPX()
    for p in patrols:
        rte = gpxpy.gpx.GPXRoute(name=p.id, description=f"{'+'.join(p.forces)} {p.role} {p.start:%Y-%m-%d %H:%M}")
        for x, y in _wgs(p.route).coords:
            rte.points.append(gpxpy.gpx.GPXRoutePoint(y, x))
        gpx.routes.append(rte)
    path.write_text(gpx.to_xml(), encoding="utf-8")


def to_json(obj: dict) -> str:
    return json.dumps(obj, indent=2, default=str, ensure_ascii=False)
