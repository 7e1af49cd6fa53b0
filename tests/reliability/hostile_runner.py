"""Run hostile files through every importer's reader in this process, under a memory cap (a
child of tests/reliability/test_hostile_files.py; run by hand it prints the same JSON lines).

    .venv/bin/python tests/reliability/hostile_runner.py [--scale 1] [--memory-mb 1024] [--long] [--measure-memory] [CASE ...]

Each line: case, importer, outcome (refused / accepted / crash), the message (or the crash's
type), seconds, the file's size, and with ``--measure-memory`` (on the first importer of a case:
they share the reader) the peak of Python's allocations while reading (MB, tracemalloc, in a
second run).  The last line is the peak resident memory while reading (the files are built first, then
Linux's peak counter is reset; where it cannot be, the process's peak).  The cap is RLIMIT_AS: a reader that tried to hold what the file claims would die
with a MemoryError here instead of taking the machine with it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hostile_workbooks  # noqa: E402

from qms.kernel.errors import QmsError  # noqa: E402
from qms.scope.importer import read_catalogue, read_processes  # noqa: E402
from qms.status_import.sheet import parse_status_file  # noqa: E402
from qms.units.importer import parse_units_file  # noqa: E402

TODAY = dt.date(2024, 6, 30)
READERS = {
    "units": lambda data, name: parse_units_file(data, name, today=TODAY),
    "tthc": lambda data, name: read_catalogue(data, name, today=TODAY, default_unit="03386"),
    "processes": lambda data, name: read_processes(data, name, today=TODAY),
    "status": lambda data, name: parse_status_file(data, name, today=TODAY),
}


def attempt(read, data: bytes, name: str) -> tuple[str, str]:
    try:
        read(data, name)
        return "accepted", ""
    except QmsError as e:
        return "refused", str(e)
    except BaseException as e:  # noqa: BLE001 - a crash is what this records
        return "crash", f"{type(e).__name__}: {e}"[:300]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--long", action="store_true", help="also the slow cases")
    parser.add_argument("--measure-memory", action="store_true", help="the peak of Python's allocations per case (slow)")
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_AS, (args.memory_mb * 1024 * 1024,) * 2)
    cases = hostile_workbooks.LONG_CASES if args.long else hostile_workbooks.CASES
    built = {case: cases[case](args.scale) for case in args.cases or list(cases)}
    reset_peak = reset_peak_memory()
    for case, (name, data) in built.items():
        for i, (importer, read) in enumerate(READERS.items()):
            start = time.perf_counter()
            outcome, message = attempt(read, data, name)
            seconds = time.perf_counter() - start
            peak = None
            if i == 0 and args.measure_memory:  # the importers share the reader: measured once (tracemalloc slows it tenfold)
                tracemalloc.start()
                attempt(read, data, name)
                peak = round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
                tracemalloc.stop()
            print(json.dumps({"case": case, "importer": importer, "file": name, "bytes": len(data), "outcome": outcome,
                              "message": message, "seconds": round(seconds, 3), "peak_mb": peak}), flush=True)
    print(json.dumps({"max_rss_mb": peak_memory_mb(reset_peak), "reading_only": reset_peak}), flush=True)


def reset_peak_memory() -> bool:
    """Forget the peak resident memory so far (building the files), so the last line measures the
    readers alone: Linux resets VmHWM on ``5`` written to clear_refs.  False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_memory_mb(reset: bool) -> float:
    """Peak resident memory (MB): since :func:`reset_peak_memory` when it worked, else of the process."""
    if reset:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


if __name__ == "__main__":
    main()
