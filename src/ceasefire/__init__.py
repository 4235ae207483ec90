"""ceasefire: a ceasefire regime as software — agreements and their zones, events judged against the
rules in force, patrols planned and tracked, news read into sourced events.

The public face, by concept (each sub-package has its own small ``__all__``)::

    from ceasefire import load_regime, zones_at, zones_containing      # regime and zones
    from ceasefire import connect, ingest_file, events_frame, judge    # store, events, monitor
    from ceasefire import plan_patrols, find_conflicts                 # patrols
    from ceasefire import read_articles, read_article                  # news
"""

from ._lazy import lazy_names
from .errors import CeasefireError, GeometryError, InputError, OutputError, RegimeError, StoreError

# The public names load their modules on first use: `ceasefire --help` must not import pandas and GEOS.
_LAZY = {
    "connect": "store", "events_frame": "events", "ingest_file": "events", "judge": "monitor", "summarize": "monitor",
    "read_article": "news", "read_articles": "news", "find_conflicts": "patrols", "plan_patrols": "patrols",
    "load_regime": "regime", "zones_at": "zones", "zones_containing": "zones", "zones_frame": "zones",
}


__getattr__ = lazy_names(__name__, _LAZY)

__all__ = [
    "CeasefireError", "GeometryError", "InputError", "OutputError", "RegimeError", "StoreError", "connect", "events_frame",
    "find_conflicts", "ingest_file", "judge", "load_regime", "plan_patrols", "read_article", "read_articles",
    "summarize", "zones_at", "zones_containing", "zones_frame",
]
