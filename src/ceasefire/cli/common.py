"""What every command shares: one grammar for options, errors as one line, the store named on stderr.

The grammar: ``--regime`` and ``--db`` default from the environment (CEASEFIRE_REGIME, CEASEFIRE_DB)
and then from the config file (``ceasefire config set regime syria-northwest``); listing commands take
``--format`` and ``-o`` (``-`` is standard output; with no ``--format`` the file's suffix decides);
``-h`` is ``--help``; a negative number (``-74.5``) is an argument, not an option.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.parser import _OptionParser, _ParsingState

from .. import settings
from ..errors import CeasefireError

if TYPE_CHECKING:
    from ..store import Store

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}
_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


class _NumberAwareParser(_OptionParser):
    def _process_opts(self, arg: str, state: _ParsingState) -> None:
        if _NUMBER.match(arg) and arg not in self._short_opt:
            state.largs.append(arg)  # "-74.5" is a longitude
        else:
            super()._process_opts(arg, state)


class Command(click.Command):
    def make_parser(self, ctx: click.Context) -> _OptionParser:
        parser = _NumberAwareParser(ctx)
        for param in self.get_params(ctx):
            param.add_to_parser(parser, ctx)
        return parser


class Group(click.Group):
    """Turns library errors into one line on stderr and exit status 1 — never a traceback."""

    command_class = Command
    group_class = type  # subgroups are Groups too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", CONTEXT)
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CeasefireError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


def note(message: str) -> None:
    """What a person should know beside the output (the store read, a file written): on stderr."""
    click.echo(message, err=True)


# --------------------------------------------------------------------------- regime and store


def _remember_allow_outside(ctx: click.Context, _param: Any, value: bool) -> bool:
    ctx.meta["allow_paths_outside"] = value
    return value


def allow_paths_option(f: Any) -> Any:
    return click.option("--allow-paths-outside", is_flag=True, expose_value=False, callback=_remember_allow_outside,
                        help="let the regime's file: zones read files outside the regime's folder")(f)


def regime_option(f: Any) -> Any:
    f = allow_paths_option(f)
    return click.option("--regime", "regime_name", default=None, metavar="NAME|FILE",
                        help="a built-in regime's name or a regime YAML file [default: $CEASEFIRE_REGIME, "
                             f"the config file's, or {settings.DEFAULT_REGIME}]")(f)


def load_regime(name: str | Path | None, **options: Any):
    """The regime a command names, or the configured one."""
    from ..regime import load_regime as load

    ctx = click.get_current_context(silent=True)
    if ctx and ctx.meta.get("allow_paths_outside"):
        options["allow_paths_outside"] = True
    return load(name or settings.value("regime") or settings.DEFAULT_REGIME, **options)


class StoreTarget(click.ParamType):
    """A SQLite file, or a PostgreSQL server's address (postgresql://user@host:port/database)."""

    name = "store"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path | str:
        if isinstance(value, Path):
            return value
        text = str(value)
        if text.startswith(("postgresql://", "postgres://")):
            return text
        if text.split("://", 1)[0].isalpha() and "://" in text:
            self.fail(f"{text!r}: a store is a SQLite file or a postgresql:// address", param, ctx)
        path = Path(text).expanduser()
        if path.is_dir():
            self.fail(f"{text!r} is a folder: name the store's file (e.g. {path / 'ceasefire.sqlite'})", param, ctx)
        return path


def db_option(f: Any) -> Any:
    return click.option("--db", "db", type=StoreTarget(), default=None,
                        help="the store: a SQLite file or a postgresql:// address [default: $CEASEFIRE_DB, the "
                             "config file's, or a file in the user data directory]")(f)


def store_path(db: Path | str | None) -> Path | str:
    """The store a command uses: the option, else $CEASEFIRE_DB, else the config file, else the default file."""
    from ..store import default_db_path

    configured = db or settings.value("db")
    if configured is None:
        return default_db_path()
    return StoreTarget().convert(configured, None, None)


def open_store(db: Path | str | None, *, readonly: bool = False) -> Store:
    """Open the store and say on stderr which one was read: an empty result from the wrong store misleads."""
    from ..store import connect

    store = connect(store_path(db), readonly=readonly)
    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(store.close)
    note(f"store: {store.label()}")
    return store


