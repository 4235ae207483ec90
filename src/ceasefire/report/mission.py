"""The report a mission publishes for a period: what it says, as data (rendering is in :mod:`.render`).

:func:`build_report` reads the store's stored verdicts (the same ones `violations`, `summary` and the API
read, with their reviews) and the regime, and returns a :class:`MissionReport`:

1. the headline — violations by status and by review state, beside the previous period of the same length;
2. per zone in force: its shape at the period's end, the verdicts in it, its planned patrols, and counts by
   rule, by party in breach, by event type and by weapon class;
3. violations by day, stacked by status, for the period and the 30 days before;
4. the list of violations with time, place and its precision, the sentence, the sources, fatalities;
5. patrols: planned by mandate, driven and how completely (when tracks are given: :func:`driven_patrols`),
   incidents on patrol;
6. the regime's timeline within the period: agreements, deadlines, zones that started or ended;
7. method notes: the ingests read, what is approximate, the regime's content hash and the engine version.

Every number comes from the store (counted in SQL over the stored verdicts) or from the regime.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..regime.models import Regime, as_day
from ..store import Store
from ..store.records import STATUSES, VerdictFilter

CHART_DAYS_BEFORE = 30
REVIEW_STATES = ("verified", "disputed", "dismissed", "unreviewed")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before."""
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def label(self) -> str:
        if self.days == 1:
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    @classmethod
    def of(cls, day: dt.date, period: str) -> Period:
        """``day`` alone (``day``), or the ISO week (Monday to Sunday) holding it (``week``)."""
        if period == "day":
            return cls(day, day)
        monday = day - dt.timedelta(days=day.weekday())
        return cls(monday, monday + dt.timedelta(days=6))


@dataclass
class Change:
    """A count now, the same count in the previous period, and the change."""

    name: str
    now: int
    before: int

    @property
    def change(self) -> int:
        return self.now - self.before

    @property
    def change_text(self) -> str:
        if self.before == 0:
            return "new" if self.now else "—"
        return f"{self.change:+d} ({self.change / self.before:+.0%})"


@dataclass
class Count:
    key: str  # an id (a rule, a party, a type)
    label: str  # what a reader sees
    total: int
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class ZoneSection:
    zone_id: str
    name: str
    kind: str
    approximate: bool
    method: str | None
    valid_from: str
    valid_to: str | None
    started: bool  # the zone came into force during the period
    ended: bool  # the zone's last day falls in the period (it no longer holds after it)
    end_note: str | None
    ground_note: str | None  # the last recorded change of the ground it covers, when there is one
    shape: Any  # WGS84 geometry: the zone as at the period's last day in force
    counts: dict[str, int]  # by status
    by_rule: list[Count]
    by_party: list[Count]  # parties in breach
    by_event_type: list[Count]
    by_weapon: list[Count]
    verdicts: list[dict]  # the zone's verdicts of the period (lon, lat, status, review …): the map's points
    patrol_routes: list[Any]  # WGS84 lines of the patrols planned in the zone in the period


@dataclass
class ViolationRow:
    event_id: str
    date: str
    date_end: str
    date_precision: str
    time: str | None
    place: str | None
    place_precision: str
    lon: float
    lat: float
    zone: str
    rule: str
    status: str
    review: str | None
    review_note: str | None
    recheck: bool
    sentence: str
    sources: list[str]  # each "what said it — through whom" as the source records it
    fatalities: int | None
    event_type: str
    weapon_class: str | None
    actors: str  # "actor1 — actor2"
    in_breach: list[str]  # party ids the verdict accuses


@dataclass
class PatrolLine:
    mandate: str
    forces: str
    kind: str
    planned: int
    planned_km: float
    driven: int | None = None  # None: no tracks given for the period
    completion: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class DrivenPatrol:
    """A driven track judged against its planned patrol (``ceasefire patrols track``)."""

    patrol: str
    mandate: str
    status: str  # completed, cut short, aborted
    completion: float
    notes: list[str] = field(default_factory=list)


