"""The ruleset file: loaded, fingerprinted, and refused loudly when broken."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from pipeline.errors import ConfigurationError
from rules.ruleset import DEFAULT_PATH, REQUIRED_MESSAGES, REQUIRED_RULES, load_ruleset


def _write(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load(DEFAULT_PATH.read_bytes())
    mutate(data)
    path = tmp_path / "ruleset.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_version_is_sha256_of_the_file_bytes(ruleset):
    digest = hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()
    assert ruleset.version == f"sha256:{digest}"


def test_a_changed_byte_is_a_new_version(tmp_path):
    path = tmp_path / "r.yml"
    path.write_bytes(DEFAULT_PATH.read_bytes() + b"\n# reviewed change\n")
    assert load_ruleset(path).version != load_ruleset().version


def test_thresholds_are_read_from_the_file(tmp_path):
    path = _write(tmp_path, lambda d: d["thresholds"]["names"].update(near_min=91))
    assert load_ruleset(path).thresholds.names.near_min == 91


def test_every_rule_and_message_the_code_emits_is_defined(ruleset):
    assert set(REQUIRED_RULES) <= set(ruleset.rules)
    assert set(REQUIRED_MESSAGES) <= set(ruleset.messages)
    for key in REQUIRED_MESSAGES:
        assert ruleset.messages[key].id and ruleset.messages[key].en


def test_messages_render_in_both_languages(ruleset):
    values = {"label": "NIK", "extracted": "1", "submitted": "2"}
    assert ruleset.message("comparison.mismatch", **values) == "NIK pada dokumen 1, diajukan 2"
    assert ruleset.message("comparison.mismatch", "en", **values) == "NIK on the document 1, submitted 2"


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda d: d["thresholds"].pop("names"), "thresholds.names"),
        (lambda d: d["thresholds"]["names"].update(near_min="high"), "thresholds.names.near_min"),
        (lambda d: d["thresholds"]["confidence"].update(unreadable_below=1.5),
         "thresholds.confidence.unreadable_below"),
        (lambda d: d.update(surprise=1), "surprise"),
        (lambda d: d["rules"]["nik.serial"].update(severity="fatal"), "rules.nik.serial.severity"),
        (lambda d: d["fields"].update(nik="identifier"), "fields.nik"),
        (lambda d: d["messages"]["comparison.near"].update(id="{labl} dekat"), "messages.comparison.near"),
        (lambda d: d["messages"]["comparison.near"].update(en="near"), "messages.comparison.near"),
    ],
)
def test_a_bad_key_is_refused_with_file_and_key_named(tmp_path, mutate, key):
    path = _write(tmp_path, mutate)
    with pytest.raises(ConfigurationError) as err:
        load_ruleset(path)
    assert str(path) in err.value.message
    assert key in err.value.message


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda d: d["rules"].pop("nik.birth_date"), "nik.birth_date"),
        (lambda d: d["messages"].pop("nik.wilayah.old_code"), "nik.wilayah.old_code"),
        (lambda d: d["vocabularies"].update(agama="agama_baru"), "vocabularies.agama"),
        (lambda d: d["vocabularies"].pop("agama"), "fields.agama"),
        (lambda d: d["thresholds"]["confidence"].update(review_below=0.2), "unreadable_below"),
        (lambda d: d.update(version="1"), "version"),
    ],
)
def test_an_incomplete_or_inconsistent_file_is_refused(tmp_path, mutate, words):
    path = _write(tmp_path, mutate)
    with pytest.raises(ConfigurationError) as err:
        load_ruleset(path)
    assert str(path) in err.value.message and words in err.value.message


def test_invalid_yaml_and_missing_file_are_configuration_errors(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("rules: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="broken.yml"):
        load_ruleset(broken)
    with pytest.raises(ConfigurationError, match="absent.yml"):
        load_ruleset(tmp_path / "absent.yml")
    listing = tmp_path / "list.yml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="mapping"):
        load_ruleset(listing)
