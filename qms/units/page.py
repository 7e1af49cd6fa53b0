"""Đơn vị: a unit's lifecycle as a dated timeline, and the form that records a new event."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from qms.accounts.access import home_unit
from qms.accounts.rules import Operation
from qms.admin_changes.plan import official_code
from qms.admin_changes.store import lineage as unit_lineage
from qms.audits import widgets as audit_widgets
from qms.audits.findings_store import unit_audits, unit_findings
from qms.changelog.store import unit_log
from qms.changelog.text import value_text
from qms.changelog.widgets import log_table
from qms.kernel import formatting
from qms.kernel.clock import province_today
from qms.kernel.dates import fmt
from qms.kernel.errors import QmsError
from qms.kernel.labels import kind_label
from qms.scope.queries import unit_scope
from qms.scope.widgets import render_unit_scope
from qms.ui.cached import versioned
from qms.ui.context import DATE_FORMAT, actor, db, lang, plain, show_error, t
from qms.ui.read_only import read_only
from qms.ui.tables import show_table
from qms.ui.unit_choice import SHOWN
from qms.units.events_store import record_event
from qms.units.model import EventType, Level, NewEvent, Standard, checked
from qms.units.store import list_units, resolve_unit, same_code_units, unit_page

st.title(t("page.units"))
today = province_today()

left, right = st.columns([1, 2])
level = left.selectbox(t("col.level"), [None, *Level], format_func=lambda lv: "—" if lv is None else t(f"level.{lv.value}"),
                       key="units_level")
search = right.text_input(t("units.search"), key="units_search")
units = versioned(db(), list_units, as_of=today, level=level, include_gone=True, search=search or None)
if not units:
    st.info(t("units.none"))
    st.stop()

codes = [u.code for u in units]
wanted = st.query_params.get("unit")
if wanted and wanted not in codes or (wanted and "@" not in wanted and len([u for u in units if u.shown_code == wanted]) > 1):
    # a typed or linked official code: the unit bearing it today (codes are reused since 2025)
    try:
        wanted = resolve_unit(db(), wanted, as_of=today)
    except QmsError as e:
        show_error(e)
if wanted not in codes and not search and level is None:  # first visit: the person's own unit, not the province
    wanted = home_unit(actor(), units)
if len(codes) > SHOWN:  # the country: the drop-down sends what a person can read; the search box finds the rest
    st.caption(t("unit_choice.more", shown=SHOWN, total=formatting.number(len(codes), lang())))
    codes = ([wanted] if wanted in codes[SHOWN:] else []) + codes[:SHOWN]
index = codes.index(wanted) if wanted in codes else 0
by_code = {u.code: u for u in units}


def _label(c: str) -> str:
    u = by_code[c]
    gone = f" · {t('units.until')} {fmt(u.valid_to - dt.timedelta(days=1))}" if u.valid_to else ""
    start = f" · {t('units.from')} {fmt(u.valid_from)}" if u.valid_from and u.valid_from.year >= 2020 else ""
    return f"{u.shown_code} — {u.name}" + (f" ({u.parent_name})" if u.parent_name else "") + start + gone


code = st.selectbox(t("units.pick"), codes, index=index, key="units_pick", format_func=_label)
st.query_params["unit"] = code

page = unit_page(db(), code, today=today)
unit = page.unit
st.header(plain(unit.name))
facts = [f"{t('col.code')}: {unit.shown_code}", f"{t('col.level')}: {t('level.' + unit.level.value)}",
         f"{t('col.kind')}: {kind_label(unit.kind, lang())}"]
if unit.parent_name:
    facts.append(f"{t('col.parent')}: {plain(unit.parent_name)}")
st.caption(" · ".join(facts))
if unit.valid_to:
    st.warning(f"{t('units.merged')} {fmt(unit.valid_to)}")
def _open_unit(key: str) -> None:
    """Switch the page to unit ``key`` inside the session (a link would start a new, signed-out one)."""
    st.session_state["units_search"] = ""
    st.session_state["units_level"] = None
    st.session_state["units_pick"] = key
    st.query_params["unit"] = key


def _unit_buttons(items: list[tuple[str, str]], kind: str) -> None:
    cols = st.columns(min(len(items), 4))
    for i, (key, label) in enumerate(items):
        cols[i % len(cols)].button(label, key=f"lineage_{kind}_{key}", on_click=_open_unit, args=(key,), type="tertiary")


lineage = unit_lineage(db(), unit.code)
if lineage.predecessors:
    first = lineage.predecessors[0]
    st.info(t("unit.formed_from", n=len(lineage.predecessors), day=fmt(first[5]), act=plain(first[4]),
              k=sum(1 for p in lineage.predecessors if p[6])))
    _unit_buttons([(p[0], f"{p[1]} ({official_code(p[0])})" + (" ✅" if p[6] else "")) for p in lineage.predecessors], "pred")
if lineage.successors:
    first = lineage.successors[0]
    st.info(t("unit.went_into", day=fmt(first[5]), act=plain(first[4]),
              to=", ".join(f"{plain(s[1])} ({official_code(s[0])})" for s in lineage.successors)))
    _unit_buttons([(s[0], f"{s[1]} ({official_code(s[0])})") for s in lineage.successors], "succ")
others = same_code_units(db(), unit.code, as_of=today)
if others:
    st.caption(t("unit.same_code", code=unit.shown_code, others="; ".join(
        f"{plain(o.name)} ({fmt(o.valid_from) if o.valid_from else '…'} – {fmt(o.valid_to - dt.timedelta(days=1)) if o.valid_to else '…'})"
        for o in others)))
since = f" ({t('col.since').lower()} {fmt(page.stage_since)})" if page.stage_since else ""
st.markdown(f"**{t('units.current')}:** {t('stage.' + page.stage)}{since}"
            + (f" · {t('units.inherited')}" if page.inherited else ""))

flash = st.session_state.pop("units_flash", None)
if flash:
    st.success(flash)

st.subheader(t("units.timeline"))
if not page.events:
    st.info(t("units.no_events"))
else:
    label = {e: t(f"event.{e.value}") for e in EventType}
    timeline = pd.DataFrame([
        {t("col.date"): pd.Timestamp(e.event_date), t("col.event"): label[e.event_type]} for e in page.events
    ])
    chart = alt.Chart(timeline).mark_point(filled=True, size=90).encode(
        x=alt.X(f"{t('col.date')}:T", title=t("col.date"), axis=alt.Axis(format="%m/%Y")),
        y=alt.Y(f"{t('col.event')}:N", sort=[label[e] for e in EventType], title=None, axis=alt.Axis(labelLimit=220)),
        color=alt.Color(f"{t('col.event')}:N", legend=None),
        tooltip=[alt.Tooltip(f"{t('col.date')}:T", format="%d/%m/%Y"), f"{t('col.event')}:N"],
    ).properties(height=260).configure(locale=formatting.vega_locale(lang()))
    st.altair_chart(chart, key="units_timeline_chart")
    show_table(
        [
            {
                t("col.date"): fmt(e.event_date), t("col.event"): label[e.event_type], t("col.decision"): e.decision_no or "",
                t("col.standard"): f"TCVN ISO 9001:{e.standard.value}" if e.standard else "",
                t("col.scope"): e.scope_note or "", t("col.source"): value_text("source", e.source, lang()),
                t("col.by"): e.recorded_by,
            }
            for e in reversed(page.events)
        ],
        key=f"units_events_{code}", widths={t("col.scope"): 220},  # a new grid per unit: never the last one's rows
    )
    if page.maintenance:
        st.markdown(f"**{t('units.maintenance')}**")
        show_table(
            [
                {t("col.year"): str(y), t("event.internal_audit"): t("units.maint_ok") if ia else t("units.maint_missing"),
                 t("event.management_review"): t("units.maint_ok") if mr else t("units.maint_missing")}
                for y, ia, mr in page.maintenance
            ],
            key=f"units_maintenance_{code}",
        )

audit_widgets.unit_audit_history(unit_audits(db(), code), unit_findings(db(), code))

st.subheader(t("scope.processes"))
render_unit_scope(unit_scope(db(), code, today), key="units_scope")

with st.expander(t("log.unit_history")):
    st.caption(t("log.unit_history_help"))
    log_table(unit_log(db(), code), key="units_log")

st.subheader(t("units.record"))
if read_only(Operation.RECORD_EVENT, unit_code=code, district_code=unit.parent_code, unit_label=plain(unit.name)):
    st.stop()
with st.form("units_event_form", clear_on_submit=False):
    c1, c2 = st.columns(2)
    event_type = c1.selectbox(t("col.event"), list(EventType), format_func=lambda e: t(f"event.{e.value}"), key="ev_type")
    event_date = c2.date_input(t("col.date"), value=today, min_value=dt.date(2006, 1, 1), max_value=None,
                               format=DATE_FORMAT, key="ev_date")
    c3, c4 = st.columns(2)
    decision = c3.text_input(t("col.decision"), key="ev_decision", placeholder="123/QĐ-UBND")
    standard = c4.selectbox(t("col.standard"), [None, *Standard], key="ev_standard",
                            format_func=lambda s: t("units.standard_none") if s is None else f"TCVN ISO 9001:{s.value}")
    scope = st.text_area(t("col.scope"), key="ev_scope")
    submitted = st.form_submit_button(t("units.save"), type="primary")

if submitted:
    try:
        event = checked(NewEvent, unit_code=code, event_type=event_type, event_date=event_date, decision_no=decision or None,
                         standard=standard, scope_note=scope or None)
        record_event(db(), event, actor=actor(), today=today)
    except QmsError as e:
        show_error(e)
    else:
        st.session_state["units_flash"] = t("units.saved")
        st.rerun()
