"""Readers and ingest: real UCDP rows, ACLED-layout rows, GeoJSON, mapped CSV; bad rows kept aside."""

import csv
import io
import sqlite3

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pyarrow.compute as pc

from ceasefire.errors import InputError, StoreError
from ceasefire.events import events_frame, ingest_file, json_schema, quarantined, read_events
from ceasefire.events.schema import EVENT_SCHEMA
from ceasefire.geodata.basedata import data_path
from ceasefire.events.schema import COLUMNS
from ceasefire.store import connect
from ceasefire.store.sqlite import MIGRATIONS

from .conftest import DATA, stored_rows

SAMPLE = data_path("ucdp_ged_nw_syria_sample.csv")


@pytest.fixture
def conn(store):
    """The store of the test, once on each engine."""
    return store


def count(store, table="events"):
    return store.count(table)


def test_shipped_ucdp_sample_ingests_and_a_rerun_changes_nothing(conn, regime):
    first = ingest_file(conn, SAMPLE, "ucdp", regime=regime, progress=False)
    with open(SAMPLE, encoding="utf-8", newline="") as fh:
        records = sum(1 for _ in csv.DictReader(fh))
    assert (first.read, first.new, first.quarantined) == (records, records, 0)
    before = stored_rows(conn)
    second = ingest_file(conn, SAMPLE, "ucdp", regime=regime, progress=False)
    assert (second.new, second.updated, second.unchanged) == (0, 0, records)
    assert stored_rows(conn) == before


def test_a_changed_row_is_an_update(conn, tmp_path):
    ingest_file(conn, SAMPLE, "ucdp", progress=False)
    text = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    header, first = text[0], text[1]
    changed = tmp_path / "changed.csv"
    row = next(csv.reader([first]))
    row[-2] = str(int(row[-2]) + 5)  # the 'best' fatality estimate is revised
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    changed.write_text(header + out.getvalue(), encoding="utf-8")
    result = ingest_file(conn, changed, "ucdp", progress=False)
    assert (result.new, result.updated, result.unchanged) == (0, 1, 0)
    best = next(r["fatalities_best"] for r in stored_rows(conn) if r["source_id"] == row[0])
    assert best == int(row[-2])


def test_broken_rows_are_quarantined_with_line_field_and_reason(conn):
    result = ingest_file(conn, DATA / "ucdp_broken.csv", "ucdp", progress=False)
    assert (result.read, result.new, result.quarantined) == (9, 4, 5)
    kept = {(r["line"], r["field"]): r["reason"] for r in quarantined(conn)}
    assert "not a date" in kept[(5, "date_start")]
    assert "123 is outside [-90, 90]" in kept[(6, "latitude")]
    assert kept[(7, "id")] == "missing value"
    assert "not UTF-8" in kept[(8, "where_coordinates")]
    assert "truncated" in kept[(10, "(row)")]
    # nothing lost: every bad row's raw text is kept
    raws = [r["raw"] for r in quarantined(conn)]
    assert any("\\xe2" in r for r in raws)  # the Latin-1 byte, escaped not dropped
    again = ingest_file(conn, DATA / "ucdp_broken.csv", "ucdp", progress=False)
    assert again.new == 0 and count(conn, "quarantine") == 5  # idempotent quarantine too
    ingest_file(conn, DATA / "events_made_up.geojson", "geojson", progress=False)
    assert len(quarantined(conn)) == 7
    assert len(quarantined(conn, str(DATA / "ucdp_broken.csv"))) == 5  # one file's rows only


def test_acled_layout_rows():
    batches = list(read_events(DATA / "acled_made_up.csv", "acled"))
    table = pa.concat_tables([b.events for b in batches])
    rows = {r["source_id"]: r for r in table.to_pylist()}
    assert table.schema == EVENT_SCHEMA
    assert rows["TST001"]["sub_event_type"] == "shelling" and rows["TST001"]["weapon_class"] == "artillery"
    assert rows["TST003"]["sub_event_type"] == "air-strike" and rows["TST003"]["weapon_class"] == "fixed-wing"
    assert rows["TST007"]["sub_event_type"] == "drone-strike"  # ACLED's "Air/drone strike" told apart by its notes
    assert str(rows["TST005"]["date"]) == "2018-10-20"  # "20 October 2018"
    assert rows["TST004"]["actor2"] == "Hayat Tahrir al-Sham"
    assert all(r["event_id"] == "acled:" + r["source_id"] for r in rows.values())


def test_geojson_points(conn):
    result = ingest_file(conn, DATA / "events_made_up.geojson", "geojson", progress=False)
    assert (result.new, result.quarantined) == (2, 2)
    reasons = {(r["line"], r["field"]) for r in quarantined(conn)}
    assert reasons == {(3, "date"), (4, "geometry")}
    frame = events_frame(conn)
    assert set(frame["place_precision"]) == {"governorate", "exact"}


def test_csv_with_a_mapping_file(conn):
    result = ingest_file(conn, DATA / "mapped_events.csv", "csv", DATA / "mapped_events.yaml", progress=False)
    assert (result.new, result.quarantined) == (2, 1)
    frame = events_frame(conn).set_index("source_id")
    assert frame.loc["M-1", "sub_event_type"] == "air-strike" and str(frame.loc["M-1", "date"]) == "2019-05-06"
    assert frame.loc["M-1", "event_id"] == "test-monitor:M-1"
    assert [r["line"] for r in quarantined(conn)] == [4]


