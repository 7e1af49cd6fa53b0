"""Demo accounts: one per role, with random passwords returned once (``qms demo`` prints them).

No password is fixed in the code or the files: each demo load draws new ones, and only their
scrypt hashes are stored.
"""

from __future__ import annotations

from qms.accounts import rules as accounts
from qms.accounts.rules import Role
from qms.changelog import store as changelog
from qms.changelog.text import unit_ref

ORDER = 90
#: Accounts are never emptied by ``qms demo --force``: a demo account that exists keeps its password.
TABLES: tuple[str, ...] = ()

#: (user name, full name, role, unit codes, district codes)
DEMO_ACCOUNTS = (
    ("admin", "Sở Khoa học và Công nghệ (quản trị)", Role.ADMIN, (), ()),
    # the inspector's area: two departments, two districts until 30/06/2025, and the new communes
    # formed from those districts' communes since 01/07/2025 (districts no longer exist)
    ("tdc", "Chi cục TĐC (thanh tra)", Role.AUDITOR,
     ("S12-01", "S12-02", "03388@2025-07-01", "03408@2025-07-01", "03390@2025-07-01", "03405@2025-07-01",
      "03430@2025-07-01", "03424@2025-07-01", "03394@2025-07-01"), ("105", "106")),
    # Phường Quyết Thắng went into the new Phường Đoàn Kết on 01/07/2025; its ISO officer with it
    ("iso.quyetthang", "Thư ký ISO Phường Quyết Thắng", Role.OFFICER, ("03386", "03388@2025-07-01"), ()),
    ("lanhdao", "Lãnh đạo UBND tỉnh", Role.VIEWER, (), ()),
)


def load(cur, *, demo_dir, settings, actor) -> dict:
    passwords: dict[str, str] = {}
    existing = {u for (u,) in cur.execute("SELECT username FROM users").fetchall()}
    for username, name, role, units, districts in DEMO_ACCOUNTS:
        if username in existing:
            continue
        password = accounts.new_password()
        passwords[username] = password
        cur.execute("INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, ?, ?)",
                    [username, name, role.value, accounts.hash_password(password)])
        known = {c for (c,) in cur.execute("SELECT code FROM units").fetchall()}
        units = tuple(c for c in units if c in known)  # the pre-reform demo has no 2025 units
        districts = tuple(c for c in districts if c in known)
        for kind, codes in (("unit", units), ("district", districts)):
            for code in codes:
                cur.execute("INSERT INTO user_scopes VALUES (?, ?, ?)", [username, kind, code])
        changelog.append(cur, actor=actor, action="insert", entity="users", key=username,
                         after={"display_name": name, "role": role.value, "units": units, "districts": districts})
    return {"accounts": len(passwords), "account_passwords": passwords}


#: Roles as the command line names them.
ROLE_NAMES = {Role.ADMIN: "administrator", Role.AUDITOR: "auditor / inspector", Role.OFFICER: "unit ISO officer",
              Role.VIEWER: "viewer (leaders), read-only"}


def described(passwords: dict[str, str]) -> list[tuple[str, str, str]]:
    """``(user name, password, role and scope)`` of each demo account given a password now, in
    the demo's order: what ``qms demo`` prints once."""
    out = []
    for username, _name, role, units, districts in DEMO_ACCOUNTS:
        if username not in passwords:
            continue
        scope = [f"units {', '.join(unit_ref(c, 'en') for c in units)}"] if units else []
        scope += [f"districts {', '.join(districts)}"] if districts else []
        out.append((username, passwords[username], ROLE_NAMES[role] + (f" ({'; '.join(scope)})" if scope else "")))
    return out
