"""TTHC catalogues and ISO process lists from spreadsheets, and back.

Pure: a :class:`qms.kernel.spreadsheets.Table` in, checked records out, or one
:class:`qms.kernel.errors.ImportRowError` naming every bad row with its sheet, line and reason (the
import is all-or-nothing).  Whether units and TTHC codes exist is the store's question
(:mod:`qms.scope.store`), asked in the transaction that writes.

Columns an officer would recognise (Vietnamese or English headers, any case, with or without
diacritics):

- catalogue: ``Mã đơn vị`` (or the unit chosen for the whole file), ``Mã TTHC``, ``Tên TTHC``,
  ``Lĩnh vực`` (else the section heading above the rows, "I. LĨNH VỰC HỘ TỊCH"), ``Cấp thực
  hiện``, ``Hiệu lực từ``, ``Hết hiệu lực từ``;
- processes: ``Mã đơn vị``, ``Mã quy trình``, ``Tên quy trình``, ``Mã TTHC`` (one or several,
  separated by ``;``, or one per row with the process repeated or merged over the rows),
  ``Lần ban hành``, ``Ngày ban hành``, ``Trạng thái`` (dự thảo / đã ban hành / đã thu hồi),
  ``Ngày thu hồi``, ``Ngày dự thảo``, ``Căn cứ pháp lý``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError as PydanticError

from qms.kernel.clock import province_today
from qms.kernel.errors import ImportRowError, QmsError, Reason, ValueReason
from qms.kernel.spreadsheets import Column, SheetRow, Table, cell_text, fold, import_date, read_table
from qms.scope.model import (
    CODE_PATTERN,
    CatalogueEntry,
    ChangeEffect,
    LegalChangeInput,
    LegalChangeItem,
    ProcessStatus,
    ProcessVersionInput,
)

_UNIT = ("đơn vị", "mã cơ quan", "cơ quan", "cơ quan thực hiện", "cơ quan giải quyết", "đơn vị thực hiện",
         "unit", "unit code", "mã đơn vị thực hiện")

CATALOGUE_COLUMNS: tuple[Column, ...] = (
    Column("unit_code", "Mã đơn vị", _UNIT),
    Column("code", "Mã TTHC", ("mã thủ tục", "mã thủ tục hành chính", "mã số TTHC", "mã số", "mã", "code",
                               "tthc code", "mã TTHC trên CSDL quốc gia"), required=True),
    Column("name", "Tên TTHC", ("tên thủ tục hành chính", "tên thủ tục", "thủ tục hành chính", "tên", "name",
                                "tthc name", "tthc"), required=True),
    Column("field", "Lĩnh vực", ("field", "lĩnh vực thực hiện")),
    Column("level", "Cấp thực hiện", ("cấp", "level", "cấp giải quyết", "cấp thẩm quyền")),
    Column("valid_from", "Hiệu lực từ", ("ngày hiệu lực", "từ ngày", "valid from", "ngày có hiệu lực",
                                         "thời gian hiệu lực từ ngày", "hiệu lực từ ngày", "ngày áp dụng")),
    Column("valid_to", "Hết hiệu lực từ", ("ngày hết hiệu lực", "đến ngày", "valid to", "thời gian hiệu lực đến ngày",
                                           "ngày bãi bỏ", "hết hiệu lực")),
)

PROCESS_COLUMNS: tuple[Column, ...] = (
    Column("unit_code", "Mã đơn vị", _UNIT),
    Column("code", "Mã quy trình", ("ký hiệu quy trình", "ký hiệu", "số hiệu quy trình", "mã hiệu", "mã hiệu quy trình",
                                    "process code"), required=True),
    Column("title", "Tên quy trình", ("quy trình", "tên quy trình nội bộ", "title", "process"), required=True),
    Column("tthc_codes", "Mã TTHC", ("các TTHC", "mã thủ tục", "mã thủ tục hành chính", "TTHC", "tthc codes",
                                     "mã TTHC áp dụng", "mã các TTHC")),
    Column("issue_no", "Lần ban hành", ("lần ban hành sửa đổi", "số lần ban hành", "issue no", "issue")),
    Column("issued_on", "Ngày ban hành", ("ngày ban hành quy trình", "issued on", "ngày hiệu lực")),
    Column("status", "Trạng thái", ("status", "tình trạng")),
    Column("withdrawn_on", "Ngày thu hồi", ("ngày hủy bỏ", "ngày bãi bỏ", "withdrawn on", "ngày hết hiệu lực")),
    Column("drafted_on", "Ngày dự thảo", ("drafted on",)),
    Column("legal_basis", "Căn cứ pháp lý", ("văn bản pháp lý", "căn cứ", "legal basis", "văn bản quy phạm pháp luật")),
)

#: Canonical TTHC levels and how they are written in files.
TTHC_LEVELS: dict[str, str] = {"province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã"}
_LEVEL_WORDS = {
    "province": {"province", "tinh", "cap tinh", "t"},
    "district": {"district", "huyen", "cap huyen", "h"},
    "commune": {"commune", "xa", "cap xa", "x"},
}
STATUS_WORDS: dict[ProcessStatus, set[str]] = {
    ProcessStatus.ISSUED: {"issued", "ban hanh", "da ban hanh", "dang ap dung", "hieu luc", "con hieu luc", "co hieu luc"},
    ProcessStatus.DRAFT: {"draft", "du thao", "dang du thao", "dang xay dung", "chua ban hanh"},
    ProcessStatus.WITHDRAWN: {"withdrawn", "thu hoi", "da thu hoi", "huy bo", "da huy bo", "bai bo", "da bai bo",
                              "het hieu luc", "ngung ap dung"},
}
#: How a status is written in an exported file.
STATUS_TEXT = {ProcessStatus.DRAFT: "Dự thảo", ProcessStatus.ISSUED: "Đã ban hành", ProcessStatus.WITHDRAWN: "Đã thu hồi"}

_CODE = re.compile(CODE_PATTERN)
_NATIONAL = re.compile(r"^\d[.,]\d{1,6}$")


def tthc_code(value: Any) -> str:
    """A TTHC code from a cell; ``ValueError`` when it is not one.

    A national code (``1.004946``) typed into Excel becomes the number 1.004946 and loses its
    trailing zeros (``1.00494`` for ``1.004940``); a Vietnamese locale writes it ``1,004946``.
    Both come back to the 6-decimal form.
    """
    if isinstance(value, float) and 0 < value < 10:
        return f"{value:.6f}"
    text = (cell_text(value) or "").replace(" ", "")
    if _NATIONAL.match(text):
        head, tail = re.split(r"[.,]", text)
        return f"{head}.{tail.ljust(6, '0')}"
    if not text:
        raise ValueReason("the TTHC code is empty", vi="mã TTHC để trống")
    if not _CODE.match(text) or len(text) > 64:
        raise ValueReason(f"'{text}' is not a TTHC code (letters, digits, dots and dashes, like 1.004946)",
                          vi=f"'{text}' không phải mã TTHC (chữ, số, dấu chấm và gạch ngang, ví dụ 1.004946)")
    return text


def tthc_codes(value: Any) -> tuple[str, ...]:
    """Several TTHC codes from one cell, separated by ``;``, ``,``, line breaks or spaces."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (tthc_code(value),)
    text = cell_text(value) or ""
    if _NATIONAL.match(text.strip()):
        return (tthc_code(text),)
    return tuple(tthc_code(p) for p in re.split(r"[;,|\s]+", text) if p)


