"""`ceasefire zones` and `ceasefire where`: what is in force, as maps and at a point."""

from __future__ import annotations

import datetime as dt

import click

from .common import (
    at_option,
    choose_format,
    command,
    emit,
    load_regime,
    output_options,
    regime_option,
    write_text,
)

ZONE_FORMATS = ["table", "csv", "json", "geojson", "gpkg", "parquet"]


@command()
@regime_option
@at_option
@output_options(ZONE_FORMATS)
def zones(regime_name: str | None, at: dt.date, fmt: str | None, output: str | None) -> None:
    """The zones in force at a date (any moment of it) or an instant: a table, or GeoJSON (RFC 7946), GeoPackage…

    Example: ceasefire zones --regime syria-northwest --at 2019-03-08 --format geojson -o zones.geojson
    """
    from ..report.export import table_text
    from ..zones import zones_at, zones_frame

    fmt = choose_format(fmt, output, ZONE_FORMATS)
    r = load_regime(regime_name)
    frame = zones_frame(zones_at(r, at))
    empty = f"no zone of {r.id} is in force at {at.isoformat()}"
    emit(frame, fmt, output, what="zones", layer="zones",
         table=lambda: table_text(frame.drop(columns=["method", "end_note"], errors="ignore"), empty=empty))


@command()
@click.argument("lon", type=float)
@click.argument("lat", type=float)
@regime_option
@at_option
@output_options(["table", "json"])
def where(lon: float, lat: float, regime_name: str | None, at: dt.date, fmt: str | None, output: str | None) -> None:
    """The zones and rules in force at a point (longitude, latitude) on a date or at a local time.

    Example: ceasefire where 36.63 35.93 --at 2020-03-06T00:30
    """
    import math

    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise click.BadParameter(f"({lon}, {lat}) is not a longitude, latitude pair "
                                 "(longitude -180..180 first, then latitude -90..90)")
    fmt = choose_format(fmt, output, ["table", "json"])
    from ..zones import where_answer

    answer = where_answer(load_regime(regime_name), lon, lat, at)
    if fmt == "json":
        import json

        write_text(json.dumps(answer, indent=1, ensure_ascii=False, default=str), output)
    else:
        write_text("\n".join(_where_lines(answer)), output)


def _where_lines(a: dict) -> list[str]:
    point = f"({a['lon']}, {a['lat']}) at {a['at']}"
    held = a["held"]
    if not a["zones"]:
        since = f", on ground held by {held['by']} since {held['since']} ({held['source']})" if held else ""
        return [f"{point}: in no zone of {a['regime']}{since}"]
    lines = [f"{point} ({a['timezone']}):"]
    if held:
        lines.append(f"  on ground held by {held['by']} since {held['since']} ({held['source']})")
    for z in a["zones"]:
        lines.append(f"  zone {z['id']}: {z['name']} — {z['agreement']}, {z['signed']}"
                     + (" [approximate]" if z["approximate"] else ""))
    lines.append("  rules in force:" if a["rules"] else "  no rule in force")
    for rule in a["rules"]:
        until = f"; until {rule['until']}" if rule["until"] else ""
        lines.append(f"    {rule['id']}: {rule['summary']} ({rule['source']}{until})")
    for s in a["suspended"]:
        resumed = f" to {s['until']}" if s["until"] else " (not resumed)"
        lines.append(f"    {s['id']}: suspended from {s['from']}{resumed} — {s['reason']}")
    return lines


def register(main: click.Group) -> None:
    main.add_command(zones)
    main.add_command(where)
