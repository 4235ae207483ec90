"""Driven tracks in: GPX (GPS units, phones) and CSV, every point checked before it reaches GEOS.

A track's times are UTC instants. GPX times are UTC by the format's definition (``Z``); a time with
an offset is converted; a time without one (GPX or CSV) is read as UTC, as GPX defines it. Positions
must be finite, longitude within -180..180 and latitude within -90..90: GEOS was handed a latitude
of 135.8 (infinite once projected) and a NaN, and crashed the process in ``buffer``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import xml.parsers.expat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import gpxpy
import gpxpy.gpx
import numpy as np
import shapely
from shapely.geometry import LineString

from ..errors import InputError
from ..geodata.basedata import METRIC_CRS

FIRST_TIME, LAST_TIME = np.datetime64("0001-01-01T00:00:00", "s"), np.datetime64("9999-12-31T23:59:59", "s")
TIME_RULE = "time must be ISO 8601 (such as 2020-03-15T11:05:00Z)"


@dataclass
class Track:
    """A driven track: UTC times and positions (WGS84), and the same line in metres.

    Built from arrays as well as read from files, so it checks its own points: a bad one is an
    :class:`InputError` naming ``source`` and the point, never a crash inside GEOS.
    """

    source: str
    times: np.ndarray  # datetime64[s], UTC
    lon: np.ndarray
    lat: np.ndarray

    crs: str = METRIC_CRS  # the metric projection of the plan it is matched to

    def __post_init__(self) -> None:
        self.times, self.lon, self.lat = _checked_arrays(self.source, self.times, self.lon, self.lat)

    @cached_property
    def _metric_xy(self) -> np.ndarray:  # projected once: completion, deviation, stops and incidents all use it
        pts = gpd.GeoSeries(shapely.points(self.lon, self.lat), crs=4326).to_crs(self.crs)
        # to the millimetre (GPS gives metres): a step of 1e-232 m, from a latitude of 1e-238°, makes GEOS divide by
        # zero when it buffers the line; rounded, it is a repeated point, which it handles
        xy = np.round(np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()]), 3)
        # A valid position can still be infinite in the plan's projection (UTM far from its zone).
        bad = np.flatnonzero(~np.isfinite(xy).all(axis=1))
        if len(bad):
            i = int(bad[0])
            raise InputError(f"{self.source}: point {i + 1} (lon {self.lon[i]:g}, lat {self.lat[i]:g}) is too far "
                             f"from the plan's region to be measured in its projection {self.crs}")
        return xy

    @property
    def metric(self) -> LineString:
        return LineString(self._metric_xy)

    def metric_points(self) -> np.ndarray:
        return shapely.points(self._metric_xy)


def position_problem(lon: float, lat: float, lon_text: str | None = None, lat_text: str | None = None) -> str | None:
    """What is wrong with a position, in words ("latitude 135.8 is outside -90..90"), or None."""
    for name, value, text, limit in (("latitude", lat, lat_text, 90), ("longitude", lon, lon_text, 180)):
        shown = text[:40] if text is not None else f"{value:g}"
        if not math.isfinite(value):
            return f"{name} {shown} is not a finite number"
        if not -limit <= value <= limit:
            return f"{name} {shown} is outside -{limit}..{limit}"
    return None


def _checked_arrays(source: str, times, lon, lat) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    times = np.asarray(times)
    if times.dtype.kind != "M":
        raise InputError(f"{source}: track times must be datetime64 values, got {times.dtype}")
    try:
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{source}: track positions must be numbers") from None
    times = times.astype("datetime64[s]")
    if not (times.ndim == lon.ndim == lat.ndim == 1 and len(times) == len(lon) == len(lat)):
        raise InputError(f"{source}: times, lon and lat must be three lists of the same length "
                         f"(got {times.shape}, {lon.shape}, {lat.shape})")
    if len(times) < 2:
        count = "only one point" if len(times) == 1 else "no points"
        raise InputError(f"{source}: {count}; needs at least two points to make a track")
    bad = np.flatnonzero(np.isnat(times) | (times < FIRST_TIME) | (times > LAST_TIME))
    if len(bad):
        i = int(bad[0])
        raise InputError(f"{source}: point {i + 1}: time {times[i]} is missing or outside years 1..9999")
    bad = np.flatnonzero(~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)))
    if len(bad):
        i = int(bad[0])
        raise InputError(f"{source}: point {i + 1}: {position_problem(float(lon[i]), float(lat[i]))}")
    return times, lon, lat


def _utc_time(text: str) -> np.datetime64:
    """An ISO 8601 time as a UTC second; without an offset it is UTC already. ValueError if unreadable."""
    try:
        when = dt.datetime.fromisoformat(text.strip())
        if when.tzinfo is not None:
            when = when.astimezone(dt.UTC).replace(tzinfo=None)
    except OverflowError:  # an offset that moves year 1 or 9999 off the calendar
        raise ValueError(text) from None
    return np.datetime64(when, "s")


class _Points:
    """Collects a GPX file's track points in order, with their line numbers, from expat's callbacks."""

    def __init__(self, parser: xml.parsers.expat.XMLParserType) -> None:
        self.parser = parser
        self.points: list[dict] = []  # line, lat, lon, time (texts as written)
        self.root: str | None = None
        self.others = {"wpt": 0, "rtept": 0}
        self._point: dict | None = None
        self._time: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]  # "namespace localname" → localname: GPX 1.0 and 1.1 alike
        if self.root is None:
            self.root = local
        if local == "trkpt":
            self._point = {"line": self.parser.CurrentLineNumber, "lat": attrs.get("lat"), "lon": attrs.get("lon"),
                           "time": None}
            self.points.append(self._point)
        elif local == "time" and self._point is not None:
            self._time = []
        elif local in self.others:
            self.others[local] += 1

    def end(self, name: str) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "time" and self._point is not None and self._time is not None:
            self._point["time"] = "".join(self._time)
            self._time = None
        elif local == "trkpt":
            self._point = None

    def text(self, data: str) -> None:
        if self._time is not None:
            self._time.append(data)


def read_gpx_points(path: Path, data: bytes) -> tuple[list[dict], dict[str, int]]:
    """The ``<trkpt>`` of a GPX file (lat, lon and time as written, and the line of each), and how many
    waypoints and route points it has. Read with expat, which gives line numbers and bounds entity
    expansion; gpxpy turned an unreadable ``<time>`` into none at all."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    points = _Points(parser)
    parser.StartElementHandler, parser.EndElementHandler = points.start, points.end
    parser.CharacterDataHandler = points.text
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(f"{path}:{exc.lineno}: not a readable GPX file — not well-formed XML "
                         f"({xml.parsers.expat.ErrorString(exc.code)})") from None
    except (ValueError, LookupError) as exc:  # an encoding the XML declaration names but Python cannot use
        raise InputError(f"{path}: not a readable GPX file ({exc})") from None
    if points.root != "gpx":
        raise InputError(f"{path}: not a GPX file — its root element is <{points.root}>, expected <gpx>")
    return points.points, points.others


