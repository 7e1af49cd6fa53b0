"""``run_benchmark``: build the synthetic database, measure every step, check the figures agree.

The database is always a new file in a temporary folder (or in ``workdir``), never the user's:
``qms bench`` refuses ``--db`` and ignores ``QMS_DB``.  It is built by a child process
(:mod:`qms.bench.generate`), so that generating millions of rows does not count in the peak
memory of this process, which then opens it the way the app does and measures.

The database holds the country of today on top of the pre-2025 history (the 2025 reform is
imported by the generator through the app's import path, and timed there): every figure is
measured twice, on a date before the reform (31/12/2021: 63 provinces, ~700 districts, ~10,000
communes) and on one after it (30/06/2026: 34 provinces, 3,321 commune-level units, no
district).

Agreement: on several dates (before, across and after the 2020 merger of communes, on the eve
of the 2025 reform, on its first day and after it) the real coverage functions, the pandas
baseline, both prototypes and the pure domain reference (:func:`qms.coverage.rules.coverage_from_events`,
per level; the communes under no district with their stages, record by record) must give
identical counts, and the overview page must show the commune figure the store computes.  Any
difference is listed in the report and makes :attr:`BenchReport.agrees` false (``qms bench``
then exits with 1).
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
from qms.bench.scales import AFTER_UNTIL, HISTORY_UNTIL, MERGER_DATE, REFORM_DATE, SCALES, Scale
from qms.bench.validate import without_district_summary
from qms.coverage import queries as coverage
from qms.kernel.db import open_database
from qms.kernel.errors import QmsError

#: Dates the figures are compared on (the measured date is the last).
CHECK_DATES: tuple[dt.date, ...] = (
    dt.date(2017, 6, 30), dt.date(2018, 12, 31), MERGER_DATE - dt.timedelta(days=1), MERGER_DATE,
    dt.date(2021, 6, 30), HISTORY_UNTIL, REFORM_DATE - dt.timedelta(days=1), REFORM_DATE, dt.date(2025, 12, 31),
    AFTER_UNTIL,
)
#: The dates every figure is measured on: before the 2025 reform and after it.
MEASURED_DATES: tuple[dt.date, ...] = (HISTORY_UNTIL, AFTER_UNTIL)
#: The goal proposed for the crosswalk import of a whole country (both acts, parse and write).
GOAL_IMPORT_S = 60.0
DEFAULT_SEED = 2025


#: Key suffix of the figures measured after the reform (``coverage_after``...).
AFTER = "_after"


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
    #: The date after the reform the figures with keys ending in ``_after`` are measured on
    #: (None when the database was built without the reform), and qms's figures then.
    as_of_after: dt.date | None = None
    coverage_after: dict[str, dict[str, int]] = field(default_factory=dict)
    without_district_after: int = 0

    @property
    def agrees(self) -> bool:
        return not self.differences

    @property
    def ok(self) -> bool:
        """Figures agree and no step failed."""
        return self.agrees and not self.errors

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def speedup(self, suffix: str = "") -> float | None:
        """Baseline median over the coverage query's median (``suffix=AFTER``: after the reform)."""
        try:
            base, cov = self.figure("baseline" + suffix).median, self.figure("coverage" + suffix).median
        except StopIteration:
            return None
        return round(base / cov, 1) if base and cov else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale.as_dict(), "seed": self.seed, "as_of": self.as_of.isoformat(),
            "as_of_after_reform": self.as_of_after.isoformat() if self.as_of_after else None, "machine": self.machine,
            "load_average_before": self.load_before, "load_average_after": self.load_after,
            "generation": self.generation, "figures": [f.as_dict() for f in self.figures],
            "coverage_as_of": self.coverage, "districts_listed": self.districts,
            "coverage_after_reform": self.coverage_after, "communes_without_district_after_reform": self.without_district_after,
            "speedup_vs_baseline": self.speedup(), "speedup_vs_baseline_after_reform": self.speedup(AFTER),
            "goal_speedup": steps.GOAL_SPEEDUP,
            "agreement": {"agrees": self.agrees, "dates": self.checked_dates, "differences": self.differences},
            "errors": self.errors, "ok": self.ok,
            "peak_rss_mb": {"after_qms_steps": self.peak_rss_mb_qms, "after_baseline": self.peak_rss_mb_total,
                            "generator_process": self.generation.get("peak_rss_mb")},
            "seconds_total": self.seconds_total, "db_path": self.db_path,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2, default=str)


def _generate(db_path: Path, scale: Scale, seed: int, say, memory_limit: str | None = None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "qms.bench.generate", "--scale", scale.name, "--seed", str(seed), "--db", str(db_path)]
    if memory_limit:
        cmd += ["--memory-limit", memory_limit]
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


