"""The ``qms`` command: thin over the domain and the store.

Every command has ``--help``; bad input exits with status 2 and one sentence naming the file,
row or field; ``--json`` prints what a machine reads.  The database is ``--db`` or ``QMS_DB``
(default ``data/qms.duckdb`` in the project folder).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from qms import __version__
from qms.kernel.cli_format import print_json, text_table
from qms.kernel.clock import province_today
from qms.kernel.dates import parse_iso
from qms.kernel.errors import QmsError
from qms.kernel.features import feature_modules
from qms.units.model import Level
from qms.kernel.settings import Settings, load_settings
from qms.coverage import queries as coverage_store
from qms.demo import store as demo_store
from qms.units import store as units_store
from qms.kernel.db import opened
from qms.accounts import demo_store as demo_accounts
from qms.units.importer import decode, parse_units_csv, parse_units_file



def cmd_init(args, settings: Settings) -> int:
    with opened(settings.db_path):
        pass
    print(f"Database ready at {settings.db_path} (all migrations applied).")
    return 0


def cmd_demo(args, settings: Settings) -> int:
    with opened(settings.db_path) as db:
        if args.if_empty and demo_store.has_data(db):
            print(f"{settings.db_path} already holds data; the demo was not loaded.")
            return 0
        until = parse_iso(args.until, field="--until") if args.until else None
        counts = demo_store.load_demo(db, settings.demo_dir, force=args.force, until=until)
    extra = ", ".join(f"{n} {k}" for k, n in counts.items() if k not in ("units", "communes", "events", "targets") and isinstance(n, int))
    print(
        f"Loaded the Lai Châu demo into {settings.db_path}: {counts['units']} units "
        f"({counts['communes']} communes), {counts['events']} lifecycle events, {counts['targets']} sample targets"
        + (f", {extra}." if extra else ".")
    )
    passwords = counts.get("account_passwords") or {}
    if passwords:
        print("Demo accounts (passwords shown once; change them in the app: the sidebar's 'Đổi mật khẩu', "
              "or an administrator's reset on 'Tài khoản'; with the app stopped: `qms users password`):")
        for username, password, role in demo_accounts.described(passwords):
            print(f"  {username:<16} {password:<18} {role}")
    return 0


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


def cmd_coverage(args, settings: Settings) -> int:
    as_of = parse_iso(args.as_of, field="--as-of") if args.as_of else province_today()
    level = Level(args.level)
    with opened(settings.db_path) as db:
        row = next(r for r in coverage_store.by_level(db, as_of) if r.level is level)
        has_districts = coverage_store.has_districts(db, as_of)
        if (level is Level.DISTRICT or args.by_district) and not has_districts:
            raise QmsError(
                f"There are no districts on {as_of:%d/%m/%Y}: local government has two levels since 01/07/2025 "
                "(province and commune); ask for --level commune or department, or a date before the reform.",
                vi=f"Không có cấp huyện vào ngày {as_of:%d/%m/%Y}: chính quyền địa phương hai cấp từ 01/07/2025; "
                   "hãy hỏi --level commune hoặc department, hoặc một ngày trước khi sắp xếp.")
        districts = coverage_store.by_district(db, as_of, level) if args.by_district else None
    if args.json:
        out = row.model_dump(mode="json")
        if districts is not None:
            out["by_district"] = [d.model_dump(mode="json") for d in districts]
        print_json(out)
        return 0
    print(f"{level.value} coverage as of {as_of.isoformat()}: {row.announced} of {row.in_plan} announced "
          f"({'-' if row.rate_pct is None else row.rate_pct}%), target {row.target_pct if row.target_pct is not None else '-'}%, "
          f"gap {row.gap_pct if row.gap_pct is not None else '-'} points; building {row.building}, applying {row.applying}, "
          f"not started {row.never_started}, announced but not maintained this year {row.not_maintained}.")
    if districts is not None:
        print()
        print(text_table(
            ["district", "name", "in plan", "announced", "rate %", "target %", "gap"],
            [[d.district_code, d.district_name, d.in_plan, d.announced, d.rate_pct, d.target_pct, d.gap_pct] for d in districts],
        ))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qms",
        description="qms: ISO 9001 quality-management compliance tracker for Vietnamese provincial administration.",
    )
    parser.add_argument("--version", action="version", version=f"qms {__version__}")
    parser.add_argument("--db", help="DuckDB file (default: QMS_DB, else data/qms.duckdb in the project folder)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("init", help="create the database and apply every migration",
                       description="Create the database file if needed and apply every pending migration (safe to rerun).")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="load the Lai Châu demo province",
                       description="Load the Lai Châu demo province: its 8 districts and 108 communes until the 2025 reform, "
                                   "the 38 communes and no districts since 01/07/2025, its departments (the 2025 merger included), "
                                   "a seeded lifecycle history from 2014 to the day loaded (the same up to 30/06/2025 on every "
                                   "run) and sample targets. Refuses a database holding data unless --force.")
    p.add_argument("--force", action="store_true", help="replace the units, events and targets already in the database")
    p.add_argument("--if-empty", action="store_true", help="do nothing (and succeed) when the database already holds data")
    p.add_argument("--until", help="the last day of the history YYYY-MM-DD (default: today in the province)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("import-units", help="import units from a CSV or .xlsx file (all or nothing)",
                       description="Import units from a UTF-8 CSV (or an .xlsx) with columns gso_code, name, level, kind, "
                                   "parent_gso_code and optionally valid_from, valid_to (dd/mm/yyyy or YYYY-MM-DD, from 01/01/2000; "
                                   "valid_to is the first day the unit no longer exists), in_plan. Every bad line is reported "
                                   "with its number; nothing is imported then.")
    p.add_argument("file", help="the CSV or .xlsx file")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_import_units)

    p = sub.add_parser("coverage", help="announced rate of one level on a date",
                       description="How many units of a level must or plan to run a QMS on a date, how many announced, the rate, "
                                   "the year's target and the gap.")
    p.add_argument("--level", required=True, choices=[lv.value for lv in Level if lv is not Level.PROVINCE])
    p.add_argument("--as-of", help="date YYYY-MM-DD (default: today); events dated that day count")
    p.add_argument("--by-district", action="store_true", help="also list the level's units per district")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_coverage)

    for module in command_modules():
        module.register(sub)
    return parser


def command_modules() -> list:
    """The features' command groups (``qms/<feature>/cli.py`` and ``*_cli.py``), in name order."""
    return feature_modules("cli")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.db)
        return args.func(args, settings)
    except QmsError as e:
        print(f"qms: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
