"""``qms actions list``, ``qms actions summary`` and ``qms actions sync``."""

from __future__ import annotations

import datetime as dt

from qms.actions.queries import action_overview, list_actions
from qms.actions.rules import ActionSource, ActionStatus
from qms.actions.store import ensure_actions_for_findings
from qms.actions.views import DEPARTMENTS_ROW
from qms.kernel.cli_format import print_json, text_table
from qms.kernel.clock import province_today
from qms.kernel.dates import fmt, parse_iso
from qms.kernel.db import opened
from qms.kernel.errors import NotFound
from qms.units.cli_options import unit_option


def _as_of(args) -> dt.date:
    return parse_iso(args.as_of, field="--as-of") if args.as_of else province_today()


def _check_unit(db, code: str | None, flag: str, as_of: dt.date | None = None) -> str | None:
    """The unit key ``code`` names on ``as_of`` (the departments' row passes as it is)."""
    return code if code == DEPARTMENTS_ROW else unit_option(db, code, flag, as_of)


def cmd_actions_list(args, settings) -> int:
    as_of = _as_of(args)
    with opened(settings.db_path) as db:
        unit = _check_unit(db, args.unit, "--unit", as_of)
        district = _check_unit(db, args.district, "--district", as_of)
        found = list_actions(db, as_of=as_of, unit_code=unit, district_code=district,
                             status=ActionStatus(args.status) if args.status else None,
                             source=ActionSource(args.source) if args.source else None, overdue_only=args.overdue,
                             limit=args.limit)
    if args.json:
        print_json({"as_of": as_of.isoformat(), "total": found.total, "actions": [{
            "id": a.id, "unit_code": a.unit_code, "unit_name": a.unit_name, "district_code": a.district_code,
            "source": a.source.value, "type": a.type.value, "clause": a.clause, "standard": a.standard, "grade": a.grade,
            "audit_id": a.audit_id, "finding_id": a.finding_id, "description": a.description, "owner_name": a.owner_name,
            "opened_on": a.opened_on.isoformat(), "due_date": a.due_on.isoformat() if a.due_on else None,
            "status": a.status_on.value if a.status_on else None, "status_today": a.status.value, "overdue": a.overdue,
            "days_overdue": a.days_overdue, "recurred": a.recurred,
        } for a in found.rows]})
        return 0
    if not found.rows:
        print(f"No action matches as of {as_of.isoformat()}.")
        return 0
    print(text_table(
        ["id", "unit", "name", "source", "clause", "opened", "due", "status", "overdue", "recurred"],
        [[a.id, a.unit_code, a.unit_name, a.source.value, a.clause, fmt(a.opened_on), fmt(a.due_on),
          a.status_on.value if a.status_on else "", a.days_overdue or "", "yes" if a.recurred else ""] for a in found.rows],
    ))
    more = f" (first {len(found.rows)} shown)" if found.total > len(found.rows) else ""
    print(f"\n{found.total} action(s) as of {as_of.isoformat()}{more}.")
    return 0


def cmd_actions_summary(args, settings) -> int:
    as_of = _as_of(args)
    with opened(settings.db_path) as db:
        data = action_overview(db, as_of)
    districts = [{"district_code": None if d.row_code == DEPARTMENTS_ROW else d.row_code,
                  "name": "departments" if d.row_code == DEPARTMENTS_ROW else d.row_name, "open": d.open,
                  "overdue": d.overdue, "awaiting_verification": d.awaiting_verification, "verified": d.verified,
                  "median_days_to_close": d.median_days_to_close} for d in data.by_district]
    if args.json:
        print_json({"as_of": as_of.isoformat(), "total": data.total, "open": data.open, "overdue": data.overdue,
                     "awaiting_verification": data.awaiting_verification, "verified": data.verified,
                     "recurred": data.recurred, "cancelled": data.cancelled,
                     "median_days_to_close": data.median_days_to_close, "recurrence_rate_pct": data.recurrence_rate_pct,
                     "by_district": districts})
        return 0
    rate = "-" if data.recurrence_rate_pct is None else f"{data.recurrence_rate_pct}%"
    median = "-" if data.median_days_to_close is None else f"{data.median_days_to_close:g} days"
    print(f"Actions as of {as_of.isoformat()}: {data.total} opened, {data.open} open, {data.overdue} overdue, "
          f"{data.awaiting_verification} awaiting verification, {data.verified} verified effective ({data.recurred} recurred "
          f"since: recurrence rate {rate}), {data.cancelled} cancelled; median time to close {median}.")
    if districts:
        print()
        print(text_table(["district", "name", "open", "overdue", "awaiting", "verified", "median days"],
                     [[d["district_code"] or "", d["name"], d["open"], d["overdue"], d["awaiting_verification"],
                       d["verified"], d["median_days_to_close"]] for d in districts]))
    return 0


def cmd_actions_sync(args, settings) -> int:
    with opened(settings.db_path) as db:
        unit = _check_unit(db, args.unit, "--unit")
        done = ensure_actions_for_findings(db, actor=settings.principal(), unit_code=unit)
    if args.json:
        print_json({"created": done.created, "recurred": done.recurred})
    else:
        print(f"{len(done.created)} action(s) created for findings that had none; "
              f"{len(done.recurred)} earlier action(s) marked recurred.")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("actions", help="improvement actions (list, summary, sync)",
                              description="Improvement actions: one per major or minor nonconformity, or opened by hand, "
                                          "followed to verified closure.")
    sub = p.add_subparsers(dest="actions_command", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="list actions as of a date",
                        description="List the actions that exist on a date with their status and due date on that date: "
                                    "the still unfinished first, the overdue (open or in progress, due before the date) "
                                    "longest overdue first.")
    ls.add_argument("--unit", metavar="CODE", help="only this unit's actions")
    ls.add_argument("--district", metavar="CODE",
                    help=f"only actions of this district's units (its communes and its committee); {DEPARTMENTS_ROW} for departments")
    ls.add_argument("--status", choices=[s.value for s in ActionStatus], help="only actions in this status on the date")
    ls.add_argument("--source", choices=[s.value for s in ActionSource], help="only actions from this source")
    ls.add_argument("--overdue", action="store_true", help="only actions overdue on the date")
    ls.add_argument("--as-of", metavar="DATE", help="date YYYY-MM-DD (default: today)")
    ls.add_argument("--limit", type=int, default=5000, help="at most this many rows (default 5000); the total is always given")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=cmd_actions_list)

    sm = sub.add_parser("summary", help="the overview's action figures on a date",
                        description="Open, overdue, awaiting verification, verified, recurred and cancelled actions on a "
                                    "date, the median days to close and the recurrence rate, in all and per district: "
                                    "the same figures as the overview page.")
    sm.add_argument("--as-of", metavar="DATE", help="date YYYY-MM-DD (default: today)")
    sm.add_argument("--json", action="store_true", help="print JSON")
    sm.set_defaults(func=cmd_actions_summary)

    sy = sub.add_parser("sync", help="create the missing actions of nonconformity findings",
                        description="Create an action for every major or minor finding that has none yet (and mark earlier "
                                    "actions of a repeated clause recurred). Safe to rerun: a second run creates nothing.")
    sy.add_argument("--unit", metavar="CODE", help="only this unit's findings")
    sy.add_argument("--json", action="store_true", help="print the ids created and marked as JSON")
    sy.set_defaults(func=cmd_actions_sync)
