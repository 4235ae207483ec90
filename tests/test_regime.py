"""Regime files: the built-in regime's zones in time and space, validation errors with their paths."""

import json

import pytest
import shapely
import yaml

from ceasefire.errors import RegimeError
from ceasefire.geodata.basedata import find_places
from ceasefire.regime import Regime, load_regime
from ceasefire.regime.loader import format_loc
from ceasefire.zones import regime_shapes, rules_for, zones_at, zones_containing

from .conftest import DATA, day


def ids(shapes):
    return [s.zone.id for s in shapes]


@pytest.mark.parametrize(("iso", "expected"), [
    ("2017-01-01", []),
    ("2017-05-04", []),
    ("2017-05-05", ["astana-1", "astana-2", "astana-3", "astana-4"]),
    ("2017-06-01", ["astana-1", "astana-2", "astana-3", "astana-4"]),
    ("2018-04-14", ["astana-1", "astana-2", "astana-3", "astana-4"]),  # last day of zone 3
    ("2018-04-15", ["astana-1", "astana-2", "astana-4"]),
    ("2018-08-01", ["astana-1"]),
    ("2019-03-08", ["astana-1", "sochi-dmz"]),
    ("2020-03-20", ["astana-1", "sochi-dmz", "moscow-ceasefire-area", "m4-corridor"]),
])
def test_zones_in_force(regime, iso, expected):
    assert ids(zones_at(regime, day(iso))) == expected


def test_ended_zones_keep_their_note(regime):
    for zone_id in ("astana-2", "astana-3", "astana-4"):
        zone = regime.zone(zone_id)
        assert zone.valid_to is not None and zone.valid_to.year == 2018
        assert "retook" in zone.end_note


def test_every_zone_is_valid_and_derived_zones_say_how(regime):
    for shape in regime_shapes(regime).values():
        assert shapely.is_valid(shape.wgs84) and shapely.is_valid(shape.metric)
        assert shape.wgs84.geom_type in ("Polygon", "MultiPolygon")
    for zone_id in ("sochi-dmz", "m4-corridor"):
        assert regime.zone(zone_id).approximate and regime.zone(zone_id).method


def where(regime, name, iso):
    place = find_places(name)[0]
    return ids(zones_containing(regime, place.lon, place.lat, day(iso)))


@pytest.mark.parametrize("town", ["Idlib", "Saraqib", "Khan Shaykhun", "Jisr al-Shughur", "Maarrat al-Numan",
                                  "al-Atarib"])
def test_towns_in_zone_1(regime, town):
    assert "astana-1" in where(regime, town, "2017-06-01")


@pytest.mark.parametrize("city", ["Aleppo", "Hama", "Latakia", "Homs", "Damascus"])
def test_cities_in_no_zone(regime, city):
    assert where(regime, city, "2017-06-01") == []


@pytest.mark.parametrize(("town", "zone"), [("Rastan", "astana-2"), ("Talbiseh", "astana-2"),
                                            ("Douma", "astana-3"), ("Nawa", "astana-4")])
def test_the_other_astana_zones(regime, town, zone):
    assert where(regime, town, "2017-06-01") == [zone]
    assert zone not in where(regime, town, "2019-03-08")


def test_m4_corridor(regime):
    assert "m4-corridor" in where(regime, "Ariha", "2020-03-07")
    assert "m4-corridor" in where(regime, "Jisr al-Shughur", "2020-03-07")
    assert "m4-corridor" not in where(regime, "Ariha", "2020-03-05")
    assert "m4-corridor" not in where(regime, "Idlib", "2020-03-20")


def test_dmz_lies_inside_zone_1_along_the_front(regime):
    shapes = regime_shapes(regime)
    dmz, zone1 = shapes["sochi-dmz"].metric, shapes["astana-1"].metric
    assert dmz.difference(zone1).area < 1e6
    assert 0.2 < dmz.area / zone1.area < 0.8
    assert "sochi-dmz" not in where(regime, "Idlib", "2019-03-08")  # the city is deeper than 20 km


def test_rules_in_time(regime):
    before = {r.id for r in rules_for(regime, ["sochi-dmz"], day("2018-10-01"))}
    after = {r.id for r in rules_for(regime, ["sochi-dmz"], day("2018-10-20"))}
    assert before == set()
    assert after == {"dmz-heavy-weapons", "dmz-radical-groups"}
    assert "moscow-ceasefire" in {r.id for r in rules_for(regime, ["moscow-ceasefire-area"], day("2020-03-06"))}
    assert "moscow-ceasefire" not in {r.id for r in rules_for(regime, ["moscow-ceasefire-area"], day("2020-03-05"))}


