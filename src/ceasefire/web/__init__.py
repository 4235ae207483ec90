"""The offline web map's files: a Jinja2 template and its static assets (plain JavaScript and CSS).

The API (``ceasefire.api``) renders ``templates/map.html`` at ``/map`` and mounts ``static/`` at
``/static/web``; Leaflet itself comes from the xstatic-leaflet package, mounted at ``/static/leaflet``.
Nothing here imports a web framework, so the paths can be read without one installed.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["STATIC_DIR", "TEMPLATE_DIR"]

STATIC_DIR: Path = Path(__file__).parent / "static"
TEMPLATE_DIR: Path = Path(__file__).parent / "templates"
