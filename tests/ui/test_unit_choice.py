"""The unit drop-down at national scale (qms/ui/unit_choice.py): past SHOWN units it sends only
the units matching its search box, the chosen one kept; under the limit it is a plain drop-down."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from qms.ui.unit_choice import SHOWN

SCRIPT = """
import streamlit as st
from qms.ui.unit_choice import unit_selectbox

n = st.session_state.get("n", 5000)
names = {f"{i:05d}": f"Xã Đoàn Kết {i}" if i % 1000 == 7 else f"Xã Thử {i}" for i in range(n)}
chosen = unit_selectbox(st, "Đơn vị", list(names), key="u", format_func=lambda c: "Tất cả" if c is None else names[c],
                        all_option=True)
st.write(f"chosen={chosen}")
"""


def run(n: int) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=30)
    at.session_state["n"] = n
    return at.run()


def test_a_country_of_units_sends_a_capped_list_and_a_search_box():
    at = run(5000)
    assert not at.exception
    assert len(at.selectbox(key="u").options) == SHOWN + 1  # "all" and the first SHOWN units, not 5,000
    assert "5.000" in at.text_input(key="u_search").label
    assert any("300" in c.value and "5.000" in c.value for c in at.caption)


def test_the_search_narrows_without_accents_and_the_choice_stays():
    at = run(5000)
    at.text_input(key="u_search").input("doan ket").run()  # typed without diacritics
    assert at.selectbox(key="u").options == ["Tất cả", *[f"Xã Đoàn Kết {i}" for i in (7, 1007, 2007, 3007, 4007)]]
    at.selectbox(key="u").set_value("03007").run()
    assert at.markdown[-1].value == "chosen=03007"
    at.text_input(key="u_search").input("Thử 12").run()  # another search: the chosen unit stays offered and chosen
    assert "Xã Đoàn Kết 3007" in at.selectbox(key="u").options and at.markdown[-1].value == "chosen=03007"


def test_a_province_keeps_the_plain_drop_down():
    at = run(SHOWN)
    assert len(at.selectbox(key="u").options) == SHOWN + 1 and not at.text_input