def _read_gpx(path: Path, data: bytes) -> Track:
    found, others = read_gpx_points(path, data)
    if not found:
        also = [f"{n} {what}" for what, n in (("waypoint(s) <wpt>", others["wpt"]),
                                                ("route point(s) <rtept>", others["rtept"])) if n]
        raise InputError(f"{path}: no track points (<trk><trkseg><trkpt>)"
                         + (f"; it has {' and '.join(also)}, which are places or a planned route, not a drive"
                            if also else ""))
    times, lon, lat = [], [], []
    for number, point in enumerate(found, start=1):
        line, which = f"{path}:{point['line']}", f"(point {number})"
        position = []
        for attr, name in (("lon", "longitude"), ("lat", "latitude")):
            text = point[attr]
            if text is None:
                raise InputError(f"{line}: <trkpt> has no {attr} attribute {which}")
            try:
                position.append(float(text))
            except ValueError:
                raise InputError(f"{line}: {name} {text.strip()[:60]!r} is not a number {which}") from None
        problem = position_problem(position[0], position[1], point["lon"].strip(), point["lat"].strip())
        if problem:
            raise InputError(f"{line}: {problem} {which}")
        if point["time"] is None:
            raise InputError(f"{line}: no <time> {which}; every point needs its time to match and judge the track")
        try:
            times.append(_utc_time(point["time"]))
        except ValueError:
            raise InputError(f"{line}: {TIME_RULE}, got {point['time'].strip()[:60]!r} {which}") from None
        lon.append(position[0])
        lat.append(position[1])
    return Track(str(path), np.array(times, dtype="datetime64[s]"), np.array(lon), np.array(lat))


