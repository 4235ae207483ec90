"""The command line, as a user runs it: real output, one-line errors, every command documented."""

import json

import click
import pytest
import shapely
from click.testing import CliRunner

from ceasefire.cli import main

from .conftest import DATA


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result


def test_zones_geojson_is_rfc7946():
    result = run("zones", "--regime", "syria-northwest", "--at", "2019-03-08", "--format", "geojson")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert [f["properties"]["id"] for f in doc["features"]] == ["astana-1", "sochi-dmz"]
    for feature in doc["features"]:
        geom = shapely.from_geojson(json.dumps(feature["geometry"]))
        assert geom.is_valid
        minx, miny, maxx, maxy = geom.bounds
        assert 35 < minx < maxx < 38 and 34.5 < miny < maxy < 37  # lon, lat order
        first = geom.geoms[0] if hasattr(geom, "geoms") else geom
        assert first.exterior.is_ccw  # right-hand rule


def test_zones_table_and_empty_date():
    assert "no zone" in run("zones", "--at", "2017-01-01").output
    table = run("zones", "--at", "2020-03-20").output
    assert "m4-corridor" in table and "astana-1" in table


def test_zones_gpkg(tmp_path):
    import geopandas as gpd

    out = tmp_path / "z.gpkg"
    assert run("zones", "--at", "2017-06-01", "--format", "gpkg", "-o", out).exit_code == 0
    assert len(gpd.read_file(out)) == 4


def test_where_idlib_city():
    out = run("where", "36.63", "35.93", "--at", "2019-03-08").output
    assert "zone astana-1" in out and "astana-cessation" in out and "Astana memorandum, art. 2" in out
    assert "sochi-dmz" not in out


def test_where_in_the_dmz_after_the_deadline():
    out = run("where", "36.80591", "35.86447", "--at", "2018-10-20").output  # Saraqib
    assert "sochi-dmz" in out and "heavy weapons were to be withdrawn by 2018-10-10" in out


def test_where_outside():
    assert "in no zone" in run("where", "36.29", "33.51", "--at", "2017-06-01").output  # Damascus


def test_broken_regime_is_one_line_without_traceback():
    result = run("regime", "validate", DATA / "broken-regime.yaml")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "broken-regime.yaml" in lines[0]
    assert "Traceback" not in result.output


def test_regime_list_show_validate_schema():
    assert "syria-northwest" in run("regime", "list").output
    show = run("regime", "show", "syria-northwest").output
    assert "2018-04-14" in show and "retook" in show and "m4-joint-2020" in show
    ok = run("regime", "validate", DATA / "tiny-regime.yaml")
    assert ok.exit_code == 0 and "valid" in ok.output
    schema = json.loads(run("regime", "schema").output)
    assert schema["title"] == "Regime" and "zones" in schema["properties"]


def test_demo_writes_maps_and_geojson(tmp_path):
    result = run("demo", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "zones-2020-03-06.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "timeline.png").exists()
    doc = json.loads((tmp_path / "zones-2020-03-06.geojson").read_text())
    assert [f["properties"]["id"] for f in doc["features"]] == [
        "astana-1", "sochi-dmz", "moscow-ceasefire-area", "m4-corridor"]
    assert (tmp_path / "syria-northeast-zones-2019-11-01.png").exists()  # the other built-in regime, beside it
    assert "2018-07-31" in result.output  # zone 4's end in the timeline


def all_commands(group, prefix=()):
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, (*prefix, name))
        yield (*prefix, name), cmd


@pytest.mark.parametrize(("path", "cmd"), list(all_commands(main)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_with_an_example(path, cmd):
    assert cmd.help and "Example: ceasefire" in cmd.help, path


def test_ingest_violations_summary_quarantine(tmp_path, store_target):
    db = store_target
    first = run("ingest", DATA / "ucdp_broken.csv", "--format", "ucdp", "--db", db)
    assert first.exit_code == 0, first.output
    assert "read 9, new 4, updated 0, unchanged 0, quarantined 5" in first.output
    q = run("quarantine", "list", "--db", db).output
    assert "ucdp_broken.csv:6: latitude: 123 is outside [-90, 90]" in q
    run("ingest", DATA / "acled_made_up.csv", "--format", "acled", "--db", db)
    out = run("violations", "--db", db, "--from", "2018-10-01", "--to", "2018-10-31", "--zone", "sochi-dmz",
              "--format", "csv").output
    assert "heavy weapons were to be withdrawn by 2018-10-10 (Sochi memorandum, point 6)" in out
    assert "2018-10-01" not in out.split("\n", 1)[1]  # before the deadline: nothing in the DMZ
    excluded = run("violations", "--db", db, "--status", "excluded", "--party", "hts", "--format", "csv").output
    assert "acled:TST004" in excluded and "acled:TST003" not in excluded
    path = tmp_path / "v.geojson"
    assert run("violations", "--db", db, "--format", "geojson", "-o", path).exit_code == 0
    doc = json.loads(path.read_text())
    assert doc["features"] and doc["features"][0]["geometry"]["type"] == "Point"
    parquet = tmp_path / "v.parquet"
    assert run("violations", "--db", db, "--format", "parquet", "-o", parquet).exit_code == 0
    import pandas as pd

    # the UCDP rows fight "Syrian insurgents", who may include HTS: possible, with the reason
    stored = pd.read_parquet(parquet)
    assert set(stored["status"]) == {"confirmed", "possible", "excluded"}
    assert stored.loc[stored["status"] == "possible", "because"].str.contains("may include").any()
    summary = run("summary", "--db", db).output
    assert "sochi-dmz" in summary and "explosions" in summary
    as_csv = tmp_path / "summary.csv"
    assert run("summary", "--db", db, "--format", "csv", "-o", as_csv).exit_code == 0
    table = pd.read_csv(as_csv)
    assert {"events_confirmed", "violations_confirmed", "in_breach"} <= set(table.columns)
    rows = json.loads(run("summary", "--db", db, "--format", "json").stdout)
    assert sum(r["violations_excluded"] for r in rows) == 2 and rows[0]["zone"]


def test_ingest_unknown_file_is_one_line(tmp_path):
    result = run("ingest", tmp_path / "missing.csv", "--format", "ucdp", "--db", tmp_path / "x.sqlite")
    assert result.exit_code == 1 and result.stderr.splitlines()[-1].startswith("error: ") and "no such file" in result.stderr


def test_where_and_zones_take_a_local_time():
    before = run("where", "36.63393", "35.93062", "--at", "2020-03-06T00:00")
    after = run("where", "36.63393", "35.93062", "--at", "2020-03-06T00:01")
    assert before.exit_code == 0 and after.exit_code == 0
    assert "moscow-ceasefire" not in before.output and "moscow-ceasefire" in after.output
    assert "(Asia/Damascus)" in after.output
    istanbul = run("where", "36.63393", "35.93062", "--at", "2020-03-06T01:00+03:00")  # 00:00 in Idlib
    assert "moscow-ceasefire" not in istanbul.output
    assert "astana-3" in run("zones", "--at", "2018-04-14T23:59").output
    assert "astana-3" not in run("zones", "--at", "2018-04-15T00:00").output
    bad = run("where", "36.6", "35.9", "--at", "6 March")
    assert bad.exit_code == 2 and "is not a date (2020-03-06) or a date and time" in bad.output
