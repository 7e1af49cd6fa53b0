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


def _rows(figures: list[Figure]) -> list[list[str]]:
    rows = []
    for f in figures:
        if not f.available:
            rows.append([f.title, "n/a", "", "", "", "", f.goal_text or "", ""])
            continue
        ratio = "" if f.ratio_to_baseline is None or f.unit != "s" else f"{f.ratio_to_baseline:.3f}"
        rows.append([f.title, _value(f, f.median), _value(f, f.min), _value(f, f.max), str(len(f.values)), ratio,
                     f.goal_text or "", _met(f.met)])
    return rows


_HEADERS = ["figure", "median", "min", "max", "runs", "ratio to baseline", "goal", "met"]


def _details(report: BenchReport, suffix: str) -> list[str]:
    """The lines under one date's table: speed-up, what the store computed, side figures."""
    out = []
    speedup = report.speedup(suffix)
    out.append(f"speed-up of the coverage query over the pandas baseline: {speedup if speedup is not None else '-'}x "
               f"(goal >= {GOAL_SPEEDUP:.0f}x: {_met(None if speedup is None else speedup >= GOAL_SPEEDUP)})")
    day, counts = (report.as_of, report.coverage) if not suffix else (report.as_of_after, report.coverage_after)
    if counts:
        where = (f"{report.districts:,} districts listed" if not suffix
                 else f"{report.without_district_after:,} communes listed directly under their province")
        out.append(f"coverage on {day:%d/%m/%Y}: " + ", ".join(
            f"{level} {c['announced']:,}/{c['in_plan']:,} announced" for level, c in counts.items()) + f"; {where}")
    found = {f.key.removesuffix(suffix): f for f in report.figures if f.key.endswith(suffix) and (suffix or not f.key.endswith("_after"))}
    cov = found.get("coverage")
    if cov and cov.available and "by_level_plus_by_district_median_s" in cov.extra:
        out.append(f"coverage_on alone: {cov.extra['coverage_on_alone_median_s'] * 1000:.1f} ms median; as two calls "
                   f"(by_level + by_district, what `qms coverage --by-district` calls): "
                   f"{cov.extra['by_level_plus_by_district_median_s'] * 1000:.1f} ms median, "
                   f"{cov.extra['by_level_plus_by_district_min_s'] * 1000:.1f} ms min; levels_on "
                   f"{cov.extra['levels_on_median_s'] * 1000:.1f} ms")
    spans = found.get("coverage_spans")
    if spans:
        out.append(f"spans prototype: the overview's trend query takes {spans.extra['trend_real_median_s'] * 1000:.1f} ms "
                   f"today, {spans.extra['trend_spans_median_s'] * 1000:.1f} ms from the spans; rewriting one unit's derived "
                   f"rows (the extra cost of a lifecycle write) takes {spans.extra['refresh_one_unit_median_s'] * 1000:.1f} ms")
    save = found.get("checklist_draft_save")
    if save and save.available:
        out.append(f"checklist: saved into audit_answers holding {save.extra['audit_answers_before']:,} answers; re-saving "
                   f"100 changed answers takes {save.extra['resave_100_changed_median_s'] * 1000:.1f} ms (median)")
    snap = found.get("snapshot")
    if snap and snap.available:
        slowest = sorted(snap.extra.get("seconds_per_table_last_run", {}).items(), key=lambda kv: -kv[1])[:4]
        out.append(f"snapshot: {snap.extra['size_bytes'] / 1e6:.1f} MB in {len(snap.extra['tables'])} Parquet files "
                   f"({sum(snap.extra['tables'].values()):,} rows); slowest tables: "
                   + ", ".join(f"{name} {sec:.2f} s" for name, sec in slowest))
    render = found.get("overview_render")
    if render and render.available:
        calls = render.extra.get("data_calls_median_s", {})
        out.append(f"overview: cold first run {render.extra['cold_first_run_s']:.2f} s, first run at the date "
                   f"{render.extra['first_run_at_date_s']:.2f} s; tables shown {render.extra['table_rows']} rows; "
                   "its data calls alone: " + ", ".join(f"{name} {sec * 1000:.0f} ms" for name, sec in calls.items()))
    for f in found.values():
        if not f.available:
            out.append(f"{f.title}: {f.note}")
    return out


