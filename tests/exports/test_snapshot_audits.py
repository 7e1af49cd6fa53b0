"""The audit tables of the snapshot: what is known on the as-of date, the audit list's own
figures, the pinned templates, and files that read back with the declared schema."""

from __future__ import annotations

import datetime as dt

import pytest

from qms.audits import snapshot_queries as tables_audits
from qms.audits.findings_store import list_audits, list_findings
from qms.exports.registry import Registry
from qms.exports.snapshot import write_snapshot

from .conftest import ADMIN, AS_OF_2016, AS_OF_2021, FIXED_NOW, parquet_rows

AUDIT_TABLES = [t.name for t in tables_audits.TABLES]


def _audit_ids(db, as_of: dt.date) -> list[int]:
    return [r[0] for r in db.rows("SELECT id FROM audits WHERE audit_date <= ? ORDER BY id", [as_of])]


# --- rows on the demo ----------------------------------------------------------------------------

@pytest.mark.parametrize("as_of", [AS_OF_2016, AS_OF_2021], ids=str)
def test_audits_are_those_dated_on_or_before_the_date(demo_snapshot, demo_snapshot_2021, demo_db, as_of):
    snap = demo_snapshot if as_of == AS_OF_2016 else demo_snapshot_2021
    in_file = [r[0] for r in parquet_rows(snap.path / "audits.parquet", "SELECT audit_id FROM t")]
    assert in_file == _audit_ids(demo_db, as_of) and in_file


def test_the_demo_counts_71_audits_in_2016_and_332_in_2021(demo_snapshot, demo_snapshot_2021):
    assert (demo_snapshot.rows("audits"), demo_snapshot_2021.rows("audits")) == (71, 332)


def test_findings_are_those_found_on_or_before_the_date(demo_snapshot, demo_db):
    in_file = [r[0] for r in parquet_rows(demo_snapshot.path / "findings.parquet", "SELECT finding_id FROM t")]
    expected = sorted(f.id for f in list_findings(demo_db, include_retracted=True, limit=100_000) if f.found_on <= AS_OF_2016)
    assert in_file == expected and len(in_file) == 499


def test_answers_are_every_answer_of_the_audits_in_the_snapshot(demo_snapshot, demo_db):
    in_file = parquet_rows(demo_snapshot.path / "audit_answers.parquet", "SELECT count(*), count(DISTINCT audit_id) FROM t")
    expected = demo_db.rows("SELECT count(*), count(DISTINCT x.audit_id) FROM audit_answers x JOIN audits a ON a.id = x.audit_id"
                            " WHERE a.audit_date <= ?", [AS_OF_2016])
    assert in_file == expected


def test_answers_never_belong_to_an_audit_outside_the_snapshot(demo_snapshot_2021):
    audits = {r[0] for r in parquet_rows(demo_snapshot_2021.path / "audits.parquet", "SELECT audit_id FROM t")}
    answered = {r[0] for r in parquet_rows(demo_snapshot_2021.path / "audit_answers.parquet", "SELECT DISTINCT audit_id FROM t")}
    assert answered and answered <= audits


def test_audit_figures_are_the_audit_lists_figures(demo_snapshot_2021, demo_db):
    in_file = parquet_rows(demo_snapshot_2021.path / "audits.parquet",
                           "SELECT audit_id, status, score_pct, answered, item_count, major, minor, observation, event_id FROM t")
    expected = sorted((a.id, a.status.value, a.score_pct, a.answered, a.item_count, a.major, a.minor, a.observation, a.event_id)
                      for a in list_audits(demo_db, limit=100_000))
    assert in_file == expected


def test_a_draft_has_no_score_and_a_submitted_audit_has_one(demo_snapshot_2021):
    rows = parquet_rows(demo_snapshot_2021.path / "audits.parquet",
                        "SELECT status = 'draft', bool_and(score_pct IS NULL), bool_and(score_pct IS NOT NULL) FROM t GROUP BY 1 ORDER BY 1")
    assert rows == [(False, False, True), (True, True, False)]


# --- the as-of boundary --------------------------------------------------------------------------

def _audit_snapshot(db, tmp_path, as_of, methodology):
    return write_snapshot(db, tmp_path / str(as_of), as_of, methodology=methodology, actor=ADMIN, now=FIXED_NOW,
                          registry=Registry(tables_audits.TABLES))


