"""Every page on the province of today (the 2025 reform applied) and on the eve of the reform:
it renders without an error, and the overview changes its geography across 01/07/2025."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

#: Every page the router knows (its ``st.Page("qms/<feature>/...page.py")`` entries).
PAGES = sorted(set(re.findall(r'st\.Page\("([^"]+)"', (Path(__file__).parents[2] / "streamlit_app.py").read_text())))


def test_the_router_lists_its_pages():
    assert "qms/overview/page.py" in PAGES and "qms/inspections/page.py" in PAGES and len(PAGES) == 13


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_province_of_today(app, page):
    at = app(page=page, today=True, timeout=60)
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if "Traceback" in e.value]


def _overview_on(at, day: dt.date):
    at.date_input(key="overview_as_of").set_value(day).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_overview_date_picker_crossing_the_reform_changes_the_geography(app):
    at = app(page="qms/overview/page.py", today=True, timeout=60)
    _overview_on(at, dt.date(2016, 12, 31))
    labels = [m.label for m in at.metric]
    assert "Cấp huyện" in labels and any(m.value == "65/108" for m in at.metric)
    assert "Cấp xã theo huyện" in [h.value for h in at.subheader]
    _overview_on(at, dt.date(2025, 6, 30))
    assert any(m.value.endswith("/106") for m in at.metric) and "Cấp huyện" in [m.label for m in at.metric]
    _overview_on(at, dt.date(2025, 7, 1))
    labels = [m.label for m in at.metric]
    assert "Cấp huyện" not in labels and any(m.value.endswith("/38") for m in at.metric)
    assert "Cấp xã trực thuộc tỉnh" in [h.value for h in at.subheader]
    assert "Cấp xã theo huyện" not in [h.value for h in at.subheader]
    assert not any("Cấp huyện" in df.value.to_string() for df in at.dataframe)


def test_a_link_with_a_reused_code_opens_the_unit_bearing_it_today_and_shows_where_it_came_from(app):
    at = app(today=True, timeout=60)
    at.query_params["unit"] = "03388"
    at.switch_page("qms/units/page.py")
    at.run()
    assert not at.exception
    assert at.header[0].value == "Phường Đoàn Kết"
    infos = " ".join(i.value for i in at.info)
    assert "Hợp thành từ 5 đơn vị ngày 01/07/2025" in infos
    old = next(b for b in at.button if b.label.startswith("Phường Quyết Tiến (03388)"))
    old.click().run()
    assert at.header[0].value == "Phường Quyết Tiến" and not at.exception
    assert "Từ 01/07/2025 đơn vị này thuộc về: Phường Đoàn Kết (03388)" in " ".join(i.value for i in at.info)
