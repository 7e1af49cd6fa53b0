"""The measured steps, each a figure of the report, each run only when what it measures exists.

A step returns a :class:`~qms.bench.measure.Figure`; a step whose tables or functions are not
in this checkout yet returns an unavailable figure whose note says what is missing (checked in
the database's ``schema_migrations`` / ``information_schema`` and by importing the module), so
the benchmark runs on every stage of the project and picks each step up as it lands.  Steps 1,
2 and 5 (reads) are here; steps 3 and 4 (writes) in :mod:`qms.bench.steps_writes`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from qms.bench import baseline, prototype, prototype_spans, render
from qms.bench.measure import Figure, timed, unavailable
from qms.bench.scales import Scale
from qms.coverage import queries as coverage

#: The goals of the issue, for national scale on a 2-core machine.
GOAL_COVERAGE_S = 0.050
GOAL_RENDER_S = 0.5
GOAL_SPEEDUP = 10.0
GOAL_PEAK_MB = 1024.0


@dataclass
class Context:
    db: object
    db_path: Path
    workdir: Path
    scale: Scale
    as_of: dt.date
    #: Units the write steps touched (their derived prototype rows are refreshed before the checks).
    touched_units: list[str] = field(default_factory=list)


def coverage_figures(db, as_of: dt.date) -> baseline.CoverageFigures:
    """What qms computes: the real store functions the overview and the CLI call (the communes
    under no district included: the overview's list from 01/07/2025)."""
    return baseline.qms_figures(coverage.by_level(db, as_of), coverage.by_district(db, as_of),
                                coverage.communes_without_district(db, as_of))


def measure_coverage(ctx: Context) -> tuple[Figure, baseline.CoverageFigures]:
    """1. What the overview reads for its coverage figures: :func:`qms.coverage.queries.coverage_on`,
    one query for levels and districts, and, on a date with no district (from 01/07/2025),
    :func:`qms.coverage.queries.communes_without_district`, the list of communes under the
    province that replaces the districts.  Timed alongside: ``coverage_on`` alone, the two-call
    form ``by_level`` + ``by_district`` (what ``qms coverage --by-district`` calls) and
    ``levels_on`` (the levels that exist on the date); the runner checks that the forms give
    the same rows on every check date."""
    without = not coverage.has_districts(ctx.db, ctx.as_of)

    def overview_reads():
        levels, districts = coverage.coverage_on(ctx.db, ctx.as_of)
        return levels, districts, coverage.communes_without_district(ctx.db, ctx.as_of) if without else []

    values, result = timed(overview_reads, ctx.scale.coverage_runs, warmup=2)
    alone, _ = timed(lambda: coverage.coverage_on(ctx.db, ctx.as_of), ctx.scale.coverage_runs, warmup=1)
    two, _ = timed(lambda: (coverage.by_level(ctx.db, ctx.as_of), coverage.by_district(ctx.db, ctx.as_of)),
                   ctx.scale.coverage_runs, warmup=2)
    levels_on, _ = timed(lambda: coverage.levels_on(ctx.db, ctx.as_of), max(ctx.scale.side_runs, ctx.scale.coverage_runs // 3))
    title = ("1. coverage query (coverage_on + communes_without_district)" if without
             else "1. coverage query (coverage_on: levels and districts, one query)")
    fig = Figure("coverage", title, "s", values, goal=GOAL_COVERAGE_S, goal_text="<= 50 ms",
                 extra={"by_level_plus_by_district_median_s": statistics.median(two),
                        "by_level_plus_by_district_min_s": min(two),
                        "coverage_on_alone_median_s": statistics.median(alone),
                        "levels_on_median_s": statistics.median(levels_on),
                        "communes_without_district": len(result[2])})
    levels, districts, listed = result
    return fig, baseline.qms_figures(levels, districts, listed if without else coverage.communes_without_district(ctx.db, ctx.as_of))


def measure_prototype(ctx: Context) -> tuple[Figure, baseline.CoverageFigures]:
    values, result = timed(lambda: prototype.coverage_on(ctx.db, ctx.as_of), ctx.scale.coverage_runs, warmup=2)
    fig = Figure("coverage_prototype", "1b. coverage, one-query prototype (qms/bench/prototype.py)", "s", values,
                 goal=GOAL_COVERAGE_S, goal_text="<= 50 ms (proposal, not used by the app)")
    return fig, baseline.qms_figures(*result)


def measure_prototype_spans(ctx: Context) -> tuple[Figure, baseline.CoverageFigures]:
    """1c, with two side figures: the overview's trend query, real and from the spans, and the
    cost a lifecycle write would pay to rewrite one unit's derived rows."""
    values, result = timed(lambda: prototype_spans.coverage_on(ctx.db, ctx.as_of), ctx.scale.coverage_runs, warmup=2)
    runs = max(ctx.scale.side_runs, ctx.scale.coverage_runs // 3)
    trend_real, _ = timed(lambda: coverage.trend(ctx.db, ctx.as_of), runs)
    trend_spans, _ = timed(lambda: prototype_spans.trend(ctx.db, ctx.as_of), runs)
    codes = [r[0] for r in ctx.db.rows("SELECT unit_code FROM qms_events GROUP BY unit_code ORDER BY count(*) DESC, unit_code LIMIT 1")]
    refresh, _ = timed(lambda: ctx.db.write(lambda cur: prototype_spans.refresh(cur, codes)), runs)
    fig = Figure("coverage_spans", "1c. coverage from derived stage spans (prototype_spans.py)", "s", values,
                 goal=GOAL_COVERAGE_S, goal_text="<= 50 ms (proposal, not used by the app)",
                 extra={"refresh_one_unit_median_s": statistics.median(refresh),
                        "trend_real_median_s": statistics.median(trend_real),
                        "trend_spans_median_s": statistics.median(trend_spans)})
    return fig, baseline.qms_figures(*result)


def measure_scope(ctx: Context) -> Figure:
    """1d. The scope figures per level (migration 004's ``scope_overview``), which the overview
    is to show: measured as the coverage query is, once the function exists."""
    title = "1d. scope overview (qms.scope.queries.scope_overview)"
    try:
        scope = importlib.import_module("qms.scope.queries")
    except ImportError:
        scope = None
    if scope is None or not hasattr(scope, "scope_overview"):
        return unavailable("scope_overview", title, "s", "not available yet: qms.scope.queries.scope_overview is not in this checkout")
    values, result = timed(lambda: scope.scope_overview(ctx.db, ctx.as_of),
                           max(ctx.scale.side_runs, ctx.scale.coverage_runs // 3), warmup=1)
    covered = {lv.level.value: f"{lv.tthc_covered}/{lv.tthc_total}" for lv in getattr(result, "levels", ())}
    return Figure("scope_overview", title, "s", values, goal_text="none (informs the overview goal)",
                  extra={"tthc_covered": covered})


#: The data calls the overview page makes, timed on their own so the report shows where the
#: render's time goes (the rest is widgets, charts and serialisation); each is skipped when it
#: is not in this checkout.  ``coverage.overview`` includes by_level, by_district, trend and
#: not_announced, the last two also listed alone.
OVERVIEW_CALLS = (
    ("qms.coverage.queries", "overview"), ("qms.coverage.queries", "trend"), ("qms.coverage.queries", "not_announced"),
    ("qms.scope.queries", "scope_overview"), ("qms.audits.findings_store", "findings_heatmap"),
)


def _overview_calls(ctx: Context) -> dict[str, float]:
    out = {}
    for module, name in OVERVIEW_CALLS:
        try:
            fn = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        values, _ = timed(lambda fn=fn: fn(ctx.db, ctx.as_of), ctx.scale.side_runs)
        out[f"{module.rsplit('.', 1)[-1]}.{name}"] = statistics.median(values)
    return out


def measure_render(ctx: Context) -> Figure:
    title = "2. overview page render (AppTest, warm)"
    reason = render.render_available()
    if reason:
        return unavailable("overview_render", title, "s", reason, goal=GOAL_RENDER_S, goal_text="<= 0.5 s")
    out = render.render_overview(ctx.db_path, ctx.as_of, ctx.scale.render_runs, exports_dir=ctx.workdir / "app-exports",
                                 viewer=render.viewer_account(ctx.db))
    return Figure("overview_render", title, "s", out["seconds"], goal=GOAL_RENDER_S, goal_text="<= 0.5 s",
                  extra={"cold_first_run_s": out["cold_seconds"], "first_run_at_date_s": out["first_at_date_seconds"], "metrics_shown": out["metrics"],
                         "table_rows": out["table_rows"], "data_calls_median_s": _overview_calls(ctx)})


def measure_baseline(ctx: Context) -> tuple[Figure, baseline.CoverageFigures]:
    cur = ctx.db.cursor()
    try:
        values, result = timed(lambda: baseline.naive_coverage(cur, ctx.as_of), ctx.scale.baseline_runs, warmup=1)
    finally:
        cur.close()
    fig = Figure("baseline", "5. baseline: same coverage figures in pandas (pull + group)", "s", values)
    return fig, result
