"""The national roll-up at the size of the country: ``python -m qms.bench.rollup_bench``.

Builds a synthetic country of N province snapshots (default 34) and times ``qms rollup`` on them
(wall time and peak memory of the roll-up alone, in its own process), then the roll-up database.
Prints figures; never a test (docs/scale-out.md quotes them).

The provinces come from the benchmark's generator (:mod:`qms.bench.generate`, province scale: one
average province of the country before the reform, with the 2025 reform applied): ``--seeds``
databases are generated (25 s each on the reference machine), and each of the N provinces is a
copy of one of them with its province unit re-keyed to its own code and name
(:func:`rekey_province`), snapshotted by the real writer as of 30/06/2026.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from qms.accounts.rules import system_principal
from qms.bench.names import PROVINCES
from qms.bench.scales import AFTER_UNTIL


def rekey_province(db, old: str, new: str, name: str) -> None:
    """Give the province unit ``old`` the code ``new`` and the name ``name`` (a copy of a
    database standing for another province; its other units keep their codes)."""
    def run(cur) -> None:
        cur.execute("UPDATE units SET code = ?, gso_code = ? WHERE code = ?", [new, new, old])
        cur.execute("UPDATE units SET parent_code = ? WHERE parent_code = ?", [new, old])
        cur.execute("UPDATE unit_parents SET parent_code = ? WHERE parent_code = ?", [new, old])
        cur.execute("UPDATE unit_parents SET code = ? WHERE code = ?", [new, old])
        cur.execute("UPDATE unit_names SET code = ?, name = ? WHERE code = ?", [new, name, old])

    db.write(run, attempts=1)


def _say(msg: str) -> None:
    print(f"rollup bench: {msg}", file=sys.stderr, flush=True)


def make_country(workdir: Path, provinces: int, seeds: int) -> list[Path]:
    from qms.exports import indicators
    from qms.exports.snapshot import write_snapshot
    from qms.kernel.db import open_database

    bases = []
    for seed in range(1, seeds + 1):
        path = workdir / f"seed{seed}.duckdb"
        if not path.exists():
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "qms.bench.generate", "--scale", "province", "--seed", str(seed),
                            "--db", str(path)], check=True, stdout=subprocess.DEVNULL)
            _say(f"generated {path.name} in {time.perf_counter() - t0:.1f} s")
        bases.append(path)
    methodology = indicators.load()
    out = []
    t0 = time.perf_counter()
    for i, (code, name) in enumerate(PROVINCES[:provinces]):
        folder = workdir / "provinces" / code
        if folder.exists():
            out += [p for p in folder.iterdir() if not p.name.startswith(".")]
            continue
        copy = workdir / f"p{code}.duckdb"
        shutil.copyfile(bases[i % len(bases)], copy)
        db = open_database(copy)
        try:
            base_code = db.scalar("SELECT code FROM units WHERE level = 'province' ORDER BY code LIMIT 1")
            if base_code != code:
                rekey_province(db, base_code, code, name)
            snap = write_snapshot(db, folder, AFTER_UNTIL, methodology=methodology, actor=system_principal("rollup-bench"))
        finally:
            db.close()
        copy.unlink()
        out.append(snap.path)
    _say(f"{provinces} province snapshots ready in {time.perf_counter() - t0:.1f} s")
    return sorted(out)


#: Runs the CLI in a fresh interpreter and reports that process's own peak memory on stderr.
_CHILD = ("import resource, sys\nfrom qms.cli import main\nrc = main(sys.argv[1:])\n"
          "print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\nsys.exit(rc)")


def _timed(args: list[str]) -> dict:
    """Run ``qms`` in a child process; its wall time (interpreter start included) and peak resident memory."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"qms {' '.join(args)} failed: {done.stderr.strip()}")
    peak_kb = int(done.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak_kb / 1024, 1), "out": done.stdout}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qms.bench.rollup_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="folder for the generated databases and snapshots (reused)")
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--seeds", type=int, default=2, help="distinct generated provinces the others copy (default 2)")
    args = parser.parse_args(argv)
    if not 1 <= args.provinces <= len(PROVINCES):
        raise SystemExit(f"--provinces: 1 to {len(PROVINCES)}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    snapshots = make_country(args.workdir, args.provinces, args.seeds)
    national = args.workdir / "national"
    shutil.rmtree(national, ignore_errors=True)
    roll = _timed(["rollup", *map(str, snapshots), "--out", str(national), "--json"])
    folder = Path(json.loads(roll["out"])["path"])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    db = args.workdir / "national.duckdb"
    db.unlink(missing_ok=True)
    built = _timed(["rollup-db", str(folder), "--db", str(db)])
    size = sum(p.stat().st_size for p in folder.iterdir())
    rows = {t["name"]: t["rows"] for t in manifest["tables"]}
    print(f"provinces rolled up: {len(manifest['sources'])} (refused {len(manifest['refused'])})")
    print(f"qms rollup: {roll['seconds']} s wall, peak RSS {roll['peak_rss_mb']} MB (limits: 30 s, 1024 MB)")
    print(f"national snapshot: {size / 1e6:.1f} MB, {sum(rows.values()):,} rows "
          f"(units {rows['units']:,}, lifecycle_events {rows['lifecycle_events']:,}, audit_answers {rows['audit_answers']:,}, "
          f"process_tthc {rows['process_tthc']:,})")
    print(f"qms rollup-db: {built['seconds']} s wall, peak RSS {built['peak_rss_mb']} MB; {db.stat().st_size / 1e6:.1f} MB")
    return 0 if roll["seconds"] <= 30 and roll["peak_rss_mb"] <= 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
