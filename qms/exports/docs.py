"""The schema section of ``docs/exports.md``, generated from the table registry.

The doc's prose is written by hand; the part between :data:`BEGIN` and :data:`END` is this
module's output, and a test checks that the file holds exactly what the registry generates.
After changing a table: ``python -m qms.exports.docs --write``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qms.exports.registry import SCHEMA_VERSION, TYPES, Registry, default_registry
from qms.kernel.settings import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "exports.md"
BEGIN = "<!-- BEGIN GENERATED SCHEMA (python -m qms.exports.docs --write) -->"
END = "<!-- END GENERATED SCHEMA -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(registry: Registry | None = None) -> str:
    """The generated block (without the markers): version, types, then one section per table."""
    registry = registry or default_registry()
    out = [
        f"Schema version **{SCHEMA_VERSION}** (fingerprint `{registry.fingerprint()}`).",
        "",
        "| type | meaning |",
        "|---|---|",
        *(f"| `{name}` | {meaning} |" for name, meaning in TYPES.items()),
        "",
    ]
    for table in registry.tables:
        out += [f"### `{table.file_name}` ({table.label_vi})", "", _cell(table.meaning), ""]
        out.append(f"Rows ordered by {', '.join(f'`{k}`' for k in table.order_by)} (unique). "
                   f"Present when the database has the table(s) {', '.join(f'`{r}`' for r in table.requires) or '-'}.")
        out += ["", "| column | type | meaning | nhãn tiếng Việt |", "|---|---|---|---|"]
        out += [f"| `{c.name}` | `{c.type}` | {_cell(c.meaning)} | {_cell(c.label_vi)} |" for c in table.columns]
        out.append("")
    return "\n".join(out).rstrip("\n")


def generated_block(text: str) -> str | None:
    """The part of ``text`` between the markers, or None when they are missing."""
    if BEGIN not in text or END not in text:
        return None
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")


def rewrite(path: Path = DOC, registry: Registry | None = None) -> bool:
    """Replace the generated block of ``path``; returns whether the file changed."""
    text = path.read_text(encoding="utf-8")
    if generated_block(text) is None:
        raise SystemExit(f"{path}: the markers {BEGIN!r} and {END!r} are missing")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    new = f"{head}{BEGIN}\n{render(registry)}\n{END}{tail}"
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qms.exports.docs",
                                     description="Print, or write into docs/exports.md, the snapshot schema tables.")
    parser.add_argument("--write", action="store_true", help="rewrite the generated block of docs/exports.md")
    args = parser.parse_args(argv)
    if args.write:
        print(f"{DOC}: {'updated' if rewrite() else 'already up to date'}")
    else:
        sys.stdout.write(render() + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
