"""Nhật ký thay đổi: every write, who, when, before and after (read-only, kept forever)."""

from __future__ import annotations

import streamlit as st

from qms.changelog.store import search
from qms.changelog.widgets import log_table
from qms.ui.context import db, t

st.title(t("page.change_log"))
text = st.text_input(t("log.search"), key="log_search")
entries = search(db(), text)
if not entries:
    st.info(t("log.empty"))
    st.stop()
log_table(entries, key="log_table")
