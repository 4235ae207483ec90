"""Answers in the formats a client asks for (``f=`` or ``Accept``): GeoJSON, JSON, CSV, HTML."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from ..errors import InputError

GEOJSON = "application/geo+json"
FORMATS = ("json", "csv", "html")


def chosen_format(request: Request, f: str | None, allowed: tuple[str, ...] = FORMATS) -> str:
    """``f`` when given; else HTML for a browser (its Accept names text/html before JSON), else JSON."""
    if f is not None:
        if f not in allowed:
            raise InputError(f"f: one of {', '.join(allowed)}, got {f!r}")
        return f
    accept = request.headers.get("accept", "")
    if "html" in allowed and "text/html" in accept and accept.find("text/html") < max(accept.find("json"), 10**9):
        return "html"
    return "json"


def _default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_default, allow_nan=False).encode()


def json_response(data: Any, media_type: str = "application/json", status: int = 200) -> Response:
    return Response(json_bytes(data), status_code=status, media_type=media_type)


def csv_response(rows: list[dict], columns: list[str], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _default(v) if isinstance(v, (dt.date, dt.datetime)) else v for k, v in row.items()})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }} — ceasefire</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em;max-width:80em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}th{background:#f3f3f3}</style>
</head><body>
<h1>{{ title }}</h1>
{% if description %}<p>{{ description }}</p>{% endif %}
{% if links %}<ul>{% for link in links %}<li><a href="{{ link.href }}">{{ link.title or link.rel }}</a>
{% if link.type %}<small>({{ link.type }})</small>{% endif %}</li>{% endfor %}</ul>{% endif %}
{% if rows %}<table><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in rows %}<tr>{% for c in columns %}<td>{{ row.get(c, "") if row.get(c) is not none else "" }}</td>
{% endfor %}</tr>{% endfor %}</table>{% elif rows is not none %}<p>Nothing matches.</p>{% endif %}
</body></html>"""


def html_response(title: str, description: str = "", links: list[dict] | None = None,
                  rows: list[dict] | None = None, columns: list[str] | None = None) -> HTMLResponse:
    from jinja2 import Environment

    template = Environment(autoescape=True).from_string(_PAGE)
    return HTMLResponse(template.render(title=title, description=description, links=links or [], rows=rows,
                                        columns=columns or (list(rows[0]) if rows else [])))


def page_links(request: Request, offset: int, limit: int, matched: int, returned: int) -> list[dict]:
    """self, next and prev links of an items page, keeping every other parameter of the request."""
    base = str(request.url).split("?")[0]
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("offset", "limit")]

    def at(where: int) -> str:
        return f"{base}?{urlencode([*params, ('limit', limit), ('offset', where)])}"

    links = [{"rel": "self", "type": GEOJSON, "title": "this page", "href": at(offset)}]
    if offset + returned < matched:
        links.append({"rel": "next", "type": GEOJSON, "title": "next page", "href": at(offset + limit)})
    if offset > 0:
        links.append({"rel": "prev", "type": GEOJSON, "title": "previous page", "href": at(max(offset - limit, 0))})
    return links
