"""The layer rule of DESIGN.md section 2, checked on every module (new ones included).

- only qms/ui (and the router) imports streamlit;
- pages never import duckdb: they reach the database through qms.store;
- the domain (modules directly under qms/, except the CLI and settings) imports neither duckdb,
  streamlit, qms.store nor qms.ui;
- qms.store never imports the UI or the CLI.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "qms"
#: Thin doors over domain + store: allowed to import the store (not the UI).
DOORS = {"cli", "settings"}
DOOR_PACKAGES = {"exports", "bench", "cli_commands", "reliability"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _hits(imports: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(i for i in imports if any(i == f or i.startswith(f + ".") for f in forbidden))


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        yield path.relative_to(PKG), path


def test_the_rule_sees_modules():
    rels = [str(rel) for rel, _ in _modules()]
    assert "ui/pages/overview.py" in rels and "store/db.py" in rels and "lifecycle.py" in rels


@pytest.mark.parametrize("rel,path", list(_modules()), ids=lambda v: str(v) if isinstance(v, Path) else None)
def test_module_respects_layers(rel: Path, path: Path):
    imports = _imports(path)
    parts = rel.parts
    if parts[0] == "ui":
        assert not _hits(imports, ("duckdb",)), f"{rel} imports duckdb: pages go through qms.store"
        return
    assert not _hits(imports, ("streamlit", "qms.ui")), f"{rel} imports the UI layer"
    if parts[0] == "store":
        assert not _hits(imports, ("qms.cli", "qms.exports", "qms.bench")), f"{rel}: the store must not import a door"
        return
    if len(parts) == 1 and rel.stem not in DOORS or len(parts) > 1 and parts[0] not in DOOR_PACKAGES:
        bad = _hits(imports, ("duckdb", "qms.store", "qms.cli", "pyarrow"))
        assert not bad, f"{rel} is domain code and must stay pure, but imports {bad}"


def test_domain_loads_without_streamlit():
    """Importing the domain, the store and the CLI in a fresh interpreter loads no UI library."""
    code = (
        "import sys, qms.lifecycle, qms.coverage, qms.models, qms.demo, qms.store.coverage, qms.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'altair')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_router_only_routes():
    """streamlit_app.py holds no SQL and no rule: it imports only streamlit and the UI/labels."""
    imports = _imports(ROOT / "streamlit_app.py")
    assert not _hits(imports, ("duckdb", "qms.store", "qms.lifecycle", "qms.coverage"))
