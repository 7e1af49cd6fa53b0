"""Races: two writers at the same moment on one record, through the store's own functions.

``python -m qms.reliability.races [--rounds 200] [--race NAME]... [--json]``

Each round starts two threads on a barrier against one database file (the app serves every
browser session from threads of one process, and a DuckDB file belongs to one process), both
acting on the same record with what they last read:

- ``audit_item``: two auditors save the same checklist item, each with another answer;
- ``action``: two people edit the same improvement action (its owner) from the same version;
- ``unit_events``: two officers record "build started" on the same not-started unit;
- ``sign_in``: two wrong passwords for one name that already has 2 failures (the 3rd is the
  last one checked; the other must wait).

A *silent overwrite* is a round where both writers were told "saved" although only one write
can stand (both answers, both owners, two build-started events); a *throttle bypass* is a round
where both passwords were checked.  Rounds where the loser was told (the usual outcome) are
counted, and so are rounds where both were refused (nothing lost, but both must retry).
Exit status 1 on any violation.  Builds its own demo database; never opens yours.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from qms.accounts.rules import Principal, Role, system_principal
from qms.kernel.errors import QmsError

WHO = system_principal("race")
TODAY = dt.date(2024, 6, 30)
UNIT = "03386"
T0 = dt.datetime(2024, 6, 30, 1, 0, 0)


@dataclasses.dataclass
class RaceFigures:
    race: str
    rounds: int = 0
    one_winner: int = 0
    both_refused: int = 0
    violations: list[str] = dataclasses.field(default_factory=list)


def _both(a: Callable[[], Any], b: Callable[[], Any]) -> tuple[tuple[bool, Any], tuple[bool, Any]]:
    """Run ``a`` and ``b`` in two threads released together; each outcome is (succeeded, value or error)."""
    barrier = threading.Barrier(2)
    out: list[tuple[bool, Any]] = [(False, None), (False, None)]

    def go(i: int, fn: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            out[i] = (True, fn())
        except QmsError as e:
            out[i] = (False, e)
        except Exception as e:  # noqa: BLE001 - a crash is reported as a violation by the caller
            out[i] = (False, e)

    threads = [threading.Thread(target=go, args=(i, fn)) for i, fn in enumerate((a, b))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return out[0], out[1]


def _judge(figures: RaceFigures, r: int, a, b, *, stands: Callable[[int], bool], what: str) -> None:
    """Record a round: ``stands(i)`` says whether writer ``i``'s write is what the database holds."""
    figures.rounds += 1
    for ok, value in (a, b):
        if not ok and not isinstance(value, QmsError):
            figures.violations.append(f"round {r}: a writer crashed: {type(value).__name__}: {value}")
    if a[0] and b[0]:
        figures.violations.append(f"round {r}: both writers were told '{what} saved'; one was silently overwritten")
    elif a[0] or b[0]:
        winner = 0 if a[0] else 1
        if not stands(winner):
            figures.violations.append(f"round {r}: the writer told '{what} saved' is not what the database holds")
        figures.one_winner += 1
    else:
        figures.both_refused += 1


def race_audit_item(db, rounds: int) -> RaceFigures:
    from qms.audits.checklists import load_templates
    from qms.audits.rules import AnswerInput, AuditKind, NewAudit, Result
    from qms.audits.store import get_audit, save_answers, start_audit
    from qms.kernel.settings import PROJECT_ROOT

    figures = RaceFigures("audit_item")
    entry = load_templates(PROJECT_ROOT / "checklists").latest("internal-audit-iso9001-2015")
    audit_id, refs = None, []
    for r in range(rounds):
        if not refs:
            audit_id = start_audit(db, NewAudit(unit_code=UNIT, template_id=entry.template.id, kind=AuditKind.SELF_ASSESSMENT,
                                                auditor="Hai kiểm tra viên", audit_date=dt.date(2023, 5, 2)),
                                   entry, actor=WHO, today=TODAY)
            refs = [s.ref for s in get_audit(db, audit_id).specs]
        ref, version = refs.pop(), get_audit(db, audit_id).row_version
        answers = (Result.CONFORM, Result.OBSERVATION)
        a, b = _both(*[lambda res=res: save_answers(db, audit_id, [AnswerInput(item_ref=ref, result=res)],
                                                    expected_version=version, actor=WHO) for res in answers])
        held = get_audit(db, audit_id).answers.get(ref)
        _judge(figures, r, a, b, stands=lambda i: held is not None and held.result is answers[i], what="answer")
    return figures


def race_action(db, rounds: int) -> RaceFigures:
    from qms.actions.queries import get_action
    from qms.actions.rules import ActionSource, ActionType, NewAction
    from qms.actions.steps import ActionEdit
    from qms.actions.store import edit_action, open_action

    figures = RaceFigures("action")
    action_id = open_action(db, NewAction(unit_code=UNIT, source=ActionSource.COMPLAINT, type=ActionType.CORRECTIVE,
                                          description="Phản ánh của người dân", origin_date=TODAY), actor=WHO, today=TODAY)
    for r in range(rounds):
        version = get_action(db, action_id).row_version
        owners = (f"Người A vòng {r}", f"Người B vòng {r}")
        a, b = _both(*[lambda o=o: edit_action(db, action_id, ActionEdit(owner_name=o), expected_version=version, actor=WHO,
                                               today=TODAY) for o in owners])
        held = get_action(db, action_id).owner_name
        _judge(figures, r, a, b, stands=lambda i: held == owners[i], what="owner")
    return figures


