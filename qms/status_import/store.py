"""Importing a province's status sheet: a preview that writes nothing, then one confirmation that
writes everything in one transaction, or nothing.

**Why the preview writes and rolls back.**  The preview must show what coverage per level *would
become*, and that figure must be the overview's own, not a second formula that could drift from
it.  So both :func:`preview_status_import` and :func:`apply_status_import` run the same function
inside :meth:`Database.write`: read the units and histories, plan the rows
(:func:`qms.status_import.plan.plan_import`), read :func:`qms.coverage.queries.by_level` (the
overview's SQL) through the transaction's own cursor, record the events with
:func:`qms.units.events_store.record_events_in` (the one write path, which asks the lifecycle rules
again), read ``by_level`` once more; then the preview raises a private exception that makes
``Database.write`` roll everything back, and the confirmation commits.  The cost is one
transaction of a few hundred rows, and a preview may meet a write conflict like any writer.

**Confirming what was previewed.**  :func:`apply_status_import` takes the preview's ``digest``
(a fingerprint of exactly the events to write): if the database changed in between so that the
file now means something else, it refuses and asks for a new preview.

Importing the same file again plans no event, so it writes nothing: no event, no change-log
entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qms.accounts.principals_store import authorize
from qms.accounts.rules import Operation, Principal
from qms.changelog import store as changelog
from qms.coverage.queries import by_level
from qms.kernel.db import InTransaction
from qms.kernel.errors import QmsError
from qms.status_import.plan import ImportPlan, plan_import
from qms.status_import.sheet import StatusImportError, UnitRef, parse_status_file
from qms.status_import.template import TemplateUnit, build_template
from qms.units.events_store import record_events_in
from qms.units.model import COVERAGE_LEVELS, Level, LevelCoverage, NewEvent
from qms.units.store import NAME_ON_SQL, PARENT_ON_SQL

_EVENT_COLUMNS = "unit_code, event_type, event_date, decision_no, standard, scope_note, source, date_estimated"


@dataclass(frozen=True)
class StatusImportResult:
    """A planned (preview) or written import: every row's outcome and coverage before and after
    (``after`` is None when a row is refused: nothing could be written)."""

    plan: ImportPlan
    coverage_before: list[LevelCoverage]
    coverage_after: list[LevelCoverage] | None
    written: bool
    as_of: dt.date

    @property
    def digest(self) -> str:
        return self.plan.digest

    def to_dict(self) -> dict:
        """The JSON shape the CLI prints (``--json``)."""
        p = self.plan
        after = {c.level.value: c for c in self.coverage_after or []}
        return {
            "file": p.filename, "sha256": p.sha256, "as_of": self.as_of.isoformat(), "written": self.written,
            "counts": p.counts(), "events": len(p.events), "digest": self.digest,
            "sheets": [{"name": s.name, "kind": s.kind, "header_rows": list(s.header_rows), "rows": s.data_rows,
                        "ignored_columns": list(s.ignored_columns)} for s in p.sheets],
            "hidden_sheets": p.hidden_sheets,
            "coverage": [
                {"level": c.level.value, "in_plan": c.in_plan, "announced_before": c.announced, "rate_before": c.rate_pct,
                 "announced_after": after[c.level.value].announced if after else None,
                 "rate_after": after[c.level.value].rate_pct if after else None}
                for c in self.coverage_before
            ],
            "rows": [
                {"sheet": o.sheet, "row": o.row, "unit": o.unit.code if o.unit else o.label[0],
                 "name": o.unit.name if o.unit else o.label[1], "outcome": o.outcome,
                 "events": [e.model_dump(mode="json", exclude={"unit_code"}) for e in o.events],
                 "errors": [{"column": i.column, "en": i.en, "vi": i.vi} for i in o.issues]}
                for o in p.outcomes
            ],
            "file_errors": [{"sheet": i.sheet, "row": i.row, "column": i.column, "en": i.en, "vi": i.vi} for i in p.file_issues],
        }


class _Rollback(Exception):
    """Raised inside the preview's transaction so that :meth:`Database.write` rolls it back."""

    def __init__(self, result: StatusImportResult):
        super().__init__("preview")
        self.result = result


def _units(cur, today: dt.date) -> list[UnitRef]:
    rows = cur.execute(
        f"""SELECT u.code, n.name, u.level, p.parent_code, pn.name, u.valid_from, u.valid_to,
                   (SELECT list(name ORDER BY valid_from) FROM unit_names x WHERE x.code = u.code), coalesce(u.gso_code, u.code)
            FROM units u JOIN ({NAME_ON_SQL}) n ON n.code = u.code JOIN ({PARENT_ON_SQL}) p ON p.code = u.code
            LEFT JOIN ({NAME_ON_SQL}) pn ON pn.code = p.parent_code""",
        {"as_of": today},
    ).fetchall()
    return [
        UnitRef(code=r[0], name=r[1], level=Level(r[2]), parent_code=r[3], parent_name=r[4], names=tuple(r[7] or (r[1],)),
                exists_today=(r[5] is None or r[5] <= today) and (r[6] is None or r[6] > today), valid_from=r[5], valid_to=r[6],
                gso_code=r[8])
        for r in rows
    ]


