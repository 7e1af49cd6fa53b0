"""AppTest of the unit page: timeline, recording an event, refusals that keep the input."""

from __future__ import annotations

import datetime as dt

from qms.accounts.rules import system_principal
from qms.kernel.clock import province_today
from qms.kernel.db import open_database
from qms.units.model import EventType, Standard

PAGE = "qms/units/page.py"


def _pick(at, code: str):
    at.selectbox(key="units_pick").set_value(code).run()
    return at


def _first_not_started_commune(path) -> str:
    db = open_database(path)
    try:
        return db.scalar(
            "SELECT code FROM units u WHERE level = 'commune' AND valid_to IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM qms_events e WHERE e.unit_code = u.code) ORDER BY code LIMIT 1"
        )
    finally:
        db.close()


def _events(path, code) -> int:
    db = open_database(path)
    try:
        return db.scalar("SELECT count(*) FROM qms_events WHERE unit_code = ?", [code])
    finally:
        db.close()


def test_unit_page_shows_the_timeline(app):
    at = app(page=PAGE)
    _pick(at, "S12-11")
    assert not at.exception
    assert at.header[0].value == "Sở Khoa học và Công nghệ"
    events = [df.value for df in at.dataframe if "Sự kiện" in df.value.columns][0]
    assert "Công bố" in set(events["Sự kiện"]) and len(events) > 5


def test_recording_an_event_saves_it_and_shows_it(app, tmp_path):
    at = app(page=PAGE)
    path = tmp_path / "app.duckdb"
    code = _first_not_started_commune(path)
    _pick(at, code)
    at.selectbox(key="ev_type").set_value(EventType.BUILD_STARTED)
    at.date_input(key="ev_date").set_value(dt.date(2022, 3, 1))
    at.get("form_submit_button")[0].click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == "Đã lưu sự kiện."
    events = [df.value for df in at.dataframe if "Sự kiện" in df.value.columns][0]
    assert list(events["Sự kiện"]) == ["Bắt đầu xây dựng"] and list(events["Ngày"]) == ["01/03/2022"]


def test_impossible_announcement_is_refused_and_input_kept(app, tmp_path):
    at = app(page=PAGE)
    code = _first_not_started_commune(tmp_path / "app.duckdb")
    _pick(at, code)
    at.selectbox(key="ev_type").set_value(EventType.ANNOUNCED)
    at.text_input(key="ev_decision").set_value("15/QĐ-UBND")
    at.selectbox(key="ev_standard").set_value(Standard.ISO_2015)
    at.get("form_submit_button")[0].click().run()
    assert len(at.error) == 1 and "chưa áp dụng" in at.error[0].value and "Chưa lưu gì" in at.error[0].value
    assert at.text_input(key="ev_decision").value == "15/QĐ-UBND"  # the user's input stays
    assert _events(tmp_path / "app.duckdb", code) == 0


def test_future_date_is_refused(app, tmp_path):
    at = app(page=PAGE)
    code = _first_not_started_commune(tmp_path / "app.duckdb")
    _pick(at, code)
    at.date_input(key="ev_date").set_value(province_today() + dt.timedelta(days=1))
    at.get("form_submit_button")[0].click().run()
    assert len(at.error) == 1 and "tương lai" in at.error[0].value


def test_search_without_accents_finds_a_unit_by_its_former_name(app):
    """03403 was Xã Nậm Loỏng until the 2020 merger; typed without accents, the old name finds it."""
    at = app(page=PAGE)
    at.text_input(key="units_search").set_value("nam loong").run()
    assert at.selectbox(key="units_pick").value == "03403"


def test_search_handles_the_letter_d_with_stroke(app):
    at = app(page=PAGE)
    at.text_input(key="units_search").set_value("doan ket").run()
    assert at.selectbox(key="units_pick").value == "03389"


def test_a_crafted_unit_name_is_shown_as_text_not_markdown(app, tmp_path):
    """An imported name carrying Markdown (an image the browser would fetch) stays plain text."""
    from qms.units.importer import parse_units_csv
    from qms.units.store import import_units

    at = app(page=PAGE)
    db = open_database(tmp_path / "app.duckdb")
    try:
        csv = "gso_code,name,level,kind,parent_gso_code\n03999,Xã ![x](http://example.org/a.png),commune,xa,105\n"
        import_units(db, parse_units_csv(csv), actor=system_principal("t"))
    finally:
        db.close()
    at.run()
    _pick(at, "03999")
    assert at.header[0].value == "Xã \\!\\[x\\]\\(http://example.org/a.png\\)"


def test_the_units_change_log_shows_the_recorded_event_and_its_author(app, tmp_path):
    at = app(page=PAGE)
    code = _first_not_started_commune(tmp_path / "app.duckdb")
    _pick(at, code)
    assert not [df for df in at.dataframe if "Mã bản ghi" in df.value.columns]  # nothing logged yet
    assert "Không có mục nào." in [c.value for c in at.caption]
    at.selectbox(key="ev_type").set_value(EventType.BUILD_STARTED)
    at.date_input(key="ev_date").set_value(dt.date(2022, 3, 1))
    at.get("form_submit_button")[0].click().run()
    log = [df.value for df in at.dataframe if "Mã bản ghi" in df.value.columns][0]
    assert list(log["Đối tượng"]) == ["Sự kiện HTQLCL"] and list(log["Thao tác"]) == ["Thêm"]
    assert list(log["Người thực hiện"]) == ["test-admin"] and log.iloc[0]["Mã bản ghi"].startswith(f"{code}#")
    after = log.iloc[0]["Sau"]  # labelled Vietnamese text, dates as dd/mm/yyyy: not the stored JSON
    assert "Sự kiện: Bắt đầu xây dựng" in after and "Ngày: 01/03/2022" in after and "Nguồn: Nhập trên ứng dụng" in after
    assert "2022-03-01" not in after and "event_type" not in after
