"""Readers: ACLED and UCDP GED exports, GeoJSON points, and any CSV with a column-mapping file.

Each reader streams its input in batches (pyarrow's CSV reader: files larger than memory
work) and yields :class:`Batch` objects holding the good rows in the normalized schema
(:mod:`ceasefire.events.schema`) and the bad rows with their reasons.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import yaml

from ..errors import InputError
from .convert import Converter, map_values, raw_rows
from .schema import DATE_PRECISIONS, EVENT_SCHEMA, PLACE_PRECISIONS
from .schema import ROLES
from .taxonomy import EVENT_TYPES, SUBTYPE_TO_TYPE

FORMATS = ("acled", "ucdp", "geojson", "csv")
BLOCK_SIZE = 16 << 20  # bytes per parsed block: large enough for speed, small enough for memory


@dataclass(slots=True)
class BadRow:
    line: int | None  # CSV: the line the record starts on (header = 1); GeoJSON: the feature's number (from 1)
    field: str
    reason: str
    raw: str


@dataclass(slots=True)
class Batch:
    events: pa.Table
    bad: list[BadRow] = field(default_factory=list)
    bytes_read: int = 0


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
    stated = kind_from_text(headline)
    sub = pc.coalesce(stated, sub)
    return {
        "source_id": source_id, "date": date, "date_end": pc.coalesce(date_end, date),
        "date_precision": precision, "time": None,
        "lat": c.number("latitude", -90, 90, required=True), "lon": c.number("longitude", -180, 180, required=True),
        "place": c.text("where_coordinates"), "place_precision": place_precision,
        "adm1": c.text("adm_1"), "adm2": c.text("adm_2"),
        "sub_event_type": sub,
        # UCDP codes no weapon: one is read from the headline only when it names one kind of event.
        "weapon_class": pc.if_else(pc.is_valid(stated), weapon_from_text(headline), pa.scalar(None, pa.string())),
        "actor1": c.text("side_a"), "actor2": c.text("side_b"), "roles": map_values(violence, UCDP_ROLES),
        "fatalities_best": c.number("best", integer=True), "fatalities_low": c.number("low", integer=True),
        "fatalities_high": c.number("high", integer=True),
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
    count = np.zeros(len(text), np.int8)
    out = pa.nulls(len(text), pa.string())
    qualified = pc.fill_null(pc.match_substring_regex(text, _AIR_OR_GROUND), False)
    for kind, pattern in KIND_PATTERNS:
        hit = pc.fill_null(pc.match_substring_regex(text, pattern), False)
        if kind is None:
            hit = pc.and_(hit, pc.invert(qualified))  # "aerial bombardment" was counted as an air strike
        count += hit.to_numpy(zero_copy_only=False).astype(np.int8)
        out = pc.if_else(hit, pa.scalar(kind, pa.string()), out)
    return pc.if_else(pa.array(count == 1), out, pa.scalar(None, pa.string()))


def weapon_from_text(text: pa.Array) -> pa.Array:
    out = pa.nulls(len(text), pa.string())
    for weapon, pattern in WEAPON_PATTERNS:
        hit = pc.fill_null(pc.match_substring_regex(text, pattern), False)
        out = pc.if_else(pc.and_(hit, pc.is_null(out)), pa.scalar(weapon, pa.string()), out)
    return out


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
    fatalities = c.number("fatalities", integer=True)
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


def from_native(c: Converter, mapping: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Columns already named as the normalized schema (GeoJSON properties, or a mapped CSV)."""
    mapping = mapping or {}
    values = mapping.get("values", {})
    formats = tuple(mapping.get("date_formats", ("%Y-%m-%d",)))

    def text(name: str, required: bool = False) -> pa.Array:
        out = c.text(name, required and name not in mapping.get("defaults", {}))
        if name in mapping.get("defaults", {}):
            out = pc.coalesce(out, pa.scalar(str(mapping["defaults"][name])))
        if name in values:
            table = {str(k): str(v) for k, v in values[name].items()}
            out = map_values(out, table, None) if mapping.get("strict_values") else \
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
        "fatalities_best": c.number("fatalities_best", integer=True),
        "fatalities_low": c.number("fatalities_low", integer=True),
        "fatalities_high": c.number("fatalities_high", integer=True),
        "sources": text("sources"), "notes": text("notes"),
    }


