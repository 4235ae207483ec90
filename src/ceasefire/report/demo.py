"""`ceasefire demo`: the main job on one regime, written to a folder a person can open.

Everything the demo shows comes from the regime itself, so a regime file anyone writes is shown with no
code: its key dates are the moments of its own timeline (agreements signed and in force, zones begun
and ended, rules begun, ended and suspended, changes of control, patrol mandates begun and ended), the
maps are its zones at those dates, and the events are the samples that ship with it — the shipped
UCDP sample for the built-in north-west Syria regime, or files beside a regime file named
``<regime file name>.events.ucdp.csv``, ``.events.acled.csv``, ``.events.geojson`` or ``.events.csv``
(with its mapping ``.events.yaml``).
"""

from __future__ import annotations

import shutil

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import settings
from ..errors import InputError
from ..regime import builtin_regimes, load_regime
from ..regime.clock import When, local, moment_after
from ..regime.models import Regime, as_day
from ..zones import zones_at, zones_frame
from ..zones.timeline import ZoneShape
from .geojson import to_geojson
from .maps import timeline_chart, zone_maps

Echo = Callable[[str], None]

# The event samples shipped in the package, by the built-in regime they were drawn for.
SHIPPED_SAMPLES = {"syria-northwest": (("ucdp_ged_nw_syria_sample.csv", "ucdp"),)}
# Samples beside a regime file X.yaml: X.events.ucdp.csv and so on, with the reader each needs.
SAMPLE_SUFFIXES = {".events.ucdp.csv": "ucdp", ".events.acled.csv": "acled", ".events.geojson": "geojson",
                   ".events.csv": "csv"}
PATROL_DAYS = 21  # three weeks from each mandate's start: a weekly cadence shows three times


@dataclass(frozen=True, slots=True)
class KeyDate:
    """A day of the regime's timeline: what began or ended that day (``notes``) and why (``details``)."""

    day: dt.date
    notes: tuple[str, ...]
    details: tuple[str, ...] = ()

    @property
    def caption(self) -> str:
        return f"{self.day.isoformat()} — {'; '.join(self.notes)}"


