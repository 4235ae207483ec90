"""`ceasefire demo`: the main job on built-in data, written to a folder a person can open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..regime import load_regime
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
    events += [(z.valid_from, f"  zone {z.id} in force") for z in regime.zones]
    events += [(z.valid_to, f"  zone {z.id} ended — {z.end_note}") for z in regime.zones if z.valid_to]
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
    echo(f"\nWrote {len(written)} files to {out_dir}/ — open zones-2019-03-08.png for the map, "
         "violations-by-month.png for the chart.")
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
