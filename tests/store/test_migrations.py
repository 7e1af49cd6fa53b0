"""Numbered migrations: applied once, recorded, a failing one leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from qms.kernel import migrations
from qms.kernel.db import open_database
from qms.kernel.errors import QmsError


def test_fresh_database_has_every_migration_recorded(db):
    recorded = [v for (v,) in db.rows("SELECT version FROM schema_migrations ORDER BY version")]
    assert recorded == [m.version for m in migrations.available()]
    assert recorded[0] == 1


def test_rerun_is_a_no_op(db):
    assert migrations.apply(db) == []
    assert migrations.pending(db) == []


def test_reopening_keeps_data(tmp_path: Path):
    path = tmp_path / "q.duckdb"
    first = open_database(path)
    first.write(lambda cur: cur.execute("INSERT INTO settings VALUES ('k', 'v')"))
    first.close()
    again = open_database(path)
    assert again.scalar("SELECT value FROM settings WHERE key = 'k'") == "v"
    again.close()


def test_failing_migration_rolls_back_whole(db, tmp_path: Path):
    folder = tmp_path / "migs"
    folder.mkdir()
    for m in migrations.available():
        (folder / m.path.name).write_text(m.path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "900_broken.sql").write_text(
        "CREATE TABLE half_made (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n", encoding="utf-8"
    )
    with pytest.raises(QmsError, match="900_broken.sql failed and was rolled back"):
        migrations.apply(db, folder)
    assert not db.rows("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_made'")
    assert not db.rows("SELECT 1 FROM schema_migrations WHERE version = 900")


def test_badly_named_migration_is_refused(tmp_path: Path):
    (tmp_path / "7-oops.sql").write_text("SELECT 1;", encoding="utf-8")
    with pytest.raises(QmsError, match="not named NNN_name.sql"):
        migrations.available(tmp_path)
