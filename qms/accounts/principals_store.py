"""Who is acting, as the database knows them at the moment of a write.

A signed-in user's :class:`~qms.accounts.rules.Principal` is kept in their web session; an
administrator may deactivate the account, or change its role or scope, while that session
runs.  So no write trusts the session's copy: inside its own transaction it calls
:func:`authorize` (or :func:`current`), which reads the account's state (active, role, unit and
district scopes) and asks :func:`qms.accounts.rules.require` with that.  A deactivated or deleted
account is refused at its next write; a demoted one has its new rights at once.

Only :func:`qms.accounts.rules.system_principal` (the CLI, the demo loader, the nightly snapshot) acts
without an account; a plain name is refused (:func:`qms.accounts.rules.as_principal`).
"""

from __future__ import annotations

from qms.accounts import rules as accounts
from qms.accounts.rules import Operation, PermissionDenied, Principal, Role


def scopes(cur, username: str) -> tuple[frozenset[str], frozenset[str]]:
    """An account's (unit codes, district codes)."""
    rows = cur.execute("SELECT scope_kind, code FROM user_scopes WHERE username = ?", [username]).fetchall()
    return frozenset(c for k, c in rows if k == "unit"), frozenset(c for k, c in rows if k == "district")


def account_principal(cur, username: str) -> Principal | None:
    """The principal of the active account ``username`` as stored now; None if it is unknown or
    deactivated."""
    row = cur.execute("SELECT role, active FROM users WHERE username = ?", [username]).fetchall()
    if not row or not row[0][1]:
        return None
    units, districts = scopes(cur, username)
    return Principal(username=username, role=Role(row[0][0]), units=units, districts=districts)


def current(cur, actor: Principal) -> Principal:
    """``actor`` with the rights its account has now (the system principal as it is); refused
    in one sentence when the account is deactivated or gone."""
    who = accounts.as_principal(actor)
    if who.system:
        return who
    fresh = account_principal(cur, who.username)
    if fresh is None:
        raise PermissionDenied(
            f"The account {who.username} is deactivated or no longer exists; nothing was saved.",
            vi=f"Tài khoản {who.username} đã bị khóa hoặc không còn tồn tại; chưa lưu gì.",
        )
    return fresh


def authorize(cur, actor: Principal, op: Operation, *, unit_code: str | None = None,
              district_code: str | None = None) -> Principal:
    """:func:`qms.accounts.rules.require` on the account's current state, inside the caller's
    transaction; returns that state."""
    return accounts.require(current(cur, actor), op, unit_code=unit_code, district_code=district_code)


def authorize_each(cur, actor: Principal, op: Operation, unit_codes, districts: dict[str, str | None] | None = None) -> Principal:
    """:func:`qms.accounts.rules.require_each` on the account's current state (a batch write)."""
    return accounts.require_each(current(cur, actor), op, unit_codes, districts)


def authorize_now(db, actor: Principal, op: Operation) -> Principal:
    """:func:`authorize` outside a write transaction: for work that writes files rather than
    rows (a snapshot), or to refuse before costly preparation (the demo); one read."""
    cur = db.cursor()
    try:
        return authorize(cur, actor, op)
    finally:
        cur.close()


def authorize_on_unit(cur, actor: Principal | str, op: Operation, unit_code: str) -> Principal:
    """:func:`authorize` for ``op`` on one unit, its parent read from the database (an auditor's
    scope: the units assigned, or those of the districts assigned)."""
    parent = cur.execute("SELECT parent_code FROM units WHERE code = ?", [unit_code]).fetchall()
    return authorize(cur, actor, op, unit_code=unit_code, district_code=parent[0][0] if parent else None)
