"""Helpers the tests import by name (``from qms_testing import ...``): the accounts and database
copies the fixtures of tests/conftest.py are made of.  A module of its own, not ``conftest``: a
test importing ``conftest`` gets whichever conftest.py came first on the path (tests/audits has
its own), which depends on the order the suite collects folders in."""

from __future__ import annotations

import shutil
from pathlib import Path

from qms.accounts import Principal, Role, system_principal
from qms.store import accounts as account_store
from qms.store.db import Database, open_database

TEST_ADMIN = Principal(username="test-admin", role=Role.ADMIN)
#: The password of accounts the tests create (never a real one).
TEST_PASSWORD = "mật khẩu thử nghiệm 1"


def add_account(db: Database, principal: Principal, *, password: str = TEST_PASSWORD) -> Principal:
    """Make ``principal`` an active account of ``db`` with its role and scope (created by the
    system when missing; a database without accounts gets it as its first administrator)."""
    existing = {u.username for u in account_store.list_users(db)}
    if principal.system or principal.username in existing:
        return principal
    if not existing and principal.role is not Role.ADMIN:
        add_account(db, Principal(username="tests-admin", role=Role.ADMIN), password=password)
    account_store.create_user(db, username=principal.username, display_name=principal.username, role=principal.role,
                              password=password, units=principal.units, districts=principal.districts,
                              actor=system_principal("tests"))
    return principal


def add_account_to(path: Path, principal: Principal) -> Principal:
    """:func:`add_account` on the (closed) database file ``path``, before a page opens it."""
    database = open_database(path)
    try:
        return add_account(database, principal)
    finally:
        database.close()


def copy_database(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():  # pragma: no cover - a closed database has no WAL
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    return target
