"""Cut the Syrian–Turkish border line from the shipped admin units, for regimes that need it as a line.

Writes src/ceasefire/regime/builtin/syria-northeast/turkish-border.geojson: Syria's outline north of
36.3° N from the Hatay border in the west to the Tigris tripoint with Iraq (the outline's easternmost
vertex), west to east, as a `road`-named line a regime can use for `corridor` and route patrols.
Derived from geoBoundaries/OCHA (CC BY 3.0 IGO), simplified as the shipped units are.
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely

from ceasefire.geodata.basedata import admin_units

TARGET = Path(__file__).resolve().parents[1] / "src/ceasefire/regime/builtin/syria-northeast/turkish-border.geojson"


def main() -> None:
    units = admin_units()
    country = shapely.union_all(units[units["level"] == 1].geometry.values)
    north = shapely.line_merge(country.boundary.intersection(shapely.box(35.5, 36.3, 42.5, 37.5)))
    line = max(shapely.get_parts(north), key=lambda g: g.length)
    coords = list(line.coords)
    if coords[0][0] > coords[-1][0]:
        coords.reverse()
    east = max(range(len(coords)), key=lambda i: coords[i][0])  # the Tigris tripoint
    coords = [(round(x, 5), round(y, 5)) for x, y in coords[: east + 1]]
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"road": "Turkish border", "source": "geoBoundaries/OCHA admin units (CC BY 3.0 IGO)"},
        "geometry": {"type": "LineString", "coordinates": coords}}]}) + "\n")
    print(f"{TARGET.name}: {len(coords)} points, from {coords[0]} to {coords[-1]}")


if __name__ == "__main__":
    main()
