"""The figures of a mission's report (:mod:`.mission`), as PNG bytes: a map per zone and a chart of violations by day.

Both are drawn with matplotlib's Agg backend, one figure at a time and closed after, so a report's figures
cost their drawing and their PNG, and nothing stays in memory between reports. The maps reuse the ground of
:mod:`.maps` (boundaries, roads and towns when the regime lies on the shipped data, the regime's own places).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
from typing import Any

import matplotlib
import numpy as np
import shapely

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.ticker import MaxNLocator

from ..geodata.basedata import admin_units
from ..regime.models import Regime
from ..store.records import STATUSES
from .maps import KIND_COLOURS, _background, _lines, _polygon_path
from .mission import MissionReport, Period, ZoneSection

STATUS_COLOURS = {"confirmed": "#c0392b", "possible": "#e67e22", "excluded": "#7f8c8d"}
ROUTE_COLOUR = "#1f3a93"
MAP_HEIGHT = 7.0  # inches
MAP_WIDTHS = (5.6, 9.0)  # inches: narrow for a tall zone, wide for a long one
MAP_MARGINS = (0.65, 0.15, 1.3, 0.4)  # inches left, right, bottom (legend and credits), top (title)
MAP_DPI = 110
CHART_SIZE = (8.0, 3.2)
CHART_DPI = 110
KM_PER_DEGREE = 111.32  # along a meridian, and along the equator
NICE_KM = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


def zone_map_png(regime: Regime, section: ZoneSection, period: Period) -> bytes:
    """The zone as it stood at the period's end (or its last day in force), the period's violations in it
    coloured by status (reviewed ones ringed), its planned patrol routes, boundaries and towns around it,
    a scale bar, a north arrow, a legend and the attribution."""
    xmin, ymin, xmax, ymax = _frame(section.shape)
    mid_lat = (ymin + ymax) / 2
    shrink = max(math.cos(math.radians(mid_lat)), 0.1)  # degrees of longitude shrink with latitude
    # the figure takes the zone's shape (7 in high, 5.6–9 in wide) so that the map, not white, fills the page
    left, right, bottom, top = MAP_MARGINS
    height = MAP_HEIGHT
    width = min(max((xmax - xmin) * shrink / (ymax - ymin) * (height - bottom - top) + left + right, MAP_WIDTHS[0]),
                MAP_WIDTHS[1])
    fig, ax = plt.subplots(figsize=(width, height), dpi=MAP_DPI)
    # fixed margins (no tight_layout: it measures every artist); the legend and credits sit below the map
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)
    try:
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_aspect(1 / shrink)  # keep the map's kilometres square
        ax.set_facecolor("#fbfbf8")
        shipped = _background(ax, regime)
        for text in ax.texts:  # the town names, a little larger: the map is printed smaller than it is drawn
            text.set_fontsize(text.get_fontsize() + 1.5)
        if shipped:  # districts under the governorates (which _background draws), thinner
            units = admin_units()
            districts = shapely.clip_by_rect(units[units["level"] == 2].boundary.values, xmin, ymin, xmax, ymax)
            ax.add_collection(LineCollection(_lines(districts), colors="#c4c4c4", linewidths=0.4, zorder=1))
        colour = KIND_COLOURS.get(section.kind, KIND_COLOURS["other"])
        path = _polygon_path(section.shape)
        if path is not None:
            ax.add_artist(PathPatch(path, facecolor=colour, alpha=0.30, edgecolor="none", zorder=2))
            ax.add_artist(PathPatch(path, facecolor="none", edgecolor=colour, linewidth=1.6, zorder=2,
                                    linestyle="--" if section.approximate else "-"))
        if section.patrol_routes:
            ax.add_collection(LineCollection(_lines(section.patrol_routes), colors=ROUTE_COLOUR, linewidths=1.0,
                                             linestyles=(0, (4, 2)), zorder=3, alpha=0.8))
        _points(ax, section.verdicts)
        _scale_bar(ax, xmin, xmax, ymin, ymax, mid_lat)
        _north_arrow(ax)
        ax.tick_params(labelsize=8)
        ax.set_xlabel("longitude", fontsize=8)
        ax.set_ylabel("latitude", fontsize=8)
        day = dt.date.fromisoformat(section.valid_to) if section.valid_to else period.end
        ax.set_title(f"{section.name} — as at {min(period.end, day).isoformat()}", fontsize=10)
        _map_legend(fig, section, colour)
        _declutter(fig, ax)
        credit = ["Boundaries: geoBoundaries/OCHA, CC BY 3.0 IGO." if shipped else "Boundaries: the regime's maps.",
                  "Events: as their sources say."]
        if section.approximate:
            credit.append("Zones approximate: derived from the agreements' words, not surveyed.")
        fig.text(0.01, 0.008, textwrap.fill("  ".join(credit), int(width * 19)), fontsize=6.5, color="#555555",
                 va="bottom")
        return _png(fig)
    finally:
        plt.close(fig)


def by_day_chart_png(report: MissionReport) -> bytes:
    """Violations by day stacked by status, for the report's period and the days before it (the period shaded)."""
    fig, ax = plt.subplots(figsize=CHART_SIZE, dpi=CHART_DPI)
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.12, top=0.9)
    try:
        days = [dt.date.fromisoformat(d["date"]) for d in report.by_day]
        x = mdates.date2num(days) if days else np.array([])
        bottom = np.zeros(len(days))
        for status in STATUSES:
            values = np.array([d.get(status, 0) for d in report.by_day], dtype=float)
            ax.bar(x, values, bottom=bottom, width=0.8, color=STATUS_COLOURS.get(status, "#999999"), label=status,
                   zorder=2)
            bottom += values
        start, end = mdates.date2num([report.period.start, report.period.end])
        ax.axvspan(start - 0.5, end + 0.5, color="#f3e6b3", alpha=0.6, zorder=1, label="this report's period")
        ax.set_ylim(0, max(float(bottom.max()) if len(bottom) else 0.0, 1.0) * 1.15)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        # Mondays: the weeks of a weekly report line up with the ticks (day-of-month ticks crowd at a month's end)
        ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
        ax.xaxis.set_minor_locator(mdates.DayLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        if days:
            ax.set_xlim(x[0] - 0.7, x[-1] + 0.7)
        ax.tick_params(labelsize=7)
        ax.set_ylabel("violations", fontsize=8)
        ax.grid(axis="y", color="#dddddd", linewidth=0.5, zorder=0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        # above the bars, where it hides none (the report's text gives the chart its title)
        ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=4, frameon=False)
        return _png(fig)
    finally:
        plt.close(fig)


def _declutter(fig, ax) -> None:
    """Hide a place name that would overlap one drawn before it (towns come first, the regime's villages after):
    close villages otherwise print over each other. Their dots stay."""
    renderer = fig.canvas.get_renderer()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    kept: list[Any] = []
    for text in ax.texts:
        xy = getattr(text, "xy", None)
        if xy is not None and not (x0 <= xy[0] <= x1 and y0 <= xy[1] <= y1):
            continue  # an annotation whose point lies outside the view is not drawn anyway
        box = text.get_window_extent(renderer).expanded(1.05, 1.1)
        if any(box.overlaps(other) for other in kept):
            text.set_visible(False)
        else:
            kept.append(box)


def _frame(shape: Any) -> tuple[float, float, float, float]:
    """The zone's bounds with a margin: a tenth of its span, at least 0.15° (room for the towns around)."""
    if shape is None or shape.is_empty:
        return (-1.0, -1.0, 1.0, 1.0)
    xmin, ymin, xmax, ymax = shape.bounds
    grow = max(0.1 * max(xmax - xmin, ymax - ymin), 0.15)
    return xmin - grow, ymin - grow, xmax + grow, ymax + grow


def _points(ax, verdicts: list[dict]) -> None:
    """The verdicts as dots by status (excluded under possible under confirmed), a ring round reviewed ones."""
    for status in reversed(STATUSES):
        mine = [v for v in verdicts if v.get("status") == status]
        if mine:
            ax.scatter([v["lon"] for v in mine], [v["lat"] for v in mine], s=22, color=STATUS_COLOURS.get(status),
                       edgecolors="white", linewidths=0.5, zorder=6)
    reviewed = [v for v in verdicts if v.get("review")]
    if reviewed:
        ax.scatter([v["lon"] for v in reviewed], [v["lat"] for v in reviewed], s=75, facecolors="none",
                   edgecolors="#111111", linewidths=1.0, zorder=7)


def _scale_bar(ax, xmin: float, xmax: float, ymin: float, ymax: float, lat: float) -> None:
    """A bar of a round number of km, about a fifth of the map's width, in the lower left corner."""
    km_per_deg = KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01)
    width_km = (xmax - xmin) * km_per_deg
    km = max([k for k in NICE_KM if k <= width_km / 5] or [NICE_KM[0]])
    length = km / km_per_deg
    x0, y0 = xmin + 0.04 * (xmax - xmin), ymin + 0.05 * (ymax - ymin)
    tick = 0.012 * (ymax - ymin)
    ax.fill_between([x0 - 0.01 * (xmax - xmin), x0 + length + 0.01 * (xmax - xmin)], y0 - 2.5 * tick,
                    y0 + 3.6 * tick, color="white", alpha=0.8, zorder=8, linewidth=0)
    half = length / 2
    ax.plot([x0, x0 + half], [y0, y0], color="black", linewidth=3, solid_capstyle="butt", zorder=9)
    ax.plot([x0 + half, x0 + length], [y0, y0], color="white", linewidth=3, solid_capstyle="butt", zorder=9)
    ax.plot([x0, x0 + length], [y0, y0], color="black", linewidth=0.5, zorder=9)
    for x in (x0, x0 + half, x0 + length):
        ax.plot([x, x], [y0 - tick, y0 + tick], color="black", linewidth=0.6, zorder=9)
    ax.text(x0 + length / 2, y0 + 1.4 * tick, f"{km:g} km", ha="center", va="bottom", fontsize=8, zorder=9)


