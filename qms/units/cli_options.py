"""What the features' commands share about units: a ``--unit``-like option names a unit by the
code it bears on a date.

(A feature's commands are its ``cli.py`` or ``*_cli.py``, each defining ``register(subparsers)``,
found by :func:`qms.cli.command_modules`.)
"""

from __future__ import annotations

from qms.kernel.clock import province_today
from qms.kernel.errors import NotFound
from qms.units.store import resolve_unit


def unit_option(db, code: str | None, flag: str, as_of=None) -> str | None:
    """The unit key a ``--unit``-like option names on ``as_of`` (default today): codes are reused
    since 2025, so a code means the unit bearing it that day; a wrong one is one sentence naming
    the option."""
    if not code:
        return code
    try:
        return resolve_unit(db, code, as_of=as_of or province_today())
    except NotFound as e:
        en, vi = str(e), e.vi or str(e)
        raise NotFound(f"{flag}: {en[:1].lower()}{en[1:]}", vi=f"{flag}: {vi[:1].lower()}{vi[1:]}") from None
