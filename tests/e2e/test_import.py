"""Journey 7 on the import page: a unit list with a bad line is refused whole, naming the line."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from qms.units.model import Stage

from .helpers import click_button, goto, grid, grid_rows, search_units, upload

pytestmark = pytest.mark.e2e

#: Line 2 has a level the app does not know; line 3 is a good commune that must not go in either.
BAD_CSV = (
    "gso_code,name,level,kind,parent_gso_code\n"
    "99901,Xã Thử Nghiệm,huyen,xa,105\n"
    "99902,Xã Thử Hai,commune,xa,105\n"
)


def test_a_bad_line_is_named_and_nothing_is_imported(page, app_server, tmp_path):
    source = tmp_path / "don_vi_loi.csv"
    source.write_text(BAD_CSV, encoding="utf-8")
    goto(page, "import")
    upload(page, "import_units_file", source)
    click_button(page, "Nhập")
    expect(page.get_by_test_id("stAlert").filter(has_text="1 dòng bị từ chối, không có gì được nhập")).to_be_visible()
    problems = grid(page, "Lỗi")
    expect(problems.locator("tbody tr")).to_have_count(1)
    line, reason = grid_rows(problems)[0]
    assert line == "line 2" and "huyen" in reason

    goto(page, "units")
    known = app_server.facts.commune(Stage.APPLYING, 1)
    search_units(page, known)  # the search finds a unit that exists...
    expect(page.get_by_text(f"Mã: {known}")).to_be_visible()
    for code in ("99901", "99902"):  # ...and neither line of the refused file
        search_units(page, code)
        expect(page.get_by_text("Không tìm thấy đơn vị nào.")).to_be_visible()
        expect(page.get_by_text("Mã: ")).to_have_count(0)
