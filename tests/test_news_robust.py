"""The news reader on bad input: a bad article is kept aside (file, line, field, reason, excerpt), the rest are read.

Fixtures: tests/data/robust/news_* (written by the project); binary, empty and oversized inputs are made here.
"""

import io
import json
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ceasefire.errors import CeasefireError, InputError, StoreError
from ceasefire.news import (
    MAX_ARTICLE_BYTES,
    MAX_TEXT_CHARS,
    ArticleProblem,
    read_articles,
    read_news,
)
from ceasefire.store import connect

from .conftest import DATA

ROBUST = DATA / "robust"
GOOD = {"id": "wire-a", "url": "https://example.org/a", "published": "2019-05-06",
        "text": "Government warplanes carried out air strikes on Khan Shaykhun in southern Idlib today."}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def read(source):
    problems: list[ArticleProblem] = []
    articles = list(read_articles(source, problems))
    return articles, problems


def where(problems):
    return [(Path(p.file).name, p.line, p.field, p.reason) for p in problems]


def counts(store):
    return {table: store.count(table) for table in ("events", "quarantine", "ingests")}


# --------------------------------------------------------------------------- case 1: one broken JSONL line


def test_a_broken_line_keeps_the_good_lines():
    path = ROBUST / "news_broken_line.jsonl"
    articles, problems = read(path)
    assert [a.id for a in articles] == ["wire-a", "wire-b"]
    assert [(a.file, a.line) for a in articles] == [(str(path.resolve()), 1), (str(path.resolve()), 3)]
    assert where(problems) == [("news_broken_line.jsonl", 2, "json",
                                "not JSON (Unterminated string starting at column 57)")]
    assert problems[0].file == str(path.resolve())
    assert problems[0].raw.startswith('{"id": "cut", "url": "https://example.org/cut"')


def test_without_a_problem_list_the_first_bad_article_is_an_error():
    path = ROBUST / "news_broken_line.jsonl"
    with pytest.raises(InputError) as err:
        list(read_articles(path))
    assert str(err.value) == f"{path.resolve()}:2: json: not JSON (Unterminated string starting at column 57)"


# --------------------------------------------------------------------------- case 2: lines that are not objects


def test_lines_that_are_not_objects_are_kept_aside():
    articles, problems = read(ROBUST / "news_not_objects.jsonl")
    assert [a.id for a in articles] == ["wire-a", "wire-b"]
    assert [(p.line, p.field, p.reason, p.raw) for p in problems] == [
        (3, "json", "an article is a JSON object, got an array", '["wire-c", "Shelling hit Ariha"]'),
        (4, "json", "an article is a JSON object, got a number", "42"),
        (5, "json", "an article is a JSON object, got a string", '"Shelling hit Ariha"'),
    ]


@pytest.mark.parametrize("row, field, reason", [
    ({"text": 5}, "text", "expected a string, got a number"),
    ({"text": ["a"]}, "text", "expected a string, got an array"),
    ({"html": {"p": 1}}, "html", "expected a string, got an object"),
    ({"id": True, "text": "x"}, "id", "expected a string or a number, got true"),
    ({"url": 7, "text": "Shelling hit Ariha."}, "url", "expected a string, got a number"),
    ({"published": "yesterday", "text": "Shelling hit Ariha."}, "published",
     "'yesterday' is not a date (YYYY-MM-DD, or YYYY-MM for a month)"),
    ({"title": "no body"}, "text", "an article needs 'text' or 'html'"),
    ({"text": "\ud800 lone"}, "text", "holds a lone surrogate (\\ud800–\\udfff), not text"),
])
def test_fields_of_the_wrong_kind_are_named(tmp_path, row, field, reason):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    articles, problems = read(path)
    assert [a.id for a in articles] == ["wire-a"]
    assert where(problems) == [("rows.jsonl", 2, field, reason)]


def test_jsonl_edge_lines(tmp_path):
    path = tmp_path / "edges.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\r\n\n   \n"  # BOM, CRLF, blank lines
                     + b"[" * 100_000 + b"\n"  # nested past the parser's recursion
                     + b'{"text": "r\xe9sum\xe9"}\n'  # Latin-1 inside a UTF-8 file
                     + b'{"n": 1' + b"0" * 5000 + b', "text": "x"}\n')  # a number Python will not convert
    articles, problems = read(path)
    assert [a.id for a in articles] == ["wire-a"]
    assert [(p.line, p.field) for p in problems] == [(4, "json"), (5, "json"), (6, "json")]
    assert problems[1].reason == "not UTF-8 text (byte 0xe9 at column 12): save the file as UTF-8"
    assert problems[2].reason.startswith("JSON the reader cannot take (Exceeds the limit (4300 digits)")


# --------------------------------------------------------------------------- case 3: a folder with bad articles


