"""Preview and confirmation against a real DuckDB file: the preview writes nothing, the
confirmation writes everything or nothing, a second import writes nothing, and coverage is the
overview's own figure."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

import openpyxl
import pytest
from status_sheets import TODAY, event_count, log_count, status_sheet, workbook

from qms.accounts.rules import PermissionDenied, Principal, Role, system_principal
from qms.coverage.queries import by_level
from qms.kernel.errors import QmsError
from qms.status_import.sheet import StatusImportError
from qms.status_import.store import apply_status_import, preview_status_import, status_template
from qms.units.events_store import unit_events
from qms.units.model import Level

D = dt.date

#: A realistic sheet of the second province: two announced, one applying, one building, one
#: department found by its NFD-typed name, and a district.
ROWS = [
    ["D11-01", "Sở Tư pháp", "tỉnh/sở", "đã công bố", 2015, "15/QĐ-STP", "02/10/2018", None, dt.datetime(2023, 10, 5), dt.datetime(2023, 12, 1)],
    [None, unicodedata.normalize("NFD", "Sở Y tế"), "tỉnh/sở", "đang áp dụng", None, None, None, None, dt.datetime(2024, 3, 1)],
    ["094", "Thành phố Điện Biên Phủ", "huyện", "đã công bố", 2008, "210/QĐ-UBND", dt.datetime(2016, 5, 20), None],
    ["03124", "Phường Noong Bua", "xã", "đã công bố", "TCVN ISO 9001:2015", "7/QĐ-UBND; 31/QĐ-UBND", "11/11/2016", "03/04/2020"],
    ["03125", "Phường Him Lam", "xã", "đang xây dựng"],
    ["03158", "Xã Chung Chải", "xã", "chưa triển khai"],
]


def _level(rows, level):
    return next(r for r in rows if r.level is level)


def test_preview_writes_nothing_and_shows_the_coverage_after(dien_bien):
    events, logs = event_count(dien_bien), log_count(dien_bien)
    result = preview_status_import(dien_bien, status_sheet(*ROWS), "dien_bien.xlsx", today=TODAY, actor=system_principal("t"))
    assert not result.plan.issues and not result.written
    assert (event_count(dien_bien), log_count(dien_bien)) == (events, logs)
    communes = _level(result.coverage_after, Level.COMMUNE)
    assert (communes.in_plan, communes.announced, communes.building) == (5, 1, 1)
    assert _level(result.coverage_before, Level.COMMUNE).announced == 0
    assert result.plan.counts() == {"new": 5, "changed": 0, "unchanged": 1, "error": 0}


def test_confirm_writes_and_coverage_equals_the_overview_figure(dien_bien):
    data = status_sheet(*ROWS)  # one upload, previewed then confirmed (.xlsx bytes carry their save time)
    preview = preview_status_import(dien_bien, data, "dien_bien.xlsx", today=TODAY, actor=system_principal("t"))
    done = apply_status_import(dien_bien, data, "dien_bien.xlsx", today=TODAY, actor=system_principal("t"),
                               expected_digest=preview.digest)
    assert done.written and event_count(dien_bien) == len(preview.plan.events)
    assert by_level(dien_bien, TODAY) == preview.coverage_after == done.coverage_after
    assert [(c.level, c.announced, c.in_plan) for c in by_level(dien_bien, TODAY)] == [
        (Level.DEPARTMENT, 1, 2), (Level.DISTRICT, 1, 3), (Level.COMMUNE, 1, 5)]


def test_imported_events_are_marked_import_and_estimated(dien_bien):
    apply_status_import(dien_bien, status_sheet(*ROWS), "dien_bien.xlsx", today=TODAY, actor=system_principal("officer"))
    events = unit_events(dien_bien, "03124")
    assert {e.source for e in events} == {"import"} and {e.recorded_by for e in events} == {"officer"}
    real = [(e.event_type.value, e.event_date, e.decision_no, e.standard.value if e.standard else None) for e in events if not e.date_estimated]
    assert real == [("announced", D(2016, 11, 11), "7/QĐ-UBND", "2015"), ("re_announced", D(2020, 4, 3), "31/QĐ-UBND", "2015")]


def test_the_same_file_twice_changes_nothing_the_second_time(dien_bien):
    data = status_sheet(*ROWS)
    apply_status_import(dien_bien, data, "dien_bien.xlsx", today=TODAY, actor=system_principal("t"))
    events, logs = event_count(dien_bien), log_count(dien_bien)
    again = apply_status_import(dien_bien, data, "dien_bien.xlsx", today=TODAY + dt.timedelta(days=30), actor=system_principal("t"))
    assert not again.written and not again.plan.events
    assert set(again.plan.counts()) and again.plan.counts()["unchanged"] == len(ROWS)
    assert (event_count(dien_bien), log_count(dien_bien)) == (events, logs)


def test_confirm_logs_one_summary_of_the_import(dien_bien):
    apply_status_import(dien_bien, status_sheet(*ROWS), "dien_bien.xlsx", today=TODAY, actor=system_principal("t"))
    rows = dien_bien.rows("SELECT entity_key, after->>'events' FROM change_log WHERE entity = 'status_import'")
    assert rows == [("dien_bien.xlsx", str(event_count(dien_bien)))]


def test_a_file_with_one_bad_row_changes_nothing(dien_bien):
    bad = [*ROWS, ["03151", None, None, "đã công bố", 2015, None, "01/06/2021"]]
    events, logs = event_count(dien_bien), log_count(dien_bien)
    with pytest.raises(StatusImportError) as info:
        apply_status_import(dien_bien, status_sheet(*bad), "dien_bien.xlsx", today=TODAY, actor=system_principal("t"))
    (issue,) = info.value.issues
    assert (issue.sheet, issue.row, issue.column) == ("Tình trạng", 8, "Số quyết định công bố")
    assert "dòng 8" in info.value.vi and "row 8" in str(info.value)
    assert (event_count(dien_bien), log_count(dien_bien)) == (events, logs)


def test_preview_with_errors_has_no_after_figures(dien_bien):
    result = preview_status_import(dien_bien, status_sheet(["99999", None, None, "đang xây dựng"]), "x.xlsx", today=TODAY, actor=system_principal("t"))
    assert result.coverage_after is None and result.plan.counts()["error"] == 1


def test_confirm_refuses_when_the_database_changed_since_the_preview(dien_bien):
    data = status_sheet(*ROWS)
    preview = preview_status_import(dien_bien, data, "dien_bien.xlsx", today=TODAY, actor=system_principal("t"))
    apply_status_import(dien_bien, status_sheet(ROWS[4]), "other.xlsx", today=TODAY, actor=system_principal("someone else"))
    events = event_count(dien_bien)
    with pytest.raises(QmsError, match="changed since the preview"):
        apply_status_import(dien_bien, data, "dien_bien.xlsx", today=TODAY, actor=system_principal("t"), expected_digest=preview.digest)
    assert event_count(dien_bien) == events


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.OFFICER, Role.VIEWER])
def test_only_the_administrator_imports_a_status_sheet(dien_bien, role, make_account):
    """Even an officer whose own unit is the only row: onboarding the province is the administrator's."""
    lead = make_account(dien_bien, Principal(username="lead", role=Role.ADMIN))
    who = make_account(dien_bien, Principal(username="someone", role=role, units=frozenset({"03125"}),
                                            districts=frozenset({"094"}) if role is Role.AUDITOR else frozenset()))
    data = status_sheet(ROWS[4])
    events, logs = event_count(dien_bien), log_count(dien_bien)
    for write in (preview_status_import, apply_status_import):
        with pytest.raises(PermissionDenied, match="may not import status"):
            write(dien_bien, data, "dien_bien.xlsx", today=TODAY, actor=who)
    assert (event_count(dien_bien), log_count(dien_bien)) == (events, logs)
    assert apply_status_import(dien_bien, data, "dien_bien.xlsx", today=TODAY, actor=lead).written


