"""The news reader: throughput on ~600-word articles, and place/date quality on the development set.

Throughput: synthetic ~600-word articles assembled from the project's own test articles, read end to
end (cleaning, dates, places, events, merge, zones from words); baseline in the same run: a plain
regex scan for capitalised words over the same texts (the cheapest possible "reader").

Quality (only when ../shared/data/news/dev_articles.jsonl is beside the project): toponym precision
and recall against benchmarks/news_labels.yaml (a prediction matches a label of the same article when
one text contains the other), resolution accuracy (share of matched toponyms resolved within 161 km
of the labelled place), and publication dates read from the text alone, ignoring the given date.

Events (same file, `events:`): each article read as `ceasefire read` reads a JSONL line (its url, outlet, title and,
when it is a YYYY-MM-DD or YYYY-MM date, its publication date), and the reader's events matched to the labels, one to
one, greedily, within the article: same kind, dates within a day of each other (a day, or the whole month or year for
a coarser date; an undated label fits any date), places within 161 km (an event with no point fits only a label
without a place). Main-event recall and precision, the misses and the false events, then the status of matched
events, the role (main/background) of every event that has a label of its kind and date, and casualty counts.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import re
import textwrap
import time
from pathlib import Path
from typing import Any

import yaml

from ceasefire.news import merge_across, read_article
from ceasefire.news.article import from_text, read_articles
from ceasefire.news.extract import NewsEvent
from ceasefire.news.pipeline import _point, date_text
from ceasefire.news.places import find_places

HERE = Path(__file__).parent
DEV = HERE.parent.parent / "shared" / "data" / "news" / "dev_articles.jsonl"
OWN = HERE.parent / "tests" / "data" / "news" / "patrols_begin.txt"


def km(a, b) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


def throughput() -> None:
    base = OWN.read_text(encoding="utf-8")
    words = base.split()
    text = " ".join((words * (600 // len(words) + 1))[:600])
    articles = [from_text(text, f"synthetic-{i}") for i in range(100)]
    t = time.perf_counter()
    results = [read_article(a) for a in articles]
    merge_across(results)
    seconds = time.perf_counter() - t
    t = time.perf_counter()
    for a in articles:
        re.findall(r"\b[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*", a.text)
    baseline = time.perf_counter() - t
    print(f"throughput: {len(articles) / seconds:,.0f} articles/s of ~600 words (one core); "
          f"baseline capitalised-word regex scan {len(articles) / baseline:,.0f} articles/s "
          f"= reader is {seconds / baseline:,.0f}x the scan")


PLACES = ["Idlib", "Saraqib", "Maarat al-Numan", "Khan Shaykhun", "Jisr al-Shughur", "Ariha", "Kafr Nabl",
          "Latakia", "Hama", "Aleppo", "Kafr Zita", "Al-Lataminah", "Morek", "Jabal al-Zawiya", "Sarmin",
          "Taftanaz", "Binnish", "Darat Izza", "Atarib", "Qalaat al-Madiq", "Kafranbel", "Hass", "Tal Tuqan"]


def cli_throughput(count: int = 200) -> None:
    """`ceasefire read` end to end (start-up, reading, places, events, zones; no store) on ``count`` ~640-word
    articles that name many places, as a user runs it; start-up measured apart on a single article."""
    import subprocess
    import sys
    import tempfile

    sentence = ("Shelling hit {a} and {b} on Tuesday, while air strikes were reported near {c} in the southern "
                "Idlib countryside, the Syrian Observatory for Human Rights said, adding that residents fled "
                "towards {d}. ")
    with tempfile.TemporaryDirectory() as folder:
        many, one = Path(folder) / "many.jsonl", Path(folder) / "one.jsonl"
        lines = []
        for i in range(count):
            parts = [sentence.format(a=PLACES[(i + k) % len(PLACES)], b=PLACES[(i + 3 * k + 1) % len(PLACES)],
                                     c=PLACES[(i + 5 * k + 2) % len(PLACES)], d=PLACES[(i + 7 * k + 3) % len(PLACES)])
                     for k in range(21)]
            lines.append(json.dumps({"id": f"a{i}", "date": "2019-05-07", "text": "".join(parts)}))
        many.write_text("\n".join(lines) + "\n", encoding="utf-8")
        one.write_text(lines[0] + "\n", encoding="utf-8")
        words = len(json.loads(lines[0])["text"].split())

        def run(path: Path) -> float:
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from ceasefire.cli import main; main()", "read", str(path),
                            "--no-store"], check=True, capture_output=True)
            return time.perf_counter() - t

        start = run(one)
        total = run(many)
    print(f"`ceasefire read` on {count} articles of {words} words naming many places: {total:.1f} s, "
          f"{count / total:,.0f} articles/s with start-up; start-up and one article {start:.1f} s, so "
          f"{(count - 1) / max(total - start, 1e-9):,.0f} articles/s reading")


def area_point(expression):
    from ceasefire.regime import load_regime
    from ceasefire.zones import regime_shapes

    if "zone" in expression:
        shape = regime_shapes(load_regime("syria-northwest"))[expression["zone"]].wgs84
        p = shape.representative_point()
        return p.y, p.x
    return None


def quality() -> None:
    labels = yaml.safe_load((HERE / "news_labels.yaml").read_text())
    points = labels["places"]
    tp = fp = fn = resolved = 0
    misses, wrong, false = [], [], []
    levels_known = levels_right = 0
    level_wrong: list[str] = []
    dates_known = dates_found = dates_right = 0
    dates_wrong: list[str] = []
    for line in DEV.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold = labels["articles"].get(row["id"])
        if gold is None:
            continue
        article = from_text(row["text"], row["id"])
        predicted = [p for p in find_places(article.clean) if p.kind not in ("country", "road")]
        texts = {p.text.lower(): p for p in predicted}
        gold_places = {k.lower(): v for k, v in gold["places"].items()}
        matched_gold = set()
        for text, mention in texts.items():
            hit = next((g for g in gold_places if g in text or text in g), None)
            if hit is None:
                fp += 1
                false.append(f"{row['id']}:{mention.text}")
                continue
            tp += 1
            matched_gold.add(hit)
            where = (mention.lat, mention.lon) if mention.lat is not None else area_point(mention.expression or {})
            if where and km(where, points[gold_places[hit]]) <= 161:
                resolved += 1
            else:
                wrong.append(f"{row['id']}:{mention.text}→{mention.name}")
            expected = {"_prov": "adm1", "_city": "place"}.get(gold_places[hit][-5:])
            if expected:  # a governorate's name read as the governorate (or a part of it), a city's as the town
                levels_known += 1
                part = (mention.expression or {}).get("part_of", {}).get("parent_level") == 1
                kind = "adm1" if part else mention.kind
                levels_right += kind == expected
                if kind != expected:
                    level_wrong.append(f"{row['id']}:{mention.text}→{mention.kind}")
        for g in gold_places:
            if g not in matched_gold:
                fn += 1
                misses.append(f"{row['id']}:{g}")
        if gold.get("published"):
            dates_known += 1
            read = read_article(from_text(row["text"], row["id"], url=row.get("url")))
            found = date_text(read["published"], read["published_precision"])
            if found:
                dates_found += 1
                dates_right += found == str(gold["published"])
                if found != str(gold["published"]):
                    dates_wrong.append(f"{row['id']}:{found} ({read['published_source']}), "
                                       f"labelled {gold['published']}")
    precision = tp / max(tp + fp, 1)
    recall = (tp) / max(tp + fn, 1)
    print(f"toponyms on the development set ({len(labels['articles'])} articles): precision {precision:.2f}, "
          f"recall {recall:.2f} (type level, per article); resolution accuracy {resolved / max(tp, 1):.2f} "
          f"(within 161 km)")
    print(f"  end-to-end places (found and within 161 km of the labelled place): {resolved / max(tp + fn, 1):.2f} "
          f"({resolved}/{tp + fn}); level (governorate or town, where the label says): "
          f"{levels_right}/{levels_known} right")
    print(f"  missed: {', '.join(misses) or 'none'}; wrong level: {', '.join(level_wrong) or 'none'}")
    print(f"  not places: {', '.join(false) or 'none'}; resolved too far: {', '.join(wrong) or 'none'}")
    print(f"publication date from the text and the URL alone (the given date ignored): found for "
          f"{dates_found}/{dates_known} dated articles, right for {dates_right}")
    print(f"  not the labelled date: {'; '.join(dates_wrong) or 'none'}")


# ----------------------------------------------------------------------------------------------- events

PLACE_KM = 161.0  # the toponym figures' tolerance: an event placed within it is in the right place
DATE_SLACK = dt.timedelta(days=1)  # "yesterday" against the day of the report, a strike late on the day before


def _period(date: object, precision: str | None) -> tuple[dt.date, dt.date] | None:
    """The days a date may mean: one day, the whole week, month or year; None for no date.

    A label's date is a YAML date, "YYYY-MM" or a year; the reader's a date (the 1st for a month)."""
    if date is None:
        return None
    text = date.isoformat() if isinstance(date, dt.date) else str(date)
    year = int(text[:4])
    if precision == "year":
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = int(text[5:7])
    if precision == "month":
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    day = dt.date(year, month, int(text[8:10]))
    return day, day + dt.timedelta(days=6 if precision == "week" else 0)


def _date_gap(gold: dict[str, Any], event: NewsEvent) -> float | None:
    """Days between the label's and the event's periods (0 when they overlap); None when more than a day apart
    or the event has no date while the label has. An undated label fits any date, behind a dated fit."""
    want = _period(gold.get("date"), gold.get("precision"))
    if want is None:
        return 1.5
    got = _period(event.date, event.date_precision)
    if got is None:
        return None
    gap = max((got[0] - want[1]).days, (want[0] - got[1]).days, 0)
    return gap if gap <= DATE_SLACK.days else None


def _place_gap(gold: dict[str, Any], event: NewsEvent, points: dict[str, list[float]]) -> float | None:
    """Kilometres between the label's place and the event's point; None when over PLACE_KM, or the event has no
    point while the label has a place. A label without a place fits anywhere, behind a placed fit."""
    if gold.get("place") is None:
        return PLACE_KM
    where = _point(event)
    if where is None:
        return None
    distance = km(where[:2], points[gold["place"]])
    return distance if distance <= PLACE_KM else None


def _names_place(gold: dict[str, Any], event: NewsEvent, surfaces: dict[str, str]) -> bool:
    """Whether the event names the label's place in the article's words (the article's labelled toponyms)."""
    texts = [p.text.lower() for p in event.places]
    return any(key == gold.get("place") and any(t in surface or surface in t for t in texts)
               for surface, key in surfaces.items())


def match_events(gold: list[dict[str, Any]], predicted: list[NewsEvent], points: dict[str, list[float]],
                 surfaces: dict[str, str] | None = None) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, predicted index) of the same kind whose dates and places fit, best first:
    same status, then the nearest date, then an event naming the labelled place (``surfaces``: the article's
    toponyms, lower-cased, to their place keys; hand-placed villages a few km apart would otherwise pair by
    chance), then the nearest place."""
    candidates = []
    for i, g in enumerate(gold):
        for j, event in enumerate(predicted):
            if event.kind != g["kind"]:
                continue
            days, distance = _date_gap(g, event), _place_gap(g, event, points)
            if days is not None and distance is not None:
                named = _names_place(g, event, surfaces or {})
                candidates.append((g.get("status") != event.status, days, not named, distance, i, j))
    pairs, used_gold, used_predicted = [], set(), set()
    for *_, i, j in sorted(candidates):
        if i not in used_gold and j not in used_predicted:
            pairs.append((i, j))
            used_gold.add(i)
            used_predicted.add(j)
    return pairs


def _gold_name(article: str, g: dict[str, Any]) -> str:
    status = f"/{g['status']}" if g.get("status") else f"/{g['sub']}" if g.get("sub") else ""
    actors = f" [{', '.join(g['actors'])}]" if g.get("actors") else ""
    return f"{article}:{g['kind']}{status} {g.get('date') or 'undated'} {g.get('place') or 'no place'}{actors}"


def _event_name(article: str, event: NewsEvent) -> str:
    status = f"/{event.status}" if event.status else f"/{event.sub_event_type}" if event.kind == "attack" else ""
    when = f"{event.date.isoformat()}({event.date_precision})" if event.date else "undated"
    named = next((p.name or p.text for p in event.places), None)
    where = named if _point(event) is not None else f"{named or 'no place'} (no point)"
    actors = f" [{', '.join(event.actors)}]" if event.actors else ""
    return f"{article}:{event.kind}{status} {when} {where}{actors}"


def _listing(label: str, items: list[str]) -> str:
    body = "; ".join(items) or "none"
    return textwrap.fill(f"{label} ({len(items)}): {body}", width=118, initial_indent="  ",
                         subsequent_indent="      ")


def event_quality() -> None:
    labels = yaml.safe_load((HERE / "news_labels.yaml").read_text())
    points, all_gold = labels["places"], labels.get("events") or {}
    gold_main = predicted_main = matched_main = 0
    gold_back = predicted_back = matched_back = 0
    misses: list[str] = []
    false: list[str] = []
    status_right, status_wrong = 0, []
    role_right, role_wrong, role_unlabelled = 0, [], 0
    counts_right, counts_wrong = 0, []
    failed = []
    # read as `ceasefire read` reads the file: its url, outlet, title and date ("2020-02-26/27" is the 26th)
    articles = {a.id: a for a in read_articles(DEV)}
    for line in DEV.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold = all_gold.get(row["id"])
        if gold is None:
            continue
        surfaces = {k.lower(): v for k, v in labels["articles"].get(row["id"], {}).get("places", {}).items()}
        try:
            result = read_article(articles[row["id"]])
            events: list[NewsEvent] = result["events"]
        except Exception as exc:  # noqa: BLE001  a benchmark reports a reader that fails and goes on
            failed.append(f"{row['id']} ({type(exc).__name__}: {exc})")
            events = []
        for role in ("main", "background"):
            g_role = [g for g in gold if g["role"] == role]
            p_role = [e for e in events if e.role == role]
            pairs = match_events(g_role, p_role, points, surfaces)
            if role == "background":
                gold_back, predicted_back, matched_back = (gold_back + len(g_role), predicted_back + len(p_role),
                                                           matched_back + len(pairs))
                continue
            gold_main, predicted_main, matched_main = (gold_main + len(g_role), predicted_main + len(p_role),
                                                       matched_main + len(pairs))
            found = {i for i, _ in pairs}
            told = {j for _, j in pairs}
            misses += [_gold_name(row["id"], g) for i, g in enumerate(g_role) if i not in found]
            false += [_event_name(row["id"], e) for j, e in enumerate(p_role) if j not in told]
            for i, j in pairs:
                g, e = g_role[i], p_role[j]
                if g.get("status"):
                    if e.status == g["status"]:
                        status_right += 1
                    else:
                        status_wrong.append(f"{_gold_name(row['id'], g)} read as {e.status or 'no status'}")
                for field in ("fatalities", "injured"):
                    if field in g:
                        if getattr(e, field) == g[field]:
                            counts_right += 1
                        else:
                            counts_wrong.append(f"{row['id']}:{g['kind']} {field} {g[field]}, read "
                                                f"{getattr(e, field)}")
        # the role of each event the reader gives: against the label of its kind and date (nearest place first)
        for e in events:
            fits = [(_place_gap(g, e, points) is None, days, _place_gap(g, e, points) or 0.0, k)
                    for k, g in enumerate(gold) if g["kind"] == e.kind and (days := _date_gap(g, e)) is not None]
            if not fits:
                role_unlabelled += 1
                continue
            best = gold[min(fits)[-1]]
            if best["role"] == e.role:
                role_right += 1
            else:
                role_wrong.append(f"{_event_name(row['id'], e)} is {best['role']}, read {e.role}")
    recall, precision = matched_main / max(gold_main, 1), matched_main / max(predicted_main, 1)
    print(f"main events on the development set ({len(all_gold)} articles): recall {recall:.2f} "
          f"({matched_main}/{gold_main} labelled), precision {precision:.2f} ({matched_main}/{predicted_main} read) "
          f"(same kind, dates within a day, places within {PLACE_KM:.0f} km)")
    print(_listing("missed", misses))
    print(_listing("false", false))
    status_total = status_right + len(status_wrong)
    print(f"status of matched main events: {status_right}/{status_total} right"
          + (f" ({status_right / status_total:.2f})" if status_total else ""))
    print(_listing("wrong status", status_wrong))
    role_total = role_right + len(role_wrong)
    print(f"role (main/background) of read events with a label of their kind and date: {role_right}/{role_total} "
          f"agree" + (f" ({role_right / role_total:.2f})" if role_total else "")
          + f"; {role_unlabelled} read events have no such label")
    print(_listing("wrong role", role_wrong))
    print(f"background events: {gold_back} labelled, {predicted_back} read, {matched_back} matched")
    print(f"casualty counts of matched main events: {counts_right}/{counts_right + len(counts_wrong)} right")
    print(_listing("wrong counts", counts_wrong))
    if failed:
        print(_listing("reader failed on", failed))

if __name__ == "__main__":
    throughput()
    cli_throughput()
    if DEV.exists():
        quality()
        event_quality()
    else:
        print(f"quality: skipped, {DEV} is not beside the project")
