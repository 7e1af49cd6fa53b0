"""Reading a province's status spreadsheet (.xlsx or .csv) into raw, located cell grids.

Pure: bytes in, :class:`RawSheet` grids out; what the cells mean is :mod:`qms.status_import`'s
question.  What this reader guarantees, because province sheets need it:

- **merged cells** carry their value into every cell they cover (a header ``Công bố`` merged
  over two columns, a ``Mã đơn vị`` merged over two header rows, a district name merged down
  its communes);
- **real Excel dates** arrive as :class:`datetime.date`; text stays text (dd/mm/yyyy is read
  later, with the column's name in the error);
- **text is NFC**: names typed on a Mac or pasted from a PDF are often NFD;
- **row numbers are the ones a spreadsheet program shows** (CSV: the record's number, header
  included), so an error's "row 7" is where the officer looks;
- hidden sheets are not read (their data is invisible to the officer who confirms) and are
  listed in ``RawWorkbook.skipped``.

This is a small, purpose-built reader written before the shared :mod:`qms.spreadsheets`
existed; it can be replaced by it as long as that module keeps these guarantees.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field

from qms.errors import QmsError
from qms.units_import import decode

#: Largest file accepted: a province's sheet is a few hundred rows; anything far bigger is a
#: wrong file, and reading it would hold the app's memory.
MAX_BYTES = 20 * 1024 * 1024

CellValue = str | int | float | bool | dt.date | None


@dataclass(frozen=True)
class RawSheet:
    """One sheet: ``rows`` are ``(row number, cell values)``; trailing empty rows are dropped."""

    name: str
    rows: list[tuple[int, list[CellValue]]]


@dataclass(frozen=True)
class RawWorkbook:
    filename: str
    sheets: list[RawSheet]
    skipped: list[str] = field(default_factory=list)  # hidden sheets, not read


def _clean(value: object) -> CellValue:
    """A cell's value as the importer reads it: NFC text, dates without time, numbers as is."""
    if value is None:
        return None
    if isinstance(value, str):
        text = unicodedata.normalize("NFC", value).replace("\u00a0", " ").strip()
        return text or None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, (dt.date, bool, int, float)):
        return value
    if isinstance(value, dt.time):  # a time-only cell is no date: keep it visible as text
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip() or None


def _trim(rows: list[tuple[int, list[CellValue]]]) -> list[tuple[int, list[CellValue]]]:
    while rows and not any(v is not None for v in rows[-1][1]):
        rows.pop()
    return rows


def _read_xlsx(data: bytes, filename: str) -> RawWorkbook:
    import openpyxl  # imported here: the CSV path and the rest of the domain do not need it

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise QmsError(
            f"{filename} is not an .xlsx workbook (an old .xls file or another format); save it from the spreadsheet as .xlsx.",
            vi=f"{filename} không phải tệp .xlsx (có thể là tệp .xls cũ hoặc định dạng khác); hãy lưu lại từ bảng tính dạng .xlsx.",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged file
        raise QmsError(f"{filename} cannot be read as an .xlsx workbook ({e}).",
                       vi=f"Không đọc được {filename} như tệp .xlsx ({e}).") from e
    sheets, skipped = [], []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            skipped.append(ws.title)
            continue
        grid = [[_clean(v) for v in row] for row in ws.iter_rows(values_only=True)]
        for rng in ws.merged_cells.ranges:
            top = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(grid) else None
            for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
                row = grid[r]
                for c in range(rng.min_col - 1, rng.max_col):
                    if c < len(row):
                        row[c] = top
        sheets.append(RawSheet(ws.title, _trim([(i, row) for i, row in enumerate(grid, start=1)])))
    return RawWorkbook(filename, sheets, skipped)


def _read_csv(data: bytes, filename: str) -> RawWorkbook:
    text = decode(data, filename)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [(i, [_clean(v) for v in rec]) for i, rec in enumerate(csv.reader(io.StringIO(text), dialect), start=1)]
    return RawWorkbook(filename, [RawSheet(filename, _trim(rows))])


def read_workbook(data: bytes, filename: str) -> RawWorkbook:
    """Every visible sheet of an .xlsx, or the one table of a .csv (UTF-8, comma, semicolon or
    tab separated), chosen by the file name's extension; any other file is refused."""
    if len(data) > MAX_BYTES:
        raise QmsError(f"{filename} is larger than {MAX_BYTES // (1024 * 1024)} MB; a status sheet is far smaller.",
                       vi=f"{filename} lớn hơn {MAX_BYTES // (1024 * 1024)} MB; bảng tình trạng nhỏ hơn nhiều.")
    lower = filename.lower()
    if lower.endswith(".xlsx") or lower.endswith(".xlsm"):
        return _read_xlsx(data, filename)
    if lower.endswith(".csv") or lower.endswith(".txt"):
        return _read_csv(data, filename)
    raise QmsError(f"{filename}: only .xlsx and .csv files can be imported.",
                   vi=f"{filename}: chỉ nhập được tệp .xlsx hoặc .csv.")
