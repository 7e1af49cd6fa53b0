"""The export settings kept in the database: whether the app writes a nightly snapshot."""

from __future__ import annotations

from qms.accounts.principals_store import authorize
from qms.accounts.rules import Operation, Principal
from qms.changelog import store as changelog

NIGHTLY_KEY = "nightly_export"


def nightly_export_enabled(db) -> bool:
    """True when the app should write one snapshot a day (off until someone switches it on)."""
    return db.scalar("SELECT value FROM settings WHERE key = ?", [NIGHTLY_KEY]) == "on"


def set_nightly_export(db, enabled: bool, *, actor: Principal) -> bool:
    """Switch the nightly snapshot on or off; returns whether anything changed (and was logged).

    Needs the export permission (administrators; the CLI acts as the system).
    """

    def run(cur) -> bool:
        who = authorize(cur, actor, Operation.EXPORT)
        old = cur.execute("SELECT value FROM settings WHERE key = ?", [NIGHTLY_KEY]).fetchall()
        before = old[0][0] if old else "off"
        after = "on" if enabled else "off"
        if before == after:
            return False
        cur.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [NIGHTLY_KEY, after])
        changelog.append(cur, actor=who.username, action="update", entity="settings", key=NIGHTLY_KEY,
                         before={"value": before}, after={"value": after})
        return True

    return db.write(run)
