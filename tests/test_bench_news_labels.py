"""The gold labels of the news benchmark (benchmarks/news_labels.yaml) are well-formed, and the event scorer in
benchmarks/bench_news.py matches the way its docstring says.

A label that breaks a rule is reported as "article, event number: what is wrong", all at once."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ceasefire.news.extract import NewsEvent
from ceasefire.news.places import PlaceMention

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "benchmarks" / "news_labels.yaml"
DEV = ROOT.parent / "shared" / "data" / "news" / "dev_articles.jsonl"  # not ours to ship: checked when present

KINDS = {"attack", "ceasefire", "patrol", "agreement", "proposal", "withdrawal"}
STATUSES = {"ceasefire": {"declared", "suspended", "resumed", "violated"},
            "patrol": {"planned", "carried out", "suspended", "attacked"}}
SUBS = {"air-strike", "shelling", "armed-clash", "remote-explosive"}
ROLES = {"main", "background"}
PARTIES = {"russia", "turkey", "iran", "syrian-government", "armed-opposition", "hts"}
PARTY_ID = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")  # "plain lowercase ids" for any other party
KEYS = {"kind", "sub", "status", "date", "precision", "place", "actors", "role", "fatalities", "injured",
        "deadlines", "starts"}
TERMS = {"agreement", "ceasefire"}  # the kinds that have terms: deadlines and a start


@pytest.fixture(scope="module")
def labels() -> dict[str, Any]:
    return yaml.safe_load(LABELS.read_text(encoding="utf-8"))


def _day(value: object) -> dt.date | None:
    """A day as YAML reads it (a date) or as text (YYYY-MM-DD); None when it is not one."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def date_problem(date: object, precision: object) -> str | None:
    """What is wrong with a (date, precision) pair, or None."""
    if date is None:
        return None if precision is None else f"precision {precision!r} without a date"
    if precision == "day":
        return None if _day(date) else f"date {date!r} is not a day (YYYY-MM-DD) for precision day"
    if precision == "month":
        ok = isinstance(date, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", date)
        return None if ok else f"date {date!r} is not a month (YYYY-MM) for precision month"
    if precision == "year":
        ok = isinstance(date, int) and 1900 <= date <= 2100 or isinstance(date, str) and re.fullmatch(r"\d{4}", date)
        return None if ok else f"date {date!r} is not a year (YYYY) for precision year"
    return f"precision {precision!r} is not one of day, month, year"


def event_problems(event: Any, places: dict[str, Any]) -> list[str]:
    if not isinstance(event, dict):
        return [f"an event is a mapping, got {type(event).__name__}"]
    out = [f"unknown key {k!r}" for k in event if k not in KEYS]
    kind = event.get("kind")
    if kind not in KINDS:
        out.append(f"kind {kind!r} is not one of {sorted(KINDS)}")
    status = event.get("status")
    if kind in STATUSES and status not in STATUSES[kind]:
        out.append(f"status {status!r} of a {kind} is not one of {sorted(STATUSES[kind])}")
    if kind not in STATUSES and "status" in event:
        out.append(f"a {kind} has no status (got {status!r})")
    if "sub" in event and not (event["sub"] in SUBS and (kind == "attack" or status == "attacked")):
        out.append(f"sub {event['sub']!r}: only an attack or an attacked patrol has one, from {sorted(SUBS)}")
    if "date" not in event:
        out.append("no date (write date: null when the article does not allow dating it)")
    elif problem := date_problem(event["date"], event.get("precision")):
        out.append(problem)
    if "place" not in event:
        out.append("no place (write place: null when the article does not say)")
    elif event["place"] is not None and event["place"] not in places:
        out.append(f"place {event['place']!r} is not a key of places:")
    actors = event.get("actors")
    if not isinstance(actors, list):
        out.append(f"actors {actors!r} is not a list")
    else:
        out += [f"actor {a!r} is not a party id" for a in actors
                if not isinstance(a, str) or a not in PARTIES and not PARTY_ID.fullmatch(a)]
        if len(set(actors)) != len(actors):
            out.append(f"actors {actors} repeat")
    if event.get("role") not in ROLES:
        out.append(f"role {event.get('role')!r} is not one of {sorted(ROLES)}")
    for field in ("fatalities", "injured"):
        if field in event and not (isinstance(event[field], int) and not isinstance(event[field], bool)
                                   and event[field] >= 0):
            out.append(f"{field} {event[field]!r} is not a count")
    if ("deadlines" in event or "starts" in event) and kind not in TERMS:
        out.append(f"a {kind} has no terms: deadlines and starts belong to an agreement or a ceasefire")
    if "starts" in event and not _day(event["starts"]):
        out.append(f"starts {event['starts']!r} is not a day (YYYY-MM-DD)")
    for deadline in event.get("deadlines") or []:
        if not (isinstance(deadline, dict) and set(deadline) == {"what", "by"} and isinstance(deadline["what"], str)
                and deadline["what"].strip()):
            out.append(f"deadline {deadline!r} is not {{what: …, by: YYYY-MM-DD}}")
        elif not _day(deadline["by"]) and date_problem(deadline["by"], "month"):
            out.append(f"deadline by {deadline['by']!r} is not a day or a month")
    return out


def all_problems(labels: dict[str, Any]) -> list[str]:
    places, articles = labels.get("places") or {}, labels.get("articles") or {}
    out = []
    for key, point in places.items():
        if not (isinstance(point, list) and len(point) == 2 and all(isinstance(x, (int, float)) for x in point)
                and -90 <= point[0] <= 90 and -180 <= point[1] <= 180):
            out.append(f"places: {key}: {point!r} is not [lat, lon]")
    for ident, article in articles.items():
        out += [f"articles: {ident}: place {key!r} (for {text!r}) is not a key of places:"
                for text, key in (article.get("places") or {}).items() if key not in places]
    events = labels.get("events")
    if not isinstance(events, dict) or not events:
        return out + ["events: missing or empty"]
    for ident, listed in events.items():
        if ident not in articles:
            out.append(f"events: {ident}: no such article in articles:")
        if not isinstance(listed, list):
            out.append(f"events: {ident}: a list of events, got {type(listed).__name__}")
            continue
        out += [f"events: {ident}, event {n}: {problem}" for n, event in enumerate(listed, 1)
                for problem in event_problems(event, places)]
    return out


def test_the_labels_are_well_formed(labels: dict[str, Any]) -> None:
    assert all_problems(labels) == []


def test_every_article_has_its_events_labelled(labels: dict[str, Any]) -> None:
    """Each labelled article has an events entry (an article whose news is of no kind has only background)."""
    assert sorted(labels["events"]) == sorted(labels["articles"])
    assert sum(e["role"] == "main" for listed in labels["events"].values() for e in listed) >= 20


def test_the_checker_names_what_is_wrong(labels: dict[str, Any]) -> None:
    """The checks above catch what they claim to: one broken label of each sort, each reported."""
    places = labels["places"]
    bad = {"kind": "riot", "status": "won", "date": "2019-03", "precision": "day", "place": "atlantis",
           "actors": ["Russia"], "role": "news", "fatalities": -1, "deadlines": [{"what": "x", "by": "soon"}],
           "colour": "red"}
    problems = event_problems(bad, places)
    assert problems == [
        "unknown key 'colour'",
        "kind 'riot' is not one of ['agreement', 'attack', 'ceasefire', 'patrol', 'proposal', 'withdrawal']",
        "a riot has no status (got 'won')",
        "date '2019-03' is not a day (YYYY-MM-DD) for precision day",
        "place 'atlantis' is not a key of places:",
        "actor 'Russia' is not a party id",
        "role 'news' is not one of ['background', 'main']",
        "fatalities -1 is not a count",
        "a riot has no terms: deadlines and starts belong to an agreement or a ceasefire",
        "deadline by 'soon' is not a day or a month",
    ]
    assert event_problems({"kind": "patrol", "status": "declared", "date": "2020-02-30", "precision": "day",
                           "place": None, "actors": [], "role": "main"}, places) == [
        "status 'declared' of a patrol is not one of ['attacked', 'carried out', 'planned', 'suspended']",
        "date '2020-02-30' is not a day (YYYY-MM-DD) for precision day"]
    assert date_problem(2018, "year") is None and date_problem("2018-13", "month") is not None
    assert date_problem(None, "day") == "precision 'day' without a date"


@pytest.mark.skipif(not DEV.exists(), reason=f"the development articles are not beside the project ({DEV})")
def test_labels_name_the_development_articles_and_copy_none_of_their_text() -> None:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    assert sorted(labels["events"]) == sorted(r["id"] for r in rows)
    # the texts are not ours: no run of eight words of an article may appear in the labels file, comments included
    words = re.compile(r"[a-z0-9']+")
    ours = words.findall(LABELS.read_text(encoding="utf-8").lower())
    ours_runs = {tuple(ours[i:i + 8]) for i in range(len(ours) - 7)}
    copied = []
    for row in rows:
        theirs = words.findall(row["text"].lower())
        copied += [f"{row['id']}: {' '.join(run)}" for i in range(len(theirs) - 7)
                   if (run := tuple(theirs[i:i + 8])) in ours_runs]
    assert copied == []


# --------------------------------------------------------------------------- the scorer's matching

def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_news", ROOT / "benchmarks" / "bench_news.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _event(kind: str, date: dt.date | None, precision: str | None, where: tuple[float, float] | None,
           status: str | None = None, text: str = "Idlib") -> NewsEvent:
    places = [PlaceMention(0, len(text), text, text, "place", *where)] if where else []
    return NewsEvent("a", kind, kind, (0, 1), date=date, date_precision=precision, places=places, status=status)


POINTS = {"idlib_prov": [35.850, 36.570], "ankara": [39.920, 32.854], "ariha": [35.814, 36.610]}


def test_a_label_matches_an_event_of_its_kind_date_and_place() -> None:
    bench = _bench()
    gold = [{"kind": "patrol", "status": "attacked", "date": dt.date(2020, 7, 14), "precision": "day",
             "place": "idlib_prov"}]
    near = (35.814, 36.610)  # Ariha, 5 km away
    assert bench.match_events(gold, [_event("patrol", dt.date(2020, 7, 15), "day", near)], POINTS) == [(0, 0)]
    assert bench.match_events(gold, [_event("attack", dt.date(2020, 7, 14), "day", near)], POINTS) == []
    assert bench.match_events(gold, [_event("patrol", dt.date(2020, 7, 16), "day", near)], POINTS) == []  # 2 days
    assert bench.match_events(gold, [_event("patrol", dt.date(2020, 7, 14), "day", (39.92, 32.854))], POINTS) == []
    assert bench.match_events(gold, [_event("patrol", dt.date(2020, 7, 14), "day", None)], POINTS) == []
    assert bench.match_events(gold, [_event("patrol", None, None, near)], POINTS) == []
    # a month is its whole month: 1 July to 31 July holds the 14th; August 1st is a day after the 31st
    assert bench.match_events(gold, [_event("patrol", dt.date(2020, 7, 1), "month", near)], POINTS) == [(0, 0)]
    month = [{**gold[0], "date": "2020-07", "precision": "month"}]
    assert bench.match_events(month, [_event("patrol", dt.date(2020, 8, 1), "day", near)], POINTS) == [(0, 0)]
    assert bench.match_events(month, [_event("patrol", dt.date(2020, 8, 2), "day", near)], POINTS) == []
    year = [{**gold[0], "date": 2018, "precision": "year"}]
    assert bench.match_events(year, [_event("patrol", dt.date(2018, 9, 1), "month", near)], POINTS) == [(0, 0)]
    # an undated label without a place fits any event of its kind, even one with no date and no point
    loose = [{"kind": "patrol", "date": None, "place": None}]
    assert bench.match_events(loose, [_event("patrol", None, None, None)], POINTS) == [(0, 0)]


def test_matching_is_one_to_one_best_first() -> None:
    """Two labels, two events: each label takes the event with its status and nearest date, never both one."""
    bench = _bench()
    gold = [{"kind": "patrol", "status": "carried out", "date": dt.date(2020, 7, 7), "precision": "day",
             "place": "idlib_prov"},
            {"kind": "patrol", "status": "attacked", "date": dt.date(2020, 7, 7), "precision": "day",
             "place": "idlib_prov"}]
    events = [_event("patrol", dt.date(2020, 7, 7), "day", (35.85, 36.57), status="attacked"),
              _event("patrol", dt.date(2020, 7, 8), "day", (35.85, 36.57), status="carried out")]
    assert sorted(bench.match_events(gold, events, POINTS)) == [(0, 1), (1, 0)]
    assert bench.match_events(gold[:1], events, POINTS) == [(0, 1)]
    # between two villages close together, the event naming the labelled one takes it
    villages = [{"kind": "attack", "date": None, "place": "ariha"}, {"kind": "attack", "date": None,
                                                                     "place": "idlib_prov"}]
    named = [_event("attack", None, None, (35.85, 36.57), text="Ariha"),
             _event("attack", None, None, (35.814, 36.610), text="Idlib")]
    surfaces = {"ariha": "ariha", "idlib": "idlib_prov"}
    assert sorted(bench.match_events(villages, named, POINTS, surfaces)) == [(0, 0), (1, 1)]