def test_contradiction_with_recorded_history_is_refused(dien_bien):
    apply_status_import(dien_bien, status_sheet(*ROWS), "dien_bien.xlsx", today=TODAY, actor=system_principal("t"))
    with pytest.raises(StatusImportError) as info:
        apply_status_import(dien_bien, status_sheet(["094", None, None, "đang xây dựng"]), "later.xlsx", today=TODAY, actor=system_principal("t"))
    assert info.value.issues[0].column == "Tình trạng"


def test_template_lists_every_unit_and_imports_back_as_unchanged(dien_bien):
    data = status_template(dien_bien, today=TODAY)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Tình trạng ISO", "Hướng dẫn"]
    rows = list(wb["Tình trạng ISO"].iter_rows(values_only=True))
    assert rows[0][:5] == ("Mã đơn vị", "Tên đơn vị", "Cấp", "Trực thuộc", "Tình trạng")
    assert [r[0] for r in rows[1:]] == ["D11-01", "D11-02", "094", "095", "096", "03124", "03125", "03151", "03158", "03160"]
    assert rows[6][3] == "Thành phố Điện Biên Phủ"
    ws = wb["Tình trạng ISO"]
    assert ws["A7"].number_format == "@" and ws["H7"].number_format == "@"  # codes keep their zero; dates stay dd/mm/yyyy text
    guide = [r[0] for r in wb["Hướng dẫn"].iter_rows(min_row=2, max_row=14, values_only=True)]
    assert "Ngày xem xét của lãnh đạo gần nhất" in guide
    result = preview_status_import(dien_bien, data, "mau.xlsx", today=TODAY, actor=system_principal("t"))
    assert result.plan.counts() == {"new": 0, "changed": 0, "unchanged": 10, "error": 0}
    assert [s.kind for s in result.plan.sheets] == ["status", None]


