"""Spreadsheets as people make them: .xlsx and .csv into header-mapped rows with their locations.

Pure (bytes in, rows out; no database, no UI), shared by every importer.  A caller describes the
columns it wants (:class:`Column`: a field name, the header it writes, the headers it accepts) and
:func:`read_table` returns each data row as ``field -> value`` with its sheet and line, so that the
caller can name every bad row ("sheet 'TTHC' line 12: ...") and refuse the file whole.

What it copes with, because provincial files do it:

- **the header is found, not assumed**: title lines ("DANH MỤC THỦ TỤC HÀNH CHÍNH ...") above the
  header are skipped; the header is the first of the first ``max_header_rows`` rows holding every
  required column (or the row under it, when that one matches more: two-row headers);
- **headers compared folded**: case, Vietnamese diacritics (đ -> d), surrounding punctuation,
  "(*)" marks and repeated spaces do not matter, so "Mã TTHC", "MÃ TTHC", "ma tthc" all match;
- **merged cells**: a merged header cell counts for every column it spans, and a two-row header
  ("Thời gian hiệu lực" over "Từ ngày" | "Đến ngày") is matched as "thời gian hiệu lực từ ngày" as
  well as "từ ngày"; a merged data cell (a field written once for a block of rows) is repeated on
  every row it spans;
- **section rows** ("I. LĨNH VỰC HỘ TỊCH"): a row with one text cell that spans merged columns or
  sits in a column no field reads is not data; it is passed on as ``section`` of the rows below;
- a **numbering row** right under the header ("(1) (2) (3)"), repeated header rows, and empty
  rows are skipped;
- **values**: text NFC-normalised and stripped (empty -> None); real Excel dates as
  ``datetime.date``; numbers as int/float.  CSV cells are text: UTF-8 (with or without BOM),
  separated by comma, semicolon or tab (sniffed).  Hidden sheets are not read
  (``Table.hidden_sheets``).
- an .xlsx workbook: every sheet whose header matches is read (rows keep their sheet), unless one
  ``sheet`` is named.

:func:`cell_text` and :func:`cell_date` turn values into text and dates (dd/mm/yyyy, ISO,
"ngày 5 tháng 3 năm 2021", Excel serial numbers); :func:`import_date` is the date rule every
importer applies (no date before 2000 or more than 10 years ahead).  Files are read by
:mod:`qms.kernel.workbook_reader` (its limits, refusals and cleaning of values apply); a header that
names one field in two columns is refused.  :mod:`qms.kernel.spreadsheet_writing` writes the same
columns back (dates as real Excel dates / ISO text), so an exported file re-imports.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from qms.kernel.errors import QmsError, ValueReason
from qms.kernel.workbook_reader import RawSheet, read_workbook
from qms.kernel.xlsx_sheet import letters

#: How many rows from the top of a sheet are searched for the header.
MAX_HEADER_ROWS = 15
#: Excel serial numbers read as dates in a date column: 1 January 1900 .. 31 December 2199
#: (then :func:`import_date` judges the date itself).
_SERIAL_RANGE = (1, 109574)
#: The dates every importer accepts (:func:`import_date`): nothing qms records (ISO 9001 in the
#: administration, from Decision 144/2006; TTHC catalogues; units as they are today) is dated
#: before 2000 or more than 10 years ahead, so such a date is a typing or a file error
#: (01/01/1900, 31/12/9999, an Excel serial 1).
EARLIEST_IMPORT_DATE = dt.date(2000, 1, 1)
IMPORT_YEARS_AHEAD = 10


@dataclass(frozen=True)
class Column:
    """A column a reader wants: ``header`` is what a writer puts on top (and is accepted too),
    ``aliases`` other headers accepted.  Matching is on :func:`fold`-ed text."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def accepts(self) -> set[str]:
        return {fold(self.header), fold(self.header, drop_brackets=True), fold(self.field), *(fold(a) for a in self.aliases)}


