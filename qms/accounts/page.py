"""Tài khoản: accounts, roles and scopes (administrators only)."""

from __future__ import annotations

import streamlit as st

from qms.accounts import store
from qms.accounts.password_widgets import reset_for
from qms.accounts.rules import Operation, Role, allowed
from qms.changelog import store as changelog
from qms.changelog.widgets import log_table
from qms.kernel.errors import QmsError
from qms.ui.context import actor, db, show_error, t
from qms.ui.tables import show_table


def _codes(text: str) -> list[str]:
    """Unit or district codes typed as a comma-separated list."""
    return [c.strip() for c in text.split(",") if c.strip()]


me = actor()
st.title(t("page.users"))
flash = st.session_state.pop("users_flash", None)
if flash:
    st.success(flash)

users = store.list_users(db())
show_table(
    [
        {
            t("auth.username"): u.username, t("auth.display_name"): u.display_name, t("users.role"): t(f"role.{u.role.value}"),
            t("users.active"): u.active, t("users.units"): ", ".join(u.units), t("users.districts"): ", ".join(u.districts),
        }
        for u in users
    ],
    key="users_table",
)
if not allowed(me, Operation.MANAGE_USERS):
    st.stop()

st.subheader(t("users.add"))
with st.form("users_add"):
    c1, c2 = st.columns(2)
    username = c1.text_input(t("auth.username"), key="users_username")
    display = c2.text_input(t("auth.display_name"), key="users_display")
    role = c1.selectbox(t("users.role"), list(Role), format_func=lambda r: t(f"role.{r.value}"), key="users_role")
    password = c2.text_input(t("auth.password"), type="password", key="users_password")
    units = c1.text_input(t("users.units"), key="users_units", placeholder="03386, S12-11")
    districts = c2.text_input(t("users.districts"), key="users_districts", placeholder="105, 106")
    submitted = st.form_submit_button(t("auth.create"), type="primary")
if submitted:
    try:
        store.create_user(db(), username=username, display_name=display, role=role, password=password,
                          units=_codes(units), districts=_codes(districts), actor=me)
    except QmsError as e:
        show_error(e)
    else:
        st.session_state["users_flash"] = t("users.added")
        st.rerun()

others = [u for u in users if u.username != me.username]
if others:
    st.subheader(t("users.manage"))
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    who = c1.selectbox(t("auth.username"), [u.username for u in others], key="users_toggle_pick")
    target = next(u for u in others if u.username == who)
    if c2.button(t("users.deactivate") if target.active else t("users.activate"), key="users_toggle"):
        try:
            store.set_active(db(), who, not target.active, actor=me)
        except QmsError as e:
            show_error(e)
        else:
            st.session_state["users_flash"] = t("users.updated")
            st.rerun()
    reset_for(who)
    # A new role or scope applies at the account's next step, even in a session already open.
    with st.form("users_role"):
        st.caption(t("users.change_role_help", name=target.username))
        c1, c2, c3 = st.columns(3)
        new_role = c1.selectbox(t("users.role"), list(Role), index=list(Role).index(target.role),
                                format_func=lambda r: t(f"role.{r.value}"), key="users_new_role")
        new_units = c2.text_input(t("users.units"), value=", ".join(target.units), key="users_new_units")
        new_districts = c3.text_input(t("users.districts"), value=", ".join(target.districts), key="users_new_districts")
        if st.form_submit_button(t("users.change_role")):
            try:
                store.set_role(db(), who, new_role, units=_codes(new_units), districts=_codes(new_districts), actor=me)
            except QmsError as e:
                show_error(e)
            else:
                st.session_state["users_flash"] = t("users.updated")
                st.rerun()

with st.expander(t("log.history")):
    log_table(changelog.entries(db(), entity="users"), key="users_log")
