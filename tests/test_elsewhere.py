"""A ceasefire anywhere is a regime file: a made-up valley at 74° W with its own line of contact (a line
file), per-weapon withdrawal lines, roads and places, measured against geodesic truth (pyproj.Geod)."""

import math

import pandas as pd
import pyproj
import pytest
import shapely
from click.testing import CliRunner

from ceasefire.cli import main
from ceasefire.errors import RegimeError
from ceasefire.monitor import judge
from ceasefire.regime import load_regime
from ceasefire.zones import regime_shapes
from ceasefire.zones.ground import ground_of

from .conftest import DATA

HERE = DATA / "elsewhere"
GEOD = pyproj.Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def valley():
    return load_regime(HERE / "elsewhere.yaml")


def geodesic_area_km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def line_km(valley) -> float:
    import geopandas as gpd

    line = gpd.read_file(HERE / "line-of-contact.geojson").geometry.iloc[0]
    return GEOD.geometry_length(line) / 1000


def test_the_regime_computes_in_its_own_utm_zone(valley):
    assert ground_of(valley).crs == "EPSG:32618"
    assert not ground_of(valley).shipped
    out = CliRunner().invoke(main, ["regime", "show", str(HERE / "elsewhere.yaml")]).output
    assert "UTM zone 18N, EPSG:32618" in out


def test_areas_agree_with_geodesic_measures(valley):
    shapes = regime_shapes(valley)
    for zone_id, shape in shapes.items():
        planar, geodesic = shape.area_km2, geodesic_area_km2(shape.wgs84)
        assert planar == pytest.approx(geodesic, rel=0.005), zone_id
    # the 1°×1° square at 4–5° N: about 12,300 km² on the ellipsoid, whatever the projection
    assert shapes["square"].area_km2 == pytest.approx(geodesic_area_km2(shapely.box(-75, 4, -74, 5)), rel=0.005)


@pytest.mark.parametrize("zone_id, depth_km", [("contact-band", 10), ("artillery-line", 50), ("mlrs-line", 70)])
def test_band_widths_agree_with_geodesic_measures(valley, zone_id, depth_km):
    """A band of depth d on both sides of a line of length L covers 2dL + πd² (round ends)."""
    shape = regime_shapes(valley)[zone_id]
    expected = 2 * depth_km * line_km(valley) + math.pi * depth_km**2
    assert geodesic_area_km2(shape.wgs84) == pytest.approx(expected, rel=0.005)


def test_one_side_of_the_line(valley):
    north = regime_shapes(valley)["north-side"]
    expected = 20 * line_km(valley)  # flat ends: d·L
    assert geodesic_area_km2(north.wgs84) == pytest.approx(expected, rel=0.01)
    # the line runs south-west to north-east: its left is the north-west side
    assert shapely.intersects_xy(north.wgs84, -74.3, 4.45) and not shapely.intersects_xy(north.wgs84, -74.0, 4.3)


def test_its_own_roads_and_places_make_the_corridor(valley):
    corridor = regime_shapes(valley)["road-corridor"]
    assert shapely.intersects_xy(corridor.wgs84, -74.4, 4.5)
    assert corridor.area_km2 == pytest.approx(10 * GEOD.geometry_length(
        shapely.LineString([(-74.6, 4.4), (-74.2, 4.6)])) / 1000, rel=0.02)


def test_a_regime_elsewhere_with_no_roads_gets_a_clear_error_never_syrias(tmp_path):
    text = (HERE / "elsewhere.yaml").read_text().replace("roads: roads.geojson\n", "").replace(
        "road: R1,", "road: M4,")
    for name in ("line-of-contact.geojson", "square.geojson"):
        (tmp_path / name).write_text((HERE / name).read_text())
    path = tmp_path / "no-roads.yaml"
    path.write_text(text)
    with pytest.raises(RegimeError, match="outside the shipped data \\(Syria\\).*roads"):
        load_regime(path, check_geometry=True)


