"""The .xlsx half of :mod:`qms.workbook_reader`: a streaming reader of the workbook's XML parts.

Why not ``openpyxl.load_workbook``: it builds every cell of a merged range as an object (a range
over the whole sheet in a 2 KB file exhausts the memory), reads the whole shared-string table
before anything can be checked (one 300 MB string in a 300 KB file), and trusts the zip's
sizes.  Here the zip is checked first (declared sizes and ratios, before any XML is parsed),
then each part streams through expat with the limits counted as it goes, so a refusal comes as
soon as a limit is passed and nothing larger than a limit is ever held.  openpyxl still writes
workbooks and lends its date rules (:func:`openpyxl.styles.numbers.is_date_format`,
:func:`openpyxl.utils.datetime.from_excel`).

What is read: the visible worksheets in workbook order (hidden ones listed, chart sheets
empty), cell values as Excel saved them (a formula's saved result; shared, inline and rich
strings; numbers, booleans, errors as their text, dates by their number format, the 1904 date
system), ``_xHHHH_`` escapes as the character they stand for, and merged ranges.  A document
type declaration is refused (an .xlsx never has one; entities are how XML bombs work).
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
import zlib
from functools import lru_cache
from xml.parsers import expat

from qms.workbook_reader import CellValue, RawSheet, RawWorkbook, ReadLimits, cell_text, refuse

_CHUNK = 1 << 16
_MB = 1024 * 1024
_TOO_LONG = object()  # a shared string over the limit (refused when a cell uses it)
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


def _ref(text: str) -> tuple[int, int] | None:
    """``"B7"`` -> ``(7, 2)``; None for anything else."""
    m = _CELL_REF.match(text)
    return (int(m.group(2)), _column(m.group(1))) if m else None


def _range(text: str) -> tuple[int, int, int, int] | None:
    """``"A1:C4"`` -> ``(1, 1, 4, 3)``; a single cell is a 1x1 range; None for anything else."""
    first, _, last = text.partition(":")
    a, b = _ref(first), _ref(last or first)
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def unescape(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes as the characters they stand for (``_x000D_`` is a CR; a NUL
    written ``_x0000_`` comes back as a NUL, and the text rule then refuses it)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _local(name: str) -> str:
    return name.rpartition(":")[2]


class _Names(dict):
    """Element names without their namespace prefix (``x:c`` -> ``c``), cached: called per element."""

    def __missing__(self, name: str) -> str:
        local = self[name] = _local(name)
        return local


class _Part:
    """Streams zip members through expat within the workbook's unpacked-size budget."""

    def __init__(self, book: zipfile.ZipFile, filename: str, limits: ReadLimits):
        self.book, self.filename, self.limits = book, filename, limits
        self.left = limits.max_unpacked_bytes
        self.names = set(book.namelist())

    def parse(self, member: str, start, end=None, text=None) -> None:
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = _CHUNK
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        if text is not None:
            parser.CharacterDataHandler = text
        parser.StartDoctypeDeclHandler = self._doctype
        try:
            with self.book.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    self.left -= len(chunk)
                    if self.left < 0:
                        raise refuse(
                            f"{self.filename} unpacks to more than {self.limits.max_unpacked_bytes // _MB} MB; "
                            "it is not a spreadsheet an import can read.",
                            f"{self.filename} khi giải nén lớn hơn {self.limits.max_unpacked_bytes // _MB} MB; "
                            "đây không phải bảng tính có thể nhập.")
                    parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as e:
            raise self.damaged(f"{member}: {expat.ErrorString(e.code)} at line {e.lineno}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as e:
            raise self.damaged(f"{member}: {e}") from None

    def _doctype(self, *args) -> None:
        raise self.damaged("an XML document type declaration, which a workbook never holds")

    def damaged(self, why: str):
        return refuse(f"{self.filename} could not be read as an Excel .xlsx workbook ({why}).",
                      f"Không đọc được {self.filename} như một tệp Excel .xlsx ({why}).")


def _check_zip(data: bytes, filename: str, limits: ReadLimits) -> zipfile.ZipFile:
    """The zip, once its declared sizes pass the limits (before any part is unpacked)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        members = book.infolist()
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, NotImplementedError) as e:
        raise refuse(f"{filename} could not be read as an Excel .xlsx workbook ({e.__class__.__name__}: {e}).",
                     f"Không đọc được {filename} như một tệp Excel .xlsx ({e.__class__.__name__}: {e}).") from None
    if len(members) > 10_000:
        raise refuse(f"{filename} holds {len(members):,} parts; it is not a spreadsheet an import can read.",
                     f"{filename} có {len(members):,} phần; đây không phải bảng tính có thể nhập.")
    total = sum(m.file_size for m in members)
    if total > limits.max_unpacked_bytes:
        raise refuse(f"{filename} unpacks to {total / _MB:,.1f} MB, more than the {limits.max_unpacked_bytes // _MB} MB an import "
                     "reads; it is not a spreadsheet of that size.",
                     f"{filename} khi giải nén có {total / _MB:,.1f} MB, lớn hơn mức {limits.max_unpacked_bytes // _MB} MB được đọc.")
    for m in members:
        if m.file_size > _MB and m.file_size > limits.max_ratio * max(m.compress_size, 1):
            raise refuse(f"{filename}: its part {m.filename} unpacks {m.file_size // max(m.compress_size, 1):,} times its packed size "
                         f"(a spreadsheet: under {limits.max_ratio}); it is not a spreadsheet an import can read.",
                         f"{filename}: phần {m.filename} giải nén lớn gấp {m.file_size // max(m.compress_size, 1):,} lần "
                         f"(bảng tính thật: dưới {limits.max_ratio} lần); đây không phải bảng tính có thể nhập.")
        if m.flag_bits & 0x1:
            raise refuse(f"{filename} is password-protected; save it without a password and import it again.",
                         f"{filename} có mật khẩu; hãy lưu lại không có mật khẩu rồi nhập lại.")
    return book


# -- package structure ------------------------------------------------------------------------------

def _relationships(part: _Part, owner: str) -> dict[str, tuple[str, str]]:
    """``Id -> (type, target path in the zip)`` for the part ``owner`` (``""``: the package)."""
    folder, name = posixpath.split(owner)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    out: dict[str, tuple[str, str]] = {}
    if rels not in part.names:
        return out

    def start(tag, attrs):
        if _local(tag) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[attrs.get("Id", "")] = (attrs.get("Type", ""), path)

    part.parse(rels, start)
    return out


def _workbook(part: _Part) -> tuple[str, list[tuple[str, str, str]], bool]:
    """The workbook part's path, its sheets ``(name, state, relationship id)`` and whether it
    counts dates from 1904."""
    main = next((path for kind, path in _relationships(part, "").values() if kind.endswith("/officeDocument")), "xl/workbook.xml")
    if main not in part.names:
        raise part.damaged("no workbook part")
    sheets: list[tuple[str, str, str]] = []
    flags = {"1904": False}

    def start(tag, attrs):
        local = _local(tag)
        if local == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id" and ":" in k), "")
            sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), rid))
            if len(sheets) > part.limits.max_sheets:
                raise refuse(f"{part.filename} has more than {part.limits.max_sheets} sheets.",
                             f"{part.filename} có hơn {part.limits.max_sheets} trang tính.")
        elif local == "workbookPr":
            flags["1904"] = attrs.get("date1904") in ("1", "true")

    part.parse(main, start)
    return main, sheets, flags["1904"]


def _date_styles(part: _Part, member: str | None) -> frozenset[str]:
    """Indexes (as written in a cell's ``s``) of the cell formats that show a number as a date."""
    if member is None or member not in part.names:
        return frozenset()
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    custom: dict[int, str] = {}
    formats: list[int] = []
    state = {"xfs": False}

    def start(tag, attrs):
        local = _local(tag)
        if local == "numFmt":
            if len(custom) < 100_000:
                custom[int(attrs.get("numFmtId", "0") or 0)] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            state["xfs"] = True
        elif local == "xf" and state["xfs"]:
            if len(formats) < 100_000:
                formats.append(int(attrs.get("numFmtId", "0") or 0))

    def end(tag):
        if _local(tag) == "cellXfs":
            state["xfs"] = False

    try:
        part.parse(member, start, end)
    except ValueError:
        raise part.damaged("a number format that is not a number") from None
    return frozenset(str(i) for i, f in enumerate(formats) if is_date_format(custom.get(f) or BUILTIN_FORMATS.get(f)))


class _SharedStrings:
    """The shared-string table; a string over the cell limit is kept as a marker, not its text."""

    def __init__(self, part: _Part, member: str | None):
        self.items: list = []
        self.limits = part.limits
        self.filename = part.filename
        self._buf: list[str] = []
        self._chars = 0
        self._si = self._t = self._phonetic = False
        if member is not None and member in part.names:
            part.parse(member, self._start, self._end, self._text)

    def _start(self, tag, attrs):
        local = _local(tag)
        if local == "si":
            self._si, self._buf, self._chars = True, [], 0
            if len(self.items) >= self.limits.max_cells:
                raise refuse(f"{self.filename} holds more than {self.limits.max_cells:,} texts.",
                             f"{self.filename} có hơn {self.limits.max_cells:,} chuỗi văn bản.")
        elif local == "t" and self._si and not self._phonetic:
            self._t = True
        elif local == "rPh":
            self._phonetic = True

    def _text(self, data):
        if self._t:
            self._chars += len(data)
            if self._chars <= 7 * self.limits.max_cell_chars:  # an escape is 7 characters for one
                self._buf.append(data)

    def _end(self, tag):
        local = _local(tag)
        if local == "t":
            self._t = False
        elif local == "rPh":
            self._phonetic = False
        elif local == "si":
            self._si = False
            self.items.append(_TOO_LONG if self._chars > 7 * self.limits.max_cell_chars else unescape("".join(self._buf)))
            self._buf = []

    def get(self, index: str):
        try:
            return self.items[int(index)]
        except (ValueError, IndexError):
            return None


# -- one worksheet ----------------------------------------------------------------------------------

class _Sheet:
    """Streams one worksheet's XML into rows of values, counting every limit as it goes."""

    def __init__(self, name: str, part: _Part, strings: _SharedStrings, date_styles: frozenset[str], date1904: bool):
        self.name, self.part, self.strings, self.date_styles = name, part, strings, date_styles
        self.limits = part.limits
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
        self._names = _Names()

    def where(self, ref: str | tuple[int, int] | None = None) -> str:
        """The sheet (and cell: ``"B7"`` or ``(7, 2)``) as an error names it."""
        if isinstance(ref, tuple):
            ref = f"{_letters(ref[1])}{ref[0]}"
        return f"{self.part.filename}: sheet '{self.name}'" + (f" cell {ref}" if ref else "")

    def _refuse_size(self, what_en: str, what_vi: str):
        return refuse(f"{self.where()} {what_en}; split it into smaller files.",
                      f"{self.part.filename}: trang tính '{self.name}' {what_vi}; hãy chia thành các tệp nhỏ hơn.")

    def start(self, tag, attrs):
        local = self._names[tag]
        if local == "c":
            self.cells += 1
            if self.cells > self.limits.max_cells:
                raise self._refuse_size(f"holds more than {self.limits.max_cells:,} cells", f"có hơn {self.limits.max_cells:,} ô")
            ref = attrs.get("r")
            pos = _ref(ref) if ref else None
            if pos is None:
                if ref:
                    raise self.part.damaged(f"sheet '{self.name}': cell reference '{ref[:20]}'")
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
                raise refuse(f"{self.where(_letters(col) + str(row))} holds more than {self.limits.max_cell_chars:,} characters, "
                             "more than a cell holds.",
                             f"{self.part.filename}: trang tính '{self.name}' ô {_letters(col)}{row} có hơn "
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
        box = _range(ref)
        if box and (box[2] > self.limits.max_rows or box[3] > self.limits.max_columns):
            raise self._refuse_size(
                f"declares the range {ref}, more than {self.limits.max_rows:,} rows or {self.limits.max_columns} columns",
                f"khai báo vùng {ref}, nhiều hơn {self.limits.max_rows:,} dòng hoặc {self.limits.max_columns} cột")

    def _merge(self, ref: str) -> None:
        box = _range(ref)
        if box is None:
            raise self.part.damaged(f"sheet '{self.name}': merged range '{ref[:40]}'")
        r0, c0, r1, c1 = box
        self.merged_cells += (r1 - r0 + 1) * (c1 - c0 + 1)
        if len(self.merges) >= self.limits.max_merged_ranges or self.merged_cells > self.limits.max_merged_cells:
            raise refuse(
                f"{self.where()} merges more than {self.limits.max_merged_ranges:,} ranges or {self.limits.max_merged_cells:,} cells "
                f"(at {ref}); unmerge the cells and import again.",
                f"{self.part.filename}: trang tính '{self.name}' gộp hơn {self.limits.max_merged_ranges:,} vùng hoặc "
                f"{self.limits.max_merged_cells:,} ô (tại {ref}); hãy bỏ gộp ô rồi nhập lại.")
        self.merges.append(box)

    def _finish(self) -> None:
        row, col, kind, style = self._cell
        raw = self._value
        value: CellValue
        if kind == "inlineStr":
            value = unescape("".join(self._inline_text)) if self._inline_text else None
        elif raw is None or raw == "":
            value = None
        elif kind == "s":
            value = self.strings.get(raw)
            if value is _TOO_LONG:
                ref = f"{_letters(col)}{row}"
                raise refuse(f"{self.where(ref)} holds more than {self.limits.max_cell_chars:,} characters, more than a cell holds.",
                             f"{self.part.filename}: trang tính '{self.name}' ô {ref} có hơn {self.limits.max_cell_chars:,} ký tự, "
                             "quá giới hạn của một ô.")
            if value is None:
                raise self.part.damaged(f"sheet '{self.name}' cell {_letters(col)}{row}: text number {raw[:12]} does not exist")
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
                ref = f"{_letters(col)}{row}"
                raise refuse(
                    f"{self.where(ref)} holds a formula without a saved value (the file was written by a program that does not "
                    "calculate); open it in Excel or LibreOffice, save it, and import it again.",
                    f"{self.part.filename}: trang tính '{self.name}' ô {ref} có công thức nhưng không có giá trị đã tính (tệp do "
                    "một chương trình không tính toán tạo ra); hãy mở bằng Excel hoặc LibreOffice, lưu lại rồi nhập lại.")
            return
        if isinstance(value, str):
            value = cell_text(value, self.where, self.limits, (row, col))
            if value is None:
                return
        if row > self.limits.max_rows or col > self.limits.max_columns:
            ref = f"{_letters(col)}{row}"
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
        self.width = max(self.width, col)

    def _number(self, raw: str, style: str | None) -> CellValue:
        try:
            number: int | float = int(raw) if _INT.match(raw) else float(raw)
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


def read_xlsx(data: bytes, filename: str, limits: ReadLimits) -> RawWorkbook:
    """Every visible worksheet of the workbook ``data`` (see the module docstring)."""
    book = _check_zip(data, filename, limits)
    part = _Part(book, filename, limits)
    main, entries, date1904 = _workbook(part)
    rels = _relationships(part, main)
    by_kind = {kind.rsplit("/", 1)[-1]: path for kind, path in rels.values()}
    strings = _SharedStrings(part, by_kind.get("sharedStrings"))
    date_styles = _date_styles(part, by_kind.get("styles"))
    sheets, hidden = [], []
    for name, state, rid in entries:
        if state != "visible":
            hidden.append(name)
            continue
        kind, path = rels.get(rid, ("", ""))
        if not kind.endswith("/worksheet") or path not in part.names:
            sheets.append(RawSheet(name, []))  # a chart sheet, or a sheet without cells
            continue
        sheet = _Sheet(name, part, strings, date_styles, date1904)
        part.parse(path, sheet.start, sheet.end, sheet.text)
        sheets.append(sheet.result())
    return RawWorkbook(filename, sheets, hidden)
