"""The mission's report as data (issue 13): its numbers are the store's, every violation once, an empty period and
a zone's end said plainly."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from ceasefire.cli import main
from ceasefire.events import ingest_file
from ceasefire.monitor.stored import bring_up_to_date
from ceasefire.report.mission import Period, build_report
from ceasefire.store import connect
from ceasefire.store.records import VerdictFilter

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "ceasefire" / "data" / "ucdp_ged_nw_syria_sample.csv"
WEEK = Period(dt.date(2019, 5, 6), dt.date(2019, 5, 12))


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory, regime) -> Path:
    db = tmp_path_factory.mktemp("mission") / "s.sqlite"
    with connect(db) as store:
        ingest_file(store, SAMPLE, "ucdp", progress=False)
        bring_up_to_date(store, regime, progress=False)
    return db


def test_periods():
    assert Period.of(dt.date(2019, 5, 8), "week") == WEEK
    assert Period.of(dt.date(2019, 5, 8), "day") == Period(dt.date(2019, 5, 8), dt.date(2019, 5, 8))
    assert WEEK.previous() == Period(dt.date(2019, 4, 29), dt.date(2019, 5, 5)) and WEEK.days == 7


def test_the_reports_numbers_are_the_stores_counts_for_the_same_filters(sample_db, regime):
    with connect(sample_db) as store:
        report = build_report(store, regime, WEEK)
        jid = store.judgments()[0].judgment_id

        def count(period: Period, **filters) -> int:
            return store.count_verdicts(jid, VerdictFilter(start=period.start, end=period.end, **filters))

        for line in report.headline:
            statuses = [line.name] if line.name != "all" else []
            assert (line.now, line.before) == (count(WEEK, status=statuses), count(WEEK.previous(), status=statuses))
        assert report.headline[-1].now == report.total == count(WEEK) > 20
        for section in report.zones:
            assert sum(section.counts.values()) == count(WEEK, zone=[section.zone_id])
            assert sum(c.total for c in section.by_rule) == sum(section.counts.values())
            assert sum(c.total for c in section.by_event_type) == sum(section.counts.values())
        unreviewed = next(r for r in report.reviews if r.name == "unreviewed")
        assert unreviewed.now == report.total and unreviewed.before == count(WEEK.previous())
        chart = {d["date"]: d for d in report.by_day}
        assert len(report.by_day) == WEEK.days + 30 and report.by_day[-1]["date"] == "2019-05-12"
        in_week = sum(chart[(WEEK.start + dt.timedelta(days=k)).isoformat()][s]
                      for s in ("confirmed", "possible", "excluded") for k in range(7))
        # a verdict whose dates begin before the week is charted on the day it begins
        assert in_week == sum(1 for v in report.violations if v.date >= "2019-05-06")
        window = Period(WEEK.start - dt.timedelta(days=30), WEEK.end)
        assert sum(d[s] for d in report.by_day for s in ("confirmed", "possible", "excluded")) == count(window)


def test_every_violation_of_the_period_appears_once_as_the_command_line_lists_them(sample_db, regime):
    with connect(sample_db) as store:
        report = build_report(store, regime, WEEK)
    listed = CliRunner().invoke(main, ["violations", "--db", str(sample_db), "--from", "2019-05-06", "--to",
                                       "2019-05-12", "--format", "json"])
    cli = [(v["event_id"], v["rule"], v["zone"]) for v in json.loads(listed.stdout)]
    mine = [(v.event_id, v.rule, v.zone) for v in report.violations]
    assert mine == cli and len(set(mine)) == len(mine)
    assert all(v.sentence and v.sources[0] == v.event_id for v in report.violations)
    assert Counter(v.status for v in report.violations) == {line.name: line.now for line in report.headline
                                                             if line.name != "all" and line.now}


def test_an_empty_period_is_a_report_that_says_so(sample_db, regime):
    with connect(sample_db) as store:
        report = build_report(store, regime, Period(dt.date(2016, 1, 4), dt.date(2016, 1, 10)))
    assert report.empty and report.total == 0 and report.zones == []
    assert [line.now for line in report.headline] == [0, 0, 0, 0]


def test_a_period_that_straddles_a_zones_end_shows_the_end(sample_db, regime):
    with connect(sample_db) as store:
        report = build_report(store, regime, Period.of(dt.date(2018, 5, 16), "week"))
    ended = {s.zone_id: s for s in report.zones if s.ended}
    assert "astana-2" in ended and ended["astana-2"].valid_to == "2018-05-16"
    assert any("astana-2 no longer in force" in note for _, notes, _ in report.timeline for note in notes)
    assert all(not s.ended for s in report.zones if s.zone_id == "astana-1")


def test_a_zone_filter_keeps_only_that_zone(sample_db, regime):
    with connect(sample_db) as store:
        report = build_report(store, regime, WEEK, zones=["sochi-dmz"])
    assert [s.zone_id for s in report.zones] == ["sochi-dmz"]
    assert {v.zone for v in report.violations} <= {"sochi-dmz"}


def test_the_report_command_writes_each_format_and_refuses_a_half_given_period(sample_db, tmp_path):
    runner = CliRunner()
    for suffix in ("html", "md", "pdf"):
        out = tmp_path / f"week.{suffix}"
        done = runner.invoke(main, ["report", "--date", "2019-05-08", "--period", "week", "--db", str(sample_db),
                                    "-o", str(out)])
        assert done.exit_code == 0, done.output
        assert "report of 2019-05-06 – 2019-05-12" in done.stderr
    assert (tmp_path / "week.pdf").read_bytes()[:5] == b"%PDF-"
    assert "ucdp:294994" in (tmp_path / "week.html").read_text(encoding="utf-8")
    assert "ucdp:294994" in (tmp_path / "week.md").read_text(encoding="utf-8")
    for args, message in ((["--date", "2019-05-08"], "--date and --period go together"),
                          (["--from", "2019-05-08"], "give the period"),
                          (["--date", "2019-05-08", "--period", "week", "--from", "2019-05-01"], "not both"),
                          (["--from", "2019-05-08", "--to", "2019-05-01"], "is after"),
                          (["--date", "2019-05-08", "--period", "day", "--zone", "nowhere"], "no zone 'nowhere'"),
                          (["--date", "2019-05-08", "--period", "day", "--format", "pdf"], "a PDF is a file")):
        failed = runner.invoke(main, ["report", "--db", str(sample_db), *args])
        assert failed.exit_code == 2 and message in failed.output, (args, failed.output)


def test_driven_tracks_show_as_patrols_carried_out_with_their_completion(sample_db, regime, tmp_path):
    from ceasefire.patrols import plan_patrols, write_plan
    from ceasefire.patrols.io import write_track_gpx

    from .test_patrols import along

    plan = plan_patrols(regime, dt.date(2020, 3, 16), 7)
    joint = next(p for p in plan.patrols if p.mandate == "m4-joint-2020")
    plan_path, gpx = tmp_path / "plan.geojson", tmp_path / "drive.gpx"
    write_plan(plan.patrols, plan_path)
    write_track_gpx(along(joint.route, 0.70, joint.start), gpx, joint.id)
    out = tmp_path / "week.md"
    done = CliRunner().invoke(main, ["report", "--date", joint.start.date().isoformat(), "--period", "week",
                                     "--db", str(sample_db), "--plan", str(plan_path), "--track", str(gpx),
                                     "-o", str(out)])
    assert done.exit_code == 0, done.output
    text = out.read_text(encoding="utf-8")
    assert f"{joint.id}: cut short, 7" in text  # 70 % of the route, give or take the sampling
    lone = CliRunner().invoke(main, ["report", "--date", "2020-03-18", "--period", "week", "--db", str(sample_db),
                                     "--track", str(gpx)])
    assert lone.exit_code == 2 and "--track and --plan go together" in lone.output
