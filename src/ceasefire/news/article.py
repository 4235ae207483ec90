"""Articles in: plain text, HTML or JSONL of {url, published, title, text|html}; page furniture out.

Cleaning never moves a character: furniture (share counters, "- Advertisement -", newsletter and
subscribe lines) is blanked with spaces, so every offset the reader reports points into the
text as given (for HTML: into the main text trafilatura extracts from it).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

FURNITURE = [
    re.compile(r"^\s*\d+\s+[\d,.]+[kKmM]?\s*$"),  # share / view counters: "0 2,365"
    re.compile(r"^\s*[-–—]?\s*advertisement\s*[-–—]?\s*$", re.I),
    re.compile(r"^\s*(subscribe|sign up|get real time updates|follow us|share this|related articles?|read more)\b.*$",
               re.I),
    re.compile(r"^.*\b(subscribe now|to our newsletter|newsletter)\b.*$", re.I),
    re.compile(r"^\s*(share|tweet|email|print|comments?)\s*(\|\s*\w+\s*)*$", re.I),
]


@dataclass
class Article:
    id: str
    text: str  # as given (or as extracted from HTML); all offsets point here
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: dt.date | None = None
    published_source: str | None = None  # "input", "html metadata", or the text anchor used
    published_precision: str = "day"
    furniture: list[tuple[int, int]] = field(default_factory=list)

    @property
    def clean(self) -> str:
        """The text with furniture blanked: same length, same offsets."""
        chars = list(self.text)
        for start, end in self.furniture:
            chars[start:end] = " " * (end - start)
        return "".join(chars)


def find_furniture(text: str) -> list[tuple[int, int]]:
    spans, offset = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip() and any(p.match(body) for p in FURNITURE):
            spans.append((offset, offset + len(body)))
        offset += len(line)
    return spans


def _date(value: object) -> dt.date | None:
    """An ISO date; a bare year-month ("2019-03") is taken as the month's first day."""
    if not value:
        return None
    text = str(value)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return dt.date.fromisoformat(text[:7] + "-01")
    except ValueError:
        return None


def _precision(value: object) -> str:
    return "month" if value and len(str(value)) == 7 else "day"


def from_html(html: str, ident: str, url: str | None = None) -> Article:
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, url=url)
    if doc is None or not getattr(doc, "text", None):
        raise InputError(f"{ident}: no main text found in the HTML")
    published = _date(getattr(doc, "date", None))
    article = Article(ident, doc.text, url or getattr(doc, "url", None), getattr(doc, "sitename", None),
                      getattr(doc, "title", None), published, "html metadata" if published else None)
    article.furniture = find_furniture(article.text)
    return article


def from_text(text: str, ident: str, **meta: object) -> Article:
    title = meta.pop("title", None)
    if title is None:  # a plain-text file: its first line is the headline
        first = text.strip().splitlines()[0] if text.strip() else ""
        title = first if len(first) < 200 else None
    given = meta.pop("published", None)
    published = _date(given)
    article = Article(ident, text, title=title, published=published,
                      published_source="input" if published else None, published_precision=_precision(given),
                      **{k: v for k, v in meta.items() if k in ("url", "outlet")})  # type: ignore[arg-type]
    article.furniture = find_furniture(text)
    return article


def read_articles(source: str | Path) -> Iterator[Article]:
    """Articles from a file (.txt, .html, .jsonl), a folder of them, or '-' (JSONL or text on stdin)."""
    if str(source) == "-":
        data = sys.stdin.read()
        yield from (_jsonl(data, "stdin") if data.lstrip().startswith("{") else [from_text(data, "stdin")])
        return
    path = Path(source)
    if path.is_dir():
        for child in sorted(path.iterdir()):
            if child.suffix.lower() in (".txt", ".html", ".htm", ".jsonl"):
                yield from read_articles(child)
        return
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        data = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    if path.suffix.lower() == ".jsonl":
        yield from _jsonl(data, str(path))
    elif path.suffix.lower() in (".html", ".htm"):
        yield from_html(data, path.stem)
    else:
        yield from_text(data, path.stem)


def _jsonl(data: str, name: str) -> Iterator[Article]:
    for line_no, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{line_no}: not JSON ({exc.msg})") from None
        ident = str(row.get("id") or f"{Path(name).stem}-{line_no}")
        published = row.get("published") or row.get("date")
        if row.get("html"):
            article = from_html(row["html"], ident, row.get("url"))
            if published and not article.published:
                article.published, article.published_source = _date(published), "input"
        elif row.get("text"):
            article = from_text(row["text"], ident, url=row.get("url"), outlet=row.get("outlet"),
                                title=row.get("title"), published=published)
        else:
            raise InputError(f"{name}:{line_no}: an article needs 'text' or 'html'")
        yield article
