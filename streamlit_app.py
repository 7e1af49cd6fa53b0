"""qms web app: router only (page config, navigation over qms/ui/pages, language switch)."""

import streamlit as st

from qms.labels import LANGS
from qms.ui.context import t

st.set_page_config(page_title="qms · ISO 9001", page_icon="✅", layout="wide")

with st.sidebar:
    st.radio("Ngôn ngữ / Language", LANGS, key="lang", horizontal=True,
             format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code])

pages = [
    st.Page("qms/ui/pages/overview.py", title=t("page.overview"), default=True),
    st.Page("qms/ui/pages/units.py", title=t("page.units"), url_path="units"),
    st.Page("qms/ui/pages/scope.py", title=t("scope.page"), url_path="processes"),
    st.Page("qms/ui/pages/audits.py", title=t("audit.page"), url_path="audits"),
    st.Page("qms/ui/pages/targets.py", title=t("page.targets"), url_path="targets"),
    st.Page("qms/ui/pages/data_import.py", title=t("page.import"), url_path="import"),
    st.Page("qms/ui/pages/status_import.py", title=t("status_import.page"), url_path="status-import"),
    st.Page("qms/ui/pages/reports.py", title=t("exports.page"), url_path="reports"),
]
st.navigation(pages).run()
