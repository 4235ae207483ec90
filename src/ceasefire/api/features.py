"""OGC API – Features, Part 1 core, over the regime and the store: landing page, conformance, collections,
items (bbox, datetime, limit/offset with next and prev links, numberMatched, property filters), one item;
and two answers of the monitor's own: /where (what is in force at a point) and /violations/by-day."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import shapely
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from ..accounts import User
from ..errors import InputError
from ..regime.models import as_day
from ..store.records import VerdictFilter
from . import schemas
from .auth import reader
from .formats import GEOJSON, chosen_format, csv_response, html_response, json_response, page_links
from .query import DEFAULT_LIMIT, MAX_LIMIT, Period, listed, parse_bbox, parse_datetime

router = APIRouter()

CollectionId = Literal["zones", "violations", "events", "patrols", "agreements", "boundaries"]
COLLECTIONS: dict[str, tuple[str, str]] = {
    "zones": ("Zones", "The regime's zones. With datetime=D: the zones in force at D, each drawn with the ground it "
                       "covered then; with an interval: those in force at some moment of it."),
    "violations": ("Violations", "The monitor's stored verdicts: events that break a rule in force in a zone, with "
                                 "status (confirmed, possible, excluded), the sentence citing the agreement, and the "
                                 "analysts' current review. Filters: zone, rule, status, review (none: unreviewed), "
                                 "party, event_type."),
    "events": ("Events", "Every stored event (conflict-event datasets, news reports), normalized."),
    "patrols": ("Patrols", "The patrols the regime's mandates call for on the days of datetime (at most 31 days), "
                           "planned routes as lines."),
    "agreements": ("Agreements", "The regime's agreements (no geometry)."),
    "boundaries": ("Admin boundaries", "Governorates (level 1), districts (2) and sub-districts (3), simplified: the "
                                       "map's base. Filter: level."),
}
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
]
ERRORS = {400: {"model": schemas.Problem, "description": "a parameter that cannot be read"},
          401: {"model": schemas.Problem, "description": "no token, or one unknown, revoked or expired"},
          503: {"model": schemas.Problem, "description": "the store cannot be read"}}
FEATURES_OUT = {200: {"content": {GEOJSON: {"schema": {"$ref": "#/components/schemas/FeatureCollection"}},
                                  "text/csv": {"schema": {"type": "string"}},
                                  "text/html": {"schema": {"type": "string"}}}}}
PAGES_OUT = {"text/html": {"schema": {"type": "string"}}}


def _server(request: Request):
    return request.app.state.server


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


# ------------------------------------------------------------------------------------------ landing page


@router.get("/", response_model=schemas.Landing, responses={200: {"content": PAGES_OUT}},
            summary="Landing page (no token needed)")
def landing(request: Request, f: Literal["json", "html"] | None = None) -> Response:
    server = _server(request)
    base = _base(request)
    links = [
        {"href": f"{base}/", "rel": "self", "type": "application/json", "title": "this document"},
        {"href": f"{base}/api", "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.1",
         "title": "the API definition"},
        {"href": f"{base}/api.html", "rel": "service-doc", "type": "text/html", "title": "the API documentation"},
        {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json",
         "title": "OGC API conformance classes"},
        {"href": f"{base}/collections", "rel": "data", "type": "application/json", "title": "the collections"},
        {"href": f"{base}/map", "rel": "alternate", "type": "text/html", "title": "the web map"},
    ]
    title = f"ceasefire — {server.regime.name}"
    description = (f"The {server.regime.id} regime: its zones, agreements and patrols, and the events and "
                   "violations of its store, as OGC API – Features.")
    if chosen_format(request, f, ("json", "html")) == "html":
        return html_response(title, description, links)
    return json_response({"title": title, "description": description, "links": links})


@router.get("/conformance", response_model=schemas.Conformance, responses={200: {"content": PAGES_OUT}},
            summary="OGC API conformance classes")
def conformance(request: Request, f: Literal["json", "html"] | None = None) -> Response:
    if chosen_format(request, f, ("json", "html")) == "html":
        return html_response("Conformance", links=[{"href": c, "rel": "conformance"} for c in CONFORMANCE])
    return json_response({"conformsTo": CONFORMANCE})


# ------------------------------------------------------------------------------------------- collections


def _collection(request: Request, cid: str) -> dict:
    base = _base(request)
    title, description = COLLECTIONS[cid]
    server = _server(request)
    config_start = min((as_day(z.valid_from) for z in server.regime.zones), default=None)
    return {
        "id": cid, "title": title, "description": description, "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": {"spatial": {"bbox": [list(_regime_bbox(server))],
                               "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
                   "temporal": {"interval": [[config_start.isoformat() if config_start else None, None]]}},
        "links": [
            {"href": f"{base}/collections/{cid}", "rel": "self", "type": "application/json", "title": title},
            {"href": f"{base}/collections/{cid}/items", "rel": "items", "type": GEOJSON, "title": f"{title} (GeoJSON)"},
            {"href": f"{base}/collections/{cid}/items?f=csv", "rel": "items", "type": "text/csv",
             "title": f"{title} (CSV)"},
            {"href": f"{base}/collections/{cid}/items?f=html", "rel": "items", "type": "text/html",
             "title": f"{title} (HTML)"},
        ],
    }


def _regime_bbox(server) -> tuple[float, float, float, float]:
    def make():
        from ..zones import regime_shapes

        shapes = [s.wgs84 for s in regime_shapes(server.regime).values()]
        if not shapes:
            return (-180.0, -90.0, 180.0, 90.0)
        return tuple(round(float(v), 5) for v in shapely.total_bounds(shapes))

    return server.cached("bbox", make)


@router.get("/collections", response_model=schemas.Collections, responses={200: {"content": PAGES_OUT}, **ERRORS},
            summary="The collections")
def collections(request: Request, f: Literal["json", "html"] | None = None,
                user: User | None = Depends(reader)) -> Response:
    found = [_collection(request, cid) for cid in COLLECTIONS]
    links = [{"href": f"{_base(request)}/collections", "rel": "self", "type": "application/json",
              "title": "the collections"}]
    if chosen_format(request, f, ("json", "html")) == "html":
        return html_response("Collections", links=[link for c in found for link in c["links"][1:2]],
                             rows=[{"id": c["id"], "title": c["title"], "description": c["description"]}
                                   for c in found])
    return json_response({"links": links, "collections": found})


@router.get("/collections/{collection_id}", response_model=schemas.Collection,
            responses={200: {"content": PAGES_OUT}, **ERRORS}, summary="One collection")
def collection(request: Request, collection_id: CollectionId, f: Literal["json", "html"] | None = None,
               user: User | None = Depends(reader)) -> Response:
    found = _collection(request, collection_id)
    if chosen_format(request, f, ("json", "html")) == "html":
        return html_response(found["title"], found["description"], found["links"])
    return json_response(found)


# ------------------------------------------------------------------------------------------------- items


class Filters:
    """The property filters an items request may carry (each one value, or several comma-separated)."""

    def __init__(self, zone: str | None = Query(None, description="zone id(s)"),
                 rule: str | None = Query(None, description="violations: rule id(s)"),
                 status: str | None = Query(None, description="violations: confirmed, possible, excluded"),
                 review: str | None = Query(None, description="violations: verified, disputed, dismissed, none"),
                 party: str | None = Query(None, description="violations: a party id, in breach or involved"),
                 event_type: str | None = Query(None, description="violations, events: event type(s)"),
                 level: int | None = Query(None, ge=1, le=3, description="boundaries: 1, 2 or 3")):
        self.zone, self.rule, self.status = listed(zone), listed(rule), listed(status)
        self.review, self.party, self.event_type, self.level = listed(review), listed(party), listed(event_type), level

    def verdicts(self, period: Period, bbox) -> VerdictFilter:
        return VerdictFilter(start=period.start, end=period.end, zone=self.zone, rule=self.rule, status=self.status,
                             party=self.party, event_type=self.event_type, review=self.review, bbox=bbox)


@router.get("/collections/{collection_id}/items", response_model=schemas.FeatureCollection,
            responses={**FEATURES_OUT, **ERRORS}, summary="Items of a collection")
def items(request: Request, collection_id: CollectionId,
          bbox: str | None = Query(None, description="minlon,minlat,maxlon,maxlat (WGS84)"),
          datetime_: str | None = Query(None, alias="datetime", description="D, D1/D2, ../D2 or D1/.."),
          limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=2**31),
          f: Literal["json", "csv", "html"] | None = None, filters: Filters = Depends(),
          user: User | None = Depends(reader)) -> Response:
    period, box = parse_datetime(datetime_), parse_bbox(bbox)
    server = _server(request)
    features, matched = ITEMS[collection_id](server, period, box, filters, limit, offset)
    return _answer(request, f, collection_id, features, matched, offset, limit)


# ``:path``: a patrol's id holds slashes (russia-perimeter-2019/20190505/01-1)
@router.get("/collections/{collection_id}/items/{feature_id:path}", response_model=schemas.Feature,
            responses={200: {"content": {GEOJSON: {"schema": {"$ref": "#/components/schemas/Feature"}},
                                         "text/html": {"schema": {"type": "string"}}}},
                       404: {"model": schemas.Problem, "description": "no such item"}, **ERRORS},
            summary="One item")
def item(request: Request, collection_id: CollectionId, feature_id: str,
         datetime_: str | None = Query(None, alias="datetime", description="zones: drawn as at this date"),
         f: Literal["json", "html"] | None = None, user: User | None = Depends(reader)) -> Response:
    server = _server(request)
    found = ONE[collection_id](server, feature_id, parse_datetime(datetime_))
    if found is None:
        raise HTTPException(404, f"no item {feature_id!r} in {collection_id}")
    if chosen_format(request, f, ("json", "html")) == "html":
        return html_response(f"{COLLECTIONS[collection_id][0]}: {feature_id}", rows=[found["properties"]])
    found = {**found, "links": [{"href": str(request.url), "rel": "self", "type": GEOJSON},
                                {"href": f"{_base(request)}/collections/{collection_id}", "rel": "collection",
                                 "type": "application/json"}]}
    return json_response(found, GEOJSON)


def _answer(request: Request, f: str | None, cid: str, features: list[dict], matched: int, offset: int,
            limit: int) -> Response:
    fmt = chosen_format(request, f)
    if fmt == "csv":
        rows = [_csv_row(feature) for feature in features]
        columns = list(dict.fromkeys(k for row in rows for k in row)) or ["id"]
        return csv_response(rows, columns, f"{cid}.csv")
    if fmt == "html":
        rows = [{"id": feature.get("id"), **(feature["properties"] or {})} for feature in features]
        return html_response(f"{COLLECTIONS[cid][0]}: {len(features)} of {matched}",
                             links=page_links(request, offset, limit, matched, len(features)), rows=rows)
    return json_response({
        "type": "FeatureCollection", "features": features, "numberMatched": matched,
        "numberReturned": len(features), "timeStamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "links": page_links(request, offset, limit, matched, len(features)),
    }, GEOJSON)


def _csv_row(feature: dict) -> dict:
    row = {"id": feature.get("id"), **(feature["properties"] or {})}
    geometry = feature.get("geometry")
    if geometry and geometry["type"] == "Point":
        row.setdefault("lon", geometry["coordinates"][0])
        row.setdefault("lat", geometry["coordinates"][1])
    elif geometry:
        row["wkt"] = shapely.to_wkt(shapely.geometry.shape(geometry), rounding_precision=5)
    return row


def _page(features: list[dict], limit: int, offset: int) -> tuple[list[dict], int]:
    return features[offset:offset + limit], len(features)


def _point(lon: Any, lat: Any) -> dict | None:
    if lon is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


def _within(geometries: list, box) -> list[bool]:
    if box is None:
        return [True] * len(geometries)
    frame = shapely.box(*box)
    return list(shapely.intersects(geometries, frame))


# ---- zones


def _zone_shapes(server, period: Period) -> list:
    from ..zones import zones_at, zones_during

    if period.instant:
        return zones_at(server.regime, period.start)
    return zones_during(server.regime, period.start, period.end)


def _zone_features(server, period: Period) -> list[tuple[Any, dict]]:
    def make():
        import json

        from ..zones import zones_frame

        shapes = _zone_shapes(server, period)
        frame = zones_frame(shapes)
        out = []
        for shape, row in zip(shapes, frame.drop(columns="geometry").to_dict("records")):
            row["valid_to"] = row["valid_to"] or None
            out.append((shape.wgs84, {"type": "Feature", "id": row["id"],
                                      "geometry": json.loads(shapely.to_geojson(shape.wgs84)), "properties": row}))
        return out

    return server.cached(("zones", period), make)


def zone_items(server, period, box, filters: Filters, limit, offset):
    found = _zone_features(server, period)
    keep = _within([g for g, _ in found], box)
    features = [f for (_, f), k in zip(found, keep) if k and (not filters.zone or f["id"] in filters.zone)]
    return _page(features, limit, offset)


def zone_item(server, feature_id: str, period: Period):
    period = period if period.start or period.end else Period(None, None)
    return next((f for _, f in _zone_features(server, period) if f["id"] == feature_id), None)


# ---- boundaries


def _boundary_features(server) -> list[tuple[Any, dict]]:
    def make():
        import json

        from ..geodata.basedata import admin_units

        units = admin_units()
        simple = shapely.simplify(units.geometry.values, 0.002, preserve_topology=True)
        out = []
        for geometry, unit in zip(simple, units.drop(columns="geometry").itertuples()):
            out.append((geometry, {"type": "Feature", "id": unit.pcode,
                                   "geometry": json.loads(shapely.to_geojson(geometry)),
                                   "properties": {"id": unit.pcode, "name": unit.name, "level": int(unit.level),
                                                  "parent": unit.parent or None}}))
        return out

    return server.cached("boundaries", make)


def boundary_items(server, period, box, filters: Filters, limit, offset):
    found = _boundary_features(server)
    keep = _within([g for g, _ in found], box)
    features = [f for (_, f), k in zip(found, keep)
                if k and (filters.level is None or f["properties"]["level"] == filters.level)]
    return _page(features, limit, offset)


def boundary_item(server, feature_id: str, period: Period):
    return next((f for _, f in _boundary_features(server) if f["id"] == feature_id), None)


# ---- violations


def _verdict_feature(row: dict) -> dict:
    return {"type": "Feature", "id": f"{row['event_id']}~{row['rule']}~{row['zone']}",
            "geometry": _point(row["lon"], row["lat"]), "properties": row}


def violation_items(server, period, box, filters: Filters, limit, offset):
    judgment = server.judgment()
    where = filters.verdicts(period, box)
    store = server.store()
    rows = store.stored_verdicts(judgment.judgment_id, where, limit, offset).to_pylist()
    matched = store.count_verdicts(judgment.judgment_id, where) if len(rows) == limit or offset else \
        offset + len(rows)
    return [_verdict_feature(row) for row in rows], matched


def violation_item(server, feature_id: str, period: Period):
    parts = feature_id.split("~")
    if len(parts) != 3:
        return None
    event_id, rule, zone = parts
    judgment = server.judgment()
    rows = server.store().stored_verdicts(
        judgment.judgment_id, VerdictFilter(event_id=event_id, rule=[rule], zone=[zone])).to_pylist()
    return _verdict_feature(rows[0]) if rows else None


# ---- events

EVENT_PROPERTIES = ["event_id", "source", "source_id", "date", "date_end", "date_precision", "time", "lon", "lat",
                    "place", "place_precision", "place_radius_km", "adm1", "adm2", "event_type", "sub_event_type",
                    "weapon_class", "actor1", "actor2", "roles", "fatalities_best", "fatalities_low",
                    "fatalities_high", "sources", "notes"]


def _event_feature(row: dict) -> dict:
    return {"type": "Feature", "id": row["event_id"], "geometry": _point(row["lon"], row["lat"]), "properties": row}


class EventsInMemory:
    """The store's events sorted by date (then id), with their dates as day numbers and their points as arrays:
    a page of a period and a box is two binary searches and a mask over the period's rows."""

    def __init__(self, table):
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        self.table = table.sort_by([("date", "ascending"), ("event_id", "ascending")])
        self.days = self.table["date"].cast(pa.int32()).to_numpy()
        self.ends = self.table["date_end"].cast(pa.int32()).to_numpy()
        self.lon = self.table["lon"].to_numpy()
        self.lat = self.table["lat"].to_numpy()
        self.span = int(pc.max(pc.subtract(self.ends, self.days)).as_py() or 0) if len(self.table) else 0
        self.np = np

    def rows(self, period: Period, box, event_types: list[str]):
        np = self.np
        epoch = dt.date(1970, 1, 1)
        first = (period.start - epoch).days if period.start else None
        last = (period.end - epoch).days if period.end else None
        lo = int(np.searchsorted(self.days, first - self.span)) if first is not None else 0
        hi = int(np.searchsorted(self.days, last, side="right")) if last is not None else len(self.days)
        keep = np.ones(max(hi - lo, 0), bool)
        if first is not None:
            keep &= self.ends[lo:hi] >= first  # its dates meet the period
        if box is not None:
            west, south, east, north = box
            lon, lat = self.lon[lo:hi], self.lat[lo:hi]
            keep &= (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        rows = lo + np.flatnonzero(keep)
        if event_types and len(rows):
            kinds = self.table["event_type"].take(rows).to_numpy(zero_copy_only=False)
            rows = rows[np.isin(kinds, event_types)]
        return rows


def _events_in_memory(server) -> EventsInMemory | None:
    store = server.store()
    if store.count("events") > server.settings.events_in_memory:
        return None
    return server.latest("events", store.last_ingest_id(),
                         lambda: EventsInMemory(store.events(columns=EVENT_PROPERTIES)))


def event_items(server, period, box, filters: Filters, limit, offset):
    import pyarrow as pa

    held = _events_in_memory(server)
    if held is not None:
        rows = held.rows(period, box, filters.event_type)
        page = held.table.take(pa.array(rows[offset:offset + limit])) if len(rows) else held.table.slice(0, 0)
        return [_event_feature(row) for row in page.to_pylist()], len(rows)
    with server.scans:  # a store too large to hold: scanned, at most two requests at a time
        return _scanned_event_items(server, period, box, filters, limit, offset)


def _scanned_event_items(server, period, box, filters: Filters, limit, offset):
    import pyarrow as pa
    import pyarrow.compute as pc

    table = server.store().events(period.start, period.end, columns=EVENT_PROPERTIES)
    keep = None
    if box is not None:
        west, south, east, north = box
        keep = pc.and_(pc.and_(pc.greater_equal(table["lon"], west), pc.less_equal(table["lon"], east)),
                       pc.and_(pc.greater_equal(table["lat"], south), pc.less_equal(table["lat"], north)))
    if filters.event_type:
        typed = pc.is_in(table["event_type"], value_set=pa.array(filters.event_type))
        keep = typed if keep is None else pc.and_(keep, typed)
    if keep is not None:
        table = table.filter(keep)
    table = table.sort_by([("date", "ascending"), ("event_id", "ascending")])
    return [_event_feature(row) for row in table.slice(offset, limit).to_pylist()], len(table)


def event_item(server, feature_id: str, period: Period):
    import pyarrow.compute as pc

    table = server.store().events(columns=EVENT_PROPERTIES)
    rows = table.filter(pc.equal(table["event_id"], feature_id)).to_pylist()
    return _event_feature(rows[0]) if rows else None


# ---- patrols

PATROL_DAYS = 31


def _patrol_features(server, start: dt.date, end: dt.date) -> list[tuple[Any, dict]]:
    """The patrols out on the days [start, end] of the regime's weekly plans (see ``patrols_during``)."""

    def make():
        import json

        from ..patrols import patrols_during
        from ..patrols.io import plan_frame

        patrols = patrols_during(server.regime, start, end)
        frame = plan_frame(patrols)
        out = []
        for geometry, row in zip(frame.geometry.values, frame.drop(columns="geometry").to_dict("records")):
            # "kind" says planned (or, once tracks are kept, driven); the patrol's own kind (joint, coordinated…)
            # is "patrol_kind"
            row = {"id": f"{row['patrol']}-{row['leg']}", **row, "patrol_kind": row["kind"], "kind": "planned"}
            out.append((geometry, {"type": "Feature", "id": row["id"],
                                   "geometry": json.loads(shapely.to_geojson(geometry)), "properties": row}))
        return out

    return server.cached(("patrols", start, end), make)


def patrol_items(server, period, box, filters: Filters, limit, offset):
    start = period.start or period.end
    if start is None:
        raise InputError("datetime: patrols are planned per day: give a day (2020-03-15) or up to "
                         f"{PATROL_DAYS} days (2020-03-15/2020-03-21)")
    end = period.end or start
    if (end - start).days + 1 > PATROL_DAYS:
        raise InputError(f"datetime: at most {PATROL_DAYS} days of patrols at once, got {(end - start).days + 1}")
    found = _patrol_features(server, start, end)
    keep = _within([g for g, _ in found], box)
    return _page([f for (_, f), k in zip(found, keep) if k], limit, offset)


def patrol_item(server, feature_id: str, period: Period):
    if period.start is None:
        return None
    found = _patrol_features(server, period.start, period.end or period.start)
    return next((f for _, f in found if f["id"] == feature_id), None)


# ---- agreements


def _agreement_feature(agreement) -> dict:
    return {"type": "Feature", "id": agreement.id, "geometry": None, "properties": {
        "id": agreement.id, "title": agreement.title, "short": agreement.short, "signed": agreement.signed.isoformat(),
        "in_force_from": agreement.in_force_from.isoformat(),
        "in_force_to": agreement.in_force_to.isoformat() if agreement.in_force_to else None,
        "parties": agreement.parties, "guarantors": agreement.guarantors, "source": agreement.source}}


def agreement_items(server, period, box, filters: Filters, limit, offset):
    found = []
    for agreement in server.regime.agreements:
        start, last = as_day(agreement.in_force_from), agreement.in_force_to
        if (period.end and start > period.end) or (period.start and last and last < period.start):
            continue
        found.append(_agreement_feature(agreement))
    return _page(found, limit, offset)


def agreement_item(server, feature_id: str, period: Period):
    return next((_agreement_feature(a) for a in server.regime.agreements if a.id == feature_id), None)


ITEMS = {"zones": zone_items, "boundaries": boundary_items, "violations": violation_items, "events": event_items,
         "patrols": patrol_items, "agreements": agreement_items}
ONE = {"zones": zone_item, "boundaries": boundary_item, "violations": violation_item, "events": event_item,
       "patrols": patrol_item, "agreements": agreement_item}


# --------------------------------------------------------------------------------- the monitor's answers


@router.get("/where", response_model=schemas.Whereabouts, responses=ERRORS,
            summary="The zones and rules in force at a point, and who held the ground")
def where(request: Request, lon: float = Query(ge=-180, le=180), lat: float = Query(ge=-90, le=90),
          datetime_: str = Query(alias="datetime", description="a day (2019-03-08) or an RFC 3339 time"),
          user: User | None = Depends(reader)) -> Response:
    from ..zones import where_answer

    period = parse_datetime(datetime_)
    if not period.instant:
        raise InputError("datetime: one day or instant for /where, not an interval")
    return json_response(where_answer(_server(request).regime, lon, lat, period.start))


@router.get("/violations/by-day", response_model=schemas.ByDay, responses=ERRORS,
            summary="Violations counted by day and status (the map's chart), with the items' filters")
def by_day(request: Request, datetime_: str | None = Query(None, alias="datetime"),
           bbox: str | None = Query(None), filters: Filters = Depends(),
           user: User | None = Depends(reader)) -> Response:
    from ..monitor.stored import verdicts_by_day

    period, box = parse_datetime(datetime_), parse_bbox(bbox)
    server = _server(request)
    judgment = server.judgment()
    try:
        out = verdicts_by_day(server.store(), judgment.judgment_id, filters.verdicts(period, box), period.start,
                              period.end, max_days=3660)
    except ValueError:
        raise InputError("datetime: at most ten years of days at once") from None
    return json_response({"days": out})


@router.get("/reports", responses={200: {"content": {"text/html": {"schema": {"type": "string"}},
                                                     "application/pdf": {"schema": {"type": "string",
                                                                                    "format": "binary"}},
                                                     "text/markdown": {"schema": {"type": "string"}}}},
                                   **ERRORS},
            response_class=Response, summary="The mission's report for a period (as `ceasefire report`)")
def reports(request: Request, from_: dt.date = Query(alias="from", description="first day"),
            to: dt.date = Query(description="last day (at most 31 days after the first)"),
            zone: str | None = Query(None, description="zone id(s), comma-separated"),
            f: Literal["html", "pdf", "md"] = "html", user: User | None = Depends(reader)) -> Response:
    from ..report.mission import Period, build_report
    from ..report.render import render_html, render_markdown, render_pdf

    if to < from_:
        raise InputError(f"to: {to} is before from: {from_}")
    if (to - from_).days > 30:
        raise InputError("a report over HTTP covers at most 31 days: ask `ceasefire report` for longer ones")
    server = _server(request)
    zones = listed(zone)
    unknown = [z for z in zones if z not in {z.id for z in server.regime.zones}]
    if unknown:
        raise InputError(f"zone: no zone {', '.join(unknown)} in {server.regime.id}")
    built = build_report(server.store(), server.regime, Period(from_, to), zones, key=server.regime_key)
    name = f"report-{from_.isoformat()}" + (f"-{to.isoformat()}" if to != from_ else "")
    if f == "pdf":
        return Response(render_pdf(built, server.regime), media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})
    if f == "md":
        return Response(render_markdown(built, server.regime), media_type="text/markdown; charset=utf-8")
    return Response(render_html(built, server.regime), media_type="text/html; charset=utf-8")
