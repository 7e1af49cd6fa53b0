"""The one line a page shows instead of a form its reader may not use (and why)."""

from __future__ import annotations

import streamlit as st

from qms.accounts.access import read_only_reason
from qms.accounts.rules import Operation
from qms.ui.context import actor, lang


def read_only(op: Operation, *, unit_code: str | None = None, district_code: str | None = None,
              unit_label: str | None = None) -> bool:
    """True, after showing why, when the signed-in person may not do ``op`` (on the unit); the
    caller then draws no form.  The store refuses such a write anyway: this spares people a
    form that can only be refused."""
    reason = read_only_reason(actor(), op, lang(), unit_code=unit_code, district_code=district_code,
                              unit_label=unit_label)
    if reason:
        st.info(reason, icon="🔒")
    return reason is not None
