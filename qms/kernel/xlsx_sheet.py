"""One worksheet of an .xlsx, streamed: the hot loop of :mod:`qms.kernel.xlsx_reader`.

:class:`SheetStream` is fed the worksheet part's XML events by expat (through
:class:`qms.kernel.xlsx_reader.Part`) and builds the sheet's rows of values, counting every limit of
:class:`qms.kernel.workbook_cells.ReadLimits` as it goes: the declared dimension before any cell, then
each cell (count, grid, position, text length) and each merged range (count, area).  A cell's
value is what Excel saved: shared, inline or rich text, a number (a date when its number
format is one), a boolean, an error's text, a formula's saved result; a formula without a
saved value refuses the file, naming the cell.  The helpers (cell references, Excel's
``_xHHHH_`` escapes) are shared with the package reader.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from qms.kernel.workbook_cells import CellValue, RawSheet, cell_text, refuse

if TYPE_CHECKING:
    from qms.kernel.xlsx_reader import Part, SharedStrings

TOO_LONG = object()  # a shared string over the limit (refused when a cell uses it)
_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_INT = re.compile(r"^[+-]?\d{1,15}$")
#: Day 0 of Excel's 1900 date system for serials from 61 on (1 March 1900; before it, Excel's
#: fictitious 29 February 1900 shifts the count by one: openpyxl's ``from_excel`` handles those).
_WINDOWS_DAY0 = dt.date(1899, 12, 30)


@lru_cache(maxsize=4096)
def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def parse_ref(text: str) -> tuple[int, int] | None:
    """``"B7"`` -> ``(7, 2)``; None for anything else."""
    m = _CELL_REF.match(text)
    return (int(m.group(2)), _column(m.group(1))) if m else None


def cell_range(text: str) -> tuple[int, int, int, int] | None:
    """``"A1:C4"`` -> ``(1, 1, 4, 3)``; a single cell is a 1x1 range; None for anything else."""
    first, _, last = text.partition(":")
    a, b = parse_ref(first), parse_ref(last or first)
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def letters(col: int) -> str:
    """``2`` -> ``"B"`` (for refusals: a cell's name as the spreadsheet shows it)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def unescape(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes as the characters they stand for (``_x000D_`` is a CR; a NUL
    written ``_x0000_`` comes back as a NUL, and the text rule then refuses it)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def local(name: str) -> str:
    """An element or attribute name without its namespace prefix."""
    return name.rpartition(":")[2]


class Names(dict):
    """Element names without their namespace prefix (``x:c`` -> ``c``), cached: called per element."""

    def __missing__(self, name: str) -> str:
        value = self[name] = local(name)
        return value


