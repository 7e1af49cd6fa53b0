"""Helpers the tests import by name (``from qms_testing import ...``): the accounts and database
copies the fixtures of tests/conftest.py are made of.  A module of its own, not ``conftest``: a
test importing ``conftest`` gets whichever conftest.py came first on the path (tests/audits has
its own), which depends on the order the suite collects folders in."""

from __future__ import annotations

import shutil
from pathlib import Path

from qms.accounts import store as account_store
from qms.accounts.rules import Principal, Role, system_principal
from qms.kernel.db import Database, open_database

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


def damaged_zips(members: dict[str, bytes]) -> dict[str, bytes]:
    """The zip of ``members`` (deflated) damaged three ways the zipfile module reports with three
    different exceptions: ``broken`` (an invalid deflate stream: zlib.error), ``encrypted`` (the
    password flag: RuntimeError), ``method`` (an unknown compression method: NotImplementedError).
    Every member is damaged alike, so whichever one a reader opens first fails."""
    import io
    import struct
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    good = buf.getvalue()

    def patched(local: list[tuple[int, bytes]], central: list[tuple[int, bytes]], data: bytes | None = None) -> bytes:
        out = bytearray(good)
        start = 0
        while (at := out.find(b"PK\x03\x04", start)) >= 0:
            for offset, value in local:
                out[at + offset:at + offset + len(value)] = value
            if data is not None:  # the member's first bytes: a deflate block of the reserved type 3
                name_len, extra_len = struct.unpack("<HH", out[at + 26:at + 30])
                begin = at + 30 + name_len + extra_len
                out[begin:begin + len(data)] = data
            start = at + 4
        start = 0
        while (at := out.find(b"PK\x01\x02", start)) >= 0:
            for offset, value in central:
                out[at + offset:at + offset + len(value)] = value
            start = at + 4
        return bytes(out)

    flags = struct.pack("<H", 0x1)
    method = struct.pack("<H", 99)
    return {"broken": patched([], [], data=b"\xff\xff\xff\xff"),
            "encrypted": patched([(6, flags)], [(8, flags)]),
            "method": patched([(8, method)], [(10, method)])}


# -- the house's layers (tests/test_layers.py, the permissions matrix's discovery) ------------------

UI, STORE, DOOR, TOOL, PURE = "ui", "store", "door", "tool", "pure"
#: Names that say "pure" wherever the module sits (``qms/exports/registry.py`` is the snapshot's
#: declared schema, plain data).
PURE_NAMES = ("labels", "model", "rules", "registry")


def module_role(rel: Path) -> str:
    """The layer of the module at ``rel`` (a path under ``qms/``), read from its name and folder."""
    stem, folder = rel.stem, rel.parts[0] if len(rel.parts) > 1 else ""
    if stem in PURE_NAMES or stem.endswith(tuple(f"_{n}" for n in PURE_NAMES)):
        return PURE
    if stem in ("page", "widgets") or stem.endswith(("_page", "_widgets")) or folder == "ui":
        return UI
    if folder in ("bench", "reliability"):
        return TOOL
    if stem in ("store", "queries", "sql") or stem.endswith(("_store", "_queries", "_sql")) or (
            folder == "kernel" and stem in ("db", "migrations")):
        return STORE
    if stem in ("cli", "export") or stem.startswith("cli_") or stem.endswith(("_cli", "_export")) or folder == "exports":
        return DOOR
    return PURE
