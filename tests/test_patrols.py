"""Patrols: routes from mandates, deconfliction, tracks → completion and status, incidents → violations."""

import dataclasses
import datetime as dt
import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from shapely.ops import substring

from ceasefire.cli import main
from ceasefire.events import ingest_file
from ceasefire.patrols import Track, find_conflicts, judge_track, plan_patrols, read_plan, read_track, write_plan
from ceasefire.patrols.io import write_track_gpx
from ceasefire.patrols.routes import front_line
from ceasefire.store import connect
from ceasefire.zones import regime_shapes
from ceasefire.zones.expressions import road_section


@pytest.fixture(scope="module")
def plan_2019(regime):
    return plan_patrols(regime, dt.date(2019, 3, 8), 7)


@pytest.fixture(scope="module")
def plan_2020(regime):
    return plan_patrols(regime, dt.date(2020, 3, 15), 7)


def test_2019_russia_along_the_border_turkey_inside_the_disarmed_areas(regime, plan_2019):
    shapes = regime_shapes(regime)  # the zones as they stood on the plan's first day
    zone1 = shapes["astana-1"].at(dt.date(2019, 3, 8), regime.timezone).metric
    dmz = shapes["sochi-dmz"].at(dt.date(2019, 3, 8), regime.timezone).metric
    russian = [p for p in plan_2019.patrols if p.forces == ("russia",)]
    turkish = [p for p in plan_2019.patrols if p.forces == ("turkey",)]
    assert russian and turkish
    front = front_line(zone1)
    for p in russian:
        assert p.role == "perimeter" and p.route.within(zone1.buffer(1))
        # 1 km inside the line of contact, never along the Turkish border
        assert p.route.difference(front.buffer(1600)).length < 0.05 * p.route.length
    for p in turkish:
        assert p.role == "interior" and p.route.within(dmz)
    assert not any(p.mandate == "m4-joint-2020" for p in plan_2019.patrols)  # not yet in force


def test_2020_joint_route_on_the_m4_from_trumba_to_ain_al_hur(plan_2020):
    joint = [p for p in plan_2020.patrols if p.mandate == "m4-joint-2020"]
    assert len(joint) == 1 and set(joint[0].forces) == {"russia", "turkey"} and joint[0].kind == "joint"
    section = road_section("M4", "Trumba", "Ain al-Hur")
    assert joint[0].route.length == pytest.approx(section.length, rel=0.10)
    assert 40 < joint[0].length_km < 80
    assert sum(leg.length_km for leg in joint[0].legs) == pytest.approx(joint[0].length_km, rel=1e-6)


def test_weekly_coverage_is_reported(plan_2020):
    cov = plan_2020.coverage.set_index("mandate")
    assert cov.loc["m4-joint-2020", "covered"] == pytest.approx(1.0, abs=0.01)
    assert cov.loc["russia-perimeter-2019", "covered"] > 0.9


def test_the_planner_makes_no_conflicts_and_check_finds_a_forced_one(tmp_path, plan_2020):
    assert find_conflicts(plan_2020.patrols) == []
    path = tmp_path / "plan.geojson"
    write_plan(plan_2020.patrols, path)
    patrols = read_plan(path)
    assert find_conflicts(patrols) == []
    joint = next(p for p in patrols if p.mandate == "m4-joint-2020")
    # the Turkish interior route crosses the M4: put one Turkish patrol on the road at the joint patrol's time
    crossing = next(p for p in patrols if p.forces == ("turkey",) and p.route.distance(joint.route) < 2000)
    crossing.start, crossing.end = joint.start, joint.end
    conflicts = find_conflicts(patrols)
    assert conflicts and {conflicts[0].patrol_a, conflicts[0].patrol_b} == {joint.id, crossing.id}
    assert conflicts[0].distance_km < 2.0
    write_plan(patrols, path)
    result = CliRunner().invoke(main, ["patrols", "check", str(path)])
    assert result.exit_code == 2 and "conflict(s)" in result.output and joint.id in result.output
    assert all({joint.id, crossing.id} == {c.patrol_a, c.patrol_b} for c in conflicts)  # only the forced pair


def along(route, share: float, start: dt.datetime, offset_m: float = 30.0, every_m: float = 200.0) -> Track:
    """A track that drives the first ``share`` of ``route``, 30 m to one side, at 25 km/h."""
    part = substring(route, 0, route.length * share)
    distances = np.arange(0, part.length, every_m)
    pts = shapely.line_interpolate_point(part, distances)
    pts = shapely.transform(pts, lambda xy: xy + [0, offset_m])
    wgs = gpd.GeoSeries(pts, crs=32637).to_crs(4326)
    times = np.array([start + dt.timedelta(seconds=d / (25 / 3.6)) for d in distances], dtype="datetime64[s]")
    return Track("generated", times, wgs.x.to_numpy(), wgs.y.to_numpy())


