"""The daily snapshot: the app writes it itself, because the app holds the database.

DuckDB lets one process hold the file, so no cron job can run ``qms export`` while the app runs.
Instead the app asks :meth:`NightlyJob.start` as it serves pages: when the setting is on and no
snapshot of today exists in the exports folder, it starts writing one (as of today) in a
background thread and returns at once, so no page run (and no other session) waits for an
export that takes seconds at province scale and tens of seconds at national scale.  One job per
exports folder and process (:func:`nightly_job`): a lock makes concurrent sessions start at most
one snapshot, and :attr:`NightlyJob.state` says what it is doing (shown on the reports page).

:func:`ensure_nightly` is the same work done in the caller's thread (the job runs it; tests and
scripts call it directly).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from pathlib import Path

from qms.accounts.rules import SYSTEM
from qms.exports import indicators
from qms.exports.settings_store import nightly_export_enabled
from qms.exports.snapshot import PARTIAL_SUFFIX, Progress, Snapshot, write_snapshot
from qms.kernel.clock import utc_now
from qms.kernel.errors import QmsError
from qms.kernel.settings import PROJECT_ROOT
from qms.units.store import count_units

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
    progress: Progress | None = None,
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
                              actor=SYSTEM, checklists_dir=checklists_dir, progress=progress)


@dataclasses.dataclass(frozen=True)
class NightlyState:
    """What the daily job is doing: ``idle`` (never started in this process), ``running``,
    ``written`` (``snapshot`` names it), ``nothing`` (no snapshot was needed) or ``failed``
    (``error``).  ``run`` counts the job's starts, so a page can tell a new outcome from one it
    has shown.  Times are UTC."""

    status: str = "idle"
    run: int = 0
    day: dt.date | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    table: str | None = None
    done: int = 0
    total: int = 0
    snapshot: str | None = None
    error: QmsError | None = None


class NightlyJob:
    """The daily snapshot of one exports folder, written by one background thread at a time."""

    def __init__(self, exports_dir: Path):
        self.exports_dir = Path(exports_dir)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        #: Replaced whole (never mutated), so a reader always sees one consistent state.
        self.state = NightlyState()

    def start(self, db, today: dt.date, *, methodology_path: Path | None = None,
              checklists_dir: Path = PROJECT_ROOT / "checklists", progress: Progress | None = None) -> NightlyState:
        """Start writing today's snapshot in the background if it is due; return at once with the
        state (a job already running is left to finish).  Cheap when nothing is due: one
        settings read and a folder listing.  ``progress`` is also called from the job's thread."""
        if not nightly_export_enabled(db) or has_snapshot_for(self.exports_dir, today):
            return self.state
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return self.state
            self.state = NightlyState(status="running", run=self.state.run + 1, day=today, started_at=utc_now())
            self._thread = threading.Thread(
                target=self._run, args=(db, today, methodology_path, checklists_dir, progress),
                name="qms-daily-snapshot", daemon=True)
            self._thread.start()
            return self.state

    def wait(self, timeout: float | None = None) -> NightlyState:
        """Wait for a running job (tests, an orderly shutdown); return the state."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.state

    def _run(self, db, today: dt.date, methodology_path: Path | None, checklists_dir: Path, progress: Progress | None) -> None:
        def report(done: int, total: int, table: str) -> None:
            self.state = dataclasses.replace(self.state, table=table, done=done, total=total)
            if progress is not None:
                progress(done, total, table)

        try:
            snap = ensure_nightly(db, self.exports_dir, today, methodology_path=methodology_path,
                                  checklists_dir=checklists_dir, progress=report)
        except QmsError as e:
            self.state = dataclasses.replace(self.state, status="failed", error=e, finished_at=utc_now())
        except Exception as e:  # noqa: BLE001 - a bug must not die silently in a thread: it is shown
            error = QmsError(f"The daily snapshot failed: {type(e).__name__}: {e}",
                             vi=f"Bản xuất hằng ngày bị lỗi: {type(e).__name__}: {e}")
            self.state = dataclasses.replace(self.state, status="failed", error=error, finished_at=utc_now())
        else:
            self.state = dataclasses.replace(self.state, status="written" if snap else "nothing",
                                             snapshot=snap.name if snap else None, finished_at=utc_now())


_JOBS: dict[str, NightlyJob] = {}
_JOBS_LOCK = threading.Lock()


def nightly_job(exports_dir: Path) -> NightlyJob:
    """The process's job for ``exports_dir`` (one per folder, made on first use)."""
    key = str(Path(exports_dir).resolve())
    with _JOBS_LOCK:
        return _JOBS.setdefault(key, NightlyJob(Path(exports_dir)))
