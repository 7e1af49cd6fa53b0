"""Passwords in the app: one's own (the sidebar, or before anything else after a reset) and an
administrator's reset of another account's (its one-time password shown once).

While the app runs it holds the database, so ``qms users password`` cannot reach it: these are
the ways that work then.  Writes are the store's (:mod:`qms.accounts.store`).
"""

from __future__ import annotations

import streamlit as st

from qms.accounts import store
from qms.kernel.errors import QmsError
from qms.ui.context import actor, db, link_safe, show_error, t

#: Session keys: the account must change its password (set at sign-in), and a flash to show.
MUST_CHANGE = "password_must_change"
_FLASH = "password_flash"


def remember_at_sign_in(username: str) -> None:
    """Called once at sign-in: whether this account signs in with a one-time password."""
    st.session_state[MUST_CHANGE] = store.password_change_required(db(), username)


def password_change_pending() -> bool:
    return bool(st.session_state.get(MUST_CHANGE))


def change_form(key: str) -> None:
    """Current password, the new one twice; on success the session's mark is cleared."""
    with st.form(key, clear_on_submit=True):
        current = st.text_input(t("password.current"), type="password", key=f"{key}_current")
        new = st.text_input(t("password.new"), type="password", key=f"{key}_new")
        again = st.text_input(t("password.new_again"), type="password", key=f"{key}_again")
        submitted = st.form_submit_button(t("password.save"), type="primary")
    if not submitted:
        return
    if new != again:
        st.error(t("auth.mismatch"))
        return
    try:
        store.change_own_password(db(), actor().username, current, new)
    except QmsError as e:
        show_error(e)
        return
    st.session_state[MUST_CHANGE] = False
    st.session_state[_FLASH] = t("password.changed")
    st.rerun()


def must_change_first() -> None:
    """After a reset: the change form before any page (the run stops here until it is done)."""
    if not password_change_pending():
        return
    st.title(t("password.must_change_title"))
    st.info(t("password.must_change"))
    change_form("password_forced")
    st.stop()


def sidebar_change() -> None:
    """The sidebar's "Đổi mật khẩu" (and the confirmation after a change)."""
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(flash)
    with st.expander(t("password.change")):
        change_form("password_change")


def reset_for(username: str) -> None:
    """The users page: reset ``username``'s password; its one-time password is shown once."""
    shown = st.session_state.pop("password_reset_shown", None)
    if shown:
        st.success(link_safe(t("password.reset_done", user=shown[0])))
        st.code(shown[1], language=None)
    if st.button(t("password.reset"), key="users_reset_password", help=t("password.reset_help")):
        try:
            one_time = store.reset_password(db(), username, actor=actor())
        except QmsError as e:
            show_error(e)
        else:
            st.session_state["password_reset_shown"] = (username, one_time)
            st.rerun()
