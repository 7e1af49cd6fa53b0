"""The overview's reads, cached by data version: the page recomputes nothing until a write.

(Other pages cache their reads the same way through :func:`qms.ui.cached.versioned`.)

Each wrapper is keyed on (database file, the opening's token, as-of date, data version), where
the data version counts the committed write transactions (:meth:`qms.kernel.db.Database.data_version`:
``Database.write``, the store's one write path, adds a row in each transaction), so any committed
write changes the key and the next run reads afresh; a cached figure can therefore never be older
than the last write.  The key is read on every run (one tiny query), the figures only on a miss.

The page's Altair charts are cached the same way (:meth:`OverviewReads.chart`): building one
validates its spec against the Vega-Lite schema, which cost more than the cached reads saved.

``st.cache_resource``, not ``st.cache_data``: the results are read-only (frozen pydantic models
and dataclasses in an :class:`~qms.coverage.queries.Overview` no page mutates), and
``st.cache_data`` unpickled a fresh copy of ~2,000 of them on every run (0.1 s of a national
render); the key, not a copy, is what keeps them fresh.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st

from qms.actions.queries import action_overview
from qms.actions.views import DEPARTMENTS_ROW
from qms.audits.findings_store import findings_heatmap
from qms.coverage.queries import Overview, overview
from qms.kernel.db import Database
from qms.scope.queries import scope_overview

#: Figures kept per reader (a few dates and versions); old versions simply age out.
_ENTRIES = 16


@st.cache_resource(show_spinner=False, max_entries=_ENTRIES)
def _overview(_db: Database, path: str, token: str, as_of: dt.date, version: int) -> Overview:  # noqa: ARG001 - cache key
    return overview(_db, as_of)


@st.cache_resource(show_spinner=False, max_entries=_ENTRIES)
def _scope(_db: Database, path: str, token: str, as_of: dt.date, version: int):  # noqa: ARG001 - cache key
    return scope_overview(_db, as_of)


@st.cache_resource(show_spinner=False, max_entries=_ENTRIES)
def _heatmap(_db: Database, path: str, token: str, as_of: dt.date, version: int, province: str | None = None):  # noqa: ARG001
    return findings_heatmap(_db, as_of, province=province)


@st.cache_resource(show_spinner=False, max_entries=_ENTRIES)
def _actions(_db: Database, path: str, token: str, as_of: dt.date, version: int):  # noqa: ARG001 - cache key
    return action_overview(_db, as_of)


@st.cache_resource(show_spinner=False, max_entries=4 * _ENTRIES)
def _chart(path: str, token: str, as_of: dt.date, version: int, name: str, lang: str, _build: Callable[[], Any]) -> Any:  # noqa: ARG001
    return _build()


class OverviewReads:
    """The overview page's four reads for one database and date, at the data version read when
    this object was made (once per page run)."""

    def __init__(self, database: Database, as_of: dt.date):
        self._db = database
        self._key = (database.path, database.token, as_of, database.data_version())

    def coverage(self) -> Overview:
        return _overview(self._db, *self._key)

    def scope(self):
        return _scope(self._db, *self._key)

    def chart(self, name: str, lang: str, build: Callable[[], Any]) -> Any:
        """An Altair chart of this page's data, built by ``build`` once per (data version, date,
        ``name``, language): building one validates its spec against the Vega-Lite schema, ~0.1 s
        per chart.  ``name`` must name what ``build`` draws (e.g. ``"districts:<province>"``)."""
        return _chart(*self._key, name, lang, build)

    def heatmap(self, province: str | None = None):
        """The findings heatmap; with ``province`` (at national scale) only that province's units:
        its districts' rows and its own departments' row, so the colours compare like with like
        and the chart stays readable and cheap to draw."""
        return _heatmap(self._db, *self._key, province)

    def actions(self, districts: set[str] | None = None):
        """The actions' figures (national totals); with ``districts``, the per-district table
        keeps only their rows and the departments' row."""
        data = _actions(self._db, *self._key)
        if districts is None:
            return data
        return dataclasses.replace(data, by_district=tuple(
            d for d in data.by_district if d.row_code in districts or d.row_code == DEPARTMENTS_ROW))