def tthc_level(value: Any) -> str | None:
    """``province``/``district``/``commune`` for the usual ways of writing a level; any other text
    (a TTHC handled at several levels: "Cấp tỉnh, cấp huyện") is kept as written."""
    text = cell_text(value)
    if text is None:
        return None
    folded = fold(text)
    for key, words in _LEVEL_WORDS.items():
        if folded in words:
            return key
    return text


def process_status(value: Any, *, has_issue_date: bool) -> ProcessStatus:
    text = cell_text(value)
    if text is None:
        if has_issue_date:
            return ProcessStatus.ISSUED
        raise ValueReason("no status and no issue date: write Dự thảo, Đã ban hành or Đã thu hồi",
                          vi="không có trạng thái và ngày ban hành: ghi Dự thảo, Đã ban hành hoặc Đã thu hồi")
    folded = fold(text)
    for status, words in STATUS_WORDS.items():
        if folded in words:
            return status
    raise ValueReason(f"status '{text}' is not one of Dự thảo, Đã ban hành, Đã thu hồi (draft, issued, withdrawn)",
                      vi=f"trạng thái '{text}' không phải một trong Dự thảo, Đã ban hành, Đã thu hồi")


_SECTION_NUMBER = re.compile(r"^\s*(?:[IVXLC]+|[A-Z]|\d+(?:\.\d+)*)\s*[.):\-]\s*", re.IGNORECASE)
_FIELD_WORD = re.compile(r"^\s*(?:lĩnh\s+vực|LĨNH\s+VỰC)\s*:?\s*", re.IGNORECASE)


