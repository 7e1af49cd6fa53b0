"""An audit taken offline: the checklist workbook qms writes, and what it means when it comes back.

Pure (values in, bytes or a plan out; no database, no UI).

**The workbook** (:func:`pack`): sheet :data:`SHEET` has one row per item (ref, section, clause,
question, guidance), the result as a drop-down of the five grades in Vietnamese (the labels of
the audit page), note and evidence columns, the answers saved at download filled in.  The sheet
is protected (no password: it guards against slips, not people) with only the result, note and
evidence cells unlocked.  The hidden sheet :data:`IDENTITY` holds the audit id, the template's
SHA-256, the audit's row version, and per item its ref, the version of its answer and a digest
of the answer at download; its last row is an HMAC-SHA-256 of all of it, keyed by a secret of the
database (:mod:`qms.audits.offline_store`), so an identity edited by hand is told apart.  Every
cell goes through :mod:`qms.kernel.spreadsheet_writing`; identity values are text (a spreadsheet program
saving the file keeps text as it is).

**Coming back** (:func:`read_pack` then :func:`plan`): the file is read through
:mod:`qms.kernel.workbook_reader` (its limits); refused in one sentence naming the sheet and row: a
workbook of another audit, of another template version, a tampered identity, an item row that
is not the audit's, a result outside the five grades.  Each item is then *unchanged* (the
workbook holds what qms holds), *changed* (the workbook's answer differs and nobody changed the
item in qms since the download) or a *conflict* (both changed it since the download, differently):
a conflict is never written unless the person chooses the workbook's answer.  An item the
workbook left as downloaded while qms moved on keeps qms's answer (*unchanged*).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from qms.audits.checklists import ChecklistTemplate
from qms.audits.rules import AnswerInput, Result, StoredAnswer
from qms.kernel.errors import ValidationError
from qms.kernel.workbook_reader import RawWorkbook, read_workbook

SHEET = "Phiếu đánh giá"
IDENTITY = "qms_identity"
FORMAT = "qms-audit-workbook/1"
#: Columns of :data:`SHEET` (1-based): ref, section, clause, question, guidance, result, note, evidence.
HEADERS = ("Mã mục / Item", "Phần / Section", "Điều khoản / Clause", "Câu hỏi / Question",
           "Hướng dẫn / Guidance", "Kết quả / Result", "Ghi chú / Note", "Bằng chứng / Evidence")
COL_REF, COL_RESULT, COL_NOTE, COL_EVIDENCE = 1, 6, 7, 8
FIRST_ROW = 2


@dataclass(frozen=True)
class PackItem:
    ref: str
    section: str
    clause: str
    question: str
    guidance: str


@dataclass(frozen=True)
class PackInput:
    """What the workbook is made of (built by the store from the audit as it stands)."""

    audit_id: int
    title: str
    template_hash: str
    row_version: int
    items: Sequence[PackItem]
    answers: Mapping[str, StoredAnswer]
    #: Result -> its Vietnamese label (the drop-down's choices).
    grades: Mapping[Result, str]


def answer_digest(result: Result | str | None, note: str | None, evidence: str | None) -> str:
    """A short digest of an answer's value (what two answers are compared on)."""
    value = [result.value if isinstance(result, Result) else result, note or None, evidence or None]
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()[:16]


def _signature(secret: str, rows: Sequence[Sequence[str]]) -> str:
    body = json.dumps([list(r) for r in rows], ensure_ascii=False, separators=(",", ":"))
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def identity_rows(data: PackInput) -> list[list[str]]:
    rows = [["format", FORMAT, ""], ["audit_id", str(data.audit_id), ""], ["template_sha256", data.template_hash, ""],
            ["row_version", str(data.row_version), ""]]
    for item in data.items:
        a = data.answers.get(item.ref)
        version = a.saved_version if a else 0
        digest = answer_digest(a.result, a.note, a.evidence) if a else answer_digest(None, None, None)
        rows.append(["item", item.ref, f"{version}:{digest}"])
    return rows