def test_filled_template_goes_in_on_the_first_day(lai_chau_units):
    """Lai Châu's real unit list, no history: the officer fills three rows in the template."""
    wb = openpyxl.load_workbook(io.BytesIO(status_template(lai_chau_units, today=TODAY)))
    ws = wb["Tình trạng ISO"]
    by_code = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    assert len(by_code) == 20 + 8 + 108
    r = by_code["03386"]
    ws.cell(row=r, column=5, value="đã công bố")
    ws.cell(row=r, column=6, value="2015")
    ws.cell(row=r, column=7, value="88/QĐ-UBND")
    ws.cell(row=r, column=8, value=dt.datetime(2019, 6, 3))
    ws.cell(row=by_code["105"], column=5, value="đang áp dụng")
    ws.cell(row=by_code["S12-03"], column=5, value="đang xây dựng")
    out = io.BytesIO()
    wb.save(out)
    done = apply_status_import(lai_chau_units, out.getvalue(), "lai_chau.xlsx", today=TODAY, actor=system_principal("t"))
    assert done.plan.counts()["new"] == 3
    cov = {c.level: c for c in by_level(lai_chau_units, TODAY)}
    assert (cov[Level.COMMUNE].announced, cov[Level.DISTRICT].applying, cov[Level.DEPARTMENT].building) == (1, 1, 1)


def test_a_merged_header_nfd_sheet_of_the_second_province(dien_bien):
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    rows = [
        [nfd("BÁO CÁO TÌNH HÌNH ÁP DỤNG HTQLCL - TỈNH ĐIỆN BIÊN")],
        ["STT", nfd("Tên đơn vị"), nfd("Tình trạng"), nfd("Tiêu chuẩn"), nfd("Công bố"), None],
        [None, None, None, None, nfd("Số quyết định"), nfd("Ngày")],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
        [1, nfd("Phường Sông Đà"), nfd("Đã công bố"), 2015, "3/QĐ-UBND", dt.datetime(2019, 9, 9)],
        [2, nfd("Xã Chung Chải"), nfd("Đang xây dựng")],
    ]
    merges = ["A1:F1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2"]
    data = workbook({nfd("Cấp xã"): rows}, merges={nfd("Cấp xã"): merges})
    done = apply_status_import(dien_bien, data, "bao_cao.xlsx", today=TODAY, actor=system_principal("t"))
    assert done.plan.counts()["new"] == 2 and done.plan.sheets[0].ignored_columns == ("STT",)
    assert [e.event_type.value for e in unit_events(dien_bien, "03151")][-1] == "announced"
