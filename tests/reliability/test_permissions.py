"""Permissions proven where they live: every store write function against every kind of actor
(issue 14, defect 9).

The functions are found, not listed: every public function of a store or door module (by its name, ``qms_testing.module_role``)
whose first parameter is ``db`` and which takes an ``actor`` is a write a person makes, and must
have a case in :data:`CASES` (``test_every_write_function_is_in_the_matrix`` fails naming a new
one).  A case says which actors may make the write, how to set up a target for it (as the
system) and how to call it.  Each write is then tried by:

- an administrator; an auditor of the unit's district and one of another district; the unit's
  ISO officer and another unit's; a viewer;
- a session copy of an account deactivated since, and one of an administrator demoted to viewer
  since (the principal the session keeps still says administrator);
- a bare user name (a string: it once meant full rights); the system (the CLI's explicit rights).

A refused actor must get :class:`~qms.accounts.rules.PermissionDenied`, and the database (every
table's row count, the contents of the small tables an update changes, the row versions, the
data version) and the exports folder must be exactly as before.  An allowed actor must succeed
and change something, which proves each case really writes (so its refusals mean something).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import inspect
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import qms
from qms.accounts import store as accounts
from qms.accounts.rules import PermissionDenied, Principal, Role, system_principal
from qms.actions import store as actions
from qms.actions.queries import get_action
from qms.actions.rules import ActionSource, ActionType, NewAction, Step
from qms.actions.steps import ActionEdit, StepInput
from qms.admin_changes import store as admin_changes
from qms.admin_changes.plan import parse_change_csv
from qms.audits import evidence_store as evidence
from qms.audits import offline_store as audit_offline
from qms.audits import store as audits
from qms.audits.checklists import load_templates
from qms.audits.rules import AnswerInput, AuditKind, NewAudit, Result
from qms.coverage import targets_store as targets
from qms.demo import store as demo
from qms.exports import indicators
from qms.exports import settings_store as export_settings
from qms.exports.snapshot import write_snapshot
from qms.inspections import minutes_store as inspection_minutes
from qms.inspections import store as inspection_plans
from qms.inspections.rules import ItemInput, MinutesInput, Mode, RequestInput
from qms.kernel.db import Database, open_database
from qms.kernel.settings import PROJECT_ROOT
from qms.scope import files_store as scope_files
from qms.scope import processes_store as scope_processes
from qms.scope import store as scope_writes
from qms.scope.model import CatalogueEntry, ChangeEffect, LegalChangeInput, LegalChangeItem, ProcessStatus, ProcessVersionInput
from qms.status_import import store as status_import
from qms.units import events_store as events
from qms.units import store as units
from qms.units.importer import parse_units_csv
from qms.units.model import EventType, Level, NewEvent, Target
from qms_testing import DOOR, STORE, module_role

TODAY = dt.date(2024, 1, 1)
UNIT, DISTRICT = "03386", "105"          # the unit every write targets, and its district
OTHER_UNIT, OTHER_DISTRICT = "03430", "106"
SYSTEM = system_principal("m.system")
PASSWORD = "mật khẩu ma trận 1"
ISO2015 = "internal-audit-iso9001-2015"

#: The actors, by the name the cases use.
ACTORS: dict[str, Principal | str] = {
    "admin": Principal(username="m.admin", role=Role.ADMIN),
    "auditor_in": Principal(username="m.auditor.in", role=Role.AUDITOR, districts=frozenset({DISTRICT})),
    "auditor_out": Principal(username="m.auditor.out", role=Role.AUDITOR, districts=frozenset({OTHER_DISTRICT})),
    "officer_in": Principal(username="m.officer.in", role=Role.OFFICER, units=frozenset({UNIT})),
    "officer_out": Principal(username="m.officer.out", role=Role.OFFICER, units=frozenset({OTHER_UNIT})),
    "viewer": Principal(username="m.viewer", role=Role.VIEWER),
    "deactivated": Principal(username="m.former", role=Role.ADMIN),
    "demoted": Principal(username="m.demoted", role=Role.ADMIN),
    "bare_name": "m.admin",
    "system": SYSTEM,
}

#: Store functions that write without an author, and why.
WITHOUT_ACTOR = {
    "qms.accounts.store.sign_in": "records the attempt of someone not yet signed in",
    "qms.accounts.store.sign_in_sso": "records the attempt of someone not yet signed in",
    "qms.accounts.store.change_own_password": "a person's own password, proven by the current one (no other right needed)",
    "qms.kernel.migrations.apply": "the schema, applied when the database opens",
}


@dataclasses.dataclass(frozen=True)
class Case:
    """``prepare(db, n, folder)`` sets up (as the system) what the ``n``-th call needs and
    returns it; ``call(db, ctx, actor)`` makes the write."""

    area: str
    allowed: frozenset[str]
    prepare: Callable[[Database, int, Path], Any]
    call: Callable[[Database, Any, Any], Any]
    writes: bool = True   # False: a preview, which must write nothing even when allowed


def case(area: str, allowed: set[str], call, prepare=lambda db, n, folder: n, writes: bool = True) -> Case:
    return Case(area, frozenset(allowed | {"system"}), prepare, call, writes)


ADMIN_ONLY = {"admin"}
UNIT_WORK = {"admin", "officer_in"}      # RECORD_EVENT, SCOPE_WRITE, ACTION_WRITE on the officer's unit
AUDIT_WORK = {"admin", "auditor_in"}     # AUDIT_WRITE, ACTION_VERIFY in the auditor's district


# -- set-ups (as the system) ---------------------------------------------------------------------

def _rename_act(n: int):
    """The ``n``-th act renaming the unit (it continues under its code), effective a day apart."""
    return parse_change_csv(f"new_code,new_name,kind,formed_from_old_codes\n{UNIT},Phường Thử {n},phuong,{UNIT}\n",
                            "doi_ten.csv", act=f"QĐ {n}/thử", effective=dt.date(2030, 1, 1) + dt.timedelta(days=n))


def _template():
    return load_templates(PROJECT_ROOT / "checklists").latest(ISO2015)


def _draft(db, n, folder) -> int:
    new = NewAudit(unit_code=UNIT, template_id=ISO2015, kind=AuditKind.SELF_ASSESSMENT, auditor="Kiểm tra viên",
                   audit_date=dt.date(2023, 3, 1))
    return audits.start_audit(db, new, _template(), actor=SYSTEM, today=TODAY)


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 120, 200)).save(buf, format="PNG")
    return buf.getvalue()


def _offline_preview(db, n, folder):
    """A draft's offline workbook brought back with its first item answered (issue 17)."""
    import io

    import openpyxl

    from qms.audits import workbook as audit_workbook

    audit_id = _draft(db, n, folder)
    book = openpyxl.load_workbook(io.BytesIO(audit_offline.pack_audit(db, audit_id)))
    book[audit_workbook.SHEET].cell(row=audit_workbook.FIRST_ROW, column=audit_workbook.COL_RESULT).value = "Phù hợp"
    buf = io.BytesIO()
    book.save(buf)
    return audit_offline.preview_unpack(db, audit_id, buf.getvalue(), "phieu.xlsx")


