"""The monitor's index of a regime, kept on disk: zone versions, unit relations and grids.

Building a regime's :class:`~ceasefire.monitor.engine.MonitorIndex` (zones over time, how every admin
unit stands to every zone, a grid per zone and tolerance) takes seconds; every ``ceasefire`` call that
judges needs it. It is kept in ``<cache>/index/<key>.npz``, the key a hash of what it is built from:
the regime's content (and the evaluation keys of its expressions, which cover ``file:`` maps and the
regime's ground), the shipped base data, the package version and the code that builds it. The cache
folder is ``$CEASEFIRE_CACHE_DIR`` or the user cache directory, as for geometries; ``CEASEFIRE_NO_CACHE``
turns it off.

The file holds plain arrays and JSON (geometries as WKB), never pickles. A file that cannot be read,
or does not match the regime, is ignored and the index rebuilt; a cache that cannot be written is
no error: it is only a speed-up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..geodata.basedata import data_version
from ..regime.models import Regime
from ..zones.timeline import ZoneShape, ZoneVersion, expression_of, regime_evaluator
from .locate import ZoneLocator
from .place import PlaceIndex

FORMAT = 1  # bumped when the file's layout changes
# The code whose output the file holds: a change to any of it makes a new key.
SOURCES = ("zones", "geodata", "monitor/place.py", "monitor/locate.py", "monitor/engine.py", "monitor/index_cache.py")


def cache_folder() -> Path | None:
    if os.environ.get("CEASEFIRE_NO_CACHE"):
        return None
    from platformdirs import user_cache_dir

    return Path(os.environ.get("CEASEFIRE_CACHE_DIR") or user_cache_dir("ceasefire")) / "index"


def index_key(regime: Regime) -> str:
    """A hash of everything the regime's index is built from."""
    evaluator = regime_evaluator(regime, [])
    expressions = [evaluator.key(expression_of(z)) for z in regime.zones]
    expressions += [evaluator.key(c.area.model_dump(by_alias=True, exclude_none=True)) for c in regime.control]
    text = json.dumps([FORMAT, _package_version(), data_version(), _code_version(),
                       regime.model_dump(mode="json", by_alias=True), expressions], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _package_version() -> str:
    try:
        return metadata.version("ceasefire")
    except metadata.PackageNotFoundError:
        return "unknown"


def _code_version() -> str:
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in SOURCES:
        for path in sorted((root / name).glob("*.py")) if (root / name).is_dir() else [root / name]:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------- reading and writing


def load(regime: Regime) -> tuple[dict[str, ZoneShape], PlaceIndex] | None:
    """The regime's zone shapes and place index from the cache, or None (no cache, no file, a file that
    cannot be read or does not fit this regime)."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        key = index_key(regime)
        path = folder / f"{key}.npz"
        if not path.is_file():
            return None
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as stored:  # closed even if torn
            arrays = {name: stored[name] for name in stored.files}
        return _restore(regime, key, arrays)
    except Exception:  # noqa: BLE001  a torn, foreign or stale file: rebuild; the cache never fails judging
        return None


def save(regime: Regime, shapes: dict[str, ZoneShape], place: PlaceIndex) -> None:
    """Write the index for the regime, atomically (readers never see half a file); silently nothing when
    caching is off, the index holds what the file cannot, or the folder cannot be written."""
    folder = cache_folder()
    if folder is None:
        return
    try:
        key = index_key(regime)
        arrays = _arrays(regime, key, shapes, place)
    except Exception:  # noqa: BLE001  nothing here may make judging fail: the index is simply not kept
        return
    temporary = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".npz.tmp", delete=False) as handle:
            temporary = Path(handle.name)
            np.savez(handle, **arrays)
        temporary.replace(folder / f"{key}.npz")
    except OSError:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


class _Unsupported(Exception):
    """Something in the index this file cannot hold exactly: then it is not cached."""


class _Geometries:
    """Geometries by number, each stored once however often it is referred to."""

    def __init__(self) -> None:
        self.items: list[BaseGeometry] = []
        self._numbers: dict[int, int] = {}

    def number(self, geom: BaseGeometry) -> int:
        if id(geom) not in self._numbers:
            self._numbers[id(geom)] = len(self.items)
            self.items.append(geom)
        return self._numbers[id(geom)]


def _moment(when: dt.date | dt.datetime | None) -> str | None:
    """A boundary as text that reads back to an equal value, or _Unsupported."""
    if when is None:
        return None
    text = ("t:" if isinstance(when, dt.datetime) else "d:") + when.isoformat()
    back = _read_moment(text)
    if back != when or repr(back) != repr(when):  # e.g. a named time zone would come back as an offset
        raise _Unsupported(text)
    return text


def _read_moment(text: str | None) -> dt.date | dt.datetime | None:
    if text is None:
        return None
    return dt.datetime.fromisoformat(text[2:]) if text.startswith("t:") else dt.date.fromisoformat(text[2:])


def _arrays(regime: Regime, key: str, shapes: dict[str, ZoneShape], place: PlaceIndex) -> dict[str, np.ndarray]:
    geoms = _Geometries()
    changes = {id(c): number for number, c in enumerate(regime.control)}
    zones = []
    for zone_id, shape in shapes.items():
        versions = [{
            "start": _moment(v.start), "end": _moment(v.end), "metric": geoms.number(v.metric),
            "wgs84": geoms.number(v.wgs84), "change": changes[id(v.change)] if v.change is not None else None,
            "cuts": [[geoms.number(area), kept] for area, kept in v.cuts],
        } for v in shape.versions]
        zones.append({"id": zone_id, "metric": geoms.number(shape.metric), "wgs84": geoms.number(shape.wgs84),
                      "crs": shape.crs, "versions": versions})
    locators = []
    grids = []
    for (kind, number, which), locator in place._locators.items():
        locators.append({"key": [kind, number, which], "geom": geoms.number(locator.geom), "x0": locator.x0,
                         "y0": locator.y0, "cell": locator.cell, "empty": locator.empty})
        grids.append(locator.grid)
    meta = {
        "key": key, "zones": zones, "crs": place.crs, "zone_ids": place.zone_ids,
        "metric": [geoms.number(g) for g in place.metric], "base": place.base,
        "bases": [geoms.number(g) for g in place.bases], "cuts": [[list(c) for c in cuts] for cuts in place.cuts],
        "cut_areas": [geoms.number(g) for g in place.cut_areas], "locators": locators,
    }
    wkb = shapely.to_wkb(np.array(geoms.items, dtype=object))
    arrays = {
        "meta": np.frombuffer(json.dumps(meta).encode(), np.uint8),
        "wkb": np.frombuffer(b"".join(wkb), np.uint8),
        "wkb_ends": np.cumsum([len(b) for b in wkb]).astype(np.int64),
        "unit_relation": place.unit_relation, "country_relation": place.country_relation,
    }
    for number, grid in enumerate(grids):
        arrays[f"grid{number}"] = grid
    return arrays


def _restore(regime: Regime, key: str, arrays: dict[str, np.ndarray]) -> tuple[dict[str, ZoneShape], PlaceIndex] | None:
    meta: dict[str, Any] = json.loads(bytes(arrays["meta"]).decode())
    zones = {z.id: z for z in regime.zones}
    if meta["key"] != key or [z["id"] for z in meta["zones"]] != list(zones):
        return None
    blob = arrays["wkb"].tobytes()
    ends = arrays["wkb_ends"].tolist()
    geoms = list(shapely.from_wkb([blob[start:end] for start, end in zip([0, *ends[:-1]], ends)]))
    shapes = {}
    for z in meta["zones"]:
        versions = tuple(ZoneVersion(
            _read_moment(v["start"]), _read_moment(v["end"]), geoms[v["metric"]], geoms[v["wgs84"]],
            regime.control[v["change"]] if v["change"] is not None else None,
            tuple((geoms[area], bool(kept)) for area, kept in v["cuts"]),
        ) for v in z["versions"])
        shapes[z["id"]] = ZoneShape(zones[z["id"]], geoms[z["metric"]], geoms[z["wgs84"]], versions, z["crs"])
    place = PlaceIndex(meta["zone_ids"], [geoms[g] for g in meta["metric"]], meta["base"],
                       [geoms[g] for g in meta["bases"]], [tuple((a, bool(k)) for a, k in c) for c in meta["cuts"]],
                       [geoms[g] for g in meta["cut_areas"]], arrays["unit_relation"], arrays["country_relation"],
                       meta["crs"])
    for number, locator in enumerate(meta["locators"]):
        place._locators[tuple(locator["key"])] = ZoneLocator.restore(
            geoms[locator["geom"]], arrays[f"grid{number}"], locator["x0"], locator["y0"], locator["cell"],
            locator["empty"])
    return shapes, place
