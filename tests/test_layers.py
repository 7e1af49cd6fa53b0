"""The layer rule of DESIGN.md section 2 in the feature-folder house (README "Design"), checked on
every module, new ones included.

A module's role shows in its name (:func:`role`):

- ``page.py`` / ``*_page.py`` / ``widgets.py`` / ``*_widgets.py``, and the shared widgets in
  ``qms/ui/``: **ui**, the only code that imports streamlit (or altair); never DuckDB;
- ``store.py`` / ``queries.py`` / ``sql.py`` and ``*_store.py`` / ``*_queries.py`` / ``*_sql.py``, and
  ``qms/kernel/db.py`` / ``migrations.py``: **store**, the only code that talks to DuckDB and the only
  code that holds SQL; never the UI or a door;
- ``cli.py`` / ``*_cli.py`` / ``cli_*.py`` / ``export.py`` / ``*_export.py`` and the rest of
  ``qms/exports/``: **doors**, thin over domain and store; never the UI, never SQL of their own;
- ``qms/bench/`` and ``qms/reliability/``: **tools** that build national-scale databases and break
  them on purpose, so they may run SQL; never the UI;
- everything else (``model.py``, ``rules.py``, ``labels.py``, importers, the kernel's dates,
  errors, settings...): **pure**, importing none of DuckDB, streamlit, altair, pyarrow, or a qms
  module of another role.

And no two qms modules import each other, directly or around a circle (imports inside functions
count: a lazy import only hides a cycle).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from qms.kernel.features import feature_module_names
from qms_testing import DOOR, PURE, STORE, TOOL, UI
from qms_testing import module_role as role

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "qms"

UI_LIBS = ("streamlit", "altair")
DB_LIBS = ("duckdb",)
#: SQL text: a statement keyword at the start of a string, then a second keyword later on.
SQL_TEXT = re.compile(r"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|COPY|ATTACH)\s[\s\S]*\b(FROM|INTO|SET|TABLE|AS|VALUES)\b")


def _module_name(rel: Path) -> str:
    parts = rel.with_suffix("").parts
    return ".".join(("qms",) + (parts[:-1] if parts[-1] == "__init__" else parts))


@cache
def _modules() -> dict[str, Path]:
    """Every qms module: dotted name -> path relative to ``qms/``."""
    return {_module_name(p.relative_to(PKG)): p.relative_to(PKG) for p in sorted(PKG.rglob("*.py"))}


def _tree(rel: Path) -> ast.Module:
    path = PKG / rel
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (never run, so no layer or cycle)."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            ids.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return ids


def _imports(tree: ast.Module) -> set[str]:
    """Every module an ``import`` names (inside functions too), qms submodules resolved:
    ``from qms.x import y`` names ``qms.x.y`` when that is a module (and then not ``qms.x``, the
    package every module of it loads first anyway), else ``qms.x``."""
    names: set[str] = set()
    skip = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = {f"{node.module}.{alias.name}" for alias in node.names} & set(_modules())
            names.update(subs)
            if len(subs) < len(node.names):
                names.add(node.module)
    return names


def _hits(imports: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(i for i in imports if any(i == f or i.startswith(f + ".") for f in forbidden))


def _qms_roles(imports: set[str]) -> dict[str, str]:
    mods = _modules()
    return {i: role(mods[i]) for i in imports if i in mods}


def _sql_in(tree: ast.Module) -> list[str]:
    """SQL text in string constants and ``.execute(``-like calls: what only the store may hold."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.search(node.value):
            found.append(f"line {node.lineno}: {node.value.strip()[:50]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "execute", "executemany", "sql", "scalar", "rows"):
            found.append(f"line {node.lineno}: .{node.func.attr}(")
    return found


#: The label sets the kernel's label table merges (by the same rule it finds them).
LABEL_SETS = set(feature_module_names("labels")) - {"qms.kernel.labels"}


def check_module(rel: Path, tree: ast.Module) -> list[str]:
    """What ``rel`` does against the layer rule (an empty list when nothing)."""
    imports, me = _imports(tree), role(rel)
    qms_roles = _qms_roles(imports)
    problems = []

    def refuse(libs: tuple[str, ...], roles: tuple[str, ...], why: str) -> None:
        bad = _hits(imports, libs) + sorted(m for m, r in qms_roles.items() if r in roles)
        if bad:
            problems.append(f"{rel} ({me}) {why}, but imports {bad}")

    if me == UI:
        refuse(DB_LIBS + ("pyarrow",), (), "reaches the database only through store functions")
        if any(m == "qms.cli" or role(_modules()[m]) == DOOR and "cli" in m.rsplit(".", 1)[-1] for m in qms_roles):
            problems.append(f"{rel} (ui) imports a CLI module")
    elif me == STORE:
        refuse(UI_LIBS, (UI, DOOR, TOOL), "is store code: no UI, no door, no tool")
    elif me == DOOR:
        refuse(UI_LIBS + DB_LIBS, (UI, TOOL), "is a door: thin over domain and store, no UI, no DuckDB of its own")
    elif me == TOOL:
        refuse(UI_LIBS, (UI,), "is a tool: no UI")
    else:
        refuse(UI_LIBS + DB_LIBS + ("pyarrow",), (UI, STORE, DOOR, TOOL), "is pure domain code")
        if _module_name(rel) in LABEL_SETS and qms_roles:
            problems.append(f"{rel} is a label set: plain data, it imports no qms module, but imports {sorted(qms_roles)}")
    if me not in (STORE, TOOL):
        sql = _sql_in(tree)
        if sql:
            problems.append(f"{rel} ({me}) holds SQL, which lives in store modules only: {sql[:3]}")
    return problems


#: What the kernel may import of the features: the permission vocabulary (``Principal``, the CLI's
#: system principal that ``Settings.principal`` names).  The label table merges the features'
#: label sets by name at run time (:mod:`qms.kernel.features`), not by import.
KERNEL_MAY_IMPORT = {"qms.accounts.rules"}


@pytest.mark.parametrize("name", sorted(n for n in _modules() if n.startswith("qms.kernel")))
def test_the_kernel_imports_no_feature(name: str):
    imports = {i for i in _imports(_tree(_modules()[name])) if i in _modules()}
    features = sorted(i for i in imports if not i.startswith("qms.kernel") and i != "qms" and i not in KERNEL_MAY_IMPORT)
    assert features == [], f"{name} is the shared kernel: it imports no feature, but imports {features}"


def test_the_rule_sees_modules_and_their_roles():
    mods = _modules()
    assert role(mods["qms.overview.page"]) == UI and role(mods["qms.ui.tables"]) == UI
    assert role(mods["qms.actions.store"]) == STORE and role(mods["qms.kernel.db"]) == STORE
    assert role(mods["qms.actions.snapshot_queries"]) == STORE and role(mods["qms.scope.sql"]) == STORE
    assert role(mods["qms.actions.cli"]) == DOOR and role(mods["qms.exports.snapshot"]) == DOOR
    assert role(mods["qms.units.rules"]) == PURE and role(mods["qms.actions.labels"]) == PURE
    assert role(mods["qms.exports.labels"]) == PURE and role(mods["qms.bench.runner"]) == TOOL
    assert role(mods["qms.exports.par_rules"]) == PURE and role(mods["qms.bench.random_sql"]) == TOOL


@pytest.mark.parametrize("name", sorted(_modules()))
def test_module_respects_layers(name: str):
    rel = _modules()[name]
    assert check_module(rel, _tree(rel)) == []


@pytest.mark.parametrize("rel,source,needle", [
    ("actions/rules.py", "import duckdb\n", "duckdb"),
    ("actions/rules.py", "from qms.actions.store import open_action\n", "qms.actions.store"),
    ("actions/labels.py", "from qms.kernel.dates import fmt\n", "label set"),
    ("scope/model.py", "def f():\n    from qms.scope.queries import scope_of\n", "qms.scope.queries"),
    ("actions/page.py", "import duckdb\n", "duckdb"),
    ("actions/page.py", "from qms.actions import cli\n", "CLI"),
    ("actions/store.py", "import streamlit as st\n", "streamlit"),
    ("actions/store.py", "from qms.actions import widgets\n", "qms.actions.widgets"),
    ("actions/cli.py", "def f(cur):\n    return cur.execute('SELECT 1 AS one').fetchall()\n", "SQL"),
    ("exports/snapshot.py", "Q = '''\n    SELECT unit_code FROM units'''\n", "SQL"),
    ("kernel/dates.py", "from qms.units.store import list_units\n", "qms.units.store"),
])
def test_the_rule_refuses_a_misplaced_import(rel, source, needle):
    """The check itself fails on each kind of misplaced code (so a green run means something)."""
    problems = check_module(Path(rel), ast.parse(source))
    assert problems and needle in " ".join(problems)


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {name: {i for i in _imports(_tree(rel)) if i in mods and i != name} for name, rel in mods.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def test_no_module_imports_itself_around_a_circle():
    assert cycles(_graph()) == []


def test_the_cycle_check_sees_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_domain_loads_without_streamlit():
    """Importing the domain, the store and the CLI in a fresh interpreter loads no UI library."""
    code = (
        "import sys, qms.units.rules, qms.coverage.rules, qms.units.model, qms.units.demo, qms.coverage.queries, qms.cli; "
        "import qms.kernel.labels; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'altair')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_router_only_routes():
    """streamlit_app.py holds no SQL and no rule: it imports only streamlit and the UI/labels."""
    tree = ast.parse((ROOT / "streamlit_app.py").read_text(encoding="utf-8"))
    imports = _imports(tree)
    assert not _hits(imports, ("duckdb",))
    assert not [m for m, r in _qms_roles(imports).items() if r in (STORE, DOOR, TOOL)]
    assert not _sql_in(tree)
