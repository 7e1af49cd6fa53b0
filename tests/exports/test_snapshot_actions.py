"""The actions table of the snapshot: each action as it stood on the as-of date, replayed from
its dated history (opened, overdue, done, recurred), and a file matching the declared schema."""

from __future__ import annotations

import datetime as dt

import pytest

from qms.actions import snapshot_queries as tables_actions
from qms.actions.queries import list_actions
from qms.actions.rules import Step
from qms.actions.steps import StepInput
from qms.actions.store import apply_step, ensure_actions_for_findings
from qms.exports.registry import Registry
from qms.exports.snapshot import write_snapshot

from .conftest import ADMIN, AS_OF_2016, AS_OF_2021, FIXED_NOW, parquet_rows

TODAY = dt.date(2022, 1, 10)


@pytest.fixture
def actions_db(demo_db):
    """The demo with one corrective action per major or minor finding (and recurrences marked)."""
    ensure_actions_for_findings(demo_db, actor=ADMIN, today=TODAY)
    return demo_db


def _snapshot(db, tmp_path, as_of, methodology):
    return write_snapshot(db, tmp_path / f"{as_of}-{len(list(tmp_path.iterdir()))}", as_of, methodology=methodology,
                          actor=ADMIN, now=FIXED_NOW, registry=Registry(tables_actions.TABLES))


def _row(snap, action_id: int, columns: str) -> list[tuple]:
    return parquet_rows(snap.path / "actions.parquet", f"SELECT {columns} FROM t WHERE action_id = {action_id}")


def test_the_actions_are_those_opened_on_or_before_the_date(actions_db, tmp_path, methodology):
    snap = _snapshot(actions_db, tmp_path, AS_OF_2016, methodology)
    in_file = [r[0] for r in parquet_rows(snap.path / "actions.parquet", "SELECT action_id FROM t")]
    expected = [r[0] for r in actions_db.rows("SELECT id FROM actions WHERE opened_on <= ? ORDER BY id", [AS_OF_2016])]
    assert in_file == expected and in_file


def test_an_action_is_overdue_from_the_day_after_its_due_date(actions_db, tmp_path, methodology):
    # an action never worked after it was opened: overdue from the day after its due date
    action_id, due = actions_db.rows(
        "SELECT id, due_date FROM actions a WHERE status = 'open'"
        " AND NOT EXISTS (SELECT 1 FROM action_events e WHERE e.action_id = a.id AND e.step <> 'open') ORDER BY id LIMIT 1")[0]
    on_due = _row(_snapshot(actions_db, tmp_path, due, methodology), action_id, "overdue, days_overdue")
    after = _row(_snapshot(actions_db, tmp_path, due + dt.timedelta(days=1), methodology), action_id, "overdue, days_overdue")
    assert (on_due, after) == ([(False, 0)], [(True, 1)])


def test_a_recurrence_counts_only_from_its_date(actions_db, tmp_path, methodology):
    action_id, on = actions_db.rows("SELECT action_id, on_date FROM action_events WHERE step = 'recur' ORDER BY id LIMIT 1")[0]
    before = _row(_snapshot(actions_db, tmp_path, on - dt.timedelta(days=1), methodology), action_id, "recurred, recurred_on")
    after = _row(_snapshot(actions_db, tmp_path, on, methodology), action_id, "recurred, recurred_on")
    assert (before, after) == ([(False, None)], [(True, on)])


def test_a_step_after_the_date_leaves_the_earlier_status(actions_db, tmp_path, methodology):
    action_id, version = actions_db.rows(
        "SELECT id, row_version FROM actions a WHERE opened_on < DATE '2016-06-01' AND status = 'open'"
        " AND NOT EXISTS (SELECT 1 FROM action_events e WHERE e.action_id = a.id AND e.step <> 'open') ORDER BY id LIMIT 1")[0]
    version = apply_step(actions_db, action_id, StepInput(step=Step.START, on_date=dt.date(2016, 6, 1), owner_name="Lò Văn A"),
                         expected_version=version, actor=ADMIN, today=TODAY)
    apply_step(actions_db, action_id, StepInput(step=Step.DONE, on_date=dt.date(2017, 1, 10), note="Đã sửa quy trình."),
               expected_version=version, actor=ADMIN, today=TODAY)
    old = _row(_snapshot(actions_db, tmp_path, AS_OF_2016, methodology), action_id, "status, done_on")
    new = _row(_snapshot(actions_db, tmp_path, AS_OF_2021, methodology), action_id, "status, done_on, overdue")
    assert (old, new) == ([("in_progress", None)], [("done", dt.date(2017, 1, 10), False)])


def test_the_file_reads_back_with_the_declared_schema(actions_db, tmp_path, methodology):
    snap = _snapshot(actions_db, tmp_path, AS_OF_2021, methodology)
    described = parquet_rows(snap.path / "actions.parquet", "SELECT column_name, column_type FROM (DESCRIBE t)")
    assert described == [(c.name, c.type) for c in tables_actions.ACTIONS.columns] and snap.rows("actions") > 0


def test_the_same_actions_give_the_same_bytes(actions_db, tmp_path, methodology):
    first = _snapshot(actions_db, tmp_path, AS_OF_2021, methodology)
    second = _snapshot(actions_db, tmp_path, AS_OF_2021, methodology)
    assert first.manifest["tables"] == second.manifest["tables"]


@pytest.mark.parametrize("as_of", [AS_OF_2016, AS_OF_2021], ids=str)
def test_status_due_and_overdue_are_the_action_lists(actions_db, tmp_path, methodology, as_of):
    in_file = parquet_rows(_snapshot(actions_db, tmp_path, as_of, methodology).path / "actions.parquet",
                           "SELECT action_id, status, due_date, overdue, days_overdue, recurred FROM t")
    listed = list_actions(actions_db, as_of=as_of, limit=1_000_000).rows
    assert in_file == sorted((a.id, a.status_on.value, a.due_on, a.overdue, a.days_overdue, a.recurred) for a in listed)
    assert any(r[3] for r in in_file)
