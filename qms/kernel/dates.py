"""Dates as people read them (dd/mm/yyyy) and as files store them (ISO 8601)."""

from __future__ import annotations

import datetime as dt

from qms.kernel.errors import ValidationError


def fmt(day: dt.date | None) -> str:
    """dd/mm/yyyy for the UI; an empty string for no date."""
    return day.strftime("%d/%m/%Y") if day else ""


def parse_iso(text: str, *, field: str) -> dt.date:
    """An ISO date (YYYY-MM-DD) from a file or the command line; the error names the field."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as e:
        raise ValidationError(
            f"{field}: '{text}' is not a date in the form YYYY-MM-DD.",
            vi=f"{field}: '{text}' không phải ngày dạng YYYY-MM-DD.",
        ) from e


def parse_any(text: str, *, field: str) -> dt.date:
    """A date typed by a person: dd/mm/yyyy (Vietnamese usage) or YYYY-MM-DD."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(
        f"{field}: '{text}' is not a date (expected dd/mm/yyyy).",
        vi=f"{field}: '{text}' không phải ngày hợp lệ (cần dạng dd/mm/yyyy).",
    )


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)
