"""One grammar for every command: --format and -o (- is stdout), -h, negative numbers, defaults from the
config file and the environment, the store named on stderr, filters that name unknown things refused."""

import io
import json

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from ceasefire.cli import main

from .conftest import DATA

ELSEWHERE = DATA / "elsewhere" / "elsewhere.yaml"


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, prog_name="ceasefire")


def commands(group=main, prefix=()):
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name), cmd


@pytest.mark.parametrize("path", [p for p, _ in commands()], ids=" ".join)
def test_every_command_takes_h(path):
    result = run(*path, "-h")
    assert result.exit_code == 0 and result.output.startswith("Usage: ceasefire " + " ".join(path)), result.output


LISTINGS = [("zones",), ("where",), ("violations",), ("summary",), ("quarantine", "list"), ("events", "actors"),
            ("regime", "list"), ("patrols", "plan"), ("patrols", "check")]


@pytest.mark.parametrize("path", LISTINGS, ids=" ".join)
def test_every_listing_takes_format_and_o(path):
    cmd = main
    for name in path:
        cmd = cmd.commands[name]
    options = {o for p in cmd.params for o in p.opts}
    assert {"--format", "-o", "--output"} <= options


def test_o_dash_is_stdout_and_the_suffix_chooses_the_format(tmp_path):
    stdout = run("zones", "--at", "2019-03-08", "--format", "csv", "-o", "-")
    assert stdout.exit_code == 0 and stdout.stdout.startswith("id,name,kind")
    assert not (tmp_path / "-").exists()
    path = tmp_path / "zones.geojson"
    result = run("zones", "--at", "2019-03-08", "-o", path)
    assert result.exit_code == 0 and "2 zones → " in result.stderr
    assert json.loads(path.read_text())["type"] == "FeatureCollection"
    gpkg = run("zones", "--at", "2019-03-08", "--format", "gpkg", "-o", "-")
    assert gpkg.exit_code == 1 and "a GeoPackage is a file: give -o FILE.gpkg" in gpkg.stderr


def test_o_into_a_missing_folder_is_one_clear_line(tmp_path):
    missing = tmp_path / "no" / "such" / "zones.csv"
    for args in (["zones", "--at", "2019-03-08", "-o", missing],
                 ["violations", "--db", tmp_path / "s.sqlite", "-o", missing],
                 ["read", DATA / "news", "--no-store", "-o", tmp_path / "no" / "report.md"]):
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert f"the folder {missing.parent if 'report' not in str(args[-1]) else tmp_path / 'no'} does not exist" \
            in result.stderr


def test_negative_numbers_are_arguments():
    result = run("where", "-74.5", "4.5", "--regime", ELSEWHERE, "--at", "2031-06-05")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("(-74.5, 4.5) at 2031-06-05")
    typo = run("zones", "--att", "2019-03-08")
    assert typo.exit_code == 2 and "No such option '--att'" in typo.output


def test_where_as_json():
    result = run("where", "36.63393", "35.93062", "--at", "2020-03-20", "--format", "json")
    answer = json.loads(result.stdout)
    assert {z["id"] for z in answer["zones"]} >= {"astana-1", "moscow-ceasefire-area"}
    assert answer["timezone"] == "Asia/Damascus"


def test_regime_and_store_come_from_config_then_environment(tmp_path):
    env = {"CEASEFIRE_CONFIG": str(tmp_path / "config.yaml"), "CEASEFIRE_REGIME": None, "CEASEFIRE_DB": None}
    assert run("config", "set", "regime", ELSEWHERE, env=env).exit_code == 0
    assert run("config", "set", "db", tmp_path / "team.sqlite", env=env).exit_code == 0
    shown = run("config", env=env).output
    assert f"regime = {ELSEWHERE.resolve()}" in shown and f"db = {tmp_path / 'team.sqlite'}" in shown
    assert "valley-2031" in run("regime", "show", env=env).output.split("\n")[0]
    zones = run("zones", "--at", "2031-06-05", "--format", "csv", env=env).stdout
    assert "contact-band" in zones and "astana" not in zones
    # the environment wins over the file, the option over both
    assert "astana-1" in run("zones", "--at", "2019-03-08", env={**env, "CEASEFIRE_REGIME": "syria-northwest"}).output
    assert "astana-1" in run("zones", "--regime", "syria-northwest", "--at", "2019-03-08", env=env).output
    missing_store = run("violations", env=env)
    assert missing_store.exit_code == 1 and f"{tmp_path / 'team.sqlite'}: no store here" in missing_store.stderr
    assert run("config", "unset", "regime", env=env).exit_code == 0
    assert "(not set)" in run("config", env=env).output
    bad = run("config", "set", "regime", tmp_path / "nope.yaml", env=env)
    assert bad.exit_code == 1 and "nope.yaml" in bad.stderr


def test_every_store_command_names_its_store(store_target):
    db = store_target
    from ceasefire.store import connect

    with connect(db) as store:
        shown = store.location()  # a server's address without its options (or password)
    ingest = run("ingest", DATA / "acled_made_up.csv", "--format", "acled", "--db", db)
    assert ingest.exit_code == 0, ingest.output
    assert f"store: {shown}" in ingest.stderr
    for args in (["violations"], ["summary"], ["quarantine", "list"], ["events", "actors"]):
        result = run(*args, "--db", db)
        assert result.exit_code == 0, (args, result.output)
        assert f"store: {shown} (" in result.stderr and " events)" in result.stderr


