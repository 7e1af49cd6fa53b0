"""The demo's audits (2015-2021, linked to the lifecycle), every shipped checklist pinnable, and
the commands `qms checklists validate` and `qms audits list`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from audit_world import TODAY, answer_all

from qms.accounts.rules import system_principal
from qms.audits.rules import AuditKind, NewAudit, score
from qms.audits.store import get_audit, start_audit, submit_audit
from qms.kernel.settings import PROJECT_ROOT

SHIPPED = sorted((PROJECT_ROOT / "checklists").glob("*.yaml"))


def qms(*args: str, db: Path | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "qms.cli", *(["--db", str(db)] if db else []), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)


# -- every shipped template works in an audit -------------------------------------------------

@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_template_can_be_pinned_answered_and_submitted(path, world, shipped):
    entry = next(e for e in shipped.templates if e.path.name == path.name)
    new = NewAudit(unit_code="105", template_id=entry.template.id, kind=AuditKind.SELF_ASSESSMENT, auditor="A",
                   audit_date=dt.date(2020, 3, 1))
    audit_id = start_audit(db := world, new, entry, actor=system_principal("t"), today=TODAY)
    answer_all(db, audit_id)
    done = submit_audit(db, audit_id, expected_version=get_audit(db, audit_id).row_version, actor=system_principal("t"), today=TODAY)
    assert done.score_pct == 100.0 and get_audit(db, audit_id).answered == entry.template.item_count


# -- the demo ---------------------------------------------------------------------------------

def test_demo_has_audits_every_year_2015_to_2021(demo_db):
    years = [r[0] for r in demo_db.rows("SELECT DISTINCT year(audit_date) FROM audits ORDER BY 1")]
    assert years == list(range(2015, 2022))


def test_demo_has_every_kind_and_status(demo_db):
    kinds = {r[0] for r in demo_db.rows("SELECT DISTINCT kind FROM audits")}
    statuses = {r[0] for r in demo_db.rows("SELECT DISTINCT status FROM audits")}
    assert kinds == {k.value for k in AuditKind} and statuses == {"draft", "submitted", "closed"}


def test_demo_internal_audits_link_to_existing_events_and_add_none(demo_db):
    assert demo_db.scalar("SELECT count(*) FROM qms_events WHERE source = 'audit'") == 0
    unlinked = demo_db.scalar(
        "SELECT count(*) FROM audits a LEFT JOIN qms_events e ON e.id = a.event_id AND e.unit_code = a.unit_code"
        " AND e.event_type = 'internal_audit' AND e.event_date = a.audit_date"
        " WHERE a.kind = 'internal_audit' AND a.status <> 'draft' AND e.id IS NULL")
    assert unlinked == 0


def test_demo_scores_and_findings_follow_the_rules(demo_db):
    for (audit_id,) in demo_db.rows("SELECT id FROM audits WHERE status <> 'draft' ORDER BY id LIMIT 25"):
        view = get_audit(demo_db, audit_id)
        assert view.score_pct == score(view.specs, view.answers).pct
        graded = sum(1 for a in view.answers.values() if a.result.value in ("minor", "major", "observation"))
        assert demo_db.scalar("SELECT count(*) FROM findings WHERE audit_id = ?", [audit_id]) == graded


def test_demo_answers_are_mostly_conforming_with_some_findings(demo_db):
    share = dict(demo_db.rows("SELECT result, count(*) / sum(count(*)) OVER () FROM audit_answers GROUP BY result"))
    assert share["conform"] > 0.7 and 0 < share["major"] < share["minor"] and share["observation"] > 0.02


def test_demo_has_a_2015_internal_audit_in_progress_for_a_commune_applying_then(demo_db):
    rows = demo_db.rows(
        "SELECT a.id, a.unit_code FROM audits a JOIN units u ON u.code = a.unit_code WHERE a.status = 'draft'"
        " AND a.kind = 'internal_audit' AND year(a.audit_date) = 2015 AND u.level = 'commune'")
    assert rows
    for _, code in rows:
        assert not demo_db.scalar("SELECT count(*) FROM qms_events WHERE unit_code = ? AND event_type = 'internal_audit'"
                                  " AND year(event_date) = 2015", [code])


def test_demo_findings_only_for_submitted_audits(demo_db):
    assert demo_db.scalar("SELECT count(*) FROM findings f JOIN audits a ON a.id = f.audit_id WHERE a.status = 'draft'") == 0
    assert demo_db.scalar("SELECT count(*) FROM findings") > 100


# -- the CLI ----------------------------------------------------------------------------------

def test_checklists_validate_passes_on_the_shipped_folder():
    out = qms("checklists", "validate")
    assert out.returncode == 0 and "3 checklist template(s)" in out.stdout and out.stderr == ""


def test_checklists_validate_names_the_broken_file_and_place(tmp_path):
    for path in SHIPPED:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "broken.yaml").write_text(
        "id: broken\nversion: 1\nstandard: iso9001_2015\ntitle: {vi: Hỏng}\nlevels: [commune]\n"
        "sections:\n  - ref: c4\n    title: {vi: Bối cảnh}\n    items:\n      - ref: x\n        clause_2015: '4.9'\n"
        "        question: {vi: Câu hỏi một}\n", encoding="utf-8")
    out = qms("checklists", "validate", "--dir", str(tmp_path))
    assert out.returncode == 2
    assert out.stderr.strip() == (f"qms: {tmp_path / 'broken.yaml'}: sections[0].items[0].clause_2015: "
                                  "clause '4.9' does not exist in ISO 9001:2015")
    assert out.stdout.count("ok  ") == 3


def test_checklists_validate_json_lists_templates_and_errors(tmp_path):
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    data = json.loads(qms("checklists", "validate", "--dir", str(tmp_path), "--json").stdout)
    assert data["templates"] == [] and data["errors"][0]["location"] == "top level"


def test_audits_list_json_filters_by_unit_and_status(demo_path):
    out = qms("audits", "list", "--status", "draft", "--json", db=demo_path)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows and {r["status"] for r in rows} == {"draft"} and all(r["score_pct"] is None for r in rows)
    code = rows[0]["unit_code"]
    mine = json.loads(qms("audits", "list", "--unit", code, "--json", db=demo_path).stdout)
    assert {r["unit_code"] for r in mine} == {code} and len(mine) >= 1


def test_audits_list_table_has_a_header_line(demo_path):
    out = qms("audits", "list", "--year", "2016", db=demo_path)
    assert out.returncode == 0 and out.stdout.splitlines()[0].split()[:3] == ["id", "date", "unit"]


def test_audits_list_unknown_unit_is_one_sentence_and_exit_2(demo_path):
    out = qms("audits", "list", "--unit", "nope", db=demo_path)
    assert out.returncode == 2 and out.stderr.strip() == "qms: --unit: there is no unit with code nope."
