"""Shared helper of the offline workbook tests: fill answers into a workbook as a person would."""

from __future__ import annotations

import io

import openpyxl

from qms.audits import workbook as wb


def fill_workbook(data: bytes, answers: dict[str, tuple[str | None, str | None] | str]) -> bytes:
    """``data`` with the result (and note, when given as a pair) of each item ref set."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book[wb.SHEET]
    rows = {ws.cell(row=r, column=wb.COL_REF).value: r for r in range(wb.FIRST_ROW, ws.max_row + 1)}
    for ref, value in answers.items():
        result, note = value if isinstance(value, tuple) else (value, None)
        ws.cell(row=rows[ref], column=wb.COL_RESULT).value = result
        ws.cell(row=rows[ref], column=wb.COL_NOTE).value = note
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
