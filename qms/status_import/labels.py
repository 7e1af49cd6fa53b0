"""Labels of the status import page ("Nhập tình trạng ISO"): (Vietnamese, English)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "status_import.page": ("Nhập tình trạng ISO", "Import ISO status"),
    "status_import.intro": (
        "Nhập bảng tính tình trạng HTQLCL của tỉnh (một dòng một đơn vị). Phần mềm hiển thị kết quả từng dòng và tỷ lệ "
        "công bố sau khi nhập; chỉ ghi khi bấm Xác nhận, và ghi cả tệp hoặc không ghi gì.",
        "Import the province's QMS status spreadsheet (one row per unit). The app shows every row's outcome and the "
        "coverage after the import; it writes only on Confirm, the whole file or nothing.",
    ),
    "status_import.no_units": (
        "Chưa có đơn vị nào. Hãy nhập danh sách đơn vị của tỉnh (trang Nhập dữ liệu) trước.",
        "No units yet. Import the province's unit list first (Import page).",
    ),
    "status_import.admin_only": (
        "Chỉ quản trị viên (Sở KH&CN) được nhập tình trạng ISO của cả tỉnh; tài khoản của bạn chỉ tải được tệp mẫu.",
        "Only the administrator (Department of Science and Technology) imports the province's ISO status; "
        "your account can download the template only.",
    ),
    "status_import.template": ("1. Tải tệp mẫu", "1. Download the template"),
    "status_import.template_help": (
        "Tệp .xlsx có sẵn mọi đơn vị của tỉnh, một dòng một đơn vị; trang thứ hai giải thích từng cột.",
        "An .xlsx with every unit of the province, one row each; its second sheet explains every column.",
    ),
    "status_import.template_button": ("Tải tệp mẫu (.xlsx)", "Download the template (.xlsx)"),
    "status_import.upload": ("2. Chọn tệp đã điền (.xlsx hoặc .csv)", "2. Choose the filled-in file (.xlsx or .csv)"),
    "status_import.preview": ("3. Xem trước", "3. Preview"),
    "status_import.coverage": ("Tỷ lệ công bố theo cấp (hôm nay)", "Announced rate per level (today)"),
    "status_import.col_now": ("Hiện nay", "Now"),
    "status_import.col_after": ("Sau khi nhập", "After the import"),
    "status_import.col_rate_now": ("Tỷ lệ hiện nay (%)", "Rate now (%)"),
    "status_import.col_rate_after": ("Tỷ lệ sau khi nhập (%)", "Rate after (%)"),
    "status_import.rows": ("Kết quả từng dòng", "Every row's outcome"),
    "status_import.col_sheet": ("Trang", "Sheet"),
    "status_import.col_row": ("Dòng", "Row"),
    "status_import.col_column": ("Cột", "Column"),
    "status_import.col_outcome": ("Kết quả", "Outcome"),
    "status_import.col_events": ("Sự kiện sẽ ghi", "Events to record"),
    "status_import.col_detail": ("Chi tiết", "Detail"),
    "status_import.col_error": ("Lỗi", "Error"),
    "status_import.outcome.new": ("Mới", "New"),
    "status_import.outcome.changed": ("Thay đổi", "Changed"),
    "status_import.outcome.unchanged": ("Không đổi", "Unchanged"),
    "status_import.outcome.error": ("Lỗi", "Error"),
    "status_import.estimated": ("ước tính", "estimated"),
    "status_import.errors": (
        "{n} lỗi: hãy sửa tệp rồi chọn lại. Không có gì được ghi.",
        "{n} errors: correct the file and choose it again. Nothing was written.",
    ),
    "status_import.ignored_columns": ("Trang '{sheet}': các cột không dùng đến: {cols}", "Sheet '{sheet}': columns not used: {cols}"),
    "status_import.ignored_sheets": ("Các trang không đọc: {sheets}", "Sheets not read: {sheets}"),
    "status_import.nothing_new": (
        "Tệp không có gì mới so với dữ liệu đã ghi: không cần ghi.",
        "The file holds nothing new compared with the record: nothing to write.",
    ),
    "status_import.confirm": ("Xác nhận và ghi {n} sự kiện", "Confirm and write {n} events"),
    "status_import.done": (
        "Đã ghi {events} sự kiện ({new} đơn vị mới, {changed} đơn vị thay đổi). Xem tỷ lệ công bố ở trang Tổng quan.",
        "Wrote {events} events ({new} new units, {changed} changed). See the coverage on the Overview page.",
    ),
}
