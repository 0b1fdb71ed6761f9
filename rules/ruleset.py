"""Load and validate rules/ruleset.yml: the rules' versions, thresholds and messages as data.

Every number a decision depends on is a named key in the file, never a literal in code, so a
change of policy is a reviewed data change and the file's sha256 (``Ruleset.version``) says
exactly which rules produced a report. A bad file stops start-up with the file and key named
(ConfigurationError); nothing is skipped with a warning, unlike invoice2data's loader.
"""

from __future__ import annotations

import hashlib
import string
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.contract import enums
from pipeline.errors import ConfigurationError
from pipeline.records import Check, CheckOutcome, Severity

DEFAULT_PATH = Path(__file__).with_name("ruleset.yml")

FieldKind = Literal[
    "id", "date", "integer", "number", "time", "name", "place", "text", "vocabulary",
]

# the rule ids and message keys the code emits: the file must define every one of them
REQUIRED_RULES = (
    "match.exact_id", "match.date", "match.integer", "match.number", "match.time",
    "match.vocabulary", "match.name", "match.place", "match.text",
    "document.classified", "document.type", "document.classification_confidence",
    "nik.format", "nik.wilayah", "nik.birth_date", "nik.sex", "nik.date_valid", "nik.serial",
    "kk.format", "kk.wilayah", "kk.issue_date",
    "family.head_count", "family.head_name", "family.parent_name", "family.parent_age",
    "family.marriage_date", "address.chain", "address.postal_code", "address.kk_region",
    "akta.number_format", "akta.registration_date", "akta.office", "akta.issue_date",
    "akta.report_kind", "f201.weekday", "f201.witnesses", "f201.birth_measures",
    "crossdoc.child_name", "crossdoc.child_birth_date", "crossdoc.child_birth_place",
    "crossdoc.child_sex", "crossdoc.child_nik", "crossdoc.parent_name", "crossdoc.kk_member",
    "crossdoc.kk_parents",
)
REQUIRED_MESSAGES = (
    "comparison.mismatch", "comparison.near", "comparison.missing", "comparison.row_missing",
    "comparison.unreadable",
    "comparison.low_confidence",
    "document.classified.pass", "document.classified.fail",
    "document.type.pass", "document.type.fail",
    "document.classification_confidence.pass", "document.classification_confidence.warn",
    "nik.format.pass", "nik.format.fail",
    "nik.wilayah.pass", "nik.wilayah.old_code", "nik.wilayah.unknown",
    "nik.birth_date.pass", "nik.birth_date.fail", "nik.birth_date.skip",
    "nik.sex.pass", "nik.sex.fail", "nik.sex.skip",
    "nik.date_valid.pass", "nik.date_valid.fail", "nik.serial.pass", "nik.serial.fail",
    "kk.format.pass", "kk.format.fail",
    "kk.wilayah.pass", "kk.wilayah.old_code", "kk.wilayah.unknown",
    "kk.issue_date.pass", "kk.issue_date.fail", "kk.issue_date.invalid", "kk.issue_date.skip",
    *(f"{rule}.{outcome}" for rule, outcomes in (
        ("family.head_count", "pass fail skip"), ("family.head_name", "pass fail skip"),
        ("family.parent_name", "pass warn skip"), ("family.parent_age", "pass fail skip"),
        ("family.marriage_date", "pass fail skip"), ("address.chain", "pass fail skip"),
        ("address.postal_code", "pass fail skip"), ("address.kk_region", "pass warn skip"),
        ("akta.number_format", "pass fail skip"), ("akta.registration_date", "pass fail skip"),
        ("akta.office", "pass fail skip unknown"), ("akta.issue_date", "pass fail skip"),
        ("akta.report_kind", "pass lu lt skip"), ("f201.weekday", "pass fail skip"),
        ("f201.witnesses", "pass fail"), ("f201.birth_measures", "pass fail"),
        ("crossdoc", "pass warn fail"),
        ("crossdoc.kk_member", "pass by_name other_nik fail skip"),
        ("crossdoc.kk_parents", "pass warn fail skip"),
    ) for outcome in outcomes.split()),
)
PLACEHOLDERS = frozenset({
    "label", "submitted", "extracted", "score", "confidence", "threshold", "code", "region",
    "encoded", "printed", "expected", "found", "issued", "document",
})


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RuleSpec(_Model):
    version: str
    severity: Severity
    description: str = ""


class ConfidenceThresholds(_Model):
    unreadable_below: float = Field(ge=0, le=1)
    review_below: float = Field(ge=0, le=1)
    confusable_trusted_from: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> ConfidenceThresholds:
        if not self.unreadable_below <= self.review_below <= self.confusable_trusted_from:
            raise ValueError("need unreadable_below <= review_below <= confusable_trusted_from")
        return self


class FuzzyThresholds(_Model):
    """Cut-offs on rapidfuzz's 0..100 scale for names and places."""

    near_min: float = Field(ge=0, le=100)
    token_near_min: float = Field(ge=0, le=100)


class TextThresholds(_Model):
    match_min: float = Field(ge=0, le=100)
    near_min: float = Field(ge=0, le=100)


class VocabularyThresholds(_Model):
    near_min: float = Field(ge=0, le=100)


class ClassificationThresholds(_Model):
    min_confidence: float = Field(ge=0, le=1)


class PairingThresholds(_Model):
    nik_min_ratio: float = Field(ge=0, le=100)


class FamilyThresholds(_Model):
    min_parent_age: int = Field(ge=0, le=30)


class AddressThresholds(_Model):
    match_min: float = Field(ge=0, le=100)


