"""Dates and child order written in Indonesian words, as ISO dates and integers.

The Kutipan Akta Kelahiran spells dates out ("pada tanggal DUA PULUH TIGA bulan AGUSTUS
tahun DUA RIBU SEBELAS") and the child order too ("anak ke DUA" / "KEDUA"). Parsing is a
lookup, not arithmetic: the reverse of lokal-id's `terbilang` for every number we accept,
keyed by the phrase with its spaces removed, so OCR that joins ("DUAPULUH") or splits
("SEM BILAN") words still hits the table exactly. Only when that fails is each token
fuzzy-matched against the handful of number and month words; the phrase must then still be
one that `terbilang` produces, which stops a fuzzy fix from inventing a malformed number.
When a token is too damaged to name one word with confidence the answer is None: an unread
date goes to a person, a wrong one would not.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from lokal import terbilang
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from pipeline.contract import enums

# rapidfuzz `ratio` (0..100) a damaged token needs to count as a number or month word.
# 75 accepts one lost or wrong letter in a word of 4+ letters ("lma" -> lima 86, "ribv" ->
# ribu 75) but not in 3-letter words ("duo" -> dua 67), where one letter often makes another
# valid word; the shape folding below repairs the common i/l/1 and rn/m confusions first.
FUZZY_MIN_SCORE = 75.0
# The best word must beat the runner-up by this much, else the token is ambiguous.
FUZZY_MIN_MARGIN = 8.0
# Range of years accepted: birth and issue dates of living people and their documents.
YEAR_RANGE = (1800, 2199)
# Largest child order spelled out; beyond this the phrase is surely misread.
MAX_CHILD_ORDER = 30

_DATE_WORDS = enums()["date_words"]
_FILLERS = frozenset(_DATE_WORDS["filler_words"])
_MONTHS = {name.lower(): number for name, number in _DATE_WORDS["months"].items()}
_ORDINALS = {name.replace(" ", ""): n for name, n in _DATE_WORDS["ordinals"].items()}
_NUMBER_WORDS = frozenset(
    [w for w in _DATE_WORDS["units"] if w != "se"]
    + list(_DATE_WORDS["specials"]) + list(_DATE_WORDS["multipliers"])
)
# Shapes tesseract confuses; applied to the token and to the vocabulary alike.
_FOLD = [("rn", "m"), ("vv", "w"), ("1", "i"), ("l", "i"), ("|", "i"), ("!", "i"),
         ("0", "o"), ("5", "s")]
_NON_WORD = re.compile(r"[^0-9a-z|!]+")


def parse_date_words(text: str | None) -> str | None:
    """ISO date of a date written in words ("dua puluh tiga Agustus tahun dua ribu sebelas")."""
    return parse_date_words_scored(text)[0]


def parse_ordinal(text: str | None) -> int | None:
    """Child order from "DUA", "KEDUA", "PERTAMA", "KE-3", "3" or "kedua belas"."""
    return parse_ordinal_scored(text)[0]


def parse_date_words_scored(text: str | None) -> tuple[str | None, float]:
    """(ISO date or None, 0..100): 100 when every word was read exactly, lower after fuzzy fixes.

    Extractors use the score to lower a field's confidence when the date needed repair.
    """
    tokens = _tokens(text)
    exact = _date([t for t in tokens if t not in _FILLERS], fuzzy=False)
    if exact[0] is not None or not tokens:
        return exact
    repaired = _without_fillers(tokens)
    return _date(repaired, fuzzy=True) if repaired is not None else (None, 0.0)


def _date(tokens: list[str], *, fuzzy: bool) -> tuple[str | None, float]:
    """Day words, month, year words; exact words only unless `fuzzy`."""
    at, month_score = _find_month(tokens, fuzzy)
    if at is None:
        return None, 0.0
    day, day_score = _number(tokens[:at], 1, 31, fuzzy)
    year, year_score = _number(tokens[at + 1:], *YEAR_RANGE, fuzzy)
    if day is None or year is None:
        return None, 0.0
    try:
        iso = date(year, _MONTHS[_month_word(tokens[at])], day).isoformat()
    except ValueError:
        return None, 0.0
    return iso, min(month_score, day_score, year_score)


def parse_ordinal_scored(text: str | None) -> tuple[int | None, float]:
    """(child order or None, 0..100), like `parse_date_words_scored`."""
    tokens = [t for t in _tokens(text) if t != "anak"]
    if tokens[:1] == ["ke"]:  # "anak ke DUA", "ke-3"
        tokens = tokens[1:]
    if not tokens:
        return None, 0.0
    joined = "".join(tokens)
    if joined in _ORDINALS:  # pertama, kedua belas
        return _ORDINALS[joined], 100.0
    cardinal = tokens
    if tokens[0].startswith("ke") and len(tokens[0]) > 2:
        cardinal = [tokens[0][2:], *tokens[1:]]  # ketiga -> tiga, keempat belas -> empat belas
    value, score = _number(cardinal, 1, MAX_CHILD_ORDER)
    if value is None and len(tokens) <= 2:  # an OCR-damaged ordinal word ("PERTAMIA")
        word, score = _best_word(joined, frozenset(_ORDINALS))
        value = _ORDINALS[word] if word is not None else None
    return value, score if value is not None else 0.0


def _tokens(text: str | None) -> list[str]:
    """Lower-case word tokens; hyphens, commas and other punctuation separate words."""
    if not text:
        return []
    return [t for t in _NON_WORD.split(text.lower()) if t]


def _fold(token: str) -> str:
    for old, new in _FOLD:
        token = token.replace(old, new)
    return token


@cache
def _phrases(lo: int, hi: int) -> dict[str, int]:
    """Folded phrase without spaces -> number, for every number lo..hi (terbilang's forms)."""
    return {_fold(terbilang(n).replace(" ", "")): n for n in range(lo, hi + 1)}


@cache
def _folded_vocabulary(words: frozenset[str]) -> dict[str, str]:
    return {_fold(w): w for w in words}


def _best_word(token: str, words: frozenset[str], fuzzy: bool = True) -> tuple[str | None, float]:
    """The vocabulary word a token stands for and how sure that is (0 when unsure)."""
    vocab = _folded_vocabulary(words)
    folded = _fold(token)
    if token in words:
        return token, 100.0
    if folded in vocab and not _rivals(token, vocab[folded], words):
        return vocab[folded], 95.0
    if not fuzzy:
        return None, 0.0
    found = process.extract(folded, list(vocab), scorer=fuzz.ratio, limit=2)
    if not found or found[0][1] < FUZZY_MIN_SCORE:
        return None, 0.0
    if len(found) > 1 and found[0][1] - found[1][1] < FUZZY_MIN_MARGIN:
        return None, 0.0
    if _rivals(token, vocab[found[0][0]], words):  # "met": maret, or mei with one letter wrong
        return None, 0.0
    return vocab[found[0][0]], float(found[0][1])


def _rivals(token: str, word: str, words: frozenset[str]) -> bool:
    """True when another word is one edit from the token too ("juii": juli or juni)."""
    return any(w != word and Levenshtein.distance(token, w) <= 1 for w in words)


def _closest(token: str, words: frozenset[str]) -> float:
    """Best plain similarity of a token to any of the words (no margin rule)."""
    if token in words:
        return 100.0
    found = process.extractOne(_fold(token), list(_folded_vocabulary(words)), scorer=fuzz.ratio)
    return float(found[1]) if found else 0.0


def _without_fillers(tokens: list[str]) -> list[str] | None:
    """Tokens minus tanggal/bulan/tahun/pada; None when a token could be filler or value.

    "bulas" is as close to bulan as to belas, "tigi" to tgl as to tiga: dropping it or
    reading it as a number would both be guesses, and one of them gives a wrong date.
    """
    kept = []
    values = _NUMBER_WORDS | frozenset(_MONTHS)
    for token in tokens:
        if len(token) <= 3:
            if token not in _FILLERS:
                kept.append(token)
            continue
        if token in _FILLERS:
            continue
        filler, value = _closest(token, _FILLERS), _closest(token, values)
        if filler >= FUZZY_MIN_SCORE and value >= FUZZY_MIN_SCORE:
            return None  # "tigi" is as much tgl as tiga: dropping it would change the year
        if filler < FUZZY_MIN_SCORE:
            kept.append(token)
    return kept


def _month_word(token: str) -> str:
    return _best_word(token, frozenset(_MONTHS))[0] or ""


def _find_month(tokens: list[str], fuzzy: bool) -> tuple[int | None, float]:
    """Index and score of the token that names the month (the best one if several qualify)."""
    best: tuple[int | None, float] = (None, 0.0)
    for i, token in enumerate(tokens):
        if len(token) < 3 or token.isdigit():
            continue
        word, score = _best_word(token, frozenset(_MONTHS), fuzzy)
        if word is not None and score > best[1]:
            best = (i, score)
    return best


def _number(tokens: list[str], lo: int, hi: int, fuzzy: bool = True) -> tuple[int | None, float]:
    """A number lo..hi from its word tokens (or digits), exact first, then word by word."""
    if not tokens:
        return None, 0.0
    joined = "".join(tokens)
    if joined.isdigit():
        value = int(joined)
        return (value, 100.0) if lo <= value <= hi else (None, 0.0)
    table = _phrases(lo, hi)
    if _fold(joined) in table:
        exact = all(t in _NUMBER_WORDS for t in tokens) or joined in _number_strings(lo, hi)
        return table[_fold(joined)], 100.0 if exact else 95.0
    if not fuzzy:
        return None, 0.0
    fixed = [_best_word(t, _NUMBER_WORDS) for t in tokens]
    if any(word is None for word, _ in fixed):
        return None, 0.0
    key = _fold("".join(word for word, _ in fixed if word))
    if key not in table:
        return None, 0.0
    return table[key], min(score for _, score in fixed)


@cache
def _number_strings(lo: int, hi: int) -> frozenset[str]:
    return frozenset(terbilang(n).replace(" ", "") for n in range(lo, hi + 1))
