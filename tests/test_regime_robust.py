"""Bad regime files end in one clear CeasefireError naming the file and the line (or the map's feature),
never a traceback, a hang or a silently repaired zone: oversized files, alias bombs, deep nesting, text
that is not a YAML mapping, broken `file:` maps, and `file:` paths that leave the regime's folder."""

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire.errors import CeasefireError
from ceasefire.regime import Regime, load_regime
from ceasefire.regime.loader import MAX_DEPTH, MAX_NODES, MAX_REGIME_BYTES, MB
from ceasefire.zones import regime_shapes

from .conftest import DATA

ROBUST = DATA / "robust"
TINY = DATA / "tiny-regime.yaml"

# a 0.1° square in north-west Syria, valid, as a map file
SQUARE = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {
    "type": "Polygon", "coordinates": [[[36.5, 35.0], [36.6, 35.0], [36.6, 35.1], [36.5, 35.1], [36.5, 35.0]]]}}]}


def mapped_regime(folder: Path, map_path: str, name: str = "r.yaml") -> Path:
    """The bow-tie fixture regime, its one zone drawn from ``map_path``, written into ``folder``."""
    text = (ROBUST / "regime_bowtie.yaml").read_text().replace("regime_bowtie.geojson", map_path)
    path = folder / name
    path.write_text(text)
    return path


def feature_collection(*geometries) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": g} for g in geometries]})


def ring(*points):
    return {"type": "Polygon", "coordinates": [[list(p) for p in points]]}


def message(path: Path, **kwargs) -> str:
    with pytest.raises(CeasefireError) as err:
        load_regime(path, **kwargs)
    return str(err.value)


# --------------------------------------------------------------------------- size, aliases, depth


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # sparse: the size is checked before a byte is read
        handle.truncate(200 * MB)
    assert message(path) == f"{path}: 200.0 MB is larger than the {MAX_REGIME_BYTES // MB} MB a regime file may be"


def test_an_alias_bomb_is_refused_with_its_line():
    path = ROBUST / "regime_alias_bomb.yaml"
    text = message(path)
    assert text.startswith(f"{path}:")
    assert f"expands to more than {MAX_NODES:,} YAML nodes through its aliases" in text
    line = int(text.split(":")[1])
    assert "*" in path.read_text().splitlines()[line - 1]  # a line of aliases


