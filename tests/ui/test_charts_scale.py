"""The coverage bars at country scale (qms/overview/chart_widgets.py): 63 provinces were drawn as upright bars
under an axis titled "Huyện" with one name in eight; past 16 bars they lie down, one row per name
(every name written), and a province chart says "Tỉnh"."""

from __future__ import annotations

from qms.overview.chart_widgets import HORIZONTAL_ABOVE, ROW_PX, district_bars
from qms.units.model import DistrictCoverage


def rows(n: int) -> list[DistrictCoverage]:
    return [DistrictCoverage(district_code=f"{i:02d}", district_name=f"Tỉnh số {i}", in_plan=10, announced=i % 10,
                             rate_pct=float(i % 10) * 10, target_pct=60.0, gap_pct=None) for i in range(n)]


def spec(n: int, group: str = "district") -> dict:
    return district_bars(rows(n), "vi", group).to_dict()


def test_a_province_of_eight_districts_keeps_upright_bars_titled_huyen():
    bars = spec(8)["layer"][0]["encoding"]
    assert bars["x"]["title"] == "Huyện" and bars["x"]["type"] == "nominal" and bars["y"]["type"] == "quantitative"
    assert spec(8)["height"] == 320


def test_sixty_three_provinces_lie_down_one_row_each_titled_tinh():
    chart = spec(63, "province")
    bars, rule = chart["layer"][0]["encoding"], chart["layer"][1]["encoding"]
    assert bars["y"]["title"] == "Tỉnh" and bars["y"]["type"] == "nominal" and bars["x"]["type"] == "quantitative"
    assert "x" in rule and "y" not in rule  # the target is a vertical line across the lying bars
    assert chart["height"] == 63 * ROW_PX  # room for every name: none is skipped
    assert len({r["Tỉnh"] for r in next(iter(chart["datasets"].values()))}) == 63


def test_the_switch_is_at_the_threshold():
    assert spec(HORIZONTAL_ABOVE)["layer"][0]["encoding"]["x"]["type"] == "nominal"
    assert spec(HORIZONTAL_ABOVE + 1)["layer"][0]["encoding"]["y"]["type"] == "nominal"
