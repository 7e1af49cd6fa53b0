"""``qms import-changes`` and ``qms changes``: administrative changes of units by legal act."""

from __future__ import annotations

import sys
from pathlib import Path

from qms.admin_changes.plan import official_code, parse_change_csv
from qms.admin_changes.store import ChangePreview, apply_change, list_changes, preview_change
from qms.kernel.cli_format import print_json, text_table
from qms.kernel.dates import parse_iso
from qms.kernel.db import opened
from qms.kernel.errors import QmsError
from qms.units.importer import decode


def preview_dict(p: ChangePreview) -> dict:
    """What the preview shows, as plain data (the CLI's --json)."""
    plan = p.plan
    cov_after = {c.level.value: c for c in p.coverage_after}
    return {
        "act": plan.act, "effective_date": plan.effective.isoformat(), "source": plan.source,
        "already_imported": p.already_imported, "written": p.written,
        "units_ending": [{"key": k, "name": p.names.get(k), "successors": [link.new_key for link in plan.successors(k)]}
                         for k in plan.ended],
        "units_ending_without_successor": [{"key": k, "name": p.names.get(k)} for k in plan.ended_without_successor],
        "units_starting": [{"key": u.key, "code": u.gso_code, "name": u.name, "kind": u.kind, "parent": u.parent_key,
                            "formed_from": list(u.predecessors), "code_reused_from": u.code_reused_from} for u in plan.new_units],
        "units_continuing": [{"key": c.key, "name_before": c.old_name, "name_after": c.new_name,
                              "parent_before": c.old_parent, "parent_after": c.new_parent} for c in plan.continuing],
        "codes_reused": [{"code": u.gso_code, "was": u.code_reused_from, "was_name": p.names.get(u.code_reused_from or ""),
                          "now": u.key, "now_name": u.name} for u in plan.reused_codes],
        "links": [{"old": link.old_key, "new": link.new_key, "share": link.share, "weight": round(link.weight, 6)} for link in plan.links],
        "name_variants": [{"line": line, "unit": key, "in_file": written, "on_record": recorded}
                          for line, key, written, recorded in plan.name_variants],
        "open_work": [{"unit": w.key, "name": w.name, "open_actions": w.open_actions, "draft_audits": w.draft_audits,
                       "processes": w.processes, "tthc": w.tthc} for w in p.open_work],
        "actions_moving": [{"action": m.action_id, "from": m.old_key, "to": m.new_key, "choices": list(m.choices)} for m in p.moves],
        "actions_cancelled": [{"action": a, "unit": u} for a, u in p.cancels],
        "accounts_to_reassign": [{"username": u, "role": r, "scope": k, "unit": c} for u, r, k, c in p.accounts_to_reassign],
        "coverage_on_effective_date": [
            {"level": c.level.value, "before": {"announced": c.announced, "in_plan": c.in_plan, "rate_pct": c.rate_pct},
             "after": ({"announced": cov_after[c.level.value].announced, "in_plan": cov_after[c.level.value].in_plan,
                        "rate_pct": cov_after[c.level.value].rate_pct} if c.level.value in cov_after else None)}
            for c in p.coverage_before],
        "scope_taken_over": {"tthc_entries": p.taken_over[0], "draft_processes": p.taken_over[1]},
        "problems": p.problems,
    }


def _print(p: ChangePreview, dry_run: bool) -> None:
    plan = p.plan
    if p.already_imported:
        print(f"{plan.source}: {plan.act} (effective {plan.effective.isoformat()}) was imported before; nothing changed.")
        return
    state = "nothing written (dry run)" if dry_run or not p.written else "written"
    print(f"{plan.source}: {plan.act}, effective {plan.effective.isoformat()}: {len(plan.ended)} units end into "
          f"{len(plan.new_units)} new units, {len(plan.continuing)} continue, {len(plan.ended_without_successor)} end "
          f"with no successor; {len(plan.reused_codes)} codes reused by a differently named unit; {state}.")
    if plan.new_units:
        print(text_table(["new unit", "code", "name", "formed from"],
                         [[u.key, u.gso_code, u.name, ", ".join(u.predecessors)] for u in plan.new_units]))
    for c in plan.continuing:
        print(f"  continues: {c.key} {c.old_name} -> {c.new_name} (parent {c.old_parent} -> {c.new_parent})")
    for k in plan.ended_without_successor:
        print(f"  ends with no successor: {k} {p.names.get(k, '')}")
    for u in plan.reused_codes:
        print(f"  code {u.gso_code}: was {p.names.get(u.code_reused_from or '', '?')} ({u.code_reused_from}), now {u.name} ({u.key})")
    for line, key, written, recorded in plan.name_variants:
        print(f"  line {line}: {official_code(key)} is '{recorded}' on record, '{written}' in the file (matched by code and date)")
    for m in p.moves:
        extra = f" (split: could also go to {', '.join(c for c in m.choices if c != m.new_key)})" if len(m.choices) > 1 else ""
        print(f"  action #{m.action_id} moves from {m.old_key} to {m.new_key}{extra}")
    for action_id, unit in p.cancels:
        print(f"  action #{action_id} of {unit} is cancelled (its unit ends with no successor)")
    for user, role, kind, code in p.accounts_to_reassign:
        print(f"  account {user} ({role}) is scoped to {kind} {code}, which ends: reassign it")
    if p.taken_over != (0, 0):
        print(f"  scope taken over: {p.taken_over[0]} TTHC catalogue entries, {p.taken_over[1]} processes as drafts")
    after = {c.level: c for c in p.coverage_after}
    print(f"Coverage on {plan.effective.isoformat()} (announced / in plan), before -> after:")
    for c in p.coverage_before:
        a = after.get(c.level)
        print(f"  {c.level.value:<10} {c.announced}/{c.in_plan}" + (f" -> {a.announced}/{a.in_plan}" if a else ""))