def test_a_recursive_alias_is_refused(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("id: x\nparties: &p [*p]\n")
    assert message(path) == f"{path}:2: an alias refers to the node that contains it (a recursive structure)"


@pytest.mark.parametrize("levels", [MAX_DEPTH + 5, 5000])  # past the limit, and past Python's recursion limit
def test_deep_nesting_is_refused(tmp_path, levels):
    path = tmp_path / "r.yaml"
    path.write_text("id: x\nzones: " + "[" * levels + "]" * levels + "\n")
    assert re.fullmatch(rf"{re.escape(str(path))}(:2)?: nested deeper than .*{MAX_DEPTH} levels.*", message(path))


def test_a_key_given_twice_is_refused_not_silently_dropped(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(TINY.read_text().replace("    valid_from: 2021-02-01\n",
                                             "    valid_from: 2021-02-01\n    valid_from: 2021-02-03\n"))
    line = path.read_text().splitlines().index("    valid_from: 2021-02-03") + 1
    expected = f"{path}:{line}: key 'valid_from' appears twice in one mapping (also at line {line - 1}); keep one"
    assert message(path) == expected


# --------------------------------------------------------------------------- text that is not a regime mapping


@pytest.mark.parametrize(("content", "expected"), [
    (b"- a\n- b\n", ":1: a regime file is a mapping (id, name, parties, agreements, zones, …); got a list"),
    (b"just words\n", ":1: a regime file is a mapping (id, name, parties, agreements, zones, …); got a string"),
    (b"", ": a regime file is a mapping (id, name, parties, agreements, zones, …); got nothing (the file is empty)"),
    (b"# a comment\n", ": a regime file is a mapping (id, name, parties, agreements, zones, …); got nothing "
                       "(the file is empty)"),
    (b"id: x\nname: caf\xe9\n", ":2: not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    (b"id: x\n\x7fELF\x00\x01\x02", ":2: a binary file (a NUL byte), not YAML text"),
    (b"id: x\nparties:\n\t- a\n", ":3: not valid YAML (while scanning for the next token, found character '\\t' that "
                                  "cannot start any token) (YAML indents with spaces, never tabs)"),
    (b"id: x\n---\nid: y\n", ":2: not valid YAML (expected a single document in the stream, but found another "
                             "document)"),
    (b"id: [unclosed\n", ":2: not valid YAML (while parsing a flow sequence, expected ',' or ']', but got "
                         "'<stream end>')"),
    (b"? [a, b]\n: x\n", ":1: not valid YAML (while constructing a mapping, found unhashable key)"),
    (b"id: x\nsigned: 2021-13-45\n", ":2: not valid YAML ('2021-13-45' is not a valid date (month must be in 1..12))"),
    (b"id: x\nn: !!float abc\n", ":2: not valid YAML ('abc' is not a valid number (could not convert string to float: "
                                "'abc'))"),
    (b"id: " + b"9" * 5000 + b"\n", ":1: not valid YAML ('" + "9" * 40 + "…' is not a valid integer (Exceeds the limit "
                                   "(4300 digits) for integer string conversion: value has 5000 digits; use "
                                   "sys.set_int_max_str_digits() to increase the limit))"),
    (b"id: !!python/object:os.system x\n", ":1: not valid YAML (could not determine a constructor for the tag "
                                           "'tag:yaml.org,2002:python/object:os.system')"),
])
def test_text_that_is_not_a_regime_mapping(tmp_path, content, expected):
    path = tmp_path / "r.yaml"
    path.write_bytes(content)
    assert message(path) == f"{path}{expected}"


def test_a_folder_and_a_device_are_refused(tmp_path):
    assert message(tmp_path) == f"{tmp_path}: cannot be read (Is a directory)"
    if Path("/dev/zero").exists():  # states no size: the bounded read stops it
        assert message(Path("/dev/zero")) == f"/dev/zero: larger than the {MAX_REGIME_BYTES // MB} MB a regime file " \
                                             "may be"


# --------------------------------------------------------------------------- file: maps


def test_a_self_intersecting_polygon_is_an_error_naming_file_feature_and_reason():
    path = ROBUST / "regime_bowtie.yaml"
    load_regime(path)  # structurally fine: the map is read when the zone is computed
    text = message(path, check_geometry=True)
    line = path.read_text().splitlines().index("    geometry: {file: {path: regime_bowtie.geojson}}") + 1
    assert text == (f"{path}:{line}: zones[0].geometry (mapped): {ROBUST / 'regime_bowtie.geojson'}: feature 2: "
                    "invalid Polygon (Self-intersection[36.1 35.2]); fix it (e.g. QGIS: Vector > Geometry Tools > "
                    "Fix Geometries) and save the file again")
    with pytest.raises(CeasefireError, match=r"feature 2: invalid Polygon \(Self-intersection\[36.1 35.2\]\)"):
        regime_shapes(load_regime(path))  # computing the zones says the same, never a repaired area


def test_the_invalid_map_comes_in_the_same_round_as_other_problems(tmp_path):
    shutil.copy(ROBUST / "regime_bowtie.geojson", tmp_path)
    path = mapped_regime(tmp_path, "regime_bowtie.geojson")
    path.write_text(path.read_text() + "rules:\n  - {id: r, agreement: deal, provision: '1', zones: [mapped], "
                    "forbidden: [dancing], from: 2021-01-02, summary: no dancing}\n")
    lines = message(path).splitlines()  # a field problem makes the loader compute the zones too
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}:15: zones[0].geometry (mapped): ") and "feature 2: invalid Polygon" in lines[0]
    assert lines[1].startswith(f"{path}:17: rules[0].forbidden: Value error, unknown event kind")
    assert "dancing" in lines[1]


def test_validate_on_the_command_line_prints_one_line_per_problem():
    from click.testing import CliRunner

    from ceasefire.cli import main

    result = CliRunner().invoke(main, ["regime", "validate", str(ROBUST / "regime_bowtie.yaml")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "regime_bowtie.yaml:15: zones[0].geometry (mapped):" in result.output
    assert "feature 2: invalid Polygon (Self-intersection[36.1 35.2])" in result.output


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("missing.geojson", None, "{map}: no such file"),
    ("text.geojson", "id,lon,lat\n1,36,35\n", "{map}: not a GeoJSON or GeoPackage map: text that is not JSON"),
    ("binary.geojson", b"\x7fELF\x02\x01\x01\x00\x00\x00" * 20, "{map}: not a GeoJSON or GeoPackage map: binary data"),
    ("empty.geojson", "", "{map}: not a GeoJSON or GeoPackage map: the file is empty"),
    ("array.geojson", "[" + json.dumps(SQUARE["features"][0]) + "]",
     "{map}: not a GeoJSON or GeoPackage map: its top level is a JSON array; GeoJSON is an object: a "
     "FeatureCollection, a Feature or a geometry"),
    ("nofeatures.geojson", '{"type": "FeatureCollection"}',
     "{map}: not a GeoJSON or GeoPackage map: a FeatureCollection without a `features` list"),
    ("broken.geojson", '{"type": "FeatureCollection", "features": [', "{map}: not a GeoJSON or GeoPackage map: not "
                                                                      "valid JSON (Expecting value: line 1 column 44 "
                                                                      "(char 43))"),
    ("none.geojson", feature_collection(), "{map}: holds no features (a zone's map needs at least one)"),
    ("point.geojson", feature_collection({"type": "Point", "coordinates": [36.5, 35.0]}),
     "a zone needs an area (polygons); the expression gives a Point: {map}: feature 1 is a Point"),
    ("mixed.geojson", json.dumps({"type": "FeatureCollection", "features": SQUARE["features"] + [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [36.7, 35.0]}}]}),
     "a zone needs an area (polygons); the expression gives a GeometryCollection: {map}: feature 2 is a Point"),
    ("null.geojson", feature_collection(None), "{map}: feature 1 has no geometry; give it one or delete it"),
    ("string.geojson", feature_collection({"type": "Polygon", "coordinates": "abc"}),
     "{map}: feature 1 has no geometry (GDAL: OGRGeoJSONReadPolygon(): unexpected type of JSON construct string for "
     "'\"abc\"'); give it one or delete it"),
    ("nan.geojson", feature_collection(ring((36.5, 35), (36.6, float("nan")), (36.6, 35.1), (36.5, 35))),
     "{map}: feature 1: a coordinate is not a number (NaN or infinite); correct or delete it"),
    ("range.geojson", feature_collection(ring((36.5, 35), (36.6, 123), (36.6, 35.1), (36.5, 35))),
     "{map}: feature 1: coordinate (36.6 123) is out of range (longitude within ±180, latitude within ±90, longitude "
     "first); is the map in another CRS, or x and y swapped?"),
    ("swapped.geojson", feature_collection(ring((35, 36.5), (35, 200.6), (35.1, 36.6), (35, 36.5))),
     "{map}: feature 1: coordinate (35 200.6) is out of range"),
    ("open.geojson", feature_collection(ring((36.5, 35), (36.6, 35))),
     "{map}: feature 1: not a readable geometry (IllegalArgumentException: Points of LinearRing do not form a closed "
     "linestring); correct or delete it"),
    ("spike.geojson", feature_collection(ring((36.5, 35), (36.6, 35), (36.5, 35), (36.5, 35))),
     "{map}: feature 1: invalid Polygon (Too few points in geometry component[36.5 35]); fix it"),
    ("folder.geojson", "folder", "{map}: is not a file (a GeoJSON or GeoPackage map is)"),
])
def test_a_broken_map_is_one_clear_error_naming_file_and_feature(tmp_path, name, content, expected):
    target = tmp_path / name
    if content == "folder":
        target.mkdir()
    elif isinstance(content, bytes):
        target.write_bytes(content)
    elif content is not None:
        target.write_text(content)
    path = mapped_regime(tmp_path, name)
    text = message(path, check_geometry=True)
    assert text.startswith(f"{path}:15: zones[0].geometry (mapped): " + expected.format(map=target)), text
    assert "\n" not in text


