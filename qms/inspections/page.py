"""Kế hoạch kiểm tra: the province's inspection year (Circular 26): propose, adjust, approve and
amend the plan (administrators), see it by month and its progress, start a planned inspection
(its team), write its minutes and download them (.docx), record the unit's corrective reports."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError as PydanticValidationError

from qms.accounts.access import read_only_reason
from qms.accounts.rules import Operation, Role
from qms.audits.widgets import templates
from qms.inspections import widgets as iw
from qms.inspections.export import plan_xlsx
from qms.inspections.minutes import minutes_docx
from qms.inspections.minutes_store import minutes_facts, record_corrective_report, requests_of, write_minutes
from qms.inspections.queries import get_plan, load_table, onsite_share, overdue_requests, plan_versions
from qms.inspections.rules import ItemStatus, MinutesInput, Mode
from qms.inspections.store import approve_plan, change_items, propose_plan, start_planned_inspection
from qms.kernel import formatting
from qms.kernel.clock import province_today
from qms.kernel.dates import fmt
from qms.kernel.errors import QmsError
from qms.ui.cached import versioned
from qms.ui.context import DATE_FORMAT, actor, db, lang, show_error, t
from qms.ui.read_only import read_only
from qms.ui.tables import show_table
from qms.ui.unit_choice import unit_selectbox

#: Plan rows the page's table sends at most (a country plans ~12,000 inspections a year).
ROWS_SHOWN = 500

INSPECTION_TEMPLATE = "inspection-circular26"
today = province_today()
me = actor()
st.title(t("insp.page"))
flash = st.session_state.pop("insp_flash", None)
if flash:
    st.success(flash)

year = int(st.number_input(t("insp.year"), min_value=2014, max_value=2100, value=today.year, step=1, key="insp_year"))
planner = read_only_reason(me, Operation.PLAN_INSPECTIONS, lang()) is None
plan = versioned(db(), get_plan, year, today)  # read again only after a write


def done(message: str) -> None:
    st.session_state["insp_flash"] = message
    st.rerun()


def attempt(write, message) -> None:
    """Make one store write; its refusal is shown in one sentence, its success as ``message(result)`` after a rerun."""
    try:
        result = write()
    except QmsError as e:
        show_error(e)
    except PydanticValidationError as e:  # a value the form let through beyond a field's limit
        first = e.errors()[0]
        st.error(f"{'.'.join(str(x) for x in first['loc'])}: {first['msg']}")
    else:
        done(message(result))


if plan is None:
    st.info(t("insp.none", year=year))
    if not read_only(Operation.PLAN_INSPECTIONS) and st.button(t("insp.propose"), type="primary", key="insp_propose"):
        attempt(lambda: propose_plan(db(), year, actor=me, today=today), lambda n: t("insp.proposed", n=n))
    st.stop()

# -- the plan at a glance ---------------------------------------------------------------------------
if plan.approved_on:
    st.markdown(f"**{t('insp.approved', no=plan.decision_no, day=fmt(plan.approved_on), version=plan.version)}**")
else:
    st.markdown(f"**{t('insp.draft')}**")
live = plan.live
st.caption(t("insp.share", on_site=sum(i.mode == Mode.ON_SITE for i in live), total=len(live), share=str(versioned(db(), onsite_share))))
st.subheader(t("insp.progress"))
progress = plan.progress()
for col, status in zip(st.columns(len(ItemStatus)), ItemStatus, strict=True):
    col.metric(t(f"insp.status.{status.value}"), progress[status])
if plan.items:
    st.subheader(t("insp.grid"))
    st.altair_chart(iw.month_grid(plan, lang()), key="insp_month_grid")
st.subheader(t("insp.items"))
rows = iw.plan_rows(plan, lang())
show_table(rows[:ROWS_SHOWN], key="insp_items", plain=[t("insp.col.month"), t("insp.col.risk")],
           widths={t("insp.col.reasons"): "large"})
if len(rows) > ROWS_SHOWN:  # a country's plan: the first rows and the count (the workbook below holds them all)
    st.caption(t("ov.rows_shown", shown=ROWS_SHOWN, total=formatting.number(len(rows), lang())))
database = db()
# made when clicked (a country's plan takes a second or two to write): the page does not wait for it
st.download_button(t("insp.download_plan"), lambda: plan_xlsx(database, plan), file_name=f"ke-hoach-kiem-tra-{year}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="insp_download_plan")
with st.expander(t("insp.load")):
    show_table([{t("insp.col.auditor"): r["auditor"], t("insp.col.month"): r["month"], t("insp.col.count"): r["inspections"]}
                for r in load_table(plan)], key="insp_load", plain=[t("insp.col.month")])
with st.expander(t("insp.versions")):
    show_table([{t("insp.col.version"): v["version"], t("insp.col.kind"): t(f"insp.kind.{v['kind']}"),
                 t("insp.col.date"): fmt(v["decided_on"]), t("insp.decision_no"): v["decision_no"] or "",
                 t("insp.col.reason"): v["reason"] or "", t("insp.col.count"): v["items"]}
                for v in versioned(db(), plan_versions, year)], key="insp_versions", plain=[t("insp.col.version")])

# -- adjust, approve, amend (administrators) --------------------------------------------------------
if planner:
    with st.expander(t("insp.adjust"), expanded=plan.approved_on is None):
        st.caption(t("insp.adjust_help"))
        if plan.approved_on is None and st.button(t("insp.propose"), key="insp_repropose"):
            attempt(lambda: propose_plan(db(), year, actor=me, today=today), lambda n: t("insp.proposed", n=n))
        search_slot = st.container()  # a national plan's unit search runs before the form is sent
        with st.form("insp_assign_form"):
            st.markdown(f"**{t('insp.assign')}**")
            c1, c2, c3, c4 = st.columns([3, 2, 1, 2])
            names = {i.unit_code: f"{i.unit_code} — {i.unit_name}" for i in live}
            unit = unit_selectbox(c1, t("insp.col.name"), list(names), format_func=names.get, key="insp_assign_unit",
                                  search_in=search_slot)
            mode = c2.selectbox(t("insp.col.mode"), [m.value for m in Mode], format_func=lambda m: t(f"insp.mode.{m}"),
                                key="insp_assign_mode")
            month = c3.number_input(t("insp.col.month"), min_value=1, max_value=12, step=1, key="insp_assign_month",
                                    value=next((i.month for i in live), today.month))
            team = c4.text_input(t("insp.col.team"), max_chars=400, key="insp_assign_team")
            why = st.text_input(t("insp.reason"), key="insp_assign_reason", disabled=plan.approved_on is None)
            if st.form_submit_button(t("insp.assign"), type="primary") and unit:
                attempt(lambda: change_items(db(), year, [iw.assignment(unit, mode, int(month), team)], reason=why or None,
                                             actor=me, today=today), lambda version: t("insp.saved", version=version))
        edited = st.data_editor(
            iw.editor_rows(plan), hide_index=True, key="insp_editor", disabled=["unit", "name"],
            column_config={
                "unit": st.column_config.TextColumn(t("insp.col.unit")),
                "name": st.column_config.TextColumn(t("insp.col.name")),
                "mode": st.column_config.SelectboxColumn(t("insp.col.mode"), options=[m.value for m in Mode], required=True),
                "month": st.column_config.NumberColumn(t("insp.col.month"), min_value=1, max_value=12, step=1, required=True),
                "team": st.column_config.TextColumn(t("insp.col.team")),
                "cancel": st.column_config.CheckboxColumn(t("insp.col.cancel")),
            })
        rows = edited.to_dict("records") if hasattr(edited, "to_dict") else list(edited)
        c1, c2 = st.columns(2)
        added = c1.text_input(t("insp.add_unit"), key="insp_add")
        reason = c2.text_input(t("insp.reason"), key="insp_reason", disabled=plan.approved_on is None)
        if st.button(t("insp.save"), type="primary", key="insp_save"):
            def save() -> int | None:
                changes = iw.changes_from(rows, plan, added)
                return change_items(db(), year, changes, reason=reason or None, actor=me, today=today) if changes else None

            attempt(save, lambda version: t("insp.nothing") if version is None else t("insp.saved", version=version))
    if plan.approved_on is None:
        with st.form("insp_approve_form"):
            st.markdown(f"**{t('insp.approve')}**")
            c1, c2 = st.columns(2)
            decision = c1.text_input(t("insp.decision_no"), key="insp_decision")
            approved_on = c2.date_input(t("insp.approved_on"), value=today, max_value=today, format=DATE_FORMAT,
                                        key="insp_approved_on")
            if st.form_submit_button(t("insp.approve"), type="primary"):
                attempt(lambda: approve_plan(db(), year, decision, approved_on, actor=me, today=today),
                        lambda _: t("insp.approved_ok", year=year))
else:
    read_only(Operation.PLAN_INSPECTIONS)

# -- carry out: start, minutes, follow-up -----------------------------------------------------------
st.subheader(t("insp.work"))
if me.role is Role.ADMIN:
    mine = live
elif me.role is Role.OFFICER:
    mine = [i for i in live if i.unit_code in me.units and i.minutes_id is not None]
else:
    mine = [i for i in live if me.username in i.team]
if not mine:
    st.info(t("insp.not_team"))
else:
    labels = {i.id: f"{i.unit_name} ({i.unit_code}) · {t('insp.col.month')} {i.month} · {t(f'insp.mode.{i.mode}')}" for i in mine}
    picked = unit_selectbox(st, t("insp.pick"), list(labels), format_func=labels.get, key="insp_item")
    item = next(i for i in mine if i.id == picked)
    if item.audit_id is None and me.role is not Role.OFFICER:
        if st.button(t("insp.start"), type="primary", key="insp_start", disabled=plan.approved_on is None):
            attempt(lambda: start_planned_inspection(db(), item.id, templates().latest(INSPECTION_TEMPLATE), actor=me, today=today),
                    lambda audit_id: t("insp.started", id=audit_id))
    elif item.audit_id is not None and item.audit_status == "draft":
        st.info(t("insp.fill_first", id=item.audit_id))
        st.markdown(f"[{t('insp.open_audit', id=item.audit_id)}](audit?audit={item.audit_id})")
    elif item.minutes_id is None and me.role is not Role.OFFICER:
        with st.form("insp_minutes_form"):
            st.markdown(f"**{t('insp.minutes')}**")
            signed_on = st.date_input(t("insp.signed_on"), value=today, max_value=today, format=DATE_FORMAT, key="insp_signed_on")
            scope = st.text_area(t("insp.scope"), value=t("insp.scope_default"), max_chars=2000, key="insp_scope")
            conclusion = st.text_area(t("insp.conclusion"), max_chars=4000, key="insp_conclusion")
            if st.form_submit_button(t("insp.sign"), type="primary"):
                attempt(lambda: write_minutes(db(), item.id, MinutesInput(signed_on=signed_on, scope=scope.strip() or t("insp.scope_default"),
                                                           conclusion=conclusion.strip() or None), actor=me, today=today),
                        lambda _: t("insp.signed", day=fmt(signed_on)))
    if item.minutes_id is not None:
        st.download_button(t("insp.download"), lambda mid=item.minutes_id: minutes_docx(minutes_facts(database, mid)),  # on click
                           file_name=f"bien-ban-{year}-{item.unit_code.replace('@', '_')}.docx",
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document", key="insp_download")
        requests = versioned(db(), requests_of, item.minutes_id)
        st.markdown(f"**{t('insp.requests')}**")
        show_table([{"#": r["number"], t("insp.col.text"): r["text"], t("insp.col.due"): fmt(r["due_on"]),
                     t("insp.col.reported"): fmt(r["reported_on"]) if r["reported_on"] else ""} for r in requests],
                   key="insp_requests", plain=["#"], widths={t("insp.col.text"): "large"})
        pending = [r for r in requests if r["reported_on"] is None]
        if pending and read_only_reason(me, Operation.ACTION_WRITE, lang(), unit_code=item.unit_code) is None:
            with st.form("insp_report_form"):
                st.markdown(f"**{t('insp.report')}**")
                which = st.selectbox(t("insp.col.text"), [r["id"] for r in pending],
                                     format_func=lambda rid: next(f"{r['number']}. {r['text']}" for r in pending if r["id"] == rid),
                                     key="insp_report_request")
                reported_on = st.date_input(t("insp.report_on"), value=today, max_value=today, format=DATE_FORMAT,
                                            key="insp_report_on")
                note = st.text_area(t("insp.report_note"), key="insp_report_note")
                if st.form_submit_button(t("insp.report"), type="primary"):
                    attempt(lambda: record_corrective_report(db(), which, reported_on, note, actor=me, today=today),
                            lambda _: t("insp.reported"))

overdue = versioned(db(), overdue_requests, today)
st.subheader(t("insp.overdue"))
if overdue:
    show_table([{t("insp.col.unit"): r.unit_code, t("insp.col.name"): r.unit_name, t("insp.col.text"): r.text,
                 t("insp.col.due"): fmt(r.due_on)} for r in overdue], key="insp_overdue")
else:
    st.caption(t("insp.overdue_none"))
