"""Walk the submitted data and compare every leaf with the Field read at the same path.

The submission and the extracted FieldTree share their keys. Nested groups (F-2.01's
``pelapor``) are followed key by key; list rows (``anggota_keluarga``) are paired with the
document's rows by NIK first and then by the best name match, never by index, because OCR can
drop or reorder a table row. Paths in the result use the *submitted* index, as the applicant
sees them: ``anggota_keluarga[1].nik``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from pipeline.records import Comparison, Field, Outcome
from rules.names import compare_names
from rules.ruleset import Ruleset
from rules.values import compare_value, normalise_id

RULE_OF_KIND = {
    "id": "match.exact_id", "date": "match.date", "integer": "match.integer",
    "number": "match.number", "time": "match.time", "vocabulary": "match.vocabulary",
    "name": "match.name", "place": "match.place", "text": "match.text",
}
ROW_NOT_FOUND = "row_not_found"  # the whole group/row was not found on the document
_EMPTY_CELLS = {"", "-", "\u2013", "\u2014"}  # a card prints "-" in an empty cell


@dataclass(frozen=True)
class Group:
    """One object of the submission beside its counterpart on a document (None: not found)."""

    path: str  # "" for the root, "ayah", "anggota_keluarga[1]"
    submitted: dict[str, Any]
    extracted: dict[str, Any] | None
    document: int | None
    sources: dict[str, int] | None = None  # root only: the document each key was read from


def as_field(node: Any) -> Field | None:
    """A Field from a Field or from its JSON form (documents reloaded from storage)."""
    if isinstance(node, Field):
        return node
    if isinstance(node, dict) and "value" in node and set(node) <= set(Field.model_fields):
        return Field.model_validate(node)
    return None


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def align(data: dict[str, Any], trees: list[tuple[int, dict[str, Any]]],
          ruleset: Ruleset) -> list[Group]:
    """Every submitted object with its document counterpart; the root picks, per key, the
    first document (most surely classified first) on which that key was found."""
    groups: list[Group] = []
    merged: dict[str, Any] = {}
    sources: dict[str, int] = {}
    for key, value in data.items():
        index, tree = _document_with(key, trees)
        if tree is not None and index is not None:
            merged[key], sources[key] = tree.get(key), index
        if isinstance(value, (dict, list)):
            _align_node(key, value, merged.get(key), index, ruleset, groups)
    root_document = trees[0][0] if trees else None
    root = Group("", _scalars(data), merged if trees else None, root_document, sources)
    return [root, *groups]


def _document_with(key: str, trees: list[tuple[int, dict[str, Any]]]) -> tuple[int | None, Any]:
    for index, tree in trees:
        if tree.get(key) not in (None, [], {}):
            return index, tree
    return trees[0] if trees else (None, None)


def _scalars(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if not isinstance(v, (dict, list))}


def _align_node(path: str, value: Any, extracted: Any, document: int | None,
                ruleset: Ruleset, groups: list[Group]) -> None:
    if isinstance(value, dict):
        ext = extracted if isinstance(extracted, dict) and as_field(extracted) is None else None
        groups.append(Group(path, _scalars(value), ext, document))
        for key, child in value.items():
            if isinstance(child, (dict, list)):
                _align_node(join(path, key), child, ext.get(key) if ext else None, document,
                            ruleset, groups)
    elif isinstance(value, list):
        rows = extracted if isinstance(extracted, list) else []
        pairs = pair_rows([v for v in value if isinstance(v, dict)], rows, ruleset)
        for i, item in enumerate(value):
            match = rows[pairs[i]] if i in pairs else None
            _align_node(f"{path}[{i}]", item, match, document, ruleset, groups)


def pair_rows(submitted: list[dict[str, Any]], extracted: list[Any],
              ruleset: Ruleset) -> dict[int, int]:
    """Submitted row index -> extracted row index: equal IDs, then names, then similar IDs."""
    pairs: dict[int, int] = {}
    keys = ruleset.row_keys
    _pair_greedy(pairs, submitted, extracted, lambda s, e: _id_score(s, e, keys.id, exact=True))
    _pair_greedy(pairs, submitted, extracted, lambda s, e: _name_score(s, e, keys.name, ruleset))
    _pair_greedy(pairs, submitted, extracted, lambda s, e: _id_score(s, e, keys.id, exact=False,
                 floor=ruleset.thresholds.pairing.nik_min_ratio))
    return pairs


def _pair_greedy(pairs: dict[int, int], submitted: list[dict[str, Any]], extracted: list[Any],
                 score_of: Any) -> None:
    """Pair the best-scoring free rows first; a score of None means "cannot be this row"."""
    taken = set(pairs.values())
    scored = []
    for i, sub in enumerate(submitted):
        for j, ext in enumerate(extracted):
            if i in pairs or j in taken or not isinstance(ext, dict):
                continue
            score = score_of(sub, ext)
            if score is not None:
                scored.append((score, -i, -j, i, j))
    for _, _, _, i, j in sorted(scored, reverse=True):
        if i not in pairs and j not in set(pairs.values()):
            pairs[i] = j


def _field_text(row: dict[str, Any], key: str) -> str | None:
    field = as_field(row.get(key))
    return None if field is None or field.value is None else str(field.value)


def _id_score(sub: dict[str, Any], ext: dict[str, Any], keys: list[str], *, exact: bool,
              floor: float = 0.0) -> float | None:
    best = None
    for key in keys:
        a, b = sub.get(key), _field_text(ext, key)
        if a is None or b is None:
            continue
        score = fuzz.ratio(normalise_id(str(a)), normalise_id(b))
        if (exact and score == 100) or (not exact and score >= floor):
            best = max(best or 0.0, score)
    return best


def _name_score(sub: dict[str, Any], ext: dict[str, Any], keys: list[str],
                ruleset: Ruleset) -> float | None:
    for key in keys:
        a, b = sub.get(key), _field_text(ext, key)
        if a is None or b is None:
            continue
        found = compare_names(str(a), b, ruleset.thresholds.names)
        return found.score if found.outcome != "mismatch" else None
    return None


def compare_groups(groups: list[Group], ruleset: Ruleset) -> list[Comparison]:
    """One Comparison per submitted leaf, in submission order."""
    out = []
    for group in groups:
        for key, value in group.submitted.items():
            if value is None:
                continue
            node = group.extracted.get(key) if group.extracted else None
            doc = (group.sources or {}).get(key, group.document)
            found = compare_leaf(join(group.path, key), key, value, as_field(node), doc, ruleset)
            if group.extracted is None and group.path and doc is not None:
                found = found.model_copy(update={"normalisation": ROW_NOT_FOUND})
            out.append(found)
    return out


def compare_leaf(path: str, key: str, submitted: Any, field: Field | None,
                 document: int | None, ruleset: Ruleset) -> Comparison:
    """Compare one submitted value with the Field read for it (None: not on the document)."""
    kind = ruleset.kind(key)
    rule = RULE_OF_KIND[kind]
    base = {"field": path, "submitted": submitted, "rule": rule, "document": document}
    if field is None:
        return Comparison(**base, outcome=Outcome.MISSING, normalisation="not_found")
    floors = ruleset.thresholds.confidence
    read = {"extracted": field.value, "confidence": field.confidence}
    if field.value is None or str(field.value).strip() in _EMPTY_CELLS:
        printed_empty = field.raw is not None and field.raw.strip() in _EMPTY_CELLS
        empty = printed_empty and field.confidence >= floors.review_below
        outcome = Outcome.MISSING if empty else Outcome.UNREADABLE
        return Comparison(**base, **read, outcome=outcome, normalisation="empty_cell")
    if field.confidence < floors.unreadable_below:
        return Comparison(**base, **read, outcome=Outcome.UNREADABLE,
                          normalisation="low_confidence")
    found = compare_value(kind, key, submitted, field.value, field.confidence, ruleset)
    return Comparison(**base, **read, outcome=found.outcome, score=found.score,
                      normalisation=found.normalisation)