@pytest.mark.parametrize(("named", "expected"), [
    ("", "file: path must be a file name relative to the regime, got ''"),
    ("a\\0b", "file: 'a\\x00b' is not a usable path (embedded null byte)"),
    ("x" * 300, "{folder}/" + "x" * 300 + ": cannot be read (File name too long)"),
    (".", "{folder}: is not a file (a GeoJSON or GeoPackage map is)"),
])
def test_odd_paths_are_errors_too(tmp_path, named, expected):
    path = mapped_regime(tmp_path, f'"{named}"')
    assert message(path, check_geometry=True) == f"{path}:15: zones[0].geometry (mapped): " + expected.format(
        folder=tmp_path)


def test_a_geopackage_is_read_and_checked_the_same_way(tmp_path):
    import geopandas as gpd
    import shapely

    fine = tmp_path / "fine.gpkg"
    gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.box(36.5, 35.0, 36.6, 35.1)], crs=4326).to_file(fine)
    square = regime_shapes(load_regime(mapped_regime(tmp_path, "fine.gpkg"), check_geometry=True))["mapped"]
    assert 80 < square.area_km2 < 120  # 0.1° by 0.1° at 35° N: about 100 km²
    bowtie = tmp_path / "bowtie.gpkg"
    gpd.GeoDataFrame({"n": [1, 2]}, geometry=[shapely.box(36.5, 35.0, 36.6, 35.1), shapely.Polygon(
        [(36.0, 35.0), (36.2, 35.4), (36.2, 35.0), (36.0, 35.4)])], crs=4326).to_file(bowtie)
    assert f"{bowtie}: feature 2: invalid Polygon (Self-intersection[36.1 35.2])" in message(
        mapped_regime(tmp_path, "bowtie.gpkg"), check_geometry=True)


