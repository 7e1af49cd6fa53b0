"""``qms export``, ``qms indicators`` and ``qms annual-report``.

While the app runs it holds the database: opening it here then fails with
:class:`~qms.kernel.errors.DatabaseLocked`, whose one sentence names the way that works (the app's
'Báo cáo & xuất dữ liệu' page, which writes the same snapshot).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from qms.exports import annual_report, indicators
from qms.exports.snapshot import write_snapshot
from qms.kernel.cli_format import check_writable, print_json, text_table
from qms.kernel.clock import province_today
from qms.kernel.dates import parse_iso
from qms.kernel.db import opened
from qms.kernel.errors import QmsError, ValidationError


def _methodology_path(args) -> Path | None:
    if args.methodology is None:
        return None
    path = Path(args.methodology)
    if not path.is_file():
        raise ValidationError(f"--methodology: {path}: no such file.", vi=f"--methodology: {path}: không có tệp này.")
    return path


def cmd_export(args, settings) -> int:
    as_of = parse_iso(args.as_of, field="--as-of") if args.as_of else province_today()
    if as_of > province_today():
        raise ValidationError(f"--as-of: {as_of.isoformat()} is in the future.", vi=f"--as-of: {as_of:%d/%m/%Y} ở tương lai.")
    methodology = indicators.load(_methodology_path(args))
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValidationError(f"--out: {out} is a file, not a folder.", vi=f"--out: {out} là một tệp, không phải thư mục.")
    with opened(settings.db_path) as db:
        snap = write_snapshot(db, out, as_of, methodology=methodology, actor=settings.principal(),
                              checklists_dir=settings.checklists_dir)
    if args.json:
        print_json({"path": str(snap.path), "manifest": snap.manifest})
        return 0
    counts = ", ".join(f"{e['name']} {e['rows']}" for e in snap.manifest["tables"])
    print(f"Snapshot as of {as_of.isoformat()} written to {snap.path} ({len(snap.manifest['tables'])} tables: {counts} rows).")
    for s in snap.manifest["skipped_tables"]:
        print(f"Skipped {s['name']}: the database has no table {', '.join(s['requires'])} yet.")
    if snap.manifest["methodology"]["sample"]:
        print("Note: the PAR indicators use the SAMPLE methodology (data/par/methodology-sample.yaml), not official values.")
    return 0


def _advice(ind) -> str:
    s = ind.score
    if s.points is None:
        return "no unit counted"
    if s.full_marks:
        return "full marks"
    what = "announced" if ind.criterion.measure == "announced_rate" else "maintaining (audit + review this year)"
    return f"{s.units_to_next_band} more {what} -> {s.next_band.points:g} points (from {s.next_band.min_rate:g}%)"


def cmd_indicators(args, settings) -> int:
    path = _methodology_path(args)
    with opened(settings.db_path) as db:
        report = indicators.for_year(db, args.year, methodology_path=path)
    m = report.methodology
    if args.json:
        print_json({
            "year": report.year, "as_of": report.as_of, "points": report.points, "max_points": report.max_points,
            "methodology": {"id": m.id, "version": m.version, "sample": m.sample, "sha256": report.methodology_sha256},
            "indicators": [
                {"code": i.criterion.code, "level": i.criterion.level, "measure": i.criterion.measure,
                 **i.score.model_dump(mode="json"), "plan_target_pct": i.plan_target_pct,
                 "units_below": [u.code for u in i.short_units]}
                for i in report.indicators
            ],
        })
        return 0
    sample = " (SAMPLE methodology: not the official values)" if m.sample else ""
    print(f"PAR-index ISO criteria, {m.id} v{m.version}{sample}, scored on {report.as_of.isoformat()}: "
          f"{report.points:g} of {report.max_points:g} points.")
    print(text_table(
        ["code", "level", "measure", "meeting/counted", "rate %", "full at %", "points", "max", "what would raise it"],
        [[i.criterion.code, i.criterion.level, i.criterion.measure, f"{i.score.numerator}/{i.score.denominator}",
          "-" if i.score.rate_pct is None else i.score.rate_pct, f"{i.score.full_marks_rate:g}",
          "-" if i.score.points is None else f"{i.score.points:g}", f"{i.score.max_points:g}", _advice(i)]
         for i in report.indicators],
    ))
    return 0


def cmd_annual_report(args, settings) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise ValidationError(f"--out: {out.name} must end in .xlsx.", vi=f"--out: {out.name} phải có đuôi .xlsx.")
    if not out.parent.is_dir():
        raise ValidationError(f"--out: the folder {out.parent} does not exist.", vi=f"--out: thư mục {out.parent} không tồn tại.")
    check_writable(out, force=args.force, option="--out")
    today = province_today()
    if args.year > today.year or args.year < 2014:
        raise ValidationError(f"--year: {args.year} is not between 2014 and {today.year}.",
                              vi=f"--year: {args.year} không nằm trong khoảng 2014-{today.year}.")
    with opened(settings.db_path) as db:
        counts = annual_report.report(db, args.year, today=today)
    try:
        out.write_bytes(annual_report.xlsx_bytes(counts))
    except OSError as e:
        raise QmsError(f"--out: {out} could not be written ({e.strerror or e}).") from e
    if args.json:
        print_json({"file": str(out), "year": counts.year, "as_of": counts.as_of,
                     "inspections_recorded": counts.inspections_recorded,
                     "groups": [g.__dict__ for g in [*counts.groups, counts.total()]]})
        return 0
    print(f"Annual report {counts.year} (as of {counts.as_of.isoformat()}) written to {out}.")
    print(text_table(annual_report.headers("en"), annual_report.table_rows(counts, "en")))
    for note in annual_report.notes(counts, "en")[1:]:
        print(note)
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "export", help="write a Parquet snapshot for the PAR-index tool",
        description="Write a full, deterministic Parquet snapshot of the database as of a date into a new folder under "
                    "--out (named <as-of>_<generated time>), with manifest.json (schema version, row counts, SHA-256 of "
                    "each file). The schema is in docs/exports.md. While the app runs, use its 'Báo cáo & xuất dữ liệu' "
                    "page instead (the app holds the database).")
    p.add_argument("--out", required=True, help="folder that receives the snapshot folder (created if needed)")
    p.add_argument("--as-of", help="date YYYY-MM-DD (default: today); events dated that day count")
    p.add_argument("--methodology", help="PAR methodology YAML (default: data/par/methodology.yaml, else the sample)")
    p.add_argument("--json", action="store_true", help="print the snapshot's path and manifest as JSON")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "indicators", help="the PAR-index ISO criteria of a year, scored",
        description="Score the ISO criteria of the PAR Index for a year (on 31 December, or today for the current year) "
                    "with the methodology file: numerator, denominator, rate, points, and how many more units would "
                    "reach the next band.")
    p.add_argument("--year", required=True, type=int, help="the year, e.g. 2016")
    p.add_argument("--methodology", help="PAR methodology YAML (default: data/par/methodology.yaml, else the sample)")
    p.add_argument("--json", action="store_true", help="print JSON (with the units keeping each criterion below full marks)")
    p.set_defaults(func=cmd_indicators)

    p = sub.add_parser(
        "annual-report", help="the Decision 19 annual report of a year as .xlsx",
        description="Write the yearly report to the Ministry (Annex II style of Decision 19/2014/QĐ-TTg) as an .xlsx with "
                    "Vietnamese headers: per group (departments, sub-departments, districts, communes) how many must or "
                    "plan to run a QMS, built, applied, announced, re-announced and were inspected in the year.")
    p.add_argument("--year", required=True, type=int, help="the report year, e.g. 2016")
    p.add_argument("--out", required=True, help="the .xlsx file to write")
    p.add_argument("--force", action="store_true", help="replace --out if it exists (refused otherwise)")
    p.add_argument("--json", action="store_true", help="also print the counts as JSON")
    p.set_defaults(func=cmd_annual_report)
