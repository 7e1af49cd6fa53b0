"""Audits, checklist answers and findings (migration 002) for the synthetic country, in SQL.

Audits come from three sources, in this order of priority until the scale's answer count is
reached: one internal audit per ``internal_audit`` lifecycle event (linked to it); a yearly
inspection by the province after the announcement (on site for a third, on records for the
rest, September-November, Circular 26 checklist); quarterly self-assessments.  ISO checklists
follow the unit's standard on the audit date (its latest announcement, re-announcement or change
of standard; before any, 2015 from 21/01/2019 and 2008 before, as :func:`qms.audits.rules.audit_standard`
does for legal templates).  Audits dated before 01/10/2021 are submitted (30% closed) with every
item answered; later ones are drafts with 60% answered.  Results: 85% conform, 5% not
applicable, 5% observation, 4% minor, 1% major; every finding has a note; submitted audits carry
their findings and their score (the formula of :func:`qms.audits.rules.score`).

The shipped templates are pinned with :func:`qms.audits.store.pin_template_in` (the store's own
helper) and their items come from :func:`qms.audits.rules.item_specs`; everything else is inserted
directly with SQL: a benchmark fixture in a throw-away database, not a user write.
"""

from __future__ import annotations

import pyarrow as pa

from qms.audits.checklists import load_templates
from qms.audits.rules import ISO_2015_MODEL_FRAMEWORK, item_specs
from qms.audits.store import pin_template_in
from qms.bench.random_sql import below, uniform
from qms.bench.scales import Scale
from qms.kernel.settings import PROJECT_ROOT

AUDITORS = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang",
            "Đặng Văn Hải", "Bùi Thị Hoa", "Đỗ Văn Khánh", "Ngô Thị Lan")
DRAFTS_FROM = "2021-10-01"


def _items(cur) -> dict[str, str]:
    """Pin the shipped templates; register ``bench_items`` (one row per template, numbering
    standard and item); return template id -> hash."""
    entries = load_templates(PROJECT_ROOT / "checklists").templates
    rows, ids = [], {}
    for entry in entries:
        t = entry.template
        pin_template_in(cur, entry)
        ids[t.id] = entry.hash
        standards = {"iso9001_2008": ["2008"], "iso9001_2015": ["2015"]}.get(t.standard, ["2008", "2015"])
        for std in standards:
            for n, spec in enumerate(item_specs(t, std)):
                rows.append({"template_hash": entry.hash, "template_id": t.id, "template_version": t.version,
                             "template_standard": t.standard, "standard": std, "n": n, "item_count": t.item_count,
                             "ref": spec.ref, "section_ref": spec.section_ref, "weight": spec.weight,
                             "clause_standard": spec.standard, "clause": spec.clause})
    cur.register("bench_items_arrow", pa.Table.from_pylist(rows))
    cur.execute("CREATE TEMP TABLE bench_items AS SELECT * FROM bench_items_arrow")
    cur.unregister("bench_items_arrow")
    return ids


