"""Places in text: gazetteer names in any spelling, area phrases, each resolved with context.

- Names: runs of capitalised words (with Arabic articles: al-, ash-, el-) looked up, longest first,
  in the shipped gazetteer (GeoNames + admin units + aliases) and a short list of foreign cities.
- Areas: "the north-eastern districts of Lattakia" → part_of(Latakia, NE, sub-districts);
  "Idlib province" → the governorate; "Eastern Ghouta" → its sub-districts; "north-west Syria" →
  the regime's zone 1 region. Areas resolve to an admin unit or an expression, never to a point.
- Context: a name that is both a town and a governorate (Idlib, Hama, Aleppo) is the governorate
  when the article calls it a province/region anywhere, the town when it says "city"; among
  same-named towns the one nearest the article's other places wins, then the most populous.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..geodata.basedata import Place
from ..geodata.basedata import find_places as shipped_places
from ..geodata.names import name_key

# A regime's own places (villages the shipped gazetteer lacks), while its articles are read.
_REGIME_PLACES: ContextVar[dict[str, list[Place]] | None] = ContextVar("regime_places", default=None)


@contextmanager
def regime_places(regime: Any) -> Iterator[None]:
    """Read articles with a regime's own `places` added to the gazetteer (found first)."""
    table: dict[str, list[Place]] = {}
    for p in regime.places:
        place = Place(f"regime:{p.name}", p.name, "place", p.lat, p.lon, "", 0, tuple(p.alternates), p.source)
        for name in (p.name, *p.alternates):
            table.setdefault(name_key(name), []).append(place)
    token = _REGIME_PLACES.set(table)
    try:
        yield
    finally:
        _REGIME_PLACES.reset(token)


def gazetteer(name: str) -> list[Place]:
    """Every place with this name in any spelling: the regime's own first, then the shipped gazetteer."""
    return (_REGIME_PLACES.get() or {}).get(name_key(name), []) + shipped_places(name)

