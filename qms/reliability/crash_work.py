"""The child of a crash trial: one kind of write, through the store's own functions, in a loop,
until the parent kills it with SIGKILL.

``python -m qms.reliability.crash_work KIND DB EXPORTS_DIR SEED`` prints one JSON line
``{"ready": true}`` once its set-up is committed, then one JSON line per write *after* the write
function returned (so every line names a committed write; a write committed but killed before
its line is simply not claimed).  The parent checks each claimed write and the database's
invariants (:mod:`qms.reliability.crash_checks`).  Imports are made per kind, so a child starts
as fast as its kind allows.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

from qms.accounts.rules import system_principal
from qms.units.model import Stage
from qms.units.rules import STAGE_ORDER

#: The day the children pretend it is (the demo's history ends in 2021).
TODAY = dt.date(2024, 6, 30)
WHO = system_principal("crash")
#: The unit the unit-scoped writes use (a commune of the demo, announced since 2016).
UNIT = "03386"
#: Iterations after which a child stops by itself (it is normally killed long before).
MAX_ITERATIONS = 5000


def say(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def _announced_units(db) -> list[str]:
    """Units announced now (their last stage span), still existing: a review may follow any day."""
    return [c for (c,) in db.rows(
        "SELECT s.unit_code FROM unit_stage_spans s JOIN units u ON u.code = s.unit_code"
        " WHERE s.valid_to IS NULL AND s.stage = ? AND u.valid_to IS NULL ORDER BY s.unit_code", [STAGE_ORDER[Stage.ANNOUNCED]])]


def events(db, rng: random.Random, exports: Path) -> None:
    from qms.units.events_store import record_event
    from qms.units.model import EventType, NewEvent

    units = _announced_units(db)
    say({"ready": True})
    for i in range(MAX_ITERATIONS):
        unit = units[i % len(units)]
        day = dt.date(2022, 1, 1) + dt.timedelta(days=i // len(units))
        saved = record_event(db, NewEvent(unit_code=unit, event_type=EventType.MANAGEMENT_REVIEW, event_date=day),
                             actor=WHO, today=TODAY)
        say({"event": saved.id, "unit": unit})


def _start_audit(db, i: int) -> int:
    from qms.audits.checklists import load_templates
    from qms.audits.rules import AuditKind, NewAudit
    from qms.audits.store import start_audit
    from qms.kernel.settings import PROJECT_ROOT

    entry = load_templates(PROJECT_ROOT / "checklists").latest("internal-audit-iso9001-2015")
    new = NewAudit(unit_code=UNIT, template_id=entry.template.id, kind=AuditKind.SELF_ASSESSMENT,
                   auditor=f"Kiểm tra viên {i}", audit_date=dt.date(2023, 1, 1) + dt.timedelta(days=i % 300))
    return start_audit(db, new, entry, actor=WHO, today=TODAY)


def audit_saves(db, rng: random.Random, exports: Path) -> None:
    from qms.audits.rules import AnswerInput, Result
    from qms.audits.store import get_audit, save_answers

    results = [Result.CONFORM, Result.OBSERVATION, Result.NOT_APPLICABLE]
    say({"ready": True})
    for i in range(MAX_ITERATIONS):
        audit_id = _start_audit(db, i)
        view = get_audit(db, audit_id)
        version = view.row_version
        for spec in view.specs:   # one item per save: each claimed save is its own row
            result = rng.choice(results)
            version = save_answers(db, audit_id, [AnswerInput(item_ref=spec.ref, result=result)],
                                   expected_version=version, actor=WHO).version
            say({"audit": audit_id, "item": spec.ref, "version": version, "result": result.value})


def audit_submits(db, rng: random.Random, exports: Path) -> None:
    from qms.audits.rules import AnswerInput, Result
    from qms.audits.store import get_audit, save_answers, submit_audit

    say({"ready": True})
    for i in range(MAX_ITERATIONS):
        audit_id = _start_audit(db, i)
        view = get_audit(db, audit_id)
        flawed = rng.randrange(len(view.specs))
        answers = [AnswerInput(item_ref=s.ref, result=Result.MINOR if k == flawed else Result.CONFORM,
                               note="Thiếu hồ sơ" if k == flawed else None) for k, s in enumerate(view.specs)]
        version = save_answers(db, audit_id, answers, expected_version=view.row_version, actor=WHO).version
        done = submit_audit(db, audit_id, expected_version=version, actor=WHO, today=TODAY)
        say({"audit": audit_id, "submitted": done.version, "findings": done.findings})


def action_steps(db, rng: random.Random, exports: Path) -> None:
    from qms.actions.queries import get_action
    from qms.actions.rules import ActionSource, ActionType, NewAction, Step
    from qms.actions.steps import StepInput
    from qms.actions.store import apply_step, open_action

    steps = [StepInput(step=Step.START, on_date=TODAY, owner_name="Lò Văn A", root_cause="Cán bộ mới"),
             StepInput(step=Step.DONE, on_date=TODAY, note="Đã khắc phục"),
             StepInput(step=Step.VERIFY_EFFECTIVE, on_date=TODAY, verifier="Giàng A Páo", note="Đã kiểm tra")]
    say({"ready": True})
    for i in range(MAX_ITERATIONS):
        action_id = open_action(db, NewAction(unit_code=UNIT, source=ActionSource.COMPLAINT, type=ActionType.CORRECTIVE,
                                              description=f"Phản ánh số {i}", origin_date=TODAY), actor=WHO, today=TODAY)
        version = get_action(db, action_id).row_version
        say({"action": action_id, "version": version, "status": "open"})
        for step in steps:
            version = apply_step(db, action_id, step, expected_version=version, actor=WHO, today=TODAY)
            say({"action": action_id, "version": version, "status": get_action(db, action_id).status.value})


#: Rows per imported file: big enough that a kill lands inside an import's transaction.
IMPORT_ROWS = 40


def unit_codes(i: int) -> list[str]:
    return [f"K{i:04d}-{k:02d}" for k in range(IMPORT_ROWS)]


def import_units(db, rng: random.Random, exports: Path) -> None:
    from qms.units.importer import parse_units_csv
    from qms.units.store import import_units as write

    say({"ready": True})
    for i in range(MAX_ITERATIONS):
        source = f"crash-units-{i}.csv"
        text = "gso_code,name,level,kind,parent_gso_code\n" + "".join(
            f"{code},Ban thử {code},department,so,12\n" for code in unit_codes(i))
        write(db, parse_units_csv(text, source), actor=WHO, source=source)
        say({"import": i, "source": source, "codes": unit_codes(i)})


def tthc_codes(i: int) -> list[str]:
    return [f"7.{i:04d}{k:02d}" for k in range(IMPORT_ROWS)]


def import_tthc(db, rng: random.Random, exports: Path) -> None:
    from qms.scope.files_store import FileKind, import_file

    say({"ready": True})
    for i in range(MAX_ITERATIONS):
        source = f"crash-tthc-{i}.csv"
        text = "Mã đơn vị,Mã TTHC,Tên TTHC,Lĩnh vực\n" + "".join(
            f"{UNIT},{code},Thủ tục thử {code},Thử nghiệm\n" for code in tthc_codes(i))
        import_file(db, FileKind.CATALOGUE, text.encode(), source, actor=WHO, today=TODAY)
        say({"import": i, "source": source, "codes": tthc_codes(i)})


def process_codes(i: int) -> list[str]:
    return [f"KQ-{i}-{k}" for k in range(IMPORT_ROWS)]


def import_processes(db, rng: random.Random, exports: Path) -> None:
    from qms.scope.files_store import FileKind, import_file

    tthc = db.scalar("SELECT min(tthc_code) FROM unit_tthc WHERE unit_code = ?", [UNIT])
    say({"ready": True})
    for i in range(MAX_ITERATIONS):
        source = f"crash-processes-{i}.csv"
        text = "Mã đơn vị,Mã quy trình,Tên quy trình,Mã TTHC,Lần ban hành,Ngày ban hành,Trạng thái\n" + "".join(
            f"{UNIT},{code},Quy trình {code},{tthc},1,02/01/2023,Đã ban hành\n" for code in process_codes(i))
        import_file(db, FileKind.PROCESSES, text.encode(), source, actor=WHO, today=TODAY)
        say({"import": i, "source": source, "codes": process_codes(i)})


#: Communes the status-import child adds (not started), marked "building" a few per file.
STATUS_UNITS, STATUS_PER_FILE = 600, 6


def status_unit_codes() -> list[str]:
    return [f"6{n:04d}" for n in range(STATUS_UNITS)]


def status_batch(i: int) -> list[str]:
    """The communes the ``i``-th status file marks as building."""
    return status_unit_codes()[i * STATUS_PER_FILE:(i + 1) * STATUS_PER_FILE]


def import_status(db, rng: random.Random, exports: Path) -> None:
    from qms.status_import.store import apply_status_import
    from qms.units.importer import parse_units_csv
    from qms.units.store import import_units as write_units

    codes = status_unit_codes()
    write_units(db, parse_units_csv("gso_code,name,level,kind,parent_gso_code\n" + "".join(
        f"{c},Xã thử {c},commune,xa,105\n" for c in codes), "crash-communes.csv"), actor=WHO, source="crash-communes.csv")
    say({"ready": True})
    for i in range(STATUS_UNITS // STATUS_PER_FILE):
        source = f"crash-status-{i}.csv"
        batch = status_batch(i)
        data = ("Mã đơn vị,Tình trạng\n" + "".join(f"{c},đang xây dựng\n" for c in batch)).encode()
        apply_status_import(db, data, source, today=TODAY, actor=WHO)
        say({"import": i, "source": source, "codes": batch})


def snapshots(db, rng: random.Random, exports: Path) -> None:
    from qms.exports import indicators
    from qms.exports.snapshot import write_snapshot

    methodology = indicators.load()
    say({"ready": True})
    for i in range(MAX_ITERATIONS):
        snap = write_snapshot(db, exports, dt.date(2016, 12, 31) + dt.timedelta(days=i), methodology=methodology, actor=WHO)
        say({"snapshot": snap.name})


#: Every kind of write a trial can kill, by name.
KINDS: dict[str, Callable] = {f.__name__: f for f in (
    events, audit_saves, audit_submits, action_steps, import_units, import_tthc, import_processes, import_status, snapshots)}


def main(argv: list[str]) -> int:
    kind, db_path, exports, seed = argv[0], Path(argv[1]), Path(argv[2]), int(argv[3])
    from qms.kernel.db import open_database

    db = open_database(db_path)
    KINDS[kind](db, random.Random(seed), exports)
    say({"finished": True})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
