"""AppTest of the overview page against a copy of the demo province."""

from __future__ import annotations

import datetime as dt


def _table(at, column: str):
    """The dataframe that has ``column`` (AppTest does not look dataframes up by key)."""
    found = [df.value for df in at.dataframe if column in df.value.columns]
    assert len(found) == 1, f"expected one table with column {column!r}, found {len(found)}"
    return found[0]


def level_figure(at, level: str, figure: str):
    """A figure of a level in the per-level table (a level per column, a figure per row)."""
    tables = [df.value for df in at.dataframe
              if "Chỉ số" in df.value.columns and "Chưa duy trì trong năm" in set(df.value["Chỉ số"])]
    assert len(tables) == 1, len(tables)
    return tables[0][tables[0]["Chỉ số"] == figure].iloc[0][level]


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_shows_the_2016_commune_figure(app):
    at = app()
    at.date_input(key="overview_as_of").set_value(dt.date(2016, 12, 31)).run()
    assert not at.exception
    assert _metrics(at)["Cấp xã"] == "65/108"
    assert level_figure(at, "Cấp xã", "Tỷ lệ (%)") == 60.19 and level_figure(at, "Cấp xã", "Chỉ tiêu (%)") == 50.0
    assert level_figure(at, "Cấp xã", "Chưa duy trì trong năm") == 1


def test_overview_2021_counts_the_communes_that_exist_then(app):
    at = app()
    at.date_input(key="overview_as_of").set_value(dt.date(2021, 12, 31)).run()
    assert _metrics(at)["Cấp xã"].endswith("/106")


def test_overview_districts_sorted_by_gap(app):
    at = app()
    at.date_input(key="overview_as_of").set_value(dt.date(2021, 12, 31)).run()
    table = [df.value for df in at.dataframe if "Huyện" in df.value.columns and "Còn thiếu (điểm %)" in df.value.columns][0]
    gaps = list(table["Còn thiếu (điểm %)"])
    assert len(table) == 8 and gaps == sorted(gaps, reverse=True) and gaps[0] > 0


def test_overview_lists_pending_units_with_stage(app):
    at = app()
    at.date_input(key="overview_as_of").set_value(dt.date(2016, 12, 31)).run()
    pending = _table(at, "Giai đoạn")
    assert len(pending) == 108 - 65
    assert set(pending["Giai đoạn"]) <= {"Chưa triển khai", "Đang xây dựng", "Đang áp dụng"}


def test_overview_in_english(app):
    at = app()
    at.radio(key="lang").set_value("en").run()
    assert "Communes" in _metrics(at)
    assert at.title[0].value == "Overview"


def test_empty_database_shows_one_message(app):
    at = app(empty=True)
    assert not at.exception
    assert len(at.info) == 1 and "qms demo" in at.info[0].value
    assert not at.metric
