"""The ISO criteria of the PAR Index (Chỉ số CCHC) as data, and how a criterion is scored.

Pure: a methodology file in, models out; counts in, points out.  No database.

Contract:
- A methodology is a settings file (YAML), never code: the Ministry changes its methodology by
  period and the official codes, points and thresholds are not confirmed here (domain.md
  section 7), so the shipped file is a *sample* (``sample: true``) that a province replaces with
  values copied from the official text.  Every model refuses unknown keys (``extra="forbid"``):
  a typo in a key is an error, not a silently ignored field.
- A criterion scores one *measure* on one *level*:

  - ``announced_rate``: units of the level that announced a conforming QMS / units of the level
    that must (or plan to) run one, on the date;
  - ``maintained_rate``: announced units that held both an internal audit and a management
    review in the year / units announced on the date (a unit announced during the year counts as
    maintained: its announcement followed an audit and a review; Decision 19 Art. 4.4b).

- Score bands are ``{min_rate, points}`` pairs, both strictly increasing; the last band's points
  are the criterion's ``max_points``.  A rate below the first band scores 0.  Comparisons are
  exact (``numerator * 100 >= min_rate * denominator`` with fractions), so 65/108 is never
  rounded into a band it does not reach.
- Problems surface as :class:`MethodologyError` ("<file>: <location>: <reason>").
"""

from __future__ import annotations

import hashlib
import math
from fractions import Fraction
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from qms.audits.checklists import LocalizedText, error_location, error_reason
from qms.kernel.errors import QmsError
from qms.kernel.settings import PROJECT_ROOT

Measure = Literal["announced_rate", "maintained_rate"]
CriterionLevel = Literal["department", "district", "commune"]

MEASURES: tuple[str, ...] = ("announced_rate", "maintained_rate")

#: The shipped sample; a province's own methodology goes in :data:`PROVINCE_METHODOLOGY`.
SAMPLE_METHODOLOGY = PROJECT_ROOT / "data" / "par" / "methodology-sample.yaml"
#: When this file exists, it is used instead of the sample (same format).
PROVINCE_METHODOLOGY = PROJECT_ROOT / "data" / "par" / "methodology.yaml"


def default_methodology_path() -> Path:
    """The province's own methodology file if it exists, else the shipped sample."""
    return PROVINCE_METHODOLOGY if PROVINCE_METHODOLOGY.is_file() else SAMPLE_METHODOLOGY


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Wording(LocalizedText):
    """A text in Vietnamese (the official wording) and English (the checklists' localized text)."""

    def text(self, lang: str = "vi") -> str:
        return self.en if lang == "en" and self.en else self.vi


class Band(_Frozen):
    """From ``min_rate`` percent (inclusive) the criterion scores ``points``."""

    min_rate: float = Field(ge=0, le=100)
    points: float = Field(ge=0)


class Criterion(_Frozen):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
    wording: Wording
    level: CriterionLevel
    measure: Measure
    max_points: float = Field(gt=0, le=100)
    bands: list[Band] = Field(min_length=1)

    @model_validator(mode="after")
    def _bands_monotone(self) -> Criterion:
        for i in range(1, len(self.bands)):
            before, band = self.bands[i - 1], self.bands[i]
            if band.min_rate <= before.min_rate:
                raise ValueError(f"bands[{i}].min_rate {band.min_rate:g} must be above bands[{i - 1}].min_rate {before.min_rate:g}")
            if band.points <= before.points:
                raise ValueError(f"bands[{i}].points {band.points:g} must be above bands[{i - 1}].points {before.points:g}")
        if self.bands[-1].points != self.max_points:
            raise ValueError(f"the last band's points ({self.bands[-1].points:g}) must equal max_points ({self.max_points:g})")
        return self

    @property
    def full_marks_rate(self) -> float:
        """The rate (percent) from which the criterion earns its max points."""
        return self.bands[-1].min_rate


