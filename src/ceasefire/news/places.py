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
from functools import cache, lru_cache
from typing import Any

from ..geodata.basedata import Place
from ..geodata.basedata import find_places as shipped_places
from ..geodata.names import name_key

# A regime's own places (villages the shipped gazetteer lacks), while its articles are read.
_REGIME_PLACES: ContextVar[dict[str, list[Place]] | None] = ContextVar("regime_places", default=None)
# what identifies those places in caches: the same names give the same token, whichever dict holds them
_REGIME_TOKEN: ContextVar[int] = ContextVar("regime_token", default=0)


@contextmanager
def regime_places(regime: Any) -> Iterator[None]:
    """Read articles with a regime's own `places` added to the gazetteer (found first)."""
    table: dict[str, list[Place]] = {}
    for p in regime.places:
        place = Place(f"regime:{p.name}", p.name, "place", p.lat, p.lon, "", 0, tuple(p.alternates), p.source)
        for name in (p.name, *p.alternates):
            table.setdefault(name_key(name), []).append(place)
    token = _REGIME_PLACES.set(table)
    named = _REGIME_TOKEN.set(hash(frozenset(table)))
    try:
        yield
    finally:
        _REGIME_PLACES.reset(token)
        _REGIME_TOKEN.reset(named)


def _maybe_known(name: str) -> bool:
    """A cheap first test: does any gazetteer entry (or the regime's own places) carry this name's key?"""
    key = name_key(name)
    return key in _shipped_keys() or key in (_REGIME_PLACES.get() or {})


@cache
def _shipped_keys() -> frozenset[str]:
    from ..geodata.basedata import _place_index

    return frozenset(_place_index())


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
# "northern Syria" and the like: the governorates that make up that part of the country (facts, not a zone).
SYRIA_PARTS = {
    "N": ["Aleppo", "Idlib", "Raqqa", "Al-Hasakah"], "S": ["Daraa", "Quneitra", "As-Suwayda"],
    "E": ["Deir ez-Zor", "Raqqa", "Al-Hasakah"], "W": ["Latakia", "Tartus", "Hama", "Homs"],
    "NE": ["Al-Hasakah", "Raqqa"], "SW": ["Daraa", "Quneitra"], "SE": ["As-Suwayda", "Homs", "Deir ez-Zor"],
}
SYRIA_PART = re.compile(r"(?<![\w-])(?i:(?P<dir>northern|southern|eastern|western|north-eastern|northeastern|"
                        r"south-western|"
                        r"southwestern|south-eastern|southeastern|north|south|east|west|northeast|north-east|"
                        r"southwest|south-west|southeast|south-east)\s+(?:of\s+)?)Syria\b(?![’']s\s+[A-Z])")
# Words that are also place names, with the context that makes them something else ("the State Duma").
HOMONYMS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "duma": (re.compile(r"(?:\bState|\bRussian|\bthe|\bRussia[’']s)\s+$", re.I),
             re.compile(r"\s+(?:deput|lawmaker|member|committee|speaker|chairman|vote|session|election)", re.I)),
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
    # English words and names whose spelling key is a village's ("Has" is Hass, "Man" Ma'an, "Hit" Hayt)
    "has", "man", "hit", "hussein", "maarat", "maaret", "hawar", "here", "dome", "maria", "cat",
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
# "southern Idlib countryside", "southeast Idlib Province", "northern Hama": part of a governorate, direction first
PART_BEFORE = re.compile(rf"\b(?i:(?:the\s+)?{DIRECTION}\s+)(?P<name>{WORD})(?P<what>\s+(?i:countryside|provinces?|"
                         rf"governorates?|region|outskirts|suburbs|areas?|districts?))?\b")
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
    kind: str  # place, adm1, adm2, adm3, area, road, foreign, country
    lat: float | None
    lon: float | None
    place_id: str | None = None
    expression: dict[str, Any] | None = None  # for areas: a regime geometry expression
    precision: str = "exact"  # exact, district, governorate, region, country
    why: str = ""
    candidates: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def most_specific_first(places: list[PlaceMention]) -> list[PlaceMention]:
    """A town before its district, a district before its governorate, a governorate before a region that
    spans several, a road or a country last (stable: the text's order among equals). An event stands at
    the first."""
    return sorted(places, key=specificity)


