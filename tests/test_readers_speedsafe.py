"""The fast readings give what the plain ones give.

``weapon_from_text`` and ``kind_from_text`` (and UCDP's and ACLED's readers, which use them) find the
first weapon pattern and the one kind of event a text names with a few combined RE2 passes
(``convert.first_match``), once per distinct value when a column repeats itself. Here they are checked
against two plain references on written sentences and on generated text:

- a per-row Python ``re`` loop (``re.ASCII``: on ASCII text RE2's ``\\b`` and ``(?i)`` are the same), and
- the per-pattern Arrow loop the readers used before (RE2 itself, so any Unicode text may be compared).

Dates written YYYY-MM-DD and plainly written numbers are read without strptime and without the number
pattern; they are checked against the strptime loop and the pattern the converter used before.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.events import read_events
from ceasefire.events.convert import (
    DISTINCT_SAMPLE,
    INTEGER,
    NON_FINITE,
    NUMBER,
    Converter,
    _prints_back,
    first_match,
)
from ceasefire.events.readers import (
    _AIR_OR_GROUND,
    KIND_PATTERNS,
    WEAPON_PATTERNS,
    kind_from_text,
    weapon_from_text,
)

# --------------------------------------------------------------------------- references


def weapon_by_re(text: str | None) -> str | None:
    if text is None:
        return None
    for weapon, pattern in WEAPON_PATTERNS:
        if re.search(pattern, text, re.ASCII):
            return weapon
    return None


def kind_by_re(text: str | None) -> str | None:
    if text is None:
        return None
    qualified = re.search(_AIR_OR_GROUND, text, re.ASCII)
    named = [kind for kind, pattern in KIND_PATTERNS
             if re.search(pattern, text, re.ASCII) and not (kind is None and qualified)]
    return named[0] if len(named) == 1 else None


def weapon_per_pattern(text: pa.Array) -> pa.Array:
    """The readers' former loop: one Arrow pass per pattern, the first found wins."""
    out = pa.nulls(len(text), pa.string())
    for weapon, pattern in WEAPON_PATTERNS:
        hit = pc.fill_null(pc.match_substring_regex(text, pattern), False)
        out = pc.if_else(pc.and_(hit, pc.is_null(out)), pa.scalar(weapon, pa.string()), out)
    return out


def kind_per_pattern(text: pa.Array) -> pa.Array:
    count = np.zeros(len(text), np.int8)
    out = pa.nulls(len(text), pa.string())
    qualified = pc.fill_null(pc.match_substring_regex(text, _AIR_OR_GROUND), False)
    for kind, pattern in KIND_PATTERNS:
        hit = pc.fill_null(pc.match_substring_regex(text, pattern), False)
        if kind is None:
            hit = pc.and_(hit, pc.invert(qualified))
        count += hit.to_numpy(zero_copy_only=False).astype(np.int8)
        out = pc.if_else(hit, pa.scalar(kind, pa.string()), out)
    return pc.if_else(pa.array(count == 1), out, pa.scalar(None, pa.string()))


def check(texts: list[str | None]) -> None:
    array = pa.array(texts, pa.string())
    weapons, kinds = weapon_from_text(array), kind_from_text(array)
    assert weapons.type == kinds.type == pa.string()
    assert weapons.equals(weapon_per_pattern(array))
    assert kinds.equals(kind_per_pattern(array))
    if all(t is None or t.isascii() for t in texts):
        assert weapons.to_pylist() == [weapon_by_re(t) for t in texts]
        assert kinds.to_pylist() == [kind_by_re(t) for t in texts]


# --------------------------------------------------------------------------- written sentences