FOREIGN = {  # places outside Syria these reports name (GeoNames coordinates)
    "Ankara": (39.91987, 32.85427), "Moscow": (55.75222, 37.61556), "Astana": (51.1801, 71.44598),
    "Nur-Sultan": (51.1801, 71.44598), "Sochi": (43.59917, 39.72569), "Tehran": (35.69439, 51.42151),
    "Geneva": (46.20222, 6.14569), "Istanbul": (41.01384, 28.94966), "Beirut": (33.89332, 35.50157),
    "Amman": (31.95522, 35.94503), "Baghdad": (33.34058, 44.40088), "Washington": (38.89511, -77.03637),
    "Kazakhstan": None, "Jordan": None, "Turkey": None, "Russia": None, "Iran": None, "Syria": None,
    "Israel": None, "Iraq": None, "Lebanon": None, "Britain": None, "United States": None,
}
COUNTRIES = {k for k, v in FOREIGN.items() if v is None}
# Named areas the admin units do not carry (facts: the sub-districts that make them up).
AREAS: dict[str, dict[str, Any]] = {
    "Eastern Ghouta": {"admin": {"names": ["Duma", "Harasta", "Arbin", "Kafr Batna", "Nashabiyeh"], "level": 3}},
    "Ghouta": {"admin": {"names": ["Duma", "Harasta", "Arbin", "Kafr Batna", "Nashabiyeh"], "level": 3}},
    "Jabal al-Zawiyah": {"admin": {"names": ["Ehsem", "Kafr Nobol"], "level": 3}},
    "Jabal Al-Zawiyah": {"admin": {"names": ["Ehsem", "Kafr Nobol"], "level": 3}},
    "Sahl al-Ghab": {"admin": {"names": ["Ziyara", "Shat-ha"], "level": 3}},
    "Sahl Al-Ghab": {"admin": {"names": ["Ziyara", "Shat-ha"], "level": 3}},
    "north-west Syria": {"zone": "astana-1"}, "northwest Syria": {"zone": "astana-1"},
    "north-west of Syria": {"zone": "astana-1"}, "northwest of Syria": {"zone": "astana-1"},
    "northwestern Syria": {"zone": "astana-1"}, "north-western Syria": {"zone": "astana-1"},
}
NOT_PLACES = {  # capitalised words the gazetteer's alternate names would otherwise claim
    "the", "a", "an", "this", "that", "on", "in", "at", "as", "by", "for", "from", "with", "and", "but", "or",
    "president", "minister", "army", "assad", "erdogan", "putin", "akar", "rouhani", "lavrov", "nusra", "sham",
    "today", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "subscribe", "event",
    "context", "russian", "turkish", "syrian", "iranian", "arab", "league", "party", "state", "ministry", "front",
    "islamic", "rahman", "white", "helmets", "center", "centre", "observatory", "agency", "defense", "defence",
    "hayat", "tahrir", "levant", "liberation", "committee", "resistance", "axis", "reuters", "sputnik", "anadolu",
    "tass", "ria", "sana", "qaeda", "al-qaeda", "said", "ba", "ath", "march", "may", "june", "july", "august",
    "april", "january", "february", "september", "october", "november", "december", "sept", "oct", "jan", "feb",
    "aug", "nov", "dec", "mar", "apr", "jun", "jul", "bashar", "raed", "saleh", "rami", "naji", "mustafa",
    "hulusi", "vladimir", "recep", "tayyip", "hassan", "sergey", "sergei", "mevlut", "kairat", "un", "us", "uk",
    "al", "sheikh", "shaykh", "tal", "tell", "deir", "dayr", "ain", "ayn", "kafr", "khan", "jisr", "maarrat",
    "al-sham", "ash-sham",  # "Hay'at Tahrir al-Sham", "Ahrar al-Sham": a group's name, not Damascus
}
ADMIN_WORDS = r"(?:province|governorate|region|countryside|area)"
DIRECTION_WORDS = {
    "north": "N", "northern": "N", "south": "S", "southern": "S", "east": "E", "eastern": "E", "west": "W",
    "western": "W", "north-east": "NE", "northeast": "NE", "north-eastern": "NE", "northeastern": "NE",
    "north-west": "NW", "northwest": "NW", "north-western": "NW", "northwestern": "NW", "south-east": "SE",
    "southeast": "SE", "south-eastern": "SE", "southeastern": "SE", "south-west": "SW", "southwest": "SW",
    "south-western": "SW", "southwestern": "SW",
}
DIRECTION = "(?P<dir>" + "|".join(sorted(map(re.escape, DIRECTION_WORDS), key=len, reverse=True)) + ")"
WORD = r"[A-Z][\w’'\-]*[\w]"
CONNECTOR = r"(?:al|an|ar|as|ash|ad|az|at|el|ed|es|ez|ibn|bin|de|of)"
NAME_RUN = re.compile(rf"(?:(?:al|el)-)?{WORD}(?:(?:\s+|-)(?:{CONNECTOR}(?:\s+|-))?(?:(?:al|el)-)?{WORD})*")
PART_OF = re.compile(rf"\b(?i:(?:the\s+)?{DIRECTION}\s+(?:(?P<what>districts?|countryside|parts?|areas?|regions?|"
                     rf"outskirts)\s+)?of\s+(?:the\s+)?(?:province\s+of\s+|governorate\s+of\s+)?)"
                     rf"(?P<name>{WORD}(?:\s+{WORD})?)")


@dataclass
class PlaceMention:
    start: int
    end: int
    text: str
    name: str  # the resolved place's name
    kind: str  # place, adm1, adm2, adm3, area, foreign, country
    lat: float | None
    lon: float | None
    place_id: str | None = None
    expression: dict[str, Any] | None = None  # for areas: a regime geometry expression
    precision: str = "exact"  # exact, district, governorate, region, country
    why: str = ""
    candidates: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def _is_province_mentioned(text: str, name: str) -> bool:
    key = re.escape(name)
    return re.search(rf"\b{key}\s+{ADMIN_WORDS}\b|\b{ADMIN_WORDS}\s+of\s+{key}\b|\bregion of {key}\b", text,
                     re.I) is not None