def pack(data: PackInput, secret: str) -> bytes:
    """The workbook's bytes (see the module docstring)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    from qms.kernel.spreadsheet_writing import put

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = SHEET
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for c, h in enumerate(HEADERS, start=1):
        put(ws.cell(row=1, column=c), h).font = bold
    for c, width in zip("ABCDEFGH", (8, 24, 10, 60, 45, 22, 40, 40)):
        ws.column_dimensions[c].width = width
    ws.freeze_panes = "B2"
    choices = [data.grades[r] for r in Result]
    # the list written inline ("a,b,c"): both Excel and LibreOffice keep it; no label holds a comma
    grades = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="Kết quả / Result",
                            error="Chọn một trong năm mức / pick one of the five grades")
    ws.add_data_validation(grades)
    open_cell = Protection(locked=False)
    for row, item in enumerate(data.items, start=FIRST_ROW):
        a = data.answers.get(item.ref)
        values = (item.ref, item.section, item.clause, item.question, item.guidance,
                  data.grades[a.result] if a and a.result else None, a.note if a else None, a.evidence if a else None)
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=row, column=c)
            put(cell, v if v is not None else None)
            cell.alignment = wrap
            if c in (COL_RESULT, COL_NOTE, COL_EVIDENCE):
                cell.protection = open_cell
        grades.add(ws.cell(row=row, column=COL_RESULT))
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths may change; structure may not
    ws.protection.formatRows = False
    title = ws.oddHeader.center
    title.text = data.title[:200].replace("&", "&&")
    ident = book.create_sheet(IDENTITY)
    rows = identity_rows(data)
    rows.append(["hmac_sha256", _signature(secret, rows), ""])
    for r, values in enumerate(rows, start=1):
        for c, v in enumerate(values, start=1):
            put(ident.cell(row=r, column=c), v)
    ident.sheet_state = "hidden"
    ident.protection.sheet = True
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# -- coming back -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackedRow:
    """One item row of a returned workbook: where it is, and the answer it holds."""

    row: int
    ref: str
    answer: AnswerInput


@dataclass(frozen=True)
class ReturnedWorkbook:
    audit_id: int
    template_hash: str
    row_version: int
    #: item ref -> (answer version at download, digest of the answer at download)
    downloaded: dict[str, tuple[int, str]]
    rows: list[PackedRow]


def _refuse(en: str, vi: str) -> ValidationError:
    return ValidationError(en + " Nothing was saved.", vi=vi + " Chưa lưu gì.")


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def read_pack(data: bytes, filename: str, *, audit_id: int, template_hash: str, secret: str,
              grades: Mapping[Result, str], english: Mapping[Result, str] | None = None) -> ReturnedWorkbook:
    """The returned workbook's identity and answers, or one sentence naming the sheet and row."""
    book: RawWorkbook = read_workbook(data, filename, hidden_too=(IDENTITY,))
    by_name = {s.name: s for s in book.sheets}
    ident = by_name.get(IDENTITY)
    main = by_name.get(SHEET)
    if ident is None or main is None:
        raise _refuse(f"{filename} is not a qms audit workbook (no sheet '{SHEET}' with its identity sheet '{IDENTITY}').",
                      f"{filename} không phải phiếu đánh giá do qms xuất (thiếu trang '{SHEET}' hoặc trang định danh '{IDENTITY}').")
    rows = [(n, [_text(v) for v in (values + [None] * 3)[:3]]) for n, values in ident.rows]
    where, where_vi = f"{filename}: sheet '{IDENTITY}'", f"{filename}: trang '{IDENTITY}'"
    if not rows or rows[-1][1][0] != "hmac_sha256":
        raise _refuse(f"{where} has lost its signature row; the identity was edited.",
                      f"{where_vi} mất dòng chữ ký; phần định danh đã bị sửa.")
    body = [r for _, r in rows[:-1]]
    if not hmac.compare_digest(_signature(secret, body), rows[-1][1][1]):
        raise _refuse(f"{where}, row {rows[-1][0]}: the signature does not match the identity (edited by hand, or made by "
                      "another qms database).",
                      f"{where_vi}, dòng {rows[-1][0]}: chữ ký không khớp phần định danh (đã bị sửa tay, hoặc do cơ sở dữ liệu "
                      "qms khác tạo).")
    head = {r[0]: (n, r[1]) for n, r in rows[:4]}
    if head.get("format", (0, ""))[1] != FORMAT:
        raise _refuse(f"{where}, row 1: unknown workbook format.", f"{where_vi}, dòng 1: định dạng phiếu không xác định.")
    n, found = head["audit_id"]
    if found != str(audit_id):
        raise _refuse(f"{where}, row {n}: this workbook is of audit #{found}, not of audit #{audit_id}.",
                      f"{where_vi}, dòng {n}: phiếu này thuộc cuộc đánh giá #{found}, không phải #{audit_id}.")
    n, found = head["template_sha256"]
    if found != template_hash:
        raise _refuse(f"{where}, row {n}: this workbook was made from another version of the checklist "
                      f"({found[:12]}, the audit pins {template_hash[:12]}).",
                      f"{where_vi}, dòng {n}: phiếu này lập theo phiên bản danh mục khác ({found[:12]}, cuộc đánh giá dùng "
                      f"{template_hash[:12]}).")
    downloaded: dict[str, tuple[int, str]] = {}
    for _, (kind, ref, state) in rows[4:-1]:
        version, _, digest = state.partition(":")
        downloaded[ref] = (int(version), digest)
    labels: dict[str, Result] = {}
    for r in Result:
        labels[grades[r].casefold()] = r
        if english:
            labels[english[r].casefold()] = r
        labels[r.value] = r
    out: list[PackedRow] = []
    seen: set[str] = set()
    sheet, sheet_vi = f"{filename}: sheet '{SHEET}'", f"{filename}: trang '{SHEET}'"
    for n, values in main.rows:
        if n < FIRST_ROW:
            continue
        values = list(values) + [None] * (COL_EVIDENCE - len(values))
        ref = _text(values[COL_REF - 1]).strip()
        if not ref and not any(values[COL_RESULT - 1:COL_EVIDENCE]):
            continue
        if ref not in downloaded or ref in seen:
            raise _refuse(f"{sheet}, row {n}: item '{ref}' is not one of this audit's items (or is there twice); rows may "
                          "not be added or changed.",
                          f"{sheet_vi}, dòng {n}: mục '{ref}' không thuộc cuộc đánh giá này (hoặc lặp lại); không được thêm hay "
                          "sửa dòng.")
        seen.add(ref)
        raw = _text(values[COL_RESULT - 1]).strip()
        result = None
        if raw:
            result = labels.get(raw.casefold())
            if result is None:
                five = ", ".join(grades[r] for r in Result)
                raise _refuse(f"{sheet}, row {n}: result '{raw}' is not one of the five grades ({five}).",
                              f"{sheet_vi}, dòng {n}: kết quả '{raw}' không thuộc năm mức ({five}).")
        note, evidence = (_text(values[c - 1]).strip() or None for c in (COL_NOTE, COL_EVIDENCE))
        try:
            answer = AnswerInput(item_ref=ref, result=result, note=note, evidence=evidence)
        except ValueError:
            raise _refuse(f"{sheet}, row {n}: the note or evidence is longer than 2,000 characters.",
                          f"{sheet_vi}, dòng {n}: ghi chú hoặc bằng chứng dài hơn 2.000 ký tự.") from None
        out.append(PackedRow(n, ref, answer))
    return ReturnedWorkbook(audit_id, template_hash, int(head["row_version"][1]), downloaded, out)


