"""Nhập tình trạng ISO: download the template, upload the filled sheet, preview, confirm.

The preview writes nothing (qms.status_import.store computes it in a rolled-back transaction);
the confirmation writes exactly what was previewed, the whole file or nothing.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from qms.accounts.rules import Operation, allowed
from qms.admin_changes.plan import official_code
from qms.kernel.clock import province_today
from qms.kernel.dates import fmt
from qms.kernel.errors import QmsError
from qms.status_import.store import apply_status_import, has_units, preview_status_import, status_template
from qms.ui.context import actor, db, lang, link_safe, show_error, t
from qms.ui.tables import show_table
from qms.ui.uploads import file_input

st.title(t("status_import.page"))
today = province_today()
database = db()

flash = st.session_state.pop("status_import_flash", None)
if flash:
    st.success(flash)
if not has_units(database):
    st.info(t("status_import.no_units"))
    st.stop()
st.caption(t("status_import.intro"))

st.subheader(t("status_import.template"))
st.caption(t("status_import.template_help"))
st.download_button(t("status_import.template_button"), data=lambda: status_template(database, today=today),
                   file_name=f"mau_tinh_trang_iso_{today:%Y%m%d}.xlsx", on_click="ignore", key="status_import_template",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

st.subheader(t("status_import.upload"))
if not allowed(actor(), Operation.IMPORT_STATUS):  # the store refuses it anyway; say so before the upload
    st.info(t("status_import.admin_only"))
    st.stop()
generation = st.session_state.setdefault("status_import_generation", 0)
uploaded = file_input(t("status_import.upload"), ["xlsx", "csv"], key=f"status_import_file_{generation}",
                      label_visibility="collapsed")
if uploaded is None:
    st.stop()

data = uploaded.getvalue()
try:
    result = preview_status_import(database, data, uploaded.name, today=today, actor=actor())
except QmsError as e:
    show_error(e)
    st.stop()
plan = result.plan

st.subheader(t("status_import.preview"))
counts = plan.counts()
for col, key in zip(st.columns(4), ("new", "changed", "unchanged", "error")):
    col.metric(t(f"status_import.outcome.{key}"), counts[key])
for sheet in plan.sheets:
    if sheet.ignored_columns:
        st.caption(link_safe(t("status_import.ignored_columns", sheet=sheet.name, cols=", ".join(sheet.ignored_columns))))
not_read = [s.name for s in plan.sheets if s.kind is None] + plan.hidden_sheets
if not_read:
    st.caption(link_safe(t("status_import.ignored_sheets", sheets=", ".join(not_read))))

st.markdown(f"**{t('status_import.coverage')}**")
after = {c.level: c for c in result.coverage_after or []}
show_table(
    [
        {
            t("col.level"): t(f"level.{c.level.value}"), t("col.in_plan"): c.in_plan,
            t("status_import.col_now"): f"{c.announced}/{c.in_plan}", t("status_import.col_rate_now"): c.rate_pct,
            t("status_import.col_after"): f"{after[c.level].announced}/{after[c.level].in_plan}" if after else "–",
            t("status_import.col_rate_after"): after[c.level].rate_pct if after else None,
        }
        for c in result.coverage_before
    ],
    key="status_import_coverage",
)

issues = plan.issues
if issues:
    st.error(t("status_import.errors", n=len(issues)))
    show_table(
        [
            {t("status_import.col_sheet"): i.sheet, t("status_import.col_row"): i.row, t("status_import.col_column"): i.column or "",
             t("status_import.col_error"): i.vi if lang() == "vi" else i.en}
            for i in issues
        ],
        key="status_import_errors", widths={t("status_import.col_error"): 420},
    )

estimated = t("status_import.estimated")
st.markdown(f"**{t('status_import.rows')}**")
show_table(
    [
        {
            t("status_import.col_sheet"): o.sheet, t("status_import.col_row"): o.row,
            t("col.code"): official_code(o.unit.code) if o.unit else (o.label[0] or ""), t("col.name"): o.unit.name if o.unit else (o.label[1] or ""),
            t("status_import.col_outcome"): t(f"status_import.outcome.{o.outcome}"),
            t("status_import.col_events"): "; ".join(
                f"{t('event.' + e.event_type.value)} {fmt(e.event_date)}" + (f" ({estimated})" if e.date_estimated else "")
                for e in o.events),
            t("status_import.col_detail"): "; ".join([(i.vi if lang() == "vi" else i.en) for i in o.issues]
                                                     + [(vi if lang() == "vi" else en) for en, vi in o.notes]),
        }
        for o in plan.outcomes
    ],
    key="status_import_rows",
    widths={t("col.name"): 150, t("status_import.col_events"): 220, t("status_import.col_detail"): 200},
)

if issues:
    st.stop()
if not plan.events:
    st.info(t("status_import.nothing_new"))
    st.stop()
if st.button(t("status_import.confirm", n=len(plan.events)), type="primary", key="status_import_confirm"):
    try:
        done = apply_status_import(database, data, uploaded.name, today=today, actor=actor(), expected_digest=result.digest)
    except QmsError as e:
        show_error(e)
    else:
        n = done.plan.counts()
        st.session_state["status_import_flash"] = t("status_import.done", events=len(done.plan.events), new=n["new"], changed=n["changed"])
        st.session_state["status_import_generation"] = generation + 1
        st.rerun()
