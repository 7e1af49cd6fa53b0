"""AppTest of the Quy trình page (qms/scope/page.py) against real database files."""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st
from scope_helpers import xlsx
from streamlit.testing.v1 import AppTest

from qms.accounts.rules import Principal, Role, system_principal
from qms.kernel.clock import province_today
from qms.kernel.db import open_database
from qms.kernel.settings import PROJECT_ROOT
from qms.scope import queries as S

PAGE = str(PROJECT_ROOT / "qms" / "scope" / "page.py")
END_2021 = dt.date(2021, 12, 31)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def page(monkeypatch, account_in, show_tab):
    def make(path, *, as_of: dt.date | None = END_2021, user: Principal | None = None, tab: str | None = None) -> AppTest:
        monkeypatch.setenv("QMS_DB", str(path))
        st.cache_resource.clear()
        at = AppTest.from_file(PAGE, default_timeout=60)
        # signed in, as the router's gate ensures
        at.session_state["principal"] = account_in(path, user or Principal(username="lead", role=Role.ADMIN))
        at.run()
        if as_of is not None and not at.exception and at.date_input:
            at.date_input(key="scope_as_of").set_value(as_of).run()
        if tab is not None:  # "unit", "legal", "files": the page's tabs compute only when open
            show_tab(at, "scope_tab", f"scope.tab_{tab}")
        return at

    yield make
    st.cache_resource.clear()


def table(at, column: str):
    found = [df.value for df in at.dataframe if column in df.value.columns]
    assert len(found) == 1, f"expected one table with column {column!r}, found {len(found)}"
    return found[0]


def read(path, fn):
    db = open_database(path)
    try:
        return fn(db)
    finally:
        db.close()


def test_page_shows_scope_figures_of_the_demo(page, demo_path):
    at = page(demo_path)
    assert not at.exception
    expected = read(demo_path, lambda db: S.scope_overview(db, END_2021))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Chưa đủ phạm vi"] == str(expected.incomplete)
    assert metrics["Cập nhật quá hạn"] == str(expected.overdue_updates)
    levels = table(at, "Cấp huyện")  # a level per column, a figure per row: fits a laptop screen
    assert list(levels.columns) == ["Chỉ số", "Sở, ban, ngành", "Cấp huyện", "Cấp xã"] and "Số đơn vị" in set(levels["Chỉ số"])


def test_an_empty_database_shows_one_message(page, tmp_path):
    at = page(tmp_path / "empty.duckdb", as_of=None)
    assert not at.exception and len(at.info) == 1 and not at.dataframe


def test_units_without_catalogue_are_told_to_import(page, province_path):
    at = page(province_path)
    assert not at.exception
    assert any("Chưa có danh mục TTHC" in i.value for i in at.info)


def test_a_unit_shows_the_procedures_no_process_covers(page, demo_path):
    at = page(demo_path, tab="unit")
    at.selectbox(key="scope_unit").set_value("S12-01").run()
    expected = read(demo_path, lambda db: S.unit_scope(db, "S12-01", END_2021))
    assert expected.uncovered
    uncovered = table(at, "Hiệu lực từ")
    assert list(uncovered["Mã TTHC"]) == [t.code for t in expected.uncovered]


def test_import_a_units_tthc_list_from_excel_with_preview_then_confirm(page, province_path):
    at = page(province_path, tab="files")
    at.selectbox(key="scope_import_unit").set_value("03386").run()
    rows = [["DANH MỤC TTHC CẤP XÃ", None, None], ["MÃ TTHC", "TÊN THỦ TỤC HÀNH CHÍNH", "LĨNH VỰC"],
            ["1.000001", "Đăng ký khai sinh", "Hộ tịch"], ["1.000002", "Đăng ký kết hôn", "Hộ tịch"]]
    at.file_uploader(key="scope_import_file").set_value(("xa.xlsx", xlsx({"TTHC": rows}, {"TTHC": ["A1:C1"]}), XLSX)).run()
    assert not at.exception and not at.error
    preview = table(at, "Tên")  # the preview: the file's rows under Vietnamese headers, not the record's field names
    assert list(preview["Tên"]) == ["Đăng ký khai sinh", "Đăng ký kết hôn"] and "name" not in preview.columns
    assert set(preview["Mã đơn vị"]) == {"03386"} and set(preview["Lĩnh vực"]) == {"Hộ tịch"}
    assert read(province_path, lambda db: db.scalar("SELECT count(*) FROM unit_tthc")) == 0
    at.button(key="scope_import_confirm").click().run()
    assert not at.exception and any("Đã nhập xa.xlsx" in s.value for s in at.success)
    assert [t.code for t in read(province_path, lambda db: S.unit_scope(db, "03386", province_today()).uncovered)] == ["1.000001", "1.000002"]


