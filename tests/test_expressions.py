"""Geometry expressions: each function on real units, plus property tests for part_of."""

import geopandas as gpd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.errors import GeometryError
from ceasefire.geodata.basedata import admin_units, find_places
from ceasefire.zones.expressions import (
    DIRECTIONS, Evaluator, admin, band_along, corridor, part_of_units, road_section, shared_boundary,
)

OPPOSITE = {"N": "S", "NE": "SW", "E": "W", "SE": "NW", "S": "N", "SW": "NE", "W": "E", "NW": "SE"}


def metric_point(name):
    p = find_places(name)[0]
    return gpd.GeoSeries([shapely.Point(p.lon, p.lat)], crs=4326).to_crs(32637).iloc[0]


def test_admin_any_spelling_and_code():
    a, b, c = admin("Idlib", 1), admin("Idleb", 1), admin("SY07")
    assert a.equals(b) and a.equals(c)
    assert 5300 < a.area / 1e6 < 5500  # OCHA's Idlib governorate: about 5,420 km²


def test_admin_unknown_name_is_a_clear_error():
    with pytest.raises(GeometryError, match="no administrative unit named 'Atlantis'"):
        admin("Atlantis")


def test_part_of_north_east_latakia_is_the_mountains_not_the_city():
    names = set(part_of_units("Latakia", "NE", 3, parent_level=1)["name"])
    assert {"Rabee'a", "Kansaba"} <= names
    assert "Lattakia" not in names and "Jablah" not in names


def test_part_of_west_of_mount_simeon_leaves_aleppo_city_out():
    names = set(part_of_units("Mount Simeon", "W", 3, half_angle=67.5, parent_level=2)["name"])
    assert {"Atareb", "Daret Azza"} <= names
    assert "Jebel Saman" not in names


def test_part_of_rejects_bad_direction():
    with pytest.raises(GeometryError, match="direction 'NNE'"):
        part_of_units("Latakia", "NNE", 3)


parents = admin_units().query("level < 3")[["name", "level", "pcode"]].to_records(index=False).tolist()


@settings(max_examples=60, deadline=None)
@given(parent=st.sampled_from(parents), direction=st.sampled_from(sorted(DIRECTIONS)),
       half_angle=st.floats(min_value=5, max_value=89.9))
def test_part_of_is_a_subset_and_opposites_never_share(parent, direction, half_angle):
    name, level, pcode = parent
    units = admin_units()
    children = set(units[(units.level == 3) & units.pcode.str.startswith(pcode)]["pcode"])
    one = set(part_of_units(pcode, direction, 3, half_angle)["pcode"])
    other = set(part_of_units(pcode, OPPOSITE[direction], 3, half_angle)["pcode"])
    assert one <= children
    assert not one & other


def test_corridor_covers_the_road_between_the_places():
    zone = corridor("M4", "Trumba", "Ain al-Hur", 6)
    assert zone.is_valid
    for town in ("Ariha", "Jisr ash Shughur", "Muhambal"):
        assert zone.contains(metric_point(town)), town
    assert not zone.contains(metric_point("Idlib"))  # about 10 km north of the road
    assert not zone.contains(metric_point("Aleppo"))  # beyond Trumba
    section = road_section("M4", "Trumba", "Ain al-Hur")
    # a flat-ended buffer: area = length × 12 km, less a little where the line bends
    assert zone.area == pytest.approx(section.length * 12_000, rel=0.05)


def test_band_along_a_shared_boundary_has_the_given_depth():
    idlib, hama = admin("Idlib", 1), admin("Hama", 1)
    line = shared_boundary(idlib, hama)
    assert line.length > 50_000
    band = band_along(idlib, line, 10)
    assert band.within(idlib.buffer(1))
    assert band.hausdorff_distance(line) <= 10_000 * 1.05


def test_band_with_no_shared_boundary_is_an_error():
    idlib, daraa = admin("Idlib", 1), admin("Daraa", 1)
    with pytest.raises(GeometryError, match="share no boundary"):
        band_along(idlib, shared_boundary(idlib, daraa), 10)


def test_set_operations_and_validity():
    ev = Evaluator()
    union = ev.evaluate({"union": [{"admin": {"names": ["Idlib"], "level": 1}},
                                   {"admin": {"names": ["Hama"], "level": 1}}]})
    inter = ev.evaluate({"intersection": [{"admin": "Idlib"}, {"admin": "Hama"}]})
    diff = ev.evaluate({"difference": [{"admin": "Idlib"}, {"admin": {"names": ["Ariha"], "level": 2}}]})
    assert shapely.is_valid(union) and union.area == pytest.approx(admin("Idlib").area + admin("Hama").area, rel=1e-3)
    assert inter.area < 1e6  # neighbours share only an edge
    assert diff.area == pytest.approx(admin("Idlib").area - admin("Ariha", 2).area, rel=1e-3)


def test_file_expression_reads_geojson(tmp_path):
    path = tmp_path / "area.geojson"
    gpd.GeoDataFrame(geometry=[shapely.box(36.5, 35.8, 36.7, 36.0)], crs=4326).to_file(path)
    geom = Evaluator(base_dir=tmp_path).evaluate({"file": {"path": "area.geojson"}})
    assert 300 < geom.area / 1e6 < 500


def test_cache_key_changes_with_the_expression_and_referenced_zones():
    exprs = {"a": {"admin": "Idlib"}, "b": {"admin": "Hama"}}
    ev = Evaluator(lambda z: exprs[z])
    k1 = ev.key({"zone": "a"})
    assert k1 == ev.key({"admin": "Idlib"})  # a reference hashes as what it refers to
    assert k1 != ev.key({"zone": "b"})


def test_disk_cache_round_trip(tmp_path, monkeypatch):
    monkeypatch.delenv("CEASEFIRE_NO_CACHE", raising=False)
    monkeypatch.setenv("CEASEFIRE_CACHE_DIR", str(tmp_path))
    expr = {"admin": {"names": ["Ariha"], "level": 2}}
    first = Evaluator().evaluate(expr)
    assert len(list((tmp_path / "geometry").glob("*.wkb"))) == 1
    second = Evaluator().evaluate(expr)  # a new evaluator: read from disk
    assert first.equals(second)


def test_self_reference_is_an_error():
    ev = Evaluator(lambda z: {"zone": z})
    with pytest.raises(GeometryError, match="refers to itself"):
        ev.evaluate({"zone": "loop"})
