"""The hostile files of issue 14 (imported as ``hostile_workbooks``), built on the spot.

Each builder returns ``(file name, bytes)``.  The files are small (a few KB to a few hundred KB)
and claim or unpack to something huge; that is the attack: a tiny upload that makes the server
exhaust its memory or time.  ``scale`` multiplies the big ones (the long run uses the issue's
sizes: 16 million cells, a 300 MB string).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import xlsx_parts as X

HEADER = X.CATALOGUE_HEADER
ROW = ["03386", "1.000001", "Đăng ký khai sinh"]


def _head(extra: str = "") -> str:
    """A worksheet part's start: the header and one good row; ``extra`` goes before sheetData."""
    rows = "".join(f'<row r="{r}">' + "".join(X.cell(f"{X.column(c)}{r}", v) for c, v in enumerate(row, start=1)) + "</row>"
                   for r, row in enumerate([HEADER, ROW], start=1))
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{X.MAIN}">{extra}<sheetData>{rows}'


def merged_whole_sheet(scale: int) -> tuple[str, bytes]:
    """The issue's 1.8 KB workbook: one merged range H1:XFD1048576."""
    return "merged_whole_sheet.xlsx", X.workbook([("TTHC", _head() + '</sheetData><mergeCells count="1"><mergeCell ref="H1:XFD1048576"/>'
                                                           "</mergeCells></worksheet>")])


def million_merged_cells(scale: int) -> tuple[str, bytes]:
    """A million cells merged by one range over real columns."""
    return "million_merged_cells.xlsx", X.workbook([("TTHC", _head() + '</sheetData><mergeCells count="1"><mergeCell ref="D3:M100002"/>'
                                                             "</mergeCells></worksheet>")])


def many_merged_ranges(scale: int) -> tuple[str, bytes]:
    """Tens of thousands of small merged ranges."""
    n = 20_000 * scale
    merges = "".join(f'<mergeCell ref="D{r}:E{r}"/>' for r in range(3, n + 3))
    return "many_merged_ranges.xlsx", X.workbook([("TTHC", _head() + f'</sheetData><mergeCells count="{n}">{merges}</mergeCells></worksheet>')])


def huge_shared_string(scale: int) -> tuple[str, bytes]:
    """One shared string of 30 MB (300 MB in the long run) in a file of a few hundred KB."""
    size = 30 * scale

    def part() -> Iterator[bytes]:
        yield f'<?xml version="1.0"?><sst xmlns="{X.MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
        chunk = b"x" * (1024 * 1024)
        for _ in range(size):
            yield chunk
        yield b"</t></si></sst>"

    sheet = _head() + '<row r="3"><c r="A3" t="s"><v>0</v></c></row></sheetData></worksheet>'
    return "huge_shared_string.xlsx", X.workbook([("TTHC", sheet)], shared_strings=part())