def test_a_folder_reads_the_good_and_keeps_the_bad_aside():
    articles, problems = read(ROBUST / "news_folder")
    assert [a.id for a in articles] == ["a_patrol"]
    assert where(problems) == [
        ("b_latin1.txt", 1, "file", "not UTF-8 text (byte 0xe9 at line 1, column 24): save it as UTF-8"),
        ("c_no_main_text.html", 1, "html", "no main text found in the HTML"),
        ("d_broken.jsonl", 1, "json", "not JSON (Expecting property name enclosed in double quotes at column 55)"),
        ("e_empty.txt", 1, "text", "no text"),
    ]
    assert problems[0].raw == "Shelling of Kafr Nabl r\ufffdsidents fled\n"  # shown as text, not as bytes


def test_a_folder_run_stores_events_and_problems_together(store):
    conn = store
    run = read_news(ROBUST / "news_folder", conn=conn)
    assert [r["article"].id for r in run.results] == ["a_patrol"]
    empty = (ROBUST / "news_folder" / "e_empty.txt").resolve()
    assert run.problem_lines()[3] == f"kept aside: {empty}:1: text: no text"
    assert run.lines()[-1] == (f"news from {ROBUST / 'news_folder'}: read {run.ingest.new + 4}, new {run.ingest.new}, "
                               "updated 0, unchanged 0, quarantined 4")
    rows = conn.quarantined()
    assert [(Path(r["file"]).name, r["line"], r["field"]) for r in rows] == [
        ("b_latin1.txt", 1, "file"), ("c_no_main_text.html", 1, "html"), ("d_broken.jsonl", 1, "json"),
        ("e_empty.txt", 1, "text")]
    first = counts(conn)
    again = read_news(ROBUST / "news_folder", conn=conn)  # the same input twice changes nothing
    assert again.ingest.new == 0 and again.ingest.quarantined == 4
    assert counts(conn) == {**first, "ingests": 2}


def test_events_and_problems_are_one_transaction(tmp_path):
    conn = connect(tmp_path / "s.sqlite")
    conn.conn.execute("CREATE TRIGGER no_quarantine BEFORE INSERT ON quarantine BEGIN SELECT RAISE(ABORT, 'refused'); END")
    with pytest.raises(StoreError) as err:
        read_news(ROBUST / "news_broken_line.jsonl", conn=conn)
    assert str(err.value).endswith("the store refused the ingest (refused); nothing was written")
    assert counts(conn) == {"events": 0, "quarantine": 0, "ingests": 0}


def test_the_report_names_the_articles_kept_aside(tmp_path):
    report = tmp_path / "r.json"
    read_news(ROBUST / "news_broken_line.jsonl", store=False, report_path=report)
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert [a["id"] for a in doc["articles"]] == ["wire-a", "wire-b"]
    assert [(k["line"], k["field"]) for k in doc["kept_aside"]] == [(2, "json")]


# --------------------------------------------------------------------------- case 4: no text