@dataclass(frozen=True)
class SheetRow:
    """One data row: a value for every field asked for (None for an empty cell or a column the
    file does not have)."""

    sheet: str | None
    line: int
    values: dict[str, Any]
    section: str | None = None

    @property
    def where(self) -> str:
        """The row's location as an officer finds it: "sheet 'TTHC' line 7", or "line 7" in a CSV."""
        return f"sheet '{self.sheet}' line {self.line}" if self.sheet else f"line {self.line}"


@dataclass(frozen=True)
class Table:
    """The rows read from a file, and what was found on the way."""

    source: str
    rows: list[SheetRow]
    sheets: list[str]
    header_lines: dict[str, int]
    found: list[str]
    ignored_headers: list[str] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)


# -- text -------------------------------------------------------------------------------------------

_MARKS = re.compile(r"\(\s*\*+\s*\)|\*")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: Any, *, drop_brackets: bool = False) -> str:
    """Text for comparing headers and names: lower case, no diacritics (đ -> d), words joined by
    single spaces, punctuation and "(*)" marks dropped.  ``"Mã TTHC (*)"`` -> ``"ma tthc"``;
    with ``drop_brackets``, bracketed notes go too: ``"Từ ngày (dd/mm/yyyy)"`` -> ``"tu ngay"``."""
    if text is None:
        return ""
    return _fold(str(text), drop_brackets)


@lru_cache(maxsize=65536)  # an import folds the same names, levels and headers on many rows
def _fold(text: str, drop_brackets: bool) -> str:
    s = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    s = _MARKS.sub(" ", s)
    if drop_brackets:
        s = _BRACKETS.sub(" ", s)
    return _NON_WORD.sub(" ", s).strip()


def _header_forms(value: Any) -> set[str]:
    """The folded forms a header cell is matched by: as written, and without bracketed notes."""
    return {f for f in (fold(value), fold(value, drop_brackets=True)) if f}


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value).strip()
        return value or None
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    return value


