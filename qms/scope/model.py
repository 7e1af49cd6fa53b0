"""Records of the scope feature: TTHC catalogue entries, process versions, legal changes, and the
rows the store returns for pages, the CLI and the overview.

Pure pydantic models (no database, no UI); text is NFC-normalised at the boundary.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from qms.coverage.rules import rate_pct
from qms.units.model import Level, NfcText, OptionalNfcText

#: A TTHC code as in the national database (``1.004946``) or an older provincial code
#: (``T-LCU-283740-TT``): letters, digits, dots, dashes, underscores.
CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._-]*$"
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=CODE_PATTERN)]


class ProcessStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    WITHDRAWN = "withdrawn"


class ChangeEffect(StrEnum):
    """What a legal change does to a TTHC: changes how it is handled, adds it to units' scope,
    or removes it from their scope."""

    AMENDED = "amended"
    ADDED = "added"
    REMOVED = "removed"


class UpdateState(StrEnum):
    """A process against a legal change: not yet due, overdue, re-issued, or withdrawn."""

    PENDING = "pending"
    OVERDUE = "overdue"
    DONE = "done"
    DROPPED = "dropped"


def _codes(values):
    """Codes stripped, blanks dropped, duplicates merged, sorted (a set with a stable order)."""
    if isinstance(values, str):
        values = (values,)
    return tuple(sorted({str(v).strip() for v in values if v is not None and str(v).strip()}))


class CatalogueEntry(BaseModel):
    """One TTHC in one unit's catalogue for a period (``valid_to`` is the first day it is no
    longer handled; None: still handled; ``valid_from`` None: since before records)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit_code: Annotated[NfcText, Field(min_length=1, max_length=200)]
    code: Code
    name: Annotated[NfcText, Field(min_length=1, max_length=1000)]
    field: OptionalNfcText = Field(default=None, max_length=300)
    level: OptionalNfcText = Field(default=None, max_length=64)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> CatalogueEntry:
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValueError("valid_to (end of validity) must be after valid_from")
        return self


class ProcessVersionInput(BaseModel):
    """One version of a unit's ISO process as proposed: an issue, a withdrawal or a draft.

    ``status_on`` is the day the version takes effect: the issue date for an issue (filled from
    ``issued_on``), the withdrawal date for a withdrawal, the drafting date for a draft.
    ``issued_on`` is the date of the issue the version carries (a withdrawal may name the issue it
    withdraws; a draft has none).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit_code: Annotated[NfcText, Field(min_length=1, max_length=200)]
    code: Annotated[NfcText, Field(min_length=1, max_length=64)]
    title: Annotated[NfcText, Field(min_length=1, max_length=500)]
    tthc_codes: Annotated[tuple[Code, ...], BeforeValidator(_codes), Field(min_length=1, max_length=500)]
    status: ProcessStatus
    issue_no: OptionalNfcText = Field(default=None, max_length=32)
    issued_on: dt.date | None = None
    status_on: dt.date | None = None
    legal_basis: OptionalNfcText = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _dates_fit_status(self) -> ProcessVersionInput:
        if self.status is ProcessStatus.ISSUED:
            if self.issued_on is None:
                raise ValueError("an issued process needs its issue date")
            if self.status_on is None:
                object.__setattr__(self, "status_on", self.issued_on)
            elif self.status_on != self.issued_on:
                raise ValueError("an issued process takes effect on its issue date")
        elif self.status is ProcessStatus.WITHDRAWN:
            if self.status_on is None:
                raise ValueError("a withdrawn process needs the date of withdrawal")
            if self.issued_on and self.issued_on > self.status_on:
                raise ValueError("a process cannot be withdrawn before its issue date")
        else:
            if self.issued_on is not None:
                raise ValueError("a draft has no issue date")
            if self.status_on is None:
                raise ValueError("a draft needs the date it was drafted")
        return self

    def same_content(self, other: ProcessVersionInput) -> bool:
        """Equal as a record (what re-importing an exported file must find unchanged)."""
        fields = ProcessVersionInput.model_fields
        return all(getattr(self, f) == getattr(other, f) for f in fields)


class ProcessVersion(ProcessVersionInput):
    id: int
    version_no: int
    recorded_by: str
    recorded_at: dt.datetime | None = None


class LegalChangeItem(BaseModel):
    """One TTHC a legal change touches.  ``unit_codes``: the units whose scope gains or loses it
    (needed for added/removed; for amended, empty means every unit handling it).  A TTHC added
    that is not yet known needs its name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tthc_code: Code
    effect: ChangeEffect
    unit_codes: Annotated[tuple[str, ...], BeforeValidator(_codes)] = ()
    tthc_name: OptionalNfcText = Field(default=None, max_length=1000)
    field: OptionalNfcText = Field(default=None, max_length=300)
    level: OptionalNfcText = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _units_when_scope_changes(self) -> LegalChangeItem:
        if self.effect is not ChangeEffect.AMENDED and not self.unit_codes:
            raise ValueError(f"TTHC {self.tthc_code} {self.effect.value}: name the units whose scope changes")
        return self


