"""Journey: an inspector takes an audit offline and brings it back (issue 17's "done when").

The demo's inspector (``tdc``) starts an on-site inspection under Circular 26, downloads its
workbook from the page, then (as a colleague would, online) answers the first item on the page:
*Không áp dụng*.  The workbook is filled as on a laptop without network and saved by headless
LibreOffice Calc (every item *Phù hợp*), uploaded back: the preview shows one conflict (the
first item), the inspector takes the workbook's answer and confirms; two photos are attached to
the first item and show under it; the audit is submitted with the score of a fully conforming
checklist.  An inspection records no lifecycle event; the audit is noted in ``changes``.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from office import through_libreoffice
from PIL import Image
from playwright.sync_api import Page, expect

from qms.audits import workbook as wb

from .helpers import alerts, click_button, download, open_tab, segment, upload, wait_idle, widget
from .test_audits import start_inspection, template

pytestmark = pytest.mark.e2e

CONFORM, NOT_APPLICABLE = "Phù hợp", "Không áp dụng"


def _fill_all(data: bytes, result: str) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book[wb.SHEET]
    for row in range(wb.FIRST_ROW, ws.max_row + 1):
        ws.cell(row=row, column=wb.COL_RESULT).value = result
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _photo(path, color) -> None:
    Image.new("RGB", (320, 240), color).save(path, format="JPEG")


def _open_offline(page: Page, tab: str) -> None:
    panel = page.get_by_test_id("stExpander").filter(has_text="Làm ngoại tuyến, bản in và bằng chứng")
    if not panel.get_by_role("tab", name=tab, exact=True).is_visible():
        panel.locator("summary").first.click()
    open_tab(page, tab)


def test_an_inspector_fills_an_audit_offline_and_brings_it_back(browser_page, app_server, changes, tmp_path):
    page = browser_page
    tp = template()
    first = tp.sections[0].items[0].ref
    items = sum(len(s.items) for s in tp.sections)

    audit_id = start_inspection(page, app_server, changes, tp, "Đoàn kiểm tra Chi cục TĐC (ngoại tuyến)")

    _open_offline(page, "Tải phiếu Excel")
    packed = download(page, "Tải phiếu đánh giá (.xlsx)", tmp_path)
    # meanwhile the first item is answered online
    segment(page, f"aud_{audit_id}_r_{first}", NOT_APPLICABLE)

    filled = tmp_path / "phieu-da-dien.xlsx"
    filled.write_bytes(through_libreoffice(_fill_all(through_libreoffice(packed.read_bytes(), tmp_path, "a"), CONFORM),
                                           tmp_path, "b"))
    _open_offline(page, "Nộp lại phiếu đã điền")
    upload(page, "off_upload_0", filled)
    expect(page.get_by_text(f"Thay đổi: {items - 1} · Không đổi: 0 · Xung đột: 1")).to_be_visible()
    choice = widget(page, f"off_take_0_{first}")
    choice.get_by_text(f"Lấy của phiếu: {CONFORM}").click()
    wait_idle(page)
    click_button(page, f"Xác nhận và ghi {items} câu trả lời")
    expect(page.get_by_test_id("stAlert").filter(has_text=f"Đã ghi {items} câu trả lời từ phiếu.")).to_be_visible()
    expect(page.get_by_text(f"Đã trả lời {items}/{items} mục")).to_be_visible()

    photos = [tmp_path / "bang-niem-yet.jpg", tmp_path / "so-theo-doi.jpg"]
    _photo(photos[0], (200, 40, 40))
    _photo(photos[1], (40, 40, 200))
    _open_offline(page, "Đính kèm bằng chứng")
    widget(page, "off_ev_files_0").locator('input[type="file"]').set_input_files([str(p) for p in photos])
    expect(widget(page, "off_ev_files_0").get_by_text(photos[1].name)).to_be_visible()
    wait_idle(page)
    click_button(page, "Đính kèm")
    expect(page.get_by_test_id("stAlert").filter(has_text=f"Đã đính kèm; mục {first} có 2 tệp bằng chứng.")).to_be_visible()
    listed = page.get_by_text(re.compile(r"^📎 Bằng chứng đính kèm: "))
    expect(listed).to_contain_text("bang-niem-yet.jpg")
    expect(listed).to_contain_text("so-theo-doi.jpg")
    expect(page.get_by_test_id("stImage")).to_have_count(2)

    click_button(page, "Nộp phiếu đánh giá")
    expect(page.get_by_test_id("stAlert").filter(has_text="Đã nộp. Điểm: 100 %; 0 phát hiện.")).to_be_visible()
    assert not [a for a in alerts(page) if "Lỗi" in a]
