"""Walking the submission against the FieldTree: paths, row pairing, missing and unreadable."""

from __future__ import annotations

import copy

from pipeline.records import Outcome
from rules.compare import align, compare_groups, compare_leaf


def _compare(data, fields, ruleset):
    return {c.field: c for c in compare_groups(align(data, [(0, fields)], ruleset), ruleset)}


def test_every_submitted_leaf_is_compared_once(kit, ruleset, kk_data):
    found = _compare(kk_data, kit.tree(kk_data), ruleset)
    leaves = sum(1 for k, v in kk_data.items() if not isinstance(v, list))
    leaves += sum(len(row) for row in kk_data["anggota_keluarga"])
    assert len(found) == leaves
    assert all(c.outcome == Outcome.MATCH for c in found.values())
    assert found["anggota_keluarga[1].nik"].rule == "match.exact_id"
    assert found["anggota_keluarga[1].nama_lengkap"].rule == "match.name"
    assert found["anggota_keluarga[1].tanggal_lahir"].rule == "match.date"
    assert found["rt"].rule == "match.integer" and found["kode_pos"].document == 0


def test_rows_pair_by_nik_not_by_index(kit, ruleset, kk_data):
    fields = kit.tree(kk_data)
    fields["anggota_keluarga"].reverse()  # the table was read in another order
    found = _compare(kk_data, fields, ruleset)
    assert all(c.outcome == Outcome.MATCH for c in found.values())


def test_rows_pair_by_name_when_the_nik_differs(kit, ruleset, kk_data):
    fields = kit.tree(kk_data)
    rows = fields["anggota_keluarga"]
    rows[1]["nik"] = kit.fld("3216095203850005")
    rows.insert(0, rows.pop(1))  # and out of order
    found = _compare(kk_data, fields, ruleset)
    assert found["anggota_keluarga[1].nik"].outcome == Outcome.MISMATCH
    assert found["anggota_keluarga[1].nama_lengkap"].outcome == Outcome.MATCH
    assert found["anggota_keluarga[0].nik"].outcome == Outcome.MATCH


def test_a_row_missing_from_the_document(kit, ruleset, kk_data):
    fields = kit.tree(kk_data)
    del fields["anggota_keluarga"][2]
    found = _compare(kk_data, fields, ruleset)
    row = [c for path, c in found.items() if path.startswith("anggota_keluarga[2].")]
    assert row and all(c.outcome == Outcome.MISSING and c.normalisation == "row_not_found"
                       for c in row)
    assert found["anggota_keluarga[1].nik"].outcome == Outcome.MATCH


def test_missing_unreadable_and_low_confidence(kit, ruleset, kk_data):
    fields = kit.tree(kk_data)
    del fields["kode_pos"]
    fields["rt"] = kit.fld(None, confidence=0.2, raw="0?3")
    fields["rw"] = kit.fld("007", confidence=0.1)
    row = fields["anggota_keluarga"][0]
    row["agama"] = kit.fld(None, confidence=0.95, raw="-")  # printed empty cell
    found = _compare(kk_data, fields, ruleset)
    assert found["kode_pos"].outcome == Outcome.MISSING
    assert found["rt"].outcome == Outcome.UNREADABLE
    assert found["rw"].outcome == Outcome.UNREADABLE and found["rw"].confidence == 0.1
    assert found["anggota_keluarga[0].agama"].outcome == Outcome.MISSING


def test_rt_001_equals_1(kit, ruleset):
    found = compare_leaf("rt", "rt", "001", kit.fld("1"), 0, ruleset)
    assert (found.outcome, found.normalisation) == (Outcome.MATCH, "integer")


def test_nested_groups_and_json_fields(ruleset):
    data = {"ayah": {"nama": "AHMAD SUBARJO", "nik": "3216090507800011"},
            "anak": {"nama": "NUR AINI", "kelahiran_ke": 2}}
    fields = {"ayah": {"nama": {"value": "H. AHMAD SUBARJO", "confidence": 0.95},
                       "nik": {"value": "3216090507800011", "confidence": 0.95}},
              "anak": {"nama": {"value": "NURAINI", "confidence": 0.95},
                       "kelahiran_ke": {"value": 2, "confidence": 0.95}}}
    found = _compare(data, fields, ruleset)
    assert set(found) == {"ayah.nama", "ayah.nik", "anak.nama", "anak.kelahiran_ke"}
    assert found["ayah.nama"].normalisation == "titles"
    assert all(c.outcome == Outcome.MATCH for c in found.values())


def test_a_group_absent_from_the_document(ruleset):
    found = _compare({"saksi_1": {"nama": "DEDI KURNIAWAN"}}, {}, ruleset)
    assert found["saksi_1.nama"].outcome == Outcome.MISSING
    assert found["saksi_1.nama"].normalisation == "row_not_found"


def test_submission_is_not_modified(kit, ruleset, kk_data):
    before = copy.deepcopy(kk_data)
    _compare(kk_data, kit.tree(kk_data), ruleset)
    assert kk_data == before
