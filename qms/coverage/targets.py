"""Targets as a year-by-level grid (how people edit them) and back."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from qms.kernel.errors import ValidationError
from qms.kernel.labels import t
from qms.units.model import COVERAGE_LEVELS, Target


def grid(targets: Iterable[Target]) -> list[dict]:
    """One row per year: ``{"year": 2016, "department": 100.0, "district": ..., "commune": ...,
    "sample": bool}`` (a level without a target that year is None)."""
    rows: dict[int, dict] = {}
    for tg in targets:
        row = rows.setdefault(tg.year, {"year": tg.year, **{lv.value: None for lv in COVERAGE_LEVELS}, "sample": False})
        row[tg.level.value] = tg.target_pct
        row["sample"] = row["sample"] or tg.is_sample
    return [rows[y] for y in sorted(rows)]


def from_grid(rows: Iterable[Mapping], previous: Iterable[Target] = ()) -> list[Target]:
    """Targets from an edited grid.  An empty cell means "no target"; a value equal to the one
    before keeps its sample mark, a changed one is the province's own (no longer a sample).
    A wrong cell raises one sentence naming its year and level."""
    before = {(tg.level.value, tg.year): tg for tg in previous}
    out: list[Target] = []
    seen: set[int] = set()
    for row in rows:
        year_value = row.get("year")
        if year_value is None or (isinstance(year_value, float) and math.isnan(year_value)):
            continue
        year = int(year_value)
        if not 2014 <= year <= 2100:
            raise ValidationError(f"Year {year} is outside 2014-2100; nothing was saved.",
                                  vi=f"Năm {year} nằm ngoài khoảng 2014-2100; chưa lưu gì.")
        if year in seen:
            raise ValidationError(f"Year {year} appears twice; nothing was saved.", vi=f"Năm {year} bị lặp; chưa lưu gì.")
        seen.add(year)
        for level in COVERAGE_LEVELS:
            value = row.get(level.value)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            pct = float(value)
            if not 0 <= pct <= 100:
                raise ValidationError(
                    f"Target {pct} for {level.value} in {year} is not between 0 and 100; nothing was saved.",
                    vi=f"Chỉ tiêu {pct:g} của {t(f'level.{level.value}').lower()} năm {year} phải từ 0 đến 100; chưa lưu gì.",
                )
            old = before.get((level.value, year))
            out.append(Target(level=level, year=year, target_pct=pct, is_sample=bool(old and old.is_sample and old.target_pct == pct)))
    return out
