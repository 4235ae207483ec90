"""ceasefire: a ceasefire regime as software — agreements and their zones, events judged against the
rules in force, patrols planned and tracked, news read into sourced events.

The public face, by concept (each sub-package has its own small ``__all__``)::

    from ceasefire import load_regime, zones_at, zones_containing      # regime and zones
    from ceasefire import connect, ingest_file, events_frame, judge    # store, events, monitor
    from ceasefire import plan_patrols, find_conflicts                 # patrols
    from ceasefire import read_articles, read_article                  # news
"""

from .errors import CeasefireError, GeometryError, InputError, OutputError, RegimeError, StoreError
from .events import events_frame, ingest_file
from .monitor import judge, summarize
from .news import read_article, read_articles
from .patrols import find_conflicts, plan_patrols
from .regime import load_regime
from .store import connect
from .zones import zones_at, zones_containing, zones_frame

__all__ = [
    "CeasefireError", "GeometryError", "InputError", "OutputError", "RegimeError", "StoreError", "connect", "events_frame",
    "find_conflicts", "ingest_file", "judge", "load_regime", "plan_patrols", "read_article", "read_articles",
    "summarize", "zones_at", "zones_containing", "zones_frame",
]
