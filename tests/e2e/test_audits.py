"""Journey 3: an inspector fills a checklist item by item, comes back to it, and submits it.

The demo's Chi cục TĐC inspector (``tdc``) starts an on-site inspection under Circular 26 of a
unit assigned to them that has no audit in progress (``facts.audit_unit``), answers the first
section one click per item -- a major nonconformity on an item of weight 2 and a minor one,
each with its description and evidence, one item not applicable, the rest conforming --, saves
the draft, signs in again in a new browser load and goes back to the audit through the list,
finds every answer as saved, answers the second section and submits.  The expected score is
computed here from the answers given and the weights of the shipped checklist file; the
findings are the two nonconformities.  An inspection records no lifecycle event, so no other
journey's figure moves (the audit is noted in ``changes``: a snapshot counts it).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from qms.audits.checklists import ChecklistTemplate, load_templates
from qms.kernel.settings import load_settings

from .helpers import (
    all_grid_rows,
    checked_segment,
    choose,
    choose_starting,
    click_button,
    commit,
    fill,
    goto,
    grid,
    metric,
    open_tab,
    segment,
    sign_in,
    wait_idle,
    widget,
)

pytestmark = pytest.mark.e2e

TEMPLATE_ID = "inspection-circular26"
KIND = "Kiểm tra tại cơ quan"
CONFORM, MINOR, MAJOR, NOT_APPLICABLE = "Phù hợp", "Không phù hợp nhẹ", "Không phù hợp nặng", "Không áp dụng"
MAJOR_NOTE = "Quy trình tiếp nhận hồ sơ không được áp dụng tại bộ phận một cửa."
MAJOR_EVIDENCE = "Sổ theo dõi hồ sơ tháng 10"
MINOR_NOTE = "Hai hồ sơ kiểm tra ngẫu nhiên thiếu phiếu kiểm soát quá trình."
MINOR_EVIDENCE = "Hồ sơ số 12 và 17"


def template() -> ChecklistTemplate:
    loaded = load_templates(load_settings().checklists_dir)
    entry = loaded.latest(TEMPLATE_ID)
    assert entry is not None, f"the shipped checklist {TEMPLATE_ID} is missing"
    return entry.template


def plan(tp: ChecklistTemplate) -> dict[str, str]:
    """Each item's answer: in the first section, a major nonconformity on its first item of
    weight 2, a minor one and a not-applicable on items of weight 1; every other item conforms."""
    first = tp.sections[0].items
    heavy = next(i.ref for i in first if i.weight == 2)
    light = [i.ref for i in first if i.weight == 1]
    answers = {item.ref: CONFORM for _, item in tp.items()}
    answers.update({heavy: MAJOR, light[1]: MINOR, light[-1]: NOT_APPLICABLE})
    return answers


def expected_score(tp: ChecklistTemplate, answers: dict[str, str]) -> str:
    """Weighted share of conforming items among the assessed ones (not applicable left out), as
    the page writes it: a Vietnamese number (decimal comma, a space before the sign)."""
    weight = {item.ref: float(item.weight) for _, item in tp.items()}
    assessed = sum(weight[r] for r, a in answers.items() if a != NOT_APPLICABLE)
    conforming = sum(weight[r] for r, a in answers.items() if a == CONFORM)
    return f"{round(100 * conforming / assessed, 2):.2f}".replace(".", ",") + " %"


def key(audit_id: int, part: str, ref: str) -> str:
    return f"aud_{audit_id}_{part}_{ref}"


def answer(page: Page, audit_id: int, ref: str, result: str, note: str = "", evidence: str = "") -> None:
    """One click on the result; a nonconformity also gets its evidence and its description."""
    segment(page, key(audit_id, "r", ref), result)
    if not note:
        return
    note_field = widget(page, key(audit_id, "n", ref)).locator("textarea")
    if not note_field.is_visible():  # the block opens by itself for an undescribed finding
        page.get_by_test_id("stExpander").filter(has=note_field).locator("summary").click()
    expect(note_field).to_be_visible()
    commit(page, key(audit_id, "e", ref), evidence)
    commit(page, key(audit_id, "n", ref), note)


def show_all_sections(page: Page) -> None:
    choose(page, "aud_section", "Tất cả các phần")


def start_inspection(page: Page, app_server, changes, tp: ChecklistTemplate, auditor: str) -> int:
    """Sign in as the inspector, start an on-site inspection of ``facts.audit_unit`` against
    ``tp``; the new audit's number (noted in ``changes``)."""
    code, name = app_server.facts.audit_unit
    sign_in(page, app_server.base_url, *app_server.account("tdc"))
    goto(page, "audits")
    open_tab(page, "Bắt đầu đánh giá")
    choose(page, "aud_new_unit", f"{code} — {name}", search=code)
    choose(page, "aud_new_template", f"{tp.title.vi} (v{tp.version})")
    choose(page, "aud_new_kind", KIND)
    fill(page, "aud_new_auditor", auditor)
    click_button(page, "Bắt đầu")
    header = page.get_by_role("heading", name=re.compile(rf"^Phiếu #\d+: {re.escape(name)}$"))
    expect(header).to_be_visible()
    changes.audits_started += 1
    return int(re.search(r"#(\d+)", header.inner_text()).group(1))


