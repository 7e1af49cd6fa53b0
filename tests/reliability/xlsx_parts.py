"""Workbooks built part by part (imported as ``xlsx_parts``): what openpyxl would refuse to write
or would take minutes to write (a merged range over the whole sheet, a 300 MB string, millions of
cells) or what only other programs write (formulas without saved values, escapes, the 1904
date system).  Large parts are streamed into the zip, so building a hostile file costs little
memory.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

Part = bytes | str | Iterable[bytes]


def text(value: str) -> str:
    """Text for an XML part: markup escaped, control characters as Excel writes them (``_x0000_``)."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: f"_x{ord(m.group()):04X}_", escape(value))


def cell(ref: str, value) -> str:
    """One cell: text inline, numbers as numbers, ``("f", formula)`` a formula without a saved value."""
    if isinstance(value, tuple) and value[0] == "f":
        return f'<c r="{ref}"><f>{escape(value[1])}</f></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text(str(value))}</t></is></c>'


def column(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def sheet(rows: Sequence[Sequence], *, merges: Sequence[str] = (), dimension: str | None = None) -> str:
    """A worksheet part with ``rows`` from A1 (None: no cell) and merged ranges."""
    body = "".join(
        f'<row r="{r}">' + "".join(cell(f"{column(c)}{r}", v) for c, v in enumerate(row, start=1) if v is not None) + "</row>"
        for r, row in enumerate(rows, start=1))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    merged = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>") if merges else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{dim}<sheetData>{body}</sheetData>{merged}</worksheet>'


def workbook(sheets: Sequence[tuple[str, Part]], *, shared_strings: Part | None = None, hidden: Sequence[str] = (),
             styles: str | None = None, date1904: bool = False) -> bytes:
    """The .xlsx bytes: ``sheets`` are ``(name, worksheet part)``, in order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        _write(z, "[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        _write(z, "_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
                                 f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        entries = "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"'
                          + (' state="hidden"' if name in hidden else "") + "/>" for i, (name, _) in enumerate(sheets, start=1))
        pr = '<workbookPr date1904="1"/>' if date1904 else ""
        _write(z, "xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">{pr}<sheets>{entries}</sheets></workbook>')
        rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, len(sheets) + 1))
        rels += f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>' if shared_strings is not None else ""
        rels += f'<Relationship Id="rIdT" Type="{REL}/styles" Target="styles.xml"/>' if styles is not None else ""
        _write(z, "xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="{PKG_REL}">{rels}</Relationships>')
        for i, (_, part) in enumerate(sheets, start=1):
            _write(z, f"xl/worksheets/sheet{i}.xml", part)
        if shared_strings is not None:
            _write(z, "xl/sharedStrings.xml", shared_strings)
        if styles is not None:
            _write(z, "xl/styles.xml", styles)
    return out.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed date, so that the same workbook is the same bytes (a fuzzing
    failure replays)."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write(z: zipfile.ZipFile, name: str, part: Part) -> None:
    if isinstance(part, str):
        part = part.encode()
    if isinstance(part, bytes):
        z.writestr(_entry(name), part, compresslevel=9)
        return
    with z.open(_entry(name), "w", force_zip64=True) as f:
        for chunk in part:
            f.write(chunk)


def shared(strings: Sequence[str]) -> str:
    items = "".join(f'<si><t xml:space="preserve">{text(s)}</t></si>' for s in strings)
    return f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'


def date_styles(format_code: str = "dd/mm/yyyy") -> str:
    """Styles with cell format 0 general and cell format 1 a date (``s="1"``)."""
    return (f'<?xml version="1.0"?><styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
            f'formatCode="{escape(format_code)}"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>'
            "</styleSheet>")


CATALOGUE_HEADER = ["Mã đơn vị", "Mã TTHC", "Tên TTHC"]
