"""The words of a province's ISO status sheet: column headers and cell values.

Pure data and small readers.  Headers and value words are compared *folded* (:func:`fold`:
diacritics, case, punctuation and text in parentheses dropped), so ``Tình trạng``,
``TINH TRANG`` and ``tinh trang (ISO)`` are one column, and ``Đã công bố`` typed without
accents is still the announced status.  Unit *names* are not folded this way (see
:func:`qms.status_import.sheet.name_key`): two communes may differ only by a diacritic.
"""

from __future__ import annotations

import re
import unicodedata

from qms.units.model import EventType, Level, Stage, Standard

_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
#: Words a header may carry that do not change its meaning ('Tình trạng ISO', 'Tiêu chuẩn TCVN ISO 9001').
_NOISE = {"iso", "htqlcl", "tcvn", "9001", "qlcl"}


def fold(text: str) -> str:
    """Lower-case ASCII words: diacritics and 'đ' folded, parentheses and punctuation dropped."""
    text = _PARENS.sub(" ", unicodedata.normalize("NFC", text))
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def fold_header(text: str) -> str:
    return " ".join(w for w in fold(text).split() if w not in _NOISE)


#: The template's header for each field (and the column an error names when the file lacks it).
HEADERS: dict[str, str] = {
    "code": "Mã đơn vị",
    "name": "Tên đơn vị",
    "level": "Cấp",
    "parent": "Trực thuộc",
    "status": "Tình trạng",
    "standard": "Tiêu chuẩn",
    "decision_no": "Số quyết định công bố",
    "announced_on": "Ngày công bố",
    "re_decision_no": "Số quyết định công bố lại",
    "re_announced_on": "Ngày công bố lại",
    "audit_on": "Ngày đánh giá nội bộ gần nhất",
    "review_on": "Ngày xem xét của lãnh đạo gần nhất",
    "note": "Ghi chú",
    "event_type": "Loại sự kiện",
    "event_date": "Ngày",
}

STATUS_FIELDS = ("code", "name", "level", "parent", "status", "standard", "decision_no", "announced_on",
                 "re_decision_no", "re_announced_on", "audit_on", "review_on", "note")
EVENT_FIELDS = ("code", "name", "level", "parent", "event_type", "event_date", "decision_no", "standard", "note")
STATUS_REQUIRED = ("status",)
EVENT_REQUIRED = ("event_type", "event_date")

_MORE: dict[str, tuple[str, ...]] = {
    "code": ("ma", "ma dv", "ma so", "ma gso", "ma don vi hanh chinh", "ma co quan", "code", "gso code", "unit code"),
    "name": ("ten", "ten dv", "don vi", "ten co quan", "co quan don vi", "ten co quan don vi", "ten don vi hanh chinh", "name", "unit"),
    "level": ("cap hanh chinh", "cap don vi", "level"),
    "parent": ("thuoc", "huyen", "don vi cap tren", "parent"),
    "status": ("trang thai", "tinh trang ap dung", "tinh hinh ap dung", "status"),
    "standard": ("phien ban", "phien ban tieu chuan", "tieu chuan ap dung", "standard"),
    "decision_no": ("so quyet dinh", "so qd", "so qd cong bo", "quyet dinh cong bo", "cong bo so quyet dinh",
                    "cong bo so qd", "decision", "decision no"),
    "announced_on": ("cong bo ngay", "ngay quyet dinh cong bo", "ngay qd cong bo", "announced on"),
    "re_decision_no": ("so qd cong bo lai", "quyet dinh cong bo lai", "cong bo lai so quyet dinh", "cong bo lai so qd"),
    "re_announced_on": ("cong bo lai ngay", "ngay qd cong bo lai", "re announced on"),
    "audit_on": ("ngay danh gia noi bo", "danh gia noi bo gan nhat", "danh gia noi bo gan nhat ngay", "ngay dgnb gan nhat",
                 "internal audit"),
    "review_on": ("ngay xem xet lanh dao", "ngay xem xet cua lanh dao", "xem xet cua lanh dao gan nhat",
                  "xem xet cua lanh dao gan nhat ngay", "ngay xem xet lanh dao gan nhat", "management review"),
    "note": ("ghi chu khac", "pham vi ghi chu", "note", "notes"),
    "event_type": ("su kien", "loai", "event", "event type"),
    "event_date": ("ngay su kien", "ngay thang", "date"),
}

#: field -> every folded header text that means it.
SYNONYMS: dict[str, frozenset[str]] = {
    f: frozenset({fold_header(HEADERS[f]), *(fold_header(m) for m in _MORE.get(f, ()))}) for f in HEADERS
}

