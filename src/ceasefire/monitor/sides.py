"""Who against whom: each event's two sides as a regime's rules name them.

A side is certain to be a name (party id, side or designation) when its actor field maps to a
party carrying it, or when the field is an umbrella (UCDP's "Syrian insurgents") that may hide a
party and the source's own text (UCDP headline, ACLED notes) names that party. It *may* be one
when the umbrella may hide it and the text does not say, or when the source leaves the actor empty.
"""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from ..regime.actors import ActorMap, party_labels
from ..regime.models import Party
from .columns import EventColumns


class Sides:
    def __init__(self, actors: ActorMap, cols: EventColumns):
        self.actors = actors
        self.n = cols.n
        self.codes: list[np.ndarray] = []
        self.names: list[list[str]] = []
        self.labels: list[list[frozenset[str]]] = []
        self.hidden: list[list[list[Party]]] = []
        self.empty: list[np.ndarray] = []
        # per side and hidden party id: the rows whose umbrella actor may hide it, and those whose text names it
        self.hides: list[dict[str, np.ndarray]] = []
        self.named: list[dict[str, np.ndarray]] = []
        for column in ("actor1", "actor2"):
            codes, values = cols.codes(column)
            uniques = [str(u) for u in values]
            self.codes.append(codes)
            self.names.append(uniques)
            self.labels.append([actors.labels(u) for u in uniques])
            hidden = [actors.hidden(u) for u in uniques]
            self.hidden.append(hidden)
            self.empty.append(codes < 0)
            hides: dict[str, np.ndarray] = {}
            named: dict[str, np.ndarray] = {}
            for party in {p.id: p for ps in hidden for p in ps}.values():
                table = np.array([party in ps for ps in hidden] + [False])
                rows = table[codes]
                hides[party.id] = rows
                mentioned = np.zeros(self.n, bool)
                at = np.flatnonzero(rows)
                if at.size:
                    hit = pc.match_substring_regex(cols.take("notes", at), actors.mention_pattern(party))
                    mentioned[at] = pc.fill_null(hit, False).to_numpy(zero_copy_only=False)
                named[party.id] = mentioned
            self.hides.append(hides)
            self.named.append(named)

    def _hidden(self, side: int, names: set[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each hidden party that is one of ``names``: (rows whose umbrella may hide it, rows whose text
        names it)."""
        by_id = {p.id: p for p in self.actors.regime.parties}
        return [(rows, self.named[side][party_id]) for party_id, rows in self.hides[side].items()
                if party_labels([by_id[party_id]]) & names]

    def certain(self, side: int, names: set[str]) -> np.ndarray:
        """Rows whose side ``side`` (0 or 1) is certainly one of ``names``."""
        table = np.array([bool(labels & names) for labels in self.labels[side]] + [False])
        return table[self.codes[side]] | self.named_in_text(side, names)

    def maybe(self, side: int, names: set[str], empty_counts: bool = True) -> np.ndarray:
        """Rows whose side may be one of ``names`` but is not certainly: an umbrella that may hide such a
        party the text does not name, or (with ``empty_counts``) an actor the source leaves empty."""
        out = self.empty[side].copy() if empty_counts else np.zeros(self.n, bool)
        for rows, named in self._hidden(side, names):
            out |= rows & ~named
        return out & ~self.certain(side, names)

    def named_in_text(self, side: int, names: set[str]) -> np.ndarray:
        """Rows where the side is one of ``names`` because the source's text names a party its umbrella hides."""
        out = np.zeros(self.n, bool)
        for rows, named in self._hidden(side, names):
            out |= rows & named
        return out

    def parties(self, side: int, code: int) -> list[Party]:
        return self.actors.parties(self.names[side][code]) if code >= 0 else []

    def hidden_parties(self, side: int, code: int, names: set[str]) -> list[Party]:
        return [p for p in self.hidden[side][code] if party_labels([p]) & names] if code >= 0 else []
