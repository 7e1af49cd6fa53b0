"""``qms scope``, ``qms import-tthc``, ``qms import-processes``, ``qms export-tthc``,
``qms export-processes``: scope completeness and the TTHC/process files, from the command line."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from qms.kernel.cli_format import check_writable, print_json
from qms.kernel.clock import province_today
from qms.kernel.dates import parse_iso
from qms.kernel.db import opened
from qms.kernel.errors import ImportRowError, QmsError
from qms.scope import queries as scope_store
from qms.scope.files_store import FileKind, export_file, import_file, preview_file
from qms.scope.model import UpdateState
from qms.units.cli_options import unit_option
from qms.units.model import COVERAGE_LEVELS, Level


def _pct(value) -> str:
    return "-" if value is None else f"{value:.2f}%"


def cmd_scope(args, settings) -> int:
    as_of = parse_iso(args.as_of, field="--as-of") if args.as_of else province_today()
    level = Level(args.level) if args.level else None
    with opened(settings.db_path) as db:
        if args.unit:
            unit = scope_store.unit_scope(db, unit_option(db, args.unit, "--unit", as_of), as_of)
            if args.json:
                out = unit.model_dump(mode="json")
                out.update(tthc_total=unit.tthc_total, rate_pct=unit.rate_pct)
                print_json(out)
                return 0
            _print_unit(unit)
            return 0
        overview = scope_store.scope_overview(db, as_of)
        units = scope_store.scope_by_unit(db, as_of, level=level, incomplete_only=not args.all)
        overdue = scope_store.update_obligations(db, as_of, states=(UpdateState.OVERDUE,))
    if level is not None:
        overdue = [o for o in overdue if o.level is level]
    levels = [r for r in overview.levels if level is None or r.level is level]
    if args.json:
        print_json({"as_of": as_of.isoformat(), "levels": [r.model_dump(mode="json") for r in levels],
                     "units": [u.model_dump(mode="json") for u in units],
                     "overdue_updates": [o.model_dump(mode="json") for o in overdue]})
        return 0
    print(f"Scope as of {as_of.isoformat()} (TTHC covered by an issued process / TTHC in the unit's catalogue):")
    for r in levels:
        print(f"  {r.level.value}: {r.incomplete} of {r.with_catalogue} units with a catalogue incomplete "
              f"({r.announced_incomplete} of them announced); TTHC covered {r.tthc_covered}/{r.tthc_total} ({_pct(r.rate_pct)}); "
              f"{r.overdue_updates} overdue legal updates; {r.reannounce_due} re-announcements due; "
              f"{r.units - r.with_catalogue} units without a catalogue.")
    print()
    print(("Units" if args.all else "Units with an incomplete scope") + f" ({len(units)}):")
    for u in units:
        flag = "  ANNOUNCED" if u.announced and u.complete is False else ""
        print(f"  {u.unit_code:<8} {u.unit_name[:48]:<48} {u.tthc_covered:>4}/{u.tthc_total:<4} {_pct(u.rate_pct):>8}{flag}")
    if overdue:
        print()
        print(f"Overdue legal updates ({len(overdue)}):")
        for o in overdue:
            print(f"  {o.unit_code:<8} {o.process_code:<8} {o.document_no} effective {o.effective_on.isoformat()}, due {o.due_on.isoformat()}")
    return 0


def _print_unit(unit) -> None:
    print(f"{unit.unit_code} {unit.unit_name}: {len(unit.covered)} of {unit.tthc_total} TTHC covered ({_pct(unit.rate_pct)}) "
          f"as of {unit.as_of.isoformat()}" + ("; announced with an incomplete scope" if unit.incomplete_announced else "") + ".")
    if unit.reannouncement:
        r = unit.reannouncement
        print(f"Re-announcement due: scope changed on {r.scope_changed_on.isoformat()} ({r.document_nos}), "
              f"last announced {r.last_announced_on.isoformat()}.")
    print(f"Processes ({len(unit.processes)}):")
    for p in unit.processes:
        print(f"  {p.code:<8} {p.status.value:<9} issue {p.issue_no or '-':<3} {p.issued_on.isoformat() if p.issued_on else '-':<10} {len(p.tthc_codes):>3} TTHC  {p.title[:60]}")
    print(f"Not covered ({len(unit.uncovered)}):")
    for t in unit.uncovered:
        print(f"  {t.code:<10} {t.name[:80]}")
    open_updates = [o for o in unit.updates if o.state in (UpdateState.OVERDUE, UpdateState.PENDING)]
    if open_updates:
        print(f"Legal updates to make ({len(open_updates)}):")
        for o in open_updates:
            print(f"  {o.process_code:<8} {o.state.value:<8} {o.document_no}, due {o.due_on.isoformat()}")


def _cmd_import(kind: FileKind):
    def run(args, settings) -> int:
        path = Path(args.file)
        if not path.is_file():
            raise QmsError(f"{path}: no such file.", vi=f"{path}: không có tệp này.")
        data = path.read_bytes()
        with opened(settings.db_path) as db:
            try:
                default_unit = unit_option(db, args.unit, "--unit")
                if args.dry_run:
                    summary = preview_file(db, kind, data, path.name, sheet=args.sheet, default_unit=default_unit).summary
                else:
                    summary = import_file(db, kind, data, path.name, actor=settings.principal(), sheet=args.sheet, default_unit=default_unit)
            except ImportRowError as e:
                if args.json:
                    print_json({"file": str(path), "imported": False,
                                 "problems": [{"where": w, "reason": r} for w, r in e.problems]})
                    print(f"qms: {path.name}: {len(e.problems)} rows refused, nothing was imported.", file=sys.stderr)
                    return 2
                raise
        if args.json:
            print_json({"file": str(path), "imported": not args.dry_run, **summary.model_dump()})
            return 0
        verb = "would import" if args.dry_run else "imported"
        if kind is FileKind.CATALOGUE:
            print(f"{path.name}: {verb} {summary.rows} rows for {summary.units} units: {summary.new_entries} new catalogue entries, "
                  f"{summary.ended} ended, {summary.unchanged} unchanged; {summary.new_tthc} new TTHC, {summary.renamed_tthc} renamed.")
        else:
            print(f"{path.name}: {verb} {summary.rows} process versions of {summary.processes} processes in {summary.units} units: "
                  f"{summary.new_versions} new, {summary.unchanged} unchanged.")
        return 0

    return run


def _cmd_export(kind: FileKind):
    def run(args, settings) -> int:
        path = Path(args.file)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            raise QmsError(f"{path}: the file name must end in .xlsx or .csv.", vi=f"{path}: tên tệp phải có đuôi .xlsx hoặc .csv.")
        check_writable(path, force=args.force)
        with opened(settings.db_path) as db:
            unit = unit_option(db, args.unit, "--unit")
            data = export_file(db, kind, fmt, unit)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"Wrote {path} ({len(data)} bytes).")
        return 0

    return run


_IMPORT_HELP = {
    FileKind.CATALOGUE: (
        "import a TTHC catalogue from .xlsx or .csv (all or nothing)",
        "Import units' TTHC catalogues from an Excel .xlsx or a UTF-8 CSV file. Columns (Vietnamese or English headers, "
        "any case, with or without diacritics; the header may sit under title rows and use merged cells): Mã đơn vị "
        "(unit code or exact unit name; or --unit for the whole file), Mã TTHC, Tên TTHC, Lĩnh vực, Cấp thực hiện, "
        "Hiệu lực từ, Hết hiệu lực từ (dd/mm/yyyy or real Excel dates). Every bad row is reported with its sheet, line "
        "and reason, and then nothing is imported; unknown units are reported, never created.",
    ),
    FileKind.PROCESSES: (
        "import ISO processes from .xlsx or .csv (all or nothing)",
        "Import units' ISO processes (one row per process version, or one row per TTHC with the process repeated) from an "
        "Excel .xlsx or a UTF-8 CSV file. Columns: Mã đơn vị, Mã quy trình, Tên quy trình, Mã TTHC (several separated by ;), "
        "Lần ban hành, Ngày ban hành, Trạng thái (Dự thảo / Đã ban hành / Đã thu hồi), Ngày thu hồi, Ngày dự thảo, Căn cứ "
        "pháp lý. TTHC must be in the unit's catalogue; unknown units and TTHC codes are reported, never created; nothing is "
        "imported when a row is wrong.",
    ),
}


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "scope", help="scope completeness: TTHC covered by issued processes, per level and unit",
        description="Scope completeness on a date (Decision 19: every TTHC of a unit covered by an issued ISO process): per "
                    "level, units with an incomplete scope (announced ones flagged), overdue legal updates (3-month rule) and "
                    "re-announcements due; with --unit, that unit's processes and the TTHC no process covers.")
    p.add_argument("--unit", help="one unit's code: its processes, covered and uncovered TTHC")
    p.add_argument("--level", choices=[lv.value for lv in COVERAGE_LEVELS], help="only this level")
    p.add_argument("--as-of", help="date YYYY-MM-DD (default: today)")
    p.add_argument("--all", action="store_true", help="list every unit, not only those with an incomplete scope")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_scope)

    for name, kind in (("import-tthc", FileKind.CATALOGUE), ("import-processes", FileKind.PROCESSES)):
        short, long = _IMPORT_HELP[kind]
        p = subparsers.add_parser(name, help=short, description=long)
        p.add_argument("file", help="the .xlsx or .csv file")
        p.add_argument("--unit", help="unit code for rows without a unit column")
        p.add_argument("--sheet", help="read only this sheet of a workbook (default: every sheet with a matching header)")
        p.add_argument("--dry-run", action="store_true", help="check the file against the database and write nothing")
        p.add_argument("--json", action="store_true", help="print the result (or the refused rows) as JSON")
        p.set_defaults(func=_cmd_import(kind))

    for name, kind, what in (("export-tthc", FileKind.CATALOGUE, "the TTHC catalogues"),
                             ("export-processes", FileKind.PROCESSES, "every process version")):
        p = subparsers.add_parser(name, help=f"export {what} to .xlsx or .csv",
                                  description=f"Write {what} (of one unit with --unit, else all) to FILE, as Excel if it ends in "
                                              ".xlsx or as UTF-8 CSV if it ends in .csv, in the columns the importer reads back.")
        p.add_argument("file", help="the file to write (.xlsx or .csv)")
        p.add_argument("--unit", help="only this unit")
        p.add_argument("--force", action="store_true", help="replace FILE if it exists (refused otherwise)")
        p.set_defaults(func=_cmd_export(kind))
