"""The .xlsx half of :mod:`qms.kernel.workbook_reader`: a streaming reader of the workbook's XML parts.

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

import io
import posixpath
import struct
import zipfile
import zlib
from xml.parsers import expat

from qms.kernel.workbook_cells import RawSheet, RawWorkbook, ReadLimits, refuse
from qms.kernel.xlsx_sheet import TOO_LONG, SheetStream, local, unescape

_CHUNK = 1 << 16
_MB = 1024 * 1024
#: What the zipfile module raises for a damaged archive (a bad offset is a ValueError from a
#: negative seek, a cut header a struct.error; found by the fuzzing of damaged workbooks).
#: What the zipfile module raises on a damaged, encrypted or oddly compressed zip: every reader of an
#: untrusted zip (workbooks, the evidence zip, a province's snapshot zip) catches all of these.
DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, ValueError, EOFError, NotImplementedError, RuntimeError, OSError, struct.error)


class Part:
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
        except DAMAGED_ZIP as e:  # a damaged zip: the zipfile module raises all of these
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
    except DAMAGED_ZIP as e:
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

def _relationships(part: Part, owner: str) -> dict[str, tuple[str, str]]:
    """``Id -> (type, target path in the zip)`` for the part ``owner`` (``""``: the package)."""
    folder, name = posixpath.split(owner)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    out: dict[str, tuple[str, str]] = {}
    if rels not in part.names:
        return out

    def start(tag, attrs):
        if local(tag) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[attrs.get("Id", "")] = (attrs.get("Type", ""), path)

    part.parse(rels, start)
    return out


def _workbook(part: Part) -> tuple[str, list[tuple[str, str, str]], bool]:
    """The workbook part's path, its sheets ``(name, state, relationship id)`` and whether it
    counts dates from 1904."""
    main = next((path for kind, path in _relationships(part, "").values() if kind.endswith("/officeDocument")), "xl/workbook.xml")
    if main not in part.names:
        raise part.damaged("no workbook part")
    sheets: list[tuple[str, str, str]] = []
    flags = {"1904": False}

    def start(tag, attrs):
        tag = local(tag)
        if tag == "sheet":
            rid = next((v for k, v in attrs.items() if local(k) == "id" and ":" in k), "")
            sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), rid))
            if len(sheets) > part.limits.max_sheets:
                raise refuse(f"{part.filename} has more than {part.limits.max_sheets} sheets.",
                             f"{part.filename} có hơn {part.limits.max_sheets} trang tính.")
        elif tag == "workbookPr":
            flags["1904"] = attrs.get("date1904") in ("1", "true")

    part.parse(main, start)
    return main, sheets, flags["1904"]


def _date_styles(part: Part, member: str | None) -> frozenset[str]:
    """Indexes (as written in a cell's ``s``) of the cell formats that show a number as a date."""
    if member is None or member not in part.names:
        return frozenset()
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    custom: dict[int, str] = {}
    formats: list[int] = []
    state = {"xfs": False}

    def start(tag, attrs):
        tag = local(tag)
        if tag == "numFmt":
            if len(custom) < 100_000:
                custom[int(attrs.get("numFmtId", "0") or 0)] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            state["xfs"] = True
        elif tag == "xf" and state["xfs"]:
            if len(formats) < 100_000:
                formats.append(int(attrs.get("numFmtId", "0") or 0))

    def end(tag):
        if local(tag) == "cellXfs":
            state["xfs"] = False

    try:
        part.parse(member, start, end)
    except ValueError:
        raise part.damaged("a number format that is not a number") from None
    return frozenset(str(i) for i, f in enumerate(formats) if is_date_format(custom.get(f) or BUILTIN_FORMATS.get(f)))


class SharedStrings:
    """The shared-string table; a string over the cell limit is kept as a marker, not its text."""

    def __init__(self, part: Part, member: str | None):
        self.items: list = []
        self.limits = part.limits
        self.filename = part.filename
        self._buf: list[str] = []
        self._chars = 0
        self._si = self._t = self._phonetic = False
        if member is not None and member in part.names:
            part.parse(member, self._start, self._end, self._text)

    def _start(self, tag, attrs):
        tag = local(tag)
        if tag == "si":
            self._si, self._buf, self._chars = True, [], 0
            if len(self.items) >= self.limits.max_cells:
                raise refuse(f"{self.filename} holds more than {self.limits.max_cells:,} texts.",
                             f"{self.filename} có hơn {self.limits.max_cells:,} chuỗi văn bản.")
        elif tag == "t" and self._si and not self._phonetic:
            self._t = True
        elif tag == "rPh":
            self._phonetic = True

    def _text(self, data):
        if self._t:
            self._chars += len(data)
            if self._chars <= 7 * self.limits.max_cell_chars:  # an escape is 7 characters for one
                self._buf.append(data)

    def _end(self, tag):
        tag = local(tag)
        if tag == "t":
            self._t = False
        elif tag == "rPh":
            self._phonetic = False
        elif tag == "si":
            self._si = False
            self.items.append(TOO_LONG if self._chars > 7 * self.limits.max_cell_chars else unescape("".join(self._buf)))
            self._buf = []

    def get(self, index: str):
        try:
            return self.items[int(index)]
        except (ValueError, IndexError):
            return None


def read_xlsx(data: bytes, filename: str, limits: ReadLimits, hidden_too: tuple[str, ...] = ()) -> RawWorkbook:
    """Every visible worksheet of the workbook ``data`` (see the module docstring)."""
    book = _check_zip(data, filename, limits)
    part = Part(book, filename, limits)
    main, entries, date1904 = _workbook(part)
    rels = _relationships(part, main)
    by_kind = {kind.rsplit("/", 1)[-1]: path for kind, path in rels.values()}
    strings = SharedStrings(part, by_kind.get("sharedStrings"))
    date_styles = _date_styles(part, by_kind.get("styles"))
    sheets, hidden = [], []
    for name, state, rid in entries:
        if state != "visible" and name not in hidden_too:
            hidden.append(name)
            continue
        kind, path = rels.get(rid, ("", ""))
        if not kind.endswith("/worksheet") or path not in part.names:
            sheets.append(RawSheet(name, []))  # a chart sheet, or a sheet without cells
            continue
        sheet = SheetStream(name, part, strings, date_styles, date1904)
        part.parse(path, sheet.start, sheet.end, sheet.text)
        sheets.append(sheet.result())
    return RawWorkbook(filename, sheets, hidden)
