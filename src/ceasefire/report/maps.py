"""Maps and charts a monitor would rather see than read (PNG, matplotlib, no display needed).

Every map is drawn from the regime: its zones, its own roads and places, and — only when the regime
lies on the shipped Syrian data — Syria's governorates, highways and towns. Nothing here names a
country or a force; colours for forces are handed out per plan.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from ..geodata.basedata import admin_units, find_places, roads
from ..regime.models import Regime, as_day
from ..zones.ground import ground_of
from ..zones.timeline import ZoneShape

KIND_COLOURS = {"de-escalation": "#4C9BE8", "demilitarized": "#E8A33D", "security-corridor": "#D64545",
                "buffer": "#8E6CC2", "other": "#7F7F7F"}
# towns worth a label on a map of the shipped (Syrian) ground; a regime's own places are labelled too
LANDMARKS = ["Idlib", "Aleppo", "Hama", "Homs", "Latakia", "Damascus", "Saraqib", "Jisr ash Shughur",
             "Khan Shaykhun", "Daraa", "Douma", "Ar Rastan"]
# colours for the forces of a patrol plan, handed out in order: single forces first, then joint ones
FORCE_PALETTE = ["#C0392B", "#2471A3", "#7D3C98", "#1E8449", "#B9770E", "#5D6D7E"]

MapPage = tuple[list[ZoneShape], str, Path]  # the zones to draw, the title, the PNG to write


def zone_maps(regime: Regime, pages: Sequence[MapPage]) -> list[Path]:
    """One PNG per page: the zones over the regime's ground, each map framed on its own zones.

    The background (boundaries, roads, places) is laid once on one figure and only the zones change
    from page to page: a map then costs its zones and its PNG, not the basemap again.
    """
    if not pages:
        return []
    fig, ax = plt.subplots(figsize=(8, 8), dpi=110)
    fig.subplots_adjust(left=0.09, right=0.97, bottom=0.1, top=0.9)  # fixed: no tight_layout per page
    shipped = _background(ax, regime)
    credit = "Zones computed from the regime's words; approximate ones are derived, not surveyed."
    if shipped:
        credit = "Boundaries: geoBoundaries/OCHA, CC BY 3.0 IGO.\n" + credit
    fig.text(0.01, 0.005, credit, fontsize=6, color="#555555", va="bottom")  # under the map: no zone hides it
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    written = []
    for shapes, title, path in pages:
        artists = _draw_zones(ax, shapes)
        xmin, ymin, xmax, ymax = _frame(shapes)
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        # degrees of longitude shrink with latitude: keep the map's kilometres square
        ax.set_aspect(1 / max(math.cos(math.radians((ymin + ymax) / 2)), 0.1))
        kinds = sorted({s.zone.kind for s in shapes})
        if kinds:
            artists.append(ax.legend(handles=[Patch(color=KIND_COLOURS[k], alpha=0.5, label=k) for k in kinds],
                                     loc="lower right", fontsize=8))
        lines = [wrapped for line in title.splitlines() for wrapped in textwrap.wrap(line, 95)]
        ax.set_title("\n".join(lines[:4]), fontsize=9)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, pil_kwargs={"compress_level": 3})  # (level 6 costs a fifth more for 2 % smaller files)
        written.append(path)
        for artist in artists:
            artist.remove()
    plt.close(fig)
    return written


def _background(ax, regime: Regime) -> bool:
    """Lay the ground under every map: the shipped boundaries, roads and towns when the regime lies on
    them, and the regime's own roads and places. Whether the shipped data were drawn."""
    ground = ground_of(regime)
    if ground.shipped:
        units = admin_units()
        ax.add_collection(LineCollection(_lines(units[units["level"] == 1].boundary), colors="#999999",
                                         linewidths=0.6, zorder=1))
        ax.add_collection(LineCollection(_lines(roads().geometry), colors="#444444", linewidths=0.8,
                                         linestyles="--", zorder=3))
        for name in LANDMARKS:
            hits = find_places(name)
            if hits:
                _label(ax, hits[0].lon, hits[0].lat, name)
    if ground.roads is not None:
        ax.add_collection(LineCollection(_lines(ground.roads.to_crs(4326).geometry), colors="#444444",
                                         linewidths=0.8, linestyles="--", zorder=3))
    for place in regime.places:  # villages and crossings the regime names: smaller, under the towns
        _label(ax, place.lon, place.lat, place.name, colour="#666666", size=6)
    return ground.shipped


def _label(ax, lon: float, lat: float, name: str, colour: str = "black", size: float = 7) -> None:
    ax.plot(lon, lat, ".", color=colour, markersize=4, zorder=4)
    # (an annotation whose point lies outside the view is not drawn)
    ax.annotate(name, (lon, lat), fontsize=size, color=colour, xytext=(3, 3), textcoords="offset points", zorder=4)


def _draw_zones(ax, shapes: list[ZoneShape]) -> list:
    artists = []
    for shape in sorted(shapes, key=lambda s: -s.area_km2):  # big first so small ones stay visible
        colour = KIND_COLOURS.get(shape.zone.kind, "#7F7F7F")
        path = _polygon_path(shape.wgs84)
        if path is None:
            continue
        # add_artist, not add_patch: the view is set from the zones' bounds, and add_patch would walk every
        # vertex to update the data limits (a third of a map's time)
        artists.append(ax.add_artist(PathPatch(path, facecolor=colour, alpha=0.45, edgecolor=colour,
                                               linewidth=1.2, zorder=2)))
        c = shape.wgs84.representative_point()
        artists.append(ax.annotate(shape.zone.id, (c.x, c.y), fontsize=7, ha="center", color="#222222", zorder=5))
    return artists


