"""AppTest of the "Nhập tình trạng ISO" page: upload, preview, confirm, and the refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from status_sheets import status_sheet
from streamlit.testing.v1 import AppTest

from qms.accounts.rules import Principal, Role
from qms.kernel.db import open_database
from qms.kernel.settings import PROJECT_ROOT

PAGE = str(PROJECT_ROOT / "qms" / "status_import" / "page.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOOD = status_sheet(["03124", None, None, "đã công bố", 2008, "7/QĐ-UBND", dt.datetime(2016, 11, 11)],
                    ["D11-01", None, None, "đang áp dụng"])


def _page(principal: Principal = Principal(username="lead", role=Role.ADMIN)) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["principal"] = principal  # signed in, as the router's gate ensures
    at.run()
    return at


def _upload(at: AppTest, data: bytes, name: str = "tinh_trang.xlsx") -> AppTest:
    at.file_uploader[0].set_value((name, data, XLSX))
    at.run()
    assert not at.exception, at.exception
    return at


def _table(at: AppTest, column: str):
    found = [df.value for df in at.dataframe if column in df.value.columns]
    assert len(found) == 1, f"expected one table with column {column!r}, found {len(found)}"
    return found[0]


def _events(path: Path) -> int:
    db = open_database(path)
    try:
        return int(db.scalar("SELECT count(*) FROM qms_events"))
    finally:
        db.close()


def test_empty_database_shows_one_message(tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("QMS_DB", str(tmp_path / "empty.duckdb"))
    st.cache_resource.clear()
    at = _page()
    assert not at.exception and len(at.info) == 1 and not at.file_uploader


def test_before_upload_the_page_offers_the_template_and_the_uploader(page_db):
    at = _page()
    assert at.title[0].value == "Nhập tình trạng ISO"
    assert len(at.file_uploader) == 1 and not at.dataframe and not at.button


def test_a_viewer_gets_the_template_but_no_uploader(page_db):
    at = _page(Principal(username="leader", role=Role.VIEWER))
    assert not at.exception and not at.file_uploader
    assert [i.value for i in at.info] == ["Chỉ quản trị viên (Sở KH&CN) được nhập tình trạng ISO của cả tỉnh; "
                                          "tài khoản của bạn chỉ tải được tệp mẫu."]


def test_preview_shows_coverage_now_and_after_and_every_row(page_db):
    at = _upload(_page(), GOOD)
    coverage = _table(at, "Sau khi nhập")
    commune = coverage[coverage["Cấp"] == "Cấp xã"].iloc[0]
    assert (commune["Hiện nay"], commune["Sau khi nhập"]) == ("0/5", "1/5")
    rows = _table(at, "Kết quả")
    assert list(rows["Kết quả"]) == ["Mới", "Mới"]
    assert "Công bố 11/11/2016" in rows.iloc[0]["Sự kiện sẽ ghi"] and "(ước tính)" in rows.iloc[1]["Sự kiện sẽ ghi"]
    assert at.button(key="status_import_confirm").label == "Xác nhận và ghi 8 sự kiện"
    assert _events(page_db) == 0  # the preview wrote nothing


def test_confirm_writes_and_says_so(page_db):
    at = _upload(_page(), GOOD)
    at.button(key="status_import_confirm").click().run()
    assert not at.exception
    assert _events(page_db) == 8
    assert "Đã ghi 8 sự kiện" in at.success[0].value
    assert at.file_uploader[0].value is None  # a fresh uploader: the same file is not confirmed twice by accident


def test_the_same_file_again_has_nothing_to_write(page_db):
    at = _upload(_page(), GOOD)
    at.button(key="status_import_confirm").click().run()
    at = _upload(at, GOOD)
    assert list(_table(at, "Kết quả")["Kết quả"]) == ["Không đổi", "Không đổi"]
    assert not at.button and "không cần ghi" in at.info[0].value
    assert _events(page_db) == 8


def test_errors_are_listed_in_vietnamese_and_nothing_can_be_confirmed(page_db):
    bad = status_sheet(["03124", None, None, "hoàn thành"], ["99999", None, None, "đang xây dựng"])
    at = _upload(_page(), bad)
    assert "2 lỗi" in at.error[0].value
    errors = _table(at, "Lỗi")
    assert list(errors["Dòng"]) == [2, 3] and list(errors["Cột"]) == ["Tình trạng", "Mã đơn vị"]
    assert "chấp nhận: chưa triển khai" in errors.iloc[0]["Lỗi"]
    assert not at.button and _events(page_db) == 0


def test_an_unreadable_file_is_one_error(page_db):
    at = _upload(_page(), b"not a workbook", "cu.xlsx")
    assert len(at.error) == 1 and ".xlsx" in at.error[0].value and not at.dataframe


def test_english(page_db):
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["principal"] = Principal(username="lead", role=Role.ADMIN)
    at.session_state["lang"] = "en"
    at.run()
    at = _upload(at, GOOD)
    assert at.title[0].value == "Import ISO status" and "After the import" in _table(at, "After the import").columns


def test_after_confirming_the_overview_shows_the_province_s_coverage(page_db):
    at = _upload(_page(), GOOD)
    at.button(key="status_import_confirm").click().run()
    overview = AppTest.from_file(str(PROJECT_ROOT / "qms" / "overview" / "page.py"), default_timeout=30)
    overview.run()
    assert not overview.exception
    metrics = {m.label: m.value for m in overview.metric}
    assert (metrics["Cấp xã"], metrics["Sở, ban, ngành"], metrics["Cấp huyện"]) == ("1/5", "0/2", "0/3")


def test_an_uploaded_header_carrying_markdown_is_shown_as_text(page_db):
    """An extra column is reported by its header, which the file's author chose: no image or
    link may form out of it (the browser would fetch the image)."""
    from status_sheets import STATUS_HEADER

    crafted = "![x](http://example.org/a.png)"
    data = status_sheet(["03124", None, None, "đang xây dựng"], header=[*STATUS_HEADER, crafted])
    at = _upload(_page(), data)
    shown = [c.value for c in at.caption if "example.org" in c.value]
    assert shown and all("\\[x\\]" in c and "![x]" not in c for c in shown)