def test_withdrawal_lines_per_weapon_class(valley):
    def event(event_id, lon, lat, notes, sub="shelling"):
        return {"event_id": event_id, "date": "2031-07-01", "date_end": "2031-07-01", "date_precision": "day",
                "lon": lon, "lat": lat, "place_precision": "exact", "event_type": "explosions", "sub_event_type": sub,
                "weapon_class": notes, "actor1": "Southern Command", "actor2": None, "roles": "one-sided"}

    # points north-west of the line's middle (-74.0, 4.5) at about 30 km and 60 km
    rows = pd.DataFrame([
        event("howitzer-30", -74.19, 4.69, "artillery", "heavy-weapons-presence"),
        event("grad-60", -74.38, 4.88, "mlrs", "heavy-weapons-presence"),
        event("smerch-60", -74.38, 4.88, "heavy-mlrs", "heavy-weapons-presence"),
        event("heavy-30", -74.19, 4.69, "heavy", "heavy-weapons-presence"),
        event("mortar-30", -74.19, 4.69, "mortar", "heavy-weapons-presence"),
    ])
    found = judge(valley, rows).set_index(["event_id", "rule"])["status"].astype(str).to_dict()
    assert found[("howitzer-30", "artillery-withdrawal")] == "confirmed"
    assert ("grad-60", "artillery-withdrawal") not in found  # beyond 50 km, and not artillery anyway
    assert found[("grad-60", "mlrs-withdrawal")] == "confirmed"
    assert found[("smerch-60", "mlrs-withdrawal")] == "confirmed"  # heavy MLRS are MLRS
    assert found[("heavy-30", "artillery-withdrawal")] == "possible"  # "heavy" may be artillery
    assert ("mortar-30", "artillery-withdrawal") not in found


def test_where_and_zones_work_for_it():
    runner = CliRunner()
    out = runner.invoke(main, ["where", "-74.0", "4.5", "--regime", str(HERE / "elsewhere.yaml"),
                               "--at", "2031-07-01"]).output
    assert "zone contact-band" in out and "cease-fire" in out
    geojson = runner.invoke(main, ["zones", "--regime", str(HERE / "elsewhere.yaml"), "--at", "2031-07-01",
                                   "--format", "geojson"])
    assert geojson.exit_code == 0 and '"road-corridor"' in geojson.output


def test_a_line_where_an_area_is_wanted_names_both_types(tmp_path):
    text = (HERE / "elsewhere.yaml").read_text().replace("geometry: {file: {path: square.geojson}}",
                                                         "geometry: {file: {path: line-of-contact.geojson}}")
    for name in ("line-of-contact.geojson", "roads.geojson"):
        (tmp_path / name).write_text((HERE / name).read_text())
    path = tmp_path / "line-zone.yaml"
    path.write_text(text)
    with pytest.raises(RegimeError, match="zones\\[4\\].geometry \\(square\\): a zone needs an area \\(polygons\\); the expression gives a "
                                          "LineString"):
        load_regime(path, check_geometry=True)


def test_patrols_are_planned_in_the_regimes_own_projection(tmp_path):
    """A route patrol on the valley's own road: its length agrees with the geodesic length, and the plan
    round-trips through GeoJSON in the same projection."""
    import datetime as dt

    from ceasefire.patrols import plan_patrols, write_plan
    from ceasefire.patrols.io import read_plan

    text = (HERE / "elsewhere.yaml").read_text() + """
patrols:
  - {id: r1-joint, agreement: valley-accord, forces: [north, south], kind: joint, role: route, road: R1,
     from_place: Puerto Norte, to_place: San Aurelio, cadence: weekly, valid_from: 2031-06-02}
"""
    for name in ("line-of-contact.geojson", "square.geojson", "roads.geojson"):
        (tmp_path / name).write_text((HERE / name).read_text())
    path = tmp_path / "with-patrols.yaml"
    path.write_text(text)
    regime = load_regime(path)
    plan = plan_patrols(regime, dt.date(2031, 6, 2), 7)
    assert plan.patrols and all(p.crs == "EPSG:32618" for p in plan.patrols)
    geodesic = GEOD.geometry_length(shapely.LineString([(-74.6, 4.4), (-74.2, 4.6)])) / 1000
    assert sum(p.length_km for p in plan.patrols) == pytest.approx(geodesic, rel=0.01)
    written = tmp_path / "plan.geojson"
    write_plan(plan.patrols, written)
    again = read_plan(written)
    assert again[0].crs == "EPSG:32618"
    assert sum(p.length_km for p in again) == pytest.approx(sum(p.length_km for p in plan.patrols), rel=1e-6)
