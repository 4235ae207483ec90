"""Bad input to the event readers and ingest: one clear error for a file that cannot be read, the row
kept aside (with its line, field and reason) for a row that cannot — never a traceback, never a row lost.

Fixtures: ``data/robust/events_runaway_quote.csv`` (the project's made-up ACLED-layout rows with one
unterminated quote) and ``data/robust/events_geometries.geojson`` (made-up features of every shape);
everything else is written here from the shipped UCDP sample.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import shapely
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ceasefire.errors import CeasefireError, GeometryError, InputError
from ceasefire.events import ingest_file, quarantined, read_events
from ceasefire.events.readers import MAX_LINE_BYTES
from ceasefire.geodata.basedata import data_path
from ceasefire.regime import load_regime
from ceasefire.regime.models import Regime
from ceasefire.store import connect
from ceasefire.zones import regime_shapes
from ceasefire.zones.area import regime_area

from .conftest import DATA, stored_rows

ROBUST = DATA / "robust"
SAMPLE = data_path("ucdp_ged_nw_syria_sample.csv")
SAMPLE_LINES = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
UCDP_HEADER = next(csv.reader([SAMPLE_LINES[0]]))
MAPPING = (DATA / "mapped_events.yaml").read_text(encoding="utf-8")


@pytest.fixture
def conn(store):
    """The test's store, once on each engine."""
    return store


def kept(conn) -> dict[tuple[int | None, str], str]:
    return {(r["line"], r["field"]): r["reason"] for r in quarantined(conn)}


def count(store, table: str = "events") -> int:
    return store.count(table)


def ucdp_rows(n: int = 20) -> list[list[str]]:
    return [next(csv.reader([line])) for line in SAMPLE_LINES[1:n + 1]]


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def ucdp_file(path: Path, rows: list[list[str]]) -> Path:
    return write_csv(path, UCDP_HEADER, rows)


def one_line(message: str) -> bool:
    """A message fit for a terminal: one line, no control characters (raw bytes never printed)."""
    return not re.search(r"[\x00-\x1f\x7f]", message)


# --------------------------------------------------------------------------- 1. huge lines


def test_a_header_longer_than_the_limit_is_an_input_error(conn, tmp_path):
    path = tmp_path / "one-line.csv"
    path.write_text(",".join(UCDP_HEADER) + "," + "x" * MAX_LINE_BYTES + "\n" + SAMPLE_LINES[1], encoding="utf-8")
    with pytest.raises(InputError, match=r"one-line.csv: line 1 is longer than 1 MiB \(limit 1 MiB per line"):
        ingest_file(conn, path, "ucdp", progress=False)


def test_a_huge_field_quarantines_its_row_and_the_rest_is_read(conn, tmp_path):
    rows = ucdp_rows()
    rows[2][UCDP_HEADER.index("source_headline")] = "y" * (MAX_LINE_BYTES + 1)
    path = ucdp_file(tmp_path / "huge.csv", rows)
    result = ingest_file(conn, path, "ucdp", progress=False)
    assert (result.read, result.new, result.quarantined) == (20, 19, 1)
    size = len(path.read_text(encoding="utf-8").splitlines(keepends=True)[3])
    assert kept(conn) == {(4, "(row)"): f"line is {size:,} bytes long (limit 1 MiB per line)"}
    (row,) = quarantined(conn)
    assert row["raw"].startswith(rows[2][0]) and len(row["raw"]) < 1000  # where to look, not the megabyte


def test_a_field_larger_than_the_csv_modules_limit_is_read(conn, tmp_path):
    """200 kB is over the csv module's default limit (128 kB), which once crashed the line count."""
    rows = ucdp_rows()
    rows[2][UCDP_HEADER.index("source_headline")] = "y" * 200_000
    rows[5][UCDP_HEADER.index("date_start")] = "2017-02-30"
    result = ingest_file(conn, ucdp_file(tmp_path / "big.csv", rows), "ucdp", progress=False)
    assert (result.new, result.quarantined) == (19, 1)
    assert "not a date" in kept(conn)[(7, "date_start")]


# --------------------------------------------------------------------------- 2, 3. GeoJSON


