"""The overview's cached reads (qms/overview/cached_widgets.py): keyed on the data version, so a write made
anywhere (here: through the store, as another session or the CLI would) shows on the next run;
and the province grouping a national database gets."""

from __future__ import annotations

import datetime as dt

from test_overview_page import level_figure  # tests/ui is on sys.path (pytest prepend mode)

from qms.accounts.rules import system_principal
from qms.coverage import queries as coverage
from qms.kernel.db import open_database
from qms.units.events_store import record_event
from qms.units.model import EventType, NewEvent

DAY = dt.date(2016, 12, 31)


def _table(at, column: str):
    found = [df.value for df in at.dataframe if column in df.value.columns]
    assert len(found) == 1, f"expected one table with column {column!r}, found {len(found)}"
    return found[0]


def _never_started_communes(at) -> int:
    return int(level_figure(at, "Cấp xã", "Chưa triển khai"))


def test_a_write_through_the_store_changes_the_figure_on_the_next_run(app, tmp_path):
    at = app()
    at.date_input(key="overview_as_of").set_value(dt.date(2021, 12, 31)).run()
    before = _never_started_communes(at)
    pending = _table(at, "Giai đoạn")
    code = pending[(pending["Giai đoạn"] == "Chưa triển khai") & (pending["Cấp"] == "Cấp xã")].iloc[0]["Mã"]
    at.run()
    assert _never_started_communes(at) == before  # served again (from the cache), unchanged
    other = open_database(tmp_path / "app.duckdb")
    try:
        record_event(other, NewEvent(unit_code=code, event_type=EventType.BUILD_STARTED, event_date=dt.date(2021, 6, 1)),
                     actor=system_principal("officer"), today=dt.date(2021, 12, 31))
    finally:
        other.close()
    at.run()
    assert not at.exception
    assert _never_started_communes(at) == before - 1
    pending = _table(at, "Giai đoạn")
    assert pending[pending["Mã"] == code].iloc[0]["Giai đoạn"] == "Đang xây dựng"


def test_many_districts_are_grouped_by_province_with_a_drill_down(app, monkeypatch):
    monkeypatch.setattr(coverage, "PROVINCE_GROUPING_ABOVE", 5)  # the demo's 8 districts count as "many"
    at = app()
    at.date_input(key="overview_as_of").set_value(DAY).run()
    assert not at.exception
    provinces = _table(at, "Tỉnh")
    assert list(provinces["Tỉnh"]) == ["Tỉnh Lai Châu"]
    assert at.selectbox(key="overview_province").value is not None
    districts = [df.value for df in at.dataframe if "Huyện" in df.value.columns and "Còn thiếu (điểm %)" in df.value.columns]
    assert len(districts) == 1 and len(districts[0]) == 8
    assert provinces.iloc[0]["Thuộc diện áp dụng"] == districts[0]["Thuộc diện áp dụng"].sum()


def test_a_country_after_2025_groups_its_communes_by_province(app, tmp_path):
    """From 01/07/2025 communes sit directly under 34 provinces: a national database lists the
    provinces (chart and table), then the communes of the one chosen, never all of them at once."""
    from qms.units.model import Level, UnitRecord
    from qms.units.store import import_units

    at = app(today=True)
    other = open_database(tmp_path / "app.duckdb")
    try:  # a second province, formed with the reform, with two communes directly under it
        records = [UnitRecord(code="99", name="Tỉnh Thử", level=Level.PROVINCE, kind="tinh", valid_from=dt.date(2025, 7, 1)),
                   *[UnitRecord(code=f"9900{i}", name=f"Xã Thử {i}", level=Level.COMMUNE, kind="xa", parent_code="99",
                                valid_from=dt.date(2025, 7, 1)) for i in (1, 2)]]
        import_units(other, list(enumerate(records, start=2)), actor=system_principal("lead"))
    finally:
        other.close()
    at.run()
    assert not at.exception
    provinces = _table(at, "Tỉnh")
    assert sorted(provinces["Tỉnh"]) == ["Tỉnh Lai Châu", "Tỉnh Thử"]
    in_plan = dict(zip(provinces["Tỉnh"], provinces["Thuộc diện áp dụng"], strict=True))
    assert in_plan == {"Tỉnh Lai Châu": 38, "Tỉnh Thử": 2}
    assert int(level_figure(at, "Cấp xã", "Thuộc diện áp dụng")) == 40  # the provinces add up to the level's card

    def communes():
        found = [df.value for df in at.dataframe if "Giai đoạn" in df.value.columns and "Cấp" not in df.value.columns]
        assert len(found) == 1, len(found)  # the chosen province's communes (the pending list has a level column)
        return found[0]

    at.selectbox(key="overview_province").set_value("12").run()
    assert len(communes()) == 38
    at.selectbox(key="overview_province").set_value("99").run()
    assert not at.exception and sorted(communes()["Tên đơn vị"]) == ["Xã Thử 1", "Xã Thử 2"]