def _precision(kind: str) -> str:
    return {"adm1": "governorate", "adm2": "district", "adm3": "district", "area": "region"}.get(kind, "exact")


def find_places(text: str) -> list[PlaceMention]:
    mentions: list[PlaceMention] = []
    covered = bytearray(len(text) + 1)  # 1 under every mention found: a span is free when none of it is

    def free(s: int, e: int) -> bool:
        return covered.find(1, s, e) == -1

    def take(s: int, e: int) -> None:
        covered[s:e] = b"\x01" * (e - s)

    for m in PART_OF.finditer(text):  # area phrases first: they contain names
        parent = _admin_name(m.group("name"))
        if parent:
            direction = DIRECTION_WORDS[m.group("dir").lower()]
            expr = {"part_of": {"parent": parent.name, "parent_level": int(parent.kind[-1]), "level": 3,
                                "direction": direction}}
            mentions.append(PlaceMention(m.start(), m.end(), m.group(0), f"{m.group('dir')} {parent.name}", "area",
                                         parent.lat, parent.lon, parent.id, expr, "region",
                                         f"part_of({parent.name}, {direction})"))
            take(m.start(), m.end())
    for name, expr in AREAS.items():
        for m in re.finditer(rf"\b{re.escape(name)}\b", text):
            if free(m.start(), m.end()):
                lat, lon = _area_point(name)
                mentions.append(PlaceMention(m.start(), m.end(), m.group(0), name, "area", lat, lon, None, expr,
                                             "region", "named area"))
                take(m.start(), m.end())
    for m in NAME_RUN.finditer(text):
        for s, e, phrase in _subspans(text, m.start(), m.end()):
            if not free(s, e):
                continue
            hit = _lookup(text, s, e, phrase)
            if hit:
                mentions.append(hit)
                take(s, e)
    mentions.sort(key=lambda p: p.start)
    _disambiguate(mentions)
    return mentions


@cache
def _area_point(name: str) -> tuple[float | None, float | None]:
    """A representative point of a named area, for maps and distances (zones: of the built-in regime)."""
    import geopandas as gpd

    from ..zones.expressions import Evaluator

    expr = AREAS[name]
    if "zone" in expr:
        from ..regime import load_regime
        from ..zones import regime_shapes

        geom = regime_shapes(load_regime("syria-northwest"))[expr["zone"]].metric
    else:
        geom = Evaluator().evaluate(expr)
    p = gpd.GeoSeries([geom.representative_point()], crs="EPSG:32637").to_crs(4326).iloc[0]
    return p.y, p.x


# A word of a capitalised run: two capitalised names joined by a hyphen ("Aleppo-Hama highway", "Russia-Turkey
# patrols") are two words; an article joined to its name ("al-Numan", "ez-Zor") stays one.
_RUN_WORD = re.compile(r"[A-Z][^\s-]*(?=-[A-Z])|[^\s]+")
_POSSESSIVE = re.compile(r"[’']s$")