@pytest.mark.parametrize("text, got", [
    ("[1, 2]", "got a JSON array"),
    ("42", "got a number"),
    ('"points"', "got a string"),
    ("null", "got null"),
    ('{"features": []}', "got an object with no GeoJSON 'type'"),
    ('{"type": "Point", "coordinates": [36.6, 35.9]}', "got an object of type 'Point'"),
])
def test_geojson_that_is_not_a_feature_collection_is_an_input_error(conn, tmp_path, text, got):
    path = tmp_path / "x.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(f"x.geojson: expected a GeoJSON FeatureCollection (or one Feature), "
                                                   f"{got}")):
        ingest_file(conn, path, "geojson", progress=False)


@pytest.mark.parametrize("data, message", [
    (b'{"type": "FeatureCollection", "features": {"a": 1}}', "'features' is a list, got an object with no"),
    (b'{"type": "FeatureCollection", "features": [', "not GeoJSON: invalid JSON at line 1, column 44 (Expecting value)"),
    (b"[" * 100_000, "not GeoJSON: the JSON nests too deeply"),
    (b'{"type": "Feature", "id": 1' + b"9" * 5000 + b"}", "not GeoJSON: it holds a number too long to read"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text (byte 0x89 at byte 0)"),
    ('{"type": "FeatureCollection"}'.encode("utf-16"), "UTF-16 text, not UTF-8"),
])
def test_unreadable_geojson_is_one_clear_line(conn, tmp_path, data, message):
    path = tmp_path / "x.geojson"
    path.write_bytes(data)
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        ingest_file(conn, path, "geojson", progress=False)
    assert one_line(str(caught.value))


def test_one_feature_is_read_as_a_collection_of_one(conn, tmp_path):
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.63393, 35.93062]},
               "properties": {"source_id": "f1", "date": "2019-05-06", "sub_event_type": "air-strike"}}
    path = tmp_path / "one.geojson"
    path.write_text(json.dumps(feature), encoding="utf-8")
    result = ingest_file(conn, path, "geojson", progress=False)
    assert (result.read, result.new) == (1, 1)


def test_a_feature_that_is_not_a_point_is_quarantined_for_its_geometry(conn):
    result = ingest_file(conn, ROBUST / "events_geometries.geojson", "geojson", progress=False)
    assert (result.read, result.new, result.quarantined, result.duplicates) == (9, 1, 8, 1)
    assert kept(conn) == {
        (2, "geometry"): "a Polygon; an event needs a Point",
        (3, "geometry"): "a LineString; an event needs a Point",
        (4, "geometry"): "no geometry; an event needs a Point",
        (5, "geometry"): "a Point's coordinates are [lon, lat], two numbers",
        (6, "lon"): "not a finite number",
        (7, "properties"): "not an object but a JSON array",
        (8, "feature"): "not a GeoJSON Feature but a string",
        (9, "event_id"): "duplicate id geojson:point-1 (its first row is feature 1)",
    }
    again = ingest_file(conn, ROBUST / "events_geometries.geojson", "geojson", progress=False)
    assert (again.new, again.updated, count(conn, "quarantine")) == (0, 0, 8)


def test_geojson_properties_of_any_json_type_never_crash(conn, tmp_path):
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.6, 35.9]},
                 "properties": {"source_id": sid, "date": date, "sub_event_type": "shelling", "lon": 1, "notes": notes}}
                for sid, date, notes in [("a", "2019-05-06", {"nested": [1, None]}), ("b", True, "x"),
                                         ("c", 20190506, "\ud800"), (4, "2019-05-06", None)]]
    path = tmp_path / "types.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    ingest_file(conn, path, "geojson", progress=False)
    assert kept(conn) == {(2, "date"): "not a date in the form %Y-%m-%d", (3, "date"): "not a date in the form %Y-%m-%d"}
    stored = sorted((r["source_id"], r["lon"], r["notes"]) for r in stored_rows(conn))
    assert stored == [("4", 36.6, None), ("a", 36.6, '{"nested": [1, null]}')]  # lon from the geometry only


# --------------------------------------------------------------------------- 4. mapping files


