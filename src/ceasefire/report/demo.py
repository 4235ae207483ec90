"""`ceasefire demo`: the main job on built-in data, written to a folder a person can open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..regime import builtin_regimes, load_regime
from ..regime.models import as_day
from ..zones import zones_at, zones_frame
from .geojson import to_geojson
from .maps import timeline_chart, zone_map

KEY_DATES = {
    "2017-06-01": "after the Astana memorandum",
    "2018-10-20": "after the Sochi deadlines",
    "2019-03-08": "first joint patrols",
    "2020-03-20": "after the Moscow protocol",
}


def run_demo(regime_name: str, out_dir: Path, echo: Callable[[str], None] = print) -> list[Path]:
    regime = load_regime(regime_name, check_geometry=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    echo(f"{regime.name}\n")
    echo("Timeline:")
    events = [(a.signed, f"{a.id}: {a.title}") for a in regime.agreements]
    events += [(as_day(z.valid_from), f"  zone {z.id} in force") for z in regime.zones]
    events += [(as_day(z.valid_to), f"  zone {z.id} ended — {z.end_note}") for z in regime.zones if z.valid_to]
    for day, text in sorted(events, key=lambda e: e[0]):
        echo(f"  {day}  {text}")
    written.append(timeline_chart(regime, out_dir / "timeline.png", end=dt.date(2020, 12, 31)))
    echo("\nZones at key dates:")
    for iso, why in KEY_DATES.items():
        day = dt.date.fromisoformat(iso)
        shapes = zones_at(regime, day)
        summary = ", ".join(f"{s.zone.id} ({s.area_km2:,.0f} km²)" for s in shapes) or "none"
        echo(f"  {iso} ({why}): {summary}")
        geojson = out_dir / f"zones-{iso}.geojson"
        geojson.write_text(to_geojson(zones_frame(shapes)) + "\n", encoding="utf-8")
        png = zone_map(shapes, day, regime.name, out_dir / f"zones-{iso}.png")
        written += [geojson, png]
    written += _monitor_sample(regime, out_dir, echo)
    written += _patrols(regime, out_dir, echo)
    for other in builtin_regimes():  # every other built-in regime, beside this one
        if other != regime.id:
            written += _overview(load_regime(other, check_geometry=True), out_dir, echo)
    echo(f"\nWrote {len(written)} files to {out_dir}/ — open zones-2019-03-08.png for the map, "
         "violations-by-month.png and patrol-timeline.png for the charts.")
    return written


def _overview(regime, out_dir: Path, echo: Callable[[str], None]) -> list[Path]:
    """A regime's timeline and its zones at the moments its agreements came into force, from the regime
    alone: any regime can be shown so."""
    echo(f"\n{regime.name}\n")
    moments = sorted({a.in_force_from for a in regime.agreements}, key=lambda w: (as_day(w), str(w)))
    for agreement in sorted(regime.agreements, key=lambda a: as_day(a.in_force_from)):
        echo(f"  {agreement.in_force_from}  {agreement.id}: {agreement.title}")
    written: list[Path] = []
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
            written += [geojson, zone_map(shapes, day, regime.name, out_dir / f"{stem}.png")]
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


def _patrols(regime, out_dir: Path, echo: Callable[[str], None]) -> list[Path]:
    """Plan the mandated patrols for March 2019 and March 2020; check them; draw the timeline."""
    from ..patrols import find_conflicts, plan_patrols, write_plan
    from .maps import patrol_timeline

    periods = {"2019-03": (dt.date(2019, 3, 8), 24), "2020-03": (dt.date(2020, 3, 1), 31)}
    plans, written = {}, []
    echo("\nPatrols planned from the regime's mandates:")
    for name, (start, days) in periods.items():
        plan = plan_patrols(regime, start, days)
        conflicts = find_conflicts(plan.patrols)
        by_mandate = ", ".join(f"{m} {n}" for m, n in sorted(
            {p.mandate: sum(1 for q in plan.patrols if q.mandate == p.mandate) for p in plan.patrols}.items()))
        echo(f"  {start} + {days} days: {len(plan.patrols)} patrols ({by_mandate}), "
             f"{sum(p.length_km for p in plan.patrols):,.0f} km, {len(conflicts)} conflicts")
        path = out_dir / f"patrols-{name}.geojson"
        write_plan(plan.patrols, path)
        plans[f"{start:%B %Y}: planned patrols by mandate (red Russia, blue Turkey, purple joint)"] = plan.patrols
        written.append(path)
    written.append(patrol_timeline(plans, out_dir / "patrol-timeline.png"))
    return written


def _monitor_sample(regime, out_dir: Path, echo: Callable[[str], None]) -> list[Path]:
    """Ingest the shipped UCDP sample into a fresh store, judge it, summarise and map the result."""
    from ..events import events_frame, ingest_file
    from ..geodata.basedata import data_path
    from ..monitor import judge, summarize
    from ..store import connect
    from .maps import violations_chart
    from .tables import write_violations

    db = out_dir / "demo.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    conn = connect(db)
    sample = data_path("ucdp_ged_nw_syria_sample.csv")
    result = ingest_file(conn, sample, "ucdp", regime=regime, progress=False)
    echo(f"\nEvents: {result.summary().replace(str(sample), sample.name)} → {db}")
    found = judge(regime, events_frame(conn))
    counts = found.groupby(["rule", "status"]).size()
    echo("Violations of the regime in the UCDP sample (2017–2019), by rule and status:")
    for (rule, status), n in counts.items():
        echo(f"  {rule:20s} {status:10s} {n:6,}")
    table = summarize(found)
    echo("\nSummary for May 2019 (the government offensive on southern Idlib):")
    may = table[table["month"] == "2019-05"]
    echo("  " + may.to_string(index=False).replace("\n", "\n  "))
    example = found[(found["status"] == "confirmed") & (found["date"] == "2019-05-06")].head(1)
    if not example.empty:
        echo(f"\nFor example: {example['reason'].iloc[0]}")
    geojson = out_dir / "violations.geojson"
    write_violations(found, "geojson", geojson)
    chart = violations_chart(found, out_dir / "violations-by-month.png")
    conn.close()
    return [db, geojson, chart]