def test_a_regime_is_data_not_code():
    tiny = load_regime(DATA / "tiny-regime.yaml", check_geometry=True)
    assert ids(zones_at(tiny, day("2021-02-15"))) == ["south", "band"]
    assert ids(zones_at(tiny, day("2021-03-02"))) == ["south"]


def test_broken_file_names_path_line_and_expectation():
    with pytest.raises(RegimeError) as err:
        load_regime(DATA / "broken-regime.yaml")
    text = str(err.value)
    assert text.startswith(str(DATA / "broken-regime.yaml") + ":")
    assert "zones[0].geometry.part_of.direction" in text
    assert "'N'" in text and "WNW" in text
    line = int(text.split(":")[1])
    assert "WNW" in (DATA / "broken-regime.yaml").read_text().splitlines()[line - 1]


@pytest.mark.parametrize(("mutate", "needle"), [
    (lambda d: d["zones"][0].update(established_by="nope"), "zone south: agreement 'nope' is not defined"),
    (lambda d: d["zones"][1].pop("end_note"), "end_note"),
    (lambda d: d["rules"][0].update(forbidden=["dancing"]), "unknown event kind"),
    (lambda d: d["zones"][0]["geometry"].update(extra={"admin": "Idlib"}), "one operator"),
    (lambda d: d["zones"][1]["geometry"]["band_along"].update(road="M4"), "exactly one of"),
])
def test_semantic_errors(tmp_path, mutate, needle):
    data = yaml.safe_load((DATA / "tiny-regime.yaml").read_text())
    mutate(data)
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(RegimeError, match=needle):
        load_regime(path)


def test_unknown_unit_is_reported_with_the_zone(tmp_path):
    text = (DATA / "tiny-regime.yaml").read_text().replace("names: [Quneitra]", "names: [Narnia]")
    path = tmp_path / "r.yaml"
    path.write_text(text)
    load_regime(path)  # structurally fine
    with pytest.raises(RegimeError, match=r"zones\[1\].*Narnia"):
        load_regime(path, check_geometry=True)


def test_not_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n")
    with pytest.raises(RegimeError, match="not valid YAML"):
        load_regime(bad)
    with pytest.raises(RegimeError, match="no such regime file"):
        load_regime(tmp_path / "missing.yaml")
    with pytest.raises(RegimeError, match="no regime named"):
        load_regime("atlantis")


def test_format_loc():
    assert format_loc(("zones", 2, "geometry", "part_of", "part_of", "direction")) == \
        "zones[2].geometry.part_of.direction"


def test_json_schema_names_every_operator():
    schema = json.dumps(Regime.model_json_schema(by_alias=True))
    for op in ("admin", "part_of", "band_along", "corridor", "file", "union", "difference", "intersection"):
        assert f'"{op}"' in schema


def test_every_problem_of_a_file_in_one_round_with_lines_and_suggestions(tmp_path):
    """Field, reference and geometry problems together, each with the line of the entry at fault."""
    data = yaml.safe_load((DATA / "tiny-regime.yaml").read_text())
    data["zones"][0]["geometry"]["part_of"]["parent"] = "Daraz"  # a typo in a unit's name: geometry
    data["zones"][1]["established_by"] = "deel"  # a reference
    data["rules"][0]["forbidden"] = ["dancing"]  # a field
    data["rules"][0]["zones"] = ["south", "nowhere"]  # another reference
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(RegimeError) as err:
        load_regime(path, check_geometry=True)
    lines = str(err.value).splitlines()
    assert len(lines) == 4
    text = path.read_text().splitlines()
    assert [int(line.split(":")[1]) for line in lines] == sorted(int(line.split(":")[1]) for line in lines)
    for needle in ["Daraz", "deel", "dancing", "nowhere"]:
        line = next(line for line in lines if needle in line)
        number = int(line.split(":")[1])
        assert needle in "\n".join(text[number - 1:number + 3]), line  # the entry at fault, at or just below
    assert any("(did you mean 'Daraa'?)" in line for line in lines)
    assert any("agreement 'deel' is not defined (did you mean 'deal'?)" in line for line in lines)
