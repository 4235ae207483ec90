"""The second built-in regime, north-east Syria in October 2019, written as data only."""

import datetime as dt

import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from ceasefire.cli import main
from ceasefire.geodata.basedata import find_places
from ceasefire.monitor import judge
from ceasefire.regime import builtin_regimes, load_regime
from ceasefire.zones import zones_at


@pytest.fixture(scope="module")
def northeast():
    return load_regime("syria-northeast", check_geometry=True)


def zones_holding(regime, name, when):
    place = find_places(name)[0]
    return {s.zone.id for s in zones_at(regime, when) if shapely.intersects_xy(s.wgs84, place.lon, place.lat)}


def test_it_is_built_in_beside_the_north_west():
    assert {"syria-northwest", "syria-northeast"} <= set(builtin_regimes())


def test_the_zones_on_30_october(northeast):
    when = dt.datetime(2019, 10, 30, 12, 0)
    assert {s.zone.id for s in zones_at(northeast, when)} >= {
        "withdrawal-band", "patrol-west", "patrol-east", "peace-spring-area", "manbij", "tal-rifaat"}
    assert zones_holding(northeast, "Tal Abyad", when) == {"peace-spring-area"}
    assert zones_holding(northeast, "Ras al-Ain", when) == {"peace-spring-area"}
    assert "patrol-east" not in zones_holding(northeast, "Qamishli", when)
    assert "patrol-west" not in zones_holding(northeast, "Qamishli", when)
    assert "patrol-east" in zones_holding(northeast, "Amuda", when)  # a border town east of Ras al-Ain
    assert {"withdrawal-band", "patrol-west"} <= zones_holding(northeast, "Kobani", when)
    assert zones_at(northeast, dt.date(2019, 10, 16)) == []  # before the US–Turkey statement: no zone yet
    assert {s.zone.id for s in zones_at(northeast, dt.date(2019, 10, 20))} == {"safe-zone"}


def ypg_presence(date, time=None):
    amuda = find_places("Amuda")[0]
    return pd.DataFrame([{
        "event_id": f"t:{date}", "date": date, "date_end": date, "date_precision": "day", "time": time,
        "lon": amuda.lon, "lat": amuda.lat - 0.05, "place_precision": "exact", "event_type": "strategic-developments",
        "sub_event_type": "armed-presence", "actor1": "SDF: Syrian Democratic Forces", "actor2": None,
        "roles": "one-sided"}])


def test_ypg_presence_in_the_band_is_a_breach_only_after_150_hours(northeast):
    late = judge(northeast, ypg_presence("2019-10-30", "20:00"))
    verdict = late.set_index("rule").loc["ypg-out-of-band"]
    assert verdict["status"] == "confirmed" and verdict["in_breach"] == "ypg"
    assert "within 150 hours of noon on 2019-10-23" in verdict["reason"]
    assert judge(northeast, ypg_presence("2019-10-28")).empty
    # on the deadline's own day (18:00 on 29 October, UTC+3 — 17:00 in Syria, then on UTC+2) with no time
    deadline = judge(northeast, ypg_presence("2019-10-29")).set_index("rule").loc["ypg-out-of-band"]
    assert deadline["status"] == "possible"
    assert "the rule starts at 17:00 on 2019-10-29 (Asia/Damascus)" in deadline["because"]


def test_joint_patrols_plan_from_1_november(northeast):
    from ceasefire.patrols import find_conflicts, plan_patrols

    plan = plan_patrols(northeast, dt.date(2019, 11, 1), 14)
    assert {p.mandate for p in plan.patrols} == {"joint-west", "joint-east"}
    assert all(set(p.forces) == {"russia", "turkey"} for p in plan.patrols)
    assert not find_conflicts(plan.patrols)
    assert plan_patrols(northeast, dt.date(2019, 10, 20), 7).patrols == []


def test_where_and_violations_commands(tmp_path):
    runner = CliRunner()
    amuda = find_places("Amuda")[0]
    out = runner.invoke(main, ["where", str(amuda.lon), str(amuda.lat - 0.05), "--regime", "syria-northeast",
                               "--at", "2019-10-30T20:00"]).output
    assert "zone withdrawal-band" in out and "ypg-out-of-band" in out
    geojson = tmp_path / "ne.geojson"
    assert runner.invoke(main, ["zones", "--regime", "syria-northeast", "--at", "2019-11-01", "--format", "geojson",
                                "-o", str(geojson)]).exit_code == 0
    assert '"patrol-east"' in geojson.read_text()


def test_the_pause_ran_120_hours(northeast):
    clash = ypg_presence("2019-10-20", "10:00").assign(
        sub_event_type="armed-clash", event_type="battles", actor2="Military Forces of Turkey (2016-)", roles="clash")
    assert judge(northeast, clash).set_index("rule").loc["peace-spring-pause", "status"] == "confirmed"
    after = judge(northeast, clash.assign(date="2019-10-23", date_end="2019-10-23", time="08:00"))
    assert after.empty  # after the pause and before the Sochi arrangement began at noon