def test_a_map_in_a_metric_crs_is_not_held_to_degree_ranges(tmp_path):
    import geopandas as gpd
    import shapely

    utm = tmp_path / "utm.gpkg"
    gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.box(4.0e5, 3.9e6, 4.1e5, 3.91e6)], crs=32637).to_file(utm)
    shape = regime_shapes(load_regime(mapped_regime(tmp_path, "utm.gpkg"), check_geometry=True))["mapped"]
    assert shape.area_km2 == pytest.approx(100, rel=0.01)


# --------------------------------------------------------------------------- file: paths outside the folder


def outside_message(folder: Path) -> str:
    return f"resolves outside the regime's folder {folder.resolve()}; pass --allow-paths-outside to read it"


def test_the_fixture_that_reaches_for_etc_passwd_is_refused():
    path = ROBUST / "regime_outside.yaml"
    assert message(path, check_geometry=True) == (
        f"{path}:15: zones[0].geometry (mapped): file: ../../etc/passwd {outside_message(ROBUST)}")
    with pytest.raises(CeasefireError, match=re.escape(f"file: ../../etc/passwd {outside_message(ROBUST)}")):
        regime_shapes(load_regime(path))


@pytest.mark.parametrize("kind", ["parent", "absolute", "symlink"])
def test_paths_outside_are_refused_unless_allowed(tmp_path, kind):
    inside, outside = tmp_path / "regime", tmp_path / "elsewhere"
    inside.mkdir()
    outside.mkdir()
    (outside / "square.geojson").write_text(json.dumps(SQUARE))
    if kind == "symlink":
        os.symlink(outside / "square.geojson", inside / "square.geojson")
    named = {"parent": "../elsewhere/square.geojson", "absolute": str(outside / "square.geojson"),
             "symlink": "square.geojson"}[kind]
    path = mapped_regime(inside, named)
    assert message(path, check_geometry=True) == f"{path}:15: zones[0].geometry (mapped): file: {named} " \
                                                 f"{outside_message(inside)}"
    allowed = load_regime(path, check_geometry=True, allow_paths_outside=True)
    assert 80 < regime_shapes(allowed)["mapped"].area_km2 < 120
    with pytest.raises(CeasefireError, match="resolves outside"):  # the permission belongs to that load only
        regime_shapes(load_regime(path))