def race_unit_events(db, rounds: int) -> RaceFigures:
    from qms.units.events_store import record_event, unit_events
    from qms.units.importer import parse_units_csv
    from qms.units.model import EventType, NewEvent
    from qms.units.store import import_units

    figures = RaceFigures("unit_events")
    codes = [f"5{n:04d}" for n in range(rounds)]
    import_units(db, parse_units_csv("gso_code,name,level,kind,parent_gso_code\n" + "".join(
        f"{c},Xã đua {c},commune,xa,105\n" for c in codes), "race-communes.csv"), actor=WHO, source="race-communes.csv")
    days = (dt.date(2023, 3, 1), dt.date(2023, 3, 2))
    for r, code in enumerate(codes):
        a, b = _both(*[lambda d=d: record_event(db, NewEvent(unit_code=code, event_type=EventType.BUILD_STARTED, event_date=d),
                                                actor=WHO, today=TODAY) for d in days])
        held = [e.event_date for e in unit_events(db, code)]
        _judge(figures, r, a, b, stands=lambda i: held == [days[i]], what="event")
    return figures


def race_sign_in(db, rounds: int) -> RaceFigures:
    from qms.accounts import rules as accounts
    from qms.accounts import store

    figures = RaceFigures("sign_in")
    name = "race.user"
    store.create_user(db, username=name, display_name="Người dùng đua", role=Role.VIEWER, password="mật khẩu đúng 2024",
                      actor=WHO)
    free = accounts.FREE_FAILURES
    for r in range(rounds):
        now = T0 + dt.timedelta(hours=r)   # the window of the round before has passed
        for _ in range(free - 1):
            try:
                store.sign_in(db, name, "sai trước vòng", now=now)
            except QmsError:
                pass
        before = _checked(db, name)
        a, b = _both(*[lambda: store.sign_in(db, name, "sai trong vòng", now=now)] * 2)
        figures.rounds += 1
        checked = _checked(db, name) - before
        if a[0] or b[0]:
            figures.violations.append(f"round {r}: a wrong password signed in")
        if checked > 1:
            figures.violations.append(f"round {r}: {checked} simultaneous wrong passwords checked after {free - 1} failures")
        elif checked == 1:
            figures.one_winner += 1
        else:
            figures.both_refused += 1
    return figures


def _checked(db, name: str) -> int:
    return int(db.scalar("SELECT count(*) FROM sign_in_attempts WHERE username = ? AND reason = 'bad password or name'", [name]))


RACES: dict[str, Callable] = {"audit_item": race_audit_item, "action": race_action, "unit_events": race_unit_events,
                              "sign_in": race_sign_in}


def run(races: Sequence[str] = tuple(RACES), rounds: int = 200, *, workdir: Path | None = None, base: Path | None = None,
        say: Callable[[str], None] | None = None) -> list[RaceFigures]:
    """Every race ``rounds`` times, each on its own copy of ``base`` (a demo database, built when not given)."""
    import shutil

    from qms.kernel.db import open_database
    from qms.reliability.crash import demo_database

    with tempfile.TemporaryDirectory(prefix="qms-races-", dir=workdir) as tmp:
        tmp_path = Path(tmp)
        base = base or demo_database(tmp_path / "base.duckdb")
        out = []
        for name in races:
            path = Path(shutil.copyfile(base, tmp_path / f"{name}.duckdb"))
            db = open_database(path)
            try:
                started = time.perf_counter()
                figures = RACES[name](db, rounds)
            finally:
                db.close()
            out.append(figures)
            if say:
                say(f"{name}: {figures.rounds} rounds in {time.perf_counter() - started:.1f} s, "
                    f"{len(figures.violations)} violations")
        return out


def render(results: Sequence[RaceFigures]) -> str:
    rows = [f"{'race':<13}{'rounds':>7}{'one winner':>12}{'both refused':>14}{'violations':>12}"]
    rows += [f"{f.race:<13}{f.rounds:>7}{f.one_winner:>12}{f.both_refused:>14}{len(f.violations):>12}" for f in results]
    rows += [f"  {f.race}: {v}" for f in results for v in f.violations]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qms.reliability.races", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="rounds per race (default 200)")
    parser.add_argument("--race", action="append", choices=sorted(RACES), help="only this race (repeatable; default all)")
    parser.add_argument("--workdir", help="where the throw-away databases go (default: the system's temporary folder)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on standard error")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    say = None if args.quiet else (lambda msg: print(f"races: {msg}", file=sys.stderr, flush=True))
    started = time.perf_counter()
    results = run(args.race or tuple(RACES), args.rounds, workdir=Path(args.workdir) if args.workdir else None, say=say)
    violations = sum(len(f.violations) for f in results)
    if args.json:
        print(json.dumps({"races": [dataclasses.asdict(f) for f in results], "violations": violations,
                          "seconds": round(time.perf_counter() - started, 1)}, ensure_ascii=False, indent=2))
    else:
        print(render(results))
        print(f"{violations} violations in {sum(f.rounds for f in results)} rounds ({time.perf_counter() - started:.0f} s).")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
