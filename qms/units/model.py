"""The domain's records: pydantic models with their limits, NFC-normalised text.

Pure: no database, no UI.  Store functions return these; pages and the CLI render them.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from qms.kernel.text_rules import clean_text


def nfc(text: str) -> str:
    """NFC-normalise and strip: Vietnamese text typed on a Mac or pasted from a PDF is often NFD."""
    return unicodedata.normalize("NFC", text).strip()


def search_key(text: str) -> str:
    """Lower-case text without diacritics ("Đoàn Kết" -> "doan ket"), for accent-free search.

    Matches DuckDB's ``strip_accents(lower(...))`` once đ/Đ (a letter of its own, not an
    accented d) is mapped to d on both sides.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def _nfc_or_none(text: str | None) -> str | None:
    if text is None:
        return None
    text = clean_text(text)
    return text or None


#: Text from a person or a file: NFC, stripped, refused when it holds a control character
#: (:mod:`qms.kernel.text_rules`, the one rule every door applies).
NfcText = Annotated[str, AfterValidator(clean_text)]
OptionalNfcText = Annotated[str | None, AfterValidator(_nfc_or_none)]


class Level(StrEnum):
    PROVINCE = "province"
    DEPARTMENT = "department"
    DISTRICT = "district"
    COMMUNE = "commune"


#: The levels whose QMS units are counted in coverage (the province itself is not a QMS unit:
#: the UBND tỉnh shares its QMS with the provincial office, a department-level unit).
COVERAGE_LEVELS: tuple[Level, ...] = (Level.DEPARTMENT, Level.DISTRICT, Level.COMMUNE)


class EventType(StrEnum):
    BUILD_STARTED = "build_started"
    APPLIED = "applied"
    INTERNAL_AUDIT = "internal_audit"
    MANAGEMENT_REVIEW = "management_review"
    EFFECTIVENESS_CONFIRMED = "effectiveness_confirmed"
    ANNOUNCED = "announced"
    RE_ANNOUNCED = "re_announced"
    STANDARD_CHANGED = "standard_changed"
    WITHDRAWN = "withdrawn"


class Stage(StrEnum):
    NOT_STARTED = "not_started"
    BUILDING = "building"
    APPLYING = "applying"
    ANNOUNCED = "announced"


class Standard(StrEnum):
    ISO_2008 = "2008"
    ISO_2015 = "2015"


class UnitRecord(BaseModel):
    """One QMS or administrative unit as imported or listed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z][0-9A-Za-z._@-]*$")]
    name: Annotated[NfcText, Field(min_length=1, max_length=200)]
    level: Level
    kind: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")]
    parent_code: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    in_plan: bool = True

    @model_validator(mode="after")
    def _dates_in_order(self) -> UnitRecord:
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValueError("valid_to must be after valid_from")
        if self.level is not Level.PROVINCE and not self.parent_code:
            raise ValueError(f"a {self.level.value} unit needs a parent code")
        return self

    def exists_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


class NewEvent(BaseModel):
    """A lifecycle event as a user (or an importer) proposes it, before the rules are asked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit_code: Annotated[str, Field(min_length=1)]
    event_type: EventType
    event_date: dt.date
    decision_no: OptionalNfcText = Field(default=None, max_length=64)
    standard: Standard | None = None
    scope_note: OptionalNfcText = Field(default=None, max_length=2000)
    source: Annotated[str, Field(pattern=r"^(manual|demo|import|audit)$")] = "manual"
    date_estimated: bool = False


class LifecycleEvent(NewEvent):
    """A recorded event: ``id`` orders events of the same day in the order they were recorded."""

    id: int
    recorded_by: str
    recorded_at: dt.datetime | None = None


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    level: Level
    year: Annotated[int, Field(ge=2014, le=2100)]
    target_pct: Annotated[float, Field(ge=0, le=100)]
    is_sample: bool = False


class LevelCoverage(BaseModel):
    """Coverage of one level on a date.  ``rate_pct``/``gap_pct`` are None when nothing is counted."""

    model_config = ConfigDict(frozen=True)

    level: Level
    as_of: dt.date
    in_plan: int
    announced: int
    building: int
    applying: int
    never_started: int
    not_maintained: int
    rate_pct: float | None
    target_pct: float | None
    gap_pct: float | None


class DistrictCoverage(BaseModel):
    model_config = ConfigDict(frozen=True)

    district_code: str
    district_name: str
    in_plan: int
    announced: int
    rate_pct: float | None
    target_pct: float | None
    gap_pct: float | None


class TrendPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    level: Level
    year: int
    in_plan: int
    announced: int
    rate_pct: float | None
    target_pct: float | None


class PendingUnit(BaseModel):
    """A unit not announced on a date, with its stage and since when it has been there."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    level: Level
    district_code: str | None
    district_name: str | None
    stage: Stage
    stage_since: dt.date | None
    days_in_stage: int | None
    #: The unit's key (``units.code``; ``code`` is the official code shown): they differ for a unit
    #: formed on a code that already named another one (``03388@2025-07-01``).
    key: str | None = None


def checked(model: type[BaseModel], **values):
    """Build ``model`` from user input; a refused field becomes one :class:`QmsError` sentence
    naming the field (pages and the CLI show it instead of pydantic's report)."""
    from pydantic import ValidationError as PydanticError

    from qms.kernel.errors import ValidationError

    try:
        return model(**values)
    except PydanticError as e:
        err = e.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or model.__name__
        msg = err["msg"].removeprefix("Value error, ")
        raise ValidationError(f"{field}: {msg}; nothing was saved.", vi=f"{field}: {msg}; chưa lưu gì.") from e
