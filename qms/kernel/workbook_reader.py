"""The one reader of imported spreadsheets: .xlsx and .csv bytes into located cell values.

Pure: bytes in, :class:`RawWorkbook` out (no database, no UI).  Every importer reads through it
(units, TTHC catalogues and processes through :func:`qms.kernel.spreadsheets.read_table`, status sheets
through :mod:`qms.status_import.sheet`), so a file meets the same limits and the same rules whichever
door it comes through:

- **limits before the work**, each a one-sentence refusal naming the file and the place
  (:class:`ReadLimits`): the file's size; for an .xlsx, the zip's declared and actual unpacked
  size and its compression ratio (checked before any XML is parsed); the sheets' declared
  dimensions, cell count, merged ranges (count and area) and each cell's or shared string's
  length, checked while the XML streams, before anything larger than the limit is held.  A
  merged range over the whole sheet, a million merged cells or a 300 MB string in a 2 KB file
  are refused in well under a second, with memory to match;
- **text**: NFC-normalised, non-breaking spaces made plain spaces, stripped (empty -> None);
  a cell holding a control character (NUL, ESC, ...) refuses the file, naming the cell
  (:mod:`qms.kernel.text_rules`: the one rule for text);
- **values**: real Excel dates as :class:`datetime.date` (a time of day kept as
  :class:`datetime.datetime`); numbers as int/float; a formula cell without a saved value (a file
  written by a program that does not calculate) refuses the file, naming the cell: reading it as
  blank would drop a row silently;
- **merged cells** are kept as ranges (:attr:`RawSheet.merges`); :meth:`RawSheet.filled` copies
  each range's value into the cells it spans;
- **hidden sheets** are not read (their data is invisible to the person who confirms) and are
  listed in :attr:`RawWorkbook.hidden`;
- **CSV**: UTF-8 (with or without a byte-order mark), separated by comma, semicolon or tab
  (the one that splits the first lines widest), any line ending (CR-only files from old Mac
  Excel included); a malformed file (an unterminated quote) is refused naming its line; a cell
  written as ``'=...`` by :mod:`qms.kernel.spreadsheet_writing` (formula protection) reads back as
  ``=...``.

Row numbers are those a spreadsheet program shows (CSV: the record's number, header included).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import PurePath

from qms.kernel.text_rules import CONTROL_CHARACTERS
from qms.kernel.workbook_cells import _MB, LIMITS, CellValue, RawSheet, RawWorkbook, ReadLimits, cell_text, refuse  # noqa: F401  (the readers' names)
from qms.kernel.xlsx_reader import read_xlsx


def decode(data: bytes, source: str) -> str:
    """UTF-8 text (a byte-order mark from Excel is dropped); any other encoding is refused."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise refuse(
            f"{source} is not UTF-8 text (byte {e.start}); save it from the spreadsheet as 'CSV UTF-8' or as .xlsx.",
            f"{source} không phải văn bản UTF-8 (byte {e.start}); hãy lưu lại từ bảng tính dạng 'CSV UTF-8' hoặc .xlsx.",
        ) from None


_OLE = b"\xd0\xcf\x11\xe0"
_TEXT_SUFFIXES = ("", ".csv", ".txt")


def read_workbook(data: bytes, filename: str, *, limits: ReadLimits = LIMITS, hidden_too: tuple[str, ...] = ()) -> RawWorkbook:
    """Every visible sheet of an .xlsx (told by its zip signature or its name), or the one table
    of a CSV; an old .xls or another kind of file is refused in one sentence.  ``hidden_too``:
    hidden sheets of these names are read as well (a file qms wrote that keeps its own data
    hidden, such as an offline audit workbook's identity)."""
    if len(data) > limits.max_file_bytes:
        raise refuse(f"{filename} is {len(data) / _MB:.1f} MB, larger than the {limits.max_file_bytes // _MB} MB an import accepts.",
                     f"{filename} có dung lượng {len(data) / _MB:.1f} MB, lớn hơn mức {limits.max_file_bytes // _MB} MB được nhập.")
    suffix = PurePath(filename).suffix.lower()
    if data[:4] == _OLE or suffix == ".xls":
        raise refuse(f"{filename} is an old Excel .xls file; open it in Excel and save it as .xlsx (or CSV UTF-8).",
                     f"{filename} là tệp Excel .xls cũ; hãy mở bằng Excel và lưu lại dạng .xlsx (hoặc CSV UTF-8).")
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        return read_xlsx(data, filename, limits, hidden_too)
    if suffix not in _TEXT_SUFFIXES:
        raise refuse(f"{filename}: only .xlsx and .csv files can be imported.",
                     f"{filename}: chỉ nhập được tệp .xlsx hoặc .csv.")
    return _read_csv(data, filename, limits)