def many_cells(scale: int) -> tuple[str, bytes]:
    """Millions of cells (16 million in the long run) in a few hundred KB."""
    rows = 30_000 * scale  # 100 cells each

    def part() -> Iterator[bytes]:
        yield _head().encode()
        block = (b"<row>" + b"<c><v>1</v></c>" * 100 + b"</row>") * 100
        for _ in range(rows // 100):
            yield block
        yield b"</sheetData></worksheet>"

    return "many_cells.xlsx", X.workbook([("TTHC", part())])


def many_cells_no_ratio(scale: int) -> tuple[str, bytes]:
    """1.5 million cells that pack like a real sheet (a ratio near 10), so that no zip check stops
    them: the reader streams them until the cell count passes its limit (the long run only)."""
    import random

    rng = random.Random(14)
    rows = [(b"<row>" + b"".join(b"<c><v>%d</v></c>" % rng.randrange(10) for _ in range(100)) + b"</row>") for _ in range(500)]

    def part() -> Iterator[bytes]:
        yield _head().encode()
        for i in range(15_000):
            yield rows[rng.randrange(500)]
        yield b"</sheetData></worksheet>"

    return "many_cells_no_ratio.xlsx", X.workbook([("TTHC", part())])


def zip_bomb_part(scale: int) -> tuple[str, bytes]:
    """A part of zeros beside a good sheet: 210 MB (1 GB in the long run) in a few hundred KB."""
    def zeros() -> Iterator[bytes]:
        chunk = b"\x00" * (1024 * 1024)
        for _ in range(210 if scale == 1 else 1024):
            yield chunk

    return "zip_bomb_part.xlsx", X.workbook([("TTHC", _head() + "</sheetData></worksheet>"), ("Junk", zeros())])


def entity_bomb(scale: int) -> tuple[str, bytes]:
    """The billion laughs: nested XML entities."""
    ents = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    part = (f'<?xml version="1.0"?><!DOCTYPE w [{ents}]><worksheet xmlns="{X.MAIN}"><sheetData><row r="1">'
            '<c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>')
    return "entity_bomb.xlsx", X.workbook([("TTHC", part)])


def whole_sheet_dimension(scale: int) -> tuple[str, bytes]:
    return "whole_sheet_dimension.xlsx", X.workbook([("TTHC", _head('<dimension ref="A1:XFD1048576"/>') + "</sheetData></worksheet>")])


def formula_without_value(scale: int) -> tuple[str, bytes]:
    return "formula_without_value.xlsx", X.workbook([("TTHC", X.sheet([HEADER, ["03386", "1.000001", ("f", "A1&B1")]]))])


def csv_huge_cell(scale: int) -> tuple[str, bytes]:
    return "huge_cell.csv", ("Mã đơn vị,Mã TTHC,Tên TTHC\n03386,1.000001," + "x" * 15_000_000 + "\n").encode()


def csv_many_columns(scale: int) -> tuple[str, bytes]:
    return "many_columns.csv", ("Mã đơn vị,Mã TTHC,Tên TTHC\n" + "," * 5_000_000 + "\n").encode()


def csv_many_lines(scale: int) -> tuple[str, bytes]:
    """Just over the line limit (a million lines in the long run)."""
    return "many_lines.csv", ("Mã đơn vị,Mã TTHC,Tên TTHC\n" + "03386,1.000001,x\n" * (210_000 if scale == 1 else 1_000_000)).encode()


#: The cases of the quick run (each refused in well under a second).
CASES: dict[str, Callable[[int], tuple[str, bytes]]] = {f.__name__: f for f in (
    merged_whole_sheet, million_merged_cells, many_merged_ranges, huge_shared_string, many_cells, zip_bomb_part, entity_bomb,
    whole_sheet_dimension, formula_without_value, csv_huge_cell, csv_many_columns, csv_many_lines,
)}
#: Added by the long run: the slowest refusal there is (seconds, not milliseconds).
LONG_CASES: dict[str, Callable[[int], tuple[str, bytes]]] = {**CASES, "many_cells_no_ratio": many_cells_no_ratio}

#: What each refusal must say (the limit that caught it), whichever importer read the file.
REASONS = {
    "merged_whole_sheet": "merges more than 200,000 cells (at H1:XFD1048576)", "million_merged_cells": "merges more than 200,000 cells",
    "many_merged_ranges": "more than 10,000 merged ranges", "huge_shared_string": "unpacks", "many_cells": "unpacks",
    "many_cells_no_ratio": "more than 1,000,000 cells", "zip_bomb_part": "unpacks to", "entity_bomb": "document type declaration",
    "whole_sheet_dimension": "declares the range A1:XFD1048576", "formula_without_value": "cell C2 holds a formula without a saved value",
    "csv_huge_cell": "longer than 32,767 characters", "csv_many_columns": "more than the 256 columns",
    "csv_many_lines": "more than 200,000 lines",
}