def test_an_audit_dated_on_the_as_of_date_is_in_and_the_day_before_it_is_not(demo_db, tmp_path, methodology):
    audit_id, day = demo_db.rows("SELECT a.id, a.audit_date FROM audits a JOIN findings f ON f.audit_id = a.id"
                                 " WHERE a.audit_date <= ? ORDER BY a.audit_date DESC, a.id DESC LIMIT 1", [AS_OF_2016])[0]
    on = _audit_snapshot(demo_db, tmp_path, day, methodology)
    before = _audit_snapshot(demo_db, tmp_path, day - dt.timedelta(days=1), methodology)
    sql = f"SELECT count(*) FROM t WHERE audit_id = {audit_id}"
    assert [parquet_rows(s.path / f"{name}.parquet", sql)[0][0] > 0 for s in (on, before) for name in ("audits", "findings")] == [
        True, True, False, False]


def test_before_the_first_audit_every_audit_table_is_empty(demo_db, tmp_path, methodology):
    first = demo_db.rows("SELECT min(audit_date) FROM audits")[0][0]
    snap = _audit_snapshot(demo_db, tmp_path, first - dt.timedelta(days=1), methodology)
    assert [snap.rows(name) for name in AUDIT_TABLES] == [0, 0, 0, 0]


def test_a_retracted_finding_stays_and_is_flagged(demo_db, tmp_path, methodology):
    finding_id = demo_db.rows("SELECT min(id) FROM findings")[0][0]
    demo_db.write(lambda cur: cur.execute("UPDATE findings SET retracted_at = TIMESTAMP '2016-12-01 10:00' WHERE id = ?", [finding_id]))
    snap = _audit_snapshot(demo_db, tmp_path, AS_OF_2016, methodology)
    flagged = parquet_rows(snap.path / "findings.parquet", "SELECT finding_id FROM t WHERE retracted")
    audit_counts = parquet_rows(snap.path / "audits.parquet", "SELECT sum(major + minor + observation) FROM t")
    assert flagged == [(finding_id,)] and audit_counts == [(snap.rows("findings") - 1,)]


# --- templates -----------------------------------------------------------------------------------

def test_checklist_templates_are_the_ones_the_audits_pinned(demo_snapshot_2021):
    pinned = parquet_rows(demo_snapshot_2021.path / "audits.parquet",
                          "SELECT DISTINCT template_hash, template_id, template_version FROM t ORDER BY 1")
    listed = parquet_rows(demo_snapshot_2021.path / "checklist_templates.parquet",
                          "SELECT template_hash, template_id, template_version FROM t")
    assert listed == pinned and len(listed) == 3


def test_checklist_templates_count_the_audits_using_them(demo_snapshot):
    counts = parquet_rows(demo_snapshot.path / "checklist_templates.parquet", "SELECT sum(audits) FROM t")
    assert counts == [(demo_snapshot.rows("audits"),)]


def test_the_manifest_lists_every_template_the_audits_pinned(demo_snapshot_2021):
    pinned = {r for r in parquet_rows(demo_snapshot_2021.path / "checklist_templates.parquet",
                                      "SELECT template_id, template_version, template_hash FROM t")}
    listed = {(t["id"], t["version"], t["sha256"]) for t in demo_snapshot_2021.manifest["checklist_templates"]}
    assert pinned <= listed


# --- schema and determinism ----------------------------------------------------------------------

@pytest.mark.parametrize("table", tables_audits.TABLES, ids=lambda t: t.name)
def test_the_2021_file_reads_back_with_the_declared_schema(demo_snapshot_2021, table):
    described = parquet_rows(demo_snapshot_2021.path / table.file_name, "SELECT column_name, column_type FROM (DESCRIBE t)")
    assert described == [(c.name, c.type) for c in table.columns]


@pytest.mark.parametrize("table", tables_audits.TABLES, ids=lambda t: t.name)
def test_the_2021_file_is_ordered_by_its_unique_key(demo_snapshot_2021, table):
    keys = parquet_rows(demo_snapshot_2021.path / table.file_name, f"SELECT {', '.join(table.order_by)} FROM t")
    assert keys == sorted(keys) and len(set(keys)) == len(keys) > 0


def test_the_audit_files_are_the_same_bytes_from_another_copy_of_the_data(demo_snapshot_2021, demo_db, tmp_path, methodology):
    again = _audit_snapshot(demo_db, tmp_path, AS_OF_2021, methodology)
    first = {e["name"]: e["sha256"] for e in demo_snapshot_2021.manifest["tables"] if e["name"] in AUDIT_TABLES}
    assert {e["name"]: e["sha256"] for e in again.manifest["tables"]} == first
