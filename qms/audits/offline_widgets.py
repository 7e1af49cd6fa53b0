"""The audit page's offline part (issue 17): download the checklist workbook, upload it back
with its preview and the conflict choices, the printable checklist, evidence per item.

Rules and writes are the store's (:mod:`qms.audits.offline_store`, :mod:`qms.audits.evidence_store`);
a confirmed upload goes through the page's own save and marks the form stale, so the page shows
the answers as saved.
"""

from __future__ import annotations

import streamlit as st

from qms.audits import widgets as aw
from qms.audits.evidence import read_evidence_zip
from qms.audits.evidence_store import EvidenceRow, attach_evidence, list_evidence, read_blob
from qms.audits.offline_store import UnpackPreview, confirm_unpack, grade_labels, pack_audit, pack_items, pack_title, preview_unpack
from qms.audits.printable import printable_html
from qms.audits.rules import Result
from qms.audits.store import AuditView
from qms.audits.workbook import Change
from qms.kernel.dates import fmt
from qms.kernel.errors import QmsError
from qms.ui.cached import versioned
from qms.ui.context import db, lang, settings, show_error, t
from qms.ui.tables import show_table
from qms.ui.uploads import file_input

ss = st.session_state
EVIDENCE_TYPES = ("jpg", "jpeg", "png", "heic", "heif", "pdf")
#: File names listed under an item at most (the rest counted).
SHOWN_NAMES = 20


def evidence_of(view: AuditView) -> dict[str, list[EvidenceRow]]:
    return versioned(db(), list_evidence, view.id)  # read again only after a write


def item_evidence(rows: list[EvidenceRow]) -> None:
    """Under an item: its evidence files by name, photos as small thumbnails (the display copy)."""
    if not rows:
        return
    names = ", ".join(r.file_name for r in rows[:SHOWN_NAMES]) + (f", … (+{len(rows) - SHOWN_NAMES})" if len(rows) > SHOWN_NAMES else "")
    st.caption("📎 " + t("offline.evidence_list", files=names))
    photos = [r for r in rows if r.display_sha256]
    if photos:
        cols = st.columns(min(4, len(photos)))
        for i, r in enumerate(photos[:8]):
            try:
                cols[i % len(cols)].image(read_blob(db(), r.display_sha256), caption=r.file_name, width=140)
            except QmsError as e:
                cols[i % len(cols)].caption(e.text(lang()))


def _result(result: Result | None) -> str:
    return aw.result_label(result)


