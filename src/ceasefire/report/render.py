"""A mission's report (:class:`~.mission.MissionReport`) as one HTML file, Markdown or PDF.

Every word of the report is in the templates (``templates/report.html.j2``, ``report.md.j2`` and the style
sheet ``report.css``); the numbers and sentences come from the report. A mission restyles its report by
copying the folder and passing it as ``templates_dir``.

The HTML stands alone: its style sheet and figures are inside it (``data:`` URIs), it names no other URL
and needs no script. The PDF is WeasyPrint's rendering of the same HTML (A4, page numbers, a table of
contents with page numbers for weekly reports); WeasyPrint fetches nothing but ``data:`` URIs.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ..errors import InputError
from ..regime.models import Regime
from ..store.records import STATUSES
from ..zones.ground import ground_of
from .mission import REVIEW_STATES, MissionReport, ViolationRow

TEMPLATES_DIR = Path(__file__).parent / "templates"
HTML_TEMPLATE = "report.html.j2"
MARKDOWN_TEMPLATE = "report.md.j2"
STYLE_SHEET = "report.css"


@dataclass
class EventEntry:
    """One event of the list of violations, with each verdict it drew (an event may break several rules, or
    fall in two zones at once): the list names every event once."""

    first: ViolationRow
    verdicts: list[ViolationRow] = field(default_factory=list)

    @property
    def event_id(self) -> str:
        return self.first.event_id

    @property
    def sources(self) -> list[str]:
        """What the sources say it came from, without the dataset's own id (shown as the event already)."""
        return [s for s in self.first.sources if s != self.first.event_id]


def render_html(report: MissionReport, regime: Regime, templates_dir: Path | str | None = None) -> str:
    """The report as one self-contained HTML page (style and figures inlined)."""
    folder = _folder(templates_dir)
    return _render(folder, HTML_TEMPLATE, report, regime, figures=_figures(report, regime),
                   css=_read(folder, STYLE_SHEET))


def render_markdown(report: MissionReport, regime: Regime, templates_dir: Path | str | None = None) -> str:
    """The report in GitHub-flavoured Markdown (no figures: tables and text only)."""
    text = _render(_folder(templates_dir), MARKDOWN_TEMPLATE, report, regime, figures=None, css="")
    return re.sub(r"\n{3,}", "\n\n", text)  # the template's blocks leave runs of blank lines: one is enough


def render_pdf(report: MissionReport, regime: Regime, templates_dir: Path | str | None = None) -> bytes:
    """The report as a PDF: WeasyPrint's rendering of :func:`render_html`, reading nothing from any network."""
    import weasyprint

    html = render_html(report, regime, templates_dir)
    # the style sheet is in the page already (its @page rules give A4, margins and the page numbers)
    document = weasyprint.HTML(string=html, url_fetcher=_data_only_fetcher(), media_type="print")
    return document.write_pdf()


def _data_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that fetches ``data:`` URIs and refuses every other URL (WeasyPrint is imported
    only when a PDF is asked for)."""
    from weasyprint.urls import URLFetcher

    class DataOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.lower().startswith("data:"):
                raise ValueError(f"refused: a report fetches only data: URIs, not {url[:80]}")
            return super().fetch(url, headers)

    return DataOnly()


# --------------------------------------------------------------------------------------------- internals


def _folder(templates_dir: Path | str | None) -> Path:
    folder = Path(templates_dir) if templates_dir is not None else TEMPLATES_DIR
    if not folder.is_dir():
        raise InputError(f"{folder}: no such template folder (expected a copy of {TEMPLATES_DIR})")
    return folder


def _read(folder: Path, name: str) -> str:
    path = folder / name
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: missing from the template folder (copy it from {TEMPLATES_DIR})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({exc.__class__.__name__})") from None


def _environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "html"), default_for_string=False),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters["cell"] = _markdown_cell
    env.filters["slug"] = _slug
    env.filters["km"] = lambda value: f"{value:,.0f}"
    env.filters["percent"] = lambda value: f"{value:.0%}"
    return env


def _render(folder: Path, name: str, report: MissionReport, regime: Regime, figures: dict[str, Any] | None,
            css: str) -> str:
    env = _environment(folder)
    context = {"report": report, "regime": regime, "statuses": STATUSES, "review_states": REVIEW_STATES,
               "events": _events(report.violations), "figures": figures or {}, "css": css,
               "shipped_ground": ground_of(regime).shipped}
    try:
        template = env.get_template(name)
        return template.render(**context)
    except jinja2.TemplateNotFound:
        raise InputError(f"{folder / name}: missing from the template folder (copy it from {TEMPLATES_DIR})"
                         ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(f"{exc.filename or folder / name}:{exc.lineno}: template syntax: {exc.message}") from None
    except (jinja2.UndefinedError, TypeError, ValueError) as exc:
        raise InputError(f"{folder / name}:{_template_line(exc, name)}: template: {exc}") from None


def _template_line(exc: BaseException, name: str) -> str:
    """The template's line where rendering failed (Jinja puts it in the traceback), or '?'."""
    tb = exc.__traceback__
    line = "?"
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(name):
            line = str(tb.tb_lineno)
        tb = tb.tb_next
    return line


def _events(rows: list[ViolationRow]) -> list[EventEntry]:
    """The verdicts grouped by event, in the order of their first verdict."""
    entries: dict[str, EventEntry] = {}
    for row in rows:
        entries.setdefault(row.event_id, EventEntry(row)).verdicts.append(row)
    return list(entries.values())


def _figures(report: MissionReport, regime: Regime) -> dict[str, Any]:
    """The maps (by zone id) and the chart, as data: URIs."""
    from .figures import by_day_chart_png, zone_map_png

    maps = {s.zone_id: _data_uri(zone_map_png(regime, s, report.period)) for s in report.zones}
    return {"maps": maps, "chart": _data_uri(by_day_chart_png(report))}


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _slug(text: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", str(text).strip().lower()).replace(" ", "-")


def _markdown_cell(value: Any) -> str:
    """A value for a GFM table cell: one line, pipes escaped."""
    text = "" if value is None else str(value)
    return " ".join(text.split()).replace("|", "\\|")


__all__ = ["TEMPLATES_DIR", "render_html", "render_markdown", "render_pdf"]
