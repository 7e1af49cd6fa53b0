"""Small renderers of scope figures, shared by the Quy trình page, the overview and the unit page.

Each takes rows the store already computed (:mod:`qms.scope.model`) and draws them: no query,
no rule.  ``key`` prefixes keep widget keys unique when a page shows them more than once.
"""

from __future__ import annotations

import streamlit as st

from qms.admin_changes.plan import official_code
from qms.kernel import formatting
from qms.kernel.dates import fmt
from qms.scope.model import ScopeOverview, UnitScope, UpdateDue, UpdateState
from qms.ui.context import lang, plain, t
from qms.ui.tables import TEXT_WIDTH, show_table
from qms.units.model import Level


def render_overview_scope(data: ScopeOverview, *, key: str = "scope_overview") -> None:
    """For the overview page: per level, units with an incomplete scope (announced ones among
    them), overdue legal updates and re-announcements due, as metrics and one table."""
    st.subheader(t("scope.ov_title"))
    if not data.has_catalogue:
        st.info(t("scope.no_catalogue"))
        return
    cols = st.columns(4)
    cols[0].metric(t("scope.col_incomplete"), data.incomplete)
    cols[1].metric(t("scope.col_announced_incomplete"), data.announced_incomplete)
    cols[2].metric(t("scope.col_overdue"), data.overdue_updates)
    cols[3].metric(t("scope.col_reannounce"), data.reannounce_due)
    level_table(data, key=f"{key}_levels")


def level_table(data: ScopeOverview, *, key: str) -> None:
    """Per level (a column each), the figures of scope completeness (a row each)."""
    show_table(
        [
            {
                t("col.level"): t(f"level.{r.level.value}"), t("scope.col_units"): r.units,
                t("scope.col_with_catalogue"): r.with_catalogue, t("scope.col_complete"): r.complete,
                t("scope.col_incomplete"): r.incomplete, t("scope.col_announced_incomplete"): r.announced_incomplete,
                t("scope.col_tthc"): r.tthc_total, t("scope.col_covered"): r.tthc_covered, t("scope.col_rate"): r.rate_pct,
                t("scope.col_overdue"): r.overdue_updates, t("scope.col_reannounce"): r.reannounce_due,
            }
            for r in data.levels
            if r.units or r.level is not Level.DISTRICT  # no district level since 01/07/2025
        ],
        key=key, turn_by=t("col.level"), corner=t("col.figure"),
    )


def updates_table(rows: list[UpdateDue], *, key: str, with_unit: bool = True) -> None:
    """Processes a legal change obliges to re-issue, with their state (3-month rule)."""
    show_table(
        [
            {
                **({t("col.code"): official_code(o.unit_code), t("col.name"): o.unit_name} if with_unit else {}),
                t("scope.col_process"): o.process_code, t("scope.col_title"): o.process_title,
                t("scope.col_document"): o.document_no, t("scope.col_effective"): fmt(o.effective_on),
                t("scope.col_due"): fmt(o.due_on), t("scope.col_reissued"): fmt(o.reissued_on),
                t("scope.col_state"): t(f"scope.update_{o.state.value}"),
            }
            for o in rows
        ],
        key=key, widths={t("col.name"): 130, t("scope.col_title"): 170},
    )


def render_unit_scope(scope: UnitScope, *, key: str = "unit_scope") -> None:
    """For a unit: TTHC covered / in the catalogue, warnings (announced with gaps, re-announcement
    due, overdue updates), its processes, the uncovered and the covered TTHC."""
    if scope.tthc_total == 0 and not scope.processes:
        st.info(t("scope.unit_no_catalogue"))
        return
    c1, c2, c3 = st.columns(3)
    c1.metric(t("scope.col_tthc"), scope.tthc_total)
    c2.metric(t("scope.col_covered"), len(scope.covered))
    c3.metric(t("scope.col_rate"), formatting.percent(scope.rate_pct, lang()))
    if scope.incomplete_announced:
        st.warning(t("scope.warn_announced_incomplete", n=len(scope.uncovered)))
    if scope.reannouncement:
        r = scope.reannouncement
        st.warning(t("scope.warn_reannounce", changed=fmt(r.scope_changed_on), docs=plain(r.document_nos),
                     announced=fmt(r.last_announced_on)))
    open_updates = [o for o in scope.updates if o.state in (UpdateState.OVERDUE, UpdateState.PENDING)]
    overdue = sum(1 for o in open_updates if o.state is UpdateState.OVERDUE)
    if overdue:
        st.error(t("scope.warn_overdue", n=overdue))

    st.markdown(f"**{t('scope.processes')} ({len(scope.processes)})**")
    if scope.processes:
        show_table(
            [
                {
                    t("scope.col_process"): p.code, t("scope.col_title"): p.title,
                    t("scope.col_status"): t(f"scope.status_{p.status.value}"),
                    t("scope.col_in_force"): t(f"scope.status_{p.in_force.value}") if p.in_force else "–",
                    t("scope.col_issue_no"): p.issue_no or "", t("scope.col_issued_on"): fmt(p.issued_on),
                    t("scope.col_tthc_codes"): "; ".join(p.tthc_codes), t("scope.col_versions"): p.versions,
                    t("scope.col_legal_basis"): p.legal_basis or "",
                }
                for p in scope.processes
            ],
            key=f"{key}_processes", widths={t("scope.col_title"): 170, t("scope.col_tthc_codes"): 110,
                                            t("scope.col_legal_basis"): 120},
        )
    else:
        st.caption(t("scope.no_processes"))

    st.markdown(f"**{t('scope.uncovered')} ({len(scope.uncovered)})**")
    if scope.uncovered:
        show_table(
            [{t("scope.col_tthc_code"): x.code, t("scope.col_tthc_name"): x.name, t("scope.col_field"): x.field or "",
              t("scope.col_since"): fmt(x.valid_from)} for x in scope.uncovered],
            key=f"{key}_uncovered", widths={t("scope.col_tthc_name"): 380},
        )
    else:
        st.success(t("scope.all_covered"))
    if open_updates:
        st.markdown(f"**{t('scope.updates')} ({len(open_updates)})**")
        updates_table(open_updates, key=f"{key}_updates", with_unit=False)
    with st.expander(f"{t('scope.covered')} ({len(scope.covered)})"):
        show_table(
            [{t("scope.col_tthc_code"): x.code, t("scope.col_tthc_name"): x.name, t("scope.col_field"): x.field or "",
              t("scope.col_covered_by"): "; ".join(x.covered_by)} for x in scope.covered],
            key=f"{key}_covered", widths={t("scope.col_tthc_name"): 380},
        )
