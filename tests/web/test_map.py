"""The web map in a real browser: Debian's chromium driven by Playwright, against the real app (`create_app`)
served by uvicorn on 127.0.0.1, over a SQLite store holding the regime's shipped sample events.

Every request that does not go to the test server is aborted and recorded, and the tests assert none was
attempted: the map works with no network (Leaflet shipped, no CDN, no tiles).

Without /usr/bin/chromium (tools/install_chromium.sh installs it) the tests are skipped with the reason, or fail
when CEASEFIRE_REQUIRE_BROWSER=1 (CI). Screenshots go to $CEASEFIRE_SCREENSHOTS when set, else to tmp_path.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Debian's chromium (tools/install_chromium.sh); CEASEFIRE_CHROMIUM names another build of it.
CHROMIUM = Path(os.environ.get("CEASEFIRE_CHROMIUM") or "/usr/bin/chromium")
# No browser download: Debian's chromium, headless, with every background call home switched off.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 30_000
EARLY, LATE = "2017-06-01", "2019-03-08"
NOTE = "Shelling reported by one source only; the place is 25 km uncertain."


def _need_browser() -> None:
    missing = [name for name in ("playwright", "uvicorn") if importlib.util.find_spec(name) is None]
    if CHROMIUM.exists() and not missing:
        return
    if missing:
        why = f"{' and '.join(missing)} not installed: the browser tests of the web map need them (pip)"
    else:
        why = f"{CHROMIUM} is missing: run tools/install_chromium.sh (as root) for the browser tests of the web map"
    if os.environ.get("CEASEFIRE_REQUIRE_BROWSER") == "1":
        pytest.fail(why)
    pytest.skip(why)


# --------------------------------------------------------------------------- the server


@dataclass
class Served:
    base: str
    token: str
    db: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _analyst_token(db: Path) -> str:
    """An analyst made the way an admin makes one: `ceasefire users add`, which prints the token once."""
    done = subprocess.run([sys.executable, "-c", "from ceasefire.cli import main; main()",
                           "users", "add", "ana", "--role", "analyst", "--db", str(db)],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()[0]


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    _need_browser()
    import uvicorn

    from ceasefire.api import AppSettings, create_app
    from ceasefire.events import ingest_file
    from ceasefire.geodata.basedata import data_path
    from ceasefire.regime import load_regime
    from ceasefire.store import connect

    db = tmp_path_factory.mktemp("web") / "store.sqlite"
    store = connect(db)
    try:
        ingest_file(store, data_path("ucdp_ged_nw_syria_sample.csv"), "ucdp", None,
                    regime=load_regime("syria-northwest"), progress=False)
    finally:
        store.close()
    token = _analyst_token(db)
    app = create_app(AppSettings(db=str(db), regime="syria-northwest"))
    port = _free_port()
    # No websockets and no lifespan: nothing the map uses, and fewer imports in the server's thread.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           ws="none", lifespan="off"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", token, db)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def api(served: Served, path: str, **params: str) -> dict:
    """An API answer as JSON, read with the analyst's token (the page's requests are the browser's)."""
    url = f"{served.base}{path}?{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {served.token}",
                                                   "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def browser(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Tab:
    page: object
    outside: list[str] = field(default_factory=list)  # requests that tried to leave the test server
    errors: list[str] = field(default_factory=list)  # uncaught script errors


@pytest.fixture
def tab(browser, served) -> Iterator[Tab]:
    """A fresh browser tab (its own sessionStorage) whose only network is the test server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    opened = Tab(page)

    def only_the_server(route) -> None:
        url = route.request.url
        if url.startswith(served.base + "/"):
            route.continue_()
        else:
            opened.outside.append(url)
            route.abort()

    page.route("**/*", only_the_server)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.set_default_timeout(WAIT_MS)
    yield opened
    context.close()


def settle(page, what: str = "ceasefireMap.idle()") -> None:
    """Wait for one of the map's promises, bounded: a map that never settles fails instead of hanging."""
    page.evaluate(f"""() => Promise.race([{what},
        new Promise((_, fail) => setTimeout(() => fail(new Error('map not settled: {what}')), {WAIT_MS}))])""")


def log_in(page, served: Served) -> None:
    page.goto(served.base + "/map")
    page.fill("#token", served.token)
    page.click("#login")
    settle(page, "ceasefireMap.ready")
    assert page.text_content("#whoami") == "ana (analyst)"


def move_slider(page, day: str) -> None:
    """Move the date slider to a day, as a user's drag leaves it, and wait for the map to show it."""
    start = page.evaluate("CONFIG.start")
    index = (dt.date.fromisoformat(day) - dt.date.fromisoformat(start)).days
    page.fill("#date-slider", str(index))
    page.dispatch_event("#date-slider", "change")
    settle(page)
    assert page.text_content("#date-label") == day
    page.wait_for_selector(f'body[data-shown="{day}"]', state="attached")


def zones_drawn(page) -> list[str]:
    """The zone ids drawn as SVG paths (their `zone-<id>` class), besides what the map says it shows."""
    classes = page.eval_on_selector_all("path.zone", "paths => paths.map(p => p.getAttribute('class'))")
    return sorted({m.group(1) for c in classes for m in [re.search(r"(?:^|\s)zone-(\S+)", c)] if m})


def markers(page) -> list[str]:
    """The verdict ids on the violation markers (a marker holds the verdicts of one place)."""
    return sorted(" ".join(page.eval_on_selector_all("path.violation", "ps => ps.map(p => p.dataset.ids)")).split())