def _answered(db, n, folder, minor: bool = False) -> tuple[int, int]:
    audit_id = _draft(db, n, folder)
    view = audits.get_audit(db, audit_id)
    answers = [AnswerInput(item_ref=s.ref, result=Result.MINOR if minor and i == 0 else Result.CONFORM,
                           note="Thiếu hồ sơ" if minor and i == 0 else None) for i, s in enumerate(view.specs)]
    return audit_id, audits.save_answers(db, audit_id, answers, expected_version=view.row_version, actor=SYSTEM).version


def _submitted(db, n, folder) -> int:
    audit_id, version = _answered(db, n, folder)
    audits.submit_audit(db, audit_id, expected_version=version, actor=SYSTEM, today=TODAY)
    return audit_id


def _finding_without_action(db, n, folder) -> int:
    """A submitted audit's nonconformity whose action is missing (a database from before actions)."""
    audit_id, version = _answered(db, n, folder, minor=True)
    audits.submit_audit(db, audit_id, expected_version=version, actor=SYSTEM, today=TODAY)
    db.write(lambda cur: [cur.execute("DELETE FROM action_events WHERE action_id IN (SELECT id FROM actions WHERE audit_id = ?)",
                                      [audit_id]),
                          cur.execute("DELETE FROM actions WHERE audit_id = ?", [audit_id])])
    return audit_id


