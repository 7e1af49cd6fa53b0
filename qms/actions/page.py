"""Hành động: improvement actions from finding to verified closure.

Filters (unit, district, status and overdue as of any date, source); an officer sees their
unit's unfinished actions first.  One action: its finding, facts, history, and the next steps
the signed-in user may take (the store checks again).  Every change passes back the version of
the action this session first loaded (``act_versions``, renewed after each own change or by
"Tải bản mới nhất"): a change somebody else made meanwhile makes the store refuse, the form keeps
what the user typed, and the user reloads knowingly before saving again.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from qms.accounts import rules as accounts
from qms.accounts.rules import Operation, Role
from qms.actions import widgets as aw
from qms.actions.queries import action_overview, get_action, list_actions
from qms.actions.rules import MANUAL_SOURCES, ActionSource, ActionStatus, ActionType, NewAction, Step, district_of
from qms.actions.steps import ActionEdit, StepInput, allowed_steps, editable, operation_for
from qms.actions.store import apply_step, edit_action, internal_audit_due_days, open_action, set_internal_audit_due_days
from qms.actions.views import DEPARTMENTS_ROW
from qms.kernel.clock import province_today
from qms.kernel.dates import fmt
from qms.kernel.errors import ConflictError, QmsError
from qms.ui.cached import versioned
from qms.ui.context import DATE_FORMAT, actor, db, plain, show_error, t
from qms.ui.read_only import read_only
from qms.ui.unit_choice import unit_selectbox
from qms.units.model import Level, checked
from qms.units.store import list_units

#: Actions the list sends at most (the filters narrow the rest; the caption says how many there are).
LIST_ROWS = 300

ss = st.session_state
today = province_today()
who = actor()
st.title(t("action.page"))

units = versioned(db(), list_units, as_of=today, include_gone=True)
if not units:
    st.info(t("action.no_units"))
    st.stop()
names = {u.code: f"{u.code} — {u.name}" for u in units}
district_names = {u.code: u.name for u in units if u.level is Level.DISTRICT}
district_names[DEPARTMENTS_ROW] = t("action.departments_row")
districts = {u.code: district_of(u.level.value, u.code, u.parent_code) for u in units}
versions: dict[int, int] = ss.setdefault("act_versions", {})
flash = ss.pop("act_flash", None)
if flash:
    st.success(flash)


def forget_kept() -> None:
    """The user picks or filters anew: the action they worked on need not stay in the list."""
    ss.pop("act_keep", None)


def all_label(value, label) -> str:
    return t("action.all") if value is None else label(value)


def reload_action(action_id: int) -> None:
    """The user chose to see the latest version (after a refused change): forget the old one."""
    versions.pop(action_id, None)
    ss.pop("act_conflict", None)


def show_action(action_id: int) -> None:
    detail = get_action(db(), action_id)
    versions.setdefault(action_id, detail.row_version)
    st.subheader(t("action.header", id=detail.id, unit=plain(detail.unit_name)))
    aw.action_facts(detail, as_of=today)
    st.markdown(f"**{t('action.history')}**")
    aw.history_table(detail, key="act_history")
    may = lambda op: accounts.allowed(who, op, unit_code=detail.unit_code, district_code=detail.district_code)  # noqa: E731
    possible = allowed_steps(detail.status, detail.recurred)
    steps = [s for s in possible if may(operation_for(s, detail.finding_id is not None))]
    if steps:
        step_form(detail, steps)
    elif possible:  # steps exist, none of them this person's: say why (out of their area, or their role)
        read_only(operation_for(possible[0], detail.finding_id is not None), unit_code=detail.unit_code,
                  district_code=detail.district_code, unit_label=plain(detail.unit_name))
    else:
        st.caption(t("action.no_step"))
    if editable(detail.status) and may(Operation.ACTION_WRITE):
        edit_form(detail)


def step_form(detail, steps: list[Step]) -> None:
    a = detail.id
    step = st.selectbox(t("action.next_step"), steps, format_func=lambda s: t(f"action.step.{s.value}"), key=f"act_step_{a}")
    key = f"act_{a}_{step.value}"
    with st.form(f"act_form_{a}"):
        on = st.date_input(t("action.field_date"), value=today, max_value=today, format=DATE_FORMAT, key=f"{key}_date")
        values: dict = {}
        if step is Step.START:
            values["owner_name"] = st.text_input(t("action.field_owner"), value=detail.owner_name or "", key=f"{key}_owner")
            values["root_cause"] = st.text_area(t("action.field_root_cause"), value=detail.root_cause or "", key=f"{key}_cause")
        elif step is Step.DONE:
            values["note"] = st.text_area(t("action.field_done"), key=f"{key}_note")
            values["root_cause"] = st.text_area(t("action.field_root_cause"), value=detail.root_cause or "", key=f"{key}_cause")
        elif step in (Step.VERIFY_EFFECTIVE, Step.VERIFY_NOT_EFFECTIVE):
            values["verifier"] = st.text_input(t("action.field_verifier"), value=who.username, key=f"{key}_verifier")
            values["note"] = st.text_area(t("action.field_verification_note"), key=f"{key}_note")
            if step is Step.VERIFY_NOT_EFFECTIVE:
                values["new_due_date"] = st.date_input(t("action.field_new_due"), value=None, format=DATE_FORMAT,
                                                       key=f"{key}_due")
        elif step is Step.CANCEL:
            values["note"] = st.text_area(t("action.field_reason"), key=f"{key}_note")
        submitted = st.form_submit_button(t("action.save_step"), type="primary", key="act_submit")
    if submitted:
        save(a, lambda: apply_step(db(), a, checked(StepInput, step=step, on_date=on, **{k: (v or None) for k, v in values.items()}),
                                   expected_version=versions[a], actor=who, today=today),
             t("action.saved", step=t(f"action.step.{step.value}")))
    if ss.get("act_conflict") == a:
        st.button(t("action.reload"), key="act_reload", on_click=reload_action, args=(a,))


def save(a: int, write, flash: str) -> None:
    """Run one write of action ``a`` (``write`` returns its new row version): on success note the
    version and the flash and rerun; a stale write offers the reload (the form keeps the input);
    any other refusal is its one sentence."""
    try:
        version = write()
    except ConflictError as e:
        show_error(e)
        ss.act_conflict = a
    except QmsError as e:
        show_error(e)
    else:
        versions[a] = version
        ss.act_flash = flash
        ss.act_keep = a  # stay on it, even if the list's filters no longer select it
        st.rerun()


def edit_form(detail) -> None:
    a = detail.id
    with st.expander(t("action.edit")), st.form(f"act_edit_{a}"):
        kind = st.selectbox(t("action.field_type"), list(ActionType), index=list(ActionType).index(detail.type),
                            format_func=lambda k: t(f"action.type.{k.value}"), key=f"act_{a}_e_type")
        description = st.text_area(t("action.field_description"), value=detail.description, key=f"act_{a}_e_desc")
        cause = st.text_area(t("action.field_root_cause"), value=detail.root_cause or "", key=f"act_{a}_e_cause")
        owner = st.text_input(t("action.field_owner"), value=detail.owner_name or "", key=f"act_{a}_e_owner")
        due = st.date_input(t("action.field_due"), value=detail.due_date, format=DATE_FORMAT, key=f"act_{a}_e_due")
        saved = st.form_submit_button(t("action.save_edit"), key="act_edit_submit")
    if saved:
        typed = {"type": kind, "description": description or None, "root_cause": cause or None, "owner_name": owner or None,
                 "due_date": due}
        current = {"type": detail.type, "description": detail.description, "root_cause": detail.root_cause,
                   "owner_name": detail.owner_name, "due_date": detail.due_date}
        save(a, lambda: edit_action(db(), a, checked(ActionEdit, **{k: v for k, v in typed.items() if v != current[k]}),
                                    expected_version=versions[a], actor=who, today=today),
             t("action.edited"))


tabs = [t("action.tab_list"), t("action.tab_new")] + ([t("action.tab_settings")] if who.role is Role.ADMIN else [])
tab_list, tab_new, *tab_settings = st.tabs(tabs, key="act_tab", on_change="rerun")

if tab_list.open:  # a tab computes only when it is open (st.tabs on_change='rerun')
    with tab_list:
        c1, c2, c3 = st.columns([1, 2, 2])
        as_of = c1.date_input(t("action.as_of"), value=today, min_value=dt.date(2014, 1, 1), format=DATE_FORMAT,
                              key="act_as_of", on_change=forget_kept)
        unit = unit_selectbox(c2, t("action.filter_unit"), list(names), format_func=lambda c: all_label(c, names.get),
                              key="act_f_unit", on_change=forget_kept, all_option=True)
        district = c3.selectbox(t("action.filter_district"), [None, *district_names], key="act_f_district", on_change=forget_kept,
                                format_func=lambda c: all_label(c, district_names.get))
        c4, c5, c6 = st.columns([2, 2, 1])
        status = c4.selectbox(t("action.filter_status"), [None, *ActionStatus], key="act_f_status", on_change=forget_kept,
                              format_func=lambda s: all_label(s, aw.status_label))
        source = c5.selectbox(t("action.filter_source"), [None, *ActionSource], key="act_f_source", on_change=forget_kept,
                              format_func=lambda s: all_label(s, lambda v: t(f"action.source.{v.value}")))
        overdue = c6.toggle(t("action.filter_overdue"), key="act_f_overdue", on_change=forget_kept)
        aw.summary_metrics(versioned(db(), action_overview, as_of))
        own = who.units if who.role is Role.OFFICER else frozenset()
        found = versioned(db(), list_actions, as_of=as_of, unit_code=unit, district_code=district, status=status, source=source,
                             overdue_only=overdue, first_units=own, limit=LIST_ROWS)
        keep = ss.get("act_keep")  # the action this session last changed: shown until the user picks or filters anew
        if not found.rows and keep is None:
            st.info(t("action.none_found"))
        else:
            if own:
                st.caption(t("action.own_first"))
            if found.rows:
                aw.action_table(found.rows, key="act_table", mark_own=bool(own))
            else:
                st.info(t("action.none_found"))
            if found.total > len(found.rows):
                st.caption(t("action.truncated", shown=len(found.rows), total=found.total))
            labels = {r.id: (r.unit_name, r.opened_on, "") for r in found.rows}
            if keep is not None and keep not in labels:  # its step took it out of the filtered list: it stays, first
                kept = get_action(db(), keep)
                labels = {keep: (kept.unit_name, kept.opened_on, f" · {t('action.kept')}"), **labels}
            # Labels name what never changes (status and due date are in the table above): the
            # browser keeps showing the label a choice was made with, so a label carrying the
            # status would still read "open" after the action's next step.
            pick = st.selectbox(t("action.pick"), list(labels), key="act_pick", on_change=forget_kept,
                                format_func=lambda i: f"#{i} · {labels[i][0]} · {t('action.col_opened')} "
                                                      f"{fmt(labels[i][1])}{labels[i][2]}")
            show_action(pick)

if tab_new.open:  # a tab computes only when it is open (st.tabs on_change='rerun')
    with tab_new:
        writable = [c for c in names if accounts.allowed(who, Operation.ACTION_WRITE, unit_code=c, district_code=districts[c])]
        if not writable:
            if not read_only(Operation.ACTION_WRITE):
                st.info(t("action.cannot_open"))
        else:
            search_slot = st.container()  # the unit search of a national list runs before the form is sent
            with st.form("act_new_form"):
                n1, n2, n3 = st.columns(3)
                new_unit = unit_selectbox(n1, t("action.new_unit"), writable, format_func=names.get, key="act_new_unit",
                                          search_in=search_slot)
                new_source = n2.selectbox(t("action.new_source"), list(MANUAL_SOURCES), key="act_new_source",
                                          format_func=lambda s: t(f"action.source.{s.value}"))
                new_type = n3.selectbox(t("action.field_type"), list(ActionType), index=1, key="act_new_type",
                                        format_func=lambda k: t(f"action.type.{k.value}"))
                new_description = st.text_area(t("action.field_description"), key="act_new_description")
                new_cause = st.text_area(t("action.field_root_cause"), key="act_new_cause")
                n4, n5, n6, n7 = st.columns(4)
                new_owner = n4.text_input(t("action.field_owner"), key="act_new_owner")
                new_origin = n5.date_input(t("action.new_origin"), value=today, max_value=today, format=DATE_FORMAT,
                                           key="act_new_origin")
                new_due = n6.date_input(t("action.field_due"), value=None, format=DATE_FORMAT, key="act_new_due")
                new_clause = n7.text_input(t("action.new_clause"), key="act_new_clause", placeholder="8.2.2")
                st.caption(t("action.new_due_default", days=internal_audit_due_days(db())))
                opened = st.form_submit_button(t("action.new_submit"), type="primary", key="act_new_submit")
            if opened:
                try:
                    new = checked(NewAction, unit_code=new_unit, source=new_source, type=new_type, description=new_description,
                                  root_cause=new_cause or None, owner_name=new_owner or None, origin_date=new_origin,
                                  due_date=new_due, clause=new_clause.strip() or None)
                    action_id = open_action(db(), new, actor=who, today=today)
                except QmsError as e:
                    show_error(e)
                else:
                    ss.act_flash = t("action.opened", id=action_id)
                    st.rerun()

for tab in tab_settings:
    with tab:
        days = st.number_input(t("action.due_days"), min_value=1, max_value=365, step=1,
                               value=internal_audit_due_days(db()), help=t("action.due_days_help"), key="act_due_days")
        if st.button(t("action.save_days"), key="act_save_days"):
            try:
                set_internal_audit_due_days(db(), int(days), actor=who)
            except QmsError as e:
                show_error(e)
            else:
                ss.act_flash = t("action.days_saved", days=int(days))
                st.rerun()