def specificity(p: PlaceMention) -> int:
    """How precise a place is: 0 a town, then districts, parts of governorates, governorates, regions, roads."""
    if p.kind == "area":
        wide = p.expression and ("zone" in p.expression or p.expression.get("admin", {}).get("level") == 1)
        return 6 if wide else 4
    rank = {"place": 0, "adm3": 2, "adm2": 3, "adm1": 5, "road": 7, "foreign": 8, "country": 9}.get(p.kind, 10)
    return rank + (1 if p.extra.get("approximate") else 0)


def unit_code(p: PlaceMention) -> str | None:
    """The P-code of the admin unit a mention is (a governorate, district, sub-district, a part of one) or
    lies in (a town: its sub-district); None for what the base data does not place in a unit."""
    if p.kind in ("adm1", "adm2", "adm3") and p.place_id:
        return p.place_id.split(":", 1)[1]
    if p.kind == "area" and p.expression and "part_of" in p.expression and p.place_id:
        return p.place_id.split(":", 1)[1]
    if p.kind == "place" and p.place_id:
        place = _places_by_id().get(p.place_id)
        return place.adm3 or None if place else None
    return None


def within(narrow: PlaceMention, broad: PlaceMention) -> bool:
    """``narrow`` lies in ``broad``: a town in its governorate, a district in the southern part of it …"""
    inner, outer = unit_code(narrow), unit_code(broad)
    return bool(inner and outer and len(inner) > len(outer) and inner.startswith(outer))


@cache
def _places_by_id() -> dict[str, Place]:
    from ..geodata.basedata import gazetteer as shipped

    return {p.id: p for p in shipped()}


def _precision(kind: str) -> str:
    return {"adm1": "governorate", "adm2": "district", "adm3": "district", "area": "region"}.get(kind, "exact")


def find_places(text: str) -> list[PlaceMention]:
    mentions: list[PlaceMention] = []
    covered = bytearray(len(text) + 1)  # 1 under every mention found: a span is free when none of it is

    def free(s: int, e: int) -> bool:
        return covered.find(1, s, e) == -1

    def take(s: int, e: int) -> None:
        covered[s:e] = b"\x01" * (e - s)

    for m in ROAD.finditer(text):  # "the M4 highway": the road, for an event that names nothing else
        lat, lon = _road_point(m.group("road").upper().replace("-", ""))
        if lat is not None:
            mentions.append(PlaceMention(m.start(), m.end(), m.group(0), m.group("road"), "road", lat, lon, None,
                                         None, "region", "a road of the base data: its middle"))
            take(m.start(), m.end())
    for d in _DIRECTION_AT.finditer(text):  # area phrases before names: they contain names
        area = _direction_area(text, d.start())
        if area is not None and free(area.start, area.end):
            mentions.append(area)
            take(area.start, area.end)
    for m in _areas_pattern().finditer(text):
        if free(m.start(), m.end()):
            name = _AREA_NAMES[int(m.lastgroup[1:])]  # type: ignore[index]
            lat, lon = _area_point(name)
            mentions.append(PlaceMention(m.start(), m.end(), m.group(0), name, "area", lat, lon, None, AREAS[name],
                                         "region", "named area"))
            take(m.start(), m.end())
    runs = [(m.start(), m.group(0)) for m in NAME_RUN.finditer(text)]
    regime = _REGIME_TOKEN.get()
    for start, run in runs:
        for s, e, phrase in _candidates(run, regime):  # most runs name no place: an empty tuple, cached
            s, e = start + s, start + e
            if not free(s, e):
                continue
            hit = _lookup(text, s, e, phrase)
            if hit:
                mentions.append(hit)
                take(s, e)
    mentions.sort(key=lambda p: p.start)
    _disambiguate(mentions)
    mentions += _unknown_places(text, runs, mentions, free, take)
    mentions.sort(key=lambda p: p.start)
    _mark_dateline(text, mentions)
    return mentions


_AREA_NAMES = list(AREAS)


@cache
def _areas_pattern() -> re.Pattern[str]:
    """Every named area in one pattern, in any case ("Eastern ghouta", "eastern Ghouta"), longest first."""
    order = sorted(range(len(_AREA_NAMES)), key=lambda i: -len(_AREA_NAMES[i]))
    return re.compile(r"\b(?i:" + "|".join(
        f"(?P<a{i}>" + r"\s+".join(re.escape(w) for w in _AREA_NAMES[i].split()) + ")" for i in order) + r")\b")


ROAD = re.compile(r"\b(?P<road>M-?\d{1,2})(?:\s+(?:highway|motorway|road))?\b")


@cache
def _road_point(name: str) -> tuple[float | None, float | None]:
    from ..geodata.basedata import METRIC_CRS, roads

    found = roads()[roads()["road"] == name]
    if found.empty:
        return None, None
    return lat_lon(found.to_crs(METRIC_CRS).geometry.iloc[0].interpolate(0.5, normalized=True))