class Change(StrEnum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class PlannedItem:
    ref: str
    row: int
    change: Change
    workbook: AnswerInput
    #: What qms holds now (None: never answered).
    current: StoredAnswer | None


def plan(returned: ReturnedWorkbook, stored: Mapping[str, StoredAnswer]) -> list[PlannedItem]:
    """Per item of the workbook: unchanged, changed or conflict (see the module docstring)."""
    out = []
    for row in returned.rows:
        now = stored.get(row.ref)
        now_value = now.value if now else (None, None, None)
        if row.answer.value == now_value:
            change = Change.UNCHANGED
        else:
            version, digest = returned.downloaded[row.ref]
            moved = (now.saved_version if now else 0) != version
            edited = answer_digest(*row.answer.value) != digest
            if not edited:
                change = Change.UNCHANGED  # the inspector left it; qms's newer answer stays
            else:
                change = Change.CONFLICT if moved else Change.CHANGED
        out.append(PlannedItem(row.ref, row.row, change, row.answer, now))
    return out


def to_save(planned: Sequence[PlannedItem], take_workbook: set[str]) -> list[AnswerInput]:
    """The answers to write: every changed item, and the conflicts whose workbook answer was chosen."""
    return [p.workbook for p in planned
            if p.change is Change.CHANGED or (p.change is Change.CONFLICT and p.ref in take_workbook)]
