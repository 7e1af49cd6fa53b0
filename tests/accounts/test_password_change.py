"""Passwords changed while the app runs: one's own (the current one asked), and an
administrator's reset to a one-time password that must be changed at the next sign-in."""

from __future__ import annotations

import json

import pytest

from qms.accounts import store
from qms.accounts.rules import PermissionDenied, Principal, Role
from qms.changelog import store as changelog
from qms.kernel.errors import QmsError

ADMIN = Principal(username="lead", role=Role.ADMIN)
FIRST = "mật khẩu đầu tiên"


@pytest.fixture
def users(db):
    store.create_user(db, username="lead", display_name="Lead", role=Role.ADMIN, password=FIRST, actor="lead")
    store.create_user(db, username="tdc", display_name="TĐC", role=Role.AUDITOR, password=FIRST, units=[], actor=ADMIN)
    return db


def test_an_existing_account_needs_no_change_after_the_migration(users):
    assert not store.password_change_required(users, "tdc") and not store.password_change_required(users, "nobody")


def test_changing_ones_own_password_asks_the_current_one(users):
    with pytest.raises(QmsError, match="current password is wrong") as refused:
        store.change_own_password(users, "tdc", "đoán sai mật khẩu", "mật khẩu mới 2025")
    assert refused.value.vi == "Mật khẩu hiện tại không đúng; chưa đổi gì."
    store.sign_in(users, "tdc", FIRST)  # unchanged
    with pytest.raises(QmsError, match="differ"):
        store.change_own_password(users, "tdc", FIRST, FIRST)
    with pytest.raises(QmsError, match="at least 10"):
        store.change_own_password(users, "tdc", FIRST, "ngắn")
    store.change_own_password(users, "tdc", FIRST, "mật khẩu mới 2025")
    assert store.sign_in(users, "tdc", "mật khẩu mới 2025").username == "tdc"
    entry = changelog.entries(users, entity="users", key="tdc")[0]
    assert (entry["actor"], entry["action"], json.loads(entry["after"])) == ("tdc", "password", {"password": "changed"})


def test_an_administrators_reset_gives_a_one_time_password_that_must_be_changed(users):
    one_time = store.reset_password(users, "tdc", actor=ADMIN)
    assert len(one_time) >= 10 and store.password_change_required(users, "tdc")
    assert store.sign_in(users, "tdc", one_time).username == "tdc"
    with pytest.raises(QmsError):
        store.sign_in(users, "tdc", FIRST)
    entry = changelog.entries(users, entity="users", key="tdc")[0]
    assert one_time not in entry["after"] and json.loads(entry["after"]) == {"password": "reset", "must_change_password": True}
    store.change_own_password(users, "tdc", one_time, "mật khẩu riêng của tôi")
    assert not store.password_change_required(users, "tdc")


def test_only_an_administrator_resets_and_not_their_own(users):
    with pytest.raises(PermissionDenied):
        store.reset_password(users, "lead", actor=Principal(username="tdc", role=Role.AUDITOR))
    with pytest.raises(QmsError, match="your own password"):
        store.reset_password(users, "lead", actor=ADMIN)
    with pytest.raises(QmsError, match="no user"):
        store.reset_password(users, "nobody", actor=ADMIN)
    assert not store.password_change_required(users, "lead")