def cell_text(value: Any) -> str | None:
    """A cell as text: integral numbers without ".0", dates as ISO, empty -> None."""
    if type(value) is str:  # the usual case, once per cell of an import
        return unicodedata.normalize("NFC", value).strip() or None
    value = _clean(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


#: dd/mm/yyyy (also d/m/yyyy, with "-" or "." between) or yyyy-mm-dd: groups 1-3 or 4-6.
_DMY = re.compile(r"^(?:(\d{1,2})([/.-])(\d{1,2})\2(\d{4})|(\d{4})-(\d{1,2})-(\d{1,2}))$")
_VI_DATE = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")


def cell_date(value: Any) -> dt.date | None:
    """A cell as a date, or None when empty; ``ValueError`` (one readable reason) otherwise.

    Accepted: a real Excel date; an Excel serial number (a date cell that lost its format); text
    dd/mm/yyyy or d/m/yyyy (Vietnamese usage: day first), dd-mm-yyyy, dd.mm.yyyy, YYYY-MM-DD, and
    "ngày 05 tháng 3 năm 2021".
    """
    value = _clean(value)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date()
        raise ValueError(f"{value} is not a date (expected dd/mm/yyyy)")
    text = str(value)
    m = _DMY.match(text)
    if m:  # the usual forms, without strptime's cost per row
        day, month, year = (m.group(1), m.group(3), m.group(4)) if m.group(1) else (m.group(7), m.group(6), m.group(5))
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueReason(f"'{text}' is not a date (expected dd/mm/yyyy)",
                              vi=f"'{text}' không phải ngày (cần dạng dd/mm/yyyy)") from None
    for pattern in ("%Y-%m-%d %H:%M:%S",):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    m = _VI_DATE.search(fold(text))
    if m:
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            pass
    raise ValueReason(f"'{text}' is not a date (expected dd/mm/yyyy)", vi=f"'{text}' không phải ngày (cần dạng dd/mm/yyyy)")


def import_date(value: Any, *, today: dt.date) -> dt.date | None:
    """:func:`cell_date`, and a date outside the window every importer accepts refused
    (``ValueError``, one readable reason): before :data:`EARLIEST_IMPORT_DATE` or more than
    :data:`IMPORT_YEARS_AHEAD` years after ``today``.  An importer may be stricter (lifecycle
    events are never in the future)."""
    day = cell_date(value)
    if day is None:
        return None
    latest = today.replace(year=today.year + IMPORT_YEARS_AHEAD) if (today.month, today.day) != (2, 29) \
        else dt.date(today.year + IMPORT_YEARS_AHEAD, 2, 28)
    if day < EARLIEST_IMPORT_DATE:
        raise ValueReason(f"{day:%d/%m/%Y} is before {EARLIEST_IMPORT_DATE:%d/%m/%Y}, earlier than anything qms records",
                          vi=f"{day:%d/%m/%Y} trước {EARLIEST_IMPORT_DATE:%d/%m/%Y}, sớm hơn mọi dữ liệu qms ghi nhận")
    if day > latest:
        raise ValueReason(f"{day:%d/%m/%Y} is more than {IMPORT_YEARS_AHEAD} years ahead (after {latest:%d/%m/%Y})",
                          vi=f"{day:%d/%m/%Y} xa hơn {IMPORT_YEARS_AHEAD} năm tới (sau {latest:%d/%m/%Y})")
    return day


# -- grids ------------------------------------------------------------------------------------------

@dataclass
class _Grid:
    """A sheet as dense rows of raw values (index 0 is the sheet's row 1), with its merged
    ranges (0-based, inclusive) and, per row, the columns where a merged range spanning several
    columns starts (section headings are such cells)."""

    name: str | None
    cells: list[list[Any]]
    filled: list[list[Any]]
    merges: list[tuple[int, int, int, int]]  # (first row, first col, last row, last col)
    wide_merges: dict[int, set[int]] = field(default_factory=dict)
    continued: dict[int, set[int]] = field(default_factory=dict)  # row -> columns a merged cell to their left covers


def _dense(rows: list[tuple[int, list[Any]]]) -> list[list[Any]]:
    out: list[list[Any]] = [[] for _ in range(rows[-1][0] if rows else 0)]
    for number, values in rows:
        out[number - 1] = values
    return out


def _grid(sheet: RawSheet, name: str | None) -> _Grid:
    merges = [(r0 - 1, c0 - 1, r1 - 1, c1 - 1) for r0, c0, r1, c1 in sheet.merges]
    wide: dict[int, set[int]] = {}
    continued: dict[int, set[int]] = {}
    for r0, c0, r1, c1 in merges:
        if c1 > c0:
            for r in range(r0, r1 + 1):
                wide.setdefault(r, set()).add(c0)
                continued.setdefault(r, set()).update(range(c0 + 1, c1 + 1))
    return _Grid(name, _dense(sheet.rows), _dense(sheet.filled()), merges, wide, continued)


def _grids(data: bytes, source: str) -> tuple[list[_Grid], list[str]]:
    """The visible sheets of ``data`` as grids (a CSV's one table has no name), and the hidden
    sheets' names (not read)."""
    book = read_workbook(data, source)
    return [_grid(sheet, None if book.is_csv else sheet.name) for sheet in book.sheets], book.hidden


# -- header -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Header:
    row: int                               # 0-based
    columns: dict[str, int]                # field -> column index
    twice: dict[str, list[int]]            # field -> every column read as it, when more than one


def _match(labels: list[set[str]], parents: list[set[str]], columns: Sequence[Column], skip: set[int]) -> _Header:
    """The fields a candidate header row names (``parents``: the row above it; ``skip``: columns a
    merged header cell to their left covers, the same header, not a second one)."""
    found: dict[str, int] = {}
    twice: dict[str, list[int]] = {}
    taken: set[int] = set()
    for col in columns:
        accepted = col.accepts()
        for c, forms in enumerate(labels):
            if c in taken or c in skip or not forms:
                continue
            above = parents[c] if c < len(parents) else set()
            candidates = set(forms) | {f"{p} {f}" for p in above for f in forms if p != f}
            if candidates & accepted:
                if col.field in found:
                    twice.setdefault(col.field, [found[col.field]]).append(c)
                else:
                    found[col.field] = c
                taken.add(c)
    return _Header(-1, found, twice)


def _find_header(grid: _Grid, columns: Sequence[Column], limit: int) -> tuple[_Header | None, _Header | None]:
    """The header row (the first of the first ``limit`` rows naming every required column, or the
    row under it when that one names more), and else the row that came closest (for the refusal)."""
    required = {c.field for c in columns if c.required}
    folded = [[_header_forms(v) for v in row] for row in grid.filled[: limit + 1]]

    def match(r: int) -> _Header:
        h = _match(folded[r], folded[r - 1] if r > 0 else [], columns, grid.continued.get(r, set()))
        return _Header(r, h.columns, h.twice)

    closest = None
    for r in range(min(limit, len(folded))):
        found = match(r)
        if required <= set(found.columns) and found.columns:
            while r + 1 < len(folded) and r + 1 <= limit:
                better = match(r + 1)
                if required <= set(better.columns) and len(better.columns) > len(found.columns):
                    r, found = r + 1, better
                else:
                    break
            return found, None
        if closest is None or len(required & set(found.columns)) > len(required & set(closest.columns)):
            closest = found
    return None, closest


_NUMBER_CELL = re.compile(r"^\(?\s*(\d{1,3})\s*\)?$")


def _is_numbering(row: list[Any]) -> bool:
    numbers = []
    for v in row:
        if v is None:
            continue
        m = _NUMBER_CELL.match(cell_text(v) or "")
        if not m:
            return False
        numbers.append(int(m.group(1)))
    return len(numbers) >= 2 and all(b > a for a, b in zip(numbers, numbers[1:]))


def _section(raw: list[Any], r: int, grid: _Grid, used: set[int]) -> str | None:
    """The heading text when row ``r`` is a section row (see the module docstring), else None."""
    filled = [(c, v) for c, v in enumerate(raw) if v is not None]
    if len(filled) != 1 or not isinstance(filled[0][1], str):
        return None
    c, text = filled[0]
    return text if c in grid.wide_merges.get(r, ()) or c not in used else None


def read_table(
    data: bytes,
    source: str,
    columns: Sequence[Column],
    *,
    sheet: str | None = None,
    max_header_rows: int = MAX_HEADER_ROWS,
) -> Table:
    """Every data row of ``data`` (an .xlsx workbook or a CSV file named ``source``), read by
    :func:`qms.kernel.workbook_reader.read_workbook` (its limits and refusals apply).

    Raises :class:`QmsError` (one sentence) when the file cannot be read, the named sheet does not
    exist, no sheet has a header with the required columns, or a header names one field in two
    columns (which one holds the data would be a guess); rows themselves are not checked here
    (that is the caller's rule).  Line numbers are those the spreadsheet shows (1-based, header
    rows included); in a CSV, the record's number.
    """
    grids, hidden = _grids(data, source)
    hidden_note = f" (hidden sheets are not read: {', '.join(hidden)})" if hidden else ""
    hidden_note_vi = f" (trang tính ẩn không được đọc: {', '.join(hidden)})" if hidden else ""
    if sheet is not None:
        chosen = [g for g in grids if g.name == sheet]
        if not chosen:
            names = ", ".join(g.name or "" for g in grids)
            raise QmsError(f"{source} has no sheet named '{sheet}' (sheets: {names}){hidden_note}.",
                           vi=f"{source} không có trang tính tên '{sheet}' (có: {names}){hidden_note_vi}.")
        grids = chosen
    if not grids:
        raise QmsError(f"{source} has no visible sheet{hidden_note}.", vi=f"{source} không có trang tính nào hiện{hidden_note_vi}.")
    rows: list[SheetRow] = []
    sheets, skipped, found_fields, ignored = [], [], [], []
    header_lines: dict[str, int] = {}
    closest: tuple[str, _Header] | None = None
    titles = {c.field: c.header for c in columns}
    for grid in grids:
        filled = grid.filled
        hit, near = _find_header(grid, columns, max_header_rows)
        if hit is None:
            skipped.append(grid.name or source)
            if near is not None and (closest is None or len(near.columns) > len(closest[1].columns)):
                closest = (grid.name or source, near)
            continue
        where = f"{source}: " + (f"sheet '{grid.name}' line {hit.row + 1}" if grid.name else f"line {hit.row + 1}")
        for name, cols_twice in hit.twice.items():
            names = " and ".join(letters(c + 1) for c in cols_twice)
            raise QmsError(
                f"{where}: columns {names} are both read as '{titles[name]}'; keep one (which one holds the data would be a guess).",
                vi=f"{where}: các cột {names} đều được hiểu là '{titles[name]}'; hãy giữ một cột.")
        header_row, cols = hit.row, hit.columns
        sheets.append(grid.name or source)
        header_lines[grid.name or source] = header_row + 1
        used = set(cols.values())
        found_fields += [f for f in cols if f not in found_fields]
        header_folded = {c: fold(filled[header_row][c]) for c in used}
        first = min(used)
        for c, v in enumerate(filled[header_row]):
            label = cell_text(v)
            if c not in used and label and label not in ignored:
                ignored.append(label)
        section = None
        for r in range(header_row + 1, len(filled)):
            raw = grid.cells[r]
            values_row = filled[r]
            if not any(v is not None for v in values_row):
                continue
            if r == header_row + 1 and _is_numbering(raw):
                continue
            heading = _section(raw, r, grid, used)
            if heading is not None:
                section = heading
                continue
            if fold(values_row[first] if first < len(values_row) else None) == header_folded[first] and \
                    all(fold(values_row[c] if c < len(values_row) else None) == header_folded[c] for c in used):
                continue  # the header repeated (a printed list's page breaks)
            found = {f: (values_row[c] if c < len(values_row) else None) for f, c in cols.items()}
            if all(v is None for v in found.values()):
                continue
            values = {c.field: found.get(c.field) for c in columns}
            rows.append(SheetRow(grid.name, r + 1, values, section))
    if not sheets:
        wanted = ", ".join(f"'{c.header}'" for c in columns if c.required)
        named = grids[0].name is not None
        where = f"the first {max_header_rows} rows" + (f" of sheets {', '.join(skipped)}" if named else "")
        near_en = near_vi = ""
        if closest is not None and closest[1].columns:
            missing = ", ".join(f"'{c.header}'" for c in columns if c.required and c.field not in closest[1].columns)
            line = f"sheet '{closest[0]}' line {closest[1].row + 1}" if named else f"line {closest[1].row + 1}"
            line_vi = f"trang '{closest[0]}' dòng {closest[1].row + 1}" if named else f"dòng {closest[1].row + 1}"
            near_en, near_vi = f" ({line} comes closest but has no column {missing})", f" ({line_vi} gần nhất nhưng thiếu cột {missing})"
        raise QmsError(
            f"{source}: no header row with the columns {wanted} was found in {where}{near_en}{hidden_note}.",
            vi=f"{source}: không tìm thấy dòng tiêu đề có các cột {wanted} trong {max_header_rows} dòng đầu"
               + (f" của các trang tính {', '.join(skipped)}" if named else "") + near_vi + hidden_note_vi + ".",
        )
    return Table(source, rows, sheets, header_lines, found_fields, ignored, skipped, hidden)
