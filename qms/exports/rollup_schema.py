"""The documented snapshot schemas a roll-up reads, one small reader per version.

docs/exports.md ("Schema versions") documents every version; this module is that section as
code.  Version 4 is the registry (:mod:`qms.exports.registry`); the older ones are stated as
their differences from it:

- **3**: as 4 without the tables ``inspection_plans``, ``inspection_plan_items``,
  ``inspection_minutes``, ``inspection_requests`` and ``audit_evidence``.
- **2**: as 3 without ``units.gso_code`` and without the tables ``unit_parents``,
  ``admin_changes`` and ``unit_links``; ``units.code`` was the GSO code (so ``gso_code`` reads
  as ``code``).
- **1**: the foundation tables only (``units``, ``lifecycle_events``, ``unit_status``,
  ``coverage_level``, ``coverage_district``, ``indicators``, ``indicator_units``) with their
  version-2 columns.

:func:`upgrade` turns a table of an older version into the current one (the column a version did
not have is derived where the documentation says how); a table a version did not have is absent
from that province's rows (the report says so).
"""

from __future__ import annotations

import functools

import pyarrow as pa

from qms.exports.registry import SCHEMA_VERSION, default_registry
from qms.exports.snapshot_store import ARROW_TYPES

#: Tables schema 4 added (no column of an older table changed): a version-3 snapshot has none.
_V4_ONLY_TABLES = ("inspection_plans", "inspection_plan_items", "inspection_minutes", "inspection_requests", "audit_evidence")
_V3_ONLY_TABLES = ("unit_parents", "admin_changes", "unit_links")
_FOUNDATION = ("units", "lifecycle_events", "unit_status", "coverage_level", "coverage_district", "indicators",
               "indicator_units")

READABLE_VERSIONS = {1, 2, 3, SCHEMA_VERSION}


def arrow_type(duck_type: str) -> pa.DataType:
    return ARROW_TYPES[duck_type]


@functools.cache
def current() -> dict[str, tuple[tuple[str, str], ...]]:
    """``table -> ((column, type), ...)`` of the current schema, in registry order."""
    return {t.name: tuple((c.name, c.type) for c in t.columns) for t in default_registry().tables}


@functools.cache
def documented(version: int) -> dict[str, tuple[tuple[str, str], ...]]:
    """The tables and columns of schema ``version`` (KeyError for an undocumented one)."""
    if version == SCHEMA_VERSION:
        return current()
    if version not in READABLE_VERSIONS:
        raise KeyError(version)
    v3 = {name: cols for name, cols in current().items() if name not in _V4_ONLY_TABLES}
    if version == 3:
        return v3
    v2 = {name: cols if name != "units" else tuple(c for c in cols if c[0] != "gso_code")
          for name, cols in v3.items() if name not in _V3_ONLY_TABLES}
    if version == 2:
        return v2
    return {name: cols for name, cols in v2.items() if name in _FOUNDATION}


def schema_problem(table: str, version: int, schema: pa.Schema) -> str | None:
    """Why a file's Parquet schema is not the documented one of ``table`` at ``version``, or None."""
    expected = [(n, arrow_type(t)) for n, t in documented(version)[table]]
    found = [(f.name, f.type) for f in schema]
    if found == expected:
        return None
    names = [n for n, _ in expected]
    missing = [n for n in names if n not in [f for f, _ in found]]
    extra = [f for f, _ in found if f not in names]
    if missing:
        return f"column {missing[0]} of schema version {version} is missing"
    if extra:
        return f"column {extra[0]} is not in schema version {version}"
    for (n, want), (_, got) in zip(expected, found):
        if want != got:
            return f"column {n} is {got}, not {want} as schema version {version} documents"
    return "its columns are not in the documented order"


def upgrade(table: str, version: int, data: pa.Table) -> pa.Table:
    """``data`` (a table of schema ``version``) in the current schema's columns and types."""
    if version == SCHEMA_VERSION:
        return data
    if table == "units" and "gso_code" not in data.column_names:
        data = data.add_column(1, "gso_code", data.column("code"))
    return data