# Words each pattern names, near misses (\b, plural, spacing) and words that name nothing.
WORDS = ["drone", "Drones", "UAV", "uavs", "unmanned aerial", "unmanned", "helicopter", "barrel bombs",
         "explosive barrel", "warplanes", "war jets", "jets", "jetski", "Su-24", "su-34", "MiG-23", "bombers",
         "airstrike", "air strikes", "air-raid", "air raids", "aerial", "aircraft", "Smerch", "Uragan", "tornado",
         "BM-27", "bm-30", "MLRS", "mlrsx", "multiple rocket", "rocket launcher", "Grad", "Stalingrad", "Belgrade",
         "BM-21", "Golan-1000", "elephant rockets", "Tochka", "Iskander", "ballistic missile", "tactical missiles",
         "mortar", "mortars", "tank", "tanks", "tanker", "artillery", "howitzers", "120mm", "155 mm", "1200 mm",
         "cannon", "missiles", "rocket", "shells", "shelled", "shelling", "eggshells", "IED", "VBIEDs", "landmines",
         "land mines", "mines", "explosive device", "car bombs", "car bomb", "gunfire", "small arms", "sniper",
         "machine guns", "machinegun", "shot dead", "rifles", "clashes", "clashed", "battle", "fighting",
         "fierce fight", "firefights", "skirmish", "hit-and-run", "counter attack", "counterattacks", "sniping",
         "ambush", "executed", "execution", "torture", "assassination", "massacre", "kidnapped", "abducted",
         "bombardment", "bombarded", "bombing", "bombed", "bombs", "aerial bombardment", "ground  bombardment",
         "artillery-bombing", "rocket bombed", "missile bombardments", "air bombing", "ground bombard",
         "ground strikes", "improvised explosive", "booby-trap", "booby trap", "explosion", "exploded", "blast",
         "blasted", "suicide", "raid", "raids", "unrest", "protest", "patrol", "meeting", "Idlib", "Khan Shaykhun"]


def sentences() -> list[str]:
    out = [f"On {d} March 2019, {a} near {p}." for d, a, p in zip(range(1, 1000), WORDS, itertools.cycle(
        ["Kafr Nabl", "Saraqib", "Ariha"]))]
    pairs = itertools.islice(itertools.combinations(WORDS, 2), 0, None, 17)  # two kinds or weapons, both orders
    for first, second in pairs:
        out.append(f"{first} and {second} hit the town, {len(out)} dead")
        out.append(f"{second.upper()}; then {first}")
    out += [word for word in WORDS] + ["", " ", "nothing happened", "x" * 300 + " drones"]
    return out


def test_written_sentences_read_as_the_plain_references_read_them():
    texts = sentences()
    assert len(texts) > 300
    check(texts)
    check([None, *texts[:50], None])


def test_a_column_that_repeats_itself_reads_the_same_once_per_distinct_value():
    texts = sentences()[:120]
    many = [texts[i % len(texts)] if i % 97 else None for i in range(5 * DISTINCT_SAMPLE)]  # the distinct path
    check(many)
    assert first_match(pa.array(many), [p for _, p in WEAPON_PATTERNS]).tolist() == [
        next((i for i, (_, p) in enumerate(WEAPON_PATTERNS) if t is not None and re.search(p, t, re.ASCII)), -1)
        for t in many]


def test_first_match_takes_the_first_pattern_in_list_order_not_the_leftmost_match():
    patterns = [r"(?i)zebra", r"(?i)apple", r"(?i)\bcat\b"]
    text = pa.array(["apple then zebra", "a cat", "concatenate apple", "nothing", None, "ZEBRA cat"])
    assert first_match(text, patterns).tolist() == [0, 2, 1, -1, -1, 0]
    assert first_match(text, []).tolist() == [-1] * 6
    assert first_match(pa.array([], pa.string()), patterns).tolist() == []


# --------------------------------------------------------------------------- generated text

phrases = st.sampled_from(WORDS)
separators = st.sampled_from([" ", ", ", "-", "", "  ", ". ", "\n", " (", ") "])
ascii_texts = st.lists(st.tuples(phrases, separators), max_size=6).map(lambda parts: "".join(a + b for a, b in parts))
noisy_texts = st.one_of(ascii_texts, st.text(st.characters(codec="ascii"), max_size=40),
                        st.builds(lambda a, b: a + b, ascii_texts, st.text(max_size=5)))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), ascii_texts), min_size=1, max_size=30))
def test_generated_phrases_read_as_per_row_python_re_reads_them(texts):
    check(texts)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), noisy_texts, st.text(max_size=30)), min_size=1, max_size=30))
