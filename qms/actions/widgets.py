"""Renderers of improvement actions, shared by the Hành động page and the overview.

Each takes records the store already computed (:mod:`qms.actions.views`) and draws them: no
query, no rule.  ``key`` arguments keep widget keys unique when a page shows a table twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import streamlit as st

from qms.actions.rules import ActionStatus, is_overdue
from qms.actions.views import DEPARTMENTS_ROW, ActionDetail, ActionOverview, ActionSummary
from qms.kernel import formatting
from qms.kernel.dates import fmt
from qms.ui.context import lang, plain, t
from qms.ui.tables import TEXT_WIDTH, show_table


def status_label(status) -> str:
    return "" if status is None else t(f"action.status.{status.value}")


def _days(value: float | None) -> str:
    return formatting.MISSING if value is None else t("action.days", n=formatting.number(value, lang(), decimals=1))


def summary_metrics(data: ActionOverview) -> None:
    """Open, overdue, awaiting verification, median days to close, recurrence rate (as of the date)."""
    cols = st.columns(5)
    cols[0].metric(t("action.m_open"), data.open, border=True)
    cols[1].metric(t("action.m_overdue"), data.overdue, border=True)
    cols[2].metric(t("action.m_awaiting"), data.awaiting_verification, border=True)
    cols[3].metric(t("action.m_median"), _days(data.median_days_to_close), help=t("action.m_median_help"), border=True)
    cols[4].metric(t("action.m_recurrence"), formatting.percent(data.recurrence_rate_pct, lang()), f"{data.recurred}/{data.verified}",
                   delta_color="off", delta_arrow="off", help=t("action.m_recurrence_help"), border=True)


def district_table(data: ActionOverview, *, key: str) -> None:
    show_table(
        [
            {
                t("action.col_district"): t("action.departments_row") if d.row_code == DEPARTMENTS_ROW else (d.row_name or d.row_code),
                t("action.col_open"): d.open, t("action.col_overdue_n"): d.overdue,
                t("action.col_awaiting"): d.awaiting_verification, t("action.col_verified"): d.verified,
                t("action.col_median"): d.median_days_to_close,
            }
            for d in data.by_district
        ],
        key=key, decimals={t("action.col_median"): 1},
    )


def render_overview_actions(data: ActionOverview, *, key: str = "overview_actions") -> None:
    """For the overview page: the actions' figures on its date, then open and overdue actions
    per district (worst first); one line when there is no action yet."""
    st.subheader(t("action.ov_title"))
    if not data.has_actions:
        st.info(t("action.ov_none"))
        return
    summary_metrics(data)
    st.markdown(f"**{t('action.ov_by_district')}**")
    district_table(data, key=f"{key}_districts")


def action_rows(rows: Sequence[ActionSummary], *, mark_own: bool = False) -> list[dict]:
    """The list's rows (status and overdue days as of the list's date)."""
    out = []
    for r in rows:
        row = {
            t("action.col_id"): r.id,
            t("action.col_unit"): r.unit_name,
            t("action.col_district"): r.district_name or "",
            t("action.col_source"): t(f"action.source.{r.source.value}"),
            # the finding's grade and clause in one column (a laptop screen has room for ~11)
            t("action.col_grade"): " · ".join(x for x in (t(f"audit.grade.{r.grade}") if r.grade else "", r.clause or "") if x),
            t("action.col_description"): r.description,
            t("action.col_owner_short"): r.owner_name or "",
            t("action.col_opened"): fmt(r.opened_on),
            t("action.col_due"): fmt(r.due_on),
            # ⟳: the issue recurred (a later finding), unless the status already says so
            t("action.col_status"): ("⟳ " if r.recurred and r.status_on is not ActionStatus.RECURRED else "")
                                    + status_label(r.status_on),
            t("action.col_overdue"): r.days_overdue,
        }
        if mark_own:
            row = {t("action.col_own"): "★" if r.own_unit else "", **row}
        out.append(row)
    return out


def action_table(rows: Sequence[ActionSummary], *, key: str, mark_own: bool = False) -> None:
    """The list, narrow enough for a 1366 px laptop: no district column where no row has one
    (the two-level government since 2025), the short columns at their content's width."""
    data = action_rows(rows, mark_own=mark_own)
    district = t("action.col_district")
    if not any(r[district] for r in data):
        data = [{k: v for k, v in r.items() if k != district} for r in data]
    short = [t("action.col_id"), t("action.col_overdue"), t("action.col_own")]
    show_table(data, key=key, plain=[t("action.col_id")],
               widths={t("action.col_unit"): 95, district: 80, t("action.col_source"): 90, t("action.col_grade"): 95,
                       t("action.col_description"): 125, t("action.col_owner_short"): 90, t("action.col_status"): 110,
                       t("action.col_opened"): 90, t("action.col_due"): 85,
                       **{c: "small" for c in short if not data or c in data[0]}})


def action_facts(detail: ActionDetail, *, as_of: dt.date) -> None:
    """The action's header facts, its finding, and the warnings that matter (recurred, overdue)."""
    st.caption(" · ".join([
        t(f"action.type.{detail.type.value}"), t(f"action.source.{detail.source.value}"),
        f"{t('action.col_opened')}: {fmt(detail.opened_on)}", f"{t('action.col_due')}: {fmt(detail.due_date)}",
        status_label(detail.status),
    ]))
    if detail.finding_id is not None:
        st.markdown(t("action.finding", id=detail.finding_id, audit=detail.audit_id,
                      grade=t(f"audit.grade.{detail.grade}") if detail.grade else "",
                      clause=detail.clause or t("action.no_clause"), note=plain(detail.finding_note or "")))
    if detail.recurred:
        st.warning(t("action.recurred_warning", finding=detail.recurred_by_finding_id, day=fmt(detail.recurred_on)))
    if is_overdue(detail.status, detail.due_date, as_of):
        st.warning(t("action.overdue_warning", n=(as_of - detail.due_date).days, day=fmt(as_of)))
    missing = t("action.not_set")
    facts = [
        (t("action.col_description"), detail.description),
        (t("action.col_owner"), detail.owner_name or missing),
        (t("action.facts_owner_unit"), detail.owner_unit_name or detail.owner_unit_code),
        (t("action.facts_root_cause"), detail.root_cause or missing),
    ]
    if detail.done_description:
        facts.append((t("action.facts_done"), f"{detail.done_description} ({fmt(detail.done_on)})"))
    if detail.verified_by:
        note = f" — {detail.verification_note}" if detail.verification_note else ""
        facts.append((t("action.facts_verified"), f"{detail.verified_by}, {fmt(detail.verified_on)}{note}"))
    if detail.cancel_reason:
        facts.append((t("action.facts_cancel"), f"{detail.cancel_reason} ({fmt(detail.cancelled_on)})"))
    st.markdown("\n".join(f"- **{label}:** {plain(value)}" for label, value in facts))  # typed by people: text, never markup


def history_table(detail: ActionDetail, *, key: str) -> None:
    """Every step, oldest first: what, when, from which status to which, the note, who recorded it."""
    show_table(
        [
            {
                t("action.col_date"): fmt(e.on_date), t("action.col_step"): t(f"action.step.{e.step.value}"),
                t("action.col_from"): status_label(e.from_status), t("action.col_to"): status_label(e.to_status),
                t("action.col_due"): fmt(e.due_date), t("action.col_note"): e.note or "", t("action.col_actor"): e.actor,
            }
            for e in detail.events
        ],
        key=key, widths={t("action.col_note"): TEXT_WIDTH},
    )
