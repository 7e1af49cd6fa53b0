"""AppTest of the audit page's offline part (issue 17): download, upload with preview and a
conflict choice, refusal, evidence per item, the printable checklist."""

from __future__ import annotations

import io

import pytest
from offline_world import fill_workbook
from PIL import Image
from test_audit_page import db_path, page, store  # noqa: F401 - the audit page's fixtures, shared

from qms.accounts.rules import Principal, Role, system_principal
from qms.audits import workbook as wb
from qms.audits.evidence_store import list_evidence
from qms.audits.offline_store import pack_audit
from qms.audits.rules import AnswerInput, Result
from qms.audits.store import get_audit, save_answers

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def draft(store) -> int:
    return store.scalar("SELECT id FROM audits WHERE status = 'draft' ORDER BY id LIMIT 1")


def _labels(at, kind: str) -> list[str]:
    return [w.proto.label for w in at.get(kind)]


def test_a_draft_offers_the_workbook_the_upload_the_print_and_evidence(page, draft):
    at = page(draft)
    assert "Làm ngoại tuyến, bản in và bằng chứng" in [e.label for e in at.expander]
    assert {"Tải phiếu đánh giá (.xlsx)", "Tải bản in (.html)"} <= set(_labels(at, "download_button"))
    assert len(at.file_uploader) == 3  # the workbook, its evidence folder as a zip, evidence per item


def test_upload_previews_resolves_a_conflict_and_writes(page, store, draft):
    view = get_audit(store, draft)
    unanswered = [s.ref for s in view.specs if s.ref not in view.answers]
    a, b = unanswered[:2]
    packed = pack_audit(store, draft)
    save_answers(store, draft, [AnswerInput(item_ref=a, result=Result.MINOR, note="Theo đồng nghiệp")],
                 expected_version=view.row_version, actor=system_principal("colleague"))
    at = page(draft)
    at.file_uploader(key="off_upload_0").set_value(("phieu.xlsx", fill_workbook(packed, {a: "Phù hợp", b: "Không áp dụng"}), XLSX)).run()
    assert not at.exception, at.exception
    assert any("Thay đổi: 1 · Không đổi:" in m.value and "Xung đột: 1" in m.value for m in at.markdown)
    (radio,) = [r for r in at.radio if r.label == a]
    assert at.button(key="off_confirm").label == "Xác nhận và ghi 1 câu trả lời"
    radio.set_value("workbook").run()
    assert at.button(key="off_confirm").label == "Xác nhận và ghi 2 câu trả lời"
    at.button(key="off_confirm").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Đã ghi 2 câu trả lời từ phiếu."]
    now = get_audit(store, draft)
    assert now.answers[a].result is Result.CONFORM and now.answers[b].result is Result.NOT_APPLICABLE
    assert now.answers[a].answered_by == "auditor1"


def test_a_workbook_of_another_audit_is_refused_in_one_sentence(page, store, draft):
    other = store.scalar("SELECT id FROM audits WHERE status = 'draft' AND id <> ? ORDER BY id LIMIT 1", [draft])
    at = page(draft)
    at.file_uploader(key="off_upload_0").set_value(("khac.xlsx", pack_audit(store, other), XLSX)).run()
    (error,) = at.error
    assert f"trang 'qms_identity', dòng 2" in error.value and f"#{other}" in error.value
    assert not [b for b in at.button if b.key == "off_confirm"]


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 160, 60)).save(buf, format="JPEG")
    return buf.getvalue()


def test_evidence_attached_from_the_page_shows_on_the_item(page, store, draft):
    ref = get_audit(store, draft).specs[0].ref
    at = page(draft)
    at.selectbox(key="off_ev_item").set_value(ref)
    at.file_uploader(key="off_ev_files_0").set_value([("bang-niem-yet.jpg", _jpeg(), "image/jpeg"),
                                   ("quyet-dinh.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")]).run()
    at.button(key="off_ev_attach").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [f"Đã đính kèm; mục {ref} có 2 tệp bằng chứng."]
    assert {r.file_name for r in list_evidence(store, draft)[ref]} == {"bang-niem-yet.jpg", "quyet-dinh.pdf"}
    at.selectbox(key="aud_section").set_value("*").run()
    assert any(c.value.startswith("📎 Bằng chứng đính kèm:") and "bang-niem-yet.jpg" in c.value and "quyet-dinh.pdf" in c.value
               for c in at.caption), [c.value for c in at.caption]


def test_a_viewer_gets_only_the_printable_checklist(page, draft):
    at = page(draft, user=Principal(username="leader", role=Role.VIEWER))
    assert _labels(at, "download_button") == ["Tải bản in (.html)"] and not at.file_uploader


def test_the_evidence_folder_comes_back_zipped_with_the_workbook(page, store, draft):
    import zipfile

    view = get_audit(store, draft)
    ref = next(s.ref for s in view.specs if s.ref not in view.answers)
    folder = io.BytesIO()
    with zipfile.ZipFile(folder, "w") as zf:
        zf.writestr(f"bang-chung/{ref}/anh-1.jpg", _jpeg())
        zf.writestr(f"bang-chung/{ref}/qd.pdf", b"%PDF-1.4\n%%EOF\n")
    at = page(draft)
    at.file_uploader(key="off_upload_ev_0").set_value(("bang-chung.zip", folder.getvalue(), "application/zip"))
    at.file_uploader(key="off_upload_0").set_value(("phieu.xlsx", fill_workbook(pack_audit(store, draft), {ref: "Phù hợp"}),
                                                    XLSX)).run()
    assert any(c.value == "Bằng chứng kèm theo: 2 tệp cho 1 mục." for c in at.caption)
    at.button(key="off_confirm").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Đã ghi 1 câu trả lời từ phiếu. Đã đính kèm 2 tệp bằng chứng."]
    assert {r.file_name for r in list_evidence(store, draft)[ref]} == {"anh-1.jpg", "qd.pdf"}