def _import_lines(report: BenchReport) -> list[str]:
    imp = next((f for f in report.figures if f.key == "crosswalk_import"), None)
    if imp is None:
        return []
    exp = imp.extra["expected"]
    out = [f"the reform, imported through parse_change_csv + apply_change with memory_limit {imp.extra.get('memory_limit')}: "
           f"{exp['provinces_ended']} provinces and {exp['departments_ended']} departments end into "
           f"{exp['provinces_after']} provinces; {exp['communes_before']:,} communes into {exp['communes_after']:,} "
           f"({', '.join(f'{n:,} {k}' for k, n in sorted(exp['kinds_after'].items()))}; {exp['continuing']} continue, "
           f"{exp['splits']} split), {exp['districts_ended']} districts end without successor"]
    for name, act in imp.extra["acts"].items():
        sec = act["seconds"]
        out.append(f"  {name}: {act['rows']:,} rows; parse {sec['parse']:.2f} s, import "
                   f"{sec['apply']:.1f} s; {act['new_units']:,} new units, {act['continuing']:,} continuing, {act['links']:,} "
                   f"links ({act['partial_links']} partial), {act['ended']:,} ended, {act['ended_without_successor']:,} ended "
                   f"without successor, {act['reused_codes']:,} codes reused by a differently named unit, "
                   f"{act['name_variants']} name variants; {act['actions_moved']:,} unfinished actions moved, "
                   f"{act['actions_cancelled']:,} cancelled")
    return out


def render_text(report: BenchReport) -> str:
    """One table per measured date (figure, median, min, max, ratio to baseline, goal), the
    crosswalk import, then the checks and the context."""
    m = report.machine
    gen = report.generation
    before = [f for f in report.figures if f.as_of == report.as_of.isoformat()]
    after = [f for f in report.figures if report.as_of_after and f.as_of == report.as_of_after.isoformat()]
    rest = [f for f in report.figures if f not in before and f not in after]
    out = [
        f"qms bench --scale {report.scale.name}: {report.scale.qms_units:,} QMS units before the 2025 reform, seed {report.seed}",
        "",
        f"before the reform, figures as of {report.as_of:%d/%m/%Y}:",
        _table(_HEADERS, _rows(before)),
        *_details(report, ""),
    ]
    if report.as_of_after:
        out += ["", f"after the reform, figures as of {report.as_of_after:%d/%m/%Y}:", _table(_HEADERS, _rows(after)),
                *_details(report, "_after")]
    out += ["", _table(_HEADERS, _rows(rest)), *_import_lines(report), ""]
    if report.agrees:
        out.append(f"figures agree: qms, the pandas baseline, both prototypes and the pure reference give identical counts "
                   f"on {len(report.checked_dates)} dates ({', '.join(report.checked_dates)}); the overview shows the same.")
    else:
        out.append("FIGURES DIFFER:")
        out += [f"  {d}" for d in report.differences]
    if report.errors:
        out.append(f"{len(report.errors)} step(s) FAILED: " + "; ".join(report.errors))
    rows_line = ", ".join(f"{k} {v:,}" for k, v in sorted(gen.get("rows", {}).items()) if v)
    out += [
        f"data: {rows_line}; database file {gen.get('file_bytes', 0) / 1e6:.1f} MB; generated in "
        f"{sum(v for k, v in gen.get('seconds', {}).items() if k not in ('replay', 'reference')):.1f} s (separate process, "
        f"peak {gen.get('peak_rss_mb')} MB, the crosswalk import not included)",
        f"lifecycle rules: {gen.get('replay', {}).get('events', 0):,} events of {gen.get('replay', {}).get('units', 0):,} "
        "sampled units replayed through qms.units.rules.check_history, all accepted",
    ]
    if gen.get("replay_actions"):
        out.append(f"action rules: {gen['replay_actions']['steps']:,} steps of {gen['replay_actions']['actions']:,} sampled "
                   "actions replayed through the transition table of qms.actions.rules, all allowed")
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
