"""`ceasefire serve`: the store, the regime and the web map over HTTP (OGC API – Features), for a team."""

from __future__ import annotations

from pathlib import Path

import click

from .common import command, db_option, load_regime, note, regime_option, store_path


@command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to listen on (0.0.0.0: every interface — put it behind TLS)")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@regime_option
@db_option
@click.option("--anonymous-read", is_flag=True, help="let anyone read without a token (writes still need one)")
@click.option("--tile-url", default=None, metavar="URL",
              help="a tile layer for the map (https://…/{z}/{x}/{y}.png, or a local one); none by default: the map "
                   "draws admin boundaries and zones, and needs no network")
@click.option("--max-upload-mb", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="the largest event file or article an analyst may upload")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="server processes")
def serve(host: str, port: int, regime_name: str | None, db: Path | None, anonymous_read: bool,
          tile_url: str | None, max_upload_mb: int, workers: int) -> None:
    """Serve the store: OGC API – Features (zones, events, violations, patrols, agreements), the web map, uploads
    and reviews with tokens (`ceasefire users add`), every write audited (`ceasefire audit`).

    Example: ceasefire serve --db events.sqlite   (then open http://127.0.0.1:8000/map)
    """
    import os

    import uvicorn

    from ..api import AppSettings

    target = store_path(db)
    regime = load_regime(regime_name)
    settings = AppSettings(db=str(target), regime=str(getattr(regime, "_source", None) or regime.id),
                           anonymous_read=anonymous_read, tile_url=tile_url,
                           max_upload_bytes=max_upload_mb * 1024 * 1024)
    os.environ["CEASEFIRE_SERVE_SETTINGS"] = settings.model_dump_json()
    note(f"serving {regime.id} from {target} on http://{host}:{port}/ — the map: http://{host}:{port}/map")
    uvicorn.run("ceasefire.api.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


def register(main: click.Group) -> None:
    main.add_command(serve)
