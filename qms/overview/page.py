"""Tổng quan: coverage against targets per level and district, trend, units not yet announced."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from qms.actions.widgets import render_overview_actions
from qms.audits import widgets as audit_widgets
from qms.exports.rollup_widgets import render_rollup_sources, rollup_as_of
from qms.inspections.widgets import render_overview_inspections
from qms.kernel import formatting
from qms.kernel.clock import province_today
from qms.kernel.dates import fmt
from qms.overview import chart_widgets as charts
from qms.overview.cached_widgets import OverviewReads
from qms.scope.widgets import render_overview_scope
from qms.ui.context import DATE_FORMAT, db, lang, plain, t
from qms.ui.tables import show_table
from qms.units.rules import DECISION_19_IN_FORCE

#: Rows a list on this page sends at most (a national list has thousands: the first, and a count).
ROWS_SHOWN = 500

st.title(t("page.overview"))
national_as_of = rollup_as_of()
today = national_as_of or province_today()  # a national roll-up knows nothing after its as-of date
if national_as_of:
    render_rollup_sources(national_as_of)
as_of = st.date_input(t("ov.as_of"), value=today, min_value=dt.date(2014, 1, 1), max_value=today,
                      format=DATE_FORMAT, key="overview_as_of")

reads = OverviewReads(db(), as_of)  # cached by data version: nothing is recomputed until a write
data = reads.coverage()
if not data.has_units:
    st.info(t("ov.no_units"))
    st.stop()
if data.sample_targets:
    st.caption("⚠️ " + t("ov.sample_targets"))

st.subheader(t("ov.by_level"))
cols = st.columns(len(data.by_level))
for col, row in zip(cols, data.by_level):
    rate = formatting.percent(row.rate_pct, lang())
    target = "" if row.target_pct is None else f" · {t('ov.target_word')} {formatting.percent(row.target_pct, lang())}"
    # No sparkline (chart_data): Streamlit draws it empty first, logging Vega warnings each load;
    # the year-end trend chart below shows the same lines.
    col.metric(t(f"level.{row.level.value}"), f"{row.announced}/{row.in_plan}", rate + target, delta_color="off",
               delta_arrow="off", border=True)
# Column labels are looked up once, not per row (a national list has thousands of rows).
lbl = {k: t(f"col.{k}") for k in ("level", "in_plan", "announced", "rate", "target", "gap", "never_started", "building",
                                   "applying", "not_maintained", "district", "code", "name", "stage", "since", "days")}
level_label = {lv: t(f"level.{lv}") for lv in ("department", "district", "commune")}
show_table(  # a level per column, a figure per row: fits a laptop screen
    [
        {
            lbl["level"]: level_label[r.level.value], lbl["in_plan"]: r.in_plan, lbl["announced"]: r.announced,
            lbl["rate"]: r.rate_pct, lbl["target"]: r.target_pct, lbl["gap"]: r.gap_pct,
            lbl["never_started"]: r.never_started, lbl["building"]: r.building, lbl["applying"]: r.applying,
            lbl["not_maintained"]: r.not_maintained,
        }
        for r in data.by_level
    ],
    key="overview_levels", turn_by=lbl["level"], corner=t("col.figure"),
)


def district_table(rows, name_label: str, key: str) -> None:
    show_table(
        [
            {
                name_label: d.district_name, lbl["in_plan"]: d.in_plan, lbl["announced"]: d.announced,
                lbl["rate"]: d.rate_pct, lbl["target"]: d.target_pct, lbl["gap"]: d.gap_pct,
            }
            for d in rows
        ],
        key=key,
    )


def communes_table(communes, key: str) -> None:
    """Communes directly under a province with their stage: the first rows, and how many there are."""
    stage_names = {s: t(f"stage.{s.value}") for s in {c.stage for c in communes}}
    shown = communes[:ROWS_SHOWN]
    st.dataframe(
        [{lbl["code"]: c.code, lbl["name"]: c.name, lbl["stage"]: stage_names[c.stage], lbl["since"]: fmt(c.stage_since),
          lbl["days"]: c.days_in_stage} for c in shown],
        hide_index=True, key=key,
    )
    if len(communes) > len(shown):
        st.caption(t("ov.rows_shown", shown=len(shown), total=formatting.number(len(communes), lang())))


districts = None  # every district's rows; a province's only at national scale
province = None  # the province shown at national scale
if data.by_province:
    # A national database: ~700 districts (or, from 01/07/2025, ~3,300 communes directly under
    # 34 provinces) are one bar each too many; provinces first, then one province on demand.
    st.subheader(t("ovp.by_province"))
    st.altair_chart(reads.chart("provinces", lang(), lambda: charts.district_bars(data.by_province, lang(), "province")),
                    key="overview_province_chart")
    district_table(data.by_province, t("ovp.province"), "overview_provinces")
    names = {p.district_code: p.district_name for p in data.by_province}
    if data.communes:  # no districts on the date: the province's communes
        province = st.selectbox(t("ovp.pick_province_communes"), list(names), format_func=names.get, key="overview_province")
        st.subheader(t("ovp.communes_of", province=plain(names.get(province, ""))))
        communes_table(data.communes_in(province) if province else [], "overview_communes")
        districts = data.areas_in(province) if province else set()  # the actions' rows of its (past) districts
    else:
        province = st.selectbox(t("ovp.pick_province"), list(names), format_func=names.get, key="overview_province")
        st.subheader(t("ovp.districts_of", province=plain(names.get(province, ""))))
        shown = data.districts_in(province) if province else []
        districts = {d.district_code for d in shown}
        st.altair_chart(reads.chart(f"districts:{province}", lang(), lambda: charts.district_bars(shown, lang())),
                        key="overview_district_chart")
        district_table(shown, lbl["district"], "overview_districts")
elif data.communes:
    # The two-level government (from 01/07/2025): communes sit directly under the province.
    st.subheader(t("ov.communes_direct"))
    st.caption(t("ov.two_levels", n=len(data.communes)))
    communes_table(data.communes, "overview_communes")
elif data.by_district:
    st.subheader(t("ov.by_district"))
    st.altair_chart(reads.chart("districts", lang(), lambda: charts.district_bars(data.by_district, lang())),
                    key="overview_district_chart")
    district_table(data.by_district, lbl["district"], "overview_districts")

st.subheader(t("ov.trend"))
st.altair_chart(reads.chart("trend", lang(), lambda: charts.trend_lines(data.trend, lang())), key="overview_trend_chart")
if data.trend and data.trend[-1].year >= 2025:
    st.caption(t("ov.trend_reform"))
if data.restated:
    with st.expander(t("ov.restated")):
        st.altair_chart(reads.chart("restated", lang(), lambda: charts.trend_lines(data.restated, lang())),
                        key="overview_restated_chart")
        st.caption(t("ov.restated_note"))

audit_widgets.findings_heatmap(reads.heatmap(province if data.by_province else None))
render_overview_actions(reads.actions(districts))

st.subheader(f"{t('ov.pending')} ({len(data.pending)})")
if not data.pending:
    st.success(t("ov.all_announced"))
else:
    levels = sorted({p.level for p in data.pending}, key=lambda lv: ["department", "district", "commune"].index(lv.value))
    has_district = any(p.district_name for p in data.pending)
    chosen = st.multiselect(t("ov.filter_level"), levels, default=levels, format_func=lambda lv: level_label[lv.value],
                            key="overview_pending_levels")
    stage_label = {s.stage: t(f"stage.{s.stage.value}") for s in data.pending}
    pending = [p for p in data.pending if p.level in chosen]
    show_table(
        [
            {
                lbl["code"]: p.code, lbl["name"]: p.name, lbl["level"]: level_label[p.level.value],
                **({lbl["district"]: p.district_name or ""} if has_district else {}), lbl["stage"]: stage_label[p.stage],
                lbl["since"]: fmt(p.stage_since), lbl["days"]: p.days_in_stage,
            }
            for p in pending[:ROWS_SHOWN]
        ],
        key="overview_pending", widths={lbl["name"]: 170},
    )
    if len(pending) > ROWS_SHOWN:
        st.caption(t("ov.rows_shown", shown=ROWS_SHOWN, total=formatting.number(len(pending), lang())))
    st.caption(t("ov.since_note", day=fmt(DECISION_19_IN_FORCE)))

render_overview_scope(reads.scope())
render_overview_inspections(db(), as_of)