_DIRECTION_AT = re.compile(r"(?i)(?<![\w-])(?:north|south|east|west)")


def _direction_area(text: str, at: int) -> PlaceMention | None:
    """The area phrase that starts with the direction word at ``at`` (or with "the" before it), if any:
    "the north-eastern districts of Lattakia", "southern Idlib countryside", "northern Syria"."""
    starts = (at - 4, at) if text[max(0, at - 4):at].lower() == "the " else (at,)
    for start in starts:
        # "the southern countryside of Idlib" names a governorate or a district; "southern Idlib" a governorate
        for pattern, kinds in ((PART_OF, ("adm1", "adm2")), (PART_BEFORE, ("adm1",))):
            m = pattern.match(text, start)
            parent = _admin_name(m.group("name")) if m else None
            if m and parent and parent.kind in kinds:
                direction = DIRECTION_WORDS[m.group("dir").lower()]
                expr = {"part_of": {"parent": parent.name, "parent_level": int(parent.kind[-1]), "level": 3,
                                    "direction": direction}}
                return PlaceMention(m.start(), m.end(), m.group(0), f"{m.group('dir')} {parent.name}", "area",
                                    parent.lat, parent.lon, parent.id, expr, "region",
                                    f"part_of({parent.name}, {direction})")
    m = SYRIA_PART.match(text, at)
    if m:
        direction = DIRECTION_WORDS[m.group("dir").lower()]
        if direction != "NW":  # north-west Syria is the regime's zone (AREAS)
            lat, lon = _syria_part_point(direction)
            return PlaceMention(m.start(), m.end(), m.group(0), f"{direction} Syria", "area", lat, lon, None,
                                {"admin": {"names": SYRIA_PARTS[direction], "level": 1}}, "region",
                                "part of Syria: its governorates")
    return None


@cache
def _syria_part_point(direction: str) -> tuple[float | None, float | None]:
    from ..zones.expressions import Evaluator

    governorates = Evaluator().evaluate({"admin": {"names": SYRIA_PARTS[direction], "level": 1}})
    return lat_lon(governorates.representative_point())


def lat_lon(metric_point: Any) -> tuple[float, float]:
    """(lat, lon) of a point in the base data's metric CRS."""
    from ..zones.timeline import to_wgs84

    p = to_wgs84(metric_point)
    return p.y, p.x


# A report's dateline: "ANKARA, Turkey (AP) —", "DAMASCUS, Sept 14 (NNN-SANA) –", "ASTANA, May 4. /TASS/".
DATELINE = re.compile(r"(?m)^[ \t]*(?P<city>[A-Z][A-Z’'\-]{2,}(?:[ \t]+[A-Z][A-Z’'\-]+)*)"
                      r"(?=[ \t]*(?:,|\(|[–—-]\s))")


def _mark_dateline(text: str, mentions: list[PlaceMention]) -> None:
    """The dateline names where the report was filed, not where things happened: marked so events skip it."""
    for m in DATELINE.finditer(text):
        for p in mentions:
            if m.start("city") <= p.start < m.end("city"):
                p.extra["dateline"] = True
                p.why += "; the dateline (where the report was filed)"


# What tells that a name the gazetteer lacks is a place: its own word ("Al-Qahera village", "the town of X").
PLACE_WORD_AFTER = re.compile(r"\s+(?:village|town|hamlet|area|neighbo(?:u)?rhood|camp|farms?|settlement|"
                              r"district|sub-district|countryside)s?\b")
PLACE_WORD_BEFORE = re.compile(r"\b(?:villages?|towns?|hamlets?|settlements?|cities|city|neighbo(?:u)?rhoods?)"
                               r"\s+of\s+$", re.I)
JOIN_AFTER = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")  # between two names of a list
JOIN_BEFORE = re.compile(r"(?:\s*,\s*(?:and\s+)?|\s+and\s+)$")
CONTAINER = re.compile(r"\s(?:in|near|of)\s+(?:the\s+)?$")