def _frame(shapes: list[ZoneShape]) -> tuple[float, float, float, float]:
    """The zones' bounds with half a degree around them (room for the towns around), a little more for
    large zones."""
    xmin, ymin, xmax, ymax = shapely.total_bounds([s.wgs84 for s in shapes]) if shapes else (-1, -1, 1, 1)
    grow = 0.05 * max(xmax - xmin, ymax - ymin)
    return xmin - 0.5 - grow, ymin - 0.4 - grow, xmax + 0.5 + grow, ymax + 0.4 + grow


def _polygon_path(geom: BaseGeometry) -> MplPath | None:
    """A polygon or multipolygon as one matplotlib path, holes cut out (exteriors CCW, holes CW)."""
    vertices, codes = [], []
    for part in shapely.get_parts(shapely.orient_polygons(geom)):
        polygons = shapely.get_parts(part) if part.geom_type == "MultiPolygon" else [part]
        for polygon in polygons:
            if polygon.geom_type != "Polygon" or polygon.is_empty:
                continue  # a line or point left over from an overlay has no area to fill
            for ring in (polygon.exterior, *polygon.interiors):
                xy = np.asarray(ring.coords)[:, :2]
                ring_codes = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
                ring_codes[0], ring_codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
                vertices.append(xy)
                codes.append(ring_codes)
    return MplPath(np.concatenate(vertices), np.concatenate(codes)) if vertices else None


def _lines(geoms) -> list[np.ndarray]:
    """Every line part of these geometries as an (n, 2) array, for a LineCollection."""
    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    rings = [p.exterior if p.geom_type == "Polygon" else p for p in parts]
    return [np.asarray(shapely.get_coordinates(line)) for line in rings if not line.is_empty]


def timeline_chart(regime: Regime, path: Path, end: dt.date) -> Path:
    """A Gantt chart of zones and agreements: when each was in force, and when each ended."""
    fig, ax = plt.subplots(figsize=(9, 0.45 * (len(regime.zones) + 2) + 1.2), dpi=110)
    for i, zone in enumerate(reversed(regime.zones)):
        start, stop = as_day(zone.valid_from), as_day(zone.valid_to or end)
        colour = KIND_COLOURS.get(zone.kind, "#7F7F7F")
        ax.barh(i, max((stop - start).days, 1), left=start, color=colour, alpha=0.7)
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


def violations_chart(found, path: Path, title: str = "Violations per month by zone (confirmed and possible)"
                     ) -> Path:
    """Violations per month, confirmed and possible, stacked by zone."""
    fig, ax = plt.subplots(figsize=(9, 4), dpi=110)
    judged = found[found["status"].isin(["confirmed", "possible"])]
    if not judged.empty:
        months = judged.assign(month=judged["date"].str.slice(0, 7))
        table = months.pivot_table(index="month", columns="zone", values="event_id", aggfunc="nunique", fill_value=0)
        table.plot(kind="bar", stacked=True, ax=ax, width=0.9)
        step = 3 if len(table) > 12 else 1
        ax.set_xticks(range(0, len(table), step))
        ax.set_xticklabels(table.index[::step], rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("events breaking a rule")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def force_colours(plans: dict[str, list]) -> dict[str, str]:
    """A colour per force or group of forces in the plans: single forces first, then joint ones."""
    groups = sorted({"+".join(sorted(p.forces)) for patrols in plans.values() for p in patrols},
                    key=lambda g: (g.count("+"), g))
    return {g: FORCE_PALETTE[i % len(FORCE_PALETTE)] for i, g in enumerate(groups)}


def patrol_timeline(plans: dict[str, list], path: Path) -> Path:
    """One panel per period: each patrol a bar from start to end, one row per mandate, coloured by force."""
    import matplotlib.dates as mdates

    colours = force_colours(plans)
    fig, axes = plt.subplots(len(plans), 1, figsize=(10, 2.2 * len(plans) + 0.6), dpi=110, squeeze=False)
    for ax, (title, patrols) in zip(axes[:, 0], plans.items()):
        mandates = sorted({p.mandate for p in patrols})
        groups: dict[tuple[str, str], list] = {}
        for p in patrols:
            groups.setdefault((p.mandate, "+".join(sorted(p.forces))), []).append(p)
        for (mandate, forces), bars in groups.items():  # one call per row and colour: a call per bar is slow
            ax.barh([mandates.index(mandate)] * len(bars), [(p.end - p.start).total_seconds() / 86400 for p in bars],
                    left=[p.start for p in bars], height=0.6, color=colours[forces])
        ax.set_yticks(range(len(mandates)))
        ax.set_yticklabels(mandates, fontsize=7)
        ax.set_title(title, fontsize=9)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    handles = [Patch(color=c, label=f) for f, c in colours.items()]
    if handles:  # below the panels, where it hides no bar
        fig.legend(handles=handles, fontsize=7, loc="lower center", ncols=len(handles), frameon=False)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