#: The status words of the sheet (the template's drop-down), in lifecycle order.
STATUS_WORDS: dict[Stage, str] = {
    Stage.NOT_STARTED: "chưa triển khai",
    Stage.BUILDING: "đang xây dựng",
    Stage.APPLYING: "đang áp dụng",
    Stage.ANNOUNCED: "đã công bố",
}
_STATUS: dict[str, Stage] = {fold(w): s for s, w in STATUS_WORDS.items()} | {
    "chua xay dung": Stage.NOT_STARTED, "chua ap dung": Stage.NOT_STARTED, "not started": Stage.NOT_STARTED,
    "dang trien khai": Stage.BUILDING, "building": Stage.BUILDING,
    "da ap dung": Stage.APPLYING, "applying": Stage.APPLYING,
    "da cong bo lai": Stage.ANNOUNCED, "announced": Stage.ANNOUNCED,
}

#: The level words of the sheet's 'Cấp' column.
LEVEL_WORDS: dict[Level, str] = {Level.DEPARTMENT: "tỉnh/sở", Level.DISTRICT: "huyện", Level.COMMUNE: "xã"}
_LEVELS: dict[str, Level] = {
    **{w: Level.DEPARTMENT for w in ("tinh so", "tinh", "so", "cap tinh", "so ban nganh", "department")},
    **{w: Level.DISTRICT for w in ("huyen", "cap huyen", "quan huyen", "thanh pho", "thi xa", "quan", "district")},
    **{w: Level.COMMUNE for w in ("xa", "cap xa", "xa phuong thi tran", "phuong", "thi tran", "commune")},
}

#: The event words of an events sheet: the app's own Vietnamese labels, and the English codes.
EVENT_WORDS: dict[EventType, str] = {
    EventType.BUILD_STARTED: "bắt đầu xây dựng",
    EventType.APPLIED: "áp dụng",
    EventType.INTERNAL_AUDIT: "đánh giá nội bộ",
    EventType.MANAGEMENT_REVIEW: "xem xét của lãnh đạo",
    EventType.EFFECTIVENESS_CONFIRMED: "xác nhận hiệu lực",
    EventType.ANNOUNCED: "công bố",
    EventType.RE_ANNOUNCED: "công bố lại",
    EventType.STANDARD_CHANGED: "chuyển đổi tiêu chuẩn",
    EventType.WITHDRAWN: "hủy bỏ",
}
_EVENTS: dict[str, EventType] = {fold(w): e for e, w in EVENT_WORDS.items()} | {fold(e.value): e for e in EventType} | {
    "xay dung": EventType.BUILD_STARTED, "bat dau ap dung": EventType.APPLIED, "xem xet lanh dao": EventType.MANAGEMENT_REVIEW,
    "ngung ap dung": EventType.WITHDRAWN, "huy bo ngung ap dung": EventType.WITHDRAWN, "cong bo lan dau": EventType.ANNOUNCED,
}

Why = tuple[str, str] | None


def parse_status(text: str) -> tuple[Stage | None, Why]:
    stage = _STATUS.get(fold(text))
    if stage is None:
        accepted = ", ".join(STATUS_WORDS.values())
        return None, (f"'{text}' is not a status; accepted: {accepted}", f"'{text}' không phải tình trạng hợp lệ; chấp nhận: {accepted}")
    return stage, None


def parse_level(text: str) -> tuple[Level | None, Why]:
    level = _LEVELS.get(fold(text))
    if level is None:
        accepted = ", ".join(LEVEL_WORDS.values())
        return None, (f"'{text}' is not a level; accepted: {accepted}", f"'{text}' không phải cấp hợp lệ; chấp nhận: {accepted}")
    return level, None


def parse_standard(value) -> tuple[Standard | None, Why]:
    """'2015', 2015, 'TCVN ISO 9001:2015', 'ISO 9001:2008' ... (exactly one of the two years)."""
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    years = set(re.findall(r"(?<!\d)(2008|2015)(?!\d)", text))
    if len(years) != 1:
        return None, (f"'{text}' is not a standard version; accepted: 2008, 2015 (TCVN ISO 9001:2008 or 2015)",
                      f"'{text}' không phải phiên bản tiêu chuẩn; chấp nhận: 2008, 2015 (TCVN ISO 9001:2008 hoặc 2015)")
    return Standard(years.pop()), None


def parse_event_type(text: str) -> tuple[EventType | None, Why]:
    event = _EVENTS.get(fold(text))
    if event is None:
        accepted = ", ".join(EVENT_WORDS.values())
        return None, (f"'{text}' is not an event type; accepted: {accepted}", f"'{text}' không phải loại sự kiện hợp lệ; chấp nhận: {accepted}")
    return event, None


def level_word(level: Level) -> str:
    return LEVEL_WORDS.get(level, level.value)
