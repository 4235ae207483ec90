"""The monitor on real UCDP rows and on made-up ACLED rows: who against whom, how sure, when, and what.

Each failure the audit of issue 8 found has a test here, on real rows of the shipped sample where
they exist and on rows written for the test (tests/data/acled_judgments.csv) for the rest.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire.events import events_frame, ingest_file
from ceasefire.geodata.basedata import data_path
from ceasefire.monitor import MonitorIndex, judge, summarize
from ceasefire.monitor.columns import combine
from ceasefire.monitor.engine import VIOLATION_COLUMNS, locate
from ceasefire.monitor.locate import ZoneLocator
from ceasefire.regime import load_regime
from ceasefire.store import connect

from .conftest import DATA


@pytest.fixture(scope="module")
def index(regime):
    return MonitorIndex.build(regime)


def _store(tmp_path_factory, *files):
    conn = connect(tmp_path_factory.mktemp("m") / "s.sqlite")
    for path, fmt in files:
        ingest_file(conn, path, fmt, progress=False)
    return events_frame(conn)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return _store(tmp_path_factory, (data_path("ucdp_ged_nw_syria_sample.csv"), "ucdp"))


@pytest.fixture(scope="module")
def judged(regime, index, sample):
    return judge(regime, sample, index)


@pytest.fixture(scope="module")
def made_up(tmp_path_factory):
    return _store(tmp_path_factory, (DATA / "acled_made_up.csv", "acled"), (DATA / "events_made_up.geojson", "geojson"),
                  (DATA / "acled_judgments.csv", "acled"), (DATA / "ucdp_more_rows.csv", "ucdp"))


def verdicts(regime, index, events, event_id):
    found = judge(regime, events, index)
    return found[found["event_id"] == event_id].set_index("rule")


def row_of(events, event_id, **changes):
    row = events[events["event_id"] == event_id].copy()
    assert len(row) == 1, event_id
    for name, value in changes.items():
        row[name] = value
    return row


# --------------------------------------------------------------------------- who against whom


def test_deir_ez_zor_and_damascus_are_in_no_zone(index, sample):
    far = sample[sample["adm1"].isin(["Damascus Governorate", "Deir ez Zor Governorate"])]
    assert len(far) > 50
    assert not any(status.any() for status in locate(index, far).values())
    # A 'near' row in Damascus city: its 25 km disc reaches Eastern Ghouta, but the district its source
    # names (Damascus) does not meet the zone. Without that name the disc alone makes it possible.
    near = far[(far["place_precision"] == "near") & (far["adm1"] == "Damascus Governorate")]
    unnamed = locate(index, near.assign(adm1=None, adm2=None))["astana-3"]
    assert (unnamed == 1).any() and set(unnamed) <= {0, 1}


def test_the_cessation_binds_only_government_against_opposition(judged, sample):
    """No Astana verdict has a side that is neither government nor opposition (SDF, civilians, Israel, unnamed)."""
    astana = judged[judged["rule"] == "astana-cessation"]
    assert len(astana) > 1000
    sides = pd.concat([astana["party1"], astana["party2"]]).astype(str)
    assert not sides.str.contains("sdf|civilians|None|nan").any()
    # the sample has real opposition–SDF, IS–SDF and Israel–Iran rows inside the time the regime ran
    others = sample[(sample["actor2"].isin(["SDF", "Government of Israel"])) & (sample["date"] >= dt.date(2017, 5, 5))]
    assert len(others) > 100
    assert not set(others["event_id"]) & set(astana["event_id"])


def test_one_sided_violence_against_civilians_is_no_hostility_between_the_sides(index, judged, sample):
    """Real UCDP type-3 rows: insurgents (and the Turkish border guards) against civilians, inside zone 1."""
    one_sided = sample[(sample["roles"] == "one-sided") & (sample["date"] >= dt.date(2017, 5, 5))]
    inside = one_sided[locate(index, one_sided)["astana-1"] == 2]
    assert {"Syrian insurgents", "Government of Turkey"} <= set(inside["actor1"])
    assert len(inside) >= 10
    assert not set(inside["event_id"]) & set(judged.loc[judged["rule"] == "astana-cessation", "event_id"])


@pytest.mark.parametrize("event_id, why", [
    ("acled:JDG01", "Israel is no party to the regime"),
    ("acled:JDG02", "unidentified gunmen are no party"),
    ("acled:JDG04", "the victims are civilians"),
    ("acled:JDG05", "the SDF is not party to the north-west regime"),
    ("acled:JDG06", "opposition against the SDF"),
])
def test_no_verdict_when_the_sides_are_not_the_rules(regime, index, made_up, event_id, why):
    found = verdicts(regime, index, made_up, event_id)
    assert "astana-cessation" not in found.index, why


def test_a_side_the_source_leaves_empty_makes_the_verdict_possible(regime, index, made_up):
    shelling = verdicts(regime, index, made_up, "acled:JDG03").loc["astana-cessation"]
    assert shelling["status"] == "possible"
    assert shelling["because"] == "the source does not name every side the rule requires"
    assert shelling["reason"].startswith("Artillery fire by Military Forces of Syria (2000-) inside the Idlib")


def test_combined_actor_fields_map_every_group(regime):
    from ceasefire.regime.actors import ActorMap

    actors = ActorMap(regime)
    assert {"armed-opposition", "hts"} <= actors.labels("Ahrar al-Sham, HTS, Southern Front")
    assert [p.id for p in actors.parties("Suqour al-Sham Brigades, Syrian Liberation Front")] == ["armed-opposition"]


def test_an_operation_against_a_combined_field_naming_hts_is_excluded(regime, index, sample):
    row = row_of(sample, sample[(sample["actor2"] == "Syrian insurgents") & (sample["place_precision"] == "exact")
                                & (sample["date"] > dt.date(2019, 1, 1))]["event_id"].iloc[0],
                 actor2="Ahrar al-Sham, HTS", notes="clashes")
    found = judge(regime, row, index).set_index("rule")
    assert found.loc["astana-cessation", "status"] == "excluded"


def test_umbrella_actor_makes_the_exception_possible_unless_the_headline_names_hts(regime, index, judged, sample):
    astana = judged[judged["rule"] == "astana-cessation"].set_index("event_id")
    insurgents = sample[(sample["actor1"] == "Government of Syria") & (sample["actor2"] == "Syrian insurgents")]
    named = insurgents[insurgents["notes"].str.contains(r"Tahrir al-Sham|\bHTS\b|Nusra", case=False, na=False)]
    silent = insurgents[~insurgents["event_id"].isin(named["event_id"])]
    named_judged = astana.loc[astana.index.intersection(named["event_id"])]
    silent_judged = astana.loc[astana.index.intersection(silent["event_id"])]
    assert len(named_judged) >= 50 and len(silent_judged) >= 1000
    assert (named_judged["status"] == "excluded").all()
    assert named_judged["because"].str.contains("the source's own text names the group").all()
    # the regime's own words for HTS find more than this test's pattern (Hurras al-Din, the Turkestan Party)
    by_text = silent_judged["because"].str.contains("the source's own text names the group")
    assert by_text.sum() < 20
    assert (silent_judged.loc[~by_text, "status"] == "possible").all()
    assert silent_judged.loc[~by_text, "because"].str.contains(
        "Syrian insurgents may include Hayat Tahrir al-Sham .* which the source's own text does not name").all()


def test_a_named_non_designated_group_gives_a_confirmed_verdict(regime, index, made_up):
    strike = verdicts(regime, index, made_up, "acled:TST003")
    assert strike.loc["moscow-ceasefire", "status"] == "confirmed"
    assert strike.loc["moscow-ceasefire", "in_breach"] == "russia"
    assert strike.loc["moscow-ceasefire", "because"] == ""
    on_hts = verdicts(regime, index, made_up, "acled:TST004")
    assert on_hts.loc["moscow-ceasefire", "status"] == "excluded"
    assert "excluded: the protocol keeps the fight against groups designated" in on_hts.loc["moscow-ceasefire", "reason"]
    assert on_hts.loc["astana-cessation", "status"] == "excluded"
    assert on_hts.loc["astana-cessation", "in_breach"] == ""


def test_attack_on_patrol_only_when_the_patrol_forces_are_the_target(regime, index, made_up):
    on_patrol = made_up[made_up["event_id"].isin(["acled:JDG07", "acled:JDG08"])].assign(
        on_patrol=True, patrol_forces="russia,turkey")
    found = judge(regime, on_patrol, index)
    attack = found[found["rule"] == "attack-on-patrol"]
    assert list(attack["event_id"]) == ["acled:JDG07"]
    row = attack.iloc[0]
    assert row["status"] == "confirmed" and row["in_breach"] == "hts"
    assert row["zones"] == "astana-1, m4-corridor"  # every candidate zone is named
    assert row["reason"].startswith("An explosive device by Hayat Tahrir al-Sham against Military Forces of Turkey")
    # a patrol of other forces: the same IED is no attack on it
    other = on_patrol.assign(patrol_forces="russia")
    assert "attack-on-patrol" not in set(judge(regime, other, index)["rule"])


# --------------------------------------------------------------------------- how sure: the place


def test_a_unit_wholly_inside_the_zone_is_confirmed(regime, index, sample, made_up):
    idlib = sample[(sample["place_precision"] == "governorate") & (sample["adm1"] == "Idlib Governorate")]
    real = idlib[idlib["actor2"] == "National Front for Liberation"]  # IS against the NLF: a real row
    found = judge(regime, real, index).set_index("rule")
    assert list(found.index) == ["dmz-radical-groups"]  # not the cessation: IS and the NLF are not its sides
    assert found.loc["dmz-radical-groups", "because"] == (
        "the source places it only in Idlib governorate, which lies partly inside the zone")
    government = idlib[(idlib["actor1"] == "Government of Syria") & (idlib["date"] > dt.date(2018, 1, 1))].iloc[:1]
    named = government.assign(actor2="National Front for Liberation")  # the same row, a named opposition group
    verdict = judge(regime, named, index).set_index("rule").loc["astana-cessation"]
    assert verdict["status"] == "confirmed"
    assert "somewhere in Idlib governorate, which lies wholly inside the Idlib de-escalation zone" in verdict["reason"]
    district = made_up[made_up["event_id"] == "acled:JDG09"]
    before = judge(regime, district.assign(date="2017-06-01", date_end="2017-06-01"), index).set_index("rule")
    assert before.loc["astana-cessation", "status"] == "confirmed"
    assert "somewhere in Idlib district, which lies wholly inside" in before.loc["astana-cessation", "reason"]
    # in June 2019 the government held Abu al-Duhur (since January 2018): the district is no longer all zone
    after = judge(regime, district, index).set_index("rule").loc["astana-cessation"]
    assert after["status"] == "possible"
    assert "the source places it only in Idlib district, which lies partly inside the zone" in after["because"]


def test_idlib_governorate_rows_are_placed_for_certain_until_the_government_took_ground(index, sample):
    rows = sample[(sample["place_precision"] == "governorate") & (sample["adm1"] == "Idlib Governorate")]
    before = (rows["date_end"] < dt.date(2018, 1, 22)).to_numpy()  # Abu al-Duhur
    after = (rows["date"] >= dt.date(2018, 1, 22)).to_numpy()
    assert before.sum() >= 20 and after.sum() >= 20
    where = locate(index, rows)["astana-1"]
    assert (where[before] == 2).all() and (where[after] == 1).all()


def test_a_unit_that_meets_the_zone_is_possible_with_its_name(regime, index, made_up):
    coarse = verdicts(regime, index, made_up, "geojson:gov-1")
    assert coarse.loc["astana-cessation", "status"] == "possible"
    latakia = made_up[made_up["event_id"] == "geojson:gov-1"].assign(adm1="Latakia Governorate", lon=35.9, lat=35.6)
    found = judge(regime, latakia, index).set_index("rule").loc["astana-cessation"]
    assert "the source places it only in Latakia governorate, which lies partly inside the zone" in found["because"]


def test_a_region_is_read_as_its_named_part_not_a_blanket_buffer(index, made_up, sample):
    qalamoun = made_up[made_up["place"] == "Eastern Qalamoun"]
    assert len(qalamoun) == 2 and set(qalamoun["place_precision"]) == {"region"}
    assert not any(status.any() for status in locate(index, qalamoun).values())  # not even near Eastern Ghouta
    southern = sample[sample["place"] == "Southern Idlib Governorate"]
    before = (southern["date_end"] < dt.date(2019, 8, 21)).to_numpy()  # Khan Shaykhun, in the southern part
    where = locate(index, southern)["astana-1"]
    assert before.sum() >= 5 and (where[before] == 2).all()
    assert (~before).sum() >= 3 and (where[~before] == 1).all()


def test_near_precision_is_a_disc_of_25_km(regime, index, judged, sample):
    near = judged[(judged["place_precision"] == "near") & (judged["rule"] == "astana-cessation")]
    edge = near[near["because"].str.contains("within 25 km of its point")]
    assert len(edge) >= 100  # real UCDP 'near' rows within 25 km of zone 1's edge
    assert edge["reason"].str.contains("within 25 km of its reported point, possibly inside").all()
    # the same point given as exact, deep inside the zone, is certain; 25 km from the edge it is not
    row = row_of(sample, edge["event_id"].iloc[0])
    assert locate(index, row)["astana-1"][0] == 1
    assert locate(index, row.assign(place_precision="exact", lon=36.63393, lat=35.93062))["astana-1"][0] == 2
    wide = row.assign(place_radius_km=150.0, lon=36.63393, lat=35.93062)  # a stated radius wider than the zone
    assert locate(index, wide)["astana-1"][0] == 1


def test_a_point_within_a_kilometre_of_the_edge_is_possible(regime, index, made_up):
    clash = verdicts(regime, index, made_up, "acled:TST005").loc["dmz-radical-groups"]
    assert clash["status"] == "possible"
    assert clash["because"] == "the point lies within 1 km of the zone's edge"
    inside = made_up[made_up["event_id"] == "acled:TST005"].assign(lon=36.65095, lat=35.44208)  # Khan Shaykhun
    assert judge(regime, inside, index).set_index("rule").loc["dmz-radical-groups", "status"] == "confirmed"


# --------------------------------------------------------------------------- when


def test_heavy_weapons_in_the_dmz_only_after_the_deadline(regime, index, made_up):
    shelled = made_up[made_up["event_id"] == "acled:TST001"]
    after = judge(regime, shelled, index).set_index("rule")
    assert after.loc["dmz-heavy-weapons", "status"] == "possible"  # the guns may have fired from outside
    assert after.loc["dmz-heavy-weapons", "reason"] == (
        "Artillery fire by Military Forces of Syria (2000-) against National Front for Liberation inside the Sochi "
        "demilitarized zone on 2018-10-20: heavy weapons were to be withdrawn by 2018-10-10 (Sochi memorandum, "
        "point 6) — possible: the event is placed where the fire struck, and what the rule keeps out of the zone "
        "may have fired from outside it")
    tanks = judge(regime, shelled.assign(sub_event_type="armed-clash", roles="clash", weapon_class="heavy"), index)
    assert tanks.set_index("rule").loc["dmz-heavy-weapons", "status"] == "confirmed"  # a tank fighting inside
    before = verdicts(regime, index, made_up, "acled:TST002")
    assert "dmz-heavy-weapons" not in before.index
    assert before.loc["astana-cessation", "status"] == "confirmed"  # the cessation was already in force


def test_radical_groups_struck_inside_the_dmz_were_there(regime, index, made_up):
    strike = made_up[made_up["event_id"] == "acled:TST004"].assign(date="2019-06-01", date_end="2019-06-01",
                                                                    lon=36.65095, lat=35.44208)
    assert judge(regime, strike, index).set_index("rule").loc["dmz-radical-groups", "status"] == "confirmed"
    firing = strike.assign(actor1="Hayat Tahrir al-Sham", actor2="Military Forces of Syria (2000-)")
    found = judge(regime, firing, index).set_index("rule").loc["dmz-radical-groups"]
    assert found["status"] == "possible" and "may have fired from outside" in found["because"]


def test_the_moscow_ceasefire_starts_at_00_01_local_time(regime, index, made_up):
    day = made_up[made_up["event_id"] == "acled:JDG10"]
    untimed = judge(regime, day, index).set_index("rule").loc["moscow-ceasefire"]
    assert untimed["status"] == "possible"
    assert untimed["because"] == ("the rule starts at 00:01 on 2020-03-06 (Asia/Damascus) and the source gives no "
                                  "time of day")
    after = judge(regime, day.assign(time="00:30"), index).set_index("rule")
    assert after.loc["moscow-ceasefire", "status"] == "confirmed"
    assert "on 2020-03-06 at 00:30" in after.loc["moscow-ceasefire", "reason"]
    before = judge(regime, day.assign(time="00:00"), index)
    assert "moscow-ceasefire" not in set(before["rule"])


def test_a_rule_starting_in_the_evening_does_not_catch_the_morning(tmp_path, made_up):
    text = (DATA / "tiny-regime.yaml").read_text().replace("from: 2021-01-02\n    summary", "from: 2021-03-10T19:00\n    summary")
    path = tmp_path / "evening.yaml"
    path.write_text(text.replace("id: tiny-test", "id: evening\ntimezone: Asia/Damascus"))
    regime = load_regime(path)
    row = made_up[made_up["event_id"] == "acled:TST001"].assign(
        date="2021-03-10", date_end="2021-03-10", lon=35.95, lat=32.75, actor1="Side A", actor2="Side B",
        roles="clash", adm1=None, adm2=None)
    assert judge(regime, row.assign(time="08:00"), MonitorIndex.build(regime)).empty
    assert judge(regime, row.assign(time="20:15"))["status"].tolist() == ["confirmed"]
    assert judge(regime, row.assign(time=None))["status"].tolist() == ["possible"]


def test_dates_known_to_a_month_that_straddle_a_start_are_possible(regime, index, made_up):
    row = made_up[made_up["event_id"] == "acled:TST003"].copy()
    row["date"], row["date_end"], row["date_precision"] = "2020-03-01", "2020-03-31", "month"
    found = judge(regime, row, index).set_index("rule")
    assert found.loc["moscow-ceasefire", "status"] == "possible"
    assert "the date is known only to the month, which straddles the rule's start" in found.loc[
        "moscow-ceasefire", "because"]
    assert found.loc["astana-cessation", "status"] == "confirmed"


def test_nothing_happens_before_the_regime(regime, index, made_up):
    row = made_up[made_up["event_id"] == "acled:TST003"].copy()
    row["date"] = row["date_end"] = "2017-01-15"
    assert judge(regime, row, index).empty


def test_zones_and_rules_in_force_at_an_instant(regime):
    from ceasefire.zones import rules_for, zones_at

    def rules(at):
        return {r.id for r in rules_for(regime, ["astana-1", "moscow-ceasefire-area"], at)}

    assert "moscow-ceasefire" in rules(dt.date(2020, 3, 6))  # at some moment of that day
    assert "moscow-ceasefire" not in rules(dt.datetime(2020, 3, 6, 0, 0))
    assert "moscow-ceasefire" in rules(dt.datetime(2020, 3, 6, 0, 1))
    # an instant with an offset: 00:30 in Istanbul (UTC+3) is 23:30 the day before in Idlib (UTC+2)
    assert "moscow-ceasefire" not in rules(dt.datetime(2020, 3, 6, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=3))))
    assert {z.zone.id for z in zones_at(regime, dt.datetime(2018, 4, 14, 23, 59))} >= {"astana-3"}
    assert "astana-3" not in {z.zone.id for z in zones_at(regime, dt.datetime(2018, 4, 15, 0, 0))}


# --------------------------------------------------------------------------- what: sentences from the data


def test_a_ucdp_headline_that_names_one_kind_sets_it(regime, index, sample, judged):
    strike = sample[sample["notes"].str.startswith("Warplanes kill a woman", na=False)]
    assert len(strike) == 1 and strike["sub_event_type"].iloc[0] == "air-strike"
    assert strike["weapon_class"].iloc[0] == "fixed-wing"  # the finest class the headline states
    found = judge(regime, strike.assign(date="2019-06-01", date_end="2019-06-01"), index)
    assert found["reason"].iloc[0].startswith("An air strike involving Government of Syria and Syrian insurgents")


def test_a_headline_that_names_several_kinds_or_none_says_only_a_fatal_incident(sample, judged):
    several = sample[sample["notes"].str.contains("warplanes", case=False, na=False)
                     & sample["notes"].str.contains("clashes", case=False, na=False)]
    assert len(several) > 10 and (several["sub_event_type"] == "fatal-incident").all()
    assert several["weapon_class"].isna().all()
    vague = judged[judged["sub_event_type"] == "fatal-incident"]
    assert len(vague) > 500
    assert vague["reason"].str.match(r"A fatal incident between \S").all()
    words = "artillery|air strike|armed clash|shelling|explosive|drone"
    assert not vague["reason"].astype(str).str.split(":").str[0].str.contains(words, case=False).any()


def test_sentences_name_perpetrator_and_target_as_coded(regime, index, made_up):
    found = verdicts(regime, index, made_up, "acled:TST007").loc["moscow-ceasefire"]
    assert found["reason"].startswith(
        "A drone strike by Military Forces of Turkey (2016-) against Military Forces of Syria (2000-)")
    assert found["in_breach"] == "turkey" and found["roles"] == "one-sided"


# --------------------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_swapping_the_actors_of_a_clash_changes_no_between_verdict(regime, index, sample, data):
    rows = sample[(sample["roles"] == "clash") & (sample["date"] >= dt.date(2017, 5, 5))]
    picked = rows.iloc[sorted(set(data.draw(st.lists(st.integers(0, len(rows) - 1), min_size=1, max_size=20))))]
    swapped = picked.assign(actor1=picked["actor2"], actor2=picked["actor1"])
    key = ["event_id", "rule"]
    a = judge(regime, picked, index)
    b = judge(regime, swapped, index)
    between = [r.id for r in regime.rules if r.between]
    a, b = (f[f["rule"].isin(between)].sort_values(key).reset_index(drop=True) for f in (a, b))
    assert a[key + ["status", "zone"]].equals(b[key + ["status", "zone"]])


@pytest.fixture(scope="module")
def perpetrator_regime(regime):
    """The built-in regime with two rules of its own kind: one naming the perpetrator, one the target."""
    from ceasefire.regime import Rule

    common = {"agreement": "astana-2017", "provision": "art. 2", "zones": ["astana-1"], "forbidden": ["hostilities"],
              "from": "2017-05-05", "summary": "test"}
    rules = [Rule.model_validate({**common, "id": "by-designated", "by": ["designated-terrorist"]}),
             Rule.model_validate({**common, "id": "against-government", "against": ["government"]})]
    return regime.model_copy(update={"rules": rules})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["Government of Syria", "Syrian insurgents", "HTS", "Civilians", "SDF", "IS", "Nobody"]),
       st.sampled_from(["Government of Syria", "Syrian insurgents", "HTS", "Civilians", "SDF", "IS", "Nobody"]),
       st.sampled_from(["clash", "one-sided"]))
def test_a_by_or_against_rule_never_fires_on_the_wrong_side_alone(perpetrator_regime, index, made_up, perpetrator,
                                                                   target, roles):
    row = made_up[made_up["event_id"] == "acled:TST005"].assign(
        actor1=perpetrator, actor2=target, roles=roles, lon=36.63393, lat=35.93062, notes=None)
    fired = set(judge(perpetrator_regime, row, index)["rule"])  # same zones and parties: the index serves
    designated, government = {"HTS", "IS"}, {"Government of Syria"}
    if roles == "one-sided":
        assert ("by-designated" in fired) == (perpetrator in designated)
        assert ("against-government" in fired) == (target in government)
    else:  # either may have acted
        assert ("by-designated" in fired) == bool({perpetrator, target} & designated)
        assert ("against-government" in fired) == bool({perpetrator, target} & government)


def test_the_result_does_not_depend_on_event_order(regime, index, sample):
    shuffled = sample.sample(frac=1.0, random_state=7)
    key = ["event_id", "rule"]
    a = judge(regime, sample, index).sort_values(key).reset_index(drop=True)
    b = judge(regime, shuffled, index).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


# --------------------------------------------------------------------------- summary


def test_summary_counts_events_and_violations_apart_and_never_the_victims(regime, index, judged, made_up):
    table = summarize(judged)
    may = table[(table["zone"] == "astana-1") & (table["month"] == "2019-05")]
    assert {"events_confirmed", "events_possible", "events_excluded", "violations_confirmed",
            "violations_possible", "violations_excluded", "in_breach"} <= set(table.columns)
    assert may["events_possible"].sum() > 100
    assert (table["violations_possible"] >= table["events_possible"]).all()
    assert "syrian-government" in " ".join(may["in_breach"])
    drone = summarize(judge(regime, made_up[made_up["event_id"] == "acled:TST007"], index))
    assert set(drone["in_breach"]) == {"turkey 1"}  # not the target of the drone strike, the government
    # one event, two rules: in zone 1 (the Astana cessation) and in the Moscow ceasefire's area
    assert drone.set_index("zone")[["events_confirmed", "violations_confirmed"]].to_dict("index") == {
        "astana-1": {"events_confirmed": 1, "violations_confirmed": 1},
        "moscow-ceasefire-area": {"events_confirmed": 1, "violations_confirmed": 1}}


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
    assert not ZoneLocator(shapely.Polygon()).contains(x, y).any()


def test_the_named_unit_bounds_the_border_tolerance(index, sample):
    """Bab al-Hawa lies on the Turkish border, the edge of zone 1: its own district (Harem) is wholly inside."""
    row = sample.iloc[:1].assign(lon=36.6706, lat=36.2297, place_precision="exact", adm1="Idlib Governorate",
                                 adm2="Harim district")
    assert locate(index, row)["astana-1"][0] == 2
    assert locate(index, row.assign(adm1=None, adm2=None))["astana-1"][0] == 1  # the 1 km tolerance alone
    # a 'near' row named in Jableh district, which does not meet zone 1, is not in it whatever its disc
    latakia = sample.iloc[:1].assign(lon=36.08, lat=35.34, place_precision="near", adm1="Latakia Governorate",
                                     adm2="Jablah district")
    assert locate(index, latakia.assign(adm1=None, adm2=None))["astana-1"][0] == 1
    assert locate(index, latakia)["astana-1"][0] == 0


# --------------------------------------------------------------------------- verdicts built per combination

KNOWN_VERDICTS = [  # (event, rule): as the engine gave them before verdicts were built per combination
    ('ucdp:243383', 'astana-cessation', 'astana-1', 'possible', 'syrian-government, armed-opposition', '',
     ("the point lies within 1 km of the zone's edge; Syrian insurgents may include Hayat Tahrir al-Sham "
      "(formerly Jabhat al-Nusra), which the source's own text does not name, so the exception may apply: "
      'operations against ISIS, Jabhat al-Nusra and associated groups continue (Astana memorandum, art. 6)'),
     ('A fatal incident between Government of Syria and Syrian insurgents possibly inside the Idlib '
      'de-escalation zone (zone 1) on 2017-05-15: hostilities between the government and the armed '
      'opposition, including air strikes, were to cease (Astana memorandum, art. 2) — possible: the point '
      "lies within 1 km of the zone's edge; Syrian insurgents may include Hayat Tahrir al-Sham (formerly "
      "Jabhat al-Nusra), which the source's own text does not name, so the exception may apply: operations "
      'against ISIS, Jabhat al-Nusra and associated groups continue (Astana memorandum, art. 6)')),
    ('ucdp:256178', 'astana-cessation', 'astana-1', 'possible', 'syrian-government, armed-opposition',
     'government since 2018-01-22 (abu-al-duhur-2018)',
     ('the source places it only within 25 km of its point, and that area is not wholly inside the zone; '
      "Syrian insurgents may include Hayat Tahrir al-Sham (formerly Jabhat al-Nusra), which the source's "
      'own text does not name, so the exception may apply: operations against ISIS, Jabhat al-Nusra and '
      'associated groups continue (Astana memorandum, art. 6)'),
     ('A fatal incident between Government of Syria and Syrian insurgents within 25 km of its reported '
      'point, possibly inside the Idlib de-escalation zone (zone 1) on 2018-01-22: hostilities between the '
      'government and the armed opposition, including air strikes, were to cease (Astana memorandum, art. '
      '2) — possible: the source places it only within 25 km of its point, and that area is not wholly '
      'inside the zone; Syrian insurgents may include Hayat Tahrir al-Sham (formerly Jabhat al-Nusra), '
      "which the source's own text does not name, so the exception may apply: operations against ISIS, "
      'Jabhat al-Nusra and associated groups continue (Astana memorandum, art. 6)')),
    ('ucdp:245006', 'astana-cessation', 'astana-1, astana-2', 'possible', 'syrian-government, armed-opposition', '',
     ('the source places it only in western Hama governorate, which lies partly inside the zone; Syrian '
      "insurgents may include Hayat Tahrir al-Sham (formerly Jabhat al-Nusra), which the source's own text "
      'does not name, so the exception may apply: operations against ISIS, Jabhat al-Nusra and associated '
      'groups continue (Astana memorandum, art. 6)'),
     ('A fatal incident between Government of Syria and Syrian insurgents somewhere in western Hama '
      'governorate, possibly inside the Idlib de-escalation zone (zone 1) or the Northern Homs '
      'de-escalation zone (zone 2) on 2017-07-15: hostilities between the government and the armed '
      'opposition, including air strikes, were to cease (Astana memorandum, art. 2) — possible: the source '
      'places it only in western Hama governorate, which lies partly inside the zone; Syrian insurgents '
      "may include Hayat Tahrir al-Sham (formerly Jabhat al-Nusra), which the source's own text does not "
      'name, so the exception may apply: operations against ISIS, Jabhat al-Nusra and associated groups '
      'continue (Astana memorandum, art. 6)')),
    ('ucdp:269914', 'dmz-radical-groups', 'sochi-dmz', 'possible', 'isis, hts', '',
     ('the source places it only in Idlib governorate, which lies partly inside the zone; the date is '
      "known only to the year, which straddles the rule's start (2018-10-15)"),
     ('A fatal incident between IS and HTS somewhere in Idlib governorate, possibly inside the Sochi '
      'demilitarized zone between 2018-09-21 and 2018-11-01: radical terrorist groups were to leave by '
      '2018-10-15 (Sochi memorandum, point 5) — possible: the source places it only in Idlib governorate, '
      "which lies partly inside the zone; the date is known only to the year, which straddles the rule's "
      'start (2018-10-15)')),
    ('acled:JDG10', 'moscow-ceasefire', 'moscow-ceasefire-area', 'possible', 'syrian-government', '',
     'the rule starts at 00:01 on 2020-03-06 (Asia/Damascus) and the source gives no time of day',
     ('Artillery fire by Military Forces of Syria (2000-) against National Front for Liberation inside the '
      'Idlib ground under the Moscow ceasefire (line of contact of 5 March 2020) on 2020-03-06: all '
      'military actions were to cease from 00:01 on 2020-03-06 (Moscow protocol, art. 1) — possible: the '
      'rule starts at 00:01 on 2020-03-06 (Asia/Damascus) and the source gives no time of day')),
    ('ucdp:256340', 'astana-cessation', 'astana-1', 'possible', 'syrian-government, armed-opposition', '',
     ('the ground changed hands around then (government took it, 2018-01-22; Al-Masdar News, 22 Jan 2018 '
      '(town); Al Arabiya/Reuters, 20 Jan 2018 (air base)) and the year of the event does not say on which '
      'side of that it falls; Syrian insurgents may include Hayat Tahrir al-Sham (formerly Jabhat '
      "al-Nusra), which the source's own text does not name, so the exception may apply: operations "
      'against ISIS, Jabhat al-Nusra and associated groups continue (Astana memorandum, art. 6)'),
     ('A fatal incident between Government of Syria and Syrian insurgents somewhere in Idlib governorate, '
      'which lies wholly inside the Idlib de-escalation zone (zone 1) between 2018-01-01 and 2018-02-03: '
      'hostilities between the government and the armed opposition, including air strikes, were to cease '
      '(Astana memorandum, art. 2) — possible: the ground changed hands around then (government took it, '
      '2018-01-22; Al-Masdar News, 22 Jan 2018 (town); Al Arabiya/Reuters, 20 Jan 2018 (air base)) and the '
      'year of the event does not say on which side of that it falls; Syrian insurgents may include Hayat '
      "Tahrir al-Sham (formerly Jabhat al-Nusra), which the source's own text does not name, so the "
      'exception may apply: operations against ISIS, Jabhat al-Nusra and associated groups continue '
      '(Astana memorandum, art. 6)')),
    ('ucdp:267099', 'dmz-heavy-weapons', 'sochi-dmz', 'possible', 'syrian-government, armed-opposition', '',
     ('the event is placed where the fire struck, and what the rule keeps out of the zone may have fired '
      'from outside it'),
     ('Artillery fire involving Government of Syria and Syrian insurgents inside the Sochi demilitarized '
      'zone on 2018-10-18: heavy weapons were to be withdrawn by 2018-10-10 (Sochi memorandum, point 6) — '
      'possible: the event is placed where the fire struck, and what the rule keeps out of the zone may '
      'have fired from outside it')),
    ('ucdp:244152', 'astana-cessation', 'astana-1', 'excluded', '', '',
     ('operations against ISIS, Jabhat al-Nusra and associated groups continue (Astana memorandum, art. 6) '
      "(the source's own text names the group)"),
     ('An air strike involving Government of Syria and Syrian insurgents inside the Idlib de-escalation '
      'zone (zone 1) on 2017-05-28: hostilities between the government and the armed opposition, including '
      'air strikes, were to cease (Astana memorandum, art. 2) — excluded: operations against ISIS, Jabhat '
      "al-Nusra and associated groups continue (Astana memorandum, art. 6) (the source's own text names "
      'the group)')),
    ('acled:JDG03', 'astana-cessation', 'astana-1', 'possible', 'syrian-government', '',
     'the source does not name every side the rule requires',
     ('Artillery fire by Military Forces of Syria (2000-) inside the Idlib de-escalation zone (zone 1) on '
      '2019-06-01: hostilities between the government and the armed opposition, including air strikes, '
      'were to cease (Astana memorandum, art. 2) — possible: the source does not name every side the rule '
      'requires')),
    ('ucdp:268501', 'dmz-radical-groups', 'sochi-dmz', 'confirmed', 'hts', '',
     '',
     ('An armed clash between National Front for Liberation and HTS inside the Sochi demilitarized zone on '
      '2018-10-29: radical terrorist groups were to leave by 2018-10-15 (Sochi memorandum, point 5)')),
]


def test_known_verdicts_read_word_for_word(regime, index, judged, made_up):
    """Each kind of doubt, an exclusion, a confirmed verdict and held ground, as the engine gave them when it
    built every sentence per event: building them once per distinct combination changes no word."""
    found = pd.concat([judged, judge(regime, made_up, index)]).set_index(["event_id", "rule"])
    for event_id, rule, zones, status, in_breach, ground, because, reason in KNOWN_VERDICTS:
        row = found.loc[(event_id, rule)]
        assert (row["zones"], row["status"], row["in_breach"], row["ground"]) == (zones, status, in_breach, ground)
        assert (row["because"], row["reason"]) == (because, reason), event_id


def test_judging_events_together_gives_what_judging_each_alone_gives(regime, index, judged, sample, made_up):
    """The reference: every event judged on its own, where each verdict is its own combination. Together, the
    engine reads only the events that may lie in a zone, tests time once per distinct range and builds each part
    of a sentence once per distinct combination; the rows must be the same, column for column."""
    rng = np.random.default_rng(11)
    with_verdicts = sample[sample["event_id"].isin(judged["event_id"])]
    without = sample[~sample["event_id"].isin(judged["event_id"])]
    events = pd.concat([with_verdicts.iloc[rng.choice(len(with_verdicts), 130, replace=False)],
                        without.iloc[rng.choice(len(without), 50, replace=False)], made_up], ignore_index=True)
    together = judge(regime, events, index)
    each = [judge(regime, events.iloc[[i]], index) for i in range(len(events))]
    alone = pd.concat([found for found in each if not found.empty], ignore_index=True)
    assert len(together) > 150

    def rows(found: pd.DataFrame) -> pd.DataFrame:
        # a lone event whose actor maps to no party has an all-missing party column, which pandas types apart
        parties = {c: found[c].astype(object).where(found[c].notna(), None) for c in ("party1", "party2")}
        return found.assign(**parties).sort_values(["event_id", "rule"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(rows(together), rows(alone))


def test_a_frame_in_several_arrow_chunks_is_judged_as_one(regime, index, judged, sample):
    chunked = pd.concat([sample.iloc[:1000], sample.iloc[1000:2500], sample.iloc[2500:]], ignore_index=True)
    pd.testing.assert_frame_equal(judge(regime, chunked, index), judged)


def test_events_in_no_zone_give_an_empty_table(regime, index, sample):
    far = sample[sample["adm1"].isin(["Damascus Governorate", "Deir ez Zor Governorate"])
                 & (sample["place_precision"] == "exact")]
    assert len(far) > 20
    found = judge(regime, far, index)
    assert found.empty and list(found.columns) == VIOLATION_COLUMNS


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-1, 3), st.booleans(), st.sampled_from([0.5, 25.0, float("nan")])),
                min_size=1, max_size=40))
def test_combinations_are_numbered_as_pandas_groups_them(rows):
    a, b, c = (np.array(column) for column in zip(*rows))
    codes, firsts = combine(a, b, c)
    expected = pd.DataFrame({"a": a, "b": b, "c": c}).groupby(["a", "b", "c"], sort=False, dropna=False).ngroup()
    assert codes.tolist() == expected.tolist()
    assert firsts.tolist() == [codes.tolist().index(k) for k in range(codes.max() + 1)]


# --------------------------------------------------------------------------- the index kept on disk


def test_the_index_kept_on_disk_serves_as_the_one_built(tmp_path, monkeypatch, sample):
    """A torn file is ignored and the index rebuilt and kept; the next build reads it and judges alike."""
    from ceasefire.monitor import index_cache

    monkeypatch.delenv("CEASEFIRE_NO_CACHE", raising=False)
    monkeypatch.setenv("CEASEFIRE_CACHE_DIR", str(tmp_path))
    built_regime = load_regime("syria-northwest")
    path = tmp_path / "index" / f"{index_cache.index_key(built_regime)}.npz"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04 a crash left half a file")
    assert index_cache.load(built_regime) is None
    built = MonitorIndex.build(built_regime)  # rebuilt, every grid with it, and written over the torn file
    assert built_regime._shapes is not None
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left beside it

    read_regime = load_regime("syria-northwest")
    read = MonitorIndex.build(read_regime)
    assert read_regime._shapes is None  # nothing recomputed: the zones came from the file
    for zone_id, shape in built.shapes.items():
        other = read.shapes[zone_id]
        assert other.zone is read_regime.zones[list(built.shapes).index(zone_id)]
        assert len(other.versions) == len(shape.versions)
        for mine, theirs in zip(shape.versions, other.versions):
            assert (repr(mine.start), repr(mine.end)) == (repr(theirs.start), repr(theirs.end))
            assert (mine.change and mine.change.id) == (theirs.change and theirs.change.id)
            assert shapely.equals_exact(mine.metric, theirs.metric, 0)
            assert shapely.equals_exact(mine.wgs84, theirs.wgs84, 0)
            assert [kept for _, kept in mine.cuts] == [kept for _, kept in theirs.cuts]
    assert read.place._locators.keys() == built.place._locators.keys()
    for key, locator in built.place._locators.items():
        assert np.array_equal(read.place._locators[key].grid, locator.grid)
    assert np.array_equal(read.place.unit_relation, built.place.unit_relation)
    pd.testing.assert_frame_equal(judge(read_regime, sample, read), judge(built_regime, sample, built))

    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # torn half-way
    assert index_cache.load(read_regime) is None


def test_the_index_key_follows_the_regime_and_a_cache_that_cannot_be_written_is_no_error(tmp_path, monkeypatch,
                                                                                           regime, index):
    from ceasefire.monitor import index_cache

    changed = regime.model_copy(update={"zones": [regime.zones[0].model_copy(update={"valid_to": dt.date(2020, 1, 1)}),
                                                  *regime.zones[1:]]})
    assert index_cache.index_key(changed) != index_cache.index_key(regime)
    monkeypatch.delenv("CEASEFIRE_NO_CACHE", raising=False)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("CEASEFIRE_CACHE_DIR", str(blocked / "cache"))
    index_cache.save(regime, index.shapes, index.place)  # nothing written, nothing raised
    assert index_cache.load(regime) is None
    monkeypatch.setenv("CEASEFIRE_NO_CACHE", "1")
    assert index_cache.cache_folder() is None
