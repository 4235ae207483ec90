"""The Dask engine (issue 11): the same verdicts as in-process judging, from Parquet read in parts.

The events are the shipped UCDP sample and the test rows of tests/data, ingested into a store and
written to Parquet here: one file with ISO-text dates in small row groups (several row groups to a
task), one with Arrow dates in one row group larger than a batch (streamed in slices). One local
cluster of two worker processes serves the whole module.
"""

import socket

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from ceasefire.errors import InputError, OutputError
from ceasefire.events import MONITOR_COLUMNS, events_frame, ingest_file
from ceasefire.geodata.basedata import data_path
from ceasefire.monitor import MonitorIndex, judge
from ceasefire.monitor.distributed import judge_parquet, plan_parts
from ceasefire.store import connect

from .conftest import DATA

BATCH = 400
KEY = ["event_id", "rule", "zone"]


@pytest.fixture(scope="module")
def scheduler():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="2GB", host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster:  # the HTTP server too: no fixed port
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    store = connect(tmp_path_factory.mktemp("store") / "events.sqlite")
    for path, fmt in [(data_path("ucdp_ged_nw_syria_sample.csv"), "ucdp"), (DATA / "ucdp_more_rows.csv", "ucdp"),
                      (DATA / "acled_judgments.csv", "acled"), (DATA / "acled_made_up.csv", "acled"),
                      (DATA / "events_made_up.geojson", "geojson")]:
        ingest_file(store, path, fmt, progress=False)
    return events_frame(store, columns=MONITOR_COLUMNS)


@pytest.fixture(scope="module")
def expected(regime, events):
    return judge(regime, events, MonitorIndex.build(regime))


@pytest.fixture(scope="module")
def folder(tmp_path_factory, events):
    """Two files: ISO-text dates in row groups of 150, and Arrow dates in one row group of ~1,300."""
    folder = tmp_path_factory.mktemp("parquet")
    table = pa.Table.from_pandas(events, preserve_index=False)
    first = table.slice(0, 2000)
    for name in ("date", "date_end"):
        first = first.set_column(first.schema.get_field_index(name), name,
                                 pc.strftime(first[name].cast(pa.timestamp("s")), format="%Y-%m-%d"))
    pq.write_table(first, folder / "a.parquet", row_group_size=150)
    pq.write_table(table.slice(2000), folder / "b.parquet")
    return folder


def in_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(KEY).reset_index(drop=True)


def test_the_files_make_parts_of_both_kinds(folder):
    parts = plan_parts(sorted(folder.glob("*.parquet")), BATCH)
    assert any(len(p.row_groups) > 1 for p in parts)  # small row groups go together
    assert any(p.rows > BATCH for p in parts)  # a large one is a task of its own, streamed
    assert all(p.rows <= BATCH for p in parts if len(p.row_groups) > 1)


def test_same_verdicts_as_in_process(scheduler, folder, events, expected):
    result = judge_parquet("syria-northwest", folder, scheduler=scheduler, batch_rows=BATCH)
    assert len(expected) > 2000 and set(expected["status"]) == {"confirmed", "possible", "excluded"}
    assert result.events == len(events)
    # every column, its dtype too (categories, Arrow strings, dates)
    pd.testing.assert_frame_equal(in_order(result.frame), in_order(expected))
    for what in ("status", "rule", "zone"):
        assert result.by(what) == {k: n for k, n in expected[what].value_counts().items() if n}
    assert result.violations == len(expected) and result.parts == []
    # both workers judged, each built the regime's index once, each says its peak memory
    assert len(result.workers) == 2 and all(w.tasks > 0 for w in result.workers)
    assert all(w.index_builds == 1 and 100 < w.peak_rss_mb < 2000 for w in result.workers)


def test_violations_written_in_parts(scheduler, folder, expected, tmp_path):
    out = tmp_path / "violations"
    result = judge_parquet("syria-northwest", [folder / "a.parquet", folder / "b.parquet"], out=out,
                           scheduler=scheduler, batch_rows=BATCH)
    assert result.frame is None and result.violations == len(expected)
    assert result.parts and all(p.parent == out and p.name.startswith("part-") for p in result.parts)
    assert not list(out.glob(".*"))  # no unfinished (hidden) part is left
    back = pd.read_parquet(out)  # the parts read back as one dataset
    assert list(back.columns) == list(expected.columns)
    want = expected.astype({c: str for c in ("rule", "zone", "status", "agreement", "provision")})
    pd.testing.assert_frame_equal(in_order(back), in_order(want), check_dtype=False)
    with pytest.raises(OutputError, match="already holds part files"):
        judge_parquet("syria-northwest", folder, out=out, scheduler=scheduler)


