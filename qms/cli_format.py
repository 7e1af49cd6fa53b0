"""How the CLI prints: JSON for machines, an aligned plain-text table for people."""

from __future__ import annotations

import json
from collections.abc import Sequence


def print_json(data) -> None:
    """``data`` as indented JSON, Vietnamese left readable; dates and other values as text."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def text_table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    """Columns padded to their widest cell under a dashed rule; ``None`` shows as blank."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip()
                     for line in [list(headers), ["-" * w for w in widths], *cells])

