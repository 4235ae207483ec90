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

import geopandas as gpd
import pyarrow as pa

from ..events.schema import EVENT_SCHEMA
from ..events.taxonomy import SUBTYPE_TO_TYPE
from ..geodata.basedata import METRIC_CRS
from ..regime.models import Regime
from .article import Article, ArticleProblem
from .dates import publication_date_from_text
from .extract import NewsEvent, extract
from .places import PlaceMention
from .zonewords import zone_expression, zone_polygon

SYRIA_CENTRE = (35.0, 38.5)  # lat, lon: a country-level place stands here, with precision "country"
MERGE_KM = 10.0


def read_article(article: Article) -> dict[str, Any]:
    """One article → its publication date (with the source used), events and context."""
    published, source = article.published, article.published_source
    if published is None:
        found = publication_date_from_text(article.clean)
        if found:
            published, source = found
    events, context = extract(article, published)
    for event in events:
        event.sources = [article.url or article.id]
        event.source_keys = [article.fingerprint]
        for zone in event.zones:
            places = [p for p in context["places"] if zone["span"][0] <= p.start < zone["span"][1]]
            expression = zone_expression(places)
            if expression:
                zone["expression"] = expression
                zone["area_km2"] = round(zone_polygon(expression).area / 1e6, 1)
    return {"article": article, "published": published, "published_source": source,
            "events": merge(events), "context": context}


def _point(event: NewsEvent) -> tuple[float, float, str] | None:
    for p in event.places:
        if p.lat is not None:
            return p.lat, p.lon, p.precision  # type: ignore[return-value]
        if p.kind == "country" and p.name == "Syria":
            return SYRIA_CENTRE[0], SYRIA_CENTRE[1], "country"
        if p.expression:
            try:
                geom = zone_polygon(p.expression) if "zone" not in p.expression else None
            except Exception:  # an area the base data cannot draw is no place for a point
                geom = None
            if geom is not None and not geom.is_empty:
                c = gpd.GeoSeries([geom.representative_point()], crs=METRIC_CRS).to_crs(4326).iloc[0]
                return c.y, c.x, "region"
    return None


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


def same_event(a: NewsEvent, b: NewsEvent) -> bool:
    """Same type, dates within a day, places within 10 km, actors overlapping (or unknown on one side)."""
    if a.kind != b.kind or a.date is None or b.date is None:
        return False
    (a0, a1), (b0, b1) = _period(a), _period(b)
    if (b0 - a1).days > 1 or (a0 - b1).days > 1:  # periods more than a day apart
        return False
    pa_, pb = _point(a), _point(b)
    if pa_ and pb and _km(pa_[:2], pb[:2]) > MERGE_KM:
        return False
    return not (a.actors and b.actors and not set(a.actors) & set(b.actors))


def _period(event: NewsEvent) -> tuple[dt.date, dt.date]:
    span = {"day": 0, "week": 6, "month": 30, "year": 364}.get(event.date_precision or "day", 0)
    return event.date, event.date + dt.timedelta(days=span)  # type: ignore[operator]


def merge(events: Iterable[NewsEvent]) -> list[NewsEvent]:
    merged: list[NewsEvent] = []
    for event in events:
        target = next((m for m in merged if same_event(m, event)), None)
        if target is None:
            merged.append(event)
            continue
        target.actors = list(dict.fromkeys(target.actors + event.actors))
        target.people += [p for p in event.people if p["name"] not in {q["name"] for q in target.people}]
        target.places += [p for p in event.places if p.name not in {q.name for q in target.places}]
        target.quotes += [q for q in event.quotes if q not in target.quotes]
        target.mandate += [m for m in event.mandate if m["force"] not in {x["force"] for x in target.mandate}]
        target.zones += event.zones
        target.evidence += event.evidence
        target.sources += [s for s in event.sources if s not in target.sources]
        target.source_keys += [k for k in event.source_keys if k not in target.source_keys]
        if _rank(event.date_precision) < _rank(target.date_precision):  # keep the most precise date
            target.date, target.date_precision = event.date, event.date_precision
        target.claimant = target.claimant or event.claimant
        target.channel = target.channel or event.channel
        target.is_claim = target.is_claim or event.is_claim
        target.extra.update(event.extra)
    return merged


def _rank(precision: str | None) -> int:
    return {"day": 0, "week": 1, "month": 2, "year": 3}.get(precision or "year", 3)


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


def _place_json(p: PlaceMention) -> dict[str, Any]:
    return {"text": p.text, "span": [p.start, p.end], "name": p.name, "kind": p.kind, "lat": p.lat, "lon": p.lon,
            "gazetteer_id": p.place_id, "precision": p.precision, "expression": p.expression, "why": p.why}


def event_json(event: NewsEvent) -> dict[str, Any]:
    return {
        "kind": event.kind, "sub_event_type": event.sub_event_type, "status": event.status, "role": event.role,
        "date": event.date.isoformat() if event.date else None, "date_precision": event.date_precision,
        "fatalities": event.fatalities, "injured": event.injured, "deadlines": event.deadlines,
        "places": [_place_json(p) for p in event.places], "actors": event.actors, "people": event.people,
        "claimant": event.claimant, "channel": event.channel, "claim": event.is_claim, "quotes": event.quotes,
        "mandate": event.mandate, "zones": event.zones, "sources": event.sources, "extra": event.extra,
        "evidence": [asdict(e) for e in event.evidence],
    }


def _problem_json(p: ArticleProblem) -> dict[str, Any]:
    return {"file": p.file, "line": p.line, "field": p.field, "reason": p.reason}


def report_json(results: list[dict[str, Any]], merged: list[NewsEvent],
                problems: list[ArticleProblem] | None = None) -> dict[str, Any]:
    return {
        "articles": [{"id": r["article"].id, "url": r["article"].url, "title": r["article"].title,
                      "published": r["published"].isoformat() if r["published"] else None,
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