# --------------------------------------------------------------------------- dates


class When(click.ParamType):
    """A date (2020-03-06) or a date and time (2020-03-06T07:30, local to the regime, or with an offset)."""

    name = "when"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from ..regime.clock import parse_when

        if isinstance(value, (dt.date, dt.datetime)):
            return value
        try:
            return parse_when(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class Day(click.ParamType):
    name = "date"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)


DATE = Day()


def at_option(f: Any) -> Any:
    return click.option("--at", "at", type=When(), required=True,
                        help="a date (YYYY-MM-DD) or a local date and time (YYYY-MM-DDTHH:MM[+HH:MM])")(f)


def period_options(f: Any) -> Any:
    f = click.option("--to", "end", type=DATE, default=None, help="last day, YYYY-MM-DD")(f)
    return click.option("--from", "start", type=DATE, default=None, help="first day, YYYY-MM-DD")(f)


def check_period(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and start > end:
        raise click.BadParameter(f"--from {start} is after --to {end}", param_hint="'--from'")


def check_known(option: str, value: str | None, known: Sequence[str], what: str) -> None:
    """A filter naming something that does not exist is a mistake, not an empty result."""
    if value is None or value in known:
        return
    from ..regime.models import suggest

    raise click.BadParameter(f"no {what} {value!r}{suggest(value, known)}; known: {', '.join(known)}",
                             param_hint=f"'{option}'")


# --------------------------------------------------------------------------- listings out


def output_options(formats: Sequence[str], default: str = "table") -> Callable[[Any], Any]:
    """``--format`` and ``-o``; with ``-o FILE`` and no ``--format``, the file's suffix decides."""

    def decorate(f: Any) -> Any:
        f = click.option("-o", "--output", default=None, metavar="FILE|-",
                         help="write to this file (- for standard output)")(f)
        return click.option("--format", "fmt", type=click.Choice(list(formats)), default=None,
                            help=f"[default: {default}, or the -o file's suffix]")(f)

    return decorate


def choose_format(fmt: str | None, output: str | None, formats: Sequence[str], default: str = "table") -> str:
    """The listing's format (the option, else the -o file's suffix, else ``default``); a file that cannot be
    written there is an error now, before any work is done."""
    from ..report.export import format_of_suffix

    output_path(output)
    if fmt:
        return fmt
    guessed = format_of_suffix(output)
    return guessed if guessed in formats else default


def emit(frame: Any, fmt: str, output: str | None, *, what: str = "rows", layer: str = "features",
         table: Callable[[], str] | None = None) -> None:
    """Print or write one listing in the chosen format; ``-o -`` is standard output."""
    from ..errors import OutputError
    from ..report.export import encode, write_frame

    if output is None or output == "-":
        if fmt == "gpkg":
            raise OutputError("a GeoPackage is a file: give -o FILE.gpkg")
        data = encode(frame, fmt, table)
        if isinstance(data, bytes):
            click.get_binary_stream("stdout").write(data)
        else:
            click.echo(data.rstrip("\n"))
        return
    write_frame(frame, fmt, Path(output), layer=layer, table=table)
    note(f"{len(frame):,} {what} → {output}")


def output_path(output: str | None) -> Path | None:
    """A file the command will write (not standard output), checked before any work is done."""
    from ..report.export import check_writable

    if output is None or output == "-":
        return None
    path = Path(output)
    check_writable(path)
    return path


def write_text(text: str, output: str | None) -> None:
    """A document (not a listing) to standard output or a file."""
    from ..report.export import write_atomically

    if output is None or output == "-":
        click.echo(text)
        return
    write_atomically(Path(output), lambda path: path.write_text(text + "\n", encoding="utf-8"))
    note(f"→ {output}")


def command(*args: Any, **kwargs: Any) -> Callable[[Any], Any]:
    """``click.command`` speaking the grammar (negative numbers as arguments, -h)."""
    kwargs.setdefault("cls", Command)
    kwargs.setdefault("context_settings", CONTEXT)
    return click.command(*args, **kwargs)
