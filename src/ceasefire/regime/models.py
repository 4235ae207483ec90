"""A ceasefire regime as data: parties, agreements, zones, rules and patrol mandates.

These pydantic models are the contract of a regime file (YAML); `ceasefire regime schema`
prints them as JSON Schema. Dates are inclusive: a zone with ``valid_to: 2018-04-14`` is in
force on that day and ended the next. Times, where an agreement gives one (the Moscow
ceasefire from 00:01), are kept: a time with an offset is that instant; a time without one, and
every date, is read in the regime's ``timezone`` (see :mod:`ceasefire.regime.clock`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag, ValidationInfo, field_validator,
                      model_validator)

from ..events.taxonomy import EVENT_KINDS, WEAPON_CLASSES
from .clock import When, in_period, moment_after, moment_before, zone_info

Direction = Literal["N", "NE", "E", "SE", "S", "SW", "W", "NW"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --------------------------------------------------------------------------- geometry expressions


def _as_list(value: Any) -> Any:
    """One name may be written without a list."""
    return [value] if isinstance(value, str) else value


class AdminSpec(Strict):
    names: list[str] = Field(min_length=1, description="unit names in any known spelling, or P-codes")
    level: Literal[1, 2, 3] | None = Field(None, description="1 governorate, 2 district, 3 sub-district")
    within: str | None = Field(None, description="only units inside this unit (disambiguates names)")

    _one_name = field_validator("names", mode="before")(lambda v: _as_list(v))


class AdminExpr(Strict):
    admin: AdminSpec

    @field_validator("admin", mode="before")
    @classmethod
    def _short(cls, v: Any) -> Any:
        return {"names": v} if isinstance(v, (str, list)) else v


class PartOfSpec(Strict):
    parent: str | list[str]
    parent_level: Literal[1, 2] | None = None
    level: Literal[2, 3] = Field(description="level of the child units to choose")
    direction: Direction
    half_angle: float = Field(45.0, gt=0, lt=90, description="cone half-width in degrees around the direction")
    exclude: list[str] = Field(default_factory=list)


class PartOfExpr(Strict):
    part_of: PartOfSpec


class BandAlongSpec(Strict):
    inside: GeometryExpr | None = Field(None, description="the area the band lies in (optional with `line`)")
    boundary_with: GeometryExpr | None = Field(None, description="the band runs along the shared boundary")
    road: str | None = Field(None, description="or along a road (the regime's own, or a shipped one)")
    line: GeometryExpr | None = Field(None, description="or along any line expression, e.g. a line file")
    side: Literal["both", "left", "right"] = Field("both", description=(
        "with a line and no `inside`: the band on the left or right of the line as it runs, or on both"))
    depth_km: float = Field(gt=0, description="depth at which the band is drawn")
    min_depth_km: float | None = Field(None, gt=0, description="the agreement's lower bound, if it gives a range")

    @model_validator(mode="after")
    def _one_line(self) -> BandAlongSpec:
        given = [k for k in ("boundary_with", "road", "line") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of boundary_with, road, line (got {given or 'none'})")
        if self.boundary_with is not None and self.inside is None:
            raise ValueError("boundary_with needs an inside area")
        if self.inside is None and self.line is None and self.road is None:
            raise ValueError("a band needs an inside area or a line")
        if self.min_depth_km is not None and self.min_depth_km > self.depth_km:
            raise ValueError("min_depth_km is larger than depth_km")
        return self


class BandAlongExpr(Strict):
    band_along: BandAlongSpec


class CorridorSpec(Strict):
    road: str
    from_: str = Field(alias="from")
    to: str
    width_km: float = Field(gt=0, description="on each side of the road")


class CorridorExpr(Strict):
    corridor: CorridorSpec


class AroundSpec(Strict):
    places: list[str] = Field(min_length=1, description="gazetteer places (any known spelling)")
    km: float = Field(gt=0, description="radius around each place")

    _one_place = field_validator("places", mode="before")(lambda v: _as_list(v))


class AroundExpr(Strict):
    around: AroundSpec


class HeldSpec(Strict):
    zone: str = Field(description="a zone that follows control")
    at: When = Field(description="the moment whose ground is meant (a date: the end of that day)")


class HeldExpr(Strict):
    held: HeldSpec


class LineOfContactExpr(Strict):
    line_of_contact: HeldSpec


class FileSpec(Strict):
    path: str = Field(description="GeoJSON or GeoPackage, relative to the regime file")


class FileExpr(Strict):
    file: FileSpec


class ZoneRefExpr(Strict):
    zone: str


class UnionExpr(Strict):
    union: list[GeometryExpr] = Field(min_length=1)


class IntersectionExpr(Strict):
    intersection: list[GeometryExpr] = Field(min_length=1)


class DifferenceExpr(Strict):
    difference: list[GeometryExpr] = Field(min_length=2)


_OPERATORS = ("admin", "part_of", "band_along", "corridor", "around", "held", "line_of_contact", "file", "zone",
              "union", "intersection", "difference")


def _operator(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        (key,) = value
        return key if key in _OPERATORS else None
    if isinstance(value, BaseModel):
        return next(iter(type(value).model_fields))
    return None


GeometryExpr = Annotated[
    Annotated[AdminExpr, Tag("admin")]
    | Annotated[PartOfExpr, Tag("part_of")]
    | Annotated[BandAlongExpr, Tag("band_along")]
    | Annotated[CorridorExpr, Tag("corridor")]
    | Annotated[AroundExpr, Tag("around")]
    | Annotated[HeldExpr, Tag("held")]
    | Annotated[LineOfContactExpr, Tag("line_of_contact")]
    | Annotated[FileExpr, Tag("file")]
    | Annotated[ZoneRefExpr, Tag("zone")]
    | Annotated[UnionExpr, Tag("union")]
    | Annotated[IntersectionExpr, Tag("intersection")]
    | Annotated[DifferenceExpr, Tag("difference")],
    Discriminator(
        _operator,
        custom_error_type="geometry_operator",
        custom_error_message=f"expected a mapping with one operator: {', '.join(_OPERATORS)}",
    ),
]

for _model in (BandAlongSpec, UnionExpr, IntersectionExpr, DifferenceExpr):
    _model.model_rebuild()


# --------------------------------------------------------------------------- the regime


class Party(Strict):
    id: str
    name: str
    roles: list[Literal["signatory", "guarantor", "belligerent", "observer", "civilian"]] = Field(min_length=1)
    side: str | None = Field(None, description="a grouping rules can name, e.g. government, opposition")
    designation: Literal["designated-terrorist"] | None = None
    actors: list[str] = Field(default_factory=list, description="dataset actor names that mean this party")
    mentions: list[str] = Field(default_factory=list, description=(
        "words a source's own text (UCDP source_headline, ACLED notes) uses for this party, e.g. HTS, Nusra; "
        "its actor names count too"))


class Agreement(Strict):
    id: str
    title: str
    short: str | None = Field(None, description="the name monitors use, e.g. 'Sochi memorandum'")
    signed: dt.date
    in_force_from: When
    in_force_to: dt.date | None = None
    renewal: str | None = None
    amends: list[str] = Field(default_factory=list)
    parties: list[str] = Field(default_factory=list)
    guarantors: list[str] = Field(default_factory=list)
    provisions: dict[str, str] = Field(default_factory=dict, description="provision id → what it says")
    source: str | None = None


class Zone(Strict):
    id: str
    name: str
    kind: Literal["de-escalation", "demilitarized", "security-corridor", "buffer", "other"]
    established_by: str
    valid_from: When = Field(description="a date (in force from its start) or a date and time")
    valid_to: When | None = Field(None, description="last day in force (or the last instant); empty while it lasts")
    end_note: str | None = Field(None, description="why and how the zone ended")
    approximate: bool = False
    method: str | None = Field(None, description="how an approximate geometry was derived")
    geometry: GeometryExpr
    follows_control: str | None = Field(None, description=(
        "a side or party: the zone covers only the ground it holds inside the defined area, as the regime's "
        "`control` changes record (an Astana zone covers what the opposition holds)"))
    notes: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Zone:
        if self.valid_to is not None and as_day(self.valid_to) < as_day(self.valid_from):
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        if self.approximate and not self.method:
            raise ValueError("an approximate zone needs a method saying how it was derived")
        if self.valid_to is not None and not self.end_note:
            raise ValueError("a zone that ended needs an end_note saying why")
        return self

    def in_force(self, at: When, timezone: str = "UTC") -> bool:
        """In force at any moment of a day, or at an instant (a naive time is read in ``timezone``)."""
        return in_period(at, self.valid_from, self.valid_to, timezone)


class RegimePlace(Strict):
    """A place the regime needs that the shipped gazetteer lacks (a village, a crossing, a base)."""

    name: str
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    alternates: list[str] = Field(default_factory=list, description="other spellings")
    source: str = Field(min_length=3, description="where the coordinates come from")


class ControlChange(Strict):
    """A dated change of who holds ground: an area (any geometry expression) taken by a side."""

    id: str
    area: GeometryExpr
    at: When = Field(description="the day (or the time) the side took the area")
    held_by: str = Field(description="the side or party id that holds the area from then on")
    source: str = Field(min_length=3, description="who reported it, so a reader can check")
    approximate: bool = Field(True, description="the area stands for the ground that changed hands, not a surveyed line")
    note: str | None = None


class RuleException(Strict):
    against: list[str] = Field(min_length=1, description="party ids, sides or designations targeted")
    reason: str


class Suspension(Strict):
    """A time the rule did not apply: suspended from ``from``, resumed after ``until`` (empty: never)."""

    from_: When = Field(alias="from")
    until: When | None = Field(None, description="the last day (or moment) of the suspension")
    reason: str = Field(min_length=3)


class Umbrella(Strict):
    """A dataset actor name that may hide other parties (UCDP's "Syrian insurgents" may include HTS)."""

    actor: str = Field(description="the actor name as datasets write it")
    may_include: list[str] = Field(min_length=1, description="party ids the name may cover")
    note: str | None = None


class Rule(Strict):
    id: str
    agreement: str
    provision: str
    zones: list[str] = Field(min_length=1)
    forbidden: list[str] = Field(min_length=1, description="event kinds: a group, a type or a sub-type")
    between: list[str] = Field(default_factory=list, description=(
        "two names (party ids, sides or designations): hostilities between one and the other, either order"))
    by: list[str] = Field(default_factory=list, description=(
        "who must not act (the perpetrator): party ids, sides or designations; empty = anyone"))
    against: list[str] = Field(default_factory=list, description=(
        "against whom (the target): party ids, sides or designations; empty = anyone"))
    weapons: list[str] = Field(default_factory=list, description=(
        "weapon classes (a class covers the classes below it: heavy → artillery, mortar, tank, mlrs → heavy-mlrs, "
        "tactical-missile; aircraft → fixed-wing, helicopter; drone; small-arms; explosive); empty = any weapon"))
    from_: When = Field(alias="from")
    until: When | None = Field(None, description="last day (or instant) the rule applies; empty while it lasts")
    suspensions: list[Suspension] = Field(default_factory=list, description=(
        "times the rule did not apply (a truce broken off and resumed): its in-force periods are the gaps"))
    exceptions: list[RuleException] = Field(default_factory=list)
    on_patrol: bool = Field(False, description="only events that are incidents on a guarantor patrol")
    presence: bool = Field(False, description=(
        "the rule keeps forces or weapons out of the zone: an event shows them there when they are either "
        "side of it, but fire that struck inside (shelling, air and drone strikes) may have come from outside"))
    summary: str = Field(description="what is forbidden, in a sentence a monitor would write")

    @field_validator("forbidden")
    @classmethod
    def _known_kinds(cls, v: list[str]) -> list[str]:
        unknown = [k for k in v if k not in EVENT_KINDS]
        if unknown:
            raise ValueError(f"unknown event kind(s) {unknown}; known: {', '.join(sorted(EVENT_KINDS))}")
        return v

    @model_validator(mode="after")
    def _sides_and_period(self) -> Rule:
        if self.between and len(self.between) != 2:
            raise ValueError(f"between names two sides (got {len(self.between)}: {self.between})")
        if self.until is not None and as_day(self.until) < as_day(self.from_):
            raise ValueError(f"until {self.until} is before from {self.from_}")
        for s in self.suspensions:
            if s.until is not None and as_day(s.until) < as_day(s.from_):
                raise ValueError(f"a suspension's until {s.until} is before its from {s.from_}")
            if as_day(s.from_) <= as_day(self.from_) or (self.until is not None and as_day(s.from_) > as_day(self.until)):
                raise ValueError(f"a suspension from {s.from_} lies outside the rule's period")
        return self

    def periods(self) -> list[tuple[When, When | None]]:
        """The rule's in-force periods: from ``from`` to ``until``, less its suspensions (ends inclusive)."""
        periods: list[tuple[When, When | None]] = []
        start: When | None = self.from_
        for s in sorted(self.suspensions, key=lambda s: (as_day(s.from_), str(s.from_))):
            if start is not None:
                periods.append((start, moment_before(s.from_)))
            start = moment_after(s.until) if s.until is not None else None
        if start is not None:
            periods.append((start, self.until))
        return periods

    @field_validator("weapons")
    @classmethod
    def _known_weapons(cls, v: list[str]) -> list[str]:
        unknown = [k for k in v if k not in WEAPON_CLASSES]
        if unknown:
            raise ValueError(f"unknown weapon class(es) {unknown}; known: {', '.join(WEAPON_CLASSES)}")
        return v


class PatrolMandate(Strict):
    id: str
    agreement: str
    forces: list[str] = Field(min_length=1)
    kind: Literal["joint", "coordinated", "independent"]
    role: Literal["perimeter", "interior", "route"]
    zone: str | None = None
    road: str | None = None
    from_place: str | None = None
    to_place: str | None = None
    cadence: str | None = Field(None, description="e.g. weekly, daily")
    valid_from: dt.date
    valid_to: dt.date | None = None
    mandate: str | None = Field(None, description="the duty as the source words it")

    @model_validator(mode="after")
    def _where(self) -> PatrolMandate:
        if self.role == "route" and not (self.road and self.from_place and self.to_place):
            raise ValueError("a route patrol needs road, from_place and to_place")
        if self.role != "route" and not self.zone:
            raise ValueError(f"a {self.role} patrol needs a zone")
        return self


class Regime(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    description: str = ""
    timezone: str = Field("UTC", description=(
        "IANA time zone of the regime's dates and of events' local times, e.g. Asia/Damascus"))
    crs: str | None = Field(None, description=(
        "the metric CRS its geometry is computed in (e.g. EPSG:32637); empty: the UTM zone of its extent, "
        "or an azimuthal equidistant projection centred on it when it spans more than one zone's width"))
    roads: str | None = Field(None, description=(
        "a GeoJSON/GeoPackage of the regime's own roads (a `road` name per line), relative to the regime file"))
    parties: list[Party] = Field(min_length=1)
    agreements: list[Agreement] = Field(min_length=1)
    zones: list[Zone] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    patrols: list[PatrolMandate] = Field(default_factory=list)
    umbrellas: list[Umbrella] = Field(default_factory=list, description=(
        "actor names that may hide other parties; a verdict that depends on them says so"))
    places: list[RegimePlace] = Field(default_factory=list, description=(
        "places the regime's expressions name (`around`, `corridor`) beyond the shipped gazetteer"))
    control: list[ControlChange] = Field(default_factory=list, description=(
        "dated changes of who holds ground; zones with `follows_control` follow them"))
    area: GeometryExpr | None = Field(None, description=(
        "where the regime's events may lie, as a geometry expression like a zone's (e.g. "
        "{admin: {names: [Idlib, Aleppo], level: 1}}): ingest quarantines points outside it. Empty: the shipped "
        "country grown by 5 km (with every zone) when the zones are drawn on the shipped data, else the envelope "
        "of all the zones grown by 100 km"))
    _source: Any = PrivateAttr(default=None)  # the file it was read from: anchors file: paths
    _shapes: Any = PrivateAttr(default=None)  # its zones, once computed (zones.timeline.regime_shapes)
    _control: Any = PrivateAttr(default=None)  # its changes of control with their areas (zones.timeline)
    _ground: Any = PrivateAttr(default=None)  # its projection, places and roads (zones.ground)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, v: str) -> str:
        zone_info(v)
        return v

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Regime:
        if info.context and info.context.get("references") is False:  # the loader checks them itself
            return self
        problems = reference_problems(self.model_dump(by_alias=True))
        if problems:
            raise ValueError("; ".join(message for _, message in problems))
        return self

    def place_table(self) -> dict[str, tuple[float, float]]:
        """The regime's own places by name key (any listed spelling) → (lon, lat)."""
        from ..geodata.names import name_key

        return {name_key(n): (p.lon, p.lat) for p in self.places for n in (p.name, *p.alternates)}

    def zone(self, zone_id: str) -> Zone:
        return _by_id(self.zones, zone_id)

    def agreement(self, agreement_id: str) -> Agreement:
        return _by_id(self.agreements, agreement_id)


def suggest(name: object, known: Iterable[str]) -> str:
    """' (did you mean 'Homs'?)' when a known name is close to an unknown one, else ''."""
    import difflib

    close = difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def reference_problems(data: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """Every reference in a regime (as parsed) that names nothing: (where in the file, what is wrong).

    Works on raw data too, so that a file with field errors still gets its reference errors in the
    same round."""

    def items(kind: str) -> list[tuple[int, Mapping[str, Any]]]:
        value = data.get(kind) or []
        return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)] if isinstance(value, list) \
            else []

    def listed(item: Mapping[str, Any], key: str) -> list[Any]:
        value = item.get(key) or []
        return value if isinstance(value, list) else [value]

    problems: list[tuple[tuple[Any, ...], str]] = []
    for kind in ("parties", "agreements", "zones", "rules", "patrols", "control"):
        seen: dict[Any, int] = {}
        for i, item in items(kind):
            if item.get("id") in seen:
                problems.append(((kind, i, "id"), f"{kind}[{i}]: duplicate id {item.get('id')!r} "
                                                  f"(also {kind}[{seen[item.get('id')]}])"))
            seen.setdefault(item.get("id"), i)
    parties = {p.get("id") for _, p in items("parties")}
    names = parties | {p.get("side") for _, p in items("parties") if p.get("side")} | {
        p.get("designation") for _, p in items("parties") if p.get("designation")}
    agreements = {a.get("id") for _, a in items("agreements")}
    zones = {z.get("id") for _, z in items("zones")}

    def check(loc: tuple[Any, ...], value: Any, known: set[Any], what: str) -> None:
        if value not in known:
            choices = sorted(str(k) for k in known if k)
            problems.append((loc, f"{what} {value!r} is not defined{suggest(value, choices)}"))

    for i, a in items("agreements"):
        for key in ("parties", "guarantors"):
            for j, p in enumerate(listed(a, key)):
                check(("agreements", i, key, j), p, parties, f"agreement {a.get('id')}: party")
        for j, x in enumerate(listed(a, "amends")):
            check(("agreements", i, "amends", j), x, agreements, f"agreement {a.get('id')}: amended agreement")
    for i, z in items("zones"):
        check(("zones", i, "established_by"), z.get("established_by"), agreements, f"zone {z.get('id')}: agreement")
        if z.get("follows_control"):
            check(("zones", i, "follows_control"), z.get("follows_control"), names, f"zone {z.get('id')}: side")
    for i, r in items("rules"):
        check(("rules", i, "agreement"), r.get("agreement"), agreements, f"rule {r.get('id')}: agreement")
        for j, z in enumerate(listed(r, "zones")):
            check(("rules", i, "zones", j), z, zones, f"rule {r.get('id')}: zone")
        for key in ("between", "by", "against"):
            for j, b in enumerate(listed(r, key)):
                check(("rules", i, key, j), b, names, f"rule {r.get('id')}: '{key}' side")
        for k, e in enumerate(listed(r, "exceptions")):
            for j, x in enumerate(listed(e, "against") if isinstance(e, Mapping) else []):
                check(("rules", i, "exceptions", k, "against", j), x, names, f"rule {r.get('id')}: exception side")
    for i, m in items("patrols"):
        check(("patrols", i, "agreement"), m.get("agreement"), agreements, f"patrol {m.get('id')}: agreement")
        if m.get("zone"):
            check(("patrols", i, "zone"), m.get("zone"), zones, f"patrol {m.get('id')}: zone")
        for j, f in enumerate(listed(m, "forces")):
            check(("patrols", i, "forces", j), f, parties, f"patrol {m.get('id')}: force")
    for i, c in items("control"):
        check(("control", i, "held_by"), c.get("held_by"), names, f"control {c.get('id')}: held_by side")
    for i, u in items("umbrellas"):
        for j, p in enumerate(listed(u, "may_include")):
            check(("umbrellas", i, "may_include", j), p, parties, f"umbrella {u.get('actor')!r}: party")
    return problems


def as_day(when: When) -> dt.date:
    return when.date() if isinstance(when, dt.datetime) else when


def _by_id(items: list[Any], item_id: str) -> Any:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(item_id)