class SheetStream:
    """Streams one worksheet's XML into rows of values, counting every limit as it goes."""

    def __init__(self, name: str, part: Part, strings: SharedStrings, date_styles: frozenset[str], date1904: bool):
        self.name, self.strings, self.date_styles = name, strings, date_styles
        self.filename, self.limits, self.damaged = part.filename, part.limits, part.damaged
        self.epoch = dt.datetime(1904, 1, 1) if date1904 else None
        self.rows: dict[int, list[CellValue]] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.merged_cells = 0
        self.cells = 0
        self.grid = 0
        self.width = 0
        self.row = 0
        self.col = 0
        self._capture = False
        self._buf: list[str] = []
        self._chars = 0
        self._inline = self._phonetic = False
        self._cell: tuple[int, int, str, str | None] | None = None
        self._value: str | None = None
        self._formula = False
        self._inline_text: list[str] = []
        self._names = Names()

    def where(self, ref: str | tuple[int, int] | None = None) -> str:
        """The sheet (and cell: ``"B7"`` or ``(7, 2)``) as an error names it."""
        if isinstance(ref, tuple):
            ref = f"{letters(ref[1])}{ref[0]}"
        return f"{self.filename}: sheet '{self.name}'" + (f" cell {ref}" if ref else "")

    def _refuse_size(self, what_en: str, what_vi: str):
        return refuse(f"{self.where()} {what_en}; split it into smaller files.",
                      f"{self.filename}: trang tính '{self.name}' {what_vi}; hãy chia thành các tệp nhỏ hơn.")

    def start(self, tag, attrs):
        local = self._names[tag]
        if local == "c":
            self.cells += 1
            if self.cells > self.limits.max_cells:
                raise self._refuse_size(f"holds more than {self.limits.max_cells:,} cells", f"có hơn {self.limits.max_cells:,} ô")
            ref = attrs.get("r")
            pos = parse_ref(ref) if ref else None
            if pos is None:
                if ref:
                    raise self.damaged(f"sheet '{self.name}': cell reference '{ref[:20]}'")
                pos = (self.row, self.col + 1)
            self.col = pos[1]
            self._cell = (pos[0], pos[1], attrs.get("t", "n"), attrs.get("s"))
            self._value, self._formula, self._inline_text = None, False, []
        elif local == "v":
            self._capture, self._buf, self._chars = True, [], 0
        elif local == "t":
            if self._inline and not self._phonetic:
                self._capture, self._buf, self._chars = True, [], 0
        elif local == "f":
            self._formula = True
        elif local == "is":
            self._inline = True
        elif local == "rPh":
            self._phonetic = True
        elif local == "row":
            r = attrs.get("r")
            self.row = int(r) if r and r.isdigit() else self.row + 1
            self.col = 0
        elif local == "dimension":
            self._dimension(attrs.get("ref", ""))
        elif local == "mergeCell":
            self._merge(attrs.get("ref", ""))

    def text(self, data):
        if self._capture:
            self._chars += len(data)
            if self._chars > 7 * self.limits.max_cell_chars:
                row, col = self._cell[:2] if self._cell else (self.row, self.col)
                raise refuse(f"{self.where(letters(col) + str(row))} holds more than {self.limits.max_cell_chars:,} characters, "
                             "more than a cell holds.",
                             f"{self.filename}: trang tính '{self.name}' ô {letters(col)}{row} có hơn "
                             f"{self.limits.max_cell_chars:,} ký tự, quá giới hạn của một ô.")
            self._buf.append(data)

    def end(self, tag):
        local = self._names[tag]
        if local == "v":
            self._capture = False
            self._value = "".join(self._buf)
        elif local == "t":
            if self._capture:
                self._capture = False
                self._inline_text.append("".join(self._buf))
        elif local == "is":
            self._inline = False
        elif local == "rPh":
            self._phonetic = False
        elif local == "c":
            self._finish()

    def _dimension(self, ref: str) -> None:
        box = cell_range(ref)
        if box and (box[2] > self.limits.max_rows or box[3] > self.limits.max_columns):
            raise self._refuse_size(
                f"declares the range {ref}, more than {self.limits.max_rows:,} rows or {self.limits.max_columns} columns",
                f"khai báo vùng {ref}, nhiều hơn {self.limits.max_rows:,} dòng hoặc {self.limits.max_columns} cột")

    def _merge(self, ref: str) -> None:
        box = cell_range(ref)
        if box is None:
            raise self.damaged(f"sheet '{self.name}': merged range '{ref[:40]}'")
        r0, c0, r1, c1 = box
        self.merged_cells += (r1 - r0 + 1) * (c1 - c0 + 1)
        if len(self.merges) >= self.limits.max_merged_ranges:
            raise refuse(f"{self.where()} has more than {self.limits.max_merged_ranges:,} merged ranges (at {ref}); "
                         "unmerge the cells and import again.",
                         f"{self.filename}: trang tính '{self.name}' có hơn {self.limits.max_merged_ranges:,} vùng ô gộp "
                         f"(tại {ref}); hãy bỏ gộp ô rồi nhập lại.")
        if self.merged_cells > self.limits.max_merged_cells:
            raise refuse(f"{self.where()} merges more than {self.limits.max_merged_cells:,} cells (at {ref}); "
                         "unmerge the cells and import again.",
                         f"{self.filename}: trang tính '{self.name}' gộp hơn {self.limits.max_merged_cells:,} ô "
                         f"(tại {ref}); hãy bỏ gộp ô rồi nhập lại.")
        self.merges.append(box)

    def _finish(self) -> None:
        row, col, kind, style = self._cell
        raw = self._value
        value: CellValue
        if kind == "n" and raw:  # the common case first: this runs once per cell
            value = self._number(raw, style)
        elif kind == "inlineStr":
            value = unescape("".join(self._inline_text)) if self._inline_text else None
        elif raw is None or raw == "":
            value = None
        elif kind == "s":
            value = self.strings.get(raw)
            if value is TOO_LONG:
                ref = f"{letters(col)}{row}"
                raise refuse(f"{self.where(ref)} holds more than {self.limits.max_cell_chars:,} characters, more than a cell holds.",
                             f"{self.filename}: trang tính '{self.name}' ô {ref} có hơn {self.limits.max_cell_chars:,} ký tự, "
                             "quá giới hạn của một ô.")
            if value is None:
                raise self.damaged(f"sheet '{self.name}' cell {letters(col)}{row}: text number {raw[:12]} does not exist")
        elif kind == "b":
            value = raw.strip() in ("1", "true")
        elif kind in ("str", "e"):
            value = unescape(raw)
        elif kind == "d":
            value = _iso_date(raw)
        else:
            value = self._number(raw, style)
        if value is None:
            if self._formula:
                ref = f"{letters(col)}{row}"
                raise refuse(
                    f"{self.where(ref)} holds a formula without a saved value (the file was written by a program that does not "
                    "calculate); open it in Excel or LibreOffice, save it, and import it again.",
                    f"{self.filename}: trang tính '{self.name}' ô {ref} có công thức nhưng không có giá trị đã tính (tệp do "
                    "một chương trình không tính toán tạo ra); hãy mở bằng Excel hoặc LibreOffice, lưu lại rồi nhập lại.")
            return
        if isinstance(value, str):
            value = cell_text(value, self.where, self.limits, (row, col))
            if value is None:
                return
        if row > self.limits.max_rows or col > self.limits.max_columns:
            ref = f"{letters(col)}{row}"
            raise self._refuse_size(f"has a value in cell {ref}, beyond {self.limits.max_rows:,} rows or {self.limits.max_columns} columns",
                                    f"có giá trị ở ô {ref}, ngoài {self.limits.max_rows:,} dòng hoặc {self.limits.max_columns} cột")
        values = self.rows.get(row)
        if values is None:
            values = self.rows[row] = []
        if col > len(values):
            self.grid += col - len(values)
            if self.grid > self.limits.max_cells:
                raise self._refuse_size(f"spans more than {self.limits.max_cells:,} cells", f"trải trên hơn {self.limits.max_cells:,} ô")
            values.extend([None] * (col - len(values)))
        values[col - 1] = value
        if col > self.width:
            self.width = col

    def _number(self, raw: str, style: str | None) -> CellValue:
        try:
            number: int | float = int(raw) if (raw.isdigit() and len(raw) < 16) or _INT.match(raw) else float(raw)
        except ValueError:
            return unescape(raw)  # not a number after all: keep what the cell says
        if style in self.date_styles:
            return _serial_date(number, self.epoch)
        return number

    def result(self) -> RawSheet:
        numbers = sorted(self.rows)
        last = numbers[-1] if numbers else 0
        merges = tuple((r0, c0, min(r1, last), min(c1, self.width)) for r0, c0, r1, c1 in self.merges
                       if r0 <= last and c0 <= self.width)
        return RawSheet(self.name, [(n, self.rows[n]) for n in numbers], merges)


def _serial_date(number: int | float, epoch: dt.datetime | None) -> CellValue:
    """A date-formatted number as a date (or a date and time); a number no calendar holds stays a
    number (the importer then says it is not a date)."""
    if not 0 <= number < 2_958_466:
        return number
    if epoch is None and isinstance(number, int) and number >= 61:
        return _WINDOWS_DAY0 + dt.timedelta(days=number)  # the usual case, without openpyxl's general path
    from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

    try:
        value = from_excel(number, epoch or WINDOWS_EPOCH)
    except (OverflowError, ValueError):
        return number
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, dt.time):
        return value.isoformat()  # a time-only cell is no date: keep it visible as text
    return value


def _iso_date(raw: str) -> CellValue:
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return raw
    return value.date() if value.time() == dt.time(0) else value
