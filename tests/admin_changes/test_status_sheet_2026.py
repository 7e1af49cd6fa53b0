"""A status sheet of 2026 names the 38 new communes by their official codes: the template writes
the codes people know, and an import lands on the unit bearing the code today, never on the old
unit that bore it before 01/07/2025."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from qms.accounts.rules import system_principal
from qms.status_import.store import apply_status_import, status_template
from qms.units.events_store import unit_events

TODAY = dt.date(2026, 12, 3)
HEADER = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Tình trạng", "Tiêu chuẩn", "Số quyết định công bố", "Ngày công bố",
          "Ngày công bố lại", "Ngày đánh giá nội bộ gần nhất", "Ngày xem xét của lãnh đạo gần nhất", "Ghi chú"]

CLI = system_principal("cli")


def test_the_2026_template_lists_the_38_new_communes_by_official_code_and_no_district(today_db):
    ws = openpyxl.load_workbook(io.BytesIO(status_template(today_db, today=TODAY))).worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    communes = [r for r in rows if r[2] and "xã" in str(r[2]).lower()]
    assert len(communes) == 38
    assert ["03388", "Phường Đoàn Kết"] in [r[:2] for r in communes]
    assert not any("@" in str(r[0]) for r in rows)
    assert not any("huyện" in str(r[2]).lower() for r in rows)


def test_a_2026_row_with_a_reused_code_lands_on_todays_unit(today_db):
    # a new commune that has not started, whose code an old commune bore before the reform
    key, code, name = today_db.rows(
        "SELECT u.code, u.gso_code, n.name FROM units u JOIN unit_names n ON n.code = u.code"
        " WHERE u.code LIKE '%@2025-07-01' AND u.level = 'commune'"
        " AND NOT EXISTS (SELECT 1 FROM qms_events e WHERE e.unit_code = u.code)"
        " AND EXISTS (SELECT 1 FROM units o WHERE o.code = u.gso_code) ORDER BY u.code LIMIT 1")[0]
    old_before = len(unit_events(today_db, code))
    row = [code, name, "Cấp xã", "Đang xây dựng", "", "", "", "", "", "", ""]
    csv = (",".join(HEADER) + "\n" + ",".join(row) + "\n").encode()
    apply_status_import(today_db, csv, "tinh_trang_2026.csv", today=TODAY, actor=CLI)
    assert len(unit_events(today_db, code)) == old_before
    assert [e.event_type.value for e in unit_events(today_db, key)] == ["build_started"]
