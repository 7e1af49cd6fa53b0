"""Journey 5: a TTHC catalogue imported from a real .xlsx file on the Quy trình page.

Each test works on its own provincial department whose scope is complete on the fresh demo
(``facts.complete_departments``, read through the store before the app started).  A good file
adds two new TTHC to the first one: after the preview and the confirmation the two are listed
as TTHC no process covers, the unit's TTHC count grows by two while its covered count stays,
and the province's "Chưa đủ phạm vi" figure grows by one (noted in ``changes``).  A file with one
row naming an unknown unit is refused whole, naming its sheet and line, and the department its
good row was for keeps its catalogue.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from .helpers import all_grid_rows, choose, click_button, expect_grid_rows, goto, grid, metric, open_tab, upload, wait_idle

pytestmark = pytest.mark.e2e

HEADERS = ["Mã đơn vị", "Mã TTHC", "Tên TTHC", "Lĩnh vực", "Cấp thực hiện", "Hiệu lực từ"]
SHEET = "TTHC"


def workbook(path: Path, rows: list[list]) -> Path:
    """An .xlsx file as an officer types it: the Vietnamese headers, then the rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def unit_figures(page: Page, code: str, name: str) -> tuple[int, int]:
    """``(TTHC in the catalogue, TTHC covered)`` of the unit in the "Theo đơn vị" tab."""
    open_tab(page, "Theo đơn vị")
    choose(page, "scope_unit", f"{code} — {name}", search=code)
    return int(metric(page, "Số TTHC")[0]), int(metric(page, "TTHC có quy trình")[0])


def incomplete_units(page: Page) -> int:
    open_tab(page, "Phạm vi theo cấp")
    return int(metric(page, "Chưa đủ phạm vi")[0])


def test_an_imported_catalogue_shows_its_uncovered_tthc(page, app_server, changes, tmp_path):
    code, name, total = app_server.facts.complete_departments[0]
    since = app_server.facts.today - dt.timedelta(days=30)
    new = [("9.999901", "Cấp giấy chứng nhận thử nghiệm một cửa"), ("9.999902", "Gia hạn giấy chứng nhận thử nghiệm một cửa")]
    source = workbook(tmp_path / "danh_muc_tthc.xlsx",
                      [[code, tthc, title, "Thử nghiệm", "Cấp tỉnh", dt.datetime.combine(since, dt.time())] for tthc, title in new])

    goto(page, "processes")
    assert unit_figures(page, code, name) == (total, total)
    expect(page.get_by_text("Mọi TTHC của đơn vị đều có quy trình.")).to_be_visible()
    before = incomplete_units(page)

    open_tab(page, "Nhập / xuất")
    upload(page, "scope_import_file", source)
    expect(page.get_by_text(f"Đã đọc trang tính {SHEET}: {len(new)} dòng dữ liệu.")).to_be_visible()
    plan = f"{len(new)} dòng của 1 đơn vị: {len(new)} mục mới, 0 mục hết hiệu lực, 0 không đổi; {len(new)} TTHC mới, 0 TTHC đổi tên."
    expect(page.get_by_test_id("stAlert").filter(has_text=plan)).to_be_visible()
    expect_grid_rows(grid(page, "Mã", "Tên"), len(new))
    click_button(page, "Xác nhận nhập")
    expect(page.get_by_test_id("stAlert").filter(has_text=f"Đã nhập {source.name} ({len(new)} dòng).")).to_be_visible()

    assert unit_figures(page, code, name) == (total + len(new), total)
    expect(page.get_by_text(f"TTHC chưa có quy trình ({len(new)})")).to_be_visible()
    uncovered = grid(page, "Mã TTHC", "Tên thủ tục hành chính", "Hiệu lực từ")
    assert sorted((row[0], row[1], row[3]) for row in all_grid_rows(uncovered, len(new))) == sorted(
        (tthc, title, since.strftime("%d/%m/%Y")) for tthc, title in new)
    assert incomplete_units(page) == before + 1
    changes.incomplete_departments += 1
    wait_idle(page)


def test_a_file_with_an_unknown_unit_is_refused_whole(page, app_server, tmp_path):
    code, name, total = app_server.facts.complete_departments[1]
    source = workbook(tmp_path / "danh_muc_loi.xlsx", [
        [code, "9.999903", "Cấp phép thử nghiệm hợp lệ", "Thử nghiệm", "Cấp tỉnh", None],
        ["S99-99", "9.999904", "Cấp phép của đơn vị không có", "Thử nghiệm", "Cấp tỉnh", None],
    ])
    goto(page, "processes")
    open_tab(page, "Nhập / xuất")
    upload(page, "scope_import_file", source)
    expect(page.get_by_test_id("stAlert").filter(has_text=f"{source.name}: 1 dòng bị từ chối, không có gì được nhập.")).to_be_visible()
    [(where, reason)] = all_grid_rows(grid(page, "Vị trí", "Lý do"), 1)
    assert where == f"sheet '{SHEET}' line 3" and "S99-99" in reason, (where, reason)
    expect(page.get_by_role("button", name="Xác nhận nhập")).to_have_count(0)

    assert unit_figures(page, code, name) == (total, total)
    expect(page.get_by_text("Mọi TTHC của đơn vị đều có quy trình.")).to_be_visible()
