"""The news reader: throughput on ~600-word articles, and place/date quality on the development set.

Throughput: synthetic ~600-word articles assembled from the project's own test articles, read end to
end (cleaning, dates, places, events, merge, zones from words); baseline in the same run: a plain
regex scan for capitalised words over the same texts (the cheapest possible "reader").

Quality (only when ../shared/data/news/dev_articles.jsonl is beside the project): toponym precision
and recall against benchmarks/news_labels.yaml (a prediction matches a label of the same article when
one text contains the other), resolution accuracy (share of matched toponyms resolved within 161 km
of the labelled place), and publication dates read from the text alone, ignoring the given date.
"""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path

import yaml

from ceasefire.news import merge_across, read_article
from ceasefire.news.article import from_text
from ceasefire.news.dates import publication_date_from_text
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
    dates_known = dates_found = dates_right = 0
    for line in DEV.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold = labels["articles"].get(row["id"])
        if gold is None:
            continue
        article = from_text(row["text"], row["id"])
        predicted = [p for p in find_places(article.clean) if p.kind != "country"]
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
        for g in gold_places:
            if g not in matched_gold:
                fn += 1
                misses.append(f"{row['id']}:{g}")
        if gold.get("published"):
            dates_known += 1
            found = publication_date_from_text(article.clean)
            if found:
                dates_found += 1
                dates_right += found[0].isoformat() == str(gold["published"])
    precision = tp / max(tp + fp, 1)
    recall = (tp) / max(tp + fn, 1)
    print(f"toponyms on the development set ({len(labels['articles'])} articles): precision {precision:.2f}, "
          f"recall {recall:.2f} (type level, per article); resolution accuracy {resolved / max(tp, 1):.2f} "
          f"(within 161 km)")
    print(f"  missed: {', '.join(misses)}")
    print(f"  not places: {', '.join(false) or 'none'}; resolved too far: {', '.join(wrong) or 'none'}")
    print(f"publication date from the text alone: found for {dates_found}/{dates_known} dated articles, "
          f"right for {dates_right}")


if __name__ == "__main__":
    throughput()
    cli_throughput()
    if DEV.exists():
        quality()
    else:
        print(f"quality: skipped, {DEV} is not beside the project")
