"""Every label the app shows, in Vietnamese (first) and English.

Kept as data in one place so that the language switch, the exports' Vietnamese column labels
and the tests that check diacritics and NFC all read the same strings.
"""

from __future__ import annotations

LANGS = ("vi", "en")

LABELS: dict[str, tuple[str, str]] = {
    # levels
    "level.province": ("Cấp tỉnh", "Province"),
    "level.department": ("Sở, ban, ngành", "Provincial departments"),
    "level.district": ("Cấp huyện", "Districts"),
    "level.commune": ("Cấp xã", "Communes"),
    # stages
    "stage.not_started": ("Chưa triển khai", "Not started"),
    "stage.building": ("Đang xây dựng", "Building"),
    "stage.applying": ("Đang áp dụng", "Applying"),
    "stage.announced": ("Đã công bố", "Announced"),
    # event types
    "event.build_started": ("Bắt đầu xây dựng", "Build started"),
    "event.applied": ("Áp dụng", "Applied"),
    "event.internal_audit": ("Đánh giá nội bộ", "Internal audit held"),
    "event.management_review": ("Xem xét của lãnh đạo", "Management review held"),
    "event.effectiveness_confirmed": ("Xác nhận hiệu lực", "Effectiveness confirmed"),
    "event.announced": ("Công bố", "Announced"),
    "event.re_announced": ("Công bố lại", "Re-announced"),
    "event.standard_changed": ("Chuyển đổi tiêu chuẩn", "Standard changed"),
    "event.withdrawn": ("Hủy bỏ / ngừng áp dụng", "Withdrawn"),
    # unit kinds
    "kind.tinh": ("Tỉnh", "Province"),
    "kind.so": ("Sở", "Department"),
    "kind.ban": ("Ban", "Board"),
    "kind.van_phong": ("Văn phòng", "Office"),
    "kind.thanh_tra": ("Thanh tra", "Inspectorate"),
    "kind.chi_cuc": ("Chi cục", "Sub-department"),
    "kind.huyen": ("Huyện", "District"),
    "kind.thanh_pho": ("Thành phố", "City"),
    "kind.thi_xa": ("Thị xã", "Town"),
    "kind.quan": ("Quận", "Urban district"),
    "kind.xa": ("Xã", "Commune"),
    "kind.phuong": ("Phường", "Ward"),
    "kind.thi_tran": ("Thị trấn", "Township"),
    # pages
    "page.overview": ("Tổng quan", "Overview"),
    "page.units": ("Đơn vị", "Units"),
    "page.targets": ("Chỉ tiêu", "Targets"),
    "page.import": ("Nhập dữ liệu", "Import"),
    "app.title": ("Theo dõi HTQLCL theo TCVN ISO 9001", "ISO 9001 QMS tracker"),
    "app.language": ("Ngôn ngữ", "Language"),
    # overview
    "ov.as_of": ("Tính đến ngày", "As of"),
    "ov.by_level": ("Tỷ lệ công bố theo cấp", "Announced rate per level"),
    "ov.by_district": ("Cấp xã theo huyện", "Communes per district"),
    "ov.trend": ("Xu hướng cuối mỗi năm so với chỉ tiêu", "Year-end trend against targets"),
    "units.until": ("đến", "until"),
    "units.from": ("từ", "from"),
    "ov.restated": ("Quy đổi theo địa giới của ngày xem", "Restated on the map of the date in view"),
    "ov.restated_note": ("Mỗi năm tính trên các đơn vị hiện có vào ngày xem: một đơn vị mới được tính theo tỷ lệ các đơn vị "
                         "hợp thành nên nó đã công bố vào cuối năm đó (đơn vị bị chia tách tính theo tỷ lệ chia). Ví dụ: năm "
                         "2016 trên 38 xã hiện nay.",
                         "Each year counted on the units of the date in view: a new unit counts by the share of the units it "
                         "was formed from that had announced at that year's end (a split unit by its share). E.g. 2016 on "
                         "today's 38 communes."),
    "ov.communes_direct": ("Cấp xã trực thuộc tỉnh", "Communes directly under the province"),
    "ov.two_levels": ("Từ 01/07/2025 chính quyền địa phương hai cấp: không còn cấp huyện; {n} đơn vị cấp xã trực thuộc tỉnh "
                      "(Nghị quyết 1670/NQ-UBTVQH15 với Lai Châu). Chọn một ngày trước đó để xem theo huyện.",
                      "Since 01/07/2025 local government has two levels: no districts; {n} commune-level units directly under "
                      "the province. Pick an earlier date to see districts."),
    "ov.trend_reform": ("Mỗi năm được tính trên địa giới của năm đó: đến 2024 là các xã cũ (106), từ 2025 là 38 xã mới; "
                        "cấp huyện kết thúc ngày 01/07/2025.",
                        "Each year is counted on that year's map: the old communes until 2024, the new ones from 2025; "
                        "districts end on 01/07/2025."),
    "ov.pending": ("Đơn vị chưa công bố", "Units not yet announced"),
    "ov.no_units": ("Chưa có đơn vị nào. Hãy nạp dữ liệu mẫu (qms demo) hoặc nhập danh sách đơn vị.",
                    "No units yet. Load the demo (qms demo) or import a unit list."),
    "ov.sample_targets": ("Chỉ tiêu đang dùng là số liệu mẫu; hãy cập nhật theo kế hoạch của tỉnh.",
                          "The targets in use are sample values; replace them with the province's plan."),
    "ov.all_announced": ("Tất cả đơn vị đã công bố.", "Every unit has announced."),
    "ov.since_note": ("Đơn vị chưa triển khai được tính từ ngày {day} (QĐ 19/2014/QĐ-TTg có hiệu lực) hoặc từ ngày thành lập nếu muộn hơn.",
                      "A unit that never started counts from {day} (Decision 19/2014/QĐ-TTg in force) or from its creation if later."),
    "ov.target_word": ("chỉ tiêu", "target"),
    "ov.filter_level": ("Lọc theo cấp", "Filter by level"),
    "col.level": ("Cấp", "Level"),
    "col.in_plan": ("Thuộc diện áp dụng", "In the plan"),
    "col.announced": ("Đã công bố", "Announced"),
    "col.rate": ("Tỷ lệ (%)", "Rate (%)"),
    "col.target": ("Chỉ tiêu (%)", "Target (%)"),
    "col.gap": ("Còn thiếu (điểm %)", "Gap (% points)"),
    "col.never_started": ("Chưa triển khai", "Never started"),
    "col.building": ("Đang xây dựng", "Building"),
    "col.applying": ("Đang áp dụng", "Applying"),
    "col.not_maintained": ("Chưa duy trì trong năm", "Not maintained this year"),
    "col.district": ("Huyện", "District"),
    "col.code": ("Mã", "Code"),
    "col.name": ("Tên đơn vị", "Unit"),
    "col.stage": ("Giai đoạn", "Stage"),
    "col.since": ("Từ ngày", "Since"),
    "col.days": ("Số ngày", "Days"),
    "col.year": ("Năm", "Year"),
    "col.kind": ("Loại", "Kind"),
    "col.parent": ("Trực thuộc", "Parent"),
    "col.valid_from": ("Hiệu lực từ", "Valid from"),
    "col.valid_to": ("Hết hiệu lực từ", "Valid until"),
    "col.date": ("Ngày", "Date"),
    "col.event": ("Sự kiện", "Event"),
    "col.decision": ("Số quyết định", "Decision no."),
    "col.standard": ("Tiêu chuẩn", "Standard"),
    "col.scope": ("Phạm vi / ghi chú", "Scope / note"),
    "col.source": ("Nguồn", "Source"),
    "col.by": ("Người ghi", "Recorded by"),
    "col.series": ("Chuỗi", "Series"),
    # units page
    "units.pick": ("Chọn đơn vị", "Choose a unit"),
    "units.search": ("Tìm theo tên hoặc mã", "Search by name or code"),
    "units.timeline": ("Lịch sử HTQLCL", "QMS lifecycle"),
    "units.no_events": ("Đơn vị chưa có sự kiện nào.", "This unit has no events yet."),
    "units.current": ("Tình trạng hôm nay", "Status today"),
    "units.record": ("Ghi nhận sự kiện mới", "Record a new event"),
    "units.save": ("Lưu sự kiện", "Save event"),
    "units.saved": ("Đã lưu sự kiện.", "Event saved."),
    "units.none": ("Không tìm thấy đơn vị nào.", "No unit found."),
    "units.merged": ("Đơn vị không còn tồn tại từ", "Unit ceased to exist on"),
    "units.maintenance": ("Duy trì hằng năm (đánh giá nội bộ và xem xét của lãnh đạo)",
                          "Yearly maintenance (internal audit and management review)"),
    "units.maint_ok": ("Đủ", "Done"),
    "units.maint_missing": ("Thiếu", "Missing"),
    "units.standard_none": ("Không áp dụng", "Not applicable"),
    # targets page
    "targets.help": ("Sửa chỉ tiêu tỷ lệ đơn vị công bố (%) theo cấp và năm, rồi bấm Lưu.",
                     "Edit the announced-rate targets (%) per level and year, then Save."),
    "targets.save": ("Lưu chỉ tiêu", "Save targets"),
    "targets.saved": ("Đã lưu chỉ tiêu.", "Targets saved."),
    "targets.sample": ("Mẫu", "Sample"),
    # import page
    "import.units": ("Nhập danh sách đơn vị (CSV)", "Import a unit list (CSV)"),
    "import.units_help": ("Các cột: gso_code, name, level, kind (bắt buộc); parent_gso_code, valid_from, valid_to, "
                          "in_plan (có/không; để trống là có) có thể bỏ trống. Cả tệp được nhập hoặc không dòng nào được nhập.",
                          "Columns: gso_code, name, level, kind (required); parent_gso_code, valid_from, valid_to, in_plan "
                          "(yes/no; empty means yes) may be empty. The whole file goes in, or nothing does."),
    "import.file": ("Tệp danh sách đơn vị (CSV, UTF-8)", "Unit list file (CSV, UTF-8)"),
    "import.run": ("Nhập", "Import"),
    "import.done": ("Đã nhập: {new} đơn vị mới, {same} không đổi.", "Imported: {new} new units, {same} unchanged."),
    "import.demo": ("Dữ liệu mẫu tỉnh Lai Châu", "Lai Châu demo province"),
    "import.demo_help": ("Cơ sở dữ liệu đang trống. Nạp 8 huyện, 108 xã, 20 sở, ngành với lịch sử HTQLCL 2014-2021 (mô phỏng) và chỉ tiêu mẫu.",
                         "The database is empty. Load 8 districts, 108 communes, 20 departments with a simulated 2014-2021 QMS history and sample targets."),
    "import.demo_run": ("Nạp dữ liệu mẫu", "Load the demo"),
    "import.demo_done": ("Đã nạp {units} đơn vị, {events} sự kiện, {targets} chỉ tiêu mẫu.",
                         "Loaded {units} units, {events} events, {targets} sample targets."),
    # misc
    "common.yes": ("Có", "Yes"),
    "common.no": ("Không", "No"),
    "common.error": ("Lỗi", "Error"),
}


def _merge_label_sets() -> None:
    """Add every feature's label set (``qms/<feature>/labels.py`` and ``*_labels.py``, each defining
    ``LABELS: dict[str, tuple[str, str]]``, keys prefixed by the feature); a key defined twice is a
    programming error."""
    from qms.kernel.features import feature_modules

    for module in feature_modules("labels", exclude=(__name__,)):
        twice = sorted(set(module.LABELS) & set(LABELS))
        if twice:
            raise RuntimeError(f"label keys defined twice ({module.__name__}): {', '.join(twice)}")
        LABELS.update(module.LABELS)


_merge_label_sets()


def t(key: str, lang: str = "vi", **params: object) -> str:
    """The label for ``key`` in ``lang`` (Vietnamese when the language is unknown)."""
    vi, en = LABELS[key]
    text = en if lang == "en" else vi
    return text.format(**params) if params else text


def kind_label(kind: str, lang: str = "vi") -> str:
    """A unit kind's label; an unknown kind (from an imported file) shows as written."""
    return t(f"kind.{kind}", lang) if f"kind.{kind}" in LABELS else kind
