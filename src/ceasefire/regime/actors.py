"""Dataset actor names → a regime's parties.

A regime lists, for each party, the names datasets use for it (``actors``). An event's actor
field may name several groups ("National Front for Liberation, SNA"); each is looked up and
the first that maps gives the party. Names that map to nothing are counted so the user can
extend the regime's lists.
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


class ActorMap:
    def __init__(self, regime: Regime):
        self.regime = regime

    @cached_property
    def _by_name(self) -> dict[str, Party]:
        table: dict[str, Party] = {}
        for party in self.regime.parties:
            for name in (party.id, party.name, *party.actors):
                table.setdefault(actor_key(name), party)
        return table

    def party(self, field: str | None) -> Party | None:
        """The party an actor field means: the whole field first, then each named group in turn."""
        if not field:
            return None
        whole = self._by_name.get(actor_key(field))
        if whole:
            return whole
        for part in split_actors(field):
            hit = self._by_name.get(actor_key(part))
            if hit:
                return hit
        return None

    def labels(self, field: str | None) -> frozenset[str]:
        """What rules may call the actor: its party id, side and designation."""
        party = self.party(field)
        if party is None:
            return frozenset()
        return frozenset(x for x in (party.id, party.side, party.designation) if x)

    def unmapped(self, fields: Iterable[str | None]) -> Counter[str]:
        """Names (each group of a multi-actor field) that map to no party, with their counts."""
        counts: Counter[str] = Counter()
        for field, n in Counter(f for f in fields if f).items():
            if self.party(field) is None:
                for part in split_actors(field) or [field]:
                    counts[part] += n
        return counts
