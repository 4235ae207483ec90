"""Dates in text: explicit ("March 8, 2019", "Oct. 15"), relative ("today", "on Friday", "last month",
"In February of this year") and partial ("Since May 2017", "In September 2018"), each with its
precision (day, month, year) and span. Also: the publication date read from the text's own anchors
when the input gives none.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
YEAR = r"(?P<year>(?:19|20)\d{2})"
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}

PATTERNS = [
    ("day", re.compile(rf"\b{MONTH}\s+{DAY}(?:,?\s+{YEAR})?\b", re.I)),            # March 8th, 2019 / Oct. 15
    ("day", re.compile(rf"\b{DAY}\s+{MONTH}(?:,?\s+{YEAR})?\b", re.I)),             # 8 March 2019
    ("month", re.compile(rf"\b(?:mid-|early |late )?{MONTH}(?:\s+of)?\s+(?:{YEAR}|(?P<this>this year))\b", re.I)),
    ("month", re.compile(rf"\b(?:in|since|by|from|until|last|mid-)\s+{MONTH}\b(?!\s+\d)", re.I)),
    ("year", re.compile(rf"(?<![\d,.]){YEAR}(?![\d,])")),
    ("relative", re.compile(r"\b(?P<rel>today|yesterday|tomorrow|last month|last week|this week|this month|"
                            r"last year|this year)\b", re.I)),
    ("weekday", re.compile(r"\b(?:on\s+)?(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
                           re.I)),
]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    date: dt.date | None  # first day of the period
    precision: str  # day, week, month, year
    explicit_year: bool
    kind: str = "calendar"  # calendar (names a month), relative (today, last month), weekday


def _month(value: str) -> int | None:
    return MONTHS.get(value.lower().rstrip("."))


def find_dates(text: str, anchor: dt.date | None = None) -> list[DateMention]:
    """Every date expression, resolved against ``anchor`` (the publication date) where it needs one."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            mention = _resolve(kind, m, anchor)
            if mention is not None:
                found.append(mention)
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


def _resolve(kind: str, m: re.Match, anchor: dt.date | None) -> DateMention | None:
    g = m.groupdict()
    year = int(g["year"]) if g.get("year") else None
    explicit = year is not None
    if kind == "day":
        month, day = _month(g["month"]), int(g["day"])
        if not month or not 1 <= day <= 31:
            return None
        year = year or _year_near(anchor, month, day)
        try:
            date = dt.date(year, month, day) if year else None
        except ValueError:
            return None
        return DateMention(m.start(), m.end(), m.group(0), date, "day", explicit)
    if kind == "month":
        month = _month(g["month"])
        if not month:
            return None
        if g.get("this") and anchor:
            year = anchor.year
        year = year or _year_near(anchor, month, 1)
        return DateMention(m.start(), m.end(), m.group(0), dt.date(year, month, 1) if year else None, "month",
                           explicit)
    if kind == "year":
        return DateMention(m.start(), m.end(), m.group(0), dt.date(year, 1, 1), "year", True)
    if kind == "relative":
        if anchor is None:
            return DateMention(m.start(), m.end(), m.group(0), None, "day", False, "relative")
        rel = g["rel"].lower()
        if rel in ("today", "yesterday", "tomorrow"):
            shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[rel]
            return DateMention(m.start(), m.end(), m.group(0), anchor + dt.timedelta(days=shift), "day", False,
                               "relative")
        if rel in ("this week", "last week"):
            base = anchor - dt.timedelta(days=anchor.weekday() + (7 if rel == "last week" else 0))
            return DateMention(m.start(), m.end(), m.group(0), base, "week", False, "relative")
        if rel in ("this month", "last month"):
            first = anchor.replace(day=1)
            if rel == "last month":
                first = (first - dt.timedelta(days=1)).replace(day=1)
            return DateMention(m.start(), m.end(), m.group(0), first, "month", False, "relative")
        year = anchor.year - (1 if rel == "last year" else 0)
        return DateMention(m.start(), m.end(), m.group(0), dt.date(year, 1, 1), "year", False, "relative")
    if kind == "weekday":
        if anchor is None:
            return DateMention(m.start(), m.end(), m.group(0), None, "day", False, "weekday")
        back = (anchor.weekday() - WEEKDAYS[g["weekday"].lower()]) % 7  # the last such day up to the anchor
        return DateMention(m.start(), m.end(), m.group(0), anchor - dt.timedelta(days=back), "day", False, "weekday")
    return None


def _year_near(anchor: dt.date | None, month: int, day: int) -> int | None:
    """A date written without its year: the one nearest before the anchor (news reports the recent past)."""
    if anchor is None:
        return None
    try:
        candidate = dt.date(anchor.year, month, day)
    except ValueError:
        return anchor.year
    return anchor.year if candidate <= anchor + dt.timedelta(days=31) else anchor.year - 1


DATELINE = re.compile(rf"\s*(?P<city>[A-Z][A-Z .'-]+),\s+{MONTH}\s+{DAY}(?:,?\s+{YEAR})?\b", re.I)
ANNOUNCED = re.compile(r"\b(announced|said|stated|reported|declared)\s+on\s+", re.I)


def publication_date_from_text(text: str) -> tuple[dt.date, str] | None:
    """The publication date from the text's own anchors, with the reasoning, or None.

    A day named with "today" nearby, or after "announced/said on", is taken as the day of the report.
    Its year, if not written, is the latest year the text gives, moved one on when the day would come
    before the latest dated fact of that year (a report follows what it reports).
    """
    mentions = find_dates(text)
    explicit = [d for d in mentions if d.explicit_year and d.date]
    latest = max(explicit, key=lambda d: d.date) if explicit else None
    dateline = DATELINE.match(text)
    if dateline and dateline.group("city").isupper():  # "ASTANA, May 4. /TASS/" — the report's own place and day
        month, day = _month(dateline.group("month")), int(dateline.group("day"))
        year = int(dateline.group("year")) if dateline.group("year") else (latest.date.year if latest else None)
        if month and year:
            try:
                return dt.date(year, month, day), f"dateline '{dateline.group(0).strip()}'" + (
                    "" if dateline.group("year") else f"; year from '{latest.text}'")  # type: ignore[union-attr]
            except ValueError:
                pass
    has_today = re.search(r"\btoday\b", text, re.I) is not None
    for d in mentions:
        if d.precision != "day" or d.kind != "calendar":
            continue
        before = text[max(0, d.start - 20):d.start]
        if not (ANNOUNCED.search(before) or has_today):
            continue
        month = _month(re.search(MONTH, d.text, re.I).group("month"))  # type: ignore[union-attr]
        day = int(re.search(r"\d+", d.text).group(0))  # type: ignore[union-attr]
        if d.explicit_year and d.date:
            return d.date, f"text: '{d.text}'"
        if latest is None:
            return None
        year = latest.date.year
        if (month, day) < (latest.date.month, latest.date.day):
            year += 1
        why = f"text: '{text[max(0, d.start - 13):d.end].strip()}'" + (" with 'today'" if has_today else "")
        return dt.date(year, month, day), f"{why}; year from the latest dated fact '{latest.text}'"
    return None