def mapped(tmp_path: Path, mapping: str, csv_text: str | None = None) -> tuple[Path, Path]:
    m = tmp_path / "mapping.yaml"
    m.write_text(mapping, encoding="utf-8")
    data = tmp_path / "mapped.csv"
    data.write_text(csv_text or (DATA / "mapped_events.csv").read_text(encoding="utf-8"), encoding="utf-8")
    return data, m


@pytest.mark.parametrize("change, message", [
    (('delimiter: ";"', 'delimiter: ";;"'), "mapping.yaml: delimiter: one character, got ';;'"),
    (('delimiter: ";"', "delimiter: '\"'"), "mapping.yaml: delimiter: '\"' cannot separate fields"),
    (("source: test-monitor", "source: test-monitor\ndelimeter: ','"),
     "mapping.yaml: unknown key 'delimeter' (did you mean 'delimiter'?); a mapping has columns, source, delimiter"),
    (("  actor2: Against", "  actor_2: Against"),
     ("mapping.yaml: columns: 'actor_2' is not a field a mapping fills (did you mean 'actor2'?); fields: source_id, "
      "date,")),
    (("  date: When\n", ""), "mapping.yaml: columns: name the column for date"),
    (("  place_precision: exact", "  lat: 35.9"), "mapping.yaml: defaults: 'lat' is not a field a mapping fills"),
    (("date_formats: [\"%d/%m/%Y\"]", "date_formats: []"), "mapping.yaml: date_formats: List should have at least 1"),
    (("columns:", "columns: 3\nx:"), "mapping.yaml: columns: Input should be a valid dictionary"),
])
def test_a_mapping_file_is_validated_fully(conn, tmp_path, change, message):
    old, new = change
    assert old in MAPPING
    data, m = mapped(tmp_path, MAPPING.replace(old, new))
    with pytest.raises(InputError, match=re.escape(message)):
        ingest_file(conn, data, "csv", m, progress=False)


def test_a_column_the_csv_lacks_names_the_mapping_and_the_column(conn, tmp_path):
    data, m = mapped(tmp_path, MAPPING.replace("date: When", "date: Whn"))
    with pytest.raises(InputError, match=re.escape("mapped.csv: no column 'Whn' in the header; mapping.yaml names it "
                                                   "for date (did you mean 'When'?) (has: Ref, When, X, Y")):
        ingest_file(conn, data, "csv", m, progress=False)


def test_one_column_may_fill_two_fields(conn, tmp_path):
    data, m = mapped(tmp_path, MAPPING.replace("  fatalities_best: Dead", "  fatalities_best: Dead\n  fatalities_low: Dead"))
    ingest_file(conn, data, "csv", m, progress=False)
    assert [(r["fatalities_best"], r["fatalities_low"]) for r in stored_rows(conn) if r["source_id"] == "M-1"] == [(4, 4)]


# --------------------------------------------------------------------------- 5. unterminated quotes


def test_an_unterminated_quote_loses_no_row(conn):
    """The quote opened in R004's notes never closes: once, 16 rows vanished into one quarantined row."""
    result = ingest_file(conn, ROBUST / "events_runaway_quote.csv", "acled", progress=False)
    assert (result.read, result.new, result.quarantined) == (20, 19, 1)
    assert kept(conn) == {(5, "(row)"): "unterminated quote: the value quoted on this line never closes and would "
                                        "swallow lines 6–21; they were read on their own"}
    stored = sorted(r["source_id"] for r in stored_rows(conn))
    assert stored == [f"R{i:03d}" for i in range(1, 21) if i != 4]


def test_a_quote_closed_by_the_next_rows_quote_is_found_too(conn, tmp_path):
    """In a UCDP file every row has quoted values: the runaway ends at the next row's quote."""
    rows = ucdp_rows()
    path = unterminate(ucdp_file(tmp_path / "runaway.csv", rows), rows, 3)
    result = ingest_file(conn, path, "ucdp", progress=False)
    assert (result.read, result.new, result.quarantined) == (20, 19, 1)
    assert kept(conn)[(5, "(row)")].startswith("unterminated quote: the value quoted on this line ends at a lone quote "
                                               "and would swallow line 6; it was read on its own")


