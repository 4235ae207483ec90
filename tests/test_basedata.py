"""The shipped base data: every unit survives simplification, names resolve in any spelling."""

import json

import geopandas as gpd
import pytest
import shapely

from ceasefire.geodata.basedata import admin_units, admin_units_metric, data_path, find_places, roads
from ceasefire.geodata.names import name_key

from .conftest import SHARED


def test_levels_and_parents():
    units = admin_units()
    assert units.groupby("level").size().to_dict() == {1: 14, 2: 62, 3: 272}
    codes = set(units["pcode"])
    children = units[units["level"] > 1]
    assert children["parent"].isin(codes).all()
    assert all(c.startswith(p) for c, p in zip(children["pcode"], children["parent"]))


def test_every_unit_within_two_percent_of_its_source_area():
    units = admin_units_metric()
    ratio = (units.area / 1e6) / units["source_area_km2"]
    assert shapely.is_valid(units.geometry.values).all()
    assert (ratio - 1).abs().max() < 0.02, units.loc[(ratio - 1).abs().idxmax(), "name"]


@pytest.mark.skipif(not (SHARED / "data" / "admin").exists(), reason="../shared/data is not beside the project")
def test_same_units_as_the_source():
    src = gpd.read_file(SHARED / "data" / "admin" / "syr_adm3_geoboundaries_simplified_with_ocha_pcodes.geojson")
    shipped = admin_units()
    assert set(src["ADM3_PCODE"]) == set(shipped.loc[shipped.level == 3, "pcode"])
    src_area = src.to_crs(32637).set_index("ADM3_PCODE").area
    ours = admin_units_metric().query("level == 3").set_index("pcode").area
    assert ((ours / src_area.reindex(ours.index)) - 1).abs().max() < 0.02


def test_shipped_data_is_small():
    total = sum(data_path(n).stat().st_size for n in ("admin.geojson", "roads.geojson", "gazetteer.csv"))
    assert total < 15e6


def test_roads_are_flagged_approximate():
    table = roads()
    assert set(table["road"]) == {"M4", "M5"}
    assert table["approximate"].all()


@pytest.mark.parametrize(("a", "b"), [
    ("Lattakia", "Latakia"), ("Ma‘arrat an Nu‘mān", "Maarat al-Numan"), ("Hamah", "Hama"),
    ("Jisr ash Shughūr", "Jisr al-Shughur"), ("Dar'a", "Daraa"), ("Al Atārib", "al-Atarib"),
])
def test_name_keys_bridge_transliterations(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize("spelling", ["Idlib", "Idleb", "Latakia", "Lattakia", "Al-Ladhiqiyah", "Hama", "Hamah",
                                      "Daraa", "Dar'a", "Khan Sheikhoun", "Khan Shaykhun", "Trumba", "Ain al-Hur"])
def test_gazetteer_finds_every_spelling(spelling):
    assert find_places(spelling), spelling


def test_extra_places_cite_their_source():
    trumba = find_places("Trumba")[0]
    saraqib = find_places("Saraqib")[0]
    assert "Saraqib" in trumba.source and "approximate" in trumba.source
    assert trumba.lon < saraqib.lon  # west of Saraqib
    assert abs(trumba.lat - saraqib.lat) < 0.01


def test_attribution_names_every_licence():
    text = data_path("ATTRIBUTION.md").read_text()
    for needle in ("CC BY 3.0 IGO", "CC BY 4.0", "GeoNames", "geoBoundaries", "OpenSyria"):
        assert needle in text
    assert json.loads(data_path("roads.geojson").read_text())["type"] == "FeatureCollection"
