"""The event taxonomy rules speak in: ACLED's event types and sub-types, plus weapon classes.

A rule may forbid a whole type (``battles``), a sub-type (``shelling``) or
``hostilities`` (battles, explosions and violence against civilians together).
"""

from __future__ import annotations

EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "battles": ("armed-clash", "government-regains-territory", "non-state-actor-overtakes-territory"),
    "explosions": ("air-strike", "drone-strike", "shelling", "remote-explosive", "suicide-bomb", "grenade"),
    "violence-against-civilians": ("attack", "abduction", "sexual-violence"),
    "strategic-developments": (
        "agreement", "patrol", "base-established", "weapons-withdrawal", "heavy-weapons-presence",
        "armed-presence", "headquarters-established", "non-violent-transfer", "zones-created", "proposal",
        "statement", "other",
    ),
    "protests": ("peaceful-protest", "protest-with-intervention"),
    "riots": ("violent-demonstration", "mob-violence"),
    # A dataset that codes deadly violence between two actors without saying how (UCDP state-based and
    # non-state events whose text names no single kind): "a fatal incident", nothing more.
    "organized-violence": ("fatal-incident",),
}
GROUPS: dict[str, tuple[str, ...]] = {
    "hostilities": ("battles", "explosions", "violence-against-civilians", "organized-violence"),
}
# Weapon classes form a small tree: a rule naming a class covers every class below it, and an event
# whose source names only a class above the rule's (shelling: "heavy", not which) may be the rule's.
# Minsk-style withdrawal lines need the finer classes: artillery of 100 mm and more, MLRS, heavy MLRS
# (Smerch, Uragan, Tornado) and tactical missiles each have their own distance.
WEAPON_TREE: dict[str, tuple[str, ...]] = {
    "heavy": ("artillery", "mortar", "tank", "mlrs", "tactical-missile"),
    "mlrs": ("heavy-mlrs",),
    "aircraft": ("fixed-wing", "helicopter"),
    "drone": (),
    "small-arms": (),
    "explosive": (),
}
WEAPON_PARENT: dict[str, str] = {child: parent for parent, children in WEAPON_TREE.items() for child in children}
WEAPON_CLASSES: tuple[str, ...] = tuple(dict.fromkeys([*WEAPON_TREE, *WEAPON_PARENT]))
# A sub-type that by itself tells the weapon class, when a dataset does not say it.
IMPLIED_WEAPON: dict[str, str] = {"shelling": "heavy", "air-strike": "aircraft", "drone-strike": "drone",
                                  "remote-explosive": "explosive", "heavy-weapons-presence": "heavy"}


def weapon_descendants(weapons: list[str] | tuple[str, ...]) -> frozenset[str]:
    """The classes and every class below them."""
    out: set[str] = set()
    todo = list(weapons)
    while todo:
        weapon = todo.pop()
        if weapon not in out:
            out.add(weapon)
            todo.extend(WEAPON_TREE.get(weapon, ()))
    return frozenset(out)


def weapon_ancestors(weapon: str) -> frozenset[str]:
    """The classes above a class (heavy-mlrs → mlrs, heavy)."""
    out = set()
    while weapon in WEAPON_PARENT:
        weapon = WEAPON_PARENT[weapon]
        out.add(weapon)
    return frozenset(out)


# Fire from a distance: such an event is placed where it struck, not where it was fired from.
REMOTE_KINDS = frozenset({"shelling", "air-strike", "drone-strike"})

SUBTYPE_TO_TYPE = {sub: typ for typ, subs in EVENT_TYPES.items() for sub in subs}
EVENT_KINDS = frozenset(EVENT_TYPES) | frozenset(SUBTYPE_TO_TYPE) | frozenset(GROUPS) | {"any"}


def expand_kinds(kinds: list[str] | tuple[str, ...]) -> frozenset[str]:
    """All sub-types a list of kinds (groups, types, sub-types, ``any``) covers."""
    out: set[str] = set()
    for kind in kinds:
        if kind == "any":
            return frozenset(SUBTYPE_TO_TYPE)
        for typ in GROUPS.get(kind, (kind,)):
            out.update(EVENT_TYPES.get(typ, (typ,)))
    return frozenset(out)
