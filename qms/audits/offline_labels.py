"""Labels of the offline audit workbook, the printable checklist and evidence files (issue 17)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "offline.title": ("Làm ngoại tuyến, bản in và bằng chứng", "Offline, print and evidence"),
    "offline.tab_download": ("Tải phiếu Excel", "Download workbook"),
    "offline.tab_upload": ("Nộp lại phiếu đã điền", "Upload the filled workbook"),
    "offline.tab_print": ("Bản in", "Printable checklist"),
    "offline.tab_evidence": ("Đính kèm bằng chứng", "Attach evidence"),
    "offline.download_help": (
        "Tải phiếu (.xlsx) để điền khi không có mạng, bằng LibreOffice Calc hoặc Excel: chọn kết quả trong ô thả xuống, "
        "ghi chú và bằng chứng. Ảnh và tệp PDF để trong một thư mục cạnh phiếu, mỗi mục một thư mục con đặt tên theo mã mục.",
        "Download the workbook (.xlsx) to fill without network in LibreOffice Calc or Excel: pick the result from the "
        "drop-down, write notes and evidence. Keep photos and PDFs in a folder beside it, one sub-folder per item ref."),
    "offline.download": ("Tải phiếu đánh giá (.xlsx)", "Download the checklist workbook (.xlsx)"),
    "offline.locked": ("Phiếu đã nộp: chỉ bản nháp mới mang đi làm ngoại tuyến được.",
                       "This audit is submitted: only a draft can be taken offline."),
    "offline.upload": ("Phiếu đã điền (.xlsx)", "Filled workbook (.xlsx)"),
    "offline.preview": ("Thay đổi: {changed} · Không đổi: {unchanged} · Xung đột: {conflicts}",
                        "Changed: {changed} · Unchanged: {unchanged} · Conflicts: {conflicts}"),
    "offline.col_item": ("Mục", "Item"),
    "offline.col_row": ("Dòng", "Row"),
    "offline.col_question": ("Câu hỏi", "Question"),
    "offline.col_change": ("Thay đổi", "Change"),
    "offline.col_workbook": ("Trong phiếu", "In the workbook"),
    "offline.col_qms": ("Trong qms", "In qms"),
    "offline.change.changed": ("Thay đổi", "Changed"),
    "offline.change.unchanged": ("Không đổi", "Unchanged"),
    "offline.change.conflict": ("Xung đột", "Conflict"),
    "offline.conflicts": ("Các mục này đã được người khác sửa trong qms sau khi tải phiếu. Chọn câu trả lời giữ lại cho từng mục:",
                          "These items were changed in qms by someone else after the download. Choose the answer to keep "
                          "for each:"),
    "offline.take_qms": ("Giữ của qms: {answer}", "Keep qms's: {answer}"),
    "offline.take_workbook": ("Lấy của phiếu: {answer}", "Take the workbook's: {answer}"),
    "offline.confirm": ("Xác nhận và ghi {n} câu trả lời", "Confirm and write {n} answer(s)"),
    "offline.evidence_zip": ("Thư mục bằng chứng nén (.zip), nếu có", "Evidence folder as a .zip, if any"),
    "offline.evidence_zip_help": ("Nén thư mục để cạnh phiếu: mỗi mục một thư mục con đặt tên theo mã mục, chứa ảnh JPEG/PNG/HEIC "
                                  "hoặc PDF.",
                                  "Zip the folder kept beside the workbook: one sub-folder per item ref, holding JPEG/PNG/HEIC "
                                  "photos or PDFs."),
    "offline.preview_evidence": ("Bằng chứng kèm theo: {files} tệp cho {items} mục.",
                                 "Evidence with it: {files} file(s) for {items} item(s)."),
    "offline.done_evidence": ("Đã đính kèm {n} tệp bằng chứng.", "Attached {n} evidence file(s)."),
    "offline.nothing": ("Phiếu không có gì khác với qms; không cần ghi.", "The workbook holds nothing new; nothing to write."),
    "offline.done": ("Đã ghi {n} câu trả lời từ phiếu.", "Wrote {n} answer(s) from the workbook."),
    "offline.print_help": ("Bản in để làm trên giấy: tải về, mở bằng trình duyệt và in (hoặc lưu PDF).",
                           "For teams working on paper: download, open in a browser and print (or save as PDF)."),
    "offline.print_download": ("Tải bản in (.html)", "Download the printable checklist (.html)"),
    "offline.evidence_item": ("Mục", "Item"),
    "offline.evidence_files": ("Ảnh (JPEG, PNG, HEIC) hoặc PDF", "Photos (JPEG, PNG, HEIC) or PDFs"),
    "offline.evidence_attach": ("Đính kèm", "Attach"),
    "offline.evidence_done": ("Đã đính kèm; mục {ref} có {n} tệp bằng chứng.", "Attached; item {ref} has {n} evidence file(s)."),
    "offline.evidence_list": ("Bằng chứng đính kèm: {files}", "Evidence attached: {files}"),
    "offline.print_title": ("Phiếu đánh giá", "Audit checklist"),
    "offline.print_signature": ("Người đánh giá (ký, ghi rõ họ tên)", "Auditor (signature, full name)"),
}
