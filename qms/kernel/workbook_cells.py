"""The cells, sheets and limits of an imported spreadsheet, and the one rule for a text cell.

Shared by the reader's two halves (:mod:`qms.kernel.workbook_reader` for CSV and the dispatch,
:mod:`qms.kernel.xlsx_reader` and :mod:`qms.kernel.xlsx_sheet` for .xlsx), so that neither
imports the other back.  Pure.
"""

from __future__ import annotations

import bisect
import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from qms.kernel.errors import QmsError
from qms.kernel.text_rules import control_character

CellValue = str | int | float | bool | dt.date | dt.datetime | None

_MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """What an imported file may hold.  Far above any real province's file (a national TTHC
    catalogue of 100,000 rows is 4 MB as .xlsx and 15 MB as CSV), far below what would hold the
    app's memory or time."""

    max_file_bytes: int = 20 * _MB
    #: Unpacked size of an .xlsx's parts together (its XML).
    max_unpacked_bytes: int = 200 * _MB
    #: Unpacked / packed size of one part over 1 MB (real workbooks: 5 to 15).
    max_ratio: int = 100
    max_sheets: int = 100
    max_rows: int = 200_000
    max_columns: int = 256
    #: Cells of a sheet: cell elements, and the grid they span (rows times used width); reading
    #: a million cells takes seconds (100,000 catalogue rows of 8 columns are 800,000).
    max_cells: int = 1_000_000
    max_merged_ranges: int = 10_000
    #: Cells covered by a sheet's merged ranges together.
    max_merged_cells: int = 200_000
    #: Excel's own limit for one cell.
    max_cell_chars: int = 32_767


LIMITS = ReadLimits()


@dataclass(frozen=True)
class RawSheet:
    """One sheet: ``rows`` are ``(row number, cell values from column A)``, rows without any value
    left out; ``merges`` are ``(first row, first column, last row, last column)``, 1-based and
    inclusive, clamped to the cells the sheet holds."""

    name: str
    rows: list[tuple[int, list[CellValue]]]
    merges: tuple[tuple[int, int, int, int], ...] = ()

    def filled(self) -> list[tuple[int, list[CellValue]]]:
        """The rows with each merged range's value (its top-left cell's) copied into every cell it
        spans, on the rows the sheet holds (a merged range over empty rows adds none)."""
        if not self.merges:
            return list(self.rows)
        out = [(n, list(values)) for n, values in self.rows]
        numbers = [n for n, _ in out]
        by_number = {n: values for n, values in out}
        for r0, c0, r1, c1 in self.merges:
            top = by_number.get(r0)
            value = top[c0 - 1] if top is not None and c0 - 1 < len(top) else None
            for i in range(bisect.bisect_left(numbers, r0), bisect.bisect_right(numbers, r1)):
                values = out[i][1]
                if len(values) < c1:
                    values.extend([None] * (c1 - len(values)))
                values[c0 - 1:c1] = [value] * (c1 - c0 + 1)
        return out


@dataclass(frozen=True)
class RawWorkbook:
    filename: str
    sheets: list[RawSheet]
    hidden: list[str] = field(default_factory=list)  # hidden sheets, not read
    is_csv: bool = False


def refuse(en: str, vi: str) -> QmsError:
    """The error a refused file raises (one sentence in each language)."""
    return QmsError(en, vi=vi)


def cell_text(text: str, where, limits: ReadLimits = LIMITS, at=None) -> str | None:
    """A text cell as importers read it: NFC, non-breaking spaces as spaces, stripped, empty ->
    None.  Refuses a control character or a cell longer than Excel's limit, naming the place:
    ``where`` is its text ("x.xlsx: sheet 'A' cell B7"), or a function making it from ``at``
    (called only on a refusal: this runs for every cell)."""
    if callable(where):
        if len(text) <= limits.max_cell_chars and control_character(text) is None:
            text = unicodedata.normalize("NFC", text)
            if "\u00a0" in text or "\u202f" in text:
                text = text.replace("\u00a0", " ").replace("\u202f", " ")
            return text.strip() or None
        where = where(at)
    if len(text) > limits.max_cell_chars:
        raise refuse(f"{where} holds {len(text):,} characters; a cell holds at most {limits.max_cell_chars:,}.",
                     f"{where} có {len(text):,} ký tự; một ô chứa tối đa {limits.max_cell_chars:,} ký tự.")
    char = control_character(text)
    if char:
        raise refuse(f"{where} holds a control character ({char}), which is not text; remove it and import again.",
                     f"{where} có ký tự điều khiển ({char}), không phải chữ; hãy xoá ký tự đó rồi nhập lại.")
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u202f", " ").strip()
    return text or None
