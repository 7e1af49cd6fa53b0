"""A unit drop-down that stays small at any scale.

A province has a few hundred units; the country has ~16,000.  A Streamlit selectbox sends every
option to the browser on every run (the national Hành động page sent 1.8 MB per view, most of it
two lists of every unit), so past :data:`SHOWN` units the drop-down holds only the units matching
a search box beside it (code or name, without accents), at most :data:`SHOWN` of them, with the
chosen unit always kept, and a caption saying how many more there are.  Under the limit it is the
plain drop-down people know, typed-in filtering included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from qms.kernel import formatting
from qms.ui.context import lang, t
from qms.units.model import search_key

#: Most units a drop-down sends to the browser (about 60 bytes each).
SHOWN = 300


def unit_selectbox(container: Any, label: str, codes: Sequence[str], *, key: str, format_func: Callable[[Any], str],
                   all_option: bool = False, default: str | None = None, search_in: Any = None,
                   **kwargs: Any) -> str | None:
    """``container.selectbox`` of ``codes`` (with a leading ``None`` "all" option when
    ``all_option``), ``default`` chosen the first time; searched and capped past :data:`SHOWN`.
    ``search_in``: where the search box goes when not beside the drop-down (a drop-down inside a
    form: the search must run before the form is sent)."""
    codes = list(codes)
    if len(codes) > SHOWN:
        text = (search_in or container).text_input(t("unit_choice.search", n=formatting.number(len(codes), lang())), key=f"{key}_search",
                                    placeholder=t("unit_choice.placeholder"))
        wanted = search_key(text or "")
        matches = [c for c in codes if wanted in search_key(format_func(c))] if wanted else codes
        chosen = st.session_state.get(key, default)
        shown = matches[:SHOWN]
        if chosen in codes and chosen not in shown:
            shown = [chosen, *shown]
        if len(matches) > SHOWN:
            container.caption(t("unit_choice.more", shown=SHOWN, total=formatting.number(len(matches), lang())))
        codes = shown
    options = [None, *codes] if all_option else codes
    if key not in st.session_state and default in options:
        kwargs["index"] = options.index(default)
    return container.selectbox(label, options, key=key, format_func=format_func, **kwargs)