def _north_arrow(ax) -> None:
    ax.annotate("N", xy=(0.955, 0.965), xytext=(0.955, 0.86), xycoords="axes fraction", textcoords="axes fraction",
                ha="center", va="center", fontsize=10, fontweight="bold", zorder=9,
                bbox={"boxstyle": "circle,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
                arrowprops={"facecolor": "black", "edgecolor": "black", "width": 2.5, "headwidth": 8,
                            "headlength": 8, "shrink": 0.0})


def _map_legend(fig, section: ZoneSection, colour: str) -> None:
    """A small legend below the map (where it hides nothing): the zone, each status, reviewed, patrol route."""
    handles: list[Any] = [Patch(facecolor=colour, alpha=0.45, edgecolor=colour,
                                linestyle="--" if section.approximate else "-",
                                label=f"{section.kind} zone" + (" (approximate)" if section.approximate else ""))]
    handles += [Line2D([], [], marker="o", linestyle="none", markersize=5, color=STATUS_COLOURS[s], label=s)
                for s in STATUSES if s in STATUS_COLOURS]
    handles.append(Line2D([], [], marker="o", linestyle="none", markersize=8, markerfacecolor="none",
                          markeredgecolor="#111111", label="reviewed"))
    handles.append(Line2D([], [], color=ROUTE_COLOUR, linestyle=(0, (4, 2)), label="planned patrol route"))
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.045), ncols=3, fontsize=8,
               frameon=False, columnspacing=1.2, handletextpad=0.4)


def _png(fig) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", pil_kwargs={"compress_level": 3})
    return out.getvalue()


__all__ = ["STATUS_COLOURS", "by_day_chart_png", "zone_map_png"]