def test_the_regimes_roads_obey_the_same_rule(tmp_path):
    (tmp_path / "square.geojson").write_text(json.dumps(SQUARE))
    path = mapped_regime(tmp_path, "square.geojson")
    path.write_text(path.read_text().replace("parties:", "roads: /etc/hostname\nparties:", 1))
    assert f"roads: /etc/hostname {outside_message(tmp_path)}" in message(path, check_geometry=True)
    # allowed, it is read, and what it is (not a map) is the load's error, not a later one
    assert message(path, allow_paths_outside=True).startswith(f"{path}: /etc/hostname: the regime's roads cannot be read")


def test_a_path_inside_through_a_detour_is_fine(tmp_path):
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "square.geojson").write_text(json.dumps(SQUARE))
    path = mapped_regime(tmp_path, "maps/../maps/./square.geojson")
    assert "mapped" in regime_shapes(load_regime(path, check_geometry=True))


# --------------------------------------------------------------------------- fuzz: never anything but these two


NAMES = ["Daraa", "Quneitra", "Idlib", "Narnia", "", "M4", "south"]
# mostly sensible (so that the geometry gets computed), sometimes not; hypothesis shrinks towards the first
SENSIBLE_KM = st.floats(0.5, 50.0)
FLOATS = st.one_of(SENSIBLE_KM, SENSIBLE_KM, SENSIBLE_KM,
                   st.sampled_from([5.0, 0.0, -1.0, 0.001, 1e9, float("nan"), float("inf")]))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**12), FLOATS, st.text(max_size=12),
                    st.sampled_from([*NAMES, "2021-13-45", "x" * 200]), st.dates(dt.date(1900, 1, 1)))
FILES = st.sampled_from(["square.geojson", "bowtie.geojson", "missing.geojson", "../../etc/passwd", "/etc/passwd",
                         "text.geojson", "", ".", "square.geojson/x", "a\x00b", "x" * 300])


def expressions() -> st.SearchStrategy:
    """Geometry expressions, mostly well formed (so that they reach the geometry), some not."""
    names = st.one_of(st.sampled_from(NAMES), st.lists(st.sampled_from(NAMES), min_size=1, max_size=3))
    files = st.builds(lambda f: {"file": {"path": f}}, FILES)
    admin = st.builds(lambda n, lv: {"admin": {"names": n, "level": lv}}, names, st.sampled_from([1, 2, 3, None, 4]))
    around = st.builds(lambda p, km: {"around": {"places": p, "km": km}}, names, FLOATS)
    leaves = st.one_of(
        files, admin, around, files, admin, around,
        st.builds(lambda p, d, lv: {"part_of": {"parent": p, "direction": d, "level": lv}},
                  st.sampled_from(NAMES), st.sampled_from(["W", "N", "SW", "up"]), st.sampled_from([3, 2, 1])),
        st.builds(lambda r, a, b, w: {"corridor": {"road": r, "from": a, "to": b, "width_km": w}},
                  st.sampled_from(["M4", "M5", "R9"]), st.sampled_from(NAMES), st.sampled_from(NAMES), FLOATS),
        st.builds(lambda z: {"zone": z}, st.sampled_from(["south", "band", "mapped", "nowhere"])),
        SCALARS,
    )
    return st.recursive(leaves, lambda inner: st.one_of(
        st.builds(lambda op, parts: {op: parts}, st.sampled_from(["union", "intersection", "difference"]),
                  st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda i, line, d: {"band_along": {"inside": i, "line": line, "depth_km": d}}, inner, inner, FLOATS),
        st.builds(lambda i, b, d: {"band_along": {"inside": i, "boundary_with": b, "depth_km": d}}, inner, inner,
                  FLOATS),
    ), max_leaves=4)


