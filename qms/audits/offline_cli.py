"""``qms audits pack`` and ``qms audits unpack``: an audit taken offline as a workbook and back.

These hang under ``qms audits`` (added by :func:`qms.audits.cli.register`, which calls
:func:`add_commands`); :func:`register` adds no command group of its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qms.audits.evidence import read_evidence_folder
from qms.audits.offline_store import confirm_unpack, pack_audit, preview_unpack
from qms.audits.store import get_audit
from qms.audits.workbook import Change
from qms.kernel.cli_format import print_json
from qms.kernel.db import opened
from qms.kernel.errors import QmsError


def register(subparsers) -> None:
    """No group of its own: see the module docstring."""


def cmd_pack(args, settings) -> int:
    out = Path(args.out)
    with opened(settings.db_path) as db:
        data = pack_audit(db, args.audit)
    tmp = out.with_name(f".{out.name}.partial")
    tmp.write_bytes(data)
    tmp.replace(out)
    print(f"Wrote the checklist workbook of audit #{args.audit} to {out} ({len(data):,} bytes). Fill the column "
          "'Kết quả / Result' (drop-down), notes and evidence; put photos in a folder beside it, one sub-folder per item ref.")
    return 0


def cmd_unpack(args, settings) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise QmsError(f"{path} does not exist.", vi=f"{path} không tồn tại.")
    with opened(settings.db_path) as db:
        evidence = None
        if args.evidence:
            refs = {s.ref for s in get_audit(db, args.audit).specs}
            evidence = read_evidence_folder(Path(args.evidence), refs)
        preview = preview_unpack(db, args.audit, path.read_bytes(), path.name, evidence)
        take = [p.ref for p in preview.conflicts] if args.take_workbook_all else list(args.take_workbook or [])
        result = None
        if not args.dry_run:
            result = confirm_unpack(db, preview, take, actor=settings.principal(), keep_location=settings.keep_photo_location)
    items = [{"item": p.ref, "row": p.row, "change": p.change.value,
              "workbook": p.workbook.result.value if p.workbook.result else None,
              "qms": p.current.result.value if p.current and p.current.result else None,
              "taken": "workbook" if p.change is Change.CHANGED or p.ref in take else "qms"}
             for p in preview.items]
    summary = {"audit_id": args.audit, "dry_run": args.dry_run, "changed": preview.count(Change.CHANGED),
               "unchanged": preview.count(Change.UNCHANGED), "conflicts": len(preview.conflicts),
               "evidence_files": sum(len(v) for v in preview.evidence.values()),
               "written": result.written if result else 0, "evidence_added": result.evidence_added if result else 0}
    if args.json:
        print_json({**summary, "items": [i for i in items if i["change"] != "unchanged"]})
        return 0
    for i in items:
        if i["change"] != "unchanged":
            print(f"{i['change']:9}  {i['item']:10} row {i['row']:<4} workbook={i['workbook']} qms={i['qms']} -> {i['taken']}")
    verb = "Would write" if args.dry_run else "Wrote"
    print(f"{verb} {summary['changed'] + len(take)} answer(s) of audit #{args.audit}: {summary['changed']} changed, "
          f"{summary['conflicts']} conflict(s) ({len(take)} taken from the workbook, the others keep qms's answer), "
          f"{summary['unchanged']} unchanged; {summary['evidence_files']} evidence file(s).", file=sys.stdout)
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("pack", help="write a draft audit's checklist workbook (.xlsx) to fill offline",
                       description="Write the checklist of a draft audit as a protected .xlsx: one row per item, the result as a "
                                   "drop-down of the five grades, note and evidence columns, saved answers filled in, and a "
                                   "signed hidden identity. Works in LibreOffice Calc and Excel without network.")
    p.add_argument("audit", type=int, metavar="AUDIT", help="the audit's number")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="where to write the workbook")
    p.set_defaults(func=cmd_pack)
    u = sub.add_parser("unpack", help="bring a filled workbook back into its audit (all or nothing)",
                       description="Read a workbook written by 'qms audits pack', show per item what changes, what is unchanged "
                                   "and what conflicts (changed in qms since the download), and write the changes through the "
                                   "audit page's save. Conflicts keep qms's answer unless --take-workbook names them. A "
                                   "workbook of another audit or checklist version, an edited identity or a result outside "
                                   "the five grades is refused naming the sheet and row.")
    u.add_argument("audit", type=int, metavar="AUDIT", help="the audit's number")
    u.add_argument("file", metavar="FILE.xlsx", help="the filled workbook")
    u.add_argument("--dry-run", action="store_true", help="show the preview, write nothing")
    u.add_argument("--evidence", metavar="DIR", help="a folder of evidence: one sub-folder per item ref holding photos "
                                                     "(JPEG/PNG) and PDFs")
    u.add_argument("--take-workbook", action="append", metavar="REF", help="for this conflicting item take the workbook's "
                                                                            "answer (repeatable)")
    u.add_argument("--take-workbook-all", action="store_true", help="take the workbook's answer for every conflict")
    u.add_argument("--json", action="store_true", help="print JSON")
    u.set_defaults(func=cmd_unpack)
