"""The news reader, offline end to end: the seed article (from ../shared) and the project's own articles."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from ceasefire.cli import main
from ceasefire.events import events_frame
from ceasefire.news import merge_across, read_article, read_articles
from ceasefire.news.dates import find_dates
from ceasefire.news.zonewords import zone_polygon
from ceasefire.store import connect
from ceasefire.zones import regime_shapes

from .conftest import DATA, SHARED

SEED = SHARED / "seed-article.txt"
needs_seed = pytest.mark.skipif(not SEED.exists(), reason="../shared/seed-article.txt is not beside the project")


def read(path):
    results = [read_article(a) for a in read_articles(path)]
    return results, merge_across(results)


@pytest.fixture(scope="module")
def seed():
    return read(SEED)


def by_kind(events, kind):
    return [e for e in events if e.kind == kind]


@needs_seed
def test_seed_joint_patrol(seed):
    results, events = seed
    assert results[0]["published"] == dt.date(2019, 3, 8)
    assert "announced on March 8th" in results[0]["published_source"]
    patrols = by_kind(events, "patrol")
    assert len(patrols) == 1
    patrol = patrols[0]
    assert (patrol.date, patrol.date_precision) == (dt.date(2019, 3, 8), "day")
    assert set(patrol.actors) == {"russia", "turkey"}
    assert [p.name for p in patrol.places][:1] == ["Idlib"] and patrol.places[0].kind == "adm1"
    assert patrol.claimant["name"] == "Hulusi Akar"
    assert patrol.claimant["role"] == "Minister of National Defense of Turkey"
    assert patrol.channel == "TASS" and patrol.is_claim
    mandate = {m["force"]: m["text"] for m in patrol.mandate}
    assert mandate == {"russia": "along the borders of Idlib",
                       "turkey": "in the regions in which the terrorists have been disarmed"}
    text = SEED.read_text(encoding="utf-8")
    for ev in patrol.evidence:  # every field points at its words in the original
        assert text[ev.start:ev.end] == ev.text


@needs_seed
def test_seed_agreements_and_proposal(seed, regime):
    _, events = seed
    astana, sochi = sorted(by_kind(events, "agreement"), key=lambda e: e.date)
    assert (astana.date, astana.date_precision) == (dt.date(2017, 5, 1), "month")
    assert [z["number"] for z in astana.zones] == ["first", "second", "third", "fourth"]
    assert "Eastern Ghouta" in astana.zones[2]["places"]
    assert "Jordan" in astana.zones[3]["text"]
    assert (sochi.date, sochi.date_precision) == (dt.date(2018, 9, 1), "month")
    assert {p["name"] for p in sochi.people} == {"Vladimir Putin", "Recep Tayyip Erdogan"}
    assert any("demilitarized zone" in z["text"] and "line of contact" in z["text"] for z in sochi.zones)
    (proposal,) = by_kind(events, "proposal")
    assert (proposal.date, proposal.date_precision) == (dt.date(2019, 2, 1), "month")
    assert proposal.claimant["name"] == "Recep Tayyip Erdogan"
    assert {p["name"] for p in proposal.people} >= {"Vladimir Putin", "Hassan Rouhani"}
    assert "refugees" in proposal.extra["purpose"]
    assert proposal.extra["proposal"] == "increasing the number of de-escalation zones in Syria"
    zone1 = regime_shapes(regime)["astana-1"].metric
    polygon = zone_polygon(astana.zones[0]["expression"])
    assert polygon.intersection(zone1).area / polygon.union(zone1).area >= 0.6


@needs_seed
def test_seed_furniture_is_gone(seed):
    results, _ = seed
    clean = results[0]["article"].clean
    for furniture in ("0 2,365", "- Advertisement -", "Subscribe to our newsletter", "Sign up here",
                      "Get real time updates"):
        assert furniture not in clean
    assert len(clean) == len(SEED.read_text(encoding="utf-8"))  # offsets unchanged


def test_own_article_end_to_end(tmp_path, regime):
    results, events = read(DATA / "news" / "patrols_begin.txt")
    article = results[0]["article"]
    assert "1,204" not in article.clean and "Advertisement" not in article.clean and "newsletter" not in article.clean
    assert results[0]["published"] == dt.date(2019, 3, 8)
    (patrol,) = by_kind(events, "patrol")
    assert patrol.claimant["name"] == "Sergei Shoigu" and patrol.channel == "Interfax"
    assert {m["force"] for m in patrol.mandate} == {"russia", "turkey"}
    (astana,) = [e for e in by_kind(events, "agreement") if e.date.year == 2017]
    first = next(z for z in astana.zones if z["number"] == "first")
    polygon = zone_polygon(first["expression"])
    zone1 = regime_shapes(regime)["astana-1"].metric
    assert polygon.intersection(zone1).area / polygon.union(zone1).area >= 0.6


def test_html_article_and_its_metadata_date(tmp_path):
    results, events = read(DATA / "news" / "m4_attack.html")
    assert results[0]["published"] == dt.date(2020, 7, 14) and results[0]["published_source"] == "html metadata"
    # an attack on a patrol is that patrol, attacked, with the attack's sub-type
    attack = next(e for e in events if e.kind == "patrol" and e.status == "attacked")
    assert attack.sub_event_type == "remote-explosive" and attack.role == "main"
    assert attack.date == dt.date(2020, 7, 14)
    assert attack.places[0].name.startswith("Ar") and attack.places[0].kind == "place"  # Ariha, a town
    assert "Home | World" not in results[0]["article"].text


def test_two_reports_of_one_event_merge():
    results, events = read(DATA / "news" / "two_reports.jsonl")
    strikes = [e for e in events if e.kind == "attack"]
    assert len(strikes) == 1
    assert strikes[0].sources == ["https://example.org/a", "https://example.org/b"]
    assert strikes[0].places[0].name == "Khān Shaykhūn"


def test_relative_dates():
    anchor = dt.date(2019, 3, 8)  # a Friday
    found = {d.text: (d.date, d.precision) for d in find_dates(
        "today; on Friday; In February of this year; Since May 2017; In September 2018; Oct. 15; last month", anchor)}
    assert found["today"] == (anchor, "day")
    assert found["on Friday"] == (anchor, "day")
    assert found["February of this year"] == (dt.date(2019, 2, 1), "month")
    assert found["May 2017"] == (dt.date(2017, 5, 1), "month")
    assert found["September 2018"] == (dt.date(2018, 9, 1), "month")
    assert found["Oct. 15"] == (dt.date(2018, 10, 15), "day")  # no year: the nearest before the report
    assert found["last month"] == (dt.date(2019, 2, 1), "month")


def test_read_command_writes_events_and_report(tmp_path, store_target):
    db, report = store_target, tmp_path / "r.json"
    args = ["read", str(DATA / "news"), "--db", str(db), "--report", str(report), "--background"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(main, args)
    assert "new 0" in again.output  # re-reading changes nothing
    with connect(db) as store:
        frame = events_frame(store)
    assert {"patrol", "agreement", "remote-explosive", "air-strike"} <= set(frame["sub_event_type"])
    doc = json.loads(report.read_text())
    assert doc["events"] and all(e["evidence"] for e in doc["events"])
    assert any(a["furniture_removed"] for a in doc["articles"])


def test_the_reader_knows_the_places_a_regime_brings(regime):
    from ceasefire.news.places import find_places, regime_places

    text = "Government forces shelled Rashidin on Monday."
    assert not [m for m in find_places(text) if m.name == "Rashidin"]  # the shipped gazetteer lacks the village
    with regime_places(regime):
        found = [m for m in find_places(text) if m.name == "Rashidin"]
    assert found and found[0].lon == pytest.approx(37.061944) and found[0].precision == "exact"


def test_the_publication_date_may_be_given_for_articles_that_name_none(tmp_path):
    """A year-less dateline and no date given: undated events, unless `--published` says when it appeared; a
    JSONL line's own date still comes first."""
    import json as _json

    from click.testing import CliRunner

    from ceasefire.cli import main

    text = ("IDLIB, Syria, March 9 (Reuters) - Russian and Turkish forces carried out a joint patrol in Idlib "
            "province on Friday, the Turkish defence ministry said.")
    article = tmp_path / "patrol.txt"
    article.write_text(text, encoding="utf-8")
    runner = CliRunner()
    undated = runner.invoke(main, ["read", str(article), "--no-store"])
    dated = runner.invoke(main, ["read", str(article), "--no-store", "--published", "2019-03-09"])
    assert undated.exit_code == dated.exit_code == 0, undated.output + dated.output
    assert "published unknown" in undated.stdout and "undated" in undated.stdout
    assert "published 2019-03-09 (input)" in dated.stdout and "undated" not in dated.stdout
    lines = tmp_path / "two.jsonl"
    lines.write_text(_json.dumps({"id": "own", "date": "2019-03-10", "text": text}) + "\n"
                     + _json.dumps({"id": "none", "text": text}) + "\n", encoding="utf-8")
    both = runner.invoke(main, ["read", str(lines), "--no-store", "--published", "2019-03-09"])
    assert "published 2019-03-10 (input)" in both.stdout and "published 2019-03-09 (input)" in both.stdout
    bad = runner.invoke(main, ["read", str(article), "--no-store", "--published", "9 March"])
    assert bad.exit_code == 2 and "--published" in bad.output


