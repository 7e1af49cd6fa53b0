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
  separated by comma, semicolon or tab (sniffed).
- an .xlsx workbook: every sheet whose header matches is read (rows keep their sheet), unless one
  ``sheet`` is named.

:func:`cell_text` and :func:`cell_date` turn values into text and dates (dd/mm/yyyy, ISO,
"ngày 5 tháng 3 năm 2021", Excel serial numbers).  :func:`write_xlsx` and :func:`write_csv` write
the same columns back (dates as real Excel dates / ISO text), so an exported file re-imports.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qms.errors import QmsError

#: How many rows from the top of a sheet are searched for the header.
MAX_HEADER_ROWS = 15
#: Excel serial numbers read as dates in a date column: 1 January 1900 .. 31 December 2199.
_SERIAL_RANGE = (1, 109574)


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
    s = unicodedata.normalize("NFC", str(text)).lower().replace("đ", "d")
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
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
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
    raise ValueError(f"'{text}' is not a date (expected dd/mm/yyyy)")


# -- grids ------------------------------------------------------------------------------------------

@dataclass
class _Grid:
    """A sheet as a list of rows of raw values, with its merged ranges (0-based, inclusive)."""

    name: str | None
    cells: list[list[Any]]
    merges: list[tuple[int, int, int, int]]  # (first row, first col, last row, last col)

    def filled(self) -> list[list[Any]]:
        """The cells with each merged range's value copied into every cell it spans."""
        out = [list(r) for r in self.cells]
        for r0, c0, r1, c1 in self.merges:
            if r0 >= len(out):
                continue
            value = out[r0][c0] if c0 < len(out[r0]) else None
            for r in range(r0, min(r1, len(out) - 1) + 1):
                row = out[r]
                if len(row) <= c1:
                    row.extend([None] * (c1 + 1 - len(row)))
                for c in range(c0, c1 + 1):
                    row[c] = value
        return out


def _xlsx_grids(data: bytes, source: str) -> list[_Grid]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged or foreign file
        raise QmsError(f"{source} could not be read as an Excel .xlsx workbook ({e.__class__.__name__}).",
                       vi=f"Không đọc được {source} như một tệp Excel .xlsx ({e.__class__.__name__}).") from e
    grids = []
    for ws in book.worksheets:
        cells = [[_clean(v) for v in row] for row in ws.iter_rows(values_only=True)]
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        grids.append(_Grid(ws.title, cells, merges))
    return grids


