"""One event, many reports, across runs: a report of an event the store holds is added to it as a source;
an article read again, under any name, changes nothing; background events are stored only when asked.

Each test runs on both engines (``store_target``: a SQLite file, or a PostGIS schema when a server is at
hand). The articles are the project's own (``tests/data/news/merge_*``)."""

import datetime as dt
import itertools
import json
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.cli import main
from ceasefire.news import NewsRun, read_news
from ceasefire.news.extract import NewsEvent
from ceasefire.news.pipeline import events_table
from ceasefire.news.run import STORE_QUERIES, _windows
from ceasefire.store import connect

from .conftest import DATA, stored_rows

NEWS = DATA / "news"
SARAQIB = NEWS / "merge_patrol_saraqib.txt"  # Russia + Turkey, patrol near Saraqib, 14 April 2020
AFIS = NEWS / "merge_patrol_afis.jsonl"  # Turkey, patrol near Afis (~5 km away), 15 April 2020, with a URL
ARIHA = NEWS / "merge_patrol_ariha.txt"  # Russia + Turkey, patrol near Ariha (~18 km away), 16 April 2020
STRIKE = NEWS / "merge_strike_saraqib.txt"  # Russia, air strikes on Saraqib, 14 April 2020
BACKGROUND = NEWS / "merge_background.txt"  # a patrol on 3 May 2020; air strikes "previously", in February
AFIS_URL = "https://example.org/news/afis-convoy"


def news_rows(store):
    """The stored news events, each with its raw JSON parsed, by id."""
    return [{**r, "facts": json.loads(r["raw"])} for r in stored_rows(store) if r["source"] == "news"]


def of_kind(rows, kind):
    return [r for r in rows if r["facts"]["kind"] == kind]


def test_a_report_of_a_stored_event_read_in_a_later_run_becomes_one_more_source(store_target, regime):
    with connect(store_target) as store:
        first = read_news(SARAQIB, regime, conn=store)
        [stored] = of_kind(news_rows(store), "patrol")
        second = read_news(AFIS, regime, conn=store)
        rows = news_rows(store)
    assert (first.ingest.new, second.ingest.new, second.ingest.updated) == (1, 0, 1)
    [patrol] = of_kind(rows, "patrol")  # one event, not two
    assert patrol["event_id"] == stored["event_id"]
    assert patrol["sources"].split("; ")[:2] == ["merge_patrol_saraqib", AFIS_URL]
    assert patrol["facts"]["sources"] == ["merge_patrol_saraqib", AFIS_URL]
    assert len(patrol["facts"]["source_keys"]) == 2
    # the rest of the stored event is kept: its day, place and actors
    for name in ("date", "date_end", "date_precision", "lat", "lon", "place", "actor1", "actor2", "notes",
                 "first_ingest_id"):
        assert patrol[name] == stored[name], name
    assert patrol["date"] == dt.date(2020, 4, 14)
    assert set(patrol["facts"]["actors"]) == {"russia", "turkey"}
    assert patrol["ingest_id"] > stored["ingest_id"]


def test_the_more_precise_date_of_a_later_report_is_kept(tmp_path, store_target, regime):
    """A report "in April 2020" stored first; the report of 14 April read later gives the event its day."""
    vague = tmp_path / "april.txt"
    vague.write_text("Russian and Turkish forces carried out a joint patrol on the M4 highway near Saraqib in April "
                     "2020, the Turkish defence ministry said.\n", encoding="utf-8")
    with connect(store_target) as store:
        read_news(vague, regime, conn=store)
        [before] = of_kind(news_rows(store), "patrol")
        again = read_news(SARAQIB, regime, conn=store)
        [after] = of_kind(news_rows(store), "patrol")
    assert before["date_precision"] == "month" and before["date"] == dt.date(2020, 4, 1)
    assert (again.ingest.new, again.ingest.updated) == (0, 1)
    assert after["event_id"] == before["event_id"]
    assert (after["date"], after["date_end"], after["date_precision"]) == (dt.date(2020, 4, 14),) * 2 + ("day",)
    assert (after["facts"]["date"], after["facts"]["date_precision"]) == ("2020-04-14", "day")
    assert after["facts"]["sources"] == ["april", "merge_patrol_saraqib"]


