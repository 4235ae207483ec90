"""Readers: ACLED and UCDP GED exports, GeoJSON points, and any CSV with a column-mapping file.

Each reader streams its input in batches (pyarrow's CSV reader: files larger than memory
work) and yields :class:`Batch` objects holding the good rows in the normalized schema
(:mod:`ceasefire.events.schema`) and the bad rows with their reasons. A CSV's batches are converted
by :data:`WORKERS` threads while the parser reads on, and handed out in the file's order.

A CSV file is read as it is written only while it is well formed. A line longer than
:data:`MAX_LINE_BYTES` or a quote that never closes would make the parser hold or swallow the
lines after it; when a first pass meets either, the file is read again from its start with those
lines taken out (each quarantined with its line and reason) and the rest parsed on its own, so
that no row disappears into another. A file that cannot be a CSV at all (binary, UTF-16, a
header line longer than the limit, a mapping that names columns it lacks) is an
:class:`~ceasefire.errors.InputError` naming the file and what was expected.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections import deque
from collections.abc import Callable, Container, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import yaml
from pydantic import ValidationError

from ..errors import InputError
from .convert import (
    Converter,
    any_of,
    first_match,
    lengths,
    map_values,
    matches,
    per_distinct,
    raw_rows,
)
from .schema import (
    DATE_PRECISIONS,
    EVENT_SCHEMA,
    PLACE_PRECISIONS,
    ROLES,
    ColumnMapping,
    suggest,
)
from .taxonomy import EVENT_TYPES, SUBTYPE_TO_TYPE

FORMATS = ("acled", "ucdp", "geojson", "csv")
BLOCK_SIZE = 16 << 20  # bytes per parsed block: large enough for speed, small enough for memory
# The longest line an event file may have. Real rows are a few kB (UCDP, ACLED); a longer line is a
# blob, not an event: as line 1 (the header) it makes the file unreadable, as a data line it is
# quarantined and the rest read. Far below BLOCK_SIZE, so the parser never meets a row it cannot hold.
MAX_LINE_BYTES = 1 << 20
SNIFF_BYTES = 64 << 10  # the start of a file looked at for binary content
WORKERS = 2  # threads converting parsed batches (the conversions release the GIL)
SOURCE_NAMES = {"ucdp": "a UCDP GED", "acled": "an ACLED"}


@dataclass(slots=True)
class BadRow:
    line: int | None  # CSV: the line the record starts on (header = 1); GeoJSON: the feature's number (from 1)
    field: str
    reason: str
    raw: str
    record: int | None = None  # CSV, until resolve_lines: the row's number among well-formed records (from 0)
    first: int | None = None  # a duplicate id: where its first row is (CSV: a record number until resolved)


@dataclass(slots=True)
class Batch:
    events: pa.Table
    bad: list[BadRow] = field(default_factory=list)
    bytes_read: int = 0
    lines: np.ndarray | None = None  # per event: its feature number (GeoJSON)
    records: np.ndarray | None = None  # per event: its record number (CSV; resolve_lines makes lines of them)


@dataclass
class EventFile:
    """An input opened for reading: its batches, the header kept with the ingest, how its rows are numbered."""

    batches: Iterator[Batch]
    header: str | None = None  # CSV: the header's names joined by U+001F
    resolve: Callable[[list[BadRow]], None] | None = None  # CSV: record numbers → lines (one pass over the file)
    unit: str = "line"  # what BadRow.line counts: "line" (CSV) or "feature" (GeoJSON)


# --------------------------------------------------------------------------- format adapters
# Each takes a Converter over the raw columns and returns the normalized columns.

UCDP_DATE_PRECISION = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
UCDP_PLACE_PRECISION = {"1": "exact", "2": "near", "3": "district", "4": "governorate", "5": "region",
                        "6": "country", "7": "country"}
# UCDP codes no kind of violence beyond its three types: a state-based or non-state event is "a fatal
# incident" and a one-sided one "an attack", unless its own headline names one kind (kind_from_text).
UCDP_VIOLENCE = {"1": "fatal-incident", "2": "fatal-incident", "3": "attack"}
UCDP_ROLES = {"1": "clash", "2": "clash", "3": "one-sided"}  # type 3: side_a acted against side_b
UCDP_REQUIRED = ("id", "date_start", "date_end", "latitude", "longitude", "type_of_violence", "side_a", "side_b",
                 "where_prec", "date_prec", "best")


def from_ucdp(c: Converter) -> dict[str, Any]:
    source_id = c.text("id", required=True)
    date = c.date("date_start", required=True)
    date_end = c.date("date_end")
    precision = map_values(c.text("date_prec"), UCDP_DATE_PRECISION)
    c.flag(pc.is_null(precision), "date_prec", "not a UCDP date precision (1–5)")
    place_precision = map_values(c.text("where_prec"), UCDP_PLACE_PRECISION)
    c.flag(pc.is_null(place_precision), "where_prec", "not a UCDP place precision (1–7)")
    violence = c.text("type_of_violence")
    sub = map_values(violence, UCDP_VIOLENCE)
    c.flag(pc.is_null(sub), "type_of_violence", "not a UCDP type of violence (1, 2, 3)")
    headline = c.text("source_headline")
    kind_index = _kind_index(headline)
    stated = _labels(_kinds(), kind_index)
    sub = pc.coalesce(stated, sub)
    # UCDP codes no weapon: one is read from the headline only when it names one kind of event.
    named = np.flatnonzero(kind_index >= 0)
    weapon_index = np.full(c.n, -1, np.int16)
    weapon_index[named] = _weapon_index(headline.take(pa.array(named)))
    return {
        "source_id": source_id, "date": date, "date_end": pc.coalesce(date_end, date),
        "date_precision": precision, "time": None,
        "lat": c.number("latitude", -90, 90, required=True), "lon": c.number("longitude", -180, 180, required=True),
        "place": c.text("where_coordinates"), "place_precision": place_precision,
        "adm1": c.text("adm_1"), "adm2": c.text("adm_2"),
        "sub_event_type": sub,
        "weapon_class": _labels(_weapons(), weapon_index),
        "actor1": c.text("side_a"), "actor2": c.text("side_b"), "roles": map_values(violence, UCDP_ROLES),
        "fatalities_best": c.count("best"), "fatalities_low": c.count("low"), "fatalities_high": c.count("high"),
        "sources": c.text("source_office"), "notes": headline,
    }


ACLED_SUBTYPES = {
    "Armed clash": "armed-clash", "Government regains territory": "government-regains-territory",
    "Non-state actor overtakes territory": "non-state-actor-overtakes-territory",
    "Air/drone strike": "air-strike", "Shelling/artillery/missile attack": "shelling",
    "Remote explosive/landmine/IED": "remote-explosive", "Suicide bomb": "suicide-bomb", "Grenade": "grenade",
    "Chemical weapon": "shelling", "Attack": "attack", "Abduction/forced disappearance": "abduction",
    "Sexual violence": "sexual-violence", "Agreement": "agreement", "Arrests": "other",
    "Change to group/activity": "other", "Disrupted weapons use": "other",
    "Headquarters or base established": "base-established", "Looting/property destruction": "other",
    "Non-violent transfer of territory": "non-violent-transfer", "Other": "other",
    "Peaceful protest": "peaceful-protest", "Protest with intervention": "protest-with-intervention",
    "Excessive force against protesters": "protest-with-intervention", "Violent demonstration": "violent-demonstration",
    "Mob violence": "mob-violence",
}
ACLED_DATE_PRECISION = {"1": "day", "2": "week", "3": "month"}
ACLED_PLACE_PRECISION = {"1": "exact", "2": "near", "3": "district"}
ACLED_REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "latitude", "longitude",
                  "geo_precision", "time_precision", "fatalities")
# Weapon classes read from a source's text (ACLED notes, UCDP headlines): the finest class it states,
# first match wins (the most specific evidence first).
WEAPON_PATTERNS = [
    ("drone", r"(?i)\b(drones?|uavs?|unmanned)"),
    ("helicopter", r"(?i)(helicopters?|barrel bombs?|explosive barrels?)"),
    ("fixed-wing", r"(?i)(war ?planes?|war ?jets?|\bjets?\b|bombers?|su-2[2-5]|su-34|mig-2[0-9])"),
    ("aircraft", r"(?i)(air ?strikes?|airstrikes?|air[ -]raids?|aerial|aircraft)"),
    ("heavy-mlrs", r"(?i)(smerch|uragan|tornado|bm-2[7-9]|bm-30)"),
    ("mlrs", r"(?i)(\bmlrs\b|multiple rocket|rocket launchers?|grad\b|bm-21|golan-1000|elephant rockets?)"),
    ("tactical-missile", r"(?i)(tochka|iskander|ballistic missiles?|tactical missiles?)"),
    ("mortar", r"(?i)mortars?"),
    ("tank", r"(?i)\btanks?\b"),
    ("artillery", r"(?i)(artillery|howitzers?|\b1[0-9]{2} ?mm\b|cannon)"),
    ("heavy", r"(?i)(missiles?|rockets?|shell(s|ed|ing)?\b)"),
    ("explosive", r"(?i)\b(ieds?|vbieds?|landmines?|mines?|explosive devices?|car bombs?)"),
    ("small-arms", r"(?i)(gunfire|small arms|snipers?|machine ?guns?|shot dead|rifles?)"),
]


# The kind of event a source's own text names (UCDP headlines). A headline often tells of several
# events ("warplanes strike Tabaqa and clashes continue in Latakia"): only a text that names exactly
# one kind decides it; otherwise the event stays what the dataset codes.
KIND_PATTERNS = [
    ("drone-strike", r"(?i)\b(drones?|uavs?|unmanned aerial)\b"),
    ("air-strike", r"(?i)(war ?planes?|war ?jets?|\bjets\b|air ?strikes?|air[ -]raids?|\braids?\b|aerial (bombardment|attacks?|strikes?)"
                   r"|helicopters?|barrel bombs?|explosive barrels?|aircraft|bombers)"),
    ("shelling", r"(?i)(\bshell(s|ed|ing)?\b|ground bombard|artillery|mortars?|\brockets?\b|missiles?|\bmlrs\b|howitzers?|ground strikes?)"),
    ("remote-explosive", r"(?i)(\bieds?\b|improvised explosive|explosive devices?|land ?mines?|\bmines?\b|car bomb|"
                         r"booby[ -]trap|explosion|exploded|\bblast)"),
    ("suicide-bomb", r"(?i)suicide"),
    ("armed-clash", r"(?i)(clash(es|ed)?\b|\bbattles?\b|fighting|fierce fights?|firefights?|skirmish|hit-and-run|"
                    r"counter ?attacks?|sniping|snipers?|ambush)"),
    ("attack", r"(?i)(execut(ed|es|ion|ions)\b|tortur|shot dead|assassinat|massacre)"),
    ("abduction", r"(?i)(kidnap|abduct)"),
    # "Bombardment" may be from the air or the ground: it makes a text name a kind, but not which one.
    (None, r"(?i)\bbomb(ard(ment|ed|s)?|ing|ed)\b"),
]
_AIR_OR_GROUND = r"(?i)(aerial|air|ground|artillery|rocket|missile)[ -]+bomb(ard(ment|ed|s)?|ing|ed)\b"


def kind_from_text(text: pa.Array) -> pa.Array:
    """The one sub-event type a text names, or null when it names none or several."""
    return _labels(_kinds(), _kind_index(text))


def weapon_from_text(text: pa.Array) -> pa.Array:
    """The weapon class a text names (the first of WEAPON_PATTERNS found in it), or null."""
    return _labels(_weapons(), _weapon_index(text))


def _weapon_index(text: pa.Array) -> np.ndarray:
    """Per text: the index into WEAPON_PATTERNS of the first weapon it names, -1 for none."""
    patterns = [pattern for _, pattern in WEAPON_PATTERNS]
    return per_distinct(text, lambda values: first_match(values, patterns), -1)


def _kind_index(text: pa.Array) -> np.ndarray:
    """Per text: the index among KIND_PATTERNS' kinds of the one kind it names, -1 for none or several."""
    return per_distinct(text, _one_kind, -1)


