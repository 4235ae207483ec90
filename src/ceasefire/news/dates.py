"""Dates in text: explicit ("March 8, 2019", "Oct. 15"), relative ("today", "on Friday", "last month",
"In February of this year") and partial ("Since May 2017", "In September 2018"), each with its
precision (day, month, year) and span. Also: the publication date read from the text's own anchors
when the input gives none.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace

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
    ("month", re.compile(rf"\b(?:(?:in|since|by|from|until|last|(?P<thismonth>this|next))\s+|mid-\s*)"
                         rf"{MONTH}\b(?!\s+\d)", re.I)),
    ("year", re.compile(rf"(?<![\d,.]){YEAR}(?![\d,])")),
    ("relative", re.compile(r"\b(?P<rel>today|yesterday|tomorrow|last month|last week|this week|this month|"
                            r"last year|this year)\b", re.I)),
    ("same", re.compile(r"\b(?:on\s+)?the\s+same\s+(?:date|day)\b", re.I)),
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
    kind: str = "calendar"  # calendar (names a month), relative (today, last month), weekday, same
    # what the date is to the sentence: when it happened (event), a deadline ("by 15 October"), when something
    # starts ("starting on March 6", "from Jan 12"), or since when ("since August 2016": background)
    role: str = "event"


# The words just before a date that say what it is to the sentence.
ROLE_BEFORE = [
    ("deadline", re.compile(r"\b(?:by|until|till|before|no later than|deadline(?: of)?|due(?: on)?)\s+(?:the\s+)?"
                            r"(?:end of\s+)?$", re.I)),
    ("start", re.compile(r"\b(?:starting|beginning|effective|as of|from|(?:to|will|would|shall|set to|due to)\s+"
                         r"(?:start|begin|take effect|come into (?:force|effect))(?:[^.;,]{0,30}?)?|"
                         r"(?:come|comes|came|coming|go|goes|went|enter(?:s|ed)?) into (?:force|effect)|"
                         r"take(?:s)? effect|takes? hold|in effect)(?:\s+(?:on|from|at))?\s+$", re.I)),
    ("since", re.compile(r"\bsince\s+(?:the\s+)?(?:end of\s+|early\s+|mid-?\s*|late\s+)?$", re.I)),
    ("reference", re.compile(r"\b(?:agreement|deal|protocol|memorandum|accord|cease-?fire)\b[^.;]{0,50}\b(?:reached|"
                             r"signed|agreed|concluded|brokered)\b[^.;]{0,30}?\b(?:on|in)\s+$", re.I)),
]
DEADLINE_AFTER = re.compile(r"\s+deadline\b", re.I)
# The patterns that name a month are tried only around the months a text names (most words are none).
_MONTH_AT = re.compile(r"(?i)\b(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b")
_NAMES_A_MONTH = {id(pattern) for kind, pattern in PATTERNS if "(?P<month>" in pattern.pattern}
_BEFORE_MONTH = 16  # the farthest those patterns start before the month's name ("since mid-", "15th ")


def _match_around(pattern: re.Pattern[str], text: str, at: int) -> re.Match[str] | None:
    """The leftmost match of ``pattern`` that holds the month named at ``at``: tried at each word start a
    little before it (the patterns all start at a word), never cut short by a window's end."""
    for pos in range(max(0, at - _BEFORE_MONTH), at + 1):
        if pos and text[pos - 1].isalnum():
            continue
        m = pattern.match(text, pos)
        if m and m.start() <= at < m.end():
            return m
    return None


def _month(value: str) -> int | None:
    return MONTHS.get(value.lower().rstrip("."))


def find_dates(text: str, anchor: dt.date | None = None) -> list[DateMention]:
    """Every date expression, resolved against ``anchor`` (the publication date) where it needs one."""
    return _find_dates(text, anchor)


def _find_dates(text: str, anchor: dt.date | None, around_months: bool = True) -> list[DateMention]:
    """``around_months``: try the patterns that name a month only near a month's name (the same dates as
    scanning the whole text, tested, in about half the time)."""
    found: list[DateMention] = []
    taken = bytearray(len(text) + 1)  # 1 under every date found: earlier patterns (the more precise) win
    months = [m.start() for m in _MONTH_AT.finditer(text)]
    for kind, pattern in PATTERNS:
        if around_months and id(pattern) in _NAMES_A_MONTH:
            matches = [m for at in months if (m := _match_around(pattern, text, at))]
        else:
            matches = list(pattern.finditer(text))
        for m in matches:
            if taken.find(1, m.start(), m.end()) != -1:
                continue
            mention = _resolve(kind, m, anchor)
            if mention is not None:
                mention = _with_role(text, mention)
                if mention.role == "deadline" and not mention.explicit_year and mention.date and anchor:
                    mention = _ahead(mention, kind, anchor)
                found.append(mention)
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    found.sort(key=lambda d: d.start)
    return _same_dates(found)


