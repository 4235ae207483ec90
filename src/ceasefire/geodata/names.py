"""Name keys: one spelling-insensitive key for the many ways a Syrian place is written.

Transliterations of Arabic names differ in diacritics (Ḩamāh), apostrophes for
ayn/hamza (Ma‘arrat, Dar'a), doubled consonants (Lattakia), the article
(al-/ar-/as-/el-/ez-) and a final h (Hamah). They also write one sound in
several ways: kh or h for خ (Khmeimim, Hmeimim: Russian sources write Kh), q or
k for ق (Saraqib, Kalaat), dh or d, ou/oo/o or u for the long u (Douma,
Shughour), ee/ei/ey/ay/ai or i for the long i and the diphthong (Hmeimeem,
Sheikh, Shaykh, Deir, Dayr), aw or o for the other diphthong (Zawr, Zor), e or
i for the short i (Idleb, Saraqeb), eh or ah for the final taa marbuta
(Latamneh, Hamah). The key folds all of these.

It does not merge a with i or u, and does not drop vowels: short names stay
apart from each other and from English words (Hama/Hima, Madiq/Mudiq, Sarmin/
Sermin stay different keys). Spellings that differ in more than the folds
(Latakia/Al-Ladhiqiyah, Kafr Nabl/Kafranbel, Madiq/Mudiq) are alternates in the
shipped data instead. The English e is ambiguous (Idleb's e is an i, Maaret's
and Tell's an a): it folds to i, and the few place words that write an a as e
(Tell, Maaret, Kfar, Jebel, Khirbet, Merj) are mapped whole.

Arabic script: tashkeel and hamza dropped, alef variants (أ إ آ ٱ) to ا, taa
marbuta ة to ه, alef maqsura ى to ي, Persian ی ک to ي ك, the article ال and the
leading words محافظة / منطقة / ناحية (governorate, district, sub-district)
dropped.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ARTICLES = {"al", "ar", "as", "ash", "ad", "an", "az", "at", "el", "es", "ez", "ed", "er", "et", "esh", "ej", "en"}
_APOSTROPHES = "'`‘’ʿʾʻʼ´\""  # ayn and hamza, however written: dropped
_SUFFIXES = (" subdistrict", " district", " governorate", " province", " city", " nahiya")
_PREFIXES = ("nahiyat ", "nahiya ", "محافظه ", "منطقه ", "ناحيه ")  # after ة → ه
# Arabic letters written in more than one way (NFKD already splits أ إ آ into ا and a mark).
# Turkish dotless ı is an i. One table, applied once, with the apostrophes dropped.
_LETTERS = str.maketrans({"ة": "ه", "ى": "ي", "ی": "ي", "ک": "ك", "ٱ": "ا", "ء": None, "ـ": None, "ı": "i",
                          **dict.fromkeys(_APOSTROPHES)})
# Common place words whose English spelling writes the a as e (the generic fold makes e an i).
_WORDS = {
    **dict.fromkeys(("tell", "tel", "tall", "tal"), "tal"),
    **dict.fromkeys(("maaret", "maarret", "maret", "marret", "maarat", "maarrat", "marat"), "marat"),
    **dict.fromkeys(("kfar", "kafr", "kafar", "kefr", "kfer", "kefar"), "kafr"),
    **dict.fromkeys(("jebel", "jabal", "jbel", "jabel", "jebal"), "jabal"),
    **dict.fromkeys(("khirbet", "kherbet", "khirbat", "kherbat", "khurbet", "khirbit"), "khirbat"),
    **dict.fromkeys(("merj", "marj"), "marj"),
    **dict.fromkeys(("mezraa", "mazraa", "mazraah"), "mazraa"),
}
_VOWEL = "aeiouy"
_CONSONANT = "b-df-hj-np-tv-z"
# Compiled once: keys are made for every name and alternate of the gazetteer when it is first indexed.
_NOT_LETTERS = re.compile(r"[^a-z0-9\u0600-\u06ff]+")
_EPENTHESIS = re.compile(rf"^([{_CONSONANT}])e(?=[{_CONSONANT}](?:ei|ee|ey))")
_DOUBLED = re.compile(r"(.)\1+")
_FINAL_IYA = re.compile(r"(?:iye|ie|iya)h?$")
_FINAL_EH = re.compile(r"eh$")
_FINAL_H = re.compile(r"(?<=[aeiou])h$")
_AW = re.compile(rf"[au]w(?![{_VOWEL}])")
_LONG_I = re.compile(rf"(?:ee|ei|ey|ie|ai|ay)(?![{_VOWEL}])")
_SHORT_E = re.compile(rf"e(?=[{_CONSONANT}])")
_FINAL_Y = re.compile(r"y$")
_DOUBLED_VOWEL = re.compile(r"([aiu])\1+")


@lru_cache(maxsize=1 << 16)  # readers ask for the same names again and again (every article, every unit)
def name_key(name: str) -> str:
    """Return the comparison key of a place name.

    >>> name_key("Ma‘arrat an Nu‘mān") == name_key("Maaret al-Noaman")
    True
    >>> name_key("Khmeimim") == name_key("Hmeimem")
    True
    >>> name_key("إدلب") == name_key("ادلب")
    True
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NOT_LETTERS.sub(" ", text.lower().translate(_LETTERS)).strip()
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 2:
            text = text[: -len(suffix)]
    for prefix in _PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix) + 2:
            text = text[len(prefix):]
    # After punctuation became spaces, "al-Atarib" and "an Nu'man" carry their article as a word of its own;
    # the Arabic article is written joined (الحسكة).
    words = [w for w in text.split() if w not in _ARTICLES]
    words = [w[2:] if w.startswith("ال") and len(w) > 3 else w for w in words]
    # An unwritten vowel the English spelling adds before a long i: Hemeimeem for Hmeimim, Kefeir for Kfeir.
    words = [_EPENTHESIS.sub(r"\1", w) for w in words]
    text = "".join(_WORDS.get(w, w) for w in words)
    return _fold(text)


