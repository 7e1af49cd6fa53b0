"""The demo's actions, the commands `qms actions list|summary|sync`, and the issue's "done when":
a finding of a demo audit becomes an action, is worked, done and verified by another person, and
the overview's overdue figures and the CLI's follow."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from qms.accounts.rules import Principal, Role, system_principal
from qms.actions.queries import action_overview, get_action, list_actions
from qms.actions.rules import ActionStatus, Step
from qms.actions.steps import StepInput
from qms.actions.store import apply_step, create_actions_for_audit_in
from qms.audits.rules import AnswerInput, Result
from qms.audits.store import get_audit, save_answers, submit_audit
from qms.kernel.clock import province_today
from qms.kernel.db import open_database
from qms.kernel.settings import PROJECT_ROOT

JUNE_2017 = dt.date(2017, 6, 30)


def qms(*args: str, db: Path | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "qms.cli", *(["--db", str(db)] if db else []), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)


# -- the demo ------------------------------------------------------------------------------------

def test_demo_has_actions_in_every_status(demo_db):
    statuses = {s for (s,) in demo_db.rows("SELECT DISTINCT status FROM actions")}
    assert statuses == {s.value for s in ActionStatus}


def test_demo_has_actions_verified_not_effective_and_reopened(demo_db):
    assert demo_db.scalar("SELECT count(*) FROM actions WHERE not_effective_count > 0") > 0


def test_demo_has_recurred_actions_linked_to_a_later_finding_of_the_same_clause(demo_db):
    bad = demo_db.scalar(
        "SELECT count(*) FROM actions a JOIN findings f ON f.id = a.recurred_by_finding_id"
        " WHERE f.unit_code <> a.unit_code OR coalesce(f.clause, f.item_ref) <> coalesce(a.clause, a.item_ref)"
        " OR f.found_on <= a.opened_on")
    assert demo_db.scalar("SELECT count(*) FROM actions WHERE status = 'recurred'") > 0 and bad == 0


def test_demo_has_overdue_actions_on_30_june_2017(demo_db):
    data = action_overview(demo_db, JUNE_2017)
    assert data.overdue > 0 and data.open > data.overdue


def test_every_nonconformity_of_the_demo_has_exactly_one_action_and_observations_none(demo_db):
    rows = demo_db.rows("SELECT f.grade, count(a.id) FROM findings f LEFT JOIN actions a ON a.finding_id = f.id"
                        " GROUP BY f.id, f.grade")
    assert {(g, n) for g, n in rows} == {("major", 1), ("minor", 1), ("observation", 0)}


def test_demo_histories_are_in_date_order_and_end_in_the_actions_state(demo_db):
    disorder = demo_db.scalar(
        "SELECT count(*) FROM (SELECT on_date < lag(on_date) OVER (PARTITION BY action_id ORDER BY id) AS back"
        " FROM action_events) WHERE back")
    mismatch = demo_db.scalar(
        "SELECT count(*) FROM actions a JOIN (SELECT action_id, arg_max(to_status, id) AS s, arg_max(due_date, id) AS d"
        " FROM action_events GROUP BY action_id) e ON e.action_id = a.id WHERE e.s <> a.status OR e.d <> a.due_date")
    assert (disorder, mismatch) == (0, 0)


def test_demo_officer_has_unfinished_actions_of_their_commune(demo_db):
    rows = list_actions(demo_db, as_of=dt.date(2021, 12, 31), first_units={"03386"}).rows
    assert rows[0].unit_code == "03386" and rows[0].status_on in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS,
                                                                  ActionStatus.DONE)


# -- done when -----------------------------------------------------------------------------------

def test_a_demo_finding_is_worked_to_verified_closure_and_the_figures_follow(demo_path, make_account):
    today = province_today()
    db = open_database(demo_path)
    try:
        audit_id = db.scalar("SELECT id FROM audits WHERE status = 'draft' AND year(audit_date) = 2015 ORDER BY id LIMIT 1")
        view = get_audit(db, audit_id)
        later = {c for (c,) in db.rows("SELECT clause FROM findings WHERE unit_code = ? AND found_on > ? AND clause IS NOT NULL",
                                       [view.unit_code, view.audit_date])}
        flawed = next(s.ref for s in view.specs if s.clause not in later)   # not found again later: no recurrence
        answers = [AnswerInput(item_ref=s.ref, result=Result.MINOR if s.ref == flawed else Result.CONFORM,
                               note="Hồ sơ thiếu phiếu kiểm soát" if s.ref == flawed else None) for s in view.specs]
        saved = save_answers(db, audit_id, answers, expected_version=view.row_version, actor=system_principal("auditor"))
        before = action_overview(db, today)
        # the submit, and the one line the integrator adds to it, in one transaction each as today
        submit_audit(db, audit_id, expected_version=saved.version, actor=system_principal("auditor"), today=today)
        db.write(lambda cur: create_actions_for_audit_in(cur, audit_id, actor=system_principal("auditor"), today=today))
        (action_id,) = [r[0] for r in db.rows("SELECT id FROM actions WHERE audit_id = ?", [audit_id])]
        opened = action_overview(db, today)
        assert (opened.total, opened.open, opened.overdue) == (before.total + 1, before.open + 1, before.overdue + 1)

        unit = view.unit_code
        officer = make_account(db, Principal(username="iso.officer", role=Role.OFFICER, units=frozenset({unit})))
        auditor = make_account(db, Principal(username="tdc.unit", role=Role.AUDITOR, units=frozenset({unit})))

        def step(who, kind, **kw):
            version = get_action(db, action_id).row_version
            apply_step(db, action_id, StepInput(step=kind, on_date=today, **kw), expected_version=version, actor=who,
                       today=today)

        step(officer, Step.START, owner_name="Lường Thị Hoa", root_cause="Cán bộ mới chưa được hướng dẫn")
        assert action_overview(db, today).overdue == before.overdue + 1    # in progress and late: still overdue
        step(officer, Step.DONE, note="Đã bổ sung phiếu kiểm soát và hướng dẫn lại cán bộ")
        done = action_overview(db, today)
        assert (done.overdue, done.awaiting_verification) == (before.overdue, before.awaiting_verification + 1)
        step(auditor, Step.VERIFY_EFFECTIVE, verifier="Giàng A Páo", note="Đã kiểm tra hồ sơ")
        closed = action_overview(db, today)
        assert (closed.verified, closed.awaiting_verification) == (before.verified + 1, before.awaiting_verification)
        assert get_action(db, action_id).status is ActionStatus.VERIFIED
    finally:
        db.close()
    cli = json.loads(qms("actions", "summary", "--json", db=demo_path).stdout)
    assert (cli["open"], cli["overdue"], cli["awaiting_verification"], cli["verified"], cli["recurred"]) == (
        closed.open, closed.overdue, closed.awaiting_verification, closed.verified, closed.recurred)
    assert cli["median_days_to_close"] == closed.median_days_to_close
    assert cli["recurrence_rate_pct"] == closed.recurrence_rate_pct


# -- the commands --------------------------------------------------------------------------------

def test_list_overdue_as_of_shows_the_overview_count(demo_path):
    listed = json.loads(qms("actions", "list", "--overdue", "--as-of", "2017-06-30", "--json", db=demo_path).stdout)
    summary = json.loads(qms("actions", "summary", "--as-of", "2017-06-30", "--json", db=demo_path).stdout)
    assert listed["total"] == len(listed["actions"]) == summary["overdue"] > 0
    assert all(a["overdue"] and a["status"] in ("open", "in_progress") and a["due_date"] < "2017-06-30"
               for a in listed["actions"])


def test_list_of_one_unit_shows_only_that_unit(demo_path):
    listed = json.loads(qms("actions", "list", "--unit", "03386", "--json", db=demo_path).stdout)
    assert listed["actions"] and {a["unit_code"] for a in listed["actions"]} == {"03386"}


def test_list_prints_a_table_and_a_total(demo_path):
    out = qms("actions", "list", "--as-of", "2017-06-30", "--overdue", db=demo_path)
    assert out.returncode == 0 and out.stdout.splitlines()[0].split()[:3] == ["id", "unit", "name"]
    assert "action(s) as of 2017-06-30" in out.stdout


def test_summary_by_district_adds_up_to_the_total(demo_path):
    data = json.loads(qms("actions", "summary", "--as-of", "2019-12-31", "--json", db=demo_path).stdout)
    assert sum(d["open"] for d in data["by_district"]) == data["open"]
    assert sum(d["overdue"] for d in data["by_district"]) == data["overdue"]


def test_sync_on_the_demo_creates_nothing(demo_path):
    out = qms("actions", "sync", "--json", db=demo_path)
    assert out.returncode == 0 and json.loads(out.stdout) == {"created": [], "recurred": []}


@pytest.mark.parametrize("args,message", [
    (["actions", "list", "--unit", "NOPE"], "qms: --unit: there is no unit with code NOPE."),
    (["actions", "list", "--as-of", "30/06/2017"], "qms: --as-of: '30/06/2017' is not a date in the form YYYY-MM-DD."),
    (["actions", "sync", "--unit", "NOPE"], "qms: --unit: there is no unit with code NOPE."),
])
def test_bad_input_is_one_sentence_and_exit_2(demo_path, args, message):
    out = qms(*args, db=demo_path)
    assert (out.returncode, out.stderr.strip()) == (2, message)


@pytest.mark.parametrize("command", ["list", "summary", "sync"])
def test_every_command_has_help(command):
    out = qms("actions", command, "--help")
    assert out.returncode == 0 and "--json" in out.stdout
