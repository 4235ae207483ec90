"""Zones that follow the ground: dated changes of control, zone versions, and who held the ground."""

import datetime as dt

import pytest
import shapely

from ceasefire.errors import RegimeError
from ceasefire.geodata.basedata import admin_units
from ceasefire.monitor import judge
from ceasefire.regime import load_regime
from ceasefire.zones import zones_at
from ceasefire.zones.timeline import control_at

from .conftest import DATA

KHAN_SHAYKHUN = (36.651, 35.442)
MAARRAT = (36.677, 35.648)
SARAQIB = (36.806, 35.864)


def zone(regime, zone_id, when):
    return next(s for s in zones_at(regime, when) if s.zone.id == zone_id)


def inside(regime, zone_id, point, when):
    return bool(shapely.intersects_xy(zone(regime, zone_id, when).wgs84, *point))


def test_khan_shaykhun_leaves_zone_1_when_the_government_takes_it(regime):
    assert inside(regime, "astana-1", KHAN_SHAYKHUN, dt.date(2019, 7, 1))
    assert not inside(regime, "astana-1", KHAN_SHAYKHUN, dt.date(2019, 9, 1))
    units = admin_units()
    sub_district = units[(units["level"] == 3) & (units["name"] == "Khan Shaykun")].geometry.iloc[0]
    september = zone(regime, "astana-1", dt.date(2019, 9, 1)).wgs84
    assert september.intersection(sub_district).area < 0.01 * sub_district.area
    held = control_at(regime, *KHAN_SHAYKHUN, dt.date(2019, 9, 1))
    assert held.held_by == "government" and held.at == dt.date(2019, 8, 21) and "SOHR" in held.source
    assert control_at(regime, *KHAN_SHAYKHUN, dt.date(2019, 7, 1)) is None


def test_maarrat_al_numan_and_saraqib_change_hands(regime):
    assert inside(regime, "astana-1", MAARRAT, dt.date(2020, 1, 15))
    assert not inside(regime, "astana-1", MAARRAT, dt.date(2020, 2, 1))
    # Saraqib: taken on 8 Feb, retaken by the opposition on 27 Feb, taken again on 2 Mar 2020
    states = [inside(regime, "astana-1", SARAQIB, dt.date(2020, 2, day)) for day in (1, 10, 28)]
    assert states == [True, False, True]
    assert not inside(regime, "astana-1", SARAQIB, dt.date(2020, 3, 3))
    assert control_at(regime, *SARAQIB, dt.date(2020, 2, 28)).held_by == "opposition"


def test_zone_versions_are_kept_not_overwritten(regime):
    from ceasefire.zones import regime_shapes

    shape = regime_shapes(regime)["astana-1"]
    assert len(shape.versions) >= 10
    areas = [v.metric.area / 1e6 for v in shape.versions]
    assert areas[0] == pytest.approx(shape.area_km2)  # the defined area, as the agreement drew it
    assert areas[-1] < 0.8 * areas[0]
    starts = [v.start for v in shape.versions]
    assert starts == sorted(starts) and all(v.change is not None for v in shape.versions[1:])


def test_the_corrected_drawings_hold_the_opposition_ground_of_2017(regime):
    when = dt.date(2017, 6, 1)
    assert inside(regime, "astana-1", (37.05103, 36.11696), when)  # Khan Tuman
    units = admin_units()
    haritan = units[(units["level"] == 3) & (units["name"] == "Haritan")].geometry.iloc[0]
    assert zone(regime, "astana-1", when).wgs84.contains(haritan.representative_point())
    assert inside(regime, "astana-2", (36.707602, 34.802462), when)  # Teir Maalah
    assert inside(regime, "astana-2", (36.511667, 34.885278), when)  # Houla


def test_events_on_ground_the_government_held_are_no_breach_of_the_zone(regime, tmp_path):
    from ceasefire.events import events_frame, ingest_file
    from ceasefire.geodata.basedata import data_path
    from ceasefire.monitor.engine import event_minutes, ground_held
    from ceasefire.monitor.columns import EventColumns
    from ceasefire.store import connect

    conn = connect(tmp_path / "s.sqlite")
    ingest_file(conn, data_path("ucdp_ged_nw_syria_sample.csv"), "ucdp", progress=False)
    events = events_frame(conn)
    exact = events[events["place_precision"] == "exact"].reset_index(drop=True)
    first, _ = event_minutes(exact, EventColumns(exact))
    ground = ground_held(regime, exact["lon"].to_numpy(), exact["lat"].to_numpy(), first)
    taken = exact[[g.startswith("government since") for g in ground]]
    assert len(taken) >= 20  # real rows on ground the government had taken by their date
    found = judge(regime, exact)
    astana = found[found["rule"] == "astana-cessation"].set_index("event_id")
    hits = astana.loc[astana.index.intersection(taken["event_id"])]
    # at most possible, and only within the border tolerance of the ground the opposition still held
    assert (hits["status"] != "confirmed").all()
    assert hits["because"].str.contains("within 1 km of the zone's edge").all()
    assert hits["ground"].str.startswith("government since").all()


