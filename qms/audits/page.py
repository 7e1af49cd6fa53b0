"""Đánh giá: start an audit, fill it item by item (saved as you go), submit it; lists, findings.

Without ``?audit=ID`` the page lists audits, starts a new one and shows findings with their
heatmap; with it, the page is that audit's form (a browser reload comes back to it, with every
answer as saved).  The router registers this file at two addresses: ``/audits`` (the list, the
sidebar's Đánh giá) and ``/audit?audit=ID`` (one audit, hidden from the sidebar), so that the
sidebar's link always leads back to the list: a link to the page one is on would keep the
``?audit=``.  An audit its reader may not change (a viewer, an inspector outside their scope)
is shown read-only from the start, with the reason.  Rules and writes are the store's
(:mod:`qms.audits.store`); the form's state handling is :mod:`qms.audits.widgets`.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit.errors import StreamlitAPIException

from qms.accounts.rules import Operation, allowed
from qms.audits import offline_widgets as ow
from qms.audits import widgets as aw
from qms.audits.findings_store import audit_findings, audit_years, findings_heatmap, list_audits, list_findings
from qms.audits.rules import AuditKind, AuditStatus, Grade, NewAudit, Result
from qms.audits.store import audit_log, close_audit, get_audit, reopen_audit, start_audit, submit_audit
from qms.changelog.widgets import log_table
from qms.coverage.queries import many_districts
from qms.kernel.clock import local_time, province_today
from qms.kernel.dates import fmt
from qms.kernel.errors import NotFound, QmsError
from qms.ui.cached import versioned
from qms.ui.context import DATE_FORMAT, db, lang, plain, settings, show_error, t
from qms.ui.read_only import read_only
from qms.ui.tables import show_table
from qms.ui.unit_choice import unit_selectbox
from qms.units.model import checked
from qms.units.store import list_units

#: Rows a list of this page sends at most (the newest; the filters narrow a national list).
LIST_ROWS = 200

ss = st.session_state
today = province_today()
st.title(t("audit.page"))
loaded = aw.templates()


#: This file, as the router names it (relative to streamlit_app.py).
PAGE_FILE = "qms/audits/page.py"


def go(audit_id: int | None = None) -> None:
    """To the audit ``audit_id`` (``/audit?audit=ID``) or, with ``None``, to the list (``/audits``)."""
    params = {"audit": str(audit_id)} if audit_id is not None else None
    try:
        st.switch_page(st.Page(PAGE_FILE, url_path="audit" if audit_id is not None else "audits"), query_params=params)
    except StreamlitAPIException:  # the page run on its own (its AppTests): one address for both
        st.query_params.clear()
        st.query_params.update(params or {})
        st.rerun()


def leave(read_only_view: bool) -> None:
    """"← Danh sách phiếu": save what is pending first (a refused save keeps the user here, with
    their input, unless they may not write at all: then nothing is pending and they just leave)."""
    if read_only_view or aw.save_pending():
        ss.aud_stale = True
        go(None)


def submit(audit_id: int) -> None:
    if not aw.save_pending():
        return
    try:
        done = submit_audit(db(), audit_id, expected_version=ss.aud_version, actor=aw.actor())
    except QmsError as e:
        ss.aud_flash = ("error", e.text(lang()))
        return
    message = t("audit.submitted_msg", score=aw.score_text(done.score_pct), findings=done.findings)
    if done.event_id is not None:
        message += " " + t("audit.event_created" if done.event_created else "audit.event_linked", year=ss.aud_year)
    ss.aud_flash, ss.aud_stale = ("success", message), True


def flash() -> None:
    message = ss.pop("aud_flash", None)
    if message:
        getattr(st, message[0])(message[1])


raw = st.query_params.get("audit")
if raw is not None and ss.get("page_url") == "audits" and raw.isdigit():
    go(int(raw))  # the list's address with ?audit= (older links): to the audit's own, so the sidebar leads back
if raw is None:
    units = versioned(db(), list_units, as_of=today, include_gone=True)
    if not units:
        st.info(t("audit.no_units"))
        st.stop()
    for problem in loaded.broken:  # located, and the other templates stay usable
        st.warning(t("audit.template_broken", error=str(problem)))
    names = {u.code: f"{u.code} — {u.name}" for u in units}
    unit_label = lambda c: t("audit.all") if c is None else names.get(c, c)  # noqa: E731
    tab_list, tab_new, tab_findings = st.tabs([t("audit.tab_list"), t("audit.tab_new"), t("audit.tab_findings")],
                                              key="aud_tab", on_change="rerun")
    if tab_list.open:  # a tab computes only when it is open (st.tabs on_change='rerun')
        with tab_list:
            c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
            unit = unit_selectbox(c1, t("audit.filter_unit"), list(names), format_func=unit_label, key="aud_f_unit", all_option=True)
            status = c2.selectbox(t("audit.filter_status"), [None, *AuditStatus], key="aud_f_status",
                                  format_func=lambda s: t("audit.all") if s is None else t(f"audit.status.{s.value}"))
            kind = c3.selectbox(t("audit.filter_kind"), [None, *AuditKind], key="aud_f_kind",
                                format_func=lambda k: t("audit.all") if k is None else t(f"audit.kind.{k.value}"))
            year = c4.selectbox(t("audit.filter_year"), [None, *audit_years(db())], key="aud_f_year",
                                format_func=lambda y: t("audit.all") if y is None else str(y))
            rows = versioned(db(), list_audits, unit_code=unit, status=status, kind=kind, year=year, limit=LIST_ROWS)
            if len(rows) == LIST_ROWS:  # a national list: the newest, and a way to narrow it
                st.caption(t("audit.list_capped", n=LIST_ROWS))
            if not rows:
                st.info(t("audit.none_found"))
            else:
                aw.audit_table(rows, key="aud_list_table")
                by_id = {r.id: r for r in rows}
                pick = st.selectbox(t("audit.open_pick"), list(by_id), key="aud_pick",
                                    format_func=lambda i: f"#{i} · {by_id[i].unit_name} · {fmt(by_id[i].audit_date)} · "
                                                          f"{t('audit.status.' + by_id[i].status.value)}")
                if st.button(t("audit.open"), key="aud_open_button", type="primary"):
                    go(pick)
    if tab_new.open:  # a tab computes only when it is open (st.tabs on_change='rerun')
        with tab_new:
            latest = [e for e in loaded.templates if loaded.latest(e.template.id) == e]
            who = aw.actor()
            # only the units this person may audit (an inspector: those assigned, or of their districts)
            mine = [u.code for u in units if allowed(who, Operation.AUDIT_WRITE, unit_code=u.code, district_code=u.parent_code)]
            if not latest:
                st.info(t("audit.no_templates", dir=str(settings().checklists_dir)))
            elif read_only(Operation.AUDIT_WRITE):
                pass
            else:
                search_slot = st.container()  # the unit search of a national list runs before the form is sent
                with st.form("aud_new_form"):
                    new_unit = unit_selectbox(st, t("audit.filter_unit"), mine, format_func=unit_label, key="aud_new_unit",
                                              search_in=search_slot)
                    entry = st.selectbox(t("audit.template"), latest, format_func=aw.template_label, key="aud_new_template")
                    c1, c2, c3 = st.columns(3)
                    new_kind = c1.selectbox(t("audit.kind"), list(AuditKind), format_func=lambda k: t(f"audit.kind.{k.value}"),
                                            key="aud_new_kind")
                    auditor = c2.text_input(t("audit.auditor"), key="aud_new_auditor")
                    day = c3.date_input(t("audit.date"), value=today, min_value=dt.date(2006, 1, 1), max_value=today,
                                        format=DATE_FORMAT, key="aud_new_date")
                    started = st.form_submit_button(t("audit.start"), type="primary")
                if started:
                    try:
                        new = checked(NewAudit, unit_code=new_unit, template_id=entry.template.id, kind=new_kind,
                                      auditor=auditor, audit_date=day)
                        audit_id = start_audit(db(), new, entry, actor=aw.actor(), today=today)
                    except QmsError as e:
                        show_error(e)
                    else:
                        go(audit_id)
    if tab_findings.open:  # a tab computes only when it is open (st.tabs on_change='rerun')
        with tab_findings:
            # a national database: one row per province (not ~700 district rows, 21,760 px tall)
            aw.findings_heatmap(versioned(db(), findings_heatmap, today, by_province=versioned(db(), many_districts, today)))
            c1, c2, c3 = st.columns([3, 1, 1])
            f_unit = unit_selectbox(c1, t("audit.filter_unit"), list(names), format_func=unit_label, key="aud_ff_unit",
                                    all_option=True)
            f_grade = c2.selectbox(t("audit.filter_grade"), [None, *Grade], key="aud_ff_grade",
                                   format_func=lambda g: t("audit.all") if g is None else t(f"audit.grade.{g.value}"))
            f_year = c3.selectbox(t("audit.filter_year"), [None, *audit_years(db())], key="aud_ff_year",
                                  format_func=lambda y: t("audit.all") if y is None else str(y))
            found = versioned(db(), list_findings, unit_code=f_unit, grade=f_grade, year=f_year, limit=LIST_ROWS)
            if len(found) == LIST_ROWS:
                st.caption(t("audit.list_capped", n=LIST_ROWS))
            if not found:
                st.info(t("audit.no_findings"))
            else:
                aw.finding_table(found, key="aud_findings_table")
    st.stop()

# -- one audit ---------------------------------------------------------------------------------
try:
    view = get_audit(db(), int(raw))
except ValueError:
    view = None
    st.error(t("audit.bad_id", id=raw))
except NotFound:
    view = None
    st.error(t("audit.not_found", id=raw))
if view is None:
    if st.button(t("audit.back"), key="aud_back_missing"):
        go(None)
    st.stop()

# Read-only from the start for whoever may not change it: no live answer buttons whose clicks
# could only be refused (a refusal used to leave the answer on screen, counted in the progress).
writable = allowed(aw.actor(), Operation.AUDIT_WRITE, unit_code=view.unit_code, district_code=view.parent_code)
aw.sync(view)
ss.aud_year = view.audit_date.year
if st.button(t("audit.back"), key="aud_back"):
    leave(not writable)
st.header(t("audit.header", id=view.id, unit=plain(view.unit_name)))
st.caption(" · ".join([t(f"audit.kind.{view.kind.value}"), fmt(view.audit_date), plain(view.auditor),
                       t(f"audit.status.{view.status.value}")]))
st.caption(t("audit.pinned", title=aw.text(view.template.title), version=view.template_version,
             hash=view.template_hash[:12], standard=view.standard))
flash()
score = aw.draft_score(view)
st.progress(score.answered / score.total if score.total else 0.0,
            text=t("audit.progress", answered=score.answered, total=score.total))
m1, m2 = st.columns([1, 3])
m1.metric(t("audit.score"), aw.score_text(score.pct), help=t("audit.score_help"))
m2.caption(t("audit.findings_preview", major=score.counts[Result.MAJOR], minor=score.counts[Result.MINOR],
             observation=score.counts[Result.OBSERVATION]))
aw.conflict_panel(view)
evidence = ow.evidence_of(view)
ow.offline_panel(view, evidence, writable=writable)
if view.locked:
    st.info(t("audit.locked"))
elif not writable:
    read_only(Operation.AUDIT_WRITE, unit_code=view.unit_code, district_code=view.parent_code,
              unit_label=plain(view.unit_name))

sections = view.template.sections
refs = [s.ref for s in sections]
titles = {s.ref: f"{s.ref}. {aw.text(s.title)}" for s in sections}
c1, c2 = st.columns([3, 1])
# Labels stay the same while answers change: the browser sends a selectbox's choice back as its
# label, so a label carrying live counts would lose the auditor's section at the next answer.
c1.selectbox(t("audit.section"), ["*", *refs], key="aud_section", on_change=aw.on_move,
             format_func=lambda r: t("audit.all_sections") if r == "*" else titles[r])
c2.toggle(t("audit.only_open"), key="aud_only_open", on_change=aw.on_move)
chosen = ss.aud_section
if chosen in refs:
    c1.caption(t("audit.section_progress", answered=score.section_answered[chosen][0],
                 total=score.section_answered[chosen][1]))
shown = [(sec, item) for sec in sections if chosen in ("*", sec.ref) for item in sec.items]
if ss.get("aud_only_open"):
    if ss.get("aud_done_before") is None:
        ss.aud_done_before = aw.answered_now()
    shown = [(sec, item) for sec, item in shown if item.ref not in ss.aud_done_before]
if not shown:
    st.success(t("audit.all_answered"))
heading = None
for sec, item in shown:
    if sec.ref != heading:
        st.subheader(titles[sec.ref])
        heading = sec.ref
    aw.item_block(view, item, read_only=not writable)
    ow.item_evidence(evidence.get(item.ref, []))

if not view.locked:
    at = refs.index(chosen) if chosen in refs else -1
    b1, b2, b3, b4 = st.columns(4)
    b1.button(t("audit.prev"), key="aud_prev", on_click=aw.on_move, args=(refs[at - 1] if at > 0 else None,),
              disabled=at <= 0)
    if writable:
        b2.button(t("audit.save"), key="aud_save", on_click=aw.on_move)
    b3.button(t("audit.next"), key="aud_next", on_click=aw.on_move, args=(refs[at + 1] if 0 <= at < len(refs) - 1 else None,),
              disabled=not 0 <= at < len(refs) - 1)
    b4.button(t("audit.reload"), key="aud_reload", on_click=aw.reload_latest)
    if writable:
        unsaved = len(aw.pending())
        st.caption(t("audit.unsaved", n=unsaved) if unsaved else
                   t("audit.saved", time=ss.get("aud_saved_at") or fmt(view.audit_date)))
        st.button(t("audit.submit"), key="aud_submit", type="primary", on_click=submit, args=(view.id,))

with st.expander(t("audit.sections")):
    show_table([{t("audit.col_section"): titles[r], t("audit.col_answered"): "{}/{}".format(*score.section_answered[r]),
                 t("audit.col_score"): score.by_section[r]} for r in refs], key="aud_sections_table")

if view.locked:
    st.subheader(t("audit.findings"))
    found = audit_findings(db(), view.id)
    if found:
        aw.finding_table(found, key="aud_audit_findings", with_unit=False)
    else:
        st.info(t("audit.no_findings"))
    if view.status is AuditStatus.SUBMITTED and writable and st.button(t("audit.close"), key="aud_close"):
        try:
            close_audit(db(), view.id, actor=aw.actor())
        except QmsError as e:
            show_error(e)
        else:
            ss.aud_flash, ss.aud_stale = ("success", t("audit.closed_msg")), True
            st.rerun()
    if allowed(aw.actor(), Operation.AUDIT_REOPEN):  # an administrator's, with a reason
        with st.expander(t("audit.reopen_title")):
            reason = st.text_area(t("audit.reopen_reason"), key="aud_reopen_reason")
            if st.button(t("audit.reopen"), key="aud_reopen"):
                try:
                    reopen_audit(db(), view.id, reason, actor=aw.actor())
                except QmsError as e:
                    show_error(e)
                else:
                    ss.aud_flash, ss.aud_stale = ("success", t("audit.reopened")), True
                    st.rerun()

with st.expander(t("audit.history")):
    log_table(audit_log(db(), view.id), key="aud_log_table", with_entity=False)