def _unknown_places(text: str, runs: list[tuple[int, str]], found: list[PlaceMention], free,
                    take) -> list[PlaceMention]:
    """Names the gazetteer lacks that the text calls places: "Al-Qahera village", "the villages of X and Y",
    or a name listed with known towns ("in Bayanin, Deir Sonbol and Al-Bara"). Each stands where its list
    or its container ("… in Jabal al-Zawiyah") is, flagged approximate."""
    candidates = []
    for s, run in runs:
        e = s + len(run)
        if not free(s, e):
            continue
        phrase = _POSSESSIVE.sub("", run).strip("’'.,;:-")
        e = s + len(phrase)
        words = phrase.split()
        if len(words) > 4 or phrase.isupper() or _not_a_place(phrase):
            continue
        candidates.append((s, e, phrase))
    if not candidates:
        return []
    known = [p for p in found if p.kind in ("place", "area", "adm1", "adm2", "adm3") and p.lat is not None]
    towns_at = {p.start: p for p in known if p.kind == "place"}  # a list's members, by where they start and end
    towns_to = {p.end: p for p in known if p.kind == "place"}
    added: list[PlaceMention] = []
    # what the words around each name say, read once: its own place word, or "the villages of" before it
    cues = [("its own word names it a place" if PLACE_WORD_AFTER.match(text, e, e + 30) else
             "introduced as a village or town" if PLACE_WORD_BEFORE.search(text, max(0, s - 30), s) else None,
             JOIN_AFTER.match(text, e), JOIN_BEFORE.search(text, max(0, s - 8), s)) for s, e, _ in candidates]
    changed = True
    while changed:  # a list resolves from its known member outwards: "Bayanin, Deir Sonbol and Al-Bara"
        changed = False
        for (s, e, phrase), (cue, after, before) in zip(candidates, cues):
            if not free(s, e):
                continue
            if cue is None:
                neighbour = (towns_at.get(after.end()) if after else None) or (
                    towns_to.get(before.start()) if before else None)
                if neighbour is None:
                    continue
                cue = f"listed with {neighbour.text}"
            where = _container(text, e, known + added) or _nearest(s, known + added)
            if where is None:
                continue
            mention = PlaceMention(s, e, phrase, phrase, "place", where.lat, where.lon, None, None, "region",
                                   f"not in the gazetteer; {cue}; placed at {where.name} (approximate)")
            mention.extra["approximate"] = True
            added.append(mention)
            towns_at[s], towns_to[e] = mention, mention
            take(s, e)
            changed = True
    return added


@lru_cache(maxsize=1 << 15)
def _not_a_place(phrase: str) -> bool:
    bare = _LEADING_THE.sub("", phrase)
    words = bare.replace("-", " ").split()
    return (bare.lower() in NOT_PLACES or all(w.lower() in NOT_PLACES for w in words) or len(name_key(bare)) < 3
            or any(re.fullmatch(pattern, bare) for pattern in _PARTY_WORDS)
            or any(w.lower() in NOT_A_NAME for w in words) or _DESCRIBES.search(bare) is not None)


# English words that describe an area rather than name one: "the De-escalation area", "Greater Idlib area"
NOT_A_NAME = {
    "de", "escalation", "buffer", "security", "safe", "demilitarized", "demilitarised", "military", "border",
    "frontline", "front", "rebel", "rebels", "opposition", "regime", "government", "residential", "industrial",
    "northern", "southern", "eastern", "western", "central", "greater", "old", "new", "nearby", "surrounding",
    "north", "south", "east", "west", "countryside", "province", "governorate", "district", "region", "zone",
    "city", "town", "village", "area", "camp", "base", "airport", "highway", "road", "corridor", "line",
}
_DESCRIBES = re.compile(r"-(?:controlled|held|backed|led|based|linked|affiliated|run|occupied)\b", re.I)


# names of parties and agencies are never unknown villages, whatever the cue
_PARTY_WORDS = [r"(?:[A-Z]{2,}|[A-Z][a-z]+ (?:Ministry|Agency|Army|Forces|Front|Council|Observatory|Helmets))"]


def _container(text: str, end: int, places: list[PlaceMention]) -> PlaceMention | None:
    """The place a list of names is said to be in: "… and Sfuhen in Jabal al-Zawiyah" (same sentence, just after)."""
    stop = min([i for i in (text.find(".", end), text.find(";", end)) if i != -1] or [len(text)])
    after = [p for p in places if end <= p.start < stop and p.kind != "foreign" and not p.extra.get("dateline")]
    for p in sorted(after, key=lambda p: p.start):
        gap = text[end:p.start]
        if CONTAINER.search(gap[-40:]) and re.fullmatch(r"[\w\s,’'\-]*", gap) and len(gap) < 80:
            return p
    return None


def _nearest(start: int, places: list[PlaceMention]) -> PlaceMention | None:
    near = [p for p in places if abs(p.start - start) < 120 and p.kind != "foreign" and p.lat is not None]
    return min(near, key=lambda p: abs(p.start - start)) if near else None


