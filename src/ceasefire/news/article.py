"""Articles in: plain text, HTML or JSONL of {url, published, title, text|html}; page furniture out.

Cleaning never moves a character: furniture (share counters, "- Advertisement -", newsletter and
subscribe lines) is blanked with spaces, so every offset the reader reports points into the
text as given (for HTML: into the main text trafilatura extracts from it).

An article that cannot be read (broken JSON, no text, not UTF-8, binary, over a size limit) is an
:class:`ArticleProblem` — its file, line, field, reason and an excerpt — and the others are read
(``read_articles(source, problems)``); nothing larger than the limits below is ever parsed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import InputError

MAX_ARTICLE_BYTES = 5_000_000
"""The largest article the reader parses at all: a file, or one line of a JSONL file (5 MB).

A news page with its scripts and styles is rarely above 2 MB. A larger input is kept aside unread
(only its first bytes are looked at), so a stray dump or a huge HTML page cannot stall the reader.
"""

MAX_TEXT_CHARS = 200_000
"""The longest article text the reader looks for events in: 200,000 characters, ~30,000 words.

A long feature is under 60,000 characters. Reading costs a little more than linear time in the
text (measured on 2 cores: 200,000 characters of news ~3 s, of agreement texts with many zones
~30 s; 5 MB did not finish in 3 minutes), so a longer text, or the main text of an HTML page, is
kept aside: split it into articles.
"""

MAX_HTML_BLOCKS = 1_000
"""The most tables and lists (``<table>``, ``<ul>``, ``<ol>``, ``<dl>``) one HTML page may hold.

trafilatura reads a news page in well under a second, but some shapes cost far more than their
size: 8,000 one-cell tables (350 kB) took ~40 s here, 100,000 over ten minutes. A news page has a
few dozen. Counted before parsing, so the limit is the same on every machine (a time budget with a
timer signal was tried: its exception can land inside a finaliser, where Python drops it).
"""

MAX_TAG_ATTRIBUTES = 1_000
"""The most attributes one HTML tag may have. The HTML parser (libxml2, in C, where no time budget
reaches) checks each attribute against all before it: 40,000 attributes take 2 s, 200,000 minutes.
A real tag has a few dozen."""

RAW_EXCERPT_CHARS = 2_000
"""How much of a kept-aside article is kept with its problem (the quarantine's ``raw``)."""

SUFFIXES = (".txt", ".html", ".htm", ".jsonl")  # what a folder's articles are; other files are not looked at
STDIN = "<stdin>"

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
    file: str | None = None  # where it was read: the file (resolved) and, for JSONL, the line
    line: int = 1

    @property
    def fingerprint(self) -> str:
        """Its URL, else a hash of its words: the same article under another file name or id is the same."""
        if self.url:
            return self.url
        words = " ".join(self.text.split())
        return "text:" + hashlib.sha256(words.encode("utf-8")).hexdigest()[:16]

    @property
    def clean(self) -> str:
        """The text with furniture blanked: same length, same offsets."""
        chars = list(self.text)
        for start, end in self.furniture:
            chars[start:end] = " " * (end - start)
        return "".join(chars)


@dataclass(frozen=True)
class ArticleProblem:
    """An article the reader kept aside: where it is, which part is wrong, why, and an excerpt of it."""

    file: str  # the article's own file, resolved ("<stdin>" for standard input)
    line: int  # the JSONL line; for a whole file 1, or the line of a byte that is not UTF-8
    field: str  # "file" (the bytes), "json" (the line), or the article's key: "text", "html", "url" …
    reason: str
    raw: str = ""  # the start of the article as text, or a description of binary content — never bytes

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"


class Unreadable(InputError):
    """One article cannot be read. ``read_articles`` keeps it aside as an ArticleProblem; a direct
    caller of ``from_text`` / ``from_html`` gets it as the InputError it is."""

    def __init__(self, ident: str, field: str, reason: str, line: int = 1) -> None:
        super().__init__(f"{ident}: {field}: {reason}")
        self.field, self.reason, self.line = field, reason, line


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


def _check_text(text: str, ident: str) -> None:
    if not text.strip():
        raise Unreadable(ident, "text", "no text")
    if len(text) > MAX_TEXT_CHARS:
        raise Unreadable(ident, "text", f"{len(text):,} characters: over the {MAX_TEXT_CHARS:,}-character limit "
                                        "for one article (MAX_TEXT_CHARS); split it into articles")


_BLOCK = re.compile(r"<(?:table|ul|ol|dl)[\s>]", re.IGNORECASE)
_LONG_TAG = re.compile(r"<[A-Za-z][^<>]{2000,}>")  # fewer characters cannot hold MAX_TAG_ATTRIBUTES attributes
_ATTRIBUTE = re.compile(r"""\s+[^\s=<>/"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s<>"']+))?""")


def _check_tags(html: str, ident: str) -> None:
    """One linear pass for the one shape the C parser cannot read in reasonable time."""
    for tag in _LONG_TAG.finditer(html):
        count = sum(1 for _ in _ATTRIBUTE.finditer(tag.group()))
        if count > MAX_TAG_ATTRIBUTES:
            raise Unreadable(ident, "html", f"a tag with {count:,} attributes at character {tag.start():,}: over the "
                                            f"{MAX_TAG_ATTRIBUTES:,} the HTML parser can take (MAX_TAG_ATTRIBUTES)")


def from_html(html: str, ident: str, url: str | None = None) -> Article:
    import trafilatura

    _check_tags(html, ident)
    blocks = sum(1 for _ in _BLOCK.finditer(html))
    if blocks > MAX_HTML_BLOCKS:
        raise Unreadable(ident, "html", f"{blocks:,} tables and lists: over the {MAX_HTML_BLOCKS:,} one page may "
                                        "hold (MAX_HTML_BLOCKS); not a news article")
    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True, url=url)
    except Exception as exc:  # noqa: BLE001
        # a third-party parser on untrusted input: whatever it raises is this article's failure, not the run's
        raise Unreadable(ident, "html", f"the HTML cannot be parsed ({type(exc).__name__})") from None
    text = getattr(doc, "text", None) if doc is not None else None
    if not isinstance(text, str) or not text.strip():
        raise Unreadable(ident, "html", "no main text found in the HTML")
    _check_text(text, ident)
    published = _date(getattr(doc, "date", None))
    article = Article(ident, text, url or getattr(doc, "url", None), getattr(doc, "sitename", None),
                      getattr(doc, "title", None), published, "html metadata" if published else None)
    article.furniture = find_furniture(article.text)
    return article


