"""Journey 1: the provincial lead opens the overview, reads the figures, looks back to 2016.

The demo's figures are fixed facts of its seeded history (``qms coverage --level commune``):
today 96 of the 106 communes of 2021 have announced; on 31/12/2016, 65 of the 108 communes of
that year (60,19 %: Vietnamese numbers, a decimal comma).  The session's server is shared, so today's figure adds the communes other
journeys announced (``changes``); the 2016 figures no journey can move.  Every test starts
signed in, on the overview (the ``page`` fixture).
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from qms.kernel.formatting import percent
from qms.kernel.labels import t

from .helpers import chart_marks, chart_size, chart_with_axis, metric, set_date

pytestmark = pytest.mark.e2e

COMMUNES_TODAY = (96, 106)
PENDING_TODAY = 10  # 5 never started, 2 building, 3 applying
END_2016 = dt.date(2016, 12, 31)


def test_overview_shows_todays_figures(page, app_server, changes):
    announced = COMMUNES_TODAY[0] + changes.announced_communes
    value, delta = metric(page, "Cấp xã")
    assert value == f"{announced}/{COMMUNES_TODAY[1]}"
    assert delta.startswith(percent(round(announced / COMMUNES_TODAY[1] * 100, 2)) + " · chỉ tiêu ")
    assert metric(page, "Sở, ban, ngành")[0] == "20/20"
    assert metric(page, "Cấp huyện")[0] == "8/8"
    expect(page.get_by_role("heading", name=f"Đơn vị chưa công bố ({PENDING_TODAY - changes.announced_communes})")).to_be_visible()


def test_overview_draws_both_charts(page, app_server):
    for axis in ("Huyện", "Năm"):
        chart = chart_with_axis(page, axis)
        expect(chart).to_have_count(1)
        width, height = chart_size(chart)
        assert width > 100 and height > 100, f"the chart with axis {axis!r} is {width}x{height}"
        assert chart_marks(chart), f"the chart with axis {axis!r} drew no mark"


def test_date_picker_moves_the_figures_to_2016(page, app_server):
    before = metric(page, "Cấp xã")[0]
    set_date(page, "overview_as_of", END_2016)
    card = page.get_by_test_id("stMetric").filter(has_text="Cấp xã")
    expect(card.get_by_test_id("stMetricValue")).to_have_text("65/108")
    assert before != "65/108"
    assert metric(page, "Cấp xã")[1].startswith("60,19 %")
    expect(page.get_by_role("heading", name=f"Đơn vị chưa công bố ({108 - 65})")).to_be_visible()


def test_charts_draw_the_2016_figures(page, app_server):
    set_date(page, "overview_as_of", END_2016)
    expect(page.get_by_test_id("stMetric").filter(has_text="65/108")).to_be_visible()

    districts = chart_with_axis(page, "Huyện")
    expected = app_server.facts.districts_2016
    assert len(expected) == 8
    expect(districts.locator('[aria-label^="Huyện: "]')).to_have_count(len(expected))
    bars = [m for m in chart_marks(districts) if m.startswith("Huyện: ")]
    for name, announced, in_plan in expected:
        mine = [b for b in bars if b.startswith(f"Huyện: {name};")]
        assert len(mine) == 1, f"no single bar for {name}: {bars}"
        assert f"{t('col.announced')}: {announced};" in mine[0] and f"{t('col.in_plan')}: {in_plan}" in mine[0], mine[0]

    trend = chart_with_axis(page, "Năm")
    expect(trend.locator('[aria-label*="Năm: 2016;"]').first).to_be_attached()
    marks = chart_marks(trend)
    rates = [m for m in marks if "Năm: 2016;" in m and "Cấp: Cấp xã;" in m and f"{t('col.series')}: {t('col.announced')};" in m]
    assert rates and all(m.endswith(f"{t('col.rate')}: 60,19") for m in rates), marks
    assert not [m for m in marks if "Năm: 2017;" in m], "the trend goes past the chosen date"