@pytest.mark.parametrize("text, names", [
    ("Shelling hit Idlib's southern countryside.", ["Idlib"]),
    ("Moscow’s envoy met officials in Ankara.", ["Moscow", "Ankara"]),
    ("Clashes on the Aleppo-Hama highway near Maarat al-Numan and Deir ez-Zor.",
     ["Aleppo", "Hama", "Maarat al-Numan", "Deir ez-Zor"]),
    ("The Russia-Turkey patrols resumed near Saraqib.", ["Russia", "Turkey", "Saraqib"]),
])
def test_possessives_and_hyphenated_pairs_name_their_places(text, names):
    from ceasefire.news.places import find_places

    assert [m.text.removeprefix("The ") for m in find_places(text)] == names


def test_the_same_article_read_again_under_another_name_adds_no_event(tmp_path):
    from ceasefire.news import read_news
    from ceasefire.regime import load_regime
    from ceasefire.store import connect

    text = ("IDLIB, Syria, 9 March 2019 (Reuters) - Russian and Turkish forces carried out a joint patrol in Idlib "
            "province on Friday, the Turkish defence ministry said. Shelling hit Khan Shaykhun the same day.")
    first, second = tmp_path / "patrol.txt", tmp_path / "copy-of-patrol.txt"
    first.write_text(text, encoding="utf-8")
    second.write_text("\n" + text.replace("  ", " ") + "\n", encoding="utf-8")  # the same words, other spacing
    regime = load_regime("syria-northwest")
    with connect(tmp_path / "s.sqlite") as store:
        one = read_news(first, regime, conn=store)
        again = read_news(second, regime, conn=store)
        stored = store.count("events")
    assert one.ingest.new == stored >= 1
    assert again.ingest.new == 0 and stored == one.ingest.new
