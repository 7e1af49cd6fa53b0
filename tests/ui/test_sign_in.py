"""The sign-in gate of the router: first administrator, sign-in, sign-out, roles on pages."""

from __future__ import annotations

import pytest

from qms.accounts import store
from qms.accounts.rules import Principal, Role, system_principal
from qms.kernel.db import open_database

PASSWORD = "mật khẩu thử 2024"


def _add_user(path, username, role, **scope):
    db = open_database(path)
    try:
        if "lead" not in {u.username for u in store.list_users(db)}:
            store.create_user(db, username="lead", display_name="Lead", role=Role.ADMIN, password=PASSWORD, actor=system_principal("lead"))
        if username != "lead":
            store.create_user(db, username=username, display_name=username, role=role, password=PASSWORD, actor=system_principal("lead"), **scope)
    finally:
        db.close()


def test_empty_database_asks_for_the_first_administrator(app, tmp_path):
    at = app(empty=True, user=None)
    assert at.title[0].value == "Tạo tài khoản quản trị đầu tiên"
    at.text_input(key="first_username").set_value("lead")
    at.text_input(key="first_display").set_value("Sở KH&CN")
    at.text_input(key="first_password").set_value(PASSWORD)
    at.text_input(key="first_password_again").set_value(PASSWORD)
    at.get("form_submit_button")[0].click().run()
    assert not at.exception and not at.error
    assert at.session_state["principal"].role is Role.ADMIN
    assert at.title[0].value == "Tổng quan"


def test_signed_out_session_sees_only_the_sign_in_form(app, tmp_path):
    at = app(empty=True, user=None)
    _add_user(tmp_path / "app.duckdb", "lead", Role.ADMIN)
    at.run()
    assert at.title[0].value == "Đăng nhập"
    assert not at.metric and not at.dataframe


def test_wrong_password_is_one_message_and_right_one_signs_in(app, tmp_path):
    at = app(user=None)
    _add_user(tmp_path / "app.duckdb", "lead", Role.ADMIN)
    at.run()
    at.text_input(key="sign_in_username").set_value("lead")
    at.text_input(key="sign_in_password").set_value("sai mật khẩu 1")
    at.get("form_submit_button")[0].click().run()
    assert [e.value for e in at.error] == ["Sai tên đăng nhập hoặc mật khẩu."]
    at.text_input(key="sign_in_password").set_value(PASSWORD)
    at.get("form_submit_button")[0].click().run()
    assert at.title[0].value == "Tổng quan" and at.session_state["principal"].username == "lead"


def test_sign_out_returns_to_the_form(app):
    at = app()
    at.button(key="sign_out").click().run()
    assert at.title[0].value == "Đăng nhập"


def test_a_viewer_reads_the_targets_without_an_editor_and_is_told_why(app):
    """Not handed a grid and a "Lưu chỉ tiêu" button that could only be refused (the store
    still refuses a viewer's write: tests/accounts/test_accounts.py)."""
    at = app(page="qms/coverage/targets_page.py", user=Principal(username="leader", role=Role.VIEWER))
    assert not at.exception
    assert not at.data_editor and not [b for b in at.button if b.key == "targets_save"]
    assert [i.value for i in at.info] == ["Chỉ xem: tài khoản leader có quyền chỉ xem (lãnh đạo), không thay đổi được dữ liệu."]
    table = next(df.value for df in at.dataframe if "Năm" in df.value.columns)
    assert 2017 in set(table["Năm"]) and "Cấp xã" in table.columns


def test_accounts_and_change_log_pages_are_for_administrators_only(app):
    admin = app(page="qms/changelog/page.py")
    assert admin.title[0].value == "Nhật ký thay đổi" and admin.dataframe
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app(page="qms/changelog/page.py", user=Principal(username="leader", role=Role.VIEWER))


# -- single sign-on (QMS_AUTH=oidc): the provider authenticates, qms's account gives the role --

def _sso_app(app, monkeypatch, tmp_path, identity: dict | None):
    monkeypatch.setenv("QMS_AUTH", "oidc")
    monkeypatch.setenv("QMS_OIDC_CLAIM", "preferred_username")
    at = app(user=None)
    _add_user(tmp_path / "app.duckdb", "lead", Role.ADMIN)
    at.user = {"is_logged_in": False} if identity is None else {"is_logged_in": True, **identity}
    at.run()
    assert not at.exception
    return at


def test_sso_shows_the_providers_button_and_no_password_form(app, monkeypatch, tmp_path):
    at = _sso_app(app, monkeypatch, tmp_path, None)
    assert at.title[0].value == "Đăng nhập" and at.button(key="sso_sign_in").label == "Đăng nhập bằng tài khoản của tỉnh"
    assert not at.text_input and not at.metric


def test_sso_user_with_a_local_account_gets_its_role(app, monkeypatch, tmp_path):
    at = _sso_app(app, monkeypatch, tmp_path, {"preferred_username": "Lead", "email": "lead@laichau.gov.vn"})
    assert at.title[0].value == "Tổng quan"
    assert at.session_state["principal"] == Principal(username="lead", role=Role.ADMIN)


def test_sso_user_without_a_local_account_is_refused(app, monkeypatch, tmp_path):
    at = _sso_app(app, monkeypatch, tmp_path, {"preferred_username": "stranger"})
    assert [e.value for e in at.error] == [
        "Không có tài khoản qms đang hoạt động tên stranger; hãy đề nghị quản trị viên tạo hoặc kích hoạt lại."]
    assert not at.metric and "principal" not in at.session_state
