"""Audits in a real DuckDB: start, save (optimistic locking), submit, reopen, findings, lists."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from audit_world import INSPECTION, ISO2008, ISO2015, TODAY, answer_all

from qms.accounts.rules import system_principal
from qms.audits.checklists import TemplateEntry
from qms.audits.findings_store import findings_heatmap, get_finding, list_audits, list_findings, unit_audits
from qms.audits.rules import AnswerConflict, AnswerInput, AuditKind, AuditStatus, Grade, NewAudit, Result, score
from qms.audits.store import close_audit, get_audit, reopen_audit, save_answers, start_audit, submit_audit
from qms.changelog import store as changelog
from qms.kernel.errors import ConflictError, NotFound, ValidationError
from qms.units.events_store import record_event
from qms.units.model import EventType, Level, NewEvent

R = Result


def _events(db, code, kind=EventType.INTERNAL_AUDIT):
    return db.rows("SELECT event_date, source FROM qms_events WHERE unit_code = ? AND event_type = ? ORDER BY event_date",
                   [code, kind.value])


def _submit(db, audit_id, **kw):
    return submit_audit(db, audit_id, expected_version=get_audit(db, audit_id).row_version, actor=system_principal("auditor"), today=TODAY, **kw)


# -- start ------------------------------------------------------------------------------------

def test_migration_creates_the_audit_tables(db):
    tables = {r[0] for r in db.rows("SELECT table_name FROM information_schema.tables")}
    assert {"audits", "audit_answers", "findings", "checklist_snapshots"} <= tables


def test_start_pins_template_version_and_hash(start, world, shipped):
    audit_id = start()
    view = get_audit(world, audit_id)
    entry = shipped.latest(ISO2008)
    assert (view.template_id, view.template_version, view.template_hash) == (ISO2008, 1, entry.hash)
    assert view.template == entry.template and view.status is AuditStatus.DRAFT and view.answers == {}
    assert (view.standard, view.item_count, len(view.specs)) == ("2008", entry.template.item_count, entry.template.item_count)


def test_one_snapshot_per_template_hash(start, world):
    start()
    start(day="2015-07-01")
    assert world.scalar("SELECT count(*) FROM checklist_snapshots") == 1


def test_pinned_template_reads_the_same_after_the_file_changes(world, shipped):
    """A template file edited in place (a new hash) pins a new snapshot; the old audit keeps its own."""
    entry = shipped.latest(ISO2008)
    new = NewAudit(unit_code="03386", template_id=ISO2008, kind=AuditKind.SELF_ASSESSMENT, auditor="A",
                   audit_date=dt.date(2015, 6, 1))
    old_id = start_audit(world, new, entry, actor=system_principal("tester"), today=TODAY)
    edited = TemplateEntry(entry.template.model_copy(update={"title": shipped.latest(ISO2015).template.title}), "e" * 64, entry.path)
    new_id = start_audit(world, new, edited, actor=system_principal("tester"), today=TODAY)
    assert get_audit(world, old_id).template.title == entry.template.title
    assert get_audit(world, new_id).template.title == edited.template.title


def test_legal_checklist_numbers_clauses_by_the_units_standard(start, world):
    before, after = start(unit="105", template=INSPECTION, kind=AuditKind.INSPECTION_SITE, day="2018-09-01"), \
        start(unit="105", template=INSPECTION, kind=AuditKind.INSPECTION_SITE, day="2019-09-01")
    assert get_audit(world, before).standard == "2008" and get_audit(world, after).standard == "2015"
    first = get_audit(world, after).specs[0]
    assert (first.standard, first.clause) == ("2015", "4.3")


def test_internal_audit_of_a_unit_not_applying_is_refused_at_start(start, world):
    with pytest.raises(ValidationError) as caught:
        start(unit="S01", day="2015-06-10")  # the department is only building its QMS
    assert "chưa áp dụng HTQLCL" in caught.value.vi
    assert world.scalar("SELECT count(*) FROM audits") == 0


def test_inspection_of_a_unit_not_applying_is_allowed(start, world):
    assert start(unit="S01", template=INSPECTION, kind=AuditKind.INSPECTION_RECORDS, day="2015-06-10")


def test_future_date_is_refused(start):
    with pytest.raises(ValidationError) as caught:
        start(day="2022-06-02")
    assert "future" in str(caught.value)


def test_date_when_the_unit_no_longer_existed_is_refused(start):
    with pytest.raises(ValidationError):
        start(unit="03397", template=INSPECTION, kind=AuditKind.INSPECTION_RECORDS, day="2020-01-01")


def test_unknown_unit_is_refused(start):
    with pytest.raises(NotFound):
        start(unit="99999")


def test_template_for_other_levels_is_refused(world, shipped):
    entry = shipped.latest(ISO2008)
    for_departments = TemplateEntry(entry.template.model_copy(update={"levels": ["department"]}), "f" * 64, entry.path)
    new = NewAudit(unit_code="03386", template_id=ISO2008, kind=AuditKind.SELF_ASSESSMENT, auditor="A",
                   audit_date=dt.date(2015, 6, 1))
    with pytest.raises(ValidationError):
        start_audit(world, new, for_departments, actor=system_principal("tester"), today=TODAY)


# -- save -------------------------------------------------------------------------------------

def test_saved_answers_round_trip_with_unit_clause_section_and_weight(start, world):
    audit_id = start()
    view = get_audit(world, audit_id)
    ref = view.specs[0].ref
    saved = save_answers(world, audit_id, [AnswerInput(item_ref=ref, result=R.MINOR, note="Thiếu sổ", evidence="Sổ 2015")],
                         expected_version=view.row_version, actor=system_principal("Lò Văn Minh"))
    assert (saved.version, saved.written) == (view.row_version + 1, 1)
    row = world.rows("SELECT unit_code, clause, standard, section_ref, weight, result, note, evidence, answered_by, saved_version"
                     " FROM audit_answers WHERE audit_id = ?", [audit_id])
    assert row == [("03386", "4.1", "2008", "c4", 1.0, "minor", "Thiếu sổ", "Sổ 2015", "Lò Văn Minh", saved.version)]
    assert get_audit(world, audit_id).answered == 1


def test_saving_unchanged_answers_writes_nothing_and_keeps_the_version(start, world):
    audit_id = start()
    first = answer_all(world, audit_id)
    again = answer_all(world, audit_id)
    assert (again.written, again.version) == (0, first.version)


def test_only_changed_answers_are_written(start, world):
    audit_id = start()
    first = answer_all(world, audit_id)
    view = get_audit(world, audit_id)
    answers = [AnswerInput(item_ref=s.ref, result=R.CONFORM) for s in view.specs]
    answers[2] = AnswerInput(item_ref=view.specs[2].ref, result=R.NOT_APPLICABLE)
    saved = save_answers(world, audit_id, answers, expected_version=first.version, actor=system_principal("b"))
    assert saved.written == 1
    assert world.scalar("SELECT count(*) FROM audit_answers WHERE audit_id = ? AND answered_by = 'b'", [audit_id]) == 1


def test_every_save_is_in_the_change_log(start, world):
    audit_id = start()
    answer_all(world, audit_id)
    entry = changelog.entries(world, entity="audits", key=f"audit#{audit_id}")[0]
    assert entry["action"] == "save_answers" and len(json.loads(entry["after"])) == 48


def test_answer_to_an_unknown_item_is_refused(start, world):
    audit_id = start()
    with pytest.raises(ValidationError) as caught:
        save_answers(world, audit_id, [AnswerInput(item_ref="zz-99", result=R.CONFORM)], expected_version=1, actor=system_principal("a"))
    assert "zz-99" in str(caught.value)


def test_later_save_over_a_newer_answer_is_refused_and_writes_nothing(start, world):
    audit_id = start()
    loaded = get_audit(world, audit_id)  # both auditors open version 1
    a, b = loaded.specs[0].ref, loaded.specs[1].ref
    save_answers(world, audit_id, [AnswerInput(item_ref=a, result=R.CONFORM)], expected_version=1, actor=system_principal("An"))
    with pytest.raises(AnswerConflict) as caught:
        save_answers(world, audit_id, [AnswerInput(item_ref=a, result=R.MAJOR, note="x"),
                                       AnswerInput(item_ref=b, result=R.CONFORM)], expected_version=1, actor=system_principal("Bình"))
    assert [i.item_ref for i in caught.value.items] == [a] and caught.value.items[0].theirs.answered_by == "An"
    answers = get_audit(world, audit_id).answers
    assert answers[a].result is R.CONFORM and b not in answers


def test_two_auditors_on_different_items_both_save(start, world):
    audit_id = start()
    loaded = get_audit(world, audit_id)
    a, b = loaded.specs[0].ref, loaded.specs[1].ref
    save_answers(world, audit_id, [AnswerInput(item_ref=a, result=R.CONFORM)], expected_version=1, actor=system_principal("An"))
    merged = save_answers(world, audit_id, [AnswerInput(item_ref=b, result=R.MINOR, note="y")], expected_version=1, actor=system_principal("Bình"))
    assert set(merged.newer) == {a} and merged.version == 3
    assert {r: x.result for r, x in get_audit(world, audit_id).answers.items()} == {a: R.CONFORM, b: R.MINOR}


# -- submit -----------------------------------------------------------------------------------

def test_submit_refuses_an_incomplete_audit_and_changes_nothing(start, world):
    audit_id = start()
    view = get_audit(world, audit_id)
    save_answers(world, audit_id, [AnswerInput(item_ref=view.specs[0].ref, result=R.CONFORM)], expected_version=1, actor=system_principal("a"))
    with pytest.raises(ValidationError) as caught:
        _submit(world, audit_id)
    assert "47 items unanswered" in str(caught.value)
    assert get_audit(world, audit_id).status is AuditStatus.DRAFT and len(_events(world, "03386")) == 1


def test_submit_locks_scores_files_findings_and_records_the_years_internal_audit(start, world):
    audit_id = start()
    view = get_audit(world, audit_id)
    refs = [s.ref for s in view.specs]
    overrides = {refs[0]: {"result": R.MAJOR, "note": "Không có sổ tay"}, refs[1]: {"result": R.OBSERVATION, "note": "Nên cập nhật"},
                 refs[2]: {"result": R.NOT_APPLICABLE}}
    answer_all(world, audit_id, overrides=overrides)
    done = _submit(world, audit_id)
    after = get_audit(world, audit_id)
    assert after.status is AuditStatus.SUBMITTED and after.score_pct == done.score_pct == score(after.specs, after.answers).pct
    assert [(f.item_ref, f.grade, f.clause, f.note, f.unit_code, f.found_on) for f in list_findings(world, audit_id=audit_id)] == [
        (refs[0], Grade.MAJOR, "4.1", "Không có sổ tay", "03386", dt.date(2015, 6, 10)),
        (refs[1], Grade.OBSERVATION, "4.1", "Nên cập nhật", "03386", dt.date(2015, 6, 10))]
    assert done.event_created and (dt.date(2015, 6, 10), "audit") in _events(world, "03386")
    assert after.event_id == done.event_id


def test_submitted_audit_refuses_saves(start, world):
    audit_id = start()
    answer_all(world, audit_id)
    done = _submit(world, audit_id)
    with pytest.raises(ValidationError) as caught:
        save_answers(world, audit_id, [AnswerInput(item_ref="c4-01", result=R.MAJOR, note="x")],
                     expected_version=done.version, actor=system_principal("a"))
    assert "locked" in str(caught.value) and "bị khóa" in caught.value.vi


def test_internal_audit_in_a_year_already_held_links_to_that_event(start, world):
    audit_id = start(day="2016-09-01")
    answer_all(world, audit_id)
    done = _submit(world, audit_id)
    existing = world.scalar("SELECT id FROM qms_events WHERE unit_code = '03386' AND event_type = 'internal_audit'")
    assert not done.event_created and done.event_id == existing
    assert len(_events(world, "03386")) == 1


def test_inspection_records_no_lifecycle_event(start, world):
    audit_id = start(unit="105", template=INSPECTION, kind=AuditKind.INSPECTION_RECORDS, day="2020-09-01")
    answer_all(world, audit_id)
    done = _submit(world, audit_id)
    assert done.event_id is None and len(_events(world, "105")) == 1


def test_submit_is_refused_with_the_lifecycle_sentence_when_the_rule_refuses(start, world):
    audit_id = start(day="2015-06-10")
    # after the audit was started, the commune's QMS is recorded as withdrawn before the audit date
    # (its 2016 audit removed first, so that the lifecycle rules accept the withdrawal)
    world.write(lambda cur: cur.execute("DELETE FROM qms_events WHERE unit_code = '03386' AND event_type = 'internal_audit'"))
    record_event(world, NewEvent(unit_code="03386", event_type=EventType.WITHDRAWN, event_date=dt.date(2015, 5, 1)),
                 actor=system_principal("tester"), today=TODAY)
    answer_all(world, audit_id)
    with pytest.raises(ValidationError) as caught:
        _submit(world, audit_id)
    assert "chưa áp dụng HTQLCL" in caught.value.vi
    assert get_audit(world, audit_id).status is AuditStatus.DRAFT and list_findings(world, audit_id=audit_id) == []


def test_submit_with_a_stale_version_is_a_conflict(start, world):
    audit_id = start()
    saved = answer_all(world, audit_id)
    with pytest.raises(ConflictError):
        submit_audit(world, audit_id, expected_version=saved.version - 1, actor=system_principal("a"), today=TODAY)


# -- reopen, resubmit, close ------------------------------------------------------------------

def test_reopen_needs_a_reason_and_records_it(start, world):
    audit_id = start()
    answer_all(world, audit_id)
    _submit(world, audit_id)
    with pytest.raises(ValidationError):
        reopen_audit(world, audit_id, "  ", actor=system_principal("admin"))
    assert get_audit(world, audit_id).status is AuditStatus.SUBMITTED
    reopen_audit(world, audit_id, "Sai kết quả mục c4-01", actor=system_principal("admin"))
    view = get_audit(world, audit_id)
    assert view.status is AuditStatus.DRAFT and view.score_pct is None
    entry = changelog.entries(world, entity="audits", key=f"audit#{audit_id}")[0]
    assert (entry["action"], entry["actor"], json.loads(entry["after"])["reason"]) == ("reopen", "admin", "Sai kết quả mục c4-01")


def test_resubmit_keeps_finding_ids_retracts_dropped_ones_and_adds_no_second_event(start, world):
    audit_id = start()
    refs = [s.ref for s in get_audit(world, audit_id).specs]
    answer_all(world, audit_id, overrides={refs[0]: {"result": R.MINOR, "note": "a"}, refs[1]: {"result": R.MINOR, "note": "b"}})
    _submit(world, audit_id)
    first = {f.item_ref: f.id for f in list_findings(world, audit_id=audit_id)}
    reopen_audit(world, audit_id, "sửa", actor=system_principal("admin"))
    view = get_audit(world, audit_id)
    save_answers(world, audit_id, [AnswerInput(item_ref=refs[1], result=R.CONFORM),
                                   AnswerInput(item_ref=refs[0], result=R.MAJOR, note="a")],
                 expected_version=view.row_version, actor=system_principal("a"))
    _submit(world, audit_id)
    active = list_findings(world, audit_id=audit_id)
    assert [(f.id, f.grade) for f in active] == [(first[refs[0]], Grade.MAJOR)]
    assert get_finding(world, first[refs[1]]).retracted
    assert len(_events(world, "03386")) == 2  # 2016 demo-like event + the one this audit recorded once


def test_close_needs_a_submitted_audit(start, world):
    audit_id = start()
    with pytest.raises(ValidationError):
        close_audit(world, audit_id, actor=system_principal("a"))
    answer_all(world, audit_id)
    _submit(world, audit_id)
    close_audit(world, audit_id, actor=system_principal("a"))
    assert get_audit(world, audit_id).status is AuditStatus.CLOSED


# -- lists and the heatmap --------------------------------------------------------------------

def test_list_audits_filters_and_carries_progress_and_findings(start, world):
    done_id, draft_id = start(), start(unit="105", template=ISO2015, day="2020-03-01")
    refs = [s.ref for s in get_audit(world, done_id).specs]
    answer_all(world, done_id, overrides={refs[0]: {"result": R.MINOR, "note": "a"}})
    _submit(world, done_id)
    assert [a.id for a in list_audits(world)] == [draft_id, done_id]  # newest audit date first
    (row,) = list_audits(world, status=AuditStatus.SUBMITTED)
    assert (row.id, row.answered, row.item_count, row.minor, row.major) == (done_id, 48, 48, 1, 0)
    assert [a.id for a in unit_audits(world, "105")] == [draft_id] and unit_audits(world, "105")[0].score_pct is None
    assert list_audits(world, year=2014) == []


def test_heatmap_counts_findings_per_district_and_clause(start, world):
    commune = start()
    refs = [s.ref for s in get_audit(world, commune).specs]
    answer_all(world, commune, overrides={refs[0]: {"result": R.MINOR, "note": "a"}, refs[1]: {"result": R.MAJOR, "note": "b"},
                                          refs[-1]: {"result": R.OBSERVATION, "note": "c"}})
    _submit(world, commune)
    dept = start(unit="S01", template=INSPECTION, kind=AuditKind.INSPECTION_RECORDS, day="2016-03-01")
    answer_all(world, dept, overrides={"A.a.1": {"result": R.MINOR, "note": "d"}})
    _submit(world, dept)
    cells = {(c.row_code, c.standard, c.clause): (c.findings, c.major, c.minor, c.observation)
             for c in findings_heatmap(world, dt.date(2021, 12, 31))}
    assert cells == {("105", "2008", "4"): (2, 1, 1, 0), ("105", "2008", "8"): (1, 0, 0, 1), ("*departments", "2008", "4"): (1, 0, 1, 0)}
    by_unit = findings_heatmap(world, dt.date(2021, 12, 31), Level.DEPARTMENT)
    assert [(c.row_code, c.row_name) for c in by_unit] == [("S01", "Sở Khoa học và Công nghệ")]
    assert sum(c.findings for c in findings_heatmap(world, dt.date(2015, 12, 31), Level.COMMUNE)) == 3
    assert findings_heatmap(world, dt.date(2015, 6, 9)) == []
    # at national scale: one province's units only (its own departments' row), or a row per province
    province = world.scalar("SELECT code FROM units WHERE level = 'province'")
    assert findings_heatmap(world, dt.date(2021, 12, 31), province=province) == findings_heatmap(world, dt.date(2021, 12, 31))
    assert findings_heatmap(world, dt.date(2021, 12, 31), province="99") == []
    per_province = findings_heatmap(world, dt.date(2021, 12, 31), by_province=True)
    assert {c.row_code for c in per_province} == {province} and sum(c.findings for c in per_province) == 4
    deep = {c.clause for c in findings_heatmap(world, dt.date(2021, 12, 31), Level.COMMUNE, depth=3)}
    last = get_audit(world, commune).specs[-1].clause
    assert deep == {"4.1", ".".join(last.split(".")[:3])}


def test_heatmap_leaves_out_retracted_findings(start, world):
    audit_id = start()
    refs = [s.ref for s in get_audit(world, audit_id).specs]
    answer_all(world, audit_id, overrides={refs[0]: {"result": R.MINOR, "note": "a"}})
    _submit(world, audit_id)
    reopen_audit(world, audit_id, "sửa", actor=system_principal("admin"))
    save_answers(world, audit_id, [AnswerInput(item_ref=refs[0], result=R.CONFORM)],
                 expected_version=get_audit(world, audit_id).row_version, actor=system_principal("a"))
    _submit(world, audit_id)
    assert findings_heatmap(world, dt.date(2021, 12, 31)) == []


def _race(db, audit_id, answers_by_actor):
    """Save each actor's answers from its own thread at the same moment; return outcomes by actor."""
    import threading

    barrier, outcome = threading.Barrier(len(answers_by_actor)), {}

    def run(actor, answers):
        barrier.wait()
        try:
            outcome[actor] = save_answers(db, audit_id, answers, expected_version=1, actor=system_principal(actor))
        except ConflictError as e:
            outcome[actor] = e

    threads = [threading.Thread(target=run, args=item) for item in answers_by_actor.items()]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return outcome


