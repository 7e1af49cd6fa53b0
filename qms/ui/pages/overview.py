"""Tổng quan: coverage against targets per level and district, trend, units not yet announced."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from qms.dates import fmt
from qms.lifecycle import DECISION_19_IN_FORCE
from qms.store.coverage import overview
from qms.store.action_queries import action_overview
from qms.store.findings import findings_heatmap
from qms.store.scope import scope_overview
from qms.ui import audit_widgets, charts
from qms.ui.action_widgets import render_overview_actions
from qms.ui.scope_widgets import render_overview_scope
from qms.ui.context import DATE_FORMAT, db, lang, t

st.title(t("page.overview"))
today = dt.date.today()
as_of = st.date_input(t("ov.as_of"), value=today, min_value=dt.date(2014, 1, 1), max_value=today,
                      format=DATE_FORMAT, key="overview_as_of")

data = overview(db(), as_of)
if not data.has_units:
    st.info(t("ov.no_units"))
    st.stop()
if data.sample_targets:
    st.caption("⚠️ " + t("ov.sample_targets"))

st.subheader(t("ov.by_level"))
cols = st.columns(len(data.by_level))
for col, row in zip(cols, data.by_level):
    rate = "–" if row.rate_pct is None else f"{row.rate_pct:.2f}%"
    target = "" if row.target_pct is None else f" · {t('ov.target_word')} {row.target_pct:g}%"
    history = [p.rate_pct or 0.0 for p in data.trend if p.level is row.level]
    col.metric(t(f"level.{row.level.value}"), f"{row.announced}/{row.in_plan}", rate + target, delta_color="off",
               delta_arrow="off", border=True, chart_data=history, chart_type="line")
st.dataframe(
    [
        {
            t("col.level"): t(f"level.{r.level.value}"), t("col.in_plan"): r.in_plan, t("col.announced"): r.announced,
            t("col.rate"): r.rate_pct, t("col.target"): r.target_pct, t("col.gap"): r.gap_pct,
            t("col.never_started"): r.never_started, t("col.building"): r.building, t("col.applying"): r.applying,
            t("col.not_maintained"): r.not_maintained,
        }
        for r in data.by_level
    ],
    hide_index=True, key="overview_levels",
)

st.subheader(t("ov.by_district"))
st.altair_chart(charts.district_bars(data.by_district, lang()), key="overview_district_chart")
st.dataframe(
    [
        {
            t("col.district"): d.district_name, t("col.in_plan"): d.in_plan, t("col.announced"): d.announced,
            t("col.rate"): d.rate_pct, t("col.target"): d.target_pct, t("col.gap"): d.gap_pct,
        }
        for d in data.by_district
    ],
    hide_index=True, key="overview_districts",
)

st.subheader(t("ov.trend"))
st.altair_chart(charts.trend_lines(data.trend, lang()), key="overview_trend_chart")

audit_widgets.findings_heatmap(findings_heatmap(db(), as_of))
render_overview_actions(action_overview(db(), as_of))

st.subheader(f"{t('ov.pending')} ({len(data.pending)})")
if not data.pending:
    st.success(t("ov.all_announced"))
else:
    levels = sorted({p.level for p in data.pending}, key=lambda lv: ["department", "district", "commune"].index(lv.value))
    chosen = st.multiselect(t("ov.filter_level"), levels, default=levels, format_func=lambda lv: t(f"level.{lv.value}"),
                            key="overview_pending_levels")
    st.dataframe(
        [
            {
                t("col.code"): p.code, t("col.name"): p.name, t("col.level"): t(f"level.{p.level.value}"),
                t("col.district"): p.district_name or "", t("col.stage"): t(f"stage.{p.stage.value}"),
                t("col.since"): fmt(p.stage_since), t("col.days"): p.days_in_stage,
            }
            for p in data.pending
            if p.level in chosen
        ],
        hide_index=True, key="overview_pending",
    )
    st.caption(t("ov.since_note", day=fmt(DECISION_19_IN_FORCE)))

render_overview_scope(scope_overview(db(), as_of))
