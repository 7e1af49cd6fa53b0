"""``qms import-units``: a unit list from a CSV or .xlsx file, all or nothing."""

from __future__ import annotations

from pathlib import Path

from qms.kernel.cli_format import print_json
from qms.kernel.db import opened
from qms.kernel.errors import QmsError
from qms.kernel.settings import Settings
from qms.units import store as units_store
from qms.units.importer import parse_units_file

#: Where its commands stand in ``qms --help`` (features without one follow, by name).
ORDER = 20


def cmd_import_units(args, settings: Settings) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise QmsError(f"{path}: no such file.")
    records = parse_units_file(path.read_bytes(), path.name)
    with opened(settings.db_path) as db:
        summary = units_store.import_units(db, records, actor=settings.principal(), source=path.name)
    if args.json:
        print_json({"file": str(path), "new": summary.new, "unchanged": summary.unchanged})
    else:
        print(f"{path.name}: {summary.new} new units, {summary.unchanged} unchanged.")
    return 0


def register(sub) -> None:
    p = sub.add_parser("import-units", help="import units from a CSV or .xlsx file (all or nothing)",
                       description="Import units from a UTF-8 CSV (or an .xlsx) with columns gso_code, name, level, kind, "
                                   "parent_gso_code and optionally valid_from, valid_to (dd/mm/yyyy or YYYY-MM-DD, from 01/01/2000; "
                                   "valid_to is the first day the unit no longer exists), in_plan. Every bad line is reported "
                                   "with its number; nothing is imported then.")
    p.add_argument("file", help="the CSV or .xlsx file")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_import_units)