def _subspans(text: str, start: int, end: int):
    """Sub-phrases of a capitalised run, longest first (at most five words); a possessive ("Idlib's") is the name."""
    words = []
    for m in _RUN_WORD.finditer(text, start, end):
        s, e = m.start(), m.end()
        if text[s] == "-":  # the hyphen between two names belongs to neither
            s += 1
        if s < e:
            words.append((s, e))
    words = words[:12]
    spans = []
    for size in range(min(5, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            s, e = words[i][0], words[i + size - 1][1]
            phrase = _POSSESSIVE.sub("", text[s:e].strip("’'.,;:-")).strip("’'.,;:-")
            e = s + len(phrase)
            spans.append((s, e, phrase))
    return spans


def _admin_name(name: str) -> Place | None:
    hits = [p for p in gazetteer(name) if p.kind in ("adm1", "adm2")] if name else []
    return sorted(hits, key=lambda p: p.kind)[0] if hits else None


_LEADING_THE = re.compile(r"^(?:the|The)\s+")
_CLOCK_AFTER = re.compile(r"\s+time\b")
_FOREIGN_BY_CASE = {k.lower(): k for k in FOREIGN}  # datelines shout: ANKARA


def _lookup(text: str, s: int, e: int, phrase: str) -> PlaceMention | None:
    bare = _LEADING_THE.sub("", phrase)
    if not bare or bare.lower() in NOT_PLACES or len(name_key(bare)) < 3:
        return None
    if _CLOCK_AFTER.match(text, e, e + 8):  # "2 p.m. Moscow time" is a clock, not a place
        return None
    foreign = _FOREIGN_BY_CASE.get(bare.lower())
    if foreign:
        bare = foreign
        coords = FOREIGN[bare]
        kind = "country" if coords is None else "foreign"
        return PlaceMention(s, e, phrase, bare, kind, coords[0] if coords else None, coords[1] if coords else None,
                            None, None, "country" if coords is None else "exact", "foreign place list")
    hits = gazetteer(bare)
    if not hits:
        return None
    following = text[e:e + 30].lower()
    preceding = text[max(0, s - 30):s].lower()
    admin_hits = [h for h in hits if h.kind.startswith("adm")]
    towns = [h for h in hits if h.kind == "place"]
    as_province = re.match(rf"\s+{ADMIN_WORDS}\b", following) or re.search(r"\b(?:province|region|governorate)s?"
                                                                            r"\s+of\s+$", preceding)
    as_city = re.match(r"\s+(?:city|town|village)\b", following) or re.search(r"\b(?:city|town|village)\s+of\s+$",
                                                                              preceding)
    if admin_hits and (as_province or (not as_city and not towns)):
        best = sorted(admin_hits, key=lambda h: h.kind)[0]
        why = "named as a province/region" if as_province else "only an admin unit has this name"
    elif towns:
        best = towns[0]
        why = "town" + (" (called a city)" if as_city else "")
    else:
        best = hits[0]
        why = "gazetteer"
    mention = PlaceMention(s, e, phrase, best.name, best.kind, best.lat, best.lon, best.id, None,
                           _precision(best.kind), why, len(hits))
    if best.kind.startswith("adm"):
        mention.expression = {"admin": {"names": [best.id.split(":", 1)[1]]}}
    mention.extra["alternatives"] = [h.id for h in hits[:5]]
    return mention


def _disambiguate(mentions: list[PlaceMention]) -> None:
    """Discourse and distance: a province once, a province throughout; towns near the others."""
    text_provinces = {m.name for m in mentions if m.kind == "adm1"}
    for m in mentions:
        if m.kind == "place" and m.why == "town" and m.name in text_provinces:
            hits = [h for h in gazetteer(m.text) if h.kind == "adm1"]
            if hits:
                h = hits[0]
                m.name, m.kind, m.lat, m.lon, m.place_id = h.name, h.kind, h.lat, h.lon, h.id
                m.precision, m.why = "governorate", "the article calls it a province elsewhere"
                m.expression = {"admin": {"names": [h.id.split(":", 1)[1]]}}
    anchors = [(m.lat, m.lon) for m in mentions if m.lat is not None and m.candidates == 1 and m.kind != "foreign"]
    if not anchors:
        return
    clat = sum(a[0] for a in anchors) / len(anchors)
    clon = sum(a[1] for a in anchors) / len(anchors)
    for m in mentions:
        if m.kind == "place" and m.candidates > 1:
            towns = [h for h in gazetteer(m.text) if h.kind == "place"]
            if len(towns) > 1:
                best = min(towns, key=lambda h: math.hypot(h.lat - clat, h.lon - clon))
                if best.id != m.place_id:
                    m.name, m.lat, m.lon, m.place_id = best.name, best.lat, best.lon, best.id
                    m.why = "nearest to the article's other places"