def test_any_unicode_text_reads_as_the_per_pattern_arrow_loop_reads_it(texts):
    check(texts)  # RE2's own Unicode case folding (ſ, K) and ASCII \b, compared with RE2 itself


# --------------------------------------------------------------------------- whole files


def test_the_readers_read_patterns_the_same_in_large_and_small_blocks(tmp_path):
    """Many batches converted side by side are handed out in order; the notes' readings are the plain ones."""
    header = ("event_id_cnty,event_date,event_type,sub_event_type,actor1,latitude,longitude,geo_precision,"
              "time_precision,fatalities,notes")
    texts = sentences()
    rows = [f"T{i},2019-03-{1 + i % 28:02d},Explosions/Remote violence,Air/drone strike,Army,35.5,36.6,1,1,0,"
            f"\"{texts[i % len(texts)]}\"" for i in range(3000)]
    path = tmp_path / "acled.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    whole = pa.concat_tables(b.events for b in read_events(path, "acled"))
    small = pa.concat_tables(b.events for b in read_events(path, "acled", block_size=8 << 10))
    assert whole.num_rows == 3000 and whole.equals(small)
    notes = whole["notes"].combine_chunks()
    assert whole["weapon_class"].combine_chunks().equals(weapon_per_pattern(notes))
    drone = pc.fill_null(pc.equal(weapon_per_pattern(notes), "drone"), False)
    assert whole["sub_event_type"].to_pylist() == ["drone-strike" if d else "air-strike" for d in drone.to_pylist()]


# --------------------------------------------------------------------------- dates and numbers


def dates_by_strptime(values: list[bytes | None], formats: tuple[str, ...]) -> tuple[list, list]:
    """The converter's former date reading: each format in turn through strptime, kept if it prints back.
    Returns the dates and each row's reason (None for a good row)."""
    converter = Converter({"d": pa.array(values, pa.binary())}, len(values))
    text = converter.text("d")
    iso_head = pc.utf8_slice_codeunits(text, 0, 10)
    days = np.full(len(values), np.iinfo(np.int32).min, np.int32)
    valid = pc.is_valid(text).to_numpy(zero_copy_only=False)
    todo = np.flatnonzero(valid)
    for fmt in formats:
        subset = (iso_head if fmt == "%Y-%m-%d" else text).take(pa.array(todo))
        attempt = pc.strptime(subset, format=fmt, unit="s", error_is_null=True)
        ok = pc.fill_null(_prints_back(subset, attempt, fmt), False).to_numpy(zero_copy_only=False)
        parsed = pc.cast(pc.cast(attempt, pa.date32()), pa.int32()).to_numpy(zero_copy_only=False)
        days[todo[ok]] = parsed[ok]
        todo = todo[~ok]
    missing = days == np.iinfo(np.int32).min
    year = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    implausible = ~missing & ((year < 1900) | (year > dt.date.today().year + 1))
    converter.flag(missing & valid, "d", f"not a date in the form {' or '.join(formats)}")
    converter.flag(implausible, "d", "date outside 1900 … next year")
    read = days.astype("datetime64[D]").astype(object)
    return [None if m or i else d for d, m, i in zip(read, missing, implausible)], list(converter.reason)


def numbers_by_pattern(values: list[bytes | None], lo: float, hi: float, integer: bool) -> tuple[np.ndarray, list]:
    """The converter's former number reading: the pattern on every value. The numbers and each row's reason."""
    converter = Converter({"v": pa.array(values, pa.binary())}, len(values))
    text = converter.text("v")
    ok = pc.match_substring_regex(text, INTEGER if integer else NUMBER)
    malformed = pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(ok, False)))
    converter.flag(pc.and_(malformed, pc.fill_null(pc.match_substring_regex(text, NON_FINITE), False)), "v",
                   "not a finite number")
    converter.flag(malformed, "v", f"not a{'n integer' if integer else ' number'}")
    clean = pc.if_else(pc.fill_null(ok, False), text, pa.scalar(None, pa.string()))
    read = pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False)
    converter.flag(np.isinf(read), "v", "not a finite number (too large)")
    read = np.where(np.isinf(read), np.nan, read)
    outside = ~np.isnan(read) & ((read < lo) | (read > hi))
    shown = (lambda v: f"{v:.0f}") if integer else (lambda v: f"{v:g}")
    converter.flag(outside, "v", np.array([f"{shown(v)} is outside [{shown(lo)}, {shown(hi)}]" if o else None
                                           for v, o in zip(read, outside)], dtype=object))
    return np.where(outside, np.nan, read), list(converter.reason)