def _download(view: AuditView) -> None:
    st.caption(t("offline.download_help"))
    database, audit_id = db(), view.id
    # made when the button is pressed (on Streamlit's own thread), not at every run of the page
    st.download_button(t("offline.download"), lambda: pack_audit(database, audit_id), file_name=f"danh-gia-{audit_id}.xlsx",
                       key="off_download", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _confirm(preview: UnpackPreview, take: list[str]) -> None:
    if not aw.save_pending():  # the page's unsaved answers first (a refusal keeps them, with its message)
        return
    try:
        done = confirm_unpack(db(), preview, take, actor=aw.actor(), keep_location=settings().keep_photo_location)
    except QmsError as e:
        ss.aud_flash = ("error", e.text(lang()))
        return
    message = t("offline.done", n=done.written)
    if done.evidence_added:
        message += " " + t("offline.done_evidence", n=done.evidence_added)
    ss.aud_flash, ss.aud_stale = ("success", message), True
    ss.off_upload_n = ss.get("off_upload_n", 0) + 1


def _upload(view: AuditView) -> None:
    n = ss.get("off_upload_n", 0)
    uploaded = file_input(t("offline.upload"), ["xlsx"], key=f"off_upload_{n}")
    folder = file_input(t("offline.evidence_zip"), ["zip"], key=f"off_upload_ev_{n}", help=t("offline.evidence_zip_help"))
    if uploaded is None:
        return
    # read once per upload (and again after any write, whose conflicts it may change), not at every
    # click of a conflict choice: the workbook and up to 200 MB of photos are parsed and checked
    stamp = (view.id, uploaded.file_id, folder.file_id if folder is not None else None, db().data_version())
    cached = ss.get("off_preview")
    if cached is None or cached[0] != stamp:
        try:
            evidence = read_evidence_zip(folder.getvalue(), folder.name) if folder is not None else None
            cached = ss.off_preview = (stamp, preview_unpack(db(), view.id, uploaded.getvalue(), uploaded.name, evidence))
        except QmsError as e:
            show_error(e)
            return
    preview = cached[1]
    st.markdown(t("offline.preview", changed=preview.count(Change.CHANGED), unchanged=preview.count(Change.UNCHANGED),
                  conflicts=len(preview.conflicts)))
    if preview.evidence:
        st.caption(t("offline.preview_evidence", files=sum(len(v) for v in preview.evidence.values()),
                     items=len(preview.evidence)))
    moved = [p for p in preview.items if p.change is not Change.UNCHANGED]
    if moved:
        show_table([{t("offline.col_item"): p.ref, t("offline.col_row"): p.row,
                     t("offline.col_change"): t(f"offline.change.{p.change.value}"),
                     t("offline.col_workbook"): _result(p.workbook.result),
                     t("offline.col_qms"): _result(p.current.result if p.current else None)} for p in moved],
                   key="off_preview_table")
    take = []
    if preview.conflicts:
        st.warning(t("offline.conflicts"))
        for p in preview.conflicts:
            theirs = p.current.result if p.current else None
            choice = st.radio(p.ref, ["qms", "workbook"], key=f"off_take_{n}_{p.ref}", horizontal=True,
                              format_func=lambda c, p=p, theirs=theirs: t(
                                  "offline.take_qms", answer=_result(theirs)) if c == "qms" else t(
                                  "offline.take_workbook", answer=_result(p.workbook.result)))
            if choice == "workbook":
                take.append(p.ref)
    count = preview.count(Change.CHANGED) + len(take)
    if not count and not preview.evidence:
        st.info(t("offline.nothing"))
        return
    st.button(t("offline.confirm", n=count), key="off_confirm", type="primary", on_click=_confirm, args=(preview, take))


def _print(view: AuditView, evidence: dict[str, list[EvidenceRow]]) -> None:
    st.caption(t("offline.print_help"))
    grades = grade_labels(lang())
    texts = dict(  # the words now (the page's language); the page itself when the button is pressed
        title=f"{t('offline.print_title')} #{view.id}", meta=pack_title(view) + f" · {view.auditor} · {fmt(view.audit_date)}",
        grades=grades, headers=[t("offline.col_item"), t("offline.col_question"), t("audit.result"), t("audit.note")],
        signature=t("offline.print_signature"),
        evidence={r: [(x.file_name, x.sha256) for x in v] for r, v in evidence.items()})

    def page() -> str:
        return printable_html(items=pack_items(view), answers=view.answers, **texts)

    st.download_button(t("offline.print_download"), lambda: page().encode("utf-8"), file_name=f"phieu-in-{view.id}.html",
                       mime="text/html", key="off_print")


def _attach(view: AuditView) -> None:
    questions = {item.ref: aw.text(item.question) for _, item in view.template.items()}
    ref = st.selectbox(t("offline.evidence_item"), list(questions), key="off_ev_item",
                       format_func=lambda r: f"{r} — {questions[r][:80]}")
    n = ss.get("off_ev_n", 0)
    files = file_input(t("offline.evidence_files"), EVIDENCE_TYPES, key=f"off_ev_files_{n}", multiple=True)
    if files and st.button(t("offline.evidence_attach"), key="off_ev_attach", type="primary"):
        try:
            rows = attach_evidence(db(), view.id, ref, [(f.name, f.getvalue()) for f in files], actor=aw.actor(),
                                   keep_location=settings().keep_photo_location)
        except QmsError as e:
            show_error(e)
            return
        ss.off_ev_n = n + 1
        ss.aud_flash = ("success", t("offline.evidence_done", ref=ref, n=len(rows)))
        st.rerun()


def offline_panel(view: AuditView, evidence: dict[str, list[EvidenceRow]], *, writable: bool) -> None:
    """The expander under the audit's header: the four tabs (only the printable one for a locked
    audit or a reader who may not change it)."""
    # keyed: the panel stays open (and on its tab) when a message above it comes or goes
    with st.expander(t("offline.title"), key=f"off_panel_{view.id}"):
        if view.locked or not writable:
            if view.locked:
                st.caption(t("offline.locked"))
            _print(view, evidence)
            return
        tab_down, tab_up, tab_print, tab_ev = st.tabs([t("offline.tab_download"), t("offline.tab_upload"),
                                                       t("offline.tab_print"), t("offline.tab_evidence")],
                                                      key=f"off_tabs_{view.id}")
        with tab_down:
            _download(view)
        with tab_up:
            _upload(view)
        with tab_print:
            _print(view, evidence)
        with tab_ev:
            _attach(view)
