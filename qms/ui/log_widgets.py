"""The change-log table, shown the same way on the admin's log page and on a record's page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from qms.clock import local_time
from qms.labels import LABELS
from qms.ui.context import t


def _named(prefix: str, value: str) -> str:
    """The label of a logged entity or action when there is one, else the stored word itself."""
    key = f"{prefix}.{value}"
    return t(key) if key in LABELS else value


def log_table(entries: Sequence[dict[str, Any]], *, key: str) -> None:
    """Newest first, as read; before and after as the JSON the log keeps (never rendered as Markdown)."""
    if not entries:
        st.caption(t("log.empty"))
        return
    cols = {c: t(f"log.{c}") for c in ("when", "who", "action", "entity", "key", "before", "after")}
    st.dataframe(
        [
            {
                cols["when"]: local_time(e["changed_at"]).strftime("%d/%m/%Y %H:%M:%S"), cols["who"]: e["actor"],
                cols["action"]: _named("log.action", e["action"]), cols["entity"]: _named("log.entity", e["entity"]),
                cols["key"]: e["entity_key"], cols["before"]: e["before"] or "", cols["after"]: e["after"] or "",
            }
            for e in entries
        ],
        hide_index=True, key=key,
    )