def _one_kind(text: pa.Array) -> np.ndarray:
    named = [pattern for kind, pattern in KIND_PATTERNS if kind is not None]
    unnamed = [pattern for kind, pattern in KIND_PATTERNS if kind is None]
    first = first_match(text, named)
    one = first >= 0
    for index in np.unique(first[one]):  # a second kind, named after the first: several
        if index + 1 < len(named):
            rows = np.flatnonzero(first == index)
            one[rows[matches(text.take(pa.array(rows)), any_of(named[index + 1:]))]] = False
    if unnamed and one.any():  # a bare "bombardment" names a kind too (which one, it does not say)
        rows = np.flatnonzero(one)
        values = text.take(pa.array(rows))
        bare = matches(values, any_of(unnamed))
        if bare.any():
            qualified = matches(values.filter(pa.array(bare)), _AIR_OR_GROUND)  # "aerial bombardment": an air strike
            one[rows[bare][~qualified]] = False
    return np.where(one, first, -1)


def _kinds() -> list[str]:
    return [kind for kind, _ in KIND_PATTERNS if kind is not None]


def _weapons() -> list[str]:
    return [weapon for weapon, _ in WEAPON_PATTERNS]


def _labels(names: list[str], index: np.ndarray) -> pa.Array:
    """names[index] as a string array, null where index is -1."""
    return pa.array([*names, None], pa.string()).take(pa.array(np.where(index < 0, len(names), index)))