_PLAN_SQL = f"""
CREATE TEMP TABLE bench_audit_plan AS
WITH ann AS (
    SELECT unit_code, min(event_date) AS first_announced FROM qms_events WHERE event_type = 'announced' GROUP BY unit_code
), active AS (
    SELECT unit_code, min(event_date) AS applied FROM qms_events WHERE event_type = 'applied' GROUP BY unit_code
), cand AS (
    SELECT unit_code, 'internal_audit' AS kind, event_date AS d, id AS event_id, 0 AS priority
    FROM qms_events WHERE event_type = 'internal_audit'
    UNION ALL
    SELECT unit_code, CASE WHEN {uniform("unit_code || y::VARCHAR", 'site')} < 1 / 3 THEN 'inspection_site'
                           ELSE 'inspection_records' END,
           make_date(y, 9, 1) + {below("unit_code || y::VARCHAR", 'insp', 90)}, NULL, 1
    FROM (SELECT unit_code, unnest(range(year(first_announced) + 1, 2022)) AS y FROM ann)
    UNION ALL
    SELECT unit_code, 'self_assessment', make_date(y, h, 1) + {below("unit_code || y::VARCHAR || h::VARCHAR", 'self', 28)}, NULL, 2
    FROM (SELECT unit_code, unnest(range(year(applied) + 1, 2022)) AS y FROM active) CROSS JOIN (VALUES (3), (6), (9), (12)) h(h)
), placed AS (
    SELECT c.* FROM cand c JOIN units u ON u.code = c.unit_code
    WHERE (u.valid_to IS NULL OR c.d < u.valid_to) AND c.d <= DATE '2021-12-31'
), std_events AS (
    SELECT unit_code, event_date, standard FROM qms_events WHERE standard IS NOT NULL
), with_std AS (
    SELECT p.*, s.standard AS unit_standard FROM placed p
    ASOF LEFT JOIN std_events s ON s.unit_code = p.unit_code AND p.d >= s.event_date
), chosen AS (
    SELECT *, coalesce(unit_standard, CASE WHEN d >= $framework THEN '2015' ELSE '2008' END) AS standard,
           CASE WHEN kind IN ('inspection_site', 'inspection_records') THEN $legal
                WHEN coalesce(unit_standard, CASE WHEN d >= $framework THEN '2015' ELSE '2008' END) = '2015' THEN $iso2015
                ELSE $iso2008 END AS template_hash
    FROM with_std
), counted AS (
    SELECT c.*, i.item_count, i.template_id, i.template_version,
           sum(CASE WHEN c.d >= DATE '{DRAFTS_FROM}' THEN ceil(i.item_count * 0.6) ELSE i.item_count END) OVER (ORDER BY c.priority, hash(c.unit_code || c.d::VARCHAR || c.kind || $seed), c.unit_code, c.d
                                   ROWS UNBOUNDED PRECEDING) AS running
    FROM chosen c JOIN (SELECT DISTINCT template_hash, template_id, template_version, item_count FROM bench_items) i
      USING (template_hash)
)
SELECT $base + row_number() OVER (ORDER BY d, unit_code, kind) AS id, unit_code, kind, d, event_id, standard,
       template_hash, template_id, template_version, item_count,
       CASE WHEN d >= DATE '{DRAFTS_FROM}' THEN 'draft'
            WHEN {uniform("unit_code || d::VARCHAR || kind", 'closed')} < 0.3 THEN 'closed' ELSE 'submitted' END AS status,
       list_extract($auditors, 1 + {below("unit_code || d::VARCHAR", 'auditor', len(AUDITORS))}) AS auditor
FROM counted WHERE running <= $target
"""

_ANSWERS_SQL = f"""
INSERT INTO audit_answers (audit_id, item_ref, unit_code, section_ref, standard, clause, weight, result, note, evidence,
                           saved_version, answered_at, answered_by)
WITH r AS (
    SELECT a.id, a.unit_code, a.d, a.auditor, i.ref, i.section_ref, i.clause_standard, i.clause, i.weight,
           {uniform("a.id::VARCHAR || i.ref", 'result')} AS r, {uniform("a.id::VARCHAR || i.ref", 'evidence')} AS r_ev
    FROM bench_audit_plan a JOIN bench_items i ON i.template_hash = a.template_hash AND i.standard = a.standard
    WHERE a.status <> 'draft' OR i.n < a.item_count * 0.6
)
SELECT id, ref, unit_code, section_ref, clause_standard, clause, weight,
       CASE WHEN r < 0.85 THEN 'conform' WHEN r < 0.90 THEN 'not_applicable' WHEN r < 0.95 THEN 'observation'
            WHEN r < 0.99 THEN 'minor' ELSE 'major' END,
       CASE WHEN r >= 0.95 THEN 'Chưa đáp ứng yêu cầu ' || coalesce('điều ' || clause, 'của mục ' || ref)
            WHEN r >= 0.90 THEN 'Lưu ý: cần cải tiến cách lưu hồ sơ' END,
       CASE WHEN r_ev < 0.3 THEN 'Đã xem hồ sơ, sổ theo dõi và phần mềm một cửa' END,
       1, d::TIMESTAMP + INTERVAL 10 HOUR, auditor
FROM r
"""


