"""Báo cáo & xuất dữ liệu: Parquet snapshots for the PAR-index tool, the PAR indicators of a
year with what would raise each, and the Decision 19 annual report as .xlsx."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from qms.accounts.rules import Operation, allowed
from qms.admin_changes.plan import official_code
from qms.exports import annual_report, indicators
from qms.exports.nightly_widgets import run_nightly_export, show_nightly_state
from qms.exports.settings_store import nightly_export_enabled, set_nightly_export
from qms.exports.snapshot import list_snapshots, read_manifest, snapshot_zip, write_snapshot
from qms.kernel import formatting
from qms.kernel.clock import province_today
from qms.kernel.dates import fmt
from qms.kernel.errors import QmsError
from qms.ui.context import DATE_FORMAT, actor, db, lang, settings, show_error, t
from qms.ui.tables import show_table
from qms.units.store import count_units

st.title(t("exports.page"))
today = province_today()
if not count_units(db()):
    st.info(t("exports.no_units"))
    st.stop()
exports_dir = settings().exports_dir
may_export = allowed(actor(), Operation.EXPORT)  # hides what the store would refuse anyway

# --- Parquet snapshot ------------------------------------------------------------------------
st.header(t("exports.snapshot"))
st.caption(t("exports.snapshot_help"))
as_of = st.date_input(t("exports.as_of"), value=today, min_value=dt.date(2014, 1, 1), max_value=today,
                      format=DATE_FORMAT, key="exports_as_of")
if not may_export:
    st.caption(t("exports.not_allowed"))
elif st.button(t("exports.run"), type="primary", key="exports_run"):
    bar = st.progress(0.0, text=t("exports.run"))

    def progress(done: int, total: int, table: str) -> None:
        bar.progress(done / total if total else 1.0, text=t("exports.progress", table=table, done=done, total=total))

    try:
        snap = write_snapshot(db(), exports_dir, as_of, methodology=indicators.load(), actor=actor(),
                              checklists_dir=settings().checklists_dir, progress=progress)
    except QmsError as e:
        show_error(e)
    else:
        bar.progress(1.0, text=t("exports.progress_done"))
        st.session_state["exports_last"] = str(snap.path)

last = st.session_state.get("exports_last")
if last and Path(last).is_dir():
    folder = Path(last)
    manifest = read_manifest(folder)
    st.success(t("exports.done", name=folder.name, tables=len(manifest["tables"]),
                 rows=sum(e["rows"] for e in manifest["tables"])))
    show_table([{t("exports.col_table"): e["name"], t("exports.col_rows"): e["rows"]} for e in manifest["tables"]],
               key="exports_last_tables")
    # built on the click, once per snapshot (a file next to it), not in memory on every rerun
    st.download_button(t("exports.download_zip"), data=lambda: snapshot_zip(folder).read_bytes(), file_name=f"{folder.name}.zip",
                       mime="application/zip", key="exports_download", on_click="ignore")


def save_nightly() -> None:
    """The toggle's callback: only a user's click writes the setting (another session's change
    is picked up on the next run, never overwritten with a stale value)."""
    wanted = st.session_state["exports_nightly"]
    try:
        set_nightly_export(db(), wanted, actor=actor())
    except QmsError as e:
        st.session_state["exports_nightly_flash"] = ("error", e.text(lang()))
    else:
        st.session_state["exports_nightly_flash"] = ("success", t("exports.nightly_on" if wanted else "exports.nightly_off"))


st.session_state["exports_nightly"] = nightly_export_enabled(db())
nightly = st.toggle(t("exports.nightly"), key="exports_nightly", help=t("exports.nightly_help"), on_change=save_nightly,
                    disabled=not may_export)
flash = st.session_state.pop("exports_nightly_flash", None)
if flash:
    (st.error if flash[0] == "error" else st.success)(flash[1])
if nightly:
    show_nightly_state(run_nightly_export(today))

with st.expander(t("exports.existing")):
    snapshots = list_snapshots(exports_dir)
    if not snapshots:
        st.caption(t("exports.none_yet", folder=str(exports_dir)))
    else:
        show_table([
            {t("exports.col_name"): s.name, t("exports.col_as_of"): fmt(s.as_of),
             t("exports.col_generated"): formatting.iso_text(s.generated_at) or s.generated_at,
             t("exports.col_tables"): s.tables, t("exports.col_rows"): s.rows}
            for s in snapshots
        ], key="exports_snapshots")

# --- PAR indicators --------------------------------------------------------------------------
years = list(range(today.year, 2013, -1))
st.header(t("exports.par"))
year = st.selectbox(t("exports.par_year"), years, key="exports_par_year")
try:
    report = indicators.for_year(db(), year, today=today)
except QmsError as e:
    show_error(e)
    report = None


def raise_text(ind: indicators.Indicator) -> str:
    s = ind.score
    if s.points is None:
        return t("exports.raise_none")
    if s.full_marks:
        return t("exports.raise_full")
    return t(f"exports.raise.{ind.criterion.measure}", n=s.units_to_next_band,
             points=formatting.number(s.next_band.points, lang(), trim=True),
             rate=formatting.percent(s.next_band.min_rate, lang()))


def points_text(value: float | None, most: float) -> str:
    return f"{formatting.number(value, lang(), trim=True)} / {formatting.number(most, lang(), trim=True)}"


if report is not None:
    if report.methodology.sample:
        st.warning(t("exports.par_sample"))
    st.caption(f"{report.methodology.title.text(lang())} · {t('exports.par_scored_on', day=fmt(report.as_of))}")
    st.metric(t("exports.par_total"), points_text(report.points, report.max_points))
    show_table([
        {
            t("exports.col_criterion"): i.criterion.code, t("exports.col_wording"): i.criterion.wording.text(lang()),
            t("exports.col_level"): t(f"level.{i.criterion.level}"),
            t("exports.col_count"): f"{i.score.numerator}/{i.score.denominator}", t("exports.col_rate"): i.score.rate_pct,
            t("exports.col_points"): points_text(i.score.points, i.score.max_points),
            t("exports.col_full_rate"): i.score.full_marks_rate, t("exports.col_raise"): raise_text(i),
        }
        for i in report.indicators
    ], key="exports_indicators", widths={t("exports.col_wording"): 200, t("exports.col_raise"): 200})
    for i in report.indicators:
        if not i.short_units:
            continue
        with st.expander(t("exports.units_below", code=i.criterion.code, n=len(i.short_units))):
            show_table([
                {t("exports.col_unit_code"): official_code(u.code), t("exports.col_unit"): u.name,
                 t("exports.col_district"): u.district_name or "", t("exports.col_reason"): t(f"exports.reason.{u.reason}")}
                for u in i.short_units
            ], key=f"exports_units_{i.criterion.code}")

# --- Annual report ---------------------------------------------------------------------------
st.header(t("exports.annual"))
report_year = st.selectbox(t("exports.annual_year"), years, key="exports_annual_year")
counts = annual_report.report(db(), report_year, today=today)
names = annual_report.headers(lang())[1:]
show_table([dict(zip(names, row[1:])) for row in annual_report.table_rows(counts, lang())],  # a group per column
           key="exports_annual_table", turn_by=names[0], corner=t("col.figure"), widths={t("col.figure"): 260})
for note in annual_report.notes(counts, lang()):
    st.caption(note)
st.download_button(t("exports.annual_download"), data=annual_report.xlsx_bytes(counts),
                   file_name=f"bao-cao-iso-9001-{report_year}.xlsx", key="exports_annual_download", on_click="ignore",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