def test_an_inspector_fills_reloads_and_submits_a_checklist(browser_page, app_server, changes):
    page = browser_page
    code, name = app_server.facts.audit_unit
    tp = template()
    answers = plan(tp)
    first, rest = tp.sections[0], tp.sections[1:]
    notes = {r: (MAJOR_NOTE, MAJOR_EVIDENCE) if a == MAJOR else (MINOR_NOTE, MINOR_EVIDENCE)
             for r, a in answers.items() if a in (MAJOR, MINOR)}

    audit_id = start_inspection(page, app_server, changes, tp, "Đoàn kiểm tra Chi cục TĐC")
    expect(page.get_by_text(f"Đã trả lời 0/{len(answers)} mục")).to_be_visible()

    for item in first.items:  # the form opens on the first section
        answer(page, audit_id, item.ref, answers[item.ref], *notes.get(item.ref, ("", "")))
    click_button(page, "Lưu nháp")
    expect(page.get_by_text(re.compile(r"^Đã lưu lúc \d{2}:\d{2}:\d{2}\.$"))).to_be_visible()
    expect(page.get_by_text(f"Đã trả lời {len(first.items)}/{len(answers)} mục")).to_be_visible()

    # A new browser load is a new session: sign in again, find the audit in the list, open it.
    sign_in(page, app_server.base_url, *app_server.account("tdc"))
    goto(page, "audits")
    choose(page, "aud_f_unit", f"{code} — {name}", search=code)
    choose_starting(page, "aud_pick", f"#{audit_id} · ")
    click_button(page, "Mở")
    expect(page.get_by_role("heading", name=f"Phiếu #{audit_id}: {name}")).to_be_visible()
    expect(page.get_by_text(f"Đã trả lời {len(first.items)}/{len(answers)} mục")).to_be_visible()
    show_all_sections(page)
    for item in first.items:
        assert checked_segment(page, key(audit_id, "r", item.ref)) == answers[item.ref], item.ref
    for ref, (note, evidence) in notes.items():
        expect(widget(page, key(audit_id, "n", ref)).locator("textarea")).to_have_value(note)
        expect(widget(page, key(audit_id, "e", ref)).locator("input")).to_have_value(evidence)
    for section in rest:
        for item in section.items:
            assert checked_segment(page, key(audit_id, "r", item.ref)) is None, item.ref

    for section in rest:
        for item in section.items:
            answer(page, audit_id, item.ref, answers[item.ref])
    expect(page.get_by_text(f"Đã trả lời {len(answers)}/{len(answers)} mục")).to_be_visible()
    score = expected_score(tp, answers)
    assert metric(page, "Điểm phù hợp")[0] == score  # the live score of the draft

    click_button(page, "Nộp phiếu đánh giá")
    expect(page.get_by_test_id("stAlert").filter(has_text=f"Đã nộp. Điểm: {score}; {len(notes)} phát hiện.")).to_be_visible()
    expect(page.get_by_text("Phiếu đã nộp và bị khóa")).to_be_visible()
    assert metric(page, "Điểm phù hợp")[0] == score
    rows = {row[3]: (row[5], row[6]) for row in all_grid_rows(grid(page, "Mục", "Mức độ", "Mô tả"), len(notes))}
    assert rows == {ref: (answers[ref], note) for ref, (note, _) in notes.items()}, rows
    wait_idle(page)
