"""The gazetteer rebuilt by tools/ (issue 14): UCDP's named places, a transliteration-aware name key, Arabic script."""

import csv
import importlib.util
import itertools
import math
import re
import unicodedata
from pathlib import Path

import pytest

from ceasefire.geodata.basedata import data_path, find_places, gazetteer
from ceasefire.geodata.names import name_key, split_place_description

from .conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]
UCDP = SHARED / "data" / "events" / "ucdp_ged_syria_2017_2019.csv"
needs_shared = pytest.mark.skipif(not UCDP.exists(), reason="../shared/data is not beside the project")


def tool(name: str):
    """A module of tools/ (they are scripts, not part of the package)."""
    spec = importlib.util.spec_from_file_location(f"tools_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def km(a, b) -> float:
    dlat = math.radians(b.lat - a.lat)
    dlon = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


# --------------------------------------------------------------------------- the name key

SAME = [
    ("Hmeimim", "Hmeimem"), ("Hmeimim", "Hemeimeem"), ("Hmeimim", "Khmeimim"), ("Hmeimim", "Hmeymim"),
    ("Maarat al-Numan", "Maaret al-Noaman"), ("Maarat al-Numan", "Ma'arrat an-Nu'man"),
    ("Maarat al-Numan", "Ma‘arrat an Nu‘mān"), ("Maarat al-Numan", "Maarat Al Numan"),
    ("Jisr al-Shughour", "Jisr ash-Shughur"), ("Jisr al-Shughur", "Jisr esh Shughūr"),
    ("Saraqeb", "Saraqib"), ("Douma", "Duma"), ("Qalaat al-Madiq", "Kalaat el-Madik"),
    ("Khan Sheikhoun", "Khan Shaykhun"), ("Khan Sheikhoun", "Khān Shaykhūn"), ("Tall Rifat", "Tal Refaat"),
    ("Tell Rifaat", "Tall Rif‘at"), ("Deir ez-Zor", "Dayr az-Zawr"), ("Deir ez-Zor", "Deir al-Zour"),
    ("Idleb", "Idlib"), ("Edlib", "Idlib"), ("Binnish", "Bennesh"), ("Morek", "Mourek"), ("Kafr Zita", "Kafr Zeita"),
    ("Salamiyah", "Salamieh"), ("Salamiyeh", "Salamiyya"), ("Hasakah", "Hassakeh"), ("Raqqa", "Ar-Raqqah"),
    ("Deir Sunbul", "Deir Sonbol"), ("Ain al-Hur", "Ain al-Hawr"), ("Ain al-Hur", "Ein al-Hour"),
    ("Ayn al-Arab", "Ain al-Arab"), ("Khan Tuman", "Khan Touman"), ("Beit Jinn", "Bayt Jin"),
    ("Abu al-Duhur", "Abou Dhuhour"), ("Kafr Nabudah", "Kafr Naboudeh"), ("Jebel al-Zawiya", "Jabal az-Zawiyah"),
    ("Khirbet al-Joz", "Khirbat al-Jawz"), ("Sheikh Maskin", "Shaykh Maskin"), ("Latamneh", "Latamnah"),
    ("Djisr", "Jisr"), ("Lattakia", "Latakia"), ("Dar'a", "Daraa"), ("Hamah", "Hama"),
]
APART = [  # different places whose names are near in spelling
    ("Hama", "Homs"), ("Idlib", "Aleppo"), ("Saraqib", "Sarmin"), ("Hama", "Hima"), ("Duma", "Dama"),
    ("Ariha", "Riha"),  # the town's colloquial name: an alternate, not a fold (a lost first vowel)
    ("Kafr Nabl", "Kafr Nabudah"), ("Maarat al-Numan", "Maarat Misrin"), ("Maar Shamarin", "Maar Shamshah"),
    ("Tall Rifat", "Tall Abyad"), ("Khan Shaykhun", "Khan Tuman"), ("Deir Hafer", "Deir Hassan"),
    ("Al-Bab", "Bab al-Hawa"), ("Hass", "Hish"), ("Sarmada", "Sarmin"),
    # English words and village names the folds must not join
    ("Mare'", "Maria"), ("Dome", "Duma"), ("Home", "Hama"), ("Here", "Hiri"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_spelling_variants_share_a_key(a, b):
    assert name_key(a) == name_key(b), (name_key(a), name_key(b))


@pytest.mark.parametrize(("a", "b"), APART)
def test_different_names_keep_different_keys(a, b):
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize(("spelling", "canonical"), [
    ("Kafranbel", "Kafr Nabl"),  # a vowel dropped and moved: the key keeps vowels, GeoNames lists both
    ("Kalaat el-Mudik", "Qalaat al-Madiq"),  # a for u: the key does not merge them, GeoNames lists both
    ("Riha", "Ariha"), ("Humaymim", "Hmeimim"), ("Latamneh", "Al-Lataminah"), ("Menbij", "Manbij"),
])
def test_spellings_the_key_does_not_bridge_are_alternates(spelling, canonical):
    assert find_places(spelling)[0].id == find_places(canonical)[0].id


@pytest.mark.parametrize("word", ["Man", "Has", "Hit", "Here", "Home", "Dome", "Deal", "Maria", "Hussein", "Said",
                                  "Center", "Main", "Russia", "Syria", "Turkey", "Assad", "Al-Assad", "Zakharova"])
def test_english_words_and_names_of_people_are_not_places(word):
    assert find_places(word) == []


# --------------------------------------------------------------------------- Arabic script

@pytest.mark.parametrize(("a", "b"), [
    ("إدلب", "ادلب"), ("إِدْلِب", "ادلب"), ("حماة", "حماه"), ("السويداء", "السويدا"), ("دير الزّور", "دير الزور"),
    ("محافظة إدلب", "إدلب"), ("ناحية تارين", "تارين"), ("الأتارب", "اتارب"), ("عين عيسى", "عين عيسي"),
    ("القامشلی", "القامشلي"),
])
def test_arabic_spellings_share_a_key(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(("arabic", "place_id"), [
    ("إدلب", "geonames:169389"), ("ادلب", "geonames:169389"), ("إِدْلِب", "adm:SY07"), ("محافظة إدلب", "adm:SY07"),
    ("حماة", "geonames:170017"), ("حماه", "adm:SY05"), ("دير الزور", "geonames:170794"),
    ("معرة النعمان", "geonames:167611"), ("سراقب", "geonames:164816"), ("خان شيخون", "geonames:168325"),
    ("اللاذقية", "geonames:173576"), ("لاذقية", "adm:SY06"), ("كفرنبل", "geonames:168661"),
    ("جسر الشغور", "adm:SY0704"),
])
def test_an_arabic_spelling_finds_the_place(arabic, place_id):
    assert place_id in [p.id for p in find_places(arabic)]


# --------------------------------------------------------------------------- UCDP's places

@pytest.mark.parametrize(("text", "names", "feature"), [
    ("Sfuhen town", ["Sfuhen"], "town"),
    ("Maar Tahroma/Maarat Hurmah village", ["Maar Tahroma", "Maarat Hurmah"], "village"),
    ("Jalbara village/ Anabka Poultry farm", ["Jalbara", "Anabka Poultry farm"], "village"),
    ("Abu Naytal (Farraj) village", ["Abu Naytal", "Farraj"], "village"),
    ("Al-Rai town (Choban Bey)", ["Al-Rai", "Choban Bey"], "town"),
    ("Alamdar / Elendara village", ["Alamdar", "Elendara"], "village"),
    ("Bab al Khayr village II", ["Bab al Khayr II"], "village"),
    ("Atmeh IDP camp", ["Atmeh IDP camp"], ""),
    ("Water treatment/pumping station Jazirah area", ["Water treatment/pumping station Jazirah"], "area"),
    ("Tall Rasha", ["Tall Rasha"], ""),
])
def test_a_ucdp_description_gives_names_and_a_feature(text, names, feature):
    assert split_place_description(text) == (names, feature)


@pytest.mark.parametrize(("name", "adm3"), [
    ("Sfuhen", "SY070203"), ("Deir Sonbol", "SY070501"), ("Al-Bara", "SY070501"), ("Kansafra", "SY070501"),
    ("Maarat Hurmah", "SY070203"), ("Kafr Nabudah", "SY050204"), ("Tal Tuqan", "SY070001"), ("Jarjanaz", "SY070200"),
])
def test_villages_cities500_lacks_come_from_ucdp(name, adm3):
    place = find_places(name)[0]
    assert place.adm3 == adm3 and place.id.startswith("ucdp:")
    assert place.source.startswith("UCDP GED 19.1 (CC BY 4.0)")


def test_names_of_one_place_are_one_row():
    assert find_places("Maar Tahroma") == find_places("Maarat Hurmah")  # "Maar Tahroma/Maarat Hurmah village"
    palmyra = find_places("Palmyra")  # "Tadmur/Palmyra town" joined GeoNames' Tadmur
    assert palmyra[0].id == find_places("Tadmur")[0].id and palmyra[0].id.startswith("geonames:")


def test_ucdp_rows_have_stable_ids_and_cite_their_source():
    rows = [p for p in gazetteer() if p.id.startswith("ucdp:")]
    assert len(rows) > 800
    assert all(re.fullmatch(r"ucdp:\d+", p.id) for p in rows)
    assert len({p.id for p in rows}) == len(rows)
    assert all(p.source.startswith("UCDP GED 19.1 (CC BY 4.0)") and p.kind == "place" for p in rows)
    enriched = [p for p in gazetteer() if p.id.startswith("geonames:") and "UCDP GED 19.1" in p.source]
    assert enriched and all(p.source.endswith("names also from UCDP GED 19.1 (CC BY 4.0)") for p in enriched)


def test_no_ucdp_place_repeats_a_place_within_2_km():
    places = [p for p in gazetteer() if p.kind == "place"]
    keys = {p.id: {name_key(n) for n in (p.name, *p.alternates)} for p in places}
    twins = [(a.name, b.name) for a, b in itertools.combinations(places, 2)
             if (a.id.startswith("ucdp:") or b.id.startswith("ucdp:")) and abs(a.lat - b.lat) < 0.02
             and keys[a.id] & keys[b.id] and km(a, b) <= 2.0]
    assert twins == []


def test_the_shipped_gazetteer_stays_small():
    assert data_path("gazetteer.csv").stat().st_size < 400_000


# --------------------------------------------------------------------------- what the folds cost

_ARTICLES = {"al", "ar", "as", "ash", "ad", "an", "az", "at", "el", "es"}


def _key_before_issue_14(name: str) -> str:
    """The name key as it was: diacritics, apostrophes, suffixes, articles, doubled letters and a final h only."""
    text = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    text = text.lower().strip()
    for ch in "'`‘’ʿʾ´\"":
        text = text.replace(ch, "")
    text = re.sub(r"[^a-z0-9\u0600-\u06ff]+", " ", text).strip()
    for suffix in (" subdistrict", " district", " governorate", " province", " city", " nahiya"):
        if text.endswith(suffix) and len(text) > len(suffix) + 2:
            text = text[: -len(suffix)]
    text = re.sub(r"(.)\1+", r"\1", "".join(w for w in text.split() if w not in _ARTICLES))
    return re.sub(r"(?<=[aeiou])h$", "", text)


# Keys that now join entries more than 20 km apart that the old key kept apart, each reviewed:
REVIEWED = {
    # one name, several places (Arabic homonyms spelled two ways): a lookup must choose by context anyway
    "amiriya", "aziziya", "mansura", "rasin", "salhiya", "sida", "sukariya", "kisra",
    "حلب", "سبعبيار", "sabiyar",  # a district or sub-district named "منطقة حلب", "ناحية السبع بيار"
    # two names the folds make one: the price of kh = h, ai = i (Sabkha/Sabha, Mukharram/Muharram,
    # Arbain/Arbin, Kurayn/Korin)
    "sabha", "muharam", "arbin", "arbine", "kurin",
}


def test_new_far_apart_collisions_are_few_and_reviewed():
    places = gazetteer()
    new_keys = [{name_key(n) for n in (p.name, *p.alternates)} - {""} for p in places]
    old_keys = [{_key_before_issue_14(n) for n in (p.name, *p.alternates)} - {""} for p in places]
    by_key: dict[str, list[int]] = {}
    for i, keys in enumerate(new_keys):
        for k in keys:
            by_key.setdefault(k, []).append(i)
    collisions = {(k, i, j) for k, rows in by_key.items() for i, j in itertools.combinations(rows, 2)
                  if not old_keys[i] & old_keys[j] and km(places[i], places[j]) > 20}
    assert {k for k, _, _ in collisions} <= REVIEWED, sorted({k for k, _, _ in collisions} - REVIEWED)
    assert len(collisions) <= 30


# --------------------------------------------------------------------------- built by tools/, measured

@needs_shared
def test_most_ucdp_exact_places_are_found_within_5_km():
    coverage = tool("gazetteer_coverage")
    with open(data_path("gazetteer.csv"), encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    result = coverage.coverage(rows, name_key, coverage.ucdp_places(UCDP))
    assert result["places"] > 1000
    assert result["near"] >= 0.95, result


@needs_shared
def test_the_shipped_data_is_what_the_build_makes(tmp_path):
    build = tool("build_data")
    build.OUT = tmp_path
    build.main()
    for name in ("gazetteer.csv", "admin.geojson", "roads.geojson"):
        assert (tmp_path / name).read_bytes() == data_path(name).read_bytes(), name