CSV_COLUMNS = {"time": ("time",), "lon": ("lon", "longitude"), "lat": ("lat", "latitude")}


def _read_csv(path: Path, data: bytes) -> Track:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); a CSV track is UTF-8 "
                         "with time, lon and lat columns") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    times, lon, lat = [], [], []
    try:
        header = next(reader, None)
        if not header:
            raise InputError(f"{path}: empty; a CSV track needs a header with time, lon and lat columns")
        names = {name.strip().lower(): i for i, name in reversed(list(enumerate(header)))}
        where_is = {key: next((names[n] for n in choices if n in names), None) for key, choices in CSV_COLUMNS.items()}
        if None in where_is.values():
            raise InputError(f"{path}: a CSV track needs time, lon (or longitude) and lat (or latitude) columns; "
                             f"the header has {', '.join(h.strip() for h in header)[:200]}")
        widest = max(where_is.values())
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # a blank line, often the last one
            line, which = f"{path}:{reader.line_num}", f"(point {len(times) + 1})"
            if len(row) <= widest:
                raise InputError(f"{line}: {len(row)} field(s), but the header has {len(header)} {which}")
            cells = {key: row[i].strip() for key, i in where_is.items()}
            try:
                times.append(_utc_time(cells["time"]))
            except ValueError:
                raise InputError(f"{line}: {TIME_RULE}, got {cells['time'][:60]!r} {which}") from None
            position = []
            for key in ("lon", "lat"):
                try:
                    position.append(float(cells[key]))
                except ValueError:
                    raise InputError(f"{line}: {key} {cells[key][:60]!r} is not a number {which}") from None
            problem = position_problem(position[0], position[1], cells["lon"], cells["lat"])
            if problem:
                raise InputError(f"{line}: {problem} {which}")
            lon.append(position[0])
            lat.append(position[1])
    except csv.Error as exc:  # a NUL byte, an unclosed quote at the end, a field past csv's size limit
        raise InputError(f"{path}:{reader.line_num}: not readable as CSV ({exc})") from None
    if not times:
        raise InputError(f"{path}: the track has no points (a header and no rows)")
    return Track(str(path), np.array(times, dtype="datetime64[s]"), np.array(lon), np.array(lat))


def read_track(path: Path) -> Track:
    """A GPX track (all its segments, in order) or a CSV with time, lon and lat columns (UTC times)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if path.suffix.lower() == ".gpx":
        return _read_gpx(path, data)
    return _read_csv(path, data)


def write_track_gpx(track: Track, path: Path, name: str) -> None:
    gpx = gpxpy.gpx.GPX()
    trk = gpxpy.gpx.GPXTrack(name=name)
    seg = gpxpy.gpx.GPXTrackSegment()
    for t, x, y in zip(track.times.astype(dt.datetime), track.lon, track.lat):
        # written with its Z: GPX readers take a time without it as UTC too, but some take it as local
        seg.points.append(gpxpy.gpx.GPXTrackPoint(float(y), float(x), time=t.replace(tzinfo=dt.UTC)))
    trk.segments.append(seg)
    gpx.tracks.append(trk)
    path.write_text(gpx.to_xml(), encoding="utf-8")
