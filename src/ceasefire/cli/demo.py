"""`ceasefire demo`: the main job on built-in data."""

from __future__ import annotations

from pathlib import Path

import click

from .. import settings
from .common import command, regime_option


@command()
@regime_option
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="the folder for maps, GeoJSON and tables (made if missing)")
@click.option("--out", "out_alias", type=click.Path(file_okay=False, path_type=Path), default=None, hidden=True)
def demo(regime_name: str | None, out_dir: Path, out_alias: Path | None) -> None:
    """The main job on built-in data: the regime's timeline and its zones at key dates, as GeoJSON and maps.

    Example: ceasefire demo -o out
    """
    from ..report.demo import run_demo

    run_demo(regime_name or settings.value("regime") or settings.DEFAULT_REGIME, out_alias or out_dir, echo=click.echo)


def register(main: click.Group) -> None:
    main.add_command(demo)