def test_two_reports_of_one_run_kept_apart_both_join_the_stored_event_between_them(tmp_path, store_target, regime):
    """Reports of 14 and 16 April are two days apart (two events in their run), and each within a day of the
    event stored for 15 April: both become its sources, and it is written once."""
    middle = tmp_path / "middle.txt"
    middle.write_text("Russian and Turkish forces carried out a joint patrol on the M4 highway near Saraqib on "
                      "Wednesday, 15 April 2020, the Turkish defence ministry said.\n", encoding="utf-8")
    later = tmp_path / "later" / "z-later.txt"
    later.parent.mkdir()
    later.write_text("Turkish and Russian troops carried out a joint patrol near Afis on Thursday, 16 April 2020, "
                     "residents said.\n", encoding="utf-8")
    shutil.copy(SARAQIB, later.parent / "a-earlier.txt")
    with connect(store_target) as store:
        read_news(middle, regime, conn=store)
        run = read_news(later.parent, regime, conn=store)
        rows = news_rows(store)
    assert [e.date for e in run.merged if e.kind == "patrol"] == [dt.date(2020, 4, 14), dt.date(2020, 4, 16)]
    assert (run.ingest.new, run.ingest.updated, run.ingest.duplicates) == (0, 1, 1)
    [patrol] = of_kind(rows, "patrol")
    assert patrol["facts"]["sources"] == ["middle", "a-earlier", "z-later"]
    assert patrol["date"] == dt.date(2020, 4, 15)


@pytest.mark.parametrize("other, why", [
    (ARIHA, "18 km away (and a day after)"),
    (STRIKE, "another kind, the same day and town, an actor in common"),
    (BACKGROUND, "the same town and actors, three weeks later"),
])
def test_a_different_event_stays_apart(store_target, regime, other, why):
    with connect(store_target) as store:
        read_news(SARAQIB, regime, conn=store)
        [first] = of_kind(news_rows(store), "patrol")
        run = read_news(other, regime, conn=store, background=True)
        rows = news_rows(store)
    assert run.ingest.updated == 0, why
    assert run.ingest.new >= 1, why
    [kept] = [r for r in rows if r["event_id"] == first["event_id"]]
    assert kept == first, why  # the first event untouched
    assert len(rows) == 1 + run.ingest.new, why


def test_the_same_article_read_again_under_other_names_changes_nothing(tmp_path, store_target, regime):
    one, two = tmp_path / "patrol.txt", tmp_path / "copy of the patrol.txt"
    text = SARAQIB.read_text(encoding="utf-8")
    one.write_text(text, encoding="utf-8")
    two.write_text("\n" + text.replace(" on ", "  on ") + "\n", encoding="utf-8")  # the same words, other spacing
    other_b = tmp_path / "wire-b-again.jsonl"
    shutil.copy(AFIS, other_b)
    with connect(store_target) as store:
        read_news(one, regime, conn=store)
        before = stored_rows(store)
        again = read_news(two, regime, conn=store)
        assert (again.ingest.new, again.ingest.updated, again.ingest.unchanged) == (0, 0, 1)
        assert stored_rows(store) == before  # every column, ingest ids included
        read_news(AFIS, regime, conn=store)  # another report: one more source
        merged = stored_rows(store)
        b_again = read_news(other_b, regime, conn=store)  # that report again, under another name
        a_again = read_news(two, regime, conn=store)  # and the first, after the event gained a source
        after = stored_rows(store)
    assert (b_again.ingest.new, b_again.ingest.updated) == (0, 0)
    assert (a_again.ingest.new, a_again.ingest.updated) == (0, 0)
    assert after == merged and len(after) == 1


