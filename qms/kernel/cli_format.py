"""How the CLI prints: JSON for machines, an aligned plain-text table for people; and the one
rule for commands that write a file (:func:`check_writable`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from qms.kernel.errors import ValidationError


def print_json(data) -> None:
    """``data`` as indented JSON, Vietnamese left readable; dates and other values as text."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def text_table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    """Columns padded to their widest cell under a dashed rule; ``None`` shows as blank."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip()
                     for line in [list(headers), ["-" * w for w in widths], *cells])


def check_writable(path: Path, *, force: bool, option: str = "") -> None:
    """Refuse, in one sentence, to write over an existing file unless ``--force`` was given
    (``option`` names the argument in the message, e.g. ``--out``)."""
    where = f"{option}: " if option else ""
    if path.is_dir():
        raise ValidationError(f"{where}{path} is a folder, not a file.", vi=f"{where}{path} là thư mục, không phải tệp.")
    if path.exists() and not force:
        raise ValidationError(f"{where}{path} already exists; add --force to replace it.",
                              vi=f"{where}{path} đã có; thêm --force để ghi đè.")
