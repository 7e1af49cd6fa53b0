"""Quy trình: each unit's TTHC catalogue and ISO processes, scope completeness per level, district
and unit, legal changes and the 3-month rule, and the Excel/CSV import and export."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from qms.accounts.access import home_unit
from qms.accounts.rules import Operation, allowed
from qms.admin_changes.plan import official_code
from qms.changelog.text import labelled
from qms.kernel.clock import province_today
from qms.kernel.dates import fmt
from qms.kernel.errors import ImportRowError, QmsError, reason_text
from qms.scope import queries as scope_store
from qms.scope import widgets
from qms.scope.files_store import FileKind, export_file, import_file, preview_file
from qms.scope.importer import legal_change_from_form
from qms.scope.model import ProcessStatus, ProcessVersionInput, UpdateState
from qms.scope.processes_store import record_legal_change, save_process_version, withdraw_process
from qms.ui.cached import versioned
from qms.ui.context import DATE_FORMAT, actor, db, lang, link_safe, show_error, t
from qms.ui.read_only import read_only
from qms.ui.tables import show_table
from qms.ui.unit_choice import unit_selectbox
from qms.ui.uploads import file_input
from qms.units.model import COVERAGE_LEVELS, checked
from qms.units.store import list_units

st.title(t("scope.page"))
today = province_today()
as_of = st.date_input(t("scope.as_of"), value=today, min_value=dt.date(2006, 1, 1), max_value=today,
                      format=DATE_FORMAT, key="scope_as_of")

units = versioned(db(), list_units, as_of=as_of)
scope_units = [u.code for u in units if u.level in COVERAGE_LEVELS]
if not scope_units:
    st.info(t("scope.no_units"))
    st.stop()
by_code = {u.code: u for u in units}


def unit_label(code: str | None) -> str:
    if code is None:
        return "—"
    u = by_code.get(code)
    return f"{code} — {u.name}" if u else code


flash = st.session_state.pop("scope_flash", None)
if flash:
    st.success(flash)

tab_scope, tab_unit, tab_legal, tab_files = st.tabs(
    [t("scope.tab_scope"), t("scope.tab_unit"), t("scope.tab_legal"), t("scope.tab_files")], key="scope_tab", on_change="rerun")

# -- completeness per level, district, unit -------------------------------------------------------
if tab_scope.open:  # a tab computes only when it is open (st.tabs on_change='rerun')
    with tab_scope:
        overview = versioned(db(), scope_store.scope_overview, as_of)
        if not overview.has_catalogue:
            st.info(t("scope.no_catalogue"))
        else:
            cols = st.columns(4)
            cols[0].metric(t("scope.col_incomplete"), overview.incomplete)
            cols[1].metric(t("scope.col_announced_incomplete"), overview.announced_incomplete)
            cols[2].metric(t("scope.col_overdue"), overview.overdue_updates)
            cols[3].metric(t("scope.col_reannounce"), overview.reannounce_due)
            widgets.level_table(overview, key="scope_levels")
            st.subheader(t("scope.by_district"))
            show_table(
                [{t("col.district"): d.district_name, t("scope.col_with_catalogue"): d.with_catalogue,
                  t("scope.col_incomplete"): d.incomplete, t("scope.col_tthc"): d.tthc_total, t("scope.col_covered"): d.tthc_covered,
                  t("scope.col_rate"): d.rate_pct} for d in versioned(db(), scope_store.scope_by_district, as_of)],
                key="scope_districts",
            )
            st.subheader(t("scope.by_unit"))
            c1, c2 = st.columns([1, 1])
            level = c1.selectbox(t("col.level"), [None, *COVERAGE_LEVELS], key="scope_level",
                                 format_func=lambda lv: "—" if lv is None else t(f"level.{lv.value}"))
            only_incomplete = c2.checkbox(t("scope.only_incomplete"), value=True, key="scope_only_incomplete")
            rows = versioned(db(), scope_store.scope_by_unit, as_of, level=level, incomplete_only=only_incomplete)
            show_table(
                [{t("col.code"): official_code(r.unit_code), t("col.name"): r.unit_name, t("col.level"): t(f"level.{r.level.value}"),
                  t("col.district"): r.district_name or "", t("col.announced"): t("common.yes") if r.announced else t("common.no"),
                  t("scope.col_tthc"): r.tthc_total, t("scope.col_covered"): r.tthc_covered, t("scope.col_rate"): r.rate_pct}
                 for r in rows],
                key="scope_units", widths={t("col.name"): 200},
            )

# -- one unit: processes, covered and uncovered TTHC, new versions -------------------------------
if tab_unit.open:  # a tab computes only when it is open (st.tabs on_change='rerun')
    with tab_unit:
        home = home_unit(actor(), [by_code[c] for c in scope_units])  # an officer's own unit first, as on Đơn vị
        code = unit_selectbox(st, t("units.pick"), scope_units, format_func=unit_label, key="scope_unit",
                              default=home if home in scope_units else scope_units[0])
        unit_scope = versioned(db(), scope_store.unit_scope, code, as_of)
        widgets.render_unit_scope(unit_scope, key="scope_unit_view")

        options = dict(versioned(db(), scope_store.unit_catalogue_options, code, as_of))
        if not read_only(Operation.SCOPE_WRITE, unit_code=code, unit_label=unit_label(code)):
            st.subheader(t("scope.new_version"))
            with st.form("scope_version_form"):
                existing = [p.code for p in unit_scope.processes]
                c1, c2 = st.columns([1, 2])
                p_code = c1.text_input(t("scope.col_process"), key="scope_v_code", placeholder="QT-01",
                                       help=t("scope.new_version_help", codes=", ".join(existing[:8]) or "—"))
                p_title = c2.text_input(t("scope.col_title"), key="scope_v_title")
                p_tthc = st.multiselect(t("scope.col_tthc_codes"), list(options), format_func=lambda c: f"{c} — {options[c]}",
                                        key="scope_v_tthc")
                c3, c4, c5 = st.columns(3)
                p_status = c3.selectbox(t("scope.col_status"), [ProcessStatus.ISSUED, ProcessStatus.DRAFT], key="scope_v_status",
                                        format_func=lambda s: t(f"scope.status_{s.value}"))
                p_issue = c4.text_input(t("scope.col_issue_no"), key="scope_v_issue", placeholder="01")
                p_date = c5.date_input(t("col.date"), value=today, min_value=dt.date(2006, 1, 1), max_value=today,
                                       format=DATE_FORMAT, key="scope_v_date")
                p_basis = st.text_area(t("scope.col_legal_basis"), key="scope_v_basis")
                save = st.form_submit_button(t("scope.save_version"), type="primary")
            if save:
                try:
                    issued = p_status is ProcessStatus.ISSUED
                    version = checked(ProcessVersionInput, unit_code=code, code=p_code, title=p_title, tthc_codes=tuple(p_tthc),
                                      status=p_status, issue_no=p_issue or None, issued_on=p_date if issued else None,
                                      status_on=p_date, legal_basis=p_basis or None)
                    save_process_version(db(), version, actor=actor(), today=today)
                except QmsError as e:
                    show_error(e)
                else:
                    st.session_state["scope_flash"] = t("scope.version_saved", code=p_code)
                    st.rerun()

            in_force = [p.code for p in unit_scope.processes if p.in_force is ProcessStatus.ISSUED]
            if in_force:
                st.subheader(t("scope.withdraw"))
                with st.form("scope_withdraw_form"):
                    c1, c2 = st.columns(2)
                    w_code = c1.selectbox(t("scope.col_process"), in_force, key="scope_w_code")
                    w_date = c2.date_input(t("scope.withdrawn_on"), value=today, min_value=dt.date(2006, 1, 1), max_value=today,
                                           format=DATE_FORMAT, key="scope_w_date")
                    withdraw = st.form_submit_button(t("scope.withdraw_run"))
                if withdraw:
                    try:
                        withdraw_process(db(), code, w_code, on=w_date, actor=actor(), today=today)
                    except QmsError as e:
                        show_error(e)
                    else:
                        st.session_state["scope_flash"] = t("scope.withdrawn", code=w_code)
                        st.rerun()

# -- legal changes and the 3-month rule -----------------------------------------------------------
if tab_legal.open:  # a tab computes only when it is open (st.tabs on_change='rerun')
    with tab_legal:
        states = st.multiselect(t("scope.col_state"), list(UpdateState), default=[UpdateState.OVERDUE, UpdateState.PENDING],
                                format_func=lambda s: t(f"scope.update_{s.value}"), key="scope_states")
        updates = versioned(db(), scope_store.update_obligations, as_of, states=tuple(states))
        st.subheader(f"{t('scope.updates')} ({len(updates)})")
        if updates:
            widgets.updates_table(updates, key="scope_updates")
        else:
            st.caption(t("scope.no_updates"))
        due = versioned(db(), scope_store.reannouncements_due, as_of)
        st.subheader(f"{t('scope.reannounce')} ({len(due)})")
        if due:
            show_table(
                [{t("col.code"): official_code(r.unit_code), t("col.name"): r.unit_name, t("col.level"): t(f"level.{r.level.value}"),
                  t("scope.col_changed"): fmt(r.scope_changed_on), t("scope.col_document"): r.document_nos,
                  t("scope.col_last_announced"): fmt(r.last_announced_on)} for r in due],
                key="scope_reannounce", widths={t("col.name"): 180, t("scope.col_document"): 180},
            )
        changes = versioned(db(), scope_store.list_legal_changes, as_of)
        st.subheader(f"{t('scope.changes')} ({len(changes)})")
        if changes:
            show_table(
                [{t("scope.col_document"): c.document_no, t("scope.col_doc_title"): c.title or "",
                  t("scope.col_effective"): fmt(c.effective_on), t("scope.col_due"): fmt(c.due_on),
                  t("scope.col_amended"): c.amended, t("scope.col_added"): c.added, t("scope.col_removed"): c.removed,
                  t("scope.col_processes"): c.processes, t("scope.col_overdue"): c.overdue} for c in changes],
                key="scope_changes", widths={t("scope.col_doc_title"): 140},
            )
        st.subheader(t("scope.record_change"))
        if not read_only(Operation.LEGAL_CHANGE):
            with st.form("scope_change_form"):
                c1, c2, c3 = st.columns([2, 1, 1])
                doc = c1.text_input(t("scope.col_document"), key="scope_c_doc", placeholder="1234/QĐ-UBND")
                signed = c2.date_input(t("scope.signed_on"), value=None, min_value=dt.date(2006, 1, 1), max_value=today,
                                       format=DATE_FORMAT, key="scope_c_signed")
                effective = c3.date_input(t("scope.col_effective"), value=today, min_value=dt.date(2006, 1, 1),
                                          format=DATE_FORMAT, key="scope_c_effective")
                doc_title = st.text_input(t("scope.col_doc_title"), key="scope_c_title")
                amended = st.text_area(t("scope.amended_codes"), key="scope_c_amended", help=t("scope.codes_help"))
                c4, c5 = st.columns(2)
                added = c4.text_area(t("scope.added_codes"), key="scope_c_added", help=t("scope.codes_help"))
                removed = c5.text_area(t("scope.removed_codes"), key="scope_c_removed", help=t("scope.codes_help"))
                new_name = st.text_input(t("scope.new_tthc_name"), key="scope_c_name")
                c6, c7 = st.columns(2)
                chosen_levels = c6.multiselect(t("scope.all_of_level"), list(COVERAGE_LEVELS), key="scope_c_levels",
                                               format_func=lambda lv: t(f"level.{lv.value}"))
                chosen_units = c7.multiselect(t("scope.units_for_change"), scope_units, format_func=unit_label, key="scope_c_units")
                record = st.form_submit_button(t("scope.record_run"), type="primary")
            if record:
                try:
                    targets = [*chosen_units, *(u.code for u in units if u.level in chosen_levels and u.code not in chosen_units)]
                    change = legal_change_from_form(document_no=doc, title=doc_title, signed_on=signed, effective_on=effective,
                                                    amended=amended, added=added, removed=removed, unit_codes=targets, new_name=new_name)
                    record_legal_change(db(), change, actor=actor(), today=today)
                except QmsError as e:
                    show_error(e)
                else:
                    st.session_state["scope_flash"] = t("scope.change_saved", doc=doc)
                    st.rerun()

# -- import and export ------------------------------------------------------------------------------
if tab_files.open:  # a tab computes only when it is open (st.tabs on_change='rerun')
    with tab_files:
        st.subheader(t("scope.import"))
        c1, c2 = st.columns(2)
        kind = c1.radio(t("scope.import_kind"), list(FileKind), key="scope_import_kind", horizontal=True,
                        format_func=lambda k: t(f"scope.kind_{k.value}"))
        default_unit = unit_selectbox(c2, t("scope.import_unit"), scope_units, format_func=unit_label, key="scope_import_unit",
                                      help=t("scope.import_unit_help"), all_option=True)
        st.caption(t(f"scope.import_help_{kind.value}"))
        uploaded = None if read_only(Operation.SCOPE_WRITE) else file_input(t("scope.import_file"), ["xlsx", "csv"],
                                                                             key="scope_import_file")
        if uploaded is not None:
            stamp = (uploaded.file_id, kind, default_unit, as_of)
            cached = st.session_state.get("scope_preview")
            try:
                if cached is None or cached[0] != stamp:
                    cached = (stamp, preview_file(db(), kind, uploaded.getvalue(), uploaded.name, default_unit=default_unit, today=today))
                    st.session_state["scope_preview"] = cached
                preview = cached[1]
            except ImportRowError as e:
                st.error(link_safe(t("scope.import_refused", file=uploaded.name, n=len(e.problems))))
                show_table([{t("scope.col_where"): w, t("scope.col_reason"): reason_text(r, lang())} for w, r in e.problems],
                           key="scope_import_errors", widths={t("scope.col_reason"): 520})
            except QmsError as e:
                show_error(e)
            else:
                table = preview.table
                st.caption(link_safe(t("scope.import_found", sheets=", ".join(table.sheets), rows=len(table.rows),
                                       ignored=", ".join(table.ignored_headers) or "—")))
                entity = "unit_tthc" if kind is FileKind.CATALOGUE else "process_versions"
                show_table([{t("scope.col_where"): where, **labelled(rec.model_dump(mode="json"), lang(), entity=entity)}
                            for where, rec in preview.records[:200]], key="scope_import_preview")
                s = preview.summary
                if kind is FileKind.CATALOGUE:
                    st.info(t("scope.import_plan_tthc", rows=s.rows, units=s.units, new=s.new_entries, ended=s.ended,
                              same=s.unchanged, tthc=s.new_tthc, renamed=s.renamed_tthc))
                else:
                    st.info(t("scope.import_plan_processes", rows=s.rows, units=s.units, processes=s.processes, new=s.new_versions,
                              same=s.unchanged))
                if st.button(t("scope.import_confirm"), type="primary", key="scope_import_confirm"):
                    try:
                        done = import_file(db(), kind, uploaded.getvalue(), uploaded.name, actor=actor(),
                                           default_unit=default_unit, today=today)
                    except ImportRowError as e:
                        st.error(link_safe(t("scope.import_refused", file=uploaded.name, n=len(e.problems))))
                    except QmsError as e:
                        show_error(e)
                    else:
                        st.session_state.pop("scope_preview", None)
                        st.session_state["scope_flash"] = t("scope.import_done", file=uploaded.name, rows=done.rows)
                        st.rerun()

        st.subheader(t("scope.export"))
        export_unit = unit_selectbox(st, t("scope.export_unit"), scope_units, format_func=unit_label, key="scope_export_unit",
                                     all_option=True)
        suffix = export_unit or "all"
        cols = st.columns(4)
        for i, (k, fmt_) in enumerate([(FileKind.CATALOGUE, "xlsx"), (FileKind.CATALOGUE, "csv"),
                                       (FileKind.PROCESSES, "xlsx"), (FileKind.PROCESSES, "csv")]):
            cols[i].download_button(
                f"{t(f'scope.kind_{k.value}')} (.{fmt_})",
                data=lambda k=k, fmt_=fmt_: export_file(db(), k, fmt_, export_unit),
                file_name=f"{'tthc' if k is FileKind.CATALOGUE else 'quy_trinh'}_{suffix}.{fmt_}",
                mime="text/csv" if fmt_ == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key=f"scope_export_{k.value}_{fmt_}", on_click="ignore",
            )
