"""Benchmark (a script, not a test): a draft save of 100 answers against a national-size table.

    .venv/bin/python tests/audits/bench_save_answers.py [--answers 6000000] [--db PATH]

Builds a database with ``--answers`` rows in ``audit_answers`` (60 per audit), one draft audit
on a synthetic 100-item checklist, then times :func:`qms.audits.store.save_answers` writing 100
changed answers (and, for comparison, 1 answer) several times.  Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from qms.accounts.rules import system_principal
from qms.audits.checklists import ChecklistTemplate, TemplateEntry
from qms.audits.rules import AnswerInput, AuditKind, NewAudit, Result
from qms.audits.store import get_audit, save_answers, start_audit
from qms.kernel.db import open_database

ITEMS = 100


def synthetic_template() -> ChecklistTemplate:
    sections = []
    for s in range(10):
        items = [{"ref": f"s{s}-{i:02d}", "clause_2015": "9.2", "question": {"vi": f"Câu hỏi {s}.{i}"},
                  "weight": 1 + (i % 2)} for i in range(ITEMS // 10)]
        sections.append({"ref": f"s{s}", "title": {"vi": f"Phần {s}"}, "items": items})
    return ChecklistTemplate.model_validate({"id": "bench-100", "version": 1, "standard": "iso9001_2015",
                                             "title": {"vi": "Phiếu thử 100 mục"}, "levels": ["commune"],
                                             "sections": sections})


def fill(db, answers: int) -> None:
    audits = answers // 60
    cur = db.cursor()
    cur.execute("BEGIN")
    cur.execute("INSERT INTO units (code, level, kind, parent_code) VALUES ('B1', 'district', 'huyen', NULL)")
    cur.execute("INSERT INTO unit_names VALUES ('B1', 'Huyện thử', DATE '1900-01-01')")
    cur.execute("INSERT INTO units (code, level, kind, parent_code) VALUES ('B2', 'commune', 'xa', 'B1')")
    cur.execute("INSERT INTO unit_names VALUES ('B2', 'Xã thử', DATE '1900-01-01')")
    cur.execute(
        "INSERT INTO audits (id, unit_code, template_id, template_version, template_hash, standard, item_count, kind, auditor,"
        " audit_date, status, created_by) SELECT i, 'B2', 'x', 1, 'h', '2015', 60, 'self_assessment', 'a', DATE '2020-01-01',"
        " 'submitted', 'bench' FROM range(1, ? + 1) t(i)", [audits])
    cur.execute(
        "INSERT INTO audit_answers (audit_id, item_ref, unit_code, section_ref, standard, clause, weight, result, saved_version,"
        " answered_by) SELECT a, 'q' || i, 'B2', 's', '2015', '9.2', 1, 'conform', 1, 'bench'"
        " FROM range(1, ? + 1) t(a), range(60) u(i)", [audits])
    cur.execute("COMMIT")
    cur.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=6_000_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "bench.duckdb"
    db = open_database(path)
    t0 = time.perf_counter()
    if not db.scalar("SELECT count(*) FROM audit_answers"):  # an existing --db is reused as it is
        fill(db, args.answers)
    print(f"{db.scalar('SELECT count(*) FROM audit_answers'):,} answers ready in {time.perf_counter() - t0:.1f} s ({path})")
    template = synthetic_template()
    entry = TemplateEntry(template, "bench-hash-100", Path("bench.yaml"))
    db.write(lambda cur: cur.execute("SELECT setval('audit_id', (SELECT max(id) FROM audits))"))
    audit_id = start_audit(db, NewAudit(unit_code="B2", template_id="bench-100", kind=AuditKind.SELF_ASSESSMENT,
                                        auditor="Bench", audit_date=dt.date(2021, 5, 1)), entry, actor=system_principal("bench"))
    version = get_audit(db, audit_id).row_version
    refs = [s.ref for s in get_audit(db, audit_id).specs]
    for label, n in (("100 answers", ITEMS), ("1 answer", 1)):
        times = []
        for k in range(args.repeat):
            result = [Result.CONFORM, Result.OBSERVATION][k % 2]
            answers = [AnswerInput(item_ref=r, result=result, note=f"ghi chú {k}") for r in refs[:n]]
            t = time.perf_counter()
            saved = save_answers(db, audit_id, answers, expected_version=version, actor=system_principal("bench"))
            times.append((time.perf_counter() - t) * 1000)
            assert saved.written == n
            version = saved.version
        warm = times[1:]
        print(f"save_answers, {label}: first {times[0]:.1f} ms; then median {statistics.median(warm):.1f} ms, "
              f"max {max(warm):.1f} ms over {len(warm)} saves")
    t = time.perf_counter()
    get_audit(db, audit_id)
    print(f"get_audit (100 answers): {(time.perf_counter() - t) * 1000:.1f} ms")
    db.close()


if __name__ == "__main__":
    main()
