"""`ceasefire regime`: list, show, validate regimes and print their JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import Group, allow_paths_option, choose_format, emit, load_regime, output_options, write_text


@click.group("regime", cls=Group)
def regime() -> None:
    """List, show, validate regimes and print their JSON Schema.

    Example: ceasefire regime validate my-regime.yaml
    """


@regime.command("list")
@output_options(["table", "csv", "json"])
def regime_list(fmt: str | None, output: str | None) -> None:
    """List the built-in regimes.

    Example: ceasefire regime list --format csv
    """
    import pandas as pd

    from ..regime import builtin_regimes

    rows = []
    for name in builtin_regimes():
        r = load_regime(name)
        rows.append({"name": name, "title": r.name, "agreements": len(r.agreements), "zones": len(r.zones),
                     "rules": len(r.rules), "timezone": r.timezone})
    emit(pd.DataFrame(rows), choose_format(fmt, output, ["table", "csv", "json"]), output, what="regimes")


@regime.command("show")
@click.argument("name", required=False)
@allow_paths_option
def regime_show(name: str | None) -> None:
    """Show a regime's agreements, zones (with their dates) and rules (default: the configured regime).

    Example: ceasefire regime show syria-northwest
    """
    from ..zones.ground import describe_crs, ground_of

    r = load_regime(name)
    crs = ground_of(r).crs
    click.echo(f"{r.name} ({r.id}; times in {r.timezone}; computed in {describe_crs(crs)}, {crs})\n")
    click.echo("Agreements:")
    for a in r.agreements:
        click.echo(f"  {a.signed}  {a.id:20s} {a.title}")
    click.echo("\nZones:")
    for z in r.zones:
        until = z.valid_to.isoformat() if z.valid_to else "…"
        approx = " [approximate]" if z.approximate else ""
        click.echo(f"  {z.valid_from} → {until:10s} {z.id:14s} {z.name}{approx}")
        if z.end_note:
            click.echo(f"      ended: {z.end_note}")
    click.echo("\nRules:")
    for rule in r.rules:
        until = f" until {rule.until}" if rule.until else ""
        click.echo(f"  from {rule.from_}{until}  {rule.id:20s} in {', '.join(rule.zones)}: {rule.summary}")
        for suspension in rule.suspensions:
            click.echo(f"      suspended from {suspension.from_} to {suspension.until or '…'}: {suspension.reason}")
        sides = [f"between {' and '.join(rule.between)}" if rule.between else "",
                 f"by {', '.join(rule.by)}" if rule.by else "",
                 f"against {', '.join(rule.against)}" if rule.against else "",
                 *(f"except against {', '.join(e.against)}" for e in rule.exceptions)]
        if any(sides):
            click.echo(f"      {'; '.join(x for x in sides if x)}")
    for umbrella in r.umbrellas:
        click.echo(f"  (the actor name {umbrella.actor!r} may include: {', '.join(umbrella.may_include)})")
    click.echo("\nPatrol mandates:")
    for m in r.patrols:
        where = m.zone or f"{m.road} {m.from_place}–{m.to_place}"
        click.echo(f"  from {m.valid_from}  {m.id:22s} {'+'.join(m.forces)} {m.kind} {m.role} ({where})")


@regime.command("validate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@allow_paths_option
def regime_validate(path: Path) -> None:
    """Check a regime file, computing every zone; print what it holds or one error per problem.

    Example: ceasefire regime validate my-regime.yaml
    """
    from ..zones import regime_shapes

    r = load_regime(path, check_geometry=True)
    shapes = regime_shapes(r)
    if r.area is not None:  # otherwise a broken `area` would surface only at the first ingest
        from ..zones.area import regime_area

        regime_area(r)
    click.echo(f"{path}: valid — {len(r.agreements)} agreements, {len(r.zones)} zones "
               f"({', '.join(f'{k} {v.area_km2:.0f} km²' for k, v in shapes.items())}), {len(r.rules)} rules")


@regime.command("schema")
@click.option("-o", "--output", default=None, metavar="FILE|-", help="write to this file (- for standard output)")
def regime_schema(output: str | None) -> None:
    """Print the JSON Schema of regime files.

    Example: ceasefire regime schema -o regime.schema.json
    """
    from ..regime import Regime

    write_text(json.dumps(Regime.model_json_schema(by_alias=True), indent=2), output)


def register(main: click.Group) -> None:
    main.add_command(regime)
