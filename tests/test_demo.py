"""`ceasefire demo` is driven by the regime it is given: its own key dates, captions, zones and sample events,
and nothing of another regime."""

import json
import shutil
from pathlib import Path

import pytest
import yaml

from ceasefire.errors import InputError
from ceasefire.regime import load_regime
from ceasefire.report.demo import key_dates, run_demo, sample_files

DATA = Path(__file__).parent / "data"
ELSEWHERE = DATA / "elsewhere" / "elsewhere.yaml"
VALLEY_ZONES = ["contact-band", "artillery-line", "mlrs-line", "north-side", "square", "road-corridor"]
PNG = b"\x89PNG"


def demo(regime: str | Path, out: Path, **options) -> tuple[str, list[Path]]:
    lines: list[str] = []
    written = run_demo(str(regime), out, echo=lines.append, **options)
    return "\n".join(lines), written


def ids(path: Path) -> list[str]:
    return [f["properties"]["id"] for f in json.loads(path.read_text(encoding="utf-8"))["features"]]


def test_a_made_up_regime_is_shown_with_its_own_dates_zones_and_words(tmp_path):
    output, written = demo(ELSEWHERE, tmp_path)
    assert output.startswith("Valley ceasefire (made up for tests)\n")
    assert "  2031-06-01 — Valley ceasefire accord (made up) signed\n" in output
    assert ("  2031-06-02 — Valley ceasefire accord (made up) in force; zones contact-band, artillery-line, "
            "mlrs-line, north-side, square, road-corridor in force; rule cease-fire applies\n") in output
    assert "  2031-06-16 — rules artillery-withdrawal, mlrs-withdrawal apply\n" in output
    assert "· cease-fire: hostilities along the line of contact were to cease" in output
    assert "contact-band (3,587 km²)" in output
    no_events = [line for line in output.splitlines() if "sample events" in line]
    assert no_events == [("Events: no sample events ship with Valley ceasefire (made up for tests); ingest some with "
                          "`ceasefire ingest FILE --format ucdp|acled|geojson`, or put them beside the regime file as "
                          "elsewhere.events.ucdp.csv (.acled.csv, .geojson)")]
    assert "Patrols: Valley ceasefire (made up for tests) gives no patrol mandates." in output
    for leak in ("Syria", "Idlib", "May 2019", "2019", "2020", "Empty DataFrame", "Astana", "Sochi"):
        assert leak not in output, leak
    # a GeoJSON per key date, holding the zones in force at its end; a map where the zones changed
    assert ids(tmp_path / "zones-2031-06-01.geojson") == []
    assert ids(tmp_path / "zones-2031-06-02.geojson") == VALLEY_ZONES
    assert ids(tmp_path / "zones-2031-06-16.geojson") == VALLEY_ZONES
    assert (tmp_path / "zones-2031-06-02.png").read_bytes()[:4] == PNG
    assert (tmp_path / "timeline.png").read_bytes()[:4] == PNG
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written) == [
        "timeline.png", "zones-2031-06-01.geojson", "zones-2031-06-02.geojson", "zones-2031-06-02.png",
        "zones-2031-06-16.geojson"]
    assert "open zones-2031-06-02.png for the latest map" in output


