"""Benchmark (a script, not a test): TTHC catalogue and unit-list imports as they grow.

    .venv/bin/python tests/scope/bench_imports.py [--rows 4000 16000 100000] [--units 20000] [--xlsx]

For each ``--rows`` size, writes a synthetic catalogue of 300 communes (one row per unit and
TTHC, realistic Vietnamese names, a validity date) as CSV (and, with ``--xlsx``, as .xlsx) and
times, on a fresh DuckDB file: reading the file (:func:`qms.scope.importer.read_catalogue`), the
preview (the database checks, nothing written) and the import itself (``qms import-tthc``'s
path); then re-imports the same file (every row unchanged).  Then imports a unit list of
``--units`` communes (``qms import-units``'s path).  Prints the figures and the time per
1,000 rows, so a quadratic step shows as a per-row time that grows; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import tempfile
import time
from pathlib import Path

from qms.accounts.rules import system_principal
from qms.kernel.db import open_database
from qms.kernel.spreadsheet_writing import write_csv, write_xlsx
from qms.scope.files_store import FileKind, import_file, preview_file
from qms.scope.importer import read_catalogue
from qms.units.importer import parse_units_file
from qms.units.store import import_units

COMMUNES = 300
TODAY = dt.date(2024, 6, 30)
_NAMES = ("Đăng ký khai sinh có yếu tố nước ngoài", "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
          "Cấp giấy xác nhận tình trạng hôn nhân", "Đăng ký kết hôn lưu động", "Thủ tục hòa giải tranh chấp đất đai")


def seed_units(db, communes: int) -> None:
    cur = db.cursor()
    cur.execute("BEGIN")
    cur.execute("INSERT INTO units (code, level, kind, parent_code) VALUES ('12', 'province', 'tinh', NULL), ('105', 'district', 'huyen', '12')")
    cur.execute("INSERT INTO units (code, level, kind, parent_code) SELECT printf('%05d', i), 'commune', 'xa', '105' FROM range(?) t(i)",
                [communes])
    cur.execute("INSERT INTO unit_names SELECT code, 'Đơn vị ' || code, DATE '1900-01-01' FROM units")
    cur.execute("COMMIT")
    cur.close()


def catalogue(rows: int) -> tuple[list[str], list[list]]:
    per_unit = -(-rows // COMMUNES)
    body = []
    for i in range(rows):
        unit, k = divmod(i, per_unit)
        body.append([f"{unit:05d}", f"1.{k:06d}", f"{_NAMES[k % len(_NAMES)]} (thủ tục {k})", "Hộ tịch", "Cấp xã",
                     dt.date(2020, 1, 1) + dt.timedelta(days=k % 900), None])
    return ["Mã đơn vị", "Mã TTHC", "Tên TTHC", "Lĩnh vực", "Cấp thực hiện", "Hiệu lực từ", "Hết hiệu lực từ"], body


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def bench_catalogue(rows: int, fmt: str, folder: Path) -> None:
    headers, body = catalogue(rows)
    data = write_csv(headers, body) if fmt == "csv" else write_xlsx([("Danh mục", headers, body)])
    db = open_database(folder / f"tthc_{rows}_{fmt}.duckdb")
    seed_units(db, COMMUNES)
    name = f"tthc_{rows}.{fmt}"
    parsed, t_read = timed(lambda: read_catalogue(data, name, today=TODAY))
    _, t_preview = timed(lambda: preview_file(db, FileKind.CATALOGUE, data, name, today=TODAY))
    summary, t_import = timed(lambda: import_file(db, FileKind.CATALOGUE, data, name, actor=system_principal("bench"), today=TODAY))
    again, t_again = timed(lambda: import_file(db, FileKind.CATALOGUE, data, name, actor=system_principal("bench"), today=TODAY))
    assert summary.new_entries == rows and again.unchanged == rows, (summary, again)
    db.close()
    per_k = 1000 * t_import / rows
    print(f"  {rows:>7,} rows {fmt:<4} {len(data) / 1e6:6.1f} MB  read {t_read:6.2f} s  preview {t_preview:6.2f} s  "
          f"import {t_import:6.2f} s ({per_k:5.3f} s per 1,000 rows)  re-import {t_again:6.2f} s", flush=True)


def bench_units(units: int, folder: Path) -> None:
    lines = ["gso_code,name,level,kind,parent_gso_code", "12,Tỉnh Thử,province,tinh,", "105,Huyện Thử,district,huyen,12"]
    lines += [f"{i:05d},Xã Thử {i},commune,xa,105" for i in range(units)]
    data = ("\n".join(lines) + "\n").encode()
    db = open_database(folder / "units.duckdb")
    records, t_read = timed(lambda: parse_units_file(data, "units.csv", today=TODAY))
    summary, t_import = timed(lambda: import_units(db, records, actor=system_principal("bench"), source="units.csv"))
    assert summary.new == units + 2
    again, t_again = timed(lambda: import_units(db, records, actor=system_principal("bench"), source="units.csv"))
    db.close()
    print(f"  {units:>7,} units: read {t_read:6.2f} s  import {t_import:6.2f} s  re-import (all unchanged) {t_again:6.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[4_000, 16_000, 100_000])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--xlsx", action="store_true", help="also time the same catalogues as .xlsx")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("TTHC catalogue import (goal: 100,000 rows in 10 s or less, linear):")
        for rows in args.rows:
            for fmt in ("csv", "xlsx") if args.xlsx else ("csv",):
                bench_catalogue(rows, fmt, folder)
        print("Unit list import:")
        bench_units(args.units, folder)


if __name__ == "__main__":
    main()
