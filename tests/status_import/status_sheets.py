"""Helpers for the status import tests: real .xlsx files written with openpyxl, a second
province (not Lai Châu), counts of what the database holds."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from qms.accounts.rules import system_principal
from qms.kernel.db import Database
from qms.units.importer import parse_units_csv
from qms.units.store import import_units

#: The import date the store tests pretend it is (fixed, so estimated dates are predictable).
TODAY = dt.date(2024, 6, 30)

#: Eleven units of Điện Biên province (GSO 11): not Lai Châu's codes, names or shape.
DIEN_BIEN_CSV = """gso_code,name,level,kind,parent_gso_code
11,Tỉnh Điện Biên,province,tinh,
D11-01,Sở Tư pháp,department,so,11
D11-02,Sở Y tế,department,so,11
094,Thành phố Điện Biên Phủ,district,thanh_pho,11
095,Thị xã Mường Lay,district,thi_xa,11
096,Huyện Mường Nhé,district,huyen,11
03124,Phường Noong Bua,commune,phuong,094
03125,Phường Him Lam,commune,phuong,094
03151,Phường Sông Đà,commune,phuong,095
03158,Xã Chung Chải,commune,xa,096
03160,Xã Mường Nhé,commune,xa,096
"""

STATUS_HEADER = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Tình trạng", "Tiêu chuẩn", "Số quyết định công bố", "Ngày công bố",
                 "Ngày công bố lại", "Ngày đánh giá nội bộ gần nhất", "Ngày xem xét của lãnh đạo gần nhất", "Ghi chú"]


def workbook(sheets: dict[str, Sequence[Sequence]], *, merges: dict[str, Sequence[str]] | None = None,
             hidden: Sequence[str] = (), date_cells_format: str = "DD/MM/YYYY") -> bytes:
    """An .xlsx with the given sheets (rows of cell values; dates become real Excel date cells)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, (dt.date, dt.datetime)):
                    cell.number_format = date_cells_format
        for rng in (merges or {}).get(name, ()):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def status_sheet(*rows: Sequence, header: Sequence[str] = STATUS_HEADER, sheet: str = "Tình trạng") -> bytes:
    return workbook({sheet: [list(header), *[list(r) for r in rows]]})


def load_units(db: Database, csv_text: str, source: str = "units.csv") -> None:
    import_units(db, parse_units_csv(csv_text, source), actor=system_principal("test"), source=source)


def event_count(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM qms_events"))


def log_count(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM change_log"))