def from_text(text: str, ident: str, **meta: object) -> Article:
    _check_text(text, ident)
    title = meta.pop("title", None)
    if title is None:  # a plain-text file: its first line is the headline
        first = text.strip().splitlines()[0]
        title = first if len(first) < 200 else None
    given = meta.pop("published", None)
    published = _date(given)
    article = Article(ident, text, title=title, published=published,  # type: ignore[arg-type]
                      published_source="input" if published else None, published_precision=_precision(given),
                      **{k: v for k, v in meta.items() if k in ("url", "outlet")})  # type: ignore[arg-type]
    article.furniture = find_furniture(text)
    return article


def read_articles(source: str | Path, problems: list[ArticleProblem] | None = None) -> Iterator[Article]:
    """Articles from a file (.txt, .html, .jsonl), a folder of them, or '-' (JSONL or text on stdin).

    An article that cannot be read is appended to ``problems`` and the others are read; with
    ``problems`` None the first one raises an InputError ("file:line: field: reason") instead.
    A source that does not exist, or a folder that cannot be listed, raises either way::

        problems: list[ArticleProblem] = []
        articles = list(read_articles("articles.jsonl", problems))
        for p in problems:
            print(p)  # /…/articles.jsonl:3: json: an article is a JSON object, got an array
    """
    for item in _read_source(source):
        if isinstance(item, Article):
            yield item
        elif problems is None:
            raise InputError(str(item))
        else:
            problems.append(item)


def _read_source(source: str | Path) -> Iterator[Article | ArticleProblem]:
    if str(source) == "-":
        yield from _read_stdin()
        return
    path = Path(source)
    try:
        is_dir, exists = path.is_dir(), path.exists()
        children = sorted(c for c in path.iterdir() if c.suffix.lower() in SUFFIXES and c.is_file()) if is_dir else []
    except (OSError, ValueError) as exc:  # permission denied, a name too long, a NUL in the name
        raise InputError(f"{source}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if is_dir:
        for child in children:
            yield from _read_file(child)
    elif not exists:
        raise InputError(f"{path}: no such file")
    else:
        yield from _read_file(path)


def _resolved(path: Path) -> str:
    """The name a problem is filed under: resolved, as the events ingest files its quarantine."""
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return str(path.absolute())


def _read_file(path: Path) -> Iterator[Article | ArticleProblem]:
    name = _resolved(path)
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as fh:
            if suffix == ".jsonl":
                yield from _jsonl(fh, name, path.stem)
            elif (size := _size(fh)) is not None and size > MAX_ARTICLE_BYTES:  # its start is all that is read
                yield _too_large(name, 1, "file", size, fh.read(RAW_EXCERPT_CHARS * 4))
            else:
                yield _whole(fh.read(MAX_ARTICLE_BYTES + 1), name, path.stem, suffix in (".html", ".htm"))
    except OSError as exc:
        yield ArticleProblem(name, 1, "file", f"cannot be read ({exc.strerror or exc})")


def _size(fh: IO[bytes]) -> int | None:
    try:
        return os.fstat(fh.fileno()).st_size
    except (OSError, ValueError, io.UnsupportedOperation):
        return None


def _binary_stdin() -> IO[bytes]:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text-only stdin (an embedding program's): its text, as UTF-8 bytes
        stream = io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))
    return stream  # type: ignore[no-any-return]