class LegalChangeInput(BaseModel):
    """A legal document changing how TTHC are handled (document number, dates, TTHC touched)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    document_no: Annotated[NfcText, Field(min_length=1, max_length=64)]
    title: OptionalNfcText = Field(default=None, max_length=1000)
    signed_on: dt.date | None = None
    effective_on: dt.date
    items: Annotated[tuple[LegalChangeItem, ...], Field(min_length=1, max_length=5000)]

    @model_validator(mode="after")
    def _consistent(self) -> LegalChangeInput:
        if self.signed_on and self.signed_on > self.effective_on:
            raise ValueError("the document cannot take effect before it is signed")
        seen: set[str] = set()
        for item in self.items:
            if item.tthc_code in seen:
                raise ValueError(f"TTHC {item.tthc_code} is listed twice")
            seen.add(item.tthc_code)
        return self


# -- what the store returns ------------------------------------------------------------------------

_FROZEN = ConfigDict(frozen=True)


class TthcView(BaseModel):
    """A TTHC of a unit's catalogue on a date, with the processes in force covering it."""

    model_config = _FROZEN

    code: str
    name: str
    field: str | None
    level: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    covered_by: tuple[str, ...] = ()


class ProcessView(BaseModel):
    """A process as of a date: its latest version (which may be a draft of a revision) and the
    state in force that day (``in_force``: issued, withdrawn, or None when never issued)."""

    model_config = _FROZEN

    unit_code: str
    code: str
    title: str
    version_no: int
    versions: int
    status: ProcessStatus
    in_force: ProcessStatus | None
    issue_no: str | None
    issued_on: dt.date | None
    status_on: dt.date
    tthc_codes: tuple[str, ...]
    legal_basis: str | None


class UpdateDue(BaseModel):
    """A process that must take a legal change in (3-month rule), and where it stands."""

    model_config = _FROZEN

    change_id: int
    document_no: str
    effective_on: dt.date
    due_on: dt.date
    unit_code: str
    unit_name: str
    level: Level
    process_code: str
    process_title: str
    reissued_on: dt.date | None
    state: UpdateState


class ReannouncementDue(BaseModel):
    """An announced unit whose scope a legal change altered after its last announcement."""

    model_config = _FROZEN

    unit_code: str
    unit_name: str
    level: Level
    scope_changed_on: dt.date
    last_announced_on: dt.date
    document_nos: str


class UnitScopeRow(BaseModel):
    """One unit's scope completeness on a date (``rate_pct``/``complete`` None: no catalogue)."""

    model_config = _FROZEN

    unit_code: str
    unit_name: str
    level: Level
    district_code: str | None
    district_name: str | None
    announced: bool
    tthc_total: int
    tthc_covered: int
    rate_pct: float | None
    complete: bool | None


class LevelScope(BaseModel):
    """Scope figures of one level on a date, zeros included.

    ``units``: units of the level in the plan and existing that day; ``with_catalogue``: those
    holding at least one TTHC; ``incomplete``: some TTHC not covered by an issued process;
    ``announced_incomplete``: announced units among them (Circular 26 Art. 36: the scope covers all
    TTHC); ``overdue_updates``: processes past the 3-month rule; ``reannounce_due``: units whose
    scope changed after their last announcement.
    """

    model_config = _FROZEN

    level: Level
    units: int
    with_catalogue: int
    complete: int
    incomplete: int
    announced_incomplete: int
    tthc_total: int
    tthc_covered: int
    rate_pct: float | None
    overdue_updates: int
    reannounce_due: int


class DistrictScope(BaseModel):
    """Communes of one district: how many hold a catalogue, how many are incomplete, TTHC covered."""

    model_config = _FROZEN

    district_code: str
    district_name: str
    with_catalogue: int
    incomplete: int
    tthc_total: int
    tthc_covered: int
    rate_pct: float | None


class ScopeOverview(BaseModel):
    """What the overview shows about scope on a date: one row per coverage level, and totals."""

    model_config = _FROZEN

    as_of: dt.date
    levels: tuple[LevelScope, ...]
    has_catalogue: bool

    @property
    def incomplete(self) -> int:
        return sum(r.incomplete for r in self.levels)

    @property
    def announced_incomplete(self) -> int:
        return sum(r.announced_incomplete for r in self.levels)

    @property
    def overdue_updates(self) -> int:
        return sum(r.overdue_updates for r in self.levels)

    @property
    def reannounce_due(self) -> int:
        return sum(r.reannounce_due for r in self.levels)


class UnitScope(BaseModel):
    """Everything the unit page shows about one unit's scope on a date."""

    model_config = _FROZEN

    unit_code: str
    unit_name: str
    level: Level
    as_of: dt.date
    announced: bool
    processes: tuple[ProcessView, ...]
    covered: tuple[TthcView, ...]
    uncovered: tuple[TthcView, ...]
    updates: tuple[UpdateDue, ...]
    reannouncement: ReannouncementDue | None

    @property
    def tthc_total(self) -> int:
        return len(self.covered) + len(self.uncovered)

    @property
    def rate_pct(self) -> float | None:
        return rate_pct(len(self.covered), self.tthc_total)

    @property
    def incomplete_announced(self) -> bool:
        return self.announced and bool(self.uncovered)


class LegalChangeView(BaseModel):
    """A recorded legal change, with how many processes it obliges and how many are overdue."""

    model_config = _FROZEN

    id: int
    document_no: str
    title: str | None
    signed_on: dt.date | None
    effective_on: dt.date
    due_on: dt.date
    tthc: int
    amended: int
    added: int
    removed: int
    processes: int
    overdue: int
    recorded_by: str


class CatalogueImport(BaseModel):
    """What a TTHC catalogue import did (or, for a preview, would do)."""

    model_config = _FROZEN

    rows: int
    units: int
    new_entries: int
    unchanged: int
    ended: int
    new_tthc: int
    renamed_tthc: int


class ProcessImport(BaseModel):
    """What a process import did (or would do)."""

    model_config = _FROZEN

    rows: int
    units: int
    processes: int
    new_versions: int
    unchanged: int
