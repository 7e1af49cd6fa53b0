"""Passwords changed in the running app (the CLI cannot open the database meanwhile): one's own
from the sidebar, and an administrator's reset, whose one-time password must be changed first."""

from __future__ import annotations

from qms.accounts import store
from qms.accounts.rules import Principal, Role
from qms.kernel.db import open_database

PASSWORD = "mật khẩu thử 2024"
NEW = "mật khẩu mới của tôi"


def _db(path):
    return open_database(path)


def _users(path):
    db = _db(path)
    try:
        store.create_user(db, username="lead", display_name="Lead", role=Role.ADMIN, password=PASSWORD, actor="lead")
        store.create_user(db, username="tdc", display_name="TĐC", role=Role.AUDITOR, password=PASSWORD, units=[],
                          actor=Principal(username="lead", role=Role.ADMIN))
    finally:
        db.close()


def _sign_in(at, username, password):
    at.text_input(key="sign_in_username").set_value(username)
    at.text_input(key="sign_in_password").set_value(password)
    at.button(key="FormSubmitter:sign_in-Đăng nhập").click().run()
    assert not at.exception, at.exception


def _change(at, form, current, new, again=None):
    at.text_input(key=f"{form}_current").set_value(current)
    at.text_input(key=f"{form}_new").set_value(new)
    at.text_input(key=f"{form}_again").set_value(again or new)
    at.button(key=f"FormSubmitter:{form}-Lưu mật khẩu mới").click().run()
    assert not at.exception, at.exception


def test_a_user_changes_their_own_password_from_the_sidebar(app, tmp_path):
    path = tmp_path / "app.duckdb"
    at = app(empty=True, user=None)
    _users(path)
    at.run()
    _sign_in(at, "tdc", PASSWORD)
    _change(at, "password_change", "không phải mật khẩu", NEW)
    assert [e.value for e in at.error] == ["Mật khẩu hiện tại không đúng; chưa đổi gì."]
    _change(at, "password_change", PASSWORD, NEW, again="khác mật khẩu mới")
    assert [e.value for e in at.error] == ["Hai mật khẩu không khớp."]
    _change(at, "password_change", PASSWORD, NEW)
    assert "Đã đổi mật khẩu." in [s.value for s in at.sidebar.success]
    db = _db(path)
    try:
        assert store.sign_in(db, "tdc", NEW).username == "tdc"
    finally:
        db.close()


def test_a_reset_password_is_shown_once_and_must_be_changed_before_anything_else(app, tmp_path):
    path = tmp_path / "app.duckdb"
    admin = app(page="qms/accounts/page.py", user=Principal(username="lead", role=Role.ADMIN))  # the demo's accounts
    admin.selectbox(key="users_toggle_pick").set_value("tdc").run()
    admin.button(key="users_reset_password").click().run()
    assert not admin.exception and admin.success[0].value.startswith("Mật khẩu dùng một lần của tdc")
    one_time = admin.code[0].value
    admin.run()
    assert not admin.code  # shown once

    at = app(user=None, reuse=True)
    at.run()
    _sign_in(at, "tdc", one_time)
    assert at.title[0].value == "Đổi mật khẩu trước khi làm việc" and not at.metric and not at.dataframe
    at.run()
    assert at.title[0].value == "Đổi mật khẩu trước khi làm việc"  # every run, until it is changed
    _change(at, "password_forced", one_time, NEW)
    assert at.title[0].value == "Tổng quan"
    db = _db(path)
    try:
        assert not store.password_change_required(db, "tdc")
    finally:
        db.close()
