"""The HTTP face of ceasefire (`ceasefire serve`): OGC API – Features over the store and the regime, the
web map, uploads and reviews with tokens, every write audited.

    from ceasefire.api import AppSettings, create_app
    app = create_app(AppSettings(db="events.sqlite", regime="syria-northwest"))   # an ASGI app (FastAPI)

Routes call the same domain functions the command line calls: ``zones_at``, ``where_answer``, the stored
verdicts of :mod:`ceasefire.monitor.stored`, ``ingest_file``, ``read_news``, ``plan_patrols``.
"""

from .settings import AppSettings

__all__ = ["AppSettings", "create_app"]


def __getattr__(name: str):
    if name == "create_app":  # FastAPI loads only when an app is made
        from .app import create_app

        return create_app
    raise AttributeError(name)
