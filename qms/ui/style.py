"""The app's page style: what the router adds to Streamlit's own, once per run."""

from __future__ import annotations

import streamlit as st

#: Streamlit's wide layout keeps 80 px of margin on each side of the page; on a 1366-pixel laptop
#: screen, with the sidebar open, that leaves tables 904 px.  A smaller margin gives them the
#: width of two more columns.
_STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding-left: 1.5rem; padding-right: 1.5rem; }
</style>"""


def apply() -> None:
    st.html(_STYLE)
