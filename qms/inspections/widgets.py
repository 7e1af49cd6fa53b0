"""What the inspection-plan page draws: the month grid (altair), the plan's rows in the reader's
language, and the rows of the adjustment grid turned back into changes (no query, no rule here)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from qms.admin_changes.plan import official_code
from qms.inspections.queries import PlanItemView, PlanView, get_plan, overdue_requests
from qms.inspections.ranking import Reason
from qms.inspections.rules import ItemInput, ItemStatus, Mode
from qms.kernel import formatting
from qms.kernel.dates import fmt
from qms.kernel.formatting import vega_locale
from qms.kernel.labels import t
from qms.ui.cached import versioned
from qms.ui.context import lang
from qms.ui.tables import show_table

STATUS_COLOURS = {ItemStatus.PLANNED: "#90cdf4", ItemStatus.IN_PROGRESS: "#f6ad55", ItemStatus.DONE: "#38a169",
                  ItemStatus.OVERDUE: "#e53e3e", ItemStatus.CANCELLED: "#a0aec0"}


def reasons_text(reasons: Sequence[tuple[Reason, int]], lang: str) -> str:
    return "; ".join(t(f"insp.reason.{r.value}", lang, n=f) for r, f in reasons)


def month_grid(plan: PlanView, lang: str) -> alt.Chart:
    """Inspections per month (columns 1-12) and mode (rows), stacked by status: the year at a glance."""
    month, mode, status, count = t("insp.col.month", lang), t("insp.col.mode", lang), t("insp.col.status", lang), t(
        "insp.col.count", lang)
    counts = Counter((i.month, i.mode, i.status) for i in plan.items)
    data = pd.DataFrame([{month: m, mode: t(f"insp.mode.{md}", lang), status: t(f"insp.status.{s.value}", lang), count: n}
                         for (m, md, s), n in sorted(counts.items())])
    domain = [t(f"insp.status.{s.value}", lang) for s in ItemStatus]
    return alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{month}:O", scale=alt.Scale(domain=list(range(1, 13))), title=month),
        y=alt.Y(f"sum({count}):Q", title=count),
        color=alt.Color(f"{status}:N", scale=alt.Scale(domain=domain, range=[STATUS_COLOURS[s] for s in ItemStatus]),
                        title=status),
        row=alt.Row(f"{mode}:N", title=None),
        tooltip=[month, mode, status, count],
    ).properties(height=120).configure(locale=vega_locale(lang))


def plan_rows(plan: PlanView, lang: str) -> list[dict]:
    return [{t("insp.col.unit", lang): i.unit_code, t("insp.col.name", lang): i.unit_name, t("insp.col.month", lang): i.month,
             t("insp.col.mode", lang): t(f"insp.mode.{i.mode}", lang), t("insp.col.team", lang): ", ".join(i.team_names),
             t("insp.col.status", lang): t(f"insp.status.{i.status.value}", lang), t("insp.col.risk", lang): i.risk_score,
             t("insp.col.reasons", lang): reasons_text(i.reasons, lang)} for i in plan.items]


def editor_rows(plan: PlanView) -> list[dict]:
    """The adjustment grid: one row per live inspection (unit fixed; mode, month, team, cancel editable)."""
    return [{"unit": i.unit_code, "name": i.unit_name, "mode": i.mode, "month": i.month, "team": ", ".join(i.team),
             "cancel": False} for i in plan.live]


def changes_from(edited: Sequence[dict], plan: PlanView, added: str | None) -> list[ItemInput]:
    """The rows that differ from the plan, as changes (plus a unit to add, on records, in the
    first month of the grid's rows), in the grid's order."""
    before = {i.unit_code: i for i in plan.live}
    out = []
    for row in edited:
        item: PlanItemView = before[row["unit"]]
        wanted = assignment(item.unit_code, row["mode"], int(row["month"]), str(row.get("team") or ""))
        if row.get("cancel"):
            out.append(wanted.model_copy(update={"cancel": True}))
        elif (wanted.mode.value, wanted.month, wanted.team) != (item.mode, item.month, item.team):
            out.append(wanted)
    if added and added.strip() and added.strip() not in before:
        out.append(ItemInput(unit_code=added.strip(), mode=Mode.RECORDS, month=min((i.month for i in plan.live), default=12)))
    return out


def assignment(unit_code: str, mode: str, month: int, team_text: str) -> ItemInput:
    """One inspection as the assignment form sets it (team: account names, comma-separated, the leader first)."""
    team = tuple(x.strip() for x in (team_text or "").split(",") if x.strip())
    return ItemInput(unit_code=unit_code, mode=Mode(mode), month=month, team=team)


#: Overdue reports the overview lists at most.
ROWS_SHOWN = 500


def render_overview_inspections(database, as_of) -> None:
    """For the overview: the year's plan progress and the overdue corrective reports on its
    date; nothing at all when the year has no plan and no report is overdue."""
    plan = versioned(database, get_plan, as_of.year, as_of)  # read again only after a write
    overdue = versioned(database, overdue_requests, as_of)
    if plan is None and not overdue:
        return
    st.subheader(t("insp.page", lang()))
    if plan is not None:
        progress = plan.progress()
        st.markdown(t("insp.overview", lang(), year=plan.year, done=progress[ItemStatus.DONE], total=len(plan.live),
                      overdue=progress[ItemStatus.OVERDUE], reports=len(overdue)))
    if overdue:
        st.markdown(f"**{t('insp.overdue', lang())} ({len(overdue)})**")
        show_table([{t("insp.col.unit", lang()): official_code(r.unit_code), t("insp.col.name", lang()): r.unit_name,
                     t("insp.col.text", lang()): r.text, t("insp.col.due", lang()): fmt(r.due_on)} for r in overdue[:ROWS_SHOWN]],
                   key="overview_inspection_overdue")
        if len(overdue) > ROWS_SHOWN:  # a country's: the oldest, and the count
            st.caption(t("ov.rows_shown", lang(), shown=ROWS_SHOWN, total=formatting.number(len(overdue), lang())))