@pytest.fixture
def joint_and_store(tmp_path, regime, plan_2020, store_target):
    joint = next(p for p in plan_2020.patrols if p.mandate == "m4-joint-2020")
    gpx = tmp_path / "drive.gpx"
    write_track_gpx(along(joint.route, 0.70, joint.start), gpx, joint.id)
    track = read_track(gpx)
    # an IED 200 m off the driven track, at a point the patrol passed
    passed = shapely.line_interpolate_point(track.metric, 0.4, normalized=True)
    ied = gpd.GeoSeries([shapely.Point(passed.x, passed.y + 200)], crs=32637).to_crs(4326).iloc[0]
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [ied.x, ied.y]},
                 "properties": {"source_id": sid, "date": day, "sub_event_type": "remote-explosive",
                                "actor1": "Unidentified Armed Group (Syria)", "actor2": "Military Forces of Russia (2000-)"}}
                for sid, day in (("ied-1", joint.start.date().isoformat()),
                                 ("ied-2", (joint.start.date() + dt.timedelta(days=1)).isoformat()))]
    events = tmp_path / "ied.geojson"
    events.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    db = store_target
    with connect(db) as store:
        ingest_file(store, events, "geojson", progress=False)
    plan = tmp_path / "plan.geojson"
    write_plan(plan_2020.patrols, plan)
    return joint, gpx, track, db, plan


def test_a_track_along_70_percent_is_cut_short(joint_and_store):
    joint, _, track, _, _ = joint_and_store
    report = judge_track(dataclasses.replace(joint), track)
    assert report.status == "cut short"
    assert report.completion == pytest.approx(0.70, abs=0.05)
    assert 20 <= report.max_deviation_m <= 100
    full = judge_track(dataclasses.replace(joint), along(joint.route, 1.0, joint.start))
    assert full.status == "completed" and full.completion > 0.95


def test_an_ied_near_the_track_is_an_incident_and_a_violation_a_day_later_is_not(joint_and_store, tmp_path):
    joint, gpx, _, db, plan = joint_and_store
    out = tmp_path / "track.geojson"
    result = CliRunner().invoke(main, ["patrols", "track", str(gpx), "--plan", str(plan), "--patrol", joint.id,
                                       "--db", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "cut short" in result.output
    assert "incident on patrol: geojson:ied-1" in result.output
    assert "geojson:ied-2" not in result.output  # the day after the patrol
    assert "attack on a guarantor patrol" in result.output and "(Moscow protocol, art. 3)" in result.output
    doc = json.loads(out.read_text())
    track_feature = next(f for f in doc["features"] if f["properties"]["kind"] == "track")
    incident = next(f for f in doc["features"] if f["properties"]["kind"] == "incident")
    assert track_feature["properties"]["incidents"] == "geojson:ied-1"  # patrol → incident
    assert incident["properties"]["patrol"] == joint.id  # incident → patrol
    assert 150 < incident["properties"]["distance_m"] < 250


def test_track_matched_without_an_id_and_csv_tracks(joint_and_store, tmp_path):
    joint, _, track, _, plan = joint_and_store
    csv_path = tmp_path / "drive.csv"
    rows = ["time,lon,lat"] + [f"{t},{x},{y}" for t, x, y in zip(track.times.astype(str), track.lon, track.lat)]
    csv_path.write_text("\n".join(rows) + "\n")
    from ceasefire.patrols import match

    assert match(read_plan(plan), read_track(csv_path)).id == joint.id


def test_bad_tracks_are_clear_errors(tmp_path):
    from ceasefire.errors import InputError

    bad = tmp_path / "bad.csv"
    bad.write_text("time,lon,lat\nyesterday,36.6,35.8\n")
    with pytest.raises(InputError, match="bad.csv:2: time must be ISO 8601"):
        read_track(bad)
    with pytest.raises(InputError, match="not a readable GPX"):
        (tmp_path / "x.gpx").write_text("<nope")
        read_track(tmp_path / "x.gpx")


def test_perimeter_patrols_follow_the_ground_the_zone_holds(regime):
    """In March 2020 the Russian perimeter patrol runs along zone 1 as it then stood (Maarrat al-Numan and
    Saraqib taken), not along the 2017 drawing."""
    import geopandas as gpd
    import shapely as sh

    from ceasefire.patrols.routes import mandate_route

    mandate = next(m for m in regime.patrols if m.id == "russia-perimeter-2019")
    then = sh.union_all(mandate_route(regime, mandate, at=dt.date(2019, 3, 8)))
    later = sh.union_all(mandate_route(regime, mandate, at=dt.date(2020, 3, 20)))
    maarrat = gpd.GeoSeries(gpd.points_from_xy([36.677], [35.648]), crs=4326).to_crs(32637).iloc[0]
    # in 2019 Maarrat al-Numan lay deep inside zone 1, far from its front; in 2020 the front passes near it
    assert then.distance(maarrat) > 12_000 and later.distance(maarrat) < 8_000
