"""``qms import-status`` and ``qms status-template``: a province's ISO status sheet from the CLI."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from qms.kernel.cli_format import check_writable
from qms.kernel.clock import province_today
from qms.kernel.db import opened
from qms.kernel.errors import QmsError
from qms.status_import.store import StatusImportResult, apply_status_import, preview_status_import, status_template


def _print(result: StatusImportResult, as_json: bool, dry_run: bool) -> None:
    if as_json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    p, n = result.plan, result.plan.counts()
    action = "nothing written (dry run)" if dry_run else (f"{len(p.events)} events written" if result.written else "nothing to write")
    print(f"{p.filename}: {len(p.outcomes)} rows: {n['new']} new, {n['changed']} changed, {n['unchanged']} unchanged, "
          f"{n['error']} refused; {len(p.events)} events planned; {action}.")
    for s in p.sheets:
        if s.ignored_columns:
            print(f"  sheet '{s.name}': columns ignored: {', '.join(s.ignored_columns)}")
        if s.kind is None:
            print(f"  sheet '{s.name}': not read (no status or events header)")
    after = {c.level: c for c in result.coverage_after or []}
    print(f"Coverage as of {result.as_of.isoformat()} (announced / in plan):")
    for c in result.coverage_before:
        later = f" -> {after[c.level].announced}/{c.in_plan} ({after[c.level].rate_pct}%)" if after else ""
        print(f"  {c.level.value:<10} {c.announced}/{c.in_plan} ({c.rate_pct}%){later}")
    for issue in p.issues:
        print(f"  error: {issue.text('en')}")


def cmd_import_status(args, settings) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise QmsError(f"{path}: no such file.", vi=f"{path}: không có tệp này.")
    data, today = path.read_bytes(), province_today()
    with opened(settings.db_path) as db:
        result = preview_status_import(db, data, path.name, today=today, actor=settings.principal())
        if not args.dry_run and not result.plan.issues:
            result = apply_status_import(db, data, path.name, today=today, actor=settings.principal(), expected_digest=result.digest)
    _print(result, args.json, args.dry_run)
    if result.plan.issues:
        n = len(result.plan.issues)
        first = result.plan.issues[0].text("en")
        print(f"qms: {path.name}: {n} error{'s' if n != 1 else ''}, nothing was imported; first: {first}.", file=sys.stderr)
        return 2
    return 0


def cmd_status_template(args, settings) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise QmsError(f"{out}: the template is an .xlsx file; name it *.xlsx.", vi=f"{out}: tệp mẫu là tệp .xlsx; hãy đặt tên *.xlsx.")
    check_writable(out, force=args.force, option="--out")
    with opened(settings.db_path) as db:
        data = status_template(db, today=province_today())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"Wrote the status template to {out}.")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "import-status", help="import a province's ISO status sheet (.xlsx or .csv), all or nothing",
        description="Import a status sheet with one row per unit (columns recognised by header in any order: Mã đơn vị, "
                    "Tên đơn vị, Cấp, Tình trạng, Tiêu chuẩn, Số quyết định công bố, Ngày công bố, Ngày công bố lại, "
                    "Ngày đánh giá nội bộ gần nhất, Ngày xem xét của lãnh đạo gần nhất, Ghi chú) and/or an events sheet "
                    "(Mã đơn vị, Loại sự kiện, Ngày, Số quyết định, Tiêu chuẩn). Every row becomes the lifecycle events it "
                    "implies; only what is not yet recorded is written, so importing a file twice changes nothing. Any refused "
                    "row (named by sheet, row and column) means nothing is written and the exit status is 2.")
    p.add_argument("file", help="the .xlsx or .csv file")
    p.add_argument("--dry-run", action="store_true", help="show every row's outcome and the coverage after, write nothing")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON (rows, events, coverage before/after)")
    p.set_defaults(func=cmd_import_status)

    p = sub.add_parser(
        "status-template", help="write the blank status template (.xlsx) with the province's units",
        description="Write an .xlsx with one row per unit of the province (code, name, level, district), the status columns "
                    "empty, and a second sheet explaining every column. Fill it in a spreadsheet program and import it with "
                    "`qms import-status`.")
    p.add_argument("--out", required=True, help="where to write the .xlsx")
    p.add_argument("--force", action="store_true", help="replace --out if it exists (refused otherwise)")
    p.set_defaults(func=cmd_status_template)