def test_wrong_format_is_a_clear_error(conn):
    with pytest.raises(InputError, match="not an ACLED file — missing column"):
        ingest_file(conn, SAMPLE, "acled", progress=False)
    with pytest.raises(InputError, match="no such file"):
        ingest_file(conn, DATA / "nope.csv", "ucdp", progress=False)
    with pytest.raises(InputError, match="needs --mapping"):
        ingest_file(conn, DATA / "mapped_events.csv", "csv", progress=False)


def test_duplicate_ids_in_one_file_are_quarantined(conn, tmp_path):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    dup = tmp_path / "dup.csv"
    dup.write_text(lines[0] + lines[1] + lines[1], encoding="utf-8")
    result = ingest_file(conn, dup, "ucdp", progress=False)
    assert (result.new, result.quarantined) == (1, 1)
    assert "duplicate id" in quarantined(conn)[0]["reason"]


def test_a_crash_mid_ingest_leaves_the_store_as_it_was(conn, monkeypatch):
    ingest_file(conn, DATA / "acled_made_up.csv", "acled", progress=False)
    before = count(conn), count(conn, "ingests")
    import ceasefire.events.ingest as ingest_module

    real_batches = ingest_module._prefetch

    def exploding(*args, **kwargs):
        for number, item in enumerate(real_batches(*args, **kwargs)):
            if number == 2:  # two batches are already written inside the transaction
                raise StoreError("disk I/O error (simulated)")
            yield item

    monkeypatch.setattr(ingest_module, "_prefetch", exploding)
    with pytest.raises(Exception, match="nothing was written"):
        ingest_file(conn, SAMPLE, "ucdp", progress=False, block_size=64 << 10)
    assert (count(conn), count(conn, "ingests")) == before


def test_small_blocks_stream_the_same_events(conn):
    whole = pa.concat_tables([b.events for b in read_events(SAMPLE, "ucdp")])
    streamed = list(read_events(SAMPLE, "ucdp", block_size=64 << 10))
    assert len(streamed) > 5
    assert pa.concat_tables([b.events for b in streamed]).equals(whole)


def test_event_json_schema():
    schema = json_schema()
    assert schema["properties"]["place_precision"]["enum"][:2] == ["exact", "near"]
    assert "event_id" in schema["required"] and "raw" in schema["required"]


def test_store_migrates_and_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "s.sqlite"
    connect(path).close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(StoreError, match="newer than this ceasefire knows"):
        connect(path)


def test_migration_2_adds_roles_and_a_re_ingest_refreshes_what_readers_make_of_rows(tmp_path):
    """A store written before roles existed gets them from its rows' own coding; ingesting the same file
    again updates the readings a newer reader makes (sub-types read from UCDP headlines), nothing else."""
    path = tmp_path / "old.sqlite"
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    raw.execute("INSERT INTO ingests (file, format, started) VALUES ('old.csv', 'ucdp', '2019-01-01')")
    rows = [("ucdp:1", "ucdp", "1", "violence-against-civilians", "attack"),
            ("ucdp:2", "ucdp", "2", "battles", "armed-clash"),
            ("acled:3", "acled", "3", "battles", "armed-clash"),
            ("acled:4", "acled", "4", "explosions", "shelling")]
    raw.executemany("INSERT INTO events (event_id, source, source_id, date, date_end, date_precision, lon, lat, "
                    "place_precision, event_type, sub_event_type, raw, ingest_id, first_ingest_id) "
                    "VALUES (?, ?, ?, '2019-05-06', '2019-05-06', 'day', 36.6, 35.9, 'exact', ?, ?, 'x', 1, 1)", rows)
    raw.commit()
    raw.close()
    conn = connect(path)
    assert {r["event_id"]: r["roles"] for r in stored_rows(conn)} == {
        "ucdp:1": "one-sided", "ucdp:2": "clash", "acled:3": "clash", "acled:4": "one-sided"}
    first = ingest_file(conn, DATA / "ucdp_broken.csv", "ucdp", progress=False)
    # As an older reader stored it: the same raw row, read as a clash with no roles.
    old = conn.events(columns=COLUMNS).filter(pc.equal(conn.events(columns=["source_id"])["source_id"], "319672"))
    old = old.set_column(old.schema.get_field_index("sub_event_type"), "sub_event_type", pa.array(["armed-clash"]))
    old = old.set_column(old.schema.get_field_index("roles"), "roles", pa.array([None], pa.string()))
    with conn.writer("older reader", "ucdp", None) as writer:
        writer.add(old)
        writer.finish(1, 0)
    again = ingest_file(conn, DATA / "ucdp_broken.csv", "ucdp", progress=False)
    assert (first.new, again.new, again.updated, again.unchanged) == (4, 0, 1, 3), (first, again)
    assert [(r["sub_event_type"], r["roles"]) for r in stored_rows(conn) if r["source_id"] == "319672"] == [
        ("fatal-incident", "clash")]


UCDP_HEADER = SAMPLE.read_text(encoding="utf-8").splitlines()[0].split(",")
cell = st.one_of(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
                 st.sampled_from(["", "1", "2019-05-06", "35.9", "-200", "abc", "3"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=len(UCDP_HEADER), max_size=len(UCDP_HEADER)), min_size=1, max_size=20))
def test_every_row_is_either_ingested_or_quarantined(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("prop") / "rows.csv"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)  # a bare CR would end the record
    writer.writerow(UCDP_HEADER)
    for i, row in enumerate(rows):
        row = list(row)
        row[0] = f"{i}-{row[0]}"  # distinct ids: duplicates are tested elsewhere
        writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")
    good = bad = 0
    for batch in read_events(path, "ucdp"):
        good += batch.events.num_rows
        bad += len(batch.bad)
        assert batch.events.schema == EVENT_SCHEMA
        assert all(b.reason for b in batch.bad)
    assert good + bad == len(rows)
