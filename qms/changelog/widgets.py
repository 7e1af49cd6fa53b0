"""The change-log table, shown the same way on the admin's log page and on a record's page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from qms.changelog.text import describe
from qms.kernel import formatting
from qms.kernel.labels import LABELS
from qms.ui.context import lang, t
from qms.ui.tables import show_table


def _named(prefix: str, value: str) -> str:
    """The label of a logged entity or action when there is one, else the stored word itself."""
    key = f"{prefix}.{value}"
    return t(key) if key in LABELS else value


def log_table(entries: Sequence[dict[str, Any]], *, key: str, with_entity: bool = True) -> None:
    """Newest first, as read; before and after as labelled text in the user's language (the
    JSON the log keeps, read by :func:`qms.changelog.text.describe`; shown as text, never Markdown)."""
    if not entries:
        st.caption(t("log.empty"))
        return
    code = lang()
    cols = {c: t(f"log.{c}") for c in ("when", "who", "action", "entity", "key", "before", "after")}
    rows = []
    for e in entries:
        row = {cols["when"]: formatting.moment(e["changed_at"], seconds=True), cols["who"]: e["actor"],
               cols["action"]: _named("log.action", e["action"])}
        if with_entity:
            row.update({cols["entity"]: _named("log.entity", e["entity"]), cols["key"]: e["entity_key"]})
        side = {"entity": e["entity"], "action": e["action"]}
        row.update({cols["before"]: describe(e["before"], code, **side), cols["after"]: describe(e["after"], code, **side)})
        rows.append(row)
    show_table(rows, key=key, widths={cols["before"]: 150, cols["after"]: 200, cols["who"]: 110, cols["key"]: 100,
                                     cols["action"]: 130, cols["entity"]: 150})