def field_from_section(section: str | None) -> str | None:
    """"I. LĨNH VỰC HỘ TỊCH" -> "Hộ tịch": the field a section heading names."""
    if not section:
        return None
    text = _FIELD_WORD.sub("", _SECTION_NUMBER.sub("", section)).strip()
    if text.isupper():
        text = text[:1] + text[1:].lower()
    return text or None


def _first_error(e: PydanticError) -> str:
    err = e.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def _date(row: SheetRow, name: str, header: str, today: dt.date) -> dt.date | None:
    try:
        return import_date(row.values.get(name), today=today)
    except ValueError as e:
        raise ValueReason(f"{header}: {e}", vi=f"{header}: {getattr(e, 'vi', None) or e}") from None


def _unit(row: SheetRow, default_unit: str | None) -> str:
    unit = cell_text(row.values.get("unit_code")) or default_unit
    if not unit:
        raise ValueReason("no unit: add a 'Mã đơn vị' column or choose the unit the whole file is for",
                          vi="thiếu đơn vị: thêm cột 'Mã đơn vị' hoặc chọn đơn vị cho cả tệp")
    return unit


def parse_catalogue(table: Table, *, default_unit: str | None = None,
                    today: dt.date | None = None) -> list[tuple[str, CatalogueEntry]]:
    """``(location, entry)`` for every data row; all bad rows reported together, then none returned.
    ``today`` (default: the computer's) bounds the dates accepted (:func:`qms.kernel.spreadsheets.import_date`)."""
    out, problems = catalogue_rows(table, default_unit=default_unit, today=today or province_today())
    _refuse_if(table.source, problems, out, "TTHC")
    return out


def catalogue_rows(table: Table, *, default_unit: str | None = None,
                   today: dt.date) -> tuple[list[tuple[str, CatalogueEntry]], list[tuple[str, str]]]:
    """The rows that read well and the ``(location, reason)`` of those that do not, so that the
    store can add the database's reasons (unknown units) and report every bad row at once."""
    out: list[tuple[str, CatalogueEntry]] = []
    problems: list[tuple[str, str]] = []
    for row in table.rows:
        try:
            out.append((row.where, CatalogueEntry(
                unit_code=_unit(row, default_unit),
                code=tthc_code(row.values.get("code")),
                name=cell_text(row.values.get("name")) or "",
                field=cell_text(row.values.get("field")) or field_from_section(row.section),
                level=tthc_level(row.values.get("level")),
                valid_from=_date(row, "valid_from", "Hiệu lực từ", today),
                valid_to=_date(row, "valid_to", "Hết hiệu lực từ", today),
            )))
        except PydanticError as e:
            problems.append((row.where, _first_error(e)))
        except ValueError as e:
            problems.append((row.where, Reason.of(e)))
    return out, problems


def parse_processes(table: Table, *, default_unit: str | None = None, today: dt.date) -> list[tuple[str, ProcessVersionInput]]:
    """One version per (unit, process, status, issue, date): rows repeating a process (one TTHC per
    row) are merged, and must agree on everything but the TTHC.  A draft without a date is dated
    ``today`` (the day it is imported).  All bad rows reported together, then none returned."""
    out, problems = process_rows(table, default_unit=default_unit, today=today)
    _refuse_if(table.source, problems, out, "process")
    return out


