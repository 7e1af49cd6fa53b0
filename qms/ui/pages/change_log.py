"""Nhật ký thay đổi: every write, who, when, before and after (read-only, kept forever)."""

from __future__ import annotations

import streamlit as st

from qms.store.changelog import search
from qms.ui.context import db, t

st.title(t("page.change_log"))
text = st.text_input(t("log.search"), key="log_search")
entries = search(db(), text)
if not entries:
    st.info(t("log.empty"))
    st.stop()
st.dataframe(
    [
        {
            t("log.when"): e["changed_at"].strftime("%d/%m/%Y %H:%M:%S"), t("log.who"): e["actor"], t("log.action"): e["action"],
            t("log.entity"): e["entity"], t("log.key"): e["entity_key"], t("log.before"): e["before"] or "", t("log.after"): e["after"] or "",
        }
        for e in entries
    ],
    hide_index=True, key="log_table",
)
