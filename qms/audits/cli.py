"""``qms checklists validate`` and ``qms audits list``."""

from __future__ import annotations

import sys
from pathlib import Path

from qms.audits.checklists import load_templates, validate_dir
from qms.audits.findings_store import list_audits
from qms.audits.offline_cli import add_commands as add_offline_commands
from qms.audits.rules import AuditStatus
from qms.kernel.cli_format import print_json, text_table
from qms.kernel.dates import fmt
from qms.kernel.db import opened
from qms.units.cli_options import unit_option


def cmd_checklists_validate(args, settings) -> int:
    """Every template file of the folder checked; each problem is one line on stderr naming the
    file and the place in it; exit 2 when any file is unusable."""
    directory = Path(args.dir) if args.dir else settings.checklists_dir
    problems = validate_dir(directory)
    loaded = load_templates(directory) if directory.is_dir() else None
    good = loaded.templates if loaded else []
    if args.json:
        print_json({
            "directory": str(directory),
            "templates": [{"id": e.template.id, "version": e.template.version, "standard": e.template.standard,
                           "items": e.template.item_count, "file": e.path.name, "sha256": e.hash} for e in good],
            "errors": [{"file": p.file, "location": p.location, "reason": p.reason, "message": str(p)} for p in problems],
        })
    else:
        for e in good:
            print(f"ok  {e.path.name}: {e.template.id} v{e.template.version} ({e.template.standard}, "
                  f"{e.template.item_count} items, sha256 {e.hash[:12]})")
        for p in problems:
            print(f"qms: {p}", file=sys.stderr)
        if not problems:
            print(f"{len(good)} checklist template(s) in {directory} are valid.")
    return 2 if problems else 0


def cmd_audits_list(args, settings) -> int:
    status = AuditStatus(args.status) if args.status else None
    with opened(settings.db_path) as db:
        unit = unit_option(db, args.unit, "--unit")
        rows = list_audits(db, unit_code=unit, status=status, year=args.year, limit=args.limit)
    if args.json:
        print_json([{
            "id": a.id, "unit_code": a.unit_code, "unit_name": a.unit_name, "level": a.unit_level.value, "kind": a.kind.value,
            "template_id": a.template_id, "template_version": a.template_version, "auditor": a.auditor,
            "audit_date": a.audit_date.isoformat(), "status": a.status.value, "answered": a.answered,
            "items": a.item_count, "score_pct": a.score_pct,
            "findings": {"major": a.major, "minor": a.minor, "observation": a.observation}, "event_id": a.event_id,
        } for a in rows])
        return 0
    if not rows:
        print("No audit matches.")
        return 0
    print(text_table(
        ["id", "date", "unit", "name", "kind", "status", "answered", "score %", "major", "minor", "obs."],
        [[a.id, fmt(a.audit_date), a.unit_code, a.unit_name, a.kind.value, a.status.value, f"{a.answered}/{a.item_count}",
          "" if a.score_pct is None else f"{a.score_pct:.2f}", a.major, a.minor, a.observation] for a in rows],
    ))
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("checklists", help="checklist templates (validate)",
                              description="Work with the checklist templates (versioned YAML files in checklists/).")
    sub = p.add_subparsers(dest="checklists_command", metavar="ACTION", required=True)
    v = sub.add_parser("validate", help="check every template file of a folder",
                       description="Validate every *.yaml/*.yml checklist template of a folder (default: checklists/ or "
                                   "QMS_CHECKLISTS). Each problem names the file and the place in it "
                                   "(e.g. sections[2].items[5].clause_2015); exits 2 when any file is unusable.")
    v.add_argument("--dir", help="the folder to check (default: the app's checklist folder)")
    v.add_argument("--json", action="store_true", help="print templates and errors as JSON")
    v.set_defaults(func=cmd_checklists_validate)

    p = subparsers.add_parser("audits", help="audits and inspections (list, pack, unpack)",
                              description="Audits and inspections run against the checklist templates.")
    sub = p.add_subparsers(dest="audits_command", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="list audits, newest first",
                        description="List audits and inspections, newest first, with progress, score and findings.")
    ls.add_argument("--unit", metavar="CODE", help="only this unit's audits")
    ls.add_argument("--status", choices=[s.value for s in AuditStatus], help="only audits in this status")
    ls.add_argument("--year", type=int, help="only audits held in this year")
    ls.add_argument("--limit", type=int, default=1000, help="at most this many (default 1000)")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=cmd_audits_list)
    add_offline_commands(sub)
