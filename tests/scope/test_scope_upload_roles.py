"""The Quy trình page offers its file upload only to roles that may import (issue 14, defect 2):
reading a file costs the server memory and time, so a viewer must not be able to make it read one."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from qms.accounts.access import read_only_reason
from qms.accounts.rules import Operation, Principal, Role
from qms.kernel.settings import PROJECT_ROOT

PAGE = str(PROJECT_ROOT / "qms" / "scope" / "page.py")


@pytest.fixture
def page(monkeypatch, province_path, show_tab):
    path = province_path

    def make(user: Principal, lang: str = "vi") -> AppTest:
        monkeypatch.setenv("QMS_DB", str(path))
        st.cache_resource.clear()
        at = AppTest.from_file(PAGE, default_timeout=60)
        at.session_state["principal"] = user
        at.session_state["lang"] = lang
        at.run()
        show_tab(at, "scope_tab", "scope.tab_files")  # the uploader's tab
        assert not at.exception
        return at

    yield make
    st.cache_resource.clear()


def uploaders(at: AppTest) -> list[str]:
    return [u.key for u in at.get("file_uploader")]


@pytest.mark.parametrize("user", [Principal(username="leader", role=Role.VIEWER),
                                  Principal(username="tdc", role=Role.AUDITOR, districts=frozenset({"105"}))])
def test_roles_that_may_not_import_get_no_uploader(page, user):
    at = page(user)
    assert uploaders(at) == []
    assert read_only_reason(user, Operation.SCOPE_WRITE, "vi") in [i.value for i in at.info]  # one line why
    assert [b.label for b in at.get("download_button")]  # the exports stay for everyone


def test_the_message_in_english(page):
    at = page(Principal(username="leader", role=Role.VIEWER), lang="en")
    user = Principal(username="leader", role=Role.VIEWER)
    assert read_only_reason(user, Operation.SCOPE_WRITE, "en") in [i.value for i in at.info]
    assert read_only_reason(user, Operation.SCOPE_WRITE, "en") != read_only_reason(user, Operation.SCOPE_WRITE, "vi")


@pytest.mark.parametrize("user", [Principal(username="lead", role=Role.ADMIN),
                                  Principal(username="iso.qt", role=Role.OFFICER, units=frozenset({"03386"}))])
def test_roles_that_may_import_get_the_uploader(page, user):
    assert uploaders(page(user)) == ["scope_import_file"]