def _histories(cur) -> dict[str, list[NewEvent]]:
    out: dict[str, list[NewEvent]] = {}
    for r in cur.execute(f"SELECT {_EVENT_COLUMNS} FROM qms_events ORDER BY event_date, id").fetchall():
        out.setdefault(r[0], []).append(NewEvent(
            unit_code=r[0], event_type=r[1], event_date=r[2], decision_no=r[3], standard=r[4], scope_note=r[5],
            source=r[6], date_estimated=r[7]))
    return out


def _run(cur, data: bytes, filename: str, *, today: dt.date, actor: Principal) -> StatusImportResult:
    actor = authorize(cur, actor, Operation.IMPORT_STATUS)  # a province-wide onboarding step: the administrator's
    parsed = parse_status_file(data, filename, today=today)
    plan = plan_import(parsed, _units(cur, today), _histories(cur), today=today)
    reader = InTransaction(cur)
    before = by_level(reader, today)
    if plan.issues:
        return StatusImportResult(plan, before, None, False, today)
    if plan.events:
        record_events_in(cur, plan.events, actor=actor, today=today)
    return StatusImportResult(plan, before, by_level(reader, today), False, today)


def preview_status_import(db, data: bytes, filename: str, *, today: dt.date, actor: Principal) -> StatusImportResult:
    """Every row's outcome and the coverage before/after, computed by writing the import inside
    a transaction that is then rolled back: nothing is written.  A file that cannot be read at
    all raises :class:`QmsError`; refused rows are in the result (``plan.issues``)."""

    def run(cur):
        raise _Rollback(_run(cur, data, filename, today=today, actor=actor))

    try:
        db.write(run, attempts=1)
    except _Rollback as done:
        return done.result
    raise AssertionError("unreachable: the preview always rolls back")  # pragma: no cover


def apply_status_import(db, data: bytes, filename: str, *, today: dt.date, actor: Principal,
                        expected_digest: str | None = None) -> StatusImportResult:
    """Write the import in one transaction: every event, the change log, or nothing.

    Raises :class:`StatusImportError` (every refused row, both languages) when a row is
    refused, and :class:`QmsError` when ``expected_digest`` (the preview's) no longer matches.
    """

    def run(cur) -> StatusImportResult:
        result = _run(cur, data, filename, today=today, actor=actor)
        if result.plan.issues:
            raise StatusImportError(filename, result.plan.issues)
        if expected_digest is not None and result.digest != expected_digest:
            raise QmsError(
                f"{filename}: the database changed since the preview, so the file would now write something else; "
                "nothing was written. Preview it again.",
                vi=f"{filename}: dữ liệu đã thay đổi sau khi xem trước nên tệp sẽ ghi nội dung khác; chưa ghi gì. Hãy xem trước lại.",
            )
        if result.plan.events:
            counts = result.plan.counts()
            changelog.append(cur, actor=actor, action="import", entity="status_import", key=filename, after={
                "sha256": result.plan.sha256, "events": len(result.plan.events), **counts})
        return StatusImportResult(result.plan, result.coverage_before, result.coverage_after, bool(result.plan.events), today)

    return db.write(run)


def status_template(db, *, today: dt.date) -> bytes:
    """The blank template (.xlsx) with one row per unit that exists today at a coverage level:
    departments, then districts, then communes grouped by district."""
    levels = [lv.value for lv in COVERAGE_LEVELS]
    rows = db.rows(
        f"""SELECT coalesce(u.gso_code, u.code), n.name, u.level, CASE WHEN pu.level = 'district' THEN pn.name END FROM units u
            JOIN ({NAME_ON_SQL}) n ON n.code = u.code JOIN ({PARENT_ON_SQL}) p ON p.code = u.code
            LEFT JOIN units pu ON pu.code = p.parent_code
            LEFT JOIN ({NAME_ON_SQL}) pn ON pn.code = p.parent_code
            WHERE list_contains($levels, u.level)
              AND (u.valid_from IS NULL OR u.valid_from <= $as_of) AND (u.valid_to IS NULL OR u.valid_to > $as_of)
            ORDER BY CASE u.level WHEN 'department' THEN 1 WHEN 'district' THEN 2 ELSE 3 END,
                     CASE WHEN u.level = 'commune' THEN p.parent_code END NULLS FIRST, u.gso_code, u.code""",
        {"as_of": today, "levels": levels},
    )
    return build_template([TemplateUnit(r[0], r[1], Level(r[2]), r[3] if r[2] == "commune" else None) for r in rows])


def has_units(db) -> bool:
    return bool(db.scalar("SELECT count(*) FROM units WHERE level <> 'province'"))
