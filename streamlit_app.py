"""qms web app: router only (page config, language switch, sign-in gate, navigation by role)."""

import streamlit as st

from qms.accounts.password_widgets import password_change_pending
from qms.accounts.rules import Operation, allowed
from qms.accounts.signin_widgets import current, gate
from qms.exports.nightly_widgets import run_nightly_export
from qms.exports.rollup_widgets import rollup_as_of
from qms.kernel.labels import LANGS
from qms.ui import style
from qms.ui.context import t

st.set_page_config(page_title="qms · ISO 9001", page_icon="✅", layout="wide")
style.apply()

with st.sidebar:
    st.radio("Ngôn ngữ / Language", LANGS, key="lang", horizontal=True,
             format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code])


def _pages(admin: bool) -> list:
    if rollup_as_of():  # a national roll-up database is a read model: the overview alone, no page that writes
        return [st.Page("qms/overview/page.py", title=t("page.overview"), url_path="overview", default=True)]
    pages = [
        st.Page("qms/overview/page.py", title=t("page.overview"), url_path="overview", default=True),
        st.Page("qms/units/page.py", title=t("page.units"), url_path="units"),
        st.Page("qms/scope/page.py", title=t("scope.page"), url_path="processes"),
        st.Page("qms/audits/page.py", title=t("audit.page"), url_path="audits"),
        # one audit (/audit?audit=ID): the same page at its own address, so the sidebar's Đánh giá leads back
        st.Page("qms/audits/page.py", title=t("audit.page"), url_path="audit", visibility="hidden"),
        st.Page("qms/actions/page.py", title=t("action.page"), url_path="actions"),
        st.Page("qms/inspections/page.py", title=t("insp.page"), url_path="inspection-plan"),
        st.Page("qms/exports/page.py", title=t("exports.page"), url_path="reports"),
        st.Page("qms/coverage/targets_page.py", title=t("page.targets"), url_path="targets"),
        st.Page("qms/units/import_page.py", title=t("page.import"), url_path="import"),
        st.Page("qms/status_import/page.py", title=t("status_import.page"), url_path="status-import"),
        st.Page("qms/admin_changes/page.py", title=t("chg.page"), url_path="changes"),
    ]
    if admin:
        pages += [
            st.Page("qms/accounts/page.py", title=t("page.users"), url_path="users"),
            st.Page("qms/changelog/page.py", title=t("page.change_log"), url_path="change-log"),
        ]
    return pages


if current() is None or password_change_pending():
    # Signed out (or to change a one-time password first): register the pages without showing or
    # running them, so that a link such as /audit?audit=12 keeps its page and parameters meanwhile.
    st.navigation(_pages(admin=True), position="hidden")
principal = gate()  # the sign-in form (or the first administrator's, or a new password's) stops the run here
run_nightly_export()
page = st.navigation(_pages(admin=allowed(principal, Operation.MANAGE_USERS)))
st.session_state["page_url"] = page.url_path  # which address of a page with two (Đánh giá) is open
page.run()
