"""Sentences → events: type, date, places, actors, claimant and channel, each with the spans it came from."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from .actors import Mention, find_channel, find_parties, find_people, find_quotes
from .article import Article
from .dates import DateMention, find_dates
from .places import PlaceMention, find_places, most_specific_first

SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[”\"’]?|\n|$)")
ATTACK_RULES: list[tuple[str, re.Pattern[str]]] = [  # (sub_event_type, pattern), first match wins
    ("remote-explosive", re.compile(r"\b(IED|improvised explosive|explosive device|blast|explosion|car bomb|"
                                    r"landmine|mine)\b", re.I)),
    ("air-strike", re.compile(r"\b(air ?strikes?|airstrikes?|warplanes?|jets|bombing|bombed|air/ground attacks|"
                              r"air raids?|drone strikes?|(?<!on )(?<!hunger )(?<!general )strikes?)\b", re.I)),
    ("shelling", re.compile(r"\b(shell(?:s|ed|ing)|artillery|rockets?|mortars?|missiles?)\b", re.I)),
    ("armed-clash", re.compile(r"\b(clash(?:es|ed)?|attack(?:ed|s)?|infiltrat\w*|assault(?:ed)?|fought|battles?|"
                               r"launched (?:an? )?(?:\w+ )?offensive|ambush\w*|fired (?:on|at|upon)|opened fire|"
                               r"pounded|bombard\w*|retaliat\w*)\b", re.I)),
]
# an attack named only as "an attack": the same event as a strike or shelling the article tells of
GENERIC_ATTACK = re.compile(r"\battack(?:ed|s)?\b", re.I)
SPECIFIC_CLASH = re.compile(r"\b(clash(?:es|ed)?|infiltrat\w*|assault(?:ed)?|fought|battles?|offensive|ambush\w*|"
                            r"fired (?:on|at|upon)|opened fire|pounded|bombard\w*|retaliat\w*)\b", re.I)
# a response is an act of its own, never the act it answers
RESPONSE = re.compile(r"\b(in response|retaliat\w*|responded|in return|replied)\b", re.I)
PATROL = re.compile(r"\bpatrol(?:s|ling|led)?\b", re.I)
CEASEFIRE = re.compile(r"\b(?:cease-?fires?|truce|armistice|cessation of hostilities)\b", re.I)
WITHDRAWAL = re.compile(r"\b(withdr[ae]w\w*|pull(?:ed|ing)? out|pullout|removed|removal)\b", re.I)
PROPOSAL = re.compile(r"\b(suggested|proposed|proposal)\b", re.I)
AGREEMENT = re.compile(r"\b(memorandum|agreement|deal|protocol|accord)\b.*?\b(sign\w*|agreed|reached|enshrin\w*|"
                       r"ratified|implemented|introduced)\b|\b(sign\w*|agreed|reached)\b.*?\b(memorandum|"
                       r"agreement|deal|protocol|accord)\b|\bagreed (?:to|on|that)\b", re.I)
# one side accepting a deal there is already: a statement, not an agreement
ACCEPTS = re.compile(r"\bagreed to (?:implement|abide by|comply with|respect|observe|honou?r|adhere to|accept)"
                     r"\s+(?:the|a|that|this|its)\s+(?:[\w-]+\s+){0,3}?(?:deal|agreement|memorandum|protocol|accord)\b", re.I)
_AGREEMENT_WORD = re.compile(r"memorand|agree|deal|protocol|accord|zone", re.I)
AGREEMENT_NOUN = re.compile(r"\b(?:memorandum|agreement|deal|protocol|accord)\b", re.I)
ZONES_CREATED = re.compile(r"\b(creation of|create|set(?:ting)? up|establish\w*)\b[^.]*\bzones?\b", re.I)
# what happened to a patrol or a ceasefire, first match wins
PATROL_STATUS = [
    ("suspended", re.compile(r"\b(suspend\w*|halt\w*|cut short|curtail\w*|postpon\w*|stopp\w*|cancel\w*|"
                             r"called off|interrupt\w*|abort\w*)\b", re.I)),
    ("carried out", re.compile(r"\b(held|hold|carried out|conducted|completed|launched|launch|began|begun|started|"
                               r"took place|covered|performed|was done|were done|are beginning|is beginning|"
                               r"have begun|has begun|staged|accompanied)\b", re.I)),
    ("planned", re.compile(r"\b(will|would|shall|to begin|to start|are to|is to|plan\w*|going to|scheduled|"
                           r"expected to|agreed to)\b", re.I)),
]
CEASEFIRE_STATUS = [
    ("violated", re.compile(r"\b(violat\w*|breach\w*|broken|broke|flout\w*)\b", re.I)),
    ("suspended", re.compile(r"\b(collaps\w*|suspend\w*|broke down|ended|ends|halted|no longer|over)\b", re.I)),
    ("resumed", re.compile(r"\b(resum\w*|restor\w*|reinstat\w*|return(?:ed)? to)\b", re.I)),
    ("declared", re.compile(r"\b(agreed|agrees?\s+(?:to|on)|announc\w*|declar\w*|introduc\w*|"
                            r"(?:will|to) be implemented|into (?:effect|force)|takes? effect|took effect|reached|brokered|began|begin|start\w*|"
                            r"observe)\b", re.I)),
]
FUTURE = re.compile(r"\b(will|shall|is to|are to|is due to|are due to|is set to|are set to|to begin|to start|"
                    r"scheduled|planned)\b", re.I)
HYPOTHETICAL = re.compile(r"\b(warn\w*|threat\w*|fear\w*|could|might|would|risk|possible|possibly|likely|"
                          r"ward off|prevent\w*|avert\w*|deter\w*|potential)\b", re.I)
DESPITE = re.compile(r"\b(despite|in violation of|violating)\b", re.I)
# what marks a sentence as recalling the past rather than reporting news
BACKGROUND = re.compile(r"\b(?:has|have|had)\s+(?:long|repeatedly|often|always|previously|consistently|"
                        r"continuously|frequently|been plagued)\b|\bpreviously\b|\bprevious\b|"
                        r"\bin recent (?:weeks|months|years)\b|\bis the (?:last|largest|biggest)\b", re.I)
NOT_DONE = re.compile(r"\b(?:refus\w*|fail\w*|declin\w*|not yet|did not|does not|has not|have not|yet to)\s+(?:to\s+)?"
                      r"(?:\w+\s+){0,2}?(?:withdr\w*|pull\w*|leave)|\byet to be\b|\bnot yet been\b", re.I)
# an agreement named as the frame of something else ("as part of a deal reached …"), not concluded here
AGREEMENT_REFERENCE = re.compile(r"\b(?:as part of|under|in line with|according to|within the framework of|in "
                                 r"accordance with|based on|part of)\s+(?:a|an|the|their|its)\s+(?:[\w-]+\s+){0,3}?"
                                 r"(?:deal|agreement|memorandum|protocol|accord)\b", re.I)
PATROL_ATTACKED = [
    re.compile(r"\b(?:attacks?|blasts?|explosions?|IED|ambush(?:es)?|hits?|targets?|targeted|struck|strikes?)\s+"
               r"(?:the\s+|a\s+)?(?:[\w-]+\s+){0,3}?patrols?\b", re.I),
    re.compile(r"\b(?:attack\w*|blast|explosion|IED|explosive device|ambush\w*|hit|targeted|targeting|struck|fired)"
               r"\b[^.;]{0,60}?\b(?:on|against|at|during|targeting|near|hitting)\s+(?:the\s+|a\s+|their\s+)?"
               r"(?:[\w-]+\s+){0,4}?"
               r"patrols?\b", re.I),
    re.compile(r"\bpatrols?\b[^.;]{0,40}?\b(?:was|were|came under|had been|has been|been)\s+(?:\w+\s+)?(?:attack\w*|"
               r"hit|targeted|struck|ambush\w*|shelled|fired)", re.I),
    re.compile(r"\b(?:attack\w*|blast|explosion|IED|ambush)\w*\s+(?:on|against)\s+(?:the\s+)?(?:[\w-]+\s+){0,4}?"
               r"(?:convoy|vehicle|servicem[ae]n|military|troops|soldiers)[^.;]{0,60}?\bpatrol", re.I),
]
RECENT_DAYS = 3  # news is of the last days: an event dated earlier than this before publication is recalled
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20}
_NUM = r"(?P<n>\d+|" + "|".join(NUMBER_WORDS) + r")"
_COUNT = r"(?P<n>\d+|" + "|".join(w for w in NUMBER_WORDS if w not in ("a", "an", "one")) + r")"  # a number, no noun
_HOW = r"(?:slightly|lightly|seriously|critically|badly|severely|mortally|fatally)"
_WHO = r"(?:[\w-]+\s+){0,3}?(?:people|civilians?|soldiers?|servicem[ae]n|troops?|fighters?|militants?|members?|" \
       r"rebels?|children|child|women|woman|men|man|boys?|girls?|persons?|military|personnel|officers?|rescuers?|" \
       r"policem[ae]n|workers?|others?)"
CASUALTIES = {  # "killing three civilians", "Two Turkish soldiers were killed", "the death of a civilian"
    "fatalities": [re.compile(rf"\b(?:left|leaving)\s+(?:at least\s+)?{_NUM}\s+{_WHO}\s+(?:dead|killed)", re.I),
                   re.compile(rf"\b(?:killing|killed|kills|kill|claimed the lives of)\s+(?:at least\s+|some\s+|"
                              rf"nearly\s+|about\s+)?{_NUM}\s+{_WHO}", re.I),
                   re.compile(rf"\b(?:at least\s+)?{_NUM}\s+{_WHO}\s+(?:were|was|have been|had been|are)?\s*"
                              rf"(?:{_HOW}\s+)?(?:killed|dead|died)", re.I),
                   re.compile(rf"\bdeaths? of\s+{_NUM}\s+{_WHO}", re.I),
                   re.compile(rf"\b(?:killing|kills|killed)\s+(?:at least\s+)?{_COUNT}"
                              r"(?=\s+(?:in|on|at|near|and)\b|[,.;])", re.I),  # "killing at least 33, …", "kills five in Idlib"
                   re.compile(r"\bno (?:deaths|fatalities|casualties|dead)\b|\bwithout (?:casualties|loss of life)\b|"
                              r"\bnot (?:led to|lead to|caused|cause) any (?:casualties|deaths)\b|"
                              r"\bno (?:one|body) was killed\b|"
                              r"\b(?:no|none of the)\s+(?:[\w-]+\s+){0,3}?(?:were|was)\s+killed\b", re.I)],  # none: 0
    "injured": [re.compile(rf"\b(?:left|leaving)\s+(?:at least\s+)?{_NUM}\s+{_WHO}\s+(?:injured|wounded)", re.I),
                re.compile(rf"\b(?:injuring|wounding|injured|wounded)\s+(?:at least\s+|some\s+|"
                           rf"nearly\s+|about\s+)?{_NUM}\s+{_WHO}(?!\s+(?:were|was)?\s*(?:killed|dead))", re.I),
                re.compile(rf"\b(?:at least\s+)?{_NUM}\s+{_WHO}\s+(?:were|was|have been|had been|are)?\s*"
                           rf"(?:{_HOW}\s+)?(?:injured|wounded|hurt)", re.I),
                re.compile(r"\b(?:no|none of the)\s+(?:[\w-]+\s+){0,3}?(?:were|was)\s+(?:hurt|injured|wounded)\b|"
                           r"\bno (?:one|body) was (?:hurt|injured|wounded)\b|\bno injuries\b", re.I)],
}
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
    # for merging, not reported: an attack named only as "an attack"; an act answering another
    generic_attack: bool = field(default=False, repr=False)
    in_response: bool = field(default=False, repr=False)

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


def classify(sentence: str) -> tuple[str, str, str | None] | None:
    """(kind, sub_event_type, status) of a sentence, or None when it reports no event of a kind we know.

    A patrol or a ceasefire is what a sentence is about when it names one; an attack on a patrol is the
    patrol, attacked (its sub-type the attack's); withdrawing weapons is a withdrawal even when the
    weapons are rockets and mortars.
    """
    attack = next((sub for sub, pattern in ATTACK_RULES if pattern.search(sentence)), None)
    # an agreement needs one of its nouns or "agreed": most sentences have neither, and its patterns are slow
    agreed = _AGREEMENT_WORD.search(sentence) is not None and bool(
        AGREEMENT.search(sentence) or ZONES_CREATED.search(sentence)) and not ACCEPTS.search(sentence)
    if PATROL.search(sentence):
        attacked = any(pattern.search(sentence) for pattern in PATROL_ATTACKED)
        status = "attacked" if attacked else next((st for st, pattern in PATROL_STATUS if pattern.search(sentence)),
                                                  "carried out")
        if not (agreed and status == "planned"):  # "agreed to create a zone … with joint patrols": the agreement
            return "patrol", (attack if status == "attacked" and attack else "patrol"), status
    if CEASEFIRE.search(sentence) and not (agreed and AGREEMENT_NOUN.search(sentence)):
        status = next((st for st, pattern in CEASEFIRE_STATUS if pattern.search(sentence)), None)
        if attack and attack != "armed-clash" and (DESPITE.search(sentence) or status is None):
            return "attack", attack, None  # an attack despite the ceasefire: the attack is the event
        if status is not None:
            return "ceasefire", "agreement" if status != "violated" else "statement", status
    if WITHDRAWAL.search(sentence) and not NOT_DONE.search(sentence):
        return "withdrawal", "weapons-withdrawal", None
    if attack and not (HYPOTHETICAL.search(sentence) and attack == "armed-clash"):
        return "attack", attack, None
    if PROPOSAL.search(sentence):
        return "proposal", "proposal", None
    if agreed:
        return "agreement", "agreement" if AGREEMENT.search(sentence) else "zones-created", None
    return None


def extract(article: Article, published: dt.date | None,
            published_precision: str | None = None) -> tuple[list[NewsEvent], dict[str, Any]]:
    """Events of one article, and what the whole article says (places, people, dates, deadlines) for the report.

    ``published`` anchors relative dates ("on Friday"); an event the text does not date happened then, to
    ``published_precision`` (the article's, by default).
    """
    precision = published_precision or article.published_precision
    text = article.clean
    all_places = find_places(text)
    all_dates = find_dates(text, published)
    if published is not None and precision == "month":  # "on Tuesday" in a report known only to its month
        all_dates = [replace(d, date=published.replace(day=1), precision="month")
                     if d.kind in ("weekday", "relative") and d.precision in ("day", "week") else d for d in all_dates]
    all_people = find_people(text)
    events: list[NewsEvent] = []
    deadlines: list[dict[str, Any]] = []
    spans = sentences(text)
    people_in, dates_in, places_in = _by_sentence(all_people, spans), _by_sentence(all_dates, spans), \
        _by_sentence(all_places, spans)
    speakers = [_speaker(text, s, e, people_in[i]) for i, (s, e) in enumerate(spans)]
    for index, (s, e) in enumerate(spans):
        sentence = text[s:e]
        people = people_in[index]
        dates = [d for d in dates_in[index] if d.date]
        for d in dates:
            if d.role == "deadline":
                by = d.date.isoformat() if d.date else None
                deadlines.append({"what": _words(sentence), "by": by,
                                  "precision": d.precision, "span": [d.start, d.end], "sentence": [s, e]})
        # who said it: this sentence's speaker, else the next one's ("This was announced … by X"),
        # else the previous one's (a quote following its announcement)
        neighbours = [speakers[index], speakers[index + 1] if index + 1 < len(spans) else None,
                      speakers[index - 1] if index > 0 else None]
        speaker = next((x for x in neighbours if x is not None), None)
        kind = classify(sentence)
        if kind is None:
            # "Three Russian servicemen were slightly injured.": the toll of the event just told
            if events and events[-1].sentence[1] >= spans[max(0, index - 2)][0]:
                _casualties(events[-1], text, s, e, keep=True)
            continue
        if dates and all(d.role == "deadline" for d in dates) and kind[0] in ("withdrawal", "agreement"):
            continue  # "heavy weapons must be withdrawn by 10 October": the agreement's deadline, not an event
        if kind[1] == "zones-created" and events and events[-1].kind == "agreement":
            _zones_into(events[-1], text, spans, index, all_places)  # "The document involves the creation of …"
            continue
        event = NewsEvent(article.id, kind[0], kind[1], (s, e), status=kind[2])
        event.generic_attack = kind[1] == "armed-clash" and not SPECIFIC_CLASH.search(sentence) and bool(
            GENERIC_ATTACK.search(sentence))
        event.in_response = bool(RESPONSE.search(sentence))
        event.cite("sentence", s, e, text)
        event.places = _event_places(event.kind, places_in[index], all_places, s, spans)
        for p in event.places:
            if s <= p.start < e:
                event.cite("place", p.start, p.end, text)
        chosen = _event_date(dates, event.kind)
        if (chosen and chosen.date and published and event.kind in ("agreement", "ceasefire", "proposal")
                and chosen.date > published + dt.timedelta(days=1)):
            # "agreed to meet in July", "a ceasefire from Jan 12": what was agreed lies ahead, the agreeing is now
            event.extra["starts"] = chosen.date.isoformat()
            event.cite("start", chosen.start, chosen.end, text)
            chosen = None
        if (chosen and chosen.kind == "weekday" and chosen.date and published and chosen.date < published
                and FUTURE.search(sentence)):  # "patrols will begin on Sunday": the coming Sunday
            chosen = replace(chosen, date=chosen.date + dt.timedelta(days=7))
        if chosen:
            event.date, event.date_precision = chosen.date, chosen.precision
            event.cite("date", chosen.start, chosen.end, text)
        starts = [d for d in dates if d.role == "start"]
        if starts:
            event.extra["starts"] = starts[0].date.isoformat()  # type: ignore[union-attr]
            event.cite("start", starts[0].start, starts[0].end, text)
        event.role = _role(sentence, dates, chosen, published, event.kind)
        if chosen is None and published and event.role == "main":
            event.date, event.date_precision = published, precision
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
        _casualties(event, text, s, e)
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
    _attach_deadlines(events, deadlines)
    context = {"places": all_places, "dates": all_dates, "people": all_people, "deadlines": deadlines}
    return events, context


def _event_places(kind: str, in_sentence: list[PlaceMention], places: list[PlaceMention], s: int,
                  spans: list[tuple[int, int]]) -> list[PlaceMention]:
    """Where it happened: the sentence's places in Syria first. The dateline is where the report was filed and
    a foreign city is where talks were held: an agreement may stand there, an attack or a patrol never."""
    inside = [p for p in in_sentence if not p.extra.get("dateline")]
    # the most precise first; "on the M4 highway": the road, when nothing nearer is named
    local = most_specific_first([p for p in inside if p.kind not in ("country", "foreign")])
    if local:
        return local + [p for p in inside if p.kind == "foreign" and kind in ("agreement", "proposal")]
    if kind in ("agreement", "proposal"):
        foreign = [p for p in inside if p.kind == "foreign"]
        countries = [p for p in inside if p.kind == "country"]
        if foreign or countries:
            return foreign or countries[:1]
    return _fallback_places(places, s, spans)


def _role(sentence: str, dates: list[DateMention], chosen: DateMention | None, published: dt.date | None,
          kind: str = "") -> str:
    """main: news of the days around publication; background: what the article recalls."""
    if any(d.role == "since" for d in dates) or BACKGROUND.search(sentence):
        return "background"
    if kind == "agreement" and chosen is None and AGREEMENT_REFERENCE.search(sentence):
        return "background"
    if chosen is not None and published is not None and chosen.date is not None:
        span = {"day": 0, "week": 6, "month": 30, "year": 364}.get(chosen.precision, 0)
        end = chosen.date + dt.timedelta(days=span)
        if (chosen.precision == "month" and (chosen.date.year, chosen.date.month) < (published.year, published.month)
                or chosen.precision != "month" and end < published - dt.timedelta(days=RECENT_DAYS)):
            return "background"
    return "main"


_ANY_CASUALTY = re.compile(r"kill|dead|died|death|wound|injur|hurt|casualt|fatalit", re.I)


def _casualties(event: NewsEvent, text: str, s: int, e: int, keep: bool = False) -> None:
    """Fatalities and injured the sentence counts ("killing three civilians", "no deaths"), each cited;
    ``keep``: only fill counts the event does not have yet."""
    if not _ANY_CASUALTY.search(text, s, e):
        return
    for field_, patterns in CASUALTIES.items():
        if keep and getattr(event, field_) is not None:
            continue
        for pattern in patterns:
            m = pattern.search(text, s, e)
            if m:
                n = (m.groupdict().get("n") or "0").lower()  # "no deaths": a count of 0
                setattr(event, field_, int(n) if n.isdigit() else NUMBER_WORDS.get(n, 0))
                event.cite(field_, m.start(), m.end(), text)
                break


def _attach_deadlines(events: list[NewsEvent], deadlines: list[dict[str, Any]]) -> None:
    """A deadline belongs to the agreement the article names before it (else the first after it)."""
    agreements = [ev for ev in events if ev.kind in ("agreement", "ceasefire")]
    for deadline in deadlines:
        before = [ev for ev in agreements if ev.sentence[0] <= deadline["sentence"][0]]
        owner = before[-1] if before else (agreements[0] if agreements else None)
        if owner is not None:
            owner.deadlines.append({k: v for k, v in deadline.items() if k != "sentence"})


def _words(text: str) -> str:
    """Spans keep the original characters; values for people read with plain single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def _speaker(text: str, s: int, e: int, people: list[Mention]) -> Mention | None:
    """The person the sentence says announced/said/stated something."""
    sentence = text[s:e]
    if not re.search(r"\b(said|says|announced|stated|told|called|declared|added|noted)\b", sentence):
        return None
    return people[-1] if people else None


def _by_sentence(mentions: list[Any], spans: list[tuple[int, int]]) -> list[list[Any]]:
    """Mentions (sorted by start) grouped by the sentence they start in: one pass, not one per sentence."""
    out: list[list[Any]] = [[] for _ in spans]
    starts = [s for s, _ in spans]
    for m in mentions:
        i = bisect.bisect_right(starts, m.start) - 1
        if i >= 0 and m.start < spans[i][1]:
            out[i].append(m)
    return out


def _event_date(dates: list[DateMention], kind: str = "") -> DateMention | None:
    """When it happened: a date the sentence gives for it, the day before the month; never a deadline, a
    start ("from Jan 12") or a "since" only when nothing else dates it. The date of an agreement the
    sentence refers to ("the deal reached on March 5") dates only an agreement or a ceasefire."""
    own = ("event", "reference") if kind in ("agreement", "ceasefire") else ("event",)
    later = ("reference",) if kind in ("agreement", "ceasefire") else ("start", "reference")  # a truce starting
    usable = ([d for d in dates if d.role in own] or [d for d in dates if d.role in later]
              or [d for d in dates if d.role == "since"])  # "Since May 2017, a memorandum …": it began then
    day = [d for d in usable if d.precision == "day"]
    return (day or usable or [None])[0]


def _fallback_places(places: list[PlaceMention], before: int,
                     spans: list[tuple[int, int]]) -> list[PlaceMention]:
    """A sentence naming no place happens where the article last placed things (the most precise place of
    the last sentence that named one), else where it first does. Marked: the place is the context's."""
    local = [p for p in places if p.kind not in ("country", "foreign", "road") and not p.extra.get("dateline")]
    earlier = [p for p in local if p.start < before]
    if earlier:
        last = earlier[-1]
        start = next((s for s, e in spans if s <= last.start < e), last.start)
        chosen = most_specific_first([p for p in earlier if p.start >= start])[:1]
    else:
        chosen = local[:1]
    return [replace(p, extra={**p.extra, "from_context": True}) for p in chosen]


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
