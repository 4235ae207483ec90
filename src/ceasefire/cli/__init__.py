"""The `ceasefire` command line: a thin face over the library, one module per command group.

Every command speaks one grammar (see :mod:`ceasefire.cli.common`); every error is one line.
"""

from __future__ import annotations

import click

from .common import Group


@click.group(cls=Group)
@click.version_option(package_name="ceasefire")
def main() -> None:
    """Run a ceasefire regime as software: zones, rules, events and violations.

    Example: ceasefire zones --regime syria-northwest --at 2019-03-08 --format geojson
    """


from . import config, demo, events, monitor, news, patrols, regime, report, reviews, serve, users, zones  # noqa: E402

for module in (config, regime, zones, events, monitor, reviews, report, news, patrols, users, serve, demo):
    module.register(main)

__all__ = ["main"]
