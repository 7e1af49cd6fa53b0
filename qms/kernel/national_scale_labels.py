"""Labels of lists and drop-downs at national scale (qms/ui/unit_choice.py, capped lists)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "unit_choice.search": ("Tìm đơn vị (mã hoặc tên, trong {n} đơn vị)", "Find a unit (code or name, among {n} units)"),
    "unit_choice.placeholder": ("ví dụ: 03386 hoặc Quyết Thắng", "e.g. 03386 or Quyet Thang"),
    "unit_choice.more": ("Danh sách hiện {shown} trong {total} đơn vị phù hợp; gõ thêm để thu hẹp.",
                         "The list shows {shown} of {total} matching units; type more to narrow it."),
    "audit.list_capped": ("Hiện {n} dòng mới nhất; lọc theo đơn vị, trạng thái hoặc năm để xem các dòng khác.",
                          "Showing the newest {n} rows; filter by unit, status or year to see others."),
}
