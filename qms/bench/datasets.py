"""What the benchmark database holds: the foundation's data always, the others once they exist.

Each :class:`DataSet` names the migration that brings its tables and the generator that fills
them at a scale.  A data set is generated only when its migration is applied to the benchmark
database (it is: ``open_database`` applies every migration of this checkout) *and* its
generator is written; otherwise the report says which of the two is missing.  To add one:
write ``generate(cur, scale, seed) -> dict[str, int]`` (SQL inside DuckDB, seeded through
:mod:`qms.bench.random_sql`, reading the units already generated) and fill in its entry here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from qms.bench.scales import Scale

Generator = Callable[[object, Scale, int], dict[str, int]]


@dataclass(frozen=True)
class DataSet:
    key: str
    title: str
    migration: int
    tables: tuple[str, ...]
    generate: Generator | None


def applied_migrations(cur) -> set[int]:
    return {r[0] for r in cur.execute("SELECT version FROM schema_migrations").fetchall()}


def missing_tables(cur, tables: tuple[str, ...]) -> list[str]:
    """The tables of ``tables`` absent from the database (checked in information_schema)."""
    if not tables:
        return []
    present = {r[0] for r in cur.execute(
        "SELECT table_name FROM information_schema.tables WHERE list_contains(?, table_name)", [list(tables)]).fetchall()}
    return [t for t in tables if t not in present]


def unavailable_reason(cur, dataset: DataSet) -> str | None:
    """Why ``dataset`` cannot be generated in this database, or None when it can."""
    if dataset.migration not in applied_migrations(cur):
        return f"not available yet: migration {dataset.migration:03d} ({dataset.title}) is not in this checkout"
    missing = missing_tables(cur, dataset.tables)
    if missing:
        return f"not available yet: tables {', '.join(missing)} are missing"
    if dataset.generate is None:
        return f"not available yet: migration {dataset.migration:03d} exists but the benchmark has no generator for it"
    return None


def _generator(module: str, name: str) -> Generator:
    """A generator imported when it runs (it imports the feature's own modules, which may be
    missing from this checkout: then the migration check has already said so)."""

    def run(cur, scale: Scale, seed: int) -> dict[str, int]:
        return getattr(importlib.import_module(module), name)(cur, scale, seed)

    return run


def _registry() -> list[DataSet]:
    """The data sets beyond units and lifecycle events, in generation order (audits before the
    actions that follow from their findings).  ``generate=None``: an extension point."""
    return [
        DataSet("processes", "processes and TTHC", 4,
                ("tthc", "unit_tthc", "process_versions", "process_tthc", "legal_changes", "legal_change_items"),
                _generator("qms.bench.fixture_scope", "generate_scope")),
        DataSet("audits", "audits and checklist answers", 2, ("checklist_snapshots", "audits", "audit_answers", "findings"),
                _generator("qms.bench.fixture_audits", "generate_audits")),
        DataSet("actions", "improvement actions", 3, ("actions", "action_events", "findings"),
                _generator("qms.bench.fixture_actions", "generate_actions")),
    ]


DATASETS: list[DataSet] = _registry()
