"""`ceasefire users` (accounts for `ceasefire serve`) and `ceasefire audit` (every write, who and when)."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from .common import Group, choose_format, command, db_option, emit, open_store, output_options

ROLE = click.Choice(["viewer", "analyst", "admin"])


def cli_actor() -> str:
    """Who a write from the command line is recorded as: the system user (the CLI has no token)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@click.group("users", cls=Group)
def users() -> None:
    """Accounts for `ceasefire serve`: a role (viewer, analyst, admin) and a token each.

    Example: ceasefire users add amira --role analyst
    """


@users.command("add")
@click.argument("name")
@click.option("--role", type=ROLE, required=True, help="viewer: read; analyst: also upload, post articles and "
              "review verdicts; admin: also users and regimes")
@click.option("--expires-in", "days", type=click.IntRange(1, 3650), default=365, show_default=True,
              help="days the token lasts")
@db_option
def users_add(name: str, role: str, days: int, db: Path | None) -> None:
    """Add a user and print their token, once: only its hash is kept.

    Example: ceasefire users add amira --role analyst --expires-in 90
    """
    from ..accounts import expiry, new_token

    if not name.strip() or len(name) > 100:
        raise click.BadParameter("a name of 1 to 100 characters", param_hint="NAME")
    store = open_store(db)
    token, stored = new_token()
    until = expiry(days)
    store.add_user(name, role, stored.token_id, stored.token_hash, until)
    store.record_audit(cli_actor(), "users.add", name, {"role": role, "expires": until}, "cli")
    click.echo(token)
    click.echo(f"{name} ({role}), token valid until {until[:10]}: give it to them now, it is not shown again",
               err=True)


@users.command("token")
@click.argument("name")
@click.option("--expires-in", "days", type=click.IntRange(1, 3650), default=365, show_default=True)
@db_option
def users_token(name: str, days: int, db: Path | None) -> None:
    """Give a user a new token (the old one stops working) and print it, once.

    Example: ceasefire users token amira
    """
    from ..accounts import expiry, new_token
    from ..errors import StoreError

    store = open_store(db)
    token, stored = new_token()
    until = expiry(days)
    if not store.set_token(name, stored.token_id, stored.token_hash, until):
        raise StoreError(f"no user named {name!r} (ceasefire users list)")
    store.record_audit(cli_actor(), "users.token", name, {"expires": until}, "cli")
    click.echo(token)


@users.command("revoke")
@click.argument("name")
@db_option
def users_revoke(name: str, db: Path | None) -> None:
    """Revoke a user's token at once.

    Example: ceasefire users revoke amira
    """
    from ..errors import StoreError

    store = open_store(db)
    if not store.revoke_user(name):
        raise StoreError(f"no user named {name!r} (ceasefire users list)")
    store.record_audit(cli_actor(), "users.revoke", name, {}, "cli")
    click.echo(f"{name}: token revoked")


@users.command("list")
@db_option
@output_options(["table", "csv", "json"])
def users_list(db: Path | None, fmt: str | None, output: str | None) -> None:
    """Users, their role, and when their token was made, expires or was revoked (never the token).

    Example: ceasefire users list
    """
    import pandas as pd

    from ..report.export import table_text

    fmt = choose_format(fmt, output, ["table", "csv", "json"])
    rows = [{k: v for k, v in row.items() if k != "token_hash"} for row in open_store(db, readonly=True).users()]
    frame = pd.DataFrame(rows, columns=["name", "role", "token_id", "created", "expires", "revoked"])
    emit(frame, fmt, output, what="users", table=lambda: table_text(frame, empty="no users yet: ceasefire users add"))


@command()
@db_option
@click.option("--limit", type=click.IntRange(1), default=None, help="only the newest N writes")
@output_options(["table", "csv", "json"])
def audit(db: Path | None, limit: int | None, fmt: str | None, output: str | None) -> None:
    """Every write to the store through the server or the account commands: when, who, what, counts, from where.

    Example: ceasefire audit --limit 20
    """
    import pandas as pd

    from ..report.export import table_text

    fmt = choose_format(fmt, output, ["table", "csv", "json"])
    frame = pd.DataFrame(open_store(db, readonly=True).audit(limit),
                         columns=["audit_id", "at", "user_name", "action", "target", "detail", "client"])
    emit(frame, fmt, output, what="writes", table=lambda: table_text(frame, empty="no writes recorded"))


def register(main: click.Group) -> None:
    main.add_command(users)
    main.add_command(audit)