def driven_patrols(regime: Regime, plan_path, track_paths: list) -> list[DrivenPatrol]:
    """Each track (GPX or CSV) matched to its patrol of the plan and judged: completion, status, and why."""
    from ..patrols import judge_track, match, read_plan, read_track

    planned = read_plan(plan_path)
    for p in planned:
        p.timezone = p.timezone or regime.timezone  # an older plan's wall-clock times are the regime's
    found = []
    for path in track_paths:
        track = read_track(path)
        track.crs = planned[0].crs
        patrol = match(planned, track, str(plan_path))
        judged = judge_track(patrol, track)
        notes = [f"{patrol.id}: {judged.status}, {judged.completion:.0%} of the route"
                 + (f", {len(judged.stops)} stop(s)" if judged.stops else "")]
        found.append(DrivenPatrol(patrol.id, patrol.mandate, judged.status, judged.completion,
                                  notes + list(judged.warnings)))
    return found


@dataclass
class PatrolSection:
    lines: list[PatrolLine]
    incidents: list[ViolationRow]
    tracks_given: bool


@dataclass
class MissionReport:
    regime_id: str
    regime_name: str
    regime_hash: str
    engine_version: str
    period: Period
    previous: Period
    zone_filter: list[str]
    generated_at: str
    store: str
    headline: list[Change]  # by status, then "all"
    reviews: list[Change]  # by review state
    zones: list[ZoneSection]
    by_day: list[dict]  # {"date", "confirmed", "possible", "excluded"} from CHART_DAYS_BEFORE days before the start
    violations: list[ViolationRow]
    patrols: PatrolSection
    timeline: list[tuple[str, list[str], list[str]]]  # (day, what happened, why) within the period
    new_agreements: list[dict]
    sources: list[dict]  # the store's ingests: file, format, when, rows
    approximations: list[str]
    weekly: bool

    @property
    def empty(self) -> bool:
        return not self.violations

    @property
    def total(self) -> int:
        return len(self.violations)


# --------------------------------------------------------------------------------------------- building


def build_report(store: Store, regime: Regime, period: Period, zones: list[str] | None = None,
                 tracks: list[DrivenPatrol] | None = None, key: str | None = None) -> MissionReport:
    """The report of ``period`` (optionally only ``zones``) from the store's verdicts, brought up to date first."""
    from ..monitor.stored import bring_up_to_date, engine_version, listing, regime_hash, verdicts_by_day
    from ..zones import zones_during

    zones = list(zones or [])
    key = key or regime_hash(regime)
    judgment = bring_up_to_date(store, regime, progress=False, key=key)
    where = VerdictFilter(start=period.start, end=period.end, zone=zones)
    found = listing(store, judgment, where)
    rows = [_violation_row(r, regime) for r in found.to_dict("records")] if len(found) else []
    before = period.previous()
    headline = _headline(store, judgment.judgment_id, where, VerdictFilter(start=before.start, end=before.end,
                                                                            zone=zones))
    reviews = _reviews(store, judgment.judgment_id, where, VerdictFilter(start=before.start, end=before.end,
                                                                         zone=zones))
    chart = Period(period.start - dt.timedelta(days=CHART_DAYS_BEFORE), period.end)
    by_day = verdicts_by_day(store, judgment.judgment_id, VerdictFilter(start=chart.start, end=chart.end, zone=zones),
                             chart.start, chart.end)
    plan = _planned(regime, period)
    sections = [_zone_section(regime, shape, period, rows, plan)
                for shape in zones_during(regime, period.start, period.end) if not zones or shape.zone.id in zones]
    return MissionReport(
        regime_id=regime.id, regime_name=regime.name, regime_hash=key, engine_version=engine_version(),
        period=period, previous=before, zone_filter=zones,
        generated_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), store=store.location(),
        headline=headline, reviews=reviews, zones=sections, by_day=by_day, violations=rows,
        patrols=_patrol_section(regime, plan, rows, tracks), timeline=_timeline(regime, period),
        new_agreements=[{"id": a.id, "title": a.title, "short": a.short, "signed": a.signed.isoformat(),
                         "source": a.source} for a in regime.agreements if period.start <= a.signed <= period.end],
        sources=_sources(store), approximations=_approximations(regime, sections), weekly=period.days >= 7,
    )


