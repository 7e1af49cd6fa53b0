"""Export work that must not weigh on page runs (issue 14, defect 13): the daily snapshot in a
background thread, the download's zip built once, and leftovers of killed exports removed."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import time
from pathlib import Path

from qms.accounts.rules import system_principal
from qms.exports.schedule import NightlyJob, has_snapshot_for
from qms.exports.settings_store import set_nightly_export
from qms.exports.snapshot import STALE_PARTIAL_AGE, snapshot_zip, write_snapshot, zip_bytes

from .conftest import ADMIN, AS_OF_2016

TODAY = dt.date(2021, 12, 31)


def test_the_daily_snapshot_is_written_in_the_background_once(demo_db, tmp_path):
    set_nightly_export(demo_db, True, actor=system_principal("tester"))
    job = NightlyJob(tmp_path / "out")
    writing, release = threading.Event(), threading.Event()

    def held(done: int, total: int, table: str) -> None:   # the export waits here until released
        writing.set()
        assert release.wait(60)

    t0 = time.perf_counter()
    state = job.start(demo_db, TODAY, progress=held)
    assert state.status == "running" and time.perf_counter() - t0 < 5    # returned while the export runs
    assert writing.wait(60) and not has_snapshot_for(tmp_path / "out", TODAY)
    starts = []
    threads = [threading.Thread(target=lambda: starts.append(job.start(demo_db, TODAY))) for _ in range(5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert {s.run for s in starts} == {state.run} and job.state.status == "running"   # no second export
    release.set()
    final = job.wait(120)
    assert final.status == "written" and final.total > 0 and final.done == final.total
    assert [p.name for p in (tmp_path / "out").iterdir()] == [final.snapshot]
    assert job.start(demo_db, TODAY).run == state.run    # today's exists: nothing more to do


def test_a_failed_daily_snapshot_is_reported_not_raised(demo_db, tmp_path):
    set_nightly_export(demo_db, True, actor=system_principal("tester"))
    bad = tmp_path / "methodology.yaml"
    bad.write_text("criteria: [\n", encoding="utf-8")
    job = NightlyJob(tmp_path / "out")
    job.start(demo_db, TODAY, methodology_path=bad)
    state = job.wait(120)
    assert state.status == "failed" and "methodology.yaml" in str(state.error)
    assert not has_snapshot_for(tmp_path / "out", TODAY)


def _age(path: Path, by: dt.timedelta) -> None:
    old = time.time() - by.total_seconds()
    os.utime(path, (old, old))


def test_leftovers_of_killed_exports_are_removed_by_the_next_one(demo_db, tmp_path, methodology):
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".2016-12-31_20240101T000000Z.partial"
    stale.mkdir()
    (stale / "units.parquet").write_bytes(b"half")
    stale_zip = out / ".2016-12-31_x-0123.zip.99.1.partial"
    stale_zip.write_bytes(b"half a zip")
    fresh = out / ".2016-12-31_20991231T000000Z.partial"   # another export writing now
    fresh.mkdir()
    _age(stale, STALE_PARTIAL_AGE + dt.timedelta(minutes=1))
    _age(stale_zip, STALE_PARTIAL_AGE + dt.timedelta(minutes=1))
    snap = write_snapshot(demo_db, out, AS_OF_2016, methodology=methodology, actor=ADMIN)
    assert sorted(p.name for p in out.iterdir()) == sorted([fresh.name, snap.name])


def test_the_download_zip_is_built_once_per_snapshot(demo_snapshot, tmp_path):
    folder = Path(shutil.copytree(demo_snapshot.path, tmp_path / demo_snapshot.name))
    first = snapshot_zip(folder)
    stamp = first.stat().st_mtime_ns
    again = snapshot_zip(folder)
    assert again == first and again.stat().st_mtime_ns == stamp and first.name.startswith(".")
    assert first.read_bytes() == zip_bytes(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([folder.name, first.name])  # no leftover
