"""Truthful submissions agree with the truth; contradicting ones differ in one intended way."""

from __future__ import annotations

import json
import random
from datetime import date
from functools import cache
from typing import Any

import jsonschema
import pytest

from pipeline.contract import load
from samples.names import distinctive
from samples.submissions import KINDS, contradict, contradiction, strip_title, truthful
from samples.birth_report import make_f201
from samples.truth import make_birth, make_family

SEEDS = range(25)


@cache
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load("submission.schema.json"))


def truth_for(document_type: str, seed: int) -> dict[str, Any]:
    rng = random.Random(1000 + seed)
    if document_type == "kk":
        return make_family(rng, generation=("blangko", "digital")[seed % 2])
    if document_type == "f2_01":
        return make_f201(rng)
    return make_birth(rng)


def norm(value: Any) -> Any:
    """What periksa must treat as equal: case, spacing and titles do not matter."""
    if isinstance(value, str):
        return strip_title(" ".join(value.split()).upper())
    return value


def leaves(data: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten to dotted paths, the report's notation: anggota_keluarga[1].nik."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(leaves(value, f"{prefix}.{key}" if prefix else key))
        return out
    if isinstance(data, list):
        out = {}
        for i, value in enumerate(data):
            out.update(leaves(value, f"{prefix}[{i}]"))
        return out
    return {prefix: data}


def differences(submitted: dict[str, Any], truth: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    sub, real = leaves(submitted), leaves(truth)
    assert set(sub) <= set(real), set(sub) - set(real)
    return {k: (v, real[k]) for k, v in sub.items() if norm(v) != norm(real[k])}


@pytest.mark.parametrize("document_type", ["kk", "akta_kelahiran", "f2_01"])
@pytest.mark.parametrize("seed", SEEDS)
def test_truthful_submission_is_valid_and_agrees(document_type: str, seed: int) -> None:
    truth = truth_for(document_type, seed)
    submission = truthful(document_type, truth, random.Random(seed))
    assert list(validator().iter_errors(submission)) == []
    assert submission["document_type"] == document_type
    number = truth.get("nomor_kk") or truth.get("nomor_akta") or truth["kode_wilayah"]
    assert submission["office"] == number[:4]
    assert differences(submission["data"], truth) == {}
    if document_type == "kk":
        assert len(submission["data"]["anggota_keluarga"]) == len(truth["anggota_keluarga"])


def test_truthful_submissions_show_subsets_and_harmless_slips() -> None:
    sizes, slips = set(), 0
    for seed in range(60):
        truth = truth_for("kk", seed)
        data = truthful("kk", truth, random.Random(seed))["data"]
        sizes.add(len(leaves(data)))
        slips += sum(v != leaves(truth)[k] for k, v in leaves(data).items())
    assert len(sizes) > 20 and slips > 20


def check_kind(kind: str, old: Any, new: Any) -> None:
    """The change is of the announced kind and nothing more."""
    if kind.endswith("_digit"):
        diff = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
        assert len(old) == len(new) and len(diff) == 1 and new[diff[0]].isdigit()
    elif kind == "letter":
        diff = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
        assert len(old) == len(new) and len(diff) == 1 and new[diff[0]].isalpha()
    elif kind == "date_shift":
        days = abs((date.fromisoformat(new) - date.fromisoformat(old)).days)
        assert 1 <= days <= 400
    elif kind == "sex":
        assert {old, new} == {"LAKI-LAKI", "PEREMPUAN"}
    elif kind == "name":  # another person; a shared family name (a sibling) is allowed
        plain = strip_title(old)
        family = {new.split()[-1]} if new.split()[-1] == plain.split()[-1] else set()
        given = distinctive(new) - family
        assert given and not given & distinctive(plain)
    else:
        raise AssertionError(kind)


@pytest.mark.parametrize("document_type,kind",
                         [(t, k) for t, kinds in KINDS.items() for k in kinds])
@pytest.mark.parametrize("seed", range(12))
def test_contradiction_differs_in_exactly_the_intended_way(document_type: str, kind: str,
                                                           seed: int) -> None:
    truth = truth_for(document_type, seed)
    submission, change = contradiction(document_type, truth, kind, random.Random(seed))
    assert list(validator().iter_errors(submission)) == []
    diffs = differences(submission["data"], truth)
    assert list(diffs) == [change["field"]]
    new, old = diffs[change["field"]]
    assert (new, old) == (change["submitted"], change["truth"])
    check_kind(kind, old, new)


def test_contradicting_submission_carries_no_hint_of_its_kind() -> None:
    truth = truth_for("kk", 3)
    honest = truthful("kk", truth, random.Random(9))
    for kind in KINDS["kk"]:
        lying = contradict("kk", truth, kind, random.Random(9))
        assert set(lying) == set(honest)
        text = json.dumps(lying).lower()
        assert "contradict" not in text and kind not in text


def test_contradiction_of_a_foreign_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        contradict("kk", truth_for("kk", 0), "nomor_akta_digit", random.Random(0))
    with pytest.raises(ValueError):
        contradict("akta_kelahiran", truth_for("akta_kelahiran", 0), "nomor_kk_digit",
                   random.Random(0))


def test_submissions_are_deterministic_per_seed() -> None:
    truth = truth_for("akta_kelahiran", 4)
    assert truthful("akta_kelahiran", truth, random.Random(1)) == truthful(
        "akta_kelahiran", truth, random.Random(1))
    assert contradict("akta_kelahiran", truth, "letter", random.Random(2)) == contradict(
        "akta_kelahiran", truth, "letter", random.Random(2))


@pytest.mark.parametrize("seed", range(6))
def test_report_kind_contradiction_prints_the_other_kind(seed: int) -> None:
    """The akta prints LU for a late registration (or LT for a timely one); typed faithfully."""
    truth = truth_for("akta_kelahiran", seed)
    before = truth["nomor_akta"]
    submission, change = contradiction("akta_kelahiran", truth, "self_report_kind",
                                       random.Random(seed))
    assert change["on"] == "document" and change["truth"] == before
    assert truth["nomor_akta"] == change["submitted"] != before
    assert {before[5:7], truth["nomor_akta"][5:7]} == {"LU", "LT"}
    assert before.replace(before[5:7], "") == truth["nomor_akta"].replace(truth["nomor_akta"][5:7], "")
    assert submission["data"].get("nomor_akta", truth["nomor_akta"]) == truth["nomor_akta"]
