"""Dataset actor names → a regime's parties.

A regime lists, for each party, the names datasets use for it (``actors``). An event's actor
field may name several groups ("Ahrar al-Sham, HTS"); every group is looked up and the field
means all the parties they map to. Names that map to nothing are counted so the user can
extend the regime's lists.

Some names are umbrellas: UCDP codes HTS inside "Syrian insurgents". The regime says which
(``umbrellas``); the monitor then reads the source's own text for the hidden parties' names
(``mentions``) and, where the text does not say, reports that the verdict depends on it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cached_property

from .models import Party, Regime

_SPLIT = re.compile(r"\s*[;,]\s*")


def actor_key(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


def split_actors(field: str | None) -> list[str]:
    return [part for part in _SPLIT.split(field or "") if part]


def party_labels(parties: Iterable[Party]) -> frozenset[str]:
    return frozenset(x for p in parties for x in (p.id, p.side, p.designation) if x)


class ActorMap:
    def __init__(self, regime: Regime):
        self.regime = regime

    @cached_property
    def _by_id(self) -> dict[str, Party]:
        return {p.id: p for p in self.regime.parties}

    @cached_property
    def _umbrellas(self) -> dict[str, list[Party]]:
        table: dict[str, list[Party]] = {}
        for umbrella in self.regime.umbrellas:
            table.setdefault(actor_key(umbrella.actor), []).extend(self._by_id[p] for p in umbrella.may_include)
        return table

    @cached_property
    def _by_name(self) -> dict[str, Party]:
        table: dict[str, Party] = {}
        for party in self.regime.parties:
            for name in (party.id, party.name, *party.actors):
                table.setdefault(actor_key(name), party)
        return table

    def parties(self, field: str | None) -> list[Party]:
        """Every party an actor field means: the whole field if it is one name, else each group it names."""
        if not field:
            return []
        whole = self._by_name.get(actor_key(field))
        if whole:
            return [whole]
        found: list[Party] = []
        for part in split_actors(field):
            hit = self._by_name.get(actor_key(part))
            if hit and hit not in found:
                found.append(hit)
        return found

    def party(self, field: str | None) -> Party | None:
        """The first party an actor field means (see :meth:`parties` for all)."""
        found = self.parties(field)
        return found[0] if found else None

    def labels(self, field: str | None) -> frozenset[str]:
        """What rules may call the actor: the ids, sides and designations of every party it names."""
        return party_labels(self.parties(field))

    def hidden(self, field: str | None) -> list[Party]:
        """Parties an umbrella name in the field may hide, less those the field names outright."""
        if not field:
            return []
        named = self.parties(field)
        hidden: list[Party] = []
        for part in {field, *split_actors(field)}:
            for party in self._umbrellas.get(actor_key(part), []):
                if party not in named and party not in hidden:
                    hidden.append(party)
        return hidden

    def mention_pattern(self, party: Party) -> str:
        """A regex (RE2 and Python alike) finding the party's names in free text: whole words, any case."""
        names = {n for n in (party.name, *party.actors, *party.mentions) if len(n) >= 3}
        names |= {n.split(":", 1)[0] for n in names if ":" in n}  # "HTS: Hayat Tahrir al-Sham" → HTS
        alternatives = "|".join(re.escape(n).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*")
                                for n in sorted(names, key=len, reverse=True))
        return rf"(?i)\b(?:{alternatives})\b"

    def unmapped(self, fields: Iterable[str | None]) -> Counter[str]:
        """Names (each group of a multi-actor field) that map to no party, with their counts."""
        counts: Counter[str] = Counter()
        for field, n in Counter(f for f in fields if f).items():
            if actor_key(field) in self._by_name or actor_key(field) in self._umbrellas:
                continue
            for part in split_actors(field) or [field]:
                key = actor_key(part)
                if key not in self._by_name and key not in self._umbrellas:
                    counts[part] += n
        return counts