def test_a_bad_file_lists_every_refused_row_and_offers_no_confirm(page, province_path):
    at = page(province_path, tab="files")
    rows = [["Mã đơn vị", "Mã TTHC", "Tên TTHC"], ["99999", "1.000001", "Khai sinh"], ["03386", "1.0/1", "Kết hôn"]]
    at.file_uploader(key="scope_import_file").set_value(("bad.xlsx", xlsx({"DM": rows}), XLSX)).run()
    assert not at.exception
    assert at.error[0].value == "bad.xlsx: 2 dòng bị từ chối, không có gì được nhập."
    assert list(table(at, "Vị trí")["Vị trí"]) == ["sheet 'DM' line 2", "sheet 'DM' line 3"]
    assert table(at, "Vị trí")["Lý do"].iloc[1].startswith("'1.0/1' không phải mã TTHC")  # the reason in Vietnamese
    assert not [b for b in at.button if b.key == "scope_import_confirm"]


def test_a_file_without_the_header_shows_one_error(page, province_path):
    at = page(province_path, tab="files")
    at.file_uploader(key="scope_import_file").set_value(("x.csv", "a,b\n1,2\n".encode(), "text/csv")).run()
    assert not at.exception and "không tìm thấy dòng tiêu đề" in at.error[0].value


def test_issue_a_process_from_the_form(page, demo_path):
    at = page(demo_path, tab="unit")
    at.selectbox(key="scope_unit").set_value("S12-01").run()
    missing = read(demo_path, lambda db: S.unit_scope(db, "S12-01", END_2021)).uncovered[0].code
    at.date_input(key="scope_as_of").set_value(province_today()).run()
    at.text_input(key="scope_v_code").input("QT-99")
    at.text_input(key="scope_v_title").input("Quy trình bổ sung")
    at.multiselect(key="scope_v_tthc").set_value([missing])
    at.text_input(key="scope_v_issue").input("01")
    at.button(key="FormSubmitter:scope_version_form-Lưu quy trình").click().run()
    assert not at.exception and not at.error
    assert any("QT-99" in s.value for s in at.success)
    covered = read(demo_path, lambda db: S.unit_scope(db, "S12-01", province_today()).covered)
    assert "QT-99" in dict((t.code, t.covered_by) for t in covered)[missing]


def test_a_process_without_tthc_is_refused_in_vietnamese(page, demo_path):
    at = page(demo_path, tab="unit")
    at.selectbox(key="scope_unit").set_value("S12-01").run()
    at.text_input(key="scope_v_code").input("QT-98")
    at.text_input(key="scope_v_title").input("Quy trình rỗng")
    at.button(key="FormSubmitter:scope_version_form-Lưu quy trình").click().run()
    assert not at.exception and "chưa lưu gì" in at.error[0].value


def test_record_a_legal_change_from_the_form(page, demo_path):
    at = page(demo_path, tab="legal")
    at.text_input(key="scope_c_doc").input("999/QĐ-UBND")
    at.date_input(key="scope_c_effective").set_value(dt.date(2021, 3, 1))
    at.text_area(key="scope_c_amended").input("1.011094; 1.001977")
    at.button(key="FormSubmitter:scope_change_form-Ghi nhận văn bản").click().run()
    assert not at.exception and not at.error
    changes = table(at, "Trích yếu")
    assert "999/QĐ-UBND" in list(changes["Số văn bản"])


def test_withdraw_a_process(page, demo_path):
    at = page(demo_path, as_of=province_today(), tab="unit")
    at.selectbox(key="scope_unit").set_value("S12-03").run()
    code = at.selectbox(key="scope_w_code").value
    at.button(key="FormSubmitter:scope_withdraw_form-Thu hồi").click().run()
    assert not at.exception and not at.error
    (p,) = [p for p in read(demo_path, lambda db: S.unit_processes(db, "S12-03", province_today())) if p.code == code]
    assert p.in_force.value == "withdrawn"


def test_page_in_english(page, demo_path):
    at = page(demo_path, as_of=None)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception and at.title[0].value == "Processes"
    assert "Incomplete scope" in {m.label for m in at.metric}