def _csv_grid(data: bytes, source: str) -> _Grid:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise QmsError(
            f"{source} is not UTF-8 text (byte {e.start}); save it from the spreadsheet as 'CSV UTF-8' or as .xlsx.",
            vi=f"{source} không phải văn bản UTF-8 (byte {e.start}); hãy lưu lại từ bảng tính dạng 'CSV UTF-8' hoặc .xlsx.",
        ) from e
    sample = "\n".join(text.splitlines()[:20])
    # the separator that splits the widest row among the first lines (Excel in a Vietnamese locale
    # writes ";"; quoted cells may hold the other separators, which csv.reader respects)
    delimiter = max((",", ";", "\t"), key=lambda d: max((len(r) for r in csv.reader(io.StringIO(sample), delimiter=d)), default=0))
    rows = [[_clean(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return _Grid(None, rows, [])


def _grids(data: bytes, source: str) -> list[_Grid]:
    lower = source.lower()
    if data[:4] == b"PK\x03\x04" or lower.endswith((".xlsx", ".xlsm")):
        return _xlsx_grids(data, source)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or lower.endswith(".xls"):
        raise QmsError(f"{source} is an old Excel .xls file; open it in Excel and save it as .xlsx (or CSV UTF-8).",
                       vi=f"{source} là tệp Excel .xls cũ; hãy mở bằng Excel và lưu lại dạng .xlsx (hoặc CSV UTF-8).")
    return [_csv_grid(data, source)]


# -- header -----------------------------------------------------------------------------------------

def _match(labels: list[set[str]], parents: list[set[str]], columns: Sequence[Column]) -> dict[str, int]:
    """field -> column index for one candidate header row (``parents``: the row above it)."""
    found: dict[str, int] = {}
    taken: set[int] = set()
    for col in columns:
        accepted = col.accepts()
        for c, forms in enumerate(labels):
            if c in taken or not forms:
                continue
            above = parents[c] if c < len(parents) else set()
            candidates = set(forms) | {f"{p} {f}" for p in above for f in forms if p != f}
            if candidates & accepted:
                found[col.field] = c
                taken.add(c)
                break
    return found


def _find_header(rows: list[list[Any]], columns: Sequence[Column], limit: int) -> tuple[int, dict[str, int]] | None:
    required = {c.field for c in columns if c.required}
    folded = [[_header_forms(v) for v in row] for row in rows[: limit + 1]]

    def match(r: int) -> dict[str, int]:
        return _match(folded[r], folded[r - 1] if r > 0 else [], columns)

    for r in range(min(limit, len(folded))):
        found = match(r)
        if required <= set(found) and found:
            while r + 1 < len(folded) and r + 1 <= limit:
                better = match(r + 1)
                if required <= set(better) and len(better) > len(found):
                    r, found = r + 1, better
                else:
                    break
            return r, found
    return None


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
    spans = any(r0 <= r <= r1 and c0 == c and c1 > c0 for r0, c0, r1, c1 in grid.merges)
    return text if spans or c not in used else None


def read_table(
    data: bytes,
    source: str,
    columns: Sequence[Column],
    *,
    sheet: str | None = None,
    max_header_rows: int = MAX_HEADER_ROWS,
) -> Table:
    """Every data row of ``data`` (an .xlsx workbook or a CSV file named ``source``).

    Raises :class:`QmsError` (one sentence) when the file cannot be read, the named sheet does not
    exist, or no sheet has a header with the required columns; rows themselves are not checked
    here (that is the caller's rule).  Line numbers are those the spreadsheet shows (1-based,
    header rows included); in a CSV, the record's number.
    """
    grids = _grids(data, source)
    if sheet is not None:
        chosen = [g for g in grids if g.name == sheet]
        if not chosen:
            names = ", ".join(g.name or "" for g in grids)
            raise QmsError(f"{source} has no sheet named '{sheet}' (sheets: {names}).",
                           vi=f"{source} không có trang tính tên '{sheet}' (có: {names}).")
        grids = chosen
    rows: list[SheetRow] = []
    sheets, skipped, found_fields, ignored = [], [], [], []
    header_lines: dict[str, int] = {}
    for grid in grids:
        filled = grid.filled()
        hit = _find_header(filled, columns, max_header_rows)
        if hit is None:
            skipped.append(grid.name or source)
            continue
        header_row, cols = hit
        sheets.append(grid.name or source)
        header_lines[grid.name or source] = header_row + 1
        used = set(cols.values())
        found_fields += [f for f in cols if f not in found_fields]
        header_folded = {c: fold(filled[header_row][c]) for c in used}
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
            if all(fold(values_row[c] if c < len(values_row) else None) == header_folded[c] for c in used):
                continue  # the header repeated (a printed list's page breaks)
            found = {f: (values_row[c] if c < len(values_row) else None) for f, c in cols.items()}
            if all(v is None for v in found.values()):
                continue
            values = {c.field: found.get(c.field) for c in columns}
            rows.append(SheetRow(grid.name, r + 1, values, section))
    if not sheets:
        wanted = ", ".join(f"'{c.header}'" for c in columns if c.required)
        where = f"the first {max_header_rows} rows" + (f" of sheets {', '.join(skipped)}" if grids[0].name else "")
        raise QmsError(
            f"{source}: no header row with the columns {wanted} was found in {where}.",
            vi=f"{source}: không tìm thấy dòng tiêu đề có các cột {wanted} trong {max_header_rows} dòng đầu"
               + (f" của các trang tính {', '.join(skipped)}" if grids[0].name else "") + ".",
        )
    return Table(source, rows, sheets, header_lines, found_fields, ignored, skipped)


# -- writing ----------------------------------------------------------------------------------------

def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """A workbook with one sheet per ``(name, headers, rows)``: bold frozen header, dates as real
    Excel dates shown dd/mm/yyyy, codes as text (a leading zero or "1.004940" survives).
    Written in openpyxl's streaming mode (a province's whole catalogue is thousands of rows)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    for name, headers, rows in sheets:
        ws = book.create_sheet(title=name[:31])
        widths = [len(str(h)) for h in headers]
        for row in rows:
            for i, v in enumerate(row):
                if v is not None:
                    widths[i] = max(widths[i], min(60, 10 if isinstance(v, dt.date) else len(str(v))))
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w + 2
        ws.freeze_panes = "A2"
        header = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in rows:
            out = []
            for v in row:
                if isinstance(v, dt.date):
                    v = WriteOnlyCell(ws, value=v)
                    v.number_format = "DD/MM/YYYY"
                out.append(v)
            ws.append(out)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def write_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel shows Vietnamese correctly); dates ISO."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
