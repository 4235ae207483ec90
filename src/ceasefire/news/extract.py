"""Sentences → events: type, date, places, actors, claimant and channel, each with the spans it came from."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .actors import Mention, find_channel, find_parties, find_people, find_quotes
from .article import Article
from .dates import DateMention, find_dates
from .places import PlaceMention, find_places

SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[”\"’]?|\n|$)")
EVENT_RULES: list[tuple[str, str, re.Pattern[str]]] = [  # (kind, sub_event_type, pattern), first match wins
    ("attack", "remote-explosive", re.compile(r"\b(IED|improvised explosive|explosive device|blast|explosion|"
                                              r"car bomb|landmine)\b", re.I)),
    ("attack", "air-strike", re.compile(r"\b(air ?strikes?|airstrikes?|warplanes?|jets|bombing|bombed|"
                                        r"air/ground attacks)\b", re.I)),
    ("attack", "shelling", re.compile(r"\b(shell(?:s|ed|ing)|artillery|rockets?|mortars?)\b", re.I)),
    ("attack", "armed-clash", re.compile(r"\b(clash(?:es|ed)?|attacked|offensive|fighting|infiltrate)\b", re.I)),
    ("withdrawal", "weapons-withdrawal", re.compile(r"\b(withdr[ae]w\w*|pull(?:ed)? out|removed)\b", re.I)),
    ("patrol", "patrol", re.compile(r"\bpatrol(?:s|ling|led)?\b", re.I)),
    ("proposal", "proposal", re.compile(r"\b(suggested|proposed|proposal)\b", re.I)),
    ("agreement", "agreement", re.compile(r"\b(memorandum|agreement|deal|protocol|accord|cease-?fire)\b.*?\b("
                                          r"sign\w*|agreed|reached|enshrin\w*|ratified|implemented|introduced)\b|"
                                          r"\b(sign\w*|agreed|reached)\b.*?\b(memorandum|agreement|deal|protocol|"
                                          r"cease-?fire)\b", re.I)),
    ("zones-created", "zones-created", re.compile(r"\b(creation of|create|set(?:ting)? up|establish\w*)\b[^.]*"
                                                  r"\bzones?\b", re.I)),
]
ORDINAL = re.compile(r"\b(?P<n>first|second|third|fourth|fifth)\s+zone\b", re.I)
MANDATE = re.compile(r"(?P<who>Russia|Turkey|the armed forces of Turkey|the armed forces of Russia|Turkish armed "
                     r"forces(?:’|')?(?: patrols)?|Russian (?:troops|military police))\s*"
                     r"(?:will\s+(?:implement it|carry out (?:them|patrols)|patrol|begin patrols|do the same)\s+|"
                     r"[–—-]\s*)?(?P<what>(?:along|in|inside|within|outside)\b[^.;,“”\"\n]+)", re.I)
ZONE_PHRASE = re.compile(r"\b(?:an?|the)\s+(?P<zone>(?:demilitari[sz]ed|buffer|de-escalation|security|safe)\s+"
                         r"(?:buffer\s+)?zones?\b[^.;]*)", re.I)
PROPOSER = re.compile(r"(?P<who>[A-Z][\w’'\-]+)\s+(?:suggested|proposed)\s+(?P<what>[^.;]+?)(?=\s+in order to|[.;]|$)")
PURPOSE = re.compile(r"\bin order to (?P<why>[^.;]+)", re.I)


@dataclass
class Evidence:
    field: str
    start: int
    end: int
    text: str


@dataclass
class NewsEvent:
    article: str
    kind: str  # attack, ceasefire, patrol, agreement, proposal, withdrawal
    sub_event_type: str
    sentence: tuple[int, int]
    date: dt.date | None = None
    date_precision: str | None = None
    places: list[PlaceMention] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)  # party ids
    people: list[dict[str, Any]] = field(default_factory=list)
    claimant: dict[str, Any] | None = None
    channel: str | None = None
    quotes: list[str] = field(default_factory=list)
    mandate: list[dict[str, str]] = field(default_factory=list)
    zones: list[dict[str, Any]] = field(default_factory=list)  # for agreements: the zones it creates
    evidence: list[Evidence] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    # what identifies each source whatever its file is called (its URL, else a hash of its text): the event's id
    # is made of these, so the same article read again under another name is the same event
    source_keys: list[str] = field(default_factory=list)
    is_claim: bool = False
    # ceasefire: declared, suspended, resumed, violated; patrol: planned, carried out, suspended, attacked
    status: str | None = None
    # main: what the article reports happening; background: what it recalls (earlier facts, context)
    role: str = "main"
    fatalities: int | None = None
    injured: int | None = None
    # an agreement's deadlines ("heavy weapons out by 10 October"): facts of the agreement, not events
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def cite(self, name: str, start: int, end: int, text: str) -> None:
        self.evidence.append(Evidence(name, start, end, text[start:end]))


def sentences(text: str) -> list[tuple[int, int]]:
    out = []
    for m in SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s > 3:
            out.append((s, e))
    return _merge_abbreviations(text, out)


def _merge_abbreviations(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """ "Oct. 15" and "U.S." do not end a sentence."""
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and re.search(r"\b(?:[A-Z]|Oct|Sept|Sep|Nov|Dec|Jan|Feb|Aug|Mr|Dr|St|No)\.$", text[merged[-1][0]:
                                                                                                     merged[-1][1]]):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def extract(article: Article, published: dt.date | None) -> tuple[list[NewsEvent], dict[str, Any]]:
    """Events of one article, and what the whole article says (places, people, dates) for the report."""
    text = article.clean
    all_places = find_places(text)
    all_dates = find_dates(text, published)
    all_people = find_people(text)
    events: list[NewsEvent] = []
    spans = sentences(text)
    speakers = [_speaker(text, s, e, [p for p in all_people if s <= p.start < e]) for s, e in spans]
    for index, (s, e) in enumerate(spans):
        sentence = text[s:e]
        people = [p for p in all_people if s <= p.start < e]
        # who said it: this sentence's speaker, else the next one's ("This was announced … by X"),
        # else the previous one's (a quote following its announcement)
        neighbours = [speakers[index], speakers[index + 1] if index + 1 < len(spans) else None,
                      speakers[index - 1] if index > 0 else None]
        speaker = next((x for x in neighbours if x is not None), None)
        kind = next(((k, sub) for k, sub, pattern in EVENT_RULES if pattern.search(sentence)), None)
        if kind is None:
            continue
        if kind[0] == "zones-created" and events and events[-1].kind == "agreement":
            _zones_into(events[-1], text, spans, index, all_places)  # "The document involves the creation of …"
            continue
        event = NewsEvent(article.id, kind[0], kind[1], (s, e))
        event.cite("sentence", s, e, text)
        # a dateline's foreign city (ANKARA –) is where the report was filed, not where things happened
        places = sorted((p for p in all_places if s <= p.start < e and p.kind != "country"),
                        key=lambda p: p.kind == "foreign")
        countries = [p for p in all_places if s <= p.start < e and p.kind == "country"]
        event.places = places or (countries[:1] if kind[0] in ("proposal", "agreement") else []) \
            or _fallback_places(all_places, s)
        for p in places:
            event.cite("place", p.start, p.end, text)
        dates = [d for d in all_dates if s <= d.start < e and d.date]
        chosen = _event_date(dates, published)
        if chosen:
            event.date, event.date_precision = chosen.date, chosen.precision
            event.cite("date", chosen.start, chosen.end, text)
        elif published:
            event.date, event.date_precision = published, article.published_precision
        parties = find_parties(text, s, e)
        event.actors = list(dict.fromkeys(m.party for m in parties if m.party))
        for m in parties:
            event.cite("actor", m.start, m.end, text)
        for person in people:
            event.people.append({"name": person.person, "role": person.role, "party": person.party,
                                 "span": [person.start, person.end]})
            if person.party and person.party not in event.actors:
                event.actors.append(person.party)
            event.cite("person", person.start, person.end, text)
        channel = find_channel(text, s, e) or (find_channel(text, *spans[index + 1]) if index + 1 < len(spans)
                                               else None)
        if channel:
            event.channel = channel[0]
            event.cite("channel", channel[1], channel[2], text)
        if speaker is not None:
            event.claimant = {"name": speaker.person, "role": speaker.role, "party": speaker.party,
                              "span": [speaker.start, speaker.end]}
            event.is_claim = True
            event.cite("claimant", speaker.start, speaker.end, text)
        for q0, q1 in find_quotes(text, s, min(len(text), spans[index + 1][1] if index + 1 < len(spans) else e)):
            event.quotes.append(text[q0:q1])
            event.cite("quote", q0, q1, text)
        if event.kind == "patrol":
            _mandate(event, text, spans, index)
        if event.kind == "agreement":
            _zones_into(event, text, spans, index, all_places)
            for m in ZONE_PHRASE.finditer(text, s, e):
                event.zones.append({"number": None, "text": _words(m.group("zone")), "places": [
                    p.text for p in all_places if m.start() <= p.start < e and p.kind != "country"],
                    "span": [m.start("zone"), m.end("zone")]})
                event.cite("zone", m.start("zone"), m.end("zone"), text)
        if event.kind == "proposal":
            who = PROPOSER.search(text, s, e)
            proposer = next((p for p in people if who and p.start <= who.start("who") < p.end), None)
            if proposer:
                event.claimant = {"name": proposer.person, "role": proposer.role, "party": proposer.party,
                                  "span": [proposer.start, proposer.end]}
            if who:
                event.extra["proposal"] = _words(who.group("what"))
                event.cite("proposal", who.start("what"), who.end("what"), text)
            why = PURPOSE.search(text, s, e)
            if why:
                event.extra["purpose"] = _words(why.group("why"))
                event.cite("purpose", why.start("why"), why.end("why"), text)
        events.append(event)
    context = {"places": all_places, "dates": all_dates, "people": all_people}
    return events, context


def _words(text: str) -> str:
    """Spans keep the original characters; values for people read with plain single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def _speaker(text: str, s: int, e: int, people: list[Mention]) -> Mention | None:
    """The person the sentence says announced/said/stated something."""
    sentence = text[s:e]
    if not re.search(r"\b(said|says|announced|stated|told|called|declared|added|noted)\b", sentence):
        return None
    return people[-1] if people else None


