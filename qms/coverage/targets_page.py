"""Chỉ tiêu: yearly targets per level, edited as a grid (administrators; others read them)."""

from __future__ import annotations

import streamlit as st

from qms.accounts.rules import Operation
from qms.changelog import store as changelog
from qms.changelog.widgets import log_table
from qms.coverage import targets as grid_rules
from qms.coverage.targets_store import list_targets, set_targets
from qms.kernel.errors import QmsError
from qms.ui.context import actor, db, show_error, t
from qms.ui.read_only import read_only
from qms.ui.tables import show_table

st.title(t("page.targets"))

flash = st.session_state.pop("targets_flash", None)
if flash:
    st.success(flash)

current = list_targets(db())
if read_only(Operation.SET_TARGETS):
    labels = {"year": t("col.year"), "department": t("level.department"), "district": t("level.district"),
              "commune": t("level.commune"), "sample": t("targets.sample")}
    show_table([{labels[k]: (t("common.yes") if v else "") if k == "sample" else v for k, v in row.items()}
                for row in grid_rules.grid(current)], key="targets_table", plain=[labels["year"]], decimals={
                    labels[k]: 1 for k in ("department", "district", "commune")})
else:
    st.caption(t("targets.help"))
    edited = st.data_editor(
        grid_rules.grid(current),
        num_rows="dynamic",
        hide_index=True,
        key="targets_editor",
        column_config={
            "year": st.column_config.NumberColumn(t("col.year"), min_value=2014, max_value=2100, step=1, format="%d",
                                                  required=True),
            "department": st.column_config.NumberColumn(t("level.department"), min_value=0, max_value=100, format="localized"),
            "district": st.column_config.NumberColumn(t("level.district"), min_value=0, max_value=100, format="localized"),
            "commune": st.column_config.NumberColumn(t("level.commune"), min_value=0, max_value=100, format="localized"),
            "sample": st.column_config.CheckboxColumn(t("targets.sample"), disabled=True),
        },
    )
    if st.button(t("targets.save"), type="primary", key="targets_save"):
        try:
            changed = set_targets(db(), grid_rules.from_grid(edited, current), actor=actor())
        except QmsError as e:
            show_error(e)
        else:
            st.session_state["targets_flash"] = f"{t('targets.saved')} ({changed})"
            st.rerun()

with st.expander(t("log.history")):
    log_table(changelog.entries(db(), entity="targets"), key="targets_log")
