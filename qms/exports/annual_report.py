"""The yearly provincial report to the Ministry (Decision 19 Art. 12.6, Annex II style) as .xlsx.

The counts are :func:`qms.exports.annual_report_queries.annual_counts`; this module only lays them out:
a title row, a subtitle with the as-of date, a bold header of Vietnamese column names, one row
per group (departments, sub-departments, districts, communes), a total row, and note rows.
The form's exact fields were not retrieved (domain.md section 8): the columns follow the
provincial reports of the period.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from qms.exports.annual_report_queries import COUNT_FIELDS, AnnualCounts, annual_counts
from qms.kernel.dates import fmt
from qms.kernel.labels import t
from qms.kernel.spreadsheet_writing import put

#: The header keys, in column order (the first two: row number and group).
HEADER_KEYS: tuple[str, ...] = ("exports.annual.no", "exports.annual.group", *(f"exports.annual.{f}" for f in COUNT_FIELDS))
_WIDTHS = (6, 30, 20, 14, 14, 14, 16, 16, 16)
TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 1, 2, 4


def report(db, year: int, *, today: dt.date | None = None) -> AnnualCounts:
    """The report's counts for ``year`` (its last day, or today while the year is not over)."""
    return annual_counts(db, year, today=today)


def headers(lang: str = "vi") -> list[str]:
    return [t(k, lang) for k in HEADER_KEYS]


def table_rows(counts: AnnualCounts, lang: str = "vi") -> list[list]:
    """The report's body: one row per group then the total, as the sheet shows them."""
    rows = []
    for i, g in enumerate(counts.groups, start=1):
        rows.append([i, t(f"exports.group.{g.group}", lang), *(getattr(g, f) for f in COUNT_FIELDS)])
    total = counts.total()
    rows.append(["", t("exports.group.total", lang), *(getattr(total, f) for f in COUNT_FIELDS)])
    return rows


def notes(counts: AnnualCounts, lang: str = "vi") -> list[str]:
    out = [t("exports.annual_note", lang)]
    if not counts.inspections_recorded:
        out.append(t("exports.annual_no_inspections", lang))
    return out


def xlsx_bytes(counts: AnnualCounts, lang: str = "vi") -> bytes:
    """The report as an .xlsx workbook (Vietnamese by default: the form goes to the Ministry)."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{counts.year}"
    width = len(HEADER_KEYS)
    last_col = get_column_letter(width)
    put(ws.cell(TITLE_ROW, 1), t("exports.annual_title", lang, year=counts.year)).font = Font(bold=True, size=13)
    ws.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    put(ws.cell(SUBTITLE_ROW, 1), t("exports.annual_subtitle", lang, day=fmt(counts.as_of))).font = Font(italic=True)
    ws.merge_cells(f"A{SUBTITLE_ROW}:{last_col}{SUBTITLE_ROW}")
    for row in (TITLE_ROW, SUBTITLE_ROW):
        ws.cell(row, 1).alignment = Alignment(horizontal="center", wrap_text=True)
    ws.row_dimensions[TITLE_ROW].height = 36
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, text in enumerate(headers(lang), start=1):
        cell = put(ws.cell(HEADER_ROW, col), text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    ws.row_dimensions[HEADER_ROW].height = 45
    body = table_rows(counts, lang)
    for r, values in enumerate(body, start=HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            cell = put(ws.cell(r, col), value)
            cell.border = border
            if r == HEADER_ROW + len(body):
                cell.font = Font(bold=True)
    note_row = HEADER_ROW + len(body) + 2
    for i, text in enumerate(notes(counts, lang)):
        put(ws.cell(note_row + i, 1), text).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(f"A{note_row + i}:{last_col}{note_row + i}")
        ws.row_dimensions[note_row + i].height = 45
    for col, w in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = w
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
