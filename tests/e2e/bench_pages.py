"""Page latency in a real browser: every page of the app, measured to its idle state.

    .venv/bin/python -m tests.e2e.bench_pages --db FILE [--db FILE ...] [--runs 3] [--json]

For each database (the demo made by ``qms demo``; the national benchmark made by
``python -m qms.bench.generate --scale national``), the script adds a benchmark administrator
to a copy of it, starts the app on the copy (Streamlit, headless, localhost), signs in with
Debian's Chromium and opens every page of the sidebar ``--runs`` times in turn.  A view is timed
from the click on the page's link to the last change of the page's elements once the app's
script has finished its run and every chart shown has drawn (the idle state the browser suite
waits for, then 0.4 s without change), on the browser's own clock.  For each view it also counts the bytes the server sent over the websocket and the CPU
seconds the server process used.  It prints one row per page and database: the first view
(cold: the page's module and queries for the first time) and the warm views' median, min and
max, the largest number of bytes of a view, the median server CPU.

It is a benchmark, not a test: it prints figures and never fails on them
(docs/performance.md records them against the goals: every page idle within 1 s on the demo
and 1.5 s at national scale, warm, and no view sending more than 1 MB).
``tests/e2e/test_bench_pages.py`` runs it once, quickly, on the demo, to keep it working.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM_ARGS, CONTEXT_OPTIONS, free_port, server_command, start_server, stop_server  # noqa: E402
from tests.e2e.helpers import _CHARTS_DRAWN, IDLE, nav_link, sign_in, wait_idle  # noqa: E402 - the suite's own idle test

#: The sidebar's pages (url path, short name); the overview last, as sign-in lands on it (a click
#: on the page already open starts no run).
PAGES = [("units", "units"), ("processes", "processes"), ("audits", "audits"), ("actions", "actions"),
         ("reports", "reports"), ("targets", "targets"), ("import", "import"), ("status-import", "status-import"),
         ("changes", "changes"), ("users", "users"), ("change-log", "change-log"), ("", "overview")]

#: Records the browser-clock time of the last change anywhere in the app's page (elements added,
#: removed, changed), and of each change of the app's run state.  (A run faster than a frame may
#: never show "running": React batches the two states, so the run state alone cannot time it.)
_OBSERVE = """() => {
  window.__qmsStates = []; window.__qmsLast = performance.now();
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => { window.__qmsLast = performance.now(); })
    .observe(app, {attributes: true, childList: true, subtree: true, characterData: true});
  new MutationObserver(() => window.__qmsStates.push([performance.now(), app.getAttribute('data-test-script-state')]))
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
#: Settled: the app is idle, every chart shown has drawn, and nothing changed for QUIET_MS.
QUIET_MS = 400
_SETTLED = f"""() => document.querySelector('{IDLE}') !== null && ({_CHARTS_DRAWN})()
    && performance.now() - window.__qmsLast > {QUIET_MS}"""


@dataclass
class PageFigures:
    database: str
    page: str
    first_s: float = 0.0
    warm_s: list[float] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)

    def row(self) -> dict:
        warm = self.warm_s or [self.first_s]
        return {"database": self.database, "page": self.page, "first_s": round(self.first_s, 3),
                "warm_median_s": round(statistics.median(warm), 3), "warm_min_s": round(min(warm), 3),
                "warm_max_s": round(max(warm), 3), "max_bytes": max(self.bytes),
                "server_cpu_median_s": round(statistics.median(self.cpu_s), 3)}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of the process and its waited-for children, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _view(page, pid: int, path: str, received: list[int]) -> tuple[float, int, float]:
    """Open ``path`` by its sidebar link: (seconds to idle, bytes the server sent, server CPU)."""
    link = nav_link(page, path)
    received.clear()
    cpu0 = _cpu_seconds(pid)
    t0 = page.evaluate("performance.now()")
    link.click()
    page.wait_for_url(re.compile(rf"/{re.escape(path)}(\?.*)?$"), timeout=120_000)
    page.wait_for_function(_SETTLED, timeout=120_000, polling=50)
    end = page.evaluate("window.__qmsLast")
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        raise RuntimeError(f"page {path or '/'} shows an exception: {boxes.first.inner_text()[:500]}")
    return (end - t0) / 1000, sum(received), _cpu_seconds(pid) - cpu0


