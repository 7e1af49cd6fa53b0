"""Why a signed-in person may not change something: the one line a read-only page shows.

The rule itself is :func:`qms.accounts.rules.allowed` (and the store checks it again on every write);
this module only says, in the person's language, which part of it applies: a viewer changes
nothing, a role lacks the operation, or the unit is outside the person's assigned scope (named,
so that an inspector sees whose units they may audit).  Pages show their forms only when
:func:`read_only_reason` is ``None``.
"""

from __future__ import annotations

from qms.accounts.rules import ALLOWED, UNIT_SCOPED, Operation, Principal, Role, allowed
from qms.changelog.text import unit_ref
from qms.kernel.labels import t


def scope_text(actor: Principal, lang: str = "vi") -> str:
    """The units assigned to ``actor``: ``đơn vị S12-01, S12-02 và các đơn vị thuộc huyện 105``."""
    parts = []
    if actor.units:
        parts.append(t("access.scope_units", lang, codes=", ".join(unit_ref(c, lang) for c in sorted(actor.units))))
    if actor.districts:
        parts.append(t("access.scope_districts", lang, codes=", ".join(sorted(actor.districts))))
    return t("access.scope_and", lang).join(parts) if parts else t("access.scope_none", lang)


def read_only_reason(actor: Principal, op: Operation, lang: str = "vi", *, unit_code: str | None = None,
                     district_code: str | None = None, unit_label: str | None = None) -> str | None:
    """``None`` when ``actor`` may do ``op`` (on the unit); otherwise the sentence saying why not.

    For a unit-scoped operation without a unit (a page-wide form), it is enough that the role
    has the operation at all: the form then offers only the units in scope."""
    what = t(f"access.what.{op.value}", lang)
    if actor.role is Role.VIEWER:
        return t("access.viewer", lang, user=actor.username)
    if not allowed(actor, op, unit_code=unit_code, district_code=district_code):
        if op in UNIT_SCOPED and unit_code is not None and allowed_somewhere(actor, op):
            return t("access.scope", lang, unit=unit_label or unit_code, scope=scope_text(actor, lang), what=what)
        if op in UNIT_SCOPED and unit_code is None and allowed_somewhere(actor, op):
            return None
        return t("access.role", lang, role=t(f"role.{actor.role.value}", lang), what=what)
    return None


def allowed_somewhere(actor: Principal, op: Operation) -> bool:
    """Whether ``actor`` may do ``op`` on some unit: the role has it, and (for a unit-scoped
    operation) an administrator's is everywhere, anyone else's needs an assigned unit or district."""
    if op not in ALLOWED[actor.role]:
        return False
    return actor.role is Role.ADMIN or op not in UNIT_SCOPED or bool(actor.units or actor.districts)


def home_unit(actor: Principal, units) -> str | None:
    """The unit a person's units page opens on (``units``: records with ``code``, ``level``,
    ``parent_code``, in the page's order): an ISO officer's own unit, an inspector's first
    assigned unit (else the first unit of their districts), anyone else's first unit that
    runs a QMS -- never the province itself, which has no lifecycle of its own."""
    # units that still exist come first: an officer whose commune merged in 2025 lands on the new one
    listed = sorted(units, key=lambda u: getattr(u, "valid_to", None) is not None)
    if actor.role in (Role.OFFICER, Role.AUDITOR):
        mine = next((u.code for u in listed if u.code in actor.units), None) or next(
            (u.code for u in listed if u.parent_code in actor.districts), None)
        if mine:
            return mine
    return next((u.code for u in listed if u.level.value != "province"), listed[0].code if listed else None)
