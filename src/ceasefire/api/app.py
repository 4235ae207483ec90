"""The FastAPI application: the server's state, errors as RFC 9457 problem details, the map and static assets."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import errors
from ..regime.models import Regime, as_day
from ..store import Store, connect, is_server
from ..store.records import Judgment
from .settings import AppSettings

PROBLEM = "application/problem+json"


class Server:
    """What every request shares: the settings, the regime (and its hash, computed once), one store
    connection per worker thread, and a lock so that one request at a time brings the verdicts up to date."""

    def __init__(self, settings: AppSettings):
        from ..regime import load_regime

        self.settings = settings
        self._local = threading.local()
        self._judging = threading.Lock()
        self.cache: dict[Any, Any] = {}
        self.cache_lock = threading.Lock()
        self._building = threading.Lock()
        self.scans = threading.BoundedSemaphore(2)  # whole-store scans at once: each holds the store's rows
        self.use_regime(load_regime(settings.regime))
        connect(settings.db).close()  # created and migrated now: a bad address fails at start, not on a request

    def use_regime(self, regime: Regime) -> None:
        from ..monitor.stored import regime_hash

        self.regime, self.regime_key = regime, regime_hash(regime)
        with self.cache_lock:
            self.cache.clear()

    def store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = connect(self.settings.db)
        return store

    def judgment(self) -> Judgment:
        """The stored verdicts of the regime, judged first if events came in (or the regime changed) since."""
        from ..monitor.stored import bring_up_to_date, current

        store = self.store()
        judgment, up_to_date = current(store, self.regime, self.regime_key)
        if up_to_date:
            return judgment
        with self._judging:
            return bring_up_to_date(store, self.regime, progress=False, key=self.regime_key)

    def uploads(self) -> Path:
        if self.settings.uploads:
            folder = Path(self.settings.uploads)
        elif not is_server(self.settings.db):
            db = Path(self.settings.db)
            folder = db.with_name(db.name + ".uploads")
        else:
            from platformdirs import user_data_dir

            folder = Path(user_data_dir("ceasefire")) / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def latest(self, kind: str, version: Any, make: Any) -> Any:
        """The value of ``kind`` for ``version`` (the events as of an ingest), made once; older versions go."""
        with self._building:
            found = self.cache.get(kind)
            if found is None or found[0] != version:
                with self.cache_lock:
                    self.cache.pop(kind, None)  # the old value goes before the new one is made: one in memory
                found = (version, make())
                with self.cache_lock:
                    self.cache[kind] = found
            return found[1]

    def cached(self, key: Any, make: Any) -> Any:
        """A value made once per key (zones at a date, boundaries, a day's patrols): they depend on the regime only."""
        with self.cache_lock:
            if key in self.cache:
                return self.cache[key]
        value = make()
        with self.cache_lock:
            if len(self.cache) > 512:
                self.cache = {k: v for k, v in self.cache.items() if isinstance(k, str)}
            self.cache[key] = value
        return value


def problem(status: int, title: str, detail: str, headers: dict | None = None) -> JSONResponse:
    """An RFC 9457 problem details answer."""
    return JSONResponse({"type": "about:blank", "title": title, "status": status, "detail": detail},
                        status_code=status, media_type=PROBLEM, headers=headers)


TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
          406: "Not Acceptable", 409: "Conflict", 413: "Content Too Large", 503: "Service Unavailable"}


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(errors.AccessError)
    async def access(_request: Request, exc: errors.AccessError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return problem(exc.status, TITLES[exc.status], str(exc), headers)

    @app.exception_handler(errors.StoreError)
    async def store(_request: Request, exc: errors.StoreError) -> JSONResponse:
        return problem(503, TITLES[503], str(exc))

    @app.exception_handler(errors.CeasefireError)
    async def user_error(_request: Request, exc: errors.CeasefireError) -> JSONResponse:
        return problem(400, TITLES[400], str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, TITLES.get(exc.status_code, "Error"), str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own shape (documented in the OpenAPI as HTTPValidationError), which names each bad field
        return JSONResponse({"detail": jsonable(exc.errors())}, status_code=422)


def jsonable(value: Any) -> Any:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(value, custom_encoder={ValueError: str, Exception: str})


def create_app(settings: AppSettings) -> FastAPI:
    from .features import router as features
    from .writes import router as writes

    app = FastAPI(title="ceasefire", version=_version(), openapi_url="/api", docs_url=None, redoc_url=None,
                  description="A ceasefire regime's zones, events, violations (with human reviews), patrols and "
                              "agreements as OGC API – Features; uploads and reviews with a bearer token.")
    app.state.server = Server(settings)
    app.openapi = lambda: _openapi(app)
    _install_errors(app)
    app.include_router(features)
    app.include_router(writes)
    _install_pages(app)
    return app


def _openapi(app: FastAPI) -> dict:
    """FastAPI's document, with errors (400–503 but 422, FastAPI's own) as the problem details they are."""
    from fastapi.openapi.utils import get_openapi

    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if code.isdigit() and int(code) >= 400 and code != "422" and "application/json" in content:
                        content[PROBLEM] = content.pop("application/json")
        app.openapi_schema = schema
    return app.openapi_schema


def app_from_environment() -> FastAPI:
    """The app `ceasefire serve` starts (uvicorn imports it in each worker): settings from the environment."""
    return create_app(AppSettings.model_validate_json(os.environ["CEASEFIRE_SERVE_SETTINGS"]))


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("ceasefire")
    except metadata.PackageNotFoundError:
        return "0"


def _install_pages(app: FastAPI) -> None:
    import swagger_ui_bundle
    import xstatic.pkg.leaflet as leaflet

    from ..web import STATIC_DIR, TEMPLATE_DIR

    app.mount("/static/web", StaticFiles(directory=STATIC_DIR), name="web")
    app.mount("/static/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")

    @app.get("/api.html", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """Interactive API docs, from assets served here: they work with no internet."""
        return get_swagger_ui_html(openapi_url="/api", title="ceasefire API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")

    from jinja2 import Environment, FileSystemLoader, select_autoescape

    templates = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=select_autoescape(["html"]))

    @app.get("/map", include_in_schema=False)
    def web_map(request: Request) -> HTMLResponse:
        server: Server = request.app.state.server
        html = templates.get_template("map.html").render(config=map_config(server), static="/static/web",
                                                          leaflet="/static/leaflet")
        return HTMLResponse(html)


def map_config(server: Server) -> dict:
    """What the map needs to start: the regime's span, its zones, rules and parties, the settings."""
    import datetime as dt

    regime = server.regime
    starts = [as_day(z.valid_from) for z in regime.zones]
    start = min(starts) if starts else dt.date.today()
    # the slider ends at the regime's last dated fact: a zone's start or end, an agreement, a change of ground,
    # a patrol mandate
    dated = [*starts, *(as_day(z.valid_to) for z in regime.zones if z.valid_to is not None),
             *(as_day(a.in_force_from) for a in regime.agreements), *(as_day(c.at) for c in regime.control),
             *(m.valid_from for m in regime.patrols), *(m.valid_to for m in regime.patrols if m.valid_to)]
    end = max(dated, default=start)
    return {
        "regime": regime.id, "regime_name": regime.name, "timezone": regime.timezone,
        "start": start.isoformat(), "end": end.isoformat(), "initial": start.isoformat(),
        "tile_url": server.settings.tile_url,
        "zones": [{"id": z.id, "name": z.name} for z in regime.zones],
        "rules": [{"id": r.id, "name": r.summary} for r in regime.rules],
        "parties": [{"id": p.id, "name": p.name} for p in regime.parties],
        "statuses": ["confirmed", "possible", "excluded"], "reviews": ["verified", "disputed", "dismissed"],
        "anonymous_read": server.settings.anonymous_read, "base": "",
    }