def _manual_action(db, n, folder) -> tuple[int, int]:
    action_id = actions.open_action(db, NewAction(unit_code=UNIT, source=ActionSource.COMPLAINT, type=ActionType.CORRECTIVE,
                                                  description=f"Phản ánh {n}", origin_date=TODAY), actor=SYSTEM, today=TODAY)
    return action_id, get_action(db, action_id).row_version


def _done_action(db, n, folder) -> tuple[int, int]:
    action_id, version = _manual_action(db, n, folder)
    for step in (StepInput(step=Step.START, on_date=TODAY, owner_name="Lò Văn A", root_cause="Chưa rõ"),
                 StepInput(step=Step.DONE, on_date=TODAY, note="Đã xong")):
        version = actions.apply_step(db, action_id, step, expected_version=version, actor=SYSTEM, today=TODAY)
    return action_id, version


def _tthc(db) -> str:
    return db.scalar("SELECT min(tthc_code) FROM unit_tthc WHERE unit_code = ?", [UNIT])


def _process(db, n, code: str) -> ProcessVersionInput:
    return ProcessVersionInput(unit_code=UNIT, code=code, title=f"Quy trình thử {n}", tthc_codes=(_tthc(db),),
                               status=ProcessStatus.ISSUED, issued_on=dt.date(2023, 1, 2))


def _issued(db, n, folder) -> str:
    code = f"QT-W{n}"
    scope_processes.save_process_version(db, _process(db, n, code), actor=SYSTEM, today=TODAY)
    return code


def _not_started_commune(db, n, folder) -> str:
    return db.scalar("SELECT code FROM units u WHERE level = 'commune' AND valid_to IS NULL"
                     " AND NOT EXISTS (SELECT 1 FROM qms_events e WHERE e.unit_code = u.code) ORDER BY code LIMIT 1 OFFSET ?",
                     [n])


def _status_sheet(code: str) -> bytes:
    return f"Mã đơn vị,Tình trạng\n{code},đang xây dựng\n".encode()


def _target_active(db, n, folder) -> None:
    accounts.set_active(db, "m.target", True, actor=SYSTEM)


def _nightly_off(db, n, folder) -> Path:
    export_settings.set_nightly_export(db, False, actor=SYSTEM)


def _tthc_csv(n: int) -> bytes:
    return f"Mã đơn vị,Mã TTHC,Tên TTHC\n{UNIT},9.{n:06d},Thủ tục thử {n}\n".encode()


def _inspection_plan(db, n, folder, team: tuple[str, ...] = ("m.auditor.in",), approve: bool = True) -> int:
    """The ``n``-th year's plan with one on-site inspection of the unit by ``team``; its item id."""
    year = 2040 + n
    inspection_plans.change_items(db, year, [ItemInput(unit_code=UNIT, mode=Mode.ON_SITE, month=12, team=team)],
                                  actor=SYSTEM, today=TODAY)
    if approve:
        inspection_plans.approve_plan(db, year, f"{n}/QĐ-UBND", TODAY, actor=SYSTEM, today=TODAY)
    return db.scalar("SELECT i.id FROM inspection_plan_items i JOIN inspection_plans p ON p.id = i.plan_id WHERE p.year = ?",
                     [year])


def _inspected(db, n, folder) -> int:
    """A planned inspection whose checklist is submitted (the minutes may be signed)."""
    item_id = _inspection_plan(db, n, folder)
    entry = load_templates(PROJECT_ROOT / "checklists").latest("inspection-circular26")
    audit_id = inspection_plans.start_planned_inspection(db, item_id, entry, actor=SYSTEM, today=TODAY)
    view = audits.get_audit(db, audit_id)
    version = audits.save_answers(db, audit_id, [AnswerInput(item_ref=s.ref, result=Result.CONFORM) for s in view.specs],
                                  expected_version=view.row_version, actor=SYSTEM).version
    audits.submit_audit(db, audit_id, expected_version=version, actor=SYSTEM, today=TODAY)
    return item_id


def _request(db, n, folder) -> int:
    minutes_id = inspection_minutes.write_minutes(db, _inspected(db, n, folder), MinutesInput(
        signed_on=TODAY, scope="Toàn bộ HTQLCL", requests=(RequestInput(text="Bổ sung hồ sơ"),)), actor=SYSTEM, today=TODAY)
    return inspection_minutes.requests_of(db, minutes_id)[0]["id"]


# -- the matrix ----------------------------------------------------------------------------------

