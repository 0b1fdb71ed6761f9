"""Indonesian-aware comparison of person names and place names.

Names are compared the way Dukcapil staff read them (domain README section 5): case, spacing,
punctuation, academic/religious titles, known abbreviations (MOH. = MUHAMMAD), old spelling
(SOEKARNO = SUKARNO) and a BIN/BINTI tail are not differences; a different person is. The
normalisation is applied in levels and the first level at which both sides agree names *why*
they matched, so a verifier can see that "H. AHMAD" matched "AHMAD" because of a title.
A pair that agrees at no level is never a match: a close spelling is `near` (review), and a
token with no similar counterpart is a different name (`mismatch`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

from rapidfuzz import fuzz

from pipeline.contract import enums
from rules.ruleset import FuzzyThresholds, PlaceWords

NameOutcome = Literal["match", "near", "mismatch"]

_AMBIGUOUS = "M*"  # placeholder for a lone "M.": MUHAMMAD, MAHMUD, MOCHAMAD ... (near at best)
_JOINED = str.maketrans("", "", "'`\u2018\u2019\u02bc")  # apostrophes join: NUR'AINI = NURAINI
_SPLIT = re.compile(r"[^A-Z0-9.,]+")
_OLD_SPELLING = re.compile(r"OE|DJ|TJ|NJ|SJ|CH")
_OLD_MARKERS = re.compile(r"OE|DJ|TJ|NJ|SJ")
_DOUBLED = re.compile(r"(.)\1+")


@dataclass(frozen=True)
class NameMatch:
    """How two names compare: outcome, similarity 0..100 and the normalisation that decided."""

    outcome: NameOutcome
    score: float
    normalisation: str


@dataclass(frozen=True)
class _Token:
    text: str  # uppercase, dots removed
    dotted: bool  # written with a dot (S.H., H.)
    after_comma: bool  # written after a comma (", S.PD")


@dataclass(frozen=True)
class _NameData:
    prefixes: frozenset[str]
    suffixes: frozenset[str]
    abbreviations: dict[str, str]
    ambiguous: frozenset[str]
    patronymic: frozenset[str]
    spelling: dict[str, str]


@cache
def _name_data() -> _NameData:
    """Title, abbreviation and spelling lists from enums.json, dot-free for token lookup."""
    src = enums()["name_normalization"]
    abbreviations = {_undot(v): canon for canon, vs in src["abbreviations"].items() for v in vs}
    abbreviations = {k: v for k, v in abbreviations.items() if k not in {"H", "HJ"}}
    spelling = {old: new for old, new in src["old_spelling_pairs"] if old != "J"}
    return _NameData(
        prefixes=frozenset(_undot(t) for t in src["title_prefixes"]),
        suffixes=frozenset(_undot(t) for t in src["title_suffixes"]),
        abbreviations=abbreviations,
        ambiguous=frozenset(_undot(t) for t in src["ambiguous"]),
        patronymic=frozenset(src["patronymic_markers"]),
        spelling=spelling,
    )


def _place_aliases(words: PlaceWords) -> dict[str, str]:
    """Old region names that kept their code (TOBA SAMOSIR -> TOBA), as normalised strings."""
    changes = enums()["region_code_changes"]["renamed_same_code"]
    return {" ".join(_place_tokens(c["old"], words)[0]): " ".join(_place_tokens(c["new"], words)[0])
            for c in changes}


def _undot(text: str) -> str:
    return text.upper().replace(".", "").strip()


def basic(text: str) -> str:
    """Uppercase, apostrophes removed, other punctuation to spaces, spaces collapsed."""
    up = unicodedata.normalize("NFKC", text).upper().translate(_JOINED)
    return " ".join(part for part in re.split(r"[^A-Z0-9]+", up) if part)


def _tokens(text: str) -> list[_Token]:
    """Tokens with the dot/comma facts title detection needs ("DRS.H.AHMAD" -> DRS, H, AHMAD)."""
    up = unicodedata.normalize("NFKC", text).upper().translate(_JOINED)
    data, out, comma = _name_data(), [], False
    for chunk in re.split(r"(,)|\s+", _SPLIT.sub(" ", up)):
        if not chunk:
            continue
        if chunk == ",":
            comma = True
            continue
        plain = chunk.replace(".", "")
        if plain in data.prefixes | data.suffixes or "." not in chunk.rstrip("."):
            if plain:
                out.append(_Token(plain, "." in chunk, comma))
            continue
        parts = [p for p in chunk.split(".") if p]
        out.extend(_Token(p, True, comma) for p in parts)
    return out


def _strip_titles(tokens: list[_Token]) -> list[_Token]:
    """Drop leading title prefixes and trailing title suffixes, always keeping one token."""
    data = _name_data()
    start, end = 0, len(tokens)
    while end - start > 1 and tokens[start].text in data.prefixes:
        start += 1
    while end - start > 1 and _is_suffix(tokens[end - 1], data):
        end -= 1
    return tokens[start:end]


def _is_suffix(token: _Token, data: _NameData) -> bool:
    """A suffix title needs a sign it is one: a dot, a comma before it, or an unmistakable form."""
    if token.text not in data.suffixes:
        return False
    return token.dotted or token.after_comma or len(token.text) >= 3


def _abbreviate(words: list[str]) -> list[str]:
    data = _name_data()
    return [_AMBIGUOUS if w in data.ambiguous else data.abbreviations.get(w, w) for w in words]


def _respell(word: str) -> str:
    """Old (Van Ophuijsen / Soewandi) spelling to EYD, then doubled letters to single ones."""
    if word == _AMBIGUOUS:
        return word
    spelling = _name_data().spelling
    previous = None
    while word != previous:  # to a fixpoint: DDJ -> DJ -> J
        previous = word
        word = _OLD_SPELLING.sub(lambda m: spelling.get(m.group(0), m.group(0)), word)
        word = _DOUBLED.sub(r"\1", word)
    return word


def _without_patronymic(words: list[str]) -> list[str]:
    markers = _name_data().patronymic
    for i, word in enumerate(words):
        if i > 0 and word in markers:
            return words[:i]
    return words


def _equal(a: list[str], b: list[str]) -> tuple[bool, bool]:
    """(equal, needed the ambiguous "M." wildcard); joined forms count: NUR AINI = NURAINI."""
    if a == b or "".join(a) == "".join(b):
        return True, False
    if len(a) != len(b) or _AMBIGUOUS not in a + b:
        return False, False
    for x, y in zip(a, b):
        if x != y and not _wild_equal(x, y):
            return False, False
    return True, True


def _wild_equal(x: str, y: str) -> bool:
    if x == _AMBIGUOUS:
        return y.startswith("M") or y == _AMBIGUOUS
    return y == _AMBIGUOUS and x.startswith("M")


def _name_levels(text: str) -> list[tuple[str, list[str]]]:
    """The normalisation levels of one name, mildest first, each with its token list."""
    tokens = _tokens(text)
    titled = [t.text for t in _strip_titles(tokens)]
    abbreviated = _abbreviate(titled)
    respelled = [_respell(w) for w in _abbreviate([_respell(w) for w in abbreviated])]
    return [
        ("case_spacing", basic(text).split()),
        ("titles", titled),
        ("abbreviation", abbreviated),
        ("old_spelling", respelled),
        ("patronymic", _without_patronymic(respelled)),
    ]


def compare_names(submitted: str, extracted: str, thresholds: FuzzyThresholds) -> NameMatch:
    """Compare two person names; ``normalisation`` names the step that made them agree."""
    return _compare_levels(submitted, extracted, _name_levels(submitted),
                           _name_levels(extracted), thresholds)


def _compare_levels(
    a_raw: str, b_raw: str, a_levels: list[tuple[str, list[str]]],
    b_levels: list[tuple[str, list[str]]], thresholds: FuzzyThresholds,
) -> NameMatch:
    if not a_levels[0][1] or not b_levels[0][1]:
        return NameMatch("mismatch", 0.0, "empty")
    if a_raw.strip() == b_raw.strip():
        return NameMatch("match", 100.0, "exact")
    previous: tuple[list[str], list[str]] = ([], [])
    for (label, a), (_, b) in zip(a_levels, b_levels):
        both_tails = label == "patronymic" and a != previous[0] and b != previous[1]
        found = None if both_tails else _level_match(a, b, label, thresholds)
        if found:
            return found
        previous = (a, b)
    a_last, b_last = _deepest_pair(a_levels, b_levels)
    jy = _j_to_y(a_last, b_last, a_raw, b_raw)
    return jy or _fuzzy(a_last, b_last, thresholds)


def _level_match(a: list[str], b: list[str], label: str,
                 thresholds: FuzzyThresholds) -> NameMatch | None:
    equal, wildcard = _equal(a, b)
    if not equal:
        return None
    if wildcard:
        return NameMatch("near", _score(a, b), "abbreviation_ambiguous")
    return NameMatch("match", 100.0, label)


def _deepest_pair(a_levels: list[tuple[str, list[str]]],
                  b_levels: list[tuple[str, list[str]]]) -> tuple[list[str], list[str]]:
    """The most normalised forms; the BIN/BINTI tail kept only when both sides carry one."""
    a_full, b_full = a_levels[-2][1], b_levels[-2][1]
    if a_full != a_levels[-1][1] and b_full != b_levels[-1][1]:
        return a_full, b_full
    return a_levels[-1][1], b_levels[-1][1]


def _j_to_y(a: list[str], b: list[str], a_raw: str, b_raw: str) -> NameMatch | None:
    """Old J for /y/, tried last: JUSUF = YUSUF. A match only when the J side is written in
    old spelling elsewhere too (SOEJONO); otherwise near, because JOKO is not YOKO."""
    ay, by = [w.replace("J", "Y") for w in a], [w.replace("J", "Y") for w in b]
    if not _equal(ay, by)[0] or (ay == a and by == b):
        return None
    j_side = a_raw if ay != a else b_raw
    if _OLD_MARKERS.search(basic(j_side)):
        return NameMatch("match", 100.0, "old_spelling")
    return NameMatch("near", _score(a, b), "old_spelling_jy")


def _fuzzy(a: list[str], b: list[str], thresholds: FuzzyThresholds) -> NameMatch:
    """No normalisation made them equal: near when every token has a close counterpart and
    the whole is similar enough, or when one name is the other with words missing."""
    score = _score(a, b)
    shorter, longer = sorted((a, b), key=len)
    if _in_order(shorter, longer):
        return NameMatch("near", score, "partial")
    if sorted(a) == sorted(b):
        return NameMatch("near", score, "word_order")
    worst = min((_best_token(w, longer) for w in shorter), default=0.0)
    if worst < thresholds.token_near_min or score < thresholds.near_min:
        return NameMatch("mismatch", score, "different")
    return NameMatch("near", score, "fuzzy")


def _in_order(shorter: list[str], longer: list[str]) -> bool:
    it = iter(longer)
    return len(shorter) < len(longer) and all(word in it for word in shorter)


def _best_token(word: str, others: list[str]) -> float:
    return max((fuzz.ratio(word, other) for other in others), default=0.0)


def _score(a: list[str], b: list[str]) -> float:
    """Similarity 0..100: as written, or with the words sorted when that is higher (a name
    whose words were reordered); sorting alone would misalign NUR KHAIRANI / NUR PHAIRANI."""
    x, y = (" ".join(w.replace(_AMBIGUOUS, "M") for w in words) for words in (a, b))
    return round(max(fuzz.ratio(x, y), fuzz.token_sort_ratio(x, y)), 2)


def normalise_place(text: str, words: PlaceWords) -> str:
    """A place or address with region prefixes dropped, abbreviations written out, EYD spelling."""
    return " ".join(_place_levels(text, words)[0][-1][1])


def normalise_name(text: str) -> str:
    """The comparison key of a person name: titles, abbreviations, EYD spelling with single
    letters (MUHAMMAD -> MUHAMAD) and no BIN/BINTI tail. Applied to a fixpoint, so a key
    normalises to itself (HADJI AHMAD -> HAJI AHMAD -> AHMAD)."""
    seen: set[str] = set()
    while text not in seen:
        seen.add(text)
        text = " ".join(_name_levels(text)[-1][1]).replace(_AMBIGUOUS, "M")
    return text


# --- places ------------------------------------------------------------------------------


def _place_tokens(text: str, words: PlaceWords) -> tuple[list[str], str | None]:
    """Tokens of a place with its region-kind prefix and dropped words removed, and the kind."""
    tokens = basic(text).split()
    kinds = {w: kind for kind, ws in words.kind_prefixes.items() for w in ws}
    kind = None
    while len(tokens) > 1 and (tokens[0] in kinds or tokens[0] in words.drop_prefixes):
        kind = kinds.get(tokens[0], kind)
        tokens = tokens[1:]
    return [words.expansions.get(t, t) for t in tokens], kind


def _place_levels(text: str, words: PlaceWords) -> tuple[list[tuple[str, list[str]]], str | None]:
    tokens, kind = _place_tokens(text, words)
    aliased = _place_aliases(words).get(" ".join(tokens))
    prefixed = aliased.split() if aliased else tokens
    respelled = [_respell(w) for w in prefixed]
    levels = [("case_spacing", basic(text).split()), ("prefix", tokens),
              ("old_name", prefixed), ("old_spelling", respelled), ("old_spelling", respelled)]
    return levels, kind


def compare_places(submitted: str, extracted: str, thresholds: FuzzyThresholds,
                   words: PlaceWords) -> NameMatch:
    """Compare place names: region prefixes (KAB./KOTA) dropped, abbreviations written out,
    old names and old spelling accepted; KOTA X vs KABUPATEN X is near at best."""
    a_levels, a_kind = _place_levels(submitted, words)
    b_levels, b_kind = _place_levels(extracted, words)
    found = _compare_levels(submitted, extracted, a_levels, b_levels, thresholds)
    if found.outcome == "match" and a_kind and b_kind and a_kind != b_kind:
        return NameMatch("near", found.score, "region_kind")
    return found