def valley_with_samples(folder: Path) -> Path:
    """The made-up valley moved to 2021 (an ingest refuses future dates), with a suspension of its ceasefire,
    an end to one zone, and two shelling events of its own beside it."""
    for name in ("line-of-contact.geojson", "square.geojson", "roads.geojson"):
        shutil.copy(DATA / "elsewhere" / name, folder / name)
    doc = yaml.safe_load(ELSEWHERE.read_text(encoding="utf-8").replace("2031", "2021"))
    rule = next(r for r in doc["rules"] if r["id"] == "cease-fire")
    rule["suspensions"] = [{"from": "2021-07-01", "until": "2021-07-03", "reason": "talks broke down"}]
    square = next(z for z in doc["zones"] if z["id"] == "square")
    square.update(valid_to="2021-06-30", end_note="the monitors left the square")
    regime = folder / "valley.yaml"
    regime.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    header = (DATA / "acled_made_up.csv").read_text(encoding="utf-8").splitlines()[0]
    row = ("{id},{date},2021,1,Political violence,Explosions/Remote violence,Shelling/artillery/missile attack,"
           "Northern Front,,1,Southern Command,,2,12,,999,South America,Valley,North,North,North,Ridge post,"
           "4.52,-74.0,1,Made-up Observer,Local,Northern artillery shelled a Southern Command post.,0,,1700000000")
    rows = [row.format(id="VAL001", date="2021-06-10"), row.format(id="VAL002", date="2021-07-02")]
    (folder / "valley.events.acled.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return regime


def test_a_regime_file_brings_its_own_sample_events_and_timeline(tmp_path):
    regime = valley_with_samples(tmp_path)
    output, _ = demo(regime, tmp_path / "out")
    assert ("  2021-07-01 — zone square no longer in force (last day 2021-06-30); rule cease-fire suspended\n"
            "      · square: the monitors left the square\n      · cease-fire: talks broke down\n") in output
    assert "  2021-07-04 — rule cease-fire applies again (suspended to 2021-07-03)\n" in output
    assert ids(tmp_path / "out" / "zones-2021-07-01.geojson") == [z for z in VALLEY_ZONES if z != "square"]
    assert (tmp_path / "out" / "zones-2021-07-01.png").read_bytes()[:4] == PNG  # the zones changed: a new map
    assert "in force: as on the map zones-2021-07-01.png → zones-2021-07-04.geojson" in output
    assert "Events: valley.events.acled.csv: read 2, new 2, updated 0, unchanged 0, quarantined 0" in output
    assert ("Verdicts of Valley ceasefire (made up for tests) on the sample (valley.events.acled.csv, 2021), "
            "by rule and status:\n  cease-fire           confirmed       1\n") in output  # not the one in the pause
    assert "Summary for 2021-06, the month with the most events breaking a rule (1):" in output
    assert ("For example: Artillery fire by Northern Front against Southern Command inside the Band 10 km each "
            "side of the line of contact on 2021-06-10") in output
    found = json.loads((tmp_path / "out" / "violations.geojson").read_text(encoding="utf-8"))["features"]
    assert {(f["properties"]["event_id"], f["properties"]["rule"]) for f in found} >= {("acled:VAL001", "cease-fire")}
    assert (tmp_path / "out" / "violations-by-month.png").read_bytes()[:4] == PNG
    for leak in ("Syria", "Empty DataFrame", "2019"):
        assert leak not in output, leak


def test_north_east_syria_is_shown_as_itself(tmp_path):
    output, _ = demo("syria-northeast", tmp_path)
    assert output.startswith("North-east Syria arrangements, October 2019\n")
    assert ("  2019-10-23 — Sochi memorandum (north-east) in force at 12:00 UTC+03:00; zones peace-spring-area, "
            "withdrawal-band, patrol-west, patrol-east, manbij, tal-rifaat in force at 12:00 UTC+03:00; "
            "zone safe-zone no longer in force (last moment 11:59 UTC+03:00); rule peace-spring-halt applies at 12:00 UTC+03:00"
            ) in output
    assert "Events: no sample events ship with North-east Syria arrangements, October 2019;" in output
    assert "  2019-11-01 + 21 days: " in output
    for leak in ("North-west", "Idlib", "Astana", "May 2019", "Empty DataFrame", "UCDP"):
        assert leak not in output, leak
    assert ids(tmp_path / "zones-2019-10-17.geojson") == ["safe-zone"]
    assert ids(tmp_path / "zones-2019-10-23.geojson") == [  # the end of the day: the safe zone has gone
        "peace-spring-area", "withdrawal-band", "patrol-west", "patrol-east", "manbij", "tal-rifaat"]
    assert {p.name for p in tmp_path.glob("*.png")} == {
        "timeline.png", "zones-2019-10-17.png", "zones-2019-10-23.png", "patrol-timeline.png"}
    assert not list(tmp_path.glob("syria-northwest-*")) and not (tmp_path / "demo.sqlite").exists()


def test_max_dates_keeps_the_first_key_dates(tmp_path):
    output, written = demo(ELSEWHERE, tmp_path, max_dates=1)
    assert "2031-06-01 — " in output and "2031-06-02 — " not in output
    assert [p.name for p in written] == ["timeline.png", "zones-2031-06-01.geojson"]
    assert "no zone map was drawn" in output


def test_key_dates_of_north_west_syria_come_from_its_timeline():
    dates = {k.day.isoformat(): k for k in key_dates(load_regime("syria-northwest"))}
    assert dates["2018-09-17"].caption == ("2018-09-17 — Sochi memorandum signed and in force; zone sochi-dmz in force; "
                                           "patrol mandate sochi-coordinated begins")
    assert dates["2017-05-04"].caption == "2017-05-04 — Astana memorandum signed"
    assert dates["2018-08-01"].notes == ("zone astana-4 no longer in force (last day 2018-07-31)",)
    assert dates["2019-05-22"].notes == ("change of control kafr-nabudah-retaken-2019: held by opposition",)
    assert dates["2020-03-06"].notes[0] == "Moscow protocol in force at 00:01 UTC+02:00"
    assert "2020-03-20" not in dates  # no hand-picked dates: only the regime's own


def test_a_csv_sample_needs_its_mapping(tmp_path):
    regime = valley_with_samples(tmp_path)
    (tmp_path / "valley.events.csv").write_text("id;date\n1;2021-06-10\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"valley\.events\.csv: a CSV sample needs its column mapping beside it, "
                                         r"as valley\.events\.yaml"):
        sample_files(load_regime(regime))