def _join_actors(main: pa.Array, associated: pa.Array) -> pa.Array:
    both = pc.binary_join_element_wise(main, associated, "; ")
    return pc.coalesce(both, main, associated)


def _date_end(date: pa.Array, precision: pa.Array) -> pa.Array:
    days = map_values(precision, {"day": "0", "week": "6", "month": "30", "year": "364"}, "0")
    offset = pc.cast(pc.cast(days, pa.int32()), pa.int32())
    as_int = pc.cast(pc.cast(date, pa.int32()), pa.int64())
    return pc.cast(pc.cast(pc.add(as_int, pc.cast(offset, pa.int64())), pa.int32()), pa.date32())


# --------------------------------------------------------------------------- assembling batches


def _finish(source: str, c: Converter, cols: dict[str, Any], raw: pa.Array, lines: np.ndarray) -> Batch:
    n = c.n
    sub = cols["sub_event_type"]
    out: dict[str, pa.Array] = {
        "source": pa.array([source] * n, pa.string()) if n else pa.array([], pa.string()),
        "event_type": map_values(sub, SUBTYPE_TO_TYPE),
        "raw": raw,
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
    bad_mask = c.bad
    bad: list[BadRow] = []
    if bad_mask.any():
        raws = raw.filter(pa.array(bad_mask)).to_pylist()
        for idx, raw_value in zip(np.flatnonzero(bad_mask), raws):
            bad.append(BadRow(int(lines[idx]) if lines is not None else None, c.field[idx], c.reason[idx],
                              raw_value.decode("utf-8", "backslashreplace")))
    keep = pa.array(~bad_mask)
    table = pa.table({name: out[name] if name in out else pa.nulls(n, EVENT_SCHEMA.field(name).type)
                      for name in EVENT_SCHEMA.names})
    table = table.filter(keep)
    table = table.set_column(table.schema.get_field_index("raw"), "raw", pc.cast(table["raw"], pa.string()))
    return Batch(table.cast(EVENT_SCHEMA), bad)


def _csv_header(path: Path, delimiter: str = ",") -> list[str]:
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            header = next(csv.reader(fh, delimiter=delimiter), None)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    if not header:
        raise InputError(f"{path}: empty file (no header line)")
    return header


def read_csv_batches(path: Path, source: str, adapter: Callable[[Converter], dict[str, Any]],
                     required: tuple[str, ...] = (), rename: Mapping[str, str] | None = None,
                     block_size: int = BLOCK_SIZE, delimiter: str = ",") -> Iterator[Batch]:
    header = _csv_header(path, delimiter)
    missing = [name for name in required if name not in header]
    if missing:
        raise InputError(f"{path}: not a {source} file — missing column(s) {', '.join(missing)} "
                         f"(has: {', '.join(header[:12])}{' …' if len(header) > 12 else ''})")
    skipped: list[BadRow] = []

    def on_invalid_row(row: Any) -> str:
        skipped.append(BadRow(row.number, "(row)", f"{row.actual_columns} fields where the header has "
                              f"{row.expected_columns} (a truncated or broken line)", row.text))
        return "skip"

    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=block_size, use_threads=True),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                         invalid_row_handler=on_invalid_row),
        convert_options=pacsv.ConvertOptions(column_types={name: pa.binary() for name in header},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    record = 0
    consumed = 0
    with reader:
        for batch in reader:
            n = batch.num_rows
            raw_cols = {name: batch.column(i) for i, name in enumerate(batch.schema.names)}
            cols = {rename.get(k, k): v for k, v in raw_cols.items()} if rename else raw_cols
            c = Converter(cols, n)
            lines = np.arange(record + 2, record + 2 + n)  # good-record numbers; resolve_lines maps them
            result = _finish(source, c, adapter(c), raw_rows(raw_cols), lines)
            record += n
            result.bad = skipped[:] + result.bad
            skipped.clear()
            consumed += sum(column.nbytes for column in batch.columns)  # about the file's bytes so far
            result.bytes_read = consumed
            yield result
    if skipped:
        yield Batch(EVENT_SCHEMA.empty_table(), skipped[:])


def read_geojson(path: Path) -> Iterator[Batch]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not readable GeoJSON ({exc})") from None
    if doc.get("type") != "FeatureCollection":
        raise InputError(f"{path}: expected a GeoJSON FeatureCollection, got {doc.get('type')!r}")
    features = doc.get("features") or []
    names = sorted({k for f in features for k in (f.get("properties") or {})})
    columns: dict[str, list[bytes | None]] = {n: [] for n in [*names, "lon", "lat"]}
    for f in features:
        props = f.get("properties") or {}
        for n in names:
            v = props.get(n)
            columns[n].append(None if v is None else str(v).encode())
        geom = f.get("geometry") or {}
        xy = geom.get("coordinates") if geom.get("type") == "Point" else None
        ok = isinstance(xy, list) and len(xy) >= 2
        columns["lon"].append(str(xy[0]).encode() if ok else None)
        columns["lat"].append(str(xy[1]).encode() if ok else None)
    raw_cols = {n: pa.array(v, pa.binary()) for n, v in columns.items()}
    c = Converter(raw_cols, len(features))
    if "source_id" not in raw_cols and "id" in raw_cols:
        raw_cols["source_id"] = raw_cols["id"]
    raw = pa.array([json.dumps(f, ensure_ascii=False).encode() for f in features], pa.binary())
    yield _finish("geojson", c, from_native(c), raw, np.arange(1, len(features) + 1))  # feature numbers


def load_mapping(path: Path) -> dict[str, Any]:
    try:
        mapping = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read the column mapping ({exc})") from None
    if not isinstance(mapping, dict) or not isinstance(mapping.get("columns"), dict):
        raise InputError(f"{path}: a mapping file needs 'columns: {{normalized name: your column}}'")
    return mapping


def read_events(path: Path | str, fmt: str, mapping_path: Path | str | None = None,
                block_size: int = BLOCK_SIZE) -> Iterator[Batch]:
    """Stream a file as batches of normalized events (and bad rows)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if fmt == "ucdp":
        return read_csv_batches(path, "ucdp", from_ucdp, UCDP_REQUIRED, block_size=block_size)
    if fmt == "acled":
        return read_csv_batches(path, "acled", from_acled, ACLED_REQUIRED, block_size=block_size)
    if fmt == "geojson":
        return read_geojson(path)
    if fmt == "csv":
        if mapping_path is None:
            raise InputError(f"{path}: --format csv needs --mapping FILE (which column is which)")
        mapping = load_mapping(Path(mapping_path))
        rename = {theirs: ours for ours, theirs in mapping["columns"].items()}
        source = str(mapping.get("source", "csv"))
        return read_csv_batches(path, source, lambda c: from_native(c, mapping),
                                tuple(mapping["columns"].values()), rename, block_size,
                                str(mapping.get("delimiter", ",")))
    raise InputError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def resolve_lines(path: Path, bad: list[BadRow], delimiter: str = ",") -> None:
    """Replace record numbers by the physical line each bad row starts on (header = line 1).

    pyarrow numbers neither its skipped rows nor records whose fields hold line breaks, so one
    pass of the csv module maps them: well-formed records in order to the good-record numbers
    the readers gave, malformed ones in order to the rows pyarrow skipped. Only run when some
    rows were quarantined.
    """
    wanted = {b.line for b in bad if b.line is not None}
    skipped = [b for b in bad if b.line is None]
    found: dict[int, int] = {}
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        header = next(reader, [])
        start, good = reader.line_num + 1, 1
        for fields in reader:
            if len(fields) == len(header):
                good += 1
                if good in wanted:
                    found[good] = start
            elif skipped and skipped[0].line is None:
                skipped.pop(0).line = start
            start = reader.line_num + 1
    for b in bad:
        if b.field != "(row)" and b.line in found:
            b.line = found[b.line]