WIDGETS = """
import datetime as dt
import streamlit as st
from qms.scope.queries import scope_overview, unit_scope
from qms.ui.context import db
from qms.scope.widgets import render_overview_scope, render_unit_scope

day = dt.date(2021, 12, 31)
render_overview_scope(scope_overview(db(), day))
render_unit_scope(unit_scope(db(), st.session_state.get("code", "S12-01"), day), key="units_scope")
"""


def widgets(monkeypatch, path, code="S12-01") -> AppTest:
    monkeypatch.setenv("QMS_DB", str(path))
    st.cache_resource.clear()
    at = AppTest.from_string(WIDGETS, default_timeout=60)
    at.session_state["code"] = code
    return at.run()


def test_overview_widget_counts_incomplete_units_and_overdue_updates(monkeypatch, demo_path):
    at = widgets(monkeypatch, demo_path)
    expected = read(demo_path, lambda db: S.scope_overview(db, END_2021))
    metrics = {m.label: m.value for m in at.metric}
    assert not at.exception
    assert metrics["Chưa đủ phạm vi"] == str(expected.incomplete) and metrics["Cần công bố lại"] == str(expected.reannounce_due)


def test_unit_widget_warns_when_an_announced_unit_has_gaps(monkeypatch, demo_path):
    gap = read(demo_path, lambda db: next(r for r in S.scope_by_unit(db, END_2021) if r.announced and r.complete is False))
    at = widgets(monkeypatch, demo_path, gap.unit_code)
    assert not at.exception and any("chưa có quy trình" in w.value for w in at.warning)


def test_widgets_on_a_database_without_catalogue(monkeypatch, province_path):
    at = widgets(monkeypatch, province_path, "03386")
    assert not at.exception
    assert [i.value for i in at.info] == ["Chưa có danh mục TTHC nào. Hãy nhập danh mục TTHC của các đơn vị (trang Quy trình, thẻ Nhập / xuất).",
                                          "Đơn vị chưa có danh mục TTHC và chưa có quy trình nào."]


def test_preview_of_a_process_file_tells_what_would_be_imported(page, demo_path):
    at = page(demo_path, tab="files")
    at.radio(key="scope_import_kind").set_value(at.radio(key="scope_import_kind").options[1]).run()
    rows = [["Mã đơn vị", "Mã quy trình", "Tên quy trình", "Mã TTHC", "Lần ban hành", "Ngày ban hành"],
            ["S12-03", "QT-90", "Quy trình lý lịch tư pháp", "1.011098", "01", "01/02/2022"]]
    at.file_uploader(key="scope_import_file").set_value(("qt.xlsx", xlsx({"QT": rows}), XLSX)).run()
    assert not at.exception and not at.error
    assert any("1 phiên bản của 1 quy trình (1 đơn vị): 1 mới" in i.value for i in at.info)


def test_an_officer_opens_on_their_unit_and_edits_only_its_processes(page, demo_path, show_tab):
    officer = Principal(username="iso.quyetthang", role=Role.OFFICER, units=frozenset({"03386"}))
    at = page(demo_path, user=officer, tab="unit")
    assert not at.exception and at.selectbox(key="scope_unit").value == "03386"
    assert [f for f in at.text_input if f.key == "scope_v_code"]  # their own unit: the version form
    at.selectbox(key="scope_unit").set_value("S12-01").run()
    assert not [f for f in at.text_input if f.key == "scope_v_code"]
    assert any("không thuộc phạm vi được giao cho bạn (đơn vị 03386)" in i.value for i in at.info)
    show_tab(at, "scope_tab", "scope.tab_legal")
    assert not [f for f in at.text_input if f.key == "scope_c_doc"]
    assert any(i.value.startswith("Chỉ xem: vai trò Thư ký ISO đơn vị không được ghi nhận thay đổi pháp lý") for i in at.info)


def test_a_viewer_gets_no_scope_form(page, demo_path, show_tab):
    at = page(demo_path, user=Principal(username="lanhdao", role=Role.VIEWER))
    for tab in ("unit", "legal", "files"):  # in no tab
        show_tab(at, "scope_tab", f"scope.tab_{tab}")
        assert not at.exception and not [f for f in at.text_input if f.key in ("scope_v_code", "scope_c_doc")], tab
        assert not at.get("file_uploader")  # nor the catalogue / process import
        assert any(i.value.startswith("Chỉ xem: tài khoản lanhdao") for i in at.info), tab
