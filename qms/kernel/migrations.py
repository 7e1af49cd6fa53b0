"""Numbered SQL migrations, applied in order, each in one transaction with its record.

A migration is a file ``qms/kernel/migrations/NNN_name.sql``.  Once landed it is never edited:
a change to the schema is a new file.  :func:`apply` runs every pending file inside a
transaction that also inserts its row into ``schema_migrations``, so a failing file leaves
neither its half-made tables nor a record behind, and rerunning is a no-op.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qms.kernel.errors import QmsError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def available(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file, in version order; a badly named or duplicate file is an error."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise QmsError(f"Migration file {path.name} is not named NNN_name.sql.")
        version = int(m.group(1))
        if version in found:
            raise QmsError(f"Two migration files share version {version}: {found[version].path.name}, {path.name}.")
        found[version] = Migration(version, m.group(2), path)
    return [found[v] for v in sorted(found)]


def _ensure_table(db) -> None:
    cur = db.cursor()
    try:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
        )
    finally:
        cur.close()


def applied_versions(db) -> set[int]:
    _ensure_table(db)
    return {v for (v,) in db.rows("SELECT version FROM schema_migrations")}


def pending(db, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Migrations not yet recorded in this database (empty when it is up to date)."""
    done = applied_versions(db)
    return [m for m in available(directory) if m.version not in done]


def apply(db, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply every pending migration; return those applied (none on a rerun).

    Each one runs in its own transaction together with its ``schema_migrations`` row: on
    failure that migration is rolled back whole, the error names its file, and the ones before
    it stay applied.
    """
    done: list[Migration] = []
    for migration in pending(db, directory):
        sql = migration.path.read_text(encoding="utf-8")

        def run(cur, migration=migration, sql=sql):
            cur.execute(sql)
            cur.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                [migration.version, migration.name],
            )

        try:
            db.write(run, attempts=1)
        except QmsError as e:
            raise QmsError(f"Migration {migration.path.name} failed and was rolled back: {e}") from e
        done.append(migration)
    if done:
        db.schema_changed()
    return done
