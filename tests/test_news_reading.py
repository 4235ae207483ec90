"""The reader's judgment on sentences written for these tests: places and their level, dates and what
they are to the sentence, event kinds with their status, main or background, casualties, deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.news import read_article
from ceasefire.news.article import from_text
from ceasefire.news.dates import _find_dates, find_dates, publication_date_from_url
from ceasefire.news.extract import classify
from ceasefire.news.pipeline import _point, date_text
from ceasefire.news.places import find_places, gazetteer


def places(text):
    return {p.text: p for p in find_places(text)}


def events(text, published="2020-04-15", url=None):
    return read_article(from_text(text, "t", published=published, url=url))["events"]


# --- places ---------------------------------------------------------------------------------------------

def test_lower_case_and_direction_areas():
    found = places("Shelling hit Douma in Eastern ghouta; fighting in northern Syria spread to the southern "
                   "Idlib countryside and the Idlib countryside.")
    assert found["Eastern ghouta"].name == "Eastern Ghouta" and found["Eastern ghouta"].kind == "area"
    north = found["northern Syria"]
    assert north.kind == "area" and north.expression == {"admin": {"names": ["Aleppo", "Idlib", "Raqqa",
                                                                              "Al-Hasakah"], "level": 1}}
    south = found["the southern Idlib countryside"]
    assert south.expression["part_of"]["parent"] == "Idlib" and south.expression["part_of"]["direction"] == "S"
    assert found["Idlib"].kind == "adm1"  # "the Idlib countryside": the governorate


def test_duma_the_parliament_is_no_place_douma_the_town_is():
    assert "Duma" not in places("The State Duma voted on Tuesday; the Russian Duma deputies agreed.")
    assert places("Shelling hit Duma on Tuesday.")["Duma"].kind == "place"


def test_level_follows_the_words_of_each_sentence():
    found = find_places("Strikes hit the city of Idlib. Idlib province was calm. Fighting in Idlib went on. "
                        "The M4 links the cities of Aleppo and Latakia.")
    kinds = [(p.text, p.kind) for p in found if p.kind != "road"]
    assert kinds == [("Idlib", "place"), ("Idlib", "adm1"), ("Idlib", "adm1"), ("Aleppo", "place"),
                     ("Latakia", "place")]


def test_villages_the_gazetteer_lacks_are_found_by_their_cues_and_placed_approximately():
    # names the shipped gazetteer does not hold (checked first, so the test keeps testing the cues)
    assert not any(gazetteer(n) for n in ("Bayanin", "Umm Sahrij", "Tal Sukayk"))
    found = places("Regime forces shelled Bayanin, Umm Sahrij and Saraqib in the southern countryside of Idlib. "
                   "A civilian died near Tal Sukayk village in Sahl al-Ghab.")
    for name in ("Bayanin", "Umm Sahrij", "Tal Sukayk"):
        assert found[name].kind == "place" and found[name].extra["approximate"], name
        assert "not in the gazetteer" in found[name].why
    assert "Sahl al-Ghab" in found["Tal Sukayk"].why
    assert "southern Idlib" in found["Umm Sahrij"].why  # the list's container, not its last member
    # and names that are not places stay out, whatever the cue
    assert not {"Turkish Defense Ministry", "SOHR"} & set(places("The Turkish Defense Ministry area and SOHR, "
                                                                 "Saraqib and Ariha were named."))
    found = places("Shelling hit the Turkish-controlled area and the De-escalation area near Saraqib.")
    assert set(found) == {"Saraqib"}


def test_the_dateline_is_where_the_report_was_filed():
    text = ("MOSCOW, April 14 (Reuters) - Russian and Turkish forces carried out a joint patrol on the M4 highway "
            "near Saraqib on Tuesday, the Russian defence ministry said.")
    (patrol,) = events(text)
    assert [p.name for p in patrol.places] == ["Saraqib", "M4"]
    moscow = next(p for p in find_places(text) if p.name == "Moscow")
    assert moscow.extra["dateline"]
    (on_the_road,) = events("ANKARA, Turkey (AP) — Turkish and Russian troops held a joint patrol on the M4 "
                            "highway on Tuesday.")
    lat, lon, precision = _point(on_the_road)
    assert 35 < lat < 37 and 35.5 < lon < 37.5 and precision == "region"  # on the road in Syria, not Ankara


# --- dates ----------------------------------------------------------------------------------------------

def test_dates_and_their_roles():
    anchor = dt.date(2020, 4, 20)
    found = {d.text: d for d in find_dates(
        "They met on 15th April, 2020; this March; heavy weapons out by 15 October; the talks began on "
        "March 4 and on the same date the army withdrew; a truce starting on March 6; since August 2016; "
        "to meet the October 15 deadline", anchor)}
    assert (found["15th April, 2020"].date, found["15th April, 2020"].precision) == (dt.date(2020, 4, 15), "day")
    assert (found["this March"].date, found["this March"].precision) == (dt.date(2020, 3, 1), "month")
    assert found["15 October"].role == "deadline" and found["October 15"].role == "deadline"
    assert found["on the same date"].date == dt.date(2020, 3, 4)
    assert found["March 6"].role == "start" and found["August 2016"].role == "since"
    (wednesday,) = find_dates("out by Wednesday", anchor)  # 2020-04-20 is a Monday
    assert (wednesday.role, wednesday.date) == ("deadline", dt.date(2020, 4, 22))


TOKENS = ["March", "Mar.", "Sept", "October", "8", "15th", "2019", "2020,", "on", "by", "since", "mid-", "early",
          "this", "the same date", "Friday", "today", "last month", "and", ",", ".", "of", "in", "deadline", "x" * 30]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40), st.sampled_from([None, dt.date(2019, 3, 8)]))
def test_looking_only_near_month_names_finds_the_same_dates_as_scanning_everything(words, anchor):
    text = " ".join(words)
    assert _find_dates(text, anchor, around_months=True) == _find_dates(text, anchor, around_months=False)


def test_dates_in_urls():
    assert publication_date_from_url("https://example.org/world/2018/09/17/deal")[:2] == (dt.date(2018, 9, 17),
                                                                                           "day")
    assert publication_date_from_url("https://example.org/20200316-patrol")[:2] == (dt.date(2020, 3, 16), "day")
    assert publication_date_from_url("https://example.org/2019/03/daily")[:2] == (dt.date(2019, 3, 1), "month")
    assert publication_date_from_url("https://example.org/world/944616") is None


def test_a_month_known_publication_does_not_invent_a_day():
    (patrol,) = events("Turkey and Russia held a joint patrol near Saraqib on Tuesday.", published="2020-04")
    assert (patrol.date, patrol.date_precision) == (dt.date(2020, 4, 1), "month")
    assert date_text(patrol.date, patrol.date_precision) == "2020-04"
    # a full date in the text anchors the weekday instead
    (patrol,) = events("Patrols begin, March 8, 2019. Turkey and Russia held a joint patrol near Saraqib on "
                       "Friday.", published="2019-03")
    assert (patrol.date, patrol.date_precision) == (dt.date(2019, 3, 8), "day")


def test_the_url_dates_an_undated_article():
    (patrol,) = events("Russia and Turkey held a joint patrol near Saraqib on Monday.", published=None,
                       url="https://example.org/news/2020/03/17/patrol")
    assert patrol.date == dt.date(2020, 3, 16)


def test_signing_date_and_start_date_and_deadlines():
    found = events("Russia and Turkey signed a protocol on March 5, with a ceasefire starting on March 6. "
                   "Heavy weapons must be withdrawn by 10 October.", published="2020-03-05")
    (agreement,) = [e for e in found if e.kind == "agreement"]
    assert agreement.date == dt.date(2020, 3, 5)
    assert agreement.deadlines[0]["by"] == "2020-10-10"
    assert not [e for e in found if e.kind == "withdrawal"]  # a deadline is not an event


# --- events ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("Russia and Turkey declared a ceasefire in Idlib.", ("ceasefire", "declared")),
    ("The ceasefire collapsed on Monday.", ("ceasefire", "suspended")),
    ("The truce was restored after two days.", ("ceasefire", "resumed")),
    ("Both sides accused each other of violating the ceasefire.", ("ceasefire", "violated")),
    ("Turkish and Russian troops will begin joint patrols next week.", ("patrol", "planned")),
    ("Turkish and Russian troops held a joint patrol on the M4.", ("patrol", "carried out")),
    ("The joint patrol was cut short after protesters blocked the road.", ("patrol", "suspended")),
    ("A blast hit a joint Russian-Turkish patrol near Ariha.", ("patrol", "attacked")),
    ("Rebels withdrew tanks, rocket launchers and mortars from the front line.", ("withdrawal", None)),
    ("The Nusra Front refused to withdraw from the zone.", None),
    ("A government offensive on Idlib remains possible.", None),
])
def test_kinds_and_statuses(sentence, expected):
    found = classify(sentence)
    assert (found and (found[0], found[2])) == expected


def test_casualties_with_their_spans():
    (strike,) = events("Regime shelling hit Ariha on Tuesday, killing three civilians and wounding 12 people.")
    assert (strike.kind, strike.fatalities, strike.injured) == ("attack", 3, 12)
    spans = {e.field: e.text for e in strike.evidence}
    assert spans["fatalities"] == "killing three civilians" and spans["injured"] == "wounding 12 people"
    (strike,) = events("Two Turkish soldiers were killed and two others were wounded in an airstrike in Idlib.")
    assert (strike.fatalities, strike.injured) == (2, 2)


def test_main_and_background():
    found = events("Russia and Turkey held a joint patrol near Saraqib on Tuesday. Turkish troops have been in "
                   "Idlib since 2016. The regime has repeatedly shelled Ariha. In September 2018 Russia and Turkey "
                   "signed an agreement on a demilitarized zone.", published="2020-04-15")
    roles = {(e.kind, e.role) for e in found}
    assert ("patrol", "main") in roles
    assert ("attack", "background") in roles and ("agreement", "background") in roles
    assert all(e.role == "background" for e in found if e.kind != "patrol")


def test_an_attack_on_a_patrol_told_twice_is_one_patrol_attacked():
    found = events("An IED exploded near a joint Russian-Turkish patrol on the M4 near Ariha on Tuesday. "
                   "The explosion wounded three Russian servicemen.", published="2020-07-15")
    (patrol,) = found
    assert (patrol.kind, patrol.status, patrol.sub_event_type, patrol.injured) == ("patrol", "attacked",
                                                                                   "remote-explosive", 3)


def test_a_headline_in_the_governorate_and_the_body_in_a_town_of_it_are_one_attack():
    found = events("Regime shelling kills five in Idlib. Government shelling on Ariha on Tuesday killed five "
                   "civilians, rescuers said. Separately, air strikes hit Saraqib on Tuesday.", published="2019-05-07")
    assert [(e.sub_event_type, e.places[0].text, e.fatalities) for e in found] == [
        ("shelling", "Ariha", 5), ("air-strike", "Saraqib", None)]
    assert found[0].actors == ["syrian-government"]


@pytest.mark.parametrize("sentence, killed", [
    ("Air strikes on Ariha on Tuesday, killing at least 33, rescuers said.", 33),
    ("The strike killed a man near Ariha.", 1),
    ("Shelling on Ariha left 4 people dead.", 4),
])
def test_fatalities_in_other_words(sentence, killed):
    (attack,) = events(sentence)
    assert attack.fatalities == killed


def test_strikes_that_are_not_attacks():
    assert events("Workers in Ariha went on strike. A hunger strike began in Idlib.") == []


def test_a_planned_patrol_on_a_weekday_is_the_coming_one():
    (planned,) = events("Russia and Turkey will begin joint patrols on the M4 on Sunday.", published="2020-03-12")
    assert (planned.status, planned.date) == ("planned", dt.date(2020, 3, 15))
    (held,) = events("Russia and Turkey held joint patrols on the M4 on Sunday.", published="2020-03-12")
    assert (held.status, held.date) == ("carried out", dt.date(2020, 3, 8))


def test_a_response_is_an_event_of_its_own():
    found = events("Two Turkish soldiers were killed in an air strike in Idlib on Tuesday. In response, Turkish "
                   "forces attacked government positions in Idlib, killing 20 soldiers.", published="2020-02-26")
    assert [(e.sub_event_type, e.fatalities) for e in found] == [("air-strike", 2), ("armed-clash", 20)]


def test_two_kinds_of_attack_in_one_article_are_two_unless_one_is_only_an_attack():
    found = events("Regime forces shelled Kafr Nubl on Tuesday. Rebels clashed with regime troops near Kafr Nubl "
                   "on Tuesday.", published="2020-02-26")
    assert [e.sub_event_type for e in found] == ["shelling", "armed-clash"]
    (one,) = events("Regime warplanes bombed Ariha on Tuesday. The attack killed four civilians.",
                    published="2020-02-26")
    assert (one.sub_event_type, one.fatalities) == ("air-strike", 4)


@pytest.mark.parametrize("text, fatalities, injured", [
    ("A blast hit a joint patrol near Ariha on Tuesday. Three Russian servicemen were slightly injured.", None, 3),
    ("A blast hit a joint patrol near Ariha on Tuesday, causing damage but no deaths. No soldiers were hurt.", 0, 0),
])
def test_the_toll_in_the_next_sentence_and_tolls_of_none(text, fatalities, injured):
    (patrol,) = events(text, published="2020-07-15")
    assert (patrol.status, patrol.fatalities, patrol.injured) == ("attacked", fatalities, injured)


def test_a_ceasefire_is_declared_when_announced_and_starts_later():
    (truce,) = events("A new ceasefire in Idlib is set to start just after midnight on Jan. 12, Turkey said.",
                      published="2020-01-10")
    assert (truce.kind, truce.status, truce.date, truce.extra["starts"]) == ("ceasefire", "declared",
                                                                           dt.date(2020, 1, 10), "2020-01-12")


def test_one_side_accepting_a_deal_is_no_new_agreement():
    assert events("The rebel alliance said on Sunday it had agreed to implement the deal.",
                  published="2018-10-08") == []


def test_the_report_keeps_each_dates_precision(tmp_path):
    import json

    from ceasefire.news import read_news

    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps({"id": "m", "date": "2019-03", "text": "Turkey and Russia held a joint patrol "
                                  "near Saraqib on Tuesday. In September 2018 Russia and Turkey signed an "
                                  "agreement on a demilitarized zone."}) + "\n", encoding="utf-8")
    read_news(source, store=False, report_path=tmp_path / "r.json")
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["articles"][0]["published"] == "2019-03"
    assert {(e["kind"], e["date"], e["role"]) for e in doc["events"]} == {("patrol", "2019-03", "main"),
                                                                         ("agreement", "2018-09", "background")}
