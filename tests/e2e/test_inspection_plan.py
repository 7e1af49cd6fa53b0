"""Journey: the inspection year, from plan to minutes.

The administrator proposes this year's risk-ranked plan, assigns the demo inspector ``tdc`` to
an on-site inspection of a department in tdc's scope (not the unit journey 3 inspects), and approves
the plan with its decision number.  The inspector starts that planned inspection from the plan,
fills its checklist on the audits page (every item conforming: no finding, so no action and no
other journey's figure moves), submits it, writes the minutes on the plan page and downloads them;
the .docx is read back with python-docx.
"""

from __future__ import annotations

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from qms.inspections.minutes import docx_text

from .helpers import choose, choose_starting, click_button, download, fill, goto, sign_in, wait_idle
from .test_audits import CONFORM, answer, show_all_sections, template

pytestmark = pytest.mark.e2e

#: The departments assigned to tdc (qms/accounts/demo_store.py): one of them is free of journey 3.
CANDIDATES = ("S12-01", "S12-02")


def test_plan_to_minutes(browser_page, app_server, changes, tmp_path):
    page = browser_page
    facts = app_server.facts
    unit = next(c for c in CANDIDATES if c != facts.audit_unit[0])
    year = facts.today.year

    sign_in(page, app_server.base_url, *app_server.account("admin"))
    goto(page, "inspection-plan")
    click_button(page, "Đề xuất kế hoạch theo mức rủi ro")
    expect(page.get_by_text(re.compile(r"^Đã đề xuất \d+ cuộc kiểm tra\.$"))).to_be_visible()
    label = choose_starting(page, "insp_assign_unit", f"{unit} — ", search=unit)
    name = label.split(" — ", 1)[1]
    choose(page, "insp_assign_mode", "Tại cơ quan")
    fill(page, "insp_assign_team", "tdc")
    click_button(page, "Phân công đoàn kiểm tra")
    expect(page.get_by_text("Đã lưu; kế hoạch ở phiên bản 0.")).to_be_visible()
    fill(page, "insp_decision", "15/QĐ-UBND")
    click_button(page, "Phê duyệt kế hoạch")
    expect(page.get_by_text(f"Đã phê duyệt kế hoạch năm {year}.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Đã phê duyệt: Quyết định số 15/QĐ-UBND ngày \d{2}/\d{2}/\d{4}; phiên bản 1"))).to_be_visible()

    workbook = download(page, "Tải kế hoạch (.xlsx)", tmp_path)  # made when clicked
    rows = list(openpyxl.load_workbook(workbook, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:6] == ("STT", "Cơ quan được kiểm tra", "Mã đơn vị", "Đơn vị/đoàn kiểm tra", "Thời gian dự kiến",
                           "Hình thức kiểm tra")
    assert [r[3] for r in rows if r[2] == unit] == ["Chi cục TĐC (thanh tra)"]

    sign_in(page, app_server.base_url, *app_server.account("tdc"))
    goto(page, "inspection-plan")
    choose_starting(page, "insp_item", f"{name} ({unit})")
    click_button(page, "Bắt đầu kiểm tra")
    started = page.get_by_text(re.compile(r"^Đã mở phiếu kiểm tra #\d+; điền trong trang Đánh giá\.$"))
    expect(started).to_be_visible()
    audit_id = int(re.search(r"#(\d+)", started.inner_text()).group(1))
    changes.audits_started += 1

    goto(page, "audits")
    choose(page, "aud_f_unit", f"{unit} — {name}", search=unit)
    choose_starting(page, "aud_pick", f"#{audit_id} · ")
    click_button(page, "Mở")
    expect(page.get_by_role("heading", name=f"Phiếu #{audit_id}: {name}")).to_be_visible()
    show_all_sections(page)
    items = [item.ref for _, item in template().items()]
    for ref in items:
        answer(page, audit_id, ref, CONFORM)
    expect(page.get_by_text(f"Đã trả lời {len(items)}/{len(items)} mục")).to_be_visible()
    click_button(page, "Nộp phiếu đánh giá")
    expect(page.get_by_test_id("stAlert").filter(has_text="Đã nộp.")).to_be_visible()

    goto(page, "inspection-plan")
    choose_starting(page, "insp_item", f"{name} ({unit})")
    click_button(page, "Lập biên bản")
    expect(page.get_by_text(re.compile(r"^Đã lập biên bản; hạn báo cáo khắc phục \d{2}/\d{2}/\d{4}\.$"))).to_be_visible()
    saved = download(page, "Tải biên bản (.docx)", tmp_path)
    wait_idle(page)
    assert saved.name == f"bien-ban-{year}-{unit.replace('@', '_')}.docx"
    text = docx_text(saved.read_bytes())
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BIÊN BẢN KIỂM TRA",
                     f"{name} (mã {unit})", "1. Chi cục TĐC (thanh tra) - Trưởng đoàn", "Quyết định số 15/QĐ-UBND",
                     "Kiểm tra tại cơ quan", "Không có phát hiện.", "TRƯỞNG ĐOÀN KIỂM TRA"):
        assert expected in text, expected
    assert re.search(rf"^A \| .+ \| (\d+) \| \1 \| 0 \| 100\.0$", text, re.M), text
