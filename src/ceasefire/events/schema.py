"""The one normalized event schema every reader produces (Arrow), its JSON Schema for users, and the
schema of a column-mapping file that reads any CSV into it."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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


# --------------------------------------------------------------------------- column-mapping files

# What a column-mapping file may fill: the schema's fields but those made from others.
MAPPABLE = [name for name in COLUMNS if name not in ("event_id", "source", "event_type", "raw")]
# Fields read as numbers or dates: a default or a value map (text) does not apply to them.
_NOT_TEXT = {"date", "date_end", "lon", "lat", "place_radius_km", "fatalities_best", "fatalities_low",
             "fatalities_high"}
TEXT_FIELDS = [name for name in MAPPABLE if name not in _NOT_TEXT]
MAPPING_REQUIRED = ("source_id", "date", "lon", "lat")


class ColumnMapping(BaseModel):
    """A column-mapping file: for each field of the event schema, the CSV's column that holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    columns: dict[str, str] = Field(description="schema field → the CSV's column")
    source: str = Field("csv", min_length=1, description="the dataset's name: event ids are '<source>:<source_id>'")
    delimiter: str = Field(",", description="one character")
    date_formats: list[str] = Field(["%Y-%m-%d"], min_length=1, description="strptime formats, tried in order")
    defaults: dict[str, str] = Field(default_factory=dict, description="text field → value when the column is empty")
    values: dict[str, dict[str, str]] = Field(default_factory=dict, description="text field → {their value: ours}")
    strict_values: bool = Field(False, description="a value missing from the field's value map is empty")

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, v: str) -> str:
        if len(v) != 1:
            raise ValueError(f"one character, got {v!r}")
        if v in "\"\r\n":
            raise ValueError(f"{v!r} cannot separate fields (a quote or a line end)")
        return v

    @field_validator("date_formats", mode="before")
    @classmethod
    def _one_format(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, v: dict[str, str]) -> dict[str, str]:
        _check_fields(v, MAPPABLE)
        empty = [ours for ours, theirs in v.items() if not theirs]
        if empty:
            raise ValueError(f"no column named for {', '.join(empty)}")
        return v

    @field_validator("defaults", "values")
    @classmethod
    def _text_fields(cls, v: dict[str, Any]) -> dict[str, Any]:
        _check_fields(v, TEXT_FIELDS)
        return v

    @model_validator(mode="after")
    def _required(self) -> ColumnMapping:
        missing = [name for name in MAPPING_REQUIRED if name not in self.columns]
        if "sub_event_type" not in self.columns and "sub_event_type" not in self.defaults:
            missing.append("sub_event_type (or a default)")
        if missing:
            raise ValueError(f"columns: name the column for {', '.join(missing)}")
        return self


def _check_fields(given: Mapping[str, Any], known: list[str]) -> None:
    for name in given:
        if name not in known:
            raise ValueError(f"{name!r} is not a field a mapping fills{suggest(name, known)}; fields: {', '.join(known)}")


def suggest(name: str, known: list[str]) -> str:
    """' (did you mean 'actor2'?)' when a known name is close to an unknown one, else ''."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
