"""The monitor on real UCDP rows and on made-up ACLED rows: zones, rules in time, exceptions, precision."""

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.events import events_frame, ingest_file
from ceasefire.geodata.basedata import data_path
from ceasefire.monitor import MonitorIndex, judge, summarize
from ceasefire.monitor.engine import locate
from ceasefire.monitor.locate import ZoneLocator
from ceasefire.store import connect

from .conftest import DATA


@pytest.fixture(scope="module")
def index(regime):
    return MonitorIndex.build(regime)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    conn = connect(tmp_path_factory.mktemp("m") / "s.sqlite")
    ingest_file(conn, data_path("ucdp_ged_nw_syria_sample.csv"), "ucdp", progress=False)
    return events_frame(conn, with_raw=True)


@pytest.fixture(scope="module")
def made_up(tmp_path_factory):
    conn = connect(tmp_path_factory.mktemp("m") / "a.sqlite")
    ingest_file(conn, DATA / "acled_made_up.csv", "acled", progress=False)
    ingest_file(conn, DATA / "events_made_up.geojson", "geojson", progress=False)
    return events_frame(conn)


def verdicts(regime, index, events, event_id):
    found = judge(regime, events, index)
    return found[found["event_id"] == event_id].set_index("rule")


def test_damascus_and_deir_ez_zor_are_in_no_zone(regime, index, sample):
    far = sample[sample["adm1"].isin(["Damascus Governorate", "Deir ez Zor Governorate"])]
    assert len(far) > 50
    where = locate(index, far)
    assert all(not status.any() for status in where.values())
    assert judge(regime, far, index).empty


def test_khan_shaykhun_may_2019_is_a_confirmed_astana_violation(regime, index, sample):
    rows = sample[(sample["place"] == "Khan Shaykhun town") & sample["date"].str.startswith("2019-05")
                  & (sample["actor1"] == "Government of Syria") & (sample["actor2"] == "Syrian insurgents")]
    assert len(rows) >= 3
    found = judge(regime, rows, index)
    astana = found[found["rule"] == "astana-cessation"]
    assert set(astana["event_id"]) == set(rows["event_id"])
    assert (astana["status"] == "confirmed").all() and (astana["zone"] == "astana-1").all()
    assert astana["reason"].str.contains("Astana memorandum, art. 2").all()
    assert {"syrian-government", "armed-opposition"} == set(astana["party1"]) | set(astana["party2"])


def test_heavy_weapons_in_the_dmz_only_after_the_deadline(regime, index, made_up):
    after = verdicts(regime, index, made_up, "acled:TST001")
    assert after.loc["dmz-heavy-weapons", "status"] == "confirmed"
    assert after.loc["dmz-heavy-weapons", "reason"] == (
        "Artillery fire inside the Sochi demilitarized zone on 2018-10-20: heavy weapons were to be withdrawn "
        "by 2018-10-10 (Sochi memorandum, point 6)")
    before = verdicts(regime, index, made_up, "acled:TST002")
    assert "dmz-heavy-weapons" not in before.index
    assert before.loc["astana-cessation", "status"] == "confirmed"  # the cessation was already in force


def test_moscow_ceasefire_and_its_exception(regime, index, made_up):
    strike = verdicts(regime, index, made_up, "acled:TST003")
    assert strike.loc["moscow-ceasefire", "status"] == "confirmed"
    assert "Moscow protocol, art. 1" in strike.loc["moscow-ceasefire", "reason"]
    on_hts = verdicts(regime, index, made_up, "acled:TST004")
    assert on_hts.loc["moscow-ceasefire", "status"] == "excluded"
    assert "excluded: the protocol keeps the fight against groups designated" in on_hts.loc["moscow-ceasefire", "reason"]
    assert on_hts.loc["astana-cessation", "status"] == "excluded"
    assert "Astana memorandum, art. 6" in on_hts.loc["astana-cessation", "reason"]


def test_radical_groups_in_the_dmz(regime, index, made_up):
    clash = verdicts(regime, index, made_up, "acled:TST005")
    assert clash.loc["dmz-radical-groups", "status"] == "confirmed"


def test_governorate_precision_is_possible_never_confirmed(regime, index, made_up, sample):
    coarse = verdicts(regime, index, made_up, "geojson:gov-1")
    assert coarse.loc["astana-cessation", "status"] == "possible"
    assert "possibly inside" in coarse.loc["astana-cessation", "reason"]
    exact = verdicts(regime, index, made_up, "geojson:city-1")
    assert exact.loc["astana-cessation", "status"] == "confirmed"
    real = judge(regime, sample[sample["place_precision"].isin(["governorate", "district"])], index)
    assert len(real) > 10 and set(real["status"]) <= {"possible", "excluded"}


def test_dates_known_to_a_month_that_straddle_a_start_are_possible(regime, index, made_up):
    row = made_up[made_up["event_id"] == "acled:TST003"].copy()
    row["date"], row["date_end"], row["date_precision"] = "2020-03-01", "2020-03-31", "month"
    found = judge(regime, row, index).set_index("rule")
    assert found.loc["moscow-ceasefire", "status"] == "possible"
    assert found.loc["astana-cessation", "status"] == "confirmed"


def test_nothing_happens_before_the_regime(regime, index, made_up):
    row = made_up[made_up["event_id"] == "acled:TST003"].copy()
    row["date"] = row["date_end"] = "2017-01-15"
    assert judge(regime, row, index).empty


def test_the_result_does_not_depend_on_event_order(regime, index, sample):
    shuffled = sample.sample(frac=1.0, random_state=7)
    key = ["event_id", "rule"]
    a = judge(regime, sample, index).sort_values(key).reset_index(drop=True)
    b = judge(regime, shuffled, index).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_summary_counts_by_zone_month_type_and_party(regime, index, sample):
    table = summarize(judge(regime, sample, index))
    may = table[(table["zone"] == "astana-1") & (table["month"] == "2019-05") & (table["event_type"] == "battles")]
    assert may["confirmed"].iloc[0] > 100
    assert "syrian-government" in may["by_party"].iloc[0]


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_grid_locator_agrees_with_shapely(regime, seed):
    from ceasefire.zones import regime_shapes

    rng = np.random.default_rng(seed)
    shape = regime_shapes(regime)["sochi-dmz"].wgs84
    minx, miny, maxx, maxy = shape.bounds
    x = rng.uniform(minx - 0.2, maxx + 0.2, 2000)
    y = rng.uniform(miny - 0.2, maxy + 0.2, 2000)
    expected = shapely.intersects_xy(shape, x, y)
    assert (ZoneLocator(shape, max_cells=64).contains(x, y) == expected).all()