class Methodology(_Frozen):
    """A versioned set of criteria; ``sample`` marks values that are not the official ones."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: int = Field(ge=1)
    sample: bool
    title: Wording
    note: Wording | None = None
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes_unique(self) -> Methodology:
        seen: dict[str, int] = {}
        for i, c in enumerate(self.criteria):
            if c.code in seen:
                raise ValueError(f"criteria[{i}].code {c.code!r} is already used by criteria[{seen[c.code]}]")
            seen[c.code] = i
        return self

    @property
    def max_points(self) -> float:
        return round(sum(c.max_points for c in self.criteria), 4)


class MethodologyError(QmsError):
    """A methodology file that cannot be used; ``str()`` is "<file>: <location>: <reason>"."""

    def __init__(self, file: str, location: str, reason: str):
        self.file, self.location, self.reason = str(file), location, reason
        super().__init__(f"{self.file}: {location}: {reason}",
                         vi=f"{self.file}: {location}: {reason} (tệp phương pháp chấm điểm không dùng được)")


def parse_methodology(data: bytes, file: str) -> Methodology:
    """Validate a methodology from a file's bytes; any problem raises :class:`MethodologyError`."""
    try:
        raw = yaml.safe_load(data.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise MethodologyError(file, "file", f"not UTF-8 text (byte {e.start})") from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise MethodologyError(file, f"line {mark.line + 1}" if mark else "file", f"YAML syntax error: {e.problem}") from None
    except yaml.YAMLError as e:
        raise MethodologyError(file, "file", f"YAML error: {e}") from None
    if not isinstance(raw, dict):
        raise MethodologyError(file, "top level", "expected a mapping of keys")
    try:
        return Methodology.model_validate(raw)
    except PydanticValidationError as e:
        err = e.errors()[0]
        raise MethodologyError(file, error_location(err["loc"]), error_reason(err)) from None


def load_methodology(path: Path) -> tuple[Methodology, str]:
    """Read and validate a methodology file; returns it with the SHA-256 of its bytes."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise MethodologyError(str(path), "file", f"cannot be read ({e.strerror or e})") from None
    return parse_methodology(data, str(path)), hashlib.sha256(data).hexdigest()


# --- scoring ---------------------------------------------------------------------------------

class Score(_Frozen):
    """A criterion's result for one numerator/denominator.

    ``rate_pct`` and ``points`` are None when the denominator is 0 (no unit is counted: the
    criterion cannot be scored, which is not the same as scoring 0).  ``next_band`` is the band
    just above the one reached (None at full marks); ``units_to_next_band`` /
    ``units_to_full_marks`` say how many more units must meet the measure to get there.
    """

    numerator: int
    denominator: int
    rate_pct: float | None
    points: float | None
    max_points: float
    full_marks_rate: float
    next_band: Band | None
    units_to_next_band: int | None
    units_to_full_marks: int | None

    @property
    def full_marks(self) -> bool:
        return self.points is not None and self.points >= self.max_points


def _reaches(numerator: int, denominator: int, min_rate: float) -> bool:
    return Fraction(numerator * 100) >= Fraction(str(min_rate)) * denominator


def _units_needed(numerator: int, denominator: int, min_rate: float) -> int:
    """The fewest extra units that bring numerator/denominator to ``min_rate`` percent."""
    needed = math.ceil(Fraction(str(min_rate)) * denominator / 100)
    return max(0, needed - numerator)


def score(criterion: Criterion, numerator: int, denominator: int) -> Score:
    """Score ``numerator`` of ``denominator`` units against the criterion's bands."""
    if numerator < 0 or denominator < 0 or numerator > denominator:
        raise ValueError(f"impossible counts: {numerator} of {denominator}")
    if denominator == 0:
        return Score(numerator=0, denominator=0, rate_pct=None, points=None, max_points=criterion.max_points,
                     full_marks_rate=criterion.full_marks_rate, next_band=None, units_to_next_band=None,
                     units_to_full_marks=None)
    reached = [b for b in criterion.bands if _reaches(numerator, denominator, b.min_rate)]
    points = reached[-1].points if reached else 0.0
    above = [b for b in criterion.bands if not _reaches(numerator, denominator, b.min_rate)]
    next_band = above[0] if above else None
    return Score(
        numerator=numerator, denominator=denominator, rate_pct=round(100.0 * numerator / denominator, 2), points=points,
        max_points=criterion.max_points, full_marks_rate=criterion.full_marks_rate, next_band=next_band,
        units_to_next_band=None if next_band is None else _units_needed(numerator, denominator, next_band.min_rate),
        units_to_full_marks=_units_needed(numerator, denominator, criterion.full_marks_rate),
    )
