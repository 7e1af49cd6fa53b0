"""Labels of the reports and exports page, the PAR indicators and the annual report."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "exports.page": ("Báo cáo & xuất dữ liệu", "Reports & exports"),
    "exports.no_units": ("Chưa có đơn vị nào. Hãy nạp dữ liệu mẫu (qms demo) hoặc nhập danh sách đơn vị.",
                         "No units yet. Load the demo (qms demo) or import a unit list."),
    # snapshot
    "exports.snapshot": ("Xuất dữ liệu cho công cụ Chỉ số CCHC (Parquet)", "Snapshot for the PAR-index tool (Parquet)"),
    "exports.snapshot_help": ("Mỗi bản xuất là một thư mục gồm manifest.json và một tệp Parquet cho mỗi bảng; "
                              "cấu trúc được mô tả trong docs/exports.md.",
                              "Each snapshot is a folder with manifest.json and one Parquet file per table; "
                              "the schema is described in docs/exports.md."),
    "exports.as_of": ("Số liệu tính đến ngày", "Data as of"),
    "exports.run": ("Tạo bản xuất", "Create snapshot"),
    "exports.progress": ("Đang ghi bảng {table} ({done}/{total})", "Writing table {table} ({done}/{total})"),
    "exports.progress_done": ("Đã ghi xong.", "Done."),
    "exports.done": ("Đã tạo bản xuất {name}: {tables} bảng, {rows} dòng.",
                     "Snapshot {name} written: {tables} tables, {rows} rows."),
    "exports.not_allowed": ("Chỉ quản trị viên được tạo bản xuất và bật xuất dữ liệu hằng ngày.",
                            "Only administrators can write snapshots and switch the daily snapshot."),
    "exports.download_zip": ("Tải bản xuất (.zip)", "Download the snapshot (.zip)"),
    "exports.existing": ("Các bản xuất đã có", "Existing snapshots"),
    "exports.none_yet": ("Chưa có bản xuất nào trong thư mục {folder}.", "No snapshot yet in {folder}."),
    "exports.nightly": ("Tự động xuất dữ liệu hằng ngày", "Write a snapshot every day"),
    "exports.nightly_help": ("Khi bật, ứng dụng tự tạo một bản xuất với số liệu đến ngày hôm đó, một lần mỗi ngày, "
                             "vào lần đầu ứng dụng được mở trong ngày; việc ghi chạy nền, không ai phải chờ.",
                             "When on, the app writes one snapshot of that day's data each day, the first time "
                             "the app runs that day; it is written in the background, nobody waits for it."),
    "exports.nightly_running": ("Đang tạo bản xuất hằng ngày (chạy nền từ {started}): đã ghi {done}/{total} bảng.",
                                "Writing the daily snapshot (in the background since {started}): {done}/{total} tables written."),
    "exports.nightly_last": ("Bản xuất hằng ngày gần nhất: {name} (xong lúc {at}).",
                             "Last daily snapshot: {name} (finished at {at})."),
    "exports.nightly_failed": ("Bản xuất hằng ngày lúc {at} không thành công: {error}",
                               "The daily snapshot of {at} failed: {error}"),
    "exports.nightly_on": ("Đã bật xuất dữ liệu hằng ngày.", "Daily snapshot switched on."),
    "exports.nightly_off": ("Đã tắt xuất dữ liệu hằng ngày.", "Daily snapshot switched off."),
    "exports.nightly_written": ("Đã tạo bản xuất hằng ngày {name}.", "Daily snapshot {name} written."),
    "exports.col_name": ("Thư mục", "Folder"),
    "exports.col_as_of": ("Số liệu đến ngày", "As of"),
    "exports.col_generated": ("Thời điểm tạo (UTC)", "Generated (UTC)"),
    "exports.col_tables": ("Số bảng", "Tables"),
    "exports.col_rows": ("Số dòng", "Rows"),
    "exports.col_table": ("Bảng", "Table"),
    # PAR indicators
    "exports.par": ("Chỉ số CCHC: các tiêu chí về ISO", "PAR Index: the ISO criteria"),
    "exports.par_year": ("Năm đánh giá", "Year"),
    "exports.par_sample": ("Phương pháp chấm điểm đang dùng là bản MẪU (mã tiêu chí, điểm và ngưỡng chưa phải số liệu "
                           "chính thức). Hãy thay bằng phương pháp chính thức: tệp data/par/methodology.yaml.",
                           "The scoring methodology in use is a SAMPLE (criterion codes, points and thresholds are not "
                           "official). Replace it with the official one: file data/par/methodology.yaml."),
    "exports.par_total": ("Tổng điểm", "Total points"),
    "exports.par_scored_on": ("Tính đến ngày {day}", "Scored on {day}"),
    "exports.col_criterion": ("Mã tiêu chí", "Criterion"),
    "exports.col_wording": ("Nội dung", "Wording"),
    "exports.col_level": ("Cấp", "Level"),
    "exports.col_count": ("Đạt / tổng số", "Meeting / counted"),
    "exports.col_rate": ("Tỷ lệ (%)", "Rate (%)"),
    "exports.col_full_rate": ("Điểm tối đa từ (%)", "Full marks from (%)"),
    "exports.col_points": ("Điểm / tối đa", "Points / max"),
    "exports.col_raise": ("Để tăng điểm", "What would raise it"),
    "exports.raise_full": ("Đã đạt điểm tối đa.", "Full marks."),
    "exports.raise_none": ("Không có đơn vị nào được tính.", "No unit is counted."),
    "exports.raise.announced_rate": ("Thêm {n} đơn vị công bố → {points} điểm (từ {rate}).",
                                     "{n} more units announced → {points} points (from {rate})."),
    "exports.raise.maintained_rate": ("Thêm {n} đơn vị duy trì (đánh giá nội bộ và xem xét của lãnh đạo trong năm) → "
                                      "{points} điểm (từ {rate}).",
                                      "{n} more units maintaining (internal audit and management review this year) → "
                                      "{points} points (from {rate})."),
    "exports.units_below": ("Đơn vị chưa đạt tiêu chí {code} ({n})", "Units not meeting {code} ({n})"),
    "exports.col_unit_code": ("Mã đơn vị", "Unit code"),
    "exports.col_unit": ("Tên đơn vị", "Unit"),
    "exports.col_district": ("Huyện", "District"),
    "exports.col_reason": ("Lý do", "Reason"),
    "exports.reason.not_started": ("Chưa triển khai", "Not started"),
    "exports.reason.building": ("Đang xây dựng", "Building"),
    "exports.reason.applying": ("Đang áp dụng, chưa công bố", "Applying, not announced"),
    "exports.reason.no_internal_audit": ("Chưa đánh giá nội bộ trong năm", "No internal audit this year"),
    "exports.reason.no_management_review": ("Chưa xem xét của lãnh đạo trong năm", "No management review this year"),
    "exports.reason.no_audit_no_review": ("Chưa đánh giá nội bộ và chưa xem xét của lãnh đạo trong năm",
                                          "Neither internal audit nor management review this year"),
    "exports.measure.announced_rate": ("Tỷ lệ công bố", "Announced rate"),
    "exports.measure.maintained_rate": ("Tỷ lệ duy trì", "Maintained rate"),
    # annual report (Decision 19, Annex II style)
    "exports.annual": ("Báo cáo năm gửi Bộ KH&CN (theo Phụ lục II, QĐ 19/2014/QĐ-TTg)",
                       "Annual report to the Ministry (Annex II style, Decision 19/2014/QĐ-TTg)"),
    "exports.annual_year": ("Năm báo cáo", "Report year"),
    "exports.annual_download": ("Tải báo cáo (.xlsx)", "Download the report (.xlsx)"),
    "exports.annual_title": ("BÁO CÁO TÌNH HÌNH XÂY DỰNG, ÁP DỤNG, DUY TRÌ VÀ CẢI TIẾN HỆ THỐNG QUẢN LÝ CHẤT LƯỢNG "
                             "THEO TCVN ISO 9001 NĂM {year}",
                             "REPORT ON BUILDING, APPLYING, MAINTAINING AND IMPROVING QUALITY MANAGEMENT SYSTEMS "
                             "UNDER TCVN ISO 9001, YEAR {year}"),
    "exports.annual_subtitle": ("(Theo mẫu Phụ lục II Quyết định số 19/2014/QĐ-TTg; số liệu tính đến ngày {day})",
                                "(Annex II of Decision 19/2014/QĐ-TTg; figures as of {day})"),
    "exports.annual_note": ("Ghi chú: \"Đã xây dựng\", \"Đã áp dụng\" tính mọi đơn vị đã bắt đầu xây dựng / đã áp dụng "
                            "đến cuối kỳ; \"Đã công bố\" là đơn vị đang ở trạng thái đã công bố vào cuối kỳ; "
                            "\"Công bố lại\" và \"Được kiểm tra\" tính trong năm báo cáo.",
                            "Note: \"built\" and \"applied\" count every unit that started building / applied by the "
                            "end of the period; \"announced\" counts units announced at the end of the period; "
                            "\"re-announced\" and \"inspected\" count within the report year."),
    "exports.annual_no_inspections": ("Chưa có dữ liệu kiểm tra (chức năng đánh giá, kiểm tra chưa được cài đặt): "
                                      "số đơn vị được kiểm tra ghi là 0.",
                                      "No inspection data yet (the audits feature is not installed): inspected "
                                      "counts are 0."),
    "exports.annual.no": ("STT", "No."),
    "exports.annual.group": ("Cơ quan, đơn vị", "Group"),
    "exports.annual.in_plan": ("Số đơn vị phải/có kế hoạch áp dụng", "Units required or planned to apply"),
    "exports.annual.built": ("Đã xây dựng", "Built"),
    "exports.annual.applied": ("Đã áp dụng", "Applied"),
    "exports.annual.announced": ("Đã công bố", "Announced"),
    "exports.annual.re_announced": ("Công bố lại trong năm", "Re-announced in the year"),
    "exports.annual.inspected_records": ("Được kiểm tra qua hồ sơ", "Inspected on records"),
    "exports.annual.inspected_site": ("Được kiểm tra tại chỗ", "Inspected on site"),
    "exports.group.departments": ("Sở, ban, ngành", "Provincial departments"),
    "exports.group.sub_departments": ("Chi cục thuộc sở", "Sub-departments"),
    "exports.group.districts": ("UBND cấp huyện", "District People's Committees"),
    "exports.group.communes": ("UBND cấp xã", "Commune People's Committees"),
    "exports.group.total": ("Tổng cộng", "Total"),
}
