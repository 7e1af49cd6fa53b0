"""Local accounts: creation, sign-in with throttling, scopes.  Passwords never leave as text."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from qms import accounts
from qms.accounts import Operation, Principal, Role
from qms.errors import QmsError
from qms.store import changelog
from qms.text_rules import checked_text

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")


@dataclass(frozen=True)
class UserView:
    username: str
    display_name: str
    role: Role
    active: bool
    units: tuple[str, ...]
    districts: tuple[str, ...]


def count_users(db) -> int:
    return int(db.scalar("SELECT count(*) FROM users"))


def _scopes(cur, username: str) -> tuple[frozenset[str], frozenset[str]]:
    rows = cur.execute("SELECT scope_kind, code FROM user_scopes WHERE username = ?", [username]).fetchall()
    return frozenset(c for k, c in rows if k == "unit"), frozenset(c for k, c in rows if k == "district")


def create_user(db, *, username: str, display_name: str, role: Role, password: str,
                units: Iterable[str] = (), districts: Iterable[str] = (), actor: Principal | str) -> UserView:
    """Create an account.  On a database with no account, only an administrator can be created
    and no one needs to be signed in (the first-run form and ``qms users add``); otherwise the
    actor must be allowed to manage users."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise QmsError("A user name has 3-32 characters: lower-case letters, digits, '.', '_' or '-'.",
                       vi="Tên đăng nhập gồm 3-32 ký tự: chữ thường không dấu, số, '.', '_' hoặc '-'.")
    display_name = checked_text(display_name, field="display_name")
    password_hash = accounts.hash_password(password)
    units, districts = tuple(sorted(set(units))), tuple(sorted(set(districts)))
    if role is Role.OFFICER and len(units) != 1:
        raise QmsError("A unit ISO officer belongs to exactly one unit.", vi="Thư ký ISO phải thuộc đúng một đơn vị.")

    def run(cur) -> UserView:
        first = cur.execute("SELECT count(*) FROM users").fetchall()[0][0] == 0
        if first:
            if role is not Role.ADMIN:
                raise QmsError("The first account must be an administrator.", vi="Tài khoản đầu tiên phải là quản trị.")
            author = username
        else:
            author = accounts.require(actor, Operation.MANAGE_USERS).username
        if cur.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchall():
            raise QmsError(f"The user name {username} is taken.", vi=f"Tên đăng nhập {username} đã có.")
        known = {c for (c,) in cur.execute("SELECT code FROM units WHERE list_contains(?, code)", [list(units) + list(districts)]).fetchall()}
        unknown = sorted((set(units) | set(districts)) - known)
        if unknown:
            raise QmsError(f"Unknown unit code(s): {', '.join(unknown)}.", vi=f"Không có đơn vị mã: {', '.join(unknown)}.")
        cur.execute("INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, ?, ?)",
                    [username, display_name.strip() or username, role.value, password_hash])
        for kind, codes in (("unit", units), ("district", districts)):
            for code in codes:
                cur.execute("INSERT INTO user_scopes VALUES (?, ?, ?)", [username, kind, code])
        view = UserView(username, display_name.strip() or username, role, True, units, districts)
        changelog.append(cur, actor=author, action="insert", entity="users", key=username,
                         after={"display_name": view.display_name, "role": role.value, "units": units, "districts": districts})
        return view

    return db.write(run, attempts=1)