# -- CSV --------------------------------------------------------------------------------------------

def _delimiter(text: str) -> str:
    """The separator that splits the widest record among the first ones (Excel in a Vietnamese
    locale writes ";"; quoted cells may hold the other separators, which the reader respects)."""
    sample = text[:65536]

    def width(delimiter: str) -> int:
        widest = 0
        try:
            for i, record in enumerate(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)):
                widest = max(widest, len(record))
                if i >= 20:
                    break
        except csv.Error:
            pass
        return widest

    return max((",", ";", "\t"), key=width)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str):
    """The lines of ``text`` with their endings (CR, LF or CRLF), one at a time: what the csv
    module needs, without the copy of the whole text an ``io.StringIO`` holds (4 bytes a
    character once the text is not ASCII)."""
    return (m.group() for m in _LINE.finditer(text))


def _read_csv(data: bytes, filename: str, limits: ReadLimits) -> RawWorkbook:
    from qms.kernel.spreadsheet_writing import csv_unprotect

    text = decode(data, filename)
    reader = csv.reader(_lines(text), delimiter=_delimiter(text), strict=True)
    rows: list[tuple[int, list[CellValue]]] = []
    cells, number = 0, 0
    # a file without control characters, over-long cells, non-breaking spaces or text to
    # normalise (the usual one) needs no check per cell: the per-cell path runs only when needed
    careful = (CONTROL_CHARACTERS.search(text) is not None or "\u00a0" in text or "\u202f" in text
               or "'" in text or not unicodedata.is_normalized("NFC", text))
    limit = limits.max_cell_chars
    try:
        for number, record in enumerate(reader, start=1):
            if number > limits.max_rows:
                raise refuse(f"{filename} has more than {limits.max_rows:,} lines; split it into smaller files.",
                             f"{filename} có hơn {limits.max_rows:,} dòng; hãy chia thành các tệp nhỏ hơn.")
            if len(record) > limits.max_columns:
                raise refuse(f"{filename}: line {number} has {len(record):,} cells, more than the {limits.max_columns} columns an import reads.",
                             f"{filename}: dòng {number} có {len(record):,} ô, nhiều hơn {limits.max_columns} cột được đọc.")
            cells += len(record)
            if cells > limits.max_cells:
                raise refuse(f"{filename} has more than {limits.max_cells:,} cells; split it into smaller files.",
                             f"{filename} có hơn {limits.max_cells:,} ô; hãy chia thành các tệp nhỏ hơn.")
            if careful or any(len(v) > limit for v in record):
                values = [cell_text(csv_unprotect(v), f"{filename}: line {number}, column {c}", limits)
                          for c, v in enumerate(record, start=1)]
            else:
                values = [v.strip() or None for v in record]
            rows.append((number, values))
    except csv.Error as e:
        line = number + 1
        if "field larger than field limit" in str(e):
            raise refuse(f"{filename}: line {line} holds a cell longer than {limits.max_cell_chars:,} characters, more than a cell holds.",
                         f"{filename}: dòng {line} có một ô dài hơn {limits.max_cell_chars:,} ký tự, quá giới hạn của một ô.") from None
        raise refuse(f"{filename}: line {line} is not valid CSV ({e}); check its quotes (\"), or save the file again as CSV UTF-8.",
                     f"{filename}: dòng {line} không đúng định dạng CSV ({e}); hãy kiểm tra dấu ngoặc kép (\") hoặc lưu lại tệp "
                     "dạng CSV UTF-8.") from None
    while rows and not any(v is not None for v in rows[-1][1]):
        rows.pop()
    return RawWorkbook(filename, [RawSheet(filename, [r for r in rows if any(v is not None for v in r[1])])], is_csv=True)