def measure(db: Path, runs: int, pages: list[tuple[str, str]], work: Path, browser=None) -> list[PageFigures]:
    """Every page of the app on a copy of ``db``, ``runs`` times (the first cold); ``browser``: a
    Playwright Chromium already launched (the browser suite's: one sync Playwright per thread),
    else one of its own."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    copy = work / db.name
    shutil.copyfile(db, copy)
    password = secrets.token_urlsafe(18)
    env = {**os.environ, "QMS_DB": str(copy), "QMS_EXPORTS": str(work / "exports"), "PYTHONUNBUFFERED": "1"}
    subprocess.run([sys.executable, "-m", "qms.cli", "users", "add", "--username", "bench.admin", "--role", "admin",
                    "--password-stdin"], input=password + "\n", text=True, env=env, cwd=ROOT, check=True, capture_output=True)
    cmd = server_command(free_port(), work / "egress.txt", "--server.headless", "true", "--server.address", "127.0.0.1",
                         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", "--server.runOnSave", "false")
    proc, base_url = start_server(cmd, env, work / "streamlit.log")
    figures = {path: PageFigures(database=db.name, page=name) for path, name in pages}
    try:
        with contextlib.ExitStack() as stack:
            if browser is None:
                pw = stack.enter_context(sync_playwright())
                browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
                stack.callback(browser.close)
            context = browser.new_context(**CONTEXT_OPTIONS)
            stack.callback(context.close)
            context.set_default_timeout(120_000)
            page = context.new_page()
            received: list[int] = []
            page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(len(payload))))
            sign_in(page, base_url, "bench.admin", password)
            wait_idle(page)
            page.evaluate(_OBSERVE)
            for run in range(runs):
                for path, _ in pages:
                    try:
                        seconds, sent, cpu = _view(page, proc.pid, path, received)
                    except PlaywrightTimeout:
                        states = page.evaluate("window.__qmsStates.slice(-6)")
                        print(f"{db.name} {path or '/'}: no idle state within 120 s (last states {states}); "
                              f"server log {work / 'streamlit.log'}", file=sys.stderr)
                        seconds, sent, cpu = float("inf"), 0, 0.0
                    f = figures[path]
                    if run == 0:
                        f.first_s = seconds
                    else:
                        f.warm_s.append(seconds)
                    f.bytes.append(sent)
                    f.cpu_s.append(cpu)
    finally:
        stop_server(proc)
    return list(figures.values())


def table(rows: list[dict]) -> str:
    head = f"{'database':<22} {'page':<14} {'first':>7} {'warm med':>9} {'min':>7} {'max':>7} {'max bytes':>11} {'cpu med':>8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['database'][:22]:<22} {r['page']:<14} {r['first_s']:>6.2f}s {r['warm_median_s']:>8.2f}s "
                     f"{r['warm_min_s']:>6.2f}s {r['warm_max_s']:>6.2f}s {r['max_bytes']:>11,} {r['server_cpu_median_s']:>7.2f}s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, action="append", required=True, help="a database to measure (repeatable)")
    parser.add_argument("--runs", type=int, default=3, help="views of each page (the first is cold)")
    parser.add_argument("--pages", nargs="*", help="only these pages (short names)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    args = parser.parse_args(argv)
    pages = [p for p in PAGES if not args.pages or p[1] in args.pages]
    rows = []
    started = time.perf_counter()
    for db in args.db:
        with tempfile.TemporaryDirectory(prefix="qms-bench-pages-") as work:
            rows += [f.row() for f in measure(db, max(1, args.runs), pages, Path(work))]
    print(json.dumps(rows, ensure_ascii=False) if args.json else table(rows))
    if not args.json:
        print(f"({time.perf_counter() - started:.0f} s; goals: warm ≤ 1 s on the demo, ≤ 1.5 s national; ≤ 1,000,000 bytes a view)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

