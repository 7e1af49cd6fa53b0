"""The sign-in gate the router runs before any page: first administrator, sign-in, idle timeout.

Two ways in, chosen by the settings (``QMS_AUTH``): ``local`` (the default: accounts and scrypt
hashes in the database, no outside service) or ``oidc`` (the province's OpenID Connect provider
through Streamlit's ``st.login``, configured in ``.streamlit/secrets.toml``; the identity is mapped
to the local account of the same name by :func:`qms.accounts.rules.username_from_identity`, so roles,
scopes and the change log stay qms's own).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from qms.accounts import password_widgets, store
from qms.accounts.rules import Principal, Role, username_from_identity
from qms.kernel.clock import utc_now
from qms.kernel.errors import QmsError
from qms.ui.context import db, settings, show_error, t

_KEY = "principal"
_SEEN = "principal_last_seen"


def current() -> Principal | None:
    return st.session_state.get(_KEY)


def sign_out() -> None:
    """End the qms session; with single sign-on also the provider's (``st.logout`` reruns)."""
    st.session_state.pop(_KEY, None)
    st.session_state.pop(_SEEN, None)
    if settings().auth == "oidc" and st.user.is_logged_in:
        st.logout()


def _sign_in(username: str, password: str, *, create_admin: str | None = None) -> None:
    """Sign in (after creating the first administrator when ``create_admin`` names them); on
    success start the session's clock and rerun into the app, else show the one sentence."""
    try:
        if create_admin is not None:
            store.create_user(db(), username=username, display_name=create_admin, role=Role.ADMIN, password=password,
                              actor=None)  # the first account needs no author; on a race the store refuses it
        principal = store.sign_in(db(), username, password)
    except QmsError as e:
        show_error(e)
        return
    st.session_state[_KEY] = principal
    st.session_state[_SEEN] = utc_now()
    password_widgets.remember_at_sign_in(principal.username)
    st.rerun()


def _first_admin_form() -> None:
    st.title(t("auth.first_admin"))
    st.info(t("auth.first_admin_help"))
    with st.form("first_admin"):
        username = st.text_input(t("auth.username"), key="first_username")
        display = st.text_input(t("auth.display_name"), key="first_display")
        password = st.text_input(t("auth.password"), type="password", key="first_password")
        again = st.text_input(t("auth.password_again"), type="password", key="first_password_again")
        submitted = st.form_submit_button(t("auth.create"), type="primary")
    if submitted:
        if password != again:
            st.error(t("auth.mismatch"))
            return
        _sign_in(username, password, create_admin=display)


def _sign_in_form() -> None:
    st.title(t("auth.title"))
    with st.form("sign_in"):
        username = st.text_input(t("auth.username"), key="sign_in_username")
        password = st.text_input(t("auth.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary")
    if submitted:
        _sign_in(username, password)


def _single_sign_on() -> Principal:
    """The provider's user as a qms principal, or its sign-in button / one refusal, then stop.

    On an empty database the first administrator is still created by the local form (or by
    ``qms users add --role admin``): the provider knows people, qms knows their roles."""
    if store.count_users(db()) == 0:
        _first_admin_form()
        st.stop()
    s = settings()
    if not st.user.is_logged_in:
        st.title(t("auth.title"))
        st.info(t("auth.sso_help"))
        if st.button(t("auth.sso_sign_in"), type="primary", key="sso_sign_in"):
            st.login(s.oidc_provider) if s.oidc_provider else st.login()
        st.stop()
    try:
        username = username_from_identity(st.user, claim=s.oidc_claim, domain=s.oidc_domain)
        principal = store.sign_in_sso(db(), username)
    except QmsError as e:
        st.title(t("auth.title"))
        show_error(e)
        if st.button(t("auth.sign_out"), key="sso_sign_out"):
            st.logout()
        st.stop()
    st.session_state[_KEY] = principal
    st.session_state[_SEEN] = utc_now()
    return principal


def gate() -> Principal:
    """Return the signed-in principal, or show the first-run / sign-in form and stop the run.

    A session idle for longer than the configured minutes is signed out (checked on each run:
    Streamlit reruns the script on every interaction).  The session's principal is read again
    from its account on every run: a deactivated account is signed out, a changed role or scope
    applies at once (every store write checks the account anyway)."""
    principal = current()
    now = utc_now()
    if principal is not None:
        last = st.session_state.get(_SEEN, now)
        if now - last > dt.timedelta(minutes=settings().idle_minutes):
            sign_out()
            st.warning(t("auth.idle"))
            principal = None
    if principal is not None:
        fresh = store.session_principal(db(), principal)
        if fresh is None:
            sign_out()
            st.warning(t("auth.deactivated"))
        elif fresh != principal:
            st.session_state[_KEY] = fresh
        principal = fresh
    if principal is None and settings().auth == "oidc":
        principal = _single_sign_on()
    if principal is None:
        if store.count_users(db()) == 0:
            _first_admin_form()
        else:
            _sign_in_form()
        st.stop()
    st.session_state[_SEEN] = now
    with st.sidebar:
        st.caption(f"{t('auth.signed_in_as')}: **{principal.username}** · {t('role.' + principal.role.value)}")
        if st.button(t("auth.sign_out"), key="sign_out"):
            sign_out()
            st.rerun()
        if settings().auth == "local":
            password_widgets.sidebar_change()
    password_widgets.must_change_first()  # after an administrator's reset: nothing else until it is changed
    return principal
