"""Accounts, roles and permissions: who may change what (pure rules, no storage).

Roles (issue "accounts, roles and an audit trail"):

- ``admin`` (Sở KH&CN): everything, including users, targets, templates and reopening audits;
- ``auditor`` (internal auditor or Chi cục TĐC inspector): audits of the units, or of the units
  of the districts, assigned to them;
- ``officer`` (a unit's ISO secretary): their own unit's lifecycle events, processes and actions;
- ``viewer`` (leaders): read-only, every page.

Every store write asks :func:`require` with the acting :class:`Principal`, as the database
knows that account at the moment of the write (``qms.accounts.principals_store``: a deactivated or
demoted account loses its rights at once, not when it signs out); pages hiding buttons is a
convenience, never the check.  Only an explicit system principal (:func:`system_principal`:
the CLI, the demo loader, the nightly job) acts without an account; a plain name never does.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import math
import secrets
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from qms.kernel.errors import QmsError


class Role(StrEnum):
    ADMIN = "admin"
    AUDITOR = "auditor"
    OFFICER = "officer"
    VIEWER = "viewer"


class Operation(StrEnum):
    """Every kind of write in qms."""

    RECORD_EVENT = "record_event"          # lifecycle event of a unit
    IMPORT_UNITS = "import_units"
    IMPORT_STATUS = "import_status"
    SET_TARGETS = "set_targets"
    LOAD_DEMO = "load_demo"
    AUDIT_WRITE = "audit_write"            # start, fill, submit an audit of a unit
    AUDIT_REOPEN = "audit_reopen"
    ACTION_WRITE = "action_write"          # open, work, close an improvement action of a unit
    ACTION_VERIFY = "action_verify"
    SCOPE_WRITE = "scope_write"            # TTHC catalogue, processes of a unit
    LEGAL_CHANGE = "legal_change"          # a legal change touching many units
    EXPORT = "export"                      # write a snapshot, switch the nightly export
    MANAGE_USERS = "manage_users"
    SETTINGS = "settings"                  # methodology, templates, app settings
    PLAN_INSPECTIONS = "plan_inspections"  # the province's yearly inspection plan and its amendments


#: Operations that concern one unit: the scope of the principal is checked against it.
UNIT_SCOPED = frozenset({Operation.RECORD_EVENT, Operation.AUDIT_WRITE, Operation.ACTION_WRITE,
                         Operation.ACTION_VERIFY, Operation.SCOPE_WRITE})

#: What each role may do at all (before the unit scope is checked).
ALLOWED: dict[Role, frozenset[Operation]] = {
    Role.ADMIN: frozenset(Operation),
    Role.AUDITOR: frozenset({Operation.AUDIT_WRITE, Operation.ACTION_VERIFY}),
    Role.OFFICER: frozenset({Operation.RECORD_EVENT, Operation.SCOPE_WRITE, Operation.ACTION_WRITE}),
    Role.VIEWER: frozenset(),
}


class Principal(BaseModel):
    """Who acts: a signed-in user (or the system).  ``units`` and ``districts`` are the scope of
    an auditor (assigned units, or every unit whose district is assigned) or the officer's unit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    username: Annotated[str, Field(min_length=1, max_length=64)]
    role: Role
    units: frozenset[str] = frozenset()
    districts: frozenset[str] = frozenset()
    #: True only for :func:`system_principal`: acts with every right and has no account to read.
    system: bool = False

    def __str__(self) -> str:
        return self.username


def system_principal(name: str = "system") -> Principal:
    """The system acting under ``name`` (recorded as the author): the CLI (whoever holds the
    database file holds the data), the demo loader, the nightly snapshot.  The only way to act
    without an account; the web app never builds one."""
    return Principal(username=name, role=Role.ADMIN, system=True)


#: The demo loader and scheduled jobs.
SYSTEM = system_principal("system")


class PermissionDenied(QmsError):
    """The signed-in user may not make this change; nothing was written."""


def as_principal(actor: object) -> Principal:
    """A write's author, which must be a :class:`Principal` (a signed-in account, or
    :func:`system_principal`).  A plain name is refused: it once meant full rights, which any
    caller outside the CLI could claim by passing a string."""
    if isinstance(actor, Principal):
        return actor
    raise PermissionDenied(
        f"A change needs a signed-in account or the system acting explicitly, not the name {str(actor)!r}; nothing was saved.",
        vi=f"Thay đổi cần một tài khoản đã đăng nhập hoặc hệ thống, không phải tên {str(actor)!r}; chưa lưu gì.",
    )


def allowed(actor: Principal, op: Operation, *, unit_code: str | None = None, district_code: str | None = None) -> bool:
    """Whether ``actor`` may do ``op`` (on ``unit_code``, whose district is ``district_code``)."""
    if op not in ALLOWED[actor.role]:
        return False
    if actor.role is Role.ADMIN or op not in UNIT_SCOPED:
        return True
    if unit_code is None:
        return False
    return unit_code in actor.units or (district_code is not None and district_code in actor.districts)


