"""A province's ISO status sheet: columns recognised by header, rows read into typed values.

Pure: bytes in, :class:`ParsedFile` out (no database).  A province keeps a spreadsheet with a
row per unit (status, announcement decision, dates) and sometimes a sheet of dated events; this
module reads either kind from any province's file, not only Lai Châu's:

- a sheet's **header row** is found among its first :data:`HEADER_SCAN_ROWS` rows, one row or two
  (a parent cell such as ``Công bố`` merged over ``Số quyết định`` and ``Ngày``); headers match
  case- and diacritic-insensitively (:func:`fold`), in any order, text in parentheses ignored;
  unknown columns are ignored and reported;
- a sheet with ``Tình trạng`` is a **status sheet**, one with ``Loại sự kiện`` and ``Ngày`` an
  **events sheet**; other sheets (the template's guide) are listed as not read;
- every cell that cannot be read becomes an :class:`Issue` naming sheet, row, column and what
  was expected, in English and Vietnamese; rows keep their issues so the preview shows every
  row's outcome.

Which unit a row means is :class:`UnitIndex`'s question (code first; a name only when it matches
one unit); what a row implies for the unit's lifecycle is :mod:`qms.status_import.plan`'s.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from qms.kernel.errors import ImportRowError, QmsError
from qms.kernel.spreadsheets import cell_date
from qms.kernel.workbook_reader import CellValue, RawSheet, read_workbook
from qms.status_import.vocab import (
    EVENT_FIELDS,
    EVENT_REQUIRED,
    HEADERS,
    STATUS_FIELDS,
    STATUS_REQUIRED,
    SYNONYMS,
    fold,
    fold_header,
    level_word,
    parse_event_type,
    parse_level,
    parse_standard,
    parse_status,
)
from qms.units.model import Level, Stage
from qms.units.rules import EARLIEST_EVENT_DATE

#: How many rows from the top of a sheet are searched for its header (title rows come first).
HEADER_SCAN_ROWS = 15
_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")


@dataclass(frozen=True)
class Issue:
    """One refused cell or row: where (sheet, row, column as written in the file) and why."""

    sheet: str
    row: int | None
    column: str | None
    en: str
    vi: str

    def where(self, lang: str = "vi") -> str:
        if lang == "vi":
            parts = [f"trang '{self.sheet}'"] + ([f"dòng {self.row}"] if self.row else []) + ([f"cột '{self.column}'"] if self.column else [])
        else:
            parts = [f"sheet '{self.sheet}'"] + ([f"row {self.row}"] if self.row else []) + ([f"column '{self.column}'"] if self.column else [])
        return ", ".join(parts)

    def text(self, lang: str = "vi") -> str:
        return f"{self.where(lang)}: {self.vi if lang == 'vi' else self.en}"


class StatusImportError(ImportRowError):
    """A status or events sheet with refused rows: nothing was imported.  ``issues`` keeps both
    languages (``problems`` the English pairs every import error carries)."""

    def __init__(self, source: str, issues: Sequence[Issue]):
        super().__init__(source, [(i.where("en"), i.en) for i in issues])
        self.issues = list(issues)
        n = len(self.issues)
        detail = "; ".join(i.text("vi") for i in self.issues[:20])
        more = f"; và {n - 20} lỗi khác" if n > 20 else ""
        self.vi = f"{source}: {n} lỗi, không có gì được nhập. {detail}{more}"


@dataclass(frozen=True)
class SheetInfo:
    name: str
    kind: str | None  # "status", "events", or None (not read)
    header_rows: tuple[int, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    data_rows: int = 0


@dataclass
class SheetRow:
    """One data row of a recognised sheet, its cells read into typed values (None when empty)."""

    sheet: str
    row: int
    kind: str
    titles: dict[str, str]  # field -> header as written in the file
    values: dict[str, object] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    code_was_number: bool = False

    def get(self, name: str):
        return self.values.get(name)

    def issue(self, name: str, en: str, vi: str) -> Issue:
        title = self.titles.get(name) or HEADERS[name]
        return Issue(self.sheet, self.row, title, en, vi)

    def refuse(self, name: str, en: str, vi: str) -> None:
        self.issues.append(self.issue(name, en, vi))

    @property
    def stage(self) -> Stage | None:
        return self.values.get("status")


@dataclass(frozen=True)
class ParsedFile:
    filename: str
    sha256: str
    sheets: list[SheetInfo]
    rows: list[SheetRow]
    issues: list[Issue]  # sheet-level problems (a column twice)
    hidden_sheets: list[str]


# -- header recognition ---------------------------------------------------------------------
def _text(value: CellValue) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _candidates(top: CellValue, below: CellValue | None, pair: bool) -> list[str]:
    """Folded header texts a column may mean, most specific first (two-row headers combine the
    parent cell with the cell below it, in both word orders)."""
    a = fold_header(_text(top) or "")
    if not pair:
        return [a] if a else []
    b = fold_header(_text(below) or "")
    if not b or a == b:
        return [a] if a else []
    if not a:
        return [b]
    return [f"{b} {a}", f"{a} {b}", b, a]


@dataclass(frozen=True)
class _Header:
    kind: str
    rows: tuple[int, ...]
    columns: dict[str, int]
    titles: dict[int, str]
    ignored: tuple[str, ...]
    twice: tuple[tuple[str, tuple[str, ...]], ...]


def _match_header(sheet: RawSheet, index: int, pair: bool, kind: str) -> _Header | None:
    fields = STATUS_FIELDS if kind == "status" else EVENT_FIELDS
    (row_no, top) = sheet.rows[index]
    below = sheet.rows[index + 1][1] if pair else []
    width = max(len(top), len(below))
    columns: dict[str, int] = {}
    titles: dict[int, str] = {}
    ignored, twice = [], {}
    for c in range(width):
        t, b = (top[c] if c < len(top) else None), (below[c] if c < len(below) else None)
        shown = " / ".join(dict.fromkeys(x for x in (_text(t), _text(b) if pair else None) if x))
        if not shown:
            continue
        titles[c] = shown
        found = next((f for cand in _candidates(t, b, pair) for f in fields if cand in SYNONYMS[f]), None)
        if found is None:
            ignored.append(shown)
        elif found in columns:
            twice.setdefault(found, [titles[columns[found]]]).append(shown)
        else:
            columns[found] = c
    required = STATUS_REQUIRED if kind == "status" else EVENT_REQUIRED
    if not all(f in columns for f in required) or not ({"code", "name"} & set(columns)):
        return None
    rows = (row_no, sheet.rows[index + 1][0]) if pair else (row_no,)
    return _Header(kind, rows, columns, titles, tuple(ignored), tuple((f, tuple(v)) for f, v in twice.items()))


def find_header(sheet: RawSheet) -> _Header | None:
    """The header that recognises most columns among the first rows; one row wins a tie with two."""
    best: _Header | None = None
    for i in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
        for pair in (False, True):
            if pair and (i + 1 >= len(sheet.rows) or sheet.rows[i + 1][0] != sheet.rows[i][0] + 1):
                continue
            for kind in ("status", "events"):
                h = _match_header(sheet, i, pair, kind)
                if h and (best is None or len(h.columns) > len(best.columns)):
                    best = h
    return best


# -- cells ----------------------------------------------------------------------------------
def read_date(value: CellValue, *, today: dt.date) -> tuple[dt.date | None, tuple[str, str] | None]:
    """A date cell, read as every importer reads dates (:func:`qms.kernel.spreadsheets.cell_date`: a real
    Excel date, an Excel serial number, dd/mm/yyyy text and its usual variants).  Refuses a date
    in the future or before 2006 (a lifecycle event's rule, stricter than the window every
    importer applies)."""
    try:
        day = cell_date(value)
    except ValueError:
        day = None
    if day is None:
        return None, (f"'{value}' is not a date (expected dd/mm/yyyy, e.g. 15/03/2017, or a date cell)",
                      f"'{value}' không phải ngày (cần dạng dd/mm/yyyy, ví dụ 15/03/2017, hoặc ô kiểu ngày)")
    if day > today:
        return None, (f"{day:%d/%m/%Y} is in the future (today is {today:%d/%m/%Y})",
                      f"ngày {day:%d/%m/%Y} ở tương lai (hôm nay là {today:%d/%m/%Y})")
    if day < EARLIEST_EVENT_DATE:
        return None, (f"{day:%d/%m/%Y} is before {EARLIEST_EVENT_DATE:%d/%m/%Y}, earlier than any QMS the app records",
                      f"ngày {day:%d/%m/%Y} trước ngày {EARLIEST_EVENT_DATE:%d/%m/%Y}, sớm hơn mọi HTQLCL được ghi nhận")
    return day, None


def _read_cell(row: SheetRow, name: str, value: CellValue, today: dt.date) -> None:
    if value is None:
        return
    if name in ("announced_on", "re_announced_on", "audit_on", "review_on", "event_date"):
        day, why = read_date(value, today=today)
        if why:
            row.refuse(name, *why)
        row.values[name] = day
        return
    text = _text(value)
    parsers = {"status": parse_status, "level": parse_level, "standard": parse_standard, "event_type": parse_event_type}
    if name in parsers:
        parsed, why = parsers[name](value if name == "standard" else text)
        if why:
            row.refuse(name, *why)
        row.values[name] = parsed
        return
    if name == "code":
        row.code_was_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        text = text.lstrip("'").strip()
    if name == "note" and len(text) > 2000:
        row.refuse(name, "the note is longer than 2000 characters", "ghi chú dài hơn 2000 ký tự")
        return
    row.values[name] = text


def _split_decisions(row: SheetRow) -> None:
    """'12/QĐ-UBND; 45/QĐ-UBND' in the decision column: the announcement's, then the
    re-announcement's (for sheets that keep both numbers in one cell)."""
    text = row.get("decision_no")
    if not text:
        return
    parts = [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
    if len(parts) == 1:
        row.values["decision_no"] = parts[0]
    elif len(parts) == 2 and not row.get("re_decision_no"):
        row.values["decision_no"], row.values["re_decision_no"] = parts
    else:
        row.refuse("decision_no", "expected one decision number (or two separated by ';': announcement; re-announcement)",
                   "cần một số quyết định (hoặc hai số cách nhau bởi dấu ';': công bố; công bố lại)")
    for name in ("decision_no", "re_decision_no"):
        if row.get(name) and len(row.get(name)) > 64:
            row.refuse(name, "a decision number is at most 64 characters", "số quyết định dài tối đa 64 ký tự")


def parse_sheets(sheets: Sequence[RawSheet], *, today: dt.date) -> tuple[list[SheetInfo], list[SheetRow], list[Issue]]:
    infos, rows, issues = [], [], []
    for sheet in sheets:
        header = find_header(sheet)
        if header is None:
            infos.append(SheetInfo(sheet.name, None))
            continue
        for name, shown in header.twice:
            issues.append(Issue(sheet.name, header.rows[0], " / ".join(shown),
                                f"{len(shown)} columns read as '{HEADERS[name]}'; keep one",
                                f"có {len(shown)} cột cùng nghĩa '{HEADERS[name]}'; hãy giữ một cột"))
        titles = {name: header.titles[c] for name, c in header.columns.items()}
        start = next(i for i, (n, _) in enumerate(sheet.rows) if n == header.rows[-1]) + 1
        count = 0
        for k, (row_no, cells) in enumerate(sheet.rows[start:]):
            picked = {name: cells[c] if c < len(cells) else None for name, c in header.columns.items()}
            if all(v is None for v in picked.values()):
                continue
            if k == 0 and all(_NUMBERING.match(str(v)) for v in cells if v is not None):
                continue  # the "(1) (2) (3)" row under a Vietnamese report's header
            row = SheetRow(sheet.name, row_no, header.kind, titles)
            for name, value in picked.items():
                _read_cell(row, name, value, today)
            _split_decisions(row)
            rows.append(row)
            count += 1
        infos.append(SheetInfo(sheet.name, header.kind, header.rows, header.ignored, count))
    return infos, rows, issues


def parse_status_file(data: bytes, filename: str, *, today: dt.date) -> ParsedFile:
    """Read every visible sheet of ``data``; refuse (one sentence) a file with no recognisable
    status or events sheet.  Row-level problems are kept on the rows, not raised."""
    book = read_workbook(data, filename)
    sheets = [RawSheet(s.name, s.filled()) for s in book.sheets]  # merged cells: the value in every cell they span
    infos, rows, issues = parse_sheets(sheets, today=today)
    if not any(i.kind for i in infos):
        names = ", ".join(f"'{s.name}'" for s in book.sheets) or "none"
        raise QmsError(
            f"{filename}: no sheet has a header row with 'Tình trạng' and 'Mã đơn vị' or 'Tên đơn vị' (a status sheet), "
            f"or 'Loại sự kiện' and 'Ngày' (an events sheet), in its first {HEADER_SCAN_ROWS} rows (sheets read: {names}).",
            vi=f"{filename}: không trang nào có dòng tiêu đề gồm 'Tình trạng' và 'Mã đơn vị' hoặc 'Tên đơn vị' (bảng tình trạng), "
               f"hoặc 'Loại sự kiện' và 'Ngày' (bảng sự kiện), trong {HEADER_SCAN_ROWS} dòng đầu (các trang: {names}).",
        )
    if not rows and not issues:
        raise QmsError(f"{filename} has a header but no row to import.",
                       vi=f"{filename} chỉ có dòng tiêu đề, không có dòng nào để nhập.")
    return ParsedFile(filename, hashlib.sha256(data).hexdigest(), infos, rows, issues, book.hidden)


# -- which unit a row means -----------------------------------------------------------------
_OWNER = re.compile(r"^(ubnd|ủy ban nhân dân|uỷ ban nhân dân)\s+")
_PREFIX = re.compile(r"^(thị trấn|thị xã|thành phố|phường|xã|huyện|quận)\s+")


def name_key(name: str, *, strip_prefix: bool = False) -> str:
    """NFC, case-folded, spaces collapsed, a leading 'UBND' dropped; with ``strip_prefix`` also
    the 'Xã/Phường/Thị trấn' (and district: 'Huyện/Thành phố/Thị xã/Quận') word, so that
    'Mường Tè' meets both the district and the township and is refused as ambiguous."""
    key = " ".join(unicodedata.normalize("NFC", name).casefold().split())
    key = _OWNER.sub("", key)
    return _PREFIX.sub("", key) if strip_prefix else key


@dataclass(frozen=True)
class UnitRef:
    """A unit as the importer matches it: every name it ever had, its level and parent."""

    code: str
    name: str
    level: Level
    parent_code: str | None
    parent_name: str | None
    names: tuple[str, ...]
    exists_today: bool
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    gso_code: str | None = None  # the official code (the key differs for a unit formed on a reused code)

    def label(self) -> str:
        return f"{self.code} {self.name}" + (f" ({self.parent_name})" if self.parent_name and self.level is Level.COMMUNE else "")


class UnitIndex:
    """The province's units by code and by normalised name.  Names match only units that exist
    today at a coverage level; codes match any unit of the province (a merged commune's history
    can still be imported for the dates it existed)."""

    def __init__(self, units: Sequence[UnitRef]):
        self.by_code = {u.code: u for u in units}
        #: Official code -> the units that bore it (codes are reused: 03388 names two units).
        self.by_official: dict[str, list[UnitRef]] = {}
        for u in units:
            self.by_official.setdefault(u.gso_code or u.code, []).append(u)
        self._current = [u for u in units if u.exists_today and u.level is not Level.PROVINCE]

    def by_any_code(self, code: str) -> UnitRef | None:
        """The unit a code names: a unit key exactly; an official code, the unit bearing it
        today, else the only unit that ever bore it (None when it names none, or several and
        none of them today)."""
        if "@" in code:
            return self.by_code.get(code)
        bearers = self.by_official.get(code, [])
        today = [u for u in bearers if u.exists_today]
        if len(today) == 1:
            return today[0]
        return bearers[0] if len(bearers) == 1 else None

    def _named(self, key_of, name: str, level: Level | None, parent: str | None) -> list[UnitRef]:
        want = key_of(name)
        hits = [u for u in self._current if want in {key_of(n) for n in u.names}]
        if level is not None:
            hits = [u for u in hits if u.level is level]
        if parent:
            hits = [u for u in hits if u.parent_name and key_of(u.parent_name) == key_of(parent)] or hits
        return hits

    def close(self, name: str, level: Level | None, limit: int = 5) -> list[UnitRef]:
        pool = [u for u in self._current if level is None or u.level is level]
        keys = {fold(name_key(n, strip_prefix=True)): u for u in pool for n in u.names}
        found = difflib.get_close_matches(fold(name_key(name, strip_prefix=True)), list(keys), n=limit, cutoff=0.6)
        return list(dict.fromkeys(keys[k] for k in found))

    def match(self, row: SheetRow) -> UnitRef | None:
        """The unit of ``row`` or None with an issue on the row; nothing is guessed."""
        code, name, level = row.get("code"), row.get("name"), row.get("level")
        unit = None
        if code:
            unit = self.by_any_code(code)
            if unit is None and code.isdigit() and len(code) < 5:
                padded = [u for u in (self.by_any_code(c) for c in dict.fromkeys((code.zfill(3), code.zfill(5)))) if u]
                if len(padded) == 1 and row.code_was_number:
                    unit = padded[0]  # Excel turned 03386 into the number 3386
            if unit is None:
                row.refuse("code", f"code {code} is not a unit of the province (expected a code from the unit list or the template)",
                           f"mã {code} không phải đơn vị của tỉnh (cần mã trong danh sách đơn vị hoặc trong tệp mẫu)")
                return None
            if unit.level is Level.PROVINCE:
                row.refuse("code", f"code {code} is the province itself, not a QMS unit", f"mã {code} là chính tỉnh, không phải đơn vị áp dụng HTQLCL")
                return None
            if name and fold(name_key(name, strip_prefix=True)) not in {fold(name_key(n, strip_prefix=True)) for n in unit.names}:
                row.refuse("name", f"code {unit.code} is '{unit.name}', not '{name}'; correct the code or the name",
                           f"mã {unit.code} là '{unit.name}', không phải '{name}'; hãy sửa mã hoặc tên")
                return None
        elif name:
            parent = row.get("parent")
            for strip in (False, True):
                hits = self._named(lambda n, s=strip: name_key(n, strip_prefix=s), name, level, parent)
                if len(hits) == 1:
                    unit = hits[0]
                    break
                if len(hits) > 1:
                    listed = "; ".join(u.label() for u in hits)
                    row.refuse("name", f"'{name}' matches {len(hits)} units ({listed}); write the unit's code in 'Mã đơn vị'",
                               f"'{name}' trùng với {len(hits)} đơn vị ({listed}); hãy ghi mã đơn vị vào cột 'Mã đơn vị'")
                    return None
            if unit is None:
                close = self.close(name, level)
                hint = "; ".join(u.label() for u in close)
                row.refuse("name", f"no unit is named '{name}'" + (f"; close: {hint}" if hint else "") + "; write the unit's code",
                           f"không có đơn vị tên '{name}'" + (f"; gần giống: {hint}" if hint else "") + "; hãy ghi mã đơn vị")
                return None
        else:
            row.refuse("code", "the row has neither a unit code nor a unit name", "dòng không có mã đơn vị và tên đơn vị")
            return None
        if level is not None and unit.level is not level:
            row.refuse("level", f"unit {unit.code} ({unit.name}) is at level '{level_word(unit.level)}', not '{level_word(level)}'",
                       f"đơn vị {unit.code} ({unit.name}) thuộc cấp '{level_word(unit.level)}', không phải '{level_word(level)}'")
            return None
        return unit
