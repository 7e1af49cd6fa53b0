"""Template files that used to kill the app or pass silently (issue 14, defect 7): nesting that
crashed the process, keys written twice, a dangling link, an absurd version, aliases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qms.audits.checklists import TemplateError, load_template, load_templates

#: The bound on template versions (qms.audits.checklists.MAX_VERSION).
MAX_VERSION = 9999

GOOD = """\
id: tiny
version: 1
standard: iso9001_2015
title:
  vi: Phiếu nhỏ
levels: [commune]
sections:
  - ref: s1
    title:
      vi: Phần 1
    items:
      - ref: q1
        clause_2015: "9.2"
        weight: 1
        question:
          vi: Có kế hoạch đánh giá nội bộ không?
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problem(path: Path) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        load_template(path)
    return info.value


def test_the_small_template_is_good(tmp_path):
    assert load_template(write(tmp_path, "t.yaml", GOOD)).item_count == 1


@pytest.mark.parametrize("text", ["sections: " + "[" * 50_000 + "]" * 50_000, "\n".join("  " * i + "- x:" for i in range(200))])
def test_deep_nesting_is_refused_in_the_validating_process(tmp_path, text):
    """Run in a child: on the old code this killed the process (exit -11, no message)."""
    folder = tmp_path / "templates"
    folder.mkdir()
    write(folder, "good.yaml", GOOD)
    write(folder, "deep.yaml", text)
    done = subprocess.run([sys.executable, "-m", "qms.cli", "checklists", "validate", "--dir", str(folder)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done
    assert "deep.yaml: line " in done.stderr and "nested more than 20 levels deep" in done.stderr
    assert "ok  good.yaml" in done.stdout


@pytest.mark.parametrize("key,where,value", [
    ("version", "", "2"), ("standard", "", "legal"), ("vi", "    ", "Khác"),
    ("weight", "        ", "3"), ("clause_2015", "        ", '"8.2"'), ("ref", "      - ", "q2"),
])
def test_a_key_written_twice_is_refused_naming_the_key_and_its_lines(tmp_path, key, where, value):
    lines = GOOD.splitlines()
    first = next(i for i, line in enumerate(lines) if line.lstrip(" -").startswith(f"{key}:") and line.startswith(where.rstrip("- ")))
    indent = lines[first][: len(lines[first]) - len(lines[first].lstrip(" -"))].replace("-", " ")
    lines.insert(first + 1, f"{indent}{key}: {value}")
    err = problem(write(tmp_path, "dup.yaml", "\n".join(lines) + "\n"))
    assert err.location == f"line {first + 2}" and f"key '{key}' is written twice" in err.reason and f"first on line {first + 1}" in err.reason


def test_a_dangling_link_is_reported_not_skipped(tmp_path):
    write(tmp_path, "a.yaml", GOOD)
    os.symlink(tmp_path / "gone.yaml", tmp_path / "z.yaml")
    loaded = load_templates(tmp_path)
    assert [e.path.name for e in loaded.templates] == ["a.yaml"]
    (broken,) = loaded.broken
    assert broken.file.endswith("z.yaml") and "is a link to" in broken.reason and "does not exist" in broken.reason


@pytest.mark.parametrize("version", ["99999999999999999999999999", str(MAX_VERSION + 1), "0"])
def test_an_absurd_version_is_refused(tmp_path, version):
    err = problem(write(tmp_path, "v.yaml", GOOD.replace("version: 1", f"version: {version}")))
    assert err.location == "version"


def test_the_highest_version_is_accepted(tmp_path):
    assert load_template(write(tmp_path, "v.yaml", GOOD.replace("version: 1", f"version: {MAX_VERSION}"))).version == MAX_VERSION


def test_aliases_are_refused_before_they_expand(tmp_path):
    bomb = GOOD + "x: &a [q, q, q, q, q, q, q, q, q, q]\n" + "".join(
        f"x{i}: &a{i} [{', '.join(['*a' if i == 0 else f'*a{i - 1}'] * 10)}]\n" for i in range(9))
    err = problem(write(tmp_path, "bomb.yaml", bomb))
    assert "anchors and aliases" in err.reason and err.location.startswith("line ")


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path):
    err = problem(write(tmp_path, "big.yaml", GOOD + "# " + "x" * 3_000_000 + "\n"))
    assert err.location == "file" and "2 MB" in err.reason
