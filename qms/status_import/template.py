"""The blank status template a province officer downloads, fills in a spreadsheet program and
imports back.

Pure: the province's units in, the bytes of an .xlsx out.  Sheet 1 ``Tình trạng ISO`` has one row
per unit with code, name, level and parent already filled (codes as text, so a leading zero
survives), the status columns empty, drop-down lists for the status, level and standard, and
date cells formatted as *text*: a date typed 03/04/2017 stays that text and is read as 3 April,
whatever the spreadsheet program's locale (an en-US Excel would otherwise store 4 March); sheet 2 ``Hướng dẫn`` explains every column and how the import
treats it.  Importing the template untouched changes nothing (every row has an empty status).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from qms.status_import.vocab import EVENT_WORDS, HEADERS, LEVEL_WORDS, STATUS_WORDS
from qms.units.model import Level

SHEET_STATUS = "Tình trạng ISO"
SHEET_GUIDE = "Hướng dẫn"
COLUMNS = ("code", "name", "level", "parent", "status", "standard", "decision_no", "announced_on",
           "re_decision_no", "re_announced_on", "audit_on", "review_on", "note")
DATE_COLUMNS = ("announced_on", "re_announced_on", "audit_on", "review_on")
_WIDTH = {"code": 11, "name": 38, "level": 9, "parent": 24, "status": 17, "standard": 11, "decision_no": 20,
          "announced_on": 14, "re_decision_no": 20, "re_announced_on": 14, "audit_on": 16, "review_on": 16, "note": 40}

#: (column, required?, what it means, how to fill it): the guide sheet, one row per column.
GUIDE: tuple[tuple[str, str, str, str], ...] = (
    ("code", "Có (hoặc Tên đơn vị)", "Mã GSO của huyện (3 chữ số) và xã (5 chữ số); mã riêng của dự án cho sở, ngành (ví dụ S12-01).",
     "Giữ nguyên mã đã điền sẵn. Ô định dạng văn bản để không mất số 0 ở đầu."),
    ("name", "Không", "Tên đơn vị, để đối chiếu.",
     "Dòng không có mã được đối chiếu theo tên chỉ khi tên khớp đúng một đơn vị (không phân biệt chữ hoa, "
     "bỏ qua chữ Xã/Phường/Thị trấn); nếu không, dòng bị báo lỗi kèm các đơn vị gần giống. Không đoán."),
    ("level", "Không", "Cấp của đơn vị.", f"Một trong: {', '.join(LEVEL_WORDS.values())}. Dùng để kiểm tra đơn vị đúng cấp."),
    ("parent", "Không", "Huyện của xã (chỉ để tham khảo).", "Giúp phân biệt các xã trùng tên khi không có mã."),
    ("status", "Có", "Tình trạng HTQLCL hiện nay.",
     f"Một trong: {', '.join(STATUS_WORDS.values())}. Để trống nếu chưa có thông tin: dòng được bỏ qua."),
    ("standard", "Có khi đã công bố", "Phiên bản TCVN ISO 9001 đang áp dụng (của lần công bố gần nhất).", "2008 hoặc 2015."),
    ("decision_no", "Có khi đã công bố", "Số quyết định công bố HTQLCL.",
     "Ví dụ 125/QĐ-UBND. Có thể ghi hai số cách nhau bởi dấu ';' (số công bố; số công bố lại)."),
    ("announced_on", "Không", "Ngày ký quyết định công bố.",
     "dd/mm/yyyy hoặc ô kiểu ngày. Để trống: ghi nhận theo ngày nhập và đánh dấu là ngày ước tính."),
    ("re_decision_no", "Có khi có ngày công bố lại", "Số quyết định công bố lại gần nhất.", "Ví dụ 40/QĐ-UBND."),
    ("re_announced_on", "Không", "Ngày công bố lại gần nhất (khi điều chỉnh phạm vi hoặc chuyển tiêu chuẩn).",
     "dd/mm/yyyy, sau ngày công bố."),
    ("audit_on", "Không", "Ngày đánh giá nội bộ gần nhất.", "dd/mm/yyyy; không trước lần đánh giá nội bộ đã ghi nhận trong phần mềm."),
    ("review_on", "Không", "Ngày xem xét của lãnh đạo gần nhất.", "dd/mm/yyyy; không trước lần xem xét đã ghi nhận trong phần mềm."),
    ("note", "Không", "Ghi chú.", "Được lưu vào ghi chú của sự kiện mà dòng ghi nhận."),
)

RULES: tuple[str, ...] = (
    "Cách nhập: trang Nhập tình trạng ISO (hoặc lệnh `qms import-status TỆP`). Trước khi ghi, phần mềm hiển thị kết quả "
    "từng dòng (mới, thay đổi, không đổi, lỗi) và tỷ lệ công bố theo cấp sau khi nhập; chỉ ghi khi bấm Xác nhận.",
    "Cả tệp được ghi, hoặc không gì được ghi: một dòng lỗi thì phải sửa tệp rồi nhập lại.",
    "Nhập lại cùng một tệp không thay đổi gì. Dòng mâu thuẫn với dữ liệu đã ghi (ví dụ ghi 'đang xây dựng' cho đơn vị đã công bố) "
    "bị báo lỗi, không ghi đè.",
    "Mỗi dòng được chuyển thành các sự kiện: bắt đầu xây dựng, áp dụng, đánh giá nội bộ, xem xét của lãnh đạo, xác nhận hiệu lực, "
    "công bố. Ngày không biết được ước tính bằng ngày công bố (hoặc ngày sớm nhất dòng cho biết) và được đánh dấu là ước tính.",
    "Ngày: gõ dd/mm/yyyy (ví dụ 15/03/2017). Các cột ngày của tệp mẫu có định dạng văn bản để phần mềm bảng tính không tự "
    "đảo ngày và tháng; ô kiểu ngày thật (dán từ bảng tính khác) cũng được chấp nhận.",
    "Ngày trong tương lai và ngày trước 01/01/2006 bị từ chối. Cột lạ được bỏ qua và được liệt kê khi nhập.",
    "Tỉnh có lưu lịch sử có thể thêm một trang sự kiện với các cột: Mã đơn vị (hoặc Tên đơn vị), Loại sự kiện, Ngày, "
    f"Số quyết định, Tiêu chuẩn, Ghi chú. Loại sự kiện: {', '.join(EVENT_WORDS.values())}.",
)


@dataclass(frozen=True)
class TemplateUnit:
    code: str
    name: str
    level: Level
    parent_name: str | None


def build_template(units: Sequence[TemplateUnit]) -> bytes:
    """The .xlsx bytes: one row per unit, in the order given."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from qms.kernel.spreadsheet_writing import put

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_STATUS
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for c, name in enumerate(COLUMNS, start=1):
        cell = put(ws.cell(row=1, column=c), HEADERS[name])
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = _WIDTH[name]
    col = {name: i for i, name in enumerate(COLUMNS, start=1)}
    last = max(len(units) + 1, 2)
    for r, unit in enumerate(units, start=2):  # names and codes came from people and files: text, never formulas
        put(ws.cell(row=r, column=col["code"]), unit.code).number_format = "@"
        put(ws.cell(row=r, column=col["name"]), unit.name)
        put(ws.cell(row=r, column=col["level"]), LEVEL_WORDS.get(unit.level, unit.level.value))
        put(ws.cell(row=r, column=col["parent"]), unit.parent_name)
        for name in (*DATE_COLUMNS, "decision_no", "re_decision_no"):
            ws.cell(row=r, column=col[name]).number_format = "@"
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    for name, words in (("status", STATUS_WORDS.values()), ("level", LEVEL_WORDS.values()), ("standard", ("2008", "2015"))):
        letter = get_column_letter(col[name])
        dv = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True, showErrorMessage=True,
                            errorTitle=HEADERS[name], error=f"Chọn một trong: {', '.join(words)}")
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)

    guide = wb.create_sheet(SHEET_GUIDE)
    for c, (title, width) in enumerate((("Cột", 32), ("Bắt buộc", 22), ("Ý nghĩa", 60), ("Cách ghi", 80)), start=1):
        cell = put(guide.cell(row=1, column=c), title)
        cell.font, cell.fill = bold, fill
        guide.column_dimensions[get_column_letter(c)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, (name, required, meaning, how) in enumerate(GUIDE, start=2):
        for c, value in enumerate((HEADERS[name], required, meaning, how), start=1):
            put(guide.cell(row=r, column=c), value).alignment = wrap
    start = len(GUIDE) + 3
    put(guide.cell(row=start, column=1), "Quy tắc khi nhập").font = bold
    for i, rule in enumerate(RULES, start=start + 1):
        guide.merge_cells(start_row=i, start_column=1, end_row=i, end_column=4)
        cell = put(guide.cell(row=i, column=1), rule)
        cell.alignment = wrap
        guide.row_dimensions[i].height = 32
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
