"""Indonesian name and place comparison: variants match, different people never do."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.names import compare_names, compare_places, normalise_name


@pytest.mark.parametrize(
    ("submitted", "extracted", "normalisation"),
    [
        ("MUHAMMAD RIZKY PRATAMA", "MUHAMMAD RIZKY PRATAMA", "exact"),
        ("siti  nurhaliza", "SITI NURHALIZA", "case_spacing"),
        ("NUR'AINI", "NURAINI", "case_spacing"),
        ("NUR AINI", "NURAINI", "case_spacing"),
        ("H. AHMAD SUBARJO", "AHMAD SUBARJO", "titles"),
        ("HJ. SITI AMINAH", "SITI AMINAH", "titles"),
        ("AHMAD SUBARJO, S.PD.", "AHMAD SUBARJO", "titles"),
        ("DRS.H.AHMAD SUBARJO, M.SI", "AHMAD SUBARJO", "titles"),
        ("Dr. Ir. DEWI LESTARI, M.M.", "DEWI LESTARI", "titles"),
        ("MOH. ABD. RAHMAN", "MUHAMMAD ABDUL RAHMAN", "abbreviation"),
        ("MUH. YUSUF", "MUHAMMAD YUSUF", "abbreviation"),
        ("MOCH. IQBAL", "MUHAMMAD IQBAL", "abbreviation"),
        ("MHD IQBAL", "MUHAMMAD IQBAL", "abbreviation"),
        ("ACHMAD FAUZI", "AHMAD FAUZI", "abbreviation"),
        ("SOEKARNO", "SUKARNO", "old_spelling"),
        ("TJIPTO", "CIPTO", "old_spelling"),
        ("ABDOELLAH", "ABDULLAH", "old_spelling"),
        ("SOEJONO", "SUYONO", "old_spelling"),
        ("AHMAD BIN SUBARJO", "AHMAD", "patronymic"),
        ("SITI AMINAH BINTI KARTO", "SITI AMINAH", "patronymic"),
    ],
)
def test_same_person_written_differently_matches(ruleset, submitted, extracted, normalisation):
    found = compare_names(submitted, extracted, ruleset.thresholds.names)
    assert (found.outcome, found.score, found.normalisation) == ("match", 100.0, normalisation)
    assert compare_names(extracted, submitted, ruleset.thresholds.names).outcome == "match"


@pytest.mark.parametrize(
    ("submitted", "extracted", "outcome"),
    [
        ("SUPRIYADI", "SUPRIYANTI", "near"),  # one letter apart: a verifier must look
        ("SUPRIYADI", "SUPRIYANTO", "mismatch"),  # two letters: another name
        ("AHMAD SUBARJO", "BUDI SUBARJO", "mismatch"),  # a different given name
        ("EKO", "EKA", "mismatch"),
        ("AHMAD BIN SUBARJO", "AHMAD BIN KARTO", "mismatch"),  # a different father
        ("M. RIZKY", "MUHAMMAD RIZKY", "near"),  # M. alone: MUHAMMAD? MAHMUD?
        ("JOKO", "YOKO", "near"),  # j->y without other old spelling: not proven
        ("JUSUF", "YUSUF", "near"),
        ("FATIMAH", "FATIMA", "near"),
        ("NURUL PHAIRANI", "NURUL KHAIRANI", "near"),  # one letter, words sort differently
        ("SITI NURHALIZA", "SITI NURHALIZA PUTRI", "near"),
        ("AHMAD SUBARJO", "SUBARJO AHMAD", "near"),
        ("ANDI BASO", "BASO", "near"),  # ANDI is a name, not a title
        ("DEWI LESTARI", "RINA MARLINA", "mismatch"),
    ],
)
def test_different_or_doubtful_names_never_match(ruleset, submitted, extracted, outcome):
    found = compare_names(submitted, extracted, ruleset.thresholds.names)
    assert found.outcome == outcome
    assert found.score < 100 or found.normalisation in {"word_order"}


def test_supriyadi_supriyanti_scores_below_a_match(ruleset):
    found = compare_names("SUPRIYADI", "SUPRIYANTI", ruleset.thresholds.names)
    assert found.outcome != "match" and 80 <= found.score < 90


def test_a_lone_title_is_kept_as_the_name(ruleset):
    assert normalise_name("HAJI") == "HAJI"
    assert compare_names("H.", "HJ.", ruleset.thresholds.names).outcome != "match"


@pytest.mark.parametrize(
    ("submitted", "extracted", "outcome", "normalisation"),
    [
        ("KAB. BEKASI", "BEKASI", "match", "prefix"),
        ("KABUPATEN BEKASI", "BEKASI", "match", "prefix"),
        ("KEP. SERIBU", "KEPULAUAN SERIBU", "match", "prefix"),
        ("TOBA SAMOSIR", "KABUPATEN TOBA", "match", "old_name"),
        ("DJAKARTA", "JAKARTA", "match", "old_spelling"),
        ("SOERABAJA", "SURABAYA", "match", "old_spelling"),
        ("KOTA BEKASI", "KABUPATEN BEKASI", "near", "region_kind"),
        ("KARAWANG", "KERAWANG", "near", "fuzzy"),
        ("BEKASI", "BOGOR", "mismatch", "different"),
    ],
)
def test_places(ruleset, submitted, extracted, outcome, normalisation):
    found = compare_places(submitted, extracted, ruleset.thresholds.places, ruleset.places)
    assert (found.outcome, found.normalisation) == (outcome, normalisation)


def test_normalised_key():
    assert normalise_name("Drs. H. Moh. Abd. Rachman bin Soekarno, S.H.") == "MUHAMAD ABDUL RAKHMAN"


# --- properties ----------------------------------------------------------------------------

_word = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=9)
_name = st.lists(_word, min_size=1, max_size=4).map(" ".join)
_messy = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij .,'-", min_size=0, max_size=30)


@settings(max_examples=300, deadline=None)
@given(_messy)
def test_normalise_is_idempotent(text):
    once = normalise_name(text)
    assert normalise_name(once) == once


@settings(max_examples=300, deadline=None)
@given(_name)
def test_a_name_always_matches_itself(ruleset, name):
    assert compare_names(name, name, ruleset.thresholds.names).outcome == "match"
    assert compare_places(name, name, ruleset.thresholds.places, ruleset.places).outcome == "match"


@settings(max_examples=300, deadline=None)
@given(_name, st.sampled_from(["  ", " - ", "\t", " , "]), st.booleans())
def test_case_spacing_and_punctuation_do_not_matter(ruleset, name, gap, lower):
    variant = gap.join(name.split())
    variant = variant.lower() if lower else variant
    assert normalise_name(name.lower() if lower else name) == normalise_name(name)
    found = compare_names(name, "'" + variant + ".", ruleset.thresholds.names)
    assert found.outcome == "match", (name, variant, found)
