"""Bad tracks, bad plans and bad options: each is a one-line CeasefireError, never a crash or a silent answer.

The fixtures in tests/data/robust/track_* are small hand-made GPX/CSV files along the M4 joint patrol
route of 15 March 2020 (13:05 Damascus time = 11:05 UTC). Plans are built here from Patrol objects.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import LineString

from ceasefire.cli import main
from ceasefire.errors import CeasefireError, InputError
from ceasefire.patrols import (
    Leg,
    Patrol,
    PlanOptions,
    Track,
    find_conflicts,
    incidents,
    judge_track,
    match,
    plan_patrols,
    read_plan,
    read_track,
    write_plan,
)
from ceasefire.patrols.routes import split

ROBUST = Path(__file__).parent / "data" / "robust"
ZONE = "Asia/Damascus"  # UTC+2 in March 2020
M4 = [(36.785114, 35.859138), (36.681405, 35.832326), (36.6096, 35.8137), (36.577069, 35.807493),
      (36.4721, 35.787399), (36.364941, 35.806278), (36.3198, 35.814199), (36.257256, 35.812846),
      (36.1965, 35.8115), (36.159854, 35.786307)]
NEAR_IDLIB = [(36.63, 35.93), (36.70, 35.95), (36.76, 35.99)]
TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:32637", always_xy=True)
SETTLED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def patrol(pid: str, start: dt.datetime, coords: list[tuple[float, float]], hours: float = 3.35,
           forces: tuple[str, ...] = ("russia", "turkey"), timezone: str | None = ZONE) -> Patrol:
    route = LineString(np.column_stack(TO_METRIC.transform(*np.array(coords).T)))
    p = Patrol(pid, pid.split("/")[0], forces, "joint", "route", route, start, start + dt.timedelta(hours=hours),
               crs="EPSG:32637", timezone=timezone)
    p.legs = [Leg(pid, i + 1, piece) for i, piece in enumerate(split(route, 10.0))]
    return p


def two_day_plan() -> list[Patrol]:
    return [patrol("m4-joint-2020/20200315/01", dt.datetime(2020, 3, 15, 13), M4),
            patrol("turkey-interior-2019/20200316/01", dt.datetime(2020, 3, 16, 8), NEAR_IDLIB, 2.0, ("turkey",))]


@pytest.fixture
def plan_path(tmp_path: Path) -> Path:
    path = tmp_path / "plan.geojson"
    write_plan(two_day_plan(), path)
    return path


def run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


# --- 1–3: positions and point counts -------------------------------------------------------------------------


def test_latitude_135_8_and_nan_is_a_clear_error_not_a_segfault(plan_path, tmp_path):
    """Before: rc 139 inside GEOS buffer. Run as a subprocess so that a regression fails this test only."""
    ceasefire = str(Path(sys.executable).with_name("ceasefire"))
    result = subprocess.run([ceasefire, "patrols", "track", str(ROBUST / "track_lat_and_nan.gpx"), "--plan",
                             str(plan_path), "--db", str(tmp_path / "store.sqlite")],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    assert "track_lat_and_nan.gpx:6: latitude 135.8 is outside -90..90 (point 1)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("name", "message"), [
    ("track_lat_135.gpx", "track_lat_135.gpx:8: latitude 135.8 is outside -90..90 (point 3)"),
    ("track_nan.gpx", "track_nan.gpx:11: latitude NaN is not a finite number (point 6)"),
    ("track_one_point.gpx", "track_one_point.gpx: only one point; needs at least two points to make a track"),
    ("track_bad_number.csv", "track_bad_number.csv:5: lat '35.8o7493' is not a number (point 4)"),
    ("track_waypoints_only.gpx", ("track_waypoints_only.gpx: no track points (<trk><trkseg><trkpt>); it has "
                                  "2 waypoint(s) <wpt>")),
    ("track_empty.gpx", "track_empty.gpx:1: not a readable GPX file — not well-formed XML (no element found)"),
    ("track_not_xml.gpx", "track_not_xml.gpx:1: not a readable GPX file — not well-formed XML (syntax error)"),
])
def test_bad_track_files_name_the_file_the_point_and_the_field(name, message):
    with pytest.raises(InputError) as caught:
        read_track(ROBUST / name)
    assert message in str(caught.value)


def test_the_cli_prints_the_error_on_one_line(plan_path, tmp_path):
    result = run("patrols", "track", ROBUST / "track_lat_135.gpx", "--plan", plan_path, "--db", tmp_path / "s.sqlite")
    assert result.exit_code == 1
    assert "latitude 135.8 is outside -90..90 (point 3)" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("body", "message"), [
    ("time,lon,lat\n2020-03-15T11:05Z,36.78,35.86\n2020-03-15T11:19Z,1e400,35.83\n",
     "t.csv:3: longitude 1e400 is not a finite number (point 2)"),
    ("time,lon,lat\n2020-03-15T11:05Z,36.78,35.86\n2020-03-15T11:19Z,-181,35.83\n",
     "t.csv:3: longitude -181 is outside -180..180 (point 2)"),
    ("time,lon,lat\n2020-03-15T11:05Z,36.78,35.86\n2020-03-15T11:19Z,36.68\n",
     "t.csv:3: 2 field(s), but the header has 3 (point 2)"),
    ("time,lon,lat\n2020-03-15T11:05Z,36.78,35.86\n2020-02-31T11:19Z,36.68,35.83\n",
     "t.csv:3: time must be ISO 8601 (such as 2020-03-15T11:05:00Z), got '2020-02-31T11:19Z' (point 2)"),
    ("when,x,y\n2020-03-15T11:05Z,36.78,35.86\n", ("t.csv: a CSV track needs time, lon (or longitude) and lat "
                                                    "(or latitude) columns; the header has when, x, y")),
    ("time,lon,lat\n", "t.csv: the track has no points (a header and no rows)"),
    ("", "t.csv: empty; a CSV track needs a header"),
    ("time,lon,lat\n2020-03-15T11:05Z,36.78,35.86\x00\n", "t.csv:2: lat '35.86\\x00' is not a number (point 1)"),
    ('time,lon,lat\n"' + "x" * 200_000, "t.csv:2: not readable as CSV (field larger than field limit"),
])
def test_bad_csv_tracks(tmp_path, body, message):
    path = tmp_path / "t.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_track(path)
    assert message in str(caught.value)


def test_a_csv_track_that_is_not_utf8_or_has_a_bom(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"time,lon,lat\n2020-03-15T11:05Z,36.78,35.86\n\xff\xfe\n")
    with pytest.raises(InputError, match=r"t.csv:3: not UTF-8 text \(byte 0xff\)"):
        read_track(path)
    # a spreadsheet's byte-order mark, capitalised names and an offset are all fine
    path.write_text("\ufeffTime,Longitude,Latitude\n2020-03-15T13:05+02:00,36.78,35.86\n2020-03-15T11:19Z,36.68,35.83\n",
                    encoding="utf-8")
    track = read_track(path)
    assert track.times.astype(str).tolist() == ["2020-03-15T11:05:00", "2020-03-15T11:19:00"]  # UTC


@pytest.mark.parametrize(("body", "message"), [
    ('<trkpt lon="36.7"><time>2020-03-15T11:05:00Z</time></trkpt>', "x.gpx:1: <trkpt> has no lat attribute (point 1)"),
    ('<trkpt lat="35.8" lon="36.7"/>', "x.gpx:1: no <time> (point 1)"),
    ('<trkpt lat="35.8" lon="36.7"><time>yesterday</time></trkpt>',
     "x.gpx:1: time must be ISO 8601 (such as 2020-03-15T11:05:00Z), got 'yesterday' (point 1)"),
    ('<trkpt lat="35.8" lon="east"><time>2020-03-15T11:05:00Z</time></trkpt>',
     "x.gpx:1: longitude 'east' is not a number (point 1)"),
])
def test_bad_gpx_points(tmp_path, body, message):
    path = tmp_path / "x.gpx"
    path.write_text(f'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{body}</trkseg></trk></gpx>')
    with pytest.raises(InputError) as caught:
        read_track(path)
    assert message in str(caught.value)


def test_a_track_built_from_arrays_checks_its_points():
    times = np.array(["2020-03-15T11:05", "2020-03-15T11:19", "2020-03-15T11:33"], dtype="datetime64[s]")
    with pytest.raises(InputError, match=r"^drive: point 2: latitude 135.8 is outside -90..90$"):
        Track("drive", times, np.array([36.7, 36.6, 36.5]), np.array([35.8, 135.8, 35.8]))
    with pytest.raises(InputError, match=r"^drive: point 3: longitude nan is not a finite number$"):
        Track("drive", times, np.array([36.7, 36.6, math.nan]), np.array([35.8, 35.8, 35.8]))
    with pytest.raises(InputError, match="only one point; needs at least two points to make a track"):
        Track("drive", times[:1], np.array([36.7]), np.array([35.8]))
    # a valid position that UTM 37N cannot hold: infinite once projected, refused before GEOS sees it
    far = Track("drive", times, np.array([36.7, 129.0, 36.5]), np.array([35.8, 0.0, 35.8]))
    with pytest.raises(InputError, match=r"point 2 \(lon 129, lat 0\) is too far from the plan's region"):
        _ = far.metric


# --- 4: a track of another day --------------------------------------------------------------------------------


def test_a_track_of_a_day_without_a_patrol_is_not_matched_to_another_day(plan_path):
    track = read_track(ROBUST / "track_wrong_day.gpx")  # 20 March; the plan has 15 and 16 March
    with pytest.raises(InputError) as caught:
        match(read_plan(plan_path), track, str(plan_path))
    message = str(caught.value)
    assert "track_wrong_day.gpx: driven 2020-03-20 13:05–15:25 (Asia/Damascus)" in message
    assert "is out within 3 h of that; the plan covers 2020-03-15, 2020-03-16" in message
    assert message.endswith("name it with --patrol ID")


def test_naming_a_patrol_of_another_day_is_judged_with_a_warning(plan_path, tmp_path):
    result = run("patrols", "track", ROBUST / "track_wrong_day.gpx", "--plan", plan_path,
                 "--patrol", "m4-joint-2020/20200315/01", "--db", tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output
    assert "m4-joint-2020/20200315/01: completed" in result.output
    assert ("warning: patrol m4-joint-2020/20200315/01 was planned for 2020-03-15 13:00–16:21 (Asia/Damascus), but "
            "the track was driven 2020-03-20 13:05–15:25 (Asia/Damascus) — more than 3 h apart") in result.output


# --- 5: UTC tracks, local plans -------------------------------------------------------------------------------


def test_plans_carry_their_offset_and_zone(plan_path):
    first = json.loads(plan_path.read_text())["features"][0]["properties"]
    assert (first["start"], first["end"], first["timezone"]) == ("2020-03-15T13:00+02:00", "2020-03-15T16:21+02:00",
                                                                ZONE)
    again = read_plan(plan_path)[0]
    assert (again.start, again.timezone) == (dt.datetime(2020, 3, 15, 13), ZONE)


def test_a_utc_track_is_shown_in_the_plans_local_time(plan_path):
    track = read_track(ROBUST / "track_m4_utc.gpx")  # 11:05Z
    chosen = match(read_plan(plan_path), track)
    report = judge_track(chosen, track)
    assert chosen.id == "m4-joint-2020/20200315/01" and report.warnings == []
    assert "2020-03-15 13:05–15:25 (Asia/Damascus)" in report.summary()


def test_stops_are_shown_in_the_plans_local_time():
    p = patrol("m4-joint-2020/20200315/01", dt.datetime(2020, 3, 15, 13), M4)
    times = np.array(["2020-03-15T11:05", "2020-03-15T11:10", "2020-03-15T11:20", "2020-03-15T11:40"],
                     dtype="datetime64[s]")
    lon, lat = np.array([M4[0][0], M4[0][0], M4[0][0], M4[1][0]]), np.array([M4[0][1], M4[0][1], M4[0][1], M4[1][1]])
    report = judge_track(p, Track("halt", times, lon, lat))
    assert report.stops == [(dt.datetime(2020, 3, 15, 13, 5), dt.datetime(2020, 3, 15, 13, 20))]
    assert report.timezone == ZONE


def test_an_old_plan_without_zone_is_read_as_regime_local_time_with_a_note(plan_path, tmp_path):
    doc = json.loads(plan_path.read_text())
    for feature in doc["features"]:
        props = feature["properties"]
        del props["timezone"]
        props["start"], props["end"] = props["start"][:16], props["end"][:16]  # "2020-03-15T13:00"
    old = tmp_path / "old-plan.geojson"
    old.write_text(json.dumps(doc))
    assert read_plan(old)[0].timezone is None
    result = run("patrols", "track", ROBUST / "track_m4_utc.gpx", "--plan", old, "--db", tmp_path / "s.sqlite",
                 "--regime", "syria-northwest")
    assert result.exit_code == 0, result.output
    assert "2020-03-15 13:05–15:25 (Asia/Damascus)" in result.output
    assert "gives its times without a time zone (an older plan); they are read as Asia/Damascus time" in result.output


def test_incidents_are_found_on_the_local_day_of_a_drive_after_midnight():
    """23:30 UTC on the 14th is 01:30 on the 15th in Damascus: an event of the 15th (local dates) meets it."""
    p = patrol("m4-joint-2020/20200315/00", dt.datetime(2020, 3, 15, 1), M4)
    times = np.array(["2020-03-14T23:30", "2020-03-14T23:50"], dtype="datetime64[s]")
    track = Track("night", times, np.array(M4[0:2])[:, 0], np.array(M4[0:2])[:, 1])
    events = pd.DataFrame({"event_id": ["e15", "e14"], "date": ["2020-03-15", "2020-03-14"],
                           "date_end": ["2020-03-15", "2020-03-13"], "lon": [M4[0][0]] * 2, "lat": [M4[0][1]] * 2})
    assert incidents(p, track, events)["event_id"].tolist() == ["e15"]


# --- 6: options ---------------------------------------------------------------------------------------------


def test_negative_or_non_finite_distances_are_refused(regime):
    with pytest.raises(InputError, match=r"^distance_km must be ≥ 0, got -5$"):
        PlanOptions(distance_km=-5)
    with pytest.raises(InputError, match=r"^distance_km must be a finite number ≥ 0, got nan$"):
        PlanOptions(distance_km=math.nan)
    with pytest.raises(InputError, match=r"^leg_km must be > 0, got 0$"):
        PlanOptions(leg_km=0)
    opts = PlanOptions()
    opts.distance_km = -5  # changed after it was made: the planner checks again
    with pytest.raises(InputError, match=r"^distance_km must be ≥ 0, got -5$"):
        plan_patrols(regime, dt.date(2020, 3, 15), 2, opts)
    with pytest.raises(InputError, match=r"^days must be a whole number ≥ 1, got 0$"):
        plan_patrols(regime, dt.date(2020, 3, 15), 0)
    with pytest.raises(InputError, match=r"^distance_km must be a finite number ≥ 0, got inf$"):
        find_conflicts(two_day_plan(), math.inf)
    track = read_track(ROBUST / "track_m4_utc.gpx")
    with pytest.raises(InputError, match=r"^radius_m must be ≥ 0, got -1$"):
        incidents(two_day_plan()[0], track, pd.DataFrame({"date": ["2020-03-15"]}), radius_m=-1)


# --- 7: plans that are not plans ----------------------------------------------------------------------------


def _plan_doc() -> dict:
    return json.loads(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [list(c) for c in M4[:3]]},
         "properties": {"patrol": "p/1", "mandate": "p", "forces": "russia+turkey", "kind": "joint", "role": "route",
                        "leg": 1, "start": "2020-03-15T13:00+02:00", "end": "2020-03-15T16:00+02:00",
                        "timezone": ZONE, "crs": "EPSG:32637"}}]}))


def _with(path: list, value) -> dict:
    doc = _plan_doc()
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


@pytest.mark.parametrize(("text", "message"), [
    ("[1, 2, 3]", "not a patrol plan — the top level is an array, expected a GeoJSON FeatureCollection"),
    ("", "plan.geojson:1: not JSON (Expecting value)"),
    ("<gpx/>", "plan.geojson:1: not JSON (Expecting value)"),
    ("[" * 100_000, "JSON nested too deeply or a number too long"),
    (json.dumps({"type": "Feature"}), "the top level is a 'Feature' object, expected a GeoJSON FeatureCollection"),
    (json.dumps({"type": "FeatureCollection", "features": []}), "the plan has no patrols (no features)"),
    (json.dumps({"type": "FeatureCollection", "features": {}}), '"features" is an object, expected an array'),
    (json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"date": "2020-03-15"},
                                                            "geometry": None}]}),
     "feature 1: not a patrol plan leg — missing properties patrol, mandate, forces, kind, role, leg, start, end"),
    (json.dumps(_with(["features", 0, "geometry"], None)),
     "feature 1: geometry must be a LineString (one leg of a route), found null"),
    (json.dumps(_with(["features", 0, "geometry", "coordinates", 1], [36.6, 135.8])),
     "feature 1: position 2: latitude 135.8 is outside -90..90"),
    (json.dumps(_with(["features", 0, "geometry", "coordinates", 1], ["36.6", 35.8])),
     'feature 1: position 2 must be [lon, lat] numbers, got ["36.6", 35.8]'),
    (json.dumps(_with(["features", 0, "properties", "leg"], "one")), "feature 1: leg must be a whole number, got 'one'"),
    (json.dumps(_with(["features", 0, "properties", "forces"], 7)), "feature 1: forces must be a non-empty text, got 7"),
    (json.dumps(_with(["features", 0, "properties", "start"], "soon")), "feature 1: start 'soon' is not an ISO 8601"),
    (json.dumps(_with(["features", 0, "properties", "end"], "2020-03-15T10:00+02:00")),
     "feature 1: end 2020-03-15 10:00 is before start 2020-03-15 13:00"),
    (json.dumps(_with(["features", 0, "properties", "crs"], "EPSG:999999")),
     "feature 1: crs 'EPSG:999999' is not a projection PROJ knows"),
    (json.dumps(_with(["features", 0, "properties", "crs"], "EPSG:4326")), "is not a projected (metric) CRS"),
    (json.dumps(_with(["features", 0, "properties", "timezone"], "Mars/Olympus")),
     "feature 1: timezone 'Mars/Olympus' is not an IANA time zone"),
    (json.dumps(_with(["features", 0, "properties", "timezone"], "9" * 400)),  # found by the fuzz test: OSError
     "feature 1: timezone '999"),
])
def test_bad_plans(tmp_path, text, message):
    path = tmp_path / "plan.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_plan(path)
    assert message in str(caught.value)


def test_patrols_check_on_an_array_is_one_line(tmp_path):
    path = tmp_path / "plan.geojson"
    path.write_text("[]")
    result = run("patrols", "check", path)
    assert result.exit_code == 1 and "the top level is an array" in result.output and "Traceback" not in result.output


# --- fuzz: every malformed input ends in a CeasefireError or a usable result ---------------------------------

NUMBERS = st.one_of(st.sampled_from(["35.8", "36.6", "NaN", "nan", "inf", "-Infinity", "1e400", "135.8", "-181",
                                     "", " ", "0x10", "3,5", "1_000", "9" * 400, "-0"]),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr), st.text(max_size=12))
TIMES = st.one_of(st.sampled_from(["2020-03-15T11:05:00Z", "2020-03-15T13:05:00+02:00", "2020-03-15", "yesterday",
                                   "", "0001-01-01T00:30:00+05:00", "9999-12-31T23:59:59-05:00", "2020-02-31T00:00Z",
                                   "99999-01-01T00:00:00Z", "2020-03-15T11:05:00.123456789Z", "NaT"]),
                  st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)).map(str),
                  st.text(max_size=20))


def _gpx_point(lat: str | None, lon: str | None, time: str | None) -> str:
    attrs = "".join(f' {k}="{v}"' for k, v in (("lat", lat), ("lon", lon)) if v is not None)
    inner = f"<time>{time}</time>" if time is not None else ""
    return f"<trkpt{attrs}>{inner}</trkpt>"


def _escape(text: str | None) -> str | None:
    return None if text is None else text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


GPX_POINTS = st.lists(st.tuples(st.none() | NUMBERS, st.none() | NUMBERS, st.none() | TIMES), max_size=5)


def _gpx(points: list) -> str:
    body = "".join(_gpx_point(*(_escape(v) for v in p)) for p in points)
    return f'<?xml version="1.0"?><gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{body}</trkseg></trk></gpx>'


def _track_or_error(path: Path) -> None:
    try:
        track = read_track(path)
    except CeasefireError:
        return
    assert len(track.times) >= 2 and np.isfinite(track.lon).all() and (np.abs(track.lat) <= 90).all()
    try:
        assert track.metric.length >= 0  # projected and handed to GEOS: must not crash either
    except CeasefireError:
        pass


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@SETTLED
@given(data=st.one_of(
    st.binary(max_size=300),
    GPX_POINTS.map(lambda pts: _gpx(pts).encode()),
    st.tuples(GPX_POINTS, st.integers(0, 400)).map(lambda a: _gpx(a[0]).encode()[:a[1]]),  # truncated
    st.sampled_from([(ROBUST / "track_m4_utc.gpx").read_bytes(), b"<gpx/>", b"<wpt/>",
                     b'<?xml version="1.0" encoding="bogus"?><gpx/>', b'<?xml version="1.0" encoding="utf-16"?><gpx/>',
                     (b'<!DOCTYPE g [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                      b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><gpx>&c;&c;&c;</gpx>')])))
def test_fuzz_gpx_tracks(fuzz_dir, data):
    path = fuzz_dir / "drive.gpx"
    path.write_bytes(data)
    _track_or_error(path)


CSV_ROWS = st.lists(st.tuples(TIMES, NUMBERS, NUMBERS), max_size=5)


def _csv(header: str, rows: list) -> str:
    return header + "\n" + "\n".join(",".join(cells) for cells in rows) + "\n"


@SETTLED
@given(data=st.one_of(
    st.binary(max_size=300),
    st.tuples(st.sampled_from(["time,lon,lat", "Time,Longitude,Latitude", "lat,lon,time", "time,lon", "time;lon;lat",
                               '"time,lon,lat', ""]), CSV_ROWS).map(lambda a: _csv(*a).encode()),
    st.tuples(CSV_ROWS, st.integers(0, 200)).map(lambda a: _csv("time,lon,lat", a[0]).encode()[:a[1]]),
    st.text(max_size=200).map(lambda t: ("time,lon,lat\n" + t).encode("utf-8", "surrogatepass"))))
def test_fuzz_csv_tracks(fuzz_dir, data):
    path = fuzz_dir / "drive.csv"
    path.write_bytes(data)
    _track_or_error(path)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                      max_size=3), max_leaves=8)
PLAN_KEYS = ["patrol", "mandate", "forces", "kind", "role", "leg", "start", "end", "timezone", "crs", "status"]


@st.composite
def mutated_plans(draw) -> bytes:
    doc = _plan_doc()
    doc["features"].append(json.loads(json.dumps(doc["features"][0])))
    for _ in range(draw(st.integers(1, 3))):
        feature = doc["features"][draw(st.integers(0, 1))]
        where = draw(st.sampled_from(["property", "drop", "geometry", "position"]))
        if where == "property":
            feature["properties"][draw(st.sampled_from(PLAN_KEYS))] = draw(JSON_VALUES | TIMES | NUMBERS)
        elif where == "drop":
            feature["properties"].pop(draw(st.sampled_from(PLAN_KEYS)), None)
        elif where == "geometry":
            feature["geometry"] = draw(JSON_VALUES)
        elif feature["geometry"] == _plan_doc()["features"][0]["geometry"]:  # still the leg's own LineString
            feature["geometry"]["coordinates"][draw(st.integers(0, 2))] = draw(
                st.lists(st.floats() | st.integers(-10**400, 10**400), min_size=0, max_size=3) | JSON_VALUES)
    return json.dumps(doc).encode()


@SETTLED
@given(data=st.one_of(
    st.binary(max_size=300),
    mutated_plans(),
    st.tuples(st.just(json.dumps(_plan_doc()).encode()), st.integers(0, 600)).map(lambda a: a[0][:a[1]]),
    JSON_VALUES.map(lambda v: json.dumps(v).encode())))
def test_fuzz_plans(fuzz_dir, data):
    path = fuzz_dir / "plan.geojson"
    path.write_bytes(data)
    try:
        patrols = read_plan(path)
    except CeasefireError:
        return
    assert patrols and all(p.route.length > 0 and p.end >= p.start for p in patrols)
    find_conflicts(patrols)  # what `patrols check` does next


@SETTLED
@given(points=st.lists(st.tuples(st.floats(-180, 180) | st.sampled_from([-180.0, 180.0, 129.0, 36.6]),
                                 st.floats(-90, 90) | st.sampled_from([-90.0, 90.0, 35.8]),
                                 st.integers(0, 10**6)), min_size=2, max_size=6))
def test_fuzz_judging_valid_but_extreme_tracks(points):
    """Positions that pass the checks (poles, the antimeridian, far from UTM 37N) are judged or refused
    in one line; GEOS never sees an infinite coordinate."""
    lon, lat, seconds = (np.array(v) for v in zip(*points))
    times = np.datetime64("2020-03-15T11:00", "s") + seconds.astype("timedelta64[s]")
    plan = two_day_plan()
    try:
        track = Track("fuzz", times, lon, lat)
        report = judge_track(match(plan, track), track)
    except CeasefireError:
        return
    assert 0.0 <= report.completion <= 1.0 and math.isfinite(report.max_deviation_m)


def test_a_track_with_no_store_yet_is_judged_and_says_incidents_were_not_looked_up(plan_path, tmp_path):
    missing = tmp_path / "none.sqlite"
    result = run("patrols", "track", ROBUST / "track_m4_utc.gpx", "--plan", plan_path, "--db", missing)
    assert result.exit_code == 0, result.output
    assert f"no store at {missing}: incidents on patrol are not looked up" in result.stderr
    assert "2020-03-15 13:05–15:25 (Asia/Damascus)" in result.stdout
    assert not missing.exists()  # a query never creates a store


def test_a_track_with_a_vanishing_step_is_judged_without_a_division_by_zero():
    """Found by the fuzz test above: a latitude of 1e-238° is a step of 1e-232 m in UTM, on which GEOS divided by
    zero buffering the line (a RuntimeWarning, an error under the suite's settings)."""
    times = np.datetime64("2020-03-15T11:00", "s") + np.arange(4).astype("timedelta64[s]")
    track = Track("tiny", times, np.zeros(4), np.array([1.0, 1.3917699230393096e-238, 1.0, 0.0]))
    plan = two_day_plan()
    try:
        report = judge_track(match(plan, track), track)
    except CeasefireError as exc:  # a track this far from the plan may be refused, in one line
        assert "tiny" in str(exc)
        return
    assert 0.0 <= report.completion <= 1.0
