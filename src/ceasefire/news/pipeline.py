"""The reader end to end: articles → events with evidence → merged reports → store and a report."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..events.schema import EVENT_SCHEMA
from ..events.taxonomy import SUBTYPE_TO_TYPE
from ..regime.models import Regime
from .article import Article, ArticleProblem
from .dates import publication_date_from_text, publication_date_from_url, refine_month
from .extract import NewsEvent, extract
from .places import PlaceMention, lat_lon, most_specific_first, specificity, within

SYRIA_CENTRE = (35.0, 38.5)  # lat, lon: a country-level place stands here, with precision "country"
MERGE_KM = 10.0


def read_article(article: Article) -> dict[str, Any]:
    """One article → its publication date (with the source used), events and context."""
    published, source, precision = article.published, article.published_source, article.published_precision
    if published is None:
        found = publication_date_from_text(article.clean)
        if found:
            (published, source), precision = found, "day"
    if published is None or precision == "month":
        in_url = publication_date_from_url(article.url)
        if in_url and (published is None or in_url[1] == "day"):
            published, precision, source = in_url
    anchor = published
    if published is not None and precision == "month":
        refined = refine_month(published, precision, article.clean)
        if refined:
            anchor, source = refined[0], f"{source}; anchored at {refined[1]}"
    article.published_precision = precision
    events, context = extract(article, anchor, precision if anchor == published else "day")
    fingerprint = article.fingerprint
    for event in events:
        event.sources = [article.url or article.id]
        event.source_keys = [fingerprint]
        for zone in event.zones:
            from .zonewords import zone_expression, zone_polygon  # geometry: only for an agreement's zones

            places = [p for p in context["places"] if zone["span"][0] <= p.start < zone["span"][1]]
            expression = zone_expression(places)
            if expression:
                zone["expression"] = expression
                zone["area_km2"] = round(zone_polygon(expression).area / 1e6, 1)
    return {"article": article, "published": published, "published_source": source, "published_precision": precision,
            "events": merge(events, one_article=True), "context": context}


def _point(event: NewsEvent) -> tuple[float, float, str] | None:
    for p in event.places:
        if p.lat is not None:
            return p.lat, p.lon, p.precision  # type: ignore[return-value]
        if p.kind == "country" and p.name == "Syria":
            return SYRIA_CENTRE[0], SYRIA_CENTRE[1], "country"
        if p.expression:
            from .zonewords import zone_polygon

            try:
                geom = zone_polygon(p.expression) if "zone" not in p.expression else None
            except Exception:  # an area the base data cannot draw is no place for a point
                geom = None
            if geom is not None and not geom.is_empty:
                return (*lat_lon(geom.representative_point()), "region")
    return None


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


# Which status a merged patrol keeps: the most the reports say happened to it.
PATROL_STATUS_RANK = {"attacked": 0, "suspended": 1, "carried out": 2, "planned": 3, None: 4}
# Kinds an article restates rather than repeats: within one article, one of each a day whatever the place.
ONE_A_DAY = {"patrol", "ceasefire", "agreement", "proposal", "withdrawal"}


def same_event(a: NewsEvent, b: NewsEvent, one_article: bool = False) -> bool:
    """Same kind (an attack on a patrol is that patrol, attacked), dates within a day, places within 10 km,
    actors overlapping (or unknown on one side). Within ``one_article`` a patrol, ceasefire or agreement
    told twice is one whatever places the sentences name, and an undated sentence that names no place of
    its own right after another undated one of its kind says more of the same event."""
    if not same_kind(a.kind, a.status, b.kind, b.status):
        return False
    if one_article and not _same_act(a, b):
        return False
    if a.date is None or b.date is None:
        if not (one_article and a.date is None and b.date is None and _restates(a, b)):
            return False
    else:
        (a0, a1), (b0, b1) = _period(a), _period(b)
        if (b0 - a1).days > 1 or (a0 - b1).days > 1:  # periods more than a day apart
            return False
    if not (one_article and a.kind in ONE_A_DAY and b.kind in ONE_A_DAY):
        pa_, pb = _point(a), _point(b)
        if pa_ and pb and distance_km(pa_[:2], pb[:2]) > MERGE_KM and not (one_article and _one_in_other(a, b)):
            return False
    return not (a.actors and b.actors and not set(a.actors) & set(b.actors))


def _same_act(a: NewsEvent, b: NewsEvent) -> bool:
    """Within one article: a response is never the act it answers; two attacks the article names differently
    (a strike, shelling, a clash) are two, unless one is only "an attack" or a sentence that names no place
    of its own goes on about the one before."""
    if a.in_response != b.in_response:
        return False
    if a.kind == b.kind == "attack" and a.sub_event_type != b.sub_event_type:
        return a.generic_attack or b.generic_attack or _restates(a, b)
    return True


def _one_in_other(a: NewsEvent, b: NewsEvent) -> bool:
    """One event placed only as broadly as a governorate (or a part of one) that holds the other's place:
    the headline's "in Idlib" and the body's "in Ariha" the same day."""
    if not a.places or not b.places or not {a.places[0].precision, b.places[0].precision} & {"governorate", "region"}:
        return False
    return within(a.places[0], b.places[0]) or within(b.places[0], a.places[0])


def _restates(a: NewsEvent, b: NewsEvent) -> bool:
    first, then = sorted((a, b), key=lambda e: e.sentence[0])
    adjacent = 0 <= then.sentence[0] - first.sentence[1] <= 4  # nothing but the space between them
    return adjacent and all(p.extra.get("from_context") for p in then.places)


def same_kind(kind_a: str, status_a: str | None, kind_b: str, status_b: str | None) -> bool:
    """The same kind of event: an attack and a patrol attacked are; a ceasefire declared and one violated not."""
    if kind_a != kind_b:
        return {kind_a, kind_b} == {"attack", "patrol"} and "attacked" in (status_a, status_b)
    return kind_a != "ceasefire" or status_a == status_b


def _period(event: NewsEvent) -> tuple[dt.date, dt.date]:
    span = {"day": 0, "week": 6, "month": 30, "year": 364}.get(event.date_precision or "day", 0)
    return event.date, event.date + dt.timedelta(days=span)  # type: ignore[operator]


def merge(events: Iterable[NewsEvent], one_article: bool = False) -> list[NewsEvent]:
    merged: list[NewsEvent] = []
    index = _MergeIndex(by_place=not one_article)
    for event in events:
        target = next((m for m in index.candidates(event) if same_event(m, event, one_article)), None)
        if target is None:
            merged.append(event)
            index.add(event)
            continue
        if target.kind != event.kind:  # an attack on a patrol: the patrol, attacked, with the attack's sub-type
            attack = target if target.kind == "attack" else event
            target.kind, target.sub_event_type = "patrol", attack.sub_event_type
        elif target.sub_event_type == "patrol" and event.sub_event_type != "patrol":
            target.sub_event_type = event.sub_event_type
        if PATROL_STATUS_RANK.get(event.status, 4) < PATROL_STATUS_RANK.get(target.status, 4):
            target.status = event.status
        if event.role == "main":
            target.role = "main"
        target.fatalities = target.fatalities if target.fatalities is not None else event.fatalities
        target.injured = target.injured if target.injured is not None else event.injured
        target.deadlines += [d for d in event.deadlines if d not in target.deadlines]
        target.actors = list(dict.fromkeys(target.actors + event.actors))
        target.people += [p for p in event.people if p["name"] not in {q["name"] for q in target.people}]
        known = {q.name for q in target.places}
        added = [p for p in event.places if p.name not in known]
        target.places += added
        if added and (not target.places or specificity(added[0]) < specificity(target.places[0])):
            target.places = most_specific_first(target.places)  # the event now stands at a more precise place
        target.quotes += [q for q in event.quotes if q not in target.quotes]
        target.mandate += [m for m in event.mandate if m["force"] not in {x["force"] for x in target.mandate}]
        target.zones += event.zones
        target.evidence += event.evidence
        target.sources += [s for s in event.sources if s not in target.sources]
        target.source_keys += [k for k in event.source_keys if k not in target.source_keys]
        if precision_rank(event.date_precision) < precision_rank(target.date_precision):  # keep the most precise date
            target.date, target.date_precision = event.date, event.date_precision
        target.claimant = target.claimant or event.claimant
        target.channel = target.channel or event.channel
        target.is_claim = target.is_claim or event.is_claim
        target.extra.update(event.extra)
    return merged


def precision_rank(precision: str | None) -> int:
    return {"day": 0, "week": 1, "month": 2, "year": 3}.get(precision or "year", 3)


class _MergeIndex:
    """The events an event may be the same as, first come first: those of its kind (an attack and a patrol
    share one group: a patrol may be attacked) within a day of it, or of a coarser or unknown date; with
    ``by_place`` (across articles, where places must be within MERGE_KM), only those in its cell of the map
    or the eight around it, or with no point. Without it, merging the events of thousands of articles
    compares each with every other."""

    CELL = 0.2  # degrees: at least 18 km at these latitudes, so an event within MERGE_KM is in a neighbouring cell

    def __init__(self, by_place: bool = False) -> None:
        self.by_place = by_place
        self.by_day: dict[tuple[str, int, tuple[int, int] | None], list[tuple[int, NewsEvent]]] = {}
        self.coarse: dict[str, list[tuple[int, NewsEvent]]] = {}
        self.count = 0

    def _key(self, event: NewsEvent) -> tuple[str, int | None, tuple[int, int] | None]:
        group = "patrol" if event.kind == "attack" else event.kind
        day = event.date.toordinal() if event.date is not None and event.date_precision == "day" else None
        cell = None
        if self.by_place and day is not None:
            where = _point(event)
            cell = (int(where[0] // self.CELL), int(where[1] // self.CELL)) if where else None
        return group, day, cell

    def add(self, event: NewsEvent) -> None:
        group, day, cell = self._key(event)
        self.count += 1
        entry = (self.count, event)
        if day is None:
            self.coarse.setdefault(group, []).append(entry)
        else:
            self.by_day.setdefault((group, day, cell), []).append(entry)

    def candidates(self, event: NewsEvent) -> list[NewsEvent]:
        group, day, cell = self._key(event)
        found = list(self.coarse.get(group, []))
        if day is not None and (cell is not None or not self.by_place):
            cells = [None] if cell is None else [None] + [(cell[0] + i, cell[1] + j) for i in (-1, 0, 1)
                                                          for j in (-1, 0, 1)]
            for near in (day - 1, day, day + 1):
                for c in cells:
                    found += self.by_day.get((group, near, c), [])
        else:  # a month, a year, no date or no point: any event of the group may be it
            found += [entry for (g, _, _), entries in self.by_day.items() if g == group for entry in entries]
        return [e for _, e in sorted(found, key=lambda entry: entry[0])]


def merge_across(results: list[dict[str, Any]]) -> list[NewsEvent]:
    """One event, many reports: the same event in several articles becomes one with several sources."""
    return merge(e for r in results for e in r["events"])


def events_table(events: list[NewsEvent], regime: Regime | None) -> pa.Table:
    names = {p.id: p.name for p in regime.parties} if regime else {}
    rows: dict[str, list[Any]] = {name: [] for name in EVENT_SCHEMA.names}
    for event in events:
        where = _point(event)
        if where is None or event.date is None:
            continue
        key = hashlib.sha256(json.dumps([sorted(event.source_keys or event.sources), event.kind, event.date.isoformat(),
                                         round(where[0], 3), round(where[1], 3)]).encode()).hexdigest()[:12]
        span = {"day": 0, "week": 6, "month": 30, "year": 364}.get(event.date_precision or "day", 0)
        actors = [names.get(a, a) for a in event.actors]
        record = {
            "event_id": f"news:{key}", "source": "news", "source_id": key, "date": event.date,
            "date_end": event.date + dt.timedelta(days=span), "date_precision": event.date_precision or "day",
            "time": None, "lon": where[1], "lat": where[0],
            "place": ", ".join(p.text for p in event.places) or None, "place_precision": where[2],
            "place_radius_km": None, "roles": None,
            "adm1": None, "adm2": None, "event_type": SUBTYPE_TO_TYPE.get(event.sub_event_type, "strategic-developments"),
            "sub_event_type": event.sub_event_type, "weapon_class": None,
            "actor1": "; ".join(actors[:1]) or None, "actor2": "; ".join(actors[1:]) or None,
            "fatalities_best": None, "fatalities_low": None, "fatalities_high": None,
            "sources": "; ".join(event.sources + ([f"via {event.channel}"] if event.channel else [])
                                 + ([f"claimed by {event.claimant['name']}"] if event.claimant else [])),
            "notes": event.evidence[0].text if event.evidence else None,
            "raw": json.dumps(event_json(event), ensure_ascii=False, default=str),
        }
        for name in EVENT_SCHEMA.names:
            rows[name].append(record[name])
    return pa.table(rows, schema=EVENT_SCHEMA)


def date_text(date: dt.date | None, precision: str | None) -> str | None:
    """A date as precisely as it is known: "2018-10-10", "2018-10" (a month), "2018" (a year)."""
    if date is None:
        return None
    return date.isoformat()[:{"month": 7, "year": 4}.get(precision or "day", 10)]


def _place_json(p: PlaceMention) -> dict[str, Any]:
    return {"text": p.text, "span": [p.start, p.end], "name": p.name, "kind": p.kind, "lat": p.lat, "lon": p.lon,
            "gazetteer_id": p.place_id, "precision": p.precision, "expression": p.expression, "why": p.why}


def event_json(event: NewsEvent) -> dict[str, Any]:
    return {
        "kind": event.kind, "sub_event_type": event.sub_event_type, "status": event.status, "role": event.role,
        "date": date_text(event.date, event.date_precision), "date_precision": event.date_precision,
        "fatalities": event.fatalities, "injured": event.injured, "deadlines": event.deadlines,
        "places": [_place_json(p) for p in event.places], "actors": event.actors, "people": event.people,
        "claimant": event.claimant, "channel": event.channel, "claim": event.is_claim, "quotes": event.quotes,
        "mandate": event.mandate, "zones": event.zones, "sources": event.sources, "source_keys": event.source_keys,
        "extra": event.extra,
        "evidence": [asdict(e) for e in event.evidence],
    }


def _problem_json(p: ArticleProblem) -> dict[str, Any]:
    return {"file": p.file, "line": p.line, "field": p.field, "reason": p.reason}


def report_json(results: list[dict[str, Any]], merged: list[NewsEvent],
                problems: list[ArticleProblem] | None = None) -> dict[str, Any]:
    return {
        "articles": [{"id": r["article"].id, "url": r["article"].url, "title": r["article"].title,
                      "published": date_text(r["published"], r.get("published_precision")),
                      "published_source": r["published_source"],
                      "furniture_removed": [r["article"].text[s:e] for s, e in r["article"].furniture],
                      "places": [_place_json(p) for p in r["context"]["places"]]} for r in results],
        "events": [event_json(e) for e in merged],
        "kept_aside": [_problem_json(p) for p in problems or []],
    }


def report_markdown(results: list[dict[str, Any]], merged: list[NewsEvent],
                    problems: list[ArticleProblem] | None = None) -> str:
    lines = ["# Extraction report", ""]
    for r in results:
        a = r["article"]
        lines += [f"## {a.title or a.id}", "", f"- source: {a.url or a.id}",
                  f"- published: {r['published']} ({r['published_source'] or 'unknown'})",
                  f"- page furniture removed: {len(a.furniture)} line(s)", ""]
    lines += ["# Events", ""]
    for i, e in enumerate(merged, 1):
        when = f"{e.date} ({e.date_precision})" if e.date else "date unknown"
        where = ", ".join(f"{p.text} → {p.name} [{p.kind}]" for p in e.places) or "place unknown"
        lines += [f"## {i}. {e.kind}: {when}, {where}", ""]
        if e.actors:
            lines.append(f"- actors: {', '.join(e.actors)}")
        for p in e.people:
            lines.append(f"- person: {p['name']} ({p['role']})")
        if e.claimant:
            lines.append(f"- claimed by: {e.claimant['name']} ({e.claimant['role']})"
                         + (f", via {e.channel}" if e.channel else ""))
        for m in e.mandate:
            lines.append(f"- mandate, {m['force']}: “{m['text']}”")
        for z in e.zones:
            lines.append(f"- zone {z.get('number') or ''}: “{z['text']}”"
                         + (f" → {z['area_km2']:,} km²" if z.get("area_km2") else ""))
        if e.extra.get("purpose"):
            lines.append(f"- purpose: {e.extra['purpose']}")
        lines.append(f"- sources: {', '.join(e.sources)}")
        lines.append("- evidence:")
        for ev in e.evidence:
            quote = ev.text.replace("\n", " ")
            lines.append(f"  - {ev.field} [{ev.start}:{ev.end}]: “{quote[:200]}”")
        lines.append("")
    if problems:
        lines += ["# Articles kept aside", ""] + [f"- {p}" for p in problems] + [""]
    return "\n".join(lines)


def write_report(path: Path, results: list[dict[str, Any]], merged: list[NewsEvent],
                 problems: list[ArticleProblem] | None = None) -> None:
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(report_json(results, merged, problems), indent=2, ensure_ascii=False,
                                   default=str), encoding="utf-8")
    else:
        path.write_text(report_markdown(results, merged, problems), encoding="utf-8")
