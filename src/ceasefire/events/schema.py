"""The one normalized event schema every reader produces (Arrow), and its JSON Schema for users."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

DATE_PRECISIONS = ("day", "week", "month", "year")
# "region" (UCDP where_prec 5: a part of the country larger than a governorate) sits between
# governorate and country.
PLACE_PRECISIONS = ("exact", "near", "district", "governorate", "region", "country")
COARSE_PLACE = frozenset({"district", "governorate", "region", "country"})
# How the two actors stand to each other, as the source codes it.
ROLES = ("clash", "one-sided")

FIELDS: list[tuple[str, pa.DataType, bool, str]] = [
    ("event_id", pa.string(), False, "stable id: '<source>:<source id>', so a re-ingest updates, never duplicates"),
    ("source", pa.string(), False, "dataset or reader: ucdp, acled, geojson, csv"),
    ("source_id", pa.string(), False, "the row's id in its source"),
    ("date", pa.date32(), False, "first day of the event (ISO date)"),
    ("date_end", pa.date32(), False, "last day it may have happened (equals date when known to the day)"),
    ("date_precision", pa.string(), False, f"one of {', '.join(DATE_PRECISIONS)}"),
    ("time", pa.string(), True, "local time HH:MM when known"),
    ("lon", pa.float64(), False, "longitude, WGS84"),
    ("lat", pa.float64(), False, "latitude, WGS84"),
    ("place", pa.string(), True, "place name as the source gives it"),
    ("place_precision", pa.string(), False, f"one of {', '.join(PLACE_PRECISIONS)}"),
    ("place_radius_km", pa.float64(), True, "for 'near' places: how far from the point it may be (empty: 25 km)"),
    ("adm1", pa.string(), True, "governorate as the source gives it"),
    ("adm2", pa.string(), True, "district as the source gives it"),
    ("event_type", pa.string(), False, "ACLED event type: battles, explosions, violence-against-civilians, …"),
    ("sub_event_type", pa.string(), False, "ACLED sub-type: armed-clash, air-strike, shelling, remote-explosive, …"),
    ("weapon_class", pa.string(), True, "heavy, aircraft, drone, small-arms, explosive, or empty when unknown"),
    ("actor1", pa.string(), True, "first actor as named by the source (several joined by '; ')"),
    ("actor2", pa.string(), True, "second actor as named by the source"),
    ("roles", pa.string(), True, "clash: actor1 and actor2 fought each other (each may have acted); one-sided: "
     "actor1 acted against actor2; empty: the source does not say (read as a clash)"),
    ("fatalities_best", pa.int32(), True, "best estimate of deaths"),
    ("fatalities_low", pa.int32(), True, "low estimate"),
    ("fatalities_high", pa.int32(), True, "high estimate"),
    ("sources", pa.string(), True, "who reported it"),
    ("notes", pa.string(), True, "the source's description"),
    ("raw", pa.string(), False, "the input row verbatim: its values joined by U+001F, header kept with the ingest"),
]

EVENT_SCHEMA = pa.schema([pa.field(n, t, nullable=null) for n, t, null, _ in FIELDS])
COLUMNS = [f[0] for f in FIELDS]


def json_schema() -> dict[str, Any]:
    """The event schema as JSON Schema (draft 2020-12), for users exporting or importing events."""
    kinds = {pa.string(): "string", pa.float64(): "number", pa.int32(): "integer", pa.date32(): "string"}
    props: dict[str, Any] = {}
    for name, typ, nullable, doc in FIELDS:
        prop: dict[str, Any] = {"type": [kinds[typ], "null"] if nullable else kinds[typ], "description": doc}
        if typ == pa.date32():
            prop["format"] = "date"
        if name == "date_precision":
            prop["enum"] = list(DATE_PRECISIONS)
        if name == "place_precision":
            prop["enum"] = list(PLACE_PRECISIONS)
        if name == "roles":
            prop["enum"] = [*ROLES, None]
        props[name] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ceasefire event",
        "type": "object",
        "properties": props,
        "required": [n for n, _, nullable, _ in FIELDS if not nullable],
    }