def _read_stdin() -> Iterator[Article | ArticleProblem]:
    """JSONL when the first non-blank line starts with '{', else one text article (as before)."""
    fh = _binary_stdin()
    lines = _lines(fh)
    leading: list[Line] = []
    for line in lines:
        leading.append(line)
        if not line[2] or line[1].strip():
            break
    first = leading[-1][1] if leading else b""
    if first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        yield from _jsonl_lines(itertools.chain(leading, lines), STDIN, "stdin")
    elif leading and not leading[-1][2]:
        yield _too_large(STDIN, 1, "file", None, first)
    else:
        data = b"".join(d for _, d, _ in leading)
        data += fh.read(MAX_ARTICLE_BYTES + 1 - len(data))
        yield _whole(data, STDIN, "stdin", False)


def _too_large(name: str, line: int, field_: str, size: int | None, head: bytes) -> ArticleProblem:
    """An input over MAX_ARTICLE_BYTES, from its first bytes (``size`` None: known only to be larger)."""
    what = f"{size:,} bytes" if size is not None else f"more than {MAX_ARTICLE_BYTES:,} bytes"
    return ArticleProblem(name, line, field_, f"{what}: over the {MAX_ARTICLE_BYTES:,}-byte limit for one article "
                                              "(MAX_ARTICLE_BYTES); not parsed",
                          _excerpt_bytes(head, size, partial=True))


def _whole(data: bytes, name: str, ident: str, html: bool) -> Article | ArticleProblem:
    """One article from a whole file's bytes (at most MAX_ARTICLE_BYTES + 1 of them are read)."""
    if len(data) > MAX_ARTICLE_BYTES:  # a pipe, or a file that grew while it was read
        return _too_large(name, 1, "file", None, data[:RAW_EXCERPT_CHARS * 4])
    try:
        text = _decode(data, ident)
        article = from_html(text, ident) if html else from_text(text, ident)
    except Unreadable as bad:
        return ArticleProblem(name, bad.line, bad.field, bad.reason, _excerpt_bytes(data))
    article.file = name
    return article


# --------------------------------------------------------------------------- bytes → text

# Magic numbers of files people mistake for articles; the reason says what the file is.
MAGIC = [(b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
         (b"GIF8", "a GIF image"), (b"PK\x03\x04", "a ZIP archive (or a .docx, .xlsx, .epub)"),
         (b"\x1f\x8b", "gzip-compressed data"), (b"\xd0\xcf\x11\xe0", "an old Office document (.doc, .xls)"),
         (b"SQLite format 3\x00", "an SQLite database")]
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\x0b\x0c\x1b")


def _binary_kind(head: bytes) -> str | None:
    """What the first bytes say a non-text file is, or None for text (which may still not be UTF-8)."""
    for magic, what in MAGIC:
        if head.startswith(magic):
            return what
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text"
    controls = len(head) - len(head.translate(None, _CONTROL))
    if b"\x00" in head or controls > len(head) // 10:  # text has no NUL and few control characters
        return "binary data"
    return None


def _decode(data: bytes, ident: str) -> str:
    kind = _binary_kind(data[:4096])
    if kind == "UTF-16 text":
        raise Unreadable(ident, "file", "UTF-16 text, not UTF-8: save it as UTF-8")
    if kind:
        raise Unreadable(ident, "file", f"{kind}, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise Unreadable(ident, "file", f"not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}, column "
                                        f"{column}): save it as UTF-8", line) from None


def _excerpt(text: str) -> str:
    if len(text) <= RAW_EXCERPT_CHARS:
        return text
    return f"{text[:RAW_EXCERPT_CHARS]}… [{len(text) - RAW_EXCERPT_CHARS:,} more characters]"


def _excerpt_bytes(data: bytes, size: int | None = None, partial: bool = False) -> str:
    """The start of an input as text, or what it is when it is not text: never the bytes themselves.

    ``data`` is the input, or (``partial``) its first bytes, of ``size`` bytes in all when known."""
    total = f"{size:,} bytes" if size is not None else f"{len(data):,} bytes" if not partial else "more bytes"
    kind = _binary_kind(data[:4096])
    if kind:
        return f"[{kind}, {total}, starting {data[:16].hex(' ')}]"
    text = data[:RAW_EXCERPT_CHARS * 4].decode("utf-8", "replace")
    if not partial and len(text) <= RAW_EXCERPT_CHARS and len(data) <= RAW_EXCERPT_CHARS * 4:
        return text
    return f"{text[:RAW_EXCERPT_CHARS]}… [{total} in all]"


