"""The inspection minutes (biên bản kiểm tra, Circular 26 form Mẫu 21 BBKT) as facts and as .docx.

Layout: the national motto block (Quốc hiệu, Tiêu ngữ), the title, the inspected unit, the date,
the plan and its decision, the team, the scope, the results per checklist section, the findings
with their grades, the requests with the corrective report's due date, and the signature blocks
of the team leader and the unit's head.  The exact wording and field order of Mẫu 21 were not
available to the project: this follows the facts Circular 26 Art. 35-37 requires, in the usual
order of Vietnamese administrative minutes (see README, "Inspection year").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from qms.kernel.text_rules import printable

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
TITLE = "BIÊN BẢN KIỂM TRA"
GRADE_VI = {"major": "Không phù hợp nặng", "minor": "Không phù hợp nhẹ", "observation": "Điểm lưu ý"}
MODE_VI = {"records": "Kiểm tra qua hồ sơ, báo cáo", "on_site": "Kiểm tra tại cơ quan"}


@dataclass(frozen=True)
class SectionResult:
    ref: str
    title: str
    assessed: int
    conform: int
    nonconform: int

    @property
    def pct(self) -> float | None:
        return round(100 * self.conform / self.assessed, 1) if self.assessed else None


@dataclass(frozen=True)
class MinutesFinding:
    item_ref: str
    clause: str | None
    grade: str
    note: str


@dataclass(frozen=True)
class MinutesRequest:
    number: int
    text: str
    due_on: dt.date
    reported_on: dt.date | None = None


@dataclass(frozen=True)
class MinutesFacts:
    year: int
    unit_code: str
    unit_name: str
    signed_on: dt.date
    inspected_on: dt.date
    mode: str
    team: tuple[str, ...]              # display names, the leader first
    scope: str
    sections: tuple[SectionResult, ...]
    findings: tuple[MinutesFinding, ...]
    requests: tuple[MinutesRequest, ...]
    plan_decision: str | None = None
    conclusion: str | None = None
    inspecting_body: str = "Sở Khoa học và Công nghệ"


def _centered(doc, text: str, *, bold: bool = False, size: int = 13) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text


def _printable(value):
    """``value`` with every text in it made printable (:func:`qms.kernel.text_rules.printable`): text
    stored before today's text rules may hold a control character, which python-docx refuses."""
    if isinstance(value, str):
        return printable(value)
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value, **{f.name: _printable(getattr(value, f.name)) for f in dataclasses.fields(value)})
    if isinstance(value, (list, tuple)):
        return type(value)(_printable(v) for v in value)
    return value


def minutes_docx(f: MinutesFacts) -> bytes:
    """The minutes as a .docx file's bytes (Vietnamese; dates dd/mm/yyyy)."""
    f = _printable(f)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    _centered(doc, MOTTO[0], bold=True)
    _centered(doc, MOTTO[1], bold=True)
    _centered(doc, TITLE, bold=True, size=14)
    _centered(doc, f"Kiểm tra việc áp dụng, duy trì và cải tiến HTQLCL theo TCVN ISO 9001 năm {f.year}")
    doc.add_paragraph(f"Hôm nay, ngày {f.signed_on:%d/%m/%Y}, tại {f.unit_name}, đoàn kiểm tra của {f.inspecting_body} "
                      f"đã tiến hành kiểm tra theo kế hoạch năm {f.year}"
                      + (f" (Quyết định số {f.plan_decision})" if f.plan_decision else "") + ".")
    doc.add_heading("I. Đơn vị được kiểm tra", level=2)
    doc.add_paragraph(f"{f.unit_name} (mã {f.unit_code})")
    doc.add_paragraph(f"Hình thức: {MODE_VI.get(f.mode, f.mode)}; ngày kiểm tra: {f.inspected_on:%d/%m/%Y}.")
    doc.add_heading("II. Thành phần đoàn kiểm tra", level=2)
    for i, name in enumerate(f.team):
        doc.add_paragraph(f"{i + 1}. {name}" + (" - Trưởng đoàn" if i == 0 else " - Thành viên"))
    doc.add_heading("III. Phạm vi kiểm tra", level=2)
    doc.add_paragraph(f.scope)
    doc.add_heading("IV. Kết quả kiểm tra theo từng phần", level=2)
    _table(doc, ["Phần", "Nội dung", "Số mục đã đánh giá", "Phù hợp", "Không phù hợp", "Tỷ lệ phù hợp (%)"],
           [[s.ref, s.title, str(s.assessed), str(s.conform), str(s.nonconform), "" if s.pct is None else f"{s.pct:.1f}"]
            for s in f.sections])
    doc.add_heading("V. Các phát hiện", level=2)
    if f.findings:
        _table(doc, ["STT", "Mục", "Điều khoản", "Mức độ", "Nội dung"],
               [[str(i + 1), x.item_ref, x.clause or "", GRADE_VI.get(x.grade, x.grade), x.note]
                for i, x in enumerate(f.findings)])
    else:
        doc.add_paragraph("Không có phát hiện.")
    doc.add_heading("VI. Kiến nghị, yêu cầu khắc phục", level=2)
    if f.requests:
        _table(doc, ["STT", "Vấn đề tồn tại cần khắc phục", "Hạn báo cáo khắc phục"],
               [[str(r.number), r.text, f"{r.due_on:%d/%m/%Y}"] for r in f.requests])
        doc.add_paragraph("Đơn vị báo cáo kết quả khắc phục về đoàn kiểm tra trong thời hạn 02 tháng kể từ ngày ký "
                          "biên bản (Điều 37 Thông tư 26/2014/TT-BKHCN).")
    else:
        doc.add_paragraph("Không có yêu cầu khắc phục.")
    if f.conclusion:
        doc.add_heading("VII. Kết luận", level=2)
        doc.add_paragraph(f.conclusion)
    doc.add_paragraph("Biên bản được lập thành 02 bản, mỗi bên giữ 01 bản.")
    sign = doc.add_table(rows=3, cols=2)
    sign.rows[0].cells[0].text = "ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA"
    sign.rows[0].cells[1].text = "TRƯỞNG ĐOÀN KIỂM TRA"
    sign.rows[1].cells[0].text = "(Ký, ghi rõ họ tên, đóng dấu)"
    sign.rows[1].cells[1].text = "(Ký, ghi rõ họ tên)"
    sign.rows[2].cells[1].text = f.team[0] if f.team else ""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a .docx, one per line (tests and the CLI read minutes back)."""
    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append(" | ".join(c.text for c in row.cells))
    return "\n".join(lines)
