"""The table registry: the single source of the snapshot's tables and their documented schema.

Each exported table is one :class:`ExportTable` entry: its name, what a row is, the columns
(name, DuckDB type, meaning, Vietnamese label), the unique key its rows are ordered by, the
source tables it needs, and either ``sql`` (a SELECT over the database; ``$as_of`` and
``$year_start`` are bound) or ``rows`` (a function returning dicts computed by store functions,
e.g. the coverage figures, so that the snapshot and the overview share one computation).

The writer (:mod:`qms.exports.snapshot`), ``docs/exports.md`` (:mod:`qms.exports.docs`) and the
schema test all read this registry.

Adding a table = one entry in a module ``qms/<feature>/snapshot_queries.py`` (or ``*_snapshot_queries.py``:
the SQL of a table is store code; a table of computed ``rows``: ``*_snapshot_export.py``, a door) defining
``ORDER: int`` (modules are read in that order) and ``TABLES: tuple[ExportTable, ...]``; the
module is found by its name in the feature folders.  A table whose ``requires`` names a table missing from
the database (a feature not migrated yet) is left out of the snapshot and listed in the
manifest's ``skipped_tables``.  Any change of tables or columns changes :func:`fingerprint`:
bump :data:`SCHEMA_VERSION`, set :data:`SCHEMA_FINGERPRINT`, and regenerate the doc
(``python -m qms.exports.docs --write``).  The tests refuse a changed schema with an old version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from qms.kernel.features import feature_modules

#: Version of the snapshot schema, written into every manifest.
SCHEMA_VERSION = 4
#: :func:`fingerprint` of the registry at :data:`SCHEMA_VERSION`.
SCHEMA_FINGERPRINT = "b87db3c9"

#: The column types a snapshot uses (DuckDB names; each is read back unchanged from Parquet).
TYPES: dict[str, str] = {
    "VARCHAR": "text",
    "BOOLEAN": "true/false",
    "INTEGER": "32-bit integer",
    "BIGINT": "64-bit integer",
    "DOUBLE": "double-precision number",
    "DATE": "calendar date",
    "TIMESTAMP": "date and time (UTC, no time zone)",
}

#: Rows per chunk of a table read in key ranges (see ``ExportTable.chunk``): small enough to
#: sort in memory under the app's 512MB limit, big enough that the per-query cost is small.
CHUNK_ROWS = 400_000

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    meaning: str
    label_vi: str


@dataclass(frozen=True)
class SnapshotSource:
    """What a table's ``rows`` function reads: the snapshot's reader (one read transaction),
    the as-of date, the PAR methodology, and a memo shared by the tables of one snapshot (so
    indicators and their units are computed once)."""

    reader: Any
    as_of: dt.date
    methodology: Any
    methodology_sha256: str | None = None
    memo: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ExportTable:
    name: str
    meaning: str
    label_vi: str
    columns: tuple[Column, ...]
    order_by: tuple[str, ...]
    sql: str | None = None
    rows: Callable[[SnapshotSource], list[dict]] | None = None
    requires: tuple[str, ...] = ()
    #: For a big ``sql`` table: ``(column, keys_sql)``.  ``column`` is the first ``order_by``
    #: column (never NULL); ``keys_sql`` a cheap SELECT over the source tables giving
    #: ``(key, rows)`` for each value of that column (an estimate is enough: it only decides
    #: where the chunks are cut).  The writer then reads and sorts the table in ascending key
    #: ranges of about :data:`CHUNK_ROWS` rows instead of in one sort; the file is the same.
    chunk: tuple[str, str] | None = None

    @property
    def file_name(self) -> str:
        return f"{self.name}.parquet"

    def check(self) -> None:
        """Refuse a malformed entry (a programming error, found when the registry is built)."""
        where = f"export table {self.name!r}"
        if not _NAME.match(self.name):
            raise RuntimeError(f"{where}: the name must be snake_case")
        if (self.sql is None) == (self.rows is None):
            raise RuntimeError(f"{where}: give exactly one of sql and rows")
        names = [c.name for c in self.columns]
        if not names or len(set(names)) != len(names):
            raise RuntimeError(f"{where}: columns must be present and unique")
        for c in self.columns:
            if not _NAME.match(c.name) or c.type not in TYPES or not c.meaning.strip() or not c.label_vi.strip():
                raise RuntimeError(f"{where}: column {c.name!r} needs a snake_case name, a type of {sorted(TYPES)}, "
                                   "a meaning and a Vietnamese label")
        missing = [k for k in self.order_by if k not in names]
        if not self.order_by or missing:
            raise RuntimeError(f"{where}: order_by must name columns (unknown: {missing})")
        if self.chunk is not None and (self.sql is None or self.chunk[0] != self.order_by[0]):
            raise RuntimeError(f"{where}: chunk needs sql and must name the first order_by column")


class Registry:
    """An ordered set of export tables with unique names."""

    def __init__(self, tables: Iterable[ExportTable]):
        self.tables: tuple[ExportTable, ...] = tuple(tables)
        seen: set[str] = set()
        for table in self.tables:
            table.check()
            if table.name in seen:
                raise RuntimeError(f"export table {table.name!r} is registered twice")
            seen.add(table.name)

    def with_table(self, table: ExportTable) -> Registry:
        """A new registry with ``table`` added at the end (tests register a failing table this way)."""
        return Registry([*self.tables, table])

    def get(self, name: str) -> ExportTable:
        return next(t for t in self.tables if t.name == name)

    def split(self, existing: set[str]) -> tuple[list[ExportTable], list[ExportTable]]:
        """``(included, skipped)``: a table is skipped when a table it requires does not exist."""
        included = [t for t in self.tables if set(t.requires) <= existing]
        skipped = [t for t in self.tables if not set(t.requires) <= existing]
        return included, skipped

    def fingerprint(self) -> str:
        return fingerprint(self.tables)


def fingerprint(tables: Sequence[ExportTable]) -> str:
    """A short hash of every table's name and columns (name, type): changes with the schema."""
    shape = [[t.name, [[c.name, c.type] for c in t.columns]] for t in sorted(tables, key=lambda t: t.name)]
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:8]


def table_modules() -> list:
    """The features' ``*snapshot_queries`` modules (tables as SQL) and ``*snapshot_export`` modules
    (tables whose rows a function computes), in their ``ORDER``."""
    modules = feature_modules("snapshot_queries") + feature_modules("snapshot_export")
    return sorted(modules, key=lambda m: (m.ORDER, m.__name__))


def default_registry() -> Registry:
    """Every table of every module of :func:`table_modules`."""
    return Registry(t for module in table_modules() for t in module.TABLES)
