"""Maps and charts a monitor would rather see than read (PNG, matplotlib, no display needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from ..geodata.basedata import admin_units, find_places, roads  # noqa: E402
from ..regime.models import Regime, as_day  # noqa: E402
from ..zones.timeline import ZoneShape  # noqa: E402

KIND_COLOURS = {"de-escalation": "#4C9BE8", "demilitarized": "#E8A33D", "security-corridor": "#D64545",
                "buffer": "#8E6CC2", "other": "#7F7F7F"}
LANDMARKS = ["Idlib", "Aleppo", "Hama", "Homs", "Latakia", "Damascus", "Saraqib", "Jisr ash Shughur",
             "Khan Shaykhun", "Daraa", "Douma", "Ar Rastan"]


def zone_map(shapes: list[ZoneShape], day: dt.date, title: str, path: Path,
             extent: tuple[float, float, float, float] | None = None) -> Path:
    """Zones in force on ``day`` over governorate boundaries, with landmark towns and roads."""
    fig, ax = plt.subplots(figsize=(8, 8), dpi=110)
    units = admin_units()
    units[units["level"] == 1].boundary.plot(ax=ax, color="#999999", linewidth=0.6)
    for shape in sorted(shapes, key=lambda s: -s.area_km2):  # big first so small ones stay visible
        colour = KIND_COLOURS.get(shape.zone.kind, "#7F7F7F")
        series = gpd.GeoSeries([shape.wgs84], crs="EPSG:4326")
        series.plot(ax=ax, color=colour, alpha=0.45, edgecolor=colour, linewidth=1.2)
        c = shape.wgs84.representative_point()
        ax.annotate(shape.zone.id, (c.x, c.y), fontsize=7, ha="center", color="#222222")
    roads().plot(ax=ax, color="#444444", linewidth=0.8, linestyle="--")
    for name in LANDMARKS:
        hits = find_places(name)
        if hits:
            p = hits[0]
            ax.plot(p.lon, p.lat, "k.", markersize=4)
            ax.annotate(name, (p.lon, p.lat), fontsize=7, xytext=(3, 3), textcoords="offset points")
    if extent is None and shapes:
        bounds = [s.wgs84.bounds for s in shapes]
        xmin, ymin = min(b[0] for b in bounds) - 0.5, min(b[1] for b in bounds) - 0.4
        xmax, ymax = max(b[2] for b in bounds) + 0.5, max(b[3] for b in bounds) + 0.4
    else:
        xmin, ymin, xmax, ymax = extent or (35.5, 32.3, 38.2, 36.9)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect(1 / 0.82)  # cos(35°): degrees of longitude are shorter than degrees of latitude
    kinds = sorted({s.zone.kind for s in shapes})
    ax.legend(handles=[Patch(color=KIND_COLOURS[k], alpha=0.5, label=k) for k in kinds] or None,
              loc="lower right", fontsize=8)
    ax.set_title(f"{title}\nzones in force on {day.isoformat()}", fontsize=10)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.text(0.01, 0.01, "Boundaries: geoBoundaries/OCHA, CC BY 3.0 IGO.\nApproximate zones are derived, not surveyed.",
            transform=ax.transAxes, fontsize=6, color="#555555")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def timeline_chart(regime: Regime, path: Path, end: dt.date) -> Path:
    """A Gantt chart of zones and agreements: when each was in force, and when each ended."""
    fig, ax = plt.subplots(figsize=(9, 0.45 * (len(regime.zones) + 2) + 1.2), dpi=110)
    for i, zone in enumerate(reversed(regime.zones)):
        start, stop = as_day(zone.valid_from), as_day(zone.valid_to or end)
        colour = KIND_COLOURS.get(zone.kind, "#7F7F7F")
        ax.barh(i, (stop - start).days, left=start, color=colour, alpha=0.7)
        label = zone.name + (" (ended)" if zone.valid_to else "")
        ax.text(start, i, " " + label, va="center", fontsize=7)
    for agreement in regime.agreements:
        ax.axvline(agreement.signed, color="#333333", linewidth=0.6, linestyle=":")
        ax.text(agreement.signed, len(regime.zones) - 0.3, agreement.id, rotation=90, fontsize=6, va="bottom")
    ax.set_yticks([])
    ax.set_title(f"{regime.name}: zones in force", fontsize=10)
    fig.autofmt_xdate()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def violations_chart(found, path: Path) -> Path:
    """Violations per month, confirmed and possible, stacked by zone."""
    fig, ax = plt.subplots(figsize=(9, 4), dpi=110)
    judged = found[found["status"].isin(["confirmed", "possible"])]
    if not judged.empty:
        months = judged.assign(month=judged["date"].str.slice(0, 7))
        table = months.pivot_table(index="month", columns="zone", values="event_id", aggfunc="nunique", fill_value=0)
        table.plot(kind="bar", stacked=True, ax=ax, width=0.9)
        ax.set_xticks(range(0, len(table), 3))
        ax.set_xticklabels(table.index[::3], rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("events breaking a rule")
    ax.set_title("Violations per month by zone (confirmed and possible)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


FORCE_COLOURS = {"russia": "#C0392B", "turkey": "#2471A3", "russia+turkey": "#7D3C98"}


def patrol_timeline(plans: dict[str, list], path: Path) -> Path:
    """One panel per period: each patrol a bar from start to end, one row per mandate, coloured by force."""
    import matplotlib.dates as mdates

    fig, axes = plt.subplots(len(plans), 1, figsize=(10, 2.2 * len(plans) + 0.6), dpi=110, squeeze=False)
    for ax, (title, patrols) in zip(axes[:, 0], plans.items()):
        mandates = sorted({p.mandate for p in patrols})
        for p in patrols:
            forces = "+".join(p.forces)
            ax.barh(mandates.index(p.mandate), (p.end - p.start).total_seconds() / 86400, left=p.start, height=0.6,
                    color=FORCE_COLOURS.get(forces, "#7F7F7F"))
        ax.set_yticks(range(len(mandates)))
        ax.set_yticklabels(mandates, fontsize=7)
        ax.set_title(title, fontsize=9)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    handles = [Patch(color=c, label=f) for f, c in FORCE_COLOURS.items()]
    axes[0, 0].legend(handles=handles, fontsize=7, loc="upper right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