def unterminate(path: Path, rows: list[list[str]], index: int) -> Path:
    """The file with the quoted source_article of rows[index] left open: its closing quote taken away."""
    text = path.read_text(encoding="utf-8")
    article = rows[index][UCDP_HEADER.index("source_article")]
    quoted = '"' + article.replace('"', '""') + '"'
    assert text.count(quoted) == 1
    path.write_text(text.replace(quoted, '"' + article.replace('"', ""), 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("block_size", [16 << 20, 20 << 10])
def test_a_runaway_late_in_a_long_file_and_values_spanning_lines(conn, tmp_path, block_size):
    """A first pass hands out batches until it meets the runaway; the careful pass skips what it handed out."""
    rows = ucdp_rows(300)
    headline = UCDP_HEADER.index("source_headline")
    rows[10][headline] = "a headline\nover two lines"  # a well-formed value spanning lines stays whole
    rows[280] = rows[280][:8]  # a truncated row after the runaway
    path = unterminate(ucdp_file(tmp_path / "long.csv", rows), rows, 250)  # line 253
    result = ingest_file(conn, path, "ucdp", progress=False, block_size=block_size)
    assert (result.read, result.new, result.quarantined) == (300, 298, 2)
    reasons = kept(conn)
    assert set(reasons) == {(253, "(row)"), (283, "(row)")}
    assert reasons[(253, "(row)")].startswith("unterminated quote")
    assert reasons[(283, "(row)")] == "8 fields where the header has 41 (a truncated or broken line)"
    notes = next(r["notes"] for r in stored_rows(conn) if r["source_id"] == rows[10][0])
    assert notes == "a headline\nover two lines"


def test_reading_in_small_blocks_gives_the_same_rows(tmp_path):
    path = ROBUST / "events_runaway_quote.csv"
    whole = list(read_events(path, "acled"))
    small = list(read_events(path, "acled", block_size=1 << 10))
    assert pa.concat_tables([b.events for b in small]).equals(pa.concat_tables([b.events for b in whole]))
    assert [b.line for x in small for b in x.bad] == [b.line for x in whole for b in x.bad] == [5]


# --------------------------------------------------------------------------- 6. duplicates


def test_a_duplicate_names_its_line_and_the_first_rows_line(conn, tmp_path):
    rows = ucdp_rows(5)
    result = ingest_file(conn, ucdp_file(tmp_path / "dup.csv", [*rows, rows[1], rows[3]]), "ucdp", progress=False)
    assert (result.new, result.quarantined, result.duplicates) == (5, 2, 2)
    assert kept(conn) == {(7, "event_id"): f"duplicate id ucdp:{rows[1][0]} (its first row is line 3)",
                          (8, "event_id"): f"duplicate id ucdp:{rows[3][0]} (its first row is line 5)"}
    ingest_file(conn, tmp_path / "dup.csv", "ucdp", progress=False)
    assert count(conn, "quarantine") == 2  # a re-run adds nothing


# --------------------------------------------------------------------------- 7. binary and other encodings


@pytest.mark.parametrize("data, message", [
    (bytes(range(256)) * 4 + b"\x1b[31mRED\x07", "not a text CSV file (binary content at byte 0)"),
    (b"id,date\x1b[2J,x\n1,2,3\n", "not a text CSV file (binary content at byte 7)"),
    (b"PK\x03\x04\x14\x00\x06\x00", "not a text CSV file (binary content at byte 2) — a ZIP archive (an Excel workbook?"),
    (b"\x1f\x8b\x08\x00", "not a text CSV file (binary content at byte 0) — gzip-compressed"),
    ("id,year\n1,2\n".encode("utf-16"), "UTF-16 text, not UTF-8"),
    (b"", "empty file (no header line)"),
    (b"\n\n  \n", "empty file (no header line)"),
    (b"\nid,year\n", "line 1 is empty; the header (the column names) must be the first line"),
    (b"caf\xe9,b\n1,2\n", "not a UCDP GED file — missing column(s) id, date_start"),
])
def test_a_file_that_is_no_csv_is_one_clear_line(conn, tmp_path, data, message):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        ingest_file(conn, path, "ucdp", progress=False)
    assert one_line(str(caught.value))


def test_the_wrong_format_names_the_right_article(conn):
    with pytest.raises(InputError, match="not an ACLED file — missing column"):
        ingest_file(conn, SAMPLE, "acled", progress=False)
    with pytest.raises(InputError, match="not a UCDP GED file — missing column"):
        ingest_file(conn, DATA / "acled_made_up.csv", "ucdp", progress=False)


# --------------------------------------------------------------------------- 8. the regime's area


def test_swapped_coordinates_are_quarantined_as_outside_the_regimes_area(conn, tmp_path, regime):
    rows = ucdp_rows()
    lat, lon = UCDP_HEADER.index("latitude"), UCDP_HEADER.index("longitude")
    for row in rows[:5]:
        row[lat], row[lon] = row[lon], row[lat]
    rows[5][lat], rows[5][lon] = "39.93", "32.86"  # Ankara: outside either way
    path = ucdp_file(tmp_path / "swapped.csv", rows)
    result = ingest_file(conn, path, "ucdp", regime=regime, progress=False)
    assert (result.read, result.new, result.quarantined, result.outside) == (20, 14, 6, 6)
    reasons = kept(conn)
    assert {reasons[(n, "lon/lat")] for n in range(2, 7)} == {
        "outside the regime's area — latitude and longitude look swapped"}
    assert reasons[(7, "lon/lat")] == "outside the regime's area"
    allowed = ingest_file(conn, path, "ucdp", regime=regime, progress=False, allow_outside=True)
    assert (allowed.new, allowed.quarantined) == (6, 0)
    unchecked = ingest_file(connect(tmp_path / "other.sqlite"), path, "ucdp", progress=False)  # no regime, no area
    assert unchecked.new == 20


def test_the_shipped_countrys_area_keeps_border_events_and_refuses_far_ones(regime):
    area = regime_area(regime)
    lon = np.array([36.63, 36.40, 36.64, 32.86, 35.45, 38.0])
    lat = np.array([35.93, 36.20, 36.26, 39.93, 35.50, 36.9])
    # Idlib; Harim; Turkey 3.4 km across the border near Bab al-Hawa; Ankara; the sea 27 km off Latakia;
    # Turkey 8 km across the border
    assert shapely.contains_xy(area, lon, lat).tolist() == [True, True, True, False, False, False]
    assert regime_area(regime) is area  # once per regime


def test_a_regime_on_its_own_maps_gets_its_zones_envelope_grown_by_100_km():
    elsewhere = load_regime(DATA / "elsewhere" / "elsewhere.yaml")
    area = regime_area(elsewhere)
    _, miny, maxx, maxy = shapely.union_all(
        [v.wgs84 for shape in regime_shapes(elsewhere).values() for v in shape.versions]).envelope.bounds
    assert shapely.contains_xy(area, maxx + 0.5, (miny + maxy) / 2)  # about 55 km east of the envelope
    assert not shapely.contains_xy(area, maxx + 1.5, (miny + maxy) / 2)  # about 165 km
    assert not shapely.contains_xy(area, 36.6, 35.9)  # nowhere near Syria


def test_a_regimes_own_area_expression(tmp_path):
    text = (DATA / "tiny-regime.yaml").read_text(encoding="utf-8")
    path = tmp_path / "with-area.yaml"
    path.write_text(text + "\narea: {admin: {names: [Daraa], level: 1}}\n", encoding="utf-8")
    tiny = load_regime(path)
    area = regime_area(tiny)
    assert shapely.contains_xy(area, 36.10, 32.62)  # Daraa city
    assert not shapely.contains_xy(area, 36.29, 33.51)  # Damascus
    assert "area" in Regime.model_json_schema()["properties"]
    bad = tmp_path / "bad-area.yaml"
    bad.write_text(text + "\narea: {admin: {names: [Atlantis], level: 1}}\n", encoding="utf-8")
    with pytest.raises(GeometryError, match="^area: "):
        regime_area(load_regime(bad))


# --------------------------------------------------------------------------- coordinates and numbers


def test_every_coordinate_and_count_is_validated_with_a_precise_reason(conn, tmp_path):
    rows = ucdp_rows(9)
    lat, lon, best = UCDP_HEADER.index("latitude"), UCDP_HEADER.index("longitude"), UCDP_HEADER.index("best")
    for row, (field, value) in zip(rows, [(lat, "nan"), (lat, "inf"), (lon, "-Infinity"), (lat, "1e999"),
                                          (lat, "91"), (lon, "-180.5"), (best, "99999999999"), (best, "-1"),
                                          (best, "1" * 400)]):
        row[field] = value
    result = ingest_file(conn, ucdp_file(tmp_path / "numbers.csv", rows), "ucdp", progress=False)
    assert (result.new, result.quarantined) == (0, 9)
    assert kept(conn) == {
        (2, "latitude"): "not a finite number", (3, "latitude"): "not a finite number",
        (4, "longitude"): "not a finite number", (5, "latitude"): "not a finite number (too large)",
        (6, "latitude"): "91 is outside [-90, 90]", (7, "longitude"): "-180.5 is outside [-180, 180]",
        (8, "best"): "99999999999 is outside [0, 2147483647]", (9, "best"): "-1 is outside [0, 2147483647]",
        (10, "best"): "not a finite number (too large)"}


# --------------------------------------------------------------------------- 9. everything else


def test_a_header_and_nothing_else_reads_nothing(conn, tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(SAMPLE_LINES[0], encoding="utf-8")
    assert ingest_file(conn, path, "ucdp", progress=False).read == 0
    path.write_text(SAMPLE_LINES[0].rstrip("\n"), encoding="utf-8")  # no line end either
    assert ingest_file(conn, path, "ucdp", progress=False).read == 0


def test_a_byte_order_mark_and_crlf_line_ends_are_read(conn, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "".join(SAMPLE_LINES[:4]).replace("\n", "\r\n").encode())
    assert ingest_file(conn, path, "ucdp", progress=False).new == 3
    rows = ucdp_rows(3)
    rows[1] = rows[1][:5]
    path.write_bytes(b"\xef\xbb\xbf" + ucdp_file(tmp_path / "t.csv", rows).read_text().replace("\n", "\r\n").encode())
    ingest_file(conn, path, "ucdp", progress=False)
    assert kept(conn) == {(3, "(row)"): "5 fields where the header has 41 (a truncated or broken line)"}


def test_rows_that_are_not_text_are_quarantined_not_fatal(conn, tmp_path):
    """Bytes that are not UTF-8 in a column no reader uses, or in a truncated row, and a NUL byte: each row
    is kept aside; before, each made the whole file fail."""
    lines = [line.encode() for line in SAMPLE_LINES[:8]]
    lines[2] = lines[2].replace(b"Syria: Government", b"Syr\xeda: Government", 1)  # conflict_name
    lines[4] = lines[4][:80].replace(b"Syria", b"Syr\xeda") + b"\n"  # truncated, and Latin-1
    lines[6] = lines[6].replace(b"Syria: Government", b"Syria:\x00Government", 1)
    path = tmp_path / "bytes.csv"
    path.write_bytes(b"".join(lines))
    result = ingest_file(conn, path, "ucdp", progress=False)
    assert (result.read, result.new, result.quarantined) == (7, 4, 3)
    reasons = kept(conn)
    assert reasons[(3, "conflict_name")] == "bytes that are not UTF-8 (is the file Latin-1? save it as UTF-8)"
    assert reasons[(5, "(row)")].endswith("fields where the header has 41 (a truncated or broken line)")
    assert reasons[(7, "conflict_name")] == "a NUL byte: binary content, not text"
    assert "\\xed" in {r["line"]: r["raw"] for r in quarantined(conn)}[5]  # the byte kept, escaped


def test_a_folder_or_an_unknown_format_is_an_input_error(conn, tmp_path):
    with pytest.raises(InputError, match="a folder, not a file"):
        ingest_file(conn, tmp_path, "ucdp", progress=False)
    with pytest.raises(InputError, match="unknown format 'xlsx'"):
        ingest_file(conn, SAMPLE, "xlsx", progress=False)


# --------------------------------------------------------------------------- fuzzing every reader

ACLED_TEXT = (DATA / "acled_made_up.csv").read_text(encoding="utf-8")
GEOJSON_TEXT = (DATA / "events_made_up.geojson").read_text(encoding="utf-8")
MAPPED_TEXT = (DATA / "mapped_events.csv").read_text(encoding="utf-8")
UCDP_TEXT = "".join(SAMPLE_LINES[:31])
ODD_VALUES = ["", " ", "nan", "NaN", "inf", "-inf", "1e999", "-1e400", "9" * 40, "-0", "1.5", "abc", "2019-02-30",
              "31/12/2019", "2019-13-01", "0001-01-01", "99999-01-01", "35.9", "36.6", "-200", "200", "\x00", "é",
              "\ufeff", '"', '""', "a\nb", "a\r\nb", "\r", ",", ";", "\x1f", "\ud7ff", "1" * 300]
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                         st.text(max_size=8), st.sampled_from(ODD_VALUES))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=12)


@st.composite
def mutated_csv(draw, text: str, delimiter: str = ",") -> bytes:
    """A valid CSV with some rows mutated: fields dropped or added, odd values, quotes and bytes inserted."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header, body = rows[0], rows[1:]
    for _ in range(draw(st.integers(0, 4))):
        row = body[draw(st.integers(0, len(body) - 1))]
        kind = draw(st.sampled_from(["value", "value", "drop", "add", "duplicate"]))
        if kind == "value":
            row[draw(st.integers(0, len(row) - 1))] = draw(st.one_of(st.sampled_from(ODD_VALUES), st.text(max_size=10)))
        elif kind == "drop" and len(row) > 1:
            del row[draw(st.integers(0, len(row) - 1))]
        elif kind == "add":
            row.insert(draw(st.integers(0, len(row))), draw(st.sampled_from(ODD_VALUES)))
        else:
            body.append(list(row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])), delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(body)
    data = out.getvalue().encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 3)) == 0:  # a value that opens a quote and never closes it, in a data line
        lines = data.split(b"\n")
        n = draw(st.integers(1, max(1, len(lines) - 2)))
        lines[n] = lines[n].replace(delimiter.encode(), delimiter.encode() + b'"', 1)
        data = b"\n".join(lines)
    for _ in range(draw(st.integers(0, 3))):  # raw damage: a quote opening a value, a stray one, bytes, a cut
        at = draw(st.integers(0, len(data)))
        piece = draw(st.sampled_from([b'"', b'"', delimiter.encode(), b"\n", b"\r", b"\x00", b"\xff\xfe", b"\xe9"]))
        if piece == b'"' and draw(st.booleans()):
            at = data.find(delimiter.encode(), at) + 1  # right after a delimiter: a quoted value begins
        data = data[:at] + piece + data[at:]
    if draw(st.booleans()):
        data = data[:draw(st.integers(len(data) // 2, len(data)))]
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + data


@st.composite
def mutated_geojson(draw) -> bytes:
    doc = json.loads(GEOJSON_TEXT)
    shape = draw(st.sampled_from(["features", "features", "features", "top", "feature-list"]))
    if shape == "top":
        doc = draw(json_values)
    elif shape == "feature-list":
        doc["features"] = draw(json_values)
    else:
        features = doc["features"]
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(features) - 1))
            target = draw(st.sampled_from(["feature", "geometry", "coordinates", "properties", "property", "copy"]))
            feature = features[i]
            if target == "feature":
                features[i] = draw(json_values)
            elif target == "copy":
                features.append(json.loads(json.dumps(feature)))
            elif not isinstance(feature, dict):
                continue
            elif target in ("geometry", "properties"):
                feature[target] = draw(json_values)
            elif target == "coordinates" and isinstance(feature.get("geometry"), dict):
                feature["geometry"]["coordinates"] = draw(st.lists(json_scalars, max_size=3))
            elif target == "property" and isinstance(feature.get("properties"), dict):
                key = draw(st.sampled_from(["source_id", "date", "lon", "lat", "sub_event_type", "place_precision",
                                            "fatalities_best", "time", "roles", "date_end", "id", "x"]))
                feature["properties"][key] = draw(json_values)
    data = json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        data = data[:draw(st.integers(0, len(data)))]
    return data


def file_bytes(mutated: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=300), mutated, mutated, mutated)


def check_ingest(tmp: Path, data: bytes, fmt: str, suffix: str, mapping: str | None = None, regime=None,
                 block_size: int | None = None) -> None:
    """Either one clear error (and nothing written), or every row read is an event or kept aside; the store
    stays sound, and the same file again changes nothing."""
    path = tmp / f"input{suffix}"
    path.write_bytes(data)
    mapping_path = None
    if mapping is not None:
        mapping_path = tmp / "mapping.yaml"
        mapping_path.write_text(mapping, encoding="utf-8")
    conn = connect(tmp / "s.sqlite")
    try:
        try:
            result = ingest_file(conn, path, fmt, mapping_path, regime=regime, progress=False, block_size=block_size)
        except CeasefireError as exc:
            assert one_line(str(exc)), str(exc)
            event(f"refused: {re.sub(r'[0-9]+', 'N', str(exc).removeprefix(f'{path}: '))[:28]}")
            assert count(conn) == count(conn, "quarantine") == 0
            return
        assert conn.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        events, kept_aside = count(conn), count(conn, "quarantine")
        assert events + kept_aside == result.read == result.new + result.quarantined, result
        event(f"read: {'some' if events else 'no'} events, {'some' if kept_aside else 'no'} rows kept aside")
        aside = conn.quarantined()
        for reason in sorted({r["reason"][:24] for r in aside}):
            event(f"kept aside: {re.sub(r'[0-9]+', 'N', reason)}")
        assert all(r["line"] is not None for r in aside)
        before = stored_rows(conn)
        again = ingest_file(conn, path, fmt, mapping_path, regime=regime, progress=False, block_size=block_size)
        assert (again.read, again.new, again.updated) == (result.read, 0, 0), again
        assert stored_rows(conn) == before
        assert count(conn, "quarantine") == kept_aside
        assert conn.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])


# small parse blocks too: the parser reads ahead, and a careful pass must skip exactly what was handed out
blocks = st.sampled_from([None, 2 << 10])


@FUZZ
@given(data=file_bytes(mutated_csv(UCDP_TEXT)), block_size=blocks)
def test_fuzz_ucdp_reader(tmp_path_factory, regime, data, block_size):
    check_ingest(tmp_path_factory.mktemp("ucdp"), data, "ucdp", ".csv", regime=regime, block_size=block_size)


@FUZZ
@given(data=file_bytes(mutated_csv(ACLED_TEXT)), block_size=blocks)
def test_fuzz_acled_reader(tmp_path_factory, data, block_size):
    check_ingest(tmp_path_factory.mktemp("acled"), data, "acled", ".csv", block_size=block_size)


@FUZZ
@given(data=file_bytes(mutated_csv(MAPPED_TEXT, ";")), block_size=blocks)
def test_fuzz_mapped_csv_reader(tmp_path_factory, data, block_size):
    check_ingest(tmp_path_factory.mktemp("mapped"), data, "csv", ".csv", mapping=MAPPING, block_size=block_size)


@FUZZ
@given(data=file_bytes(mutated_geojson()))
def test_fuzz_geojson_reader(tmp_path_factory, regime, data):
    check_ingest(tmp_path_factory.mktemp("geojson"), data, "geojson", ".geojson", regime=regime)


def test_a_date_without_leading_zeros_is_read_and_a_bad_one_is_kept_aside(conn, tmp_path):
    """One "2018-1-2" used to fail the whole file ("cannot be parsed as CSV (Failed to parse string: ''…)")."""
    header = (DATA / "acled_made_up.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    rows = []
    for number, day in enumerate(["2018-1-2", "2018-1-32", "2018-01-03"]):
        row = dict.fromkeys(header, "")
        row.update({"event_id_cnty": f"SYR{number}", "event_date": day, "year": "2018", "time_precision": "1",
                    "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": "A", "latitude": "35.9",
                    "longitude": "36.6", "geo_precision": "1", "fatalities": "0"})
        rows.append(",".join(row[h] for h in header))
    path = tmp_path / "dates.csv"
    path.write_text("\n".join([",".join(header), *rows]) + "\n", encoding="utf-8")
    result = ingest_file(conn, path, "acled", progress=False)
    assert (result.new, result.quarantined) == (2, 1)
    assert sorted(str(r["date"]) for r in stored_rows(conn)) == ["2018-01-02", "2018-01-03"]
    assert kept(conn) == {(3, "event_date"): "not a date in the form %Y-%m-%d or %d %B %Y or %d-%B-%Y or %m/%d/%Y"}
