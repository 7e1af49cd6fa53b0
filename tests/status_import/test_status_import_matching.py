"""Which unit a row means: by code; by name only when exactly one unit fits; nothing guessed."""

from __future__ import annotations

import unicodedata

from status_sheets import DIEN_BIEN_CSV, TODAY, status_sheet, workbook

from qms.status_import.sheet import UnitIndex, UnitRef, parse_status_file
from qms.units.importer import parse_units_csv
from qms.units.model import Level


def _index() -> UnitIndex:
    records = [r for _, r in parse_units_csv(DIEN_BIEN_CSV)]
    names = {r.code: r.name for r in records}
    return UnitIndex([UnitRef(r.code, r.name, r.level, r.parent_code, names.get(r.parent_code), (r.name,), True) for r in records])


def _match(code, name, level):
    header = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Tình trạng"]
    row = parse_status_file(status_sheet([code, name, level, "đang xây dựng"], header=header), "s.xlsx", today=TODAY).rows[0]
    return _index().match(row), row.issues


def test_by_code():
    unit, issues = _match("03158", None, None)
    assert unit.code == "03158" and not issues


def test_code_not_of_the_province_is_refused_naming_the_column():
    unit, (issue,) = _match("03386", None, None)
    assert unit is None and issue.column == "Mã đơn vị" and "03386" in issue.en and "không phải đơn vị của tỉnh" in issue.vi


def test_the_province_itself_is_not_a_qms_unit():
    unit, (issue,) = _match("11", None, None)
    assert unit is None and "province itself" in issue.en


def test_a_code_excel_turned_into_a_number_finds_its_leading_zero():
    data = workbook({"S": [["Mã đơn vị", "Tình trạng"], [3124, "đang xây dựng"]]})
    row = parse_status_file(data, "s.xlsx", today=TODAY).rows[0]
    assert _index().match(row).code == "03124"


def test_a_short_code_typed_as_text_is_not_padded():
    unit, (issue,) = _match("3124", None, None)
    assert unit is None and issue.column == "Mã đơn vị"


def test_by_name_when_unique_after_nfc_and_without_the_prefix():
    nfd = unicodedata.normalize("NFD", "Chung Chải")
    unit, issues = _match(None, nfd, None)
    assert unit.code == "03158" and not issues


def test_by_full_name_with_ubnd_and_different_case():
    unit, issues = _match(None, "UBND phường him lam", None)
    assert unit.code == "03125" and not issues


def test_the_exact_full_name_wins_over_prefix_stripping():
    unit, issues = _match(None, "Xã Mường Nhé", None)
    assert unit.code == "03160" and not issues


def test_an_ambiguous_name_is_an_error_listing_every_candidate():
    unit, (issue,) = _match(None, "Mường Nhé", None)
    assert unit is None and issue.column == "Tên đơn vị"
    assert "096 Huyện Mường Nhé" in issue.en and "03160 Xã Mường Nhé" in issue.en


def test_the_level_column_resolves_an_ambiguous_name():
    unit, issues = _match(None, "Mường Nhé", "huyện")
    assert unit.code == "096" and not issues


def test_an_unknown_name_lists_close_candidates():
    unit, (issue,) = _match(None, "Xã Chung Chai", None)  # a diacritic missing: close, but not the same name
    assert unit is None and "03158 Xã Chung Chải" in issue.en and "gần giống" in issue.vi


def test_a_name_that_contradicts_the_code_is_refused():
    unit, (issue,) = _match("03124", "Phường Him Lam", None)
    assert unit is None and issue.column == "Tên đơn vị" and "Noong Bua" in issue.en


def test_a_level_that_contradicts_the_unit_is_refused():
    unit, (issue,) = _match("03124", None, "huyện")
    assert unit is None and issue.column == "Cấp" and "xã" in issue.vi


def test_a_row_without_code_or_name_is_refused():
    data = workbook({"S": [["Mã đơn vị", "Tên đơn vị", "Tình trạng", "Ghi chú"], [None, None, "đang xây dựng", "?"]]})
    row = parse_status_file(data, "s.xlsx", today=TODAY).rows[0]
    assert _index().match(row) is None and "neither" in row.issues[0].en


def test_names_match_only_units_that_exist_today():
    gone = UnitRef("03999", "Xã Cũ", Level.COMMUNE, "096", "Huyện Mường Nhé", ("Xã Cũ",), exists_today=False)
    row = parse_status_file(status_sheet([None, "Xã Cũ", None, "đang xây dựng"]), "s.xlsx", today=TODAY).rows[0]
    assert UnitIndex([gone]).match(row) is None
