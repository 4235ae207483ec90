"""The shipped base data: administrative units, roads and the gazetteer.

Loaded once per process (they are small) and handed out as GeoDataFrames and
plain records. Everything here is read from `ceasefire/data/`; nothing is
fetched from the network.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .names import name_key

if TYPE_CHECKING:  # imported where used: the news reader needs the gazetteer, not geopandas
    import geopandas as gpd

METRIC_CRS = "EPSG:32637"  # UTM 37N: metres over all of Syria
WGS84 = "EPSG:4326"


def data_path(name: str) -> Path:
    return Path(str(resources.files("ceasefire") / "data" / name))


@cache
def data_version() -> str:
    """A hash of the shipped base files: part of every geometry cache key."""
    h = hashlib.sha256()
    for name in ("admin.geojson", "roads.geojson", "gazetteer.csv"):
        h.update(data_path(name).read_bytes())
    return h.hexdigest()[:16]


@cache
def admin_units() -> gpd.GeoDataFrame:
    """All admin units: columns level (1–3), pcode, name, name_ar, parent, adm1, aliases, geometry."""
    import geopandas as gpd

    units = gpd.read_file(data_path("admin.geojson"))
    units["parent"] = units["parent"].fillna("")
    units["aliases"] = units["aliases"].fillna("")
    return units


@cache
def admin_units_metric(crs: str = METRIC_CRS) -> gpd.GeoDataFrame:
    return admin_units().to_crs(crs)


@cache
def roads() -> gpd.GeoDataFrame:
    import geopandas as gpd

    return gpd.read_file(data_path("roads.geojson"))


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name: str
    kind: str  # "place", "adm1", "adm2", "adm3"
    lat: float
    lon: float
    adm3: str
    population: int
    alternates: tuple[str, ...]
    source: str


@cache
def gazetteer() -> tuple[Place, ...]:
    with open(data_path("gazetteer.csv"), encoding="utf-8", newline="") as fh:
        return tuple(
            Place(
                id=r["id"], name=r["name"], kind=r["kind"], lat=float(r["lat"]), lon=float(r["lon"]),
                adm3=r["adm3"], population=int(r["population"] or 0),
                alternates=tuple(a for a in r["alternates"].split("|") if a), source=r["source"],
            )
            for r in csv.DictReader(fh)
        )


@cache
def _place_index() -> dict[str, list[Place]]:
    index: dict[str, list[Place]] = {}
    for place in gazetteer():
        for key in {name_key(n) for n in (place.name, *place.alternates)}:
            if key:
                index.setdefault(key, []).append(place)
    return index


def find_places(name: str) -> list[Place]:
    """Every gazetteer entry with this name in any known spelling, populated places first."""
    return list(_ranked(name_key(name)))


@cache
def _ranked(key: str) -> tuple[Place, ...]:
    return tuple(sorted(_place_index().get(key, []), key=lambda p: (p.kind != "place", -p.population, p.id)))
