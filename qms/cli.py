"""The ``qms`` command: ``qms init`` here, and every feature's commands (its ``cli.py`` or
``*_cli.py``, each with ``register(subparsers)``), found by name (:mod:`qms.kernel.features`).

Every command has ``--help``; bad input exits with status 2 and one sentence naming the file,
row or field; ``--json`` prints what a machine reads.  The database is ``--db`` or ``QMS_DB``
(default ``data/qms.duckdb`` in the project folder).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from qms import __version__
from qms.kernel.db import opened
from qms.kernel.errors import QmsError
from qms.kernel.features import feature_modules
from qms.kernel.settings import Settings, load_settings


def cmd_init(args, settings: Settings) -> int:
    with opened(settings.db_path):
        pass
    print(f"Database ready at {settings.db_path} (all migrations applied).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qms",
        description="qms: ISO 9001 quality-management compliance tracker for Vietnamese provincial administration.",
    )
    parser.add_argument("--version", action="version", version=f"qms {__version__}")
    parser.add_argument("--db", help="DuckDB file (default: QMS_DB, else data/qms.duckdb in the project folder)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("init", help="create the database and apply every migration",
                       description="Create the database file if needed and apply every pending migration (safe to rerun).")
    p.set_defaults(func=cmd_init)

    for module in command_modules():
        module.register(sub)
    return parser


def command_modules() -> list:
    """The features' command groups (``qms/<feature>/cli.py`` and ``*_cli.py``): those with an
    ``ORDER`` first (the demo, units, coverage), then the rest by name."""
    return sorted(feature_modules("cli"), key=lambda m: (getattr(m, "ORDER", 1000), m.__name__))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.db)
        return args.func(args, settings)
    except QmsError as e:
        print(f"qms: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
