"""The PAR-index ISO indicators and the units that keep each one below full marks."""

from __future__ import annotations

from qms.exports import indicators
from qms.exports.registry import Column as C
from qms.exports.registry import ExportTable, SnapshotSource

ORDER = 20


def _report(src: SnapshotSource) -> indicators.IndicatorReport:
    if "indicators" not in src.memo:
        src.memo["indicators"] = indicators.compute(src.reader, src.as_of, src.methodology, src.methodology_sha256)
    return src.memo["indicators"]


def _indicator_rows(src: SnapshotSource) -> list[dict]:
    report = _report(src)
    m = report.methodology
    rows = []
    for ind in report.indicators:
        c, s = ind.criterion, ind.score
        rows.append(dict(
            criterion_code=c.code, methodology_id=m.id, methodology_version=m.version, methodology_sample=m.sample,
            year=report.year, as_of=report.as_of, wording_vi=c.wording.vi, wording_en=c.wording.en, level=c.level,
            measure=c.measure, numerator=s.numerator, denominator=s.denominator, rate_pct=s.rate_pct,
            target_pct=s.full_marks_rate, plan_target_pct=ind.plan_target_pct, points=s.points, max_points=s.max_points,
            next_band_rate_pct=s.next_band.min_rate if s.next_band else None,
            next_band_points=s.next_band.points if s.next_band else None,
            units_to_next_band=s.units_to_next_band, units_to_full_marks=s.units_to_full_marks,
            units_below=len(ind.short_units),
        ))
    return rows


INDICATORS = ExportTable(
    name="indicators",
    meaning="One row per criterion of the PAR-index methodology in use (see the manifest's methodology; a sample "
            "methodology is flagged), scored on the as-of date.",
    label_vi="Chỉ số CCHC (tiêu chí ISO)",
    columns=(
        C("criterion_code", "VARCHAR", "the criterion's code in the methodology", "Mã tiêu chí"),
        C("methodology_id", "VARCHAR", "id of the methodology file", "Mã phương pháp chấm điểm"),
        C("methodology_version", "INTEGER", "its version", "Phiên bản phương pháp"),
        C("methodology_sample", "BOOLEAN", "true: sample values, not the official methodology", "Phương pháp mẫu"),
        C("year", "INTEGER", "the as-of year", "Năm"),
        C("as_of", "DATE", "the date the criterion is scored on", "Tính đến ngày"),
        C("wording_vi", "VARCHAR", "the criterion's wording in Vietnamese", "Nội dung tiêu chí"),
        C("wording_en", "VARCHAR", "its English wording", "Nội dung tiêu chí (tiếng Anh)"),
        C("level", "VARCHAR", "department, district or commune", "Cấp"),
        C("measure", "VARCHAR", "announced_rate (announced / in plan) or maintained_rate "
                                "(announced with audit and review this year / announced)", "Đại lượng đo"),
        C("numerator", "INTEGER", "units meeting the measure", "Tử số"),
        C("denominator", "INTEGER", "units counted", "Mẫu số"),
        C("rate_pct", "DOUBLE", "numerator / denominator in percent, 2 decimals; empty when the denominator is 0", "Tỷ lệ (%)"),
        C("target_pct", "DOUBLE", "the rate that earns full marks", "Tỷ lệ đạt điểm tối đa (%)"),
        C("plan_target_pct", "DOUBLE", "the province's yearly target for the level (announced_rate only)", "Chỉ tiêu kế hoạch (%)"),
        C("points", "DOUBLE", "points earned; empty when the denominator is 0", "Điểm đạt"),
        C("max_points", "DOUBLE", "the criterion's max points", "Điểm tối đa"),
        C("next_band_rate_pct", "DOUBLE", "rate of the next band up; empty at full marks", "Tỷ lệ của mức điểm kế tiếp (%)"),
        C("next_band_points", "DOUBLE", "points of the next band up", "Điểm của mức kế tiếp"),
        C("units_to_next_band", "INTEGER", "more units meeting the measure needed to reach the next band", "Số đơn vị cần thêm để lên mức kế tiếp"),
        C("units_to_full_marks", "INTEGER", "more units needed for full marks", "Số đơn vị cần thêm để đạt điểm tối đa"),
        C("units_below", "INTEGER", "rows of indicator_units for this criterion", "Số đơn vị chưa đạt"),
    ),
    order_by=("criterion_code",),
    requires=("units", "qms_events", "targets"),
    rows=_indicator_rows,
)


def _unit_rows(src: SnapshotSource) -> list[dict]:
    return [
        dict(criterion_code=ind.criterion.code, unit_code=u.code, unit_name=u.name, level=u.level.value,
             district_code=u.district_code, district_name=u.district_name, reason=u.reason)
        for ind in _report(src).indicators for u in ind.short_units
    ]


INDICATOR_UNITS = ExportTable(
    name="indicator_units",
    meaning="For each criterion below full marks, the units that do not meet its measure (what would raise it).",
    label_vi="Đơn vị chưa đạt theo tiêu chí",
    columns=(
        C("criterion_code", "VARCHAR", "the criterion (indicators.criterion_code)", "Mã tiêu chí"),
        C("unit_code", "VARCHAR", "the unit (units.code)", "Mã đơn vị"),
        C("unit_name", "VARCHAR", "its name on the date", "Tên đơn vị"),
        C("level", "VARCHAR", "department, district or commune", "Cấp"),
        C("district_code", "VARCHAR", "the district of a commune", "Mã huyện"),
        C("district_name", "VARCHAR", "its name", "Tên huyện"),
        C("reason", "VARCHAR", "announced_rate: the unit's stage (not_started, building, applying); maintained_rate: "
                               "no_internal_audit, no_management_review or no_audit_no_review", "Lý do chưa đạt"),
    ),
    order_by=("criterion_code", "unit_code"),
    requires=("units", "qms_events", "targets"),
    rows=_unit_rows,
)

TABLES = (INDICATORS, INDICATOR_UNITS)
