"""How numbers, percentages and dates read on screen, in the user's language.

Vietnamese writes a decimal comma and groups thousands with a dot, with a space before the
percent sign (60,19 %; 14.094); English the other way round (60.19%; 14,094).  Dates read
dd/mm/yyyy in both languages (the province's usage; files keep ISO 8601, see :mod:`qms.kernel.dates`).
Every page, table, chart label and sentence takes its figures from here, so a figure reads the
same wherever it is shown.  No value is ever shown as ``None``: a missing figure is
:data:`MISSING` (an en dash).
"""

from __future__ import annotations

import datetime as dt
import math

from qms.kernel.clock import local_time
from qms.kernel.dates import fmt

#: What a missing figure shows.
MISSING = "–"


def separators(lang: str = "vi") -> tuple[str, str]:
    """``(decimal mark, thousands separator)`` of ``lang``."""
    return (".", ",") if lang == "en" else (",", ".")


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | int | None, lang: str = "vi", *, decimals: int = 2, trim: bool = False) -> str:
    """``value`` with ``decimals`` decimals (none for a whole number): 14.094 / 60,19 / 2,75.

    Whole numbers (an ``int``, or a float without a fraction at that precision) show no
    decimals, so counts read as counts; others keep exactly ``decimals`` places, or drop their
    trailing zeros with ``trim`` (points: 0,5)."""
    if _is_missing(value):
        return MISSING
    point, group = separators(lang)
    rounded = round(float(value), decimals)
    if rounded.is_integer():
        text = f"{int(rounded):,}"
    else:
        text = f"{rounded:,.{decimals}f}"
        if trim:
            text = text.rstrip("0")
    return text.translate(str.maketrans({",": group, ".": point}))


def percent(value: float | None, lang: str = "vi", *, decimals: int = 2) -> str:
    """A percentage: ``60,19 %`` (Vietnamese, a space before the sign) or ``60.19%``."""
    if _is_missing(value):
        return MISSING
    return number(value, lang, decimals=decimals) + ("%" if lang == "en" else " %")


def date(day: dt.date | None) -> str:
    """A day: ``dd/mm/yyyy`` ("" for no day)."""
    return fmt(day)


def moment(value: dt.datetime | None, *, seconds: bool = False) -> str:
    """A stored moment (UTC) as the province reads it: ``dd/mm/yyyy HH:MM`` (``:SS`` with
    ``seconds``) in the province's time zone (:func:`qms.kernel.clock.local_time`)."""
    if value is None:
        return ""
    return local_time(value).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def iso_text(text: str) -> str | None:
    """``text`` as people read it when it is an ISO date or date-time (``2021-05-01`` ->
    ``01/05/2021``, ``2021-05-01T08:30:00`` -> ``01/05/2021 08:30``); ``None`` when it is not one."""
    if not isinstance(text, str) or len(text) < 10 or text[4:5] != "-" or text[7:8] != "-":
        return None
    try:
        if len(text) == 10:
            return date(dt.date.fromisoformat(text))
        # a moment written into a record's text is shown as written (it carries no zone)
        return dt.datetime.fromisoformat(text).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return None


def vega_locale(lang: str = "vi") -> dict:
    """The number locale of a chart (Vega's ``config.locale``): axes, legends, tooltips and the
    marks' accessible labels then write numbers as :func:`number` does."""
    point, group = separators(lang)
    return {"number": {"decimal": point, "thousands": group, "grouping": [3], "currency": ["", ""]}}
