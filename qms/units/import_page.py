"""Nhập dữ liệu: a unit list from CSV (all or nothing), and the demo province for a new database."""

from __future__ import annotations

import streamlit as st

from qms.accounts import demo_store as demo_accounts
from qms.accounts.rules import Operation
from qms.demo import store as demo_store
from qms.kernel.errors import ImportRowError, QmsError, reason_text
from qms.ui.context import actor, db, lang, link_safe, settings, show_error, t
from qms.ui.read_only import read_only
from qms.ui.tables import show_table
from qms.ui.uploads import file_input
from qms.units.importer import decode, parse_units_csv, parse_units_file
from qms.units.store import import_units

st.title(t("page.import"))

flash = st.session_state.pop("import_flash", None)
if flash:
    st.success(flash)

st.subheader(t("import.units"))
st.caption(t("import.units_help"))
uploaded = None if read_only(Operation.IMPORT_UNITS) else file_input(t("import.file"), ["csv"], key="import_units_file")
if uploaded is not None and st.button(t("import.run"), type="primary", key="import_units_run"):
    try:
        records = parse_units_file(uploaded.getvalue(), uploaded.name)
        summary = import_units(db(), records, actor=actor(), source=uploaded.name)
    except ImportRowError as e:
        st.error(link_safe(e.text(lang()).split(". ")[0] + "."))
        show_table([{t("scope.col_where"): where, t("common.error"): reason_text(why, lang())} for where, why in e.problems], key="import_errors",
                   widths={t("common.error"): 560})
    except QmsError as e:
        show_error(e)
    else:
        st.session_state["import_flash"] = t("import.done", new=summary.new, same=summary.unchanged)
        st.rerun()

if not demo_store.has_data(db()):
    st.subheader(t("import.demo"))
    st.caption(t("import.demo_help"))
    if not read_only(Operation.LOAD_DEMO) and st.button(t("import.demo_run"), key="import_demo"):
        try:
            counts = demo_store.load_demo(db(), settings().demo_dir)
        except QmsError as e:
            show_error(e)
        else:
            roles = {username: role for username, _, role, _, _ in demo_accounts.DEMO_ACCOUNTS}
            st.session_state["import_flash"] = t("import.demo_done", **counts) + " " + ", ".join(
                f"{user} ({t('role.' + roles[user].value)}): {password}"
                for user, password in counts.get("account_passwords", {}).items())
            st.rerun()
