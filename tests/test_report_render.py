"""The mission's report rendered: one self-contained HTML file, Markdown and a PDF, on a real store.

The store holds the shipped UCDP sample judged against the built-in regime. The PDF's pages are turned into
images with poppler's ``pdftoppm`` (``tools/install_report_deps.sh`` installs it): without it these tests are
skipped with the reason, or fail when ``CEASEFIRE_REQUIRE_PDFTOPPM=1``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import time
import zlib
from pathlib import Path

import pytest

from ceasefire.errors import InputError
from ceasefire.report.mission import Period, build_report
from ceasefire.report.render import TEMPLATES_DIR, render_html, render_markdown, render_pdf

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "ceasefire" / "data" / "ucdp_ged_nw_syria_sample.csv"
HEADINGS = ["Headline", "Zones in force", "Violations by day", "List of violations", "Patrols",
            "Agreements and timeline", "Method notes"]
MAY = dt.date(2019, 5, 8)  # the week 2019-05-06 – 12: two zones, some 45 verdicts, one event in two zones
ASTANA_2_END = dt.date(2018, 5, 16)  # astana-2's last day in force
EMPTY = dt.date(2016, 1, 4)  # before the regime: no zone, no event
REVIEWED = "ucdp:294994"  # an air strike of 2019-05-06 in zone 1, disputed by an analyst


@pytest.fixture(scope="module")
def store(tmp_path_factory, regime):
    from ceasefire.events import ingest_file
    from ceasefire.monitor.stored import review_verdict
    from ceasefire.store import connect

    conn = connect(tmp_path_factory.mktemp("report") / "s.sqlite")
    ingest_file(conn, SAMPLE, "ucdp", progress=False)
    review_verdict(conn, regime, REVIEWED, "astana-cessation", "astana-1", "disputed", "SOHR only", "analyst")
    return conn


@pytest.fixture(scope="module")
def reports(store, regime):
    """The reports the tests read, built once: weekly for May 2019, around astana-2's end, and an empty week."""
    return {day: build_report(store, regime, Period.of(day, "week")) for day in (MAY, ASTANA_2_END, EMPTY)}


@pytest.fixture(scope="module")
def may_html(reports, regime):
    return render_html(reports[MAY], regime)


def section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}">')
    return html[start:html.index("</section>", start)]


def md_section(markdown: str, heading: str) -> str:
    start = markdown.index(f"\n## {heading}\n")
    end = markdown.find("\n## ", start + 1)
    return markdown[start:end if end >= 0 else len(markdown)]


# --------------------------------------------------------------------------------------------- HTML


def test_html_is_self_contained(may_html):
    links = re.findall(r"""\b(src|href)\s*=\s*["']?([^"'\s>]*)""", may_html, flags=re.IGNORECASE)
    assert links, "the page has figures and a table of contents"
    for attribute, target in links:
        assert not re.match(r"(https?:)?//", target, flags=re.IGNORECASE), (attribute, target)
        assert target.startswith("data:image/png;base64,") if attribute.lower() == "src" else target.startswith("#")
    assert "<script" not in may_html.lower()
    assert "<link" not in may_html.lower()  # the style sheet is inlined, not linked
    assert "@page" in may_html and "counter(pages)" in may_html


def test_html_has_every_section_and_title(may_html, reports):
    for heading in HEADINGS:
        assert re.search(rf"<h2>{re.escape(heading)}</h2>", may_html), heading
    assert ("<title>North-west Syria ceasefire regime, 2017–2020 — weekly report, 2019-05-06 – 2019-05-12</title>"
            in may_html)
    assert '<nav class="toc"' in may_html  # weekly: a table of contents
    # one map per zone in force, and the chart
    assert may_html.count('src="data:image/png;base64,') == len(reports[MAY].zones) + 1 == 3


