"""The benchmark's report as text: one table of figures, then the checks and the context."""

from __future__ import annotations

from qms.bench.measure import Figure
from qms.bench.runner import BenchReport
from qms.bench.steps import GOAL_SPEEDUP


def _value(fig: Figure, v: float | None) -> str:
    if v is None:
        return "-"
    if fig.unit == "s":
        return f"{v * 1000:.1f} ms" if v < 1 else f"{v:.2f} s"
    return f"{v:,.0f} {fig.unit}"


def _met(flag: bool | None) -> str:
    return {True: "yes", False: "MISSED", None: ""}[flag]


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def render_text(report: BenchReport) -> str:
    """The table (figure, median, min, max, ratio to baseline, goal) and the checks."""
    rows = []
    for f in report.figures:
        if not f.available:
            rows.append([f.title, "n/a", "", "", "", "", f.goal_text or "", ""])
            continue
        ratio = "" if f.ratio_to_baseline is None or f.unit != "s" else f"{f.ratio_to_baseline:.3f}"
        rows.append([f.title, _value(f, f.median), _value(f, f.min), _value(f, f.max), str(len(f.values)), ratio,
                     f.goal_text or "", _met(f.met)])
    speedup = report.speedup()
    m = report.machine
    gen = report.generation
    out = [
        f"qms bench --scale {report.scale.name}: {report.scale.qms_units:,} QMS units, seed {report.seed}, "
        f"figures as of {report.as_of:%d/%m/%Y}",
        "",
        _table(["figure", "median", "min", "max", "runs", "ratio to baseline", "goal", "met"], rows),
        "",
        f"speed-up of the coverage query over the pandas baseline: {speedup if speedup is not None else '-'}x "
        f"(goal >= {GOAL_SPEEDUP:.0f}x: {_met(None if speedup is None else speedup >= GOAL_SPEEDUP)})",
    ]
    if report.coverage:
        out.append(f"coverage on {report.as_of:%d/%m/%Y}: " + ", ".join(
            f"{level} {c['announced']:,}/{c['in_plan']:,} announced" for level, c in report.coverage.items())
            + f"; {report.districts:,} districts listed")
    if report.agrees:
        out.append(f"figures agree: qms, the pandas baseline, both prototypes and the pure reference give identical counts "
                   f"on {len(report.checked_dates)} dates ({', '.join(report.checked_dates)}); the overview shows the same.")
    else:
        out.append("FIGURES DIFFER:")
        out += [f"  {d}" for d in report.differences]
    for f in report.figures:
        if not f.available:
            out.append(f"{f.title}: {f.note}")
    if report.errors:
        out.append(f"{len(report.errors)} step(s) FAILED: " + "; ".join(report.errors))
    cov = next((f for f in report.figures if f.key == "coverage" and f.available), None)
    if cov and "by_level_plus_by_district_median_s" in cov.extra:
        out.append(f"coverage as two calls (by_level + by_district, what `qms coverage --by-district` calls): "
                   f"{cov.extra['by_level_plus_by_district_median_s'] * 1000:.1f} ms median, "
                   f"{cov.extra['by_level_plus_by_district_min_s'] * 1000:.1f} ms min")
    spans = next((f for f in report.figures if f.key == "coverage_spans"), None)
    if spans:
        out.append(f"spans prototype: the overview's trend query takes {spans.extra['trend_real_median_s'] * 1000:.1f} ms "
                   f"today, {spans.extra['trend_spans_median_s'] * 1000:.1f} ms from the spans; rewriting one unit's derived "
                   f"rows (the extra cost of a lifecycle write) takes {spans.extra['refresh_one_unit_median_s'] * 1000:.1f} ms")
    save = next((f for f in report.figures if f.key == "checklist_draft_save" and f.available), None)
    if save:
        out.append(f"checklist: saved into audit_answers holding {save.extra['audit_answers_before']:,} answers; re-saving "
                   f"100 changed answers takes {save.extra['resave_100_changed_median_s'] * 1000:.1f} ms (median)")
    snap = next((f for f in report.figures if f.key == "snapshot" and f.available), None)
    if snap:
        slowest = sorted(snap.extra.get("seconds_per_table_last_run", {}).items(), key=lambda kv: -kv[1])[:4]
        out.append(f"snapshot: {snap.extra['size_bytes'] / 1e6:.1f} MB in {len(snap.extra['tables'])} Parquet files "
                   f"({sum(snap.extra['tables'].values()):,} rows); slowest tables: "
                   + ", ".join(f"{name} {sec:.2f} s" for name, sec in slowest))
    render = next((f for f in report.figures if f.key == "overview_render" and f.available), None)
    if render:
        calls = render.extra.get("data_calls_median_s", {})
        out.append(f"overview: cold first run {render.extra['cold_first_run_s']:.2f} s; tables shown "
                   f"{render.extra['table_rows']} rows; its data calls alone: "
                   + ", ".join(f"{name} {sec * 1000:.0f} ms" for name, sec in calls.items()))
    rows_line = ", ".join(f"{k} {v:,}" for k, v in sorted(gen.get("rows", {}).items()) if v)
    out += [
        f"data: {rows_line}; database file {gen.get('file_bytes', 0) / 1e6:.1f} MB; generated in "
        f"{sum(v for k, v in gen.get('seconds', {}).items() if k not in ('replay', 'reference')):.1f} s (separate process, "
        f"peak {gen.get('peak_rss_mb')} MB)",
        f"lifecycle rules: {gen.get('replay', {}).get('events', 0):,} events of {gen.get('replay', {}).get('units', 0):,} "
        "sampled units replayed through qms.lifecycle.check_history, all accepted",
    ]
    if gen.get("replay_actions"):
        out.append(f"action rules: {gen['replay_actions']['steps']:,} steps of {gen['replay_actions']['actions']:,} sampled "
                   "actions replayed through the transition table of qms.actions, all allowed")
    for key, ds in gen.get("datasets", {}).items():
        if not ds.get("generated"):
            out.append(f"data set '{ds['title']}': {ds['reason']}")
    out += [
        f"peak memory: {report.peak_rss_mb_qms} MB after the qms steps, {report.peak_rss_mb_total} MB after the baseline",
        f"machine: {m['cpu_model']}, {m['nproc']} cores usable, {m['mem_total_mb']} MB RAM; Python {m['python']}, "
        f"DuckDB {m['duckdb']} (threads {m['duckdb_threads']}, memory_limit {m['duckdb_memory_limit']}), "
        f"pandas {m['pandas']}, Streamlit {m['streamlit']}",
        f"load average before {report.load_before}, after {report.load_after}; whole run {report.seconds_total} s",
    ]
    if report.db_path:
        out.append(f"benchmark database kept at {report.db_path}")
    return "\n".join(out)
