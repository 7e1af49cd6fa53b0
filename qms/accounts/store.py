"""Local accounts: creation, sign-in with throttling, scopes.  Passwords never leave as text."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from qms.accounts import rules as accounts
from qms.accounts.principals_store import account_principal, authorize, current, scopes
from qms.accounts.rules import Operation, Principal, Role
from qms.changelog import store as changelog
from qms.kernel.clock import utc_now
from qms.kernel.errors import QmsError
from qms.kernel.text_rules import checked_text

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


def _scope(role: Role, units: Iterable[str], districts: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The scope as stored (sorted, no repeats); an officer belongs to exactly one unit."""
    units, districts = tuple(sorted(set(units))), tuple(sorted(set(districts)))
    if role is Role.OFFICER and len(units) != 1:
        raise QmsError("A unit ISO officer belongs to exactly one unit.", vi="Thư ký ISO phải thuộc đúng một đơn vị.")
    return units, districts


def _check_codes(cur, codes: tuple[str, ...]) -> None:
    known = {c for (c,) in cur.execute("SELECT code FROM units WHERE list_contains(?, code)", [list(codes)]).fetchall()}
    unknown = sorted(set(codes) - known)
    if unknown:
        raise QmsError(f"Unknown unit code(s): {', '.join(unknown)}.", vi=f"Không có đơn vị mã: {', '.join(unknown)}.")


def _insert_scopes(cur, username: str, units: tuple[str, ...], districts: tuple[str, ...]) -> None:
    for kind, codes in (("unit", units), ("district", districts)):
        for code in codes:
            cur.execute("INSERT INTO user_scopes VALUES (?, ?, ?)", [username, kind, code])