def _fold(text: str) -> str:
    """The spelling folds on the joined words (Latin letters only; Arabic passes through)."""
    text = _DOUBLED.sub(r"\1", text)  # Lattakia → latakia, Tallbisah → talbisah
    # The final taa marbuta: -iyeh/-ieh/-iyah (Salamiyeh, Salamieh), -eh (Latamneh) and -ah (Hamah); before kh
    # becomes h, so that Sheikh keeps its h. Not -ia: Maria, Russia and Syria would become village names.
    text = _FINAL_H.sub("", _FINAL_EH.sub("a", _FINAL_IYA.sub("iya", text)))
    # Consonants: خ kh/h, ق q/k (and ck), ج dj/j, ف ph/f, ض ظ ذ dh/d (Dhuhur, Diban).
    text = text.replace("kh", "h").replace("q", "k").replace("ck", "k").replace("dj", "j").replace("ph", "f")
    text = text.replace("dh", "d")
    # Vowels: o, ou, oo, oa (Noaman) are u; aw/ow before a consonant is the diphthong (Zawr, Zor).
    text = text.replace("oa", "u").replace("o", "u")
    text = _AW.sub("u", text)
    # ee, ei, ey, ie, ai, ay before a consonant are the long i or the diphthong (Hmeimeem, Sheikh, Shaykh).
    text = _LONG_I.sub("i", text)
    # The short i, before a consonant (Idleb, Saraqeb, Hmeimem). A final e stays: in English it is silent (Here,
    # Dome and Home must not become Hiri, Dumi and Humi), in French spellings the taa marbuta (Jize) or silent
    # (Sarmine). Not before a vowel either: GeoNames' Mareaa (Mare') must not become Maria.
    text = _SHORT_E.sub("i", text)
    return _DOUBLED_VOWEL.sub(r"\1", _FINAL_Y.sub("i", text))


_SETTLEMENT = ("village", "town", "city", "suburb", "neighbourhood", "neighborhood", "locality", "area", "hamlet")
_FEATURE = re.compile(rf"\s+({'|'.join(_SETTLEMENT)})(?:\s+(I{{1,3}}|IV|V))?$", re.IGNORECASE)


def split_place_description(text: str) -> tuple[list[str], str]:
    """A dataset's description of a place → its names (the first is the main one) and its feature word.

    UCDP GED writes "Sfuhen town", "Maar Tahroma/Maarat Hurmah village", "Abu Naytal (Farraj) village",
    "Atmeh IDP camp". The settlement word (village, town, suburb, …) is not part of the name; a facility's
    word is (a camp, a base, a checkpoint is named with it). "A/B" and "A (B)" give alternative names.

    >>> split_place_description("Maar Tahroma/Maarat Hurmah village")
    (['Maar Tahroma', 'Maarat Hurmah'], 'village')
    """
    text = " ".join(text.split())
    extra = [p.strip() for p in re.findall(r"\(([^()]*)\)", text) if p.strip()]
    text = re.sub(r"\s*\([^()]*\)\s*", " ", text).strip()
    parts = [p.strip() for p in text.split("/")]
    # "Water treatment/pumping station": a slash inside a description, not between two names.
    if len(parts) > 1 and not all(p[:1].isupper() or p[:1].isdigit() for p in parts):
        parts = [text]
    names, feature = [], ""
    for part in parts:
        m = _FEATURE.search(part)
        if m:
            feature = feature or m.group(1).lower()
            part = part[: m.start()] + (f" {m.group(2)}" if m.group(2) else "")
        if part and part not in names:
            names.append(part)
    return names + [e for e in extra if e not in names], feature