def _headline(store: Store, judgment_id: int, now: VerdictFilter, before: VerdictFilter) -> list[Change]:
    counts = {s: n for s, n in store.verdict_counts(judgment_id, now, by=("status",))}
    earlier = {s: n for s, n in store.verdict_counts(judgment_id, before, by=("status",))}
    lines = [Change(s, int(counts.get(s, 0)), int(earlier.get(s, 0))) for s in STATUSES]
    lines.append(Change("all", sum(c.now for c in lines), sum(c.before for c in lines)))
    return lines


def _reviews(store: Store, judgment_id: int, now: VerdictFilter, before: VerdictFilter) -> list[Change]:
    def by_state(where: VerdictFilter) -> dict[str, int]:
        return {(state or "unreviewed"): int(n) for state, n in store.verdict_counts(judgment_id, where,
                                                                                      by=("review",))}

    counts, earlier = by_state(now), by_state(before)
    return [Change(state, counts.get(state, 0), earlier.get(state, 0)) for state in REVIEW_STATES]


def _violation_row(row: dict, regime: Regime) -> ViolationRow:
    return ViolationRow(
        event_id=row["event_id"], date=row["date"], date_end=row["date_end"], date_precision=row["date_precision"],
        time=row["time"], place=row["place"], place_precision=row["place_precision"], lon=row["lon"], lat=row["lat"],
        zone=row["zone"], rule=row["rule"], status=row["status"], review=row["review"],
        review_note=row["review_note"], recheck=bool(row["recheck"]), sentence=row["reason"],
        sources=_sources_of(row), fatalities=None if _missing(row["fatalities_best"]) else int(row["fatalities_best"]),
        event_type=row["event_type"] or "unknown", weapon_class=row["weapon_class"],
        actors=" — ".join(a for a in (row["actor1"], row["actor2"]) if a),
        in_breach=[p.strip() for p in str(row["in_breach"] or "").split(",") if p.strip()],
    )


def _missing(value: Any) -> bool:
    try:
        return value is None or value != value
    except (TypeError, ValueError):
        return False


def _sources_of(row: dict) -> list[str]:
    """The dataset's id of the event, then each source it names (news events name article, outlet and who said
    it through whom in their ``sources``)."""
    found = [row["event_id"]]
    for part in str(row.get("sources") or "").replace("\n", ";").split(";"):
        part = part.strip()
        if part and part not in found:
            found.append(part)
    return found


def _count(items: list[tuple[str, str, str]]) -> list[Count]:
    """(key, label, status) items counted by key, biggest first."""
    totals: dict[str, Count] = {}
    for key, label, status in items:
        count = totals.setdefault(key, Count(key, label, 0))
        count.total += 1
        count.by_status[status] = count.by_status.get(status, 0) + 1
    return sorted(totals.values(), key=lambda c: (-c.total, c.key))


