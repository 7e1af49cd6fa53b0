"""Single sign-on: the provider's identity maps to a local account, or is refused in one sentence."""

from __future__ import annotations

import pytest

from qms.accounts import store
from qms.accounts.rules import Role, system_principal, username_from_identity
from qms.kernel.errors import QmsError

PASSWORD = "mật khẩu thử 2024"


@pytest.mark.parametrize("claims,claim,domain,name", [
    ({"preferred_username": "Lead"}, "preferred_username", None, "lead"),
    ({"preferred_username": " iso.xa01 "}, "preferred_username", None, "iso.xa01"),
    ({"email": "Lead@LaiChau.gov.vn"}, "email", "laichau.gov.vn", "lead"),
])
def test_identity_maps_to_the_account_name(claims, claim, domain, name):
    assert username_from_identity(claims, claim=claim, domain=domain) == name


@pytest.mark.parametrize("claims,claim,domain,words", [
    ({"email": "lead@laichau.gov.vn"}, "preferred_username", None, "no 'preferred_username'"),
    ({"preferred_username": "  "}, "preferred_username", None, "no 'preferred_username'"),
    ({"email": "lead@gmail.com"}, "email", "laichau.gov.vn", "not an address of laichau.gov.vn"),
    ({"email": "lead"}, "email", "laichau.gov.vn", "not an address of laichau.gov.vn"),
])
def test_an_identity_without_a_usable_name_is_refused(claims, claim, domain, words):
    with pytest.raises(QmsError, match=words) as info:
        username_from_identity(claims, claim=claim, domain=domain)
    assert info.value.vi


def _attempts(db, username):
    return db.rows("SELECT ok, reason FROM sign_in_attempts WHERE username = ? ORDER BY attempted_at", [username])


def test_a_known_active_account_signs_in_with_its_role_and_is_recorded(db):
    store.create_user(db, username="lead", display_name="Lead", role=Role.ADMIN, password=PASSWORD, actor=system_principal("lead"))
    principal = store.sign_in_sso(db, "Lead")
    assert (principal.username, principal.role) == ("lead", Role.ADMIN)
    assert _attempts(db, "lead") == [(True, "sso")]


def test_an_unknown_or_deactivated_account_is_refused_and_recorded(db):
    store.create_user(db, username="lead", display_name="Lead", role=Role.ADMIN, password=PASSWORD, actor=system_principal("lead"))
    store.create_user(db, username="old", display_name="Old", role=Role.VIEWER, password=PASSWORD, actor=system_principal("lead"))
    store.set_active(db, "old", False, actor=system_principal("lead"))
    with pytest.raises(QmsError, match="no active qms account named stranger"):
        store.sign_in_sso(db, "stranger")
    with pytest.raises(QmsError, match="no active qms account named old"):
        store.sign_in_sso(db, "old")
    assert _attempts(db, "stranger") == [(False, "sso: no account")] and _attempts(db, "old") == [(False, "sso: inactive")]
