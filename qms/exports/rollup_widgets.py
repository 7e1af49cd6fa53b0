"""The overview on a national roll-up database: its date, banner and source snapshots."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from qms.exports import rollup_db_store as rollup_db
from qms.kernel.dates import fmt
from qms.ui.cached import versioned
from qms.ui.context import db, t


def rollup_as_of() -> dt.date | None:
    """The roll-up's as-of date (the overview shows no later day); None in a province's database.
    Read by data version: every province's app asks it on every run of the router and overview."""
    return versioned(db(), rollup_db.rollup_as_of)


def render_rollup_sources(as_of: dt.date) -> None:
    """The banner and, in an expander, the province snapshot behind every province's figures."""
    sources = versioned(db(), rollup_db.sources)
    st.info(t("rollup.banner", n=len(sources), day=fmt(as_of)))
    with st.expander(t("rollup.sources")):
        st.caption(t("rollup.sources_note"))
        st.dataframe([{t("rollup.province"): s["province_code"], t("rollup.province_name"): s["province_name"],
                       t("rollup.snapshot"): s["source_snapshot"], t("rollup.manifest_sha"): s["source_manifest_sha256"],
                       t("rollup.schema"): s["schema_version"]} for s in sources],
                     hide_index=True, key="rollup_sources")