CASES: dict[str, Case] = {
    # accounts
    "qms.accounts.store.create_user": case("accounts", ADMIN_ONLY, lambda db, n, a: accounts.create_user(
        db, username=f"m.new{n}", display_name="Tài khoản mới", role=Role.VIEWER, password=PASSWORD, actor=a)),
    "qms.accounts.store.set_active": case("accounts", ADMIN_ONLY, lambda db, _, a: accounts.set_active(db, "m.target", False, actor=a),
                                          prepare=_target_active),
    "qms.accounts.store.set_password": case("accounts", ADMIN_ONLY, lambda db, n, a: accounts.set_password(
        db, "m.target", f"mật khẩu mới {n:04d}", actor=a)),
    "qms.accounts.store.reset_password": case("accounts", ADMIN_ONLY, lambda db, n, a: accounts.reset_password(
        db, "m.target", actor=a)),
    "qms.accounts.store.set_role": case("accounts", ADMIN_ONLY, lambda db, n, a: accounts.set_role(
        db, "m.target", Role.AUDITOR if n % 2 == 0 else Role.VIEWER, districts=[DISTRICT] if n % 2 == 0 else [], actor=a)),
    # units and their lifecycle
    "qms.units.events_store.record_event": case("units", UNIT_WORK, lambda db, n, a: events.record_event(
        db, NewEvent(unit_code=UNIT, event_type=EventType.MANAGEMENT_REVIEW, event_date=dt.date(2022, 1, 3) + dt.timedelta(days=n)),
        actor=a, today=TODAY)),
    "qms.units.store.rename_unit": case("units", ADMIN_ONLY, lambda db, n, a: units.rename_unit(
        db, UNIT, f"Phường Quyết Thắng ({n})", on=dt.date(2023, 1, 1) + dt.timedelta(days=n), actor=a)),
    "qms.demo.store.load_demo": case("units", ADMIN_ONLY, lambda db, _, a: demo.load_demo(
        db, PROJECT_ROOT / "data" / "demo", force=True, actor=a)),
    # targets
    "qms.coverage.targets_store.set_targets": case("targets", ADMIN_ONLY, lambda db, n, a: targets.set_targets(
        db, [Target(level=Level.COMMUNE, year=2030 + n, target_pct=80)], actor=a)),
    # imports
    "qms.units.store.import_units": case("imports", ADMIN_ONLY, lambda db, n, a: units.import_units(
        db, parse_units_csv(f"gso_code,name,level,kind,parent_gso_code\n9{n:04d},Xã Thử {n},commune,xa,{DISTRICT}\n"), actor=a)),
    "qms.status_import.store.apply_status_import": case("imports", ADMIN_ONLY, lambda db, code, a: status_import.apply_status_import(
        db, _status_sheet(code), "tinh_trang.csv", today=TODAY, actor=a), prepare=_not_started_commune),
    # administrative changes: a unit renamed by an act (it continues), one act a call
    "qms.admin_changes.store.apply_change": case("imports", ADMIN_ONLY, lambda db, n, a: admin_changes.apply_change(
        db, _rename_act(n), "doi_ten.csv", actor=a)),
    "qms.admin_changes.store.preview_change": case("imports", ADMIN_ONLY, lambda db, n, a: admin_changes.preview_change(
        db, _rename_act(n), "doi_ten.csv", actor=a), writes=False),
    "qms.admin_changes.store.set_carry_over": case("units", ADMIN_ONLY, lambda db, n, a: admin_changes.set_carry_over(
        db, n % 2 == 0, actor=a)),
    "qms.status_import.store.preview_status_import": case("imports", ADMIN_ONLY, lambda db, code, a: status_import.preview_status_import(
        db, _status_sheet(code), "tinh_trang.csv", today=TODAY, actor=a), prepare=_not_started_commune, writes=False),
    "qms.scope.files_store.import_file": case("imports", UNIT_WORK, lambda db, n, a: scope_files.import_file(
        db, scope_files.FileKind.CATALOGUE, _tthc_csv(n), "danh_muc.csv", actor=a, today=TODAY)),
    # scope
    "qms.scope.store.import_catalogue": case("scope", UNIT_WORK, lambda db, n, a: scope_writes.import_catalogue(
        db, [("dòng 2", CatalogueEntry(unit_code=UNIT, code=f"8.{n:06d}", name=f"Thủ tục {n}"))], actor=a, source="danh_muc.csv")),
    "qms.scope.processes_store.import_processes": case("scope", UNIT_WORK, lambda db, n, a: scope_processes.import_processes(
        db, [("dòng 2", _process(db, n, f"QT-I{n}"))], actor=a, source="quy_trinh.csv", today=TODAY)),
    "qms.scope.processes_store.save_process_version": case("scope", UNIT_WORK, lambda db, n, a: scope_processes.save_process_version(
        db, _process(db, n, f"QT-S{n}"), actor=a, today=TODAY)),
    "qms.scope.processes_store.withdraw_process": case("scope", UNIT_WORK, lambda db, code, a: scope_processes.withdraw_process(
        db, UNIT, code, on=dt.date(2023, 6, 1), actor=a, today=TODAY), prepare=_issued),
    "qms.scope.processes_store.record_legal_change": case("scope", ADMIN_ONLY, lambda db, n, a: scope_processes.record_legal_change(
        db, LegalChangeInput(document_no=f"{n + 1}/2023/QĐ-UBND", effective_on=dt.date(2023, 7, 1),
                             items=(LegalChangeItem(tthc_code=_tthc(db), effect=ChangeEffect.AMENDED),)), actor=a, today=TODAY)),
    # audits
    "qms.audits.store.start_audit": case("audits", AUDIT_WORK, lambda db, _, a: audits.start_audit(
        db, NewAudit(unit_code=UNIT, template_id=ISO2015, kind=AuditKind.SELF_ASSESSMENT, auditor="Kiểm tra viên",
                     audit_date=dt.date(2023, 3, 1)), _template(), actor=a, today=TODAY)),
    "qms.audits.store.save_answers": case("audits", AUDIT_WORK, lambda db, audit_id, a: audits.save_answers(
        db, audit_id, [AnswerInput(item_ref=audits.get_audit(db, audit_id).specs[0].ref, result=Result.CONFORM)],
        expected_version=1, actor=a), prepare=_draft),
    "qms.audits.store.submit_audit": case("audits", AUDIT_WORK, lambda db, ctx, a: audits.submit_audit(
        db, ctx[0], expected_version=ctx[1], actor=a, today=TODAY), prepare=_answered),
    "qms.audits.store.close_audit": case("audits", AUDIT_WORK, lambda db, audit_id, a: audits.close_audit(db, audit_id, actor=a),
                                         prepare=_submitted),
    "qms.audits.evidence_store.attach_evidence": case("audits", AUDIT_WORK, lambda db, audit_id, a: evidence.attach_evidence(
        db, audit_id, audits.get_audit(db, audit_id).specs[0].ref, [("bang-niem-yet.png", _png())], actor=a), prepare=_draft),
    "qms.audits.offline_store.confirm_unpack": case("audits", AUDIT_WORK, lambda db, preview, a: audit_offline.confirm_unpack(
        db, preview, actor=a), prepare=_offline_preview),
    "qms.audits.store.reopen_audit": case("audits", ADMIN_ONLY, lambda db, audit_id, a: audits.reopen_audit(
        db, audit_id, "Cần sửa một câu trả lời", actor=a), prepare=_submitted),
    # actions
    "qms.actions.store.open_action": case("actions", UNIT_WORK, lambda db, n, a: actions.open_action(
        db, NewAction(unit_code=UNIT, source=ActionSource.COMPLAINT, type=ActionType.CORRECTIVE, description=f"Phản ánh {n}",
                      origin_date=TODAY), actor=a, today=TODAY)),
    "qms.actions.store.apply_step": case("actions", UNIT_WORK, lambda db, ctx, a: actions.apply_step(
        db, ctx[0], StepInput(step=Step.START, on_date=TODAY, owner_name="Lò Văn A", root_cause="Chưa rõ"),
        expected_version=ctx[1], actor=a, today=TODAY), prepare=_manual_action),
    "qms.actions.store.apply_step#verify": case("actions", AUDIT_WORK, lambda db, ctx, a: actions.apply_step(
        db, ctx[0], StepInput(step=Step.VERIFY_EFFECTIVE, on_date=TODAY, verifier="Giàng A Páo", note="Đã kiểm tra"),
        expected_version=ctx[1], actor=a, today=TODAY), prepare=_done_action),
    "qms.actions.store.edit_action": case("actions", UNIT_WORK, lambda db, ctx, a: actions.edit_action(
        db, ctx[0], ActionEdit(owner_name="Người phụ trách mới"), expected_version=ctx[1], actor=a, today=TODAY),
        prepare=_manual_action),
    "qms.actions.store.ensure_actions_for_findings": case("actions", UNIT_WORK | AUDIT_WORK, lambda db, _, a:
        actions.ensure_actions_for_findings(db, actor=a, today=TODAY, unit_code=UNIT), prepare=_finding_without_action),
    "qms.actions.store.set_internal_audit_due_days": case("actions", ADMIN_ONLY, lambda db, n, a:
        actions.set_internal_audit_due_days(db, 40 + n, actor=a)),
    # the inspection year
    "qms.inspections.store.propose_plan": case("inspections", ADMIN_ONLY, lambda db, n, a: inspection_plans.propose_plan(
        db, 2024, actor=a, today=TODAY)),
    "qms.inspections.store.change_items": case("inspections", ADMIN_ONLY, lambda db, n, a: inspection_plans.change_items(
        db, 2024, [ItemInput(unit_code=UNIT, mode=Mode.RECORDS, month=n % 12 + 1)], actor=a, today=TODAY)),
    "qms.inspections.store.approve_plan": case("inspections", ADMIN_ONLY, lambda db, n, a: inspection_plans.approve_plan(
        db, 2040 + n, "12/QĐ-UBND", TODAY, actor=a, today=TODAY),
        prepare=lambda db, n, folder: _inspection_plan(db, n, folder, approve=False) and n),
    "qms.inspections.store.start_planned_inspection": case("inspections", AUDIT_WORK, lambda db, item_id, a:
        inspection_plans.start_planned_inspection(db, item_id, load_templates(PROJECT_ROOT / "checklists").latest(
            "inspection-circular26"), actor=a, today=TODAY), prepare=_inspection_plan),
    "qms.inspections.minutes_store.write_minutes": case("inspections", AUDIT_WORK, lambda db, item_id, a:
        inspection_minutes.write_minutes(db, item_id, MinutesInput(signed_on=TODAY, scope="Toàn bộ HTQLCL"), actor=a, today=TODAY),
        prepare=_inspected),
    "qms.inspections.minutes_store.record_corrective_report": case("inspections", UNIT_WORK, lambda db, request_id, a:
        inspection_minutes.record_corrective_report(db, request_id, TODAY, "Đã bổ sung", actor=a, today=TODAY), prepare=_request),
    # exports
    "qms.exports.settings_store.set_nightly_export": case("exports", ADMIN_ONLY, lambda db, _, a:
        export_settings.set_nightly_export(db, True, actor=a), prepare=_nightly_off),
    "qms.exports.snapshot.write_snapshot": case("exports", ADMIN_ONLY, lambda db, folder, a: write_snapshot(
        db, folder, dt.date(2016, 12, 31), methodology=indicators.load(), actor=a),
        prepare=lambda db, n, folder: folder / "exports" / f"run{n}"),
}