def generate_audits(cur, scale: Scale, seed: int) -> dict[str, int]:
    """Insert audits, answers and findings up to ``scale.checklist_answers`` answers."""
    hashes = _items(cur)
    base = cur.execute("SELECT coalesce(max(id), 0) FROM audits").fetchall()[0][0]
    cur.execute(_PLAN_SQL, {
        "seed": str(seed), "framework": ISO_2015_MODEL_FRAMEWORK, "legal": hashes["inspection-circular26"],
        "iso2015": hashes["internal-audit-iso9001-2015"], "iso2008": hashes["internal-audit-iso9001-2008"],
        "target": scale.checklist_answers, "base": base, "auditors": list(AUDITORS),
    })
    cur.execute(
        """INSERT INTO audits (id, unit_code, template_id, template_version, template_hash, standard, item_count, kind,
                               auditor, audit_date, status, row_version, event_id, created_at, created_by, submitted_at,
                               submitted_by, closed_at, closed_by)
        SELECT id, unit_code, template_id, template_version, template_hash, standard, item_count, kind, auditor, d, status,
               CASE status WHEN 'draft' THEN 2 WHEN 'submitted' THEN 3 ELSE 4 END,
               CASE WHEN status <> 'draft' THEN event_id END, d::TIMESTAMP + INTERVAL 8 HOUR, 'bench',
               CASE WHEN status <> 'draft' THEN d::TIMESTAMP + INTERVAL 16 HOUR END, CASE WHEN status <> 'draft' THEN 'bench' END,
               CASE WHEN status = 'closed' THEN d::TIMESTAMP + INTERVAL 30 DAY END, CASE WHEN status = 'closed' THEN 'bench' END
        FROM bench_audit_plan ORDER BY id"""
    )
    n = cur.execute("SELECT count(*) FROM bench_audit_plan").fetchall()[0][0]
    cur.execute("SELECT max(nextval('audit_id')) FROM range(?)", [base + n])
    cur.execute(_ANSWERS_SQL, {"seed": str(seed)})
    cur.execute(
        """UPDATE audits SET answered = s.answered, score_pct = CASE WHEN audits.status <> 'draft' THEN s.pct END
        FROM (SELECT audit_id, count(result) AS answered,
                     round(100.0 * sum(weight) FILTER (WHERE result IN ('conform', 'observation'))
                           / nullif(sum(weight) FILTER (WHERE result <> 'not_applicable'), 0), 2) AS pct
              FROM audit_answers WHERE audit_id > ? GROUP BY audit_id) s
        WHERE audits.id = s.audit_id""", [base])
    cur.execute(
        """INSERT INTO findings (audit_id, audit_kind, unit_code, item_ref, section_ref, standard, clause, grade, note,
                                 evidence, found_on, created_at)
        SELECT a.id, a.kind, a.unit_code, x.item_ref, x.section_ref, x.standard, x.clause, x.result, x.note, x.evidence,
               a.audit_date, a.submitted_at
        FROM audit_answers x JOIN audits a ON a.id = x.audit_id
        WHERE a.id > ? AND a.status <> 'draft' AND x.result IN ('minor', 'major', 'observation')
        ORDER BY a.id, x.item_ref""", [base])
    cur.execute("DROP TABLE bench_audit_plan")
    cur.execute("DROP TABLE bench_items")
    return {t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]  # noqa: S608 - fixed names
            for t in ("checklist_snapshots", "audits", "audit_answers", "findings")}
