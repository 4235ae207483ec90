"""The query parameters of OGC API – Features, read strictly: a bad one is a 400 that says what was expected."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from ..errors import InputError

DEFAULT_LIMIT, MAX_LIMIT = 100, 10_000


@dataclass(frozen=True)
class Period:
    """``datetime`` as days: an instant D is [D, D]; an open end is None."""

    start: dt.date | None
    end: dt.date | None
    instant: bool = False


def _moment(text: str) -> dt.date:
    text = text.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise InputError(f"datetime: {text!r} is not a date (2019-03-08) or an RFC 3339 time "
                         "(2019-03-08T10:00:00Z)") from None


def parse_datetime(value: str | None) -> Period:
    """``D``, ``D1/D2``, ``../D2``, ``D1/..`` (or an empty end), as in OGC API – Features."""
    if value is None or not value.strip():
        return Period(None, None)
    if "/" not in value:
        day = _moment(value)
        return Period(day, day, instant=True)
    left, _, right = value.partition("/")
    if "/" in right:
        raise InputError(f"datetime: {value!r} has more than one '/': give D, D1/D2, ../D2 or D1/..")
    start = None if left.strip() in ("", "..") else _moment(left)
    end = None if right.strip() in ("", "..") else _moment(right)
    if start is None and end is None:
        raise InputError("datetime: '../..' names no time: leave datetime out to ask for all")
    if start and end and start > end:
        raise InputError(f"datetime: {value!r} ends before it starts")
    return Period(start, end)


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """``minlon,minlat,maxlon,maxlat`` in WGS84 (a bbox of six numbers takes the first two and 4th–5th)."""
    if value is None or not value.strip():
        return None
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        raise InputError(f"bbox: {value!r} is not four numbers minlon,minlat,maxlon,maxlat") from None
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise InputError(f"bbox: {value!r} is not four numbers minlon,minlat,maxlon,maxlat")
    west, south, east, north = numbers
    if not (-90 <= south <= north <= 90) or not (-180 <= west <= 180 and -180 <= east <= 180) or west > east:
        raise InputError(f"bbox: {value!r}: latitudes within -90..90 (south first), longitudes within -180..180 "
                         "(west first)")
    return west, south, east, north


def listed(value: str | None) -> list[str]:
    """A filter of one value or several (comma-separated)."""
    if value is None:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]