def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CEASEFIRE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --------------------------------------------------------------------------- the tests


def test_the_map_asks_for_a_token_then_follows_the_slider_offline(tab, served, tmp_path):
    page = tab.page
    page.goto(served.base + "/map")
    # Reading needs a token on this server: the map asks for one instead of showing an empty map.
    page.wait_for_function("document.getElementById('whoami').textContent.includes('reading needs a token')")
    page.fill("#token", "cf_nobody_wrong")
    page.click("#login")
    page.wait_for_function("document.getElementById('whoami').textContent.includes('refused')")
    log_in(page, served)
    shots = screenshots(tmp_path)

    move_slider(page, EARLY)
    assert page.evaluate("ceasefireMap.zonesShown()") == ["astana-1", "astana-2", "astana-3", "astana-4"]
    assert zones_drawn(page) == ["astana-1", "astana-2", "astana-3", "astana-4"]
    # The points are the verdicts of the 30 days ending on the day, one marker per place.
    early = api(served, "/collections/violations/items", datetime=f"2017-05-03/{EARLY}", limit="10000")
    assert early["features"] and markers(page) == sorted(f["id"] for f in early["features"])
    page.screenshot(path=str(shots / f"map-{EARLY}.png"))

    move_slider(page, LATE)
    assert page.evaluate("ceasefireMap.zonesShown()") == ["astana-1", "sochi-dmz"]
    assert zones_drawn(page) == ["astana-1", "sochi-dmz"]
    page.screenshot(path=str(shots / f"map-{LATE}.png"))

    # The chart and the downloads follow the window (30 days ending on the day) and the filters.
    by_day = api(served, "/violations/by-day", datetime=f"2019-02-07/{LATE}")
    drawn = page.eval_on_selector_all("#chart g.day", "days => days.map(d => d.dataset.date)")
    assert drawn == [d["date"] for d in by_day["days"]] and len(drawn) == 30
    page.select_option("#filter-zone", "sochi-dmz")
    settle(page)
    href = page.get_attribute("#download-csv", "href")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(href).query)
    assert query == {"datetime": [f"2019-02-07/{LATE}"], "zone": ["sochi-dmz"], "f": ["csv"], "limit": ["10000"]}
    assert "f=json" in page.get_attribute("#download-geojson", "href")
    in_dmz = api(served, "/collections/violations/items", datetime=f"2019-02-07/{LATE}", zone="sochi-dmz",
                 limit="10000")
    assert in_dmz["features"] and markers(page) == sorted(f["id"] for f in in_dmz["features"])

    assert tab.outside == [], f"the map tried to leave the server: {tab.outside}"
    assert tab.errors == []


def open_verdict(page, verdict: dict) -> None:
    """Click the point of a verdict (zoomed in, so no other place is under the pointer) and page its popup
    to that verdict: verdicts at one place share a marker."""
    lon, lat = verdict["geometry"]["coordinates"]
    # (a block body: returning the Leaflet map would make Playwright serialise its whole object graph)
    page.evaluate("([lat, lon]) => { ceasefireMap.map.setView([lat, lon], 13, {animate: false}); }", [lat, lon])
    marker = page.locator(f'path.violation[data-ids~="{verdict["id"]}"]')
    marker.click()
    popup = page.locator(".violation-popup")
    for _ in marker.get_attribute("data-ids").split():
        if popup.get_attribute("data-verdict") == verdict["id"]:
            return
        page.click(".violation-popup .next")
    raise AssertionError(f"the popup never showed {verdict['id']}")


def test_an_analyst_reviews_a_verdict_from_its_popup_and_the_review_persists(tab, served, tmp_path):
    page = tab.page
    window = f"2019-02-07/{LATE}"
    shown = api(served, "/collections/violations/items", datetime=window, limit="10000")["features"]
    verdict = next(f for f in shown if f["properties"]["review"] is None)
    log_in(page, served)
    move_slider(page, LATE)

    open_verdict(page, verdict)
    popup = page.locator(".violation-popup")
    assert popup.locator(".reason").text_content() == verdict["properties"]["reason"]
    assert "Not reviewed yet." in popup.text_content()
    form = page.locator("#review-form")
    form.locator("select[name=review]").select_option("disputed")
    form.locator("textarea[name=note]").fill(NOTE)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".violation-popup .review-state.review-disputed")
    assert NOTE in popup.text_content() and "by ana" in popup.text_content()
    marker = page.locator(f'path.violation[data-ids~="{verdict["id"]}"]')
    assert "review-disputed" in marker.get_attribute("class").split()

    # A reload keeps the day (in the URL) and the token (this tab's sessionStorage); the review comes back.
    page.reload()
    settle(page, "ceasefireMap.ready")
    assert page.text_content("#date-label") == LATE and page.text_content("#whoami") == "ana (analyst)"
    open_verdict(page, verdict)
    state = page.locator(".violation-popup .review-state")
    assert "review-disputed" in state.get_attribute("class").split()
    assert NOTE in state.text_content()

    stored = api(served, "/collections/violations/items", datetime=window, limit="10000")["features"]
    again = next(f for f in stored if f["id"] == verdict["id"])
    assert again["properties"]["review"] == "disputed"
    assert again["properties"]["review_note"] == NOTE
    assert again["properties"]["reviewed_by"] == "ana"
    assert tab.outside == [], f"the map tried to leave the server: {tab.outside}"
    assert tab.errors == []
