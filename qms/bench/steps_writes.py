"""Steps 3 and 4: saving a 100-item checklist, writing a full Parquet snapshot.

Both call the real functions (``qms.audits.store``, ``qms.exports.snapshot``), imported by name
when the step runs: when a feature is not in this checkout the step reports "not available
yet" and says what is missing, instead of failing the benchmark.  Both write to the benchmark
database (audits, a lifecycle event on submit) or to its folder (the snapshot), never elsewhere.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import shutil
import time

from qms.accounts.rules import system_principal
from qms.bench.datasets import applied_migrations
from qms.bench.measure import Figure, unavailable
from qms.kernel.settings import PROJECT_ROOT
from qms.units.stage_sql import ANNOUNCED

GOAL_DRAFT_SAVE_S = 0.050
GOAL_SNAPSHOT_S = 10.0
#: The benchmark's audits are dated this many days before the date measured (31/12/2021 ->
#: 20/12/2021, the end of the history before the reform; 30/06/2026 -> 19/06/2026).
AUDIT_DAYS_BEFORE = 11
ITEMS = 100
#: The benchmark writes as the system (it owns its throw-away database).
BENCH = system_principal("bench")


def _import(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def hundred_item_template():
    """A 100-item checklist (the shipped ISO 9001:2015 internal-audit template, its sections
    repeated under new refs until there are 100 items), validated like a shipped file."""
    from qms.audits.checklists import ChecklistTemplate, TemplateEntry, content_hash, load_templates

    base = load_templates(PROJECT_ROOT / "checklists").latest("internal-audit-iso9001-2015")
    if base is None:
        raise RuntimeError("the shipped template internal-audit-iso9001-2015 is missing")
    data = base.template.model_dump(mode="json")
    sections, total, copy = list(data["sections"]), base.template.item_count, 2
    while total < ITEMS:
        for section in base.template.model_dump(mode="json")["sections"]:
            items = [dict(item, ref=f"{item['ref']}.r{copy}") for item in section["items"]][: ITEMS - total]
            if items:
                sections.append(dict(section, ref=f"{section['ref']}.r{copy}", items=items))
                total += len(items)
        copy += 1
    data.update(id="bench-100-items", version=1, sections=sections,
                title={"vi": "Danh mục đánh giá nội bộ 100 câu (benchmark)", "en": "100-item internal audit (benchmark)"})
    template = ChecklistTemplate.model_validate(data)
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return TemplateEntry(template, content_hash(raw), PROJECT_ROOT / "checklists" / "bench-100-items.yaml")


def _answers(rules, specs, round_no: int) -> list:
    out = []
    for i, spec in enumerate(specs):
        result = (rules.Result.MINOR if i % 17 == 3 else rules.Result.OBSERVATION if i % 23 == 5
                  else rules.Result.NOT_APPLICABLE if i % 31 == 7 else rules.Result.CONFORM)
        note = f"Ghi chú lần lưu {round_no}: bằng chứng đã xem tại bộ phận một cửa" if result in rules.GRADE_OF or i % 4 == 0 else None
        out.append(rules.AnswerInput(item_ref=spec.ref, result=result, note=note))
    return out


def measure_checklist(ctx) -> list[Figure]:
    """3. An auditor's 100-item checklist on an announced commune: the first draft save of
    all 100 answers, a re-save changing all 100, then the submit (score, findings, the unit's
    internal-audit event).  Each run uses a new audit on another commune; one untimed warm-up."""
    titles = ("3a. checklist draft save (100 answers)", "3b. checklist submit (100 answers)")
    store, rules = _import("qms.audits.store"), _import("qms.audits.rules")
    reason = None
    if 2 not in applied_migrations(ctx.db.cursor()):
        reason = "not available yet: migration 002 (audits and checklist answers) is not in this checkout"
    elif store is None or rules is None or not all(hasattr(store, f) for f in ("start_audit", "save_answers", "submit_audit")):
        reason = "not available yet: qms.audits.store has no start_audit/save_answers/submit_audit"
    if reason:
        return [unavailable("checklist_draft_save", titles[0], "s", reason, goal=GOAL_DRAFT_SAVE_S, goal_text="<= 50 ms"),
                unavailable("checklist_submit", titles[1], "s", reason)]
    entry = hundred_item_template()
    specs = rules.item_specs(entry.template, "2015")
    runs = ctx.scale.save_runs
    audit_date = ctx.as_of - dt.timedelta(days=AUDIT_DAYS_BEFORE)
    # Communes existing on the audit date whose QMS was announced by then (after the reform: the
    # new communes that announced in 2026, and the few that continue).
    units = [r[0] for r in ctx.db.rows(
        f"SELECT u.code FROM units u JOIN unit_stage_spans s ON s.unit_code = u.code AND s.stage = {ANNOUNCED}"
        " AND s.valid_from < $d AND (s.valid_to IS NULL OR s.valid_to > $d)"
        " WHERE u.level = 'commune' AND (u.valid_from IS NULL OR u.valid_from <= $d) AND (u.valid_to IS NULL OR u.valid_to > $d)"
        " AND NOT EXISTS (SELECT 1 FROM qms_events e WHERE e.unit_code = u.code AND e.event_date >= $d)"
        " ORDER BY hash(u.code), u.code LIMIT $n", {"d": audit_date, "n": runs + 1})]
    if len(units) < 2:
        raise RuntimeError(f"no commune had announced its QMS by {audit_date:%d/%m/%Y} to audit")
    save, resave, submit = [], [], []
    audits_before = ctx.db.scalar("SELECT count(*) FROM audit_answers")
    for n, unit in enumerate(units):
        audit_id = store.start_audit(
            ctx.db, rules.NewAudit(unit_code=unit, template_id=entry.template.id, kind=rules.AuditKind.INTERNAL_AUDIT,
                                   auditor="Kiểm tra viên benchmark", audit_date=audit_date), entry, actor=BENCH)
        t0 = time.perf_counter()
        saved = store.save_answers(ctx.db, audit_id, _answers(rules, specs, 1), expected_version=1, actor=BENCH)
        t1 = time.perf_counter()
        again = store.save_answers(ctx.db, audit_id, _answers(rules, specs, 2), expected_version=saved.version, actor=BENCH)
        t2 = time.perf_counter()
        done = store.submit_audit(ctx.db, audit_id, expected_version=again.version, actor=BENCH)
        t3 = time.perf_counter()
        if saved.written != ITEMS or done.findings == 0:
            raise RuntimeError(f"the checklist step saved {saved.written} answers and filed {done.findings} findings")
        if n:  # the first round warms the template cache and the indexes
            save.append(t1 - t0)
            resave.append(t2 - t1)
            submit.append(t3 - t2)
    extra = {"audit_answers_before": audits_before, "resave_100_changed_median_s": sorted(resave)[len(resave) // 2],
             "units": units[1:]}
    ctx.touched_units.extend(units)
    return [Figure("checklist_draft_save", titles[0], "s", save, goal=GOAL_DRAFT_SAVE_S, goal_text="<= 50 ms", extra=extra),
            Figure("checklist_submit", titles[1], "s", submit)]


def measure_snapshot(ctx) -> Figure:
    """4. A full Parquet snapshot of the benchmark database (every table the export registry
    knows and finds), with its size; each run writes a new folder, removed afterwards."""
    title = "4. full Parquet snapshot"
    snapshot, indicators = _import("qms.exports.snapshot"), _import("qms.exports.indicators")
    if snapshot is None or not hasattr(snapshot, "write_snapshot") or indicators is None or not hasattr(indicators, "load"):
        return unavailable("snapshot", title, "s", "not available yet: qms.exports.snapshot.write_snapshot is not in this checkout",
                           goal=GOAL_SNAPSHOT_S, goal_text="<= 10 s")
    methodology = indicators.load()
    out = ctx.workdir / "snapshots"
    values, sizes, tables = [], [], {}
    who = {"actor": BENCH} if "actor" in inspect.signature(snapshot.write_snapshot).parameters else {}
    per_table: dict[str, float] = {}
    for _ in range(ctx.scale.snapshot_runs):
        marks: list[tuple[str, float]] = []

        def progress(_done: int, _total: int, name: str, marks=marks) -> None:
            marks.append((name, time.perf_counter()))

        kwargs = dict(who, progress=progress) if "progress" in inspect.signature(snapshot.write_snapshot).parameters else who
        t0 = time.perf_counter()
        snap = snapshot.write_snapshot(ctx.db, out, ctx.as_of, methodology=methodology, **kwargs)
        values.append(time.perf_counter() - t0)
        sizes.append(sum(p.stat().st_size for p in snap.path.iterdir()))
        tables = {t["name"]: t["rows"] for t in snap.manifest["tables"]}
        per_table = {name: round(end - start, 3) for (name, start), (_, end) in zip(marks, marks[1:])}
        shutil.rmtree(snap.path)
    return Figure("snapshot", title, "s", values, goal=GOAL_SNAPSHOT_S, goal_text="<= 10 s",
                  extra={"size_bytes": sizes[-1], "tables": tables, "seconds_per_table_last_run": per_table})
