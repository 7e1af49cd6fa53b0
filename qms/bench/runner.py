"""``run_benchmark``: build the synthetic database, measure every step, check the figures agree.

The database is always a new file in a temporary folder (or in ``workdir``), never the user's:
``qms bench`` refuses ``--db`` and ignores ``QMS_DB``.  It is built by a child process
(:mod:`qms.bench.generate`), so that generating millions of rows does not count in the peak
memory of this process, which then opens it the way the app does and measures.

Agreement: on several dates (before, across and after the 2020 merger of communes) the real
coverage functions, the pandas baseline, both prototypes and the pure domain reference
(:func:`qms.coverage.coverage_from_events`, per level) must give identical counts, and the
overview page must show the commune figure the store computes.  Any difference is listed in
the report and makes :attr:`BenchReport.agrees` false (``qms bench`` then exits with 1).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qms.bench import baseline, prototype, prototype_spans, steps, steps_writes
from qms.bench.measure import Figure, load_average, machine, peak_rss_mb
from qms.bench.scales import HISTORY_UNTIL, MERGER_DATE, SCALES, Scale
from qms.errors import QmsError
from qms.store import coverage
from qms.store.db import open_database

#: Dates the figures are compared on (the measured date is the last).
CHECK_DATES: tuple[dt.date, ...] = (
    dt.date(2017, 6, 30), dt.date(2018, 12, 31), MERGER_DATE - dt.timedelta(days=1), MERGER_DATE,
    dt.date(2021, 6, 30), HISTORY_UNTIL,
)
DEFAULT_SEED = 2025


@dataclass
class BenchReport:
    scale: Scale
    seed: int
    as_of: dt.date
    machine: dict[str, Any]
    load_before: list[float]
    load_after: list[float] = field(default_factory=list)
    generation: dict[str, Any] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    #: Steps that raised (each also appears as a FAILED figure).
    errors: list[str] = field(default_factory=list)
    checked_dates: list[str] = field(default_factory=list)
    peak_rss_mb_qms: float | None = None
    peak_rss_mb_total: float | None = None
    seconds_total: float | None = None
    db_path: str | None = None
    #: qms's counts per level on ``as_of`` (the figures the baseline had to reproduce).
    coverage: dict[str, dict[str, int]] = field(default_factory=dict)
    districts: int = 0

    @property
    def agrees(self) -> bool:
        return not self.differences

    @property
    def ok(self) -> bool:
        """Figures agree and no step failed."""
        return self.agrees and not self.errors

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def speedup(self) -> float | None:
        """Baseline median over the coverage query's median."""
        base, cov = self.figure("baseline").median, self.figure("coverage").median
        return round(base / cov, 1) if base and cov else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale.as_dict(), "seed": self.seed, "as_of": self.as_of.isoformat(), "machine": self.machine,
            "load_average_before": self.load_before, "load_average_after": self.load_after,
            "generation": self.generation, "figures": [f.as_dict() for f in self.figures],
            "coverage_as_of": self.coverage, "districts_listed": self.districts,
            "speedup_vs_baseline": self.speedup(), "goal_speedup": steps.GOAL_SPEEDUP,
            "agreement": {"agrees": self.agrees, "dates": self.checked_dates, "differences": self.differences},
            "errors": self.errors, "ok": self.ok,
            "peak_rss_mb": {"after_qms_steps": self.peak_rss_mb_qms, "after_baseline": self.peak_rss_mb_total,
                            "generator_process": self.generation.get("peak_rss_mb")},
            "seconds_total": self.seconds_total, "db_path": self.db_path,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2, default=str)


def _generate(db_path: Path, scale: Scale, seed: int, say) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "qms.bench.generate", "--scale", scale.name, "--seed", str(seed), "--db", str(db_path)]
    for day in CHECK_DATES:
        cmd += ["--as-of", day.isoformat()]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [line.removeprefix("qms bench: ") for line in done.stderr.splitlines() if line.strip()]
    if done.returncode != 0:
        last = lines[-1] if lines else "no message"
        raise QmsError(f"Generating the {scale.name} benchmark database failed (exit {done.returncode}): {last}")
    for line in lines:
        say(line)
    return json.loads(done.stdout)