def test_html_lists_every_violation_once(may_html, reports):
    listed = section(may_html, "violations")
    report = reports[MAY]
    ids = {v.event_id for v in report.violations}
    assert len(ids) < len(report.violations)  # an event in two zones: two verdicts, one entry
    for event_id in ids:
        assert listed.count(event_id) == 1, event_id
    assert "<span class=\"review\">disputed: SOHR only</span>" in listed
    headline = section(may_html, "headline")
    assert "<tr class=\"disputed\"><td>disputed</td><td class=\"num\">1</td><td class=\"num\">0</td>" \
           "<td class=\"num\">new</td></tr>" in headline
    assert f"{report.total} verdicts on {len(ids)} events" in headline
    all_line = next(c for c in report.headline if c.name == "all")
    assert f"<td>all verdicts</td><td class=\"num\">{all_line.now}</td><td class=\"num\">{all_line.before}</td>" \
           f"<td class=\"num\">{all_line.change_text}</td>" in headline


def test_html_shows_a_zone_that_ended_in_the_period(reports, regime):
    report = reports[ASTANA_2_END]
    ended = [z for z in report.zones if z.ended]
    assert [z.zone_id for z in ended] == ["astana-2"]
    html = render_html(report, regime)
    zone = html[html.index('<article class="zone" id="zone-astana-2">'):]
    zone = zone[:zone.index("</article>")]
    assert "In force until 2018-05-16 — no longer in force after it</strong>: Government forces retook the " \
           "Rastan–Talbiseh pocket under a surrender deal" in zone
    assert "zone astana-2 no longer in force (last day 2018-05-16)" in section(html, "timeline")
    markdown = render_markdown(report, regime)
    assert "> **In force until 2018-05-16 — no longer in force after it**: Government forces retook" in markdown


def test_empty_period_says_so(reports, regime):
    report = reports[EMPTY]
    assert report.empty and not report.zones
    html = render_html(report, regime)
    for heading in HEADINGS:
        assert f"<h2>{heading}</h2>" in html, heading
    assert "No violation was recorded in this period" in section(html, "headline")
    assert "No violation was recorded in this period." in section(html, "violations")
    assert "No zone was in force in this period." in section(html, "zones")
    assert "No patrol was planned in this period." in section(html, "patrols")
    markdown = render_markdown(report, regime)
    for heading in HEADINGS:
        assert f"\n## {heading}\n" in markdown, heading
    assert "**No violation was recorded in this period**" in md_section(markdown, "Headline")


def test_a_zone_with_no_violation_says_so(store, regime):
    report = build_report(store, regime, Period.of(dt.date(2030, 1, 1), "day"))  # zones in force, no events
    assert report.empty and report.zones and not report.weekly
    html = render_html(report, regime)
    assert html.count("No violation was recorded in this zone in this period") == len(report.zones)
    assert '<nav class="toc"' not in html  # daily: no table of contents
    assert "— daily report, 2030-01-01</title>" in html


# --------------------------------------------------------------------------------------------- Markdown


def test_markdown(reports, regime):
    report = reports[MAY]
    markdown = render_markdown(report, regime)
    title = "# North-west Syria ceasefire regime, 2017–2020 — weekly report, 2019-05-06 – 2019-05-12\n"
    assert markdown.startswith(title)
    for heading in HEADINGS:
        assert f"\n## {heading}\n" in markdown, heading
    listed = md_section(markdown, "List of violations")
    for event_id in {v.event_id for v in report.violations}:
        assert listed.count(event_id) == 1, event_id
    assert "| status | this period | previous period (2019-04-29 – 2019-05-05) | change |" in markdown
    assert "data:" not in markdown and "<img" not in markdown and "\n\n\n" not in markdown
    # a GFM table's rows have as many cells as its header
    for block in re.findall(r"(?:^\|.*\|\n)+", markdown, flags=re.MULTILINE):
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in block.splitlines()}
        assert len(widths) == 1, block


# --------------------------------------------------------------------------------------------- restyling


