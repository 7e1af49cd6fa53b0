"""The table registry is the one source: docs/exports.md matches it, its schema is versioned,
and malformed entries are refused."""

from __future__ import annotations

import pytest

from qms.exports import docs
from qms.exports.registry import SCHEMA_FINGERPRINT, SCHEMA_VERSION, Column, ExportTable, Registry, default_registry, table_modules


def _table(**changes) -> ExportTable:
    values = dict(name="t", meaning="A table.", label_vi="Bảng", columns=(Column("code", "VARCHAR", "a code", "Mã"),),
                  order_by=("code",), sql="SELECT 'a' AS code")
    values.update(changes)
    return ExportTable(**values)


def test_docs_exports_md_holds_the_generated_schema():
    text = docs.DOC.read_text(encoding="utf-8")
    assert docs.generated_block(text) == docs.render(), "run: python -m qms.exports.docs --write"


def test_the_doc_names_every_column_of_every_table():
    text = docs.DOC.read_text(encoding="utf-8")
    for table in default_registry().tables:
        assert f"### `{table.file_name}`" in text
        for c in table.columns:
            assert f"| `{c.name}` | `{c.type}` |" in text, f"{table.name}.{c.name}"


def test_a_schema_change_comes_with_a_new_version():
    assert default_registry().fingerprint() == SCHEMA_FINGERPRINT, (
        f"the export schema changed: bump SCHEMA_VERSION (now {SCHEMA_VERSION}) and set SCHEMA_FINGERPRINT "
        f"to {default_registry().fingerprint()!r} in qms/exports/registry.py"
    )


def test_the_fingerprint_changes_with_a_column_type():
    base = Registry([_table()])
    changed = Registry([_table(columns=(Column("code", "INTEGER", "a code", "Mã"),))])
    assert base.fingerprint() != changed.fingerprint()


def test_table_modules_are_found_by_name_in_every_feature_in_order():
    names = [m.__name__ for m in table_modules()]
    assert names[:2] == ["qms.units.snapshot_queries", "qms.exports.indicators_snapshot_export"]
    assert {"qms.actions.snapshot_queries", "qms.audits.evidence_snapshot_queries", "qms.inspections.snapshot_queries",
            "qms.admin_changes.snapshot_queries", "qms.scope.snapshot_queries"} <= set(names)
    assert len(names) == 8


def test_the_foundation_tables_are_registered():
    names = {t.name for t in default_registry().tables}
    assert {"units", "lifecycle_events", "unit_status", "coverage_level", "coverage_district", "indicators",
            "indicator_units"} <= names


def test_the_audit_scope_and_action_tables_are_registered_after_the_foundation():
    names = [t.name for t in default_registry().tables]
    assert names[7:] == ["audits", "audit_answers", "findings", "checklist_templates", "audit_evidence", "processes", "process_tthc",
                         "unit_tthc", "scope_unit", "legal_changes", "legal_change_items", "scope_updates", "actions",
                         "unit_parents", "admin_changes", "unit_links", "inspection_plans", "inspection_plan_items",
                         "inspection_minutes", "inspection_requests"]


def test_every_column_has_a_vietnamese_label_with_diacritics_in_most_tables():
    labels = [c.label_vi for t in default_registry().tables for c in t.columns]
    assert sum(any(ord(ch) > 127 for ch in lb) for lb in labels) / len(labels) > 0.8


def test_a_table_registered_twice_is_refused():
    with pytest.raises(RuntimeError, match="registered twice"):
        Registry([_table(), _table()])


def test_an_order_key_that_is_not_a_column_is_refused():
    with pytest.raises(RuntimeError, match="order_by"):
        Registry([_table(order_by=("id",))])


def test_a_table_with_both_sql_and_rows_is_refused():
    with pytest.raises(RuntimeError, match="exactly one"):
        Registry([_table(rows=lambda src: [])])


def test_an_unknown_column_type_is_refused():
    with pytest.raises(RuntimeError, match="column 'code'"):
        Registry([_table(columns=(Column("code", "TEXT", "a code", "Mã"),))])


def test_with_table_adds_without_changing_the_original():
    base = default_registry()
    extended = base.with_table(_table(name="zz_extra"))
    assert extended.tables[-1].name == "zz_extra" and "zz_extra" not in {t.name for t in base.tables}
