"""Listings out, the same way for every command: a table to read, CSV for spreadsheets, JSON for
programs, GeoJSON and GeoPackage for QGIS, Parquet for pandas. Files are written whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from typing import TYPE_CHECKING

from ..errors import OutputError

if TYPE_CHECKING:  # loaded when a listing is written: choosing a format must not cost pandas and GEOS
    import pandas as pd

SUFFIXES = {".txt": "table", ".csv": "csv", ".json": "json", ".geojson": "geojson", ".gpkg": "gpkg",
            ".parquet": "parquet", ".gpx": "gpx", ".md": "md"}
BINARY = {"gpkg", "parquet"}
NOTHING = "—"  # one mark for a missing value, in every table
PAGE_ROWS = 50  # a table on a terminal shows a page and the count; whole listings go to files


def format_of_suffix(output: str | os.PathLike | None) -> str | None:
    if output in (None, "-"):
        return None
    return SUFFIXES.get(Path(output).suffix.lower())


def table_text(frame: pd.DataFrame, columns: list[str] | None = None, empty: str = "nothing to list",
               page: int | None = PAGE_ROWS) -> str:
    """A plain table; a missing value is always shown as the same mark (never NaN in one place, None in another).

    More rows than ``page``: the first page, then how many there are and how to get them all.
    """
    import geopandas as gpd
    import pandas as pd

    if frame.empty:
        return empty
    shown = frame[columns] if columns else frame
    rest = len(shown) - page if page is not None and len(shown) > page else 0
    if rest:
        shown = shown.head(page)
    if isinstance(shown, gpd.GeoDataFrame):
        shown = pd.DataFrame(shown.drop(columns=shown.geometry.name))
    shown = shown.astype(object)
    shown = shown.where(shown.notna() & (shown != ""), NOTHING)
    shown = shown.map(lambda v: v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v)
    with pd.option_context("display.max_colwidth", 120, "display.width", 250, "display.max_rows", None):
        text = shown.to_string(index=False)
    if rest:
        text += (f"\n… and {rest:,} more rows ({len(frame):,} in all): write them all to a file with -o FILE "
                 "(.csv, .json, .geojson, .gpkg, .parquet), or --format csv")
    return text


def encode(frame: pd.DataFrame, fmt: str, table: Callable[[], str] | None = None) -> str | bytes:
    """The listing as text (table, csv, json, geojson) or bytes (parquet)."""
    import geopandas as gpd
    import pandas as pd

    from .geojson import to_geojson

    plain = pd.DataFrame(frame.drop(columns=frame.geometry.name)) if isinstance(frame, gpd.GeoDataFrame) else frame
    if fmt == "table":
        return table() if table else table_text(frame)
    if fmt == "csv":
        return plain.to_csv(index=False)
    if fmt == "json":
        return plain.to_json(orient="records", indent=1, force_ascii=False, date_format="iso") + "\n"
    if fmt == "geojson":
        if not isinstance(frame, gpd.GeoDataFrame):
            raise OutputError("this listing has no geometry: choose csv or json")
        return to_geojson(frame) + "\n"
    if fmt == "parquet":
        import io

        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return buffer.getvalue()
    raise OutputError(f"unknown format {fmt!r}")


def check_writable(output: Path) -> None:
    """Say clearly where an output cannot go, before any work is done."""
    folder = output.parent if str(output.parent) else Path(".")
    if output.is_dir():
        raise OutputError(f"cannot write {output}: it is a folder; give a file name")
    if not folder.is_dir():
        raise OutputError(f"cannot write {output}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"cannot write {output}: the folder {folder} is not writable")


def write_atomically(output: Path, write: Callable[[Path], None]) -> None:
    """``write`` fills a temporary file beside ``output``, which then replaces it: never a half-written file."""
    check_writable(output)
    fd, temp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=output.suffix, dir=output.parent or ".")
    os.close(fd)
    os.unlink(temp)  # some writers (GeoPackage) refuse an existing empty file
    try:
        write(Path(temp))
        os.replace(temp, output)
    except OSError as exc:
        raise OutputError(f"cannot write {output} ({exc})") from None
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def write_frame(frame: pd.DataFrame, fmt: str, output: Path, layer: str = "features",
                table: Callable[[], str] | None = None) -> None:
    import geopandas as gpd

    if fmt == "gpkg":
        if not isinstance(frame, gpd.GeoDataFrame):
            raise OutputError("this listing has no geometry: choose csv, json or parquet")
        write_atomically(output, lambda path: frame.to_file(path, driver="GPKG", layer=layer))
        return
    data = encode(frame, fmt, table)
    if isinstance(data, str):
        data = data if data.endswith("\n") else data + "\n"
        write_atomically(output, lambda path: path.write_text(data, encoding="utf-8"))
    else:
        write_atomically(output, lambda path: path.write_bytes(data))
