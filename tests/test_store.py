"""The store on awkward ground: a read-only mount, a writer killed mid-ingest, a store that is not there,\ntwo writers at once — on both engines where the ground exists for both."""

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from ceasefire.errors import StoreError
from ceasefire.store import connect


def _store_with_one_ingest(path):
    store = connect(path)
    store.conn.execute("INSERT INTO ingests (file, format, started) VALUES ('a.csv', 'ucdp', '2020-01-01')")
    store.close()


def test_queries_open_a_store_read_only(tmp_path):
    path = tmp_path / "s.sqlite"
    _store_with_one_ingest(path)
    store = connect(path, readonly=True)
    assert store.count("ingests") == 1
    assert store.label() == f"{path} (0 events)"
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        store.conn.execute("DELETE FROM ingests")


def test_a_query_on_a_missing_store_says_so_and_creates_nothing(tmp_path):
    path = tmp_path / "none.sqlite"
    with pytest.raises(StoreError, match="no store here — ingest events first"):
        connect(path, readonly=True)
    assert not path.exists()


def test_a_read_only_query_migrates_an_old_store_it_may_write(tmp_path):
    path = tmp_path / "old.sqlite"
    raw = sqlite3.connect(path)
    from ceasefire.store.sqlite import MIGRATIONS

    raw.executescript(MIGRATIONS[0])
    raw.execute("PRAGMA user_version = 1")
    raw.close()
    store = connect(path, readonly=True)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def _mount_read_only(folder):
    """A real read-only file system (tmpfs remounted ro); None where this machine may not mount."""
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True).returncode:
        return None
    return folder


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a read-only file system needs root")
def test_a_store_on_a_read_only_mount_answers_queries(tmp_path):
    mount = _mount_read_only(tmp_path / "ro")
    if mount is None:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        _store_with_one_ingest(mount / "s.sqlite")  # closed cleanly: WAL mode, no -wal file left
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        plain = sqlite3.connect(f"file:{mount / 's.sqlite'}?mode=ro", uri=True)
        with pytest.raises(sqlite3.OperationalError):  # what failed before: the WAL store needs its -shm file
            plain.execute("SELECT 1 FROM ingests")
        plain.close()
        store = connect(mount / "s.sqlite", readonly=True)
        assert store.count("ingests") == 1
        store.close()
        with pytest.raises(StoreError, match="read-only file system: queries can read it, but this command writes"):
            connect(mount / "s.sqlite")
    finally:
        import gc

        gc.collect()  # connections still open would keep the mount busy
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_writer_killed_mid_transaction_leaves_no_big_wal(tmp_path):
    path = tmp_path / "s.sqlite"
    _store_with_one_ingest(path)
    script = textwrap.dedent(f"""
        import os, signal
        from ceasefire.store import connect
        conn = connect({str(path)!r}).conn
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO ingests (file, format, started) VALUES (?, 'ucdp', 'x')",
                         ((str(i) * 200,) for i in range(50_000)))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 1_000_000  # the killed writer's pages
    store = connect(path, readonly=True)  # even a query gives the space back, where it may write
    assert wal.stat().st_size == 0
    assert store.count("ingests") == 1
    assert store.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


# --------------------------------------------------------------------------- both engines

from ceasefire.events import events_frame, ingest_file  # noqa: E402
from ceasefire.geodata.basedata import data_path  # noqa: E402

from .conftest import stored_rows  # noqa: E402

SAMPLE = data_path("ucdp_ged_nw_syria_sample.csv")


def test_an_update_keeps_when_the_event_was_first_seen_and_nothing_else_moves(store, tmp_path):
    first = ingest_file(store, SAMPLE, "ucdp", progress=False)
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = tmp_path / "changed.csv"
    changed.write_text(lines[0] + lines[5].replace(",Syria,", ",Syria ,", 1), encoding="utf-8")
    result = ingest_file(store, changed, "ucdp", progress=False)
    assert (result.new, result.updated, result.unchanged) == (0, 1, 0)
    rows = stored_rows(store)
    assert len(rows) == first.new
    moved = [r for r in rows if r["ingest_id"] != r["first_ingest_id"]]
    assert len(moved) == 1 and "\x1fSyria \x1f" in moved[0]["raw"]
    assert {r["first_ingest_id"] for r in rows} == {moved[0]["first_ingest_id"]}
    assert [i["rows_updated"] for i in store.ingests()] == [0, 1]


def test_a_period_query_returns_the_events_that_meet_it(store):
    import datetime as dt

    ingest_file(store, SAMPLE, "ucdp", progress=False)
    everything = events_frame(store)
    start, end = dt.date(2019, 5, 1), dt.date(2019, 5, 31)
    expected = everything[(everything["date_end"] >= start) & (everything["date"] <= end)]
    got = events_frame(store, start, end)
    assert 0 < len(got) < len(everything)
    assert got["event_id"].tolist() == expected["event_id"].tolist()
    batches = list(store.event_batches(start, end, columns=["event_id"], rows=100))
    assert sum(len(b) for b in batches) == len(got) and max(len(b) for b in batches) <= 100 + 131_072


def test_a_writer_that_fails_mid_ingest_leaves_the_store_as_it_was(store, tmp_path):
    ingest_file(store, SAMPLE, "ucdp", progress=False)
    before = stored_rows(store)
    with pytest.raises(RuntimeError, match="power cut"):
        with store.writer("x.csv", "ucdp", None) as writer:
            writer.add(store.events(columns=None).slice(0, 10).append_column(
                "raw", store.events(columns=["raw"])["raw"].slice(0, 10)))
            writer.keep_aside([("x.csv", 1, "date", "bad", "row")])
            raise RuntimeError("power cut")
    assert stored_rows(store) == before
    assert store.count("quarantine") == 0 and store.count("ingests") == 1


def test_a_writer_killed_before_its_commit_leaves_no_trace(store_target, tmp_path):
    store = connect(store_target)
    ingest_file(store, SAMPLE, "ucdp", progress=False)
    before = stored_rows(store)
    store.close()
    script = textwrap.dedent(f"""
        import os, signal
        from ceasefire.store import connect
        store = connect({str(store_target)!r})
        table = store.events(columns=None)
        import pyarrow as pa
        table = table.append_column("raw", pa.array(["changed"] * len(table)))
        with store.writer("x.csv", "ucdp", None) as writer:
            writer.add(table)
            writer.finish(len(table), 0)
            os.kill(os.getpid(), signal.SIGKILL)  # written, counted, not committed
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    store = connect(store_target)
    assert stored_rows(store) == before
    assert store.count("ingests") == 1
    if store.engine == "sqlite":  # the killed writer's segment is removed by the next writer
        assert len(list(store.folder.glob("seg-*"))) == 2
        ingest_file(store, SAMPLE, "ucdp", progress=False)
        assert len(list(store.folder.glob("seg-*"))) == 1
    store.close()


def test_two_writers_at_once_lose_nothing(store_target, tmp_path):
    """Two processes ingest different halves at the same time: every row of both is stored, counted once."""
    connect(store_target).close()
    import csv

    with open(SAMPLE, encoding="utf-8", newline="") as fh:
        header, *records = list(csv.reader(fh))
    half = len(records) // 2
    parts = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for path, rows in zip(parts, (records[:half], records[half - 100:])):  # 100 records in both
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([header, *rows])
    script = textwrap.dedent("""
        import sys
        from ceasefire.store import connect
        from ceasefire.events import ingest_file
        r = ingest_file(connect(sys.argv[1]), sys.argv[2], "ucdp", progress=False)
        print(r.new, r.updated, r.unchanged)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(store_target), str(p)], stdout=subprocess.PIPE,
                              text=True) for p in parts]
    outputs = [tuple(map(int, p.communicate()[0].split())) for p in procs]
    store = connect(store_target)
    assert store.count("events") == len(records)
    assert sum(o[0] for o in outputs) == len(records)  # each row new exactly once
    assert sum(o[2] for o in outputs) == 100  # the shared rows: unchanged for whichever came second
    store.close()


def test_an_old_store_with_an_events_table_is_moved_to_segments(tmp_path):
    """Migration 3: a store written before the events moved to Parquet keeps every event."""
    from ceasefire.store.sqlite import MIGRATIONS

    path = tmp_path / "old.sqlite"
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS[0])
    raw.executescript(MIGRATIONS[1])
    raw.execute("PRAGMA user_version = 2")
    raw.execute("INSERT INTO ingests (file, format, started) VALUES ('old.csv', 'ucdp', '2019-01-01')")
    raw.execute("INSERT INTO events VALUES ('ucdp:1', 'ucdp', '1', '2019-05-06', '2019-05-06', 'day', NULL, 36.6, 35.5,"
                " 'Kafr Nabl', 'exact', NULL, NULL, 'battles', 'armed-clash', NULL, 'A', 'B', 3, 2, 4, NULL, NULL,"
                " 'raw row', 1, 1, 'clash', NULL)")
    raw.commit()
    raw.close()
    store = connect(path)
    rows = stored_rows(store)
    assert [(r["event_id"], str(r["date"]), r["place"], r["fatalities_best"], r["roles"]) for r in rows] == [
        ("ucdp:1", "2019-05-06", "Kafr Nabl", 3, "clash")]
    assert "events" not in {n for (n,) in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_stored_verdicts_judged_a_batch_at_a_time_equal_the_whole_store_judged_at_once(store, regime, monkeypatch):
    """Judging streams the store in batches (bounded memory) into the stored verdicts: they are the verdicts of
    the whole store judged at once."""
    from ceasefire.monitor import judge
    from ceasefire.monitor.stored import bring_up_to_date, listing
    from ceasefire.store.records import VERDICT_COLUMNS

    ingest_file(store, SAMPLE, "ucdp", progress=False)
    whole = judge(regime, events_frame(store))
    monkeypatch.setattr("ceasefire.monitor.stored.JUDGE_BATCH", 500)
    batched = listing(store, bring_up_to_date(store, regime, progress=False))
    assert len(whole) > 1000
    key = ["event_id", "rule", "zone"]
    left = whole.sort_values(key, ignore_index=True).astype(str)
    right = batched[VERDICT_COLUMNS].sort_values(key, ignore_index=True).astype(str)
    assert left.equals(right)


def test_a_long_table_shows_a_page_and_how_to_get_the_rest():
    import pandas as pd

    from ceasefire.report.export import PAGE_ROWS, table_text

    text = table_text(pd.DataFrame({"n": range(PAGE_ROWS + 70)}))
    lines = text.splitlines()
    assert len(lines) == 1 + PAGE_ROWS + 1
    assert lines[-1].startswith(f"… and 70 more rows ({PAGE_ROWS + 70} in all): write them all to a file with -o FILE")
    assert len(table_text(pd.DataFrame({"n": range(3)})).splitlines()) == 4


def test_violations_on_a_dask_cluster_equal_the_in_process_ones(store_target, tmp_path):
    """`violations --engine dask` on a local cluster: the SQLite store's segments are read in place, a server's
    events exported first; the listing is the same as the stored verdicts', row for row."""
    from click.testing import CliRunner

    from ceasefire.cli import main

    with connect(store_target) as store:
        ingest_file(store, SAMPLE, "ucdp", progress=False)
    outputs = []
    for engine in ("stored", "dask"):
        out = tmp_path / f"{engine}.csv"
        result = CliRunner().invoke(main, ["violations", "--db", str(store_target), "--engine", engine,
                                           "--from", "2019-01-01", "--to", "2019-06-30", "-o", str(out)])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0].count("\n") > 100 and outputs[0] == outputs[1]


def test_events_export_as_geoparquet_that_geopandas_reads(store_target, tmp_path):
    import geopandas as gpd
    from click.testing import CliRunner

    from ceasefire.cli import main

    with connect(store_target) as store:
        ingest_file(store, SAMPLE, "ucdp", progress=False)
        may = events_frame(store, dt.date(2019, 5, 1), dt.date(2019, 5, 31))
    out = tmp_path / "may.parquet"
    result = CliRunner().invoke(main, ["events", "export", "--db", str(store_target), "--from", "2019-05-01",
                                       "--to", "2019-05-31", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{len(may):,} events → {out}" in result.stderr
    frame = gpd.read_parquet(out)
    assert frame.crs.to_string() == "OGC:CRS84" and "raw" not in frame
    assert sorted(frame["event_id"]) == sorted(may["event_id"])
    first = frame.iloc[0]
    assert (first.geometry.x, first.geometry.y) == (first["lon"], first["lat"])
    empty = CliRunner().invoke(main, ["events", "export", "--db", str(store_target), "--from", "1990-01-01",
                                      "--to", "1990-01-02", "-o", str(tmp_path / "none.parquet")])
    assert empty.exit_code == 0 and len(gpd.read_parquet(tmp_path / "none.parquet")) == 0


def test_a_query_on_a_missing_store_says_so_on_both_engines(store_target):
    with pytest.raises(StoreError, match="no store here — ingest events first"):
        connect(store_target, readonly=True)
    with connect(store_target) as store:  # a writer creates it
        assert store.count("events") == 0
    with connect(store_target, readonly=True) as store:
        assert store.count("ingests") == 0
