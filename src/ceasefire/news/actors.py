"""Who: armed forces and governments (mapped to a regime's parties), named people with their roles,
and who said it through which channel."""

from __future__ import annotations

import re
from dataclasses import dataclass

PARTY_PATTERNS = {
    "russia": r"\b(?:Russia|Russian(?!\s+(?:state-controlled\s+)?news)|Moscow|Kremlin|Russian Federation)\b",
    "turkey": r"\b(?:Turkey|Turkish(?!\s+(?:state-run\s+)?news)|Ankara|Türkiye)\b",
    "iran": r"\b(?:Iran|Iranian|Tehran)\b",
    "syrian-government": r"\b(?:Syrian (?:army|government|regime|troops|forces|military)|Syria’s government|"
                         r"Syria's government|Assad(?:\s+regime)?|regime (?:troops|forces|warplanes|militias)|"
                         r"(?:[Rr]egime|[Gg]overnment) (?:shelling|air ?strikes?|airstrikes?|artillery|bombardment|"
                         r"rockets?|attacks?|jets|helicopters)|"
                         r"government (?:forces|troops)|Syrian Arab Army)\b",
    "armed-opposition": r"\b(?:rebels?|(?:armed )?opposition(?: forces| factions| groups)?|National Front for "
                        r"Liberation|Free Syrian Army|FSA)\b",
    "hts": r"\b(?:Hay[’']?(?:at|et) Tahrir al-Sham|HTS|Nusra(?: Front)?|Jabhat al-Nusra|Levant Liberation "
           r"Committee|al-Qaida-linked|al-Qaeda-linked|terrorists?)\b",
}
PEOPLE = {  # facts: who held which office in 2017–2020
    "Hulusi Akar": ("Minister of National Defense of Turkey", "turkey", ["Akar"]),
    "Vladimir Putin": ("President of Russia", "russia", ["Putin"]),
    "Recep Tayyip Erdogan": ("President of Turkey", "turkey", ["Erdogan", "Erdoğan", "Recep Tayyip Erdoğan"]),
    "Hassan Rouhani": ("President of Iran", "iran", ["Rouhani"]),
    "Sergey Lavrov": ("Foreign Minister of Russia", "russia", ["Lavrov", "Sergei Lavrov"]),
    "Sergei Shoigu": ("Defence Minister of Russia", "russia", ["Shoigu", "Sergey Shoigu"]),
    "Mevlut Cavusoglu": ("Foreign Minister of Turkey", "turkey", ["Mevlüt Çavuşoğlu", "Cavusoglu", "Çavuşoğlu"]),
    "Bashar al-Assad": ("President of Syria", "syrian-government", ["Bashar Assad", "President Assad"]),
    "Kairat Abdrakhmanov": ("Foreign Minister of Kazakhstan", None, ["Abdrakhmanov"]),
}
CHANNELS = r"(TASS|RIA(?: Novosti)?|Anadolu(?: news)?(?: Agency| agency)?|SANA|Reuters|AP|Sputnik|Interfax|" \
           r"RT|Xinhua|AFP)"
CHANNEL = re.compile(
    rf"(?:according to|as cited by|cited by|reported by|recorded by|quoted by|carried by|citing)\s+"
    rf"(?:a statement (?:recorded|carried|released) by\s+)?(?:the\s+)?(?:[\w\-’' ]{{0,60}}?(?:,\s*|\s+))?{CHANNELS}\b"
    rf"|\b{CHANNELS}\s+(?:cited|quoted|reported)|/{CHANNELS}/")
ROLE_BEFORE = re.compile(r"(?:the\s+)?(?P<role>(?:Minister|President|Foreign Minister|Defen[cs]e Minister|head|"
                         r"spokesman|leader|chief)[\w ]{0,60}?)\s+$")
QUOTE = re.compile(r"“[^”]{3,}”|\"[^\"]{3,}\"")


@dataclass
class Mention:
    start: int
    end: int
    text: str
    party: str | None
    person: str | None = None
    role: str | None = None


_PARTIES = [(party, re.compile(pattern)) for party, pattern in PARTY_PATTERNS.items()]
# every spelling of every person in one pattern, longest first, so "Recep Tayyip Erdogan" wins over "Erdogan"
_ALIASES = {alias: name for name, (_, _, aliases) in PEOPLE.items() for alias in (name, *aliases)}
_PEOPLE = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in sorted(_ALIASES, key=len, reverse=True)) + r")\b")


def find_parties(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    end = len(text) if end is None else end
    piece = text[start:end]
    out = [Mention(start + m.start(), start + m.end(), m.group(0), party)
           for party, pattern in _PARTIES for m in pattern.finditer(piece)]
    return sorted(out, key=lambda m: m.start)


def find_people(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    end = len(text) if end is None else end
    out: list[Mention] = []
    piece = text[start:end]
    for m in _PEOPLE.finditer(piece):
        s, e = start + m.start(), start + m.end()
        name = _ALIASES[m.group(0)]
        role, party, _ = PEOPLE[name]
        before = ROLE_BEFORE.search(text[max(start, s - 80):s])
        stated = before.group("role").strip() if before and not re.search(r"[.,;]", before.group(0)) else None
        out.append(Mention(s, e, m.group(0), party, name, stated or role))
    return out


_ANY_CHANNEL = re.compile(CHANNELS)


def find_channel(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    if not _ANY_CHANNEL.search(text, start, end):  # no agency named: the full pattern is not worth trying
        return None
    m = CHANNEL.search(text, start, end)
    if not m:
        return None
    name = next(g for g in m.groups() if g)
    span = next((m.start(i), m.end(i)) for i in range(1, len(m.groups()) + 1) if m.group(i))
    return name.split()[0] if name.startswith("Anadolu") else name, span[0], span[1]


def find_quotes(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in QUOTE.finditer(text, start, end)]