def discovered_write_functions() -> tuple[set[str], set[str]]:
    """(functions taking an actor, functions that write without one), by dotted name: every
    public function of a store or door module (``module_role``: every feature's ``store.py``,
    ``*_store.py``, ``queries.py``..., ``qms/exports/``) whose first parameter is ``db``."""
    with_actor, without = set(), set()
    root = Path(qms.__file__).parent
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if len(rel.parts) < 2 or module_role(rel) not in (STORE, DOOR) or rel.stem == "__init__":
            continue
        module = importlib.import_module("qms." + ".".join(rel.with_suffix("").parts))
        if module.__name__ == "qms.accounts.principals_store":  # the check itself
            continue
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            params = list(inspect.signature(fn).parameters)
            if not params or params[0] != "db":
                continue
            if "actor" in params:
                with_actor.add(f"{module.__name__}.{name}")
            elif ".write(" in inspect.getsource(fn):
                without.add(f"{module.__name__}.{name}")
    return with_actor, without


def test_every_write_function_is_in_the_matrix():
    with_actor, without = discovered_write_functions()
    covered = {name.split("#")[0] for name in CASES}
    missing = sorted(with_actor - covered)
    assert not missing, (f"write function(s) {', '.join(missing)} take an actor but have no case in "
                         "tests/reliability/test_permissions.py CASES: add one (who may, how to call it)")
    assert not sorted(covered - with_actor), "CASES names functions that no longer exist or take no actor"
    unexplained = sorted(without - set(WITHOUT_ACTOR))
    assert not unexplained, f"{', '.join(unexplained)} write(s) without an actor: add an actor, or explain it in WITHOUT_ACTOR"