class AktaThresholds(_Model):
    on_time_days: int = Field(ge=1, le=366)


class F201Thresholds(_Model):
    weight_gram: tuple[float, float]
    length_cm: tuple[float, float]


class Thresholds(_Model):
    confidence: ConfidenceThresholds
    names: FuzzyThresholds
    places: FuzzyThresholds
    text: TextThresholds
    vocabulary: VocabularyThresholds
    classification: ClassificationThresholds
    pairing: PairingThresholds
    family: FamilyThresholds
    address: AddressThresholds
    akta: AktaThresholds
    f201: F201Thresholds


class PlaceWords(_Model):
    """Words around place names: region kinds, dropped prefixes and written-out abbreviations."""

    kind_prefixes: dict[str, list[str]] = Field(default_factory=dict)
    drop_prefixes: list[str] = Field(default_factory=list)
    expansions: dict[str, str] = Field(default_factory=dict)


class RowKeys(_Model):
    id: list[str] = Field(min_length=1)
    name: list[str] = Field(min_length=1)


class Message(_Model):
    id: str
    en: str

    @model_validator(mode="after")
    def _placeholders(self) -> Message:
        ids, ens = _placeholders_of(self.id), _placeholders_of(self.en)
        unknown = (ids | ens) - PLACEHOLDERS
        if unknown:
            raise ValueError(f"unknown placeholders {sorted(unknown)}")
        if ids != ens:
            raise ValueError(f"id and en use different placeholders: {sorted(ids ^ ens)}")
        return self

    def text(self, language: str) -> str:
        return self.en if language == "en" else self.id


class Ruleset(_Model):
    """The validated ruleset; ``version`` is "sha256:" + hex digest of the file's bytes."""

    version: str = ""
    source: bytes = Field(default=b"", exclude=True, repr=False)  # the file's bytes, to archive
    language: Literal["id", "en"] = "id"
    rules: dict[str, RuleSpec]
    thresholds: Thresholds
    confusables: list[str]
    fields: dict[str, FieldKind]
    default_kind: FieldKind = "text"
    vocabularies: dict[str, str]
    extra_variants: dict[str, dict[str, str]] = Field(default_factory=dict)
    implied_sex: dict[str, Literal["LAKI-LAKI", "PEREMPUAN"]] = Field(default_factory=dict)
    kk_number_keys: list[str] = Field(default_factory=list)
    row_keys: RowKeys
    places: PlaceWords = Field(default_factory=PlaceWords)
    labels: dict[str, Message] = Field(default_factory=dict)
    messages: dict[str, Message]

    @model_validator(mode="after")
    def _complete(self) -> Ruleset:
        _require(self.rules, REQUIRED_RULES, "rules")
        _require(self.messages, REQUIRED_MESSAGES, "messages")
        for key, kind in self.fields.items():
            if kind == "vocabulary" and key not in self.vocabularies:
                raise ValueError(f"fields.{key} is a vocabulary without a vocabularies entry")
        for key, name in self.vocabularies.items():
            if vocabulary_entry(name) is None:
                raise ValueError(f"vocabularies.{key}: no list {name!r} in enums.json")
        return self

    def rule(self, rule_id: str) -> RuleSpec:
        return self.rules[rule_id]

    def kind(self, key: str) -> FieldKind:
        """The comparer for a submitted key (last path segment, list index removed)."""
        return self.fields.get(key, self.default_kind)

    def label(self, key: str, language: str | None = None) -> str:
        found = self.labels.get(key)
        return found.text(language or self.language) if found else key.replace("_", " ")

    def check(self, rule: str, subject: str, outcome: CheckOutcome, message_key: str,
              **values: Any) -> Check:
        """A Check of ``rule`` with its version, severity and catalog message."""
        spec = self.rules[rule]
        return Check(rule=rule, version=spec.version, subject=subject, outcome=outcome,
                     severity=spec.severity, message=self.message(message_key, **values))

    def message(self, key: str, language: str | None = None, **values: Any) -> str:
        """The catalog sentence for ``key``, placeholders filled; missing ones print as '?'."""
        template = self.messages[key].text(language or self.language)
        return string.Formatter().vformat(template, (), _Defaulting(values))


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def _placeholders_of(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _require(present: dict[str, Any], required: tuple[str, ...], where: str) -> None:
    missing = [key for key in required if key not in present]
    if missing:
        raise ValueError(f"{where} lacks {', '.join(missing)}")


def vocabulary_entry(name: str) -> Any:
    """The enums.json entry a dotted name points to ("f201_options.jenis_kelahiran"), or None."""
    node: Any = enums()
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def load_ruleset(path: Path | None = None) -> Ruleset:
    """Read, validate and fingerprint a ruleset file (the shipped one when ``path`` is None)."""
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read ruleset: {exc.strerror}") from exc
    return parse_ruleset(raw, str(path))


def parse_ruleset(raw: bytes, where: str = "ruleset") -> Ruleset:
    """Validate and fingerprint ruleset bytes (a file, or an archived version for replay)."""
    data = _parse(where, raw)
    try:
        ruleset = Ruleset.model_validate(data)
    except ValidationError as exc:
        details = [f"{where}: {_loc(err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise ConfigurationError(details[0], details=details) from exc
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    return ruleset.model_copy(update={"version": digest, "source": raw})


def _parse(path: str, raw: bytes) -> dict[str, Any]:
    try:
        data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}: (top level): a mapping of keys is required")
    if "version" in data:
        raise ConfigurationError(f"{path}: version: set from the file's hash, not by a key")
    return data


def _loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"