def _event_date(dates: list[DateMention], published: dt.date | None) -> DateMention | None:
    if not dates:
        return None
    day = [d for d in dates if d.precision == "day"]
    return (day or dates)[0]


def _fallback_places(places: list[PlaceMention], before: int) -> list[PlaceMention]:
    """A sentence naming no place happens where the article last placed things."""
    earlier = [p for p in places if p.start < before and p.kind not in ("country", "foreign")]
    return earlier[-1:] if earlier else []


def _mandate(event: NewsEvent, text: str, spans: list[tuple[int, int]], index: int) -> None:
    """Who patrols where, as the source words it: 'Russia … along the borders of Idlib'."""
    s = spans[index][0]
    e = spans[index + 1][1] if index + 1 < len(spans) else spans[index][1]
    for m in MANDATE.finditer(text, s, e):
        who = "russia" if "russia" in m.group("who").lower() else "turkey"
        what = m.group("what").strip(" ,–-")
        if not any(x["force"] == who for x in event.mandate):
            event.mandate.append({"force": who, "text": _words(what)})
            event.cite(f"mandate:{who}", m.start("what"), m.end("what"), text)


def _zones_into(agreement: NewsEvent, text: str, spans: list[tuple[int, int]], index: int,
                places: list[PlaceMention]) -> None:
    """'The first zone includes …; the second zone is …' after an agreement: its zones, with their places."""
    for s, e in spans[index:index + 4]:
        matches = list(ORDINAL.finditer(text, s, e))
        for k, m in enumerate(matches):
            if any(z["number"] == m.group("n").lower() for z in agreement.zones):
                continue
            end = matches[k + 1].start() if k + 1 < len(matches) else e
            clause = (m.start(), end)
            found = [p for p in places if clause[0] <= p.start < clause[1] and p.kind != "foreign"]
            agreement.zones.append({"number": m.group("n").lower(), "text": _words(text[clause[0]:clause[1]]).strip(" ;,."),
                                    "places": [p.text for p in found], "span": list(clause)})
            agreement.cite(f"zone:{m.group('n').lower()}", clause[0], clause[1], text)
        count = re.search(r"\b(two|three|four|five|\d+)\s+(?:security|de-escalation)?\s*zones\b", text[s:e], re.I)
        if count:
            agreement.cite("zone-count", s + count.start(), s + count.end(), text)