def _compare(name: str, expected: baseline.CoverageFigures, got: baseline.CoverageFigures, day: dt.date) -> list[str]:
    return [f"{day.isoformat()} {name}: {d}" for d in baseline.differences(expected, got)]


def _reference_differences(reference: dict, qms: baseline.CoverageFigures, day: dt.date) -> list[str]:
    out = []
    for level, counts in reference.get(day.isoformat(), {}).items():
        mine = qms.by_level.get(level, {})
        want = {"in_plan": counts["in_plan"], "announced": counts["announced"], "building": counts["building"],
                "applying": counts["applying"], "never_started": counts["not_started"]}
        got = {k: mine.get(k) for k in want}
        if want != got:
            out.append(f"{day.isoformat()} pure reference vs qms, {level}: {want} != {got}")
    return out


def _render_differences(fig: Figure, qms: baseline.CoverageFigures, day: dt.date) -> list[str]:
    shown = fig.extra.get("metrics_shown", {}).get("Cấp xã")
    if shown is None:
        return [] if not fig.available else [f"{day.isoformat()} overview: no commune metric shown"]
    c = qms.by_level["commune"]
    want = f"{c['announced']}/{c['in_plan']}"
    return [] if shown == want else [f"{day.isoformat()} overview shows communes {shown}, the store computes {want}"]


def _size(text: str) -> str:
    """A memory size as DuckDB writes it (digits and a unit); anything else is refused before it
    reaches SQL (a SET takes no bound parameter)."""
    import re

    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", text.strip(), re.IGNORECASE):
        raise QmsError(f"--memory-limit: {text!r} is not a size such as 1GB or 512MB.")
    return text.strip()


def _guarded(report: "BenchReport", key: str, title: str, unit: str, fn) -> list[Figure]:
    """Run a step; a step that raises becomes an unavailable figure naming the error, and the
    error is recorded (the benchmark then fails: it must not hide a broken feature)."""
    try:
        out = fn()
    except Exception as e:  # noqa: BLE001 - reported, never swallowed
        message = f"{type(e).__name__}: {e}".splitlines()[0]
        report.errors.append(f"{title}: {message}")
        return [Figure(key, title, unit, available=False, note=f"FAILED: {message}")]
    return out if isinstance(out, list) else [out]