def from_acled(c: Converter) -> dict[str, Any]:
    date = c.date("event_date", ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%m/%d/%Y"), required=True)
    precision = map_values(c.text("time_precision"), ACLED_DATE_PRECISION)
    c.flag(pc.is_null(precision), "time_precision", "not an ACLED time precision (1, 2, 3)")
    sub_raw = c.text("sub_event_type", required=True)
    sub = map_values(sub_raw, ACLED_SUBTYPES)
    c.flag(pc.and_(pc.is_valid(sub_raw), pc.is_null(sub)), "sub_event_type", "not an ACLED sub-event type")
    notes = c.text("notes")
    weapon = weapon_from_text(notes)
    # ACLED joins air and drone strikes; the notes tell them apart.
    sub = pc.if_else(pc.and_(pc.equal(sub, "air-strike"), pc.fill_null(pc.equal(weapon, "drone"), False)),
                     pa.scalar("drone-strike"), sub)
    place_precision = map_values(c.text("geo_precision"), ACLED_PLACE_PRECISION)
    c.flag(pc.is_null(place_precision), "geo_precision", "not an ACLED geo precision (1, 2, 3)")
    fatalities = c.count("fatalities")
    return {
        "source_id": c.text("event_id_cnty", required=True), "date": date,
        "date_end": _date_end(date, precision), "date_precision": precision, "time": None,
        "lat": c.number("latitude", -90, 90, required=True), "lon": c.number("longitude", -180, 180, required=True),
        "place": c.text("location"), "place_precision": place_precision,
        "adm1": c.text("admin1"), "adm2": c.text("admin2"),
        "sub_event_type": sub, "weapon_class": weapon,
        "actor1": _join_actors(c.text("actor1", required=True), c.text("assoc_actor_1")),
        "actor2": _join_actors(c.text("actor2"), c.text("assoc_actor_2")),
        # ACLED: in battles the order of the actors says nothing; otherwise actor1 acted against actor2.
        "roles": pc.if_else(pc.is_in(sub, pa.array(EVENT_TYPES["battles"])), pa.scalar("clash"), pa.scalar("one-sided")),
        "fatalities_best": fatalities, "fatalities_low": fatalities, "fatalities_high": fatalities,
        "sources": c.text("source"), "notes": notes,
    }


def from_native(c: Converter, mapping: ColumnMapping | None = None) -> dict[str, Any]:
    """Columns already named as the normalized schema (GeoJSON properties, or a mapped CSV)."""
    defaults = mapping.defaults if mapping else {}
    values = mapping.values if mapping else {}
    formats = tuple(mapping.date_formats) if mapping else ("%Y-%m-%d",)

    def text(name: str, required: bool = False) -> pa.Array:
        out = c.text(name, required and name not in defaults)
        if name in defaults:
            out = pc.coalesce(out, pa.scalar(defaults[name]))
        if name in values:
            table = values[name]
            out = map_values(out, table, None) if mapping and mapping.strict_values else \
                pc.coalesce(map_values(out, table, None), out)
        return out

    date = c.date("date", formats, required=True)
    precision = text("date_precision")
    precision = pc.coalesce(precision, pa.scalar("day"))
    c.flag(pc.invert(pc.is_in(precision, pa.array(DATE_PRECISIONS))), "date_precision",
           f"not one of {', '.join(DATE_PRECISIONS)}")
    place_precision = pc.coalesce(text("place_precision"), pa.scalar("exact"))
    c.flag(pc.invert(pc.is_in(place_precision, pa.array(PLACE_PRECISIONS))), "place_precision",
           f"not one of {', '.join(PLACE_PRECISIONS)}")
    sub = text("sub_event_type", required=True)
    c.flag(pc.and_(pc.is_valid(sub), pc.invert(pc.is_in(sub, pa.array(list(SUBTYPE_TO_TYPE))))), "sub_event_type",
           "not a known sub-event type (see `ceasefire events schema`)")
    end = c.date("date_end", formats) if c.has("date_end") else _date_end(date, precision)
    roles = text("roles")
    c.flag(pc.and_(pc.is_valid(roles), pc.invert(pc.is_in(roles, pa.array(ROLES)))), "roles",
           f"not one of {', '.join(ROLES)} (or empty)")
    time = text("time")
    c.flag(pc.and_(pc.is_valid(time), pc.invert(pc.fill_null(pc.match_substring_regex(
        time, r"^([01]?\d|2[0-3]):[0-5]\d$"), False))), "time", "not a local time HH:MM")
    return {
        "source_id": text("source_id", required=True), "date": date, "date_end": pc.coalesce(end, date),
        "date_precision": precision, "time": time,
        "lat": c.number("lat", -90, 90, required=True), "lon": c.number("lon", -180, 180, required=True),
        "place": text("place"), "place_precision": place_precision, "adm1": text("adm1"), "adm2": text("adm2"),
        "place_radius_km": c.number("place_radius_km", 0, 20_000), "roles": roles,
        "sub_event_type": sub, "weapon_class": text("weapon_class"),
        "actor1": text("actor1"), "actor2": text("actor2"),
        "fatalities_best": c.count("fatalities_best"), "fatalities_low": c.count("fatalities_low"),
        "fatalities_high": c.count("fatalities_high"),
        "sources": text("sources"), "notes": text("notes"),
    }


def _join_actors(main: pa.Array, associated: pa.Array) -> pa.Array:
    if associated.null_count == len(associated):  # no associated actors (often): nothing to join
        return main
    both = pc.binary_join_element_wise(main, associated, "; ")
    return pc.coalesce(both, main, associated)


def _date_end(date: pa.Array, precision: pa.Array) -> pa.Array:
    days = map_values(precision, {"day": "0", "week": "6", "month": "30", "year": "364"}, "0")
    offset = pc.cast(pc.cast(days, pa.int32()), pa.int32())
    as_int = pc.cast(pc.cast(date, pa.int32()), pa.int64())
    return pc.cast(pc.cast(pc.add(as_int, pc.cast(offset, pa.int64())), pa.int32()), pa.date32())


# --------------------------------------------------------------------------- assembling batches


def _finish(source: str, c: Converter, cols: dict[str, Any], raw: pa.Array, *, lines: np.ndarray | None = None,
            records: np.ndarray | None = None, nul: bool | None = None, raw_text: pa.Array | None = None) -> Batch:
    n = c.n
    sub = cols["sub_event_type"]
    out: dict[str, pa.Array] = {
        "source": pa.repeat(pa.scalar(source, pa.string()), n),
        "event_type": map_values(sub, SUBTYPE_TO_TYPE),
    }
    for name, value in cols.items():
        if value is None:
            out[name] = pa.nulls(n, EVENT_SCHEMA.field(name).type)
        elif isinstance(value, np.ndarray):
            typ = EVENT_SCHEMA.field(name).type
            arr = pa.array(value, pa.float64(), from_pandas=True)
            out[name] = pc.cast(arr, typ) if typ != pa.float64() else arr
        else:
            out[name] = value
    out["event_id"] = pc.binary_join_element_wise(out["source"], out["source_id"], ":")
    raw_text = _check_raw(c, raw, nul, raw_text)
    bad_mask = c.bad
    bad: list[BadRow] = []
    if bad_mask.any():
        raws = raw.filter(pa.array(bad_mask)).to_pylist()
        for idx, raw_value in zip(np.flatnonzero(bad_mask), raws):
            bad.append(BadRow(int(lines[idx]) if lines is not None else None, c.field[idx], c.reason[idx],
                              raw_value.decode("utf-8", "backslashreplace"),
                              record=int(records[idx]) if records is not None else None))
    keep = ~bad_mask
    table = pa.table({name: out[name] if name in out else pa.nulls(n, EVENT_SCHEMA.field(name).type)
                      for name in EVENT_SCHEMA.names if name != "raw"})
    # the kept rows' raw is text (_check_raw flagged any that is not); "raw" is the schema's last field
    kept_raw = raw if raw_text is None else raw_text
    if bad:  # no copy of the columns when every row is kept
        table, kept_raw = table.filter(pa.array(keep)), kept_raw.filter(pa.array(keep))
    table = table.append_column("raw", pc.cast(kept_raw, pa.string()))
    return Batch(table.cast(EVENT_SCHEMA), bad, lines=None if lines is None else lines[keep],
                 records=None if records is None else records[keep])


def _check_raw(c: Converter, raw: pa.Array, nul: bool | None, text: pa.Array | None = None) -> pa.Array | None:
    """Flag rows that are not text: bytes that are not UTF-8 in a column no conversion read, or a NUL byte.

    Returns the raw rows as text when all of them are (None when some are not). ``text``: raw already cast."""
    try:
        if text is None:
            text = pc.cast(raw, pa.string())  # validates UTF-8 at memory speed; the slow search runs only when it fails
    except pa.ArrowInvalid:
        for name in c.columns:
            c.text(name)  # flags the first column whose bytes are not UTF-8
        still = np.array([v is not None and not _is_utf8(v) for v in raw.to_pylist()], bool)
        c.flag(still, "(row)", "bytes that are not UTF-8 (is the file Latin-1? save it as UTF-8)")
    if nul is None:
        nul = _holds(raw, (b"\x00",))[0]
    if nul:
        for name, column in c.columns.items():
            c.flag(pc.match_substring(column, "\x00"), name, "a NUL byte: binary content, not text")
        c.flag(pc.match_substring(raw, "\x00"), "(row)", "a NUL byte: binary content, not text")
    return text


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _holds(values: pa.Array, needles: tuple[bytes, ...]) -> list[bool]:
    """Whether any value of a binary array holds each needle: one copy of its bytes and a memchr per needle
    (pc.match_substring would cost about 20 times as much)."""
    if len(values) == 0 or values.buffers()[2] is None:
        return [False] * len(needles)
    offsets = np.frombuffer(values.buffers()[1], np.int32)
    start, end = int(offsets[values.offset]), int(offsets[values.offset + len(values)])
    data = values.buffers()[2].slice(start, end - start).to_pybytes()
    return [needle in data for needle in needles]


# --------------------------------------------------------------------------- CSV files

_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")  # bytes no text line holds (tab, CR, LF, VT, FF may)
_MAGIC = ((b"PK\x03\x04", " — a ZIP archive (an Excel workbook? export it as CSV)"),
          (b"\x1f\x8b", " — gzip-compressed (decompress it first)"),
          (b"%PDF", " — a PDF document"))
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of bytes that are not UTF-8


@dataclass(slots=True)
class _Cut:
    """Lines taken out of a CSV before parsing (a runaway quote's line, an over-long line), with the reason."""

    first: int  # line numbers, inclusive
    last: int
    start: int  # byte range [start, end)
    end: int
    reason: str
    raw: str


@dataclass
class CsvFile:
    """A CSV file whose header has been read: where its data begin, and the lines taken out of them."""

    path: Path
    delimiter: str
    header: list[str]
    data_start: int  # byte offset of line 2
    cuts: list[_Cut] = field(default_factory=list)  # set when the file is read carefully (see read_csv_batches)


def open_csv_file(path: Path, delimiter: str = ",") -> CsvFile:
    """Read line 1 as the header, refusing what cannot be a text CSV file with one clear message."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    _refuse_binary(path, head)
    if not head.strip():
        raise InputError(f"{path}: empty file (no header line)")
    with _csv_limit(), open(path, encoding="utf-8", errors="surrogateescape", newline="") as fh:
        first = fh.readline(MAX_LINE_BYTES + 1)
        if len(first.encode("utf-8", "surrogateescape")) > MAX_LINE_BYTES:
            raise InputError(f"{path}: line 1 is longer than {_size(MAX_LINE_BYTES)} (limit {_size(MAX_LINE_BYTES)} "
                             f"per line; the file has {_size(path.stat().st_size)}): not a CSV header")
        if not first.strip("\r\n\ufeff"):
            raise InputError(f"{path}: line 1 is empty; the header (the column names) must be the first line")
        header = next(csv.reader([first.rstrip("\r\n")], delimiter=delimiter), [])
    header = [name.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for name in header]
    if header and header[0].startswith("\ufeff"):  # a byte-order mark (Excel writes one)
        header[0] = header[0][1:]
    return CsvFile(path, delimiter, header, len(first.encode("utf-8", "surrogateescape")))


def _refuse_binary(path: Path, head: bytes) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path}: UTF-16 text, not UTF-8: save it as UTF-8 (\"CSV UTF-8\")")
    line1 = re.split(rb"[\r\n]", head, maxsplit=1)[0]
    found = _CONTROL.search(line1)
    at = found.start() if found else None
    if at is None and head.count(b"\x00") * 100 > len(head):  # text has no NUL bytes; a stray one is a bad row
        at = head.index(b"\x00")
    if at is not None:
        hint = next((text for magic, text in _MAGIC if head.startswith(magic)), "")
        raise InputError(f"{path}: not a text CSV file (binary content at byte {at}){hint}")


@contextmanager
def _csv_limit() -> Iterator[None]:
    """The csv module refuses values over 128 kB; rows up to the parse block's size are read here."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, BLOCK_SIZE))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _size(n: int) -> str:
    """1 MiB, 1,048,577 bytes, 200 MiB: exact near a limit, short far beyond it."""
    if n % (1 << 20) == 0 and n:
        return f"{n >> 20} MiB"
    return f"{n:,} bytes" if n < 10 << 20 else f"{n / (1 << 20):,.0f} MiB"


def _shown(text: Any, limit: int = 40) -> str:
    """A value fit for a one-line message: no control characters, not too long."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text)[:limit + 1])
    return text[:limit] + "…" if len(text) > limit else text


def _names(header: list[str]) -> str:
    return ", ".join(_shown(n, 30) for n in header[:12]) + (" …" if len(header) > 12 else "")


@dataclass(slots=True)
class _Line:
    number: int
    start: int  # byte offsets [start, end)
    end: int
    text: str


class _LineFeed:
    """The physical lines of a CSV file's data, as csv.reader takes them, numbered and located in bytes.

    Lines of a record not yet settled may be pushed back to be read again. A line longer than
    MAX_LINE_BYTES is never handed out (nor held whole): it becomes a cut. Lines in ``skip`` are passed over.
    """

    def __init__(self, fh: TextIO, number: int, offset: int, skip: Container[int] = ()):
        self.fh = fh
        self.number = number
        self.offset = offset
        self.skip = skip
        self.pending: deque[_Line] = deque()
        self.taken: list[_Line] = []  # the lines handed out since the caller last cleared it
        self.long: list[_Cut] = []

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        while True:
            line = self.pending.popleft() if self.pending else self._read()
            if line is None:
                raise StopIteration
            if line.number not in self.skip:
                self.taken.append(line)
                return line.text

    def _read(self) -> _Line | None:
        while True:
            text = self.fh.readline(MAX_LINE_BYTES + 1)
            if not text:
                return None
            start, number = self.offset, self.number
            self.offset += len(text.encode("utf-8", "surrogateescape"))
            self.number += 1
            if self.offset - start <= MAX_LINE_BYTES:
                return _Line(number, start, self.offset, text)
            piece = text
            while piece and not piece.endswith(("\n", "\r")):  # the rest of an over-long line, in pieces
                piece = self.fh.readline(BLOCK_SIZE)
                self.offset += len(piece.encode("utf-8", "surrogateescape"))
            if number not in self.skip:
                self.long.append(_Cut(number, number, start, self.offset,
                                      f"line is {_size(self.offset - start)} long (limit {_size(MAX_LINE_BYTES)} per "
                                      "line)", _text(text[:200]) + " …"))


def _text(text: str) -> str:
    """Text read with surrogateescape, for people: bytes that are not UTF-8 shown as \\xNN."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}–{last}"


def _find_cuts(csvfile: CsvFile) -> list[_Cut]:
    """The lines to take out so that the rest parses as the rows it holds (one pass of the csv module).

    - A record whose quoted value spans lines but is not well formed (its quote never closes, or a
      lone quote closes it mid-value) is a runaway: its first line is cut and the lines it swallowed
      are parsed again on their own. A record on one line is left as it parses (nothing is swallowed).
    - A line longer than MAX_LINE_BYTES is cut.
    - A record with the wrong number of fields and bytes that are not UTF-8 is cut whole: pyarrow
      cannot hand such a row to its invalid-row handler.
    """
    width = len(csvfile.header)
    cuts: list[_Cut] = []
    with _csv_limit(), open(csvfile.path, encoding="utf-8", errors="surrogateescape", newline="") as fh:
        fh.readline(MAX_LINE_BYTES + 1)  # the header
        feed = _LineFeed(fh, 2, csvfile.data_start)
        reader = csv.reader(feed, delimiter=csvfile.delimiter)
        while True:
            feed.taken = []
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # a value longer than the block: the record is cut whole
                taken = feed.taken
                cuts.append(_Cut(taken[0].number, taken[-1].number, taken[0].start, taken[-1].end,
                                 f"cannot be parsed ({exc})", _text("".join(t.text for t in taken)[:1000])))
                reader = csv.reader(feed, delimiter=csvfile.delimiter)
                continue
            taken = feed.taken
            if len(taken) > 1 and (problem := _quote_problem(taken, csvfile.delimiter)):
                first, last = taken[0], taken[-1]
                swallowed = _lines(first.number + 1, last.number)
                cuts.append(_Cut(first.number, first.number, first.start, first.end,
                                 f"unterminated quote: the value quoted on this line {problem} {swallowed}; "
                                 f"{'it was read on its' if len(taken) == 2 else 'they were read on their'} own",
                                 _text(first.text.rstrip("\r\n"))))
                feed.pending.extendleft(reversed(taken[1:]))
                reader = csv.reader(feed, delimiter=csvfile.delimiter)
            elif fields and len(fields) != width and any(_NOT_UTF8.search(t.text) for t in taken):
                cuts.append(_Cut(taken[0].number, taken[-1].number, taken[0].start, taken[-1].end,
                                 f"{len(fields)} fields where the header has {width} (a truncated or broken line)",
                                 _text("".join(t.text for t in taken).rstrip("\r\n"))))
        cuts += feed.long
    return sorted(cuts, key=lambda cut: cut.first)


def _quote_problem(lines: list[_Line], delimiter: str) -> str | None:
    """Why a record spanning lines is not well formed CSV (None when it is)."""
    text = "".join(line.text for line in lines)
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "never closes and would swallow" if "end of data" in str(exc) else \
            "ends at a lone quote and would swallow"
    return None


class _CutStream(io.RawIOBase):
    """A CSV file's data lines without the cut ones, as one stream for the parser."""

    def __init__(self, path: Path, start: int, cuts: list[_Cut]):
        super().__init__()
        self._fh = open(path, "rb")  # noqa: SIM115 — held for the stream's life, closed by close()
        end = self._fh.seek(0, io.SEEK_END)
        self._spans: deque[tuple[int, int]] = deque()
        for cut in sorted(cuts, key=lambda c: c.start):
            if cut.start > start:
                self._spans.append((start, cut.start))
            start = max(start, cut.end)
        if end > start:
            self._spans.append((start, end))

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._spans:
            start, end = self._spans[0]
            self._fh.seek(start)
            got = self._fh.readinto(memoryview(buffer)[:min(len(buffer), end - start)])
            if not got:  # the file shrank under us: nothing more
                self._spans.clear()
                break
            self._spans[0] = (start + got, end)
            if start + got >= end:
                self._spans.popleft()
            return got
        return 0

    def close(self) -> None:
        self._fh.close()
        super().close()


class _Restart(Exception):
    """The first pass met something only a careful pass reads right."""


def read_csv_batches(csvfile: CsvFile, source: str, adapter: Callable[[Converter], dict[str, Any]],
                     names: Mapping[str, int], block_size: int = BLOCK_SIZE) -> Iterator[Batch]:
    """Stream a CSV's rows through an adapter. ``names``: the column (index) each name the adapter reads is in.

    The first pass parses the file as it is. When it meets a value spanning lines, a very long row, a row
    it cannot parse, or a broken row spanning lines, it stops before handing out that batch, and a careful
    pass reads the file again with the lines _find_cuts takes out, skipping the rows handed out already.
    """
    handed = 0  # well-formed records handed out by the first pass
    careful = False
    while True:
        try:
            for batch, records in _parse(csvfile, source, adapter, names, block_size, careful, handed):
                handed = max(handed, records)
                yield batch
            return
        except _Restart:
            careful = True
            csvfile.cuts = _find_cuts(csvfile)


def _parse(csvfile: CsvFile, source: str, adapter: Callable[[Converter], dict[str, Any]], names: Mapping[str, int],
           block_size: int, careful: bool, skip: int) -> Iterator[tuple[Batch, int]]:
    """One pass, skipping the first ``skip`` well-formed records: (batch, well-formed records so far).

    The parser reads ahead, so a broken row may be met before the batch it belongs to: broken rows are
    handed out last, when the pass is through (resolve_lines numbers them in order).
    """
    width = len(csvfile.header)
    internal = [f"c{i}" for i in range(width)]  # the header's own names may repeat, be empty or be anything
    skipped: list[BadRow] = []
    suspect = False

    def on_invalid_row(row: Any) -> str:
        nonlocal suspect
        text = row.text
        if not careful and ("\n" in text or "\r" in text or len(text) > MAX_LINE_BYTES // 4):
            suspect = True  # a broken row spanning lines: perhaps a runaway quote
        skipped.append(BadRow(None, "(row)", f"{row.actual_columns} fields where the header has "
                              f"{row.expected_columns} (a truncated or broken line)", text))
        return "skip"

    stream: Any = _CutStream(csvfile.path, csvfile.data_start, csvfile.cuts) if careful else pa.OSFile(str(csvfile.path))
    if not careful:
        stream.seek(csvfile.data_start)
    cut_rows = [BadRow(c.first, "(row)", c.reason, c.raw) for c in csvfile.cuts] if careful else []
    record = 0
    consumed = csvfile.data_start
    quiet = _quiet_undecodable_rows(on_invalid_row)
    try:
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(block_size=block_size, use_threads=True, column_names=internal),
                parse_options=pacsv.ParseOptions(delimiter=csvfile.delimiter, newlines_in_values=True,
                                                 invalid_row_handler=on_invalid_row),
                convert_options=pacsv.ConvertOptions(column_types={name: pa.binary() for name in internal},
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False))
        except pa.ArrowInvalid as exc:
            if "Empty CSV file" not in str(exc):
                raise
            reader = None  # a header and nothing else (or only lines taken out)
        if reader is not None:
            # Batches are converted by WORKERS threads while the parser reads on (both release the GIL):
            # (conversion, records so far, bytes so far), handed out in order.
            pending: deque[tuple[Future[Batch], int, int]] = deque()

            def finished() -> tuple[Batch, int]:
                nonlocal cut_rows
                future, records_so_far, bytes_so_far = pending.popleft()
                result = future.result()
                result.bad = cut_rows + result.bad
                cut_rows = []
                result.bytes_read = bytes_so_far
                return result, records_so_far

            with reader, ThreadPoolExecutor(WORKERS, thread_name_prefix="ceasefire-reader") as pool:
                try:
                    while True:
                        try:
                            batch = reader.read_next_batch()
                        except StopIteration:
                            break
                        except pa.ArrowInvalid:
                            while pending:  # what was read before the parser failed is handed out, as it was
                                yield finished()
                            raise
                        n = batch.num_rows
                        columns = batch.columns
                        newline, carriage_return, nul = _holds_any(columns, (b"\n", b"\r", b"\x00"))
                        if not careful and (suspect or newline or carriage_return or (
                                n and _row_lengths(columns).max() > MAX_LINE_BYTES // 4)):
                            while pending:
                                yield finished()
                            raise _Restart  # before this batch is handed out
                        records = np.arange(record, record + n)
                        done = max(0, min(n, skip - record))  # handed out by the first pass already
                        record += n
                        consumed += sum(column.nbytes for column in columns)  # about the file's bytes so far
                        if done == n:
                            continue
                        pending.append((pool.submit(_convert, source, adapter, names, columns, records, done, nul),
                                        record, consumed))
                        while len(pending) > WORKERS or (pending and pending[0][0].done()):
                            yield finished()
                    while pending:
                        yield finished()
                finally:
                    for future, _, _ in pending:  # the caller stopped reading: no more conversions
                        future.cancel()
        if skipped or cut_rows:
            yield Batch(EVENT_SCHEMA.empty_table(), cut_rows + skipped), record
    except pa.ArrowInvalid as exc:
        if not careful:
            raise _Restart from None
        raise InputError(f"{csvfile.path}: cannot be parsed as CSV ({_shown(exc, 200)})") from None
    finally:
        quiet()
        stream.close()


def _convert(source: str, adapter: Callable[[Converter], dict[str, Any]], names: Mapping[str, int],
             columns: list[pa.Array], records: np.ndarray, done: int, nul: bool) -> Batch:
    """One parsed batch in the normalized schema, less its first ``done`` rows (handed out before)."""
    if done:
        columns = [column.slice(done) for column in columns]
        records = records[done:]
    raw = raw_rows(columns)
    try:
        # Rows that are UTF-8 hold values that are: a value lies between separators (ASCII), so no character
        # is cut. Then the conversions need not check each column again.
        raw_text = pc.cast(raw, pa.string())
    except pa.ArrowInvalid:
        raw_text = None
    c = Converter({name: columns[index] for name, index in names.items()}, len(records), utf8=raw_text is not None)
    return _finish(source, c, adapter(c), raw, records=records, nul=nul, raw_text=raw_text)


def _holds_any(columns: list[pa.Array], needles: tuple[bytes, ...]) -> list[bool]:
    """Whether any value of any column holds each needle."""
    found = [False] * len(needles)
    for column in columns:
        found = [f or h for f, h in zip(found, _holds(column, needles))]
    return found


def _row_lengths(columns: list[pa.Array]) -> np.ndarray:
    """Each row's length as raw_rows joins it: its values and a separator between each two."""
    return sum((lengths(column) for column in columns), np.full(len(columns[0]), len(columns) - 1))


def _quiet_undecodable_rows(handler: Callable[[Any], str]) -> Callable[[], None]:
    """Keep pyarrow's complaint about a broken row that is not UTF-8 off the user's terminal; returns the undo.

    pyarrow decodes a broken row's text before calling the invalid-row handler; when the bytes are not
    UTF-8 the decode fails, pyarrow prints the exception as "ignored" and then fails the parse, which the
    first pass answers with a careful one (whose cuts take such rows out). Other exceptions go on as before.
    """
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not (unraisable.object is handler and isinstance(unraisable.exc_value, UnicodeDecodeError)):
            previous(unraisable)

    sys.unraisablehook = hook

    def undo() -> None:
        if sys.unraisablehook is hook:  # another hook set meanwhile stays
            sys.unraisablehook = previous

    return undo


def resolve_lines(csvfile: CsvFile, bad: list[BadRow]) -> None:
    """Replace record numbers by the physical line each bad row starts on (header = line 1).

    pyarrow numbers neither its skipped rows nor records whose fields hold line breaks, so one pass of
    the csv module maps them over the same text the parser read (the cut lines left out): well-formed
    records in order to the record numbers the readers gave, malformed ones in order to the rows pyarrow
    skipped. Only run when some rows were quarantined.
    """
    wanted = {b.record for b in bad if b.record is not None} | {b.first for b in bad if b.first is not None}
    broken = [b for b in bad if b.line is None and b.record is None]  # pyarrow's skipped rows, in file order
    if not wanted and not broken:
        return
    width = len(csvfile.header)
    found: dict[int, int] = {}
    record = 0
    with _csv_limit(), open(csvfile.path, encoding="utf-8", errors="surrogateescape", newline="") as fh:
        fh.readline(MAX_LINE_BYTES + 1)  # the header
        skip = {n for cut in csvfile.cuts for n in range(cut.first, cut.last + 1)}
        feed = _LineFeed(fh, 2, csvfile.data_start, skip)
        reader = csv.reader(feed if skip else fh, delimiter=csvfile.delimiter)
        start = 2
        unplaced = iter(broken)
        while True:
            feed.taken = []
            try:
                fields = next(reader)
            except StopIteration:
                break
            if skip:
                start = feed.taken[0].number
            if len(fields) == width:
                if record in wanted:
                    found[record] = start
                record += 1
            elif fields and (row := next(unplaced, None)) is not None:
                row.line = start
            if not skip:
                start = reader.line_num + 2
    for b in bad:
        if b.record is not None and b.record in found:
            b.line = found[b.record]
        if b.first is not None and b.first in found:
            b.first = found[b.first]


# --------------------------------------------------------------------------- GeoJSON


def _geojson_features(path: Path) -> list[Any]:
    """The features of a GeoJSON FeatureCollection (or of one Feature), or one clear error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path}: UTF-16 text, not UTF-8: save it as UTF-8 (GeoJSON is UTF-8)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at byte {exc.start}); "
                         "GeoJSON is UTF-8") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not GeoJSON: invalid JSON at line {exc.lineno}, column {exc.colno} "
                         f"({exc.msg})") from None
    except RecursionError:
        raise InputError(f"{path}: not GeoJSON: the JSON nests too deeply") from None
    except ValueError:  # an integer of more than 4300 digits
        raise InputError(f"{path}: not GeoJSON: it holds a number too long to read") from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        return [doc]
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features", [])
        if not isinstance(features, list):
            raise InputError(f"{path}: a FeatureCollection's 'features' is a list, got {_json_kind(features)}")
        return features
    raise InputError(f"{path}: expected a GeoJSON FeatureCollection (or one Feature), got {_json_kind(doc)}")


def _json_kind(value: Any) -> str:
    if isinstance(value, dict):
        kind = value.get("type")
        return f"an object of type {_shown(kind)!r}" if isinstance(kind, str) else "an object with no GeoJSON 'type'"
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string" if isinstance(value, str) else "null"


def _article(word: str) -> str:
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


def _feature_parts(feature: Any) -> tuple[dict[str, Any], tuple[Any, Any] | None, tuple[str, str] | None]:
    """A feature's properties, its point (lon, lat), and the first problem that keeps it from being an event."""
    if not isinstance(feature, dict):
        return {}, None, ("feature", f"not a GeoJSON Feature but {_json_kind(feature)}")
    props = feature.get("properties")
    if props is None:
        props = {}
    elif not isinstance(props, dict):
        return {}, None, ("properties", f"not an object but {_json_kind(props)}")
    geometry = feature.get("geometry")
    if geometry is None:
        return props, None, ("geometry", "no geometry; an event needs a Point")
    if not isinstance(geometry, dict) or not isinstance(geometry.get("type"), str):
        return props, None, ("geometry", f"not a GeoJSON geometry but {_json_kind(geometry)}; an event needs a Point")
    if geometry["type"] != "Point":
        return props, None, ("geometry", f"{_article(_shown(geometry['type']))}; an event needs a Point")
    xy = geometry.get("coordinates")
    if not (isinstance(xy, list) and len(xy) in (2, 3)
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in xy)):
        return props, None, ("geometry", "a Point's coordinates are [lon, lat], two numbers")
    return props, (xy[0], xy[1]), None


def _property_bytes(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate from a JSON escape: flagged as not UTF-8


def read_geojson(path: Path) -> Iterator[Batch]:
    return _geojson_batches(_geojson_features(path))


def _geojson_batches(features: list[Any]) -> Iterator[Batch]:
    n = len(features)
    parts = [_feature_parts(f) for f in features]
    # lon and lat come from the geometry only: properties of those names are not the event's place
    names = sorted({k for props, _, _ in parts for k in props} - {"lon", "lat"})
    raw_cols: dict[str, pa.Array] = {
        name: pa.array([_property_bytes(props.get(name)) for props, _, _ in parts], pa.binary()) for name in names}
    for axis, name in enumerate(("lon", "lat")):
        raw_cols[name] = pa.array([None if xy is None else str(xy[axis]).encode() for _, xy, _ in parts], pa.binary())
    if "source_id" not in raw_cols and "id" in raw_cols:
        raw_cols["source_id"] = raw_cols["id"]
    c = Converter(raw_cols, n)
    problems = np.array([p is not None for _, _, p in parts], bool)
    if problems.any():  # the feature's own shape is its first problem
        for name in {p[0] for _, _, p in parts if p is not None}:
            mask = np.array([p is not None and p[0] == name for _, _, p in parts], bool)
            c.flag(mask, name, np.array([p[1] if p is not None else None for _, _, p in parts], dtype=object))
    raw = pa.array([json.dumps(f, ensure_ascii=False).encode("utf-8", "backslashreplace") for f in features],
                   pa.binary())
    yield _finish("geojson", c, from_native(c), raw, lines=np.arange(1, n + 1))  # feature numbers


# --------------------------------------------------------------------------- mapped CSV

def load_mapping(path: Path) -> ColumnMapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such mapping file") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read the column mapping ({_shown(exc, 200)})") from None
    if not isinstance(data, dict) or "columns" not in data:
        raise InputError(f"{path}: a mapping file needs 'columns: {{normalized name: your column}}'")
    try:
        return ColumnMapping.model_validate(data)
    except ValidationError as exc:
        problems = [_mapping_problem(error) for error in exc.errors()]
        raise InputError(f"{path}: {'; '.join(problems[:3])}") from None


def _mapping_problem(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        known = list(ColumnMapping.model_fields)
        return f"unknown key {where!r}{suggest(where, known)}; a mapping has {', '.join(known)}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


# --------------------------------------------------------------------------- opening a file


def open_events(path: Path | str, fmt: str, mapping_path: Path | str | None = None,
                block_size: int = BLOCK_SIZE) -> EventFile:
    """Open an event file: its header is read (and refused, when it cannot be this format) now; rows as
    the batches are read."""
    path = Path(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: a folder, not a file")
    if fmt == "geojson":
        return EventFile(_geojson_batches(_geojson_features(path)), unit="feature")
    if fmt == "csv" and mapping_path is None:
        raise InputError(f"{path}: --format csv needs --mapping FILE (which column is which)")
    mapping = load_mapping(Path(mapping_path)) if fmt == "csv" and mapping_path is not None else None
    csvfile = open_csv_file(path, mapping.delimiter if mapping else ",")
    header = csvfile.header
    names = {}
    for index, name in enumerate(header):
        names.setdefault(name, index)  # a repeated name: its first column
    if mapping is None:
        required = UCDP_REQUIRED if fmt == "ucdp" else ACLED_REQUIRED
        missing = [name for name in required if name not in names]
        if missing:
            raise InputError(f"{path}: not {SOURCE_NAMES[fmt]} file — missing column(s) {', '.join(missing)} "
                             f"(has: {_names(header)})")
        adapter = from_ucdp if fmt == "ucdp" else from_acled
        source = fmt
    else:
        lacking = [(ours, theirs) for ours, theirs in mapping.columns.items() if theirs not in names]
        if lacking:
            ours, theirs = lacking[0]
            more = f" (and {', '.join(repr(t) for _, t in lacking[1:])})" if len(lacking) > 1 else ""
            raise InputError(f"{path}: no column {theirs!r}{more} in the header; {Path(mapping_path).name} names it "
                             f"for {ours}{suggest(theirs, header)} (has: {_names(header)})")
        names.update({ours: names[theirs] for ours, theirs in mapping.columns.items()})
        source = mapping.source

        def adapter(c: Converter) -> dict[str, Any]:
            return from_native(c, mapping)

    return EventFile(read_csv_batches(csvfile, source, adapter, names, block_size), "\x1f".join(header),
                     lambda bad: resolve_lines(csvfile, bad))


def read_events(path: Path | str, fmt: str, mapping_path: Path | str | None = None,
                block_size: int = BLOCK_SIZE) -> Iterator[Batch]:
    """Stream a file as batches of normalized events (and bad rows)."""
    return open_events(path, fmt, mapping_path, block_size).batches
