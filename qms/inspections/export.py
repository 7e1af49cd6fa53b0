"""The inspection year as files: the plan (.xlsx, Mẫu 19 KHKT columns as far as known) and the
minutes (.docx, Mẫu 21 BBKT layout as far as known; see README "Inspection year").

Mẫu 19's published columns are: the agency inspected, the inspecting unit, the expected time and
the form of inspection (records or on site), and a budget.  qms keeps no budget, so that column
is left empty for the planner to fill; status, team and risk reasons follow as qms's own columns.
"""

from __future__ import annotations

from pathlib import Path

from qms.inspections.minutes import minutes_docx
from qms.inspections.minutes_store import minutes_facts
from qms.inspections.queries import PlanView, plan_versions
from qms.kernel.errors import QmsError
from qms.kernel.labels import t
from qms.kernel.spreadsheet_writing import write_xlsx

MODE_VI = {"records": "Qua hồ sơ, báo cáo", "on_site": "Tại cơ quan"}
PLAN_HEADERS = ("STT", "Cơ quan được kiểm tra", "Mã đơn vị", "Đơn vị/đoàn kiểm tra", "Thời gian dự kiến",
                "Hình thức kiểm tra", "Kinh phí", "Tình trạng", "Điểm rủi ro", "Lý do ưu tiên")


def plan_rows(plan: PlanView) -> list[list]:
    return [[n, i.unit_name, i.unit_code, ", ".join(i.team_names), f"Tháng {i.month:02d}/{plan.year}", MODE_VI[i.mode], None,
             t(f"insp.status.{i.status.value}", "vi"), i.risk_score, "; ".join(f"{r.value}:{f}" for r, f in i.reasons)]
            for n, i in enumerate(plan.items, start=1)]


def plan_xlsx(db, plan: PlanView) -> bytes:
    """The plan's workbook: the items (Mẫu 19 columns first) and the versions (approval, amendments)."""
    versions = plan_versions(db, plan.year)
    return write_xlsx([
        (f"Ke hoach {plan.year}", PLAN_HEADERS, plan_rows(plan)),
        ("Phien ban", ("Phiên bản", "Loại", "Ngày", "Số quyết định", "Lý do", "Người ghi", "Số cuộc kiểm tra"),
         [[v["version"], v["kind"], v["decided_on"], v["decision_no"], v["reason"], v["recorded_by"], v["items"]]
          for v in versions]),
    ])


def write_year(db, plan: PlanView, out: Path, *, force: bool = False) -> list[Path]:
    """Write the plan workbook and every signed minutes of the year into ``out``; the paths
    written.  An existing file is refused (nothing written) unless ``force``."""
    files = {out / f"ke-hoach-kiem-tra-{plan.year}.xlsx": lambda: plan_xlsx(db, plan)}
    for item in plan.items:
        if item.minutes_id is not None:
            files[out / f"bien-ban-{plan.year}-{item.unit_code.replace('@', '_')}.docx"] = (
                lambda mid=item.minutes_id: minutes_docx(minutes_facts(db, mid)))
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise QmsError(f"--out: {existing[0]} exists; add --force to replace it.",
                       vi=f"--out: {existing[0]} đã có; thêm --force để ghi đè.")
    out.mkdir(parents=True, exist_ok=True)
    for path, make in files.items():
        path.write_bytes(make())
    return list(files)


