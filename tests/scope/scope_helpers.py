"""Helpers of the scope tests (imported as ``scope_helpers``: the test folders are not packages)."""

from __future__ import annotations

import datetime as dt
import io

from qms.accounts.rules import system_principal
from qms.units.events_store import record_events_in
from qms.units.model import NewEvent, UnitRecord


def xlsx(sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> bytes:
    """A workbook as Excel writes it: ``sheets`` name -> rows (None for an empty cell), ``merges``
    name -> ranges like "A1:F1" (the value stays in the top-left cell, as Excel keeps it)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


UNITS = [
    UnitRecord(code="12", name="Tỉnh Lai Châu", level="province", kind="tinh"),
    UnitRecord(code="S12-03", name="Sở Tư pháp", level="department", kind="so", parent_code="12"),
    UnitRecord(code="105", name="Thành phố Lai Châu", level="district", kind="thanh_pho", parent_code="12"),
    UnitRecord(code="03386", name="Phường Quyết Thắng", level="commune", kind="phuong", parent_code="105"),
    UnitRecord(code="03387", name="Phường Tân Phong", level="commune", kind="phuong", parent_code="105"),
]


def province_file(folder):
    """A closed database file in ``folder`` holding the test province (for the CLI and AppTest)."""
    from qms.kernel.db import open_database
    from qms.units.store import import_units

    path = folder / "p.duckdb"
    db = open_database(path)
    import_units(db, list(enumerate(UNITS, start=2)), actor=system_principal("test"))
    db.close()
    return path


def announce(cur, unit: str, day: dt.date) -> None:
    """A rule-abiding lifecycle ending in an announcement on ``day``."""
    steps = [("build_started", 200), ("applied", 100), ("internal_audit", 50), ("management_review", 40),
             ("effectiveness_confirmed", 20), ("announced", 0)]
    events = [NewEvent(unit_code=unit, event_type=kind, event_date=day - dt.timedelta(days=back),
                       decision_no="1/QĐ-UBND" if kind == "announced" else None,
                       standard="2008" if kind == "announced" else None) for kind, back in steps]
    record_events_in(cur, events, actor=system_principal("test"), today=dt.date(2030, 1, 1))

