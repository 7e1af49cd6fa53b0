"""Numbers, percentages and dates as people read them (qms/kernel/formatting.py)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from qms.kernel import formatting as f


@pytest.mark.parametrize("value,vi,en", [
    (60.19, "60,19", "60.19"), (14094, "14.094", "14,094"), (1234567.891, "1.234.567,89", "1,234,567.89"),
    (100.0, "100", "100"), (0, "0", "0"), (0.5, "0,50", "0.50"), (-2.5, "-2,50", "-2.50"),
    (None, "–", "–"), (math.nan, "–", "–"),
])
def test_numbers_use_the_languages_marks(value, vi, en):
    assert f.number(value, "vi") == vi and f.number(value, "en") == en


def test_points_drop_trailing_zeros_and_percentages_carry_their_sign():
    assert (f.number(0.5, trim=True), f.number(2.75, trim=True), f.number(3.0, trim=True)) == ("0,5", "2,75", "3")
    assert (f.percent(60.19), f.percent(60.19, "en"), f.percent(None)) == ("60,19 %", "60.19%", "–")


def test_dates_read_day_first_and_iso_text_is_recognised():
    assert f.date(dt.date(2021, 5, 1)) == "01/05/2021" and f.date(None) == ""
    # a stored moment is UTC; people read it in the province's time (UTC+7)
    assert f.moment(dt.datetime(2021, 5, 1, 8, 30, 5), seconds=True) == "01/05/2021 15:30:05"
    assert f.iso_text("2021-05-01") == "01/05/2021"
    assert f.iso_text("2021-05-01T08:30:00Z") == "01/05/2021 08:30"
    assert f.iso_text("1.000001") is None and f.iso_text("2021-13-40") is None and f.iso_text("QĐ 12") is None
