"""The audit rules with plain values: score arithmetic, submit, conflicts, findings, clauses."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from qms.audits.checklists import ChecklistItem
from qms.audits.rules import (
    AnswerConflict,
    AnswerInput,
    AuditKind,
    AuditStatus,
    Grade,
    ItemSpec,
    Result,
    StoredAnswer,
    audit_standard,
    changed_answers,
    check_conflicts,
    check_current,
    check_reopen,
    check_submit,
    findings_from,
    item_clause,
    lifecycle_event,
    score,
    share_pct,
    standard_on,
)
from qms.kernel.errors import ConflictError, ValidationError
from qms.units.model import EventType, NewEvent, Standard

R = Result


def spec(ref, weight=1.0, section="s1", clause="8.2.2"):
    return ItemSpec(ref, section, weight, "2008" if clause else None, clause)


def ans(ref, result=None, note=None, evidence=None):
    return AnswerInput(item_ref=ref, result=result, note=note, evidence=evidence)


def stored(ref, result, version, note=None, by="An"):
    return StoredAnswer(item_ref=ref, result=result, note=note, saved_version=version, answered_by=by)


# -- score ------------------------------------------------------------------------------------

def test_score_is_the_weighted_conforming_share_without_not_applicable():
    specs = [spec("a", 1), spec("b", 2), spec("c", 1), spec("d", 3)]
    answers = {"a": ans("a", R.CONFORM), "b": ans("b", R.MINOR), "c": ans("c", R.NOT_APPLICABLE), "d": ans("d", R.OBSERVATION)}
    result = score(specs, answers)
    # conforming: a (1) + d (3, an observation conforms); assessed: a, b, d = 6; c is N/A
    assert (result.conforming_weight, result.assessed_weight, result.pct) == (4.0, 6.0, 66.67)


def test_weights_change_the_score():
    specs = [spec("a", 1), spec("b", 3)]
    answers = {"a": ans("a", R.CONFORM), "b": ans("b", R.MAJOR)}
    assert score(specs, answers).pct == 25.0


def test_observation_counts_as_conforming():
    assert score([spec("a")], {"a": ans("a", R.OBSERVATION)}).pct == 100.0


def test_nothing_assessed_has_no_score_not_zero():
    specs = [spec("a"), spec("b")]
    assert score(specs, {}).pct is None
    assert score(specs, {"a": ans("a", R.NOT_APPLICABLE), "b": ans("b", R.NOT_APPLICABLE)}).pct is None


def test_all_nonconforming_scores_zero():
    assert score([spec("a"), spec("b")], {"a": ans("a", R.MINOR), "b": ans("b", R.MAJOR)}).pct == 0.0


def test_unanswered_items_are_not_assessed_yet():
    result = score([spec("a"), spec("b"), spec("c")], {"a": ans("a", R.CONFORM), "b": ans("b")})
    assert (result.pct, result.answered, result.total) == (100.0, 1, 3)


def test_score_per_section_and_counts_with_zeros():
    specs = [spec("a", section="c4"), spec("b", section="c4"), spec("c", section="c5"), spec("d", section="c6")]
    answers = {"a": ans("a", R.CONFORM), "b": ans("b", R.MINOR), "c": ans("c", R.CONFORM), "d": ans("d", R.NOT_APPLICABLE)}
    result = score(specs, answers)
    assert result.by_section == {"c4": 50.0, "c5": 100.0, "c6": None}
    assert result.counts == {R.CONFORM: 2, R.MINOR: 1, R.MAJOR: 0, R.OBSERVATION: 0, R.NOT_APPLICABLE: 1}
    assert result.section_answered == {"c4": (2, 2), "c5": (1, 1), "c6": (1, 1)}


def test_empty_checklist_scores_none():
    result = score([], {})
    assert (result.pct, result.answered, result.total, result.by_section) == (None, 0, 0, {})


@pytest.mark.parametrize("conforming, assessed, expected", [(0, 0, None), (0, 5, 0.0), (5, 5, 100.0), (1, 3, 33.33)])
def test_share_pct_boundaries(conforming, assessed, expected):
    assert share_pct(conforming, assessed) == expected


def test_share_pct_refuses_impossible_weights():
    with pytest.raises(ValueError):
        share_pct(6, 5)


# -- answers ----------------------------------------------------------------------------------

def test_answer_text_is_nfc_and_blank_is_none():
    nfd = unicodedata.normalize("NFD", "Thiếu hồ sơ")
    answer = ans("a", R.MINOR, note=f"  {nfd} ", evidence="   ")
    assert answer.note == "Thiếu hồ sơ" and answer.evidence is None


def test_changed_answers_skips_identical_and_empty_new_ones():
    current = {"a": stored("a", R.CONFORM, 2)}
    sent = {"a": ans("a", R.CONFORM), "b": ans("b"), "c": ans("c", R.MINOR, "x")}
    assert [a.item_ref for a in changed_answers(sent, current)] == ["c"]


# -- conflicts --------------------------------------------------------------------------------

def test_overwriting_a_newer_answer_is_a_conflict_naming_the_item():
    with pytest.raises(AnswerConflict) as caught:
        check_conflicts(7, {"a": ans("a", R.MAJOR, "x")}, {"a": stored("a", R.CONFORM, 3, by="Bình")}, expected_version=2)
    assert [i.item_ref for i in caught.value.items] == ["a"]
    assert "Bình" in str(caught.value) and "nothing was saved" in str(caught.value)
    assert "chưa lưu gì" in caught.value.vi


def test_same_value_saved_twice_is_no_conflict():
    check_conflicts(7, {"a": ans("a", R.CONFORM)}, {"a": stored("a", R.CONFORM, 3)}, expected_version=2)


def test_newer_answer_to_another_item_is_no_conflict():
    check_conflicts(7, {"b": ans("b", R.MINOR, "x")}, {"a": stored("a", R.CONFORM, 3)}, expected_version=2)


def test_answer_saved_at_the_loaded_version_is_no_conflict():
    check_conflicts(7, {"a": ans("a", R.MINOR, "x")}, {"a": stored("a", R.CONFORM, 2)}, expected_version=2)


def test_stale_version_refuses_a_whole_audit_action():
    check_current(7, 3, 3)
    with pytest.raises(ConflictError):
        check_current(7, 2, 3)


# -- submit, reopen ---------------------------------------------------------------------------

def test_submit_refuses_unanswered_items_counting_them():
    specs = [spec("a"), spec("b"), spec("c")]
    with pytest.raises(ValidationError) as caught:
        check_submit(1, AuditStatus.DRAFT, specs, {"a": ans("a", R.CONFORM), "b": ans("b")})
    assert "2 items unanswered (b, c)" in str(caught.value) and "còn 2 mục" in caught.value.vi


def test_not_applicable_counts_as_answered():
    specs = [spec("a"), spec("b")]
    check_submit(1, AuditStatus.DRAFT, specs, {"a": ans("a", R.CONFORM), "b": ans("b", R.NOT_APPLICABLE)})


def test_a_finding_without_a_note_cannot_be_submitted():
    with pytest.raises(ValidationError) as caught:
        check_submit(1, AuditStatus.DRAFT, [spec("a")], {"a": ans("a", R.OBSERVATION)})
    assert "(a)" in str(caught.value)


def test_a_submitted_audit_cannot_be_submitted_again():
    with pytest.raises(ValidationError):
        check_submit(1, AuditStatus.SUBMITTED, [spec("a")], {"a": ans("a", R.CONFORM)})


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reopen_needs_a_reason(reason):
    with pytest.raises(ValidationError):
        check_reopen(1, AuditStatus.SUBMITTED, reason)


def test_a_draft_is_not_reopened():
    with pytest.raises(ValidationError):
        check_reopen(1, AuditStatus.DRAFT, "sửa")


# -- findings ---------------------------------------------------------------------------------

def test_findings_are_nonconformities_and_observations_with_grade_and_clause():
    specs = [spec("a", clause="4.2.3"), spec("b", clause="8.5.2"), spec("c"), spec("d"), spec("e", clause=None)]
    answers = {"a": ans("a", R.MAJOR, "không có"), "b": ans("b", R.CONFORM), "c": ans("c", R.NOT_APPLICABLE),
               "d": ans("d", R.MINOR, "thiếu", "sổ"), "e": ans("e", R.OBSERVATION, "nên")}
    found = findings_from(specs, answers)
    assert [(f.item_ref, f.grade, f.clause) for f in found] == [("a", Grade.MAJOR, "4.2.3"), ("d", Grade.MINOR, "8.2.2"),
                                                                ("e", Grade.OBSERVATION, None)]
    assert found[1].evidence == "sổ"


def test_no_findings_from_an_all_conforming_audit():
    assert findings_from([spec("a")], {"a": ans("a", R.CONFORM)}) == []


# -- clauses and standards --------------------------------------------------------------------

def _ev(kind, day, standard=None):
    return NewEvent(unit_code="u", event_type=kind, event_date=dt.date.fromisoformat(day), standard=standard,
                    decision_no="1/QĐ" if kind in (EventType.ANNOUNCED, EventType.RE_ANNOUNCED) else None)


def test_standard_on_follows_announcements_changes_and_withdrawals():
    events = [_ev(EventType.ANNOUNCED, "2015-01-01", Standard.ISO_2008),
              _ev(EventType.STANDARD_CHANGED, "2019-06-01", Standard.ISO_2015),
              _ev(EventType.WITHDRAWN, "2021-01-01")]
    assert standard_on(events, dt.date(2014, 12, 31)) is None
    assert standard_on(events, dt.date(2019, 5, 31)) == "2008"
    assert standard_on(events, dt.date(2019, 6, 1)) == "2015"
    assert standard_on(events, dt.date(2021, 1, 1)) is None


def test_iso_templates_number_clauses_by_their_own_version(shipped):
    t2008 = shipped.latest("internal-audit-iso9001-2008").template
    assert audit_standard(t2008, "2015", dt.date(2020, 1, 1)) == "2008"


def test_legal_template_uses_the_units_standard_else_the_date(shipped):
    legal = shipped.latest("inspection-circular26").template
    assert audit_standard(legal, "2015", dt.date(2016, 1, 1)) == "2015"
    assert audit_standard(legal, None, dt.date(2019, 1, 20)) == "2008"
    assert audit_standard(legal, None, dt.date(2019, 1, 21)) == "2015"


def test_item_clause_falls_back_to_the_other_version_then_none():
    both = ChecklistItem(ref="x", clause_2008="8.2.2", clause_2015="9.2", question={"vi": "Câu hỏi?"})
    only_2015 = ChecklistItem(ref="y", clause_2015="9.2", question={"vi": "Câu hỏi?"})
    neither = ChecklistItem(ref="z", question={"vi": "Câu hỏi?"})
    assert item_clause(both, "2008") == ("2008", "8.2.2")
    assert item_clause(only_2015, "2008") == ("2015", "9.2")
    assert item_clause(neither, "2015") == (None, None)


# -- the lifecycle event ----------------------------------------------------------------------

def test_an_internal_audit_records_the_years_event_when_there_is_none():
    event = lifecycle_event(AuditKind.INTERNAL_AUDIT, "03386", dt.date(2015, 6, 10), 9, [2016])
    assert (event.event_type, event.event_date, event.source) == (EventType.INTERNAL_AUDIT, dt.date(2015, 6, 10), "audit")


def test_an_internal_audit_links_to_the_years_existing_event():
    assert lifecycle_event(AuditKind.INTERNAL_AUDIT, "03386", dt.date(2016, 6, 10), 9, [2016]) is None


@pytest.mark.parametrize("kind", [AuditKind.INSPECTION_RECORDS, AuditKind.INSPECTION_SITE, AuditKind.SELF_ASSESSMENT])
def test_other_kinds_record_no_lifecycle_event(kind):
    assert lifecycle_event(kind, "03386", dt.date(2015, 6, 10), 9, []) is None
