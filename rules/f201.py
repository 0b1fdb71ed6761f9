"""Does an F-2.01 birth report agree with itself? Day, witnesses and the baby's measures.

Domain README section 3 lists the form's own checks: the Hari written beside the date is
that date's weekday, the witnesses are not the reporter (nor each other), and the baby's
weight and length are plausible. The NIK structure of ayah / ibu / pelapor is checked with
every other NIK (rules.identity). Every rule here is review severity: a form is filled by
hand or by an applicant's typing, and the verifier decides.
"""

from __future__ import annotations

from typing import Any

from pipeline.contract import enums
from pipeline.records import Check, CheckOutcome
from rules.family import read_value
from rules.ruleset import Ruleset
from rules.values import normalise_id, parse_date

DAYS = tuple(enums()["f201_options"]["hari"])  # SENIN .. MINGGU, Monday first like weekday()


def f201_checks(fields: dict[str, Any], submitted: dict[str, Any], ruleset: Ruleset,
                prefix: str = "") -> list[Check]:
    """The F-2.01's own checks; values are the document's (confident) or else the submitted."""
    value = lambda group, key: _pick(fields, submitted, group, key, ruleset)  # noqa: E731
    checks = [_weekday(read_value(_group(fields, "anak").get("hari"), ruleset),
                       value("anak", "tanggal_lahir"), ruleset, prefix)]
    checks += _witnesses(value, ruleset, prefix)
    checks += _measures(value, ruleset, prefix)
    return [c for c in checks if c is not None]


def _group(tree: dict[str, Any], group: str) -> dict[str, Any]:
    node = tree.get(group)
    return node if isinstance(node, dict) else {}


def _pick(fields: dict[str, Any], submitted: dict[str, Any], group: str, key: str,
          ruleset: Ruleset) -> Any:
    found = read_value(_group(fields, group).get(key), ruleset)
    return found if found is not None else _group(submitted, group).get(key)


def _weekday(day: Any, born: Any, ruleset: Ruleset, prefix: str) -> Check | None:
    """The Hari printed before the child's date is that date's weekday."""
    rule, subject = "f201.weekday", f"{prefix}anak.hari"
    if not day:
        return None  # the form was not read (or no Hari printed): nothing to say
    date = parse_date(str(born)) if born else None
    if date is None:
        return ruleset.check(rule, subject, CheckOutcome.SKIP, f"{rule}.skip")
    expected = DAYS[date.weekday()]
    if str(day).upper() == expected:
        return ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass", found=expected)
    return ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.fail", found=str(day),
                         expected=expected, printed=date.isoformat())


def _witnesses(value: Any, ruleset: Ruleset, prefix: str) -> list[Check]:
    """Saksi I and II are two people, and neither is the pelapor (compared by NIK)."""
    rule = "f201.witnesses"
    niks = {g: normalise_id(str(n)) for g in ("pelapor", "saksi_1", "saksi_2")
            if (n := value(g, "nik"))}
    out = []
    for witness in ("saksi_1", "saksi_2"):
        if witness not in niks:
            continue
        others = [g for g in ("pelapor", "saksi_1") if g != witness and g in niks]
        same = [g for g in others if niks[g] == niks[witness]]
        subject = f"{prefix}{witness}.nik"
        if same:
            out.append(ruleset.check(rule, subject, CheckOutcome.FAIL, f"{rule}.fail",
                                     label=ruleset.label(witness), found=ruleset.label(same[0])))
        elif others:
            out.append(ruleset.check(rule, subject, CheckOutcome.PASS, f"{rule}.pass",
                                     label=ruleset.label(witness)))
    return out


def _measures(value: Any, ruleset: Ruleset, prefix: str) -> list[Check]:
    """Berat (gram) and panjang (cm) of the newborn inside the plausible ranges."""
    rule, limits = "f201.birth_measures", ruleset.thresholds.f201
    out = []
    for key, (low, high) in (("berat_gram", limits.weight_gram), ("panjang_cm", limits.length_cm)):
        found = value("anak", key)
        if found is None:
            continue
        try:
            number = float(found)
        except (TypeError, ValueError):
            continue
        outcome = CheckOutcome.PASS if low <= number <= high else CheckOutcome.FAIL
        out.append(ruleset.check(rule, f"{prefix}anak.{key}", outcome,
                                 f"{rule}.{outcome.value}", label=ruleset.label(key),
                                 found=f"{number:g}", threshold=f"{low:g}-{high:g}"))
    return out