def sign_in(db, username: str, password: str, *, now: dt.datetime | None = None) -> Principal:
    """The principal for a correct name and password; otherwise one sentence, the attempt
    recorded, and repeated failures slowed down (:func:`qms.accounts.wait_seconds`)."""
    now = now or dt.datetime.now()
    username = username.strip().lower()

    def run(cur) -> tuple[Principal | None, QmsError | None]:
        failures = [r[0] for r in cur.execute(
            "SELECT attempted_at FROM sign_in_attempts WHERE username = ? AND NOT ok AND attempted_at >= ? ORDER BY attempted_at",
            [username, now - accounts.FAILURE_WINDOW]).fetchall()]
        wait = accounts.wait_seconds(failures, now)
        if wait:
            cur.execute("INSERT INTO sign_in_attempts (username, attempted_at, ok, reason) VALUES (?, ?, false, 'throttled')", [username, now])
            return None, QmsError(f"Too many failed sign-ins for {username}; try again in {wait} s.",
                                  vi=f"Đăng nhập sai quá nhiều lần với {username}; thử lại sau {wait} giây.")
        row = cur.execute("SELECT password_hash, role, active FROM users WHERE username = ?", [username]).fetchall()
        ok = bool(row) and row[0][2] and accounts.verify_password(password, row[0][0])
        cur.execute("INSERT INTO sign_in_attempts (username, attempted_at, ok, reason) VALUES (?, ?, ?, ?)",
                    [username, now, ok, None if ok else ("inactive" if row and not row[0][2] else "bad password or name")])
        if not ok:
            return None, QmsError("Wrong user name or password.", vi="Sai tên đăng nhập hoặc mật khẩu.")
        units, districts = _scopes(cur, username)
        return Principal(username=username, role=Role(row[0][1]), units=units, districts=districts), None

    principal, error = db.write(run)  # the failed attempt is committed before the refusal is raised
    if error is not None:
        raise error
    return principal


def sign_in_sso(db, username: str, *, now: dt.datetime | None = None) -> Principal:
    """The principal of the active local account ``username``, for a user the identity provider
    has already authenticated (``st.login``): roles and scopes stay qms's own.  Recorded in the
    sign-in attempts like a password sign-in; an unknown or deactivated name is one sentence."""
    now = now or dt.datetime.now()
    username = username.strip().lower()

    def run(cur) -> Principal | None:
        row = cur.execute("SELECT role, active FROM users WHERE username = ?", [username]).fetchall()
        ok = bool(row) and bool(row[0][1])
        cur.execute("INSERT INTO sign_in_attempts (username, attempted_at, ok, reason) VALUES (?, ?, ?, ?)",
                    [username, now, ok, "sso" if ok else ("sso: inactive" if row else "sso: no account")])
        if not ok:
            return None
        units, districts = _scopes(cur, username)
        return Principal(username=username, role=Role(row[0][0]), units=units, districts=districts)

    principal = db.write(run)  # the refused attempt is committed before the refusal is raised
    if principal is None:
        raise QmsError(f"There is no active qms account named {username}; ask the administrator to create or reactivate it.",
                       vi=f"Không có tài khoản qms đang hoạt động tên {username}; hãy đề nghị quản trị viên tạo hoặc kích hoạt lại.")
    return principal


def list_users(db) -> list[UserView]:
    cur = db.cursor()
    try:
        out = []
        for username, display, role, active in cur.execute(
            "SELECT username, display_name, role, active FROM users ORDER BY role, username").fetchall():
            units, districts = _scopes(cur, username)
            out.append(UserView(username, display, Role(role), active, tuple(sorted(units)), tuple(sorted(districts))))
        return out
    finally:
        cur.close()


def set_active(db, username: str, active: bool, *, actor: Principal | str) -> None:
    def run(cur) -> None:
        author = accounts.require(actor, Operation.MANAGE_USERS).username
        before = cur.execute("SELECT active FROM users WHERE username = ?", [username]).fetchall()
        if not before:
            raise QmsError(f"There is no user {username}.", vi=f"Không có tài khoản {username}.")
        cur.execute("UPDATE users SET active = ? WHERE username = ?", [active, username])
        changelog.append(cur, actor=author, action="update", entity="users", key=username,
                         before={"active": before[0][0]}, after={"active": active})

    db.write(run)


def set_password(db, username: str, password: str, *, actor: Principal | str) -> None:
    """An admin resets anyone's password; a user changes their own.  The log says that it
    changed, never what it is."""
    password_hash = accounts.hash_password(password)

    def run(cur) -> None:
        who = accounts.as_principal(actor)
        if who.username != username:
            accounts.require(who, Operation.MANAGE_USERS)
        if not cur.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchall():
            raise QmsError(f"There is no user {username}.", vi=f"Không có tài khoản {username}.")
        cur.execute("UPDATE users SET password_hash = ? WHERE username = ?", [password_hash, username])
        changelog.append(cur, actor=who.username, action="password", entity="users", key=username, after={"password": "changed"})

    db.write(run)
