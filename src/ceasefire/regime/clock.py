"""Regime time: dates, times and time zones as the monitor compares them.

A regime's dates and times are wall-clock times in its ``timezone`` (the Moscow ceasefire began at
00:01 on 6 March 2020, Syrian time). Every boundary becomes a *local minute*: a date starts at
00:00 and, as a last day, ends at 23:59; a time without an offset is local; a time with an offset
is that instant, converted to the regime's zone. Events carry local dates (and a local time when
the source gives one), so comparisons are between local minutes and the offset is applied once.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

When = dt.date | dt.datetime
DAY_MINUTES = 24 * 60


@cache
def zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as Asia/Damascus or UTC") from None


def local(when: dt.datetime, timezone: str) -> dt.datetime:
    """A datetime as naive wall-clock time in ``timezone`` (naive input is already local)."""
    if when.tzinfo is None:
        return when
    return when.astimezone(zone_info(timezone)).replace(tzinfo=None)


def local_minute(when: When, timezone: str, last: bool = False) -> np.datetime64:
    """The boundary as a local minute: a date is its first minute, or with ``last`` its final one."""
    if isinstance(when, dt.datetime):
        return np.datetime64(local(when, timezone), "m")
    first = np.datetime64(when, "D").astype("datetime64[m]")
    return first + (DAY_MINUTES - 1 if last else 0)


def has_time(when: When | None) -> bool:
    return isinstance(when, dt.datetime)


def in_period(at: When, start: When, end: When | None, timezone: str = "UTC") -> bool:
    """Whether ``at`` (a whole day, or an instant) meets the period [start, end], ends inclusive."""
    first, last = local_minute(at, timezone), local_minute(at, timezone, last=True)
    after_start = last >= local_minute(start, timezone)
    return bool(after_start and (end is None or first <= local_minute(end, timezone, last=True)))


def moment_before(start: When) -> When:
    """The last moment before a period that starts at ``start``: the day before a date, the minute
    before a time."""
    if isinstance(start, dt.datetime):
        return start - dt.timedelta(minutes=1)
    return start - dt.timedelta(days=1)


def moment_after(end: When) -> When:
    """The first moment after a period whose last moment (or day) is ``end``."""
    if isinstance(end, dt.datetime):
        return end + dt.timedelta(minutes=1)
    return end + dt.timedelta(days=1)


def parse_when(text: str) -> When:
    """``2020-03-06`` → a date; ``2020-03-06T07:30`` or ``2020-03-06 07:30+02:00`` → a datetime."""
    text = text.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (2020-03-06) or a date and time (2020-03-06T07:30)") from None


def describe(when: When, timezone: str) -> str:
    """How a boundary reads in a sentence: '2020-03-06' or '00:01 on 2020-03-06 (Asia/Damascus)'."""
    if not isinstance(when, dt.datetime):
        return when.isoformat()
    wall = local(when, timezone)
    return f"{wall:%H:%M} on {wall.date().isoformat()} ({timezone})"