def test_a_local_cluster_when_no_scheduler_is_given(tmp_path, regime, events):
    few = events[events["event_id"].str.startswith("acled:")]
    pq.write_table(pa.Table.from_pandas(few, preserve_index=False), tmp_path / "acled.parquet")
    result = judge_parquet("syria-northwest", tmp_path / "acled.parquet", workers=1)
    assert result.scheduler.startswith("tcp://127.0.0.1:") and len(result.workers) == 1
    pd.testing.assert_frame_equal(in_order(result.frame), in_order(judge(regime, few.reset_index(drop=True))))


def test_an_unreachable_scheduler_is_one_clear_line(folder):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError) as caught:
        judge_parquet("syria-northwest", folder, scheduler=f"tcp://127.0.0.1:{port}", connect_timeout=1)
    message = str(caught.value)
    assert message.startswith(f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port} (")
    assert "leave out the address for a local cluster" in message and "\n" not in message


def test_missing_columns_and_unreadable_files_fail_before_any_cluster(tmp_path, events):
    table = pa.Table.from_pandas(events.head(5), preserve_index=False)
    pq.write_table(table.drop_columns(["roles", "actor2"]), tmp_path / "old.parquet")
    with pytest.raises(InputError, match=r"old\.parquet: no column actor2, roles; judging needs event_id, date,"):
        judge_parquet("syria-northwest", tmp_path / "old.parquet", scheduler="tcp://127.0.0.1:1")
    pq.write_table(table.set_column(table.schema.get_field_index("lon"), "lon", pa.array(["36.6"] * 5)),
                   tmp_path / "text.parquet")
    with pytest.raises(InputError, match=r"text\.parquet: column lon holds string; expected numbers"):
        judge_parquet("syria-northwest", tmp_path / "text.parquet", scheduler="tcp://127.0.0.1:1")
    (tmp_path / "events.parquet").write_text("event_id,date\nucdp:1,2019-05-06\n")
    with pytest.raises(InputError, match=r"events\.parquet: cannot be read as Parquet \(.*magic bytes"):
        judge_parquet("syria-northwest", tmp_path / "events.parquet", scheduler="tcp://127.0.0.1:1")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"empty: no \.parquet files in this folder"):
        judge_parquet("syria-northwest", tmp_path / "empty")


def test_a_bad_date_names_file_row_and_field(scheduler, tmp_path, events):
    table = pa.Table.from_pandas(events.head(30), preserve_index=False)
    dates = pc.strftime(table["date"].cast(pa.timestamp("s")), format="%Y-%m-%d").to_pylist()
    dates[17] = "2019-02-30"
    pq.write_table(table.set_column(table.schema.get_field_index("date"), "date", pa.array(dates)),
                   tmp_path / "feb.parquet", row_group_size=10)
    with pytest.raises(InputError, match=r"feb\.parquet row 18: date: '2019-02-30' is not a date; expected YYYY-MM-DD"):
        judge_parquet("syria-northwest", tmp_path / "feb.parquet", out=tmp_path / "out", scheduler=scheduler)
    assert not list((tmp_path / "out").iterdir())  # nothing half-written is left


def test_geoparquet_points_stand_in_for_lon_lat(scheduler, tmp_path, regime, events):
    import geopandas as gpd

    few = events.head(300)
    frame = gpd.GeoDataFrame(few.drop(columns=["lon", "lat"]),
                             geometry=gpd.points_from_xy(few["lon"], few["lat"]), crs="EPSG:4326")
    frame.to_parquet(tmp_path / "events.geoparquet.parquet")
    result = judge_parquet("syria-northwest", tmp_path / "events.geoparquet.parquet", scheduler=scheduler)
    pd.testing.assert_frame_equal(in_order(result.frame), in_order(judge(regime, few)))