def test_filters_naming_unknown_things_are_errors(tmp_path):
    db = tmp_path / "s.sqlite"
    run("ingest", DATA / "acled_made_up.csv", "--format", "acled", "--db", db)
    reversed_ = run("violations", "--db", db, "--from", "2019-05-31", "--to", "2019-05-01")
    assert reversed_.exit_code == 2 and "--from 2019-05-31 is after --to 2019-05-01" in reversed_.output
    zone = run("violations", "--db", db, "--zone", "sochi-dmx")
    assert zone.exit_code == 2 and "no zone 'sochi-dmx' (did you mean 'sochi-dmz'?)" in zone.output
    assert "known: astana-1, astana-2" in zone.output
    party = run("violations", "--db", db, "--party", "al-qaida")
    assert party.exit_code == 2 and "no party 'al-qaida'" in party.output and "hts" in party.output
    quarantined = run("quarantine", "list", "--db", db, "--file", "other.csv")
    assert quarantined.exit_code == 2 and "no row of the quarantine comes from other.csv" in quarantined.output
    distance = run("patrols", "plan", "--from", "2020-03-15", "--distance-km", "-5")
    assert distance.exit_code == 2 and "-5" in distance.output and "range" in distance.output


def test_a_store_query_on_an_empty_default_store_names_it(tmp_path):
    db = tmp_path / "empty.sqlite"
    run("ingest", DATA / "acled_made_up.csv", "--format", "acled", "--db", db, "--regime", ELSEWHERE,
        "--allow-outside")
    result = run("violations", "--from", "2001-01-01", "--to", "2001-01-31", "-o", tmp_path / "may.csv",
                 env={"CEASEFIRE_DB": str(db)})
    assert result.exit_code == 0, result.output
    assert f"store: {db.resolve()} (" in result.stderr and "0 violations → " in result.stderr


def test_all_unmapped_actors_can_be_listed(tmp_path, store_target):
    rows = ["Ref;When;X;Y;What;Who;Against;Dead"]
    rows += [f"U-{i};06/05/2019;36.65;35.44;Clashes;Group number {i};Syrian insurgents;1" for i in range(20)]
    data = tmp_path / "many.csv"
    data.write_text("\n".join(rows) + "\n")
    db = store_target
    result = run("ingest", data, "--format", "csv", "--mapping", DATA / "mapped_events.yaml", "--db", db)
    assert result.exit_code == 0, result.output
    assert "… and 5 more: ceasefire events actors --unmapped" in result.output
    listed = run("events", "actors", "--unmapped", "--db", db, "--format", "csv")
    frame = pd.read_csv(io.StringIO(listed.stdout))
    assert len(frame) == 20 and set(frame["actor"]) == {f"Group number {i}" for i in range(20)}
    every = pd.read_csv(io.StringIO(run("events", "actors", "--db", db, "--format", "csv").stdout))
    assert every.set_index("actor").loc["Syrian insurgents", "may_include"] == "hts"


def test_missing_values_look_the_same_in_every_table():
    table = run("zones", "--at", "2019-03-08").output
    assert "NaN" not in table and "None" not in table and "—" in table


def test_demo_takes_o_and_its_old_name(tmp_path):
    command = main.commands["demo"]
    assert {"-o", "--output", "--out"} <= {o for p in command.params for o in p.opts}


def test_quarantine_list_never_prints_control_bytes(tmp_path):
    from ceasefire.store import connect

    db = tmp_path / "s.sqlite"
    conn = connect(db).conn
    conn.execute("INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?)",
                 ("/x/a.csv", 3, "(row)", "a NUL byte: binary content, not text", "id\x1f1\x00\x07\x1b[31mred", 1))
    conn.close()
    shown = run("quarantine", "list", "--db", db).stdout
    assert "/x/a.csv:3: (row): a NUL byte" in shown
    assert "id | 1\N{REPLACEMENT CHARACTER}\N{REPLACEMENT CHARACTER}\N{REPLACEMENT CHARACTER}[31mred" in shown
    assert not any(ch in shown for ch in "\x00\x07\x1b")


def test_regime_validate_checks_the_regimes_area(tmp_path):
    import shutil

    shutil.copytree(DATA / "elsewhere", tmp_path / "r")
    path = tmp_path / "r" / "elsewhere.yaml"
    path.write_text(path.read_text().replace("timezone: America/Bogota", "timezone: America/Bogota\n"
                                             "area: {admin: Nowhereland}"))
    result = run("regime", "validate", path)
    assert result.exit_code == 1 and "area: the regime lies outside the shipped data" in result.stderr


def test_the_command_line_starts_without_the_heavy_libraries():
    """`ceasefire --help` and every command's start import no pandas, GEOS or Arrow: they load when used."""
    import subprocess
    import sys

    code = ("import sys; from ceasefire.cli import main; import ceasefire, ceasefire.events; "
            "print(sorted(m for m in ('pandas', 'shapely', 'pyarrow', 'geopandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    import ceasefire

    assert ceasefire.connect.__module__ == "ceasefire.store"  # the public names still work
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        ceasefire.nope  # noqa: B018