def _zone_section(regime: Regime, shape, period: Period, rows: list[ViolationRow], plan: list) -> ZoneSection:
    import shapely

    zone = shape.zone
    mine = [r for r in rows if r.zone == zone.id]
    rules = {r.id: r.summary for r in regime.rules}
    parties = {p.id: p.name for p in regime.parties}
    version = next((v for v in shape.versions if v.metric is shape.metric), None)
    change = version.change if version is not None else None
    first, last = as_day(zone.valid_from), as_day(zone.valid_to) if zone.valid_to is not None else None
    in_breach = [(p, parties.get(p, p), r.status) for r in mine for p in (r.in_breach or ["unknown"])]
    routes = [p for p in plan if shapely.intersects(p["geometry"], shape.wgs84)]
    return ZoneSection(
        zone_id=zone.id, name=zone.name, kind=zone.kind, approximate=zone.approximate, method=zone.method,
        valid_from=first.isoformat(), valid_to=last.isoformat() if last else None,
        started=period.start <= first <= period.end, ended=last is not None and period.start <= last <= period.end,
        end_note=zone.end_note, ground_note=f"{change.id}: {change.held_by} ({change.source})" if change else None,
        shape=shape.wgs84, counts={s: sum(1 for r in mine if r.status == s) for s in STATUSES},
        by_rule=_count([(r.rule, rules.get(r.rule, r.rule), r.status) for r in mine]),
        by_party=_count(in_breach),
        by_event_type=_count([(r.event_type, r.event_type, r.status) for r in mine]),
        by_weapon=_count([(r.weapon_class or "not stated", r.weapon_class or "not stated", r.status) for r in mine]),
        verdicts=[{"lon": r.lon, "lat": r.lat, "status": r.status, "review": r.review, "event_id": r.event_id}
                  for r in mine],
        patrol_routes=[p["geometry"] for p in routes],
    )


def _planned(regime: Regime, period: Period) -> list[dict]:
    """The patrols the regime's mandates call for in the period (a plan made a week at a time from a Monday)."""
    from ..patrols import patrols_during
    from ..patrols.io import plan_frame

    patrols = patrols_during(regime, period.start, period.end)
    if not patrols:
        return []
    frame = plan_frame(patrols)
    routes: dict[str, Any] = {}
    for geometry, patrol in zip(frame.geometry.values, frame["patrol"]):
        routes.setdefault(patrol, []).append(geometry)
    import shapely

    return [{"id": p.id, "mandate": p.mandate, "forces": "+".join(p.forces), "kind": p.kind, "km": p.length_km,
             "start": p.start, "geometry": shapely.union_all(routes.get(p.id, []))} for p in patrols]


def _patrol_section(regime: Regime, plan: list[dict], rows: list[ViolationRow],
                    tracks: list[DrivenPatrol] | None) -> PatrolSection:
    lines: dict[str, PatrolLine] = {}
    for p in plan:
        line = lines.setdefault(p["mandate"], PatrolLine(p["mandate"], p["forces"], p["kind"], 0, 0.0))
        line.planned += 1
        line.planned_km += p["km"]
    completions: dict[str, list[float]] = {}
    for driven in tracks or []:
        line = lines.get(driven.mandate)
        if line is None:  # a track of a patrol this period's plan does not hold: said, not counted
            line = lines.setdefault(driven.mandate, PatrolLine(driven.mandate, "", "", 0, 0.0))
        line.driven = (line.driven or 0) + 1
        completions.setdefault(driven.mandate, []).append(driven.completion)
        line.notes += driven.notes
    for mandate, values in completions.items():
        lines[mandate].completion = sum(values) / len(values)
    on_patrol = {r.id for r in regime.rules if r.on_patrol}
    return PatrolSection(sorted(lines.values(), key=lambda line: line.mandate),
                         [r for r in rows if r.rule in on_patrol], bool(tracks))


def _timeline(regime: Regime, period: Period) -> list[tuple[str, list[str], list[str]]]:
    from .demo import key_dates

    return [(k.day.isoformat(), list(k.notes), list(k.details)) for k in key_dates(regime)
            if period.start <= k.day <= period.end]


def _sources(store: Store) -> list[dict]:
    return [{"file": i["file"], "format": i["format"], "finished": i["finished"], "read": i["rows_read"],
             "new": i["rows_new"], "quarantined": i["rows_quarantined"]} for i in store.ingests()]


def _approximations(regime: Regime, sections: list[ZoneSection]) -> list[str]:
    """How each approximate zone of the report was drawn, in the regime's own words."""
    return [f"{s.name}: {(s.method or '').strip() or 'drawn from administrative units'}" for s in sections
            if s.approximate]