def paths(data, prefix=()):
    """Every place in a parsed regime: (path to it, value)."""
    yield prefix, data
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        yield from paths(value, (*prefix, key))


@st.composite
def mutated_regimes(draw) -> bytes:
    """The tiny regime (plus a mapped zone) with its zones' geometry replaced, its fields damaged, or its text
    damaged — in proportions that let about half the examples reach the geometry."""
    data = yaml.safe_load(TINY.read_text())
    data["zones"].append({"id": "mapped", "name": "Mapped", "kind": "buffer", "established_by": "deal",
                          "valid_from": dt.date(2021, 1, 2), "geometry": {"file": {"path": "square.geojson"}}})
    mode = draw(st.sampled_from(["geometry"] * 5 + ["fields"] * 3 + ["text"] * 2))
    if mode == "geometry":
        for zone in draw(st.lists(st.sampled_from(data["zones"]), min_size=1, max_size=2)):
            zone["geometry"] = draw(expressions())
    elif mode == "fields":
        for _ in range(draw(st.integers(1, 2))):
            places = list(paths(data))[1:]
            if not places:
                break
            where, _ = draw(st.sampled_from(places))
            parent = data
            for key in where[:-1]:
                parent = parent[key]
            action = draw(st.sampled_from(["delete", "scalar", "wrong-type", "geometry"]))
            if action == "delete":
                del parent[where[-1]]
            elif action == "scalar":
                parent[where[-1]] = draw(SCALARS)
            elif action == "wrong-type":
                parent[where[-1]] = draw(st.sampled_from([[], {}, [1, 2], {"a": 1}, [{"x": None}]]))
            else:
                parent[where[-1]] = draw(expressions())
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()
    if mode != "text":
        return text
    damage = draw(st.sampled_from(["truncate", "bytes", "line", "raw"]))
    lines = text.split(b"\n")
    if damage == "truncate":
        return text[:draw(st.integers(0, len(text)))]
    if damage == "bytes":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.binary(min_size=1, max_size=8)) + text[at:]
    if damage == "raw":  # a value as typed, unquoted: YAML reads dates and numbers in it
        number = draw(st.sampled_from([n for n, line in enumerate(lines) if b": " in line]))
        lines[number] = lines[number].split(b": ")[0] + b": " + draw(st.sampled_from([
            b"2021-13-45", b"2021-02-30", b"0x", b"1e999999", b"9" * 5000, b"!!float abc", b".nan", b"*nope", b"&a",
            b"[", b"{a: 1", b"2021-01-02T25:00:00", b"!!set {a}", b"\t- x"]))
    else:
        lines[draw(st.integers(0, len(lines) - 1))] = draw(st.text(max_size=30)).encode()
    return b"\n".join(lines)


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "square.geojson").write_text(json.dumps(SQUARE))
    shutil.copy(ROBUST / "regime_bowtie.geojson", folder / "bowtie.geojson")
    (folder / "text.geojson").write_text("not a map\n")
    return folder


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated_regimes(), check_geometry=st.booleans())
def test_any_mutation_of_a_regime_loads_or_is_a_ceasefire_error(fuzz_folder, text, check_geometry):
    path = fuzz_folder / "r.yaml"
    path.write_bytes(text)
    try:
        regime = load_regime(path, check_geometry=check_geometry)
    except CeasefireError as exc:
        assert str(exc).startswith(str(path)), exc  # every message names the file
        return
    assert isinstance(regime, Regime)
    try:
        regime_shapes(regime)  # computing its zones: they come out, or a CeasefireError says why
    except CeasefireError as exc:
        assert not check_geometry, f"validated with its geometry, yet computing it fails: {exc}"
