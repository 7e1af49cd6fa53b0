"""Every feature's modules of one kind, found by their names.

A feature is a package directly under ``qms/``; the kind of a module shows in its name
(``labels.py`` or ``*_labels.py``, ``cli.py`` or ``*_cli.py``, ``snapshot_queries.py`` or
``*_snapshot_queries.py`` and ``*_snapshot_export.py``, ``demo_store.py`` or ``*_demo_store.py``).  The label table, the CLI,
the snapshot's table registry and the demo loader list them here, so a feature adds its labels,
commands, exported tables or demo part by adding a file in its own folder, without editing a
shared one.  Only the directories are listed: no feature package is imported to find them.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def feature_module_names(kind: str) -> list[str]:
    """Dotted names of the modules called ``kind`` or ``*_<kind>`` in the feature packages, sorted."""
    names = []
    for folder in sorted(p for p in PACKAGE_DIR.iterdir() if (p / "__init__.py").is_file()):
        for info in pkgutil.iter_modules([str(folder)]):
            if not info.ispkg and (info.name == kind or info.name.endswith(f"_{kind}")):
                names.append(f"qms.{folder.name}.{info.name}")
    return sorted(names)


def feature_modules(kind: str, *, exclude: tuple[str, ...] = ()) -> list[ModuleType]:
    """The modules of :func:`feature_module_names`, imported (those in ``exclude`` left out)."""
    return [importlib.import_module(name) for name in feature_module_names(kind) if name not in exclude]