def create_user(db, *, username: str, display_name: str, role: Role, password: str,
                units: Iterable[str] = (), districts: Iterable[str] = (), actor: Principal | None) -> UserView:
    """Create an account.  On a database with no account, only an administrator can be created
    and no one needs to be signed in (the first-run form and ``qms users add``: ``actor`` may be
    None); otherwise the actor must be allowed to manage users."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise QmsError("A user name has 3-32 characters: lower-case letters, digits, '.', '_' or '-'.",
                       vi="Tên đăng nhập gồm 3-32 ký tự: chữ thường không dấu, số, '.', '_' hoặc '-'.")
    display_name = checked_text(display_name, field="display_name")
    password_hash = accounts.hash_password(password)
    units, districts = _scope(role, units, districts)

    def run(cur) -> UserView:
        first = cur.execute("SELECT count(*) FROM users").fetchall()[0][0] == 0
        if first:
            if role is not Role.ADMIN:
                raise QmsError("The first account must be an administrator.", vi="Tài khoản đầu tiên phải là quản trị.")
            author = username
        else:
            author = authorize(cur, actor, Operation.MANAGE_USERS).username
        if cur.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchall():
            raise QmsError(f"The user name {username} is taken.", vi=f"Tên đăng nhập {username} đã có.")
        _check_codes(cur, units + districts)
        cur.execute("INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, ?, ?)",
                    [username, display_name.strip() or username, role.value, password_hash])
        _insert_scopes(cur, username, units, districts)
        view = UserView(username, display_name.strip() or username, role, True, units, districts)
        changelog.append(cur, actor=author, action="insert", entity="users", key=username,
                         after={"display_name": view.display_name, "role": role.value, "units": units, "districts": districts})
        return view

    return db.write(run, attempts=1)


#: Serialises the throttle's bookkeeping of the app process (its sessions are threads); the row
#: each attempt updates in ``sign_in_throttle`` serialises any other connection by conflict.
_THROTTLE_LOCK = threading.Lock()


def sign_in(db, username: str, password: str, *, now: dt.datetime | None = None) -> Principal:
    """The principal for a correct name and password; otherwise one sentence, the attempt
    recorded, and repeated failures slowed down (:func:`qms.accounts.rules.wait_seconds`).

    Atomic under concurrency: before the password is checked, the attempt is counted as a wrong
    one in its name's ``sign_in_throttle`` row, in a transaction of its own (serialised by a
    lock and by that row), so of 40 simultaneous wrong passwords only the free ones are checked
    and the rest wait; a correct password then clears the count.  An attempt refused during the
    wait is recorded but neither counts nor lengthens it.  A name without an active account
    costs the same scrypt work as one with (:func:`qms.accounts.rules.unknown_account_hash`), so the
    answer's time does not tell which names exist.  ``now`` is UTC (tests pass it).
    """
    now = now or utc_now()
    username = username.strip().lower()

    def reserve(cur) -> int:
        row = cur.execute("SELECT failures, last_failure FROM sign_in_throttle WHERE username = ?", [username]).fetchall()
        failures, last = row[0] if row else (0, None)
        wait = accounts.wait_seconds(failures, last, now)
        if wait:
            cur.execute("INSERT INTO sign_in_attempts (username, attempted_at, ok, reason) VALUES (?, ?, false, 'throttled')",
                        [username, now])
            return wait
        cur.execute("INSERT INTO sign_in_throttle (username, failures, last_failure) VALUES (?, ?, ?)"
                    " ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure",
                    [username, accounts.counted_failures(failures, last, now) + 1, now])
        return 0

    with _THROTTLE_LOCK:
        wait = db.write(reserve)  # the refused attempt is committed before the refusal is raised
    if wait:
        raise QmsError(f"Too many failed sign-ins for {username}; try again in {wait} s.",
                       vi=f"Đăng nhập sai quá nhiều lần với {username}; thử lại sau {wait} giây.")
    row = db.rows("SELECT password_hash, active FROM users WHERE username = ?", [username])
    active = bool(row) and bool(row[0][1])
    matches = accounts.verify_password(password, row[0][0] if active else accounts.unknown_account_hash())
    ok = active and matches

    def record(cur) -> Principal | None:
        cur.execute("INSERT INTO sign_in_attempts (username, attempted_at, ok, reason) VALUES (?, ?, ?, ?)",
                    [username, now, ok, None if ok else ("inactive" if row and not active else "bad password or name")])
        if not ok:
            return None
        cur.execute("UPDATE sign_in_throttle SET failures = 0, last_failure = NULL WHERE username = ?", [username])
        return account_principal(cur, username)

    principal = db.write(record)
    if principal is None:
        raise QmsError("Wrong user name or password.", vi="Sai tên đăng nhập hoặc mật khẩu.")
    return principal


def sign_in_sso(db, username: str, *, now: dt.datetime | None = None) -> Principal:
    """The principal of the active local account ``username``, for a user the identity provider
    has already authenticated (``st.login``): roles and scopes stay qms's own.  Recorded in the
    sign-in attempts like a password sign-in; an unknown or deactivated name is one sentence."""
    now = now or utc_now()
    username = username.strip().lower()

    def run(cur) -> Principal | None:
        known = bool(cur.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchall())
        principal = account_principal(cur, username)
        cur.execute("INSERT INTO sign_in_attempts (username, attempted_at, ok, reason) VALUES (?, ?, ?, ?)",
                    [username, now, principal is not None,
                     "sso" if principal else ("sso: inactive" if known else "sso: no account")])
        return principal

    principal = db.write(run)  # the refused attempt is committed before the refusal is raised
    if principal is None:
        raise QmsError(f"There is no active qms account named {username}; ask the administrator to create or reactivate it.",
                       vi=f"Không có tài khoản qms đang hoạt động tên {username}; hãy đề nghị quản trị viên tạo hoặc kích hoạt lại.")
    return principal


def session_principal(db, principal: Principal) -> Principal | None:
    """A web session's principal as its account stands now: its current role and scope, or
    None when the account was deactivated (the session then ends).  The router asks on every
    run, so the pages a user sees follow a change of role at once (every write checks anyway)."""
    if principal.system:
        return principal
    cur = db.cursor()
    try:
        return account_principal(cur, principal.username)
    finally:
        cur.close()


def list_users(db) -> list[UserView]:
    cur = db.cursor()
    try:
        out = []
        for username, display, role, active in cur.execute(
            "SELECT username, display_name, role, active FROM users ORDER BY role, username").fetchall():
            units, districts = scopes(cur, username)
            out.append(UserView(username, display, Role(role), active, tuple(sorted(units)), tuple(sorted(districts))))
        return out
    finally:
        cur.close()


def set_active(db, username: str, active: bool, *, actor: Principal) -> None:
    """Deactivate (or reactivate) an account; a deactivated account's next write is refused,
    even in a session signed in before (:mod:`qms.accounts.principals_store`)."""
    def run(cur) -> None:
        author = authorize(cur, actor, Operation.MANAGE_USERS).username
        before = cur.execute("SELECT active FROM users WHERE username = ?", [username]).fetchall()
        if not before:
            raise QmsError(f"There is no user {username}.", vi=f"Không có tài khoản {username}.")
        cur.execute("UPDATE users SET active = ? WHERE username = ?", [active, username])
        changelog.append(cur, actor=author, action="update", entity="users", key=username,
                         before={"active": before[0][0]}, after={"active": active})

    db.write(run)


def set_role(db, username: str, role: Role, *, units: Iterable[str] = (), districts: Iterable[str] = (),
             actor: Principal) -> None:
    """Change an account's role and scope (administrators); the account has its new rights at
    its next write, even in a session signed in before.  The same rules as :func:`create_user`:
    an officer belongs to exactly one unit, codes must be known units."""
    units, districts = _scope(role, units, districts)

    def run(cur) -> None:
        author = authorize(cur, actor, Operation.MANAGE_USERS).username
        before = cur.execute("SELECT role FROM users WHERE username = ?", [username]).fetchall()
        if not before:
            raise QmsError(f"There is no user {username}.", vi=f"Không có tài khoản {username}.")
        _check_codes(cur, units + districts)
        old_units, old_districts = scopes(cur, username)
        cur.execute("UPDATE users SET role = ? WHERE username = ?", [role.value, username])
        cur.execute("DELETE FROM user_scopes WHERE username = ?", [username])
        _insert_scopes(cur, username, units, districts)
        changelog.append(cur, actor=author, action="update", entity="users", key=username,
                         before={"role": before[0][0], "units": sorted(old_units), "districts": sorted(old_districts)},
                         after={"role": role.value, "units": units, "districts": districts})

    db.write(run)


def set_password(db, username: str, password: str, *, actor: Principal) -> None:
    """An admin resets anyone's password; a user changes their own.  The log says that it
    changed, never what it is."""
    password_hash = accounts.hash_password(password)

    def run(cur) -> None:
        who = current(cur, actor)
        if who.username != username:
            accounts.require(who, Operation.MANAGE_USERS)
        if not cur.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchall():
            raise QmsError(f"There is no user {username}.", vi=f"Không có tài khoản {username}.")
        cur.execute("UPDATE users SET password_hash = ? WHERE username = ?", [password_hash, username])
        changelog.append(cur, actor=who.username, action="password", entity="users", key=username, after={"password": "changed"})

    db.write(run)


# -- changing passwords from the app (the CLI cannot open the database while the app holds it) --

def password_change_required(db, username: str) -> bool:
    """Whether ``username`` signs in with a one-time password an administrator set, and must
    choose their own before anything else."""
    rows = db.rows("SELECT coalesce(must_change_password, false) FROM users WHERE username = ?", [username])
    return bool(rows and rows[0][0])


def change_own_password(db, username: str, current: str, new: str) -> None:
    """A signed-in user changes their own password: the current one must be right (one sentence
    otherwise, nothing changed) and the new one strong enough and different.  Clears the
    "must change" mark of a reset; the log says that it changed, never what it is."""
    if current == new:
        raise QmsError("The new password must differ from the current one; nothing was changed.",
                       vi="Mật khẩu mới phải khác mật khẩu hiện tại; chưa đổi gì.")
    password_hash = accounts.hash_password(new)  # refuses a weak one first

    def run(cur) -> None:
        row = cur.execute("SELECT password_hash FROM users WHERE username = ? AND active", [username]).fetchall()
        if not row or not accounts.verify_password(current, row[0][0]):
            raise QmsError("The current password is wrong; nothing was changed.",
                           vi="Mật khẩu hiện tại không đúng; chưa đổi gì.")
        cur.execute("UPDATE users SET password_hash = ?, must_change_password = false WHERE username = ?",
                    [password_hash, username])
        changelog.append(cur, actor=username, action="password", entity="users", key=username,
                         after={"password": "changed"})

    db.write(run, attempts=1)


def reset_password(db, username: str, *, actor: Principal) -> str:
    """An administrator gives ``username`` a random one-time password (returned, to be shown
    once and handed over; only its hash is kept) that must be changed at the next sign-in."""
    password = accounts.new_password()
    password_hash = accounts.hash_password(password)

    def run(cur) -> None:
        who = authorize(cur, actor, Operation.MANAGE_USERS)
        if who.username == username:
            raise QmsError("Change your own password with 'Change password', not a reset.",
                           vi="Hãy đổi mật khẩu của chính bạn ở mục 'Đổi mật khẩu', không dùng đặt lại.")
        if not cur.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchall():
            raise QmsError(f"There is no user {username}.", vi=f"Không có tài khoản {username}.")
        cur.execute("UPDATE users SET password_hash = ?, must_change_password = true WHERE username = ?",
                    [password_hash, username])
        changelog.append(cur, actor=who.username, action="password", entity="users", key=username,
                         after={"password": "reset", "must_change_password": True})

    db.write(run, attempts=1)
    return password