iso_like = st.builds(lambda y, m, d, tail: f"{y:04d}-{m:02d}-{d:02d}{tail}".encode(),
                     st.one_of(st.integers(1890, 2210), st.integers(0, 9999)), st.integers(0, 13), st.integers(0, 32),
                     st.sampled_from(["", "", "", " 00:00:00", "T12:00", "x"]))
date_values = st.one_of(iso_like, st.sampled_from([b"06 May 2019", b"6-May-2019", b"05/06/2019", b"", b"  "]),
                        st.binary(max_size=12), st.none())


@settings(max_examples=150, deadline=None)
@given(st.lists(date_values, min_size=1, max_size=40),
       st.sampled_from([("%Y-%m-%d",), ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%m/%d/%Y"), ("%m/%d/%Y", "%Y-%m-%d")]))
def test_dates_read_as_the_strptime_loop_reads_them(values, formats):
    try:
        expected = dates_by_strptime(values, formats)
    except pa.ArrowInvalid:  # the former loop's own failure on a date like "2019-5-1" (not this change's)
        return
    c = Converter({"d": pa.array(values, pa.binary())}, len(values))
    assert (c.date("d", formats).to_pylist(), list(c.reason)) == expected


def test_written_dates_read_as_the_strptime_loop_reads_them():
    next_year = dt.date.today().year + 1
    values = [f"{y}-{m:02d}-{d:02d}".encode() for y in (1899, 1900, 1999, 2000, 2019, 2020, 2100, next_year,
                                                         next_year + 1, 2199, 2200)
              for m in (0, 1, 2, 4, 12, 13) for d in (0, 1, 28, 29, 30, 31, 32)]
    values += [b"2019-05-06 00:00:00.000", b" 2019-05-06", b"2019/05/06", b"06 May 2019", b"", None, b"\xff9-05-06"]
    for formats in [("%Y-%m-%d",), ("%Y-%m-%d", "%d %B %Y"), ("%d %B %Y", "%Y-%m-%d")]:
        c = Converter({"d": pa.array(values, pa.binary())}, len(values))
        assert (c.date("d", formats).to_pylist(), list(c.reason)) == dates_by_strptime(values, formats)


number_values = st.one_of(st.from_regex(r"-?[0-9]{0,4}(\.[0-9]{0,3})?", fullmatch=True),
                          st.text("0123456789.-+eE x", max_size=8), st.none()).map(
    lambda v: None if v is None else v.encode())


@settings(max_examples=150, deadline=None)
@given(st.lists(number_values, min_size=1, max_size=40), st.booleans())
def test_numbers_read_as_the_number_pattern_reads_them(values, integer):
    c = Converter({"v": pa.array(values, pa.binary())}, len(values))
    read = c.number("v", -90, 90, integer=integer)
    expected, reasons = numbers_by_pattern(values, -90, 90, integer)
    np.testing.assert_array_equal(read, expected)
    assert list(c.reason) == reasons


def test_a_column_of_plain_numbers_with_one_odd_value_reads_as_the_pattern_reads_it():
    plain = [b"35.5", b"-36.25", b"0", b"12", b"7."]
    for odd in [b"1.2.3", b"1-2", b"--1", b"-", b".", b"-.", b".5", b"-.5", b"1.", b"+1", b"1e5", b"1e999", b"nan",
                b"-inf", b"0x10", b"1 2", b" 12 ", b"", b"\xd9\xa3", None, b"91", b"-90.0001", b"99999999999"]:
        for integer in (False, True):
            values = [*plain, odd, *plain]
            c = Converter({"v": pa.array(values, pa.binary())}, len(values))
            read = c.number("v", -90, 90, integer=integer)
            expected, reasons = numbers_by_pattern(values, -90, 90, integer)
            np.testing.assert_array_equal(read, expected)
            assert list(c.reason) == reasons, odd