def test_a_verdict_carries_who_held_the_ground(regime):
    import pandas as pd

    row = pd.DataFrame([{
        "event_id": "t:1", "date": "2020-02-28", "date_end": "2020-02-28", "date_precision": "day",
        "lon": SARAQIB[0], "lat": SARAQIB[1], "place_precision": "exact", "event_type": "explosions",
        "sub_event_type": "air-strike", "actor1": "Military Forces of Russia (2000-)",
        "actor2": "National Front for Liberation", "roles": "one-sided",
    }])
    found = judge(regime, row).set_index("rule")
    assert found.loc["astana-cessation", "status"] == "confirmed"
    assert found.loc["astana-cessation", "ground"] == "opposition since 2020-02-27 (saraqib-retaken-2020)"


def test_control_changes_are_validated(tmp_path):
    text = (DATA / "tiny-regime.yaml").read_text() + """
control:
  - {id: c1, area: {admin: {names: [Daraa], level: 1}}, at: 2021-02-01, held_by: nobody, source: test}
"""
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(RegimeError, match="control\\[0\\].held_by: control c1: held_by side 'nobody' is not defined"):
        load_regime(path)


def test_a_rule_can_be_suspended_and_resume(tmp_path):
    from click.testing import CliRunner

    from ceasefire.cli import main
    from ceasefire.monitor import judge
    import pandas as pd

    text = (DATA / "tiny-regime.yaml").read_text().replace(
        "    from: 2021-01-02\n", "    from: 2021-01-02\n    until: 2021-12-31\n"
        "    suspensions:\n      - {from: 2021-03-01, until: 2021-03-10, reason: talks broke down}\n")
    path = tmp_path / "suspended.yaml"
    path.write_text(text)
    regime = load_regime(path)
    rule = regime.rules[0]
    assert rule.periods() == [(dt.date(2021, 1, 2), dt.date(2021, 2, 28)), (dt.date(2021, 3, 11), dt.date(2021, 12, 31))]
    row = pd.DataFrame([{"event_id": "t:1", "date": d, "date_end": d, "date_precision": "day", "lon": 35.95,
                         "lat": 32.75, "place_precision": "exact", "event_type": "battles",
                         "sub_event_type": "armed-clash", "actor1": "Side A", "actor2": "Side B", "roles": "clash"}
                        for d in ("2021-02-20", "2021-03-05", "2021-03-20")])
    assert list(judge(regime, row)["date"]) == ["2021-02-20", "2021-03-20"]
    week = row.iloc[:1].assign(date="2021-02-26", date_end="2021-03-04", date_precision="week")
    found = judge(regime, week)
    assert found["status"].tolist() == ["possible"]
    assert "was last in force before a suspension at 2021-02-28" in found["because"].iloc[0]
    out = CliRunner().invoke(main, ["where", "35.95", "32.75", "--regime", str(path), "--at", "2021-03-05"]).output
    assert "no-fighting: suspended from 2021-03-01 to 2021-03-10 — talks broke down" in out
    out = CliRunner().invoke(main, ["where", "35.95", "32.75", "--regime", str(path), "--at", "2021-03-20"]).output
    assert "no fighting (Test deal, art. 1; until 2021-12-31)" in out
    bad = path.read_text().replace("until: 2021-12-31", "until: 2020-12-31")
    path.write_text(bad)
    with pytest.raises(RegimeError, match="until 2020-12-31 is before from 2021-01-02"):
        load_regime(path)


def test_the_moscow_ceasefire_runs_along_the_line_of_contact_of_5_march_2020(regime):
    """Its area is zone 1's ground when the ceasefire began, frozen: Saraqib (taken on 2 March) is out,
    Idlib city is in; the line of contact is that ground's edge less the national border."""
    from ceasefire.zones import regime_shapes
    from ceasefire.zones.timeline import regime_evaluator

    area = zone(regime, "moscow-ceasefire-area", dt.date(2020, 6, 1))
    assert not shapely.intersects_xy(area.wgs84, *SARAQIB)
    assert shapely.intersects_xy(area.wgs84, 36.63393, 35.93062)  # Idlib city
    at_start = zone(regime, "astana-1", dt.datetime(2020, 3, 6, 0, 1))
    assert area.metric.symmetric_difference(at_start.metric).area < 1e-6 * at_start.metric.area
    shapes = regime_shapes(regime)
    evaluator = regime_evaluator(regime, [])  # given no changes of control, `held` is the zone as defined
    defined = evaluator.evaluate({"held": {"zone": "astana-1", "at": dt.date(2020, 3, 6)}})
    assert defined.area == pytest.approx(shapes["astana-1"].metric.area, rel=1e-6)
    line = evaluator.evaluate({"line_of_contact": {"zone": "astana-1", "at": dt.date(2020, 3, 6)}})
    assert line.geom_type in ("LineString", "MultiLineString")
    # no part of the line of contact lies on the Turkish border (the zone's north-western edge)
    assert not shapely.intersects_xy(
        shapely.buffer(line, 3000), *_metric(36.6706, 36.2297))  # Bab al-Hawa crossing


def _metric(lon, lat):
    import geopandas as gpd

    p = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326).to_crs(32637).iloc[0]
    return p.x, p.y