def run_demo(regime_name: str, out_dir: Path, echo: Echo = print, *, max_dates: int | None = None,
             others: bool | None = None) -> list[Path]:
    """Show a regime: its key dates with the zones in force at each (GeoJSON and maps), its sample events
    judged, its patrol mandates planned. ``max_dates`` keeps only the first key dates (quick runs);
    ``others`` adds an overview of the other built-in regimes (by default only to the default regime's demo)."""
    regime = load_regime(regime_name, check_geometry=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    echo(f"{regime.name}\n({_count(regime.agreements, 'agreement')}, {_count(regime.zones, 'zone')}, "
         f"{_count(regime.rules, 'rule')}, {_count(regime.control, 'change')} of control, "
         f"{_count(regime.patrols, 'patrol mandate')})\n")
    dates = key_dates(regime)
    written = [timeline_chart(regime, out_dir / "timeline.png", end=_chart_end(dates))]
    if max_dates is not None:
        dates = dates[:max_dates]
    maps, files = _zones_at_key_dates(regime, dates, out_dir, echo)
    written += files
    written += _monitor_sample(regime, out_dir, echo)
    written += _patrols(regime, out_dir, echo)
    builtin = _builtin_id(regime)
    if others is None:  # the main job on built-in data (`make demo`) shows every built-in regime
        others = builtin == settings.DEFAULT_REGIME
    if others:
        for other in builtin_regimes():  # every other built-in regime, in brief, beside this one
            if other != builtin:
                written += _overview(load_regime(other, check_geometry=True), out_dir, echo)
    charts = ["timeline.png"] + [p.name for p in written if p.name in ("violations-by-month.png",
                                                                       "patrol-timeline.png")]
    look = f"open {maps[-1].name} for the latest map" if maps else "no zone map was drawn"
    echo(f"\nWrote {len(written)} files to {out_dir}/ — {look}, "
         f"{', '.join(charts[:-1]) + ' and ' if len(charts) > 1 else ''}{charts[-1]} for the charts.")
    report = next((p for p in written if p.name.startswith("report-") and p.suffix == ".html"), None)
    if report is not None:
        echo(f"The mission's weekly report, {report.stem[len('report-'):]} to the Sunday after: {report} "
             "(`ceasefire report --date D --period week -o week.pdf` for a PDF)")
    return written


# --------------------------------------------------------------------------- the regime's timeline


def key_dates(regime: Regime) -> list[KeyDate]:
    """The regime's timeline, day by day, in its own words. A time is the regime's local time; an end is
    dated the first day the thing no longer holds (its last day is named), so that the zones in force at
    the end of a key date are what the date brought."""
    tz = regime.timezone
    # (day, order within the day, (singular, plural) template of the note, the item's id, a detail)
    entries: list[tuple[dt.date, int, tuple[str, str], str, str | None]] = []

    def add(when: When, order: int, template: str | tuple[str, str], item: str = "", detail: str | None = None,
            clock: bool = True) -> None:
        """An entry on the local day of ``when``; with ``clock``, the time of day it names, if any."""
        at = _clock(when, tz) if clock else ""
        singular, plural = (template, template) if isinstance(template, str) else template
        entries.append((_local_day(when, tz), order, (singular + at, plural + at), item, detail))

    def last(when: When) -> str:
        return f"last moment {_time(when)}" if isinstance(when, dt.datetime) else f"last day {when}"

    for a in regime.agreements:
        name = a.short or a.title
        if _local_day(a.in_force_from, tz) == a.signed and not _clock(a.in_force_from, tz):
            add(a.signed, 0, f"{name} signed and in force")
        else:
            add(a.signed, 0, f"{name} signed")
            add(a.in_force_from, 1, f"{name} in force")
        if a.in_force_to is not None:
            add(moment_after(a.in_force_to), 1, f"{name} no longer in force ({last(a.in_force_to)})", clock=False)
    for z in regime.zones:
        add(z.valid_from, 2, ("zone {} in force", "zones {} in force"), z.id)
        if z.valid_to is not None:
            add(moment_after(z.valid_to), 3, f"zone {z.id} no longer in force ({last(z.valid_to)})",
                detail=f"{z.id}: {z.end_note}", clock=False)
    names = {p.id: p.name for p in regime.parties}
    for c in regime.control:
        add(c.at, 4, f"change of control {c.id}: held by {names.get(c.held_by, c.held_by)}",
            detail=f"{c.id}: {c.note}" if c.note else None)
    for r in regime.rules:
        add(r.from_, 5, ("rule {} applies", "rules {} apply"), r.id, f"{r.id}: {r.summary}")
        if r.until is not None:
            add(moment_after(r.until), 5, f"rule {r.id} no longer applies ({last(r.until)})", clock=False)
        for s in r.suspensions:
            add(s.from_, 5, f"rule {r.id} suspended", detail=f"{r.id}: {s.reason}")
            if s.until is not None:
                add(moment_after(s.until), 5, f"rule {r.id} applies again (suspended to {s.until})", clock=False)
    for m in regime.patrols:
        add(m.valid_from, 6, ("patrol mandate {} begins", "patrol mandates {} begin"), m.id,
            f"{m.id}: {m.mandate}" if m.mandate else None)
        if m.valid_to is not None:
            add(moment_after(m.valid_to), 6, f"patrol mandate {m.id} ends ({last(m.valid_to)})", clock=False)
    dates = []
    for day in sorted({e[0] for e in entries}):
        today = sorted((e for e in entries if e[0] == day), key=lambda e: e[1])
        notes: dict[tuple[str, str], list[str]] = {}  # template → the ids it names, so "zones a, b in force"
        for _, _, template, item, _ in today:
            notes.setdefault(template, []).append(item)
        # (replace, not format: a note carries the regime's own words, which may hold braces)
        texts = tuple(t[0] if not any(items) else (t[0] if len(items) == 1 else t[1]).replace("{}", ", ".join(items))
                      for t, items in notes.items())
        dates.append(KeyDate(day, texts, tuple(e[4] for e in today if e[4])))
    return dates


def _local_day(when: When, tz: str) -> dt.date:
    return local(when, tz).date() if isinstance(when, dt.datetime) else when


def _clock(when: When, tz: str) -> str:
    """' at 00:01' for a moment within a day, with its offset as the regime writes it (' at 18:00 UTC+03:00');
    '' for a whole day, or a time that is the start of the regime's local day."""
    if not isinstance(when, dt.datetime) or local(when, tz).time() == dt.time(0, 0):
        return ""
    return f" at {_time(when)}"


def _time(when: dt.datetime) -> str:
    """'18:00 UTC+03:00' as the regime writes it (its offset kept), or '18:00' for a local time."""
    offset = when.strftime("%z")
    return f"{when:%H:%M}" + (f" UTC{offset[:3]}:{offset[3:]}" if offset else "")


def _chart_end(dates: list[KeyDate]) -> dt.date:
    """The timeline chart runs a quarter of the regime's span (three months at least) past its last key date:
    room for the names of the zones that began last."""
    if not dates:
        return dt.date.today()
    span = (dates[-1].day - dates[0].day).days
    return dates[-1].day + dt.timedelta(days=max(90, span // 4))


def _zones_at_key_dates(regime: Regime, dates: list[KeyDate], out_dir: Path, echo: Echo
                        ) -> tuple[list[Path], list[Path]]:
    """At the end of each key date, the zones in force: a line, a GeoJSON, and a map when they changed."""
    echo(f"Key dates of {regime.name}, from its agreements, zones, rules, changes of control and patrol "
         "mandates, with the zones in force at the end of each day:")
    written: list[Path] = []
    pages: list[tuple[list[ZoneShape], str, Path]] = []
    texts: dict[tuple, str] = {}  # the GeoJSON of each picture, written once per distinct picture
    drawn: tuple | None = None
    drawn_name = ""
    for key in dates:
        shapes = zones_at(regime, dt.datetime.combine(key.day, dt.time(23, 59)))  # the regime's local time
        picture = tuple((s.zone.id, id(s.metric)) for s in shapes)
        stem = f"zones-{key.day.isoformat()}"
        geojson = out_dir / f"{stem}.geojson"
        if picture not in texts:
            texts[picture] = to_geojson(zones_frame(shapes)) + "\n"
        geojson.write_text(texts[picture], encoding="utf-8")
        written.append(geojson)
        echo(f"  {key.caption}")
        for detail in key.details:
            echo(f"      · {detail}")
        summary = ", ".join(f"{s.zone.id} ({s.area_km2:,.0f} km²)" for s in shapes)
        if not shapes:
            echo(f"      in force: none → {geojson.name}")
        elif picture == drawn:
            echo(f"      in force: as on the map {drawn_name} → {geojson.name}")
        else:
            drawn, drawn_name = picture, f"{stem}.png"
            pages.append((shapes, f"{regime.name}\n{key.caption}", out_dir / drawn_name))
            echo(f"      in force: {summary} → {drawn_name}, {geojson.name}")
    maps = zone_maps(regime, pages)
    return maps, written + maps


# --------------------------------------------------------------------------- events


def sample_files(regime: Regime) -> list[tuple[Path, str, Path | None]]:
    """The sample events that ship with the regime: (file, format, mapping). Files beside the regime file
    come first; the package's own sample serves only the built-in regime it was drawn for."""
    from ..geodata.basedata import data_path

    found: list[tuple[Path, str, Path | None]] = []
    if regime._source is not None:
        source = Path(regime._source)
        for suffix, fmt in SAMPLE_SUFFIXES.items():
            path = source.with_name(source.stem + suffix)
            if not path.is_file():
                continue
            mapping = source.with_name(source.stem + ".events.yaml") if fmt == "csv" else None
            if mapping is not None and not mapping.is_file():
                raise InputError(f"{path}: a CSV sample needs its column mapping beside it, as {mapping.name}")
            found.append((path, fmt, mapping))
    builtin = _builtin_id(regime)
    if not found and builtin is not None:
        found = [(data_path(name), fmt, None) for name, fmt in SHIPPED_SAMPLES.get(builtin, ())]
    return found


def _monitor_sample(regime: Regime, out_dir: Path, echo: Echo) -> list[Path]:
    """Ingest the regime's sample events into a fresh store, judge them, summarise and map the result."""
    import pandas as pd

    from ..events import events_frame, ingest_file
    from ..monitor import summarize
    from ..monitor.stored import bring_up_to_date, listing
    from ..store import connect
    from ..store.sqlite import segments_folder
    from .maps import violations_chart
    from .export import write_frame
    from .tables import violations_frame

    samples = sample_files(regime)
    if not samples:
        stem = Path(regime._source).stem if regime._source is not None else regime.id
        echo(f"\nEvents: no sample events ship with {regime.name}; ingest some with `ceasefire ingest FILE "
             f"--format ucdp|acled|geojson`, or put them beside the regime file as {stem}.events.ucdp.csv "
             "(.acled.csv, .geojson)")
        return []
    db = out_dir / "demo.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.rmtree(segments_folder(db), ignore_errors=True)
    store = connect(db)
    try:
        echo("")
        for path, fmt, mapping in samples:
            result = ingest_file(store, path, fmt, mapping, regime=regime, progress=False)
            echo(f"Events: {result.summary().replace(str(path), path.name)} → {db}")
            if result.quarantined:
                echo(f"  (the rows kept aside, with why: ceasefire quarantine list --db {db})")
        events = events_frame(store)
        found = listing(store, bring_up_to_date(store, regime, progress=False))  # the verdicts stay in the store
        report = _weekly_report(store, regime, found, out_dir)
    finally:
        store.close()
    names = ", ".join(path.name for path, _, _ in samples)
    if found.empty:
        echo(f"No event of the sample ({names}) meets a rule of {regime.name}.")
        return [db]
    years = sorted({str(events["date"].min())[:4], str(events["date"].max())[:4]})
    echo(f"Verdicts of {regime.name} on the sample ({names}, {'–'.join(years)}), by rule and status:")
    order = {r.id: k for k, r in enumerate(regime.rules)}  # the regime's own order of rules
    counts = found.groupby(["rule", "status"]).size().items()
    for (rule, status), n in sorted(counts, key=lambda item: (order.get(item[0][0], len(order)), item[0][1])):
        echo(f"  {rule:20s} {status:10s} {n:6,}")
    judged = found[found["status"].isin(["confirmed", "possible"])]
    if judged.empty:
        echo("No event of the sample breaks a rule (every verdict is an exception).")
    else:
        per_month = judged.groupby(judged["date"].astype(str).str.slice(0, 7))["event_id"].nunique()
        month = str(per_month.idxmax())
        echo(f"\nSummary for {month}, the month with the most events breaking a rule ({per_month.max():,}):")
        that_month = [k.caption for k in key_dates(regime) if k.day.isoformat()[:7] == month]
        if that_month:
            echo("  In the regime's timeline that month:\n    " + "\n    ".join(that_month))
        table = summarize(found)
        with pd.option_context("display.width", 250, "display.max_columns", None):
            echo("  " + table[table["month"] == month].to_string(index=False).replace("\n", "\n  "))
        examples = found[found["status"] == "confirmed"].sort_values(["date", "event_id"])
        if examples.empty:
            examples = judged.sort_values(["date", "event_id"])
        in_month = examples[examples["date"].astype(str).str.startswith(month)]
        example = (in_month if not in_month.empty else examples).iloc[0]
        echo(f"\nFor example: {example['reason']}")
    geojson = out_dir / "violations.geojson"
    write_frame(violations_frame(found), "geojson", geojson)
    echo(f"\nServe it to a team (a web map, OGC API – Features, reviews): `ceasefire users add me --role admin --db "
         f"{db}` prints your token; then `ceasefire serve --db {db}` and open http://127.0.0.1:8000/map")
    chart = violations_chart(found, out_dir / "violations-by-month.png",
                             title=f"{regime.name}: violations per month by zone (confirmed and possible)")
    return [db, geojson, chart, *([report] if report else [])]


def _weekly_report(store, regime: Regime, found, out_dir: Path) -> Path | None:
    """The mission's weekly report (HTML) for the busiest week of the busiest month of the sample: of the weeks
    that begin in the month with the most verdicts of events breaking a rule, the one with the most."""
    import pandas as pd

    from .mission import Period, build_report
    from .render import render_html

    judged = found[found["status"].isin(["confirmed", "possible"])]
    if judged.empty:
        return None
    days = pd.to_datetime(judged["date"].astype(str))
    months = days.dt.strftime("%Y-%m")
    month = months.value_counts().sort_index().idxmax()  # (the earliest of equals)
    mondays = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    mondays = mondays[mondays.dt.strftime("%Y-%m") == month]  # weeks that begin in that month
    if mondays.empty:
        return None
    monday = mondays.value_counts().sort_index().idxmax().date()
    built = build_report(store, regime, Period.of(monday, "week"))
    path = out_dir / f"report-{built.period.start.isoformat()}.html"
    path.write_text(render_html(built, regime), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- patrols


def _patrols(regime: Regime, out_dir: Path, echo: Echo) -> list[Path]:
    """Plan the mandated patrols for four weeks from each day a mandate begins; check them; draw them."""
    from ..patrols import find_conflicts, plan_patrols, write_plan
    from .maps import patrol_timeline

    if not regime.patrols:
        echo(f"\nPatrols: {regime.name} gives no patrol mandates.")
        return []
    plans, written = {}, []
    echo(f"\nPatrols planned from the mandates of {regime.name}, {PATROL_DAYS} days from each start:")
    for start in sorted({m.valid_from for m in regime.patrols}):
        plan = plan_patrols(regime, start, PATROL_DAYS)
        conflicts = find_conflicts(plan.patrols)
        counts: dict[str, int] = {}
        for p in plan.patrols:
            counts[p.mandate] = counts.get(p.mandate, 0) + 1
        by_mandate = ", ".join(f"{m} {n}" for m, n in sorted(counts.items()))
        echo(f"  {start} + {PATROL_DAYS} days: {len(plan.patrols)} patrols ({by_mandate or 'none placed'}), "
             f"{sum(p.length_km for p in plan.patrols):,.0f} km, {len(conflicts)} conflicts"
             + (f"; not placed: {', '.join(plan.unplaced)}" if plan.unplaced else ""))
        if plan.patrols:
            path = out_dir / f"patrols-{start.isoformat()}.geojson"
            write_plan(plan.patrols, path)
            written.append(path)
            plans[f"From {start:%d %B %Y}: planned patrols by mandate, coloured by force"] = plan.patrols
    if plans:
        written.append(patrol_timeline(plans, out_dir / "patrol-timeline.png"))
    return written


# --------------------------------------------------------------------------- other built-in regimes


def _overview(regime: Regime, out_dir: Path, echo: Echo) -> list[Path]:
    """A regime's agreements, its zones at the moments its agreements came into force, its rules and
    patrols, in brief: the full demo is `ceasefire demo --regime <id>`."""
    echo(f"\nAlso built in — {regime.name} (the full demo: ceasefire demo --regime {regime.id})\n")
    moments = sorted({a.in_force_from for a in regime.agreements}, key=lambda w: (as_day(w), str(w)))
    for agreement in sorted(regime.agreements, key=lambda a: as_day(a.in_force_from)):
        echo(f"  {agreement.in_force_from}  {agreement.id}: {agreement.title}")
    written: list[Path] = []
    pages = []
    for when in moments:
        at = when if not isinstance(when, dt.datetime) else when + dt.timedelta(hours=1)  # just after it began
        shapes = zones_at(regime, at)
        day = as_day(at)
        summary = ", ".join(f"{s.zone.id} ({s.area_km2:,.0f} km²)" for s in shapes) or "none yet"
        echo(f"  zones at {at}: {summary}")
        if shapes:
            stem = f"{regime.id}-zones-{day.isoformat()}"
            geojson = out_dir / f"{stem}.geojson"
            geojson.write_text(to_geojson(zones_frame(shapes)) + "\n", encoding="utf-8")
            written.append(geojson)
            pages.append((shapes, f"{regime.name}\nzones in force at {at}", out_dir / f"{stem}.png"))
    written += zone_maps(regime, pages)
    for rule in regime.rules:
        echo(f"  rule {rule.id} from {rule.from_}: {rule.summary}")
    if regime.patrols:
        from ..patrols import plan_patrols

        start = min(as_day(m.valid_from) for m in regime.patrols)
        plan = plan_patrols(regime, start, 14)
        echo(f"  patrols planned for {start} + 14 days: {len(plan.patrols)} "
             f"({', '.join(sorted({p.mandate for p in plan.patrols}))}), "
             f"{sum(p.length_km for p in plan.patrols):,.0f} km")
    return written


def _builtin_id(regime: Regime) -> str | None:
    """The built-in regime this one was read from (None for a regime file of one's own)."""
    if regime._source is None:
        return None
    source = Path(regime._source).resolve()
    return next((name for name, path in builtin_regimes().items() if path.resolve() == source), None)


def _count(items: list, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