def cmd_import_changes(args, settings) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise QmsError(f"{path}: no such file.", vi=f"{path}: không có tệp này.")
    effective = parse_iso(args.effective, field="--effective") if args.effective else None
    rows = parse_change_csv(decode(path.read_bytes(), path.name), path.name, act=args.act, effective=effective)
    successor_of = {}
    for item in args.successor or []:
        old, sep, new = item.partition("=")
        if not sep or not old or not new:
            raise QmsError(f"--successor {item}: write OLD=NEW (an old unit and the new unit its open actions go to).",
                           vi=f"--successor {item}: hãy viết CŨ=MỚI (đơn vị cũ và đơn vị mới nhận các hành động còn mở).")
        successor_of[old.strip()] = new.strip()
    with opened(settings.db_path) as db:
        take = args.take_over_scope
        result = preview_change(db, rows, path.name, actor=settings.principal(), successor_of=successor_of, take_over_scope=take)
        if not args.dry_run and not result.already_imported and not result.problems:
            result = apply_change(db, rows, path.name, actor=settings.principal(), successor_of=successor_of, take_over_scope=take)
    if args.json:
        print_json(preview_dict(result))
    else:
        _print(result, args.dry_run)
    if result.problems:
        print(f"qms: {path.name}: {'; '.join(result.problems)}; nothing was imported.", file=sys.stderr)
        return 2
    return 0


def cmd_changes(args, settings) -> int:
    with opened(settings.db_path) as db:
        rows = list_changes(db)
    if args.json:
        print_json([{"id": r[0], "act": r[1], "effective_date": r[2].isoformat(), "units_ended": r[3], "units_started": r[4],
                     "imported_at": r[5].isoformat(), "imported_by": r[6]} for r in rows])
    else:
        print(text_table(["id", "act", "effective", "ended", "started", "by"],
                         [[r[0], r[1], r[2].isoformat(), r[3], r[4], r[6]] for r in rows]))
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "import-changes", help="import an administrative change (merges, splits) by its legal act, all or nothing",
        description="Import a change file in the columns of the Lai Châu 2025 crosswalk: new_code, new_name, kind, "
                    "formed_from_old_codes (;-separated), formed_from_old_names, and optionally source, level, parent_code, "
                    "formed_from_shares (full, partial or partial:0.4 per old code), identity (new or continues), act and "
                    "effective_date. Old units are matched by code on the day before the act; an old code under two new units "
                    "is a split; districts left without a commune end on the effective date. The preview (--dry-run) writes "
                    "nothing; importing the same act again changes nothing.")
    p.add_argument("file", help="the change file (UTF-8 CSV)")
    p.add_argument("--act", help="the legal act, when the file has no act column (e.g. 'NQ 1670/NQ-UBTVQH15 (16/06/2025)')")
    p.add_argument("--effective", help="the effective date YYYY-MM-DD, when the file has no effective_date column")
    p.add_argument("--successor", action="append", metavar="OLD=NEW",
                   help="where the open actions of a split unit go (default: the successor with the largest share)")
    p.add_argument("--take-over-scope", action="store_true",
                   help="copy the predecessors' TTHC catalogues and issued processes to each new unit (processes as drafts)")
    p.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    p.add_argument("--json", action="store_true", help="print the preview as JSON")
    p.set_defaults(func=cmd_import_changes)

    p = sub.add_parser("changes", help="list the administrative changes imported",
                       description="Every imported act with its effective date and the units it ended and started.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_changes)
