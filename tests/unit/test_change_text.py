"""A change log entry's before and after as labelled text (qms/changelog/text.py)."""

from __future__ import annotations

import json

from qms.changelog.text import describe, labelled


def test_an_event_reads_as_labelled_vietnamese_with_dates_day_first():
    after = json.dumps({"unit_code": "03386", "event_type": "announced", "event_date": "2021-05-01", "decision_no": None,
                        "standard": "2015", "source": "manual", "date_estimated": False})
    assert describe(after, entity="qms_events", action="insert") == (
        "Mã đơn vị: 03386; Sự kiện: Công bố; Ngày: 01/05/2021; Số quyết định: –; Tiêu chuẩn: TCVN ISO 9001:2015; "
        "Nguồn: Nhập trên ứng dụng; Ngày ước tính: Không")
    assert describe(after, "en", entity="qms_events").startswith("Unit code: 03386; Event: Announced; Date: 01/05/2021")


def test_stored_words_are_named_by_their_kind_and_unknown_ones_stay_as_written():
    assert describe({"status": "in_progress", "source": "inspection"}, entity="actions") == (
        "Trạng thái: Đang thực hiện; Nguồn: Kiểm tra (biên bản)")
    assert describe({"status": "submitted", "score_pct": 87.5}, entity="audits") == "Trạng thái: Đã nộp; Điểm (%): 87,50"
    assert describe({"role": "viewer", "password": "changed"}) == "Vai trò: Chỉ xem (lãnh đạo); Mật khẩu: đã đổi"
    assert describe({"odd_field": "odd value"}) == "odd_field: odd value"


def test_saved_answers_lists_and_counts():
    answers = {"c5-01": ["major", "Thiếu hồ sơ", None], "c5-02": None}
    assert describe(answers, entity="audits", action="save_answers") == (
        "c5-01: Không phù hợp nặng (Thiếu hồ sơ); c5-02: (chưa trả lời)")
    codes = [f"{n:05d}" for n in range(10)]
    assert describe(codes) == ", ".join(codes[:8]) + ", … và 2 mục khác"
    assert describe({"answers": 14992}) == "Câu trả lời: 14.992" and describe(None) == "" and describe("[]") == "–"


def test_a_record_as_a_labelled_row():
    row = labelled({"unit_code": "03386", "code": "1.000001", "name": "Đăng ký khai sinh", "valid_from": "2021-01-01",
                    "valid_to": None})
    assert row == {"Mã đơn vị": "03386", "Mã": "1.000001", "Tên": "Đăng ký khai sinh", "Hiệu lực từ": "01/01/2021",
                   "Hết hiệu lực từ": ""}
