"""Labels of the overview at national scale (communes grouped by province, drill-down)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "ovp.by_province": ("Cấp xã theo tỉnh", "Communes per province"),
    "ovp.province": ("Tỉnh", "Province"),
    "ovp.pick_province": ("Xem các huyện của tỉnh", "Show the districts of province"),
    "ovp.districts_of": ("Cấp xã theo huyện của {province}", "Communes per district of {province}"),
    "ovp.pick_province_communes": ("Xem các xã, phường của tỉnh", "Show the communes of province"),
    "ovp.communes_of": ("Cấp xã của {province}", "Communes of {province}"),
    "ov.rows_shown": ("Hiện {shown} dòng đầu trong {total}.", "Showing the first {shown} of {total} rows."),
}
