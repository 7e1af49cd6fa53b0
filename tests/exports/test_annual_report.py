"""The Decision 19 annual report: counts per group on the demo, and the .xlsx read back."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from qms.coverage.queries import by_level
from qms.exports import annual_report
from qms.exports.annual_report_queries import GROUPS
from qms.units.model import Level

TODAY = dt.date(2025, 6, 1)


@pytest.fixture
def counts_2016(demo_db):
    return annual_report.report(demo_db, 2016, today=TODAY)


def _group(counts, name):
    return next(g for g in counts.groups if g.group == name)


def test_every_group_is_reported_in_order(counts_2016):
    assert [g.group for g in counts_2016.groups] == list(GROUPS)


def test_communes_2016_match_the_published_figure(counts_2016):
    communes = _group(counts_2016, "communes")
    assert (communes.in_plan, communes.announced) == (108, 65)


def test_departments_and_sub_departments_add_up_to_the_department_level(counts_2016, demo_db):
    level = next(r for r in by_level(demo_db, dt.date(2016, 12, 31)) if r.level is Level.DEPARTMENT)
    deps, subs = _group(counts_2016, "departments"), _group(counts_2016, "sub_departments")
    assert (deps.in_plan + subs.in_plan, deps.announced + subs.announced) == (level.in_plan, level.announced)
    assert subs.in_plan == 1


def test_built_and_applied_count_every_unit_that_got_that_far(counts_2016):
    for g in counts_2016.groups:
        assert g.in_plan >= g.built >= g.applied >= g.announced, g.group


def test_re_announcements_count_only_the_report_year(demo_db):
    years = {y: annual_report.report(demo_db, y, today=TODAY).total().re_announced for y in (2016, 2017)}
    assert years[2016] == 3 and years[2016] != years[2017]


def test_the_total_is_the_sum_of_the_groups(counts_2016):
    total = counts_2016.total()
    assert total.in_plan == sum(g.in_plan for g in counts_2016.groups) == 136


def test_the_current_year_is_counted_up_to_today(demo_db):
    counts = annual_report.report(demo_db, 2025, today=TODAY)
    assert counts.as_of == TODAY


def test_an_empty_database_reports_zeros_for_every_group(db):
    counts = annual_report.report(db, 2016, today=TODAY)
    assert [g.in_plan for g in counts.groups] == [0, 0, 0, 0] and counts.total().announced == 0


def test_without_an_audits_table_inspections_are_zero_with_a_note(demo_db):
    demo_db.write(lambda cur: cur.execute("DROP TABLE IF EXISTS audits"))  # a database from before the audits feature
    counts = annual_report.report(demo_db, 2016, today=TODAY)
    assert not counts.inspections_recorded and counts.total().inspected_records == 0
    assert any("kiểm tra" in n for n in annual_report.notes(counts)[1:])


_AUDITS = """CREATE TABLE IF NOT EXISTS audits (unit_code VARCHAR NOT NULL, template_id VARCHAR NOT NULL,
    template_version INTEGER NOT NULL, template_hash VARCHAR NOT NULL, standard VARCHAR NOT NULL, item_count INTEGER NOT NULL,
    kind VARCHAR NOT NULL, auditor VARCHAR NOT NULL, audit_date DATE NOT NULL, status VARCHAR NOT NULL, created_by VARCHAR NOT NULL)"""


def test_inspections_are_counted_from_the_audits_of_the_year(db):
    def add(cur):
        cur.execute("INSERT INTO units (code, level, kind, parent_code) VALUES ('12', 'province', 'tinh', NULL),"
                    " ('105', 'district', 'thanh_pho', '12'), ('03386', 'commune', 'phuong', '105'), ('03387', 'commune', 'phuong', '105')")
        cur.execute(_AUDITS)  # the audits feature's table (migration 002), or its columns used here
        for unit, kind, day, status in [("03386", "inspection_records", "2016-05-01", "submitted"),
                                        ("03386", "inspection_site", "2016-06-01", "closed"),
                                        ("03387", "inspection_site", "2016-06-01", "draft"),
                                        ("105", "inspection_records", "2015-06-01", "closed")]:
            cur.execute("INSERT INTO audits (unit_code, template_id, template_version, template_hash, standard, item_count,"
                        " kind, auditor, audit_date, status, created_by) VALUES (?, 'inspection-circular26', 1, 'x', '2015',"
                        " 1, ?, 'tester', ?, ?, 'tester')", [unit, kind, dt.date.fromisoformat(day), status])

    db.write(add)
    counts = annual_report.report(db, 2016, today=TODAY)
    communes, districts = _group(counts, "communes"), _group(counts, "districts")
    assert counts.inspections_recorded
    assert (communes.inspected_records, communes.inspected_site, districts.inspected_records) == (1, 1, 0)


# --- the .xlsx ---------------------------------------------------------------------------------

@pytest.fixture
def sheet(counts_2016):
    wb = openpyxl.load_workbook(io.BytesIO(annual_report.xlsx_bytes(counts_2016)))
    return wb.active


def test_the_xlsx_has_the_vietnamese_headers(sheet):
    header = [c.value for c in sheet[annual_report.HEADER_ROW]]
    assert header == ["STT", "Cơ quan, đơn vị", "Số đơn vị phải/có kế hoạch áp dụng", "Đã xây dựng", "Đã áp dụng",
                      "Đã công bố", "Công bố lại trong năm", "Được kiểm tra qua hồ sơ", "Được kiểm tra tại chỗ"]
    assert all(c.font.bold for c in sheet[annual_report.HEADER_ROW])


def test_the_xlsx_has_the_numbers(sheet, counts_2016):
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=annual_report.HEADER_ROW + 1, max_row=annual_report.HEADER_ROW + 5)]
    assert rows[3][1:4] == ["UBND cấp xã", 108, counts_2016.groups[3].built]
    assert rows[3][5] == 65
    assert rows[4][1] == "Tổng cộng" and rows[4][2] == 136


def test_the_xlsx_has_a_title_with_the_year_and_a_note(sheet):
    assert "NĂM 2016" in sheet.cell(1, 1).value and "31/12/2016" in sheet.cell(2, 1).value
    texts = [sheet.cell(r, 1).value or "" for r in range(annual_report.HEADER_ROW + 6, sheet.max_row + 1)]
    assert any(t.startswith("Ghi chú") for t in texts)


def test_the_xlsx_sets_column_widths(sheet):
    assert sheet.column_dimensions["B"].width == 30
