"""The daily snapshot, run by the app itself (the app holds the database, so no cron job can).

:func:`run_nightly_export` is meant to be called on every run of the app (from
``streamlit_app.py``, after the sign-in gate): it costs one settings read and a folder listing
when there is nothing to do, and otherwise starts today's snapshot in a background thread
(:class:`qms.exports.schedule.NightlyJob`) and returns at once: no page run, and no other
session, waits for the export.  A session that saw the job running is told when it finishes;
the reports page shows the job's state (:func:`show_nightly_state`).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from qms.exports.schedule import NightlyState, nightly_job
from qms.kernel.clock import local_time, province_today
from qms.ui.context import db, lang, link_safe, settings, t

_WATCH = "exports_nightly_watch"


def run_nightly_export(today: dt.date | None = None) -> NightlyState:
    """Start today's snapshot in the background if the setting is on and none exists; never
    wait for it.  When a job this session saw running has finished, say so once (a toast, or
    the failure's sentence as a warning)."""
    state = nightly_job(settings().exports_dir).start(db(), today or province_today(),
                                                      checklists_dir=settings().checklists_dir)
    if state.status == "running":
        st.session_state[_WATCH] = state.run
    elif st.session_state.get(_WATCH) == state.run:
        del st.session_state[_WATCH]
        if state.status == "written":
            st.toast(t("exports.nightly_written", name=state.snapshot))
        elif state.status == "failed" and state.error is not None:
            st.warning(link_safe(state.error.text(lang())))
    return state


def show_nightly_state(state: NightlyState) -> None:
    """One line on the job: writing (table n of m, since when), or its last outcome."""
    if state.status == "running":
        st.info(t("exports.nightly_running", started=_hhmm(state.started_at), done=state.done, total=state.total or "…"))
    elif state.status == "written":
        st.caption(t("exports.nightly_last", name=state.snapshot, at=_hhmm(state.finished_at)))
    elif state.status == "failed" and state.error is not None:
        st.warning(link_safe(t("exports.nightly_failed", at=_hhmm(state.finished_at), error=state.error.text(lang()))))


def _hhmm(moment: dt.datetime | None) -> str:
    return local_time(moment).strftime("%H:%M %d/%m/%Y") if moment else ""
