"""DuckDB's memory limit (QMS_MEMORY_LIMIT, default 512MB) and where it spills."""

from __future__ import annotations

from pathlib import Path

import pytest

from qms.kernel.db import open_database
from qms.kernel.errors import QmsError
from qms.kernel.settings import DEFAULT_MEMORY_LIMIT, load_settings, memory_limit_from_env


def _setting(db, name: str) -> str:
    return db.scalar(f"SELECT current_setting('{name}')")


def test_default_limit_is_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("QMS_MEMORY_LIMIT", raising=False)
    db = open_database(tmp_path / "q.duckdb")
    try:
        assert DEFAULT_MEMORY_LIMIT == "512MB"
        assert _setting(db, "memory_limit") == "488.2 MiB"  # 512 MB as DuckDB prints it
    finally:
        db.close()


def test_environment_sets_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("QMS_MEMORY_LIMIT", "1GB")
    db = open_database(tmp_path / "q.duckdb")
    try:
        assert _setting(db, "memory_limit") == "953.6 MiB"
    finally:
        db.close()


def test_explicit_limit_wins_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("QMS_MEMORY_LIMIT", "1GB")
    db = open_database(tmp_path / "q.duckdb", memory_limit="256MB")
    try:
        assert _setting(db, "memory_limit") == "244.1 MiB"
    finally:
        db.close()


def test_spills_go_next_to_the_database_file(tmp_path: Path):
    db = open_database(tmp_path / "q.duckdb")
    try:
        assert _setting(db, "temp_directory") == str(tmp_path / "q.duckdb.tmp")
    finally:
        db.close()


def test_in_memory_database_spills_under_the_system_temporary_folder():
    import tempfile

    db = open_database(":memory:")
    try:
        assert Path(_setting(db, "temp_directory")).parent == Path(tempfile.gettempdir())
    finally:
        db.close()


@pytest.mark.parametrize("bad", ["lots", "1GB; DROP TABLE units", "512", "-1GB"])
def test_a_limit_that_is_not_a_size_is_refused_in_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str):
    monkeypatch.setenv("QMS_MEMORY_LIMIT", bad)
    with pytest.raises(QmsError, match="QMS_MEMORY_LIMIT"):
        open_database(tmp_path / "q.duckdb")


def test_settings_carry_the_limit():
    assert load_settings(env={}).memory_limit == "512MB"
    assert load_settings(env={"QMS_MEMORY_LIMIT": "2GB"}).memory_limit == "2GB"
    assert memory_limit_from_env({"QMS_MEMORY_LIMIT": " 1.5GiB "}) == "1.5GiB"