@cache
def _area_point(name: str) -> tuple[float | None, float | None]:
    """A representative point of a named area, for maps and distances (zones: of the built-in regime)."""
    from ..zones.expressions import Evaluator

    expr = AREAS[name]
    if "zone" in expr:
        from ..regime import load_regime
        from ..zones import regime_shapes

        geom = regime_shapes(load_regime("syria-northwest"))[expr["zone"]].metric
    else:
        geom = Evaluator().evaluate(expr)
    return lat_lon(geom.representative_point())


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


@lru_cache(maxsize=1 << 15)
def _candidates(run: str, regime: int) -> tuple[tuple[int, int, str], ...]:
    """The sub-phrases of a capitalised run that some place is called (``regime``: which regime's own places
    are in the gazetteer), longest first, offsets within the run. What the context makes of them is
    :func:`_lookup`'s."""
    out = []
    for s, e, phrase in _subspans(run, 0, len(run)):
        bare = _LEADING_THE.sub("", phrase) if phrase[:4] in ("the ", "The ") else phrase
        lower = bare.lower()
        if lower in NOT_PLACES or not (lower in _FOREIGN_BY_CASE or _maybe_known(bare)) or len(name_key(bare)) < 3:
            continue
        out.append((s, e, phrase))
    return tuple(out)


def _admin_name(name: str) -> Place | None:
    hits = [p for p in gazetteer(name) if p.kind in ("adm1", "adm2")] if name else []
    return sorted(hits, key=lambda p: p.kind)[0] if hits else None


# "the city of X", "the cities of Aleppo and Latakia", "the towns of A, B and C": the name is the town
CITY_BEFORE = re.compile(r"\b(?i:city|town|village|cities|towns|villages)\s+of\s+(?:the\s+)?"
                         rf"(?:{WORD}(?:\s+{WORD})*\s*(?:,\s*|\s+and\s+|,\s*and\s+))*$")
_LEADING_THE = re.compile(r"^(?:the|The)\s+")
_CLOCK_AFTER = re.compile(r"\s+time\b")
_FOREIGN_BY_CASE = {k.lower(): k for k in FOREIGN}  # datelines shout: ANKARA


def _lookup(text: str, s: int, e: int, phrase: str) -> PlaceMention | None:
    bare = _LEADING_THE.sub("", phrase) if phrase[:4] in ("the ", "The ") else phrase
    lower = bare.lower()
    foreign = _FOREIGN_BY_CASE.get(lower)
    hits = gazetteer(bare) if foreign is None and _maybe_known(bare) else []
    if not (foreign or hits) or lower in NOT_PLACES or len(name_key(bare)) < 3:
        return None  # most sub-phrases of a capitalised run name nothing: the cheap test first
    if _CLOCK_AFTER.match(text, e, e + 8):  # "2 p.m. Moscow time" is a clock, not a place
        return None
    if foreign:
        bare = foreign
        coords = FOREIGN[bare]
        kind = "country" if coords is None else "foreign"
        return PlaceMention(s, e, phrase, bare, kind, coords[0] if coords else None, coords[1] if coords else None,
                            None, None, "country" if coords is None else "exact", "foreign place list")
    homonym = HOMONYMS.get(lower)
    if homonym and (homonym[0].search(text, max(0, s - 12), s) or homonym[1].match(text, e, e + 20)):
        return None  # "the State Duma" is a parliament
    following = text[e:e + 30].lower()
    preceding = text[max(0, s - 30):s].lower()
    admin_hits = [h for h in hits if h.kind.startswith("adm")]
    towns = [h for h in hits if h.kind == "place"]
    as_province = re.match(rf"\s+{ADMIN_WORDS}\b", following) or re.search(r"\b(?:province|region|governorate)s?"
                                                                            r"\s+of\s+$", preceding)
    as_city = re.match(r"[’']?s?\s+(?:city|town|village)\b", following) or CITY_BEFORE.search(
        text, max(0, s - 80), s)
    if admin_hits and (as_province or (not as_city and not towns)):
        best = sorted(admin_hits, key=lambda h: h.kind)[0]
        why = "named as a province/region" if as_province else "only an admin unit has this name"
    elif towns and not as_city and any(h.kind == "adm1" for h in admin_hits):
        # a governorate named after its capital: these reports mean the governorate unless they say city or town
        best = next(h for h in admin_hits if h.kind == "adm1")
        why = "a governorate's name, not called a city or town"
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