def require(actor: Principal, op: Operation, *, unit_code: str | None = None, district_code: str | None = None) -> Principal:
    """Raise :class:`PermissionDenied` (one sentence) unless the change is allowed; return the principal."""
    who = as_principal(actor)
    if not allowed(who, op, unit_code=unit_code, district_code=district_code):
        target = f" for unit {unit_code}" if unit_code else ""
        vi_target = f" của đơn vị {unit_code}" if unit_code else ""
        raise PermissionDenied(
            f"{who.username} ({who.role.value}) may not {op.value.replace('_', ' ')}{target}; nothing was saved.",
            vi=f"Tài khoản {who.username} ({ROLE_VI[who.role]}) không có quyền thực hiện thao tác này{vi_target}; chưa lưu gì.",
        )
    return who


def require_each(actor: Principal, op: Operation, unit_codes, districts: dict[str, str | None] | None = None) -> Principal:
    """:func:`require` for every unit a batch write touches (``districts`` maps a unit to its
    district, for auditors' district scopes); the first unit out of scope refuses the batch."""
    who = as_principal(actor)
    for code in sorted(set(unit_codes)):
        require(who, op, unit_code=code, district_code=(districts or {}).get(code))
    if not unit_codes:
        require(who, op) if op not in UNIT_SCOPED else None
    return who


ROLE_VI = {Role.ADMIN: "quản trị", Role.AUDITOR: "đánh giá viên", Role.OFFICER: "thư ký ISO", Role.VIEWER: "chỉ xem"}

# -- passwords ---------------------------------------------------------------------------------

#: scrypt cost: 2**14 iterations of a 16 MiB memory-hard function, ~50 ms on a laptop core.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64); a fresh random salt each time."""
    check_password_strength(password)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P),
                     base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


def verify_password(password: str, stored: str) -> bool:
    """Constant-time comparison; a malformed stored hash never verifies."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


@functools.cache
def unknown_account_hash() -> str:
    """A hash of a random password with the same scrypt cost, checked when a name has no
    account (or is deactivated), so that the answer takes as long as for a real account and
    the time does not tell which names exist."""
    return hash_password(secrets.token_urlsafe(24))


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise QmsError(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.",
            vi=f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
        )


def new_password() -> str:
    """A random password for demo accounts (printed once, never stored in clear)."""
    return secrets.token_urlsafe(12)


# -- throttling --------------------------------------------------------------------------------

#: Wrong passwords for a name before waiting starts, how long they are remembered after the
#: last one, and the longest wait.
FREE_FAILURES = 3
FAILURE_WINDOW = dt.timedelta(minutes=15)
MAX_WAIT_SECONDS = 300


def counted_failures(failures: int, last_failure: dt.datetime | None, now: dt.datetime) -> int:
    """The wrong passwords that still count: all of them (since the last correct one) until
    :data:`FAILURE_WINDOW` has passed without a new one, then none."""
    if last_failure is None or now - last_failure > FAILURE_WINDOW:
        return 0
    return failures


def wait_seconds(failures: int, last_failure: dt.datetime | None, now: dt.datetime) -> int:
    """Seconds before the next attempt on a name is checked, after ``failures`` wrong passwords
    (the last at ``last_failure``).

    The rule, exactly as the README states it: after the 3rd wrong password the next attempt is
    checked only 2 s after it, after the 4th 4 s, then 8, 16 ... s, at most
    :data:`MAX_WAIT_SECONDS`; an attempt during the wait is refused without checking the
    password (so a correct password is refused too and guessing gains nothing), and it neither
    counts nor lengthens the wait.  The count is cleared by a correct password, or forgotten
    :data:`FAILURE_WINDOW` after the last wrong one.
    """
    failures = counted_failures(failures, last_failure, now)
    if failures < FREE_FAILURES:
        return 0
    wait = min(MAX_WAIT_SECONDS, 2 ** (failures - FREE_FAILURES + 1))
    remaining = wait - (now - last_failure).total_seconds()
    return max(0, math.ceil(remaining))


# -- single sign-on (OpenID Connect through st.login) -----------------------------------------


def username_from_identity(claims, *, claim: str, domain: str | None = None) -> str:
    """The local account name an identity provider's user maps to: the value of ``claim``
    (``preferred_username`` by default in the settings), lower-cased.  With ``domain`` set, an
    e-mail-like value must be an address of that domain and its local part is the name (so
    ``email`` can be the claim where the provider sends nothing shorter).  One sentence otherwise:
    qms never invents an account for an identity it does not know."""
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        raise QmsError(f"The sign-in provider sent no {claim!r} for this user, so qms cannot tell which account it is.",
                       vi=f"Nhà cung cấp đăng nhập không gửi trường {claim!r} của người dùng này nên không xác định được tài khoản.")
    name = value.strip().lower()
    if domain:
        local, at, host = name.rpartition("@")
        if not at or host != domain.strip().lower():
            raise QmsError(f"{name} is not an address of {domain}; only {domain} accounts may sign in.",
                           vi=f"{name} không phải địa chỉ thuộc {domain}; chỉ tài khoản của {domain} được đăng nhập.")
        name = local
    return name
