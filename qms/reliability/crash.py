"""Crash safety: writers killed with SIGKILL at random, then the database's invariants.

``python -m qms.reliability.crash [--trials 30] [--kind KIND]... [--seed N] [--json]``

For each kind of write (:data:`qms.reliability.crash_work.KINDS`) and each trial: a copy of the
demo database, a child process writing that kind through the store's own functions in a loop,
killed with SIGKILL after a random delay once its set-up is committed; then the database is
opened and checked (:func:`qms.reliability.crash_checks.check_trial`).  Prints one line per kind
(trials, writes the children claimed, violations) and every violation; exit status 1 if there
was any.  Builds its own demo database in a temporary folder (or ``--workdir``); never opens
yours.  The quick variant runs in the test suite (``tests/reliability/test_crash_safety.py``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from qms.kernel.settings import PROJECT_ROOT
from qms.reliability.crash_checks import check_trial
from qms.reliability.crash_work import KINDS

#: The longest random delay before the kill, per kind: about the time of a few of its writes
#: on a loaded 2-core machine, so kills land before, inside and between transactions.
KILL_WINDOW_S = {"events": 3.0, "audit_saves": 2.0, "audit_submits": 4.0, "action_steps": 1.5, "import_units": 2.0,
                 "import_tthc": 3.0, "import_processes": 3.0, "import_status": 3.0, "snapshots": 8.0}
READY_TIMEOUT_S = 180


@dataclasses.dataclass
class Trial:
    kind: str
    trial: int
    delay_s: float
    claimed: int
    killed: bool
    violations: list[str]


@dataclasses.dataclass
class CrashReport:
    trials: list[Trial] = dataclasses.field(default_factory=list)

    def kinds(self) -> list[str]:
        return list(dict.fromkeys(t.kind for t in self.trials))

    @property
    def violations(self) -> int:
        return sum(len(t.violations) for t in self.trials)

    def summary(self) -> list[dict]:
        return [{"kind": k, "trials": sum(1 for t in self.trials if t.kind == k),
                 "killed": sum(1 for t in self.trials if t.kind == k and t.killed),
                 "writes_claimed": sum(t.claimed for t in self.trials if t.kind == k),
                 "violations": sum(len(t.violations) for t in self.trials if t.kind == k)} for k in self.kinds()]

    def to_json(self) -> dict:
        return {"summary": self.summary(), "violations": self.violations,
                "trials": [dataclasses.asdict(t) for t in self.trials]}


def demo_database(path: Path) -> Path:
    """A fresh Lai Châu demo at ``path`` (the trials' starting point)."""
    from qms.demo.store import load_demo
    from qms.kernel.db import open_database

    db = open_database(path)
    try:
        load_demo(db, PROJECT_ROOT / "data" / "demo")
    finally:
        db.close()
    return path


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return env


def run_trial(kind: str, trial: int, base: Path, workdir: Path, rng: random.Random) -> Trial:
    """One child of ``kind`` on a copy of ``base``, killed after a random delay, then checked."""
    db_path = workdir / f"{kind}-{trial}.duckdb"
    exports = workdir / f"{kind}-{trial}-exports"
    shutil.copyfile(base, db_path)
    child = subprocess.Popen([sys.executable, "-m", "qms.reliability.crash_work", kind, str(db_path), str(exports),
                              str(rng.randrange(1 << 30))],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_child_env(), cwd=PROJECT_ROOT)
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:   # drain the pipe so the child never blocks on a full one
        for line in child.stdout:
            lines.append(line)
            if '"ready"' in line:
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not ready.wait(READY_TIMEOUT_S) or child.poll() is not None and not any('"ready"' in x for x in lines):
        child.kill()
        child.wait()
        return Trial(kind, trial, 0.0, 0, False, [f"the child did not start: {child.stderr.read().strip()[-500:]}"])
    delay = rng.uniform(0, KILL_WINDOW_S[kind])
    time.sleep(delay)
    killed = child.poll() is None
    if killed:
        os.kill(child.pid, signal.SIGKILL)
    child.wait()
    reader.join(10)
    errors = child.stderr.read()
    claims = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:   # the line the kill cut short
            continue
        if not ({"ready", "finished"} & set(record)):
            claims.append(record)
    violations = check_trial(kind, db_path, exports, claims)
    if not killed and child.returncode != 0:
        violations.append(f"the child failed before the kill: {errors.strip()[-500:]}")
    for path in (db_path, db_path.with_name(db_path.name + ".wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(db_path.with_name(db_path.name + ".tmp"), ignore_errors=True)
    shutil.rmtree(exports, ignore_errors=True)
    return Trial(kind, trial, round(delay, 3), len(claims), killed, violations)


def run(kinds: Sequence[str] = tuple(KINDS), trials: int = 30, *, seed: int = 14, workdir: Path | None = None,
        base: Path | None = None, say: Callable[[str], None] | None = None) -> CrashReport:
    """Run ``trials`` killed children of each kind; ``base`` is a demo database to start from
    (built in ``workdir`` when not given)."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="qms-crash-", dir=workdir) as tmp:
        tmp_path = Path(tmp)
        if base is None:
            base = demo_database(tmp_path / "base.duckdb")
        report = CrashReport()
        for kind in kinds:
            for trial in range(trials):
                result = run_trial(kind, trial, base, tmp_path, rng)
                report.trials.append(result)
                if say:
                    say(f"{kind} #{trial + 1}: killed after {result.delay_s:.2f} s, {result.claimed} writes claimed, "
                        f"{len(result.violations)} violations")
        return report


def render(report: CrashReport) -> str:
    rows = [f"{'kind':<18}{'trials':>7}{'killed':>7}{'writes':>8}{'violations':>11}"]
    rows += [f"{s['kind']:<18}{s['trials']:>7}{s['killed']:>7}{s['writes_claimed']:>8}{s['violations']:>11}" for s in report.summary()]
    rows.append(f"{'total':<18}{len(report.trials):>7}{sum(t.killed for t in report.trials):>7}"
                f"{sum(t.claimed for t in report.trials):>8}{report.violations:>11}")
    for t in report.trials:
        rows += [f"  {t.kind} #{t.trial + 1}: {v}" for v in t.violations]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qms.reliability.crash", description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=30, help="killed children per kind (default 30)")
    parser.add_argument("--kind", action="append", choices=sorted(KINDS), help="only this kind (repeatable; default all)")
    parser.add_argument("--seed", type=int, default=14, help="seed of the kill delays (default 14)")
    parser.add_argument("--workdir", help="where the throw-away databases go (default: the system's temporary folder)")
    parser.add_argument("--json", action="store_true", help="print the figures and every trial as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on standard error")
    args = parser.parse_args(argv)
    if args.trials < 1:
        parser.error("--trials must be at least 1")
    say = None if args.quiet else (lambda msg: print(f"crash: {msg}", file=sys.stderr, flush=True))
    started = time.perf_counter()
    report = run(args.kind or tuple(KINDS), args.trials, seed=args.seed,
                 workdir=Path(args.workdir) if args.workdir else None, say=say)
    if args.json:
        print(json.dumps({**report.to_json(), "seconds": round(time.perf_counter() - started, 1)}, ensure_ascii=False, indent=2))
    else:
        print(render(report))
        print(f"{report.violations} violations in {len(report.trials)} trials ({time.perf_counter() - started:.0f} s).")
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