def _with_role(text: str, mention: DateMention) -> DateMention:
    before = text[max(0, mention.start - 90):mention.start]
    lead = re.match(r"(?i)(?P<w>by|until|since|from|starting)\s", mention.text)  # the month pattern keeps its word
    if lead:
        before, mention = before + lead.group(0), replace(mention, start=mention.start + lead.end(),
                                                          text=mention.text[lead.end():])
    for role, pattern in ROLE_BEFORE:
        if pattern.search(before):
            return replace(mention, role=role)
    if DEADLINE_AFTER.match(text, mention.end):  # "to meet the October 15 deadline"
        return replace(mention, role="deadline")
    return mention


def _ahead(mention: DateMention, kind: str, anchor: dt.date) -> DateMention:
    """A deadline lies ahead: "by Wednesday" is the coming one, "by 10 October" this year's or next."""
    if kind == "weekday" and mention.date < anchor:  # type: ignore[operator]
        return replace(mention, date=mention.date + dt.timedelta(days=7))  # type: ignore[operator]
    if kind != "weekday" and mention.date < anchor - dt.timedelta(days=7):  # type: ignore[operator]
        return replace(mention, date=_next_year(mention.date))  # type: ignore[arg-type]
    return mention


def _next_year(date: dt.date) -> dt.date:
    try:
        return date.replace(year=date.year + 1)
    except ValueError:  # 29 February
        return date.replace(year=date.year + 1, day=28)


def _same_dates(found: list[DateMention]) -> list[DateMention]:
    """ "on the same date" is the date named just before it."""
    out: list[DateMention] = []
    for d in found:
        if d.kind == "same":
            earlier = next((x for x in reversed(out) if x.date and x.kind != "same"), None)
            d = replace(d, date=earlier.date if earlier else None, precision=earlier.precision if earlier else "day",
                        explicit_year=earlier.explicit_year if earlier else False)
        out.append(d)
    return out


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
        if (g.get("this") or g.get("thismonth")) and anchor:
            year = anchor.year + (1 if (g.get("thismonth") or "").lower() == "next" and month <= anchor.month else 0)
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
    if kind == "same":
        return DateMention(m.start(), m.end(), m.group(0), None, "day", False, "same")
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


URL_DATES = [  # /2018/09/17/, /20200316-, /2020-01-10-, /2019/03/ (a month)
    ("day", re.compile(r"/(?P<year>(?:19|20)\d{2})/(?P<month>[01]?\d)/(?P<day>[0-3]?\d)(?:/|$)")),
    ("day", re.compile(r"[/_-](?P<year>(?:19|20)\d{2})-?(?P<month>[01]\d)-?(?P<day>[0-3]\d)(?:[-_/.]|$)")),
    ("month", re.compile(r"/(?P<year>(?:19|20)\d{2})/(?P<month>[01]?\d)/")),
]


def publication_date_from_url(url: str | None) -> tuple[dt.date, str, str] | None:
    """The date a URL carries (many outlets put it in the path): (date, precision, reason) or None."""
    if not url:
        return None
    for precision, pattern in URL_DATES:
        for m in pattern.finditer(url):
            try:
                date = dt.date(int(m.group("year")), int(m.group("month")),
                               int(m.group("day")) if precision == "day" else 1)
            except ValueError:
                continue
            return date, precision, f"url '{m.group(0).strip('/_-.')}'"
    return None


def refine_month(anchor: dt.date, precision: str, text: str) -> tuple[dt.date, str] | None:
    """A publication known to the month: the latest full date the text gives in that month is a better anchor
    for "on Friday" than the 1st (the report is at least that recent)."""
    if precision != "month":
        return None
    days = [d for d in find_dates(text) if d.precision == "day" and d.kind == "calendar" and d.explicit_year
            and d.date and (d.date.year, d.date.month) == (anchor.year, anchor.month)]
    if not days:
        return None
    latest = max(days, key=lambda d: d.date)  # type: ignore[arg-type, return-value]
    return latest.date, f"the latest date the text gives in the month: '{latest.text}'"  # type: ignore[return-value]


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