def test_the_cli_says_the_same_article_read_again_is_unchanged(tmp_path, store_target):
    one, two = tmp_path / "a.txt", tmp_path / "b.txt"
    shutil.copy(SARAQIB, one)
    shutil.copy(SARAQIB, two)
    runner = CliRunner()
    first = runner.invoke(main, ["read", str(one), "--db", str(store_target)])
    again = runner.invoke(main, ["read", str(two), "--db", str(store_target)])
    assert first.exit_code == again.exit_code == 0, first.output + again.output
    assert f"news from {one}: read 1, new 1, updated 0, unchanged 0, quarantined 0" in first.stdout
    assert f"news from {two}: read 1, new 0, updated 0, unchanged 1, quarantined 0" in again.stdout


def test_background_events_are_printed_but_stored_only_when_asked(store_target, regime):
    # what the extractor makes of the article, and which of its events have a date and a place (a row)
    merged = read_news(BACKGROUND, regime, store=False).merged
    storable = {role: events_table([e for e in merged if e.role == role], regime).num_rows
                for role in ("main", "background")}
    # "… had previously carried out air strikes on … on 12 February 2020": dated, placed, background
    assert storable["background"] and storable["main"]
    runner = CliRunner()
    default = runner.invoke(main, ["read", str(BACKGROUND), "--db", str(store_target)])
    assert default.exit_code == 0, default.output
    marked = [line for line in default.stdout.splitlines() if line.endswith("  (background)")]
    assert len(marked) == sum(e.role == "background" for e in merged)
    with connect(store_target) as store:
        stored = news_rows(store)
    assert len(stored) == storable["main"] and all(r["facts"]["role"] == "main" for r in stored)
    assert f"{len(marked)} background event(s) not stored (--background stores them)" in default.stderr
    asked = runner.invoke(main, ["read", str(BACKGROUND), "--db", str(store_target), "--background"])
    assert asked.exit_code == 0, asked.output
    with connect(store_target) as store:
        stored = news_rows(store)
    assert len([r for r in stored if r["facts"]["role"] == "background"]) == storable["background"]
    assert f"new {storable['background']}, updated 0, unchanged {storable['main']}" in asked.stdout
    assert "not stored" not in asked.stderr


def test_a_background_event_is_marked_in_the_printed_lines():
    events = [NewsEvent("a", "patrol", "patrol", (0, 1), dt.date(2020, 5, 3), "day", actors=["russia"]),
              NewsEvent("a", "attack", "air-strike", (2, 3), dt.date(2016, 3, 1), "month", role="background")]
    lines = NewsRun("a.txt", [], events).event_lines()
    assert not lines[0].endswith("(background)")
    assert lines[1] == "  2016-03-01 (month)  attack       ? [?]  (background)"


def test_without_a_store_nothing_is_said_of_background_events(tmp_path):
    """--no-store: nothing is stored, so nothing is said about background events left out."""
    run = CliRunner().invoke(main, ["read", str(BACKGROUND), "--no-store"])
    assert run.exit_code == 0, run.output
    assert "not stored" not in run.stderr and "news from" not in run.stdout


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2000), st.sampled_from([0, 0, 6, 30, 364])), min_size=1, max_size=40))
def test_the_store_is_asked_for_a_few_windows_that_cover_every_event(spans):
    """Earlier events are looked for in at most STORE_QUERIES date windows, each event's a day either side."""
    origin = dt.date(2017, 1, 1)
    rows = [{"date": origin + dt.timedelta(days=d), "date_end": origin + dt.timedelta(days=d + n)} for d, n in spans]
    windows = _windows(rows)
    assert 1 <= len(windows) <= STORE_QUERIES
    assert all(a[1] < b[0] for a, b in itertools.pairwise(windows))  # disjoint, in order
    day = dt.timedelta(days=1)
    for row in rows:
        assert any(s <= row["date"] - day and row["date_end"] + day <= e for s, e in windows)
    # no wider than needed: each window starts and ends at an event's own
    assert {s for s, _ in windows} <= {r["date"] - day for r in rows}
    assert {e for _, e in windows} <= {r["date_end"] + day for r in rows}