def test_simultaneous_saves_of_different_items_both_land(start, world):
    audit_id = start()
    a, b = [s.ref for s in get_audit(world, audit_id).specs][:2]
    outcome = _race(world, audit_id, {"An": [AnswerInput(item_ref=a, result=R.CONFORM)],
                                      "Bình": [AnswerInput(item_ref=b, result=R.NOT_APPLICABLE)]})
    assert not any(isinstance(o, Exception) for o in outcome.values())
    view = get_audit(world, audit_id)
    assert (view.row_version, {r: x.result for r, x in view.answers.items()}) == (3, {a: R.CONFORM, b: R.NOT_APPLICABLE})


def test_simultaneous_saves_of_the_same_item_let_exactly_one_win(start, world):
    audit_id = start()
    a = get_audit(world, audit_id).specs[0].ref
    outcome = _race(world, audit_id, {"An": [AnswerInput(item_ref=a, result=R.CONFORM)],
                                      "Bình": [AnswerInput(item_ref=a, result=R.MAJOR, note="x")]})
    refused = [actor for actor, o in outcome.items() if isinstance(o, ConflictError)]
    assert len(refused) == 1
    winner = ({"An", "Bình"} - set(refused)).pop()
    assert get_audit(world, audit_id).answers[a].answered_by == winner