# --------------------------------------------------------------------------- JSONL


Line = tuple[int, bytes, bool]  # (line number, bytes, whole): a line over the limit comes as its start only


def _lines(fh: IO[bytes]) -> Iterator[Line]:
    """Each line of ``fh``; one over MAX_ARTICLE_BYTES is skipped past unread (only its start is kept),
    so memory stays bounded by the limit however long a line is."""
    for line_no in itertools.count(1):
        data = fh.readline(MAX_ARTICLE_BYTES + 1)
        if not data:
            return
        if len(data) > MAX_ARTICLE_BYTES and not data.endswith(b"\n"):
            while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield line_no, data[:RAW_EXCERPT_CHARS * 4], False
            continue
        yield line_no, data, True


def _jsonl(fh: IO[bytes], name: str, stem: str) -> Iterator[Article | ArticleProblem]:
    peek = getattr(fh, "peek", None)
    head = peek(4096)[:4096] if peek else b""
    kind = _binary_kind(head)
    if kind:  # one reason for the file, not one per "line" of a PNG
        reason = "UTF-16 text, not UTF-8: save it as UTF-8" if kind == "UTF-16 text" else f"{kind}, not text"
        yield ArticleProblem(name, 1, "file", reason, _excerpt_bytes(head))
        return
    yield from _jsonl_lines(_lines(fh), name, stem)


def _jsonl_lines(lines: Iterable[Line], name: str, stem: str) -> Iterator[Article | ArticleProblem]:
    found = False
    for line_no, data, whole in lines:
        if not whole:
            found = True
            yield _too_large(name, line_no, "json", None, data)
            continue
        if line_no == 1:
            data = data.removeprefix(b"\xef\xbb\xbf")  # a BOM some editors write
        if not data.strip():
            continue
        found = True
        try:
            data = data.rstrip(b"\r\n")
            article = _json_article(data, f"{stem}-{line_no}")
        except Unreadable as bad:
            yield ArticleProblem(name, line_no, bad.field, bad.reason, _excerpt_bytes(data))
            continue
        article.file, article.line = name, line_no
        yield article
    if not found:
        yield ArticleProblem(name, 1, "file", "no article: the file is empty or every line is blank")


def _kind(value: object) -> str:
    """A JSON value's kind, as a person reading the file would name it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number",
            type(None): "null"}.get(type(value), type(value).__name__)


def _string(row: dict[str, Any], key: str, ident: str) -> str | None:
    """``row[key]`` as text, or None when absent or null; anything else is this article's problem."""
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Unreadable(ident, key, f"expected a string, got {_kind(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # "\ud800" is valid JSON but no character: nothing downstream could store it
        raise Unreadable(ident, key, "holds a lone surrogate (\\ud800–\\udfff), not text") from None
    return value


def _json_article(data: bytes, default_id: str) -> Article:
    ident = default_id
    try:
        line = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(ident, "json", f"not UTF-8 text (byte 0x{data[exc.start]:02x} at column {exc.start + 1}):"
                                        " save the file as UTF-8") from None
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise Unreadable(ident, "json", f"not JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})") from None
    except RecursionError:
        raise Unreadable(ident, "json", "JSON nested too deeply to read") from None
    except ValueError as exc:  # a number of more than 4,300 digits
        raise Unreadable(ident, "json", f"JSON the reader cannot take ({str(exc).split(':')[0]})") from None
    if not isinstance(row, dict):
        raise Unreadable(ident, "json", f"an article is a JSON object, got {_kind(row)}")
    given_id = row.get("id")
    if isinstance(given_id, str):
        ident = _string(row, "id", ident) or default_id
    elif isinstance(given_id, (int, float)) and not isinstance(given_id, bool):
        ident = str(given_id)
    elif given_id is not None:
        raise Unreadable(ident, "id", f"expected a string or a number, got {_kind(given_id)}")
    url, outlet, title = (_string(row, key, ident) for key in ("url", "outlet", "title"))
    date_key = "published" if row.get("published") is not None else "date"
    published = _string(row, date_key, ident)
    if published and _date(published) is None:
        raise Unreadable(ident, date_key, f"{published[:40]!r} is not a date (YYYY-MM-DD, or YYYY-MM for a month)")
    html, text = _string(row, "html", ident), _string(row, "text", ident)
    if html:
        article = from_html(html, ident, url)
        if published and not article.published:
            article.published, article.published_source = _date(published), "input"
        return article
    if text is None and "html" not in row:
        raise Unreadable(ident, "text", "an article needs 'text' or 'html'")
    return from_text(text or "", ident, url=url, outlet=outlet, title=title, published=published)