def test_articles_with_no_text(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.txt").write_text("  \n\t\n")
    (tmp_path / "notext.jsonl").write_text('{"id": "n1", "text": ""}\n{"id": "n2", "text": "   "}\n')
    (tmp_path / "nolines.jsonl").write_text("\n\n")
    articles, problems = read(tmp_path)
    assert articles == []
    assert where(problems) == [("blank.txt", 1, "text", "no text"), ("empty.txt", 1, "text", "no text"),
                               ("nolines.jsonl", 1, "file", "no article: the file is empty or every line is blank"),
                               ("notext.jsonl", 1, "text", "no text"), ("notext.jsonl", 2, "text", "no text")]


def test_nothing_readable_is_an_error_and_records_nothing(tmp_path, store):
    conn = store
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("")
    (tmp_path / "in" / "blank.txt").write_text("  \n")
    with pytest.raises(InputError) as err:
        read_news(tmp_path / "in", conn=conn)
    assert str(err.value) == f"{tmp_path / 'in'}: no article could be read: blank.txt:1: text: no text; " \
                             "empty.txt:1: text: no text"
    with pytest.raises(InputError) as err:
        read_news(tmp_path / "in" / "empty.txt", conn=conn)
    assert str(err.value) == f"{tmp_path / 'in' / 'empty.txt'}: no article could be read: line 1: text: no text"
    (tmp_path / "none").mkdir()
    with pytest.raises(InputError, match=r"no article could be read: no \.txt, \.html, \.htm or \.jsonl file in it"):
        read_news(tmp_path / "none", conn=conn)
    assert counts(conn) == {"events": 0, "quarantine": 0, "ingests": 0}


def test_stdin_jsonl_with_a_bad_line(monkeypatch):
    data = json.dumps(GOOD) + "\n[1, 2]\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode()), encoding="utf-8"))
    articles, problems = read("-")
    assert [a.id for a in articles] == ["wire-a"]
    assert [str(p) for p in problems] == ["<stdin>:2: json: an article is a JSON object, got an array"]


# --------------------------------------------------------------------------- case 5: limits


def test_an_article_over_the_size_limit_is_not_parsed(tmp_path):
    big = tmp_path / "big.html"
    with big.open("wb") as fh:  # a sparse file: as large as it says, written in no time
        fh.write(b"<html><body>")
        fh.truncate(MAX_ARTICLE_BYTES + 1)
    articles, problems = read(big)
    assert articles == []
    assert where(problems) == [("big.html", 1, "file", (f"{MAX_ARTICLE_BYTES + 1:,} bytes: over the 5,000,000-byte "
                                                       "limit for one article (MAX_ARTICLE_BYTES); not parsed"))]
    assert len(problems[0].raw) < 200  # a description of what was seen, not the file


def test_a_jsonl_line_over_the_limit_is_kept_aside(tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "huge", "text": "Shelling hit Ariha. " * (MAX_ARTICLE_BYTES // 20 + 1)}) + "\n")
        fh.write(json.dumps(GOOD) + "\n")
    articles, problems = read(path)
    assert [(a.id, a.line) for a in articles] == [("wire-a", 2)]
    assert where(problems) == [("huge.jsonl", 1, "json", ("more than 5,000,000 bytes: over the 5,000,000-byte limit "
                                                        "for one article (MAX_ARTICLE_BYTES); not parsed"))]
    assert problems[0].raw.startswith('{"id": "huge"') and problems[0].raw.endswith("… [more bytes in all]")
    assert len(problems[0].raw) < 3_000


def test_a_text_over_the_text_limit_is_kept_aside(tmp_path):
    (tmp_path / "long.txt").write_text("Shelling hit Ariha. " * (MAX_TEXT_CHARS // 20 + 1))
    articles, problems = read(tmp_path / "long.txt")
    assert articles == []
    assert problems[0].field == "text" and problems[0].reason == (
        f"{MAX_TEXT_CHARS + 20:,} characters: over the 200,000-character limit for one article (MAX_TEXT_CHARS); "
        "split it into articles")


def test_html_the_parser_cannot_take_in_time(tmp_path, monkeypatch):
    attrs = " ".join(f"a{i}='x'" for i in range(50_000))
    (tmp_path / "a_attributes.html").write_text(f"<html><body><p {attrs}>Shelling hit Ariha.</p></body></html>")
    (tmp_path / "b_tables.html").write_text("<html><body>" + "<table><tr><td>a</td><td>b</td></tr></table>" * 4000
                                            + "</body></html>")  # ~12 s of extraction here
    articles, problems = read(tmp_path)
    assert articles == []
    assert where(problems) == [
        ("a_attributes.html", 1, "html", ("a tag with 50,000 attributes at character 12: over the 1,000 the HTML "
                                         "parser can take (MAX_TAG_ATTRIBUTES)")),
        ("b_tables.html", 1, "html", ("4,000 tables and lists: over the 1,000 one page may hold (MAX_HTML_BLOCKS); "
                                     "not a news article"))]


# --------------------------------------------------------------------------- case 6: binary files


@pytest.mark.parametrize("name, data, reason", [
    ("photo.txt", PNG, "a PNG image, not text"),
    ("doc.html", b"%PDF-1.7\n" + bytes(range(256)), "a PDF document, not text"),
    ("nul.txt", b"hello\x00world\x00" * 50, "binary data, not text"),
    ("wide.txt", "Shelling hit Ariha.".encode("utf-16"), "UTF-16 text, not UTF-8: save it as UTF-8"),
    ("zipped.jsonl", b"PK\x03\x04" + bytes(range(256)) * 8, "a ZIP archive (or a .docx, .xlsx, .epub), not text"),
])
def test_binary_files_are_named_never_printed(tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.jsonl").write_text(json.dumps(GOOD) + "\n")
    run = read_news(tmp_path, store=False)
    assert [r["article"].id for r in run.results] == ["wire-a"]
    assert where(run.problems) == [(name, 1, "file", reason)]
    assert run.problems[0].raw.startswith("[") and f"{len(data):,} bytes" in run.problems[0].raw
    printed = "\n".join(run.lines() + run.problem_lines())
    assert "\x00" not in printed and "\ufffd" not in printed and "PNG\r" not in printed


# --------------------------------------------------------------------------- fuzz: never anything but a CeasefireError

SENTENCES = ["Government warplanes bombed Khan Shaykhun in southern Idlib today.",
             "Russian and Turkish forces began joint patrols near Idlib on March 8, 2019.",
             "Shelling hit Ariha on Monday, residents said.", "Syrian army jets bombed Maarat al-Numan on Tuesday."]
WORDS = ["Shelling", "hit", "Ariha", "Idlib", "on", "Monday", "warplanes", "bombed", "Khan", "Shaykhun", "the",
         "Russian", "Turkish", "patrol", "2019-03-08", ".", "\n", "—", "é", "\x00", "\u2028", "{", '"']
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                           lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids,
                                                                                      max_size=4), max_leaves=12)
texts = st.lists(st.sampled_from(SENTENCES) | st.sampled_from(WORDS), max_size=12).map(" ".join)
article_rows = st.fixed_dictionaries(
    {"text": st.tuples(st.sampled_from(SENTENCES), texts).map(" ".join),
     "published": st.sampled_from(["2019-05-06", "2019-03", None])},
    optional={"id": st.text(max_size=10) | st.integers(), "url": st.text(max_size=10),
              "html": st.sampled_from(["", "<p>Shelling hit Ariha on Monday.</p>", "<html>", None])})
odd_rows = st.fixed_dictionaries(  # every key of the wrong kind now and then
    {}, optional={"text": texts | json_values, "html": json_values, "id": json_values, "url": json_values,
                  "published": st.sampled_from(["", "soon", 20190308, "2019-13-45"]) | json_values})
HUGE = b'{"text": "' + b"x" * (MAX_ARTICLE_BYTES + 10) + b'"}'
LONG_TEXT = json.dumps({"text": "Shelling hit Ariha. " * (MAX_TEXT_CHARS // 20 + 1)}).encode()
good_rows = article_rows.map(lambda r: json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass"))
lines = st.one_of(  # good-looking articles drawn three times as often as each kind of damage
    good_rows, good_rows, good_rows,
    odd_rows.map(lambda r: json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    st.binary(max_size=60),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.tuples(article_rows, st.integers(0, 80)).map(lambda t: json.dumps(t[0]).encode()[:t[1]]),  # truncated
    st.sampled_from([b"", b"   ", HUGE, LONG_TEXT, b'{"text": ""}', PNG]),
)
FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check_run(source: Path, db: Path) -> None:
    """Good articles + problems, or a CeasefireError; and the store consistent afterwards."""
    problems: list[ArticleProblem] = []
    try:
        articles = list(read_articles(source, problems))
    except CeasefireError:
        articles = []
    assert all(a.text.strip() for a in articles)
    assert all(isinstance(p, ArticleProblem) and p.line >= 1 and p.reason for p in problems)
    conn = connect(db)
    try:
        run = read_news(source, conn=conn)
    except CeasefireError as exc:
        event(f"run: {type(exc).__name__}{' (nothing read)' if 'no article could be read' in str(exc) else ''}")
        assert "\x00" not in str(exc)
        assert counts(conn) == {"events": 0, "quarantine": 0, "ingests": 0}
    else:
        event(f"run: stored, {'with' if run.ingest.new else 'no'} events, {'with' if run.problems else 'no'} problems")
        event(f"problems: {sorted({p.field for p in run.problems})}")
        kept = {(p.file, p.line, p.field, p.raw) for p in run.problems}
        assert counts(conn) == {"events": run.ingest.new, "quarantine": len(kept), "ingests": 1}
        assert [(i["rows_quarantined"], i["rows_read"]) for i in conn.ingests()] == [(
            len(run.problems), run.ingest.new + run.ingest.updated + run.ingest.unchanged + len(run.problems))]
        again = read_news(source, conn=conn)  # idempotent: nothing new, nothing filed twice
        assert (again.ingest.new, again.ingest.updated) == (0, 0)
        assert counts(conn) == {"events": run.ingest.new, "quarantine": len(kept), "ingests": 2}
    assert conn.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


@FUZZ
@given(st.lists(lines, max_size=6))
def test_fuzz_jsonl(tmp_path_factory, rows):
    folder = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    path = folder / "fuzz.jsonl"
    path.write_bytes(b"\n".join(rows))
    check_run(path, folder / "s.sqlite")


files = st.tuples(st.sampled_from([".txt", ".html", ".jsonl", ".htm", ".md"]),
                  st.one_of(st.binary(max_size=80), st.lists(lines, max_size=3).map(b"\n".join),
                            texts.map(lambda t: t.encode()), texts.map(lambda t: f"<p>{t}</p>".encode())))


@FUZZ
@given(st.lists(files, max_size=4))
def test_fuzz_folder(tmp_path_factory, items):
    folder = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    (folder / "in").mkdir()
    for i, (suffix, data) in enumerate(items):
        (folder / "in" / f"a{i}{suffix}").write_bytes(data)
    check_run(folder / "in", folder / "s.sqlite")


def test_a_store_the_run_did_not_open_is_left_open(store):
    read_news(ROBUST / "news_broken_line.jsonl", conn=store)
    assert store.count("quarantine") == 1  # the caller's store: not closed
