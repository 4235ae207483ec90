"""`ceasefire config`: which regime and store commands use when none is named."""

from __future__ import annotations

import click

from .. import settings
from .common import Group


@click.group("config", cls=Group, invoke_without_command=True)
@click.pass_context
def config(ctx: click.Context) -> None:
    """Show the settings (regime, db), where each comes from, and the config file's path.

    Example: ceasefire config set regime syria-northwest
    """
    if ctx.invoked_subcommand is None:
        click.echo(f"config file: {settings.config_path()}")
        for key, (env, meaning) in settings.KEYS.items():
            shown = settings.value(key) or "(not set)"
            click.echo(f"  {key} = {shown}    [{settings.source_of(key)}; ${env} overrides] {meaning}")


@config.command("set")
@click.argument("key", type=click.Choice(list(settings.KEYS)))
@click.argument("value")
def config_set(key: str, value: str) -> None:
    """Remember a setting in the config file.

    Example: ceasefire config set db ~/monitoring/events.sqlite   (or postgresql://monitor@db.example/ceasefire)
    """
    from pathlib import Path

    if key == "regime":
        from ..regime import load_regime

        load_regime(value)  # refuse a regime that does not load, now rather than at every command
        if value.endswith((".yaml", ".yml")):
            value = str(Path(value).resolve())
    else:  # a relative store path would mean another file in every folder the user works in; a server stays as given
        from ..store import is_server

        if not is_server(value):
            value = str(Path(value).expanduser().resolve())
    click.echo(f"{key} = {value} → {settings.set_value(key, value)}")


@config.command("unset")
@click.argument("key", type=click.Choice(list(settings.KEYS)))
def config_unset(key: str) -> None:
    """Forget a setting: commands fall back to the environment or the default.

    Example: ceasefire config unset regime
    """
    click.echo(f"{key} unset → {settings.set_value(key, None)}")


def register(main: click.Group) -> None:
    main.add_command(config)