def test_every_area_that_writes_is_in_the_matrix():
    assert {c.area for c in CASES.values()} == {"accounts", "units", "targets", "imports", "scope", "audits", "actions", "exports",
                                                    "inspections"}


# -- running it ----------------------------------------------------------------------------------

#: Small tables whose rows an update changes in place (counts alone would not see it).
_CONTENT = ("users", "user_scopes", "settings", "targets", "unit_names")


def fingerprint(db: Database, folder: Path) -> dict:
    tables = [t for (t,) in db.rows(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY table_name")]
    parts = [f"SELECT '{t}', count(*)::HUGEINT FROM \"{t}\"" for t in tables]  # names from the catalogue
    parts += [f"SELECT '{t} content', sum(hash(x::VARCHAR))::HUGEINT FROM \"{t}\" x" for t in _CONTENT]
    parts += ["SELECT 'audit versions', sum(row_version)::HUGEINT FROM audits",
              "SELECT 'action versions', sum(row_version)::HUGEINT FROM actions",
              "SELECT 'unit versions', sum(lifecycle_version)::HUGEINT FROM units"]
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []
    return {"rows": dict(db.rows(" UNION ALL ".join(parts))), "files": files}


@pytest.fixture(scope="module")
def matrix_file(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with the matrix's accounts: every actor's account as it stands after the
    administrator deactivated ``m.former`` and demoted ``m.demoted`` to viewer."""
    path = tmp_path_factory.mktemp("matrix") / "matrix.duckdb"
    shutil.copyfile(demo_file, path)
    db = open_database(path)
    try:
        for who in [*ACTORS.values(), Principal(username="m.target", role=Role.VIEWER)]:
            if isinstance(who, Principal) and not who.system:
                accounts.create_user(db, username=who.username, display_name=who.username, role=who.role, password=PASSWORD,
                                     units=who.units, districts=who.districts, actor=SYSTEM)
        accounts.set_active(db, "m.former", False, actor=SYSTEM)
        accounts.set_role(db, "m.demoted", Role.VIEWER, actor=SYSTEM)
    finally:
        db.close()
    return path


def run_case(db: Database, c: Case, folder: Path) -> list[str]:
    """Every actor against one case; returns what went wrong (empty: the case holds)."""
    problems = []
    ctx = c.prepare(db, 0, folder)
    for who in [w for w in ACTORS if w not in c.allowed]:
        before = fingerprint(db, folder)
        try:
            c.call(db, ctx, ACTORS[who])
        except PermissionDenied:
            if fingerprint(db, folder) != before:
                problems.append(f"{who}: refused, but something was written")
        except Exception as e:  # noqa: BLE001 - any other outcome is a problem to report
            problems.append(f"{who}: {type(e).__name__} instead of a permission refusal ({e})")
        else:
            problems.append(f"{who}: allowed, but may not")
    for n, who in enumerate(sorted(c.allowed), start=1):
        ctx = c.prepare(db, n, folder)
        before = fingerprint(db, folder)
        try:
            c.call(db, ctx, ACTORS[who])
        except Exception as e:  # noqa: BLE001
            problems.append(f"{who}: refused, but may ({type(e).__name__}: {e})")
            continue
        if c.writes and fingerprint(db, folder) == before:
            problems.append(f"{who}: allowed, but nothing was written (the case does not exercise a write)")
        if not c.writes and fingerprint(db, folder) != before:
            problems.append(f"{who}: a preview wrote something")
    return problems


@pytest.mark.parametrize("name", sorted(CASES), ids=lambda n: f"{CASES[n].area}:{n.removeprefix('qms.').replace('store.', '')}")
def test_write_refuses_whom_it_must_and_writes_nothing(name: str, matrix_file: Path, tmp_path: Path):
    path = shutil.copyfile(matrix_file, tmp_path / "case.duckdb")
    db = open_database(path)
    try:
        problems = run_case(db, CASES[name], tmp_path / "files")
    finally:
        db.close()
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)