def test_a_mission_restyles_with_its_own_templates(tmp_path, reports, regime):
    folder = tmp_path / "ours"
    shutil.copytree(TEMPLATES_DIR, folder)
    page = folder / "report.html.j2"
    page.write_text(page.read_text(encoding="utf-8").replace("<h2>Headline</h2>", "<h2>En bref</h2>"),
                    encoding="utf-8")
    (folder / "report.css").write_text("body { color: #123456; }", encoding="utf-8")
    html = render_html(reports[EMPTY], regime, templates_dir=folder)
    assert "<h2>En bref</h2>" in html and "#123456" in html and "<h2>Headline</h2>" not in html

    page.write_text("{% if report.empty %}\n{{ report.nothing_here }}\n{% endif %}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"report\.html\.j2:2: template: .*nothing_here"):
        render_html(reports[EMPTY], regime, templates_dir=folder)
    page.write_text("line one\n{% if %}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"report\.html\.j2:2: template syntax"):
        render_html(reports[EMPTY], regime, templates_dir=folder)
    with pytest.raises(InputError, match=r"no-such-folder: no such template folder"):
        render_markdown(reports[EMPTY], regime, templates_dir=tmp_path / "no-such-folder")


# --------------------------------------------------------------------------------------------- figures


def test_maps_are_quick(reports, regime):
    from ceasefire.report.figures import by_day_chart_png, zone_map_png

    report = reports[MAY]
    zone_map_png(regime, report.zones[0], report.period)  # the shipped boundaries load once
    start = time.perf_counter()
    pngs = [zone_map_png(regime, z, report.period) for z in report.zones]
    took = time.perf_counter() - start
    assert len(pngs) == 2 and all(p.startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    assert took < 3.0, f"two zone maps took {took:.2f} s"
    assert by_day_chart_png(report).startswith(b"\x89PNG")


# --------------------------------------------------------------------------------------------- PDF


def pdftoppm() -> str:
    found = shutil.which("pdftoppm") or ("/usr/bin/pdftoppm" if Path("/usr/bin/pdftoppm").exists() else None)
    if found is None:
        why = "pdftoppm (Debian poppler-utils) is not installed: run tools/install_report_deps.sh as root"
        if os.environ.get("CEASEFIRE_REQUIRE_PDFTOPPM") == "1":
            pytest.fail(why)
        pytest.skip(why)
    return found


def pdf_pages(pdf: bytes) -> int:
    """The PDF's page objects, counted in its plain and its compressed (object stream) parts alike."""
    texts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            texts.append(zlib.decompressobj().decompress(pdf[match.end():match.end() + 2_000_000]))
        except zlib.error:
            continue  # not a deflated stream
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", text)) for text in texts)


def test_pdf_pages_render(tmp_path, reports, regime):
    tool = pdftoppm()
    report = reports[MAY]
    pdf = render_pdf(report, regime)
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    pages = pdf_pages(pdf)
    info = shutil.which("pdfinfo")
    if info:  # poppler's own count agrees
        out = subprocess.run([info, str(path)], capture_output=True, text=True, check=True).stdout
        assert int(re.search(r"^Pages:\s+(\d+)", out, flags=re.MULTILINE).group(1)) == pages
    assert pages > 1
    subprocess.run([tool, "-r", "50", "-png", str(path), str(tmp_path / "page")], check=True, capture_output=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    import matplotlib.image as mpimg

    first = mpimg.imread(images[0])[..., :3]
    ink = (first < 0.9).any(axis=-1).mean()
    assert ink > 0.01, f"the first page is blank ({ink:.1%} not white)"


def test_pdf_of_an_empty_period(tmp_path, reports, regime):
    pdftoppm()
    pdf = render_pdf(reports[EMPTY], regime)
    assert pdf.startswith(b"%PDF-") and pdf_pages(pdf) >= 1


def test_pdf_fetches_only_data_uris():
    from ceasefire.report.render import _data_only_fetcher

    fetcher = _data_only_fetcher()
    for url in ("https://example.org/x.png", "http://127.0.0.1/", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(ValueError, match="refused"):
            fetcher(url)
    assert fetcher("data:text/plain;base64,aGk=").read() == b"hi"