def process_rows(table: Table, *, default_unit: str | None = None,
                 today: dt.date) -> tuple[list[tuple[str, ProcessVersionInput]], list[tuple[str, str]]]:
    """Like :func:`parse_processes`, returning the good records and the problems apart."""
    merged: dict[tuple, tuple[str, dict]] = {}
    problems: list[tuple[str, str]] = []
    for row in table.rows:
        try:
            values = _process_values(row, default_unit, today)
        except ValueError as e:
            problems.append((row.where, Reason.of(e)))
            continue
        key = (values["unit_code"], values["code"], values["status"], values["issue_no"], values["status_on"])
        if key not in merged:
            merged[key] = (row.where, values)
            continue
        first_where, first = merged[key]
        differ = [f for f in ("title", "issued_on", "legal_basis") if first[f] != values[f] and values[f] is not None]
        if differ:
            problems.append((row.where, Reason(f"the same process version as {first_where} but with another {', '.join(differ)}",
                                               f"cùng phiên bản quy trình với {first_where} nhưng khác {', '.join(differ)}")))
            continue
        first["tthc_codes"] = first["tthc_codes"] + values["tthc_codes"]
        if first["legal_basis"] is None:
            first["legal_basis"] = values["legal_basis"]
    out: list[tuple[str, ProcessVersionInput]] = []
    for where, values in merged.values():
        try:
            out.append((where, ProcessVersionInput(**values)))
        except PydanticError as e:
            problems.append((where, _first_error(e)))
    return sorted(out, key=lambda p: (p[1].unit_code, p[1].code, p[1].status_on)), problems


def _process_values(row: SheetRow, default_unit: str | None, today: dt.date) -> dict:
    issued_on = _date(row, "issued_on", "Ngày ban hành", today)
    status = process_status(row.values.get("status"), has_issue_date=issued_on is not None)
    codes = tthc_codes(row.values.get("tthc_codes"))
    if not codes:
        raise ValueReason("no TTHC code: a process covers at least one TTHC",
                          vi="không có mã TTHC: một quy trình bao quát ít nhất một TTHC")
    status_on = {
        ProcessStatus.ISSUED: issued_on,
        ProcessStatus.WITHDRAWN: _date(row, "withdrawn_on", "Ngày thu hồi", today),
        ProcessStatus.DRAFT: _date(row, "drafted_on", "Ngày dự thảo", today) or today,
    }[status]
    if status is ProcessStatus.WITHDRAWN and status_on is None:
        raise ValueReason("a withdrawn process needs its 'Ngày thu hồi' (date of withdrawal)",
                          vi="quy trình đã thu hồi cần 'Ngày thu hồi'")
    if status is ProcessStatus.DRAFT:
        issued_on = None
    code = cell_text(row.values.get("code"))
    title = cell_text(row.values.get("title"))
    if not code:
        raise ValueReason("the process code (Mã quy trình) is empty", vi="Mã quy trình để trống")
    if not title:
        raise ValueReason("the process title (Tên quy trình) is empty", vi="Tên quy trình để trống")
    return {
        "unit_code": _unit(row, default_unit), "code": code, "title": title, "tthc_codes": codes, "status": status,
        "issue_no": cell_text(row.values.get("issue_no")), "issued_on": issued_on, "status_on": status_on,
        "legal_basis": cell_text(row.values.get("legal_basis")),
    }


def _refuse_if(source: str, problems: list[tuple[str, str]], out: list, what: str) -> None:
    if problems:
        raise ImportRowError(source, problems)
    if not out:
        raise QmsError(f"{source} has a header but no {what} row.", vi=f"{source} chỉ có dòng tiêu đề, không có dòng dữ liệu nào.")


