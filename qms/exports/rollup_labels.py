"""Labels of the overview opened on a national roll-up database (``qms rollup-db``)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "rollup.banner": ("Bản tổng hợp quốc gia: {n} tỉnh, số liệu tính đến ngày {day} (chỉ xem; không có trang ghi dữ liệu).",
                      "National roll-up: {n} provinces, figures as of {day} (read only; no page that writes)."),
    "rollup.sources": ("Nguồn số liệu: bản xuất của từng tỉnh", "Sources: each province's snapshot"),
    "rollup.sources_note": ("Mỗi con số của một tỉnh lấy từ bản xuất ghi ở đây (mã băm SHA-256 của manifest.json); "
                            "mã đơn vị có dạng <mã tỉnh>:<mã đơn vị>.",
                            "Every figure of a province comes from the snapshot named here (SHA-256 of its manifest.json); "
                            "unit codes read <province code>:<unit code>."),
    "rollup.province": ("Mã tỉnh", "Province code"),
    "rollup.province_name": ("Tên tỉnh", "Province"),
    "rollup.snapshot": ("Bản xuất nguồn", "Source snapshot"),
    "rollup.manifest_sha": ("SHA-256 của manifest", "Manifest SHA-256"),
    "rollup.schema": ("Phiên bản lược đồ", "Schema version"),
}
