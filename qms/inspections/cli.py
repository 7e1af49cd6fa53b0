"""``qms programme propose|show|export --year Y``: the province's yearly inspection plan."""

from __future__ import annotations

from pathlib import Path

from qms.accounts.rules import system_principal
from qms.inspections.export import write_year
from qms.inspections.queries import get_plan, load_table, overdue_requests, year_result
from qms.inspections.store import propose_plan
from qms.kernel.cli_format import print_json, text_table
from qms.kernel.clock import province_today
from qms.kernel.db import opened
from qms.kernel.errors import NotFound


def _plan(db, year: int):
    plan = get_plan(db, year, province_today())
    if plan is None:
        raise NotFound(f"--year: there is no inspection plan for {year}; run 'qms programme propose --year {year}' first.",
                       vi=f"--year: chưa có kế hoạch kiểm tra năm {year}; hãy chạy 'qms programme propose --year {year}'.")
    return plan


def _as_dict(plan) -> dict:
    return {"year": plan.year, "status": plan.status.value, "version": plan.version, "decision_no": plan.decision_no,
            "approved_on": plan.approved_on.isoformat() if plan.approved_on else None,
            "progress": {s.value: n for s, n in plan.progress().items()},
            "items": [{"id": i.id, "unit_code": i.unit_code, "unit_name": i.unit_name, "mode": i.mode, "month": i.month,
                       "team": list(i.team), "status": i.status.value, "risk_score": i.risk_score,
                       "reasons": [[r.value, f] for r, f in i.reasons], "audit_id": i.audit_id, "minutes_id": i.minutes_id}
                      for i in plan.items],
            "load": load_table(plan)}


def _print(plan) -> None:
    print(text_table(["unit", "name", "month", "mode", "team", "status", "risk", "reasons"],
                     # the table is English, its mode as its status: the plan's words, not Vietnamese labels
                     [[i.unit_code, i.unit_name, i.month, i.mode.replace("_", " "), ", ".join(i.team), i.status.value, i.risk_score,
                       ", ".join(f"{r.value} {f}" if f else r.value for r, f in i.reasons)] for i in plan.items]))
    progress = ", ".join(f"{n} {s.value}" for s, n in plan.progress().items())
    state = f"approved ({plan.decision_no}, {plan.approved_on:%d/%m/%Y}), version {plan.version}" if plan.approved_on else "draft"
    on_site = sum(i.mode == "on_site" for i in plan.live)
    print(f"\n{plan.year} plan, {state}: {len(plan.live)} inspections, {on_site} on site; {progress}.")


def cmd_propose(args, settings) -> int:
    with opened(settings.db_path) as db:
        propose_plan(db, args.year, actor=system_principal("cli"))
        plan = _plan(db, args.year)
    if args.json:
        print_json(_as_dict(plan))
    else:
        _print(plan)
    return 0


def cmd_show(args, settings) -> int:
    with opened(settings.db_path) as db:
        plan = _plan(db, args.year)
        overdue = overdue_requests(db, province_today())
        result = year_result(db, args.year)
    if args.json:
        print_json({**_as_dict(plan), "result": result, "overdue_requests": [
            {"id": r.request_id, "unit_code": r.unit_code, "text": r.text, "due_on": r.due_on.isoformat()} for r in overdue]})
    else:
        _print(plan)
        if overdue:
            print(f"{len(overdue)} corrective report(s) overdue.")
    return 0


def cmd_export(args, settings) -> int:
    with opened(settings.db_path) as db:
        written = write_year(db, _plan(db, args.year), Path(args.out), force=args.force)
    for path in written:
        print(path)
    return 0


def register(sub) -> None:
    p = sub.add_parser("programme", help="the province's yearly inspection plan (Circular 26): propose, show, export",
                       description="Plan the year's inspections: propose a risk-ranked draft, show the plan with each "
                                   "inspection's status, export the plan (.xlsx) and the signed minutes (.docx).")
    inner = p.add_subparsers(dest="programme_command", required=True, metavar="{propose,show,export}")
    commands = {
        "propose": ("draft the year's plan from the risk ranking (replaces a draft; an approved plan is refused)",
                    "Every unit in the plan on records, the riskiest on site up to the province's share (setting "
                    "inspection_onsite_share, default 1/3), months riskiest first; reasons shown.", cmd_propose),
        "show": ("the plan with each inspection's status, team and reasons",
                 "The year's plan: items with month, mode, team, status (planned, in progress, done, overdue, cancelled), "
                 "risk and reasons; progress; overdue corrective reports.", cmd_show),
        "export": ("write the plan (.xlsx) and the year's signed minutes (.docx) into a folder",
                   "Writes ke-hoach-kiem-tra-Y.xlsx (items and versions) and one bien-ban-Y-UNIT.docx per signed minutes "
                   "into --out; an existing file is refused unless --force.", cmd_export),
    }
    for name, (help_text, description, func) in commands.items():
        q = inner.add_parser(name, help=help_text, description=description)
        q.add_argument("--year", type=int, required=True, help="the plan's year")
        if name == "export":
            q.add_argument("--out", required=True, help="the folder to write into (created when missing)")
            q.add_argument("--force", action="store_true", help="replace files that exist")
        else:
            q.add_argument("--json", action="store_true", help="print JSON")
        q.set_defaults(func=func)