@dataclass(frozen=True)
class ParsedFile:
    """A file read and checked on its own (before the database is asked): the records that read
    well and the problems of the rows that did not (the caller refuses the file if any)."""

    table: Table
    records: list  # (location, record) pairs
    problems: list[tuple[str, str]]

    def ordered(self, problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """``problems`` in the order of the file's rows (sheet by sheet, line by line)."""
        position = {row.where: i for i, row in enumerate(self.table.rows)}
        return sorted(problems, key=lambda p: position.get(p[0], len(position)))


def read_catalogue(data: bytes, source: str, *, today: dt.date | None = None, sheet: str | None = None,
                   default_unit: str | None = None) -> ParsedFile:
    table = read_table(data, source, CATALOGUE_COLUMNS, sheet=sheet)
    records, problems = catalogue_rows(table, default_unit=default_unit, today=today or province_today())
    if not records and not problems:
        _refuse_if(source, [], records, "TTHC")
    return ParsedFile(table, records, problems)


def read_processes(data: bytes, source: str, *, today: dt.date, sheet: str | None = None,
                   default_unit: str | None = None) -> ParsedFile:
    table = read_table(data, source, PROCESS_COLUMNS, sheet=sheet)
    records, problems = process_rows(table, default_unit=default_unit, today=today)
    if not records and not problems:
        _refuse_if(source, [], records, "process")
    return ParsedFile(table, records, problems)


# -- export -----------------------------------------------------------------------------------------

#: Columns of an exported catalogue (``unit_name`` is for the reader; an import ignores it).
CATALOGUE_EXPORT: tuple[tuple[str, str], ...] = (
    ("unit_code", "Mã đơn vị"), ("unit_name", "Tên đơn vị"), ("code", "Mã TTHC"), ("name", "Tên TTHC"),
    ("field", "Lĩnh vực"), ("level", "Cấp thực hiện"), ("valid_from", "Hiệu lực từ"), ("valid_to", "Hết hiệu lực từ"),
)
PROCESS_EXPORT: tuple[tuple[str, str], ...] = (
    ("unit_code", "Mã đơn vị"), ("unit_name", "Tên đơn vị"), ("code", "Mã quy trình"), ("title", "Tên quy trình"),
    ("tthc_codes", "Mã TTHC"), ("issue_no", "Lần ban hành"), ("issued_on", "Ngày ban hành"), ("status", "Trạng thái"),
    ("withdrawn_on", "Ngày thu hồi"), ("drafted_on", "Ngày dự thảo"), ("legal_basis", "Căn cứ pháp lý"),
    ("version_no", "Phiên bản"),
)


def export_cell(name: str, value: Any) -> Any:
    """A value as an exported file shows it (levels and statuses in Vietnamese, codes joined)."""
    if name == "level" and value in TTHC_LEVELS:
        return TTHC_LEVELS[value]
    if name == "status" and value is not None:
        return STATUS_TEXT[ProcessStatus(value)]
    if name == "tthc_codes" and isinstance(value, (list, tuple)):
        return "; ".join(value)
    return value


def sheet_rows(columns: Sequence[tuple[str, str]], records: Iterable[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows for :func:`qms.kernel.spreadsheet_writing.write_xlsx` / ``write_csv``."""
    return [h for _, h in columns], [[export_cell(name, r.get(name)) for name, _ in columns] for r in records]


# -- the legal-change form --------------------------------------------------------------------------

def legal_change_from_form(*, document_no: str, title: str | None, signed_on: dt.date | None, effective_on: dt.date,
                           amended: str, added: str, removed: str, unit_codes: Sequence[str],
                           new_name: str | None = None) -> LegalChangeInput:
    """A :class:`LegalChangeInput` from the page's form: TTHC codes typed or pasted (separated by
    ``;``, commas, spaces or lines) per effect.  Amended TTHC concern every unit handling them;
    added and removed ones the ``unit_codes`` chosen; ``new_name`` names a single added TTHC that
    is not yet known.  A refused field is one :class:`qms.kernel.errors.ValidationError` naming it."""
    from qms.kernel.errors import ValidationError
    from qms.units.model import checked

    items = []
    for label, text, effect in (("amended", amended, ChangeEffect.AMENDED), ("added", added, ChangeEffect.ADDED),
                                ("removed", removed, ChangeEffect.REMOVED)):
        try:
            codes = tthc_codes(text or "")
        except ValueError as e:
            raise ValidationError(f"{label}: {e}; nothing was saved.", vi=f"{label}: {e}; chưa lưu gì.") from e
        for code in codes:
            name = new_name if effect is ChangeEffect.ADDED and len(codes) == 1 else None
            items.append(checked(LegalChangeItem, tthc_code=code, effect=effect,
                                 unit_codes=() if effect is ChangeEffect.AMENDED else tuple(unit_codes), tthc_name=name or None))
    if not items:
        raise ValidationError("Give at least one TTHC code the document amends, adds or removes; nothing was saved.",
                              vi="Hãy ghi ít nhất một mã TTHC được sửa đổi, bổ sung hoặc bãi bỏ; chưa lưu gì.")
    return checked(LegalChangeInput, document_no=document_no, title=title or None, signed_on=signed_on,
                   effective_on=effective_on, items=tuple(items))