def _without_district_differences(reference: dict, qms: baseline.CoverageFigures, day: dt.date) -> list[str]:
    want = reference.get(day.isoformat())
    if want is None or qms.without_district is None:
        return []
    got = without_district_summary(qms.without_district)
    if want == got:
        return []
    return [f"{day.isoformat()} pure reference vs qms, communes under no district: {want['communes']} {want['by_stage']} != "
            f"{got['communes']} {got['by_stage']}"]


def _render_differences(fig: Figure, qms: baseline.CoverageFigures, day: dt.date) -> list[str]:
    shown = fig.extra.get("metrics_shown", {}).get("Cấp xã")
    if shown is None:
        return [] if not fig.available else [f"{day.isoformat()} overview: no commune metric shown"]
    c = qms.by_level["commune"]
    want = f"{c['announced']}/{c['in_plan']}"
    out = [] if shown == want else [f"{day.isoformat()} overview shows communes {shown}, the store computes {want}"]
    if "Cấp huyện" in fig.extra["metrics_shown"] and not qms.by_district:
        out.append(f"{day.isoformat()} overview shows a district level on a date without districts")
    if qms.without_district and len(qms.without_district) not in fig.extra.get("table_rows", []):
        out.append(f"{day.isoformat()} overview: no table lists the {len(qms.without_district)} communes under no district")
    return out


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


def _measure_on(report: "BenchReport", ctx: steps.Context, suffix: str, say) -> tuple[list[Figure], list[str], Any]:
    """Every figure on ``ctx.as_of`` (keys ending in ``suffix``), each against that date's
    baseline, and the differences found on that date; returns (figures, differences, qms's figures)."""
    day = ctx.as_of
    say(f"measuring on {day:%d/%m/%Y}: the coverage query")
    cov, qms_main = steps.measure_coverage(ctx)
    proto, proto_main = steps.measure_prototype(ctx)
    spans, spans_main = steps.measure_prototype_spans(ctx)
    diffs = _compare("prototype vs qms", proto_main, qms_main, day)
    diffs += _compare("spans prototype vs qms", spans_main, qms_main, day)
    (scope_fig,) = _guarded(report, "scope_overview", "1d. scope overview", "s", lambda: steps.measure_scope(ctx))
    say(f"measuring on {day:%d/%m/%Y}: rendering the overview page")
    (render_fig,) = _guarded(report, "overview_render", "2. overview page render (AppTest, warm)", "s",
                             lambda: steps.measure_render(ctx))
    diffs += _render_differences(render_fig, qms_main, day)
    say(f"measuring on {day:%d/%m/%Y}: saving checklists, writing snapshots (where available)")
    checklist = _guarded(report, "checklist_draft_save", "3. checklist save and submit (100 answers)", "s",
                         lambda: steps_writes.measure_checklist(ctx))
    (snapshot,) = _guarded(report, "snapshot", "4. full Parquet snapshot", "s", lambda: steps_writes.measure_snapshot(ctx))
    report.peak_rss_mb_qms = peak_rss_mb()
    say(f"measuring on {day:%d/%m/%Y}: the pandas baseline")
    base, base_main = steps.measure_baseline(ctx)
    figures = [cov, proto, spans, scope_fig, render_fig, *checklist, snapshot, base]
    for fig in figures:
        if fig.available and fig.median is not None and base.median:
            fig.ratio_to_baseline = round(fig.median / base.median, 4)
        fig.key += suffix
        fig.as_of = day.isoformat()
    return figures, diffs, (qms_main, base_main)


def _import_figure(generation: dict[str, Any]) -> list[Figure]:
    """7. The crosswalk import of the whole country, as the generator timed it (one run: an act
    is imported once)."""
    done = generation.get("reform")
    if not done:
        return []
    acts = {a["file"]: a for a in done["acts"]}
    extra = {"acts": acts, "expected": done["expected"], "memory_limit": done.get("memory_limit")}
    return [Figure("crosswalk_import", "7. crosswalk import of the whole country (parse + write, both acts)", "s",
                   [done["seconds_apply"]], goal=GOAL_IMPORT_S, goal_text=f"<= {GOAL_IMPORT_S:.0f} s", extra=extra)]


