"""Tables as people read them (qms/ui/tables.py): numbers stay numbers (they sort as numbers), the
grid shows them as the language writes them, and no cell reads "None"."""

from __future__ import annotations

import pyarrow as pa
from streamlit.testing.v1 import AppTest


def _page():
    import streamlit as st

    from qms.ui.tables import show_table

    st.session_state.setdefault("lang", "vi")
    show_table([{"Số": 1089, "Đơn vị": "Xã A", "Điểm (%)": None, "Ghi chú": None, "Tỷ lệ (%)": 60.19, "TTHC": 14094},
                {"Số": 7, "Đơn vị": None, "Điểm (%)": None, "Ghi chú": "có", "Tỷ lệ (%)": None, "TTHC": 3}],
               key="t", plain=["Số"])


def _shown(at) -> dict[str, list[str]]:
    """What the grid writes in each cell: the styler's display values."""
    shown = pa.ipc.open_stream(at.dataframe[0].proto.arrow_data.styler.display_values).read_pandas()
    return {name: list(shown[name]) for name in at.dataframe[0].value.columns}


def test_numbers_stay_numeric_and_nothing_reads_none():
    at = AppTest.from_function(_page).run()
    assert not at.exception
    data = at.dataframe[0].value
    assert list(data["TTHC"]) == [14094, 3] and list(data["Số"]) == [1089, 7]  # sortable as numbers
    assert data["Tỷ lệ (%)"].iloc[0] == 60.19
    assert list(data["Điểm (%)"]) == ["–", "–"]  # a column with no value at all: a dash, not "None"
    assert list(data["Ghi chú"]) == ["", "có"] and list(data["Đơn vị"]) == ["Xã A", ""]


def test_the_grid_writes_vietnamese_or_english_numbers():
    at = AppTest.from_function(_page).run()
    shown = _shown(at)
    assert shown["Tỷ lệ (%)"] == ["60,19", "–"] and shown["TTHC"] == ["14.094", "3"] and shown["Số"] == ["1089", "7"]
    at.session_state["lang"] = "en"
    shown = _shown(at.run())
    assert shown["Tỷ lệ (%)"] == ["60.19", "–"] and shown["TTHC"] == ["14,094", "3"]
