"""The nightly snapshot, run by the app itself (the app holds the database, so no cron job can).

:func:`run_nightly_export` is meant to be called on every run of the app (from
``streamlit_app.py``, after the page config): it costs one settings read and a folder listing
when there is nothing to do, and writes today's snapshot once a day when the setting is on.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from qms.clock import province_today
from qms.errors import QmsError
from qms.exports.schedule import ensure_nightly
from qms.ui.context import db, lang, link_safe, settings, t


def run_nightly_export(today: dt.date | None = None) -> None:
    """Write today's snapshot if the nightly export is on and none exists; a failure is shown
    once as a warning and never stops the page."""
    try:
        snap = ensure_nightly(db(), settings().exports_dir, today or province_today(),
                              checklists_dir=settings().checklists_dir)
    except QmsError as e:
        st.warning(link_safe(e.text(lang())))
        return
    if snap is not None:
        st.toast(t("exports.nightly_written", name=snap.name))