def _import_differences(generation: dict[str, Any], db) -> list[str]:
    """The import did what the crosswalks say: units per level on the reform's first day, no
    district, every district ended without successor."""
    done = generation.get("reform")
    if not done:
        return []
    want = done["expected"]
    got = dict(db.rows(f"SELECT level, count(*) FROM units u WHERE {_EXISTS} GROUP BY level", {"as_of": REFORM_DATE}))
    kinds = dict(db.rows(f"SELECT kind, count(*) FROM units u WHERE level = 'commune' AND {_EXISTS} GROUP BY kind",
                         {"as_of": REFORM_DATE}))
    out = []
    if got.get("province", 0) != want["provinces_after"]:
        out.append(f"after the reform: {got.get('province', 0)} provinces, the crosswalk makes {want['provinces_after']}")
    if got.get("commune", 0) != want["communes_after"] or kinds != want["kinds_after"]:
        out.append(f"after the reform: {got.get('commune', 0)} communes {kinds}, the crosswalk makes {want['communes_after']} "
                   f"{want['kinds_after']}")
    if got.get("district", 0):
        out.append(f"after the reform: {got['district']} districts still exist")
    ended = sum(a["ended_without_successor"] for a in done["acts"])
    if ended != want["districts_ended"]:
        out.append(f"the import ended {ended} districts without successor, the country had {want['districts_ended']}")
    return out


_EXISTS = "(u.valid_from IS NULL OR u.valid_from <= $as_of) AND (u.valid_to IS NULL OR u.valid_to > $as_of)"


def run_benchmark(scale: str | Scale = "province", *, seed: int = DEFAULT_SEED, workdir: Path | None = None,
                  keep: bool = False, threads: int | None = None, memory_limit: str | None = None,
                  progress=None) -> BenchReport:
    """Build the benchmark database at ``scale``, measure every available step, compare figures.

    ``workdir``: where the database goes and stays (default: a new temporary folder, removed
    afterwards unless ``keep``); it must not already hold a benchmark database of that scale.  ``threads``: DuckDB
    threads (default: DuckDB's own, one per core).  ``memory_limit``: DuckDB's memory limit, e.g.
    ``"1GB"`` (default: the app's own, ``QMS_MEMORY_LIMIT`` or 512MB, :func:`qms.kernel.settings.memory_limit_from_env`),
    also for the crosswalk import.  ``progress``: a callable receiving short progress lines (default: none).
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
        generation = _generate(db_path, scale, seed, say, memory_limit)
        db = open_database(db_path, memory_limit=memory_limit)  # None: the app's setting
        try:
            if threads:
                db.rows(f"SET threads = {int(threads)}")
            before, after = MEASURED_DATES
            report = BenchReport(scale, seed, before, machine(db), load_average(), generation=generation,
                                 as_of_after=after if generation.get("reform") else None)
            diffs: list[str] = []
            ctx = None
            for day in MEASURED_DATES if report.as_of_after else (before,):
                ctx = steps.Context(db, db_path, folder, scale, day, touched_units=ctx.touched_units if ctx else [])
                figures, found, (qms_main, base_main) = _measure_on(report, ctx, "" if day == before else AFTER, say)
                report.figures += figures
                diffs += found
                diffs += _compare("baseline vs qms", base_main, steps.coverage_figures(db, day), day)
                if day == before:
                    report.coverage, report.districts = qms_main.by_level, len(qms_main.by_district)
                else:
                    report.coverage_after = qms_main.by_level
                    report.without_district_after = len(qms_main.without_district or {})
            report.figures += _import_figure(generation)
            say("checking that every computation gives the same figures")
            # The write steps recorded lifecycle events: the spans prototype's derived rows are
            # refreshed as its proposed write path would, and every check below is recomputed now.
            if ctx.touched_units:
                db.write(lambda cur: prototype_spans.refresh(cur, sorted(set(ctx.touched_units))))
            diffs += _import_differences(generation, db)
            cur = db.cursor()
            days = [d for d in CHECK_DATES if report.as_of_after or d <= before]
            for day in days:
                mine = steps.coverage_figures(db, day)
                if coverage.coverage_on(db, day) != (coverage.by_level(db, day), coverage.by_district(db, day)):
                    diffs.append(f"{day.isoformat()} coverage_on differs from by_level + by_district")
                diffs += _compare("baseline vs qms", baseline.naive_coverage(cur, day), mine, day)
                diffs += _compare("prototype vs qms", baseline.qms_figures(*prototype.coverage_on(db, day)), mine, day)
                diffs += _compare("spans prototype vs qms", baseline.qms_figures(*prototype_spans.coverage_on(db, day)), mine, day)
                diffs += _reference_differences(generation.get("reference", {}), mine, day)
                diffs += _without_district_differences(generation.get("reference_without_district", {}), mine, day)
                if prototype_spans.trend(db, day) != coverage.trend(db, day):
                    diffs.append(f"{day.isoformat()} spans prototype: the trend differs from qms.coverage.queries.trend")
            cur.close()
            report.differences = diffs
            report.checked_dates = [d.isoformat() for d in days]
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
