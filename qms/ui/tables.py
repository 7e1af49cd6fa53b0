"""Tables as people read them: numbers in the user's language, no ``None``, widths that fit.

Every page draws its tables through :func:`show_table`, which keeps the values numeric (a click
on a column header sorts 9 before 10) while showing them as :mod:`qms.kernel.formatting` writes them
(60,19; 14.094; "–" for a missing figure), through a pandas ``Styler``'s display values.
Long text columns get a bounded width so that a table fits a 1366-pixel laptop screen
(the full text stays readable in the cell's overlay); the caller names them in ``widths``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from qms.kernel import formatting
from qms.ui.context import lang

#: Beyond this many cells the display values would cost more than they are worth (pandas styles
#: cell by cell: ~0.3 s for 2,000 rows of 13 columns): such a table's decimals show in the
#: browser's number format instead (a list that long is cut to its first rows anyway).
STYLED_CELLS = 20_000
#: Width, in pixels, of a column of long text (descriptions, notes, titles) unless told.
TEXT_WIDTH = 220


def _numeric(column: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(column):
        return False
    if pd.api.types.is_numeric_dtype(column):
        return True
    values = column.dropna()
    return len(values) > 0 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def frame(rows: Sequence[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """The rows as a DataFrame whose number columns are numbers (``None`` -> NaN, shown as a
    dash) and whose other columns never hold ``None`` (the grid would write "None"): a missing
    text is empty, a column with no value at all (the scores of drafts only) a dash."""
    data = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    for name in data.columns:
        column = data[name]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        if _numeric(column):
            data[name] = pd.to_numeric(column)
        elif column.isna().all():
            data[name] = formatting.MISSING
        elif column.isna().any():
            data[name] = column.where(column.notna(), "")
    return data


def transposed(rows: Sequence[Mapping[str, Any]], *, by: str, corner: str) -> pd.DataFrame:
    """Few records with many figures each (per level, per group) turned so that each record is a
    column and each figure a row: ``corner`` heads the column of figure names, the values of
    ``by`` head the others.  Three levels by ten figures fit a laptop screen; ten by three
    columns of long headers do not."""
    names = [str(r[by]) for r in rows]
    figures = [k for k in (rows[0] if rows else {}) if k != by]
    data = pd.DataFrame({corner: figures, **{n: [r[f] for f in figures] for n, r in zip(names, rows)}})
    for n in names:
        if _numeric(data[n]):
            data[n] = pd.to_numeric(data[n]).astype("float64")
    return data


def styled(data: pd.DataFrame, *, plain: Collection[str] = (), decimals: Mapping[str, int] | None = None,
           always: bool = False):
    """``data`` with display values in the user's language, or ``data`` itself when nothing
    needs them (no decimals, no thousands, nothing missing) or the table is too large.

    ``plain``: number columns shown as they are (identifiers, years: no thousands separator);
    ``decimals``: places per column (default 2; whole numbers show none); ``always``: format
    every number column (a column mixing counts and rates)."""
    code = lang()
    todo = [c for c in data.columns if c not in plain and pd.api.types.is_numeric_dtype(data[c])
            and not pd.api.types.is_bool_dtype(data[c])]
    todo = [c for c in todo if always or data[c].isna().any() or (data[c].abs() >= 1000).any()
            or not (data[c].dropna() % 1 == 0).all()]
    missing_plain = [c for c in plain if c in data.columns and data[c].isna().any()]
    if not (todo or missing_plain) or data.size > STYLED_CELLS:
        return data
    places = decimals or {}
    style = data.style
    for c in todo:
        style = style.format(lambda v, d=places.get(c, 2): formatting.number(v, code, decimals=d), subset=[c])
    for c in missing_plain:
        style = style.format(lambda v: formatting.MISSING if pd.isna(v) else str(int(v)), subset=[c])
    return style


def show_table(rows: Sequence[Mapping[str, Any]] | pd.DataFrame, *, key: str, plain: Collection[str] = (),
               widths: Mapping[str, int | str] | None = None, decimals: Mapping[str, int] | None = None,
               column_config: Mapping[str, Any] | None = None, height: int | str | None = None,
               turn_by: str | None = None, corner: str = "") -> None:
    """``st.dataframe`` of ``rows`` (dicts of column label -> value) without its index.

    ``widths``: label -> pixels (or "small"/"medium"/"large") for long text columns;
    ``plain`` / ``decimals``: see :func:`styled`; ``column_config`` is passed on (it wins);
    ``turn_by``: show the rows :func:`transposed` (one column per value of that column)."""
    data = transposed(rows, by=turn_by, corner=corner) if turn_by else frame(rows)
    config: dict[str, Any] = {name: st.column_config.Column(width=w) for name, w in (widths or {}).items()}
    if data.size > STYLED_CELLS:  # no display values: at least the locale's separators
        config.update({c: st.column_config.NumberColumn(format="localized") for c in data.columns
                       if c not in plain and c not in config and pd.api.types.is_float_dtype(data[c])})
    config.update(column_config or {})
    options: dict[str, Any] = {"hide_index": True, "key": key, "column_config": config or None}
    if height is not None:
        options["height"] = height
    st.dataframe(styled(data, plain=plain, decimals=decimals, always=turn_by is not None), **options)