def run_benchmark(scale: str | Scale = "province", *, seed: int = DEFAULT_SEED, workdir: Path | None = None,
                  keep: bool = False, threads: int | None = None, memory_limit: str | None = None,
                  progress=None) -> BenchReport:
    """Build the benchmark database at ``scale``, measure every available step, compare figures.

    ``workdir``: where the database goes and stays (default: a new temporary folder, removed
    afterwards unless ``keep``); it must not already hold a benchmark database of that scale.  ``threads``: DuckDB
    threads (default: DuckDB's own, one per core).  ``memory_limit``: DuckDB's memory limit, e.g.
    ``"1GB"`` (default: the app's own, ``QMS_MEMORY_LIMIT`` or 512MB, :func:`qms.settings.memory_limit_from_env`).  ``progress``: a callable receiving short
    progress lines (default: none).
    """
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    scale = SCALES[scale] if isinstance(scale, str) else scale
    memory_limit = _size(memory_limit) if memory_limit else None
    own_dir = workdir is None
    folder = Path(tempfile.mkdtemp(prefix="qms-bench-")) if own_dir else Path(workdir)
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / f"bench-{scale.name}.duckdb"
    if db_path.exists():
        raise QmsError(f"{db_path} already exists; choose an empty --workdir (the benchmark never reuses a database).")
    try:
        say(f"generating the {scale.name} dataset (seed {seed}) in {db_path}")
        generation = _generate(db_path, scale, seed, say)
        db = open_database(db_path, memory_limit=memory_limit)  # None: the app's setting
        try:
            if threads:
                db.rows(f"SET threads = {int(threads)}")
            as_of = HISTORY_UNTIL
            report = BenchReport(scale, seed, as_of, machine(db), load_average(), generation=generation)
            ctx = steps.Context(db, db_path, folder, scale, as_of)
            say("measuring the coverage query")
            cov, qms_main = steps.measure_coverage(ctx)
            report.coverage, report.districts = qms_main.by_level, len(qms_main.by_district)
            proto, proto_main = steps.measure_prototype(ctx)
            spans, spans_main = steps.measure_prototype_spans(ctx)
            diffs = _compare("prototype vs qms", proto_main, qms_main, as_of)
            diffs += _compare("spans prototype vs qms", spans_main, qms_main, as_of)
            (scope_fig,) = _guarded(report, "scope_overview", "1d. scope overview", "s", lambda: steps.measure_scope(ctx))
            say("rendering the overview page")
            (render_fig,) = _guarded(report, "overview_render", "2. overview page render (AppTest, warm)", "s",
                                     lambda: steps.measure_render(ctx))
            diffs += _render_differences(render_fig, qms_main, as_of)
            say("saving checklists, writing snapshots (where available)")
            checklist = _guarded(report, "checklist_draft_save", "3. checklist save and submit (100 answers)", "s",
                                 lambda: steps_writes.measure_checklist(ctx))
            (snapshot,) = _guarded(report, "snapshot", "4. full Parquet snapshot", "s", lambda: steps_writes.measure_snapshot(ctx))
            report.peak_rss_mb_qms = peak_rss_mb()
            say("measuring the pandas baseline")
            base, base_main = steps.measure_baseline(ctx)
            report.figures = [cov, proto, spans, scope_fig, render_fig, *checklist, snapshot, base]
            for fig in report.figures:
                if fig.available and fig.median is not None and base.median:
                    fig.ratio_to_baseline = round(fig.median / base.median, 4)
            say("checking that every computation gives the same figures")
            # The write steps recorded lifecycle events: the spans prototype's derived rows are
            # refreshed as its proposed write path would, and every check below is recomputed now.
            if ctx.touched_units:
                db.write(lambda cur: prototype_spans.refresh(cur, sorted(set(ctx.touched_units))))
            diffs += _compare("baseline vs qms", base_main, steps.coverage_figures(db, as_of), as_of)
            cur = db.cursor()
            for day in CHECK_DATES:
                mine = steps.coverage_figures(db, day)
                if coverage.coverage_on(db, day) != (coverage.by_level(db, day), coverage.by_district(db, day)):
                    diffs.append(f"{day.isoformat()} coverage_on differs from by_level + by_district")
                diffs += _compare("baseline vs qms", baseline.naive_coverage(cur, day), mine, day)
                diffs += _compare("prototype vs qms", baseline.qms_figures(*prototype.coverage_on(db, day)), mine, day)
                diffs += _compare("spans prototype vs qms", baseline.qms_figures(*prototype_spans.coverage_on(db, day)), mine, day)
                diffs += _reference_differences(generation.get("reference", {}), mine, day)
                if prototype_spans.trend(db, day) != coverage.trend(db, day):
                    diffs.append(f"{day.isoformat()} spans prototype: the trend differs from qms.store.coverage.trend")
            cur.close()
            report.differences = diffs
            report.checked_dates = [d.isoformat() for d in CHECK_DATES]
            report.peak_rss_mb_total = peak_rss_mb()
            report.figures.append(Figure("peak_memory", "6. peak memory of the process (after the qms steps)", "MB",
                                         [report.peak_rss_mb_qms], goal=steps.GOAL_PEAK_MB, goal_text="<= 1 GB",
                                         extra={"after_baseline_mb": report.peak_rss_mb_total}))
            report.load_after = load_average()
        finally:
            db.close()
        report.seconds_total = round(time.perf_counter() - started, 1)
        if keep or not own_dir:
            report.db_path = str(db_path)
        return report
    finally:
        if own_dir and not keep:
            shutil.rmtree(folder, ignore_errors=True)
