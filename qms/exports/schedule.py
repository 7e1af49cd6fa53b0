"""The nightly snapshot: the app writes it itself, because the app holds the database.

DuckDB lets one process hold the file, so no cron job can run ``qms export`` while the app runs.
Instead the app calls :func:`ensure_nightly` as it serves pages: when the setting is on and no
snapshot of today exists in the exports folder, it writes one (as of today).  The call is
idempotent and cheap when there is nothing to do (one settings read and a folder listing), and a
lock makes concurrent sessions of one app process write at most one snapshot.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from qms.accounts import SYSTEM
from qms.exports import indicators
from qms.exports.snapshot import PARTIAL_SUFFIX, Snapshot, write_snapshot
from qms.settings import PROJECT_ROOT
from qms.store.export_settings import nightly_export_enabled
from qms.store.units import count_units

_LOCK = threading.Lock()


def has_snapshot_for(exports_dir: Path, day: dt.date) -> bool:
    """A finished snapshot as of ``day`` exists in ``exports_dir`` (partial folders do not count)."""
    exports_dir = Path(exports_dir)
    if not exports_dir.is_dir():
        return False
    prefix = f"{day.isoformat()}_"
    return any(p.is_dir() and p.name.startswith(prefix) and not p.name.endswith(PARTIAL_SUFFIX) for p in exports_dir.iterdir())


def ensure_nightly(
    db,
    exports_dir: Path,
    today: dt.date,
    *,
    methodology_path: Path | None = None,
    checklists_dir: Path = PROJECT_ROOT / "checklists",
) -> Snapshot | None:
    """Write today's snapshot if the nightly export is on and none exists yet; else do nothing.

    Returns the snapshot written, or None.  An empty database (no unit) is not exported.  The
    job acts as the system (whoever's page run happens to trigger it).
    Errors (an unreadable methodology, a full disk) propagate: the caller shows them.
    """
    if not nightly_export_enabled(db) or has_snapshot_for(exports_dir, today):
        return None
    with _LOCK:
        if has_snapshot_for(exports_dir, today) or not count_units(db):
            return None
        return write_snapshot(db, exports_dir, today, methodology=indicators.load(methodology_path),
                              actor=SYSTEM, checklists_dir=checklists_dir)
